"""Auto-replies as mail clients and servers write them, in many languages (issue #25):
Outlook's "Automatic reply:" in the languages it ships, the headers responders set, and
the first lines of out-of-office texts under any subject. An auto-reply read as a reply
would stop a lead's follow-ups (SPEC §7); a person's answer that mentions an absence, or
that Exchange marked "X-Auto-Response-Suppress", is still a reply. The messages are made
up; each row names where its words come from."""

from __future__ import annotations

import json

import pytest

from leadloop.classify import classify

from test_autoreplies import mail
from test_inbox import mail as inbox_mail, project, read, sent_message_id, status  # noqa: F401

NEUTRAL = "Ref. 20260303-1."  # a body that decides nothing: the subject or the headers do


def _dsn(*blocks: tuple[str, str, str]) -> bytes:
    fields = "".join(f"Final-Recipient: rfc822; {address}\r\nAction: {action}\r\nStatus: {status}\r\n\r\n"
                     for address, action, status in blocks)
    named = "\r\n".join(address for address, _, _ in blocks)
    return ("From: postmaster@mx.example.org\r\nTo: laura@lauravidal.es\r\nSubject: Delivered: Curso\r\n"
            "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=B\r\n\r\n"
            "--B\r\nContent-Type: text/plain\r\n\r\n"
            f"Your message has been delivered to the following recipients:\r\n\r\n{named}\r\n\r\n"
            "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\n"
            f"{fields}--B--\r\n").encode()


def test_a_delivery_receipt_is_recorded_never_a_failure():
    """Exchange's "Delivered:" receipt is a delivery report whose recipients all got the
    message (RFC 3464 Action: delivered): a receipt, like a read receipt."""
    receipt = classify(_dsn(("ana@example.org", "delivered", "2.0.0"), ("tom@example.net", "relayed", "2.0.0")))
    assert (receipt.kind, receipt.failures) == ("auto_reply", ())
    mixed = classify(_dsn(("ana@example.org", "delivered", "2.0.0"), ("tom@example.net", "failed", "5.1.1")))
    assert mixed.kind == "bounce" and mixed.permanent == ("tom@example.net",)
