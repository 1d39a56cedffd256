"""Header fields as servers really write them (issue #25): RFC 2047's encoded words, and
the raw bytes many write instead — UTF-8 under SMTPUTF8 (RFC 6532), Latin-1 and
Shift_JIS from older servers and Sieve vacation scripts, ISO-2022-JP undeclared (RFC
1468's 7-bit code, written unencoded by Japanese servers). A report's subject, an
automatic answer's and a reply's read as a person reads them, whatever the form; and a
broken one still classifies. The messages are written here from the documented layouts
(Outlook's subject prefixes, Exchange 2007's text report)."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import pytest

from leadloop.classify import classify

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
            quoted = "".join(c if c.isascii() and c.isalnum() else
                             "".join(f"={b:02X}" for b in c.encode("utf-8")) for c in text.replace(" ", "_"))
            return b"=?utf-8?q?" + quoted.replace("=5F", "_").encode("ascii") + b"?="
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


def sender_field(form: Form, texts: Texts, address: str = LEAD) -> bytes:
    name = form.write(texts.name)
    return name + b" <" + address.encode() + b">"


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
