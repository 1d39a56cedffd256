"""A person's reply is read with the charset rules a bounce is read with (bounces.decoded),
through `leadloop inbox` from a real Maildir: what the marketer sees in `show`, and what
the unsubscribe, out-of-office and survey readers look for, are the person's words.

The messages are written for this test in the shapes mail programs send them: old
Outlook and phone mail apps that write Windows-1252 and label it us-ascii or
iso-8859-1 (RFC 2045 §5.2: no label means US-ASCII), or label nothing; a UTF-8 text
labelled Latin-1; Japanese under "x-sjis" (a label Python does not know) with a
Windows-31J character; Chinese labelled GB2312 with characters only GBK and GB18030
have (the WHATWG Encoding Standard reads those labels as the supersets). Each case,
but the ASCII "darme de baja" and the codecs that are no charset (kept as they were),
read wrong before (main at 5d61eef, get_content()): U+FFFD for 8-bit bytes under a
US-ASCII label or none, C1 controls for Windows-1252's "€" and "“”" under Latin-1, "Â¿"
for UTF-8 under Latin-1, UTF-8 with replacement for a label Python does not know,
U+FFFD for what GB2312 lacks.
"""

from __future__ import annotations

import email
import email.policy
import json

import pytest

from leadloop.classify import classify
from test_inbox import LATER, read, sent_message_id, status  # noqa: F401
from test_inbox import project  # noqa: F401  (the fixture)

SPANISH = "¿Tienen plazas en “abril”? El precio de 120 € me parece bien.\nSaludos, José Muñoz"


def raw_mail(sender: str, subject: str, body: bytes, content_type: str | None, *,
             in_reply_to: str | None = None, cte: str = "8bit") -> bytes:
    """A message as the mail program wrote it: the body's bytes under the label it
    gave (`content_type` None: no MIME header at all, as old clients write)."""
    head = [f"From: {sender}", "To: Laura Vidal <laura@lauravidal.es>", f"Subject: {subject}",
            "Date: Mon, 02 Mar 2026 19:00:00 +0100", f"Message-ID: <{abs(hash(body))}@mail.example.net>"]
    if in_reply_to:
        head.append(f"In-Reply-To: {in_reply_to}")
    if content_type is not None:
        head += ["MIME-Version: 1.0", f"Content-Type: {content_type}", f"Content-Transfer-Encoding: {cte}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode("ascii") + body.replace(b"\n", b"\r\n") + b"\r\n"


def reply_texts(run, email: str) -> list[str]:
    shown = json.loads(run("show", email, "--json").stdout)
    return [e.get("text") for e in shown["events"] if e["kind"] == "reply"]


@pytest.mark.parametrize("text, encoding, content_type", [
    # Old Outlook: Windows-1252 under the label it writes for "plain" text.
    pytest.param(SPANISH, "windows-1252", "text/plain; charset=us-ascii", id="1252 as us-ascii"),
    # Latin-1 is a subset: "€" and "“”" are only in Windows-1252 (0x80, 0x93, 0x94).
    pytest.param(SPANISH, "windows-1252", "text/plain; charset=iso-8859-1", id="1252 as latin-1"),
    pytest.param(SPANISH, "windows-1252", None, id="1252 unlabelled"),
    pytest.param(SPANISH, "utf-8", 'text/plain; charset="ISO-8859-1"', id="utf-8 as latin-1"),
    # An HTML-only reply: the same rules for its part.
    pytest.param(SPANISH, "windows-1252", "text/html; charset=us-ascii", id="html, 1252 as us-ascii"),
    # A Japanese phone's Shift_JIS under a label Python has no codec for; "①" is one of
    # Windows-31J's (cp932) characters, not Shift_JIS's.
    pytest.param("資料をありがとうございます。①来週お電話します。", "cp932", "text/plain; charset=x-sjis",
                 id="windows-31j as x-sjis"),
    # "喆" is GBK's, "𠮷" GB18030's four-byte code: neither is in GB2312.
    pytest.param("谢谢您的资料。我是王喆，下周给您打电话。𠮷", "gb18030", "text/plain; charset=gb2312",
                 id="gb18030 as gb2312"),
])
def test_the_reply_shown_is_the_persons_words(project, run, text, encoding, content_type):
    body = text.encode(encoding)
    if content_type and content_type.startswith("text/html"):
        body = b"<html><body><p>" + body.replace(b"\n", b"<br>") + b"</p></body></html>"
    reply = raw_mail("jose.munoz@example.com", "Re: Curso", body, content_type,
                     in_reply_to=sent_message_id(run, "jose.munoz@example.com"))
    project.deliver(reply)
    assert read(run)["replies"] == 1
    assert status(run, "jose.munoz@example.com") == "replied"
    assert reply_texts(run, "jose.munoz@example.com") == [text]


def test_a_customers_question_is_listed_in_their_words(project, run):
    assert run("mark", "ana.pena@example.org", "customer").exit_code == 0
    text = "¿Cuándo empieza el taller? Necesito la factura a nombre de Íñigo Peña."
    project.deliver(raw_mail("ana.pena@example.org", "Duda", text.encode("windows-1252"), None))
    assert read(run)["questions"] == 1
    listed = json.loads(run("--now", LATER, "questions", "--json").stdout)
    assert [q["text"] for q in listed] == [text]


def test_the_other_part_s_charset_reads_an_unlabelled_part(project, run):
    """Like a report's undeclared part (bounces.decoded's hint): a plain part that
    declares nothing beside an HTML part that declares ISO-8859-15, whose "€" (0xA4)
    Windows-1252 would read as "¤"."""
    text = "El precio de 120 € me parece bien."
    body = (b'--ALT\nContent-Type: text/plain\nContent-Transfer-Encoding: 8bit\n\n' + text.encode("iso-8859-15")
            + b'\n--ALT\nContent-Type: text/html; charset=iso-8859-15\nContent-Transfer-Encoding: 8bit\n\n<p>'
            + text.encode("iso-8859-15") + b'</p>\n--ALT--')
    project.deliver(raw_mail("jose.munoz@example.com", "Re: Curso", body, 'multipart/alternative; boundary="ALT"'))
    assert read(run)["replies"] == 1
    assert reply_texts(run, "jose.munoz@example.com") == [text]


@pytest.mark.parametrize("text, encoding, content_type", [
    pytest.param("Estaré fuera de la oficina hasta el lunes 9 de marzo.\nPara urgencias, llame a recepción.",
                 "windows-1252", "text/plain; charset=us-ascii", id="1252 as us-ascii"),
    pytest.param("Estaré ausente hasta el 9 de marzo, con acceso limitado al correo.", "windows-1252", None,
                 id="1252 unlabelled"),
])
def test_an_out_of_office_in_a_mislabelled_part_is_no_answer(project, run, text, encoding, content_type):
    """No header and no subject says it: only its first line, "Estaré…", which U+FFFD
    made "Estar�" (a reply that ended the lead's sequence)."""
    project.deliver(raw_mail("ana.pena@example.org", "Re: Taller", text.encode(encoding), content_type))
    summary = read(run)
    assert summary["auto_replies"] == 1 and summary["replies"] == 0
    assert status(run, "ana.pena@example.org") == "active"


@pytest.mark.parametrize("text, encoding, content_type", [
    pytest.param("Por favor, dénme de baja.", "windows-1252", "text/plain; charset=us-ascii", id="denme"),
    pytest.param("No quiero recibir más correos, gracias.", "windows-1252", None, id="no quiero recibir mas"),
    pytest.param("Quisiera cancelar mi suscripción.", "windows-1252", "text/plain; charset=us-ascii",
                 id="cancelar suscripcion"),
    # UTF-8's "¡" read as Latin-1 is "Â¡": the first word became "a".
    pytest.param("¡Baja!", "utf-8", "text/plain; charset=iso-8859-1", id="baja, utf-8 as latin-1"),
    # ASCII words survive any reading; here for the record with the rest of the line
    # accented ("darme de baja" read right before as well).
    pytest.param("¿Podéis darme de baja? Ya encontré otro curso.", "windows-1252", "text/plain; charset=us-ascii",
                 id="darme de baja"),
])
def test_an_unsubscribe_in_a_mislabelled_part(project, run, text, encoding, content_type):
    project.deliver(raw_mail("tom@example.net", "Re: Hola", text.encode(encoding), content_type))
    assert read(run)["unsubscribes"] == 1
    assert status(run, "tom@example.net") == "unsubscribed"


def test_a_survey_answer_in_a_mislabelled_part(project, run, tmp_path):
    """The score, the comment kept for the marketer and the consent to share it
    ("Compártalo", which U+FFFD hid) come from the person's words."""
    assert run("mark", "ana.pena@example.org", "customer").exit_code == 0
    assert run("mark", "tom@example.net", "customer").exit_code == 0
    sent = run("--now", LATER, "survey", "send", "opinion", "--to", "customer", "--yes")
    assert sent.exit_code == 0, sent.stderr
    answers = {
        "ana.pena@example.org": "Hola Laura:\nLe doy un 8.\nLa profesora explicó todo muy bien. Compártalo si quiere.",
        "tom@example.net": "Puntuación: 9",
    }
    # The survey is what the outbox holds for them besides the info pack.
    survey_ids = {}
    for path in (tmp_path / "outbox").glob("*/*"):
        sent_mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        address = sent_mail["To"].addresses[0].addr_spec
        if address in answers and sent_mail["Message-ID"] != sent_message_id(run, address):
            survey_ids[address] = sent_mail["Message-ID"]
    assert len(survey_ids) == 2
    for address, text in answers.items():
        project.deliver(raw_mail(address, "Re: Una pregunta", text.encode("windows-1252"),
                                 "text/plain; charset=us-ascii", in_reply_to=survey_ids[address]))
    assert read(run)["survey_answers"] == 2
    tally = json.loads(run("survey", "results", "opinion", "--json").stdout)
    assert sorted((r["answer"], r["count"]) for r in tally["results"]) == [("8", 1), ("9", 1)]
    shown = run("survey", "results", "opinion")
    assert "«Le doy un 8. La profesora explicó todo muy bien.»  (may be shared)" in shown.stdout


def test_a_forwarded_report_under_a_mislabelled_part_is_the_persons_reply(project, run):
    """The line a mail program writes over what it forwards, in French ("Message
    transféré"), in Windows-1252 labelled us-ascii: read right, the forward is Ana's
    (she answered), and the report it carries bounces nobody; read as U+FFFD, the
    line was not found and José, whom the forwarded report names, was bounced."""
    text = ("Laura, je vous transfère ce message : José n'a pas reçu mon courriel.\n\n"
            "---------- Message transféré ---------\n"
            "De : MAILER-DAEMON@mx.example.org (Mail Delivery System)\n"
            "À : ana.pena@example.org\nObjet : Undelivered Mail Returned to Sender\n\n"
            "This is the mail system at host mx.example.org.\n\n"
            "I'm sorry to have to inform you that your message could not\n"
            "be delivered to one or more recipients. It's attached below.\n\n"
            "<jose.munoz@example.com>: host mx.example.com[192.0.2.25] said: 550 5.1.1\n"
            "    <jose.munoz@example.com>: Recipient address rejected: User unknown in local\n"
            "    recipient table (in reply to RCPT TO command)\n")
    project.deliver(raw_mail("ana.pena@example.org", "Undelivered Mail Returned to Sender",
                             text.encode("windows-1252"), "text/plain; charset=us-ascii"))
    summary = read(run)
    assert summary["replies"] == 1 and summary["bounces"] == 0
    assert status(run, "ana.pena@example.org") == "replied"
    assert status(run, "jose.munoz@example.com") == "active"


@pytest.mark.parametrize("charset", ["undefined", "idna"])
def test_a_codec_that_is_no_charset_still_reads(charset):
    """Python has codecs by these names that raise on any text: the part is read as
    undeclared, never an unreadable message."""
    text = "Gracias, me interesa el taller de acuarela. Inés"
    incoming = classify(raw_mail("ana.pena@example.org", "Re: Taller", text.encode(), f"text/plain; charset={charset}"))
    assert (incoming.kind, incoming.text) == ("reply", text)


@pytest.mark.parametrize("body, content_type, expected", [
    # A true UTF-8 reply with one stray byte (a gateway's cut, a character pasted from a
    # Latin-1 document): one character is lost, not every accent ("JosÃ©").
    pytest.param("Sí, me interesa el curso de cerámica. Saludos, José Muñoz".encode() + b" \xe9",
                 "text/plain; charset=utf-8", "Sí, me interesa el curso de cerámica. Saludos, José Muñoz �",
                 id="utf-8 with a stray byte"),
    pytest.param("Sí, gracias. ".encode() + b"\xa0" + "¿Cuánto cuesta?".encode(), None,
                 "Sí, gracias. �¿Cuánto cuesta?", id="unlabelled utf-8 with a stray byte"),
    # The label lies: Windows-1252 called UTF-8 forms no valid sequence, and is read whole.
    pytest.param("Sí, me interesa. ¿Cuánto cuesta? José".encode("windows-1252"), "text/plain; charset=utf-8",
                 "Sí, me interesa. ¿Cuánto cuesta? José", id="1252 labelled utf-8"),
    # Windows-1251 forms a valid sequence now and then ("Сё" is D1 B8, U+0478): the rest
    # are bad bytes, so it is no UTF-8 and the other part's declared charset reads it.
    pytest.param("Сёмга и ёжик. Спасибо, пришлите цены.".encode("cp1251"), "text/plain; charset=utf-8",
                 "Сёмга и ёжик. Спасибо, пришлите цены.", id="1251 labelled utf-8, hint 1251"),
])
def test_utf8_with_a_stray_byte_keeps_its_accents(body, content_type, expected):
    if "ёжик" in expected:  # the declared charset of the message's HTML part
        body = (b'--ALT\nContent-Type: ' + content_type.encode() + b'\nContent-Transfer-Encoding: 8bit\n\n' + body
                + b'\n--ALT\nContent-Type: text/html; charset=windows-1251\nContent-Transfer-Encoding: 8bit\n\n<p>'
                + body + b'</p>\n--ALT--')
        content_type = 'multipart/alternative; boundary="ALT"'
    incoming = classify(raw_mail("ana.pena@example.org", "Re: Taller", body, content_type))
    assert (incoming.kind, incoming.text.strip()) == ("reply", expected)
