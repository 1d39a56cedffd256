"""The method's rules as pure functions: (lead history, rules) → next step and due time.

No database and no clock here: the store hands in a `History`, the caller compares the
answer with its own `now`. That is what lets a test walk years of behaviour in
milliseconds, and what lets `due` and `send` agree, since both ask the same question.

Step 0 is the info pack; steps 1, 2, … are follow-ups. A follow-up is due between
`followup_after` and `followup_after + followup_spread` after the previous contact (or
after the lead was resumed). The point inside that span is fixed per (lead, step) by a
hash, and it is chosen among the moments the send window is open, so the message lands
both inside the span and inside the window: a follow-up never drifts past three months
because its natural date fell on a Saturday night.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from .clock import UTC, localize, zone

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Rules(NamedTuple):
    """`[cadence]` of SPEC §3, parsed. Durations are dateutil relativedeltas.

    A NamedTuple, like the records below: immutable, without the ~1.5 ms a frozen
    dataclass with slots costs to make at every command's start (BENCH.md B2)."""

    followup_after: object
    followup_spread: object
    info_delay: object
    reply_grace: object
    send_info: bool = True
    # The info pack answers a request just made: with this it goes at any hour and day
    # (SPEC §3, speed to lead); follow-ups keep the window either way.
    info_anytime: bool = True
    # ... but only for a request this recent (issue #27 item 4): an old request imported
    # from a file is not "just made", and its info pack waits for the window like a
    # follow-up. None: any age (a Rules built without it, as in unit tests).
    info_anytime_within: object = None
    max_contacts: int = 7
    give_up_after: int = 6
    erase_on_give_up: bool = True
    send_days: frozenset[int] = frozenset(range(5))
    send_start: time = time(9, 0)
    send_end: time | None = time(18, 0)  # None: until midnight
    timezone: str = "Europe/Madrid"
    daily_limit: int = 100

    def fingerprint(self) -> str:
        """Changes whenever a rule that moves due times changes (cached due times then go
        stale). The rules' own text: comparing it needs no hash, and every command that
        opens the database is spared loading hashlib (BENCH.md B2)."""
        parts = (
            self.followup_after, self.followup_spread, self.info_delay, self.send_info,
            self.info_anytime, self.max_contacts, self.give_up_after, sorted(self.send_days),
            self.send_start, self.send_end, self.timezone,
        )
        return repr(parts)

    def legacy_fingerprint(self) -> str:
        """What earlier databases stored: a digest of `fingerprint()`."""
        import hashlib

        return hashlib.sha256(self.fingerprint().encode()).hexdigest()[:16]


# The records the rules pass around are NamedTuples too.
class Contact(NamedTuple):
    step: int
    at: datetime


class History(NamedTuple):
    """What the rules need to know about one lead."""

    key: str                          # stable per-lead seed for the spread
    status: str
    requested_at: datetime
    contacts: tuple[Contact, ...] = ()  # sequence messages sent (or unknown), in step order
    resumed_at: datetime | None = None  # set back to `active` after an answer
    timezone: str | None = None
    retry_at: datetime | None = None    # the next step was deferred by the server until then
    failed: tuple[Contact, ...] = ()    # steps the server refused for good (not contacts)

    @property
    def last_contact_at(self) -> datetime | None:
        return self.contacts[-1].at if self.contacts else None

    def unanswered(self) -> int:
        """Contacts since the lead last answered (a resume restarts the count)."""
        if self.resumed_at is None:
            return len(self.contacts)
        return sum(1 for c in self.contacts if c.at > self.resumed_at)


class Next(NamedTuple):
    step: int
    due_at: datetime

    @property
    def template(self) -> str:
        return "info" if self.step == 0 else "followup"


def next_message(history: History, rules: Rules) -> Next | None:
    """The next sequence message of this lead and the earliest moment it may go, or None."""
    if history.status != "active" or not _may_contact_again(history, rules):
        return None
    tz = zone(history.timezone or rules.timezone)
    # A step the server refused for good is passed over, not retried forever.
    done = history.contacts + history.failed
    last = max(done, key=lambda c: c.step) if done else None
    if last is not None:
        step = last.step + 1
    else:
        step = 0 if rules.send_info else 1
    if step == 0:
        due = info_due(history.requested_at, rules, tz)
    else:
        # With no contact yet (send_info off) the inquiry itself is the previous contact.
        previous = last.at if last is not None else history.requested_at
        anchor = max(previous, history.resumed_at) if history.resumed_at else previous
        low = add(anchor, rules.followup_after, tz)
        high = add(anchor, rules.followup_after + rules.followup_spread, tz)
        due = _place_in_windows(low, high, _fraction(history.key, step), rules, tz)
    if history.retry_at is not None and history.retry_at > due:
        due = history.retry_at if step == 0 and rules.info_anytime else next_opening(history.retry_at, rules, tz)
    return Next(step, due.replace(microsecond=0))


def fresh_since(now: datetime, rules: Rules) -> datetime | None:
    """Requests at or after this instant are "just made": their info pack may go at any
    hour (`info_anytime`, within `info_anytime_within`). None: none is (no info_anytime)
    or every one is (no span). Not part of the cached due time: the span moves with now,
    so `send`, `due` and serve ask it at the moment they look (store.iter_due)."""
    if not rules.info_anytime:
        return None
    if rules.info_anytime_within is None:
        return datetime.min.replace(tzinfo=UTC)
    return now - rules.info_anytime_within


def info_goes_anytime(requested_at: datetime, now: datetime, rules: Rules) -> bool:
    """Whether this request's info pack may go outside the send window now."""
    since = fresh_since(now, rules)
    return since is not None and requested_at >= since


def info_due(requested_at: datetime, rules: Rules, tz) -> datetime:
    """When a new lead's info pack may go: `info_delay` after the inquiry; in a window
    only without `info_anytime`."""
    due = add(requested_at, rules.info_delay, tz)
    if not rules.info_anytime:
        due = next_opening(due, rules, tz)
    # replace() costs a fifth of this function; an import asks it for every new minute.
    return due.replace(microsecond=0) if due.microsecond else due


class InfoDues:
    """`info_due` for many inquiries in one zone, in the store's text form (clock.to_db).

    An import asks this for every new lead, and web forms time inquiries to the second,
    so few answers repeat: `info_due` costs ~4 µs, most of it converting between zones.
    Without an info delay the answer is the inquiry itself while a window is open, else
    the next window's start. Stored instants are UTC text that sorts as time, so the
    windows near an inquiry's UTC date, kept as text, answer with a few comparisons.
    tests/test_fast_paths.py holds this equal to `info_due`."""

    def __init__(self, rules: Rules, tz):
        from .clock import from_db, to_db

        self.rules, self.tz = rules, tz
        self._from_db, self._to_db = from_db, to_db
        self._delayed = bool(rules.info_delay)
        # Due at the inquiry itself, whatever the hour (info_anytime, no delay).
        self._at_once = rules.info_anytime and not self._delayed
        self._windows: dict[str, tuple[tuple[str, str], ...]] = {}

    def __call__(self, requested_at: str) -> str:
        if self._at_once:
            return requested_at
        if not self._delayed:
            utc_day = requested_at[:10]
            windows = self._windows.get(utc_day)
            if windows is None:
                windows = self._windows_near(utc_day)
            for start, end in windows:
                if requested_at < end:
                    return requested_at if requested_at >= start else start
        return self._to_db(info_due(self._from_db(requested_at), self.rules, self.tz))

    def _windows_near(self, utc_day: str) -> tuple[tuple[str, str], ...]:
        """The windows of local days D-1 … D+6 around UTC day D: an inquiry on D is on
        local day D-1, D or D+1, and `next_opening` looks from there up to 7 days on, so
        any window found here is the one it finds (and when none is, it is asked)."""
        if len(self._windows) > 10_000:
            self._windows.clear()
        day = date.fromisoformat(utc_day)
        windows = []
        for offset in range(-1, 7):
            window = day_window(day + timedelta(days=offset), self.rules, self.tz)
            if window is not None:
                windows.append((self._to_db(window[0]), self._to_db(window[1])))
        self._windows[utc_day] = found = tuple(windows)
        return found


def give_up_at(history: History, rules: Rules) -> datetime | None:
    """When an active lead that has stopped answering is to be given up, else None."""
    if history.status != "active" or _may_contact_again(history, rules):
        return None
    last = max(t for t in (history.last_contact_at, history.resumed_at) if t is not None)
    return add(last, rules.reply_grace, zone(history.timezone or rules.timezone))


def add(moment: datetime, duration, tz) -> datetime:
    """`moment` plus a duration on the wall clock of `tz`: two months after 10:00 is 10:00,
    whatever daylight saving did in between."""
    if not duration:
        return moment
    local = moment.astimezone(tz).replace(tzinfo=None) + duration
    return localize(local, tz).astimezone(UTC)


def _may_contact_again(history: History, rules: Rules) -> bool:
    return (
        len(history.contacts) < rules.max_contacts
        and history.unanswered() < rules.give_up_after
    )


def _fraction(key: str, step: int) -> float:
    import hashlib

    digest = hashlib.blake2b(f"{key}:{step}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


_WINDOWS: dict[tuple, tuple[datetime, datetime] | None] = {}


def day_window(day: date, rules: Rules, tz) -> tuple[datetime, datetime] | None:
    """The UTC interval the window is open on local `day`, or None on a closed day."""
    # Cached: importing a million leads asks this for the same few hundred days.
    key = (day, tz.key, rules.send_days, rules.send_start, rules.send_end)
    try:
        return _WINDOWS[key]
    except KeyError:
        pass
    if len(_WINDOWS) > 100_000:
        _WINDOWS.clear()
    _WINDOWS[key] = window = _compute_day_window(day, rules, tz)
    return window


def _compute_day_window(day: date, rules: Rules, tz) -> tuple[datetime, datetime] | None:
    if day.weekday() not in rules.send_days:
        return None
    start = localize(datetime.combine(day, rules.send_start), tz)
    if rules.send_end is None:
        end = localize(datetime.combine(day + timedelta(days=1), time()), tz)
    else:
        end = localize(datetime.combine(day, rules.send_end), tz)
    if end <= start:
        return None
    return start.astimezone(UTC), end.astimezone(UTC)


def next_opening(moment: datetime, rules: Rules, tz=None) -> datetime:
    """`moment` itself when the window is open then, else the next time it opens."""
    tz = tz or zone(rules.timezone)
    day = moment.astimezone(tz).date()
    for offset in range(8):
        window = day_window(day + timedelta(days=offset), rules, tz)
        if window is None:
            continue
        start, end = window
        if moment < end:
            return max(moment, start)
    # No day in a week is open: the config forbids it, but never loop forever.
    return moment


def _place_in_windows(low: datetime, high: datetime, fraction: float, rules: Rules, tz) -> datetime:
    """The point at `fraction` of the open window time inside [low, high).

    The windows of the days from low's to high's come from `_open_windows`, with their
    running total of open time, so only the first and the last are clipped here and the
    point is found by bisection: the same answer as walking the days one by one (exact
    microsecond arithmetic; tests/test_cadence.py checks it against that walk), without
    a month of days per lead each time a send records an answer (BENCH.md B3)."""
    from bisect import bisect_left, bisect_right

    starts, ends, before = _open_windows(low.astimezone(tz).date(), high.astimezone(tz).date(),
                                         rules, tz)
    first = bisect_right(ends, low)    # the first window ending after low
    last = bisect_left(starts, high)   # past the last window starting before high
    if first >= last or not low < high:
        return next_opening(low, rules, tz)
    opened = max(starts[first], low)   # where the first interval starts once clipped
    closed = min(ends[last - 1], high)
    skipped = opened - starts[first]   # open time of the first window before low
    total = before[last] - before[first] - skipped - (ends[last - 1] - closed)
    remaining = total * fraction
    if not remaining < total:  # (rounding) past the end: the last interval's start, as the walk gave
        return opened if last - 1 == first else starts[last - 1]
    if remaining < ends[first] - opened:
        return opened + remaining
    # Open time counted from the start of the windows' table, then the window it falls in.
    point = before[first] + skipped + remaining
    window = bisect_right(before, point, first + 1, last) - 1
    return starts[window] + (point - before[window])


_OPEN_WINDOWS: dict[tuple, tuple[list, list, list]] = {}


def _open_windows(first_day: date, last_day: date, rules: Rules, tz) -> tuple[list, list, list]:
    """(starts, ends, before) of the open windows from first_day to last_day, in order:
    before[k] is the open time of the windows ahead of window k (len(starts) + 1 items).
    Cached: a batch's answers, recorded on the same day with the same rules, ask for the
    same days."""
    key = (first_day, last_day, tz.key, rules.send_days, rules.send_start, rules.send_end)
    try:
        return _OPEN_WINDOWS[key]
    except KeyError:
        pass
    starts, ends, before = [], [], [timedelta()]
    day = first_day
    while day <= last_day:
        window = day_window(day, rules, tz)
        if window is not None:
            starts.append(window[0])
            ends.append(window[1])
            before.append(before[-1] + (window[1] - window[0]))
        day += timedelta(days=1)
    if len(_OPEN_WINDOWS) > 10_000:
        _OPEN_WINDOWS.clear()
    _OPEN_WINDOWS[key] = table = (starts, ends, before)
    return table


_DAY_NAMES = {name: index for index, full in enumerate(
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))
    for name in (full, full[:3])}
_HOURS = re.compile(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*")


def parse_send_days(values: list[str], *, where: str) -> frozenset[int]:
    """["mon", "Tuesday", …] → weekday numbers; English names, whole or in three letters."""
    from .errors import ConfigError

    days = set()
    for value in values:
        name = str(value).strip().lower()
        if name not in _DAY_NAMES:
            raise ConfigError(f'{where}: "{value}" is not a weekday (mon, tue, … sun)')
        days.add(_DAY_NAMES[name])
    if not days:
        raise ConfigError(f"{where}: at least one day is needed")
    return frozenset(days)


def parse_send_hours(text: str, *, where: str) -> tuple[time, time | None]:
    """ "09:00-18:00" → (start, end) as local wall-clock times; "24:00" ends at midnight."""
    from .errors import ConfigError

    match = _HOURS.fullmatch(text)
    numbers = [int(x) for x in match.groups()] if match else []
    if (not match or numbers[0] > 23 or numbers[1] > 59 or numbers[3] > 59
            or numbers[2] > 24 or (numbers[2] == 24 and numbers[3] != 0)):
        raise ConfigError(f'{where}: "{text}" is not a range like "09:00-18:00"')
    start = time(numbers[0], numbers[1])
    end = None if numbers[2] == 24 else time(numbers[2], numbers[3])
    if end is not None and end <= start:
        raise ConfigError(f'{where}: "{text}" ends before it starts')
    return start, end


def window_open(moment: datetime, rules: Rules, tz=None) -> bool:
    return next_opening(moment, rules, tz) == moment
