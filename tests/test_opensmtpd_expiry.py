"""OpenSMTPD 6.x reports the end of its tries under its delay notice's heading (issue #25).

When an envelope's queue time runs out, smtpd/queue.c gives up with "Envelope expired"
(status 4.4.7), and 6.x, Debian bookworm's 6.8 among them, writes that last report as a
delay: "Delivery status notification: delayed", "A message is delayed…", "this is only
a temporary failure report", `Action: delayed` (OpenSMTPD pull request 1133 fixed it
upstream). Nothing is retried after it: the message failed, one of the lead's three,
unless the delay notice the same relay wrote earlier for that message named a refusal of
ours, which the expiry (naming no cause) only ends. A delay notice with a cause stays a
delay. The notices follow OpenSMTPD's bounce.c layout; hosts and addresses are made up."""

from __future__ import annotations

from leadloop.classify import classify
from one_lead import ANA, US, inbox_after, pack_state, project, sent_id  # noqa: F401 (project: a fixture)


DELAYED_TEXT = """    A message is delayed for more than 4 hours for the following
    list of recipients:

{recipient}

    Please note that this is only a temporary failure report.
    The message is kept in the queue for up to 4 days.
    You DO NOT NEED to re-send the message to these recipients.
"""
DELIVERED_TEXT = """    Your message was successfully delivered to these recipients.

{recipient}
"""


def opensmtpd_report(message_id: str, line: str, status: str, *, action: str = "delayed") -> bytes:
    """A report in OpenSMTPD's bounce.c layout: multipart/mixed, whatever its kind."""
    notice = (DELIVERED_TEXT if action == "delivered" else DELAYED_TEXT).format(recipient=f"{ANA}: {line}")
    text = f"""Return-Path: <>
Subject: Delivery status notification: {action}
From: Mailer Daemon <MAILER-DAEMON@mail.lauravidal.es>
To: {US}
Date: Tue, 3 Mar 2026 09:00:00 +0000 (UTC)
MIME-Version: 1.0
Content-Type: multipart/mixed;boundary="1234567890/mail.lauravidal.es"
Message-ID: <59546e56baa18e44@mail.lauravidal.es>

This is a MIME-encapsulated message.

--1234567890/mail.lauravidal.es
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

    Hi!

    This is the MAILER-DAEMON, please DO NOT REPLY to this email.

{notice}
    Below is a copy of the original message:

--1234567890/mail.lauravidal.es
Content-Description: Delivery Report
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.lauravidal.es

Final-Recipient: rfc822; {ANA}
Action: {action}
Status: {status}

--1234567890/mail.lauravidal.es
Content-Description: Message headers
Content-Type: text/rfc822-headers

From: Laura Vidal <{US}>
To: Ana Peña <{ANA}>
Subject: La información que me pidió
Message-ID: {message_id}

--1234567890/mail.lauravidal.es--
"""
    return text.replace("\n", "\r\n").encode()


EXPIRED = ("Envelope expired", "4.4.7")
FULL = ("452 4.2.2 Mailbox full", "4.0.0")
NO_RDNS = ("450 4.7.25 Client host rejected: cannot find your hostname, [192.0.2.1]", "4.0.0")


def test_the_expiry_is_a_failure_and_the_delay_notice_a_delay():
    expired = classify(opensmtpd_report("<a@lauravidal.es>", *EXPIRED))
    assert [(f.verdict.hard, f.verdict.reason) for f in expired.failures] == [(False, "expired")]
    delayed = classify(opensmtpd_report("<a@lauravidal.es>", *FULL))
    assert [f.verdict.reason for f in delayed.failures] == ["delayed"]


def test_an_expired_pack_is_one_of_the_leads_failures(project, run):
    counts, status = inbox_after(run, project, opensmtpd_report(sent_id(run), *EXPIRED))
    assert (counts["failed"], counts["delays"], counts["sender_refused"]) == (1, 0, 0)
    assert pack_state(run) == "failed" and status != "bounced"


def test_the_expiry_of_a_refusal_of_ours_charges_no_lead(project, run):
    # The relay's first notice named the cause (no reverse DNS for our relay's IP): the
    # expiry only ends those tries, and the pack is offered again.
    counts, _ = inbox_after(run, project, opensmtpd_report(sent_id(run), *NO_RDNS))
    assert (counts["delays"], counts["failed"]) == (1, 0)
    counts, _ = inbox_after(run, project, opensmtpd_report(sent_id(run), *EXPIRED))
    assert (counts["failed"], counts["sender_refused"]) == (0, 1)
    assert pack_state(run) != "failed"


def test_after_a_full_mailboxs_delay_the_expiry_is_still_the_leads(project, run):
    counts, _ = inbox_after(run, project, opensmtpd_report(sent_id(run), *FULL))
    assert counts["delays"] == 1
    counts, _ = inbox_after(run, project, opensmtpd_report(sent_id(run), *EXPIRED))
    assert (counts["failed"], counts["sender_refused"]) == (1, 0)
    assert pack_state(run) == "failed"


def opensmtpd_receipt(message_id: str) -> bytes:
    # OpenSMTPD's answer to NOTIFY=SUCCESS, as multipart/mixed like all its reports.
    return opensmtpd_report(message_id, "", "2.0.0", action="delivered")


def test_a_receipt_for_a_delivered_pack_is_no_failure(project, run):
    assert classify(opensmtpd_receipt("<a@lauravidal.es>")).kind == "auto_reply"
    counts, status = inbox_after(run, project, opensmtpd_receipt(sent_id(run)))
    assert (counts["failed"], counts["delays"], counts["bounces"]) == (0, 0, 0)
    assert pack_state(run) == "sent" and status != "bounced"
