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
    """What is due now, by kind, counted on the leads_due index alone where it can be.

    Reading each due info pack's request date from the table cost ~2.8 s on a million
    (rows reached at random in due order). An info pack is never due before its request
    (cadence.info_due adds a delay, never negative, then waits for a window or a retry),
    so an info pack due before an instant answers a request before it too: only those
    due between the earlier of the two limits and now have their request date read."""
    windowed = windowed_before(now, rules) if rules is not None else ""
    stale = stale_before(now)
    stamp = to_db(now)
    low = min(stale, windowed, stamp) if windowed else min(stale, stamp)
    followups = conn.execute(
        "SELECT count(*) FROM leads WHERE next_due_at IS NOT NULL AND (next_step > 0) = 1 "
        "AND next_due_at <= ?", (stamp,)).fetchone()[0]
    before_low = conn.execute(
        "SELECT count(*) FROM leads WHERE next_due_at IS NOT NULL AND (next_step > 0) = 0 "
        "AND next_due_at < ?", (low,)).fetchone()[0]
    since_low, stale_since, old_since = conn.execute(
        "SELECT count(*), sum(requested_at < ?), sum(requested_at < ?) FROM leads "
        "WHERE next_due_at IS NOT NULL AND (next_step > 0) = 0 AND next_due_at >= ? "
        "AND next_due_at <= ?", (stale, windowed, low, stamp)).fetchone()
    # Due before `low`, hence asked before it: stale, and older than `windowed` when
    # `low` is not after it (a `windowed` of "" counts none, as the comparison did).
    return DueCounts(before_low + since_low, followups,
                     before_low * (low <= stale) + (stale_since or 0),
                     before_low * (bool(windowed) and low <= windowed) + (old_since or 0))


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
            later_info = ((from_db(row[0]), 1, None) for row in store.conn.execute(
                "SELECT next_due_at FROM leads WHERE next_due_at IS NOT NULL "
                "AND (next_step > 0) = 0 AND next_due_at > ? ORDER BY next_due_at", (to_db(now),)))
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
