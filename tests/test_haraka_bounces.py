"""Haraka's own texts read as they mean (issue #25, SPEC §6, §7).

When no MX of the recipient's domain takes the connection, Haraka's outbound gives up
after its retries with the status 5.1.2 and "Tried all MXs DOMAIN" (outbound/hmail.js,
try_deliver: DSN.addr_bad_dest_system). 5.1.2 is a dead domain by its number, but every
host of the domain was tried, so the domain has them: the lead's mailbox could not be
reached, which is no proof the address is gone. The trap: Haraka's own null-MX refusal
(5.1.10, "sends and receives no email") is the address. And its access plugin's refusal
of MAIL FROM, "That sender cannot send mail here", is ours: no lead is charged for it (a
report with no status of its own read it as the lead's mailbox). The reports follow Haraka's
default bounce template (config/outbound.bounce_message); hosts and addresses are made up."""

from __future__ import annotations

import pytest

from one_lead import ANA, US, inbox_after, project, sent_id  # noqa: F401 (project: a fixture)


def haraka_report(message_id: str, reason: str, status: str) -> bytes:
    text = f"""Received: (Haraka 4242 invoked for bounce); Tue, 03 Mar 2026 09:00:00 +0100
Date: Tue, 03 Mar 2026 09:00:00 +0100
From: MAILER-DAEMON@relay.lauravidal.es
To: <{US}>
Auto-Submitted: auto-replied
Subject: failure notice
Message-Id: <0A1B2C3D-0000-4000-8000-000000000001@relay.lauravidal.es>
Content-Type: multipart/report; report-type=delivery-status;
    boundary="boundary_0A1B2C3D"

This is a MIME-encapsulated message.

--boundary_0A1B2C3D
Content-Type: text/plain; charset=us-ascii

Hi. This is the Haraka Mailer program at relay.lauravidal.es.
I'm afraid I wasn't able to deliver your message
    "La información que me pidió"
to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

Intended Recipients: <{ANA}>
Failure Reason: {reason}

--boundary_0A1B2C3D
Content-type: message/delivery-status

Reporting-MTA: dns;relay.lauravidal.es
Arrival-Date: Mon, 02 Mar 2026 10:00:04 +0100

Final-Recipient: rfc822;{ANA}
Action: failed
Status: {status}

--boundary_0A1B2C3D
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: Laura Vidal <{US}>
To: Ana Peña <{ANA}>
Subject: La información que me pidió
Message-ID: {message_id}

--boundary_0A1B2C3D--
"""
    return text.replace("\n", "\r\n").encode()


def status_after(run, project, reason: str, status: str) -> tuple[dict, str]:
    return inbox_after(run, project, haraka_report(sent_id(run), reason, status))


def test_no_mx_answered_is_the_mailbox_unreachable(project, run):
    counts, lead = status_after(run, project, "Error: Too many failures (Tried all MXs)",
                                "5.1.2 (550 Tried all MXs example.org)")
    assert lead == "active" and counts["bounces"] == 0 and counts["failed"] == 1, counts


def test_harakas_null_mx_refusal_is_the_address(project, run):
    counts, lead = status_after(run, project, "Domain example.org sends and receives no email (NULL MX)",
                                "5.1.10 (Domain example.org sends and receives no email (NULL MX))")
    assert lead == "bounced" and counts["bounces"] == 1, counts


def test_harakas_access_refusal_of_the_sender_charges_no_lead(project, run):
    # haraka-plugin-access's default text for a MAIL FROM on its blacklist (deny_msg.mail),
    # relayed with no status of its own: our address was refused, not Ana's mailbox.
    counts, lead = status_after(run, project, f"Error: 550 {US} That sender cannot send mail here", "5.0.0")
    assert lead == "active" and counts["sender_refused"] == 1 and counts["failed"] == 0, counts
