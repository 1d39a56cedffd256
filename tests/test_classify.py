"""What one incoming message means (classify.py), on the shapes real mail takes."""

from __future__ import annotations

import pytest

from leadloop.classify import Unreadable, classify


def raw(headers: str, body: str = "Hola", *, content_type="text/plain; charset=utf-8",
        encoding="8bit") -> bytes:
    return (f"From: Ana Peña <ana@example.com>\r\nTo: laura@example.com\r\n{headers}"
            f"MIME-Version: 1.0\r\nContent-Type: {content_type}\r\n"
            f"Content-Transfer-Encoding: {encoding}\r\n\r\n{body}\r\n").encode("utf-8")


def test_a_plain_reply_keeps_what_was_written_and_cuts_the_quote():
    found = classify(raw("Subject: =?utf-8?q?Re=3A_=C2=BFA=C3=BAn_me_recuerda=3F?=\r\n"
                         "In-Reply-To: <a1@example.com>\r\nReferences: <a0@example.com> <a1@example.com>\r\n",
                         "Sí, llámeme.\r\n\r\nEl lun, 2 mar 2026, Laura escribió:\r\n> Hola Ana"))
    assert found.kind == "reply" and found.sender == "ana@example.com"
    assert found.subject == "Re: ¿Aún me recuerda?"
    assert found.text == "Sí, llámeme."
    assert found.references == ("<a1@example.com>", "<a0@example.com>")


def test_an_html_only_reply_is_read_as_text():
    found = classify(raw("Subject: Re: hola\r\n", "<div>Me interesa &amp; mucho</div><blockquote>Hola</blockquote>",
                         content_type="text/html; charset=utf-8"))
    assert found.kind == "reply" and found.text == "Me interesa & mucho"


@pytest.mark.parametrize("headers, subject", [
    ("Auto-Submitted: auto-replied\r\n", "Hola"),
    ("X-Autoreply: yes\r\n", "Hola"),
    ("Precedence: auto_reply\r\n", "Hola"),
    ("", "Respuesta automática: Hola"),
    ("", "Automatic reply: Hola"),
    ("Return-Path: <>\r\n", "Hola"),
])
def test_auto_replies(headers, subject):
    assert classify(raw(f"Subject: {subject}\r\n{headers}")).kind == "auto_reply"


def test_auto_submitted_no_is_a_person():
    assert classify(raw("Subject: Hola\r\nAuto-Submitted: no\r\n")).kind == "reply"


@pytest.mark.parametrize("subject, body, expected", [
    ("Re: Baja", "", "unsubscribe"),
    ("RE: AW: STOP", "", "unsubscribe"),
    ("Hola", "Unsubscribe, please", "unsubscribe"),
    ("Hola", "No me dé de baja todavía, pero ahora no puedo.", "reply"),
    ("Re: Stopover in Madrid", "Can we meet?", "reply"),
    # A client that quotes our whole message, header and all, with a copy that joined the
    # lines (bench/transforms.py's unfold on GNU mail's and bsd-mailx's "~m" quote): our
    # List-Unsubscribe header is no request of the person's.
    ("Re: Curso", "\tFrom laura@example.com  Sun Dec  6 04:14:14 2026 X-Original-To: ana@example.com "
                  "List-Unsubscribe: <mailto:baja@example.com?subject=baja> Subject: Curso\r\n\r\n"
                  "Me interesa, ¿hay plazas en enero?", "reply"),
])
def test_unsubscribe_words(subject, body, expected):
    assert classify(raw(f"Subject: {subject}\r\n", body)).kind == expected


def test_mail_to_the_unsubscribe_address():
    message = raw("Subject: Hola\r\n").replace(b"To: laura@example.com", b"To: baja@example.com")
    assert classify(message, unsubscribe_address="baja@example.com").kind == "unsubscribe"
    assert classify(message).kind == "reply"


def test_a_qmail_bounce_without_a_report_is_read_by_the_older_formats():
    message = (
        "Return-Path: <>\r\nFrom: MAILER-DAEMON@mx.example.com\r\nTo: laura@example.com\r\n"
        "Subject: failure notice\r\n\r\n"
        "Hi. This is the qmail-send program at mx.example.com.\r\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\r\n"
        "This is a permanent error; I've given up. Sorry it didn't work out.\r\n\r\n"
        "<gone@example.com>:\r\nSorry, no mailbox here by that name. (#5.1.1)\r\n\r\n"
        "--- Below this line is a copy of the message.\r\n\r\nTo: other@example.com\r\n"
    ).encode()
    found = classify(message)
    assert found.kind == "bounce" and found.permanent == ("gone@example.com",)


def test_an_unknown_charset_is_read_as_far_as_possible():
    found = classify(raw("Subject: Re: hola\r\n", "Sí", content_type="text/plain; charset=x-unknown"))
    assert found.kind == "reply" and found.text.startswith("S")


def test_bytes_that_are_not_mail_are_unreadable_or_unmatched():
    try:
        found = classify(b"\x00\xff" * 50)
    except Unreadable:
        return
    assert found.sender is None
