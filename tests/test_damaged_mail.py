"""A verdict survives what transport and archives do to a message (issue #25): the
damage bench/transforms.py applies to the corpora, each case here a hand-written message
in a documented layout, damaged the same way, whose words a person still reads. The
addresses and hosts are made up."""

from __future__ import annotations

import quopri
import re
import textwrap
from pathlib import Path

from leadloop.classify import classify

LEAD = "ana.pena@example.org"
FIXTURES = Path(__file__).parent / "fixtures"


def postfix_report(*, original_to: str = LEAD, newline: str = "\r\n") -> bytes:
    """Postfix's bounce (bounce(8)'s default template), its returned original's headers
    in a text/rfc822-headers part."""
    return newline.join([
        "Return-Path: <>",
        "From: MAILER-DAEMON@relay.lauravidal.es (Mail Delivery System)",
        "To: laura@lauravidal.es",
        "Subject: Undelivered Mail Returned to Sender",
        "Message-ID: <pf-damage@relay.lauravidal.es>",
        "MIME-Version: 1.0",
        'Content-Type: multipart/report; report-type=delivery-status; boundary="PF"',
        "",
        "--PF",
        "Content-Description: Notification",
        "Content-Type: text/plain; charset=us-ascii",
        "",
        "This is the mail system at host relay.lauravidal.es.",
        "",
        "I'm sorry to have to inform you that your message could not",
        "be delivered to one or more recipients.",
        "",
        "                   The mail system",
        "",
        f"<{LEAD}>: host mx.example.org[192.0.2.25] said: 550 5.1.1 <{LEAD}>:",
        "    Recipient address rejected: User unknown in virtual mailbox table (in",
        "    reply to RCPT TO command)",
        "",
        "--PF",
        "Content-Description: Delivery report",
        "Content-Type: message/delivery-status",
        "",
        "Reporting-MTA: dns; relay.lauravidal.es",
        "",
        f"Final-Recipient: rfc822; {LEAD}",
        f"Original-Recipient: rfc822;{LEAD}",
        "Action: failed",
        "Status: 5.1.1",
        "Remote-MTA: dns; mx.example.org",
        f"Diagnostic-Code: smtp; 550 5.1.1 <{LEAD}>: Recipient address rejected:",
        "    User unknown in virtual mailbox table",
        "",
        "--PF",
        "Content-Description: Undelivered Message Headers",
        "Content-Type: text/rfc822-headers",
        "",
        "From: Laura Vidal <laura@lauravidal.es>",
        f"To: {original_to}",
        "Subject: La informacion que me pidio",
        "Message-ID: <info-1@lauravidal.es>",
        "",
        "--PF--",
        "",
    ]).encode("ascii")


def test_a_group_with_a_space_after_it_leaves_the_message_readable():
    # "To: undisclosed-recipients:; " (a space after the ';', as some clients write a
    # Bcc-only message) makes the email package raise on reading the field; the message
    # was Unreadable, a lead's reply lost and a hard bounce unread.
    reply = classify(b"From: Ana Pena <ana.pena@example.org>\r\n"
                     b"To: undisclosed-recipients:; \r\n"
                     b"Subject: Re: La informacion que me pidio\r\n"
                     b"Message-ID: <r1@example.org>\r\nIn-Reply-To: <info-1@lauravidal.es>\r\n\r\n"
                     b"Gracias, me interesa. Llamadme el lunes.\r\n")
    assert reply.kind == "reply" and reply.sender == LEAD
    bounce = classify(postfix_report(original_to="undisclosed-recipients:; "))
    assert bounce.kind == "bounce" and bounce.permanent == (LEAD,)


def test_a_display_name_whose_encoded_word_holds_a_line_break_is_read():
    # An encoded word may decode to anything, a CR LF too; the email package refuses
    # such a display name (ValueError) and the message was Unreadable.
    reply = classify(b"From: =?utf-8?q?Ana_Pe=C3=B1a=0D=0AVentas?= <ana.pena@example.org>\r\n"
                     b"To: laura@lauravidal.es\r\nSubject: Re: Hola\r\n"
                     b"Message-ID: <r2@example.org>\r\n\r\nSi, gracias.\r\n")
    assert reply.kind == "reply" and reply.sender == LEAD


def office365_ndr(*, content_type: bool = True) -> bytes:
    """Exchange Online's non-delivery report (Microsoft's "Email non-delivery reports in
    Exchange Online" layout): a multipart/report whose first part is the text and HTML
    notice, then the delivery-status fields and the returned original."""
    head = ['Content-Type: multipart/report; report-type=delivery-status;',
            '\tboundary="_000_AM0PR01MB1234NDR_"'] if content_type else []
    return "\r\n".join([
        "From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@lauravidal.es>",
        "To: <laura@lauravidal.es>",
        "Subject: Undeliverable: La informacion que me pidio",
        "Date: Mon, 2 Mar 2026 10:00:05 +0000",
        "Message-ID: <ndr-1@AM0PR01MB1234.eurprd01.prod.exchangelabs.com>",
        *head,
        "MIME-Version: 1.0",
        "",
        "--_000_AM0PR01MB1234NDR_",
        'Content-Type: multipart/alternative; boundary="_001_AM0PR01MB1234NDR_"',
        "",
        "--_001_AM0PR01MB1234NDR_",
        'Content-Type: text/plain; charset="us-ascii"',
        "",
        "Your message to ana.pena@example.org couldn't be delivered.",
        "ana.pena wasn't found at example.org.",
        "",
        "laura                 Office 365           ana.pena",
        "Action Required                            Recipient",
        "",
        "Unknown To address",
        "",
        "Diagnostic information for administrators:",
        "",
        "Generating server: AM0PR01MB1234.eurprd01.prod.exchangelabs.com",
        "ana.pena@example.org",
        "Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'",
        "",
        "--_001_AM0PR01MB1234NDR_",
        'Content-Type: text/html; charset="us-ascii"',
        "",
        "<html><body><p>Your message to ana.pena@example.org couldn't be delivered.</p>",
        "<p>ana.pena wasn't found at example.org.</p></body></html>",
        "",
        "--_001_AM0PR01MB1234NDR_--",
        "",
        "--_000_AM0PR01MB1234NDR_",
        "Content-Type: message/delivery-status",
        "",
        "Reporting-MTA: dns;AM0PR01MB1234.eurprd01.prod.exchangelabs.com",
        "Received-From-MTA: dns;relay.lauravidal.es",
        "Arrival-Date: Mon, 2 Mar 2026 10:00:04 +0000",
        "",
        "Final-Recipient: rfc822;ana.pena@example.org",
        "Action: failed",
        "Status: 5.1.10",
        "Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
        "",
        "--_000_AM0PR01MB1234NDR_",
        "Content-Type: message/rfc822",
        "",
        "From: Laura Vidal <laura@lauravidal.es>",
        "To: Ana Pena <ana.pena@example.org>",
        "Subject: La informacion que me pidio",
        "Message-ID: <info-1@lauravidal.es>",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "Hola Ana, te adjunto la informacion. Si tienes dudas, contestame a este correo.",
        "",
        "--_000_AM0PR01MB1234NDR_--",
        "",
    ]).encode("ascii")


def gateway_report(*, content_type: bool = True) -> bytes:
    """A mail gateway's multipart/mixed notice (the layout of ClearSwift's and similar
    gateways' "We had trouble delivering your message"): the text, then the original's
    headers as an attached text file."""
    head = ['Content-Type: multipart/mixed;', '\tboundary="--=_GW_5f44c12823329331748206317161a01e"'] \
        if content_type else []
    return "\r\n".join([
        "From: mailer-daemon@gw.example.org",
        "To: laura@lauravidal.es",
        "Subject: There was an error sending your mail",
        "Date: Mon, 2 Mar 2026 10:00:05 +0000",
        "Auto-Submitted: auto-replied",
        "MIME-Version: 1.0",
        *head,
        "Message-ID: <gw-1@gw.example.org>",
        "",
        "This is a multi-part message in MIME format.",
        "",
        "----=_GW_5f44c12823329331748206317161a01e",
        "Content-Type: text/plain; charset=us-ascii",
        "Content-Transfer-Encoding: 7bit",
        "",
        "We had trouble delivering your message. Full details follow:",
        "",
        "Subject: 'La informacion que me pidio'",
        "Date: 'Mon, 2 Mar 2026 10:00:00 +0000'",
        "",
        "1 error(s):",
        "",
        f"SMTP Server <mx.example.org> rejected recipient <{LEAD}> (Error following RCPT command). "
        "It responded as follows: [550 5.1.1 User unknown]",
        "",
        "",
        "----=_GW_5f44c12823329331748206317161a01e",
        "Content-Type: text/plain;",
        '\tname="mailheaders.txt"',
        "Content-Transfer-Encoding: 7bit",
        "Content-Disposition: attachment;",
        '\tfilename="mailheaders.txt"',
        "",
        "Received: from relay.lauravidal.es ([192.0.2.7])",
        "\tby gw.example.org with ESMTP id 1234",
        f"\tfor {LEAD}; Mon, 2 Mar 2026 10:00:01 +0000",
        "Date: Mon, 2 Mar 2026 10:00:00 +0000",
        f"To: {LEAD}",
        "From: Laura Vidal <laura@lauravidal.es>",
        "Subject: La informacion que me pidio",
        "Message-ID: <info-1@lauravidal.es>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain",
        "",
        "",
        "----=_GW_5f44c12823329331748206317161a01e--",
        "",
    ]).encode("ascii")


def without_top_content_type(raw: bytes) -> bytes:
    head, blank, body = raw.partition(b"\r\n\r\n")
    kept = re.sub(rb"(?im)^content-type:.*(?:\r\n[ \t].*)*(?:\r\n|\Z)", b"", head + b"\r\n")
    return kept.rstrip(b"\r\n") + blank + body


def test_a_report_whose_content_type_was_lost_is_read_by_its_boundaries():
    # A gateway or a client's export that drops the top-level Content-Type leaves the
    # boundaries as text: the notice and the original's headers read as one text, and the
    # original's "Content-Type" lines took the report for a content error (5.6.x).
    assert classify(gateway_report()).permanent == (LEAD,)
    damaged = classify(gateway_report(content_type=False))
    assert damaged.kind == "bounce" and damaged.permanent == (LEAD,)
    assert damaged.original_ids == ("<info-1@lauravidal.es>",)


def test_a_feedback_report_whose_content_type_was_lost_is_still_a_complaint():
    # RFC 5965's layout: the multipart/report's own field says "feedback-report"; without
    # it the feedback part's "Content-Type: message/feedback-report" still does.
    arf = (FIXTURES / "complaints" / "arf-rfc5965.eml").read_bytes()
    assert classify(arf).kind == "complaint"
    damaged = without_top_content_type(arf)
    assert b"multipart/report" not in damaged.split(b"\r\n\r\n")[0]
    assert classify(damaged).kind == "complaint"


def persons_forward_of_a_report(*, attached: bool) -> bytes:
    """Ana forwards to the marketer a Postfix report she got, asking what it means: as an
    attachment (message/rfc822) or, as Pine/alpine and Roundcube forward a report, with
    the report's parts as her message's own."""
    report = postfix_report(original_to="info@otra.example").decode("ascii")
    head, _, body = report.partition("\r\n\r\n")
    if attached:
        parts = f"--FW\r\nContent-Type: message/rfc822\r\n\r\n{report}\r\n--FW--\r\n"
    else:
        parts = body.replace("--PF", "--FW")
    return ("From: Ana Pena <ana.pena@example.org>\r\nTo: laura@lauravidal.es\r\n"
            "Subject: Fwd: Undelivered Mail Returned to Sender\r\nMessage-ID: <fw1@example.org>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"FW\"\r\n\r\n"
            "--FW\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPor que me llega esto?\r\n\r\n"
            + parts).encode("ascii")


def test_a_persons_forward_of_a_report_whose_content_type_was_lost_stays_theirs():
    # The rebuilt multipart is a report only when a report's part is its own part, and
    # never under a forward's subject: a person's question is not a mail system's notice.
    for attached in (True, False):
        raw = persons_forward_of_a_report(attached=attached)
        assert classify(raw).kind == "reply"
        damaged = classify(without_top_content_type(raw))
        assert damaged.kind == "reply" and "Por que me llega esto" in damaged.text, attached
        cut = classify(archive_copy(raw))
        assert cut.kind == "reply" and "Por que me llega esto" in cut.text, attached


def test_boundaries_quoted_in_a_text_are_no_lost_content_type():
    # A person's plain-text message that shows a MIME body (a question about one) has no
    # closing delimiter of its own, or is no multipart: it stays a reply as it is.
    text = ("From: Ana Pena <ana.pena@example.org>\r\nTo: laura@lauravidal.es\r\n"
            "Subject: Re: Hola\r\nMessage-ID: <r3@example.org>\r\n\r\n"
            "Mi programa muestra esto en vez del folleto:\r\n\r\n"
            "--frontera\r\nContent-Type: application/pdf\r\n\r\nJVBERi0xLjQK\r\n\r\n"
            "Me lo podeis reenviar?\r\n").encode("ascii")
    assert classify(text).kind == "reply" and "reenviar" in classify(text).text


def test_an_archived_message_with_at_addresses_is_read_with_its_addresses():
    # Mailman's archive (pipermail) writes "From: local at domain (Name)" and every
    # address in the text as "local at domain": the reply had no sender, and the
    # report's failed recipient was nobody.
    reply = classify(b"From: ana.pena at example.org (Ana Pena)\r\nDate: Mon, 2 Mar 2026 11:00:00 +0100\r\n"
                     b"Subject: Re: La informacion que me pidio\r\nMessage-ID: <r4@example.org>\r\n\r\n"
                     b"Gracias, me interesa. Mi otra direccion es ana at example.net.\r\n")
    assert reply.kind == "reply" and reply.sender == LEAD and "ana@example.net" in reply.text
    archived = re.sub(rb"([A-Za-z0-9._-]+)@([A-Za-z0-9.-]+\.[a-z]+)", rb"\1 at \2", postfix_report())
    bounce = classify(archived)
    assert bounce.kind == "bounce" and bounce.permanent == (LEAD,)


def exim_report(words: str, *, transfer_encoding: str | None = "quoted-printable") -> bytes:
    """Exim's bounce (its specification, "Bounce and warning messages"), the remote
    server's words in UTF-8, quoted-printable as Exim's own text would be sent through a
    7-bit relay (RFC 2045 §6.7)."""
    text = ("This message was created automatically by mail delivery software.\n\n"
            "A message that you sent could not be delivered to one or more of its\n"
            "recipients. This is a permanent error. The following address(es) failed:\n\n"
            f"  {LEAD}\n    host mx.example.org [192.0.2.25]\n"
            f"    SMTP error from remote mail server after RCPT TO:<{LEAD}>:\n    {words}\n")
    body = quopri.encodestring(text.encode("utf-8")).decode("ascii")
    field = f"Content-Transfer-Encoding: {transfer_encoding}\r\n" if transfer_encoding else ""
    return ("Return-Path: <>\r\nFrom: Mail Delivery System <Mailer-Daemon@relay.lauravidal.es>\r\n"
            "To: laura@lauravidal.es\r\nSubject: Mail delivery failed: returning message to sender\r\n"
            "Message-ID: <exim-qp@relay.lauravidal.es>\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\n{field}\r\n"
            + body.replace("\n", "\r\n")).encode("ascii")


def test_quoted_printable_whose_field_was_lost_is_decoded():
    # A gateway that drops a part's Content-Transfer-Encoding leaves "=C3=A1" and soft
    # line breaks in the text: the Portuguese server's "Usuário não existe" read as
    # "Usu=C3=A1rio n=C3=A3o existe", nothing a rule knows.
    words = "550 Usuário não existe neste servidor. Verifique o endereço e tente novamente, obrigado."
    assert classify(exim_report(words)).permanent == (LEAD,)
    damaged = exim_report(words, transfer_encoding=None)
    assert b"=C3=A1" in damaged and b"=\r\n" in damaged
    assert classify(damaged).permanent == (LEAD,)


def test_a_transfer_encoding_padded_with_spaces_is_still_decoded():
    # White space after a field's value is allowed (RFC 5322 §3.2.2) and some relays pad
    # every line with it: "Content-Transfer-Encoding: base64  " still says base64.
    import base64

    words = "550 Usuário não existe neste servidor."
    plain = exim_report(words)
    head, body = plain.split(b"\r\n\r\n", 1)
    text = quopri.decodestring(body)
    for field in (b"base64  ", b"base64\t", b" base64 "):
        raw = (head.replace(b"quoted-printable", field) + b"\r\n\r\n"
               + base64.encodebytes(text).replace(b"\n", b"\r\n"))
        assert classify(raw).permanent == (LEAD,), field


def test_a_text_with_its_own_equals_signs_is_not_taken_for_quoted_printable():
    # One "=" that is no escape (a formula, a link's query) leaves the text as it is,
    # even beside some that read as escapes ("?id=42", "=C3" at a line's end).
    reply = classify(b"From: Ana Pena <ana.pena@example.org>\r\nTo: laura@lauravidal.es\r\n"
                     b"Subject: Re: Hola\r\nMessage-ID: <r5@example.org>\r\n\r\n"
                     b"Mirad https://example.org/p?id=42&ref=mail y la casilla B=C3\r\n"
                     b"con la formula precio=coste*1,21.\r\n")
    assert "p?id=42&ref=mail y la casilla B=C3" in reply.text


def broken_alternative(newline: str, padding: str = "") -> bytes:
    """A notice whose multipart/alternative part lost its boundary parameter's indent:
    the part is no multipart any more (no boundary), and its text, boundary lines and
    part fields included, is the report's. `padding`: white space after each delimiter
    (RFC 2046 §5.1.1 allows it)."""
    return newline.join([
        "From: postmaster@gw.example.org",
        "To: laura@lauravidal.es",
        "Subject: Re: La informacion que me pidio",
        "Message-ID: <gw-2@gw.example.org>",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="----=_B_1"',
        "",
        "------=_B_1" + padding,
        "Content-Type: multipart/alternative;",
        'boundary="----=_X_2"',
        "",
        "------=_X_2" + padding,
        "Content-Type: text/plain; charset=us-ascii",
        "Content-Transfer-Encoding: 7bit",
        "",
        "Error: Invalid user address",
        "",
        "Error message below:",
        "550 - Requested action not taken: no such user here",
        "",
        "Message details:",
        "  Subject: La informacion que me pidio",
        "  MAIL FROM: laura@lauravidal.es",
        f"  RCPT TO: {LEAD}",
        "",
        "------=_X_2--",
        "",
        "------=_B_1--",
        "",
    ]).encode("ascii")


def test_a_broken_multipart_reads_alike_with_crlf_and_padded_delimiters():
    # Its delimiter lines were taken out of the text only when they ended in a bare LF:
    # with CRLF (as SMTP sends every line) or a padded delimiter the part's
    # "Content-Type" fields stayed in the report's words and the lead was not bounced.
    assert classify(broken_alternative("\n")).permanent == (LEAD,)
    assert classify(broken_alternative("\r\n")).permanent == (LEAD,)
    assert classify(broken_alternative("\n", padding="  ")).permanent == (LEAD,)


EXIM_LINES = [
    "This message was created automatically by mail delivery software.",
    "",
    "A message that you sent could not be delivered to one or more of its",
    "recipients. This is a permanent error. The following address(es) failed:",
    "",
    f"  {LEAD}",
    "    host mx.example.org [192.0.2.25]",
    "    SMTP error from remote mail server after RCPT TO:<ana.pena@example.org>:",
    "    553 example.org does not exist",
]


def exim_copy(lines: list[str], *, html: bool = False) -> bytes:
    """Exim's bounce as a copy left it: `lines` its text, in HTML when `html`."""
    kind = "text/html" if html else "text/plain"
    body = ("<html><body><p>" + "<br>\r\n".join(lines) + "</p></body></html>") if html else "\r\n".join(lines)
    return ("Return-Path: <>\r\nFrom: Mail Delivery System <Mailer-Daemon@relay.lauravidal.es>\r\n"
            "To: laura@lauravidal.es\r\nSubject: Mail delivery failed: returning message to sender\r\n"
            f"Message-ID: <exim-copy@relay.lauravidal.es>\r\nContent-Type: {kind}; charset=us-ascii\r\n\r\n"
            + body + "\r\n").encode("ascii")


def test_exims_reply_is_read_when_a_copy_lost_its_indent_or_joined_its_lines():
    # Exim puts the remote server's reply, indented, below "SMTP error from remote mail
    # server after …:". A copy that lost the indent, one that joined the lines, and an
    # HTML rendering whose <br> stood before each line end left the reply unread: a dead
    # domain read as an undefined soft failure.
    assert classify(exim_copy(EXIM_LINES)).permanent == (LEAD,)
    dedented = [line.strip() for line in EXIM_LINES]
    joined = EXIM_LINES[:7] + [EXIM_LINES[7] + " " + EXIM_LINES[8].strip()]
    for copy in (exim_copy(dedented), exim_copy(joined), exim_copy(EXIM_LINES, html=True)):
        assert classify(copy).permanent == (LEAD,)


def sendmail_dsn(diagnostic: str, status: str) -> bytes:
    """Sendmail's RFC 3464 report (its DSN, "Returned mail: see transcript for details"),
    `diagnostic` the Diagnostic-Code field's lines as a copy left them."""
    return "\r\n".join([
        "From: Mail Delivery Subsystem <MAILER-DAEMON@relay.lauravidal.es>",
        "To: <laura@lauravidal.es>",
        "Subject: Returned mail: see transcript for details",
        "Message-ID: <dsn-wrap@relay.lauravidal.es>",
        "MIME-Version: 1.0",
        'Content-Type: multipart/report; report-type=delivery-status; boundary="S1"',
        "",
        "--S1",
        "",
        "   ----- The following addresses had permanent fatal errors -----",
        f"<{LEAD}>",
        "",
        "--S1",
        "Content-Type: message/delivery-status",
        "",
        "Reporting-MTA: dns; relay.lauravidal.es",
        "",
        f"Final-Recipient: RFC822; {LEAD}",
        "Action: failed",
        f"Status: {status}",
        "Remote-MTA: DNS; mx.example.org",
        diagnostic,
        "",
        "--S1--",
        "",
    ]).encode("ascii")


def test_a_link_wrapped_onto_its_own_line_is_the_diagnostics_words():
    # A server that refuses us for a block list answers with the list's page
    # ("553 http://www.spamhaus.org/query/bl?ip=…", GoDaddy's relays); a copy that
    # wrapped the field put the link on a line of its own, which read as a field named
    # "http" and left "553" alone: a refusal of OUR server read as a dead address.
    whole = sendmail_dsn("Diagnostic-Code: SMTP; 553 http://www.spamhaus.org/query/bl?ip=192.0.2.7", "5.1.3")
    wrapped = sendmail_dsn("Diagnostic-Code: SMTP; 553\r\nhttp://www.spamhaus.org/query/bl?ip=192.0.2.7", "5.1.3")
    for raw in (whole, wrapped):
        incoming = classify(raw)
        assert incoming.kind == "bounce" and incoming.permanent == () and incoming.temporary == (LEAD,)


def exim_in(words: str, data: bytes, charset: str | None) -> bytes:
    """Exim's bounce whose server words are `words`, its text as the bytes `data` make
    of it, the part's charset `charset` (None: undeclared)."""
    text = "\r\n".join(EXIM_LINES[:8] + ["    " + words]) + "\r\n"
    field = f"text/plain; charset={charset}" if charset else "text/plain"
    return ("Return-Path: <>\r\nFrom: Mail Delivery System <Mailer-Daemon@relay.lauravidal.es>\r\n"
            "To: laura@lauravidal.es\r\nSubject: Mail delivery failed: returning message to sender\r\n"
            f"Message-ID: <exim-8bit@relay.lauravidal.es>\r\nContent-Type: {field}\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n").encode("ascii") + data(text)


def test_utf8_read_once_as_windows_1252_is_read_as_utf8_again():
    # A relay or an export that decoded UTF-8 as Windows-1252 and wrote it back as UTF-8
    # leaves "UsuÃ¡rio nÃ£o existe": no rule reads it, and the dead address was soft.
    words = "550 Usuário não existe neste servidor"
    assert classify(exim_in(words, lambda t: t.encode("utf-8"), "utf-8")).permanent == (LEAD,)
    twice = lambda t: t.encode("utf-8").decode("cp1252").encode("utf-8")  # noqa: E731
    assert "UsuÃ¡rio nÃ£o" in twice(words).decode("utf-8")
    for charset in ("utf-8", None):
        assert classify(exim_in(words, twice, charset)).permanent == (LEAD,)


def test_text_that_only_looks_like_mojibake_is_left_alone():
    reply = classify("From: Ana Pena <ana.pena@example.org>\r\nTo: laura@lauravidal.es\r\n"
                     "Subject: Re: Hola\r\nMessage-ID: <r6@example.org>\r\n"
                     "Content-Type: text/plain; charset=utf-8\r\n\r\n"
                     "¿Qué tal? El año pasado compré en Ñandú S.A. por 25 €.\r\n".encode("utf-8"))
    assert reply.text.startswith("¿Qué tal? El año pasado compré en Ñandú S.A. por 25 €.")


def test_accented_letters_lost_as_question_marks_are_read_as_bare_letters():
    # A server or relay that cannot write "á" or "ã" writes "?" ("Usu?rio n?o existe",
    # one "?" per letter or per UTF-8 byte): the words the report phrases have there give
    # the letter back, in the text and in a delivery-status field; the dead address was
    # an undefined soft failure.
    for words in ("550 Usu?rio n?o existe", "550 Usu??rio n??o existe", "550 Adresse ?lectronique inconnue",
                  "550 Destinat?rio inv?lido"):
        assert classify(exim_in(words, lambda t: t.encode("ascii"), "us-ascii")).permanent == (LEAD,), words
    field = sendmail_dsn("Diagnostic-Code: smtp; 550 Destinat?rio inv?lido", "5.0.0")
    assert classify(field).permanent == (LEAD,)


def test_a_question_mark_that_stands_for_no_letter_stays():
    # A question (no letters after it), a link's query, a word the phrases do not have.
    from leadloop.damage import unmasked

    text = "Que tal? Bien. Mirad http://example.org/bl?ip=192.0.2.7 y why?not, <=?utf-8?B?8J+QiA==?=@example.org>"
    assert unmasked(text) == text


def in_capitals(raw: bytes) -> bytes:
    """An old system's copy: the header fields' values and the whole body in capitals
    (the boundaries here are already; MIME's names and values are case-insensitive)."""
    head, blank, body = raw.partition(b"\r\n\r\n")
    head = re.sub(rb"(?m)^([^:\r\n]+:)(.*)$", lambda m: m.group(1) + m.group(2).upper(), head)
    return head + blank + body.upper()


def test_a_report_in_capitals_is_read_as_it_is_in_small_letters():
    # Exchange Online's advice ("… set up by an admin via mail flow rules") in capitals
    # read "MAIL F" as the MAIL FROM command (a refusal of our sender); an InterScan
    # notice's subject and sender in capitals were no longer InterScan's, whose own
    # sentence "Unable to deliver message to <…>" says the address is unknown.
    advice = office365_ndr().replace(
        b"Unknown To address\r\n",
        b"Unknown To address\r\n\r\nErrant forwarding rule - forwarding can be set up by an admin via "
        b"mail flow rules or mailbox forwarding address settings.\r\n")
    interscan = ('From: "InterScan MSS" <postmaster@relay.lauravidal.es>\r\nTo: laura@lauravidal.es\r\n'
                 "Subject: Mail could not be delivered\r\nMessage-ID: <imss-1@relay.lauravidal.es>\r\n"
                 "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
                 "*************************************************************\r\n"
                 "Message from InterScan Messaging Security Suite\r\n\r\n"
                 f"Unable to deliver message to <{LEAD}> (and other recipients in the same domain).\r\n"
                 "Please check if address is correct.\r\n").encode("ascii")
    for raw in (advice, interscan):
        assert classify(raw).permanent == (LEAD,)
        assert classify(in_capitals(raw)).permanent == (LEAD,)


def at_addresses(raw: bytes) -> bytes:
    """A list archive's copy (Mailman's pipermail): every address written "local at domain"."""
    return re.sub(rb"([A-Za-z0-9._%+=?-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)", rb"\1 at \2", raw)


def qmail_report() -> bytes:
    """qmail-send's bounce (qmail-send.c's bounce text: "Hi. This is the qmail-send
    program at HOST.", the failed recipient in angle brackets, then the remote's words)."""
    return "\r\n".join([
        "From: MAILER-DAEMON@relay.lauravidal.es",
        "To: laura@lauravidal.es",
        "Subject: failure notice",
        "Message-ID: <qmail-1@relay.lauravidal.es>",
        "",
        "Hi. This is the qmail-send program at relay.lauravidal.es.",
        "I'm afraid I wasn't able to deliver your message to the following addresses.",
        "This is a permanent error; I've given up. Sorry it didn't work out.",
        "",
        f"<{LEAD}>:",
        f"192.0.2.25 does not like recipient. Remote host said: 550 5.1.1 <{LEAD}>: User unknown",
        "Giving up on 192.0.2.25.",
        "",
        "--- Below this line is a copy of the message.",
        "",
        "From: Laura Vidal <laura@lauravidal.es>",
        f"To: {LEAD}",
        "Subject: La informacion que me pidio",
        "",
        "Hola Ana.",
        "",
    ]).encode("ascii")


def dma_report() -> bytes:
    """The DragonFly Mail Agent's bounce (dma's bounce.c: "This is the %s at %s.", its
    name and version, then "There was an error delivering your mail to <%s>.")."""
    return "\n".join([
        "X-Original-To: <ana.pena@example.org>",
        "From: MAILER-DAEMON <>",
        "To: laura@lauravidal.es",
        "Subject: Mail delivery failed",
        "Message-Id: <d1@relay.lauravidal.es>",
        "",
        "This is the DragonFly Mail Agent v0.13 at relay.lauravidal.es.",
        "",
        f"There was an error delivering your mail to <{LEAD}>.",
        "",
        f"mx.example.org [192.0.2.25] did not like our RCPT TO:\n550 5.1.1 <{LEAD}>: User unknown",
        "",
        "Original message follows.",
        "",
        "From: Laura Vidal <laura@lauravidal.es>",
        f"To: {LEAD}",
        "Subject: La informacion que me pidio",
        "",
    ]).encode("ascii")


def test_a_reports_prose_before_at_host_is_no_recipient_in_an_archived_copy():
    # A restored "x at y" is an address only where an address stands: qmail's "the
    # qmail-send program at host" and dma's "Mail Agent v0.13 at host" became
    # program@… and v0.13@…, failed recipients nobody had written to.
    for report in (qmail_report(), dma_report()):
        assert classify(report).permanent == (LEAD,)
        archived = at_addresses(report)
        assert b"program at relay" in archived or b"v0.13 at relay" in archived
        assert classify(archived).permanent == (LEAD,)


def test_a_persons_archived_words_keep_their_addresses():
    # The trap: a person's message in the same archive has its addresses anywhere in its
    # words ("my new address is …"), and the sentence a report says stays a reply's text.
    reply = classify(b"From: ana.pena at example.org (Ana Pena)\r\nDate: Mon, 2 Mar 2026 11:00:00 +0100\r\n"
                     b"Subject: Re: La informacion que me pidio\r\nMessage-ID: <r7@example.org>\r\n\r\n"
                     b"Me ha llegado esto: This is the qmail-send program at relay.lauravidal.es.\r\n"
                     b"Escribidme mejor a ana at example.net, nos vemos at 10.30.\r\n")
    assert reply.kind == "reply" and reply.sender == LEAD
    assert "ana@example.net" in reply.text and "at 10.30" in reply.text


def test_an_address_in_its_place_is_restored_when_the_returned_message_keeps_its_at_signs():
    # An archive that obfuscated the report's own texts but not the message it returns
    # (a message/rfc822 part): the recipient in angle brackets and in Final-Recipient
    # was never read, since an "@" elsewhere in the body said the text was no archive's.
    report = office365_ndr().replace(b"From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e"
                                     b"@lauravidal.es>", b"From: <>")
    notice, returned = report.split(b"Content-Type: message/rfc822")
    damaged = at_addresses(notice) + b"Content-Type: message/rfc822" + returned
    assert b"Final-Recipient: rfc822;ana.pena at example.org" in damaged and LEAD.encode() in returned
    assert classify(damaged).permanent == (LEAD,)


def test_an_encoded_word_local_part_is_the_address_it_stands_for():
    # A UTF-8 local part in RFC 2047's form ("=?utf-8?B?…?=@domain", as Sendmail writes
    # it) was kept undecoded where the report's fields are plain text, and lower-cased,
    # which broke its base64: the lead "josé@example.org" was never found.
    dsn = sendmail_dsn("Diagnostic-Code: smtp; 550 5.1.1 User unknown", "5.1.1").replace(
        LEAD.encode(), b"=?utf-8?B?am9zw6k=?=@example.org").replace(
        b"Content-Type: message/delivery-status", b"Content-Type: text/plain")
    assert classify(dsn).permanent == ("josé@example.org",)


def report_copy(fields: list[str], report_type: str | None, parts: list[tuple[str, str]], *, flat: bool) -> bytes:
    """A report (RFC 6522's multipart/report, or multipart/mixed when `report_type` is
    None) whose `parts` are (Content-Type, text); `flat`: as a client's export or an
    archive shows it, its texts one after the other in one text/plain part (a returned
    message's header block too)."""
    if flat:
        body = "\r\n\r\n".join(text.strip("\r\n") for _, text in parts) + "\r\n"
        kind = 'text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: 8bit'
    else:
        body = "".join(f"--B1\r\nContent-Type: {kind}\r\n\r\n{text.strip(chr(13) + chr(10))}\r\n\r\n"
                       for kind, text in parts) + "--B1--\r\n"
        kind = (f"multipart/report; report-type={report_type}" if report_type else "multipart/mixed") \
            + '; boundary="B1"'
    return ("\r\n".join(fields) + f"\r\nMIME-Version: 1.0\r\nContent-Type: {kind}\r\n\r\n" + body).encode("utf-8")


RETURNED = ("From: Laura Vidal <laura@lauravidal.es>\r\nTo: Ana Pena <ana.pena@example.org>\r\n"
            "Cc: Jose Munoz <jose.munoz@example.com>\r\nSubject: La informacion que me pidio\r\n"
            "Date: Mon, 02 Mar 2026 10:00:00 +0000\r\nMessage-ID: <info-1@lauravidal.es>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            "Hola Ana, te adjunto la informacion.\r\n")


def arf_copy(*, flat: bool) -> bytes:
    """RFC 5965's example layout (its Appendix B.1): a text, the feedback fields, the
    message complained about."""
    return report_copy(
        ["From: <abuse@mail.example.net>", "To: <fbl@lauravidal.es>", "Subject: FW: La informacion que me pidio",
         "Date: Tue, 03 Mar 2026 08:00:00 +0000", "Message-ID: <arf-9@mail.example.net>"],
        "feedback-report",
        [("text/plain", "This is an email abuse report for an email message received from IP\r\n"
                        "192.0.2.1 on Mon, 02 Mar 2026 10:00:05 +0000."),
         ("message/feedback-report", "Feedback-Type: abuse\r\nUser-Agent: SomeGenerator/1.0\r\nVersion: 1\r\n"
                                     "Original-Mail-From: <laura@lauravidal.es>\r\n"
                                     f"Original-Rcpt-To: <{LEAD}>\r\nArrival-Date: Mon, 02 Mar 2026 10:00:05 +0000\r\n"
                                     "Reporting-MTA: dns; mail.example.net\r\nSource-IP: 192.0.2.1"),
         ("message/rfc822", RETURNED)], flat=flat)


def dmarc_failure_copy(*, flat: bool) -> bytes:
    """RFC 6591's authentication failure report (its Appendix B layout), as RFC 7489
    §7.3's DMARC failure reports are written."""
    return report_copy(
        ["From: DMARC Reports <dmarc-noreply@receiver.example.net>", "To: <dmarc@lauravidal.es>",
         "Subject: FW: La informacion que me pidio", "Date: Tue, 03 Mar 2026 08:00:00 +0000",
         "Message-ID: <af-9@receiver.example.net>"],
        "feedback-report",
        [("text/plain", "This is an authentication failure report for an email message received from\r\n"
                        "IP 192.0.2.1 on Mon, 02 Mar 2026 10:00:05 +0000."),
         ("message/feedback-report", "Feedback-Type: auth-failure\r\nUser-Agent: SomeGenerator/1.0\r\nVersion: 1\r\n"
                                     "Original-Mail-From: <laura@lauravidal.es>\r\n"
                                     "Arrival-Date: Mon, 02 Mar 2026 10:00:05 +0000\r\nSource-IP: 192.0.2.1\r\n"
                                     "Reported-Domain: lauravidal.es\r\nAuth-Failure: dmarc\r\n"
                                     "Authentication-Results: receiver.example.net; dmarc=fail header.from=lauravidal.es"),
         ("text/rfc822-headers", RETURNED.split("\r\n\r\n")[0])], flat=flat)


def test_a_flattened_feedback_report_is_the_report_its_fields_say():
    # A client's export or an archive shows a multipart as its texts one after the
    # other: an ARF complaint and a DMARC failure report read as a person's reply (the
    # complaint lost, the failure report answered as a lead's words).
    for copy in (arf_copy, dmarc_failure_copy):
        intact, flattened = classify(copy(flat=False)), classify(copy(flat=True))
        assert intact.kind in ("complaint", "auth_failure")
        assert (flattened.kind, flattened.original_ids, flattened.feedback_type, flattened.complainers,
                flattened.auth_failure, flattened.reported_domain) == \
            (intact.kind, intact.original_ids, intact.feedback_type, intact.complainers,
             intact.auth_failure, intact.reported_domain)


def barracuda_copy(*, flat: bool) -> bytes:
    """Barracuda Spam Firewall's refusal (its documented notice, "Your message to: … was
    blocked by our Spam Firewall"), an RFC 3464 report returning the message."""
    returned = ("Received: from relay.lauravidal.es (relay.lauravidal.es [192.0.2.7])\r\n"
                "\tby spam.example.org with ESMTP id 8B84B7E27B64\r\n" + RETURNED)
    return report_copy(
        ["Return-Path: <>", "From: MAILER-DAEMON <>", "To: <laura@lauravidal.es>",
         "Subject: **Message you sent blocked by our bulk email filter**",
         "Date: Mon, 02 Mar 2026 10:00:05 +0000", "Message-ID: <bar-9@spam.example.org>"],
        "delivery-status",
        [("text/plain", f"Your message to: {LEAD}\r\nwas blocked by our Spam Firewall. The email you sent with "
                        "the following subject has NOT BEEN DELIVERED:\r\n\r\nSubject: La informacion que me pidio"),
         ("message/delivery-status", "Reporting-MTA: dns; spam.example.org\r\n"
                                     "Received-From-MTA: smtp; spam.example.org ([127.0.0.1])\r\n"
                                     "Arrival-Date: Mon, 02 Mar 2026 10:00:05 +0000\r\n\r\n"
                                     f"Final-Recipient: rfc822; {LEAD}\r\nAction: failed\r\nStatus: 5.7.1\r\n"
                                     "Diagnostic-Code: smtp; 550 5.7.1 Message content rejected, UBE, id=00000-22-225\r\n"
                                     "Last-Attempt-Date: Mon, 02 Mar 2026 10:00:05 +0000"),
         ("message/rfc822", returned)], flat=flat)


def test_a_flattened_delivery_report_is_read_as_the_intact_one():
    # Flattened, the spam filter's refusal (soft: our message's content) read as an
    # automatic answer: its fields, now plain text, were no report's part.
    intact, flattened = classify(barracuda_copy(flat=False)), classify(barracuda_copy(flat=True))
    assert intact.kind == "bounce" and intact.permanent == () and intact.temporary == (LEAD,)
    assert (flattened.kind, flattened.permanent, flattened.temporary, flattened.original_ids) == \
        ("bounce", (), (LEAD,), intact.original_ids)


def test_a_returned_header_block_below_a_plain_report_is_the_returned_message():
    # A plain-text report (InterScan's) whose returned message, flattened under it, is
    # a whole header block: its fields above a report's heading read as the report's
    # quotation of them (Sun Messaging Server's layout), and the X- fields a transport
    # wrote on top of it as the report's own lines: the returned message's sender and
    # its old bounce's recipient were failed recipients.
    returned = ("X-Envelope-From: laura@lauravidal.es\r\nX-Envelope-To: ana.pena@example.org\r\n"
                + "Received: from relay.lauravidal.es (relay.lauravidal.es [192.0.2.7])\r\n"
                "\tby mx.example.org with ESMTP id 8B84B7E27B64\r\n" + RETURNED.split("\r\n\r\n")[0]
                + "\r\n\r\nThe original message was received at Mon, 2 Mar 2026 09:00:00 +0000\r\n\r\n"
                "   ----- The following addresses had permanent fatal errors -----\r\n"
                "<old.address@example.com>\r\n    (reason: 550 5.1.1 User unknown)\r\n")
    interscan = ('From: "InterScan MSS" <postmaster@relay.example.org>\r\nTo: laura@lauravidal.es\r\n'
                 "Subject: Mail could not be delivered\r\nMessage-ID: <imss-9@relay.example.org>\r\n"
                 "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
                 "****** Message from InterScan Messaging Security Suite ******\r\n\r\n"
                 "The following mail could not be delivered.\r\n"
                 f"Reason:  Unable to deliver message to <{LEAD}> (and other recipients in the same domain).\r\n\r\n"
                 "************************     End of message     **********************\r\n\r\n"
                 + returned).encode("ascii")
    incoming = classify(interscan)
    assert incoming.kind == "bounce" and incoming.permanent == (LEAD,)
    assert incoming.original_ids == ("<info-1@lauravidal.es>",)


def test_a_persons_message_that_pastes_a_reports_fields_stays_theirs():
    # The trap: the same fields in a person's reply (their own words after them or not),
    # and in a person's forward of a report under the forward's line, are the person's.
    fields = ("Reporting-MTA: dns; mx.example.net\r\n\r\n"
              "Final-Recipient: rfc822; jose.munoz@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n")
    reply = classify(("From: Ana Pena <ana.pena@example.org>\r\nTo: laura@lauravidal.es\r\n"
                      "Subject: Re: La informacion que me pidio\r\nMessage-ID: <r8@example.org>\r\n"
                      "In-Reply-To: <info-1@lauravidal.es>\r\n\r\n"
                      "Gracias. Mi companero no lo recibio, su servidor dice:\r\n\r\n" + fields
                      + "\r\nMe lo reenviais a su otra direccion?\r\n").encode("ascii"))
    assert reply.kind == "reply" and "otra direccion" in reply.text
    ending = classify(("From: Ana Pena <ana.pena@example.org>\r\nTo: laura@lauravidal.es\r\n"
                       "Subject: Re: La informacion que me pidio\r\nMessage-ID: <r10@example.org>\r\n"
                       "In-Reply-To: <info-1@lauravidal.es>\r\n\r\n"
                       "Gracias. Mi companero no lo recibio, su servidor dice:\r\n\r\n" + fields).encode("ascii"))
    assert ending.kind == "reply" and "Mi companero" in ending.text
    arf = arf_copy(flat=True).decode("utf-8").split("\r\n\r\n", 1)[1]
    forward = classify(("From: Ana Pena <ana.pena@example.org>\r\nTo: laura@lauravidal.es\r\n"
                        "Subject: Fwd: La informacion que me pidio\r\nMessage-ID: <r9@example.org>\r\n\r\n"
                        "Mirad lo que me llega:\r\n\r\n---------- Forwarded message ---------\r\n"
                        "From: <abuse@mail.example.net>\r\nSubject: FW: La informacion que me pidio\r\n\r\n"
                        + arf).encode("utf-8"))
    assert forward.kind == "reply" and "Mirad lo que me llega" in forward.text
    # Not in answer to anything (a new message, a list post): the person's words before
    # the fields are no report's, so the fields at its end are still pasted.
    pasted = classify(("From: Ana Pena <ana.pena@example.org>\r\nTo: laura@lauravidal.es\r\n"
                       "Subject: Una pregunta sobre el curso\r\nMessage-ID: <r11@example.org>\r\n\r\n"
                       "Hola Laura, le escribi ayer y me llego este error:\r\n\r\n" + fields
                       + "Diagnostic-Code: X-Postfix; mail forwarding loop for\r\nlaura@lauravidal.es\r\n"
                       ).encode("ascii"))
    assert pasted.kind == "reply" and "me llego este error" in pasted.text


def archive_copy(raw: bytes) -> bytes:
    """A list archive's or a mbox export's copy: the top header cut to From, Date,
    Subject and Message-ID (Content-Type, Return-Path, Auto-Submitted and the X- fields
    lost)."""
    head, blank, body = raw.partition(b"\r\n\r\n")
    kept = re.findall(rb"(?im)^(?:from|date|subject|message-id)[ \t]*:[^\r\n]*(?:\r\n[ \t][^\r\n]*)*", head)
    return b"\r\n".join(kept) + blank + body


def html_copy(raw: bytes) -> bytes:
    """A client's or a gateway's HTML-only copy: each text/plain part as text/html."""
    def part(match: re.Match) -> bytes:
        text = match.group(2).decode("utf-8")
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
        return match.group(1) + b"text/html; charset=utf-8\r\n\r\n<html><body><pre>" \
            + escaped.encode("utf-8") + b"</pre></body></html>\r\n"
    return re.sub(rb"(?s)(Content-Type: )text/plain;[^\r\n]*\r\n\r\n(.*?)(?=\r\n--|\Z)", part, raw)


def au_report() -> bytes:
    """au one net's (KDDI's) notice: from a no-reply address, a multipart/mixed whose text
    says "Your mail sent on: … Could not be delivered to: <…> As their mailbox is full."
    over the returned message."""
    return "\r\n".join([
        "Return-Path: <>",
        "From: no-reply@ezweb.example.jp",
        "To: <laura@lauravidal.es>",
        "Subject: Mail",
        "Date: Mon, 02 Mar 2026 10:00:05 +0900",
        "Message-ID: <au-9@mta.example.jp>",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="==_0xAA/0xB"',
        "",
        "--==_0xAA/0xB",
        'Content-Type: text/plain; charset="us-ascii"',
        "",
        "Your mail sent on: Mon, 02 Mar 2026 10:00:00 +0900",
        f"     Could not be delivered to: <{LEAD}>",
        "     As their mailbox is full.",
        "",
        "--==_0xAA/0xB",
        "Content-Type: message/rfc822",
        "",
        RETURNED.strip("\r\n"),
        "",
        "--==_0xAA/0xB--",
        "",
    ]).encode("ascii")


def ses_notification() -> bytes:
    """Amazon SES's bounce notification as SNS mails it (AWS's "Amazon SNS notification
    contents for Amazon SES": a JSON object, notificationType "Bounce")."""
    notification = ('{"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bounceSubType":"General",'
                    f'"bouncedRecipients":[{{"emailAddress":"{LEAD}","action":"failed","status":"5.1.1",'
                    '"diagnosticCode":"smtp; 550 5.1.1 user unknown"}],"timestamp":"2026-03-02T10:00:05.000Z",'
                    '"feedbackId":"0100-abc-000000"},"mail":{"timestamp":"2026-03-02T10:00:00.000Z",'
                    '"source":"laura@lauravidal.es","headersTruncated":false,"messageId":"0100-def-000000",'
                    f'"destination":["{LEAD}"]}}}}')
    return ("From: AWS Notifications <no-reply@sns.amazonaws.com>\r\nTo: bounces@lauravidal.es\r\n"
            "Subject: AWS Notification Message\r\nDate: Mon, 02 Mar 2026 10:00:06 +0000\r\n"
            "Message-ID: <ses-9@email.amazonses.com>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=UTF-8\r\n\r\n" + notification + "\r\n\r\n--\r\n"
            "If you wish to stop receiving notifications from this topic, please click or visit the link below.\r\n"
            ).encode("ascii")


def fml_notice() -> bytes:
    """fml's notice to a non-member who posted (its template: subject "You ADDRESS are not
    member (LIST ML)", from the list's LIST-admin address)."""
    return ("Return-Path: <neko-admin@lists.example.org>\r\nX-MLServer: fml [fml 4.0.3 release]\r\n"
            "From: neko-admin@lists.example.org\r\nTo: laura@lauravidal.es\r\n"
            "Subject: You laura@lauravidal.es are not member (neko ML)\r\n"
            "Date: Mon, 02 Mar 2026 10:00:05 +0900\r\nMessage-ID: <fml-9@lists.example.org>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
            "You are not a member of this mailing list <neko@lists.example.org>.\r\n\r\n"
            "If you know the general guide of this list, please send mail with\r\nthe mail body\r\n\r\n"
            "\tguide\r\n\r\nto the address\r\n\r\n\tneko-ctl@lists.example.org\r\n").encode("ascii")


def test_a_reports_own_text_decides_when_its_header_was_cut_or_it_is_html():
    # An archive's copy keeps From, Date, Subject and Message-ID, and a client's copy
    # may be HTML only: au's notice read as an automatic answer (its Return-Path gone,
    # or its heading in HTML no rule read), SES's JSON as one (its quotes as &quot;),
    # fml's refusal as a person's reply (its X-MLServer gone, its text in HTML).
    for raw in (au_report(), ses_notification(), fml_notice()):
        intact = classify(raw)
        assert intact.kind == "bounce" and intact.failures
        for copy in (archive_copy(raw), html_copy(raw)):
            damaged = classify(copy)
            assert (damaged.kind, damaged.permanent, damaged.temporary) == \
                (intact.kind, intact.permanent, intact.temporary), copy[:300]


def test_a_json_notification_in_capitals_is_still_read():
    # An old system's copy in capitals: "NOTIFICATIONTYPE":"BOUNCE", and "FALSE", which
    # is no JSON.
    raw = ses_notification()
    head, _, body = raw.partition(b"\r\n\r\n")
    assert classify(head + b"\r\n\r\n" + body.upper()).permanent == (LEAD,)


def test_a_persons_html_message_with_a_reports_words_stays_theirs():
    # The trap: a person who writes in HTML that a message "could not be delivered to"
    # a colleague, forwarding it as an attachment, is a person answering.
    text = ("<html><body><p>Hola Laura, tu mensaje could not be delivered to mi companero, "
            "te lo reenvio adjunto.</p></body></html>")
    raw = ("From: Ana Pena <ana.pena@example.org>\r\nTo: laura@lauravidal.es\r\n"
           "Subject: Tu mensaje\r\nMessage-ID: <r11@example.org>\r\nMIME-Version: 1.0\r\n"
           'Content-Type: multipart/mixed; boundary="P1"\r\n\r\n--P1\r\n'
           "Content-Type: text/html; charset=utf-8\r\n\r\n" + text + "\r\n--P1\r\n"
           "Content-Type: message/rfc822\r\n\r\n" + RETURNED + "\r\n--P1--\r\n").encode("utf-8")
    for copy in (raw, archive_copy(raw)):
        assert classify(copy).kind == "reply"


def test_a_providers_notice_is_known_by_the_from_and_subject_an_archive_keeps():
    # MessageLabs (Symantec Email Security.cloud) was known by its X-Msg-Ref field, which
    # an archive drops: "542 … Rejected", its own words for an unknown address, read as
    # an undefined soft failure.
    raw = ("From: Mail Delivery System <MAILER-DAEMON@messagelabs.com>\r\nTo: laura@lauravidal.es\r\n"
           "Subject: Mail Delivery Failure\r\nDate: Mon, 02 Mar 2026 10:00:05 +0000\r\n"
           "Message-ID: <ml-9@server-1.messagelabs.com>\r\nX-Msg-Ref: server-1.tower-1.messagelabs.com!1!2!3\r\n"
           "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
           "This is the mail delivery agent at Symantec Email Security.cloud.\r\n\r\n"
           "I was unable to deliver your message to the following addresses:\r\n\r\n"
           f"{LEAD}\r\n\r\nReason: 542 {LEAD} Rejected\r\n\r\n"
           "The message subject was: La informacion que me pidio\r\n").encode("ascii")
    assert classify(raw).permanent == (LEAD,)
    assert classify(archive_copy(raw)).permanent == (LEAD,)


def test_an_sns_notification_whose_lines_a_copy_changed_is_still_read():
    # SNS folds its one-line JSON with "!" and a space; a copy that added spaces after
    # the "!", dropped the space, or re-wrapped the line at words left JSON that does
    # not parse, and every address in it (our own sender, the ARN's "identity/…") was
    # a failed recipient.
    raw = ses_notification()
    head, _, body = raw.partition(b"\r\n\r\n")
    line, rest = body.split(b"\r\n", 1)
    folded = b"!\r\n ".join(line[i:i + 70] for i in range(0, len(line), 70))
    for copy in (folded.replace(b"!\r\n", b"!  \r\n"), folded.replace(b"!\r\n ", b"!\r\n"),
                 "\r\n".join(textwrap.wrap(line.decode(), 60, break_long_words=False, break_on_hyphens=False)).encode()):
        incoming = classify(head + b"\r\n\r\n" + copy + b"\r\n" + rest)
        assert incoming.permanent == (LEAD,) and [f.address for f in incoming.failures] == [LEAD], copy[:200]


def test_a_returned_header_whose_received_lines_lost_their_indent_is_the_returned_message():
    # A copy that dedented the returned header's Received field ("by relay…", "with
    # ESMTP…", "(envelope-from <…>)" at the start of their lines) hid the header block:
    # our own sender in it was a failed recipient.
    raw = ("From: Mail Delivery System <MAILER-DAEMON@relay.example.net>\r\nTo: laura@lauravidal.es\r\n"
           "Subject: Mail delivery failed: returning message to sender\r\nMessage-ID: <mx-9@relay.example.net>\r\n"
           "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
           "A message that you have sent could not be delivered to one or more\r\n"
           "recipients.  This is a permanent error.  The following address failed:\r\n\r\n"
           f"<{LEAD}>: 550 5.1.1 <{LEAD}>: Recipient address rejected: User unknown\r\n\r\n"
           "Included is a copy of the message header:\r\n-----------------------------------------\r\n"
           "Received: from relay.lauravidal.es [192.0.2.7] (EHLO relay.lauravidal.es)\r\n"
           "by relay.example.net with ESMTP id 0123456789\r\n"
           "(envelope-from <laura.vidal@lauravidal.es>); Mon, 02 Mar 2026 10:00:00 +0000\r\n"
           + RETURNED.split("\r\n\r\n")[0] + "\r\n\r\n").encode("ascii")
    incoming = classify(raw)
    assert [f.address for f in incoming.failures] == [LEAD] and incoming.permanent == (LEAD,)


def test_recipients_whose_lines_a_copy_joined_keep_their_own_replies():
    # Exim's list of failed recipients, each with the remote server's reply on its
    # indented lines; a copy that joined every indented line to the one above put both
    # recipients on one line, and the second read the first's "Mailbox Full".
    other = "jose.munoz@example.com"
    lines = [f"  {other}", f"    SMTP error from remote mail server after RCPT TO:<{other}>:",
             f"    host mx.example.com [192.0.2.12]: 550 5.2.2 <{other}>... Mailbox Full",
             f"  {LEAD}", f"    SMTP error from remote mail server after RCPT TO:<{LEAD}>:",
             f"    host mx.example.org [192.0.2.25]: 550 5.1.1 <{LEAD}>... User Unknown"]
    report = EXIM_LINES[:5] + lines
    joined = EXIM_LINES[:5] + [" ".join(line.strip() for line in lines)]
    for copy in (exim_copy(report), exim_copy(joined)):
        incoming = classify(copy)
        assert incoming.permanent == (LEAD,) and incoming.temporary == (other,)


def test_a_recipient_field_a_copy_wrapped_without_indent_is_still_the_recipient():
    # An X.400 Final-Recipient (RFC 3464 §2.3.2's "X400;" type) is long; a copy that
    # re-wrapped it put its RFC-822 part on a line of its own, no indent: the lead was
    # no recipient of the report.
    raw = (FIXTURES / "bounces_own" / "x400-final-recipient.eml").read_bytes()
    assert classify(raw).permanent == (LEAD,)
    wrapped = re.sub(rb"(Final-Recipient: X400; /C=ES/ADMD=[^/\r\n]*)(/PRMD=)", rb"\1\r\n\2", raw)
    assert wrapped != raw
    assert classify(wrapped).permanent == (LEAD,)


def test_a_replys_last_words_a_copy_wrapped_to_the_margin_are_still_the_reply():
    # Exim indents the remote server's reply; a copy that re-wrapped the long line put
    # its last words, "User Unknown", at the margin on a line of their own: the reply
    # read "550 5.2.1 <…>..." alone, 5.2.1 a disabled mailbox (soft), not a dead address.
    lines = [f"  {LEAD}", f"    SMTP error from remote mail server after RCPT TO:<{LEAD}>:",
             f"    host mx.example.org [192.0.2.25]: 550 5.2.1 <{LEAD}>...", "User Unknown"]
    incoming = classify(exim_copy(EXIM_LINES[:5] + lines))
    assert incoming.permanent == (LEAD,)
    # The trap: Sendmail's list puts each recipient at the margin between indented
    # reasons; the second is still a recipient of its own, with its own reason.
    other = "jose.munoz@example.com"
    listed = ["----- The following addresses had permanent fatal errors -----", f"<{LEAD}>",
              "    (reason: 550 5.1.1 User unknown)", f"<{other}>", "    (reason: 552 5.2.2 Mailbox full)", ""]
    both = classify(exim_copy(listed))
    assert both.permanent == (LEAD,) and both.temporary == (other,)


def test_a_returned_header_in_html_paragraphs_is_the_returned_message():
    # OpenSMTPD's bounce as an HTML copy in paragraphs: each <p> left a space before its
    # first word, so the returned header's "Received:" opened no header block, and the
    # returned message's From (our own sender) was a failed recipient.
    paragraphs = ["Hi!", "This is the MAILER-DAEMON, please DO NOT REPLY to this e-mail.",
                  "An error has occurred while attempting to deliver a message for\nthe following list of recipients:",
                  f"{LEAD}: 550 5.1.1 <{LEAD}>: Recipient address rejected: User unknown",
                  "Below is a copy of the original message:",
                  "Received: from relay.lauravidal.es (relay.lauravidal.es [192.0.2.7]);\n"
                  "\tby mx.example.net (OpenSMTPD) with ESMTP id d70f9624;\n"
                  "\tMon, 02 Mar 2026 10:00:00 +0000 (UTC)\nSubject: La informacion que me pidio\n"
                  "From: laura.vidal@lauravidal.es",
                  "Hola Ana."]
    markup = "<html><body>" + "".join(
        "<p>" + "<br>\r\n".join(paragraph.replace("<", "&lt;").replace(">", "&gt;").split("\n")) + "</p>\r\n"
        for paragraph in paragraphs) + "</body></html>"
    raw = ("From: Mailer Daemon <MAILER-DAEMON@mx.example.net>\r\nTo: laura@lauravidal.es\r\n"
           "Subject: Delivery status notification: error\r\nMessage-ID: <os-9@mx.example.net>\r\n"
           "Content-Type: text/html; charset=us-ascii\r\n\r\n" + markup).encode("ascii")
    incoming = classify(raw)
    assert [f.address for f in incoming.failures] == [LEAD] and incoming.permanent == (LEAD,)


def _unfolded_head(report: bytes, newline: bytes = b"\r\n") -> bytes:
    """`report` with trace fields above its From whose continuation lines lost their
    indent, as a sample anonymised by hand, or pasted, keeps them."""
    trace = newline.join([
        b"Received: from mx1.lauravidal.es (mx1.lauravidal.es [192.0.2.7])",
        b"by inbox.lauravidal.es (Postfix) with ESMTPS id 381BD2E95DC",
        b"for <laura@lauravidal.es>; Sun,  3 Dec 2017 11:29:12 +0000 (UTC)",
        b"Received: by relay.lauravidal.es with SMTP id u10so18073433",
        b"(Exim 4.84_2)",
        b"id 1eLSSM-0003Vj-7E",
        # A DKIM signature's list of signed fields, a line of which reads as a Subject
        # once its fold is lost.
        b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=lauravidal.es; s=x;",
        b"h=Content-Type:MIME-Version:References:In-Reply-To:",
        b"Subject:Message-Id:To:From:Date;",
        b"bh=u8jQ3YLbqD5uOTylrV/a96q5WMl9KKHk05oMrmb9beg=;",
    ])
    return report.replace(b"Return-Path: <>" + newline, b"Return-Path: <>" + newline + trace + newline, 1)


def test_a_header_whose_lines_lost_their_fold_is_still_the_header():
    # Python's parser ends the header at the first line that is neither a field nor
    # folded: From, Subject and Content-Type became the body, and a hard bounce was read
    # as an auto-reply (an empty Return-Path, no subject).
    intact = classify(postfix_report())
    for newline in (b"\r\n", b"\n"):
        damaged = classify(_unfolded_head(postfix_report(newline=newline.decode()), newline))
        assert damaged.kind == intact.kind == "bounce"
        assert damaged.subject == "Undelivered Mail Returned to Sender"
        assert damaged.permanent == intact.permanent == (LEAD,)


def test_a_body_that_starts_without_its_blank_line_is_not_taken_into_the_header():
    # Lines after the last field are a body that lost its blank line, not a header's
    # folds: the reply's words stay its words.
    reply = classify(b"From: Ana Pena <ana.pena@example.org>\r\n"
                     b"To: laura@lauravidal.es\r\n"
                     b"Subject: Re: La informacion que me pidio\r\n"
                     b"Hola Laura, me interesa el curso.\r\n"
                     b"Gracias: Ana\r\n"
                     b"\r\n"
                     b"Un saludo\r\n")
    assert reply.kind == "reply"
    assert reply.subject == "Re: La informacion que me pidio"
    assert "me interesa el curso" in reply.text


def test_a_returned_header_in_a_body_that_lost_its_blank_line_stays_in_the_body():
    # A plain report whose blank line after the header was lost, and which returns the
    # original's header in its text: From, To and Subject again past the report's first
    # lines. Those are the returned message's; the report's lines are not folded into
    # its Subject.
    def report(blank: bytes) -> bytes:
        return b"\r\n".join([
            b"From: <MAILER-DAEMON@mx.lauravidal.es>",
            b"To: laura@lauravidal.es",
            b"Date: Thu, 29 Apr 2026 23:34:45 +0000",
            b"Subject: mail failed, returning to sender",
            *blank,
            b"|------------------------- Failed addresses follow: ---------------------|",
            f" {LEAD} ... unknown host".encode(),
            b"|------------------------- Message text follows: ------------------------|",
            b"Received: from relay.lauravidal.es ([192.0.2.25])",
            b"Message-Id: <info-1@lauravidal.es>",
            b"From: Laura Vidal <laura@lauravidal.es>",
            f"To: {LEAD}".encode(),
            b"Subject: La informacion que me pidio",
            b"",
            b"Hola Ana:",
            b"",
        ])
    intact, damaged = classify(report([b""])), classify(report([]))
    assert intact.kind == damaged.kind == "bounce"
    assert damaged.subject == intact.subject == "mail failed, returning to sender"
    assert damaged.permanent == intact.permanent == (LEAD,)


def _line_damage():
    return {
        "indented": lambda raw: re.sub(rb"(?m)^", b"    ", raw),
        "tab-indented": lambda raw: re.sub(rb"(?m)^(?=.)", b"\t", raw),
        "doubled": lambda raw: re.sub(rb"\r?\n", lambda end: end.group() * 2, raw),
        "cr-cr-lf": lambda raw: raw.replace(b"\r\n", b"\r\r\n"),
        "cr": lambda raw: raw.replace(b"\r\n", b"\r"),
        "blank-lines-first": lambda raw: b"\r\n\r\n" + raw,
    }


def test_a_copy_that_indented_doubled_or_re_ended_every_line_is_read_as_the_message():
    # A message kept inside code keeps its indent; CRLF converted twice is CR CR LF,
    # which a parser reads as a blank line after every line; an old Mac wrote CR alone.
    # Each made the header one field, or ended it after its first line.
    intact = classify(postfix_report())
    for name, damage in _line_damage().items():
        damaged = classify(damage(postfix_report()))
        assert (name, damaged.kind, damaged.subject, damaged.permanent) == \
            (name, "bounce", "Undelivered Mail Returned to Sender", intact.permanent), name


def test_a_header_of_one_field_keeps_its_blank_line_and_its_body():
    # A blank line after the first line is a doubled copy only when a field follows it:
    # here the body's one-line paragraphs stay the body.
    said = classify(b"From: Ana Pena <ana.pena@example.org>\n\nMe interesa.\n\nLlamame.\n\nAna\n")
    assert said.kind == "reply"
    assert "Me interesa." in said.text and "Llamame." in said.text
