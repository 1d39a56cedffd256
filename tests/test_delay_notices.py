"""A plain-text delay notice is a delay, whatever cause it quotes (issue #25).

A delay notice that carries no RFC 3464 "Action: delayed" (an older server, a gateway
that writes text only, a copy that lost the report's parts) says in a sentence of its own
that it is a warning and that the server goes on trying. That sentence decides, not the
cause it quotes (a full mailbox, a refusal of our IP): the message may yet arrive, so it
is only noted and never one of the lead's three (SPEC §7). A final report, which says it
gave up, stays a failure. The notices follow the servers' documented default texts
(Postfix's bounce(5) templates, Sendmail's, Exim's warning_message, Google's, Exchange's
delay DSN and its Spanish translation); hosts and addresses are made up."""

from __future__ import annotations

import pytest

from leadloop.classify import classify
from one_lead import ANA, US, inbox_after, pack_state, project, sent_id  # noqa: F401 (project: a fixture)

POSTFIX_DELAY = f"""This is the mail system at host mail.lauravidal.es.

####################################################################
# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #
####################################################################

Your message could not be delivered for more than 4 hour(s).
It will be retried until it is 5 day(s) old.

                   The mail system

<{ANA}>: host mx.example.org[192.0.2.7] said: 452 4.2.2 Mailbox full (in
    reply to RCPT TO command)
"""

SENDMAIL_DELAY = f"""The original message was received at Mon, 2 Mar 2026 10:00:00 +0100
from localhost

   ----- Transcript of session follows -----
... while talking to mx.example.org.:
>>> RCPT To:<{ANA}>
<<< 450 4.7.1 Client host rejected: cannot find your hostname
{ANA}... Deferred: 450 4.7.1 Client host rejected: cannot find your hostname
Warning: message still undelivered after 4 hours
Will keep trying until message is 5 days old
"""

GOOGLE_DELAY = f"""This is an automatically generated Delivery Status Notification

THIS IS A WARNING MESSAGE ONLY.

YOU DO NOT NEED TO RESEND YOUR MESSAGE.

Delivery to the following recipient has been delayed:

     {ANA}

Message will be retried for 2 more day(s)

Technical details of temporary failure:
The recipient server did not accept our requests to connect.
[mx.example.org. (10): Connection timed out]
"""

EXCHANGE_DELAY = f"""Delivery is delayed to these recipients or groups:

{ANA}

Subject: La información que me pidió

This message hasn't been delivered yet. Delivery will continue to be attempted.

The server will keep trying to deliver this message for the next 1 days, 19 hours and 51 minutes. You'll be notified if the message can't be delivered by that time.
"""

EXCHANGE_DELAY_ES = f"""La entrega a estos destinatarios o grupos se ha retrasado:

{ANA}

Asunto: La información que me pidió

Este mensaje todavía no se ha entregado. Se seguirá intentando entregarlo.
"""

POSTFIX_FINAL = f"""This is the mail system at host mail.lauravidal.es.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

                   The mail system

<{ANA}>: host mx.example.org[192.0.2.7] said: 452 4.2.2 Mailbox full (in
    reply to RCPT TO command)
"""

SENDMAIL_FINAL = f"""The original message was received at Mon, 2 Mar 2026 10:00:00 +0100
from localhost

   ----- Transcript of session follows -----
{ANA}... Deferred: Connection timed out with mx.example.org.
Message could not be delivered for 5 days
Message will be deleted from queue
"""


def plain_report(message_id: str, subject: str, text: str) -> bytes:
    raw = f"""Return-Path: <>
From: Mail Delivery System <MAILER-DAEMON@mail.lauravidal.es>
To: {US}
Subject: {subject}
Date: Tue, 03 Mar 2026 09:00:00 +0100
Message-ID: <notice.1@mail.lauravidal.es>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

{text}
------ This is a copy of the message's headers. ------

From: Laura Vidal <{US}>
To: Ana Peña <{ANA}>
Subject: La información que me pidió
Message-ID: {message_id}
"""
    return raw.replace("\n", "\r\n").encode()


@pytest.mark.parametrize("subject, text", [
    ("Delayed Mail (still being retried)", POSTFIX_DELAY),
    ("Warning: could not send message for past 4 hours", SENDMAIL_DELAY),
    ("Delivery Status Notification (Delay)", GOOGLE_DELAY),
    ("Delivery delayed:La información que me pidió", EXCHANGE_DELAY),
    ("Entrega retrasada:La información que me pidió", EXCHANGE_DELAY_ES),
], ids=["postfix", "sendmail", "google", "exchange", "exchange-es"])
def test_a_notice_that_says_it_goes_on_trying_is_a_delay(subject, text):
    report = classify(plain_report("<a@lauravidal.es>", subject, text))
    assert report.kind == "bounce"
    assert [(f.address, f.verdict.reason) for f in report.failures] == [(ANA, "delayed")]


def test_the_delays_cause_still_says_whose_it_is():
    # (OpenSMTPD's expiry, which names no cause, takes the owner of the delay it ends.)
    report = classify(plain_report("<a@lauravidal.es>", "Warning: could not send message for past 4 hours",
                                   SENDMAIL_DELAY))
    assert [f.verdict.owner for f in report.failures] == ["sender"]


@pytest.mark.parametrize("subject, text, reason", [
    ("Undelivered Mail Returned to Sender", POSTFIX_FINAL, "mailboxfull"),
    ("Returned mail: see transcript for details", SENDMAIL_FINAL, "expired"),
], ids=["postfix", "sendmail"])
def test_a_report_that_gave_up_stays_a_failure(subject, text, reason):
    report = classify(plain_report("<a@lauravidal.es>", subject, text))
    assert [(f.address, f.verdict.hard, f.verdict.reason) for f in report.failures] == [(ANA, False, reason)]


def test_the_lead_is_not_charged_for_a_delay(project, run):
    counts, status = inbox_after(run, project, plain_report(sent_id(run), "Delayed Mail (still being retried)",
                                                            POSTFIX_DELAY))
    assert (counts["delays"], counts["failed"]) == (1, 0)
    assert pack_state(run) == "sent" and status != "bounced"


def citadel_report(message_id: str, text: str) -> bytes:
    # Citadel signs its reports '"Citadel" <citadel@>' with "Return-Path: Citadel", and
    # writes a delay warning and a failure under the same subject (its smtp_queue.c).
    raw = f"""Return-Path: Citadel
Date: Tue, 03 Mar 2026 09:00:00 -0000
Subject: Delivery Status Notification (Failure)
Message-ID: <6B14E268-0000005C@mail.lauravidal.es>
From: "Citadel" <citadel@>
Content-type: multipart/mixed; boundary="=_Citadel_Multipart_mail.lauravidal.es_261c000d"
MIME-Version: 1.0
X-Mailer: Citadel Server 980

This is a multipart message in MIME format.

--=_Citadel_Multipart_mail.lauravidal.es_261c000d
Content-type: text/plain

{text}
{ANA}: 421 ()
--=_Citadel_Multipart_mail.lauravidal.es_261c000d
Content-type: message/rfc822
Content-Transfer-Encoding: 7bit
Content-Disposition: inline

Return-Path: {US}
Date: Mon, 02 Mar 2026 10:00:00 -0000
To: Ana Peña <{ANA}>
Subject: La información que me pidió
Message-ID: {message_id}
From: "Laura Vidal" <{US}>

Hola, Ana:

--=_Citadel_Multipart_mail.lauravidal.es_261c000d--
"""
    return raw.replace("\n", "\r\n").encode()


CITADEL_DELAY = """A message you sent has not been delivered to some or all of its recipients.
Citadel will continue attempting delivery for five days.
The following addresses were undeliverable:
"""
CITADEL_GAVE_UP = """A message you sent could not be delivered to some or all of its recipients
due to prolonged unavailability of its destination(s).
Giving up on the following addresses:
"""


def test_a_report_signed_by_no_mail_system_is_still_a_report():
    delay = classify(citadel_report("<a@lauravidal.es>", CITADEL_DELAY))
    assert delay.kind == "bounce" and [f.verdict.reason for f in delay.failures] == ["delayed"]
    gave_up = classify(citadel_report("<a@lauravidal.es>", CITADEL_GAVE_UP))
    assert gave_up.kind == "bounce" and [f.verdict.reason for f in gave_up.failures] == ["expired"]


def test_citadels_delay_warning_changes_no_lead(project, run):
    counts, status = inbox_after(run, project, citadel_report(sent_id(run), CITADEL_DELAY))
    assert (counts["delays"], counts["failed"], counts["replies"]) == (1, 0, 0)
    assert pack_state(run) == "sent" and status != "replied"


def test_the_subject_of_a_delay_warning_decides_when_the_text_was_scrubbed():
    report = classify(plain_report("<a@lauravidal.es>", "[R] Warning: could not send message for past 4 hours",
                                   "An embedded message was scrubbed...\n"))
    assert report.kind == "bounce" and report.overall.verdict.reason == "delayed"


def test_a_person_under_a_reports_subject_with_nothing_returned_is_a_reply():
    raw = (f"From: Ana Peña <{ANA}>\r\nTo: {US}\r\nSubject: Delivery Status Notification (Failure)\r\n"
           "Message-ID: <ana.1@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           "Hola, Laura: me llega este aviso cada vez que le escribo. ¿Qué significa?\r\n").encode()
    assert classify(raw).kind == "reply"


def test_a_flattened_delay_warning_is_still_a_report():
    # A copy that flattened the multipart to its texts, the returned message's part lost:
    # the warning's own heading ("has not been delivered to some or all of its
    # recipients", Exim's "has not yet been delivered to one or more of its recipients").
    whole = citadel_report("<a@lauravidal.es>", CITADEL_DELAY).decode()
    head, _, _ = whole.partition("\r\n\r\n")
    head = head.replace('Content-type: multipart/mixed; boundary="=_Citadel_Multipart_mail.lauravidal.es_261c000d"',
                        "Content-type: text/plain")
    flat = f"{head}\r\n\r\n{CITADEL_DELAY}{ANA}: 421 ()\r\n\r\nHola, Ana:\r\n".replace("\n", "\r\n").replace(
        "\r\r\n", "\r\n")
    report = classify(flat.encode())
    assert report.kind == "bounce" and report.overall.verdict.reason == "delayed"
