"""sources.rows.FastDates gives exactly what the reference, to_db(_read_date(...)), gives:
the same text, or it declines (None) and the reference answers, errors included."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from functools import cache

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from leadloop.clock import to_db, zone
from leadloop.sources.csv import open_csv
from leadloop.sources.rows import FastDates, _read_date

ZONES = ["UTC", "Europe/Madrid", "America/Santiago", "America/Sao_Paulo",
         "Australia/Lord_Howe", "Pacific/Apia", "America/St_Johns", "Asia/Kathmandu"]
FIRST, LAST = date(1990, 1, 1), date(2040, 12, 31)
# Shared by every example, with a small cache: entries are reused across zones and
# month_first, and the cache is cleared now and then.
FAST = FastDates("Europe/Madrid", size=64)


def reference(text: str, tz_name: str | None, month_first: bool) -> str:
    return to_db(_read_date(text, zone(tz_name or "Europe/Madrid"), month_first))


def outcome(convert, *args):
    try:
        return convert(*args)
    except ValueError:
        return ValueError


@cache
def near_transitions(tz_name: str) -> tuple[date, ...]:
    """Local days within two days of an offset change, 1990–2040 (offsets compared at
    every UTC noon: a change shows between two consecutive noons)."""
    tz = zone(tz_name)
    days, noon = set(), datetime(FIRST.year - 1, 12, 30, 12, tzinfo=UTC)
    before = noon.astimezone(tz).utcoffset()
    while noon.year <= LAST.year:
        noon += timedelta(days=1)
        offset = noon.astimezone(tz).utcoffset()
        if offset != before:
            days.update(noon.date() + timedelta(days=k) for k in range(-3, 3))
        before = offset
    return tuple(sorted(day for day in days if FIRST <= day <= LAST))


def test_the_zones_have_the_transitions_the_cases_need():
    assert near_transitions("UTC") == () and near_transitions("Asia/Kathmandu") == ()
    assert date(2011, 12, 30) in near_transitions("Pacific/Apia")
    assert date(2024, 3, 31) in near_transitions("Europe/Madrid")
    assert len(near_transitions("Australia/Lord_Howe")) > 400


def days(tz_name: str):
    """(year, month, day), valid or not: any day, days near the zone's transitions, and
    fields out of range (31/02, 29/02 of a common year, 00/01, 13/13 …)."""
    anyday = st.dates(FIRST, LAST)
    near = near_transitions(tz_name)
    valid = st.one_of(anyday, st.sampled_from(near)) if near else anyday
    invalid = st.one_of(
        st.tuples(st.integers(1990, 2040), st.integers(0, 13), st.integers(0, 32)),
        st.sampled_from([(2026, 2, 31), (2023, 2, 29), (1990, 2, 29), (2024, 0, 1),
                         (2024, 1, 0), (2024, 13, 13), (2024, 4, 31)]))
    return st.one_of(valid.map(lambda d: (d.year, d.month, d.day)), invalid)


CLOCKS = st.one_of(
    st.none(),  # the day alone
    st.sampled_from([(0, 0, None), (2, 30, None), (23, 59, 59), (0, 0, 0), (2, 0, None),
                     (1, 59, 59), (3, 0, 0), (2, 30, 30), (24, 0, None), (12, 60, None),
                     (12, 0, 60), (23, 59, None)]),
    st.tuples(st.integers(0, 25), st.integers(0, 61), st.none() | st.integers(0, 61)),
)


@st.composite
def cells(draw):
    """(text, zone name, month_first, whether the fast path must take it)."""
    tz_name = draw(st.sampled_from(ZONES))
    year, month, day = draw(days(tz_name))
    month_first = draw(st.booleans())
    iso = draw(st.booleans())
    if iso:
        text = f"{year:04d}-{month:02d}-{day:02d}"
    else:
        sep = draw(st.sampled_from("/-."))
        pad = "%02d" if draw(st.booleans()) else "%d"
        first, second = (month, day) if month_first else (day, month)
        # Two-digit years (LibreOffice's default): 1930–2029, as Excel reads them.
        short = 1930 <= year <= 2029 and draw(st.booleans())
        text = f"{pad % first}{sep}{pad % second}{sep}" + (f"{year % 100:02d}" if short else f"{year:04d}")
    try:
        steady = date(year, month, day) not in near_transitions(tz_name)
    except ValueError:
        steady = False
    clock = draw(CLOCKS)
    if clock is not None:
        hour, minute, second = clock
        one_digit = hour < 10 and draw(st.booleans())
        text += draw(st.sampled_from(" T")) + (f"{hour}" if one_digit else f"{hour:02d}")
        text += f":{minute:02d}" + ("" if second is None else f":{second:02d}")
        steady = (steady and hour < 24 and minute < 60 and (second or 0) < 60
                  and not (iso and one_digit))
    odd = draw(st.sampled_from([None] * 6 + ["Z", "+01:00", "-03:30", ".5", ".000", " ", "\n",
                                            "lead", "t", "mix", "arabic", " AM", " p. m.",
                                            " CET", " GMT+1", "+0100"]))
    if odd == "lead":
        text = " " + text
    elif odd == "t":
        text = text.replace("T", "t")
    elif odd == "mix":
        text = text.replace("/", "-", 1).replace(".", "/", 1)
    elif odd == "arabic":  # \d matches it, int() reads it: the reference accepts it
        text = text.replace("1", "\u0661")
    elif odd:
        text += odd
    return text, tz_name, month_first, steady and odd is None


def convert(text, tz_name, month_first):
    """What CsvSource._date does: the fast path, or the reference."""
    return FAST(text, tz_name, month_first) or reference(text, tz_name, month_first)


@settings(max_examples=1000, deadline=None)
@given(cells())
@example(("30/12/2011 12:00", "Pacific/Apia", False, False))  # a skipped day
@example(("29/12/2011 23:59:59", "Pacific/Apia", False, False))
@example(("31/12/2011 00:00", "Pacific/Apia", False, False))
@example(("31/03/2024 02:30", "Europe/Madrid", False, False))  # in the gap
@example(("27/10/2024 02:30", "Europe/Madrid", False, False))  # twice that night
@example(("2024-10-06T02:15", "Australia/Lord_Howe", False, False))  # 30-minute gap
@example(("2024-04-07 01:45", "Australia/Lord_Howe", False, False))
@example(("31/12/2023 23:59:59", "America/St_Johns", False, True))  # UTC: next year
@example(("01/01/2024 00:00", "Asia/Kathmandu", False, True))  # UTC: the year before
@example(("12/31/2023 23:30", "America/St_Johns", True, True))
def test_fast_path_equals_the_reference(case):
    text, tz_name, month_first, must_be_fast = case
    fast = FAST(text, tz_name, month_first)
    expected = outcome(reference, text, tz_name, month_first)
    if fast is not None:
        assert fast == expected
    elif must_be_fast:
        pytest.fail(f"{text!r} in {tz_name} took the slow path")
    assert outcome(convert, text, tz_name, month_first) == expected


@settings(max_examples=600, deadline=None)
@given(st.text("0123456789/-.: TtZ+", max_size=22), st.sampled_from(ZONES), st.booleans())
@example("1/2/2024 9:05", "America/Sao_Paulo", True)
@example("2024-01-02 9:05", "UTC", False)
@example("01/02/2024 ", "UTC", False)
@example("2024-01-02T", "UTC", False)
def test_any_text_fast_or_reference(text, tz_name, month_first):
    fast = FAST(text, tz_name, month_first)
    expected = outcome(reference, text, tz_name, month_first)
    if fast is not None:
        assert fast == expected
    assert outcome(convert, text, tz_name, month_first) == expected


@pytest.mark.parametrize("tz_name", ZONES)
def test_every_shape_is_fast_on_an_ordinary_day(tz_name):
    fast = FastDates("UTC")
    for day_part, month_first in [("15/01/2024", False), ("15-01-2024", False),
                                  ("15.01.2024", False), ("01/15/2024", True),
                                  ("5/1/2024", False), ("2024-01-15", False)]:
        for clock in ["", " 00:00", " 09:05", "T23:59:59", " 12:30:07", " 9:05"]:
            text = day_part + clock
            if day_part.startswith("2024") and clock == " 9:05":
                continue  # fromisoformat wants two digits of hour
            assert fast(text, tz_name, month_first) == reference(text, tz_name, month_first)


def test_the_ends_of_the_calendar_take_the_reference():
    fast = FastDates("UTC")
    assert fast("31/12/9999 23:00", "America/St_Johns", False) is None
    assert fast("01/01/0001 00:00", "Asia/Kathmandu", False) is None


def test_an_import_reads_timestamps_as_the_reference_does(tmp_path):
    rows, expected, bad = [], {}, set()
    zones = [""] + ZONES
    start = datetime(2024, 3, 29, 0, 0)
    for n in range(4000):
        when = start + timedelta(minutes=37 * n, seconds=n % 3 * 13)
        tz_name = zones[n % len(zones)]
        shape = n % 4
        if shape == 0:
            text = when.strftime("%d/%m/%Y %H:%M")
        elif shape == 1:
            text = when.strftime("%d/%m/%Y %H:%M:%S")
        elif shape == 2:
            text = when.strftime("%Y-%m-%dT%H:%M:%S")
        else:
            text = when.strftime("%d.%m.%Y")
        if n % 97 == 0:
            text = "31/02/2024 10:00"
        if n % 89 == 0:
            text = when.strftime("%d/%m/%Y 24:%M")
        line = n + 2
        try:
            expected[line] = reference(text, tz_name or None, False)
        except ValueError:
            bad.add(line)
        rows.append([f"lead{n}@example.com", text, tz_name, text])
    path = tmp_path / "stamps.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["email", "requested_at", "timezone", "info_sent_at"])
        writer.writerows(rows)
    got, rejected = {}, set()
    with open_csv(path) as source:
        for batch in source.batches(size=500):
            for lead in batch.leads:
                got[lead[0]] = lead[5]
                assert lead[6] == lead[5]
            for reject in batch.rejects:
                assert reject.reason == f'unreadable date "{reject.values[1]}"'
                rejected.add(reject.line)
    assert got == expected
    assert rejected == bad and bad


@pytest.mark.parametrize("text, month_first, expected", [
    ("9/03/26", False, "2026-03-08T23:00:00+00:00"),  # LibreOffice's default short date
    ("9/03/29 10:00", False, "2029-03-09T09:00:00+00:00"),
    ("9/03/30", False, "1930-03-09T00:00:00+00:00"),  # Madrid kept UTC then
    ("9/03/2026 9:05:12 AM", False, "2026-03-09T08:05:12+00:00"),
    ("9/03/2026 12:05 AM", False, "2026-03-08T23:05:00+00:00"),
    ("9/03/2026 12:05 PM", False, "2026-03-09T11:05:00+00:00"),
    ("9/03/2026 9:05 p. m.", False, "2026-03-09T20:05:00+00:00"),
    ("03/09/2026 9:05 p.m.", True, "2026-03-09T20:05:00+00:00"),
    ("2026/03/09 10:05:12 a. m. CET", False, "2026-03-09T09:05:12+00:00"),
    ("2026/07/09 10:05:12 a. m. CEST", False, "2026-07-09T08:05:12+00:00"),
    ("2026/03/09 6:40:03 PM GMT+1", False, "2026-03-09T17:40:03+00:00"),
    ("2026-03-09T10:05:12+0000", False, "2026-03-09T10:05:12+00:00"),  # Meta Lead Ads
    ("2026-03-09 10:05:12 EST", False, "2026-03-09T15:05:12+00:00"),
    ("09/03/2026 10:05 UTC", False, "2026-03-09T10:05:00+00:00"),
    ("09/03/2026 10:05 -03:00", False, "2026-03-09T13:05:00+00:00"),
    ("2026-03-09 10:05:12.250", False, "2026-03-09T09:05:12+00:00"),
    ("2026-03-09 9:05 PM", False, "2026-03-09T20:05:00+00:00"),
])
def test_the_reference_reads_what_exports_write(text, month_first, expected):
    assert reference(text, "Europe/Madrid", month_first) == expected


@pytest.mark.parametrize("text", ["9/03/2026 13:05 PM", "9/03/2026 0:05 AM", "9/03/2026 10:05 XYZ",
                                  "9/03/2026 10:05 IST", "2026/13/01", "9/03/226"])
def test_the_reference_refuses_what_it_cannot_be_sure_of(text):
    with pytest.raises(ValueError):
        reference(text, "Europe/Madrid", False)


def test_two_digit_years_are_fast_too():
    fast = FastDates("UTC")
    for text in ("09/03/26", "9/3/26 10:05", "09.03.29 23:59:59", "09-03-30"):
        assert fast(text, "Europe/Madrid", False) == reference(text, "Europe/Madrid", False)
