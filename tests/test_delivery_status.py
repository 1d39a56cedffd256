"""The hard/soft rule on its own (SPEC §7), on the distinctions sisimai makes and the
corpus test (test_bounce_corpus.py) measures: which SMTP command a refusal answered,
whose words they are, and which provider wrote them."""

from __future__ import annotations

import pytest

from leadloop.bounces import remote_host, smtp_command
from leadloop.delivery_status import judge


@pytest.mark.parametrize("text, command", [
    ("host mx.example.org[192.0.2.1] said: 550 5.1.1 <a@example.org>: User unknown "
     "(in reply to RCPT TO command)", "RCPT"),
    ("host mx.example.org[192.0.2.1] said: 550 Unknown user (in reply to end of DATA command)", "DATA"),
    ("SMTP error from remote mail server after RCPT TO:<a@example.org>:\n    550 No such user", "RCPT"),
    ("SMTP error from remote mail server after end of data:\n    550 Message refused", "DATA"),
    ("SMTP error from remote mail server after MAIL FROM:<us@example.com> SIZE=1022:\n 553 no", "MAIL"),
    ("... while talking to mx.example.org.:\n>>> RCPT To:<a@example.org>\n<<< 550 5.1.1 User unknown", "RCPT"),
    ("... while talking to mx.example.org.:\n>>> DATA\n<<< 550 Unknown user a@example.org", "DATA"),
    ("... while talking to mx.example.org.:\n<<< 554 go away", "CONN"),
    ("Connected to 192.0.2.1 but my name was rejected.\nRemote host said: 501 5.0.0 Invalid domain name", "HELO"),
    ("192.0.2.1 does not like recipient.\nRemote host said: 550 sorry", "RCPT"),
    ("192.0.2.1 failed after I sent the message.\nRemote host said: 554 spam", "DATA"),
    ("SMTP error from remote server for TEXT command, host: smtp.example.fr reason: 550", "DATA"),
    ("rejected recipient <a@example.org> (Error following RCPT command). [550 5.1.1 User unknown]", "RCPT"),
    # Postfix's smtpd names its recipient restrictions so, and only in answer to RCPT TO.
    ("550 5.1.1 <a@example.org>: Recipient address rejected: User unknown", "RCPT"),
    ("550 5.1.1 <a@example.org>: User unknown", None),
])
def test_the_smtp_command_a_report_names(text, command):
    assert smtp_command(text) == command


@pytest.mark.parametrize("text, host", [
    ("host mx.user.example.or.jp[192.0.2.22] said: 550 User unknown", "mx.user.example.or.jp"),
    ("host mail2.example.org [192.0.2.222]\n    SMTP error from remote mail server", "mail2.example.org"),
    ("... while talking to mta6.am0.yahoodns.net.:\n>>> DATA", "mta6.am0.yahoodns.net"),
    ("550 User unknown", None),
])
def test_the_remote_host_a_report_names(text, host):
    assert remote_host(text) == host


@pytest.mark.parametrize("command, hard, reason", [
    ("RCPT", True, "userunknown"),     # refused at RCPT TO: the address
    # Refused after the message: "user unknown" still names the address at any stage,
    # unless the reply names another cause (the lead's policy on issue #25; it was
    # "filtered" here, after sisimai's Filtered rule).
    ("DATA", True, "userunknown"),
    ("MAIL", False, "rejected"),       # the sender was refused
    ("CONN", False, "blocked"),        # the connection was refused
    ("HELO", False, "blocked"),        # our HELO was refused
    # Quoted in a report that does not say, with no status: the address too (the lead's
    # decision on issue #25 item 1; it was "filtered" here, after sisimai).
    ("", True, "userunknown"),
])
def test_user_unknown_counts_only_in_answer_to_rcpt(command, hard, reason):
    verdict = judge(None, "550 <a@example.org>: User unknown", command=command or None, quoted=True)
    assert (verdict.hard, verdict.reason) == (hard, reason)


def test_user_unknown_with_no_stage_under_a_telling_status_proves_nothing():
    verdict = judge("5.7.1", "550 5.7.1 <a@example.org>: User unknown", quoted=True)
    assert (verdict.hard, verdict.reason) == (False, "filtered")


def test_an_answer_our_own_client_heard_is_judged_by_its_words():
    # transport.py: the refusal came to leadloop's own SMTP client, not quoted in a report.
    assert judge(None, "554 Sorry, no mailbox here by that name", reply_code=554).hard


def test_a_refusal_of_our_helo_is_never_about_the_address():
    verdict = judge(None, "501 5.0.0 Invalid domain name", command="HELO", quoted=True)
    assert (verdict.hard, verdict.reason) == (False, "blocked")


def test_an_address_status_needs_no_command():
    assert judge("5.1.1", "550 5.1.1 <a@example.org>: User unknown", quoted=True).hard


@pytest.mark.parametrize("text", [
    "User some.name (a@example.org) not listed in Domino Directory",
    "The recipient name is not recognized MSEXCH:IMS:NEKO 0 (000C05A6) Unknown Recipient",
    "mail.local: unknown user: kijitora",
    "Invalid final delivery userid: a@example.org",
])
def test_the_mailbox_servers_own_words_need_no_command(text):
    verdict = judge(None, text, quoted=True)
    assert verdict.hard and verdict.reason == "userunknown"


@pytest.mark.parametrize("text, host, domain, hard, reason", [
    # La Poste / Orange number their refusals; 416 is an address that does not exist.
    ("550 5.5.0 Adresse destinataire invalide. Invalid recipient. LPN007_416", None, "laposte.net",
     True, "userunknown"),
    ("550 5.7.1 Service refuse. Veuillez essayer plus tard. OFR004_104", None, "orange.fr", False, "toomanyconn"),
    # Yahoo refuses a dead address after DATA, with its own sentence.
    ("554 delivery error: dd This user doesn't have a yahoo.com account (a@yahoo.com) [0]",
     "mta6.am0.yahoodns.net", "yahoo.com", True, "userunknown"),
    # … and it is the same sentence relayed through another server (Postfix) or for the
    # domains Yahoo hosts (yahoo.fr, yahoo.co.uk, ymail.com…): about the address (#25).
    ("554 delivery error: dd This user doesn't have a yahoo.fr account (a@yahoo.fr) [0]",
     None, "yahoo.fr", True, "userunknown"),
    ("554 delivery error: dd This user doesn't have a yahoo.com account (a@example.org) [0]",
     None, "example.org", True, "userunknown"),
    # KDDI names the address it refuses, and nobody when its filter refuses.
    ("550 <a@ezweb.ne.jp>: User unknown", None, "ezweb.ne.jp", True, "userunknown"),
    ("550 : User unknown", None, "ezweb.ne.jp", False, "filtered"),
    # GoDaddy's and Apple's own codes and sentences.
    ("554 5.7.1 IB212 message rejected", "p3plsmtp.secureserver.net", "example.net", False, "spamdetected"),
    ("550 5.1.1 <a@icloud.com>: inactive email address", None, "icloud.com", True, "userunknown"),
])
def test_provider_rules_decide_first(text, host, domain, hard, reason):
    verdict = judge(None, text, quoted=True, remote_host=host, domain=domain)
    assert (verdict.hard, verdict.reason) == (hard, reason)


def test_a_temporary_status_stays_soft_whatever_the_provider_says():
    verdict = judge("4.1.1", "450 4.1.1 LPN007_416", quoted=True, domain="laposte.net")
    assert not verdict.hard


def test_a_reporters_own_sentence_holds_only_in_its_reports():
    from email.message import EmailMessage

    from leadloop.providers import reporter_of, reporter_reason

    report = EmailMessage()
    report["Subject"] = "Delivery Status"
    report["X-NAI-Header"] = "Modified by McAfee Email Gateway"
    words = "550 <a@example.org> unknown."
    assert reporter_of(report) == "mcafee"
    assert judge(None, words, quoted=True, category=reporter_reason("mcafee", words)).hard
    assert not judge(None, words, quoted=True, category=reporter_reason(reporter_of(EmailMessage()), words)).hard


def test_every_reason_a_rule_can_give_has_a_label():
    from leadloop import providers
    from leadloop.delivery_status import LABELS

    reasons = {reason for rules in providers.SENTENCES.values() for reason, _, _ in rules}
    reasons |= {reason for rules in providers.REPORTER_SENTENCES.values() for reason, _ in rules}
    for table in (providers._FRANCE_PTT_CODES, providers._GODADDY_CODES, providers._COX_CODES,
                  providers._IUA_CODES):
        reasons |= set(table.values())
    assert reasons <= set(LABELS)


# A pipelined session (RFC 2920): Sendmail's transcript shows only ">>> DATA", then every
# reply in the order of the commands sent at once.
@pytest.mark.parametrize("transcript, command", [
    (">>> DATA\n<<< 550 5.1.1 <ana@example.org>... User unknown\n<<< 503 5.0.0 Need RCPT (recipient)\n", "RCPT"),
    (">>> DATA\n<<< 553 5.3.0 <ana@example.org>... No such mailbox\n", "RCPT"),
    # DATA went ahead (354): what follows answered the message itself.
    (">>> DATA\n<<< 354 Enter mail\n<<< 550 5.7.1 <ana@example.org>... Message refused\n", "DATA"),
    # DATA's own refusal names nobody.
    (">>> DATA\n<<< 554 5.5.1 Error: no valid recipients\n", "DATA"),
    (">>> RCPT To:<ana@example.org>\n<<< 550 5.1.1 User unknown\n", "RCPT"),
])
def test_replies_after_a_pipelined_data_belong_to_their_commands(transcript, command):
    from leadloop.bounces import smtp_command

    assert smtp_command(transcript) == command


@pytest.mark.parametrize("transcript, command", [
    # Exim refuses the RCPT without naming it; its DATA reply says no RCPT was accepted.
    (">>> DATA\n<<< 550 Unrouteable address\n<<< 503-All RCPT commands were rejected with this error:\n"
     "<<< 503 valid RCPT command must precede DATA\n", "RCPT"),
    (">>> DATA\n<<< 550 5.1.1 Sorry, no such user\n<<< 554 5.5.1 Error: no valid recipients\n", "RCPT"),
    # One refusal and nothing to say whose: the message's.
    (">>> DATA\n<<< 550 Sorry, no such user\n", "DATA"),
])
def test_a_data_refused_for_want_of_recipients_gives_the_refusals_before_it_to_rcpt(transcript, command):
    from leadloop.bounces import smtp_command

    assert smtp_command(transcript) == command
