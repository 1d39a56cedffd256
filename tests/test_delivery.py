"""Sending against real SMTP servers on 127.0.0.1: TLS, AUTH, refusals, lost connections,
kills and overlapping runs. The server's own record is the judge of "never twice"."""

import base64
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter

import pytest


from conftest import SMTP_PASSWORD, SMTP_USER

NOW = "2026-03-02T10:00"


def write_project(tmp_path, server, *, security="none", extra="", leads=3, ca_file=None,
                  username=""):
    smtp = (f'[smtp]\nhost = "{server.host}"\nport = {server.port}\nsecurity = "{security}"\n'
            f'username = "{username}"\ntimeout = 5\n')
    if ca_file:
        smtp += f'ca_file = "{ca_file}"\n'
    (tmp_path / "leadloop.toml").write_text(
        '[sender]\nname = "Laura Vidal"\naddress = "laura@lauravidal.es"\n\n'
        f"[cadence]\ndaily_limit = 1000\n{extra}\n" + smtp, encoding="utf-8")
    rows = "".join(f"lead{n:03d}@example.com,Lead {n},Curso,Web,01/03/2026\n" for n in range(leads))
    (tmp_path / "leads.csv").write_text("email,name,product,source,requested_at\n" + rows,
                                        encoding="utf-8")


def import_leads(run):
    result = run("import", "leads.csv")
    assert result.exit_code == 0, result.stderr


def due_count(run, now=NOW):
    return len(json.loads(run("--now", now, "due", "--json").stdout))


def states(run, address):
    return [m["state"] for m in json.loads(run("show", address, "--json").stdout)["messages"]]


def test_starttls_and_auth(tmp_path, run, smtp_tls_server, ca_file):
    write_project(tmp_path, smtp_tls_server, security="starttls", ca_file=ca_file, username=SMTP_USER)
    import_leads(run)
    result = run("--now", NOW, "send", "--yes", env={"LEADLOOP_SMTP_PASSWORD": SMTP_PASSWORD})
    assert result.exit_code == 0, result.stderr
    assert smtp_tls_server.count == 3
    assert smtp_tls_server.auth_attempts and all(ok for _, ok in smtp_tls_server.auth_attempts)


def test_certificate_not_from_a_trusted_ca_is_refused(tmp_path, run, smtp_tls_server):
    write_project(tmp_path, smtp_tls_server, security="starttls", username=SMTP_USER)
    import_leads(run)
    result = run("--now", NOW, "send", "--yes", env={"LEADLOOP_SMTP_PASSWORD": SMTP_PASSWORD})
    assert result.exit_code == 1
    assert "certificate" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert smtp_tls_server.auth_attempts == []
    assert due_count(run) == 3


def test_server_without_starttls_is_refused_before_auth(tmp_path, run, smtp_no_starttls_server):
    write_project(tmp_path, smtp_no_starttls_server, security="starttls", username=SMTP_USER)
    import_leads(run)
    result = run("--now", NOW, "send", "--yes", env={"LEADLOOP_SMTP_PASSWORD": SMTP_PASSWORD})
    assert result.exit_code == 1
    assert "STARTTLS" in result.stderr
    assert smtp_no_starttls_server.auth_attempts == []
    assert due_count(run) == 3


def test_wrong_password_stops_the_run_and_marks_nothing(tmp_path, run, smtp_tls_server, ca_file):
    write_project(tmp_path, smtp_tls_server, security="starttls", ca_file=ca_file, username=SMTP_USER)
    import_leads(run)
    result = run("--now", NOW, "run-daily", env={"LEADLOOP_SMTP_PASSWORD": "wrong"})
    assert result.exit_code == 1
    assert "refused the login" in result.stderr
    assert smtp_tls_server.count == 0
    assert due_count(run) == 3
    assert states(run, "lead000@example.com") == []


def test_password_never_appears_in_output_or_database(tmp_path, run, smtp_tls_server, ca_file):
    write_project(tmp_path, smtp_tls_server, security="starttls", ca_file=ca_file, username=SMTP_USER)
    import_leads(run)
    outputs = []
    for password in (SMTP_PASSWORD, "wrong-" + SMTP_PASSWORD):
        result = run("--now", NOW, "run-daily", env={"LEADLOOP_SMTP_PASSWORD": password})
        outputs.append(result.stdout + result.stderr)
    secrets = [SMTP_PASSWORD.encode()]
    for password in (SMTP_PASSWORD, "wrong-" + SMTP_PASSWORD):
        secrets.append(base64.b64encode(f"\0{SMTP_USER}\0{password}".encode()))
        secrets.append(base64.b64encode(password.encode()))
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("leadloop.db*"))
    for secret in secrets:
        assert secret not in stored
        assert all(secret.decode() not in text for text in outputs)
    assert SMTP_PASSWORD.encode("utf-8") not in stored


def test_password_command_is_used_when_no_environment_password(tmp_path, run, smtp_tls_server, ca_file):
    script = tmp_path / "secret.sh"
    script.write_text(f"#!/bin/sh\nprintf '%s\\n' '{SMTP_PASSWORD}'\n", encoding="utf-8")
    script.chmod(0o700)
    write_project(tmp_path, smtp_tls_server, security="starttls", ca_file=ca_file,
                  username=SMTP_USER)
    with open(tmp_path / "leadloop.toml", "a", encoding="utf-8") as handle:
        handle.write(f'password_command = "{script}"\n')
    import_leads(run)
    assert run("--now", NOW, "send", "--yes").exit_code == 0
    assert smtp_tls_server.count == 3


@pytest.mark.parametrize("pipelining", [False, True], ids=["one-by-one", "pipelining"])
def test_temporary_and_permanent_refusals(tmp_path, run, smtp_server, pipelining):
    smtp_server.pipelining = pipelining  # RFC 2920: each reply still judged as its command's
    write_project(tmp_path, smtp_server, leads=5)
    import_leads(run)
    smtp_server.rcpt_replies = {"lead001@example.com": "451 4.2.0 try again later",
                                "lead002@example.com": "550 5.1.1 no such user"}
    result = run("--now", NOW, "run-daily")
    assert result.exit_code == 0, result.stderr
    assert "3 sent, 1 retried later, 1 bounced" in result.stdout
    assert sorted(smtp_server.recipients()) == [
        "lead000@example.com", "lead003@example.com", "lead004@example.com"]
    leads = {lead["email"]: lead for lead in json.loads(run("leads", "--json").stdout)}
    assert leads["lead002@example.com"]["status"] == "bounced"
    assert leads["lead001@example.com"]["status"] == "active"
    assert states(run, "lead001@example.com") == ["deferred"]
    smtp_server.rcpt_replies = {}
    assert run("--now", NOW, "run-daily").exit_code == 0
    assert smtp_server.count == 3, "the retry waits for its backoff"
    later = run("--now", "2026-03-02T11:00", "run-daily")
    assert later.exit_code == 0
    assert sorted(Counter(smtp_server.recipients()).values()) == [1, 1, 1, 1]
    assert "lead002@example.com" not in smtp_server.recipients()
    (tmp_path / "again.csv").write_text("email\nlead002@example.com\n", encoding="utf-8")
    assert "1 suppressed" in run("import", "again.csv").stdout


@pytest.mark.parametrize("reply, state, status, owner", [
    ("550 5.1.1 <lead000@example.com>: Recipient address rejected: User unknown", "bounced", "bounced",
     "address"),
    ("550 5.7.1 Message rejected as spam by Content Filtering", "deferred", "active", "sender"),
    ("552 5.2.2 Mailbox full", "deferred", "active", "mailbox"),
    ("554 Sorry, no mailbox here by that name", "bounced", "bounced", "address"),
    ("554 Transaction failed: message refused by local policy", "deferred", "active", "sender"),
    ("550 Requested action not taken: mailbox unavailable", "bounced", "bounced", "address"),
    ("550 Denied by policy", "deferred", "active", "sender"),
])
@pytest.mark.parametrize("pipelining", [False, True], ids=["one-by-one", "pipelining"])
def test_smtp_refusals_follow_the_inbox_rule(tmp_path, run, smtp_server, reply, state, status, owner,
                                              pipelining):
    """SPEC §6: only a refusal about the address bounces the lead; a bare 550 or 554
    is judged by its words, the same rule as a bounce read in the inbox (SPEC §7). The
    mailbox's refusal is retried later; the sender's stops the run, charging no lead.
    Pipelined (RFC 2920), RCPT's reply is still the one judged, not DATA's after it."""
    smtp_server.pipelining = pipelining
    write_project(tmp_path, smtp_server, leads=2)
    import_leads(run)
    smtp_server.rcpt_replies = {"lead000@example.com": reply}
    result = run("--now", NOW, "send", "--yes")
    assert smtp_server.recipients() == ([] if owner == "sender" else ["lead001@example.com"])
    assert states(run, "lead000@example.com") == [state]
    leads = {lead["email"]: lead for lead in json.loads(run("leads", "--json").stdout)}
    assert leads["lead000@example.com"]["status"] == status
    assert leads["lead001@example.com"]["status"] == "active"
    assert result.exit_code == (1 if owner == "sender" else 0), result.stderr
    shown = json.loads(run("show", "lead000@example.com", "--json").stdout)
    assert reply.split(" ", 1)[1] in shown["messages"][0]["error"] or status == "bounced"
    assert shown["messages"][0]["owner"] == owner
    if owner == "sender":
        assert len(result.stderr.strip().splitlines()) == 1 and "no lead was charged" in result.stderr
        assert due_count(run) == 2


@pytest.mark.parametrize("phase, reply, state, status", [
    ("rcpt", "550 User unknown", "bounced", "bounced"),
    ("data", "550 User unknown", "bounced", "bounced"),
    ("data", "550 User unknown or blocked by the recipient", "deferred", "active"),
])
@pytest.mark.parametrize("pipelining", [False, True], ids=["one-by-one", "pipelining"])
def test_user_unknown_is_about_the_address_unless_a_filter_says_so(tmp_path, run, smtp_server,
                                                                   phase, reply, state, status,
                                                                   pipelining):
    """The inbox's rule too (the lead's policy on issue #25): "user unknown" without an
    enhanced code names a dead address in answer to RCPT TO and at the end of DATA alike;
    when the same answer names a filter's cause, a filter spoke and the lead stays in
    sequence. (It was sisimai's rule before: at the end of DATA, always a filter.)
    Pipelined (RFC 2920), each reply is still judged as its own command's."""
    smtp_server.pipelining = pipelining
    write_project(tmp_path, smtp_server, leads=2)
    import_leads(run)
    if phase == "rcpt":
        smtp_server.rcpt_replies = {"lead000@example.com": reply}
    else:
        smtp_server.data_replies = {"lead000@example.com": reply}
    run("--now", NOW, "send", "--yes")
    assert states(run, "lead000@example.com") == [state]
    leads = {lead["email"]: lead for lead in json.loads(run("leads", "--json").stdout)}
    assert leads["lead000@example.com"]["status"] == status
    assert leads["lead001@example.com"]["status"] == "active"


@pytest.mark.parametrize("pipelining", [False, True], ids=["one-by-one", "pipelining"])
def test_sender_refused_stops_the_run_and_penalises_nobody(tmp_path, run, smtp_server, pipelining):
    smtp_server.pipelining = pipelining
    write_project(tmp_path, smtp_server)
    import_leads(run)
    smtp_server.mail_from_reply = "553 5.7.1 sender not allowed"
    result = run("--now", NOW, "run-daily")
    assert result.exit_code == 1
    assert "refuses mail from lauravidal.es because of the sender address (553 5.7.1" in result.stderr
    assert due_count(run) == 3
    assert all(lead["status"] == "active" for lead in json.loads(run("leads", "--json").stdout))
    # Kept, to say why, and still due: held for the sender, never charged.
    assert states(run, "lead000@example.com") == ["deferred"]
    assert all(lead["contacts"] == 0 for lead in json.loads(run("leads", "--json").stdout))
    smtp_server.mail_from_reply = None
    assert run("--now", NOW, "run-daily").exit_code == 0
    assert sorted(Counter(smtp_server.recipients()).values()) == [1, 1, 1]


@pytest.mark.parametrize("pipelining", [False, True], ids=["one-by-one", "pipelining"])
def test_connection_dropped_after_the_36th_message(tmp_path, run, smtp_server, pipelining):
    smtp_server.pipelining = pipelining
    write_project(tmp_path, smtp_server, leads=100)
    import_leads(run)
    smtp_server.drop_after = 36
    first = run("--now", NOW, "run-daily")
    assert first.exit_code == 1
    assert "cannot reach the mail server" in first.stderr
    assert smtp_server.count == 36
    assert due_count(run) == 64
    smtp_server.recover()
    second = run("--now", NOW, "run-daily")
    assert second.exit_code == 0, second.stderr
    received = Counter(smtp_server.recipients())
    assert len(received) == 100 and set(received.values()) == {1}


def test_two_claims_of_the_same_due_list_never_overlap(tmp_path, run):
    from leadloop.config import load_config
    from leadloop.store import Store
    from leadloop.clock import parse_instant

    (tmp_path / "leads.csv").write_text(
        "email,requested_at\n" + "".join(f"l{n}@example.com,01/03/2026\n" for n in range(50)),
        encoding="utf-8")
    import_leads(run)
    config = load_config(None)
    now = parse_instant(NOW, "Europe/Madrid")
    first = Store.open(tmp_path / "leadloop.db", config.cadence)
    second = Store.open(tmp_path / "leadloop.db", config.cadence)
    due_first, due_second = first.due(now), second.due(now)
    assert len(due_first) == len(due_second) == 50
    claims_first = first.claim(due_first, "run-a", now, "example.com")
    claims_second = second.claim(due_second, "run-b", now, "example.com")
    assert len(claims_first) == 50 and claims_second == []


def leadloop(*args, cwd, env=None):
    return subprocess.Popen(
        [sys.executable, "-m", "leadloop", *args], cwd=cwd,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


def test_two_run_daily_processes_at_once_send_each_message_once(tmp_path, run, smtp_server):
    write_project(tmp_path, smtp_server, leads=60)
    import_leads(run)
    processes = [leadloop("--now", NOW, "run-daily", cwd=tmp_path) for _ in range(2)]
    results = [p.communicate(timeout=60) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], results
    received = Counter(smtp_server.recipients())
    assert len(received) == 60 and set(received.values()) == {1}


def copy_database(source, target):
    """A consistent copy, WAL included (a plain file copy could miss the last writes)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def test_sigkill_at_random_points_never_sends_twice(tmp_path, run, smtp_server):
    write_project(tmp_path, smtp_server, leads=200)
    import_leads(run)
    pristine = tmp_path / "pristine.db"
    copy_database(tmp_path / "leadloop.db", pristine)
    rng = random.Random(1234)
    interrupted = 0
    for attempt in range(20):
        for leftover in tmp_path.glob("leadloop.db*"):
            leftover.unlink()
        copy_database(pristine, tmp_path / "leadloop.db")
        smtp_server.clear()
        victim = leadloop("--now", NOW, "send", "--yes", cwd=tmp_path)
        # The kill lands after a random number of deliveries (then a random few ms, so
        # it falls anywhere in a transaction), not after a random time: on a loaded
        # machine a timed kill would mostly hit start-up and prove nothing.
        target = rng.randrange(0, 200)
        deadline = time.monotonic() + 120
        while smtp_server.count < target and victim.poll() is None and time.monotonic() < deadline:
            time.sleep(0.0005)
        time.sleep(rng.uniform(0, 0.005))
        victim.send_signal(signal.SIGKILL)
        victim.communicate()
        if 0 < smtp_server.count < 200:
            interrupted += 1
        follow_up = leadloop("--now", NOW, "run-daily", cwd=tmp_path)
        out, err = follow_up.communicate(timeout=120)
        assert follow_up.returncode == 0, err
        received = Counter(smtp_server.recipients())
        assert set(received.values()) <= {1}, f"attempt {attempt}: a message arrived twice"
        with sqlite3.connect(tmp_path / "leadloop.db") as db:
            unknown = {row[0] for row in db.execute(
                "SELECT email FROM leads JOIN messages ON messages.lead_id = leads.id "
                "WHERE messages.state = 'unknown'")}
        for n in range(200):
            address = f"lead{n:03d}@example.com"
            assert address in received or address in unknown, (attempt, address)
        if unknown:
            assert b"unknown outcome" in err
    assert interrupted >= 5, "the kills should land in the middle of sending"


def test_implicit_tls(tmp_path, run, smtp_ssl_server, ca_file):
    write_project(tmp_path, smtp_ssl_server, security="ssl", ca_file=ca_file, username=SMTP_USER)
    import_leads(run)
    result = run("--now", NOW, "send", "--yes", env={"LEADLOOP_SMTP_PASSWORD": SMTP_PASSWORD})
    assert result.exit_code == 0, result.stderr
    assert smtp_ssl_server.count == 3


def test_a_lead_marked_between_claim_and_send_is_not_sent(tmp_path, run):
    from leadloop.clock import parse_instant
    from leadloop.config import load_config
    from leadloop.store import Store

    (tmp_path / "leads.csv").write_text("email,requested_at\nana@example.com,01/03/2026\n",
                                        encoding="utf-8")
    import_leads(run)
    config = load_config(None)
    now = parse_instant(NOW, "Europe/Madrid")
    sender = Store.open(tmp_path / "leadloop.db", config.cadence)
    [claim] = sender.claim(sender.due(now), "run-a", now, "example.com")
    assert run("--now", NOW, "mark", "ana@example.com", "customer").exit_code == 0
    assert sender.begin_send(claim, "run-a", now) is False
    assert states(run, "ana@example.com") == []


def test_another_run_holding_the_lock_makes_send_step_aside(tmp_path, run, smtp_server):
    from leadloop.runner import RunLock

    write_project(tmp_path, smtp_server)
    import_leads(run)
    holder = RunLock(tmp_path / "leadloop.db")
    assert holder.acquire()
    try:
        result = run("--now", NOW, "run-daily")
    finally:
        holder.release()
    assert result.exit_code == 0
    assert "another leadloop run" in result.stderr
    assert smtp_server.count == 0


def test_a_message_deferred_again_and_again_is_given_up_as_failed(tmp_path, run, smtp_server):
    from datetime import datetime, timedelta

    write_project(tmp_path, smtp_server, leads=1,
                  extra='send_days = ["mon","tue","wed","thu","fri","sat","sun"]\nsend_hours = "00:00-24:00"')
    import_leads(run)
    smtp_server.rcpt_replies = {"lead000@example.com": "452 4.2.2 mailbox full"}
    now = datetime(2026, 3, 2, 10, 0)
    outcomes = []
    for _ in range(12):
        result = run("--now", now.isoformat(), "run-daily")
        outcomes.append(result.exit_code)
        now += timedelta(days=2)
    assert states(run, "lead000@example.com")[0] == "failed"
    assert 1 in outcomes, "the run that gives up reports it"
    lead = json.loads(run("show", "lead000@example.com", "--json").stdout)
    assert lead["status"] == "active" and lead["next_step"] == 1
    assert smtp_server.count == 0
