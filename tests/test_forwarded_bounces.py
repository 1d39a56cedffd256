"""A person who forwards or quotes a bounce is writing to us (issue #25, branch `forwards`).

A lead who forwards us "this bounced when I wrote to my colleague" answers: the reply
stops the sequence (SPEC §7), and the address the forwarded report names is never
bounced. A report stays a report when a mail system wrote the message itself, however
the report is nested (the traps at the end). And in a report, the lines it returns
quoted with ">" are never its own words.

Every message here is written for this test from the layouts the mail programs
document or show: Gmail's forward ("---------- Forwarded message ---------" and its
translations, as Gmail writes it in the text part), Outlook's forward and reply
headers ("-----Original Message-----" and the newer ruler of underscores over
"From:/Sent:/To:/Subject:", in each language: "-----Mensaje original-----",
"-----Ursprüngliche Nachricht-----", "-----Messaggio originale-----"…), Apple Mail's
"Begin forwarded message:" ("Début du message réexpédié :"), Thunderbird's "Forward as
attachment" (a message/rfc822 part, RFC 2046 §5.2.1) and its "-------- Forwarded
Message --------" (composeMsgs.properties, mailnews.forward_header_originalmessage,
its translations listed at transvision.mozfr.org), Lotus Notes' "----- Forwarded by NAME on
DATE -----", Hotmail's forward of a delivery report (its message/delivery-status part
base64-encoded, RFC 2045 §6.8, and the report quoted with "&gt;" in HTML), and a reply
quoting with ">" (RFC 3676 §4.5). The reports inside follow Postfix's bounce(8), Gmail's
and Exchange's default texts and RFC 3462/3464. Addresses and hosts are made up
(RFC 2606).
"""

from __future__ import annotations

import base64
import json
import quopri

import pytest

from leadloop.classify import classify

from test_inbox import Maildir

LEAD = "ana.pena@example.org"        # the lead who writes to us
COLLEAGUE = "pedro.gil@example.com"  # also a lead: the address the forwarded report names
US = "laura@lauravidal.es"
OWN = frozenset({US})

POSTFIX_REPORT = (
    "This is the mail system at host mx.example.org.\n\n"
    "I'm sorry to have to inform you that your message could not\n"
    "be delivered to one or more recipients. It's attached below.\n\n"
    "                   The mail system\n\n"
    f"<{COLLEAGUE}>: host mx.example.com[192.0.2.25] said: 550 5.1.1\n"
    f"    <{COLLEAGUE}>: Recipient address rejected: User unknown in local\n"
    "    recipient table (in reply to RCPT TO command)\n")
GMAIL_REPORT = (
    "Address not found\n\n"
    f"Your message wasn't delivered to {COLLEAGUE} because the address couldn't be found,\n"
    "or is unable to receive mail.\n\n"
    "The response from the remote server was:\n"
    f"550 5.1.1 <{COLLEAGUE}>: The email account that you tried to reach does not exist.\n")
EXCHANGE_REPORT = (
    f"Your message to {COLLEAGUE} couldn't be delivered.\n"
    "pedro.gil wasn't found at example.com.\n\n"
    "Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'\n")


def message(subject: str, content_type: str, body: str, *, sender: str = f"Ana Peña <{LEAD}>",
            encoding: str = "", return_path: str | None = None, extra: str = "") -> bytes:
    """A person's message as it reaches the inbox. Without `return_path`, as Microsoft
    365 shows it over IMAP and as archives keep mail: no Return-Path (RFC 5321 §4.4 has
    the delivering server add it; not every store keeps it)."""
    head = ([f"Return-Path: {return_path}"] if return_path else []) + [
        f"From: {sender}", f"To: Laura Vidal <{US}>", f"Subject: {subject}",
        "Date: Sat, 05 Dec 2026 11:02:00 +0100", "Message-ID: <fw-1@mail.example.org>", "MIME-Version: 1.0",
        f"Content-Type: {content_type}"]
    if encoding:
        head.append(f"Content-Transfer-Encoding: {encoding}")
    if extra:
        head.append(extra)
    return ("\r\n".join(head) + "\r\n\r\n" + body).encode("utf-8")


def encoded(text: str, encoding: str) -> str:
    data = text.replace("\n", "\r\n").encode("utf-8")
    if encoding == "base64":
        return base64.encodebytes(data).decode("ascii")
    return quopri.encodestring(data).decode("ascii")


def text_message(subject: str, text: str, *, encoding: str = "quoted-printable", **kwargs) -> bytes:
    return message(subject, "text/plain; charset=utf-8", encoded(text, encoding), encoding=encoding, **kwargs)


def postfix_dsn(*, return_path: bool = True) -> str:
    """Postfix's RFC 3462 report for the colleague's address, as it reached the person."""
    return "\r\n".join([
        *(["Return-Path: <>"] if return_path else []),
        "From: MAILER-DAEMON@mx.example.org (Mail Delivery System)", f"To: {LEAD}",
        "Subject: Undelivered Mail Returned to Sender", "Message-ID: <dsn-7@mx.example.org>",
        "Auto-Submitted: auto-replied", "MIME-Version: 1.0",
        'Content-Type: multipart/report; report-type=delivery-status; boundary="dsn7"', "",
        "--dsn7", "Content-Type: text/plain; charset=us-ascii", "", POSTFIX_REPORT.replace("\n", "\r\n"),
        "--dsn7", "Content-Type: message/delivery-status", "",
        "Reporting-MTA: dns; mx.example.org", "", f"Final-Recipient: rfc822; {COLLEAGUE}",
        f"Original-Recipient: rfc822; {COLLEAGUE}", "Action: failed", "Status: 5.1.1",
        f"Diagnostic-Code: smtp; 550 5.1.1 <{COLLEAGUE}>: Recipient address rejected: User unknown", "",
        "--dsn7", "Content-Type: message/rfc822", "",
        f"From: Ana Peña <{LEAD}>", f"To: {COLLEAGUE}", "Subject: Presupuesto de Laura",
        "Message-ID: <ana-1@mail.example.org>", "", "Pedro, te reenvío el presupuesto de la reforma.", "",
        "--dsn7--", ""])


# --- A person's forward or quotation of a report: the person's reply ----------------------

def gmail_forward() -> bytes:
    """Gmail: the person's words, then its forward header, quoted-printable, with an HTML
    alternative."""
    text = ("Hola Laura, te escribo desde mi correo: el mensaje a mi socio rebotó.\n"
            "¿Tienes otra dirección suya?\n\n"
            "---------- Forwarded message ---------\n"
            "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\n"
            "Date: Sat, 5 Dec 2026 at 10:16\n"
            "Subject: Delivery Status Notification (Failure)\n"
            f"To: <{LEAD}>\n\n" + GMAIL_REPORT)
    html_text = "<div dir=\"ltr\">" + text.replace("\n", "<br>") + "</div>"
    body = ("--alt1\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
            + encoded(text, "quoted-printable") + "\r\n--alt1\r\nContent-Type: text/html; charset=UTF-8\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n" + encoded(html_text, "quoted-printable")
            + "\r\n--alt1--\r\n")
    return message("Fwd: Delivery Status Notification (Failure)", 'multipart/alternative; boundary="alt1"', body)


def gmail_forward_spanish() -> bytes:
    """Gmail in Spanish: "Mensaje reenviado", the header fields in Spanish, base64."""
    return text_message("Fwd: Delivery Status Notification (Failure)", (
        "Laura, mira esto:\n\n"
        "---------- Mensaje reenviado ---------\n"
        "De: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\n"
        "Date: sáb, 5 dic 2026 a las 10:16\n"
        "Subject: Delivery Status Notification (Failure)\n"
        f"To: <{LEAD}>\n\n" + GMAIL_REPORT), encoding="base64")


def outlook_forward_spanish() -> bytes:
    """Outlook in Spanish: "RV:", then "-----Mensaje original-----"."""
    return text_message("RV: No se puede entregar: Presupuesto de Laura", (
        "Laura, a Pedro no le llega el correo. ¿Se lo mandas tú?\n\n"
        "-----Mensaje original-----\n"
        "De: Microsoft Outlook <postmaster@example.org>\n"
        "Enviado el: sábado, 5 de diciembre de 2026 10:16\n"
        f"Para: {COLLEAGUE}\n"
        "Asunto: No se puede entregar: Presupuesto de Laura\n\n" + EXCHANGE_REPORT))


def outlook_forward_french() -> bytes:
    """Outlook's newer layout in French: "TR:", a ruler of underscores over "De :"."""
    return text_message("TR: Non remis : Devis", (
        "Bonjour Laura, le message pour Pedro n'est pas passé.\n\n"
        "________________________________\n"
        "De : Microsoft Outlook <postmaster@example.org>\n"
        "Envoyé : samedi 5 décembre 2026 10:16\n"
        f"À : {COLLEAGUE}\n"
        "Objet : Non remis : Devis\n\n" + EXCHANGE_REPORT))


def outlook_forward_german() -> bytes:
    """Outlook in German: "WG:", "-----Ursprüngliche Nachricht-----", base64."""
    return text_message("WG: Unzustellbar: Angebot", (
        "Hallo Laura, die Mail an Pedro kam zurück.\n\n"
        "-----Ursprüngliche Nachricht-----\n"
        "Von: Microsoft Outlook <postmaster@example.org>\n"
        "Gesendet: Samstag, 5. Dezember 2026 10:16\n"
        f"An: {COLLEAGUE}\n"
        "Betreff: Unzustellbar: Angebot\n\n" + EXCHANGE_REPORT), encoding="base64")


def outlook_forward_italian() -> bytes:
    """Outlook in Italian: "I:", "-----Messaggio originale-----"."""
    return text_message("I: Non recapitabile: Preventivo", (
        "Ciao Laura, il messaggio per Pedro è tornato indietro.\n\n"
        "-----Messaggio originale-----\n"
        "Da: Microsoft Outlook <postmaster@example.org>\n"
        "Inviato: sabato 5 dicembre 2026 10:16\n"
        f"A: {COLLEAGUE}\n"
        "Oggetto: Non recapitabile: Preventivo\n\n" + EXCHANGE_REPORT))


def outlook_forward_portuguese() -> bytes:
    """Outlook in Portuguese: "ENC:", "-----Mensagem original-----"."""
    return text_message("ENC: Não é possível entregar: Orçamento", (
        "Olá Laura, a mensagem para o Pedro voltou.\n\n"
        "-----Mensagem original-----\n"
        "De: Microsoft Outlook <postmaster@example.org>\n"
        "Enviada em: sábado, 5 de dezembro de 2026 10:16\n"
        f"Para: {COLLEAGUE}\n"
        "Assunto: Não é possível entregar: Orçamento\n\n" + EXCHANGE_REPORT))


def outlook_forward_dutch() -> bytes:
    """Outlook in Dutch: "Doorst:", "-----Oorspronkelijk bericht-----"."""
    return text_message("Doorst: Onbestelbaar: Offerte", (
        "Hoi Laura, de mail aan Pedro kwam terug.\n\n"
        "-----Oorspronkelijk bericht-----\n"
        "Van: Microsoft Outlook <postmaster@example.org>\n"
        "Verzonden: zaterdag 5 december 2026 10:16\n"
        f"Aan: {COLLEAGUE}\n"
        "Onderwerp: Onbestelbaar: Offerte\n\n" + EXCHANGE_REPORT))


def apple_mail_forward_french() -> bytes:
    """Apple Mail in French: "Début du message réexpédié :", the fields bold-less in text."""
    return text_message("Fwd: Undelivered Mail Returned to Sender", (
        "Laura, pour info.\n\n"
        "Début du message réexpédié :\n\n"
        "De: MAILER-DAEMON@mx.example.org (Mail Delivery System)\n"
        "Objet: Undelivered Mail Returned to Sender\n"
        "Date: 5 décembre 2026 à 10:16:02 UTC+1\n"
        f"À: {LEAD}\n\n" + POSTFIX_REPORT))


def thunderbird_attached_forward() -> bytes:
    """Thunderbird's "Forward as attachment": the person's words, then the whole report
    as a message/rfc822 part (its null Return-Path inside, not on the forward)."""
    body = ("This is a multi-part message in MIME format.\r\n--fwd1\r\n"
            "Content-Type: text/plain; charset=UTF-8; format=flowed\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            "Laura, ¿me confirmas el correo de Pedro? Este es el aviso que recibí.\r\n\r\n"
            "--fwd1\r\nContent-Type: message/rfc822; name=\"Undelivered Mail Returned to Sender.eml\"\r\n"
            "Content-Disposition: attachment; filename=\"Undelivered Mail Returned to Sender.eml\"\r\n\r\n"
            + postfix_dsn() + "\r\n--fwd1--\r\n")
    return message("Fwd: Undelivered Mail Returned to Sender", 'multipart/mixed; boundary="fwd1"', body,
                   return_path=f"<{LEAD}>")


def attached_plain_text_report() -> bytes:
    """A mail program's forward with a plain-text report attached as message/rfc822:
    qmail's (QSBMF, cr.yp.to/proto/qsbmf.txt), base64 inside, the person's words in
    Portuguese."""
    report = ("Return-Path: <>\r\nFrom: MAILER-DAEMON@mail.example.org\r\n"
              f"To: {LEAD}\r\nSubject: failure notice\r\nContent-Type: text/plain; charset=us-ascii\r\n"
              "Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes((
                  "Hi. This is the qmail-send program at mail.example.org.\r\n"
                  "I'm afraid I wasn't able to deliver your message to the following addresses.\r\n"
                  "This is a permanent error; I've given up. Sorry it didn't work out.\r\n\r\n"
                  f"<{COLLEAGUE}>:\r\nSorry, no mailbox here by that name. (#5.1.1)\r\n").encode()).decode())
    body = ("--pt1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
            + encoded("Olá Laura, o e-mail para o Pedro voltou. Tem outro endereço dele?\n", "quoted-printable")
            + "\r\n--pt1\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n"
            + report + "\r\n--pt1--\r\n")
    return message("Enc: failure notice", 'multipart/mixed; boundary="pt1"', body, return_path=f"<{LEAD}>")


def attached_to_a_new_message() -> bytes:
    """The report's file attached to a new message, the person's own subject and words."""
    raw = thunderbird_attached_forward().replace(b"Subject: Fwd: Undelivered Mail Returned to Sender",
                                                  b"Subject: =?utf-8?q?=C2=BFEl_correo_de_Pedro=3F?=")
    return raw.replace("Laura, ¿me confirmas el correo de Pedro? Este es el aviso que recibí.".encode(),
                       "Hola Laura: ¿tienes bien el correo de Pedro? A mí me devuelven esto.".encode())


def thunderbird_inline_forward_italian() -> bytes:
    """Thunderbird in Italian, inline: "-------- Messaggio inoltrato --------"."""
    return text_message("Fwd: Undelivered Mail Returned to Sender", (
        "\n\n-------- Messaggio inoltrato --------\n"
        "Oggetto: \tUndelivered Mail Returned to Sender\n"
        "Data: \tSat, 05 Dec 2026 10:16:02 +0100\n"
        "Mittente: \tMAILER-DAEMON@mx.example.org (Mail Delivery System)\n"
        f"A: \t{LEAD}\n\n" + POSTFIX_REPORT), encoding="8bit")


def hotmail_forward() -> bytes:
    """Hotmail's forward of a delivery report, no words of the person's own: the report
    quoted with "&gt;" in HTML, its message/delivery-status part base64, the returned
    message attached."""
    quoted = "".join(f"&gt;{line}<BR>" for line in (
        "From: postmaster@mail.hotmail.example", f"To: {LEAD}",
        "Subject: Delivery Status Notification (Failure)", "",
        "This is an automatically generated Delivery Status Notification.", "",
        "Delivery to the following recipients failed.", "", f"       {COLLEAGUE}", ""))
    fields = base64.encodebytes(
        ("Reporting-MTA: dns;hotmail.example\r\n\r\n"
         f"Final-Recipient: rfc822;{COLLEAGUE}\r\nAction: failed\r\nStatus: 5.1.1\r\n").encode()).decode()
    body = ("This is a multi-part message in MIME format.\r\n\r\n--hm1\r\n"
            "Content-Type: text/html; charset=iso-8859-1; format=flowed\r\n\r\n"
            f"<html><div><P><BR><BR></P>{quoted}</div></html>\r\n"
            "--hm1\r\nContent-Type: message/delivery-status; name=\"attach3\"\r\n"
            "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"attach3\"\r\n\r\n"
            f"{fields}\r\n"
            "--hm1\r\nContent-Type: message/rfc822; name=\"message4.txt\"\r\n"
            "Content-Disposition: attachment; filename=\"message4.txt\"\r\n\r\n"
            f"From: Ana Peña <{LEAD}>\r\nTo: {COLLEAGUE}\r\nSubject: Presupuesto de Laura\r\n\r\n"
            "Pedro, te reenvío el presupuesto.\r\n\r\n--hm1--\r\n")
    return message("FW: Delivery Status Notification (Failure)", 'multipart/mixed; boundary="hm1"', body)


def reply_quoting_a_report() -> bytes:
    """A reply to the report, quoting it with ">" under the attribution line."""
    quoted = "".join(f"> {line}\n" if line else ">\n" for line in POSTFIX_REPORT.split("\n"))
    return text_message("Re: Undelivered Mail Returned to Sender", (
        "Laura, this bounced when I wrote to Pedro. Is his address right?\n\n"
        "On Sat, 5 Dec 2026 at 10:16, Mail Delivery System <MAILER-DAEMON@mx.example.org> wrote:\n" + quoted))


def lotus_notes_forward() -> bytes:
    """Lotus Notes: the person's words, "---- Forwarded by NAME on DATE ----" (wrapped),
    the report's own heading, and the report's subject kept with no prefix."""
    return text_message("Returned mail: see transcript for details", (
        "Laura -- pls write to Pedro yourself, my mail to him comes back.\n"
        "---------------------- Forwarded by Ana Pena/Reformas on 12/05/2026\n"
        "10:20 AM ---------------------------\n\n\n"
        "Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org> on 12/05/2026 10:16:07 AM\n"
        f"To: <{LEAD}>\ncc:\n\nSubject: Returned mail: see transcript for details\n\n\n"
        "   ----- The following addresses had permanent fatal errors -----\n"
        f"<{COLLEAGUE}>\n    (reason: 550 5.1.1 <{COLLEAGUE}>... User unknown)\n\n"
        "   ----- Transcript of session follows -----\n"
        f"... while talking to mx.example.com.:\n>>> RCPT To:<{COLLEAGUE}>\n"
        f"<<< 550 5.1.1 <{COLLEAGUE}>... User unknown\n"), encoding="7bit", return_path=f"<{LEAD}>")


FORWARDS = {
    "gmail": gmail_forward, "gmail, Spanish": gmail_forward_spanish,
    "outlook, Spanish": outlook_forward_spanish, "outlook, French, new layout": outlook_forward_french,
    "outlook, German": outlook_forward_german, "outlook, Italian": outlook_forward_italian,
    "outlook, Portuguese": outlook_forward_portuguese, "outlook, Dutch": outlook_forward_dutch,
    "apple mail, French": apple_mail_forward_french, "thunderbird, attached": thunderbird_attached_forward,
    "plain-text report attached, Portuguese": attached_plain_text_report,
    "attached to a new message": attached_to_a_new_message,
    "thunderbird, Italian, inline": thunderbird_inline_forward_italian, "hotmail": hotmail_forward,
    "reply quoting the report": reply_quoting_a_report, "lotus notes": lotus_notes_forward,
}


@pytest.mark.parametrize("layout", FORWARDS)
def test_a_persons_forward_or_quotation_of_a_report_is_their_reply(layout):
    incoming = classify(FORWARDS[layout](), own=OWN)
    assert incoming.kind == "reply", incoming.kind
    assert incoming.sender == LEAD
    assert not incoming.failures
    # What the person wrote, without the report they forward.
    assert "550" not in incoming.text and COLLEAGUE not in incoming.text, incoming.text


@pytest.mark.parametrize("prefix", ["Fwd:", "FW:", "RE:", "RV:", "TR :", "WG:", "AW:", "I:", "R:", "ENC:", "RES:",
                                    "Doorst:", "Antw:", "VS:", "VL:", "SV:", "Odp:", "PD:", "İLT:", "Пересл:",
                                    "转发：", "[Fwd:"])
def test_a_forward_or_reply_prefix_in_the_persons_language(prefix):
    """The prefix mail programs put on the subject (Wikipedia, "List of email subject
    abbreviations"), on a forward whose report is attached."""
    raw = thunderbird_attached_forward().replace(b"Subject: Fwd: Undelivered",
                                                 b"Subject: " + encoded_word(prefix) + b" Undelivered")
    assert classify(raw, own=OWN).kind == "reply"


def encoded_word(text: str) -> bytes:
    """`text` as a header's encoded word (RFC 2047) when it is not ASCII."""
    if text.isascii():
        return text.encode()
    return b"=?utf-8?b?" + base64.b64encode(text.encode()) + b"?="


RULERS = {
    "yahoo, zimbra": "----- Forwarded Message -----", "mutt": "----- Forwarded message from Ana <ana@x.example> -----",
    "roundcube": "-------- Original Message --------", "outlook, Swedish": "-----Ursprungligt meddelande-----",
    "thunderbird, Danish": "-------- Videresendt meddelelse --------",
    "outlook, Finnish": "-----Alkuperäinen viesti-----", "thunderbird, Polish": "-------- Przekazana wiadomość --------",
    "thunderbird, Czech": "-------- Přeposlaná zpráva --------", "yandex, mail.ru": "-------- Пересылаемое сообщение --------",
    "outlook, Russian": "-----Исходное сообщение-----", "apple mail, Spanish": "Inicio del mensaje reenviado:",
    "apple mail, German": "Anfang der weitergeleiteten Nachricht:", "gmail, French": "---------- Message transféré ---------",
}


@pytest.mark.parametrize("client", RULERS)
def test_the_forward_line_of_each_mail_program_and_language(client):
    """A forward that kept the report's own subject (as Lotus Notes and some webmails
    do): the line the mail program writes over what it forwards decides."""
    raw = text_message("Undelivered Mail Returned to Sender", (
        "Laura, te reenvío esto.\n\n" + RULERS[client] + "\n"
        "From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\n"
        f"To: {LEAD}\nSubject: Undelivered Mail Returned to Sender\n\n" + POSTFIX_REPORT))
    incoming = classify(raw, own=OWN)
    assert (incoming.kind, incoming.text) == ("reply", "Laura, te reenvío esto.")


def test_the_persons_words_above_a_forward_are_their_reply_text():
    assert classify(lotus_notes_forward(), own=OWN).text == \
        "Laura -- pls write to Pedro yourself, my mail to him comes back."
    assert classify(outlook_forward_german(), own=OWN).text == "Hallo Laura, die Mail an Pedro kam zurück."
    assert classify(hotmail_forward(), own=OWN).text == ""


def test_a_shared_mailbox_is_a_person():
    """A lead who writes from a shared mailbox (RFC 2142's info@, sales@: small businesses
    answer from them) forwarding a report is still a person; only mail systems' and
    automated senders' addresses are not."""
    raw = gmail_forward().replace(f"From: Ana Peña <{LEAD}>".encode(), b"From: Reformas Gil <info@example.org>")
    incoming = classify(raw, own=OWN)
    assert (incoming.kind, incoming.sender, incoming.failures) == ("reply", "info@example.org", ())


def test_a_forward_too_large_to_read_is_judged_by_its_headers():
    """A forward with a large attachment, of which the inbox reads only the header: the
    person's From and the "Fwd:" decide."""
    head = thunderbird_attached_forward().split(b"\r\n\r\n", 1)[0].replace(b"Return-Path: <ana.pena@example.org>\r\n", b"")
    incoming = classify(head + b"\r\n\r\n", own=OWN, headers_only=True)
    assert incoming.kind == "reply" and incoming.truncated


# --- End to end: the inbox reads them from a real Maildir ---------------------------------

LEADS_CSV = f"""email,nombre,producto,fecha
{LEAD},Ana Peña,Reforma de cocina,01/12/2026
{COLLEAGUE},Pedro Gil,Reforma de baño,01/12/2026
"""


def inbox_project(tmp_path, run, leads_csv: str) -> Maildir:
    """A project whose inbox is a Maildir, its leads imported and sent their info pack."""
    (tmp_path / "leadloop.toml").write_text(
        f'[sender]\nname = "Laura Vidal"\naddress = "{US}"\n\n[inbox]\nmaildir = "mail"\n', encoding="utf-8")
    (tmp_path / "leads.csv").write_text(leads_csv, encoding="utf-8")
    assert run("import", "leads.csv").exit_code == 0
    box = Maildir(tmp_path / "mail")
    sent = run("--now", "2026-12-02T10:00", "run-daily")
    assert sent.exit_code == 0, sent.stderr
    return box


@pytest.fixture
def project(tmp_path, run):
    return inbox_project(tmp_path, run, LEADS_CSV)


def statuses(run) -> dict:
    return {lead["email"]: lead["status"] for lead in json.loads(run("leads", "--json").stdout)}


@pytest.mark.parametrize("layout", ["thunderbird, attached", "hotmail", "lotus notes", "outlook, Spanish"])
def test_the_inbox_stops_the_persons_sequence_and_bounces_nobody(project, run, layout):
    project.deliver(FORWARDS[layout]())
    result = run("--now", "2026-12-05T12:00", "inbox", "--json")
    assert result.exit_code == 0, result.stderr
    counts = json.loads(result.stdout)
    assert counts["replies"] == 1, counts
    assert statuses(run) == {LEAD: "replied", COLLEAGUE: "active"}
    # Read again: nothing changes.
    again = json.loads(run("--now", "2026-12-05T12:00", "inbox", "--json").stdout)
    assert again["replies"] == 0
    assert statuses(run) == {LEAD: "replied", COLLEAGUE: "active"}


# --- Traps: a mail system's report, however it arrives, stays a report ---------------------

def relayed_by_an_alias() -> bytes:
    """A real report relayed by an alias or forwarder: the daemon's From kept, the
    envelope sender rewritten (SRS), no null Return-Path left, the text a forward's."""
    raw = postfix_dsn(return_path=False).replace("Auto-Submitted: auto-replied\r\n", "")
    return ("Return-Path: <SRS0=x1Yz=AB=mx.example.org=MAILER-DAEMON@alias.example.net>\r\n"
            f"X-Forwarded-To: {US}\r\n" + raw).encode()


def text_report_relayed_by_an_alias() -> bytes:
    """A hosted service's plain-text report relayed by an alias: its Postmaster From
    kept, the envelope sender rewritten, our message quoted with ">" below."""
    quoted = "".join(f"> {line}\n" for line in (
        f"From: Laura Vidal <{US}>", f"To: {COLLEAGUE}", "Subject: Presupuesto de Laura", "",
        "Pedro, te paso el presupuesto."))
    return text_message("Mail Delivery Failure", (
        f'Delivery of email to this address\n\n"{COLLEAGUE}"\n\nfailed due to an unknown mailbox.\n\n'
        "The first 5 lines of your original message follow:\n" + quoted), encoding="7bit",
        sender="Postmaster@hosting.example.com", return_path="<SRS0=Qw3e=AB=example.com=Postmaster@alias.example.net>")


def nested_by_a_gateway() -> bytes:
    """A gateway that wraps the report it relays, under a forward's subject, with a
    person-looking From, and says it is automatic (RFC 3834 Auto-Submitted)."""
    body = ("--gw1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
            "---------- Forwarded message ---------\r\nThe attached report was relayed by the mail gateway.\r\n"
            "\r\n--gw1\r\nContent-Type: message/rfc822\r\n\r\n" + postfix_dsn().replace(LEAD, US)
            + "\r\n--gw1--\r\n")
    return message("Fwd: Undelivered Mail Returned to Sender", 'multipart/mixed; boundary="gw1"', body,
                   sender="Reformas Vidal <avisos@lauravidal.es>", extra="Auto-Submitted: auto-generated")


def recipient_domains_postmaster() -> bytes:
    """A report from the postmaster of the recipient's own domain, answering "RE:" like
    MDaemon does, with the original quoted below."""
    return text_message(f"RE: Presupuesto de Laura", (
        f"Your message could not be delivered to {COLLEAGUE}: User unknown (5.1.1).\n\n"
        "-----Original Message-----\n"
        f"> From: Laura Vidal <{US}>\n> To: {COLLEAGUE}\n> Subject: Presupuesto de Laura\n"),
        sender="postmaster@example.com")


def exchange_ndr_named_like_a_person() -> bytes:
    """Exchange's NDR: an RFC 3462 multipart/report whose From shows the organisation's
    name (the arbitration mailbox renamed), its subject "Undeliverable: RE: …"."""
    body = ("--ex1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" + EXCHANGE_REPORT.replace("\n", "\r\n")
            + "\r\nOriginal message headers:\r\n\r\n"
            f"From: Laura Vidal <{US}>\r\nTo: {COLLEAGUE}\r\nSubject: RE: Presupuesto de Laura\r\n"
            "\r\n--ex1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns;mail.example.com\r\n\r\n"
            f"Final-Recipient: rfc822;{COLLEAGUE}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
            "Diagnostic-Code: smtp;550 5.1.1 RESOLVER.ADR.RecipNotFound; not found\r\n\r\n--ex1--\r\n")
    return message("Undeliverable: RE: Presupuesto de Laura",
                   'multipart/report; report-type=delivery-status; boundary="ex1"', body,
                   sender="Gil Reformas <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@example.com>")


def list_servers_uncaught_bounce() -> bytes:
    """Mailman's "Uncaught bounce notification": the list server's own words above the
    report it could not read, attached (Mailman/Bouncer.py), as archives keep it (no
    Return-Path) and from the list's -bounces address."""
    body = ("--mm1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
            "The attached message was received as a bounce, but either the bounce format was not\r\n"
            "recognized, or no member addresses could be extracted from it.\r\n"
            "\r\n--mm1\r\nContent-Type: message/rfc822\r\n\r\n" + postfix_dsn().replace(LEAD, US)
            + "\r\n--mm1--\r\n")
    return message("Uncaught bounce notification", 'multipart/mixed; boundary="mm1"', body,
                   sender="lista-bounces@lists.lauravidal.es")


def our_own_mailbox_forwards_it() -> bytes:
    """A rule of our own mailbox forwarding the failures it gets: its From is ours."""
    return text_message("FW: Undelivered Mail Returned to Sender", (
        "-----Original Message-----\nFrom: MAILER-DAEMON@mx.example.org\n"
        f"To: {US}\nSubject: Undelivered Mail Returned to Sender\n\n" + POSTFIX_REPORT),
        sender=f"Laura Vidal <{US}>")


def gateway_report(returned: str) -> bytes:
    """A mail gateway's report as archives keep it (no Return-Path), signed with a
    person-looking name, in words with no status code nor a report's heading, returning
    our message as a forward would show it."""
    return text_message("Undeliverable message", (
        f"Your message to {COLLEAGUE} was rejected: user unknown.\n\n" + returned), encoding="7bit",
        sender="Mail Gateway <gateway@hosting.example.net>")


OUR_MESSAGE = [f"From: Laura Vidal <{US}>", f"To: {COLLEAGUE}", "Subject: Presupuesto de Laura", "",
               "Hola Pedro, te paso el presupuesto."]


def original_below_a_ruler() -> bytes:
    """ "----- Original message -----" over our message, as Outlook's forward writes it."""
    return gateway_report("----- Original message -----\n" + "\n".join(OUR_MESSAGE) + "\n")


def original_quoted() -> bytes:
    """Our message quoted with ">", as a reply would quote it."""
    return gateway_report("".join(f"> {line}\n" for line in OUR_MESSAGE))


def gateway_wrapping_an_attached_report() -> bytes:
    """A gateway that wraps the report it relays under a subject of its own, saying in
    its own words what failed and why (no status, no heading)."""
    body = ("--gw2\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
            f"Your message to {COLLEAGUE} was refused: no such user. The report is attached.\r\n"
            "\r\n--gw2\r\nContent-Type: message/rfc822\r\n\r\n" + postfix_dsn().replace(LEAD, US)
            + "\r\n--gw2--\r\n")
    return message("Message notice", 'multipart/mixed; boundary="gw2"', body,
                   sender="Mail Gateway <gateway@hosting.example.net>")


TRAPS = {
    "relayed by an alias": relayed_by_an_alias, "text report relayed by an alias": text_report_relayed_by_an_alias,
    "nested by a gateway": nested_by_a_gateway,
    "recipient domain's postmaster": recipient_domains_postmaster,
    "exchange ndr named like a person": exchange_ndr_named_like_a_person,
    "our own mailbox forwards it": our_own_mailbox_forwards_it,
    "a list server's uncaught bounce": list_servers_uncaught_bounce,
    "our message below an original-message ruler": original_below_a_ruler,
    "our message quoted": original_quoted,
    "a gateway wrapping an attached report": gateway_wrapping_an_attached_report,
}


@pytest.mark.parametrize("trap", TRAPS)
def test_a_mail_systems_report_stays_a_report_however_it_arrives(trap):
    incoming = classify(TRAPS[trap](), own=OWN)
    assert incoming.kind == "bounce", incoming.kind
    assert {f.address: f.hard for f in incoming.failures} == {COLLEAGUE: True}


# --- A report's returned lines quoted with ">" are not its words ---------------------------

def hosted_report_returning_quoted_lines(*, mark: str = "", quoted_first: bool = False) -> bytes:
    """A hosted service's report: its own sentence about the recipient (a full mailbox),
    then the returned original quoted with "> " (a "[SPAM]" subject and a spam filter's
    header in it), with or without a sentence that introduces it; or the quoted lines
    first, the report's words after them."""
    quoted = "\n".join("> " + line if line else ">" for line in [
        "Received: from mx64.relay.example.net (192.0.2.64)",
        "\tby mail19.hosting.example.net (mxl_mta-5.5.0-3) with SMTP id 4-0825789364",
        "Message-Id: <20261205101500.1@lauravidal.es>",
        f"To: <{LEAD}>", f"Cc: {COLLEAGUE}",
        "Subject: [SPAM] Tu presupuesto de reforma",
        "X-Spam-Status: Yes, score=5.1",
        "",
        f"Hola Ana, te paso el contacto de Pedro ({COLLEAGUE}): su antiguo",
        "correo ya no existe (550 5.1.1 user unknown), escríbele a este.",
    ])
    words = f'Delivery of email to this address\n\n"{LEAD}"\n\nfailed because the mailbox is full.\n\n'
    returned = (mark + "\n" if mark else "") + quoted + "\n"
    return text_message("Mail Delivery Failure", returned + "\n" + words if quoted_first else words + returned,
                        encoding="7bit", sender="Postmaster@hosting.example.net", return_path="<>")


@pytest.mark.parametrize("layout", [{}, {"mark": "Here is what you sent:"},
                                    {"mark": "Your message:", "quoted_first": True}])
def test_the_quoted_returned_lines_are_never_the_reports_words(layout):
    incoming = classify(hosted_report_returning_quoted_lines(**layout), own=OWN)
    assert incoming.kind == "bounce"
    failures = {f.address: f for f in incoming.failures}
    assert set(failures) == {LEAD}, failures
    assert not failures[LEAD].hard and failures[LEAD].verdict.reason == "mailboxfull", failures[LEAD].verdict
    # The quoted original is still what anchors the report to leadloop's message.
    assert "<20261205101500.1@lauravidal.es>" in incoming.original_ids
