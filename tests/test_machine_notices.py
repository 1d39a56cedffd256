"""Messages that machines write about other mail (issue #25, the misses of the blind
half): a mailing-list program's notices, non-delivery notices without an RFC 3464 part,
a delivery agent's rejection sent as an MDN, and the old plain-text formats whose
recipient or cause leadloop did not find. Every message here is written for leadloop
after the documented layout or text it cites; addresses and hosts are made up."""

from __future__ import annotations

import pytest

from leadloop.classify import classify
from test_inbox import leads, mail, read, status  # noqa: F401
from test_inbox import project  # noqa: F401  (the fixture)


def _message(headers: dict[str, str], body: str) -> bytes:
    head = "".join(f"{name}: {value}\n" for name, value in headers.items())
    return (head + "\n" + body).encode()


def _hard(incoming) -> bool:
    verdicts = [f.verdict for f in incoming.failures] or [incoming.overall.verdict]
    return any(v.hard for v in verdicts)


# 1. A mailing-list program's notices are never a lead's reply.

@pytest.mark.parametrize("subject", [
    # Mailman 2.1 / 3: the held-message notice (Handlers/Hold.py) and its rejection (ListAdmin.py).
    "Your message to ventas awaits moderator approval",
    "Request to mailing list Ventas rejected",
    # Sympa's moderation request (moderate.tt2).
    "Message for list ventas from ana.pena@example.org to be approved",
    # A person's (or a system's) answer to such a notice is still about the list's mail.
    "RE: Your message to ventas awaits moderator approval",
])
def test_a_list_notice_is_never_a_reply(subject):
    raw = _message({"From": "Ana <ana.pena@example.org>", "To": "laura@lauravidal.es",
                    "Subject": subject}, "Gracias, lo reviso.\n")
    assert classify(raw).kind == "auto_reply"


def test_mailmans_administrivia_header_marks_a_notice():
    raw = _message({"From": "ventas-owner@lists.example.org", "To": "laura@lauravidal.es",
                    "Subject": "Ventas mailing list reminder", "X-List-Administrivia": "yes"},
                   "This is a reminder of your membership.\n")
    assert classify(raw).kind == "auto_reply"


def test_a_failure_report_answering_a_list_notice_is_a_bounce(project, run):
    # Some gateways send their failure notice as a "RE:" of the message they could not
    # deliver, from an ordinary address: here, of a Mailman hold notice. The "RE:" of a
    # list notice is no person's: the report's heading (Mailman's SimpleMatch knows it,
    # "Your message could not be delivered to") makes it a bounce, never Ana's reply.
    raw = _message({"Return-Path": "<gateway@mx.example.org>", "From": "gateway@mx.example.org",
                    "To": "laura@lauravidal.es",
                    "Subject": "RE: Your message to ventas awaits moderator approval : not delivered"},
                   "*****\nYour message could not be delivered to\nana.pena@example.org\n*****\n")
    assert classify(raw).kind == "bounce"
    project.deliver(raw)
    summary = read(run)
    assert summary["replies"] == 0
    assert status(run, "ana.pena@example.org") != "replied"


def test_a_lead_answering_a_list_notice_does_not_stop_her_sequence(project, run):
    project.deliver(mail("Ana <ana.pena@example.org>", "RE: Your message to ventas awaits moderator approval",
                         "Ok, espero la aprobación."))
    summary = read(run)
    assert summary["replies"] == 0
    assert status(run, "ana.pena@example.org") == "active"


def test_a_persons_reply_is_still_a_reply():
    raw = _message({"From": "Ana <ana.pena@example.org>", "To": "laura@lauravidal.es",
                    "Subject": "Re: Your message about the workshop"}, "Me interesa, gracias.\n")
    assert classify(raw).kind == "reply"
