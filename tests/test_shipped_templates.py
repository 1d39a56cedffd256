"""Golden files of the shipped templates: the exact bytes a lead would receive.

Set LEADLOOP_UPDATE_GOLDEN=1 to rewrite them after a deliberate template change, then
read the diff as a marketer would."""

import html
import os
import re
from datetime import datetime, timezone
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from leadloop.clock import to_db
from leadloop.config import load_config
from leadloop.render import Renderer

GOLDEN = Path(__file__).parent / "golden"
NOW = datetime(2026, 6, 15, 8, 30, tzinfo=timezone.utc)
REQUESTED = datetime(2026, 3, 2, 17, 45, tzinfo=timezone.utc)

LEADS = {
    "accents": ("José Muñoz Núñez", "Curso de fotografía"),
    "no-name": (None, "Taller de acuarela"),
    "long-product": ("Ana Peña", "Curso avanzado de fotografía digital, iluminación de estudio "
                                 "y retoque profesional con software libre (edición de otoño)"),
}


def lead(name, product, locale):
    return {"id": 1, "email": "cliente@example.com", "name": name, "product": product,
            "source": "Anuncio", "locale": locale, "timezone": None, "fields": None,
            "requested_at": to_db(REQUESTED), "referred_by": None}


def cases():
    for locale in ("es", "en"):
        for kind, step in (("info", 0), ("followup", 1)):
            for label in LEADS:
                yield pytest.param(locale, kind, step, label, id=f"{locale}-{kind}-{label}")


@pytest.mark.parametrize("locale, template, step, label", list(cases()))
def test_shipped_template_matches_its_golden_file(tmp_path, locale, template, step, label):
    renderer = Renderer(load_config(None))
    name, product = LEADS[label]
    data = renderer.render(lead(name, product, locale), step, template,
                           "<golden-1@example.com>", NOW).data
    golden = GOLDEN / f"{locale}-{template}-{label}.eml"
    if os.environ.get("LEADLOOP_UPDATE_GOLDEN"):
        golden.write_bytes(data)
    assert data == golden.read_bytes()

    message = BytesParser(policy=policy.default).parsebytes(data)
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    page = message.get_body(("html",)).get_content()
    # The signature separator is "-- " (dash, dash, space: RFC 3676 §4.3), which mail
    # clients use to fold the signature; it survives rendering and quoted-printable.
    assert "\n-- \n" in text
    assert b"\n--=20\n" in data.replace(b"\r\n", b"\n")
    assert words(text) == words(strip_tags(page))
    if name:
        assert name.split()[0] in text
    assert product in " ".join(text.split())
    if locale == "es" and template == "followup":
        assert "¡Hola de nuevo" in text and "¿Aún me recuerda?" in text
        assert "Hace 3 meses" in text


def strip_tags(page: str) -> str:
    inline_removed = re.sub(r"</?a\b[^>]*>", "", page)
    return html.unescape(re.sub(r"<[^>]+>", " ", inline_removed))


def words(text: str) -> list[str]:
    return text.split()


CONTACTS = [  # [sender] contact in each form (issue #27 item 2) → the link in the HTML part
    ("ventas@tienda.es", "mailto:ventas@tienda.es", "ventas@tienda.es"),
    ("+34 600 12 34 56", "tel:+34600123456", "+34 600 12 34 56"),
    ("https://tienda.es/contacto", "https://tienda.es/contacto", "https://tienda.es/contacto"),
    ("wa.me/34600123456", "https://wa.me/34600123456", "wa.me/34600123456"),
    ("pregunte por Laura en la tienda", None, "pregunte por Laura en la tienda"),
]


@pytest.mark.parametrize("locale", ["es", "en"])
@pytest.mark.parametrize("template, step", [("info", 0), ("followup", 1)])
@pytest.mark.parametrize("contact, href, shown", CONTACTS, ids=[c[0] for c in CONTACTS])
def test_every_form_of_contact_reads_and_links(tmp_path, locale, template, step, contact, href, shown):
    config = tmp_path / "leadloop.toml"
    config.write_text(f'[sender]\ncontact = "{contact}"\n', encoding="utf-8")
    data = Renderer(load_config(config)).render(lead("Ana Peña", "Curso", locale), step, template,
                                                "<c-1@example.com>", NOW).data
    message = BytesParser(policy=policy.default).parsebytes(data)
    text = " ".join(message.get_body(("plain",)).get_content().split())
    page = message.get_body(("html",)).get_content()
    assert f": {shown}." in text
    if href:
        assert f'<a href="{html.escape(href)}">{html.escape(shown)}</a>' in page
        assert "mailto:" not in page.split("-- ")[0] or href.startswith("mailto:")
    else:
        assert f": {shown}." in " ".join(page.split()) and "<a href" not in page.split("-- ")[0]
