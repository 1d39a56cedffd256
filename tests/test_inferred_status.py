"""A status a report infers is not a status the server said (issue #25 item 4, SPEC §7).

Sendmail reports a bare 550 answer to RCPT, one with no enhanced code of its own, as
`Status: 5.1.1` with its own line "550 5.1.1 <ADDRESS>... User unknown" (usersmtp.c: 550
→ 5.1.1, 551 → 5.1.6, 553 → 5.1.3, whatever the server said). Item 4 lets a 5.1.x beat
"disabled" when the server itself said "5.1.1 … mailbox disabled"; when only the report
says 5.1.1 and the server said "550 This account has been disabled", the server's words
are the lead's disabled mailbox: the message failed, the lead is not `bounced`. The traps:
the server's own 5.1.1 beside "disabled", and a bare 550 whose words say nothing else
(Sendmail's reading stands). The reports follow Sendmail's documented DSN layout (RFC
3464 with its "Transcript of session follows"); hosts and addresses are made up."""

from __future__ import annotations

import pytest

from one_lead import ANA, US, inbox_after, pack_state, project, sent_id  # noqa: F401 (project: a fixture)


def sendmail_report(message_id: str, reply: str, status: str = "5.1.1") -> bytes:
    boundary = "2B3AbCd012345.1772445600/mail.lauravidal.es"
    text = f"""Return-Path: <>
Date: Mon, 2 Mar 2026 10:00:05 +0100
From: Mail Delivery Subsystem <MAILER-DAEMON@mail.lauravidal.es>
Message-Id: <202603020900.2B3AbCd012345@mail.lauravidal.es>
To: <{US}>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="{boundary}"
Subject: Returned mail: see transcript for details
Auto-Submitted: auto-generated (failure)

This is a MIME-encapsulated message

--{boundary}

The original message was received at Mon, 2 Mar 2026 10:00:04 +0100
from localhost [127.0.0.1]

   ----- The following addresses had permanent fatal errors -----
<{ANA}>
    (reason: {reply})

   ----- Transcript of session follows -----
... while talking to mx.example.org.:
>>> DATA
<<< {reply}
550 {status} <{ANA}>... User unknown
<<< 503 5.5.1 No recipients

--{boundary}
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.lauravidal.es
Arrival-Date: Mon, 2 Mar 2026 10:00:04 +0100

Final-Recipient: RFC822; {ANA}
Action: failed
Status: {status}
Remote-MTA: DNS; mx.example.org
Diagnostic-Code: SMTP; {reply}
Last-Attempt-Date: Mon, 2 Mar 2026 10:00:05 +0100

--{boundary}
Content-Type: text/rfc822-headers

From: Laura Vidal <{US}>
To: Ana Peña <{ANA}>
Subject: La información que me pidió
Message-ID: {message_id}

--{boundary}--
"""
    return text.replace("\n", "\r\n").encode()


def test_a_disabled_account_under_sendmails_own_5_1_1_is_the_mailbox(project, run):
    counts, status = inbox_after(run, project, sendmail_report(sent_id(run), "550 This account has been disabled"))
    assert status == "active"
    assert counts["failed"] == 1 and counts["bounces"] == 0, counts
    assert pack_state(run) == "failed"


@pytest.mark.parametrize("reply", [
    "550 5.1.1 <ana.pena@example.org>... mailbox disabled",   # the server's own 5.1.1 (item 4)
    "550 Unrouteable address",                                # words of a dead address
    "550 Requested action not taken: mailbox unavailable",    # RFC 5321's bare 550: Sendmail's reading stands
])
def test_a_dead_address_under_sendmails_5_1_1_is_still_bounced(project, run, reply):
    counts, status = inbox_after(run, project, sendmail_report(sent_id(run), reply))
    assert status == "bounced" and counts["bounces"] == 1, counts
