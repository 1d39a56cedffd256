"""Everything leadloop shows on a terminal: two Rich consoles and the few shapes of output.

Text from leads and from incoming mail is shown as text (SPEC §4), and this module is
the one place that makes it so: every line, note, error, table cell and bar label goes
through `shown()`, and reaches Rich as a `Text` object, never as a markup string. So a
name like "[/]" cannot crash a table, "[link=…]" cannot become a hyperlink, ":smile:"
stays a word, and an escape sequence in a stranger's reply (ESC, CSI, OSC 8 links, BEL,
C1 controls, the bidi overrides of "Trojan Source", CVE-2021-42574) is shown escaped
("\\x1b", "\\u202e") instead of being obeyed. A command built on `line`, `table` or
`bars` gets this for free.

JSON goes to stdout through plain `write`, never through Rich, so nothing (markup,
wrapping, colour) can alter the document a script reads; `emit_json` only writes the
few characters a terminal would obey as \\u escapes, which parse back to the same text.
"""

from __future__ import annotations

import functools
import json
import re
import sys
import unicodedata


# Rich costs ~40 ms to import: more than `due --json` may take in all (BENCH.md B2).
# The consoles are made on first use, so JSON and quiet runs never load it.
@functools.cache
def _out():
    from rich.console import Console

    return Console(highlight=False)


@functools.cache
def _err():
    from rich.console import Console

    return Console(stderr=True, highlight=False)


# Zero-width (non-)joiners are format characters too, but they only join emoji and the
# letters of Persian or Indic names; they move nothing and hide nothing.
_JOINERS = frozenset("\u200c\u200d")


@functools.lru_cache(maxsize=1024)
def _visible(char: str) -> str:
    """One character as a terminal may show it: itself, or a visible escape."""
    category = unicodedata.category(char)
    # Cc: C0, DEL and C1 controls, which start terminal escape sequences. Cf: invisible
    # format characters, the bidi embeddings, overrides and isolates among them. Zl, Zp:
    # line and paragraph separators. Cs: a lone surrogate no terminal can print.
    if category in ("Cc", "Zl", "Zp", "Cs") or (category == "Cf" and char not in _JOINERS):
        return char.encode("unicode_escape").decode("ascii")  # "\\x1b", "\\u202e", "\\n"
    return char


def shown(value, *, multiline: bool = False) -> str:
    """`value` as text that a terminal shows and never obeys.

    Controls and invisible format characters become visible escapes ("\\x1b[31m",
    "\\u202e"), so a line stays one line; with `multiline` (a table cell, which is a box)
    line breaks are kept as line breaks."""
    text = "" if value is None else str(value)
    if text.isprintable():  # nearly every value: one pass in C
        return text
    if multiline:
        text = text.replace("\r\n", "\n")
        return "\n".join(_escaped(part) for part in text.split("\n"))
    return _escaped(text)


def _escaped(text: str) -> str:
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else _visible(char) for char in text)


def _text(value, style: str = "", *, multiline: bool = False):
    """A Rich Text: Rich never reads markup or emoji codes in one."""
    from rich.text import Text

    return Text(shown(value, multiline=multiline), style=style)


def error(message: str) -> None:
    # Messages name config sections ("[smtp] port ...") and quote data: text, never markup.
    _err().print(_labelled("error:", "bold red", message), soft_wrap=True)


def warning(message: str) -> None:
    _err().print(_labelled("warning:", "yellow", message), soft_wrap=True)


def _labelled(label: str, style: str, message: str):
    from rich.text import Text

    return Text.assemble((label, style), " ", shown(message))


def note(message: str) -> None:
    """A plain line on stderr (progress, hints): kept off stdout, which scripts read."""
    _err().print(_text(message), soft_wrap=True)


def line(message: str) -> None:
    _out().print(_text(message), soft_wrap=True)


# What json.dumps(ensure_ascii=False) writes raw though a terminal could obey it: DEL,
# the C1 controls (U+009B is CSI), and every non-ASCII character, checked one by one
# only when the document has one that is not printable (see _json_safe).
_JSON_SUSPECT = re.compile(r"[^\x00-\x7e]")


def _json_safe(match: re.Match) -> str:
    char = match.group()
    if char.isprintable() or _visible(char) == char:
        return char
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # JSON spells a character beyond the BMP as a UTF-16 surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def emit_json(document) -> None:
    """One JSON document on stdout; the parsed document is exactly `document`.

    json.dumps escapes C0 controls; the other characters `shown()` would escape (C1,
    bidi overrides, line separators) are written as \\u escapes here, which any JSON
    reader turns back into the same characters, so `leads --json` on a terminal is as
    safe as `leads`."""
    text = json.dumps(document, ensure_ascii=False, indent=2)
    if not text.replace("\n", "").isprintable():  # fast path: one pass in C
        text = _JSON_SUSPECT.sub(_json_safe, text)
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def table(title: str | None, columns: list[str], rows: list[list]) -> None:
    """A table; every cell is shown as text (a cell keeps its line breaks)."""
    from rich.table import Table

    view = Table(title=_text(title) if title else None, show_edge=False, header_style="bold")
    for column in columns:
        view.add_column(_text(column), overflow="fold")
    for row in rows:
        view.add_row(*(_text(cell, multiline=True) for cell in row))
    _out().print(view)


def bars(title: str, rows: list[tuple[str, float, str]], width: int = 30) -> None:
    """A horizontal bar chart: (label, value, text shown after the bar) per row."""
    from rich.cells import cell_len

    _out().print(_text(title, "bold"))
    if not rows:
        _out().print(_text("  (nothing yet)"))
        return
    labels = [shown(label) for label, _, _ in rows]
    top = max(value for _, value, _ in rows) or 1
    label_width = max(cell_len(label) for label in labels)
    for label, (_, value, text) in zip(labels, rows):
        filled = value / top * width
        bar = "█" * int(filled) + ("▌" if filled - int(filled) >= 0.5 else "")
        padding = " " * (label_width - cell_len(label))
        _out().print(_text(f"  {padding}{label} {bar:<{width + 1}} {shown(text)}"), soft_wrap=True)


def question_table(items: list[dict], age) -> None:
    """Open questions; the age in red once it passes [customers] answer_within."""
    from rich.table import Table

    view = Table(title=_text("Open questions"), show_edge=False, header_style="bold")
    for column in ("age", "customer", "question"):
        view.add_column(_text(column), overflow="fold")
    for item in items:
        who = f"{item['name']} <{item['email']}>" if item["name"] else item["email"]
        question = (item["text"] or "").replace("\r\n", " ").replace("\n", " ")[:200]
        view.add_row(_text(age(item["age_hours"]), "bold red" if item["late"] else ""),
                     _text(who), _text(question))
    _out().print(view)


def is_terminal() -> bool:
    return _out().is_terminal


def progress(total: int | None, description: str):
    """A progress bar on a terminal, else a no-op with the same interface."""
    if not _err().is_terminal:
        return _NoProgress()
    from rich.progress import Progress

    bar = Progress(console=_err(), transient=True)
    return _Bar(bar, bar.add_task(description, total=total))


class _NoProgress:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def advance(self, amount: int = 1) -> None:
        pass

    def update(self, completed: int, total: int | None = None) -> None:
        pass


class _Bar(_NoProgress):
    def __init__(self, bar, task):
        self.bar, self.task = bar, task

    def __enter__(self):
        self.bar.start()
        return self

    def __exit__(self, *exc):
        self.bar.stop()
        return False

    def advance(self, amount: int = 1) -> None:
        self.bar.advance(self.task, amount)

    def update(self, completed: int, total: int | None = None) -> None:
        self.bar.update(self.task, completed=completed, total=total)
