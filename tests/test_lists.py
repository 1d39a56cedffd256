"""Lists of any size, tables that fit the terminal, held-back mail, the timeline and old
requests (issue #20), through the CLI as a user drives it.

Terminal output is taken two ways: in a real pseudo-terminal (the size comes from the
terminal itself, as in a user's shell), and through CliRunner with Rich forced to a
terminal of a fixed width (FORCE_COLOR and COLUMNS, as test_terminal_text does), where
the exact lines can be compared. Dates come from --now; nothing asserts wall time.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from test_inbox import Maildir, mail

from leadloop import output
from leadloop.backlog import Pass, roll_over, sending_days
from leadloop.cadence import Rules
from leadloop.clock import JsonTimes, to_json, zone

MONDAY = "2026-03-02T10:00"      # a Monday in the default window (mon–fri 09:00–18:00)
FRIDAY = "2026-03-06T10:00"
_SGR = re.compile(r"\x1b\[[0-9;]*m")


def ok(result):
    assert result.exit_code == 0, result.stdout + result.stderr
    return result


def write_leads(path, rows) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["email", "nombre", "producto", "origen", "fecha"])
        writer.writerows(rows)


def many(count: int, *, date="27/02/2026 10:00", prefix="lead"):
    return [(f"{prefix}{n:05d}@example.com", f"Persona {n}", "Curso", "Radio", date)
            for n in range(count)]


@pytest.fixture
def width80(monkeypatch):
    """Rich made afresh as for an 80-column terminal without colour (NO_COLOR)."""
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("LINES", "24")
    output._out.cache_clear()
    output._err.cache_clear()
    yield
    output._out.cache_clear()
    output._err.cache_clear()


def screen(text: str) -> list[str]:
    """The lines as a terminal shows them: no colour left (NO_COLOR), none over 80 cells."""
    assert not re.search(r"\x1b\[[0-9;]*(3\d|4\d|9\d|38|48)[;m]", text), "colour despite NO_COLOR"
    lines = [_SGR.sub("", line).rstrip() for line in text.splitlines()]
    for line in lines:
        assert cell_len(line) <= 80, f"wider than the terminal: {line!r}"
    return lines


# -- leads: filters, sort, limit -----------------------------------------------------------

@pytest.fixture
def shop(tmp_path, run):
    write_leads(tmp_path / "leads.csv", [
        ("jose.munoz@example.com", "José Muñoz Núñez", "Curso de Inglés", "Google Ads", "14/02/2026 09:00"),
        ("ana.pena@example.org", "Ana Peña", "curso de ingles", "Facebook", "20/02/2026 12:00"),
        ("luis@example.net", "Luis Gil", "Seguro de hogar", "Radio", "01/03/2026 18:30"),
        ("zoe@example.com", "Zoe Álvarez", "Seguro de hogar", "Facebook", "02/03/2026 08:00"),
    ])
    ok(run("--now", MONDAY, "import", "leads.csv"))
    ok(run("--now", MONDAY, "mark", "luis@example.net", "customer"))


def emails(run, *args) -> list[str]:
    result = ok(run("--now", MONDAY, "leads", "--json", *args))
    return [lead["email"] for lead in json.loads(result.stdout)]


def test_filters_compare_as_people_write(shop, run):
    assert emails(run, "--product", "CURSO DE INGLES") == ["jose.munoz@example.com", "ana.pena@example.org"]
    assert emails(run, "--source", "facebook") == ["ana.pena@example.org", "zoe@example.com"]
    assert emails(run, "--search", "munoz") == ["jose.munoz@example.com"]       # ñ in the name too
    assert emails(run, "--search", "ÁLVAREZ") == ["zoe@example.com"]
    assert emails(run, "--search", "example.org") == ["ana.pena@example.org"]
    assert emails(run, "--search", "%") == []                                   # LIKE's wildcards are text
    assert emails(run, "--status", "customer") == ["luis@example.net"]
    assert emails(run, "--status", "customer", "--status", "active", "--source", "radio") == ["luis@example.net"]
    # --until a date takes the whole day; --since is from its start.
    assert emails(run, "--since", "2026-02-20", "--until", "2026-03-01") == \
        ["ana.pena@example.org", "luis@example.net"]
    assert emails(run, "--until", "2026-03-01T18:00") == ["jose.munoz@example.com", "ana.pena@example.org"]


def test_sort_reverse_and_limit(shop, run):
    assert emails(run, "--sort", "requested", "--reverse") == [
        "zoe@example.com", "luis@example.net", "ana.pena@example.org", "jose.munoz@example.com"]
    assert emails(run, "--sort", "email") == [
        "ana.pena@example.org", "jose.munoz@example.com", "luis@example.net", "zoe@example.com"]
    assert emails(run, "--sort", "name", "--limit", "2") == ["ana.pena@example.org", "jose.munoz@example.com"]
    assert emails(run, "--sort", "status")[0] == "jose.munoz@example.com"  # active before customer
    assert emails(run, "--sort", "next-due")[-1] == "luis@example.net"      # nothing due: last
    piped = ok(run("--now", MONDAY, "leads", "--sort", "email", "--limit", "2")).stdout.splitlines()
    assert piped[0].split("\t") == ["email", "name", "product", "source", "status", "msgs", "asked",
                                    "next due"]
    assert [line.split("\t")[0] for line in piped[1:]] == ["ana.pena@example.org", "jose.munoz@example.com"]


@pytest.mark.parametrize("args, named", [
    (["--sort", "price"], "--sort"), (["--status", "erased"], "--status"),
    (["--since", "ayer"], "--since"), (["--status", "happy"], "--status"),
])
def test_bad_list_options_are_one_sentence_and_exit_2(shop, run, args, named):
    result = run("leads", *args)
    assert result.exit_code == 2 and named in result.stderr and "Traceback" not in result.stderr


def test_piped_every_row_one_line_each_values_whole(tmp_path, run):
    long_name = "Ana María de los Ángeles Fernández de Córdoba y Peñaranda " * 2
    write_leads(tmp_path / "leads.csv", many(300) + [("ana@example.com", long_name, "Curso", "x", "")])
    ok(run("--now", MONDAY, "import", "leads.csv"))
    lines = ok(run("--now", MONDAY, "leads")).stdout.splitlines()
    assert len(lines) == 302 and all(line.count("\t") == 7 for line in lines)
    assert long_name.strip() in lines[-1]


def test_json_is_every_lead_streamed_one_a_line(tmp_path, run):
    write_leads(tmp_path / "leads.csv", many(1200))
    ok(run("--now", MONDAY, "import", "leads.csv"))
    text = ok(run("--now", MONDAY, "leads", "--json")).stdout
    document = json.loads(text)
    assert len(document) == 1200 and document[0]["email"] == "lead00000@example.com"
    assert set(document[0]) >= {"email", "name", "product", "source", "status", "requested_at", "contacts",
                                "last_contact_at", "next_due_at"}
    assert document[0]["requested_at"] == "2026-02-27T10:00:00+01:00"
    assert len(text.splitlines()) == 1202  # "[", a lead a line, "]"
    exported = json.loads(ok(run("--now", MONDAY, "export", "--format", "json")).stdout)
    assert [lead["email"] for lead in exported] == [lead["email"] for lead in document]


def _peak_rss_kb(*args, cwd) -> int:
    """Peak resident memory of `leadloop ARGS` in its own process, output discarded."""
    probe = ("import resource, subprocess, sys; "
             "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADLOOP_")}
    done = subprocess.run([sys.executable, "-c", probe, sys.executable, "-m", "leadloop", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return int(done.stdout.strip())


@pytest.mark.parametrize("command", [["leads", "--json"], ["leads"], ["due", "--all", "--json"],
                                     ["export", "--format", "json"]])
def test_memory_is_flat_in_the_number_of_leads(tmp_path, command):
    """Ten times the leads, the same memory: rows are written as they are read. Holding
    40,000 leads' objects would take over 40 MB more; the allowance is 12 MB."""
    peaks = []
    for count in (4_000, 40_000):
        where = tmp_path / str(count)
        where.mkdir()
        write_leads(where / "leads.csv", many(count))
        (where / "leadloop.toml").write_text("", encoding="utf-8")  # a leadloop folder
        subprocess.run([sys.executable, "-m", "leadloop", "--now", MONDAY, "import", "leads.csv"],
                       cwd=where, check=True, capture_output=True)
        peaks.append(_peak_rss_kb("--now", MONDAY, *command, cwd=where))
    assert peaks[1] - peaks[0] < 12_000, peaks


# -- the terminal: a first page and a footer ---------------------------------------------------

def test_first_page_and_footer_in_a_pseudo_terminal(tmp_path, run):
    import fcntl
    import pty
    import struct
    import termios

    write_leads(tmp_path / "leads.csv", many(500))
    ok(run("--now", MONDAY, "import", "leads.csv"))
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {k: v for k, v in os.environ.items()
           if k not in ("COLUMNS", "LINES", "FORCE_COLOR", "NO_COLOR") and not k.startswith("LEADLOOP_")}
    env["TERM"] = "xterm-256color"
    process = subprocess.Popen([sys.executable, "-m", "leadloop", "--now", MONDAY, "leads"],
                               cwd=tmp_path, env=env, stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        chunks.append(chunk)
    assert process.wait(timeout=60) == 0
    os.close(leader)
    lines = [_SGR.sub("", line).rstrip() for line in b"".join(chunks).decode().splitlines()]
    assert all(cell_len(line) <= 80 for line in lines), lines
    assert lines[0].split()[:2] == ["email", "name"]
    rows = [line for line in lines if "@example.com" in line]
    assert len(rows) == 24 - 5  # a screenful, with room for the header and the footer
    assert rows[0].startswith("lead00000@example.com  Persona 0")
    footer = " ".join(lines[lines.index(rows[-1]) + 1:])
    assert "Showing 19 of 500 leads." in footer and "--limit N" in footer and "--json" in footer


def test_leads_due_show_and_stats_at_80_columns(tmp_path, run, width80):
    (tmp_path / "leadloop.toml").write_text(
        '[sender]\nname = "Laura"\naddress = "laura@lauravidal.es"\n\n[inbox]\nmaildir = "mail"\n',
        encoding="utf-8")
    write_leads(tmp_path / "leads.csv", [
        ("maria.jose.fernandez.de.cordoba@correo-electronico.example.com",
         "María José Fernández de Córdoba y Peñaranda", "Curso intensivo de fotografía digital",
         "Anuncio en la revista del domingo", "27/02/2026 10:00"),
        ("ana@example.com", "Ana", "Yoga", "Radio", "27/02/2026 11:00"),
    ])
    ok(run("--now", MONDAY, "import", "leads.csv"))
    box = Maildir(tmp_path / "mail")
    ok(run("--now", MONDAY, "run-daily"))
    box.deliver(mail("ana@example.com", "Re: Yoga", "Gracias, ahora no puedo, quizá en verano.\nAna"))
    ok(run("--now", "2026-03-03T10:00", "inbox"))
    ok(run("--now", "2026-03-05T10:00", "mark", "ana@example.com", "active"))

    listed = screen(ok(run("--now", "2026-03-05T10:00", "leads")).stdout)
    assert listed == [
        "email                     name        product     status  msgs  next due",
        "─" * 80,
        "maria.jose.fernandez.de…  María Jos…  Curso int…  active     1  2026-05-19 16:50",
        "ana@example.com           Ana         Yoga        active     1  2026-06-03 11:28",
    ]
    due = screen(ok(run("--now", "2026-05-19T17:00", "due", "--all")).stdout)
    assert due[0].split() == ["email", "message", "due", "goes"]
    assert due[2].startswith("maria.jose.fernandez.de")
    assert due[2].endswith("follow-up 1  2026-05-19 16:50  now")
    assert due[3].endswith("follow-up 1  2026-06-03 11:28  Wed 2026-06-03")
    shown = screen(ok(run("--now", "2026-03-05T10:00", "show", "ana@example.com")).stdout)
    story = shown[shown.index("Timeline") + 3:]
    assert [line[:16] for line in story[:4]] == ["2026-02-27 11:00", "2026-03-02 10:00",
                                                 "2026-03-03 10:00", "2026-03-03 10:00"]
    assert [line[18:].strip() for line in story[:5]] == [
        "asked for information about Yoga (from Radio)",
        "info pack sent",
        "replied: «Re: Yoga» «Gracias, ahora no puedo, quizá en verano…",  # cut at 80
        "marked replied (answered by e-mail)",
        "resumed by hand",
    ]
    assert not any("kind=" in line for line in shown)
    assert "Message-IDs: a wider terminal shows them, and `--json` always does." in shown
    stats = screen(ok(run("--now", "2026-03-05T10:00", "stats")).stdout)
    assert any(line.strip().startswith("info pack █") for line in stats)


def test_a_wide_terminal_shows_message_ids_whole(tmp_path, run, width80, monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")
    output._out.cache_clear()
    write_leads(tmp_path / "leads.csv", [("ana@example.com", "Ana", "Yoga", "Radio", "27/02/2026 11:00")])
    ok(run("--now", MONDAY, "import", "leads.csv"))
    ok(run("--now", MONDAY, "send", "--yes"))
    message_id = json.loads(ok(run("show", "ana@example.com", "--json")).stdout)["messages"][0]["message_id"]
    shown = ok(run("--now", MONDAY, "show", "ana@example.com")).stdout
    assert re.search(r"2026-03-02 10:00  info pack sent +" + re.escape(message_id), shown)


# -- held back means shown --------------------------------------------------------------------

def test_due_and_send_say_what_waits_for_the_daily_limit_and_when_it_goes(tmp_path, run):
    # The send window decides here, for info packs too (by default they go at any hour).
    (tmp_path / "leadloop.toml").write_text("[cadence]\ninfo_anytime = false\n", encoding="utf-8")
    write_leads(tmp_path / "leads.csv", many(250, date="06/03/2026 09:30"))
    ok(run("--now", FRIDAY, "import", "leads.csv"))
    due = ok(run("--now", FRIDAY, "due"))
    assert len(due.stdout.splitlines()) == 101  # the header and what goes now
    assert ("150 more due messages wait for the daily limit (100 a day): at this limit the last "
            "of them goes on Tue 2026-03-10.") in due.stderr  # Friday, Monday, then Tuesday
    planned = json.loads(ok(run("--now", FRIDAY, "due", "--all", "--json")).stdout)
    by_day = {}
    for item in planned:
        by_day.setdefault(item["expected_on"], []).append(item)
    assert {day: len(items) for day, items in by_day.items()} == {
        "2026-03-06": 100, "2026-03-09": 100, "2026-03-10": 50}
    assert not any(item["held_back"] for item in by_day["2026-03-06"])
    assert all(item["held_back"] and not item["scheduled"] for item in by_day["2026-03-10"])
    assert [item["email"] for item in planned] == [f"lead{n:05d}@example.com" for n in range(250)]

    sent = ok(run("--now", FRIDAY, "send", "--yes"))
    assert ("send: 100 written to the outbox (no mail server configured), 0 retried later, 0 bounced, 0 unknown, 0 failed, 150 held back by the "
            "daily limit (the last of them goes on Tue 2026-03-10, at this limit)") in sent.stdout
    later = ok(run("--now", "2026-03-06T17:00", "due"))
    assert "Nothing goes now." in later.stderr
    assert "150 due messages wait for the daily limit (100 a day, used up today)" in later.stderr
    weekend = ok(run("--now", "2026-03-07T10:00", "due"))
    assert "wait for the send window" in weekend.stderr and "goes on Tue 2026-03-10" in weekend.stderr
    daily = ok(run("--now", "2026-03-09T10:00", "run-daily"))
    assert "send: 100 written to the outbox" in daily.stdout and "50 held back by the daily limit" in daily.stdout
    assert "goes on Tue 2026-03-10" in daily.stdout
    assert ", 0 held back" in ok(run("--now", "2026-03-10T10:00", "run-daily")).stdout


def test_info_packs_go_first_then_follow_ups_oldest_due_first_day_by_day():
    monday = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    passes = [Pass(monday.date(), monday + timedelta(hours=12), 2),
              Pass(monday.date() + timedelta(days=1), monday + timedelta(days=1, hours=12), 2)]
    info = [(monday + timedelta(hours=2), 1, "info-late")]
    followups = [(monday - timedelta(days=30), 2, "old-followups"), (monday, 1, "new-followup")]
    assert list(roll_over(info, followups, passes)) == [
        ("info-late", monday.date(), 1),
        ("old-followups", monday.date(), 1),
        ("old-followups", monday.date() + timedelta(days=1), 1),
        ("new-followup", monday.date() + timedelta(days=1), 1),
    ]


def test_sending_days_skip_closed_days_and_the_rest_of_a_closed_day():
    from dateutil.relativedelta import relativedelta

    rules = Rules(followup_after=relativedelta(months=2), followup_spread=relativedelta(months=1),
                  info_delay=relativedelta(), reply_grace=relativedelta(days=30), daily_limit=10)
    friday_evening = datetime(2026, 3, 6, 18, 30, tzinfo=timezone.utc)  # 19:30 in Madrid
    windowed = rules._replace(info_anytime=False)
    days = sending_days(friday_evening, windowed, left_today=5)
    assert [(p.day.isoformat(), p.capacity) for p in (next(days), next(days))] == [
        ("2026-03-09", 10), ("2026-03-10", 10)]
    # Info packs answer a request at any hour (info_anytime): they have every day, the
    # rest of a closed Friday included; follow-ups still only the window's days.
    days = sending_days(friday_evening, rules, left_today=5)
    assert [(p.day.isoformat(), p.capacity, p.followups) for p in (next(days) for _ in range(4))] == [
        ("2026-03-06", 5, False), ("2026-03-07", 10, False), ("2026-03-08", 10, False),
        ("2026-03-09", 10, True)]


def test_info_packs_held_back_go_on_the_weekend_follow_ups_wait_for_monday():
    friday = datetime(2026, 3, 6, 23, 0, tzinfo=timezone.utc)
    saturday, monday = friday.date() + timedelta(days=1), friday.date() + timedelta(days=3)
    passes = [Pass(saturday, friday + timedelta(days=2), 1, followups=False),
              Pass(monday, friday + timedelta(days=4), 2)]
    info = [(friday, 1, "info-a"), (friday, 1, "info-b")]
    followups = [(friday - timedelta(days=1), 1, "followup")]
    assert list(roll_over(info, followups, passes)) == [
        ("info-a", saturday, 1), ("info-b", monday, 1), ("followup", monday, 1)]


# -- the timeline -----------------------------------------------------------------------------

def test_show_json_keeps_its_fields(tmp_path, run):
    write_leads(tmp_path / "leads.csv", [("ana@example.com", "Ana", "Yoga", "Radio", "27/02/2026 11:00")])
    ok(run("--now", MONDAY, "import", "leads.csv"))
    ok(run("--now", MONDAY, "mark", "ana@example.com", "lost", "--note", "no le interesa"))
    document = json.loads(ok(run("--now", MONDAY, "show", "ana@example.com", "--json")).stdout)
    assert document["events"] == [{"at": "2026-03-02T10:00:00+01:00", "kind": "status", "from": "active",
                                   "to": "lost", "by": "hand", "note": "no le interesa"}]
    assert "marked lost by hand (no le interesa)" in ok(run("--now", MONDAY, "show", "ana@example.com")).stdout


# -- old requests -------------------------------------------------------------------------------

def test_an_import_of_old_requests_says_so_and_info_sent_before_records_them(tmp_path, run):
    write_leads(tmp_path / "leads.csv", many(3, date="01/10/2025 10:00", prefix="old")
                + many(2, date="27/02/2026 10:00", prefix="new"))
    first = ok(run("--now", MONDAY, "import", "leads.csv"))
    assert "5 new" in first.stdout
    assert ("3 of the new leads asked more than 30 days ago, and each would get \"the information you "
            "asked for\" at the next send") in first.stderr
    assert "--info-sent-before 2026-01-31" in first.stderr
    due = ok(run("--now", MONDAY, "due"))
    assert "3 info packs due now answer requests more than 30 days old" in due.stderr
    dry = ok(run("--now", MONDAY, "send", "--dry-run"))
    assert "3 of these info packs answer requests more than 30 days old" in dry.stderr

    again = ok(run("--now", MONDAY, "import", "leads.csv", "--info-sent-before", "2026-01-31", "--json"))
    assert json.loads(again.stdout)["info_recorded"] == 3
    assert "more than 30 days" not in again.stderr
    going = json.loads(ok(run("--now", MONDAY, "due", "--json")).stdout)
    # The new requests get their info pack; the old ones their first follow-up, long due.
    assert [(item["email"][:3], item["step"]) for item in going] == [("new", 0), ("new", 0)] + [("old", 1)] * 3
    assert "more than 30 days" not in ok(run("--now", MONDAY, "due")).stderr
    story = ok(run("--now", MONDAY, "show", "old00000@example.com")).stdout
    assert re.search(r"2025-10-01 10:00 +info pack sent", story)
    # Once recorded, a third import changes nothing.
    assert json.loads(ok(run("--now", MONDAY, "import", "leads.csv", "--info-sent", "--json")).stdout)[
        "info_recorded"] == 2  # the two new ones, whose info pack had not gone either


def test_send_warns_about_old_requests_before_it_asks(tmp_path, run):
    write_leads(tmp_path / "leads.csv", many(2, date="01/10/2025 10:00"))
    ok(run("--now", MONDAY, "import", "leads.csv"))
    refused = run("--now", MONDAY, "send", input="n\n", env={"FORCE_COLOR": "1"})
    assert refused.exit_code == 1  # the confirmation said no
    assert "2 of these info packs answer requests more than 30 days old" in refused.stderr
    assert "Write 2 messages to the outbox folder outbox (no mail server configured)?" in refused.stdout
    assert json.loads(ok(run("show", "lead00000@example.com", "--json")).stdout)["messages"] == []


# -- pure parts -------------------------------------------------------------------------------

def test_fit_cuts_and_drops_columns_by_priority():
    columns = [output.Column("email", min_width=10, ratio=2, priority=9),
               output.Column("name", min_width=6, priority=5),
               output.Column("id", min_width=None, priority=1)]
    rows = [["someone.long@example.com", "A rather long name", "<0123456789@example.com>"]]
    wide = output.fit(columns, rows, 200)
    assert wide == [(0, 24), (1, 18), (2, 24)]
    narrow = output.fit(columns, rows, 40)
    assert [index for index, _ in narrow] == [0, 1]          # the id is never cut: it goes
    assert sum(width for _, width in narrow) + output.GAP == 40
    tiny = output.fit(columns, rows, 12)
    assert tiny == [(0, 12)]


@settings(max_examples=200, deadline=None)
@given(widths=st.lists(st.integers(0, 60), min_size=1, max_size=8), terminal=st.integers(20, 200))
def test_fit_never_exceeds_the_terminal(widths, terminal):
    columns = [output.Column(f"c{i}", min_width=(None if i % 3 == 2 else 4), priority=i)
               for i in range(len(widths))]
    rows = [["x" * width for width in widths]]
    layout = output.fit(columns, rows, terminal)
    assert layout and sum(w for _, w in layout) + output.GAP * (len(layout) - 1) <= max(
        terminal, min(widths[layout[0][0]], terminal))
    for index, width in layout:
        if columns[index].min_width is None and len(layout) > 1:
            assert width == max(widths[index], 2)  # shown whole, header included


@settings(max_examples=300, deadline=None)
@given(moment=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)),
       name=st.sampled_from(["Europe/Madrid", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe",
                             "UTC", "America/Santiago", "Asia/Kathmandu"]))
def test_json_times_are_to_json(moment, name):
    text = moment.replace(microsecond=0, tzinfo=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    times = JsonTimes(zone(name))
    assert times(text) == to_json(text, zone(name)) and times(text) == to_json(text, zone(name))
    assert times(None) is None
