"""Refusals of our message or of our sending, not of the lead's mailbox (issue #25): qpsmtpd's
headers plugin, and a server that wants us to log in.

Its texts (plugins/headers in Debian's qpsmtpd): "The Date header is too far in the past"
(or future), "We require a valid From header", "Headers are missing"; a relay reports them
with a bare 552 or 550 and no status of their own. They are about our message: the
sender's (SPEC §6), never one of the lead's three."""

from __future__ import annotations

import pytest

from leadloop.delivery_status import judge


@pytest.mark.parametrize("answer", [
    "552 The Date header is too far in the past",
    "552 The Date header is too far in the future",
    "550 We require a valid From header",
    "552 Headers are missing",
    "550 The Date header is too old",  # Haraka's data.headers
])
def test_a_refusal_of_our_headers_is_ours(answer):
    verdict = judge("5.0.0", answer, quoted=True, command="DATA")
    assert (verdict.hard, verdict.owner, verdict.reason) == (False, "sender", "contenterror")


def test_a_full_mailbox_after_data_is_still_the_leads():
    verdict = judge("5.0.0", "552 Mailbox size limit exceeded", quoted=True, command="DATA")
    assert verdict.owner == "mailbox"


@pytest.mark.parametrize("answer", ["550 smtp auth required", "550 SMTP AUTH required"])
def test_a_server_that_wants_us_to_log_in_refuses_us(answer):
    # HestiaCP's Exim ACL, for mail from outside that claims a domain it hosts.
    verdict = judge("5.0.0", answer, quoted=True, command="RCPT")
    assert (verdict.hard, verdict.owner) == (False, "sender")


@pytest.mark.parametrize("command, answer, owner", [
    # An admin's ACL text on Exim (which has no built-in check of a login's addresses).
    ("RCPT", "550 Sender address <laura@tienda.example> not allowed for user\nventas@tienda.example", "sender"),
    ("RCPT", "550 sender not permitted", "sender"),
    # The same words about the recipient are not ours.
    ("RCPT", "550 Recipient not permitted", None),
    # A length limit at RCPT is the recipient mailbox's (RFC 3463 X.2.3); after the
    # content, the limit of the server that took it.
    ("RCPT", "552 5.2.3 Message length exceeds administrative limit", "mailbox"),
    ("DATA", "552 5.2.3 Message length exceeds administrative limit", "sender"),
    # Our relay's system status names the lead's mailbox: the lead's.
    ("RCPT", "452 4.3.1 <ana@example.com>: Recipient address rejected: Mailbox over quota", "mailbox"),
])
def test_what_the_server_we_send_through_says_of_itself(command, answer, owner):
    from leadloop.transport import _judge_refusal

    verdict = _judge_refusal(int(answer[:3]), answer, command, "ana@example.com")
    if owner is None:
        assert verdict.owner != "sender"
    else:
        assert verdict.owner == owner


def test_a_sending_quota_in_the_admins_spanish_is_named_as_one():
    """postfwd's quota text is the admin's (lab60: "Cuota de envio superada para …")."""
    from leadloop.refusals import sender_sentence
    from leadloop.transport import _judge_refusal

    answer = ("450 4.7.1 <lucia@floristeria.es>: Recipient address rejected: Cuota de envio superada para "
              "ana@tallerluz.es: maximo 3 mensajes por hora")
    verdict = _judge_refusal(450, answer, "RCPT", "lucia@floristeria.es")
    sentence = sender_sentence(verdict, answer, sender="ana@tallerluz.es", server="smtp.tallerluz.es:587")
    assert verdict.owner == "sender" and "sending quota or rate is used up" in sentence
