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


# 2. Hard bounces whose recipient or words leadloop did not read.

QMAIL_RETIRED = _message({
    "Return-Path": "<>", "From": "MAILER-DAEMON@mx.example.org", "To": "laura@lauravidal.es",
    "Subject": "failure notice"},
    # qmail-send's report (QSBMF, cr.yp.to/proto/qsbmf.txt) of a .qmail that runs
    # bouncesaying(1) with its manual's own example text.
    "Hi. This is the qmail-send program at mx.example.org.\n"
    "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
    "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
    "<ana.pena@example.org>:\nThis address no longer accepts mail.\n\n"
    "--- Below this line is a copy of the message.\n\nSubject: Hola\n")

# Sendmail's phquery mailer (CCSO nameserver, RFC 2378): the failed recipients between
# its two rulers, the directory's advice below the second.
PHQUERY_NO_DELIVERY_POINT = _message({
    "From": "MAILER-DAEMON@mx.example.edu", "To": "laura@lauravidal.es",
    "Subject": "Returned mail - nameserver error report"},
    " --------Message not delivered to the following addresses:\n\n"
    "            ana.pena@example.org\n\n"
    " --------Error Detail (phquery V3.0):\n\n"
    "---- ana.pena@example.org\n     Does not have a final email delivery point,\n"
    "     please contact this person by alternate means.\n\n"
    "If in doubt, try help-desk@example.edu or jose.munoz@example.com.\n\n"
    " --------Unsent Message below:\n\nSubject: Hola\n")
PHQUERY_NO_MATCH = _message({
    "From": "MAILER-DAEMON@mx.example.edu", "To": "laura@lauravidal.es",
    "Subject": "Returned mail - nameserver error report"},
    " --------Message not delivered to the following:\n\n"
    " apena    No matches to nameserver query\n\n"
    " --------Error Detail (phquery V4.1):\n\n"
    " Query the directory first, e.g. finger NAME@directory.example.edu, or try\n"
    " NAME@cs.example.edu instead.\n")

# A site directory's own refusal, after the layout Mailman's Bouncers/LLNL.py reads.
DIRECTORY_NO_MATCH = _message({
    "From": "postmaster@lab.example.gov (Automated response from the postmaster)",
    "To": "laura@lauravidal.es", "Subject": 'FAILED MAIL to "apena" regarding "Hola"'},
    "The standard form of email address at the lab is lastnameNumber@lab.example.gov.\n"
    "The address to which your message was addressed, ana.pena@example.org, did not\n"
    "exactly match a lab email address.\n\n"
    "Original message as received is as follows:\n=====\n>Subject: Hola\n")

# An RFC 3464 report with a canned 5.0.0 and the receiving server's "No such recipient"
# (Sun/Oracle Messaging Server's layout: "Remote SMTP server has rejected address").
NO_SUCH_RECIPIENT = (
    "From: Mail Delivery System <postmaster@relay.example.net>\nTo: laura@lauravidal.es\n"
    "Subject: Delivery Notification: Delivery has failed\nMIME-Version: 1.0\n"
    'Content-Type: multipart/report; report-type=delivery-status; boundary="R"\n\n'
    "--R\nContent-Type: text/plain\n\nYour message cannot be delivered to the following recipients:\n\n"
    "  Recipient address: ana.pena@example.org\n  Reason: Remote SMTP server has rejected address\n"
    "  Diagnostic code: smtp;550 No such recipient\n\n"
    "--R\nContent-Type: message/delivery-status\n\nReporting-MTA: dns;relay.example.net\n\n"
    "Final-recipient: rfc822;ana.pena@example.org\nAction: failed\n"
    "Status: 5.0.0 (Remote SMTP server has rejected address)\n"
    "Diagnostic-code: smtp;550 No such recipient\n\n--R--\n").encode()


@pytest.mark.parametrize("raw", [QMAIL_RETIRED, PHQUERY_NO_DELIVERY_POINT, DIRECTORY_NO_MATCH,
                                 NO_SUCH_RECIPIENT])
def test_the_lead_named_by_a_dead_address_report_is_bounced(project, run, raw):
    project.deliver(raw)
    summary = read(run)
    assert summary["bounces"] == 1 and summary["unrecognised"] == 0
    assert status(run, "ana.pena@example.org") == "bounced"
    # The addresses a report gives as advice are not recipients.
    assert sum(lead["status"] == "bounced" for lead in leads(run).values()) == 1


def test_phquery_names_only_the_recipients_under_its_heading():
    incoming = classify(PHQUERY_NO_DELIVERY_POINT)
    assert [f.address for f in incoming.failures] == ["ana.pena@example.org"]
    assert incoming.failures[0].hard


def test_a_directory_with_no_match_for_a_bare_name_is_hard_for_the_returned_message():
    incoming = classify(PHQUERY_NO_MATCH)
    assert incoming.kind == "bounce" and incoming.failures == ()
    assert incoming.overall.verdict.hard and incoming.overall.verdict.reason == "userunknown"


def test_a_mailbox_that_no_longer_accepts_mail_is_still_disabled_not_dead():
    from leadloop.delivery_status import judge

    verdict = judge("5.2.1", "550 5.2.1 This mailbox no longer accepts mail")
    assert not verdict.hard and verdict.reason == "suspend"


# 3. Non-delivery notices without an RFC 3464 part are bounces, never auto-replies.

def _rejection_mdn(recipient: str, original_id: str, reason: str = "Quota exceeded") -> bytes:
    # Dovecot LDA's rejection (lib-lda/mail-send.c): an MDN whose disposition is
    # "deleted", as Sieve's reject specified (RFC 3028 §4.1, RFC 5429).
    return (
        "From: Mail Delivery Subsystem <postmaster@mx.example.org>\nTo: <laura@lauravidal.es>\n"
        "Subject: Automatically rejected mail\nAuto-Submitted: auto-replied (rejected)\n"
        "Precedence: bulk\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=disposition-notification; boundary="M"\n\n'
        "--M\nContent-Type: text/plain; charset=utf-8\n\n"
        f"Your message to <{recipient}> was automatically rejected:\n{reason}\n"
        "--M\nContent-Type: message/disposition-notification\n\n"
        "Reporting-UA: mx.example.org; Dovecot Mail Delivery Agent\n"
        f"Final-Recipient: rfc822; {recipient}\nOriginal-Message-ID: {original_id}\n"
        "Disposition: automatic-action/MDN-sent-automatically; deleted\n"
        "--M--\n").encode()


def test_a_delivery_agents_rejection_is_a_bounce_not_a_read_receipt(project, run):
    from test_inbox import sent_message_id

    project.deliver(_rejection_mdn("ana.pena@example.org", sent_message_id(run, "ana.pena@example.org")))
    summary = read(run)
    # A full mailbox: the message failed, the lead stays in sequence.
    assert summary["bounces"] == 0 and summary["failed"] == 1 and summary["unrecognised"] == 0
    assert status(run, "ana.pena@example.org") == "active"


def test_the_rejection_is_recognised_by_its_header_when_its_parts_are_unreadable():
    raw = _message({"From": "Mail Delivery Subsystem <postmaster@mx.example.org>",
                    "To": "laura@lauravidal.es", "Subject": "Automatically rejected mail",
                    "Auto-Submitted": "auto-replied (rejected)", "Precedence": "bulk", "MIME-Version": "1.0",
                    "Content-Type": 'multipart/report; report-type=disposition-notification; boundary="M"'},
                   "--M\n\nContent-Type: text/plain\n\n--M--\n")
    assert classify(raw).kind == "bounce"


def test_a_read_receipt_is_still_not_a_bounce():
    raw = _rejection_mdn("ana.pena@example.org", "<a@b>").replace(
        b"Auto-Submitted: auto-replied (rejected)\n", b"").replace(b"; deleted", b"; displayed")
    assert classify(raw).kind == "auto_reply"


@pytest.mark.parametrize("headers, body", [
    # A gateway that signs with no address, under a subject no report list knows.
    ({"From": '"Gateway Mail System" <>', "Subject": "Mail Error", "Precedence": "bulk"},
     "Your mail cannot be delivered to the following address(es):\n\n ana  (mailbox full)\n"),
    # InterScan VirusWall's notice, relayed by a list (Precedence: bulk), from an address.
    ({"From": "gateway@mx.example.org", "Return-Path": "<list-bounces@lists.example.org>",
      "Subject": "Mail could not be delivered", "Precedence": "bulk"},
     "****** Message from InterScan E-Mail VirusWall ******\n\nThe following mail could not be delivered.\n"
     "Reason: Exceeded Maximum Delivery Attempts.\n"),
])
def test_a_non_delivery_notice_without_a_report_part_is_a_bounce(headers, body):
    raw = _message({"To": "laura@lauravidal.es", **headers}, body)
    incoming = classify(raw)
    assert incoming.kind == "bounce" and not _hard(incoming)


def test_an_automatic_answer_that_says_nothing_of_delivery_stays_an_auto_reply():
    raw = _message({"From": "Ana <ana.pena@example.org>", "To": "laura@lauravidal.es",
                    "Subject": "Mail Error", "Auto-Submitted": "auto-replied"},
                   "I am out of the office until Monday; your mail will be read then.\n")
    assert classify(raw).kind == "auto_reply"
