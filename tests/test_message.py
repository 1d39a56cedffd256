"""message.py builds bytes by hand; the standard library's parser must read them back
exactly, and no value may ever add a header or a recipient."""

from datetime import datetime, timezone
from email import policy
from email.parser import BytesParser

import pytest

from leadloop.message import build

HOSTILE_NAMES = [
    "Ana\r\nBcc: x@evil.test",
    "=?UTF-8?Q?=0A?=Bcc: x@evil.test",
    "José Muñoz Núñez " * 30,
    "{{ 7*7 }}",
    'Ana "la jefa" O\'Brien, Jr.',
    "Ana\x00\x0bLópez\u2028Bcc: y@evil.test",
]


def make(**overrides):
    values = dict(
        from_name="Laura Vidal", from_address="laura@example.com",
        to_name="José Muñoz", to_address="jose@example.com",
        subject="¿Aún me recuerda?", date=datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc),
        message_id="<abc@example.com>", text="¡Hola de nuevo! ¿Aún me recuerda? ñ á\n",
        list_unsubscribe="<mailto:baja@example.com?subject=unsubscribe>",
    )
    values.update(overrides)
    return build(**values)


def text_of(part) -> str:
    return part.get_content().replace("\r\n", "\n")


def parse(data: bytes):
    return BytesParser(policy=policy.default).parsebytes(data)


def test_headers_and_utf8_body_parse_back():
    message = parse(make().data)
    assert message["From"].addresses[0].display_name == "Laura Vidal"
    assert message["To"].addresses[0].display_name == "José Muñoz"
    assert message["To"].addresses[0].addr_spec == "jose@example.com"
    assert str(message["Subject"]) == "¿Aún me recuerda?"
    assert message["Message-ID"] == "<abc@example.com>"
    assert message["Date"].datetime == datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    assert text_of(message) == "¡Hola de nuevo! ¿Aún me recuerda? ñ á\n"
    assert message.defects == []


def test_every_line_is_crlf_terminated_and_short():
    data = make(subject="x" * 300, to_name="María " * 40).data
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert all(len(line) <= 998 for line in data.split(b"\r\n"))


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_names_never_make_headers(name):
    data = make(to_name=name, subject=f"Sobre {name}").data
    head = data.split(b"\r\n\r\n", 1)[0]
    message = parse(data)
    names = [key.lower() for key in message.keys()]
    assert names == ["from", "to", "subject", "date", "message-id", "list-unsubscribe",
                     "mime-version", "content-type", "content-transfer-encoding"]
    assert not any(line.lower().startswith(b"bcc") for line in head.split(b"\r\n"))
    assert [a.addr_spec for a in message["To"].addresses] == ["jose@example.com"]
    expected = " ".join(name.replace("\r\n", " ").replace("\x00", " ").replace("\x0b", " ")
                        .replace("\u2028", " ").split())
    assert " ".join(message["To"].addresses[0].display_name.split()) == expected


def test_literal_encoded_word_stays_literal():
    message = parse(make(subject="=?UTF-8?Q?=0A?=Bcc: x@evil.test").data)
    assert str(message["Subject"]) == "=?UTF-8?Q?=0A?=Bcc: x@evil.test"


def test_html_alternative_keeps_the_text_part():
    message = parse(make(html="<p>¡Hola!</p>").data)
    assert message.get_content_type() == "multipart/alternative"
    assert text_of(message.get_body(("plain",))) == "¡Hola de nuevo! ¿Aún me recuerda? ñ á\n"
    assert message.get_body(("html",)).get_content().strip() == "<p>¡Hola!</p>"


def test_one_click_unsubscribe_header():
    message = parse(make(list_unsubscribe="<mailto:b@example.com>, <https://example.com/u>",
                         one_click=True).data)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@pytest.mark.parametrize("subject", [
    "¿Aún me recuerda? " * 12,
    "Información sobre el Curso Avanzado de Fotografía Digital y Retoque Profesional con Lightroom",
    "x" * 120,
    "Ñandú",
])
def test_long_and_non_ascii_subjects_parse_back_to_the_same_text(subject):
    data = make(subject=subject).data
    assert str(parse(data)["Subject"]) == subject.strip()
    assert all(len(line) <= 78 for line in data.split(b"\r\n\r\n")[0].split(b"\r\n"))
