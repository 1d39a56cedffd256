"""A lead's server that takes no address in Unicode (issue #25, SPEC §5 "International
addresses", §6 "Outcomes"). A lead such as josé.garcía@… is sent with SMTPUTF8 (RFC
6531); when the lead's own server does not offer it, the relay cannot hand it the
message and says so: Postfix "SMTPUTF8 is required, but was not offered by host …" under
RFC 6531's 5.6.7, in RFC 6533's message/global-delivery-status; Courier "Unable to
deliver Unicode E-mail to a non-Unicode mail server", which it answers itself at MAIL
FROM, under 5.0.0. The lead's mailbox's failure (one of its three), never a dead
address, and never the sender's message: offered again, it would meet the same server.
Postfix smtpd's "Must declare SMTPUTF8 to send unicode address" is our client's conduct
and stays ours. Reports written for this test from Postfix's bounce(8) layout and the
texts of Postfix's smtp/smtp_proto.c and Courier's courieresmtp; hosts are made up."""

from __future__ import annotations

import json

import pytest

from leadloop.delivery_status import ADDRESS, MAILBOX, SENDER, judge
from test_inbox import Maildir

US = "laura@lauravidal.es"
JOSE = "josé.garcía@example.org"


@pytest.mark.parametrize("status, words, command", [
    ("5.6.7", "SMTPUTF8 is required, but was not offered by host mx.example.org[192.0.2.7]", None),
    ("5.0.0", "553-The recipient's mail server does not support E-mail 553-messages with international "
              "Unicode E-mail addresses or 553-E-mail messages in the international Unicode E-mail format. "
              "553 Unable to deliver Unicode E-mail to a non-Unicode mail server.", "MAIL"),
    ("5.6.7", "550 5.6.7 Non-ASCII addresses not permitted for that sender/recipient", "RCPT"),
    ("5.6.9", "550 5.6.9 UTF-8 header message cannot be transferred to one or more recipients", "DATA"),
])
def test_a_server_without_smtputf8_is_the_leads_mailboxs(status, words, command):
    verdict = judge(status, words, command=command, quoted=True)
    assert (verdict.hard, verdict.reason, verdict.owner) == (False, "nosmtputf8", MAILBOX), verdict
    assert judge(status, words, command=command, quoted=True, delayed=True).reason == "delayed"


def test_our_client_not_declaring_smtputf8_stays_ours():
    verdict = judge("5.5.2", "555 5.5.2 Must declare SMTPUTF8 to send unicode address", command="RCPT")
    assert verdict.owner == SENDER and verdict.reason != "nosmtputf8"
    assert judge("5.1.1", "550 5.1.1 <josé@example.org>: User unknown", command="RCPT").owner == ADDRESS
    # A bare X.6.9 is older than RFC 6531: Sendmail's 8-bit header refusal, our message's form.
    assert judge("5.6.9", "550 5.6.9 improper use of 8-bit data in message header", command="DATA").owner == SENDER


def global_report(address: str) -> bytes:
    """Postfix's report in RFC 6533's layout, as it writes one for a Unicode address."""
    return f"""Return-Path: <>
From: MAILER-DAEMON@relay.lauravidal.es (Mail Delivery System)
To: {US}
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
Message-Id: <20260303100000.C1@relay.lauravidal.es>
Date: Tue, 03 Mar 2026 10:00:00 +0100
MIME-Version: 1.0
Content-Type: multipart/report; report-type=global-delivery-status; boundary="G1"
Content-Transfer-Encoding: 8bit

--G1
Content-Description: Notification
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

This is the mail system at host relay.lauravidal.es.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

                   The mail system

<{address}>: SMTPUTF8 is required, but was not offered by host
    mx.example.org[192.0.2.7]

--G1
Content-Description: Delivery report
Content-Type: message/global-delivery-status
Content-Transfer-Encoding: 8bit

Reporting-MTA: dns; relay.lauravidal.es
X-Postfix-Queue-ID: 4C1A2B3
Arrival-Date: Mon,  2 Mar 2026 10:00:01 +0100

Final-Recipient: utf-8; {address}
Original-Recipient: utf-8;{address}
Action: failed
Status: 5.6.7
Diagnostic-Code: X-Postfix; SMTPUTF8 is required, but was not offered by host
    mx.example.org[192.0.2.7]

--G1
Content-Description: Undelivered Message Headers
Content-Type: message/global-headers
Content-Transfer-Encoding: 8bit

From: Laura Vidal <{US}>
To: {address}
Subject: =?utf-8?q?Informaci=C3=B3n?=

--G1--
""".encode()


def test_the_pack_to_a_unicode_address_fails_as_one_of_the_three(tmp_path, run):
    (tmp_path / "leadloop.toml").write_text(
        f'[sender]\nname = "Laura Vidal"\naddress = "{US}"\n\n[inbox]\nmaildir = "mail"\n', encoding="utf-8")
    (tmp_path / "leads.csv").write_text(
        f"email,nombre,producto,fecha\n{JOSE},José García,Taller de acuarela,02/03/2026 08:15\n", encoding="utf-8")
    assert run("import", "leads.csv").exit_code == 0
    box = Maildir(tmp_path / "mail")
    assert run("--now", "2026-03-02T10:00", "run-daily").exit_code == 0
    box.deliver(global_report(JOSE))
    result = run("--now", "2026-03-03T10:00", "inbox", "--json")
    assert result.exit_code == 0, result.stderr
    counts = json.loads(result.stdout)
    assert (counts["failed"], counts["bounces"], counts["sender_refused"]) == (1, 0, 0), counts
    shown = json.loads(run("show", JOSE, "--json").stdout)
    pack = next(m for m in shown["messages"] if m["step"] == 0)
    assert (shown["status"], pack["state"], pack["owner"]) == ("active", "failed", "mailbox")
    assert "takes no address in Unicode (SMTPUTF8)" in pack["error"]


def test_an_ascii_local_part_refused_for_smtputf8_is_our_relays_doing():
    """An ASCII local part never needs SMTPUTF8: its domain goes in its ASCII form (RFC
    5890), as leadloop hands it over. Refused so, the server we send through wrote the
    domain in Unicode (Courier relays an IDN domain in its U-label): ours."""
    from leadloop.classify import classify

    ascii_lead = classify(global_report("reservas@albergue-castañar.es"), own=frozenset({US}))
    assert [(f.address, f.verdict.reason, f.verdict.owner) for f in ascii_lead.failures] == [
        ("reservas@albergue-castañar.es", "nosmtputf8", SENDER)]
    unicode_lead = classify(global_report(JOSE), own=frozenset({US}))
    assert [f.verdict.owner for f in unicode_lead.failures] == [MAILBOX]
