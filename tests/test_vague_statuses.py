"""Words of a dead address under statuses that name no cause, the French Domino
Directory, and a hosted service's returned lines (issue #25; after the blind sets of
session 8, by general rules: RFC 3463's statuses, Sendmail's, Prodigy's, Plesk's and
Domino's own wording). The reports are written here; the people are invented."""

from __future__ import annotations

import pytest

from leadloop.classify import classify

from test_bounce_rules import LEAD, plain, rfc3464


def verdicts(raw: bytes) -> list:
    incoming = classify(raw)
    assert incoming.kind == "bounce"
    return [(f.address, f.verdict.hard) for f in incoming.failures]


@pytest.mark.parametrize("status, words", [
    # qmail-derived servers write a generic "(#5.5.1)" after any refusal.
    ("5.5.1", "550 User unknown (#5.5.1)"),
    ("5.5.0", "550 5.5.0 User unknown"),
    # Sendmail's "Addressee unknown", copied under 553 5.3.0 by the reporting sendmail.
    ("5.3.0", f"553 5.3.0 <{LEAD}>... Addressee unknown, relay=[192.0.2.7]"),
    ("5.0.0", f"Unable to find user: <{LEAD}>"),
    ("5.0.0", "No E-mail address is configured at this address"),
    ("5.0.0", f"Utilisateur {LEAD} non recensé dans l'annuaire Domino"),
    ("5.0.0", f"Utilisateur {LEAD} non répertorié dans l'annuaire Domino"),
])
def test_a_dead_address_said_in_words_under_a_status_that_names_no_cause(status, words):
    assert verdicts(rfc3464(words, status)) == [(LEAD, True)]


@pytest.mark.parametrize("words", [
    f"Unable to find user: <{LEAD}>", "No E-mail address is configured at this address",
    f"553 <{LEAD}>... Addressee unknown",
])
def test_the_same_words_in_a_plain_report_with_no_status(words):
    assert verdicts(plain(words)) == [(LEAD, True)]


@pytest.mark.parametrize("status, words", [
    # The same vague statuses with a cause named stay that cause's.
    ("5.5.1", "550 Mailbox full (#5.5.1)"),
    ("5.5.0", "550 5.5.0 Message rejected as spam"),
    ("5.5.1", "550 Sender verify failed: user unknown (#5.5.1)"),
])
def test_a_vague_status_with_another_cause_named_stays_soft(status, words):
    assert verdicts(rfc3464(words, status)) == [(LEAD, False)]


HOSTED = (
    "Return-Path: <>\r\n"
    "From: Postmaster@example.org\r\n"
    "To: laura@lauravidal.es\r\n"
    "Subject: Mail Delivery Failure\r\n"
    "Message-ID: <hosted-8@example.org>\r\n"
    "Content-Type: text/plain\r\n\r\n"
    "Delivery of email to this address\r\n"
    f'"{LEAD}"\r\n'
    "failed due to an unknown mailbox.\r\n"
    "The first 50 lines of your original message follow:\r\n"
    "> Received: from mx.lauravidal.es (mx.lauravidal.es [192.0.2.9])\r\n"
    f"> To: <{LEAD}>\r\n"
    "> Subject: [SPAM] Hola de nuevo\r\n"
    "> X-Spam-Flag: YES\r\n"
    ">\r\n"
    "> Our IP address is blacklisted nowhere; this text is the lead's spam folder talking.\r\n"
)


def test_returned_lines_after_first_lines_of_your_original_message_are_not_the_report():
    # Before, "[SPAM]" and "blacklisted" in the returned lines named a block of the sender.
    assert verdicts(HOSTED.encode()) == [(LEAD, True)]


FORWARD = "ana.forward@example.net"
# Sendmail's report (its DSN, with the transcript of a pipelined session) for a lead
# whose address is an alias that expands to a forward the next server does not know.
EXPANDED = (
    "Return-Path: <>\r\n"
    "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>\r\n"
    "To: laura@lauravidal.es\r\n"
    "Subject: Returned mail: see transcript for details\r\n"
    "Message-ID: <sm-8@mx.example.org>\r\n"
    "MIME-Version: 1.0\r\n"
    'Content-Type: multipart/report; report-type=delivery-status; boundary="S8"\r\n\r\n'
    "--S8\r\n\r\n"
    "The original message was received at Tue, 2 Jun 2026 10:00:00 +0200\r\n"
    "from mx.lauravidal.es [192.0.2.9]\r\n\r\n"
    "   ----- The following addresses had permanent fatal errors -----\r\n"
    f"{FORWARD}\r\n"
    f"    (reason: 553 5.3.0 <{FORWARD}>... Addressee unknown, relay=[192.0.2.44])\r\n"
    f"    (expanded from: <{LEAD}>)\r\n\r\n"
    "   ----- Transcript of session follows -----\r\n"
    "... while talking to mx.example.net.:\r\n"
    ">>> DATA\r\n"
    f"<<< 553 5.3.0 <{FORWARD}>... Addressee unknown, relay=[192.0.2.44]\r\n"
    f"550 5.1.1 {FORWARD}... User unknown\r\n"
    "<<< 503 5.0.0 Need RCPT (recipient)\r\n\r\n"
    "--S8\r\nContent-Type: message/delivery-status\r\n\r\n"
    "Reporting-MTA: dns; mx.example.org\r\n\r\n"
    f"Original-Recipient: rfc822;{LEAD}\r\n"
    f"Final-Recipient: RFC822; {FORWARD}\r\n"
    "Action: failed\r\nStatus: 5.3.0\r\nRemote-MTA: DNS; mx.example.net\r\n"
    f"Diagnostic-Code: SMTP; 553 5.3.0 <{FORWARD}>... Addressee unknown, relay=[192.0.2.44]\r\n\r\n"
    "--S8\r\nContent-Type: text/rfc822-headers\r\n\r\n"
    f"From: Laura Vidal <laura@lauravidal.es>\r\nTo: {LEAD}\r\nSubject: Hola\r\n\r\n"
    "--S8--\r\n"
)


def test_a_lead_whose_alias_expands_to_an_unknown_forward_is_bounced():
    # The lines about the lead end at ">>> DATA" (the replies name the forward): that
    # DATA was sent tells nothing of what was refused, and "Addressee unknown" needs no stage.
    assert (LEAD, True) in verdicts(EXPANDED.encode())


# Postfix's smtpd says what its recipient restrictions refused ("Recipient address
# rejected: …") only in answer to RCPT TO (smtpd_check.c), whatever status the site's
# access map gives: the stage is said, so a missing user's words count there.
@pytest.mark.parametrize("words", [
    f"550 5.7.1 <{LEAD}>: Recipient address rejected: Recipient not found",
    f"550 5.7.1 <{LEAD}>: Recipient address rejected: User unknown",
])
def test_postfixs_recipient_restriction_is_an_answer_to_rcpt(words):
    assert verdicts(plain(words)) == [(LEAD, True)]
    assert verdicts(rfc3464(words, "5.7.1")) == [(LEAD, True)]


@pytest.mark.parametrize("words", [
    # Postfix's generic `reject` restriction (postconf(5)): a server that does not relay
    # for us, or a site's access map.
    f"554 5.7.1 <{LEAD}>: Recipient address rejected: Access denied",
    f"550 5.7.1 <{LEAD}>: Recipient address rejected: Message rejected as spam",
    f"452 4.2.2 <{LEAD}>: Recipient address rejected: Mailbox full",
])
def test_postfixs_recipient_restriction_naming_another_cause_stays_soft(words):
    assert verdicts(plain(words)) == [(LEAD, False)]


def test_a_domain_that_could_not_be_found_is_the_address():
    # Gmail's report of an NXDOMAIN answer for the recipient's domain, in its words only.
    words = ("Address not found\r\n\r\nYour message wasn't delivered to "
             f"{LEAD} because the domain example.org couldn't be found. Check for typos "
             "or unnecessary spaces and try again.")
    assert verdicts(plain(words)) == [(LEAD, True)]


def test_mail_that_loops_back_is_the_domains_configuration_not_the_address():
    # Postfix's address verification (reject_unverified_recipient) passes on its probe's
    # cause under 5.1.1: a domain routed back to the answering server is misconfigured.
    words = (f"550 5.1.1 <{LEAD}>: Recipient address rejected: undeliverable address: "
             "mail for example.org loops back to myself")
    assert verdicts(plain(words)) == [(LEAD, False)]
    assert verdicts(rfc3464(words, "5.1.1")) == [(LEAD, False)]


def test_the_remote_servers_answer_beats_the_reports_canned_reason():
    # A Chinese hosted service's report: its own canned reason says the recipient's
    # address does not exist or is unavailable; the remote server's answer, labelled
    # 远程响应, says our message's From header was refused. The answer is the cause.
    words = ("退信原因 | 收件方地址不存在，或暂时不可用，导致邮件被系统退回。\r\n\r\n"
             "远程响应 | the mta server of example.org -- mx1.example.org(192.0.2.8) reply:550 "
             "The \"From\" header is missing or invalid. Please follow RFC5322 standard protocol.")
    assert verdicts(plain(words)) == [(LEAD, False)]


def test_the_dsn_address_type_rfc822_cites_no_standard():
    # "Final-Recipient: rfc822;…" names the address type (RFC 3464 §2.3.2), quoted in a
    # report's text (Exchange's plain DSN text): it says nothing against the message.
    words = (f"Final-Recipient: rfc822;{LEAD}\r\nAction: failed\r\nStatus: 5.1.0")
    assert verdicts(plain(words)) == [(LEAD, True)]


def test_a_transcripts_accepted_commands_give_no_status_to_the_refusal():
    # A client library's log of the session (PHPMailer/Symfony Mailer style): MAIL FROM
    # accepted with "250 2.1.0 Ok", then the refusal of the recipient's domain.
    words = ('>> MAIL FROM:  >> RCPT TO:  >> DATA  << 250 2.1.0 Ok  << 550 5.1.2 <' + LEAD + '>: '
             'Recipient address rejected: Domain not found  !! Expected response code 250/251/252 '
             'but got code "550"')
    assert verdicts(plain(words)) == [(LEAD, True)]


@pytest.mark.parametrize("status, words", [
    # RFC 5321's 550 text, bare, with no stage (Gmail's DSN of 1&1's answer, a gateway's
    # plain report): the lead's policy after the blind sets of session 9.
    ("5.0.0", "550 Requested action not taken: mailbox unavailable"),
    ("5.5.0", "550 5.5.0 Requested action not taken: mailbox unavailable (S2017062302)"),
])
def test_rfc5321s_mailbox_unavailable_with_no_stage_is_the_address(status, words):
    assert verdicts(rfc3464(words, status)) == [(LEAD, True)]
    assert verdicts(plain(words)) == [(LEAD, True)]


def test_mailbox_unavailable_for_our_domains_dns_is_ours():
    # 1&1's check of the sender's domain, in RFC 5321's words for a missing mailbox.
    words = "550 Requested action not taken: mailbox unavailable invalid DNS MX or A/AAAA resource record"
    assert verdicts(plain(words)) == [(LEAD, False)]
    assert verdicts(rfc3464(words)) == [(LEAD, False)]


@pytest.mark.parametrize("words", [
    # Exchange's and Office 365's NDR, in its English and German text, with no stage.
    f"Your message to {LEAD} couldn't be delivered.\r\n    ana.pena wasn't found at example.org.",
    f"Ihre Nachricht an {LEAD} konnte nicht zugestellt werden.\r\n    ana.pena wurde nicht in example.org gefunden.",
    # "Receiver" for the recipient (CompuServe's "Receiver not found").
    "Receiver unknown", "550 Receiver does not exist",
    # An answer with no record for the recipient's domain, given up (Gmail's wording).
    "Technical details of permanent failure: DNS Error: DNS server returned answer with no data",
])
def test_more_ways_a_report_says_the_address_is_not_there(words):
    assert verdicts(plain(words)) == [(LEAD, True)]


def test_data_refused_for_want_of_recipients_says_nothing_of_an_address():
    # Postfix's answer to DATA after every RCPT was refused, as a client library logs it.
    words = 'Expected response code 354 but got code "554", with message "554 5.5.1 Error: no valid recipients'
    assert verdicts(plain(words)) == [(LEAD, False)]


def test_a_forwarded_reports_header_block_without_its_blank_line():
    # Outlook's forward header over a qmail report, the blank line lost (a paste, a web
    # archive); in Outlook's Spanish, under its ruler, the fields' names are words
    # ("Enviado el:").
    for block in ("From: MAILER-DAEMON@mx.example.net [mailto:MAILER-DAEMON@mx.example.net]\r\n"
                  "Sent: Tuesday, December 22, 2015 11:37 AM\r\nTo: laura@lauravidal.es\r\nSubject: failure notice\r\n",
                  "-----Mensaje original-----\r\nDe: Mail Delivery System [mailto:MAILER-DAEMON@mx.example.net]\r\n"
                  "Enviado el: viernes, 10 de julio de 2015 08:39 a.m.\r\nPara: laura@lauravidal.es\r\n"
                  "Asunto: Undelivered Mail Returned to Sender\r\n"):
        words = (block + "Hi. This is the qmail-send program at mx.example.net.\r\n"
                 f"<{LEAD}>:\r\n192.0.2.9 does not like recipient.\r\n"
                 f"Remote host said: 550 5.1.1 <{LEAD}>: No such user here\r\n")
        raw = ("Return-Path: <>\r\nFrom: Mail Delivery System <MAILER-DAEMON@relay.lauravidal.es>\r\n"
               "To: laura@lauravidal.es\r\nSubject: Returned mail\r\nMessage-ID: <fwd-block@relay.lauravidal.es>\r\n"
               "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
               "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + words +
               "--b\r\nContent-Type: message/rfc822\r\n\r\n"
               f"From: Laura Vidal <laura@lauravidal.es>\r\nTo: {LEAD}\r\nSubject: Hola\r\n\r\nHola Ana\r\n--b--\r\n")
        assert verdicts(raw.encode()) == [(LEAD, True)]


@pytest.mark.parametrize("words", [
    # Exchange Online's edge blocking, whose advice to the sender is hedged ("may be
    # misspelled or may not exist"): the recipient's address, not ours.
    "The message was rejected by the recipient's domain because the recipient's email address is not "
    "listed in the domain's directory. Your email address may be misspelled or may not exist.",
    # The table Office 365's NDR puts over the recipient.
    "Office 365 | Action Required\r\n    Unknown To address |   |",
])
def test_office_365s_own_report_of_a_missing_recipient(words):
    assert verdicts(plain(words)) == [(LEAD, True)]


def test_your_address_said_invalid_outright_is_still_ours():
    assert verdicts(plain("550 Your email address is not valid")) == [(LEAD, False)]


def test_a_report_forwarded_under_microsoft_exchanges_name():
    # Outlook's forward of an Exchange NDR signed "Microsoft Exchange" (no address).
    words = ("From: Microsoft Exchange\r\nSent: Monday, March 05, 2018 1:44 PM\r\nTo: Laura Vidal\r\n"
             "Subject: Undeliverable: Hola\r\n"
             "mx.example.org rejected your message to the following email addresses:\r\n"
             f"{LEAD} ({LEAD})\r\n"
             f"Remote Server returned '550 5.4.1 [{LEAD}]: Recipient address rejected: Access denied'\r\n")
    raw = ("Return-Path: <>\r\nFrom: Mail Delivery System <MAILER-DAEMON@relay.lauravidal.es>\r\n"
           "To: laura@lauravidal.es\r\nSubject: Returned mail\r\nMessage-ID: <fwd-exch@relay.lauravidal.es>\r\n"
           "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
           "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + words +
           "--b\r\nContent-Type: message/rfc822\r\n\r\n"
           f"From: Laura Vidal <laura@lauravidal.es>\r\nTo: {LEAD}\r\nSubject: Hola\r\n\r\nHola Ana\r\n--b--\r\n")
    assert verdicts(raw.encode()) == [(LEAD, True)]


def test_qmails_giving_up_on_a_host_is_no_expiry():
    # qmail-send writes "Giving up on HOST." under every permanent refusal it relays; the
    # refusal names "your recipient address", the one we named: the lead's.
    words = (f"Delivery failed: {LEAD}\r\n192.0.2.32 does not like recipient.\r\n"
             "Remote host said: 550 sorry, your recipient address is\r\nnot in my local list\r\n"
             "Giving up on 192.0.2.32.")
    raw = plain("PLACE").replace(f"  {LEAD}\r\n    PLACE".encode(), words.encode())
    assert verdicts(raw) == [(LEAD, True)]


@pytest.mark.parametrize("words", [
    "I'm not going to try again; giving up on the message after 5 days in the queue",
    "550 your mailbox is not in my list",
])
def test_an_expiry_and_your_own_mailbox_stay_soft(words):
    assert verdicts(plain(words)) == [(LEAD, False)]


EXIM_GAVE_UP = ("This message was created automatically by mail delivery software.\r\n\r\n"
                "A message that you sent could not be delivered to one or more of its\r\n"
                "recipients. This is a permanent error. The following address(es) failed:\r\n\r\n"
                f"  {LEAD}\r\n    host mx.example.org [192.0.2.25]\r\n"
                f"    SMTP error from remote mail server after RCPT TO:<{LEAD}>:\r\n")


@pytest.mark.parametrize("reply", [
    "450 Requested mail action not taken: mailbox unavailable",
    f"450 4.1.2 <{LEAD}>: Recipient address rejected: Domain not found",
    "451 No such user here, try later",
])
def test_a_4xx_answer_exim_gave_up_retrying_is_no_dead_address(reply):
    """Exim reports a temporary answer it stopped retrying with its own "Status: 5.0.0"
    and ": retry timeout exceeded" after the server's words: the server asked to try
    again, so the address is not dead (SPEC §7, any 4.x.x: one of the lead's three).
    Blind on heldout78 (replies pasted in issue threads), three such reports had bounced
    their lead."""
    raw = rfc3464(f"{reply}: retry timeout exceeded", "5.0.0", text=EXIM_GAVE_UP + f"    {reply}:\r\n"
                  "    retry timeout exceeded\r\n")
    incoming = classify(raw)
    [failure] = incoming.failures
    assert (failure.address, failure.verdict.hard, failure.verdict.owner) == (LEAD, False, "mailbox")


def test_a_5xx_answer_under_the_same_status_stays_a_dead_address():
    raw = rfc3464("550 No such user here", "5.0.0", text=EXIM_GAVE_UP + "    550 No such user here\r\n")
    assert verdicts(raw) == [(LEAD, True)]


@pytest.mark.parametrize("error", ["Error: open resolver; https://www.spamhaus.org/returnc/pub/198.51.100.53",
                                   "Error: excessive number of queries; https://www.spamhaus.org/returnc/vol/x"])
def test_the_leads_server_that_misuses_a_blocklist_refuses_everyone_its_side(error):
    """Spamhaus answers a server that queries through a public resolver, or too often,
    with an error code its Postfix quotes like a listing: the lead's server refuses every
    sender so, and nothing of ours is listed (blind on heldout78: three such reports
    were read as our blocklisting, which stops a run)."""
    raw = rfc3464(f"554 5.7.1 Service unavailable; Client host [192.0.2.25] blocked using "
                  f"zen.spamhaus.org; {error}", "5.7.1")
    [failure] = classify(raw).failures
    assert (failure.verdict.hard, failure.verdict.owner) == (False, "mailbox")


def test_a_real_listing_of_our_ip_stays_ours():
    raw = rfc3464("554 5.7.1 Service unavailable; Client host [192.0.2.25] blocked using "
                  "zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.25", "5.7.1")
    [failure] = classify(raw).failures
    assert (failure.verdict.hard, failure.verdict.owner) == (False, "sender")


def test_an_unresolvable_address_is_dead_as_an_unrouteable_one():
    """'unresolvable address: <ADDRESS>' says what Exim's 'Unrouteable address' says
    (heldout79, a Chinese provider's answer, read after its blind measure)."""
    raw = rfc3464(f"554 Hi [192.0.2.25], unresolvable address: <{LEAD}>,", "5.0.0")
    assert verdicts(raw) == [(LEAD, True)]


def test_a_mailbox_not_found_or_access_denied_is_never_our_access():
    """A server that will not say which ("Mailbox not found or access denied") names a
    possibility: the lead's mailbox's, as "mailbox unavailable or access denied" is,
    never the refusal of us that stops a run (heldout79, read after its blind measure)."""
    [failure] = classify(rfc3464("550 Mailbox not found or access denied", "5.0.0")).failures
    assert (failure.verdict.hard, failure.verdict.owner) == (False, "mailbox")
