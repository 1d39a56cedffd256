"""nullmailer's last report reads as a delay (issue #25).

nullmailer-send writes no delay notice. It runs nullmailer-dsn only when it moves a
message into its failed queue: after a refusal, or when a temporary failure outlived
`queuelifetime` (send.cc). nullmailer-dsn heads a 4.x.x status as a delay ("has not been
delivered", "A final delivery status notification will be generated", `Action: delayed`)
and adds `Will-Retry-Until` only when its caller says until when it retries (dsn.cc's
--retry-until), which nullmailer-send never does. So a nullmailer report that is
"delayed" with no Will-Retry-Until is the end: the pack failed, one of the lead's three;
with the field, it is a delay. The reports follow dsn.cc's layout; hosts and addresses
are made up."""

from __future__ import annotations

from leadloop.classify import classify
from one_lead import ANA, US, inbox_after, pack_state, project, sent_id  # noqa: F401 (project: a fixture)


def nullmailer_report(message_id: str, retry_until: bool = False) -> bytes:
    until = "Will-Retry-Until: Fri, 06 Mar 2026 09:00:00 +0000\n" if retry_until else ""
    promise = "\nDelivery will continue to be attempted until Fri, 06 Mar 2026 09:00:00 +0000\n" \
        if retry_until else ""
    text = f"""Return-Path: <>
From: Message Delivery Subsystem <MAILER-DAEMON@mail.lauravidal.es>
To: <{US}>
Subject: Returned mail: Could not send message
Date: Tue, 03 Mar 2026 09:00:00 +0000
Message-Id: <1772528400.1234.567.nullmailer@mail.lauravidal.es>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="1772528400.1200.567"

--1772528400.1200.567
Content-Type: text/plain; charset=us-ascii

This is the nullmailer delivery system.  The message attached below
has not been delivered to one or more of the intended recipients:

\t<{ANA}>
{promise}
A final delivery status notification will be generated if delivery
proves to be impossible within the configured time limit.

--1772528400.1200.567
Content-Type: message/delivery-status

Reporting-MTA: x-local-hostname; mail.lauravidal.es
Arrival-Date: Mon, 02 Mar 2026 10:00:00 +0000

Final-Recipient: rfc822; {ANA}
Action: delayed
Status: 4.2.2
Last-Attempt-Date: Tue, 03 Mar 2026 09:00:00 +0000
Remote-MTA: dns; smtp.example.net
Diagnostic-Code: SMTP; 452 4.2.2 Mailbox full
{until}
--1772528400.1200.567
Content-Type: message/rfc822

From: Laura Vidal <{US}>
To: Ana Peña <{ANA}>
Subject: La información que me pidió
Message-ID: {message_id}

--1772528400.1200.567--
"""
    return text.replace("\n", "\r\n").encode()


def test_the_report_that_ends_the_tries_is_a_failure():
    report = classify(nullmailer_report("<a@lauravidal.es>"))
    assert [(f.verdict.hard, f.verdict.reason) for f in report.failures] == [(False, "mailboxfull")]
    assert report.overall.verdict.reason != "delayed"


def test_a_report_that_says_until_when_it_retries_is_a_delay():
    report = classify(nullmailer_report("<a@lauravidal.es>", retry_until=True))
    assert [f.verdict.reason for f in report.failures] == ["delayed"]
    assert report.overall.verdict.reason == "delayed"


def test_the_lead_is_charged_once_the_tries_ended(project, run):
    counts, status = inbox_after(run, project, nullmailer_report(sent_id(run)))
    assert (counts["failed"], counts["delays"]) == (1, 0)
    assert pack_state(run) == "failed" and status != "bounced"
