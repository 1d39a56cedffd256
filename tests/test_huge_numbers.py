"""Numbers of thousands of digits are bad input, never a traceback (issue #28 item 6).

Python's int() refuses a string of more than 4300 digits (sys.get_int_max_str_digits)
with a ValueError: every place a number from a file, the command line, the environment,
a web request or incoming mail reaches int() or float() must turn that into one
sentence (SPEC §4: exit 2 for bad input), or read the number another way.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadloop.clock import parse_duration, parse_instant
from leadloop.config import load_config
from leadloop.errors import InputError

HUGE = "9" * 5000
DURATION_KEYS = ("info_delay", "followup_after", "followup_spread", "reply_grace")


def one_sentence(result) -> str:
    assert "Traceback" not in result.stderr and "ValueError" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert len(lines[0]) < 300, "the error repeats the whole value"
    return lines[0]


@pytest.mark.parametrize("key", DURATION_KEYS)
def test_a_duration_of_thousands_of_digits_is_one_sentence_naming_the_key(tmp_path, run, key):
    (tmp_path / "leadloop.toml").write_text(f'[cadence]\n{key} = "{HUGE}"\n', encoding="utf-8")
    result = run("check")
    assert result.exit_code == 2
    assert f"[cadence] {key}" in one_sentence(result)


def test_the_issue_s_info_delay_with_a_unit(tmp_path, run):
    (tmp_path / "leadloop.toml").write_text(f'[cadence]\ninfo_delay = "{HUGE} days"\n',
                                            encoding="utf-8")
    result = run("due")
    assert result.exit_code == 2
    line = one_sentence(result)
    assert "[cadence] info_delay" in line and "longer than 10 years" in line


@pytest.mark.parametrize("section, key", [("cadence", "max_contacts"), ("cadence", "daily_limit"),
                                          ("smtp", "port"), ("web", "busy_wait")])
def test_an_unquoted_number_of_thousands_of_digits_is_one_sentence_naming_the_key(
        tmp_path, run, section, key):
    # tomllib itself calls int() on it and lets the ValueError through.
    (tmp_path / "leadloop.toml").write_text(
        f'[sender]\nname = "Laura"\n\n[{section}]\n{key} = {HUGE}\n', encoding="utf-8")
    result = run("check")
    assert result.exit_code == 2
    line = one_sentence(result)
    assert f"line 5: [{section}] {key}" in line and "leadloop.toml" in line


def test_a_huge_number_inside_an_array_still_names_its_line(tmp_path, run):
    (tmp_path / "leadloop.toml").write_text(f"[cadence]\nsend_days = [{HUGE}]\n", encoding="utf-8")
    result = run("check")
    assert result.exit_code == 2 and "line 2:" in one_sentence(result)


def test_a_huge_busy_timeout_or_now_is_one_short_sentence(tmp_path, run):
    assert run("init").exit_code == 0
    result = run("leads", env={"LEADLOOP_BUSY_TIMEOUT": HUGE})
    assert result.exit_code == 2 and "LEADLOOP_BUSY_TIMEOUT" in one_sentence(result)
    result = run("--now", HUGE, "leads")
    assert result.exit_code == 2 and "--now" in one_sentence(result)
    result = run("leads", env={"LEADLOOP_NOW": HUGE})
    assert result.exit_code == 2 and "(5000 characters)" in one_sentence(result)
    result = run("due", "--limit", HUGE)
    assert result.exit_code == 2 and "Traceback" not in result.stderr


@pytest.mark.parametrize("columns", ["²", HUGE, "٣٠"])
def test_a_terminal_width_that_is_not_a_plain_number_is_ignored(tmp_path, columns):
    env = {**os.environ, "TTY_COMPATIBLE": "1", "COLUMNS": columns, "LINES": columns,
           "LEADLOOP_NOW": "2026-03-02T10:00"}
    leadloop = [sys.executable, "-m", "leadloop"]
    subprocess.run([*leadloop, "init"], cwd=tmp_path, env=env, check=True, capture_output=True)
    for command in (["leads"], ["stats"], ["add", "ana@example.com"], ["show", "ana@example.com"]):
        done = subprocess.run([*leadloop, *command], cwd=tmp_path, env=env, capture_output=True,
                              text=True)
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr


# -- properties over the readers themselves ------------------------------------------------

digits_heavy = st.text(alphabet="0123456789 ,.-_+eE:daysmonthweekhour", max_size=6000) | st.builds(
    lambda n, unit: f"{'9' * n} {unit}", st.integers(0, 6000), st.sampled_from(["days", "months", ""]))


@settings(max_examples=200, deadline=None)
@given(digits_heavy)
def test_a_duration_is_read_or_refused_with_one_sentence(text):
    try:
        parse_duration(text, where="[cadence] info_delay")
    except InputError as err:
        assert len(str(err)) < 300
        assert "[cadence] info_delay" in str(err)


@settings(max_examples=200, deadline=None)
@given(digits_heavy)
def test_an_instant_is_read_or_refused_with_one_sentence(text):
    try:
        parse_instant(text, "Europe/Madrid")
    except InputError as err:
        assert len(str(err)) < 300


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(["max_contacts", "give_up_after", "daily_limit", "info_delay"]),
       value=(st.sampled_from([1, 4300, 4301, 6000]) | st.integers(0, 6000)).map(lambda n: "9" * n)
       | st.text("0123456789_+-.e", max_size=5000),
       quoted=st.booleans())
def test_any_number_in_the_config_is_read_or_refused_as_bad_config(tmp_path, key, value, quoted):
    path = tmp_path / "leadloop.toml"
    path.write_text(f"[cadence]\n{key} = {json.dumps(value) if quoted else value}\n", encoding="utf-8")
    try:
        load_config(path)
    except InputError as err:
        assert len(str(err)) < 400


@pytest.mark.parametrize("answers", [["1e308", "1e308"], ["1e999", "9"], ["9" * 400, "8"],
                                     ["nan", "7"]])
def test_survey_answers_that_are_not_finite_numbers_are_words(tmp_path, answers):
    """An answer read from a reply or a link ("1e999", "nan", a long number) can make no
    average infinite or NaN, which JSON cannot hold."""
    import sqlite3

    from leadloop.store import Store
    from leadloop.surveys import tally

    store = Store.open(tmp_path / "leadloop.db", load_config(None).cadence)
    conn = sqlite3.connect(tmp_path / "leadloop.db", isolation_level=None)
    for lead_id, answer in enumerate(answers, 1):
        conn.execute("INSERT INTO leads (id, email, requested_at, status, status_at, created_at, "
                     "updated_at) VALUES (?, ?, 'x', 'active', 'x', 'x', 'x')",
                     (lead_id, f"l{lead_id}@example.com"))
        conn.execute("INSERT INTO survey_answers VALUES (?, 'nps', ?, 'x')", (lead_id, answer))
    conn.close()
    result = tally(store, "nps")
    json.dumps(result, allow_nan=False)
    assert result["average"] is None


# -- a web request -------------------------------------------------------------------------

from test_serve import serve  # noqa: E402,F401  (the fixture: a real `leadloop serve`)
from web_server import WEB_TOKEN  # noqa: E402


def test_a_web_request_with_huge_numbers_is_refused_and_serve_goes_on(serve, tmp_path):
    server = serve()
    huge = b'{"email": "ana@example.com", "fields": {"n": ' + HUGE.encode() + b"}}"
    answer = server.post_json(None, raw=huge)
    assert answer.status == 422 and "not JSON" in answer.json()["error"]
    answer = server.request("POST", "/api/inquiries", b"{}", {
        "Content-Type": "application/json", "Content-Length": HUGE,
        "Authorization": f"Bearer {WEB_TOKEN}"})
    assert answer.status in (400, 413)
    answer = server.get("/form", headers={"Accept-Language": f"en;q={HUGE}, es;q=0.{HUGE}"})
    assert answer.status == 200
    assert server.post_json({"email": "luis@example.com"}).status == 201
    assert "Traceback" not in server.output()
