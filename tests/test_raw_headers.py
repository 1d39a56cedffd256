"""Header fields as servers really write them (issue #25): RFC 2047's encoded words, and
the raw bytes many write instead — UTF-8 under SMTPUTF8 (RFC 6532), Latin-1 and
Shift_JIS from older servers and Sieve vacation scripts, ISO-2022-JP undeclared (RFC
1468's 7-bit code, written unencoded by Japanese servers). A report's subject, an
automatic answer's and a reply's read as a person reads them, whatever the form; and a
broken one still classifies. The messages are written here from the documented layouts
(Outlook's subject prefixes, Exchange 2007's text report)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

import pytest

from leadloop.classify import classify

from test_inbox import read, sent_message_id, status
from test_inbox import project  # noqa: F401  (the fixture)

LEAD = "ana.pena@example.org"
US = "laura@lauravidal.es"
ORIGINAL_ID = "<20261205101500.1@lauravidal.es>"
# Exchange's system mailbox signs its reports with no daemon's name: the subject decides.
EXCHANGE = b"Microsoft Exchange <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@lauravidal.es>"


@dataclass(frozen=True)
class Form:
    """How a server writes a header field, and the charset its body declares."""
    name: str
    charset: str   # the body's declared charset (the hint for raw 8-bit fields)

    def write(self, text: str) -> bytes:
        if self.name == "rfc2047-b":
            return b"=?utf-8?b?" + base64.b64encode(text.encode("utf-8")) + b"?="
        if self.name == "rfc2047-q":
            quoted = "".join(c if c.isascii() and c.isalnum() else "_" if c == " " else
                             "".join(f"={b:02X}" for b in c.encode("utf-8")) for c in text)
            return b"=?utf-8?q?" + quoted.encode("ascii") + b"?="
        return text.encode({"raw-utf-8": "utf-8", "raw-latin-1": "latin-1", "raw-shift_jis": "cp932",
                            "raw-iso-2022-jp": "iso-2022-jp"}[self.name])


@dataclass(frozen=True)
class Texts:
    """A lead's name, and the subjects of a report, an automatic answer and a reply, in a
    language the form can write."""
    name: str
    report: str
    automatic: str
    reply: str


FORMS = {
    # Simplified Chinese: Exchange's "无法投递:", Outlook's "自动答复:".
    Form("rfc2047-b", "utf-8"): Texts("王芳", "无法投递: Tu presupuesto", "自动答复: Tu presupuesto",
                                      "Re: Tu presupuesto 关于报价的问题"),
    # Traditional Chinese: "無法傳遞:", "自動回覆:".
    Form("rfc2047-q", "utf-8"): Texts("陳美玲", "無法傳遞: Tu presupuesto", "自動回覆: Tu presupuesto",
                                      "Re: Tu presupuesto 報價問題"),
    # Korean: "배달되지 않음:", "자동 회신:".
    Form("raw-utf-8", "utf-8"): Texts("김민지", "배달되지 않음: Tu presupuesto", "자동 회신: Tu presupuesto",
                                      "Re: Tu presupuesto 견적 문의"),
    # Spanish and French, as a Sieve vacation script or an old server writes them.
    Form("raw-latin-1", "iso-8859-1"): Texts("Ana Peña", "Échec de la remise: Tu presupuesto",
                                             "Respuesta automática: Tu presupuesto",
                                             "Re: Tu presupuesto, ¿cuándo empezáis?"),
    # Japanese: "配信不能:", "自動応答:"; 髙 is Windows-31J's alone (the label Shift_JIS
    # is read as, WHATWG's Encoding Standard).
    Form("raw-shift_jis", "shift_jis"): Texts("髙橋 花子", "配信不能: Tu presupuesto", "自動応答: Tu presupuesto",
                                              "Re: Tu presupuesto 髙橋です"),
    Form("raw-iso-2022-jp", "iso-2022-jp"): Texts("山田 花子", "配信不能: Tu presupuesto",
                                                  "自動応答: Tu presupuesto", "Re: Tu presupuesto お見積もりの件"),
}


def message(sender: bytes, subject: bytes, body: str, charset: str, *extra: bytes) -> bytes:
    head = [b"From: " + sender, b"To: Laura Vidal <" + US.encode() + b">", b"Subject: " + subject,
            b"Date: Sat, 05 Dec 2026 10:16:02 +0100", b"Message-ID: <answer-1@example.org>", *extra,
            b"MIME-Version: 1.0", b"Content-Type: text/plain; charset=" + charset.encode(),
            b"Content-Transfer-Encoding: " + (b"7bit" if charset == "iso-2022-jp" else b"8bit")]
    return b"\r\n".join(head) + b"\r\n\r\n" + body.encode(charset)


def exchange_report(subject: bytes, charset: str, recipient: str = LEAD) -> bytes:
    """Exchange 2007's text report, kept without its Return-Path (an archive's copy),
    signed by the system mailbox: only its subject says it is a report."""
    text = ("Delivery has failed to these recipients or groups:\r\n\r\n"
            f"{recipient}\r\nThe e-mail address you entered couldn't be reached.\r\n\r\n"
            "Diagnostic information for administrators:\r\n\r\n"
            f"Generating server: EXCH01.lauravidal.local\r\n\r\n{recipient}\r\n"
            "#< #5.1.1 smtp;550 5.1.1 User unknown> #SMTP#\r\n\r\n"
            "Original message headers:\r\n\r\n"
            f"From: Laura Vidal <{US}>\r\nTo: {recipient}\r\nSubject: Tu presupuesto\r\n"
            f"Message-ID: {ORIGINAL_ID}\r\n")
    return message(EXCHANGE, subject, text, charset)


def sender_field(form: Form, texts: Texts) -> bytes:
    return form.write(texts.name) + b" <" + LEAD.encode() + b">"


@pytest.mark.parametrize("form", FORMS, ids=lambda form: form.name)
def test_a_report_subject_in_every_form(form):
    incoming = classify(exchange_report(form.write(FORMS[form].report), form.charset), own=frozenset({US}))
    assert incoming.kind == "bounce", incoming
    assert incoming.subject == FORMS[form].report
    assert LEAD in {failure.address for failure in incoming.failures}


@pytest.mark.parametrize("form", FORMS, ids=lambda form: form.name)
def test_an_automatic_answer_subject_in_every_form(form):
    """Outlook's "Automatic reply:" in the lead's language, and nothing else that says
    so (no Auto-Submitted, a body that does not say the person is away)."""
    texts = FORMS[form]
    incoming = classify(message(sender_field(form, texts), form.write(texts.automatic), "Gracias.", form.charset))
    assert incoming.kind == "auto_reply"
    assert incoming.subject == texts.automatic
    assert incoming.sender == LEAD


@pytest.mark.parametrize("prefix", ["自動応答", "自动答复", "自動回覆", "자동 회신", "自动回复"])
def test_outlooks_automatic_reply_in_japanese_chinese_and_korean(prefix):
    subject = Form("rfc2047-b", "utf-8").write(f"{prefix}: Tu presupuesto")
    incoming = classify(message(b"Ana <" + LEAD.encode() + b">", subject, "Gracias.", "utf-8"))
    assert incoming.kind == "auto_reply"


@pytest.mark.parametrize("form", FORMS, ids=lambda form: form.name)
def test_a_reply_subject_and_sender_in_every_form(form):
    texts = FORMS[form]
    incoming = classify(message(sender_field(form, texts), form.write(texts.reply), "OK.", form.charset,
                                b"In-Reply-To: " + ORIGINAL_ID.encode()))
    assert incoming.kind == "reply"
    assert incoming.subject == texts.reply
    assert incoming.sender == LEAD
    assert incoming.references == (ORIGINAL_ID,)


def test_encoded_words_beside_raw_bytes_are_both_read():
    """A subject with an encoded word and raw Latin-1 after it (a gateway that appended
    a tag to the subject it received)."""
    subject = b"=?utf-8?q?Respuesta_autom=C3=A1tica=3A?= Tu presupuesto [revisi\xf3n]"
    incoming = classify(message(b"Ana Pe\xf1a <" + LEAD.encode() + b">", subject, "Gracias.", "iso-8859-1"))
    assert incoming.subject == "Respuesta automática: Tu presupuesto [revisión]"
    assert incoming.kind == "auto_reply"


def test_a_person_forwarding_a_report_under_a_raw_name_is_still_a_person():
    """A person's display name in raw ISO-2022-JP, forwarding a report ("転送:"): the
    address after the name is read, so the message is the person's, not a mail system's
    (whose From names no address)."""
    report = exchange_report("配信不能: Tu presupuesto".encode("iso-2022-jp"), "iso-2022-jp")
    forwarded = message("山田 花子 <tom@example.net>".encode("iso-2022-jp"),
                        "転送: 配信不能: Tu presupuesto".encode("iso-2022-jp"),
                        "-------- Forwarded Message --------\r\n" + report.split(b"\r\n\r\n", 1)[1].decode("ascii"),
                        "iso-2022-jp")
    incoming = classify(forwarded, own=frozenset({US}))
    assert incoming.kind == "reply"
    assert incoming.sender == "tom@example.net"


def test_a_report_attached_under_a_raw_subject_is_read():
    """Our own mailbox's rule forwards a failure as an attachment (message/rfc822); the
    attached report's subject is raw ISO-2022-JP, its sender a mailer daemon."""
    inner = exchange_report("配信不能: Tu presupuesto".encode("iso-2022-jp"), "iso-2022-jp") \
        .replace(EXCHANGE, b"MAILER-DAEMON@relay.lauravidal.es")
    raw = (b"From: Laura Vidal <" + US.encode() + b">\r\nTo: " + US.encode() + b"\r\nSubject: Fwd: reenviado\r\n"
           b"Message-ID: <fwd-1@lauravidal.es>\r\nMIME-Version: 1.0\r\n"
           b'Content-Type: multipart/mixed; boundary="F"\r\n\r\n--F\r\nContent-Type: message/rfc822\r\n\r\n'
           + inner + b"\r\n--F--\r\n")
    incoming = classify(raw, own=frozenset({US}))
    assert incoming.kind == "bounce"
    assert LEAD in {failure.address for failure in incoming.failures}


@pytest.mark.parametrize("charset, encoding, subject", [
    ("gb2312", "gb18030", "Re: Tu presupuesto 朱镕基"),          # 镕: GBK's, not GB2312's
    ("ks_c_5601-1987", "cp949", "Re: Tu presupuesto 똠양꿍"),    # 똠: Windows-949's, not KS X 1001's
    ("shift_jis", "cp932", "Re: Tu presupuesto 髙橋です"),        # 髙: Windows-31J's, not JIS X 0208's
    ("x-sjis", "cp932", "Re: Tu presupuesto 見積もり"),           # a label Python does not know
])
def test_an_encoded_word_in_a_wider_charset_than_its_label(charset, encoding, subject):
    """Mail programs write GBK under "gb2312", Windows-949 under "ks_c_5601-1987" and
    Windows-31J under "shift_jis" (WHATWG's Encoding Standard reads the labels so): the
    encoded word is read as its bytes are written, not as U+FFFD."""
    word = b"=?" + charset.encode() + b"?b?" + base64.b64encode(subject.encode(encoding)) + b"?="
    incoming = classify(message(b"Ana <" + LEAD.encode() + b">", word, "OK.", "utf-8",
                                b"In-Reply-To: " + ORIGINAL_ID.encode()))
    assert incoming.subject == subject
    assert incoming.kind == "reply"


# --- Malformed fields lose nothing ---------------------------------------------------

def test_a_broken_escape_sequence_keeps_what_reads():
    """ISO-2022-JP cut short in the middle of a character (a subject truncated by a
    gateway): the words before it are still read, and the report is still a report."""
    subject = "配信不能: Tu presupuesto ".encode("iso-2022-jp") + b"\x1b$B%F%"
    incoming = classify(exchange_report(subject, "iso-2022-jp"), own=frozenset({US}))
    assert incoming.kind == "bounce"
    assert incoming.subject.startswith("配信不能: Tu presupuesto")
    assert LEAD in {failure.address for failure in incoming.failures}


@pytest.mark.parametrize("subject, sender", [
    (b"Re: Tu presupuesto \xff\xfe\x80 \x1b$Z", b"\xff\xfe\x80 <" + LEAD.encode() + b">"),
    (b"\x1b$B\x47", b"\x1b$B\x47\x5B <" + LEAD.encode() + b">"),
    (b"Re: \x1b(B\x1b$B\x1b$B", b"Ana \x1b <" + LEAD.encode() + b">"),
    (b"=?utf-8?b?####?= \xe9\x85", b"=?x-unknown?q?=FF?= \xe9 <" + LEAD.encode() + b">"),
])
def test_invalid_bytes_and_broken_escapes_still_classify(subject, sender):
    """No exception, nothing lost: the message is still a reply from the lead."""
    incoming = classify(message(sender, subject, "Sí, me interesa.", "utf-8",
                                b"In-Reply-To: " + ORIGINAL_ID.encode()))
    assert incoming.kind == "reply"
    assert incoming.sender == LEAD


# --- End to end: `leadloop inbox` from a real Maildir --------------------------------

def test_a_raw_iso_2022_jp_report_bounces_the_lead(project, run):
    """A Japanese Exchange's report, its subject raw ISO-2022-JP, signed by the system
    mailbox and kept without Return-Path: the lead it names is bounced."""
    project.deliver(exchange_report("配信不能: La informacion que me pidio".encode("iso-2022-jp"), "iso-2022-jp",
                                    recipient="jose.munoz@example.com"))
    summary = read(run)
    assert summary["bounces"] == 1 and summary["replies"] == 0
    assert status(run, "jose.munoz@example.com") == "bounced"


def test_a_raw_shift_jis_automatic_reply_is_not_an_answer(project, run):
    project.deliver(message("山田 <tom@example.net>".encode("cp932"), "自動応答: La informacion".encode("cp932"),
                            "ご連絡ありがとうございます。", "shift_jis"))
    summary = read(run)
    assert summary["auto_replies"] == 1 and summary["replies"] == 0
    assert status(run, "tom@example.net") == "active"


def test_a_raw_latin_1_reply_stops_the_sequence_with_its_words_readable(project, run):
    replied_to = sent_message_id(run, "ana.pena@example.org").encode()
    project.deliver(message(b"Ana Pe\xf1a <ana.pena@example.org>", b"Re: \xbfTen\xe9is plazas en abril?",
                            "Sí, me interesa.", "iso-8859-1", b"In-Reply-To: " + replied_to))
    summary = read(run)
    assert summary["replies"] == 1
    assert status(run, "ana.pena@example.org") == "replied"
    shown = json.loads(run("show", "ana.pena@example.org", "--json").stdout)
    assert "Re: ¿Tenéis plazas en abril?" in json.dumps(shown, ensure_ascii=False)
