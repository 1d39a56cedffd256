"""A refusal heard with no command sent is the greeting's, unless it names a mailbox
(issue #25; SPEC §7).

Courier's reports quote what each server said with "<<<" and what Courier sent with
">>>". For a mailbox it delivers to itself (a hosting server that holds the lead's domain
beside ours) there is no session to quote: its local delivery's answer stands alone,
" <<< 550 User <ana.pena> unknown". leadloop read a refusal heard before any command as
the greeting's, which can only be about us, and counted a dead address as our server
refused. A greeting is said before any recipient is named, so a refusal that names one
answered that recipient. The traps: a real greeting refusal (a blocklist at connection,
with a link in angle brackets) is still the sender's. The reports follow Courier's
documented DSN layout (courier/module.dsn); hosts and addresses are made up."""

from __future__ import annotations

import pytest

from one_lead import ANA, US, inbox_after, project, sent_id  # noqa: F401 (project: a fixture)


def courier_report(message_id: str, session: str, diagnostic: str) -> bytes:
    text = f"""Return-Path: <>
From: mailer-daemon@smtp.hosting.example
To: {US}
Subject: NOTICE: mail delivery status.
Mime-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
    boundary="=_courier_0"
Message-ID: <courier.5E8F1A2B.0000ABCD@smtp.hosting.example>
Date: Mon, 02 Mar 2026 10:00:05 +0100

This is a MIME-formatted message.  If you see this text it means that your
E-mail software does not support MIME-formatted messages.

--=_courier_0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 7bit

This is a delivery status notification from smtp.hosting.example,
running the Courier mail server, version 1.0.16.

The original message was received on Mon, 02 Mar 2026 10:00:04 +0100
from localhost (localhost [127.0.0.1])

---------------------------------------------------------------------------

                           UNDELIVERABLE MAIL

Your message to the following recipients cannot be delivered:

<{ANA}>:
{session}

---------------------------------------------------------------------------

If your message was also sent to additional recipients, their delivery
status is not included in this report.  You may or may not receive
other delivery status notifications for additional recipients.

The original message follows as a separate attachment.

--=_courier_0
Content-Type: message/delivery-status
Content-Transfer-Encoding: 7bit

Reporting-MTA: dns; smtp.hosting.example
Arrival-Date: Mon, 02 Mar 2026 10:00:04 +0100

Final-Recipient: rfc822; {ANA}
Action: failed
Status: 5.0.0
Diagnostic-Code: {diagnostic}

--=_courier_0
Content-Type: text/rfc822-headers; charset="utf-8"
Content-Transfer-Encoding: 7bit

From: Laura Vidal <{US}>
To: Ana Peña <{ANA}>
Subject: La información que me pidió
Message-ID: {message_id}

--=_courier_0--
"""
    return text.replace("\n", "\r\n").encode()


def test_couriers_local_delivery_naming_the_mailbox_is_the_address(project, run):
    counts, status = inbox_after(run, project, courier_report(
        sent_id(run), " <<< 550 User <ana.pena> unknown", "unknown; 550 User <ana.pena> unknown"))
    assert status == "bounced" and counts["bounces"] == 1, counts


@pytest.mark.parametrize("answer", [
    "554 mx.example.org: client [192.0.2.1] blocked using zen.spamhaus.org",
    "554 Your IP is listed, see <https://www.spamhaus.org/query/ip/192.0.2.1>",
])
def test_a_greeting_refusal_is_still_the_senders(project, run, answer):
    session = f"     mx.example.org [192.0.2.7]:\n <<< {answer}"
    counts, status = inbox_after(run, project, courier_report(sent_id(run), session, f"smtp; {answer}"))
    assert status == "active" and counts["bounces"] == 0 and counts["sender_refused"] == 1, counts
