"""An IMAP server that drops the connection or hangs in the middle of a conversation
(issue #16, SPEC §4): one sentence, exit 1, no traceback, the timeout honoured, and
nothing half-applied. A real server (pymap on 127.0.0.1) sits behind a relay that
fails on cue (tests/fault_proxy.py); leadloop runs as a separate process, with
`[inbox] timeout = 1` so that a hang ends within the test.

inbox.py applies each message in its own transaction together with the record that it
was read, so a drop after some messages leaves those applied and the rest for next time;
run-daily reads the inbox before it sends, so when the inbox fails nothing is sent."""

from __future__ import annotations

import json
import socket

import pytest
from cli_process import leadloop, one_sentence
from fault_proxy import Fault, FaultProxy
from imap_server import IMAP_PASSWORD
from test_inbox import LEADS, SENT_AT, mail

ENV = {"LEADLOOP_IMAP_PASSWORD": IMAP_PASSWORD}
LATER = "2026-03-03T10:00"
FOLLOW_UPS_DUE = "2026-06-15T10:00"  # when the first follow-ups are due for all three leads
LEAD_ADDRESSES = ("jose.munoz@example.com", "ana.pena@example.org", "tom@example.net")


def configure(tmp_path, host: str, port: int) -> None:
    (tmp_path / "leadloop.toml").write_text(
        '[sender]\nname = "Laura Vidal"\naddress = "laura@lauravidal.es"\n\n'
        f'[inbox]\nhost = "{host}"\nport = {port}\nsecurity = "none"\n'
        'username = "marketer@example.com"\ntimeout = 1\n', encoding="utf-8")


def cli(tmp_path, *args):
    return leadloop(*args, env=ENV, cwd=tmp_path)


# Setting up and looking at the state afterwards go through Typer's CliRunner (in this
# process, quicker); the runs under test are separate processes.

def status(run, address: str) -> str:
    result = run("show", address, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["status"]


def reply_events(run, address: str) -> int:
    shown = json.loads(run("show", address, "--json").stdout)
    return [event["kind"] for event in shown["events"]].count("reply")


def outbox(tmp_path) -> int:
    return len(list((tmp_path / "outbox" / "new").iterdir()))


@pytest.fixture
def relay(tmp_path, run, imap_server, monkeypatch):
    """Three leads who got their info pack, the mailbox behind a relay that fails on cue."""
    proxy = FaultProxy(imap_server.host, imap_server.port)
    configure(tmp_path, proxy.host, proxy.port)
    (tmp_path / "leads.csv").write_text(LEADS, encoding="utf-8")
    monkeypatch.setenv("LEADLOOP_IMAP_PASSWORD", IMAP_PASSWORD)
    assert run("import", "leads.csv").exit_code == 0
    sent = run("--now", SENT_AT, "run-daily")
    assert sent.exit_code == 0 and "3 written to the outbox" in sent.stdout, sent.stdout + sent.stderr
    proxy.server = imap_server
    yield proxy
    proxy.stop()


def add_replies(relay, *addresses) -> None:
    """One reply per address, in this order (ascending UIDs)."""
    for address in addresses:
        relay.server.append(mail(address, "Re: información", f"Soy {address}, llámeme.").as_bytes())


FETCH_BODY = rb"UID FETCH \d+ \(BODY\.PEEK\[\]\)"


@pytest.mark.parametrize("fault", [
    Fault(FETCH_BODY, "cut", cut_after=80, skip=1),  # inside the body of message 2
    Fault(FETCH_BODY, "drop", skip=1),               # before any answer to it
], ids=["cut-inside-the-body", "dropped-before-the-answer"])
def test_a_drop_mid_fetch_keeps_what_was_read_and_reads_the_rest_next_time(tmp_path, run, relay, fault):
    add_replies(relay, *LEAD_ADDRESSES)
    second = relay.server.uids()[1]
    relay.fault = fault
    result = cli(tmp_path, "--now", LATER, "inbox")
    assert result.returncode == 1
    sentence = one_sentence(result)
    assert f"the connection was lost while fetching message UID {second}" in sentence
    assert "the messages read before it are kept, the rest are read next time" in sentence
    assert relay.triggered == 1
    # Message 1 was applied whole; 2 and 3 not at all.
    assert [status(run, a) for a in LEAD_ADDRESSES] == ["replied", "active", "active"]

    relay.fault = None
    again = cli(tmp_path, "--now", LATER, "inbox", "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["replies"] == 2
    assert [status(run, a) for a in LEAD_ADDRESSES] == ["replied"] * 3
    assert [reply_events(run, a) for a in LEAD_ADDRESSES] == [1, 1, 1]  # none twice


def test_a_hang_mid_fetch_in_run_daily_ends_at_the_timeout_and_sends_nothing(tmp_path, run, relay):
    add_replies(relay, "jose.munoz@example.com", "ana.pena@example.org")
    second = relay.server.uids()[1]
    relay.fault = Fault(FETCH_BODY, "hang", skip=1)
    result = cli(tmp_path, "--now", FOLLOW_UPS_DUE, "run-daily")
    assert result.returncode == 1
    sentence = one_sentence(result)
    assert f"the server did not answer within 1 s while fetching message UID {second}" in sentence
    assert sentence.endswith("nothing was sent")
    assert outbox(tmp_path) == 3  # the info packs only
    assert status(run, "jose.munoz@example.com") == "replied"  # read before the hang

    relay.fault = None
    later = cli(tmp_path, "--now", FOLLOW_UPS_DUE, "run-daily")
    assert later.returncode == 0, later.stderr
    assert "1 written to the outbox" in later.stdout  # only tom, who never answered, gets his follow-up
    assert outbox(tmp_path) == 4


@pytest.mark.parametrize("trigger, doing", [
    (rb"AUTHENTICATE", "logging in"),
    (rb"EXAMINE", "opening the folder 'INBOX'"),
    (rb"RFC822\.SIZE", "listing the folder"),
    (rb"BODY\.PEEK", "fetching message UID"),
])
@pytest.mark.parametrize("action", ["drop", "hang"])
def test_a_drop_or_hang_at_each_step_is_one_sentence_naming_the_step(tmp_path, run, relay, trigger, doing,
                                                                     action):
    add_replies(relay, "jose.munoz@example.com")
    relay.fault = Fault(trigger, action)
    result = cli(tmp_path, "--now", LATER, "inbox")
    assert result.returncode == 1
    sentence = one_sentence(result)
    if action == "drop":
        assert f"the connection was lost while {doing}" in sentence
    else:
        assert f"the server did not answer within 1 s while {doing}" in sentence
    assert relay.triggered == 1
    assert status(run, "jose.munoz@example.com") == "active"


def test_a_hang_at_logout_after_the_work_is_done_costs_one_timeout_and_loses_nothing(tmp_path, run, relay):
    add_replies(relay, "jose.munoz@example.com")
    relay.fault = Fault(rb"LOGOUT", "hang")
    result = cli(tmp_path, "--now", LATER, "inbox", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["replies"] == 1 and relay.triggered == 1
    assert status(run, "jose.munoz@example.com") == "replied"


def test_a_server_that_never_greets_ends_at_the_timeout(tmp_path):
    # A port that accepts the connection and says nothing (as an implicit-TLS port does
    # to a client waiting for a plain-text greeting).
    with socket.create_server(("127.0.0.1", 0)) as silent:
        configure(tmp_path, "127.0.0.1", silent.getsockname()[1])
        result = cli(tmp_path, "inbox")
    assert result.returncode == 1
    sentence = one_sentence(result)
    assert "did not answer within 1 s while connecting" in sentence
    assert 'security = "ssl"' in sentence


def test_a_closed_port_is_one_sentence(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    configure(tmp_path, "127.0.0.1", port)
    result = cli(tmp_path, "inbox")
    assert result.returncode == 1
    assert "cannot reach the server" in one_sentence(result)


def test_a_port_that_speaks_another_protocol_is_one_sentence(tmp_path, smtp_server):
    configure(tmp_path, smtp_server.host, smtp_server.port)  # an SMTP server's greeting
    result = cli(tmp_path, "inbox")
    assert result.returncode == 1
    sentence = one_sentence(result)
    assert "is not IMAP while connecting" in sentence and "host and port" in sentence


# -- numbers no IMAP server may send (issue #28 item 6) ---------------------------------

@pytest.mark.parametrize("trigger, pattern, what", [
    (rb"UID FETCH \d+:\* \(RFC822\.SIZE\)", rb"UID \d+", "UID"),
    (rb"UID FETCH \d+:\* \(RFC822\.SIZE\)", rb"RFC822\.SIZE \d+", "message size"),
    (rb"SELECT|EXAMINE", rb"UIDVALIDITY \d+", "UIDVALIDITY"),
])
@pytest.mark.parametrize("digits", [5000, 20])  # past int()'s limit; past SQLite's 64 bits
def test_a_number_past_imap_s_32_bits_is_one_sentence_and_nothing_is_lost(
        tmp_path, run, relay, trigger, pattern, what, digits):
    add_replies(relay, "jose.munoz@example.com")
    label = pattern.split(b" ")[0].replace(b"\\", b"")
    relay.fault = Fault(trigger, "rewrite", replace=(pattern, label + b" " + b"9" * digits))
    result = cli(tmp_path, "--now", LATER, "inbox")
    assert result.returncode == 1
    sentence = one_sentence(result)
    assert f"the server sent a {what} of {digits} digits" in sentence and len(sentence) < 300
    assert relay.triggered == 1
    assert status(run, "jose.munoz@example.com") == "active"
    relay.fault = None
    again = cli(tmp_path, "--now", LATER, "inbox")
    assert again.returncode == 0, again.stderr
    assert status(run, "jose.munoz@example.com") == "replied"
