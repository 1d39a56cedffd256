"""What waits, and when it goes: the daily limit's queue, day by day (issue #20).

`send` sends at most `[cadence] daily_limit` messages a calendar day. When more is due,
SPEC §3 says who goes first: info packs (fresh inquiries are hot), then follow-ups, each
oldest-due first; the rest roll over to the next day the send window opens. This module
says the same thing forwards in time, so that `due`, `due --all`, `send` and `run-daily`
can say what is held back and on which day each message is expected to go:

- `roll_over` is the rule itself, pure: two queues (info packs, follow-ups), each in
  due order, and a sequence of sending passes (a day, "what is due before this
  instant", how many may go) → each queued entry with the day it goes. An entry may
  stand for many messages (a count), so a summary of a million held-back messages
  costs a few comparisons per day, not a million rows;
- `sending_days` is the passes: what is left of today's budget, then `daily_limit` on
  every later day whose window opens (send_days), and with `info_anytime` on every day
  for info packs alone;
- `Backlog` asks the store: how many are due now beyond what goes now, and the day
  the last of them goes, with nothing new arriving ("at this limit").

Expected days are a forecast: a new inquiry (an info pack) goes before follow-ups that
were already waiting, and a reply stops a lead's sequence. Days are calendar days of
`[cadence] timezone`, the days the limit counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from .cadence import Rules, day_window, fresh_since
from .clock import day_bounds, from_db, local_day, to_db, zone


@dataclass(frozen=True, slots=True)
class Pass:
    """One sending opportunity: on `day`, what is due before `before`, at most `capacity`."""

    day: date
    before: datetime
    capacity: int
    followups: bool = True  # the send window opens that day: follow-ups may go too


# With no send day at all, follow-ups never go: the forecast of info packs stops here.
_DAYS_WITHOUT_WINDOWS = 3660


def sending_days(now: datetime, rules: Rules, left_today: int) -> Iterator[Pass]:
    """The rest of today (its budget left), then every later day, with the whole daily
    limit: for follow-ups only while and where the window opens; for info packs every
    day when they go at any hour (`info_anytime`, SPEC §3), else as follow-ups. Endless
    while there are send days: the caller stops."""
    tz = zone(rules.timezone)
    today = local_day(now, tz)
    window = day_window(today, rules, tz)
    open_today = window is not None and now < window[1]
    if left_today > 0 and (open_today or rules.info_anytime):
        yield Pass(today, day_bounds(today, tz)[1], left_today, open_today)
    if not rules.send_days and not rules.info_anytime:  # nothing ever goes again
        return
    # A backlog of a million at 100 a day is forecast over ~14,000 days: converting
    # each day's bounds and window between zones cost ~30 µs a day. Between two local
    # midnights with the same UTC offset no clock change falls (a zone changes it at
    # most twice a year), so the day ends 24 hours after it began, and its window, which
    # ends after it starts (parse_send_hours), opens on every send day.
    one_day = timedelta(days=1)
    day = today + one_day
    start = day_bounds(day, tz)[0]
    offset = _midnight_offset(day, tz)
    days_left = None if rules.send_days else _DAYS_WITHOUT_WINDOWS
    while days_left is None or days_left > 0:
        following = day + one_day
        following_offset = _midnight_offset(following, tz)
        if following_offset == offset:
            end = start + one_day
            opens = day.weekday() in rules.send_days
        else:
            end = day_bounds(day, tz)[1]
            opens = day_window(day, rules, tz) is not None
        if opens or rules.info_anytime:
            yield Pass(day, end, rules.daily_limit, opens)
        day, start, offset = following, end, following_offset
        if days_left is not None:
            days_left -= 1


def _midnight_offset(day: date, tz) -> timedelta | None:
    return datetime(day.year, day.month, day.day, tzinfo=tz).utcoffset()


Entry = tuple[datetime, int, Any]   # (due at, how many messages, what it stands for)


def roll_over(info: Iterable[Entry], followups: Iterable[Entry],
              passes: Iterable[Pass], windowed_info: Iterable[Entry] = ()) -> Iterator[tuple[Any, date, int]]:
    """(what, day, how many of it go that day) in sending order: each pass takes info
    packs due before it, oldest first, then follow-ups, until its capacity is used. All
    queues must come in due order; an entry split over days is yielded once a day.
    `info` goes on every pass; `windowed_info` (info packs of older requests, which
    wait for the window: `info_anytime_within`) only where the window opens, merged
    with `info` by due time."""
    queues = [iter(info), iter(followups), iter(windowed_info)]
    heads: list[list | None] = [_next(queue) for queue in queues]
    for sending in passes:
        if heads[0] is None and heads[1] is None and heads[2] is None:
            return
        capacity = sending.capacity
        for kinds in ((0, 2), (1,)) if sending.followups else ((0,),):
            while capacity:
                ready = [k for k in kinds if heads[k] is not None and heads[k][0] < sending.before]
                if not ready:
                    break
                k = min(ready, key=lambda kind: heads[kind][0])
                head = heads[k]
                taken = min(capacity, head[1])
                yield head[2], sending.day, taken
                capacity -= taken
                head[1] -= taken
                if head[1] == 0:
                    heads[k] = _next(queues[k])


def _next(queue: Iterator[Entry]) -> list | None:
    for due_at, count, what in queue:
        if count > 0:
            return [due_at, count, what]
    return None


@dataclass(frozen=True)
class DueCounts:
    info: int         # info packs due now (whatever their window says)
    followups: int
    stale_info: int   # of the info packs, those answering a request older than STALE_AFTER
    windowed_info: int = 0  # of the info packs, those that wait for the window (older requests)


def windowed_before(now: datetime, rules: Rules) -> str:
    """Info packs of requests before this (stored text) wait for the send window."""
    since = fresh_since(now, rules)
    return "9999" if since is None else to_db(since)


def due_counts(conn, now: datetime, rules: Rules | None = None) -> DueCounts:
    """What is due now, by kind, counted on indexes alone, in one snapshot.

    An info pack is never due before its request (cadence.info_due adds a delay, never
    negative, then waits for a window or a retry). So one due before an instant answers
    a request before it too, and one due at its request answers it when it is due: only
    the info packs due later than their request (leads_info_delayed, m015) and due
    between the earlier of the two limits and now have their request date read."""
    windowed = windowed_before(now, rules) if rules is not None else ""
    stale = stale_before(now)
    stamp = to_db(now)
    low = min(stale, windowed, stamp) if windowed else min(stale, stamp)
    began = not conn.in_transaction
    if began:
        conn.execute("BEGIN")
    try:
        followups = _count(conn, "(next_step > 0) = 1 AND next_due_at <= ?", (stamp,))
        since_low, due_stale, due_old = conn.execute(
            "SELECT count(*), sum(next_due_at < ?), sum(next_due_at < ?) FROM leads "
            "WHERE next_due_at IS NOT NULL AND (next_step > 0) = 0 AND next_due_at >= ? "
            "AND next_due_at <= ?", (stale, windowed, low, stamp)).fetchone()
        delayed_due_stale, delayed_due_old, delayed_stale, delayed_old = conn.execute(
            "SELECT sum(next_due_at < ?), sum(next_due_at < ?), sum(requested_at < ?), "
            "sum(requested_at < ?) FROM leads WHERE next_step = 0 AND next_due_at > requested_at "
            "AND next_due_at >= ? AND next_due_at <= ?",
            (stale, windowed, stale, windowed, low, stamp)).fetchone()
        before_low = _count(conn, "(next_step > 0) = 0 AND next_due_at < ?", (low,), _WALKED)
        if before_low is None:
            before_low = _all_but(conn, since_low, stamp, low)
    finally:
        if began:
            conn.execute("COMMIT")
    # Since `low`: those due before the limit, less the delayed ones, plus the delayed
    # ones asked before it. Before `low`: every one, asked before either limit (a
    # `windowed` of "" counts none, as the comparison with it did).
    stale_since = (due_stale or 0) - (delayed_due_stale or 0) + (delayed_stale or 0)
    old_since = (due_old or 0) - (delayed_due_old or 0) + (delayed_old or 0)
    return DueCounts(before_low + since_low, followups, before_low + stale_since,
                     before_low * bool(windowed) + old_since)


# Walking a range of the index costs ~0.1 µs an entry, counting all of it a quarter of
# that: past this many info packs due long ago, they are counted as what the index holds
# besides, when the follow-ups and the info packs due later are each fewer than this.
_WALKED = 10_000


def _count(conn, where: str, parameters: tuple, at_most: int | None = None) -> int | None:
    """Scheduled leads where `where`; None when there are `at_most` or more."""
    if at_most is None:
        return conn.execute(f"SELECT count(*) FROM leads WHERE next_due_at IS NOT NULL AND {where}",
                            parameters).fetchone()[0]
    found = conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM leads WHERE next_due_at IS NOT NULL "
                         f"AND {where} LIMIT ?)", (*parameters, at_most)).fetchone()[0]
    return None if found == at_most else found


def _all_but(conn, since_low: int, stamp: str, low: str) -> int:
    """Info packs due before `low`: a big list imported at once is mostly that, and then
    the follow-ups and the info packs due later than now are fewer to walk."""
    followups = _count(conn, "(next_step > 0) = 1", (), _WALKED)
    later = _count(conn, "(next_step > 0) = 0 AND next_due_at > ?", (stamp,), _WALKED)
    if followups is None or later is None:
        return _count(conn, "(next_step > 0) = 0 AND next_due_at < ?", (low,))
    return _count(conn, "1", ()) - followups - later - since_low


def pending(conn, followups: bool):
    """Every lead with a message scheduled, info packs or follow-ups, oldest-due first:
    the leads_due index walked in order, as store.due walks it."""
    return conn.execute(
        "SELECT * FROM leads WHERE next_due_at IS NOT NULL AND (next_step > 0) = ? "
        "ORDER BY next_due_at, rowid", (int(followups),))


@dataclass(frozen=True)
class Backlog:
    """Due now but not going now: held back by the daily limit (or, for a lead in its own
    timezone, by its window), and the day the last of them is expected to go."""

    waiting: int            # due now, beyond what `send` sends now
    by_limit: bool          # the day's budget is used up (else they wait for a window)
    last_day: date | None   # when the last of them goes, at this limit
    daily_limit: int
    stale_info: int = 0     # info packs due now whose request is older than STALE_AFTER

    @classmethod
    def of(cls, store, now: datetime, going_info: int, going_followups: int,
           left_today: int) -> "Backlog":
        """`going_*`: what `send` takes now (store.due, by kind); `left_today`: the
        day's budget before them."""
        counts = due_counts(store.conn, now, store.rules)
        waiting_info = max(0, counts.info - going_info)
        # What goes now is fresh first when the window is closed, so the older requests'
        # info packs are what waits of them (they wait for the window).
        waiting_windowed = min(waiting_info, counts.windowed_info)
        waiting_info -= waiting_windowed
        waiting_followups = max(0, counts.followups - going_followups)
        waiting = waiting_info + waiting_windowed + waiting_followups
        going = going_info + going_followups
        last_day = None
        if waiting:
            # What waits is due before anything of its kind scheduled later; only info
            # packs that come due meanwhile go before waiting follow-ups (SPEC §3).
            later = store.conn.execute(
                "SELECT next_due_at FROM leads WHERE next_due_at IS NOT NULL "
                "AND (next_step > 0) = 0 AND next_due_at > ? ORDER BY next_due_at", (to_db(now),))
            first_later = later.fetchone()
            if first_later is None:
                later.close()
                return cls(waiting, going >= left_today,
                           drained_on(now, store.rules, left_today - going,
                                      waiting_info, waiting_windowed, waiting_followups),
                           store.rules.daily_limit, counts.stale_info)
            later_info = ((from_db(row[0]), 1, None) for row in _chain([first_later], later))
            days = sending_days(now, store.rules, left_today - going)
            left = waiting
            for what, day, taken in roll_over(_chain([(now, waiting_info, "waiting")], later_info),
                                              [(now, waiting_followups, "waiting")], days,
                                              [(now, waiting_windowed, "waiting")]):
                if what == "waiting":
                    left -= taken
                    if left == 0:
                        last_day = day
                        break
        return cls(waiting, going >= left_today, last_day, store.rules.daily_limit, counts.stale_info)


def drained_on(now: datetime, rules: Rules, left_today: int,
               info: int, windowed: int, followups: int) -> date | None:
    """The day roll_over sends the last of these messages, all due now, when nothing else
    comes due meanwhile (no info pack is scheduled later): info packs on every pass, then
    the older requests' info packs and the follow-ups where the window opens. Weeks with
    no clock change are whole weeks of passes, counted at once: a million waiting at 100
    a day would be 14,000 passes."""
    passes = sending_days(now, rules, left_today)
    window_days = len(rules.send_days)
    info_days = 7 if rules.info_anytime else window_days
    tz = zone(rules.timezone)
    while True:
        for sending in passes:
            capacity = sending.capacity
            taken = min(capacity, info)
            info, capacity = info - taken, capacity - taken
            if sending.followups:
                taken = min(capacity, windowed)
                windowed, capacity = windowed - taken, capacity - taken
                followups -= min(capacity, followups)
            if not (info or windowed or followups):
                return sending.day
            if not window_days:
                continue  # info packs alone, for ten years at most: sending_days stops
            per_week = rules.daily_limit * (info_days if info else window_days)
            weeks = (info - 1 if info else windowed + followups - 1) // per_week
            weeks = min(weeks, _days_without_clock_change(sending.day, 7 * weeks, tz) // 7)
            if weeks:
                # Each pass of these weeks is used up by what goes first, leaving some.
                if info:
                    info -= weeks * per_week
                else:
                    taken = min(windowed, weeks * per_week)
                    windowed, followups = windowed - taken, followups - (weeks * per_week - taken)
                last = sending.day + timedelta(days=7 * weeks)
                passes = sending_days(day_bounds(last, tz)[0], rules, 0)
                break
        else:
            return None


def _days_without_clock_change(day: date, most: int, tz) -> int:
    """How many of the `most` days after `day` have no clock change: sending_days takes
    each of them as 24 hours whose window opens on the send days."""
    offset = _midnight_offset(day + timedelta(days=1), tz)
    for n in range(most):
        if _midnight_offset(day + timedelta(days=n + 2), tz) != offset:
            return n
    return most


def _chain(first: list, then: Iterable) -> Iterator:
    yield from first
    yield from then


def plan_rows(store, now: datetime, going_ids: set, left_today: int) -> Iterator[tuple[Any, date]]:
    """Every message scheduled or waiting, except those going now (`going_ids`, lead
    ids), with the day each is expected to go, in that order (for `due --all`). Two
    cursors, rows as they come: the memory of one row, and of the ids going now (at most
    the daily limit)."""
    days = sending_days(now, store.rules, left_today - len(going_ids))
    windowed = windowed_before(now, store.rules)

    def queue(followups: bool, old_requests: bool | None = None) -> Iterator[Entry]:
        for lead in pending(store.conn, followups):
            if lead["id"] in going_ids:
                continue
            if old_requests is not None and (lead["requested_at"] < windowed) != old_requests:
                continue
            yield from_db(lead["next_due_at"]), 1, lead

    for lead, day, _ in roll_over(queue(False, False), queue(True), days, queue(False, True)):
        yield lead, day


STALE_AFTER = timedelta(days=30)


def stale_before(now: datetime) -> str:
    """Requests before this (stored text) are stale for an info pack: a month on, "the
    information you asked for" reads as mail the person never asked for (issue #20)."""
    return to_db(now - STALE_AFTER)
