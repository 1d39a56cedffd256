"""Everything leadloop shows on a terminal: two Rich consoles and the few shapes of output.

JSON goes to stdout through plain `write`, never through Rich, so nothing (markup,
wrapping, colour) can alter the document a script reads.
"""

from __future__ import annotations

import json
import sys

import functools


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


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def error(message: str) -> None:
    # Messages name config sections ("[smtp] port ..."): text, never markup.
    _err().print(f"[bold red]error:[/] {_escape(message)}", markup=True, soft_wrap=True)


def warning(message: str) -> None:
    _err().print(f"[yellow]warning:[/] {_escape(message)}", markup=True, soft_wrap=True)


def note(message: str) -> None:
    """A plain line on stderr (progress, hints): kept off stdout, which scripts read."""
    _err().print(message, markup=False, soft_wrap=True)


def line(message: str) -> None:
    _out().print(message, markup=False, soft_wrap=True)


def emit_json(document) -> None:
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


def table(title: str | None, columns: list[str], rows: list[list[str]]) -> None:
    from rich.table import Table

    view = Table(title=title, show_edge=False, header_style="bold")
    for column in columns:
        view.add_column(column, overflow="fold")
    for row in rows:
        view.add_row(*(str(cell) if cell is not None else "" for cell in row))
    _out().print(view)


def bars(title: str, rows: list[tuple[str, float, str]], width: int = 30) -> None:
    """A horizontal bar chart: (label, value, text shown after the bar) per row."""
    _out().print(title, style="bold", markup=False)
    if not rows:
        _out().print("  (nothing yet)", markup=False)
        return
    top = max(value for _, value, _ in rows) or 1
    label_width = max(len(label) for label, _, _ in rows)
    for label, value, text in rows:
        filled = value / top * width
        bar = "█" * int(filled) + ("▌" if filled - int(filled) >= 0.5 else "")
        _out().print(f"  {label:>{label_width}} {bar:<{width + 1}} {text}", markup=False, highlight=False,
                  soft_wrap=True)


def question_table(items: list[dict], age) -> None:
    """Open questions; the age in red once it passes [customers] answer_within."""
    from rich.table import Table
    from rich.text import Text

    view = Table(title="Open questions", show_edge=False, header_style="bold")
    for column in ("age", "customer", "question"):
        view.add_column(column, overflow="fold")
    for item in items:
        who = f"{item['name']} <{item['email']}>" if item["name"] else item["email"]
        view.add_row(Text(age(item["age_hours"]), style="bold red" if item["late"] else ""),
                     Text(who), Text((item["text"] or "").replace("\n", " ")[:200]))
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
