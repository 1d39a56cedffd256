"""The cadence as a pure function: months of behaviour without a database or a clock."""

from datetime import datetime, timedelta

import pytest

from leadloop.cadence import Contact, History, Rules, give_up_at, next_message, window_open
from leadloop.clock import UTC, zone
from leadloop.config import load_config

MADRID = zone("Europe/Madrid")
RULES: Rules = load_config(None).cadence


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=MADRID).astimezone(UTC)


def history(**kwargs) -> History:
    values = dict(key="7", status="active", requested_at=at("2026-03-02T10:00"))
    values.update(kwargs)
    return History(**values)


def test_info_pack_is_due_at_the_inquiry_inside_the_window():
    upcoming = next_message(history(), RULES)
    assert (upcoming.step, upcoming.due_at) == (0, at("2026-03-02T10:00"))


def test_info_pack_asked_for_on_a_saturday_night_goes_at_once():
    """info_anytime (the default, SPEC §3): the info pack answers a request just made."""
    upcoming = next_message(history(requested_at=at("2026-03-07T23:00")), RULES)
    assert upcoming.due_at == at("2026-03-07T23:00")


def test_without_info_anytime_a_saturday_night_info_pack_waits_for_monday_morning():
    upcoming = next_message(history(requested_at=at("2026-03-07T23:00")),
                            RULES._replace(info_anytime=False))
    assert upcoming.due_at == at("2026-03-09T09:00")


def test_a_deferred_info_pack_is_retried_at_its_retry_time_even_at_night():
    retry = at("2026-03-07T23:30")
    upcoming = next_message(history(requested_at=at("2026-03-07T23:00"), retry_at=retry), RULES)
    assert (upcoming.step, upcoming.due_at) == (0, retry)


def test_followups_keep_the_window_with_info_anytime():
    sent_saturday = history(requested_at=at("2026-03-07T23:00"),
                            contacts=(Contact(0, at("2026-03-07T23:00")),))
    upcoming = next_message(sent_saturday, RULES)
    assert upcoming.step == 1 and window_open(upcoming.due_at, RULES)


def test_followup_lands_two_to_three_months_after_the_contact_inside_the_window():
    for key in range(300):
        sent = at("2026-03-02T10:00")
        upcoming = next_message(history(key=str(key), contacts=(Contact(0, sent),)), RULES)
        assert upcoming.step == 1
        assert at("2026-05-02T10:00") <= upcoming.due_at < at("2026-06-02T10:00")
        local = upcoming.due_at.astimezone(MADRID)
        assert local.weekday() < 5 and 9 <= local.hour < 18
        assert window_open(upcoming.due_at, RULES)


def test_the_spread_is_deterministic_and_differs_between_leads():
    contacts = (Contact(0, at("2026-03-02T10:00")),)
    first = next_message(history(key="1", contacts=contacts), RULES)
    assert first == next_message(history(key="1", contacts=contacts), RULES)
    others = {next_message(history(key=str(k), contacts=contacts), RULES).due_at for k in range(20)}
    assert len(others) > 15


@pytest.mark.parametrize("status", ["replied", "customer", "lost", "unsubscribed", "bounced", "erased"])
def test_nothing_is_scheduled_for_leads_out_of_the_sequence(status):
    assert next_message(history(status=status), RULES) is None


def test_a_lead_that_never_answers_gets_six_messages_then_is_given_up():
    contacts = []
    when = at("2026-03-02T10:00")
    for step in range(6):
        upcoming = next_message(history(contacts=tuple(contacts)), RULES)
        assert upcoming.step == step
        contacts.append(Contact(step, upcoming.due_at))
    final = history(contacts=tuple(contacts))
    assert next_message(final, RULES) is None
    assert give_up_at(final, RULES) == contacts[-1].at + timedelta(days=30)
    assert give_up_at(history(contacts=tuple(contacts[:5])), RULES) is None
    assert when == contacts[0].at


def test_a_resumed_lead_restarts_the_unanswered_count_but_never_passes_max_contacts():
    contacts = [Contact(step, at("2026-03-02T10:00") + timedelta(days=90 * step)) for step in range(3)]
    resumed = contacts[-1].at + timedelta(days=5)
    while (upcoming := next_message(history(contacts=tuple(contacts), resumed_at=resumed), RULES)):
        assert upcoming.due_at >= resumed + timedelta(days=59)
        contacts.append(Contact(upcoming.step, upcoming.due_at))
    assert len(contacts) == 7


def test_a_deferred_message_waits_for_its_retry():
    retry = at("2026-03-02T15:00")
    upcoming = next_message(history(retry_at=retry), RULES)
    assert (upcoming.step, upcoming.due_at) == (0, retry)


def test_a_step_refused_for_good_is_passed_over():
    failed = (Contact(0, at("2026-03-02T10:00")),)
    upcoming = next_message(history(failed=failed), RULES)
    assert upcoming.step == 1
    assert upcoming.due_at >= at("2026-05-02T10:00")


WINDOWED_INFO = RULES._replace(info_anytime=False)


def test_send_window_in_the_leads_own_timezone():
    upcoming = next_message(history(requested_at=at("2026-03-02T10:00"), timezone="America/Mexico_City"),
                            WINDOWED_INFO)
    local = upcoming.due_at.astimezone(zone("America/Mexico_City"))
    assert (local.hour, local.minute) == (9, 0)


def test_dst_change_neither_skips_nor_doubles_a_window():
    # Europe/Madrid springs forward on 2026-03-29 and falls back on 2026-10-25 (Sundays).
    monday_after_spring = next_message(history(requested_at=at("2026-03-28T20:00")), WINDOWED_INFO)
    assert monday_after_spring.due_at.astimezone(MADRID).replace(tzinfo=None) == datetime(2026, 3, 30, 9, 0)
    monday_after_autumn = next_message(history(requested_at=at("2026-10-24T20:00")), WINDOWED_INFO)
    assert monday_after_autumn.due_at.astimezone(MADRID).replace(tzinfo=None) == datetime(2026, 10, 26, 9, 0)


def _walk_the_days(low, high, fraction, rules, tz):
    """_place_in_windows as it was written first, a day at a time: the oracle for the
    bisection over cached windows that replaced it (BENCH.md B3)."""
    from datetime import timedelta as _timedelta

    from leadloop.cadence import day_window, next_opening

    intervals = []
    day = low.astimezone(tz).date()
    last_day = high.astimezone(tz).date()
    while day <= last_day:
        window = day_window(day, rules, tz)
        if window is not None:
            start, end = max(window[0], low), min(window[1], high)
            if start < end:
                intervals.append((start, end))
        day += _timedelta(days=1)
    total = sum((end - start for start, end in intervals), _timedelta())
    if not total:
        return next_opening(low, rules, tz)
    remaining = total * fraction
    for start, end in intervals:
        if remaining < end - start:
            return start + remaining
        remaining -= end - start
    return intervals[-1][0]


def test_placing_in_windows_gives_what_walking_the_days_gives():
    from datetime import time

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from leadloop.cadence import _place_in_windows

    zones = st.sampled_from(["Europe/Madrid", "America/New_York", "Asia/Kolkata", "UTC",
                             "Australia/Lord_Howe"])
    hours = st.sampled_from([time(0, 0), time(8, 30), time(9, 0), time(13, 15), time(23, 59)])
    ends = st.sampled_from([None, time(0, 0), time(9, 0), time(14, 0), time(18, 0), time(23, 59)])

    @settings(max_examples=600, deadline=None)
    @given(start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31)),
           span=st.timedeltas(min_value=timedelta(days=-2), max_value=timedelta(days=70)),
           fraction=st.one_of(st.floats(min_value=0, max_value=1, exclude_max=True),
                              st.sampled_from([0.0, 0.5, 1 - 2 ** -53])),
           days=st.frozensets(st.integers(0, 6), min_size=1), send_start=hours, send_end=ends,
           tz_name=zones)
    def check(start, span, fraction, days, send_start, send_end, tz_name):
        rules = RULES._replace(send_days=days, send_start=send_start, send_end=send_end)
        tz = zone(tz_name)
        low = start.replace(tzinfo=UTC)
        high = low + span
        expected = _walk_the_days(low, high, fraction, rules, tz)
        placed = _place_in_windows(low, high, fraction, rules, tz)
        assert placed == expected and placed.utcoffset() == expected.utcoffset()

    check()
