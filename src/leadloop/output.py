"""Everything leadloop shows on a terminal: two Rich consoles and the few shapes of output.

JSON goes to stdout through plain `write`, never through Rich, so nothing (markup,
wrapping, colour) can alter the document a script reads.
"""

from __future__ import annotations

import json
import sys

from rich.console import Console
from rich.markup import escape

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def error(message: str) -> None:
    # Messages name config sections ("[smtp] port ..."): text, never markup.
    err.print(f"[bold red]error:[/] {escape(message)}", markup=True, soft_wrap=True)


def warning(message: str) -> None:
    err.print(f"[yellow]warning:[/] {escape(message)}", markup=True, soft_wrap=True)


def note(message: str) -> None:
    """A plain line on stderr (progress, hints): kept off stdout, which scripts read."""
    err.print(message, markup=False, soft_wrap=True)


def line(message: str) -> None:
    out.print(message, markup=False, soft_wrap=True)


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
    out.print(view)


def is_terminal() -> bool:
    return out.is_terminal


def progress(total: int | None, description: str):
    """A progress bar on a terminal, else a no-op with the same interface."""
    if not err.is_terminal:
        return _NoProgress()
    from rich.progress import Progress

    bar = Progress(console=err, transient=True)
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
