"""A complaint or a bounce about a lead erased since (SPEC §7, §10): `inbox` says it is
about a lead erased since, counts it as `about_erased`, records nothing on the erased row
and keeps it out of `inbox --review`; no address of the erased lead is shown. A report
about somebody who was never a lead, or whose suppression is only `unsubscribed` (which
may be a stranger's emailed wish), is still kept for review. Through `leadloop inbox` on
a real Maildir, after `leadloop forget`."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from test_inbox import LATER, dsn, mail, read, report, sent_message_id, status  # noqa: F401  (fixtures)
from test_inbox import project  # noqa: F401

COMPLAINTS = Path(__file__).parent / "fixtures" / "complaints"
AFTER = "2026-03-04T10:00"
ERASED = "about a message leadloop sent to a lead erased since: nothing recorded"
LEAD_ADDRESSES = ("jose.munoz", "ana.pena", "tom@")


def complaint(name: str, original_id: str | None = None) -> bytes:
    """A fixture from tests/fixtures/complaints, returning `original_id` when given."""
    raw = (COMPLAINTS / name).read_bytes()
    return raw if original_id is None else raw.replace(b"<info-1@leadloop.test>", original_id.encode())


def plain_bounce(original_id: str) -> bytes:
    """A plain-text report that names no recipient: only the returned Message-ID says whose."""
    return (
        "From: MAILER-DAEMON@mx.example.net\r\nTo: laura@lauravidal.es\r\nSubject: failure notice\r\n"
        f"Message-ID: <plain-{abs(hash(original_id))}@mx.example.net>\r\n\r\n"
        "Sorry, we were unable to deliver your message to the following address.\r\n"
        "550 5.1.1 User unknown\r\n\r\n--- Below this line is a copy of the message.\r\n\r\n"
        f"From: laura@lauravidal.es\r\nTo: someone@example.org\r\nMessage-ID: {original_id}\r\n"
        "Subject: Hola\r\n\r\nHola.\r\n").encode()


def bounce_by_address(recipient: str, status: str = "5.1.1", diagnostic: str = "550 5.1.1 User unknown") -> bytes:
    """An RFC 3464 report about `recipient` whose returned header has no Message-ID: only
    the address (its keyed hash, once the lead is erased) says whose."""
    raw = report(recipient, status, diagnostic, "<gone@x>")
    return raw.replace(b"Message-ID: <gone@x>\r\n", b"")


def forget(run, tmp_path: Path, *emails: str) -> dict:
    """Erase the leads; what the database holds then (snapshot)."""
    for email in emails:
        result = run("--now", LATER, "forget", email)
        assert result.exit_code == 0, result.stderr
    return snapshot(tmp_path / "leadloop.db")


def snapshot(db: Path) -> dict:
    """What an erased lead could be given: its row, its events, its messages."""
    conn = sqlite3.connect(db)
    try:
        return {table: conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
                for table in ("leads", "events", "messages")}
    finally:
        conn.close()


def inbox(run) -> tuple[dict, str]:
    result = run("--now", AFTER, "inbox", "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout), result.stderr


def only_said(run, tmp_path: Path, before: dict, said: str, what: str) -> None:
    """Not kept for review, said with no address of the erased leads, nothing written."""
    assert json.loads(run("inbox", "--review", "--json").stdout) == []
    assert f"{what} is {ERASED}" in said
    assert not any(address in said for address in LEAD_ADDRESSES)
    assert snapshot(tmp_path / "leadloop.db") == before


def test_a_complaint_about_a_lead_erased_since_says_so_and_records_nothing(project, run, tmp_path):
    """By the returned message's Message-ID (Yahoo redacts the address), and by the
    complainer's keyed hash when the Message-ID finds no message (a legacy JMRP report)."""
    project.deliver(complaint("arf-yahoo-redacted.eml", sent_message_id(run, "jose.munoz@example.com")))
    project.deliver(complaint("jmrp-legacy.eml"))  # tom@example.net, a Message-ID not ours
    before = forget(run, tmp_path, "jose.munoz@example.com", "tom@example.net")
    summary, problems = inbox(run)
    assert summary["complaints"] == 0 and summary["unrecognised"] == 0 and summary["unmatched"] == 0
    only_said(run, tmp_path, before, problems, "a spam complaint (abuse)")
    assert summary["about_erased"] == 2
    stats = json.loads(run("--now", AFTER, "stats", "--json").stdout)
    assert stats["complaints"] == 0
    assert status(run, "ana.pena@example.org") == "active"


def test_a_bounce_found_by_message_id_about_a_lead_erased_since(project, run, tmp_path):
    project.deliver(plain_bounce(sent_message_id(run, "ana.pena@example.org")))
    before = forget(run, tmp_path, "ana.pena@example.org")
    result = run("--now", AFTER, "inbox")
    assert result.exit_code == 0, result.stderr
    only_said(run, tmp_path, before, result.stdout + result.stderr, "a bounce")
    assert "1 complaint or bounce about a lead erased since (nothing recorded)" in result.stdout
    assert "0 bounces" in result.stdout and "unrecognised" not in result.stdout


def test_a_bounce_found_by_the_address_hash_about_a_lead_erased_since(project, run, tmp_path):
    """No Message-ID: the recipient's keyed hash among the suppressions, whether the lead
    was erased as it was (`erased`) or after its address bounced (`bounced`)."""
    project.deliver(dsn("tom@example.net", "nobody@example.org", "nobody@example.org"))
    assert read(run)["bounces"] == 1 and status(run, "tom@example.net") == "bounced"
    project.deliver(bounce_by_address("ana.pena@example.org"))
    project.deliver(bounce_by_address("tom@example.net", "4.2.2", "452 4.2.2 Mailbox full"))
    before = forget(run, tmp_path, "ana.pena@example.org", "tom@example.net")
    summary, problems = inbox(run)
    assert summary["bounces"] == 0 and summary["failed"] == 0 and summary["unrecognised"] == 0
    only_said(run, tmp_path, before, problems, "a bounce")
    assert summary["about_erased"] == 2
    # Read again, nothing is counted twice.
    assert inbox(run)[0]["about_erased"] == 0


def test_a_refusal_of_the_sender_about_a_lead_erased_since_still_names_the_sender_problem(project, run, tmp_path):
    """The lead is gone, but an SPF refusal is the sender's set-up: the next leads'
    messages meet it too, so inbox still says it (SPEC §6's third owner)."""
    project.deliver(bounce_by_address(
        "ana.pena@example.org", "5.7.1",
        "550 5.7.1 Message rejected: SPF check failed for lauravidal.es (sender not permitted)"))
    before = forget(run, tmp_path, "ana.pena@example.org")
    summary, problems = inbox(run)
    assert summary["about_erased"] == 1 and summary["unrecognised"] == 0
    only_said(run, tmp_path, before, problems, "a bounce")
    assert "SPF" in problems, problems


def test_strangers_and_unsubscribed_only_suppressions_stay_for_review(project, run, tmp_path):
    """The traps, beside a bounce about a lead erased since: a complaint and a bounce about
    an address that was never a lead, a bounce about a stranger who once wrote "baja" (an
    `unsubscribed` suppression), and one about a lead erased after it unsubscribed (the
    same suppression: leadloop cannot tell the two apart) are kept for review, as before."""
    project.deliver(mail("nadie@otro.example", "baja", "baja"))
    project.deliver(mail("jose.munoz@example.com", "baja", "baja"))
    summary = read(run)
    assert summary["unsubscribes"] == 2 and status(run, "jose.munoz@example.com") == "unsubscribed"
    project.deliver(complaint("arf-rfc5965.eml").replace(b"jose.munoz@example.com", b"extrano@example.net"))
    project.deliver(bounce_by_address("extrano@example.net"))
    project.deliver(bounce_by_address("nadie@otro.example"))
    project.deliver(bounce_by_address("jose.munoz@example.com"))
    project.deliver(bounce_by_address("ana.pena@example.org"))
    forget(run, tmp_path, "jose.munoz@example.com", "ana.pena@example.org")
    summary, problems = inbox(run)
    assert summary["unrecognised"] == 4
    assert summary["about_erased"] == 1
    assert f"a bounce is {ERASED}" in problems
    reasons = [row["reason"] for row in json.loads(run("inbox", "--review", "--json").stdout)]
    assert len(reasons) == 4
    assert sum("spam complaint (abuse) about a message leadloop did not send" in r for r in reasons) == 1
