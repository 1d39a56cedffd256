"""Time as a parameter: parsing `--now`, durations, and the one storage format.

Every instant leadloop stores is UTC text in one fixed format, so that SQLite compares
and indexes them as strings. Naive input (a `--now` without offset, a spreadsheet date)
is local time in the configured timezone, because that is what the marketer means.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ConfigError, InputError, given

UTC = timezone.utc

_DURATION_UNITS = {
    "minute": "minutes", "minutes": "minutes", "min": "minutes", "mins": "minutes",
    "hour": "hours", "hours": "hours", "h": "hours",
    "day": "days", "days": "days", "d": "days",
    "week": "weeks", "weeks": "weeks", "w": "weeks",
    "month": "months", "months": "months",
    "year": "years", "years": "years",
}
_DURATION_PART = re.compile(r"\s*(\d+)\s*([a-z]+)\s*,?", re.IGNORECASE)


# The years an instant leadloop is given may fall in: a typo ("0202") is caught, and the
# cadence's arithmetic (months ahead, windows a week on) never overflows datetime.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2199


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    """The IANA zone called `name`, or an InputError naming it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f'unknown timezone "{name}"') from None


def parse_instant(text: str, tz_name: str) -> datetime:
    """An ISO 8601 date or date-time; naive values are local time in `tz_name`. Returns UTC."""
    text = text.strip()
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        raise InputError(f'"{given(text)}" is not an ISO 8601 date or date-time') from None
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise InputError(f'"{text}" is out of range (years {EARLIEST_YEAR}–{LATEST_YEAR})')
    if value.tzinfo is None:
        value = localize(value, zone(tz_name))
    return value.astimezone(UTC)


def localize(naive: datetime, tz: ZoneInfo) -> datetime:
    """Attach `tz` to a wall-clock time, moving a time that falls in a DST gap forward."""
    # A wall time inside a spring-forward gap does not exist; zoneinfo gives it the
    # offset from before the gap, and the round trip through UTC turns that into the
    # first real instant after it. An ambiguous autumn time takes its first occurrence.
    return naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)


# The longest duration a config may give. The cadence adds durations to instants of the
# years above (a follow-up after the last contact, the grace after it); ten years keeps
# every date it computes far inside what datetime and the stored text can hold, and no
# polite follow-up waits longer.
LONGEST_DURATION_YEARS = 10
_MOST_PER_YEAR = {"years": 1, "months": 12, "weeks": 53, "days": 366, "hours": 366 * 24,
                  "minutes": 366 * 24 * 60}


def parse_duration(text: str, *, where: str):
    """ "2 months", "10 days", "36 hours", "1 month, 2 weeks" → dateutil relativedelta,
    at most LONGEST_DURATION_YEARS long."""
    from dateutil.relativedelta import relativedelta

    pos, parts = 0, {}
    stripped = text.strip()
    while pos < len(stripped):
        match = _DURATION_PART.match(stripped, pos)
        if not match or match.group(2).lower() not in _DURATION_UNITS:
            raise ConfigError(f'{where}: "{given(text)}" is not a duration like "2 months" or "36 hours"')
        unit = _DURATION_UNITS[match.group(2).lower()]
        if len(match.group(1).lstrip("0")) > 9:
            # Far past the longest duration, and past the digits Python's int() takes
            # from a string (4300: sys.get_int_max_str_digits) long before that.
            raise ConfigError(f'{where}: "{given(text)}" is longer than {LONGEST_DURATION_YEARS} years')
        parts[unit] = parts.get(unit, 0) + int(match.group(1))
        pos = match.end()
    if not parts:
        raise ConfigError(f'{where}: "{given(text)}" is not a duration like "2 months" or "36 hours"')
    # Each part on its own first, so the sum below cannot overflow; then the whole.
    start = datetime(2000, 1, 1)
    longest = start.replace(year=start.year + LONGEST_DURATION_YEARS)
    if (any(count > _MOST_PER_YEAR[unit] * LONGEST_DURATION_YEARS for unit, count in parts.items())
            or start + relativedelta(**parts) > longest):
        raise ConfigError(f'{where}: "{given(text)}" is longer than {LONGEST_DURATION_YEARS} years')
    return relativedelta(**parts)


def to_db(value: datetime) -> str:
    """"2026-03-02T09:00:00+00:00": UTC, whole seconds, so text order is time order."""
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    # What isoformat(timespec="seconds") writes, at half its cost: an import writes
    # two of these per row.
    return "%04d-%02d-%02dT%02d:%02d:%02d+00:00" % (
        value.year, value.month, value.day, value.hour, value.minute, value.second)


def from_db(text: str | None) -> datetime | None:
    if text is None:
        return None
    return datetime.fromisoformat(text)


def to_json(value: datetime | str | None, tz: ZoneInfo) -> str | None:
    """ISO 8601 with the offset of the marketer's timezone (SPEC §4)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(tz).isoformat()


class JsonTimes:
    """`to_json(text, tz)` for many stored instants (clock.to_db's text), as a list of a
    million leads asks it three times a row.

    The conversion costs ~2 µs (parsing, the zone's rules, formatting). In a zone whose
    offset is a whole number of hours the local minutes and seconds are the UTC ones, so
    the answer is the local hour, which changes only per UTC hour, plus the stored text's
    own ":MM:SS", plus the offset: one dictionary look-up per instant. Other offsets
    (India's +05:30) and any text not in the stored form take the exact path.
    tests/test_lists.py holds this equal to `to_json`."""

    def __init__(self, tz: ZoneInfo):
        self.tz = tz
        self._hours: dict[str, tuple[str, str] | None] = {}

    def __call__(self, text: str | None) -> str | None:
        if text is None:
            return None
        hour = text[:13]
        try:
            known = self._hours[hour]
        except KeyError:
            known = self._hour(text)
        if known is None or len(text) != 25 or not text.endswith("+00:00"):
            return to_json(text, self.tz)
        local_hour, offset = known
        return local_hour + text[13:19] + offset

    def _hour(self, text: str) -> tuple[str, str] | None:
        if len(self._hours) > 100_000:
            self._hours.clear()
        try:
            start = datetime.fromisoformat(text[:13] + ":00:00+00:00")
        except ValueError:
            return None
        local = start.astimezone(self.tz)
        offset = local.utcoffset()
        known = None
        if offset is not None and offset.total_seconds() % 3600 == 0:
            whole = local.isoformat()  # "2026-03-02T10:00:00+01:00"
            known = (whole[:13], whole[19:])
        self._hours[text[:13]] = known
        return known


def local_day(value: datetime, tz: ZoneInfo) -> date:
    return value.astimezone(tz).date()


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants where the local calendar `day` starts and ends."""
    start = localize(datetime(day.year, day.month, day.day), tz)
    end = localize(datetime.combine(day + timedelta(days=1), datetime.min.time()), tz)
    return start.astimezone(UTC), end.astimezone(UTC)
