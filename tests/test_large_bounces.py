"""A delivery report too large to read whole is read from its first 256 KB (issue #25).

A report that returns our information pack whole, brochure and all, is over
MAX_MESSAGE_BYTES: the inbox reads its first MAX_HEADER_BYTES (a Maildir's file, IMAP's
partial fetch). RFC 3462 §1 and RFC 3464 §2 put the human-readable part and the
message/delivery-status part before the returned message; Exim's plain-text report puts
its diagnostic before "------ This is a copy of the message, including all the headers.
------" (Exim's spec, chapter "Message processing", the bounce message's layout). The
reports here are written for this test from those layouts; addresses and hosts are made
up (RFC 2606)."""

from __future__ import annotations

import json

from test_auth_reports import info_pack
from test_inbox import LATER, leads, mail, project, read, sent_message_id, status  # noqa: F401  (fixtures)

from leadloop.classify import classify
from leadloop.mailbox import MAX_HEADER_BYTES, MAX_MESSAGE_BYTES

REPORT_DECIDED = "too large to read whole: the report's fields at its start decided"


def large_dsn(recipient: str, status_code: str, diagnostic: str, original_id: str, *,
              action: str = "failed", text: str = "Your message could not be delivered.") -> bytes:
    """A Postfix-style RFC 3464 report (a text part, the delivery-status fields, the
    returned message) that returns our information pack whole: over the size limit."""
    raw = (
        "Return-Path: <>\r\nFrom: Mail Delivery System <MAILER-DAEMON@mx.example.net>\r\n"
        "To: laura@lauravidal.es\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        "Date: Tue, 03 Mar 2026 08:00:00 +0000\r\n"
        f"Message-ID: <large-{abs(hash((recipient, original_id, status_code, text)))}@mx.example.net>\r\n"
        'MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n'
        f"\r\n--B\r\nContent-Type: text/plain\r\n\r\n{text}\r\n"
        "\r\n--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: {action}\r\nStatus: {status_code}\r\n"
        f"Diagnostic-Code: smtp; {diagnostic}\r\n"
        "\r\n--B\r\nContent-Type: message/rfc822\r\n\r\n"
    ).encode() + info_pack(original_id, recipient) + b"\r\n--B--\r\n"
    assert len(raw) > MAX_MESSAGE_BYTES
    return raw


def large_exim_report(recipient: str, original_id: str) -> bytes:
    """Exim's plain-text report: the failed address and the server's words, then the
    copy of the message with all its headers."""
    return (
        "Return-path: <>\r\nFrom: Mail Delivery System <Mailer-Daemon@mx.example.net>\r\n"
        "To: laura@lauravidal.es\r\nSubject: Mail delivery failed: returning message to sender\r\n"
        "Date: Tue, 03 Mar 2026 08:00:00 +0000\r\nMessage-Id: <E1exim-0001@mx.example.net>\r\n"
        f"X-Failed-Recipients: {recipient}\r\nAuto-Submitted: auto-replied\r\n\r\n"
        "This message was created automatically by mail delivery software.\r\n\r\n"
        "A message that you sent could not be delivered to one or more of its\r\n"
        "recipients. This is a permanent error. The following address(es) failed:\r\n\r\n"
        f"  {recipient}\r\n    host mx.example.com [192.0.2.25]\r\n"
        f"    SMTP error from remote mail server after RCPT TO:<{recipient}>:\r\n"
        "    550 5.1.1 User unknown\r\n\r\n"
        "------ This is a copy of the message, including all the headers. ------\r\n\r\n"
    ).encode() + info_pack(original_id, recipient)


def bounce_events(run, email: str) -> list[dict]:
    shown = json.loads(run("show", email, "--json").stdout)
    return [e for e in shown["events"] if e["kind"] == "bounce"]


def messages(run, email: str) -> list[dict]:
    return json.loads(run("show", email, "--json").stdout)["messages"]


# --- A real Maildir, through `leadloop inbox` ----------------------------------------------


def test_a_dsn_that_returns_a_large_message_bounces_its_lead(project, run):
    """5.1.1: the address failed for good, read from the report's first bytes; the
    event says so, and nothing waits for review."""
    jose = sent_message_id(run, "jose.munoz@example.com")
    project.deliver(large_dsn("jose.munoz@example.com", "5.1.1", "550 5.1.1 <jose.munoz@example.com>: "
                              "Recipient address rejected: User unknown", jose))
    summary = read(run)
    assert summary["bounces"] == 1 and summary["unrecognised"] == 0 and summary["skipped"] == 0
    assert status(run, "jose.munoz@example.com") == "bounced"
    assert [m["state"] for m in messages(run, "jose.munoz@example.com")] == ["bounced"]
    [event] = bounce_events(run, "jose.munoz@example.com")
    assert event["permanent"] and event["status"] == "5.1.1" and event["message_id"] == jose
    assert event["note"] == REPORT_DECIDED
    assert json.loads(run("inbox", "--review", "--json").stdout) == []
    assert read(run)["bounces"] == 0  # known: read once


def test_a_large_mailbox_full_report_counts_a_soft_failure(project, run):
    """4.2.2 with Action: failed: that message failed, the lead stays in sequence."""
    ana = sent_message_id(run, "ana.pena@example.org")
    project.deliver(large_dsn("ana.pena@example.org", "4.2.2", "452 4.2.2 Mailbox full", ana))
    summary = read(run)
    assert summary["failed"] == 1 and summary["bounces"] == 0 and summary["unrecognised"] == 0
    assert status(run, "ana.pena@example.org") == "active"
    [message] = messages(run, "ana.pena@example.org")
    assert message["state"] == "failed" and "mailbox full" in message["error"]
    [event] = bounce_events(run, "ana.pena@example.org")
    assert not event["permanent"] and event["note"] == REPORT_DECIDED


def test_a_large_spf_refusal_is_the_senders(project, run):
    """5.7.1 for SPF: the sender was refused, not the lead; the message is due again."""
    tom = sent_message_id(run, "tom@example.net")
    project.deliver(large_dsn("tom@example.net", "5.7.1", "550 5.7.1 Message rejected because SPF check "
                              "failed: lauravidal.es does not designate 192.0.2.10 as a permitted sender", tom))
    summary = read(run)
    assert summary["sender_refused"] == 1 and summary["failed"] == 0 and summary["bounces"] == 0
    assert summary["unrecognised"] == 0
    [message] = messages(run, "tom@example.net")
    assert message["state"] == "deferred" and message["owner"] == "sender"
    assert leads(run)["tom@example.net"]["status"] == "active" and leads(run)["tom@example.net"]["contacts"] == 0
    [event] = bounce_events(run, "tom@example.net")
    assert event["owner"] == "sender" and event["note"] == REPORT_DECIDED


def test_a_large_plain_text_report_is_read_before_its_copy(project, run):
    """Exim's report names the address and the server's words before the copy."""
    project.deliver(large_exim_report("ana.pena@example.org", sent_message_id(run, "ana.pena@example.org")))
    summary = read(run)
    assert summary["bounces"] == 1 and summary["unrecognised"] == 0
    assert status(run, "ana.pena@example.org") == "bounced"
    assert [status(run, e) for e in ("jose.munoz@example.com", "tom@example.net")] == ["active", "active"]


def test_a_large_reply_quoting_a_report_is_still_a_reply(project, run):
    """A person's reply decides by its headers, whatever its first bytes quote: the
    report reader never runs on it."""
    reply = mail("Tom Baker <tom.work@empresa.example>", "Re: La información que me pidió",
                 "Mi servidor rechazó su primer correo:\n\n  tom@example.net\n"
                 "  550 5.1.1 User unknown\n\nAdjunto el briefing.")
    reply["In-Reply-To"] = sent_message_id(run, "tom@example.net")
    reply.add_attachment(b"%PDF-1.4 " + b"x" * (MAX_MESSAGE_BYTES + 1), maintype="application",
                         subtype="pdf", filename="briefing.pdf")
    project.deliver(reply)
    summary = read(run)
    assert summary["replies"] == 1 and summary["bounces"] == 0 and summary["unrecognised"] == 0
    assert status(run, "tom@example.net") == "replied"


def test_a_report_whose_fields_lie_beyond_its_start_falls_back_to_its_headers(project, run):
    """A human-readable part longer than what is read: the start names no recipient
    and no status, so the headers decide as before (kept for review)."""
    project.deliver(large_dsn("jose.munoz@example.com", "5.1.1", "550 5.1.1 User unknown",
                              sent_message_id(run, "jose.munoz@example.com"),
                              text="Long words. " * (MAX_HEADER_BYTES // 10)))
    summary = read(run)
    assert summary["unrecognised"] == 1 and summary["bounces"] == 0
    assert status(run, "jose.munoz@example.com") == "active"
    [review] = json.loads(run("inbox", "--review", "--json").stdout)
    assert review["reason"] == "not read (too large)"


def test_a_cut_inside_the_fields_takes_no_piece_of_an_address():
    """The last line read may end in the middle of an address: it is left out."""
    raw = large_dsn("jose.munoz@example.com", "5.1.1", "550 5.1.1 User unknown", "<info-1@lauravidal.es>",
                    text="Delivery failed.")
    cut = raw.index(b"jose.munoz@example.co") + len(b"jose.munoz@example.co")
    incoming = classify(raw[:raw.index(b"\r\n\r\n") + 4], headers_only=True, start=raw[:cut])
    assert (incoming.kind, incoming.failures, incoming.overall) == ("bounce", (), None)
    assert incoming.truncated

