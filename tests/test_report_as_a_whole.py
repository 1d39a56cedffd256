"""A report read as a whole is read as its recipients are (issue #25).

When the recipient a report names is not the lead (the lead's address forwards to
another, which failed), the lead is found by the returned message and the report's
verdict as a whole applies. That verdict was read without knowing the report gave up
(`Action: failed`), so Gmail's and chasquid's "the domain does not exist" under the
canned 4.0.0 read as a temporary failure there, and as the dead address it is for the
named recipient. The report follows Gmail's documented "Address not found" layout;
hosts and addresses are made up."""

from __future__ import annotations

from leadloop.classify import classify
from one_lead import ANA, US, inbox_after, project, sent_id  # noqa: F401 (project: a fixture)

FORWARDED_TO = "ana.pena@dominio-nuevo.es"


def gmail_nxdomain(message_id: str) -> bytes:
    text = f"""Return-Path: <>
From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: {US}
Subject: Delivery Status Notification (Failure)
Auto-Submitted: auto-replied
Message-ID: <5e8f0a1b.1c69fb81.ab12.0001.GMR@mx.google.com>
Date: Tue, 03 Mar 2026 01:00:00 -0800 (PST)
MIME-Version: 1.0
Content-Type: multipart/report; boundary="000000000000a1b2c3"; report-type=delivery-status

--000000000000a1b2c3
Content-Type: text/plain; charset="UTF-8"

** Address not found **

Your message wasn't delivered to {FORWARDED_TO} because the domain dominio-nuevo.es couldn't be found. Check for typos or unnecessary spaces and try again.

The response was:

DNS Error: 27145411 DNS type 'mx' lookup of dominio-nuevo.es responded with code NXDOMAIN Domain name not found: dominio-nuevo.es

--000000000000a1b2c3
Content-Type: message/delivery-status

Reporting-MTA: dns; googlemail.com
Received-From-MTA: dns; mail.example.org
Arrival-Date: Tue, 03 Mar 2026 01:00:00 -0800 (PST)

Final-Recipient: rfc822; {FORWARDED_TO}
Action: failed
Status: 4.0.0
Diagnostic-Code: smtp; DNS Error: 27145411 DNS type 'mx' lookup of dominio-nuevo.es responded with code NXDOMAIN Domain name not found: dominio-nuevo.es
Last-Attempt-Date: Tue, 03 Mar 2026 01:00:01 -0800 (PST)

--000000000000a1b2c3
Content-Type: message/rfc822

From: Laura Vidal <{US}>
To: Ana Peña <{ANA}>
Subject: La información que me pidió
Message-ID: {message_id}

Hola, Ana:

--000000000000a1b2c3--
"""
    return text.replace("\n", "\r\n").encode()


def test_the_whole_reads_as_its_recipient():
    report = classify(gmail_nxdomain("<a@lauravidal.es>"))
    assert [(f.address, f.verdict.hard) for f in report.failures] == [(FORWARDED_TO, True)]
    assert report.overall.verdict.hard and report.overall.verdict.reason == "hostunknown"


def test_the_lead_whose_address_forwards_to_a_dead_domain_bounces(project, run):
    counts, status = inbox_after(run, project, gmail_nxdomain(sent_id(run)))
    assert counts["bounces"] == 1 and status == "bounced"
