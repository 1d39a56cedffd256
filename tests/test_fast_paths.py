"""Hand-written fast paths give exactly what the straightforward code gives."""

from __future__ import annotations

from datetime import UTC

from hypothesis import given, settings
from hypothesis import strategies as st

from leadloop.clock import to_db, zone
from leadloop.message import _CONTROL, clean

ZONES = ["Europe/Madrid", "America/Mexico_City", "Australia/Lord_Howe", "UTC"]


@settings(max_examples=500)
@given(st.text())
def test_clean_equals_the_substitution(text):
    assert clean(text) == _CONTROL.sub(" ", text).strip()


@settings(max_examples=500)
@given(st.datetimes(timezones=st.sampled_from(ZONES).map(zone)))
def test_to_db_equals_isoformat_in_utc(moment):
    assert to_db(moment) == moment.astimezone(UTC).isoformat(timespec="seconds")
