"""mox's delivery reports (issue #25): what its own habits must not change.

mox (a Go mail server solo operators run) gives up on a recipient after its last try
and writes the Status in the permanent class with the subject and detail of the last
answer, with the answer as a comment: a "451 4.7.1 Greylisting in action" met to the
end becomes "Status: 5.7.1 (… transient: 451 4.7.1 …)". A permanent X.7 reads as a
refusal of policy, ours (SPEC §6), while the answer only asked to try later: the
lead's mailbox's failure, whose words say whose it is. A real 5.7.1 stays ours. mox's
queue also refuses to send to an address on its suppression list ("address is on
suppression list, permanent"). The reports follow the layout of mox's dsn package;
hosts and addresses are made up."""

from __future__ import annotations

import pytest

from leadloop.classify import classify
from one_lead import ANA, US, inbox_after, pack_state, project, sent_id  # noqa: F401 (project: a fixture)


def mox_report(message_id: str, error: str, status: str, diagnostic: str | None) -> bytes:
    diagnostic_field = f"Diagnostic-Code: smtp; {diagnostic}\n" if diagnostic else ""
    text = f"""Return-Path: <>
From: postmaster <postmaster@mail.lauravidal.es>
To: <{US}>
Subject: mail delivery failed
Message-Id: <3C5MM5DbaYvN-doVAP060A@mail.lauravidal.es>
References: {message_id}
Date: 3 Mar 2026 09:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/report; report-type="delivery-status"; boundary="f33a7a81d2773ca8"

--f33a7a81d2773ca8
Content-Transfer-Encoding: 7BIT
Content-Type: text/plain

Delivery has failed permanently for your email to:

\t{ANA}

No further deliveries will be attempted.

Error during the last delivery attempt:

\t{error}

--f33a7a81d2773ca8
Content-Transfer-Encoding: 7BIT
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.lauravidal.es
Arrival-Date: 2 Mar 2026 10:00:00 +0000

Final-Recipient: rfc822;{ANA}
Action: failed
Status: {status} ({error})
Remote-MTA: dns;mx.example.org
{diagnostic_field}Last-Attempt-Date: 3 Mar 2026 09:00:00 +0000

--f33a7a81d2773ca8
Content-Transfer-Encoding: 7BIT
Content-Type: text/rfc822-headers

From: Laura Vidal <{US}>
To: Ana Peña <{ANA}>
Subject: La información que me pidió
Message-ID: {message_id}

--f33a7a81d2773ca8--
"""
    return text.replace("\n", "\r\n").encode()


GREYLISTED = ("remote smtp server sent unexpected response status code: got 451, expected 2xx, transient: "
              "451 4.7.1 Greylisting in action, please come back later", "5.7.1",
              "451 4.7.1 Greylisting in action, please come back later")
NO_RDNS = ("remote smtp server sent unexpected response status code: got 450, expected 2xx, transient: "
           "450 4.7.1 Client host rejected: cannot find your hostname", "5.7.1",
           "450 4.7.1 Client host rejected: cannot find your hostname")
REFUSED = ("remote smtp server sent unexpected response status code: got 550, expected 2xx, permanent: "
           "550 5.7.1 Message rejected as spam", "5.7.1", "550 5.7.1 Message rejected as spam")
FULL = ("remote smtp server sent unexpected response status code: got 452, expected 2xx, transient: "
        "452 4.2.2 account storage full", "5.2.2", "452 4.2.2 account storage full")
SUPPRESSED = (f"not delivering to recipient address {ANA}: address is on suppression list, permanent", "5.0.0", None)


@pytest.mark.parametrize("case, owner, reason", [
    (GREYLISTED, "mailbox", "temporary"),
    (NO_RDNS, "sender", "requireptr"),
    (REFUSED, "sender", "spamdetected"),
    (FULL, "mailbox", "mailboxfull"),
    (SUPPRESSED, "mailbox", "suppressed"),
], ids=["greylisted-to-the-end", "our-reverse-dns", "spam", "full", "suppressed"])
def test_whose_failure_a_mox_report_is(case, owner, reason):
    report = classify(mox_report("<a@lauravidal.es>", *case))
    assert [(f.address, f.verdict.hard, f.verdict.owner, f.verdict.reason) for f in report.failures] == \
        [(ANA, False, owner, reason)]


def test_greylisting_to_the_end_is_one_of_the_leads_failures(project, run):
    counts, status = inbox_after(run, project, mox_report(sent_id(run), *GREYLISTED))
    assert (counts["failed"], counts["sender_refused"]) == (1, 0)
    assert pack_state(run) == "failed" and status != "bounced"
