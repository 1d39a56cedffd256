"""A receiving server's limit on OUR rate is the sender's, however the report ends
(issue #25; SPEC §6 "Outcomes": rate limits and sending quotas are the sender's).

Postfix's anvil(8) limits answer a client that sends too much with "450 4.7.1 Error: too
much mail from IP" (smtpd.c), rspamd's ratelimit module with 'Ratelimit "BUCKET" exceeded'. A relay that keeps trying until its retry time runs out
reports the expiry with that answer (Exim: "…: retry timeout exceeded" in its
Diagnostic-Code, which read as an expiry, the lead's mailbox's): the lead's mailbox was
never the problem, and the failure must not be one of the lead's three. The trap: a
mailbox that is full until the retry time ran out is still the lead's. The reports follow
Exim's documented bounce layout (Exim specification ch. 48); hosts and addresses are made up."""

from __future__ import annotations

import pytest

from leadloop.delivery_status import judge
from one_lead import ANA, US, inbox_after, pack_state, project, sent_id  # noqa: F401 (project: a fixture)


def exim_expiry(message_id: str, answer: str) -> bytes:
    text = f"""Return-Path: <>
From: Mail Delivery System <Mailer-Daemon@mail.lauravidal.es>
To: {US}
Subject: Mail delivery failed: returning message to sender
Auto-Submitted: auto-replied
Message-Id: <E1abcde-000123-AB@mail.lauravidal.es>
Date: Tue, 03 Mar 2026 09:00:00 +0100
Content-Type: multipart/report; report-type=delivery-status; boundary="1772524800-eximdsn-1"
MIME-Version: 1.0

--1772524800-eximdsn-1
Content-type: text/plain; charset=us-ascii

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  {ANA}
    host mx.example.org [192.0.2.7]
    SMTP error from remote mail server after RCPT TO:<{ANA}>:
    {answer}:
    retry timeout exceeded

--1772524800-eximdsn-1
Content-type: message/delivery-status

Reporting-MTA: dns; mail.lauravidal.es

Action: failed
Final-Recipient: rfc822;{ANA}
Status: 5.0.0
Remote-MTA: dns; mx.example.org
Diagnostic-Code: smtp; {answer}: retry timeout exceeded

--1772524800-eximdsn-1
Content-type: text/rfc822-headers

From: Laura Vidal <{US}>
To: Ana Peña <{ANA}>
Subject: La información que me pidió
Message-ID: {message_id}

--1772524800-eximdsn-1--
"""
    return text.replace("\n", "\r\n").encode()


def test_postfixs_limit_on_our_rate_is_ours():
    for status, words in (("4.7.1", "450 4.7.1 Error: too much mail from 192.0.2.1"),
                          ("5.0.0", "450 4.7.1 Error: too much mail from 192.0.2.1: retry timeout exceeded"),
                          # rspamd's ratelimit module ('Ratelimit "BUCKET" exceeded')
                          ("4.7.1", '451 4.7.1 Ratelimit "bounce_ip" exceeded'),
                          ("5.0.0", '451 4.7.1 Ratelimit "bounce_ip" exceeded: retry timeout exceeded')):
        verdict = judge(status, words, quoted=True, command="RCPT")
        assert verdict.owner == "sender" and not verdict.hard, verdict


def test_a_relay_that_gave_up_on_our_rate_limit_charges_no_lead(project, run):
    counts, status = inbox_after(run, project, exim_expiry(sent_id(run), "450 4.7.1 Error: too much mail from 192.0.2.1"))
    assert status == "active" and counts["sender_refused"] == 1 and counts["failed"] == 0, counts
    assert pack_state(run) != "failed"


def test_a_full_mailbox_until_the_retry_time_ran_out_is_still_the_leads(project, run):
    counts, status = inbox_after(run, project, exim_expiry(
        sent_id(run), "452 4.2.2 <ana.pena@example.org>: Mailbox full"))
    assert status == "active" and counts["failed"] == 1 and counts["sender_refused"] == 0, counts


def test_rspamds_per_recipient_bucket_is_the_mailboxs():
    # rspamd's "to" bucket counts the mail one recipient gets from everyone (its ratelimit
    # documentation; mailcow's default): the lead's mailbox's flood, not our rate. Its
    # "to_ip_from" bucket counts ours.
    ours = judge("4.7.1", '451 4.7.1 Ratelimit "to_ip_from" exceeded', quoted=True, command="RCPT")
    assert ours.owner == "sender"
    for words in ('451 4.7.1 Ratelimit "to" exceeded', '451 4.7.1 Ratelimit "to" exceeded: retry timeout exceeded'):
        verdict = judge("4.7.1", words, quoted=True, command="RCPT")
        assert (verdict.hard, verdict.owner) == (False, "mailbox"), verdict


def test_a_policy_servers_count_of_our_requests_is_ours():
    # postfwd's manual gives its rate action the text "sorry, max 3 requests per 5
    # minutes"; Postfix writes it under "Recipient address rejected:" because the policy
    # server answers at RCPT. A count of our requests in a span of time is our rate.
    for status, words in (
            ("4.7.1", "450 4.7.1 <ana.pena@example.org>: Recipient address rejected: sorry, max 3 requests per"
                      " 5 minutes"),
            ("5.0.0", "450 4.7.1 <ana.pena@example.org>: Recipient address rejected: sorry, max 20 messages per"
                      " hour: retry timeout exceeded")):
        verdict = judge(status, words, quoted=True, command="RCPT")
        assert (verdict.hard, verdict.owner) == (False, "sender"), verdict
    # A limit on recipients per message is no rate, and a full mailbox stays the lead's.
    assert judge("4.2.2", "452 4.2.2 Mailbox full, max 100 messages per folder", command="RCPT").owner == "mailbox"
