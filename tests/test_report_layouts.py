"""The same sentence, wherever and however a report puts it (issue #25, branch `layouts`).

Five sentences leadloop already reads right (a dead address, a dead domain, a full
mailbox, a spam refusal of our sender, a greylisting delay) are put into every layout
real servers write, and every encoding mail travels in. Each cell must give the verdict
of the plain case (an RFC 3464 report with a text part, LAYOUTS["rfc3464"]): hard stays
hard, soft stays soft, the same owner (SPEC §7), and the right lead.

Every message here is written for this test from the layout its writer documents:
RFC 3462/6522 (multipart/report), RFC 3464 (message/delivery-status), RFC 6533
(message/global-delivery-status), RFC 2045-2047 (encodings, charsets, encoded words),
RFC 5322 §2.2.3 (folding), Exim's spec ("Bounce and warning messages"), qmail's QSBMF
(cr.yp.to/proto/qsbmf.txt), Sendmail's and Postfix's default bounce texts (Postfix
bounce(8), bounce.cf.default), Exchange's NDR ("Diagnostic information for
administrators", learn.microsoft.com "Non-delivery reports in Exchange Online"), the
layouts the Mailman bounce detectors (flufl.bounce: groupwise.py, yahoo.py,
simplematch.py…) describe for Domino, GroupWise, Yahoo, MDaemon and Hotmail. The
addresses and hosts are made up (RFC 2606)."""

from __future__ import annotations

import base64
import quopri
from dataclasses import dataclass

import pytest

from leadloop.classify import classify
from leadloop.delivery_status import ADDRESS, MAILBOX, SENDER

LEAD = "ana.pena@example.org"       # the lead whose message failed
OTHER = "pedro.gil@example.com"     # another lead, only quoted in the returned message's body
THIRD = "luis.mora@example.net"     # another lead, a second recipient of the same report
LEADS = {LEAD, OTHER, THIRD}
US = "laura@lauravidal.es"
ORIGINAL_ID = "<20261205101500.1@lauravidal.es>"  # the Message-ID of leadloop's message


@dataclass(frozen=True)
class Case:
    status: str          # the enhanced status code (RFC 3463)
    words: str           # what the report says about the recipient
    command: str | None  # the SMTP command answered ("RCPT TO", "end of DATA"), None: the reporting host's own
    hard: bool
    owner: str
    reasons: frozenset   # the reasons the plain case may give
    delayed: bool = False


CASES = {
    "dead address": Case("5.1.1", f"550 5.1.1 <{LEAD}>: Recipient address rejected: User unknown in local"
                                  " recipient table", "RCPT TO", True, ADDRESS, frozenset({"userunknown"})),
    # The words alone decide: a vague status (5.0.0), as Windows and MDaemon servers send it.
    "dead address in words": Case("5.0.0", "550 Requested action not taken: mailbox unavailable (no such user here)",
                                  "RCPT TO", True, ADDRESS, frozenset({"userunknown"})),
    "dead domain": Case("5.1.2", "Host or domain name not found. Name service error for name=example.org"
                                 " type=MX: Host not found", None, True, ADDRESS, frozenset({"hostunknown"})),
    "full mailbox": Case("5.2.2", f"552 5.2.2 <{LEAD}>: Mailbox full: quota exceeded", "RCPT TO", False, MAILBOX,
                         frozenset({"mailboxfull"})),
    "spam refusal": Case("5.7.1", "554 5.7.1 Message rejected as spam by Content Filtering", "end of DATA",
                         False, SENDER, frozenset({"spamdetected"})),
    "greylisted": Case("4.7.1", f"450 4.7.1 <{LEAD}>: Recipient address rejected: Greylisted, see"
                                " http://postgrey.example.net/help/example.org.html", "RCPT TO", False, MAILBOX,
                       frozenset({"delayed", "temporary"}), delayed=True),
    # The lead's server offers no SMTPUTF8 (Postfix, smtp/smtp_proto.c; RFC 6531's 5.6.7),
    # and the lead's local part is ASCII, which never needs it: our relay wrote the domain
    # in Unicode, ours (test_smtputf8_reports: a Unicode local part is the mailbox's).
    "no SMTPUTF8": Case("5.6.7", "SMTPUTF8 is required, but was not offered by host mx.example.org[192.0.2.25]",
                        None, False, SENDER, frozenset({"nosmtputf8"})),
}


# --- The returned original and the envelope around every report --------------------------

def original(eol: str = "\r\n") -> str:
    """Leadloop's message as a report returns it: its body quotes another lead's address,
    which never becomes a failed recipient."""
    return eol.join([
        f"From: Laura Vidal <{US}>", f"To: {LEAD}", "Subject: Tu presupuesto de reforma",
        "Date: Sat, 05 Dec 2026 10:15:00 +0100", f"Message-ID: {ORIGINAL_ID}", "",
        "Hola Ana:", "", f"Te paso el contacto de Pedro ({OTHER}), que hizo la obra del local.", "",
        "Un saludo,", "Laura", ""])


def envelope(content_type: str, body: str, *, subject: str = "Undelivered Mail Returned to Sender",
             sender: str = "MAILER-DAEMON@relay.lauravidal.es (Mail Delivery System)",
             extra: str = "", mime: bool = True) -> str:
    head = [
        "Return-Path: <>", f"From: {sender}", f"To: {US}", f"Subject: {subject}",
        "Date: Sat, 05 Dec 2026 10:16:02 +0100", "Message-ID: <report-1@relay.lauravidal.es>",
    ]
    if mime:
        head.append("MIME-Version: 1.0")
    if content_type:
        head.append(f"Content-Type: {content_type}")
    return "\r\n".join(head) + ("\r\n" + extra if extra else "") + "\r\n\r\n" + body


def multipart(boundary: str, *parts: str, preamble: str = "This is a MIME-encapsulated message.") -> str:
    return (f"{preamble}\r\n\r\n" + "".join(f"--{boundary}\r\n{part}\r\n" for part in parts)
            + f"--{boundary}--\r\n")


def text_part(text: str, *, kind: str = "text/plain; charset=us-ascii", encoding: str = "") -> str:
    head = f"Content-Type: {kind}\r\n" + (f"Content-Transfer-Encoding: {encoding}\r\n" if encoding else "")
    return head + "\r\n" + text


def human(case: Case) -> str:
    """The text part of the plain RFC 3464 report (Postfix's wording)."""
    return ("This is the mail system at host relay.lauravidal.es.\r\n\r\n"
            "I'm sorry to have to inform you that your message could not\r\n"
            "be delivered to one or more recipients. It's attached below.\r\n\r\n"
            "                   The mail system\r\n\r\n" + postfix_entry(case))


def joined(words: str) -> str:
    """A multiline SMTP reply (RFC 5321 §4.2.1) as Postfix and Exchange quote it: its
    lines joined with spaces."""
    return words.replace("\r\n", " ")


def postfix_entry(case: Case, recipient: str = LEAD) -> str:
    if case.command:
        return (f"<{recipient}>: host mx.example.org[192.0.2.25] said: {joined(case.words)}\r\n"
                f"    (in reply to {case.command} command)\r\n")
    return f"<{recipient}>: {case.words}\r\n"


def fields(case: Case, *, recipient: str = LEAD, diagnostic: str | None = None, status: str | None = None,
           original_recipient: bool = True, final_recipient: bool = True) -> str:
    """One recipient's RFC 3464 fields."""
    lines = []
    if original_recipient:
        lines.append(f"Original-Recipient: rfc822;{recipient}")
    if final_recipient:
        lines.append(f"Final-Recipient: rfc822; {recipient}")
    lines += [f"Action: {'delayed' if case.delayed else 'failed'}", f"Status: {status or case.status}"]
    if case.command:
        lines.append("Remote-MTA: dns; mx.example.org")
    lines.append(f"Diagnostic-Code: {diagnostic if diagnostic is not None else 'smtp; ' + joined(case.words)}")
    if case.delayed:
        lines.append("Will-Retry-Until: Tue, 8 Dec 2026 10:15:00 +0100")
    return "\r\n".join(lines) + "\r\n"


def delivery_status(case: Case, **options) -> str:
    return ("Reporting-MTA: dns; relay.lauravidal.es\r\nX-Postfix-Queue-ID: 4F1B2C3D4E\r\n"
            "Arrival-Date: Sat,  5 Dec 2026 10:15:01 +0100\r\n\r\n" + fields(case, **options))


def report(*parts: str, boundary: str = "4F1B2C3D4E.1733390162/relay.lauravidal.es") -> str:
    return multipart(boundary, *parts)


REPORT_TYPE = 'multipart/report; report-type=delivery-status;\r\n\tboundary="4F1B2C3D4E.1733390162/relay.lauravidal.es"'


def dsn_part(case: Case, *, kind: str = "message/delivery-status", **options) -> str:
    return f"Content-Description: Delivery report\r\nContent-Type: {kind}\r\n\r\n" + delivery_status(case, **options)


def original_part(kind: str = "message/rfc822") -> str:
    text = original()
    if kind in ("text/rfc822-headers", "message/global-headers"):
        text = text.split("\r\n\r\n", 1)[0] + "\r\n"
    return f"Content-Description: Undelivered Message\r\nContent-Type: {kind}\r\n\r\n" + text


# --- RFC 3464 reports and their variants ------------------------------------------------

def rfc3464(case: Case) -> str:
    """The plain case: RFC 6522 multipart/report with a text part, the fields and the
    returned message (Postfix's bounce(8) layout)."""
    return envelope(REPORT_TYPE, report(text_part(human(case)), dsn_part(case), original_part()))


def rfc3464_no_text(case: Case) -> str:
    """Without the human-readable part (RFC 6522 §3 makes it required, some writers skip it)."""
    return envelope(REPORT_TYPE, report(dsn_part(case), original_part("text/rfc822-headers")))


def rfc3464_fields_only(case: Case) -> str:
    """The fields and a text part that says nothing about the cause."""
    return envelope(REPORT_TYPE, report(text_part("Your message could not be delivered.\r\n"), dsn_part(case),
                                        original_part()))


def rfc3464_extra_parts(case: Case) -> str:
    """Extra parts before and after: a logo, an HTML copy of the text, a legal notice."""
    logo = ("Content-Type: image/png; name=logo.png\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + base64.encodebytes(b"\x89PNG\r\n\x1a\n" + bytes(range(64))).decode().replace("\n", "\r\n"))
    html = text_part("<html><body><p>Delivery has failed.</p></body></html>\r\n", kind="text/html; charset=utf-8")
    notice = text_part("This e-mail and any attachments are confidential. If you received it in error,"
                       " write to dpo@lauravidal.es.\r\n")
    return envelope(REPORT_TYPE, report(logo, text_part(human(case)), html, dsn_part(case), original_part(),
                                        notice))


def rfc3464_in_mixed(case: Case) -> str:
    """The report nested in a multipart/mixed, after a gateway's own notice."""
    inner = f"Content-Type: {REPORT_TYPE}\r\n\r\n" + report(text_part(human(case)), dsn_part(case),
                                                            original_part())
    return envelope('multipart/mixed; boundary="outer-1"', multipart(
        "outer-1", text_part("Scanned by the mail gateway of lauravidal.es.\r\n"), inner))


def rfc3464_alternative_text(case: Case) -> str:
    """The human-readable part as multipart/alternative (plain and HTML), as Exchange
    and Office 365 write it."""
    html_words = case.words.replace("<", "&lt;").replace(">", "&gt;")
    alternative = 'Content-Type: multipart/alternative; boundary="alt-1"\r\n\r\n' + multipart(
        "alt-1", text_part(human(case)),
        text_part(f"<html><body><p><b>Delivery has failed to these recipients or groups:</b></p>"
                  f"<p>{LEAD}</p><p>Remote Server returned '{html_words}'</p></body></html>\r\n",
                  kind="text/html; charset=utf-8"), preamble="")
    return envelope(REPORT_TYPE, report(alternative, dsn_part(case), original_part()))


def rfc3464_html_text(case: Case) -> str:
    """Only an HTML text part beside the fields (Office 365's NDR)."""
    html_words = case.words.replace("<", "&lt;").replace(">", "&gt;")
    html = text_part(f"<html><body><p>Your message to <a href=\"mailto:{LEAD}\">{LEAD}</a> couldn't be"
                     f" delivered.</p><p>Diagnostic information for administrators:</p><p>Generating server:"
                     f" relay.lauravidal.es</p><p>{LEAD}<br>Remote Server returned '{html_words}'</p>"
                     "</body></html>\r\n", kind="text/html; charset=utf-8")
    return envelope(REPORT_TYPE, report(html, dsn_part(case), original_part()))


def dsn_as_text_plain(case: Case) -> str:
    """The fields part labelled text/plain (a wrong Content-Type some gateways write)."""
    return envelope(REPORT_TYPE, report(text_part("Delivery failed.\r\n"),
                                        dsn_part(case, kind="text/plain; charset=us-ascii"), original_part()))


def global_dsn(case: Case) -> str:
    """RFC 6533: message/global-delivery-status, an utf-8 address type."""
    part = ("Content-Type: message/global-delivery-status\r\n\r\n"
            "Reporting-MTA: dns; relay.lauravidal.es\r\n\r\n"
            + fields(case, original_recipient=False).replace("rfc822; ", "utf-8; "))
    return envelope('multipart/report; report-type=global-delivery-status; boundary="g1"', multipart(
        "g1", text_part(human(case), kind="text/plain; charset=utf-8"), part,
        original_part("message/global-headers")))


def folded(lines: int):
    def layout(case: Case) -> str:
        """A diagnostic folded over continuation lines (RFC 5322 §2.2.3)."""
        words = case.words.split(" ")
        step = max(1, len(words) // lines)
        chunks = [" ".join(words[i:i + step]) for i in range(0, len(words), step)]
        diagnostic = "smtp; " + "\r\n    ".join(chunks)
        return envelope(REPORT_TYPE, report(text_part("Delivery failed.\r\n"), dsn_part(case, diagnostic=diagnostic),
                                            original_part()))
    layout.__doc__ = f"The diagnostic folded over {lines} lines."
    return layout


def no_smtp_type(case: Case) -> str:
    """A Diagnostic-Code without its type ("smtp;")."""
    return envelope(REPORT_TYPE, report(text_part("Delivery failed.\r\n"), dsn_part(case, diagnostic=case.words),
                                        original_part()))


def status_only_in_diagnostic(case: Case) -> str:
    """The Status field vague (5.0.0 / 4.0.0), the real code only in the diagnostic."""
    vague = case.status[0] + ".0.0"
    return envelope(REPORT_TYPE, report(text_part("Delivery failed.\r\n"), dsn_part(case, status=vague),
                                        original_part()))


def only_original_recipient(case: Case) -> str:
    """Original-Recipient alone (no Final-Recipient)."""
    return envelope(REPORT_TYPE, report(text_part("Delivery failed.\r\n"),
                                        dsn_part(case, final_recipient=False), original_part()))


def several_recipients(case: Case) -> str:
    """Two recipients with different fates: the lead's failure and another's delivery."""
    delivered = (f"\r\nFinal-Recipient: rfc822; {THIRD}\r\nAction: delivered\r\nStatus: 2.0.0\r\n"
                 "Remote-MTA: dns; mx.example.net\r\nDiagnostic-Code: smtp; 250 2.0.0 Ok: queued as 9A8B7C\r\n")
    text = human(case) + f"\r\n<{THIRD}>: delivered to mailbox\r\n"
    part = dsn_part(case) + delivered
    return envelope(REPORT_TYPE, report(text_part(text), part, original_part()))


def several_failures(case: Case) -> str:
    """The lead's failure listed after another recipient's own (a full mailbox)."""
    full = CASES["full mailbox"]
    other = (f"\r\nFinal-Recipient: rfc822; {THIRD}\r\nAction: failed\r\nStatus: 5.2.2\r\n"
             f"Remote-MTA: dns; mx.example.net\r\nDiagnostic-Code: smtp; 552 5.2.2 <{THIRD}>: Mailbox full\r\n")
    text = human(case).replace(postfix_entry(case), postfix_entry(full, THIRD).replace(LEAD, THIRD)
                               .replace("example.org", "example.net") + "\r\n" + postfix_entry(case))
    part = ("Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; relay.lauravidal.es\r\n"
            + other + "\r\n" + fields(case))
    return envelope(REPORT_TYPE, report(text_part(text), part, original_part()))


# --- Plain-text reports of the MTAs and providers ---------------------------------------

def plain_text(subject: str, text: str, *, sender: str = "Mail Delivery System <MAILER-DAEMON@relay.lauravidal.es>",
               with_original: bool = True, separator: str = "------ This is a copy of the message, including"
                                                            " all the headers. ------") -> str:
    body = text + ("\r\n" + separator + "\r\n\r\n" + original() if with_original else "")
    return envelope("text/plain; charset=us-ascii", body, subject=subject, sender=sender)


def exim(case: Case) -> str:
    """Exim's bounce (its spec, "Bounce and warning messages"): the address, then the
    reason indented below it."""
    if case.command:
        reason = (f"    host mx.example.org [192.0.2.25]\r\n    SMTP error from remote mail server after"
                  f" {case.command.replace('end of DATA', 'end of data')}{':<' + LEAD + '>' if case.command == 'RCPT TO' else ''}:\r\n"
                  f"    {case.words.replace(chr(10), chr(10) + '    ')}\r\n")
    else:
        reason = f"    {case.words}\r\n"
    if case.delayed:
        return plain_text("Warning: message 1kXyZ-000Abc-1a delayed 24 hours",
                          "This message was created automatically by mail delivery software.\r\n"
                          "A message that you sent has not yet been delivered to one or more of its\r\n"
                          "recipients after more than 24 hours on the queue on relay.lauravidal.es.\r\n\r\n"
                          f"The message identifier is:     1kXyZ-000Abc-1a\r\n\r\n"
                          "The address to which the message has not yet been delivered is:\r\n\r\n"
                          f"  {LEAD}\r\n{reason}\r\n"
                          "No action is required on your part. Delivery attempts will continue for\r\n"
                          "some time, and this warning may be repeated at intervals if the message\r\n"
                          "remains undelivered. Eventually the mail delivery software will give up,\r\n"
                          "and when that happens, the message will be returned to you.\r\n")
    return plain_text("Mail delivery failed: returning message to sender",
                      "This message was created automatically by mail delivery software.\r\n\r\n"
                      "A message that you sent could not be delivered to one or more of its\r\n"
                      "recipients. This is a permanent error. The following address(es) failed:\r\n\r\n"
                      f"  {LEAD}\r\n{reason}")


def qmail(case: Case) -> str:
    """qmail-send's bounce (QSBMF): "<address>:" then the reason."""
    if case.command == "RCPT TO":
        reason = f"192.0.2.25 does not like recipient.\r\nRemote host said: {case.words}\r\nGiving up on 192.0.2.25.\r\n"
    elif case.command:
        reason = f"192.0.2.25 failed after I sent the message.\r\nRemote host said: {case.words}\r\n"
    else:
        reason = f"{case.words}\r\n"
    if case.delayed:
        return plain_text("failure notice",
                          "Hi. This is the qmail-send program at relay.lauravidal.es.\r\n"
                          "I'm not going to try again on this message for now; it has been queued a while.\r\n\r\n"
                          f"<{LEAD}>:\r\n{reason.replace('Giving up on', 'Will keep trying')}",
                          separator="--- Below this line is a copy of the message.")
    return plain_text("failure notice",
                      "Hi. This is the qmail-send program at relay.lauravidal.es.\r\n"
                      "I'm afraid I wasn't able to deliver your message to the following addresses.\r\n"
                      "This is a permanent error; I've given up. Sorry it didn't work out.\r\n\r\n"
                      f"<{LEAD}>:\r\n{reason}",
                      sender="MAILER-DAEMON@relay.lauravidal.es",
                      separator="--- Below this line is a copy of the message.")


def sendmail(case: Case) -> str:
    """Sendmail's plain report: the failed address, then the transcript of the session."""
    heading = ("   ----- Transcript of session follows -----\r\n" if not case.delayed else
               "   **********************************************\r\n"
               "   **      THIS IS A WARNING MESSAGE ONLY      **\r\n"
               "   **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **\r\n"
               "   **********************************************\r\n\r\n"
               "   ----- Transcript of session follows -----\r\n")
    if case.command:
        sent = f"RCPT To:<{LEAD}>" if case.command == "RCPT TO" else "DATA"
        transcript = f"... while talking to mx.example.org.:\r\n>>> {sent}\r\n<<< {case.words.replace(chr(10), chr(10) + '<<< ')}\r\n"
    else:
        transcript = f"550 5.1.2 {LEAD}... {case.words}\r\n"
    listed = ("   ----- The following addresses had permanent fatal errors -----\r\n" if not case.delayed else
              "   ----- The following addresses had transient non-fatal errors -----\r\n")
    return plain_text("Returned mail: see transcript for details" if not case.delayed else
                      "Warning: could not send message for past 4 hours",
                      "The original message was received at Sat, 5 Dec 2026 10:15:01 +0100\r\n"
                      "from localhost [127.0.0.1]\r\n\r\n" + listed + f"<{LEAD}>\r\n\r\n"
                      + heading + transcript,
                      separator="   ----- Original message follows -----")


def postfix_plain(case: Case) -> str:
    """Postfix's report as older versions and some relays send it: text only."""
    subject = "Delayed Mail (still being retried)" if case.delayed else "Undelivered Mail Returned to Sender"
    return plain_text(subject, human(case), separator="--- Original message follows.")


def exchange_html(case: Case) -> str:
    """An Exchange NDR in HTML only (Exchange 2010/2013's layout, no text part)."""
    html_words = case.words.replace("<", "&lt;").replace(">", "&gt;")
    body = (f"<html><head><style>p {{margin:0}}</style></head><body>"
            "<p><b><font color=\"#000066\" size=\"3\" face=\"Arial\">Delivery has failed to these recipients or"
            f" groups:</font></b></p><p><a href=\"mailto:{LEAD}\">{LEAD}</a><br>"
            "The e-mail address you entered couldn't be reached.</p><br>"
            "<p><font color=\"#808080\" size=\"2\" face=\"Tahoma\">Diagnostic information for administrators:"
            "</font></p><p>Generating server: EXCH01.lauravidal.local</p>"
            f"<p>{LEAD}<br>mx.example.org<br>Remote Server returned '{html_words}'</p>"
            "<p>Original message headers:</p><pre>Received: from EXCH01.lauravidal.local by EXCH01\r\n"
            f"Subject: Tu presupuesto de reforma\r\nMessage-ID: {ORIGINAL_ID}</pre></body></html>\r\n")
    return envelope('text/html; charset="us-ascii"', body, subject="Undeliverable: Tu presupuesto de reforma",
                    sender="Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@lauravidal.es>")


def exchange_2007_text(case: Case) -> str:
    """Exchange 2007's text NDR: "#< #5.1.1 smtp;550 …> #SMTP#" below the address."""
    return plain_text(f"Undeliverable: Tu presupuesto de reforma",
                      "Delivery has failed to these recipients or groups:\r\n\r\n"
                      f"{LEAD}\r\nThe e-mail address you entered couldn't be reached.\r\n\r\n"
                      "Diagnostic information for administrators:\r\n\r\n"
                      f"Generating server: EXCH01.lauravidal.local\r\n\r\n{LEAD}\r\n"
                      f"#< #{case.status} smtp;{case.words}> #SMTP#\r\n",
                      sender="System Administrator <postmaster@lauravidal.es>",
                      separator="Original message headers:")


def domino(case: Case) -> str:
    """Lotus Domino/Notes: "Your message … was not delivered to: ADDRESS because: REASON"."""
    return plain_text("DELIVERY FAILURE: Tu presupuesto de reforma",
                      "Your message\r\n\r\n  Subject: Tu presupuesto de reforma\r\n\r\n"
                      f"was not delivered to:\r\n\r\n  {LEAD}\r\n\r\nbecause:\r\n\r\n  {case.words}\r\n",
                      sender="Postmaster <postmaster@lauravidal.es>", with_original=False)


def groupwise(case: Case) -> str:
    """GroupWise's Internet Agent: "The message that you sent was undeliverable to the following:"."""
    return envelope('multipart/mixed; boundary="gw1"', multipart(
        "gw1", text_part("The message that you sent was undeliverable to the following:\r\n"
                         f"\t{LEAD} ({case.words})\r\n\r\nPossible causes:\r\n\tThe address may be misspelled"
                         "\r\n"), original_part()),
        subject="Message status - undeliverable", extra="X-Mailer: Novell GroupWise Internet Agent 8.0.3")


def courier(case: Case) -> str:
    """Courier's text: "Your message to the following recipients cannot be delivered:"."""
    if case.command:
        sent = f"RCPT TO:<{LEAD}>" if case.command == "RCPT TO" else "DATA"
        reason = f"    mx.example.org [192.0.2.25]:\r\n>>> {sent}\r\n<<< {case.words}\r\n"
    else:
        reason = f"    {case.words}\r\n"
    return plain_text("NOTICE: mail delivery status.",
                      "This is a delivery status notification from relay.lauravidal.es,\r\n"
                      "running the Courier mail server, version 1.1.\r\n\r\n"
                      "---------------------------------------------------------------------------\r\n\r\n"
                      "                           UNDELIVERABLE MAIL\r\n\r\n"
                      "Your message to the following recipients cannot be delivered:\r\n\r\n"
                      f"<{LEAD}>:\r\n{reason}")


def mdaemon(case: Case) -> str:
    """MDaemon: "The attached message had PERMANENT fatal delivery errors!" and its session transcript."""
    if case.command:
        sent = f"RCPT To:<{LEAD}>" if case.command == "RCPT TO" else "DATA"
        transcript = (" Sat 2026-12-05 10:15:40: Attempting SMTP connection to [mx.example.org : 25]\r\n"
                      f" Sat 2026-12-05 10:15:41: --> {sent}\r\n Sat 2026-12-05 10:15:41: <-- {case.words}\r\n")
    else:
        transcript = f" Sat 2026-12-05 10:15:40: {case.words}\r\n"
    return plain_text("Permanent Delivery Failure",
                      "The attached message had PERMANENT fatal delivery errors!\r\n\r\n"
                      "After one or more unsuccessful delivery attempts the attached message has been removed\r\n"
                      "from the mail queue on this server.\r\n\r\n"
                      "--- Session Transcript ---\r\n Sat 2026-12-05 10:15:39: Parsing message\r\n"
                      f" Sat 2026-12-05 10:15:39: *  To: {LEAD}\r\n" + transcript + "--- End Transcript ---\r\n",
                      sender="MDaemon@relay.lauravidal.es", separator="")


def yahoo(case: Case) -> str:
    """Yahoo's and AOL's "Sorry, we were unable to deliver your message to the following address."."""
    said = f"Remote host said: {case.words} [{case.command.split()[0].upper()}_TO]" if case.command == "RCPT TO" \
        else (f"Remote host said: {case.words} [{case.command.split()[-1]}]" if case.command else case.words)
    return plain_text("Failure Notice",
                      "Sorry, we were unable to deliver your message to the following address.\r\n\r\n"
                      f"<{LEAD}>:\r\n{said}\r\n",
                      sender="MAILER-DAEMON@yahoo.example", separator="--- Below this line is a copy of the message.")


def hotmail(case: Case) -> str:
    """Hotmail's and Outlook.com's text: "Delivery has failed to these recipients or groups:"."""
    return plain_text("Undeliverable: Tu presupuesto de reforma",
                      "Delivery has failed to these recipients or groups:\r\n\r\n"
                      f"{LEAD}\r\nYour message wasn't delivered.\r\n\r\n"
                      "Diagnostic information for administrators:\r\n\r\n"
                      f"Generating server: BN8PR12MB1234.namprd12.prod.outlook.example\r\n\r\n{LEAD}\r\n"
                      f"Remote Server returned '{joined(case.words)}'\r\n",
                      sender="postmaster@outlook.example", separator="Original message headers:")


def mailman_forwarded(case: Case) -> str:
    """A mailing-list server forwarding the report it could not read, attached as message/rfc822."""
    inner = "Content-Type: message/rfc822\r\n\r\n" + rfc3464(case)
    return envelope('multipart/mixed; boundary="mm1"', multipart(
        "mm1", text_part("The attached message was received as a bounce, but either the bounce format was not\r\n"
                         "recognized, or no member addresses could be extracted from it.\r\n"), inner),
        subject="Uncaught bounce notification", sender="lista-bounces@lists.lauravidal.es")


def report_attached_to_users_mail(case: Case) -> str:
    """A report attached as message/rfc822 inside our own mailbox's forward (a rule that
    forwards failures from another mailbox)."""
    inner = "Content-Type: message/rfc822\r\n\r\n" + exim(case)
    return envelope('multipart/mixed; boundary="fw1"', multipart(
        "fw1", text_part("Forwarded by rule 'bounces' of mailbox info@lauravidal.es.\r\n"), inner),
        subject="Fwd: Mail delivery failed: returning message to sender", sender=f"Info <info@lauravidal.es>")


def sun_messaging(case: Case) -> str:
    """Sun Java System / Oracle Communications Messaging Server: the original's header
    fields quoted first, then "Recipient address:", "Reason:", "Diagnostic code:"."""
    reason = "Remote SMTP server has rejected address" if case.command else "Illegal host/domain name found"
    remote = "  Remote system: dns;mx.example.org (TCP|192.0.2.1|41234|192.0.2.25|25)\r\n" if case.command else ""
    return envelope('multipart/mixed; boundary="sun1"', multipart(
        "sun1", text_part("This report relates to a message you sent with the following header fields:\r\n\r\n"
                          f"  Message-id: {ORIGINAL_ID}\r\n  Date: Sat, 05 Dec 2026 10:15:00 +0100\r\n"
                          f"  From: Laura Vidal <{US}>\r\n  To: {LEAD}\r\n  Subject: Tu presupuesto de reforma\r\n\r\n"
                          "Your message cannot be delivered to the following recipients:\r\n\r\n"
                          f"  Recipient address: {LEAD}\r\n  Original address: {LEAD}\r\n  Reason: {reason}\r\n"
                          f"  Diagnostic code: smtp;{joined(case.words)}\r\n{remote}"),
        original_part()), subject="Delivery Notification: Delivery has failed",
        sender="Internet Mail Delivery <postmaster@relay.lauravidal.es>")


def sun_messaging_unindented(case: Case) -> str:
    """The same, its quoted header fields not indented (some versions)."""
    return sun_messaging(case).replace("\r\n  Message-id:", "\r\nMessage-id:").replace("\r\n  Date:", "\r\nDate:") \
        .replace("\r\n  From: Laura", "\r\nFrom: Laura").replace(f"\r\n  To: {LEAD}", f"\r\nTo: {LEAD}") \
        .replace("\r\n  Subject: Tu", "\r\nSubject: Tu")


def imail(case: Case) -> str:
    """Ipswitch IMail: the reason and the address on one line, above the original."""
    return plain_text("Undeliverable Mail", f"{case.words.replace(f'<{LEAD}>: ', '')}: {LEAD}\r\n\r\n"
                      "Original message follows.\r\n", sender="postmaster@relay.lauravidal.es", separator="")


def mcafee(case: Case) -> str:
    """McAfee WebShield / InterScan: "---- Failed Recipients ----" then the reason."""
    return plain_text("Delivery failure",
                      "Your mail cannot be delivered to the following address(es):\r\n\r\n"
                      f"---- Failed Recipients ----\r\n<{LEAD}>\r\n\r\nReason: {case.words}\r\n",
                      sender="WebShield SMTP V4.5 MR1a P0803.399 on relay <postmaster@relay.lauravidal.es>")


def hmailserver(case: Case) -> str:
    """hMailServer: "Your message did not reach some or all of the intended recipients.",
    and the remote reply after "Remote server replied:"."""
    return plain_text("Undeliverable: Tu presupuesto de reforma",
                      "Your message did not reach some or all of the intended recipients.\r\n\r\n"
                      "   Subject: Tu presupuesto de reforma\r\n   Sent:    05/12/2026 10:15\r\n\r\n"
                      "The following recipient(s) could not be reached:\r\n\r\n"
                      f"   {LEAD}\r\n      Error Type: SMTP\r\n      Remote server (192.0.2.25) issued an error.\r\n"
                      f"      hMailServer sent: RCPT TO:<{LEAD}>\r\n      Remote server replied: {joined(case.words)}\r\n",
                      sender="mailer-daemon@relay.lauravidal.es")


def exchange_2003(case: Case, indent: str = "      ") -> str:
    """Exchange 2000/2003's text NDR: the original's fields quoted, "did not reach the
    following recipient(s):", the address with a date, the reason, then "<host #status
    smtp;reply>"."""
    return plain_text("Undeliverable: Tu presupuesto de reforma",
                      f"Your message\r\n\r\n{indent}To:      {LEAD}\r\n{indent}Subject: Tu presupuesto de reforma\r\n"
                      f"{indent}Sent:    Sat, 5 Dec 2026 10:15:00 +0100\r\n\r\n"
                      "did not reach the following recipient(s):\r\n\r\n"
                      f"{LEAD} on Sat, 5 Dec 2026 10:16:02 +0100\r\n"
                      "    The recipient could not be processed.\r\n"
                      f"    <mx.example.org #{case.status} smtp;{joined(case.words)}>\r\n",
                      sender="System Administrator <postmaster@lauravidal.es>", with_original=False)


def forwarded_inline(separator: str):
    def layout(case: Case) -> str:
        """The report's text forwarded inline by a machine (an NDR group's mailbox rule),
        under the report's own header fields."""
        head, report_body = exim(case).split("\r\n\r\n", 1)
        subject = head.split("Subject: ", 1)[1].split("\r\n", 1)[0]
        body = (f"{separator}\r\nFrom:    Mail Delivery System <Mailer-Daemon@relay.lauravidal.es>\r\n"
                f"To:      {US}\r\nSubject: {subject}\r\n"
                "Date:    Sat, 05 Dec 2026 10:16:02 +0100\r\n\r\n" + report_body)
        return envelope("text/plain; charset=us-ascii", body, sender="NDR Group <ndr@lauravidal.es>",
                        subject=f"{subject} (fwd)")
    layout.__doc__ = f"The report forwarded inline after {separator.strip('- ')!r}."
    return layout


def netmail(case: Case) -> str:
    """Novell NetMail / GroupWise Internet Agent: "Recipient:" and "Reason:" lines (the
    layout Mailman's SimpleMatch.py reads)."""
    return plain_text("Undeliverable mail", "This Message was undeliverable due to the following reason:\r\n\r\n"
                      "Each of the following recipients was rejected by a remote mail server.\r\n"
                      "The reasons given by the server are included to help you determine why\r\n"
                      f"each recipient was rejected.\r\n\r\n    Recipient: <{LEAD}>\r\n"
                      f"    Reason:    {joined(case.words)}\r\n\r\n"
                      "Please reply to Postmaster@relay.lauravidal.es\r\nif you feel this message to be in error.\r\n",
                      sender="Mail Delivery System <postmaster@relay.lauravidal.es>")


def lotus_smtp_mta(case: Case) -> str:
    """Lotus SMTP MTA: the reason above the address, under "Failure Reasons"."""
    return plain_text("Undeliverable Message", "------- Failure Reasons  --------\r\n\r\n"
                      f"{joined(case.words)}\r\n{LEAD}\r\n\r\n",
                      sender="Postmaster <postmaster@lauravidal.es>", separator="------- Returned Message --------")


def x400_gateway(case: Case) -> str:
    """An X.400 gateway's text (ISOCOR-style, as British Telecom's relays wrote it): "Your
    message was not delivered to:", the address, "for the following reason:"."""
    return plain_text("Delivery Report (failure) for ana.pena@example.org".replace("ana.pena@example.org", LEAD),
                      "This report relates to your message:\r\nSubject: Tu presupuesto de reforma,\r\n"
                      f"        To: {LEAD}\r\n\r\nof Sat, 5 Dec 2026 10:15:00 +0100\r\n\r\n"
                      f"Your message was not delivered to:\r\n        {LEAD}\r\nfor the following reason:\r\n"
                      f"Diagnostic was Unable to transfer, -1\r\nInformation MTA '192.0.2.25' gives error message"
                      f" {joined(case.words)}\r\n\r\nThe Original Message follows:\r\n",
                      sender="postmaster@relay.lauravidal.es", separator="")


LAYOUTS = {
    "rfc3464": rfc3464, "rfc3464 without text": rfc3464_no_text, "rfc3464 fields only": rfc3464_fields_only,
    "rfc3464 extra parts": rfc3464_extra_parts, "rfc3464 in multipart/mixed": rfc3464_in_mixed,
    "rfc3464 alternative text": rfc3464_alternative_text, "rfc3464 HTML text": rfc3464_html_text,
    "delivery-status as text/plain": dsn_as_text_plain, "global-delivery-status": global_dsn,
    "diagnostic folded 2": folded(2), "diagnostic folded 3": folded(3), "diagnostic folded 4": folded(4),
    "diagnostic without smtp;": no_smtp_type, "status only in the diagnostic": status_only_in_diagnostic,
    "only Original-Recipient": only_original_recipient, "several recipients": several_recipients,
    "several failures": several_failures,
    "exim": exim, "qmail": qmail, "sendmail": sendmail, "postfix plain": postfix_plain,
    "exchange HTML only": exchange_html, "exchange 2007 text": exchange_2007_text, "domino": domino,
    "groupwise": groupwise, "courier": courier, "mdaemon": mdaemon, "yahoo": yahoo, "hotmail": hotmail,
    "sun messaging server": sun_messaging, "sun messaging, unindented": sun_messaging_unindented, "imail": imail,
    "mcafee": mcafee, "hmailserver": hmailserver, "exchange 2003": exchange_2003,
    "exchange 2003, unindented": lambda case: exchange_2003(case, indent=""),
    "forwarded inline": forwarded_inline("----------------------  Forwarded Message:  ---------------------"),
    "forwarded inline, Outlook": forwarded_inline("-----Original Message-----"),
    "forwarded inline, Apple Mail": forwarded_inline("Begin forwarded message:\r\n"),
    "netmail": netmail, "lotus smtp mta": lotus_smtp_mta, "x400 gateway": x400_gateway,
    "mailman forward": mailman_forwarded, "attached to our own forward": report_attached_to_users_mail,
}


# --- What the inbox makes of a report ---------------------------------------------------

def outcome(raw: bytes) -> dict:
    """The leads the inbox would mark, as inbox._apply_bounce finds them: the recipients
    the report names that are leads, else the lead the returned original was sent to
    (by its Message-ID, else its To), with the report's overall verdict."""
    incoming = classify(raw, own=frozenset({US}))
    assert incoming.kind == "bounce", incoming.kind
    found = {f.address: f.verdict for f in incoming.failures if f.address in LEADS}
    if not found and incoming.overall is not None:
        if ORIGINAL_ID in incoming.original_ids or LEAD in incoming.original_to:
            found[LEAD] = incoming.overall.verdict
    return found


def expect(verdict, case: Case) -> None:
    assert (verdict.hard, verdict.owner) == (case.hard, case.owner), verdict
    assert verdict.reason in case.reasons, verdict


@pytest.mark.parametrize("case_name", CASES)
def test_the_plain_case_reads_each_sentence(case_name):
    case = CASES[case_name]
    found = outcome(rfc3464(case).encode())
    assert list(found) == [LEAD]
    expect(found[LEAD], case)


@pytest.mark.parametrize("layout_name", [name for name in LAYOUTS if name != "rfc3464"])
@pytest.mark.parametrize("case_name", CASES)
def test_every_layout_gives_the_plain_verdict(case_name, layout_name):
    case = CASES[case_name]
    found = outcome(LAYOUTS[layout_name](case).encode())
    assert LEAD in found, found
    assert OTHER not in found  # only quoted in the returned message's body
    expect(found[LEAD], case)
    if layout_name == "several recipients":
        assert THIRD not in found  # delivered
    if layout_name == "several failures":
        assert not found[THIRD].hard and found[THIRD].reason == "mailboxfull"


# --- Encodings and damage in transit ----------------------------------------------------
# Applied to the layouts whose text decides in different ways: the RFC 3464 fields, the
# text of a single-part report, its HTML.
ENCODED_LAYOUTS = ("rfc3464", "rfc3464 without text", "exim", "qmail", "sendmail", "exchange HTML only", "hotmail",
                   "domino", "mdaemon")


def _parts(message):
    """The leaf parts of a message, never inside a message/* part (the returned
    original, the fields)."""
    if message.get_content_maintype() == "message":
        return
    if message.is_multipart():
        for child in message.get_payload():
            yield from _parts(child)
    else:
        yield message


def _text_parts(message):
    return [part for part in _parts(message) if part.get_content_type() in ("text/plain", "text/html")]


def recode_text(raw: str, encoding: str) -> bytes:
    """Every text part sent quoted-printable (its long lines cut by soft line breaks,
    RFC 2045 §6.7 rule 5) or base64."""
    import email

    message = email.message_from_string(raw)
    texts = _text_parts(message)
    assert texts, "a layout with no text part has no cell in the matrix"
    for part in texts:
        data = part.get_payload().replace("\r\n", "\n").encode("ascii")
        del part["Content-Transfer-Encoding"]
        part["Content-Transfer-Encoding"] = encoding
        if encoding == "base64":
            part.set_payload(base64.encodebytes(data).decode("ascii"))
        else:
            part.set_payload(soft_broken(quopri.encodestring(data).decode("ascii")))
    return message.as_bytes()


def soft_broken(encoded: str, width: int = 30) -> str:
    """Quoted-printable lines cut every `width` characters by soft line breaks (never
    inside an =XX escape): the sentences are cut mid-word."""
    lines = []
    for line in encoded.split("\n"):
        while len(line) > width + 10:
            escape = line.rfind("=", width - 2, width)  # an =XX escape the cut would split
            cut = escape if escape >= 0 else width
            lines.append(line[:cut] + "=")
            line = line[cut:]
        lines.append(line)
    return "\n".join(lines)


def dsn_recoded(raw: str, encoding: str) -> bytes:
    """The fields part itself sent base64 or quoted-printable (RFC 3464 §2.1 asks for
    7bit; some gateways re-encode every part)."""
    head, _, rest = raw.partition("Content-Type: message/delivery-status\r\n\r\n")
    fields_text, boundary, tail = rest.partition("\r\n--")
    data = fields_text.replace("\r\n", "\n").encode("ascii")
    encoded = base64.encodebytes(data).decode("ascii") if encoding == "base64" else \
        soft_broken(quopri.encodestring(data).decode("ascii"))
    return (head + f"Content-Type: message/delivery-status\r\nContent-Transfer-Encoding: {encoding}\r\n\r\n"
            + encoded + boundary + tail).encode("ascii")


def line_ends(raw: str, end: str) -> bytes:
    return raw.replace("\r\n", end).encode("ascii")


def without_mime_version(raw: str) -> bytes:
    return raw.replace("MIME-Version: 1.0\r\n", "").encode("ascii")


def mbox_from_line(raw: str) -> bytes:
    """As saved in an mbox: a "From " line on top (RFC 4155), LF line ends."""
    return ("From MAILER-DAEMON Sat Dec  5 10:16:02 2026\n" + raw.replace("\r\n", "\n")).encode("ascii")


def _original_starts(raw: str) -> int:
    cut = raw.find("Hola Ana")
    return cut if cut >= 0 else raw.find(f"Message-ID: {ORIGINAL_ID}")


def truncated(raw: str) -> bytes:
    """Cut off in the middle of the returned original (a size limit, a broken download)."""
    cut = _original_starts(raw)
    assert cut >= 0, "a layout with no returned original has no cell in the matrix"
    return raw[:cut + 4].encode("ascii")


def truncated_after_fields(raw: str) -> bytes:
    """Cut off right after the fields: no closing boundary, no returned original."""
    end = raw.find("\r\n--", raw.find("Diagnostic-Code"))
    return raw[:end if end > 0 else len(raw)].encode("ascii")


def eight_bit_undeclared(raw: str) -> bytes:
    """A Latin-1 line (a signature) in a part that declares no 8-bit charset."""
    raw = raw.replace('charset="us-ascii"', "").replace("; charset=us-ascii", "")
    return raw.replace("This is ", "Servidor de correo de Laura Vidal, Dise\xf1o y Reforma\r\n\r\nThis is ", 1) \
        .encode("latin-1")


TRANSFORMS = {
    "quoted-printable": lambda raw: recode_text(raw, "quoted-printable"),
    "base64": lambda raw: recode_text(raw, "base64"),
    "LF": lambda raw: line_ends(raw, "\n"),
    "CR": lambda raw: line_ends(raw, "\r"),
    "no MIME-Version": without_mime_version,
    "mbox": mbox_from_line,
    "truncated": truncated,
    "8-bit undeclared": eight_bit_undeclared,
}


def _applies(transform: str, raw: str) -> bool:
    """Whether a transform changes anything in this layout: there must be a text part
    to encode, a returned original to cut."""
    import email

    if transform in ("quoted-printable", "base64"):
        return bool(_text_parts(email.message_from_string(raw)))
    return transform != "truncated" or _original_starts(raw) >= 0


ENCODING_CELLS = [pytest.param(case_name, layout_name, transform, id=f"{case_name}-{layout_name}-{transform}")
                  for case_name in CASES for layout_name in ENCODED_LAYOUTS for transform in TRANSFORMS
                  if _applies(transform, LAYOUTS[layout_name](CASES[case_name]))]


@pytest.mark.parametrize("case_name, layout_name, transform", ENCODING_CELLS)
def test_every_encoding_gives_the_plain_verdict(case_name, layout_name, transform):
    case = CASES[case_name]
    raw = TRANSFORMS[transform](LAYOUTS[layout_name](case))
    found = outcome(raw)
    assert LEAD in found and OTHER not in found, found
    expect(found[LEAD], case)


@pytest.mark.parametrize("damage", ["base64", "quoted-printable", "truncated after the fields"])
@pytest.mark.parametrize("case_name", CASES)
def test_the_fields_part_encoded_or_cut_short(case_name, damage):
    case = CASES[case_name]
    raw = rfc3464(case)
    raw = truncated_after_fields(raw) if damage.startswith("truncated") else dsn_recoded(raw, damage)
    found = outcome(raw)
    assert LEAD in found, found
    expect(found[LEAD], case)


# --- A multiline SMTP reply, its lines cut inside the sentence -----------------------------

def multiline(case: Case, at: str) -> Case:
    """The case's reply as a multiline reply (RFC 5321 §4.2.1: "550-" on every line but
    the last, each line repeating the enhanced status, as Gmail's and Exchange's do),
    its lines cut before `at`, inside the sentence that decides."""
    code, status, words = case.words.split(" ", 2)
    first, second = words.split(at, 1)
    return Case(case.status, f"{code}-{status} {first.rstrip()}\r\n{code} {status} {at}{second}", case.command,
                case.hard, case.owner, case.reasons, case.delayed)


MULTILINE = {
    "dead address": multiline(CASES["dead address"], "unknown in local"),
    "gmail's dead address": Case("5.1.1", "550-5.1.1 The email account that you tried to reach does\r\n"
                                          "550-5.1.1 not exist. Please try double-checking the recipient's email\r\n"
                                          "550 5.1.1 address for typos or unnecessary spaces. - gsmtp", "RCPT TO",
                                 True, ADDRESS, frozenset({"userunknown"})),
    "dead address in words": Case("5.0.0", "550-Requested action not taken: mailbox unavailable (no such\r\n"
                                           "550 user here)", "RCPT TO", True, ADDRESS, frozenset({"userunknown"})),
    "full mailbox": multiline(CASES["full mailbox"], "full: quota"),
    "spam refusal": multiline(CASES["spam refusal"], "spam by"),
    "greylisted": multiline(CASES["greylisted"], "Greylisted"),
}


@pytest.mark.parametrize("layout_name", ["rfc3464", "diagnostic folded 3", "postfix plain", "exim", "sendmail",
                                         "qmail", "hotmail", "yahoo", "courier", "mdaemon"])
@pytest.mark.parametrize("case_name", MULTILINE)
def test_a_multiline_reply_gives_the_plain_verdict(case_name, layout_name):
    case = MULTILINE[case_name]
    found = outcome(LAYOUTS[layout_name](case).encode())
    assert LEAD in found and OTHER not in found, found
    expect(found[LEAD], case)


# --- The sentence in the server's own language and charset -------------------------------
# A plain-text report written in the server's language (Exim's layout), its subject an
# RFC 2047 encoded word, its body in the charset that language's mail uses. The dead
# address is said only in that language (no status): the words must be decoded to count.

@dataclass(frozen=True)
class Language:
    charset: str
    subject: str
    opening: str
    words: str


LANGUAGES = {
    "koi8-r": Language("koi8-r", "Письмо не доставлено", "Это сообщение создано автоматически.\r\n"
                       "Письмо не удалось доставить следующим адресатам:", "550 Нет такого пользователя"),
    "gb2312": Language("gb2312", "退信通知", "这是邮件系统自动发送的退信。\r\n您的邮件无法投递到以下收件人：",
                       "550 收件人不存在"),
    "iso-2022-jp": Language("iso-2022-jp", "配信不能のお知らせ", "このメールは配信システムが自動的に送信しています。\r\n"
                            "次の宛先に配信できませんでした。", "550 指定された宛先は存在しません"),
    "shift_jis": Language("shift_jis", "配信不能のお知らせ", "このメールは配信システムが自動的に送信しています。\r\n"
                          "次の宛先に配信できませんでした。", "550 指定された宛先は存在しません"),
    "iso-8859-1": Language("iso-8859-1", "Unzustellbar: Tu presupuesto", "Diese Nachricht wurde automatisch erstellt.\r\n"
                           "Die Nachricht konnte nicht an folgende Empfänger zugestellt werden:",
                           "550 Empfängeradresse existiert nicht"),
    # Windows-1252's own characters (the typographic apostrophe, 0x92) in the sentence.
    "windows-1252": Language("windows-1252", "Non remis : Tu presupuesto", "Ce message a été créé automatiquement.\r\n"
                             "Votre message n’a pas pu être remis aux destinataires suivants :",
                             "550 L’adresse du destinataire n’existe pas"),
    "utf-8": Language("utf-8", "Entrega fallida: Tu presupuesto", "Este mensaje lo ha creado automáticamente el"
                      " sistema de correo.\r\nNo se ha podido entregar tu mensaje a:",
                      "550 El buzón de correo del destinatario no existe"),
}


def in_language(language: Language, *, declared: str | None = None, encoding: str = "8bit") -> bytes:
    """The report in `language`, its body in the language's charset. `declared`: the
    charset its Content-Type names (None: none at all); `encoding`: its transfer encoding."""
    from email.header import Header

    body = (f"{language.opening}\r\n\r\n  {LEAD}\r\n    {language.words}\r\n\r\n"
            "------ This is a copy of the message, including all the headers. ------\r\n\r\n" + original())
    data = body.encode(language.charset)
    if encoding == "base64":
        payload = base64.encodebytes(data).replace(b"\n", b"\r\n")
    elif encoding == "quoted-printable":
        payload = soft_broken(quopri.encodestring(data.replace(b"\r\n", b"\n")).decode("ascii")) \
            .replace("\n", "\r\n").encode("ascii")
    else:
        payload = data
    subject = Header(language.subject, language.charset).encode()
    head = envelope("text/plain" + (f"; charset={declared}" if declared else ""), "", subject=subject,
                    sender="Mail Delivery System <Mailer-Daemon@relay.lauravidal.es>",
                    extra=f"Content-Transfer-Encoding: {encoding}")
    return head.encode("ascii") + payload


DEAD_IN_WORDS = Case("5.0.0", "", None, True, ADDRESS, frozenset({"userunknown"}))


@pytest.mark.parametrize("encoding", ["8bit", "quoted-printable", "base64"])
@pytest.mark.parametrize("name", LANGUAGES)
def test_the_sentence_in_its_declared_charset(name, encoding):
    language = LANGUAGES[name]
    if encoding == "8bit" and language.charset == "iso-2022-jp":
        encoding = "7bit"  # ISO-2022-JP is a 7-bit code (RFC 1468)
    found = outcome(in_language(language, declared=language.charset, encoding=encoding))
    assert LEAD in found and OTHER not in found, found
    expect(found[LEAD], DEAD_IN_WORDS)


@pytest.mark.parametrize("name, declared", [
    (name, declared) for name in ("iso-8859-1", "windows-1252", "utf-8")
    for declared in (None, "us-ascii", "utf-8", "iso-8859-1") if declared != LANGUAGES[name].charset])
def test_the_sentence_in_an_undeclared_or_wrongly_declared_charset(name, declared):
    """8-bit text in a part that names no charset, or the wrong one (RFC 2045 §5.2: the
    default is US-ASCII; servers send their locale's bytes anyway): UTF-8 when the bytes
    are UTF-8, else Windows-1252, the superset of Latin-1 that WHATWG's Encoding
    Standard reads "iso-8859-1" and "us-ascii" labels as."""
    language = LANGUAGES[name]
    found = outcome(in_language(language, declared=declared))
    assert LEAD in found and OTHER not in found, found
    expect(found[LEAD], DEAD_IN_WORDS)


def test_an_encoded_word_subject_alone_is_decoded():
    """The subject in RFC 2047 words is read decoded (a daemon's report in Japanese)."""
    incoming = classify(in_language(LANGUAGES["iso-2022-jp"], declared="iso-2022-jp", encoding="7bit"))
    assert incoming.subject == "配信不能のお知らせ"


# --- The recipient, wherever the report names it (item 3) -------------------------------

def sendmail_dots(case: Case) -> str:
    """Sendmail's "ADDRESS... REASON", the address with no angle brackets and no heading."""
    return plain_text("Returned mail: User unknown",
                      "   ----- Transcript of session follows -----\r\n"
                      f"{LEAD}... {case.words.split(' ', 1)[1]}\r\n",
                      separator="   ----- Original message follows -----")


def rcpt_to_only(case: Case) -> str:
    """The address only in the transcript's RCPT TO command (Courier, MDaemon)."""
    return plain_text("Delivery failure",
                      "Your message could not be delivered.\r\n\r\n"
                      f">>> MAIL FROM:<{US}>\r\n<<< 250 OK\r\n>>> RCPT TO:<{LEAD}>\r\n<<< {case.words}\r\n",
                      separator="--- Original message follows.")


def x400_final_recipient(case: Case) -> str:
    """An X.400 O/R address carrying the Internet address (Exchange 5.5, RFC 2156)."""
    raw = rfc3464(case).replace(f"Final-Recipient: rfc822; {LEAD}",
                                "Final-Recipient: X400; c=ES;a= ;p=LauraVidal;o=Exchange;"
                                f"dda:SMTP={LEAD};").replace(f"Original-Recipient: rfc822;{LEAD}\r\n", "")
    return raw.replace(human(case), "Delivery failed.\r\n")


def display_name(case: Case) -> str:
    """Exchange's text: the display name and the address in parentheses."""
    return plain_text("Undeliverable: Tu presupuesto de reforma",
                      "Your message did not reach some or all of the intended recipients.\r\n\r\n"
                      "      Subject:  Tu presupuesto de reforma\r\n\r\n"
                      "The following recipient(s) cannot be reached:\r\n\r\n"
                      f"      Ana Peña ({LEAD}) on 05/12/2026 10:16\r\n"
                      f"            {case.words}\r\n",
                      sender="System Administrator <postmaster@lauravidal.es>")


def x_failed_recipients(case: Case) -> str:
    """Only Exim's X-Failed-Recipients header names the address; the text does not."""
    return envelope("text/plain; charset=us-ascii",
                    "This message was created automatically by mail delivery software.\r\n\r\n"
                    "A message that you sent could not be delivered to one or more of its recipients.\r\n"
                    f"The reason given was:\r\n    {case.words.replace(LEAD, 'the recipient')}\r\n",
                    subject="Mail delivery failed: returning message to sender", extra=f"X-Failed-Recipients: {LEAD}")


def only_returned_to(case: Case) -> str:
    """The report names nobody: only the returned original's To (and Message-ID) do."""
    return envelope(REPORT_TYPE, report(text_part("Your message could not be delivered:\r\n\r\n"
                                                  f"    {case.words.replace(f'<{LEAD}>: ', '')}\r\n"),
                                        original_part()))


RECIPIENT_LAYOUTS = {
    "sendmail ADDRESS...": sendmail_dots, "RCPT TO only": rcpt_to_only, "X.400": x400_final_recipient,
    "display name": display_name, "X-Failed-Recipients": x_failed_recipients,
    "only the returned To": only_returned_to,
}


@pytest.mark.parametrize("layout_name", RECIPIENT_LAYOUTS)
@pytest.mark.parametrize("case_name", ["dead address", "dead address in words", "full mailbox", "spam refusal"])
def test_the_lead_is_found_wherever_the_report_names_it(case_name, layout_name):
    case = CASES[case_name]
    found = outcome(RECIPIENT_LAYOUTS[layout_name](case).encode("utf-8"))
    assert list(found) == [LEAD], found
    expect(found[LEAD], case)


@pytest.mark.parametrize("layout_name", ["rfc3464", "exim", "qmail", "sendmail", "postfix plain", "domino",
                                         "exchange HTML only", "courier", "yahoo", "hotmail"])
def test_an_address_quoted_in_the_returned_body_is_never_the_recipient(layout_name):
    """The lead's message quotes another lead; the report fails the lead, never the other
    one (the returned original is the person's text, SPEC §7)."""
    incoming = classify(LAYOUTS[layout_name](CASES["dead address"]).encode(), own=frozenset({US}))
    assert OTHER not in {f.address for f in incoming.failures}
    assert LEAD in {f.address for f in incoming.failures}


# --- Damaged or unusual structure -------------------------------------------------------

def no_content_type(case: Case) -> str:
    """The top Content-Type lost: the MIME body read as plain text (RFC 2045 §5.2)."""
    return rfc3464(case).replace(f"Content-Type: {REPORT_TYPE}\r\n", "", 1)


def no_boundary(case: Case) -> str:
    """multipart/report declared without its boundary parameter."""
    return rfc3464(case).replace(REPORT_TYPE, "multipart/report; report-type=delivery-status", 1)


def text_plain_over_parts(case: Case) -> str:
    """A multipart body under a top Content-Type of text/plain."""
    return rfc3464(case).replace(REPORT_TYPE, "text/plain; charset=us-ascii", 1)


def wrong_boundary(case: Case) -> str:
    """The parts separated by a boundary other than the one declared."""
    return rfc3464(case).replace('boundary="4F1B2C3D4E.1733390162/relay.lauravidal.es"', 'boundary="other-boundary"', 1)


def dsn_as_octet_stream(case: Case) -> str:
    """The fields part labelled application/octet-stream, as an attachment."""
    return rfc3464_fields_only(case).replace(
        "Content-Type: message/delivery-status\r\n",
        "Content-Type: application/octet-stream; name=details.txt\r\nContent-Disposition: attachment\r\n")


def fields_in_capitals(case: Case) -> str:
    """Field names and values in other cases, a comment after the status, another
    diagnostic type, no blank line between the per-message and per-recipient fields."""
    part = ("Content-Type: message/delivery-status\r\n\r\nREPORTING-MTA: DNS; relay.lauravidal.es\r\n"
            f"FINAL-RECIPIENT: RFC822; {LEAD.upper()}\r\nACTION: {'DELAYED' if case.delayed else 'FAILED'}\r\n"
            f"STATUS: {case.status} (see the diagnostic)\r\nDIAGNOSTIC-CODE: X-Postfix; {joined(case.words)}\r\n")
    return envelope(REPORT_TYPE, report(text_part("Delivery failed.\r\n"), part, original_part()))


def one_part_per_recipient(case: Case) -> str:
    """One delivery-status part per recipient, the other recipient's first."""
    other = ("Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; relay.lauravidal.es\r\n\r\n"
             f"Final-Recipient: rfc822; {THIRD}\r\nAction: delivered\r\nStatus: 2.0.0\r\n")
    return envelope(REPORT_TYPE, report(text_part(human(case)), other, dsn_part(case), original_part()))


def html_markup_in_sentence(case: Case) -> str:
    """An HTML-only report whose sentence is cut by tags and written with entities."""
    words = case.words.replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;")
    first, _, rest = words.partition(" ")
    middle = rest.split(" ")
    half = len(middle) // 2
    cut = f"<span class=\"code\">{first}</span>&nbsp;{' '.join(middle[:half])}<br>\r\n<b>{' '.join(middle[half:])}</b>"
    body = (f"<html><body><table><tr><td>Delivery has failed to these recipients or groups:</td></tr>"
            f"<tr><td><a href=\"mailto:{LEAD}\">{LEAD}</a></td></tr><tr><td>{cut}</td></tr></table></body></html>\r\n")
    return envelope("text/html; charset=utf-8", body, subject="Undeliverable: Tu presupuesto de reforma",
                    sender="postmaster@lauravidal.es")


STRUCTURES = {
    "no Content-Type": no_content_type, "no boundary": no_boundary, "text/plain over parts": text_plain_over_parts,
    "wrong boundary": wrong_boundary, "fields as octet-stream": dsn_as_octet_stream,
    "fields in capitals": fields_in_capitals, "one part per recipient": one_part_per_recipient,
    "HTML markup in the sentence": html_markup_in_sentence,
}


@pytest.mark.parametrize("structure", STRUCTURES)
@pytest.mark.parametrize("case_name", CASES)
def test_a_damaged_or_unusual_structure_gives_the_plain_verdict(case_name, structure):
    case = CASES[case_name]
    found = outcome(STRUCTURES[structure](case).encode())
    assert LEAD in found and OTHER not in found and THIRD not in found, found
    expect(found[LEAD], case)


@pytest.mark.parametrize("layout_name", LAYOUTS)
def test_a_report_saved_without_its_envelope_is_still_a_report(layout_name):
    """A report as public corpora and mail clients keep it: no Return-Path (the envelope
    sender is added at delivery, RFC 5321 §4.4) and a From that names no mailer daemon;
    its structure, subject or opening still say what it is."""
    import re

    raw = LAYOUTS[layout_name](CASES["dead address"]).replace("Return-Path: <>\r\n", "")
    raw = re.sub(r"(?m)^From: .*\r\n", "From: Relay Notices <notices@relay.lauravidal.es>\r\n", raw, count=1)
    found = outcome(raw.encode())
    assert LEAD in found and found[LEAD].hard


def test_a_persons_forward_of_a_report_stays_the_persons_message():
    """A layout that carries no verdict: a person (a lead, perhaps) forwarding a report
    inline ("Fwd: …") writes to us; the report they quote is about their mail, and their
    message must never be lost as an unrecognised bounce (SPEC §7: a person quoting a
    report is still a person)."""
    raw = forwarded_inline("---------- Forwarded message ---------")(CASES["dead address"])
    raw = raw.replace("Return-Path: <>", f"Return-Path: <{OTHER}>").replace(
        "From: NDR Group <ndr@lauravidal.es>", f"From: Pedro Gil <{OTHER}>").replace(
        "Subject: Mail delivery failed: returning message to sender (fwd)", "Subject: Fwd: Mail delivery failed")
    assert classify(raw.encode(), own=frozenset({US})).kind == "reply"


FORWARD_TARGET = "ana.pena.reformas@mail.example.net"  # where the lead's address forwards to


def expanded_alias(case: Case, *, text: bool = True) -> str:
    """The lead's address forwards elsewhere and the target failed: RFC 3464's
    Original-Recipient is the address we sent to (the ORCPT, RFC 3461 §4.2), the
    Final-Recipient the one the alias expanded to; Postfix writes "(expanded from
    <ADDRESS>)". No returned original: only the fields name the lead."""
    part = dsn_part(case).replace(f"Final-Recipient: rfc822; {LEAD}", f"Final-Recipient: rfc822; {FORWARD_TARGET}")
    words = joined(case.words).replace(LEAD, FORWARD_TARGET)
    said = (f"<{FORWARD_TARGET}> (expanded from <{LEAD}>): host mx.example.net[192.0.2.26] said: {words}\r\n"
            f"    (in reply to {case.command} command)\r\n" if case.command else
            f"<{FORWARD_TARGET}> (expanded from <{LEAD}>): {words}\r\n")
    parts = ([text_part(human(case).replace(postfix_entry(case), said))] if text else []) + [part]
    return envelope(REPORT_TYPE, report(*parts))


@pytest.mark.parametrize("text", [True, False], ids=["with text", "fields only"])
# Not "dead domain": its words name the lead's domain, and the target's own is another.
@pytest.mark.parametrize("case_name", [name for name in CASES if name != "dead domain"])
def test_an_expanded_alias_fails_the_address_we_sent_to(case_name, text):
    case = CASES[case_name]
    incoming = classify(expanded_alias(case, text=text).encode(), own=frozenset({US}))
    failures = {f.address: f.verdict for f in incoming.failures}
    assert LEAD in failures, failures
    expect(failures[LEAD], case)


@pytest.mark.parametrize("field", [
    f"rfc822; <{LEAD}>", f"rfc822;{LEAD} (Ana Peña)", f"rfc822; Ana Peña <{LEAD}>", f"RFC822; {LEAD};",
    f'rfc822; "{LEAD}"', LEAD, f"rfc822; {LEAD}\r\n    (generated from info@example.org)", f"smtp; {LEAD}",
    f"rfc822; {LEAD.upper()}", f"unknown; {LEAD}",
])
def test_the_recipient_field_in_the_forms_writers_use(field):
    """Final-Recipient as writers fill it (RFC 3464 §2.3.2 asks for "rfc822; ADDRESS"):
    the only place that names the lead (the returned original went to someone else)."""
    raw = rfc3464_fields_only(CASES["dead address in words"]).replace(
        f"Final-Recipient: rfc822; {LEAD}", f"Final-Recipient: {field}").replace(
        f"Original-Recipient: rfc822;{LEAD}\r\n", "").replace(f"To: {LEAD}", "To: alguien@example.com")
    incoming = classify(raw.encode("utf-8"), own=frozenset({US}))
    assert [(f.address, f.verdict.hard) for f in incoming.failures] == [(LEAD, True)]


@pytest.mark.parametrize("case_name", CASES)
def test_a_blank_line_inside_a_recipients_fields(case_name):
    """A blank line between Final-Recipient and the rest of that recipient's fields (RFC
    3464 §2.1 has none there): the status and diagnostic below are still its own."""
    case = CASES[case_name]
    found = outcome(rfc3464_fields_only(case).replace("Action:", "\r\nAction:").encode())
    assert LEAD in found, found
    expect(found[LEAD], case)


# --- Two recipients with different fates in the plain-text layouts ------------------------

def _exim_entry(case: Case, recipient: str) -> str:
    words = case.words.replace(LEAD, recipient)
    if case.command:
        return (f"  {recipient}\r\n    host mx.{recipient.split('@')[1]} [192.0.2.25]\r\n"
                f"    SMTP error from remote mail server after RCPT TO:<{recipient}>:\r\n    {words}\r\n")
    return f"  {recipient}\r\n    {words}\r\n"


def exim_two(first: Case, second: Case) -> str:
    return plain_text("Mail delivery failed: returning message to sender",
                      "This message was created automatically by mail delivery software.\r\n\r\n"
                      "A message that you sent could not be delivered to one or more of its\r\n"
                      "recipients. This is a permanent error. The following address(es) failed:\r\n\r\n"
                      + _exim_entry(first, LEAD) + _exim_entry(second, THIRD))


def _qmail_entry(case: Case, recipient: str) -> str:
    words = case.words.replace(LEAD, recipient)
    if case.command:
        return f"<{recipient}>:\r\n192.0.2.25 does not like recipient.\r\nRemote host said: {words}\r\nGiving up on 192.0.2.25.\r\n\r\n"
    return f"<{recipient}>:\r\n{words}\r\n\r\n"


def qmail_two(first: Case, second: Case) -> str:
    return plain_text("failure notice",
                      "Hi. This is the qmail-send program at relay.lauravidal.es.\r\n"
                      "I'm afraid I wasn't able to deliver your message to the following addresses.\r\n"
                      "This is a permanent error; I've given up. Sorry it didn't work out.\r\n\r\n"
                      + _qmail_entry(first, LEAD) + _qmail_entry(second, THIRD),
                      separator="--- Below this line is a copy of the message.")


def postfix_two(first: Case, second: Case) -> str:
    entries = postfix_entry(first) + "\r\n" + postfix_entry(second, THIRD).replace(LEAD, THIRD)
    return plain_text("Undelivered Mail Returned to Sender",
                      "This is the mail system at host relay.lauravidal.es.\r\n\r\n"
                      "I'm sorry to have to inform you that your message could not\r\n"
                      "be delivered to one or more recipients.\r\n\r\n                   The mail system\r\n\r\n"
                      + entries, separator="--- Original message follows.")


def sendmail_two(first: Case, second: Case) -> str:
    def transcript(case: Case, recipient: str) -> str:
        words = case.words.replace(LEAD, recipient)
        if case.command:
            return f"... while talking to mx.{recipient.split('@')[1]}.:\r\n>>> RCPT To:<{recipient}>\r\n<<< {words}\r\n"
        return f"550 5.1.2 {recipient}... {words}\r\n"
    return plain_text("Returned mail: see transcript for details",
                      "   ----- The following addresses had permanent fatal errors -----\r\n"
                      f"<{LEAD}>\r\n<{THIRD}>\r\n\r\n   ----- Transcript of session follows -----\r\n"
                      + transcript(first, LEAD) + transcript(second, THIRD),
                      separator="   ----- Original message follows -----")


TWO_RECIPIENT_LAYOUTS = {"exim": exim_two, "qmail": qmail_two, "postfix plain": postfix_two, "sendmail": sendmail_two}
PAIRS = [("dead address in words", "full mailbox"), ("full mailbox", "dead address"),
         ("spam refusal", "dead address in words"), ("dead address", "spam refusal"),
         ("dead domain", "full mailbox"), ("full mailbox", "dead domain")]


@pytest.mark.parametrize("first, second", PAIRS)
@pytest.mark.parametrize("layout_name", TWO_RECIPIENT_LAYOUTS)
def test_each_recipient_gets_its_own_fate(layout_name, first, second):
    """A plain-text report on two recipients: each one's words decide its own verdict,
    never the other's."""
    raw = TWO_RECIPIENT_LAYOUTS[layout_name](CASES[first], CASES[second])
    incoming = classify(raw.encode(), own=frozenset({US}))
    failures = {f.address: f.verdict for f in incoming.failures}
    assert LEAD in failures and THIRD in failures and OTHER not in failures, failures
    expect(failures[LEAD], CASES[first])
    expect(failures[THIRD], CASES[second])


@pytest.mark.parametrize("kind", ["message/global-delivery-status", "message/delivery-status"])
@pytest.mark.parametrize("words", ["550 Нет такого пользователя", "550 用户不存在", "550 Usuário desconhecido"])
def test_utf8_words_in_the_fields(kind, words):
    """A diagnostic in UTF-8 inside the fields: RFC 6533 allows it in
    message/global-delivery-status, and servers write it in message/delivery-status too.
    The email package keeps such bytes only as escapes; they are read as UTF-8."""
    case = Case("5.0.0", words, "RCPT TO", True, ADDRESS, frozenset({"userunknown"}))
    raw = rfc3464_fields_only(case).replace("Content-Type: message/delivery-status", f"Content-Type: {kind}")
    raw = raw.replace("Your message could not be delivered.", "Entrega fallida.")
    found = outcome(raw.encode("utf-8"))
    assert LEAD in found, found
    expect(found[LEAD], case)


def test_undeclared_8bit_fields_read_in_the_reports_own_charset():
    """A Russian server's report: its text part declares koi8-r, its fields carry the same
    bytes undeclared (RFC 3464 §2.1 asks for 7bit): they are read as koi8-r."""
    case = Case("5.0.0", "550 Нет такого пользователя", "RCPT TO", True, ADDRESS, frozenset({"userunknown"}))
    text = text_part("Это сообщение создано автоматически.\r\nПисьмо не доставлено.\r\n",
                     kind="text/plain; charset=koi8-r", encoding="8bit")
    raw = envelope(REPORT_TYPE, report(text, dsn_part(case), original_part())).encode("koi8-r")
    found = outcome(raw)
    assert LEAD in found, found
    expect(found[LEAD], case)


@pytest.mark.parametrize("where", ["text", "fields"])
def test_undeclared_iso_2022_jp_is_read(where):
    """ISO-2022-JP (RFC 1468) is 7-bit: undeclared, its bytes pass for ASCII; its escape
    into JIS X 0208 (ESC $ B) says what it is."""
    sentence = "550 指定された宛先は存在しません"
    jis = sentence.encode("iso-2022-jp").decode("ascii")
    case = Case("5.0.0", jis, "RCPT TO", True, ADDRESS, frozenset({"userunknown"}))
    if where == "text":
        raw = envelope("text/plain", f"配信できませんでした。\r\n\r\n  {LEAD}\r\n    {jis}\r\n".replace(
            "配信できませんでした。", "配信できませんでした。".encode("iso-2022-jp").decode("ascii")),
            sender="Mail Delivery System <Mailer-Daemon@relay.lauravidal.es>")
    else:
        raw = rfc3464_fields_only(case)
    found = outcome(raw.encode("ascii"))
    assert LEAD in found, found
    expect(found[LEAD], case)


# --- Through the inbox, from a real Maildir ------------------------------------------------

from test_inbox import leads, read, status  # noqa: E402,F401
from test_inbox import project  # noqa: E402,F401  (the fixture)

INBOX_QUOTED = "jose.munoz@example.com"  # a lead of test_inbox's project, quoted in the returned body
INBOX_CELLS = {
    "exim, quoted-printable": lambda case: recode_text(exim(case), "quoted-printable"),
    "exchange HTML only": lambda case: exchange_html(case).encode(),
    "forwarded inline": lambda case: LAYOUTS["forwarded inline"](case).encode(),
    "sun messaging, unindented": lambda case: sun_messaging_unindented(case).encode(),
    "expanded alias, fields only": lambda case: expanded_alias(case, text=False).encode(),
    "multiline reply, qmail": lambda case: qmail(MULTILINE.get(
        next((n for n, c in CASES.items() if c is case), ""), case)).encode(),
    "windows-1252 undeclared": lambda case: in_language(LANGUAGES["windows-1252"]),
}


# The language cell's sentence says the address is dead whatever the case: no full mailbox there.
@pytest.mark.parametrize("cell, case_name", [
    (cell, case_name) for cell in INBOX_CELLS for case_name in ("dead address in words", "full mailbox")
    if not (cell == "windows-1252 undeclared" and case_name == "full mailbox")])
def test_the_inbox_bounces_the_right_lead(project, run, cell, case_name):
    case = CASES[case_name]
    raw = INBOX_CELLS[cell](case)
    project.deliver(raw.replace(OTHER.encode(), INBOX_QUOTED.encode()))
    summary = read(run)
    assert summary["bounces" if case.hard else "failed"] == 1 and summary["unrecognised"] == 0, summary
    assert status(run, LEAD) == ("bounced" if case.hard else "active")
    assert status(run, INBOX_QUOTED) == "active" and status(run, "tom@example.net") == "active"


def test_a_local_mailers_quota_words_are_the_mailboxs():
    """Postfix hands the message to maildrop (a local mailer, "x-unix" in the fields) and
    reports its words "maildir over quota": the mailbox is full, as any server's "mailbox
    full" says, not a failure of the program (sisimai's mailererror). The address the
    sender gave is Original-Recipient; Final-Recipient is the internal one."""
    case = Case("5.7.0", "", None, False, MAILBOX, frozenset({"mailboxfull"}))
    part = ("Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; relay.lauravidal.es\r\n\r\n"
            f"Final-Recipient: rfc822; ana.pena@mailcluster.local\r\nOriginal-Recipient: rfc822;{LEAD}\r\n"
            "Action: failed\r\nStatus: 5.7.0\r\nDiagnostic-Code: x-unix; 91022: [05/12/2026 10:15:02] innocent message\r\n"
            "    from 192.0.2.7 maildrop: maildir over quota.\r\n")
    text = text_part(f"<{LEAD}>: permission denied. Command output:\r\n    maildrop: maildir over quota.\r\n")
    found = outcome(envelope(REPORT_TYPE, report(text, part)).encode())
    assert LEAD in found, found
    expect(found[LEAD], case)


@pytest.mark.parametrize("status, words, dead", [
    # Sendmail writes a mailer's exit alone; its sysexits table made EX_NOUSER (67) 5.1.1.
    ("5.1.1", "67", True),
    # Postfix made the same of maildrop's exit 67, the user's filter's own words after it.
    ("5.1.1", "ERR: authdaemon: s_connect() failed: No such file or directory La cuenta de Teresa ya no existe.",
     True),
    # Any other exit is the program's own failure (sisimai's mailererror): EX_CANTCREAT,
    # and under 5.1.1 too unless the program's words say the address is dead.
    ("5.2.0", "procmail: Couldn't create \"/var/mail/ana\"", False),
    ("5.1.1", "procmail: Couldn't create \"/var/mail/ana\"", False),
    ("5.1.1", "spam filter: message rejected as spam", False),
])
def test_a_local_mailers_exit_that_says_no_such_user_is_a_dead_address(status, words, dead):
    """A local mailer's exit read through the status the reporting MTA made of it
    (sysexits.h: EX_NOUSER 67 → 5.1.1, EX_NOHOST 68 → 5.1.2, in Sendmail's and Postfix's
    tables): the bare exit, or the program's own words that say the address is dead."""
    found = outcome(local_mailer_report(status, words, f"delivery via local: {words}"))
    assert LEAD in found, found
    assert found[LEAD].hard is dead, found[LEAD]


def local_mailer_report(status: str, words: str, said: str) -> bytes:
    """Postfix's report of a local delivery program's exit: its words as an x-unix
    diagnostic (RFC 3464 §2.3.6), and `said` in the notification."""
    part = ("Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\n"
            f"Final-Recipient: rfc822; {LEAD}\r\nOriginal-Recipient: rfc822;{LEAD}\r\n"
            f"Action: failed\r\nStatus: {status}\r\nDiagnostic-Code: x-unix; {words}\r\n")
    return envelope(REPORT_TYPE, report(text_part(f"<{LEAD}>: {said}\r\n"), part)).encode()


@pytest.mark.parametrize("words", [
    "Error: Error: No list found with this address: 'LEAD'.  Kind regards, Your Schleuder system.",
    "post script, list not found: ana.pena",
])
def test_a_list_manager_piped_to_that_holds_no_such_list_is_a_dead_address(words):
    """Postfix pipes the address to a list manager (Schleuder, Mailman 2's post script),
    which answers it holds no such list: Postfix reports "Command died" under 5.3.0 with
    the program's words as an x-unix diagnostic. The program that holds the address says
    it does not exist, not that it failed (sisimai's mailererror)."""
    case = Case("5.3.0", "", None, True, ADDRESS, frozenset({"userunknown"}))
    words = words.replace("LEAD", LEAD)
    found = outcome(local_mailer_report(
        "5.3.0", words, f"Command died with status 1: \"/usr/bin/list\". Command output:\r\n    {words}"))
    assert LEAD in found, found
    expect(found[LEAD], case)


@pytest.mark.parametrize("order", ["report first", "original first"])
@pytest.mark.parametrize("disposition", ["", "Content-Disposition: attachment; filename=\"original.txt\"\r\n",
                                         "Content-Disposition: inline\r\n"])
@pytest.mark.parametrize("case_name", CASES)
def test_the_returned_text_attached_without_headers_names_nobody(case_name, disposition, order):
    """A plain-text report (no RFC 3464 fields) that returns the original's text as
    another text part, without its headers: the other lead it quotes is never a failed
    recipient (SPEC §7), and the lead still gets the report's verdict."""
    case = CASES[case_name]
    body_only = original().split("\r\n\r\n", 1)[1]
    parts = [text_part(human(case)), disposition + text_part(body_only)]
    raw = envelope('multipart/mixed; boundary="m1"', multipart("m1", *(parts if order == "report first" else parts[::-1])),
                   subject="Undeliverable: Tu presupuesto de reforma")
    found = outcome(raw.encode())
    assert OTHER not in found and LEAD in found, found
    expect(found[LEAD], case)


@pytest.mark.parametrize("label, language", [
    ("x-sjis", "shift_jis"), ("windows-31j", "shift_jis"), ("x-gbk", "gb2312"), ("unknown-8bit", "utf-8"),
    ("x-euc-jp", "euc-jp"), ("ks_c_5601-1987", "euc-kr"),
])
def test_charset_labels_python_does_not_know(label, language):
    """Labels mail programs write that Python's codecs lack (WHATWG's label table): the
    sentence is still decoded."""
    base = LANGUAGES["shift_jis" if language in ("shift_jis", "euc-jp") else
                     "gb2312" if language == "gb2312" else "utf-8"]
    if language == "euc-kr":
        base = Language("euc-kr", "배달 실패", "메일을 배달하지 못했습니다.", "550 존재하지 않는 사용자입니다")
    found = outcome(in_language(Language(language, base.subject, base.opening, base.words), declared=label))
    assert LEAD in found, found
    expect(found[LEAD], DEAD_IN_WORDS)


@pytest.mark.parametrize("name", LANGUAGES)
def test_a_report_in_its_language_saved_without_its_envelope(name):
    """The report in the server's language, kept with no Return-Path and a From that
    names no daemon: its subject in that language ("Письмо не доставлено", "退信通知",
    "配信不能のお知らせ", "Échec de la remise"…) says it is a report."""
    import re

    language = LANGUAGES[name]
    raw = in_language(language, declared=language.charset, encoding="base64").decode("ascii")
    raw = raw.replace("Return-Path: <>\r\n", "")
    raw = re.sub(r"(?m)^From: .*\r\n", "From: Servidor <correo@relay.lauravidal.es>\r\n", raw, count=1)
    found = outcome(raw.encode("ascii"))
    assert LEAD in found, found
    expect(found[LEAD], DEAD_IN_WORDS)


@pytest.mark.parametrize("subject", ["No se puede entregar: Tu presupuesto", "Non recapitabile: Tu presupuesto",
                                     "Não é possível entregar: Tu presupuesto", "Échec de la remise",
                                     "Niedostarczalne: Tu presupuesto", "Nedoručitelné: Tu presupuesto",
                                     "Kézbesíthetetlen: Tu presupuesto", "Недоставляемое: Tu presupuesto",
                                     "配信不能: Tu presupuesto", "无法投递: Tu presupuesto"])
def test_outlooks_undeliverable_in_other_languages(subject):
    """Outlook's and Exchange's "Undeliverable:" in their other languages, on a text
    report (Exchange 2007's) kept without Return-Path, signed by the Exchange system
    mailbox (no daemon's name)."""
    from email.header import Header

    raw = exchange_2007_text(CASES["dead address in words"]).replace("Return-Path: <>\r\n", "")
    raw = raw.replace("Subject: Undeliverable: Tu presupuesto de reforma", f"Subject: {Header(subject, 'utf-8').encode()}")
    raw = raw.replace("System Administrator <postmaster@lauravidal.es>",
                      "Exchange <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@lauravidal.es>")
    found = outcome(raw.encode("ascii"))
    assert LEAD in found, found


NO_CAUSE = {
    # Exchange 2003's and the IIS SMTP service's report: the address and nothing else.
    "exchange, no cause": lambda: plain_text("Delivery Status Notification (Failure)",
                                             "This is an automatically generated Delivery Status Notification.\r\n\r\n"
                                             f"Delivery to the following recipients failed.\r\n\r\n       {LEAD}\r\n",
                                             sender="postmaster@lauravidal.es"),
    # RFC 3464 fields with the canned status and no diagnostic.
    "rfc3464, no cause": lambda: envelope(REPORT_TYPE, report(
        text_part("Your message could not be delivered.\r\n"),
        "Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; relay.lauravidal.es\r\n\r\n"
        f"Final-Recipient: rfc822; {LEAD}\r\nAction: failed\r\nStatus: 5.0.0\r\n", original_part())),
}


@pytest.mark.parametrize("layout_name", NO_CAUSE)
def test_a_report_with_no_cause_carries_no_dead_address(layout_name):
    """A layout that carries no verdict on the address: a permanent failure whose report
    gives no cause. The lead is found, and its message failed for a reason nobody gave:
    soft, the mailbox's (the policy of issue #25's labels, SPEC §7's "anything else")."""
    found = outcome(NO_CAUSE[layout_name]().encode())
    assert LEAD in found and OTHER not in found, found
    assert not found[LEAD].hard and found[LEAD].owner == MAILBOX


@pytest.mark.parametrize("introduction", ["Your message reads (in part):", "The text of your message was:",
                                          "A copy of your message is included below.",
                                          "For your convenience, we've included the text of your message below:"])
@pytest.mark.parametrize("case_name", CASES)
def test_the_returned_text_introduced_by_a_sentence_names_nobody(case_name, introduction):
    """A plain-text report that returns the original's text in the same part, with no
    ruler and no headers, after a sentence that says so: the lead it quotes is never a
    failed recipient."""
    case = CASES[case_name]
    body_only = original().split("\r\n\r\n", 1)[1]
    raw = envelope("text/plain; charset=us-ascii",
                   f"Your message to {LEAD} could not be delivered.\r\n\r\n  {LEAD}\r\n    {joined(case.words)}\r\n\r\n"
                   f"{introduction}\r\n\r\n{body_only}", subject="Returned mail: delivery failed",
                   sender="Mail Delivery System <MAILER-DAEMON@relay.lauravidal.es>")
    found = outcome(raw.encode())
    assert OTHER not in found and LEAD in found, found
    expect(found[LEAD], case)


@pytest.mark.parametrize("case_name", CASES)
def test_html_labelled_as_text_plain(case_name):
    """An HTML report labelled text/plain (a gateway's template): its tags and entities
    (&nbsp;, <br> inside the sentence) are markup, not words."""
    case = CASES[case_name]
    words = "&nbsp;".join(f"<span>{word}</span>" for word in
                          case.words.replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;").split(" "))
    body = ("<!DOCTYPE html>\r\n<html><body><p>Delivery has failed to these recipients or groups:</p>"
            f"<p><a href=\"mailto:{LEAD}\">{LEAD}</a></p><p>{words}</p></body></html>\r\n")
    raw = envelope("text/plain; charset=utf-8", body, subject="Undeliverable: Tu presupuesto de reforma",
                   sender="postmaster@lauravidal.es")
    found = outcome(raw.encode())
    assert LEAD in found, found
    expect(found[LEAD], case)
