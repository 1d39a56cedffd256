"""Arbitrary text stays in its place (issue #16, Acceptance): a property test.

Whatever a lead's fields, a config's sender name or a stranger's reply hold (control
characters, CR/LF/NUL, Rich markup, ANSI and OSC escapes, RFC 2047 encoded words, bidi
controls, HTML, very long strings), fed through every place text leaves leadloop:

- a mail header: the message parses back with the standard library's strict parser to
  exactly the headers the template has, none holding CR or LF, one recipient, and the
  display name and subject read back as the data with its controls made spaces;
- the HTML alternative: the page has exactly the tags and attributes of the template
  (Jinja autoescapes lead values in .html templates), and an attribute holds the data;
- a terminal: `leads` and `show`, as on a colour terminal, print no ESC other than
  leadloop's own colours, no C1 control, no bidi control, no link, and show the data,
  escaped where needed, as written.
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import datetime, timezone
from email import policy
from email.parser import BytesParser
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_terminal_text import on_screen

from leadloop import output
from leadloop.clock import to_db
from leadloop.config import load_config
from leadloop.errors import ConfigError
from leadloop.message import clean
from leadloop.render import Renderer

NOW = datetime(2026, 6, 15, 8, 30, tzinfo=timezone.utc)
EMAIL = "cliente@example.com"

FRAGMENTS = [
    "\r\n", "\r", "\n", "\x00", "\t", "\x0b", "\x7f", "\x85", "\u2028", "\u2029",
    "Bcc: x@evil.test", "\r\nBcc: x@evil.test", "\nTo: y@evil.test",
    "=?utf-8?b?DQpCY2M6IHhAZXZpbC50ZXN0?=", "=?UTF-8?Q?=0D=0ABcc:_x@evil.test?=", "=?", "?=",
    "\x1b[31m", "\x1b[2J", "\x1b]8;;https://evil.test\x07", "\x1b]8;;\x07", "\x1b]0;title\x07",
    "\x9b31m", "\x9d8;;https://evil.test\x9c", "\x07", "\x08",
    "\u202e", "\u202d", "\u2066", "\u2069", "\u200f", "\u061c", "\ufeff", "\u200d",
    "[/]", "[bold]", "[link=https://evil.test]x[/link]", ":smile:",
    "<script>alert(1)</script>", "<a href=\"https://evil.test\">", "</p>", "<!--", "-->",
    '"', "'", "<", ">", "&amp;", "&lt;", "{{ 7*7 }}", "{% raw %}", "\\", ",", ";", "@",
    " ", "  ", "é", "ñ", "😀", "日本", "José Muñoz", "x" * 80,
]
hostile = st.one_of(
    st.text(max_size=60),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=8).map("".join),
)

# ---- headers and HTML ------------------------------------------------------------------

TEXT_TEMPLATE = (
    "Subject: {{ first_name }} · {{ product }} · {{ source }} · {{ campaign }}\n"
    "X-Campaign: {{ campaign }}\n"
    "\n"
    "Hola {{ name }}: {{ product }} ({{ source }}, {{ campaign }}).\n"
)
HTML_TEMPLATE = (
    "Subject: unused\n"
    "\n"
    '<p title="{{ name }}">Hola {{ first_name }}:</p>\n'
    '<p class="p">{{ product }}</p><a href="https://shop.example/?c={{ campaign|urlencode }}">'
    "{{ source }}</a>\n"
    "<p>{{ campaign }}</p>\n"
)
EXPECTED_HEADERS = {"from", "to", "subject", "date", "message-id", "list-unsubscribe",
                    "x-campaign", "mime-version", "content-type"}


class Structure(HTMLParser):
    """Every tag, attribute name, comment and declaration of a page, in order; and the
    attributes' values."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.events: list[tuple] = []
        self.attributes: dict[str, str | None] = {}
        self.feed(page)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.events.append(("start", tag, tuple(name for name, _ in attrs)))
        self.attributes.update(attrs)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        self.events.append(("end", tag))

    def handle_comment(self, data):
        self.events.append(("comment",))

    def handle_decl(self, decl):
        self.events.append(("decl",))

    def handle_pi(self, data):
        self.events.append(("pi",))

    def unknown_decl(self, data):
        self.events.append(("unknown",))


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    base = tmp_path_factory.mktemp("templates")
    (base / "es").mkdir()
    (base / "es" / "info.txt").write_text(TEXT_TEMPLATE, encoding="utf-8")
    (base / "es" / "info.html").write_text(HTML_TEMPLATE, encoding="utf-8")
    return base


def lead(name, product, source, campaign, locale="es"):
    return {"id": 1, "email": EMAIL, "name": name, "product": product, "source": source,
            "locale": locale, "timezone": None, "fields": json.dumps({"campaign": campaign}),
            "requested_at": to_db(datetime(2026, 3, 2, 17, 45, tzinfo=timezone.utc)),
            "referred_by": None}


def config_with_sender(tmp_path, templates_dir, sender_name: str):
    """The sender's name goes through the config file, as a user would write it; a name
    the config refuses is a ConfigError with the key named, and None is returned."""
    path = tmp_path / "leadloop.toml"
    # JSON's escapes (\n, \u001b, \") are TOML's too.
    path.write_text(f"[sender]\nname = {json.dumps(sender_name, ensure_ascii=False)}\n"
                    'address = "laura@lauravidal.es"\n'
                    f"[templates]\ndir = {json.dumps(str(templates_dir))}\n", encoding="utf-8")
    try:
        return load_config(path)
    except ConfigError as err:
        assert str(err).startswith(f"{path}: ")
        assert "[sender] name" in str(err) or "not valid TOML" in str(err)
        return None


_RENDERERS: dict = {}


def _renderer(templates_dir) -> Renderer:
    if templates_dir not in _RENDERERS:
        _RENDERERS[templates_dir] = Renderer(load_config(None))
        _RENDERERS[templates_dir].search_path[0] = templates_dir
    return _RENDERERS[templates_dir]


def parse_strictly(data: bytes):
    """The strict policy raises on any defect, found as each header is read."""
    message = BytesParser(policy=policy.strict).parsebytes(data)
    values = {name.lower(): str(value) for name, value in message.items()}
    return message, values


def same_words(read_back: str, written: str) -> bool:
    """A display name reads back as the data, controls made spaces, up to whitespace.

    message.py splits a long name into several encoded words; RFC 2047 §6.2 says a
    reader drops the folding whitespace between them, but Python's address parser keeps
    it, so a word cut between two encoded words reads back with a space inside."""
    return "".join(read_back.split()) == "".join(clean(written).split())


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(name=hostile, product=hostile, source=hostile, campaign=hostile, sender=hostile)
def test_lead_values_never_leave_their_header_or_html_text(
        tmp_path, templates, name, product, source, campaign, sender):
    config = config_with_sender(tmp_path, templates, sender)
    refusable = re.search("[\x00-\x1f\x7f-\x9f\u2028\u2029]", sender.strip()) is not None
    assert (config is None) == refusable
    if config is None:
        config = config_with_sender(tmp_path, templates, "Laura")
    renderer = _renderer(templates)
    renderer.config = config  # the same templates, compiled once for all examples
    data = renderer.render(lead(name, product, source, campaign), 0, "info",
                           "<prop-1@example.com>", NOW).data

    head = data.split(b"\r\n\r\n", 1)[0]
    names = [line.split(b":", 1)[0].decode().lower() for line in head.split(b"\r\n")
             if line[:1] not in (b" ", b"\t")]
    assert sorted(names) == sorted(EXPECTED_HEADERS)  # each once, nothing added

    message, values = parse_strictly(data)
    assert set(values) == EXPECTED_HEADERS
    assert not any("\r" in value or "\n" in value for value in values.values())
    [to] = message["To"].addresses
    assert to.addr_spec == EMAIL
    assert same_words(to.display_name, name)
    [sender_address] = message["From"].addresses
    assert sender_address.addr_spec == "laura@lauravidal.es"
    assert same_words(sender_address.display_name, config.sender.name)
    # The given name the greeting takes (given_names.py: the first word, a compound
    # given name whole, what follows the comma of "Family, Given"); here only where it lands.
    from leadloop.given_names import given_name

    first = given_name(name)
    assert values["subject"] == clean(f"{first} · {product} · {source} · {campaign}")
    assert values["x-campaign"] == clean(campaign)

    page = message.get_body(("html",)).get_content()
    baseline = renderer.render(lead("x", "x", "x", "x"), 0, "info", "<prop-0@example.com>", NOW)
    expected = Structure(BytesParser(policy=policy.strict).parsebytes(baseline.data)
                         .get_body(("html",)).get_content())
    shown = Structure(page)
    assert shown.events == expected.events
    # The body travels with CRLF line ends, so a lone CR or LF reads back as CRLF.
    assert shown.attributes["title"].replace("\r\n", "\n") == \
        name.replace("\r\n", "\n").replace("\r", "\n")


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(name=hostile, product=hostile, locale=st.sampled_from(["es", "en"]))
def test_shipped_html_templates_escape_lead_values(name, product, locale):
    renderer = Renderer(load_config(None))
    message = BytesParser(policy=policy.strict).parsebytes(
        renderer.render(lead(name, product, "x", "x", locale), 0, "info", "<p@example.com>", NOW).data)
    baseline = BytesParser(policy=policy.strict).parsebytes(
        renderer.render(lead("x", "x", "x", "x", locale), 0, "info", "<p@example.com>", NOW).data)
    assert (Structure(message.get_body(("html",)).get_content()).events
            == Structure(baseline.get_body(("html",)).get_content()).events)


# ---- the terminal ------------------------------------------------------------------------

@pytest.fixture
def listed(tmp_path, run, monkeypatch):
    """One lead in a real database, and the consoles made as for a wide colour terminal."""
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLUMNS", "2000")
    output._out.cache_clear()
    output._err.cache_clear()
    assert run("--now", "2026-03-02T10:00", "add", EMAIL, "--name", "Ana").exit_code == 0
    yield sqlite3.connect(tmp_path / "leadloop.db", isolation_level=None)
    output._out.cache_clear()
    output._err.cache_clear()


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(name=hostile, product=hostile, source=hostile, campaign=hostile, subject=hostile,
       text=hostile)
def test_lead_and_mail_values_are_shown_as_text(listed, run, name, product, source, campaign,
                                                 subject, text):
    # Written straight to the database, as a reply's words or an older leadloop's rows
    # arrive there: the importer's cleaning is not what keeps the terminal safe.
    listed.execute("UPDATE leads SET name = ?, product = ?, source = ?, fields = ? WHERE email = ?",
                   (name, product, source, json.dumps({"campaign": campaign}), EMAIL))
    listed.execute("DELETE FROM events")
    listed.execute("INSERT INTO events (lead_id, at, kind, detail) SELECT id, ?, 'reply', ? "
                   "FROM leads WHERE email = ?",
                   ("2026-03-02T11:00:00+00:00", json.dumps({"subject": subject, "text": text}), EMAIL))

    leads = run("--now", "2026-03-02T10:00", "leads")
    assert leads.exit_code == 0 and "Traceback" not in leads.stderr
    table = on_screen(leads.stdout)
    for value in (name, product):
        for part in output.shown(value, multiline=True).split("\n"):
            assert part.strip() in table

    show = run("--now", "2026-03-02T10:00", "show", EMAIL)
    assert show.exit_code == 0 and "Traceback" not in show.stderr
    page = on_screen(show.stdout)
    for key, value in (("name", name), ("product", product), ("source", source),
                       ("campaign", campaign)):
        if value:
            assert f"{key:>13}: {output.shown(value)}".rstrip() in page
    # The timeline tells the reply in words: its subject's and text's first lines, quoted.
    for value in (subject, text):
        first = next((part.strip() for part in value.splitlines() if part.strip()), "")
        if first:
            assert f"«{output.shown(first)}»" in page

    as_json = run("--now", "2026-03-02T10:00", "show", EMAIL, "--json")
    on_screen(as_json.stdout)
    document = json.loads(as_json.stdout)
    assert (document["name"], document["product"], document["source"]) == (name, product, source)
    assert document["events"][0]["subject"] == subject and document["events"][0]["text"] == text
