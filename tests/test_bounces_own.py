"""Bounces in old and odd formats, written for leadloop (tests/fixtures/bounces_own,
issue #25 items 2 and 3), read by the inbox from a real Maildir: the recipient found in
its X.400 / Exchange 5.5 form, and no version number taken for a status."""

from __future__ import annotations

from pathlib import Path

import pytest

from leadloop.bounces import unwrap_x400
from test_inbox import leads, read, status  # noqa: F401
from test_inbox import project  # noqa: F401  (the fixture)

HERE = Path(__file__).parent / "fixtures" / "bounces_own"


@pytest.mark.parametrize("name, email", [
    ("exchange55-dda.eml", "jose.munoz@example.com"),
    ("x400-final-recipient.eml", "ana.pena@example.org"),
    ("exim-unknown-user-versions.eml", "tom@example.net"),
])
def test_the_lead_named_in_an_old_format_is_bounced(project, run, name, email):
    project.deliver((HERE / name).read_bytes())
    summary = read(run)
    assert summary["bounces"] == 1 and summary["unrecognised"] == 0
    assert status(run, email) == "bounced"
    assert sum(lead["status"] == "bounced" for lead in leads(run).values()) == 1


@pytest.mark.parametrize("text, plain", [
    ("c=US;a= ;p=Org;o=Site;dda:SMTP=John.Doe@example.com;", "John.Doe@example.com"),
    ("/C=ES/ADMD= /PRMD=Corp/RFC-822=jane(u)doe(a)example.org/", "jane_doe@example.org"),
    ("INTERNET=ana@example.org", "ana@example.org"),
])
def test_x400_forms_are_unwrapped(text, plain):
    assert plain in unwrap_x400(text)


def test_ordinary_text_is_left_alone():
    for text in ("Diagnostic-Code: smtp; 550 a=b", "size=1024 bytes", "ana@example.org"):
        assert unwrap_x400(text) == text


def test_blank_lines_before_the_headers_do_not_hide_a_bounce():
    from leadloop.classify import classify

    raw = b"\r\n   \r\n" + (HERE / "x400-final-recipient.eml").read_bytes()
    incoming = classify(raw)
    assert incoming.kind == "bounce" and [f.address for f in incoming.failures] == ["ana.pena@example.org"]
