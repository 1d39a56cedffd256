"""The lead's server in trouble before any recipient is named (issue #25; SPEC §6
"Outcomes"). A relay's report that the lead's server answered "421 Service temporarily
unavailable" at the greeting, lost the connection during EHLO, or never answered, until
the relay gave up, is the lead's mailbox's failure, as any temporary answer for that
recipient is: one of the lead's three, never the sender's problem. A refusal at the
greeting (a block, our rate, our HELO name) stays ours, and so does anything leadloop's
own SMTP client meets at our relay's greeting. Reports in Postfix's bounce(8) layout and
Exim's; hosts and addresses are made up."""

from __future__ import annotations

import pytest

from leadloop.delivery_status import judge
from one_lead import ANA, US, inbox_after, pack_state, project, sent_id  # noqa: F401 (project: a fixture)


@pytest.mark.parametrize("status, words, command", [
    ("4.4.2", "lost connection with mx.example.org[192.0.2.7] while performing the EHLO handshake", "HELO"),
    ("5.0.0", "421-mx.example.org Service temporarily unavailable, closing 421 transmission channel: "
              "retry timeout exceeded", "CONN"),
    ("4.4.7", "421 mx.example.org (TCP)... Deferred: Connection reset by peer during greeting wait", "CONN"),
    ("4.4.2", "conversation with mx.example.org[192.0.2.7] timed out while receiving the initial server greeting",
     "CONN"),
])
def test_the_leads_server_in_trouble_at_the_greeting_is_the_mailboxs(status, words, command):
    verdict = judge(status, words, quoted=True, command=command)
    assert (verdict.hard, verdict.owner) == (False, "mailbox"), verdict
    # Heard by leadloop's own SMTP client, the server at the greeting is our relay: ours.
    assert judge(status, words, command=command).owner == "sender"


@pytest.mark.parametrize("status, words, command", [
    ("5.7.1", "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org", "CONN"),
    ("4.7.0", "421 4.7.0 Too many connections from your IP, try again later", "CONN"),
    (None, "421 Too many connections from your IP, try again later", "CONN"),
    ("4.7.1", "450 4.7.1 <relay.lauravidal.es>: Helo command rejected: Host not found", "HELO"),
    ("5.0.0", "554 mx.example.org ESMTP not accepting messages from dynamic IP addresses", "CONN"),
])
def test_a_refusal_at_the_greeting_stays_ours(status, words, command):
    verdict = judge(status, words, quoted=True, command=command)
    assert (verdict.hard, verdict.owner) == (False, "sender"), verdict


def postfix_expiry(message_id: str) -> bytes:
    text = f"""Return-Path: <>
From: MAILER-DAEMON@relay.lauravidal.es (Mail Delivery System)
To: {US}
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
Message-Id: <20260305100000.AB12@relay.lauravidal.es>
Date: Thu, 05 Mar 2026 10:00:00 +0100
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="PF"

--PF
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host relay.lauravidal.es.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

                   The mail system

<{ANA}>: lost connection with mx.example.org[192.0.2.7] while performing the
    EHLO handshake

--PF
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; relay.lauravidal.es

Final-Recipient: rfc822; {ANA}
Original-Recipient: rfc822;{ANA}
Action: failed
Status: 4.4.2
Diagnostic-Code: X-Postfix; lost connection with mx.example.org[192.0.2.7] while
    performing the EHLO handshake

--PF
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: Laura Vidal <{US}>
To: Ana Peña <{ANA}>
Subject: La información que me pidió
Message-ID: {message_id}

--PF--
"""
    return text.replace("\n", "\r\n").encode()


def test_a_relay_that_gave_up_on_a_dead_greeting_charges_the_lead_a_failure(project, run):
    counts, status = inbox_after(run, project, postfix_expiry(sent_id(run)))
    assert status == "active" and counts["failed"] == 1 and counts["sender_refused"] == 0, counts
    assert pack_state(run) == "failed"
