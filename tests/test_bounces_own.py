"""Bounces in old and odd formats, written for leadloop (tests/fixtures/bounces_own,
issue #25 items 2 and 3), read by the inbox from a real Maildir: the recipient found in
its X.400 / Exchange 5.5 form, and no version number taken for a status."""

from __future__ import annotations

from pathlib import Path

import pytest

from leadloop.bounces import unwrap_x400
from test_inbox import leads, read, status  # noqa: F401
from test_inbox import project  # noqa: F401  (the fixture)

HERE = Path(__file__).parent / "fixtures" / "bounces_own"


@pytest.mark.parametrize("name, email", [
    ("exchange55-dda.eml", "jose.munoz@example.com"),
    ("x400-final-recipient.eml", "ana.pena@example.org"),
    ("exim-unknown-user-versions.eml", "tom@example.net"),
])
def test_the_lead_named_in_an_old_format_is_bounced(project, run, name, email):
    project.deliver((HERE / name).read_bytes())
    summary = read(run)
    assert summary["bounces"] == 1 and summary["unrecognised"] == 0
    assert status(run, email) == "bounced"
    assert sum(lead["status"] == "bounced" for lead in leads(run).values()) == 1


@pytest.mark.parametrize("text, plain", [
    ("c=US;a= ;p=Org;o=Site;dda:SMTP=John.Doe@example.com;", "John.Doe@example.com"),
    ("/C=ES/ADMD= /PRMD=Corp/RFC-822=jane(u)doe(a)example.org/", "jane_doe@example.org"),
    ("INTERNET=ana@example.org", "ana@example.org"),
])
def test_x400_forms_are_unwrapped(text, plain):
    assert plain in unwrap_x400(text)


def test_ordinary_text_is_left_alone():
    for text in ("Diagnostic-Code: smtp; 550 a=b", "size=1024 bytes", "ana@example.org"):
        assert unwrap_x400(text) == text


def test_blank_lines_before_the_headers_do_not_hide_a_bounce():
    from leadloop.classify import classify

    raw = b"\r\n   \r\n" + (HERE / "x400-final-recipient.eml").read_bytes()
    incoming = classify(raw)
    assert incoming.kind == "bounce" and [f.address for f in incoming.failures] == ["ana.pena@example.org"]


# Dead-address words with no RCPT stage (the lead's policy on issue #25): a pipelined
# Sendmail session whose RCPT refusal comes after ">>> DATA", Exim's ":fail:" with no
# SMTP at all, and "mailbox not found" answered at the end of DATA.
@pytest.mark.parametrize("name, email", [
    ("sendmail-pipelined-rcpt.eml", "ana.pena@example.org"),
    ("exim-redirect-fail.eml", "tom@example.net"),
    ("postfix-mailbox-not-found-after-data.eml", "jose.munoz@example.com"),
])
def test_a_dead_address_without_a_rcpt_stage_is_bounced(project, run, name, email):
    project.deliver((HERE / name).read_bytes())
    summary = read(run)
    assert summary["bounces"] == 1 and summary["unrecognised"] == 0
    assert status(run, email) == "bounced"
    assert sum(lead["status"] == "bounced" for lead in leads(run).values()) == 1


def test_a_report_from_a_product_name_is_a_bounce_never_a_reply(project, run):
    # No address in From, no Return-Path, no DSN part: the subject and the report's
    # heading are the only signs. A full mailbox: the message failed, the lead stays.
    project.deliver((HERE / "gateway-ndr-no-address.eml").read_bytes())
    summary = read(run)
    assert summary["replies"] == 0 and summary["failed"] == 1 and summary["bounces"] == 0
    assert status(run, "ana.pena@example.org") == "active"


def _report(from_: str, subject: str, body: str, return_path: str | None = None) -> bytes:
    head = f"From: {from_}\nTo: laura@lauravidal.es\nSubject: {subject}\n"
    if return_path is not None:
        head = f"Return-Path: {return_path}\n" + head
    return (head + "\n" + body).encode()


@pytest.mark.parametrize("raw", [
    # A product's name alone in From.
    _report("Gateway Antivirus 5.2", "Returned mail: delivery problem", "ana@example.org\nMail loop\n"),
    # The envelope sender is a mailer daemon's, whatever the From says.
    _report("Relay <relay@mx.example.org>", "Undeliverable: Hola", "ana@example.org: no route\n",
            return_path="<MAILER-DAEMON@mx.example.org>"),
    # A report's heading over the failed recipients (Sendmail's, Exim's, qmail's…).
    _report("Relay <relay@mx.example.org>", "Returned mail: see transcript",
            "----- The following addresses had permanent fatal errors -----\n<ana@example.org>\n"),
    _report("Relay <relay@mx.example.org>", "failure notice",
            "Hi. I wasn't able to deliver your message to the following addresses.\n"),
    # A mail service signing the report.
    _report("Corporate Mail Service <relay@mx.example.org>", "Delivery failure", "ana@example.org\n"),
])
def test_the_signs_of_a_non_delivery_report(raw):
    from leadloop.classify import classify

    assert classify(raw).kind == "bounce"


@pytest.mark.parametrize("raw", [
    # A person answering, or forwarding a report, is a person (delivered mail carries
    # the envelope sender in Return-Path, RFC 5321 §4.4).
    _report("Ana <ana@example.org>", "Re: Returned mail: see transcript",
            "The following addresses had permanent fatal errors? I got this too.\n",
            return_path="<ana@example.org>"),
    _report("Ana <ana@example.org>", "Fwd: Undelivered Mail Returned to Sender",
            "Could not be delivered to my colleague, can you resend?\n", return_path="<ana@example.org>"),
    # A bounce-like subject alone, from a person, with ordinary words.
    _report("Ana <ana@example.org>", "Bounce house rental", "Do you still rent it in May?\n",
            return_path="<ana@example.org>"),
])
def test_a_person_is_never_a_report(raw):
    from leadloop.classify import classify

    assert classify(raw).kind != "bounce"
