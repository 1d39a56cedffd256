"""Text from leads and from incoming mail is shown as text (SPEC §4, issue #16).

The commands run as on a colour terminal (Rich forced to one, as FORCE_COLOR does), the
worst case: that is where markup would turn into styles and links, and where an escape
sequence would be obeyed. What leadloop prints itself is SGR colour; anything else that
starts with ESC, any C1 control or bidi override in the output came from the data.
"""

from __future__ import annotations

import json
import re
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from test_inbox import Maildir

from leadloop import output

NOW = "2026-03-02T10:00"
LATER = "2026-03-03T10:00"

# Everything a stranger's reply or a spreadsheet cell may carry to a terminal.
OSC8_LINK = "\x1b]8;;https://evil.test\x07click me\x1b]8;;\x07"
CLEAR_SCREEN = "\x1b[2J\x1b[H"
TITLE = "\x1b]0;pwned\x07"
C1_CSI = "\x9b31m"
BIDI = "invoice\u202egpj.exe"
MARKUP_NAMES = ["[/]", "[link=https://evil.test]x[/link]", "[bold red]Ana[/bold red] :smile:"]
# The escapes a control or bidi character is shown as.
SHOWN = {"\x1b": "\\x1b", "\x07": "\\x07", "\x9b": "\\x9b", "\u202e": "\\u202e"}

_SGR = re.compile(r"\x1b\[[0-9;]*m")
_DANGEROUS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


# What Rich's progress bar writes on stderr: hide/show the cursor, erase the line, go up.
_PROGRESS = re.compile(r"\x1b\[\?25[lh]|\x1b\[[0-9]*[AK]|\r")


def on_screen(text: str, *, progress: bool = False) -> str:
    """The output without leadloop's own colours; fails on anything a terminal would obey."""
    assert "\x1b]" not in text, f"an OSC sequence (link, title) reached the terminal: {text!r}"
    plain = _SGR.sub("", text)
    if progress:
        plain = _PROGRESS.sub("", plain)
    leaked = _DANGEROUS.search(plain)
    assert leaked is None, f"{leaked.group()!r} reached the terminal raw: {plain!r}"
    return plain


def escaped(text: str) -> str:
    for char, shown in SHOWN.items():
        text = text.replace(char, shown)
    return text


@pytest.fixture
def terminal(monkeypatch):
    """Rich made afresh as for a colour terminal, and made afresh again afterwards."""
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLUMNS", "250")
    output._out.cache_clear()
    output._err.cache_clear()
    yield
    output._out.cache_clear()
    output._err.cache_clear()


def ok(result):
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result


@pytest.fixture
def shop(tmp_path, run, terminal):
    """Leads whose names are markup, their info packs sent, and a Maildir for replies."""
    (tmp_path / "leadloop.toml").write_text(
        '[sender]\nname = "Laura"\naddress = "laura@lauravidal.es"\n\n[inbox]\nmaildir = "mail"\n',
        encoding="utf-8")
    rows = "".join(f'"lead{i}@example.com","{name}","Curso {name}","{name}"\n'
                   for i, name in enumerate(MARKUP_NAMES))
    (tmp_path / "leads.csv").write_text("email,nombre,producto,origen\n" + rows, encoding="utf-8")
    ok(run("--now", NOW, "import", "leads.csv"))
    box = Maildir(tmp_path / "mail")
    ok(run("--now", NOW, "run-daily"))
    return box


def raw_reply(sender: str, subject_words: str, body: str, *, message_id: str,
              in_reply_to: str | None = None) -> bytes:
    """A reply as a hostile sender writes it: the subject an RFC 2047 word hiding escapes,
    the body quoted-printable with raw control bytes."""
    import base64
    import binascii

    subject = "=?utf-8?b?" + base64.b64encode(subject_words.encode()).decode() + "?="
    head = (f"From: {sender}\r\nTo: laura@lauravidal.es\r\nSubject: {subject}\r\n"
            f"Message-ID: {message_id}\r\nDate: Mon, 02 Mar 2026 12:00:00 +0100\r\n"
            + (f"In-Reply-To: {in_reply_to}\r\n" if in_reply_to else "")
            + 'MIME-Version: 1.0\r\nContent-Type: text/plain; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n")
    return head.encode() + binascii.b2a_qp(body.encode(), istext=True).replace(b"\n", b"\r\n")


def test_markup_in_names_is_shown_as_written_by_leads_and_show(shop, run):
    listed = on_screen(ok(run("--now", NOW, "leads")).stdout)
    for name in MARKUP_NAMES:
        assert name in listed and f"Curso {name}" in listed
    assert "😄" not in listed  # ":smile:" is a word, not an emoji code
    for i, name in enumerate(MARKUP_NAMES):
        shown = on_screen(ok(run("--now", NOW, "show", f"lead{i}@example.com")).stdout)
        assert f"name: {name}" in shown and f"source: {name}" in shown
    due = on_screen(ok(run("--now", "2026-05-04T10:00", "due", "--all")).stdout)
    assert "lead0@example.com" in due
    # --json is the data itself, untouched.
    data = json.loads(run("leads", "--json").stdout)
    assert [lead["name"] for lead in data] == MARKUP_NAMES


def test_a_hostile_reply_never_reaches_the_terminal_raw(shop, run):
    subject = f"[/] {OSC8_LINK} {TITLE}{C1_CSI} {BIDI}"
    body = f"Hola {CLEAR_SCREEN}[link=https://evil.test]aquí[/link]\n{TITLE}adiós {BIDI}"
    shop.deliver(raw_reply("lead0@example.com", subject, body, message_id="<r1@mail.example.net>"))
    summary = json.loads(ok(run("--now", LATER, "inbox", "--json")).stdout)
    assert summary["replies"] == 1

    shown = on_screen(ok(run("--now", LATER, "show", "lead0@example.com")).stdout)
    assert escaped(subject) in shown
    assert escaped("[link=https://evil.test]aquí[/link]") in shown and "\\x1b[2J" in shown
    assert escaped(BIDI) in shown
    # The stored reply is exactly what arrived: only its display is escaped.
    events = json.loads(run("show", "lead0@example.com", "--json").stdout)["events"]
    reply = next(e for e in events if e["kind"] == "reply")
    assert reply["subject"] == subject
    assert on_screen(run("show", "lead0@example.com", "--json").stdout)  # C1 and bidi as \u escapes


def test_a_customer_question_and_a_survey_answer_are_shown_as_text(shop, run, tmp_path):
    ok(run("--now", LATER, "mark", "lead1@example.com", "customer"))
    shop.deliver(raw_reply("lead1@example.com", f"Pregunta {BIDI}",
                           f"¿Factura? {OSC8_LINK} [/]", message_id="<q1@mail.example.net>"))
    ok(run("--now", LATER, "inbox"))
    questions = on_screen(ok(run("--now", LATER, "questions")).stdout)
    assert escaped(f"¿Factura? {OSC8_LINK} [/]") in questions
    assert "[link=https://evil.test]x[/link] <lead1@example.com>" in questions

    ok(run("--now", LATER, "survey", "send", "opinion", "--to", "customer", "--yes"))
    sent = [BytesParser(policy=policy.default).parsebytes(path.read_bytes())
            for path in (tmp_path / "outbox").rglob("*") if path.is_file()]
    [survey] = [m for m in sent if m["To"].addresses[0].addr_spec == "lead1@example.com"
                and "recomendar" in m.get_body(("plain",)).get_content()]
    answer = f"[/]{TITLE}{C1_CSI}{BIDI}"
    shop.deliver(raw_reply("lead1@example.com", "Re: encuesta", answer + "\n",
                           message_id="<s1@mail.example.net>", in_reply_to=survey["Message-ID"]))
    assert json.loads(ok(run("--now", LATER, "inbox", "--json")).stdout)["survey_answers"] == 1
    results = on_screen(ok(run("survey", "results", "opinion")).stdout)
    assert escaped(answer) in results


def test_rejected_rows_and_errors_quote_data_as_text(run, tmp_path, terminal):
    bad = f"ana{C1_CSI}{BIDI}@example.com"
    (tmp_path / "leads.csv").write_text(f'email,nombre\n"{bad}",Ana\n"[/]@x",[/]\n', encoding="utf-8")
    result = ok(run("--now", NOW, "import", "leads.csv"))
    notes = on_screen(result.stderr, progress=True)
    assert escaped(bad) in notes and '"[/]@x"' in notes
    assert len([line for line in notes.splitlines() if line.startswith("leads.csv:")]) == 2

    missing = run("--now", NOW, "show", f"[/]{OSC8_LINK}\nerror: forged line")
    assert missing.exit_code == 2 and "Traceback" not in missing.stderr
    lines = on_screen(missing.stderr).strip().splitlines()
    assert len(lines) == 1  # a line break in the data cannot forge a second line
    assert escaped(f"[/]{OSC8_LINK}") + "\\nerror: forged line" in lines[0]


def test_escapes_are_visible_and_text_is_left_alone():
    assert output.shown("Ana Peña Núñez 👩‍👩‍👧 日本") == "Ana Peña Núñez 👩‍👩‍👧 日本"
    assert output.shown("a\u00a0b") == "a\u00a0b"  # a no-break space is a space
    assert output.shown("\x1b[31mred\x9b\x07\u202e\u2066\u2028\ufeff\U000e0041") == (
        "\\x1b[31mred\\x9b\\x07\\u202e\\u2066\\u2028\\ufeff\\U000e0041")
    assert output.shown("uno\r\ndos\nya", multiline=True) == "uno\ndos\nya"
    assert output.shown("uno\r\ndos") == "uno\\r\\ndos"
    assert output.shown(None) == "" and output.shown(7) == "7"


def test_a_server_reply_quoted_in_a_warning_is_shown_as_text(run, tmp_path, smtp_server, terminal):
    """What a mail server answers is data too: run-daily quotes a refusal in its warning."""
    (tmp_path / "leadloop.toml").write_text(
        '[sender]\nname = "Laura"\naddress = "laura@lauravidal.es"\n\n'
        f'[smtp]\nhost = "{smtp_server.host}"\nport = {smtp_server.port}\nsecurity = "none"\n',
        encoding="utf-8")
    (tmp_path / "leads.csv").write_text("email,nombre\nana@example.com,Ana\n", encoding="utf-8")
    ok(run("--now", NOW, "import", "leads.csv"))
    smtp_server.rcpt_replies = {
        "ana@example.com": "554 5.7.1 [/] \x1b]8;;https://evil.test\x07spam\x1b]8;;\x07\x1b[2J"}
    result = run("--now", NOW, "run-daily")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    # A refusal as spam is the sender's (SPEC §6): the run stops with one sentence.
    [warning] = on_screen(result.stderr).strip().splitlines()
    assert warning.startswith("error: The mail server ")
    assert "[/] \\x1b]8;;https://evil.test\\x07spam\\x1b]8;;\\x07\\x1b[2J" in warning
    assert "1 wait because of the sender" in on_screen(result.stdout)
    assert smtp_server.count == 0


# -- a line into a pipe is written without Rich (bench/run.py B4C) --------------------------

from hypothesis import example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
@example("[bold red]Ana[/bold red] :smile: [smtp] port")
@example(OSC8_LINK + CLEAR_SCREEN + C1_CSI + BIDI)
@example("José Muñoz 日本語 " * 30)
@example("")
def test_a_line_into_a_pipe_is_what_rich_writes_there(message):
    """output.line and output.note write a line to a stream that is not a terminal
    themselves (Rich costs ~40 ms to import): byte for byte what Rich's console wrote."""
    import io

    from rich.console import Console

    rich_file, plain_file = io.StringIO(), io.StringIO()
    console = Console(file=rich_file, highlight=False, _environ={})
    console.print(output._text(message), soft_wrap=not console.is_terminal)
    output._write_plain(plain_file, message)
    assert plain_file.getvalue() == rich_file.getvalue()


def test_due_into_a_pipe_loads_no_rich(tmp_path, run):
    import subprocess
    import sys

    from cli_checks import import_csv

    import_csv(run, tmp_path, "email,fecha\nana@example.com,01/03/2026\nbea@example.com,01/03/2026\n")
    # One a day: due says on stderr that the other waits (a sentence, counted in English).
    (tmp_path / "leadloop.toml").write_text("[cadence]\ndaily_limit = 1\n", encoding="utf-8")
    (tmp_path / "templates").mkdir(exist_ok=True)
    code = ("import runpy, sys\nsys.argv = ['leadloop', '--now', '2026-03-02T10:00', 'due']\n"
            "try:\n    runpy.run_module('leadloop', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "print('rich' in sys.modules, file=sys.stderr)")
    env = {k: v for k, v in __import__("os").environ.items()
           if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                            text=True, env=env)
    assert "ana@example.com" in result.stdout
    assert result.stderr.strip().splitlines()[0].startswith("1 more due message waits for the daily limit")
    assert result.stderr.strip().splitlines()[-1] == "False", result.stderr
