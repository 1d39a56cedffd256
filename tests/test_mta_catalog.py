"""The dead-address texts of mail servers, gateways, filters and old systems, each in a
report laid out as that system writes it (issue #25, branch mtacatalog).

Each row is one system's own sentence (its documentation, its knowledge base, or the
reader a bounce library wrote for its reports: the source column says which), put into
that system's report layout as its documentation or that reader describes it, and read
through the inbox's entry point (classify). Whose failure it is follows SPEC §7: a dead
address or domain (the lead becomes `bounced`), the lead's mailbox (full, disabled, its
system full: soft), or the sender (relay, our sender's domain, our HELO, blocks: soft).
The hosts and addresses are made up; the systems' words are theirs. Rows marked "new"
read wrong before this branch; the others are there so that a later change keeps them.
"""

from __future__ import annotations

import pytest

from test_server_texts import LEAD, ORIGINAL, dsn, exim_own, postfix_relayed

from leadloop.classify import classify
from leadloop.delivery_status import ADDRESS, MAILBOX, SENDER

OWNERS = {"H": ADDRESS, "M": MAILBOX, "S": SENDER}


def _headers(sender: str, subject: str, content_type: str, extra: str = "") -> str:
    return (f"Return-Path: <>\r\nFrom: {sender}\r\nTo: laura@lauravidal.es\r\nSubject: {subject}\r\n{extra}"
            f"Message-ID: <mta-25@relay.lauravidal.es>\r\nMIME-Version: 1.0\r\nContent-Type: {content_type}\r\n\r\n")


def messaging_server(reason: str, diagnostic: str, status: str) -> bytes:
    """Sun Java System / Oracle Communications Messaging Server's report: "Delivery
    Notification" subject, a "Boundary_(ID_…)" multipart/report, the per-recipient block
    ("Recipient address:", "Reason:", "Diagnostic code:") and its delivery-status part
    (the fields sisimai's Lhost::MessagingServer reads)."""
    boundary = "Boundary_(ID_qx25mta)"
    diag = f"  Diagnostic code: {diagnostic}\r\n  Remote system: dns;mx.example.org\r\n" if diagnostic else ""
    dsn_diag = f"Remote-MTA: dns;mx.example.org\r\nDiagnostic-code: {diagnostic}\r\n" if diagnostic else ""
    return (
        _headers("Internet Mail Delivery <postmaster@relay.lauravidal.es>", "Delivery Notification: Delivery has failed",
                 f'multipart/report; boundary="{boundary}"; report-type=delivery-status')
        + f"--{boundary}\r\nContent-type: text/plain; charset=us-ascii\r\n\r\n"
        + "This report relates to a message you sent with the following header fields:\r\n\r\n"
        + f"  Message-id: <hola-1@lauravidal.es>\r\n  From: laura@lauravidal.es\r\n  To: {LEAD}\r\n  Subject: Hola\r\n\r\n"
        + "Your message cannot be delivered to the following recipients:\r\n\r\n"
        + f"  Recipient address: {LEAD}\r\n  Reason: {reason}\r\n{diag}\r\n"
        + f"--{boundary}\r\nContent-type: message/DELIVERY-STATUS\r\n\r\nReporting-MTA: dns;relay.lauravidal.es\r\n\r\n"
        + f"Original-recipient: rfc822;{LEAD}\r\nFinal-recipient: rfc822;{LEAD}\r\nAction: failed\r\n"
        + f"Status: {status}\r\n{dsn_diag}\r\n--{boundary}--\r\n"
    ).encode("utf-8")


def compuserve_postmaster(first_line: str) -> bytes:
    """CompuServe's Electronic Postmaster notice to an Internet sender (Microsoft KB
    Q136413 copies it): the failure line, "Your message could not be delivered as
    addressed.", then the postmaster's addressing help."""
    return (
        _headers("CompuServe Postmaster <postmaster@compuserve.com>", "Undeliverable Message", "text/plain")
        + f"{first_line}\r\nYour message could not be delivered as addressed.\r\n\r\n"
        + "--- Message From Postmaster ---\r\nSubject: Addressing CompuServe Mail users\r\n\r\n"
        + "A message you sent to a CompuServe Mail user could not be delivered due to an incorrect address.\r\n\r\n"
        + "--- Returned Message ---\r\n" + ORIGINAL
    ).encode("utf-8")


def domino(reason: str) -> bytes:
    """Lotus/HCL Domino's delivery failure report: "DELIVERY FAILURE:" subject, "Your
    message … was not delivered to: … because: …" (sisimai's Lhost::Domino)."""
    return (
        _headers("Postmaster <postmaster@example.org>", f"DELIVERY FAILURE: {reason}", "text/plain; charset=us-ascii")
        + "Your message\r\n\r\n  Subject: Hola\r\n\r\nwas not delivered to:\r\n\r\n"
        + f"  {LEAD}\r\n\r\nbecause:\r\n\r\n  {reason}\r\n"
    ).encode("utf-8")


def exchange_legacy(text: str, diagnostic: str) -> bytes:
    """Exchange 5.5/2000/2003's NDR: "Your message … did not reach the following
    recipient(s):", the recipient, the reason and its MSEXCH line (sisimai's
    Lhost::Exchange2003)."""
    return (
        _headers("System Administrator <postmaster@example.org>", "Undeliverable: Hola", "text/plain",
                 "X-MS-Embedded-Report: \r\n")
        + "Your message\r\n\r\n  To:      ana.pena\r\n  Subject: Hola\r\n  Sent:    Thu, 5 Mar 2026 10:00:00 +0100\r\n\r\n"
        + f"did not reach the following recipient(s):\r\n\r\n{LEAD} on Thu, 5 Mar 2026 10:00:05 +0100\r\n"
        + f"    {text}\r\n    {diagnostic}\r\n"
    ).encode("utf-8")


def x400_gateway(diagnostic: str, status: str) -> bytes:
    """An X.400/Internet gateway's report (RFC 3464, the X.400 diagnostic in the
    Diagnostic-Code, diagnostic-type "X-400")."""
    return (
        _headers("X.400 Gateway <postmaster@x400.example.org>", "Non-delivery notification",
                 'multipart/report; report-type=delivery-status; boundary="X25"')
        + "--X25\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\r\n"
        + "--X25\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: x-400; c=es;a= ;p=example\r\n\r\n"
        + f"Final-Recipient: rfc822; {LEAD}\r\nAction: failed\r\nStatus: {status}\r\n"
        + f"Diagnostic-Code: X-400; {diagnostic}\r\n\r\n--X25--\r\n"
    ).encode("utf-8")


def office365(diagnostic: str, status: str) -> bytes:
    """Exchange Online's report when nothing of the recipient's answered: the text part,
    the delivery-status part with no Remote-MTA."""
    return (
        _headers("Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@lauravidal.es>",
                 "Undeliverable: Hola", 'multipart/report; report-type=delivery-status; boundary="O25"')
        + "--O25\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        + f"Delivery has failed to these recipients or groups:\r\n\r\n{LEAD} ({LEAD})\r\n\r\n"
        + "Diagnostic information for administrators:\r\n\r\nGenerating server: AM0PR01MB1234.eurprd01.prod."
        + f"exchangelabs.com\r\n\r\n{LEAD}\r\nRemote Server returned '{diagnostic}'\r\n\r\n"
        + "--O25\r\nContent-Type: message/delivery-status\r\n\r\n"
        + "Reporting-MTA: dns;AM0PR01MB1234.eurprd01.prod.exchangelabs.com\r\n\r\n"
        + f"Final-recipient: RFC822; {LEAD}\r\nAction: failed\r\nStatus: {status}\r\n"
        + f"Diagnostic-Code: smtp;{diagnostic}\r\n\r\n--O25--\r\n"
    ).encode("utf-8")


def imail(line: str) -> bytes:
    """Ipswitch IMail's report: "Undeliverable Mail" subject, X-Mailer "<SMTP32 …>", the
    failed address and its reason, "Original message follows." (sisimai's
    Lhost::IMailServer)."""
    return (
        _headers("Mail Delivery Subsystem <MAILER-DAEMON@example.org>", f"Undeliverable Mail: \"Hola\"", "text/plain",
                 "X-Mailer: <SMTP32 v8.22>\r\n")
        + f"{line}\r\n\r\nOriginal message follows.\r\n\r\n" + ORIGINAL
    ).encode("utf-8")


def smartermail(reason: str) -> bytes:
    """SmarterMail's System Administrator delivery failure notice: "Could not deliver
    message to the following recipient(s):", "Failed Recipient:", "Reason:" (its hosts'
    help pages copy it)."""
    return (
        _headers("System Administrator <postmaster@relay.lauravidal.es>", "Undeliverable Mail", "text/plain")
        + "Could not deliver message to the following recipient(s):\r\n\r\n"
        + f"Failed Recipient: {LEAD}\r\nReason: {reason}\r\n\r\n-------- Original Message --------\r\n" + ORIGINAL
    ).encode("utf-8")


def interscan(reply: str) -> bytes:
    """Trend Micro InterScan Messaging Security's notice: "InterScan MSS" sender, "Mail
    could not be delivered" subject, the SMTP exchange as "Sent <<<" / "Received >>>"
    lines (sisimai's Lhost::InterScanMSS)."""
    return (
        _headers('"InterScan MSS" <postmaster@relay.lauravidal.es>', "Mail could not be delivered", "text/plain")
        + f"Sent <<< RCPT TO:<{LEAD}>\r\nReceived >>> {reply}\r\n\r\n"
        + f"Could not deliver mail to this user.\r\nUnable to deliver message to <{LEAD}>.\r\n"
    ).encode("utf-8")


ADDR = LEAD
ROWS = [
    # --- Old gateways -------------------------------------------------------------------
    ("compuserve-invalid-receiver", "H", lambda: compuserve_postmaster(f"? Invalid receiver address: {ADDR}"),
     "Microsoft KB Q136413 (CompuServe's Electronic Postmaster)", False),
    ("compuserve-receiver-not-defined", "H", lambda: compuserve_postmaster("? This receiver is not defined"),
     "a CompuServe gateway's text (issue #25) in Q136413's layout: the grammar's \"not defined\"", True),
    ("x400-unrecognised-or-name", "H", lambda: x400_gateway("0 (unrecognised-OR-name)", "5.0.0"),
     "ITU-T X.411 NonDeliveryDiagnosticCode 0", True),
    ("x400-unrecognized-o/r-name", "H", lambda: x400_gateway("Unrecognized O/R name", "5.0.0"),
     "ITU-T X.411, as X.400 gateways render it", True),
    ("msmail-connector-or-name", "H",
     lambda: x400_gateway("Reason: 1 (transfer impossible) diagnostic: 0 (OR name (Email address) unrecognized)",
                          "5.0.0"), "Microsoft KB Q162017 (MS Mail Connector)", False),
    ("x400-ambiguous-or-name", "M", lambda: x400_gateway("1 (ambiguous-OR-name)", "5.0.0"),
     "ITU-T X.411 NonDeliveryDiagnosticCode 1: several match, no dead address", False),
    ("relay-no-record-of-host", "H", lambda: dsn("550 This relay has no record of the host in question", "5.0.0"),
     "a relay's text (issue #25): the host side", True),
    ("no-mx-for-domain", "H", lambda: dsn("550 No MX for example.org", "5.0.0"),
     "Mailgun's event text for a domain with no mail exchanger, relayed", True),
    ("could-not-find-mail-server", "H",
     lambda: exim_own("553 Unknown mail server. Could not find a mail server for example.org"),
     "a sending service's 553 5.1.2 text (its status left off by the relay)", True),
    ("host-named-unknown", "H", lambda: dsn("Host mx.example.org unknown", None),
     "the lead's own MX host said unknown: a dangling MX", True),
    # --- Sun/Oracle Communications Messaging Server ------------------------------------
    ("messaging-server-illegal-host", "H",
     lambda: messaging_server("Illegal host/domain name found", "", "5.4.4 (Illegal host/domain name found)"),
     "Oracle Messaging Server Administration Guide (Illegal Host/Domain Errors); sisimai Lhost::MessagingServer",
     False),
    ("messaging-server-illegal-host-relayed", "H", lambda: exim_own("Illegal host/domain name found"),
     "the same words relayed with no status", True),
    ("messaging-server-illegal-host-5.0.0", "H", lambda: dsn("Illegal host/domain name found", "5.0.0"),
     "the same words under the vague 5.0.0", True),
    ("messaging-server-illegal-alias", "H",
     lambda: messaging_server("Remote SMTP server has rejected address",
                              f"smtp;550 5.1.1 unknown or illegal alias: {ADDR}", "5.1.1 (unknown or illegal alias)"),
     "Oracle Messaging Server (its alias lookup); sisimai Lhost::MessagingServer", False),
    ("messaging-server-sender-domain", "S",
     lambda: messaging_server("Remote SMTP server has rejected address",
                              "smtp;553 5.1.8 <laura@lauravidal.es>: Sender address rejected: Illegal host/domain "
                              "name found", "5.0.0"), "our sender's domain in the same words: ours", False),
    # --- MailEnable, SmarterMail, IMail, IceWarp, MDaemon, CommuniGate ---------------------
    ("mailenable-not-in-address-map", "H",
     lambda: postfix_relayed(f"550 Domain for ([SMTP:{ADDR}]) is locally serviced, but recipient is not defined in "
                             "address map", "RCPT"), "MailEnable KB ME020219", True),
    ("mailenable-not-in-address-map-5.0.0", "H",
     lambda: dsn(f"550 Domain for ([SMTP:{ADDR}]) is locally serviced, but recipient is not defined in address map",
                 "5.0.0"), "MailEnable KB ME020219", True),
    ("smartermail-no-mx", "H",
     lambda: smartermail("Failed to connect to the recipients mail server. No MX records were found for the "
                         "'example.org' domain."), "SmarterMail's delivery failure notice (its hosts' help)", False),
    ("smartermail-mailbox-full", "M", lambda: smartermail("The mailbox is full"), "SmarterMail", False),
    ("smartermail-domain-size-limit", "M", lambda: smartermail("The domain size limit has been exceeded"),
     "SmarterMail: the recipient's domain used its disk space (the mailbox's system, not our message)", True),
    ("imail-unknown-user", "H", lambda: imail(f"Unknown user: {ADDR}"), "sisimai Lhost::IMailServer", False),
    ("imail-mailbox-size", "M", lambda: imail(f"User mailbox exceeds allowed size: {ADDR}"),
     "sisimai Lhost::IMailServer (MailboxFull)", True),
    ("icewarp-unknown-user", "H", lambda: postfix_relayed("550 5.1.1 Unknown user; rejecting", "RCPT"),
     "IceWarp's SMTP error list (550 5.1.1 Unknown user; rejecting)", False),
    ("mdaemon-recipient-unknown", "H", lambda: postfix_relayed(f"550 <{ADDR}>, Recipient unknown", "RCPT"),
     "MDaemon's answer (MDaemon users' list)", False),
    ("communigate-unknown-account", "H", lambda: dsn("550 5.1.1 unknown user account", "5.0.0"),
     "CommuniGate Pro", False),
    # --- Courier, Domino, Notes, GroupWise, Exchange --------------------------------------
    ("courier-local-user-unknown", "H", lambda: postfix_relayed(f"550 User <{ADDR}> unknown", "RCPT"),
     "svarshavchik/courier courier/module.local/local.C", False),
    ("domino-not-listed", "H", lambda: domino(f"User ana.pena ({ADDR}) not listed in Domino Directory"),
     "sisimai Lhost::Domino", False),
    ("domino-not-a-valid-user", "H", lambda: postfix_relayed("550 ana.pena is not a valid user", "RCPT"),
     "Domino's SMTP listener (its notes.ini SMTPVerifyAuthenticatedUsers help)", False),
    ("groupwise-user-not-found", "H",
     lambda: exim_own("The message that you sent was undeliverable to the following:\r\n\tana.pena (user not found)"),
     "GroupWise's undeliverable report", False),
    ("exchange2003-unknown-recipient", "H",
     lambda: exchange_legacy("The recipient name is not recognized",
                             "MSEXCH:IMS:Example:Site:MX1 0 (000C05A6) Unknown Recipient"),
     "sisimai Lhost::Exchange2003 (000C05A6)", False),
    ("exchange2003-ambiguous", "M",
     lambda: exchange_legacy("The recipient name is ambiguous.",
                             "MSEXCH:IMS:Example:Site:MX1 0 (000C0595) Ambiguous Recipient"),
     "Microsoft KB 251152 (000C0595): several match, no dead address", False),
    ("office365-dns-domain-does-not-exist", "H",
     lambda: office365("550 5.4.310 DNS domain example.org does not exist [Message=InfoDomainNonexistent]",
                       "5.4.310"), "Microsoft Learn, Exchange Online NDR 5.4.310", False),
    ("office365-recipnotfound", "H",
     lambda: office365("550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
                       "5.1.10"), "Microsoft Learn, Exchange Online NDR 5.1.10", False),
    ("office365-relay-access-denied", "S",
     lambda: office365("550 5.4.1 Relay Access Denied", "5.4.1"), "Microsoft (a tenant that does not relay for us)",
     False),
    ("exchange-ehlo-invalid-domain-name", "S", lambda: dsn("501 5.5.4 Invalid domain name", "5.5.4"),
     "Microsoft's Telnet test of SMTP: Exchange's answer to an EHLO it refuses (our HELO name)", True),
    ("exchange-ehlo-invalid-domain-name-5.0.0", "S", lambda: exim_own("501 5.5.4 Invalid domain name"),
     "the same, relayed with no stage", True),
    ("sendmail-helo-invalid-domain-name", "S", lambda: dsn("501 5.0.0 Invalid domain name", "5.0.0"),
     "Sendmail's answer to a HELO it refuses (sisimai's Blocked reason)", True),
    ("office365-daily-recipient-limit", "S",
     lambda: office365("550 5.1.90 Your message can't be sent because you've reached your daily limit for message "
                       "recipients", "5.1.90"), "Microsoft Learn, Exchange Online NDR 5.1.90: our sending limit", True),
    ("office365-submission-quota", "S",
     lambda: office365("554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process "
                       "message due to a permanent exception", "5.2.0"),
     "Microsoft Learn, Exchange Online sending limits (the per-day limit)", True),
    ("office365-receive-limit-from-sender", "S",
     lambda: office365("550 5.2.121 Recipient's per hour message receive limit from specific sender exceeded",
                       "5.2.121"), "Microsoft Learn, Exchange Online NDR 5.2.121: our rate to that recipient", True),
    ("office365-receive-limit", "M",
     lambda: office365("550 5.2.122 Recipient's per hour message receive limit exceeded", "5.2.122"),
     "Microsoft Learn, Exchange Online NDR 5.2.122: the recipient's own limit", False),
    ("office365-bad-outbound-sender", "S",
     lambda: office365("550 5.1.8 Access denied, bad outbound sender", "5.1.8"), "Microsoft Learn, NDR 5.1.8", False),
    # --- Gateways and filters: IronPort, Barracuda, Mimecast, MessageLabs, Postini, Trend --
    ("ironport-address-rejected", "H", lambda: postfix_relayed(f"550 #5.1.0 Address rejected {ADDR}", "RCPT"),
     "Cisco Secure Email (IronPort) LDAP acceptance; sisimai UserUnknown", False),
    ("barracuda-no-such-user", "H", lambda: postfix_relayed(f"550 No such user ({ADDR})", "RCPT"),
     "Barracuda (smtp.codes/550)", False),
    ("barracuda-reputation", "S",
     lambda: postfix_relayed("554 Service unavailable; Client host [192.0.2.9] blocked using Barracuda Reputation",
                             "RCPT"), "Barracuda", False),
    ("mimecast-invalid-recipient", "H",
     lambda: postfix_relayed("550 Invalid Recipient - https://community.mimecast.com/docs/DOC-1369#550", "RCPT"),
     "Mimecast SMTP error codes", False),
    ("mimecast-anti-spoofing", "S", lambda: postfix_relayed("550 Rejected by header based Anti-Spoofing policy", "DATA"),
     "Mimecast SMTP error codes", False),
    ("messagelabs-relay", "S",
     lambda: postfix_relayed("553-you are trying to use me [server-4.messagelabs.com] as a relay, but I have not been "
                             "configured to let you do this", "RCPT"), "Symantec Email Security.cloud", False),
    ("postini-no-such-user", "H", lambda: postfix_relayed("550 5.1.1 No such user - psmtp", "RCPT"),
     "Postini", False),
    ("interscan-user-unknown", "H", lambda: interscan(f"550 5.1.1 <{ADDR}>... user unknown"),
     "sisimai Lhost::InterScanMSS", False),
    ("trend-hes-sender-domain", "S",
     lambda: postfix_relayed("550 5.7.1 <laura@lauravidal.es>: Sender address rejected: Access denied", "RCPT"),
     "Trend Micro Hosted Email Security (solution 1053852)", False),
]


def verdict_of(raw: bytes):
    """The verdict on the lead's address; or, where the report names no address (an old
    gateway's notice), the report's overall one, which the inbox applies to the lead whose
    message came back."""
    incoming = classify(raw)
    assert incoming.kind == "bounce"
    found = [failure.verdict for failure in incoming.failures if failure.address == LEAD]
    if not found and not incoming.failures and incoming.overall is not None:
        found = [incoming.overall.verdict]
    assert found, [failure.address for failure in incoming.failures]
    return found[0]


def _check(verdict, owner: str):
    assert (verdict.hard, verdict.owner) == (owner == "H", OWNERS[owner]), verdict


@pytest.mark.parametrize("row", ROWS, ids=[row[0] for row in ROWS])
def test_in_the_systems_own_layout(row):
    name, owner, build, source, new = row
    _check(verdict_of(build()), owner)


# --- Traps: the same words about something other than the lead's address ------------------
@pytest.mark.parametrize("words", [
    # Our sender's domain or our HELO, in the Messaging Server's words for a bad domain.
    "554 5.7.1 <laura@lauravidal.es>: Sender address rejected: Illegal host/domain name found",
    "550 5.7.1 <relay.lauravidal.es>: Helo command rejected: Illegal host/domain name found",
    # Our host named: a record of OURS.
    "550 We have no record of your host 192.0.2.9",
    # The sender, "not defined".
    "550 Sender not defined", "550 The sender address is not defined",
    # Our own domain or host named as unknown or without a mail exchanger (the receiving
    # server checked ours): never the lead's.
    "550 No MX for lauravidal.es", "550 Host relay.lauravidal.es unknown", "550 Domain lauravidal.es is unknown",
    "550 Could not find a mail server for lauravidal.es", "Host 192.0.2.9 is unknown",
    # "unknown" said of a command, or of our own relay in our transcript.
    "500 5.5.1 Command unrecognized", "550 unknown SMTP host relay.lauravidal.es",
    # Policy and relaying stay the sender's; a disabled or full mailbox the lead's.
    "550 5.7.1 Recipient address rejected: Access denied", "550 5.7.1 Relaying denied",
    "550 5.2.1 Mailbox disabled, not accepting messages", "552 5.2.2 Mailbox full",
])
@pytest.mark.parametrize("layout", ["dsn-5.0.0", "dsn-no-status", "exim", "postfix-rcpt"])
def test_words_about_something_else_are_never_the_address(words, layout):
    raw = {"dsn-5.0.0": lambda: dsn(words, "5.0.0"), "dsn-no-status": lambda: dsn(words, None),
           "exim": lambda: exim_own(words), "postfix-rcpt": lambda: postfix_relayed(words, "RCPT")}[layout]()
    assert not verdict_of(raw).hard


def test_a_full_mailbox_or_mail_system_is_named_as_such():
    # Both were soft before; IMail's had no cause ("delivery failed") and SmarterMail's was
    # read as our message too large (its "size limit"), which is the sender's.
    assert verdict_of(imail(f"User mailbox exceeds allowed size: {ADDR}")).reason == "mailboxfull"
    assert verdict_of(smartermail("The domain size limit has been exceeded")).reason == "systemfull"


def ftgate(subject: str) -> bytes:
    """FTGate's own error reply (its "Mail Delivery Error" notice): a daemon's display
    name over another address, no null Return-Path (relayed), no status, the sentence
    "cannot be delivered due to the following error: ADDRESS - no such mailbox at HOST"."""
    return (
        f"From: \"Mailer-Daemon@example.org\" <mailerror@example.org>\r\nTo: laura@lauravidal.es\r\n"
        f"Subject: {subject}\r\nMessage-ID: <ftg-1@example.org>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
        "----- THIS IS AN AUTOMATED ERROR REPLY ---\r\nPLEASE CHECK THE SPELLING OF THE EMAIL-ADDRESS\r\n\r\n"
        f"Your message\r\n\"Hola\", sent to <{LEAD}>\r\n\r\ncannot be delivered due to the following error:\r\n"
        f"{LEAD} - no such mailbox at EXAMPLE.ORG.\r\n\r\nBelow is the header from the original message:\r\n\r\n"
        + ORIGINAL
    ).encode("utf-8")


@pytest.mark.parametrize("subject", ["Mail Delivery Error - ana.pena@example.org", "Example Org: Mail Delivery Error"])
def test_ftgates_error_reply_is_a_dead_address(subject):
    incoming = classify(ftgate(subject))
    assert incoming.kind == "bounce"
    assert {f.address: f.hard for f in incoming.failures if f.address == LEAD} == {LEAD: True}


def test_a_persons_mail_about_a_delivery_error_is_a_reply():
    raw = (f"Return-Path: <{LEAD}>\r\nFrom: Ana <{LEAD}>\r\nTo: laura@lauravidal.es\r\n"
           "Subject: Re: Mail delivery error on my order\r\nMessage-ID: <p-1@example.org>\r\n\r\n"
           "The parcel never came, can you check it?\r\n").encode()
    assert classify(raw).kind == "reply"
