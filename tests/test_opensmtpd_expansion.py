"""OpenSMTPD's "524 5.2.4 Mailing list expansion problem" is a dead address (issue #25).

An OpenSMTPD that serves a domain from a virtual table answers RCPT with that sentence
when the address is not in the table (smtpd/lka_session.c: "no aliases for virtual"
gives LKA_PERMFAIL with this default text). Read by its status alone (5.2.4, a mailing
list's expansion: the mailbox's), the lead stayed in sequence and every follow-up met
the same refusal. The traps: the same status without OpenSMTPD's 524 (an Exchange
group's) and its temporary 424 4.2.4 are still not the address. The reports follow
Postfix's documented bounce(8) layout; hosts and addresses are made up."""

from __future__ import annotations

import pytest

from one_lead import ANA, US, inbox_after, project, sent_id  # noqa: F401 (project: a fixture)


def postfix_report(message_id: str, reply: str, status: str) -> bytes:
    text = f"""Return-Path: <>
From: MAILER-DAEMON@mail.lauravidal.es (Mail Delivery System)
To: {US}
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="AB12.1772445605/mail.lauravidal.es"
Message-Id: <20260302090005.AB12@mail.lauravidal.es>
Date: Mon,  2 Mar 2026 10:00:05 +0100 (CET)

--AB12.1772445605/mail.lauravidal.es
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mail.lauravidal.es.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

                   The mail system

<{ANA}>: host mx.example.org[192.0.2.7] said: {reply}
    (in reply to RCPT TO command)

--AB12.1772445605/mail.lauravidal.es
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.lauravidal.es
X-Postfix-Queue-ID: AB12
Arrival-Date: Mon,  2 Mar 2026 10:00:04 +0100 (CET)

Final-Recipient: rfc822; {ANA}
Original-Recipient: rfc822;{ANA}
Action: failed
Status: {status}
Remote-MTA: dns; mx.example.org
Diagnostic-Code: smtp; {reply}

--AB12.1772445605/mail.lauravidal.es
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: Laura Vidal <{US}>
To: Ana Peña <{ANA}>
Subject: La información que me pidió
Message-ID: {message_id}

--AB12.1772445605/mail.lauravidal.es--
"""
    return text.replace("\n", "\r\n").encode()


def status_after(run, project, reply: str, status: str) -> tuple[dict, str]:
    return inbox_after(run, project, postfix_report(sent_id(run), reply, status))


def test_opensmtpds_virtual_table_miss_is_the_address(project, run):
    counts, status = status_after(run, project, f"524 5.2.4 Mailing list expansion problem: <{ANA}>", "5.2.4")
    assert status == "bounced" and counts["bounces"] == 1, counts


@pytest.mark.parametrize("reply, status", [
    ("550 5.2.4 Mailing list expansion problem", "5.2.4"),      # an Exchange group's: the mailbox's
    (f"424 4.2.4 Mailing list expansion problem: <{ANA}>", "4.2.4"),  # OpenSMTPD's temporary one
])
def test_other_expansion_problems_are_not_the_address(project, run, reply, status):
    counts, lead = status_after(run, project, reply, status)
    assert lead == "active" and counts["bounces"] == 0, counts
