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
Those writers live in json_stream.py, which a --json path imports without this module.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass

from .json_stream import emit_json, json_array, stream_json  # noqa: F401 (re-exported)
from .json_stream import visible as _visible


# Rich costs ~40 ms to import: more than `due --json` may take in all (BENCH.md B2).
# The consoles are made on first use, so JSON and quiet runs never load it.
@functools.cache
def _out():
    from rich.console import Console

    return Console(highlight=False, _environ=_rich_environ())


@functools.cache
def _err():
    from rich.console import Console

    return Console(stderr=True, highlight=False, _environ=_rich_environ())


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
    _err().print(_labelled("warning:", "yellow", message), soft_wrap=not _err().is_terminal)


def _labelled(label: str, style: str, message: str):
    from rich.text import Text

    return Text.assemble((label, style), " ", shown(message))


def note(message: str) -> None:
    """A plain line on stderr (progress, hints): kept off stdout, which scripts read."""
    if not _is_terminal(sys.stderr, _err):
        _write_plain(sys.stderr, message)
        return
    _err().print(_text(message), soft_wrap=not _err().is_terminal)


def _write_plain(stream, message: str) -> None:
    """What Rich writes for `_text(message)` with soft_wrap where the stream is not a
    terminal (no style, no wrapping, no markup), without importing Rich: ~40 ms of the
    start of every command that prints a sentence into a pipe or cron's mail (`due`,
    `send`, `run-daily`; bench/run.py B4C). tests/test_terminal_text.py holds the two
    equal."""
    stream.write(shown(message) + "\n")
    stream.flush()


def log_line(message: str) -> None:
    """One line of a running server's log on stderr, unstyled and unwrapped: written for
    every request, so without Rich's cost. The caller passes only text it made safe."""
    sys.stderr.write(message + "\n")


def line(message: str) -> None:
    """A line of text; on a terminal a long one is wrapped at word boundaries (piped, it
    stays one line for grep)."""
    if not _is_terminal(sys.stdout, _out):
        _write_plain(sys.stdout, message)
        return
    _out().print(_text(message), soft_wrap=not _out().is_terminal)


@dataclass(frozen=True)
class Column:
    """How a table column gives way when the terminal is narrow.

    Every row of a leadloop table stays on one line (a row folded over three lines is
    unreadable at 80 columns, issue #20): values longer than their column are cut with
    an ellipsis, and when even the columns' `min_width`s do not fit, whole columns go,
    the lowest `priority` first. The width left after every column has its minimum is
    shared by `ratio`, never beyond what a column's longest value needs. A column with
    `min_width=None` is never cut: it shows whole or not at all (a Message-ID cut short
    finds nothing)."""

    header: str
    min_width: int | None = 6
    ratio: int = 1
    priority: int = 0
    justify: str = "left"


# Between two columns: one space of padding on each side (no box lines).
GAP = 2


def fit(columns: list[Column], rows: list[list[str]], width: int) -> list[tuple[int, int]]:
    """(column index, width) of the columns that are shown, in order, for cells already
    made text (`shown`). A pure function of its arguments: tests hold it to the width."""
    from rich.cells import cell_len

    natural = [cell_len(column.header) for column in columns]
    for row in rows:
        for index, cell in enumerate(row):
            natural[index] = max(natural[index], cell_len(cell))
    least = [natural[i] if c.min_width is None else min(natural[i], max(c.min_width, 1))
             for i, c in enumerate(columns)]
    kept = list(range(len(columns)))
    while len(kept) > 1 and sum(least[i] for i in kept) + GAP * (len(kept) - 1) > width:
        # The least useful goes; between equals, the one further right.
        kept.remove(min(reversed(kept), key=lambda i: columns[i].priority))
    room = width - GAP * (len(kept) - 1)
    if sum(natural[i] for i in kept) <= room:
        return [(i, natural[i]) for i in kept]
    widths = {i: least[i] for i in kept}
    spare = room - sum(widths.values())
    while spare > 0:
        growing = [i for i in kept if widths[i] < natural[i]]
        if not growing:
            break
        total_ratio = sum(columns[i].ratio for i in growing) or len(growing)
        given = 0
        for i in growing:
            share = spare * (columns[i].ratio or 1) // total_ratio
            step = min(share, natural[i] - widths[i])
            widths[i] += step
            given += step
        if given == 0:  # shares rounded to nothing: one cell each, left to right
            for i in growing[:spare]:
                widths[i] += 1
                given += 1
        spare -= given
    # A lone column wider than the terminal is cut to it.
    return [(i, max(1, min(widths[i], width)) if len(kept) == 1 else widths[i]) for i in kept]


@dataclass(frozen=True)
class Styled:
    """A cell with a style on a terminal (the age of a late question in red)."""

    value: object
    style: str = ""


def _cell(value) -> str:
    return shown(value.value if isinstance(value, Styled) else value)


def _style(value) -> str:
    return value.style if isinstance(value, Styled) else ""


def _columns(columns) -> list[Column]:
    return [c if isinstance(c, Column) else Column(c) for c in columns]


def table(title: str | None, columns: list, rows: list[list]) -> list[int]:
    """A table whose every row is one line: cells shown as text (a line break in a value
    is shown as \\n), cut with an ellipsis, less useful columns dropped (see Column).
    Returns the indexes of the columns shown."""
    return _print_table(title, _columns(columns), [[shown(cell) for cell in row] for row in rows])


def _print_table(title: str | None, columns: list[Column], cells: list[list[str]],
                 styles: list[list[str]] | None = None) -> list[int]:
    """Prints the table; returns the indexes of the columns that fitted.

    Drawn here rather than by Rich's Table: the layout is fit()'s, so all a renderer
    has to do is pad or cut each cell to its width, and Rich's console costs ~30 ms to
    import, a third of leadloop's start-up, which a list's first page cannot afford
    (BENCH.md B9). Cell widths are Rich's (rich.cells, cheap to import), so wide
    characters line up as they do in Rich's own output."""
    from rich.cells import cell_len, set_cell_size

    width, _ = terminal_size()
    layout = fit(columns, cells, width)
    out = sys.stdout
    style = _styler()

    def cell(text: str, size: int, justify: str) -> str:
        length = cell_len(text)
        if length > size:
            return set_cell_size(text, size - 1) + "…" if size > 1 else "…"[:size]
        padding = " " * (size - length)
        return padding + text if justify == "right" else text + padding

    def line(parts: list[str]) -> str:
        return (" " * GAP).join(parts).rstrip() + "\n"

    if title:
        out.write(style(shown(title), "bold") + "\n")
    out.write(line([style(cell(shown(columns[i].header), w, columns[i].justify), "bold")
                    for i, w in layout]))
    out.write("─" * (sum(w for _, w in layout) + GAP * (len(layout) - 1)) + "\n")
    for number, row in enumerate(cells):
        out.write(line([style(cell(row[i], w, columns[i].justify), styles[number][i] if styles else "")
                        for i, w in layout]))
    out.flush()
    return [index for index, _ in layout]


# Select Graphic Rendition codes of the few styles tables and footers use.
_SGR = {"bold": "1", "dim": "2", "red": "31", "yellow": "33"}
_COLOURS = {"red", "yellow"}


def _styler():
    """style(text, "bold red") → text with SGR codes, as Rich would write them: none when
    stdout is not a terminal or the terminal is dumb, and no colour under NO_COLOR
    (bold and dim are not colours: https://no-color.org)."""
    if not is_terminal() or os.environ.get("TERM", "").lower() in ("dumb", "unknown"):
        return lambda text, names: text
    no_colour = os.environ.get("NO_COLOR", "") != ""

    def style(text: str, names: str) -> str:
        codes = [_SGR[name] for name in names.split()
                 if name in _SGR and not (no_colour and name in _COLOURS)]
        return f"\x1b[{';'.join(codes)}m{text}\x1b[0m" if codes and text else text

    return style


def _size_from_env(name: str) -> int | None:
    """COLUMNS or LINES as a positive number, None when unset or not one. str.isdigit()
    alone lets "²" and 5,000 digits through to int(), which raises on both."""
    text = os.environ.get(name, "")
    if not (text.isascii() and text.isdigit() and len(text) <= 6) or int(text) == 0:
        return None
    return int(text)


_SIZES = frozenset({"COLUMNS", "LINES", "JUPYTER_COLUMNS", "JUPYTER_LINES"})


class _RichEnviron(Mapping):
    """The environment as Rich reads it, live (FORCE_COLOR and the like may change after
    a console is made), without a COLUMNS or LINES that its own int() would fail on."""

    def _hidden(self, name: str) -> bool:
        return name in _SIZES and _size_from_env(name) is None

    def __getitem__(self, name: str) -> str:
        if self._hidden(name):
            raise KeyError(name)
        return os.environ[name]

    def __iter__(self):
        return (name for name in list(os.environ) if not self._hidden(name))

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _rich_environ() -> Mapping:
    return _RichEnviron()


def terminal_size() -> tuple[int, int]:
    """(columns, lines) of stdout as Rich reads them: COLUMNS and LINES first, then the
    terminal, else 80 x 25. Rich's own console is asked when it exists already."""
    if _out.cache_info().currsize:
        size = _out().size
        return size.width, size.height
    width, height = _size_from_env("COLUMNS"), _size_from_env("LINES")
    if width is None or height is None:
        for stream in (sys.stdout, sys.stdin, sys.stderr):
            try:
                real = os.get_terminal_size(stream.fileno())
            except (AttributeError, ValueError, OSError):
                continue
            width, height = width or real.columns, height or real.lines
            break
    return width or 80, height or 25


def listing(columns: list, rows, *, count=None, noun: str = "rows", more: str = "",
            page: int | None = None) -> int:
    """A list of any length: on a terminal, the first page as a table and a footer that
    says how many there are and how to see more; piped, every row as tab-separated text
    (a header line, then one line a row, values whole), streamed as the rows come.

    `rows` yields lists of cell values (on a terminal, `page` of them, and one more if
    there are more); `count()` says how many there are in all (asked only on a terminal,
    and only when there are more than a page); `more` is the hint the footer gives. A first page rather than a pager (as git has): it needs no `less`, no
    second process, works the same over ssh and in a terminal emulator's scrollback, and
    a million rows cost one page of work. Returns how many rows were written."""
    import itertools

    columns = _columns(columns)
    if not is_terminal():
        write = sys.stdout.write
        write("\t".join(shown(c.header) for c in columns) + "\n")
        written = 0
        for row in rows:
            write("\t".join(_cell(cell) for cell in row) + "\n")
            written += 1
        sys.stdout.flush()
        return written
    size = page if page is not None else page_size()
    first = list(itertools.islice(rows, size + 1))
    if hasattr(rows, "close"):
        rows.close()  # the rest is never read
    more_rows = len(first) > size
    first = first[:size]
    if first:
        _print_table(None, columns, [[_cell(cell) for cell in row] for row in first],
                     [[_style(cell) for cell in row] for row in first])
    if more_rows:
        total = count() if count is not None else None
        how_many = f"{len(first):,} of {total:,}" if total is not None else f"the first {len(first):,}"
        footer(f"Showing {how_many} {noun}. {more}".rstrip())
    return len(first)


def page_size() -> int:
    """Rows that fit the terminal with the header and footer: a first page."""
    return max(5, terminal_size()[1] - 5)


def footer(message: str) -> None:
    """A hint below a list (how many, how to see more); dim on a terminal, wrapped at
    word boundaries to the terminal's width there."""
    text = shown(message)
    if is_terminal():
        import textwrap

        text = "\n".join(textwrap.wrap(text, terminal_size()[0], break_on_hyphens=False)) or text
    sys.stdout.write(_styler()(text, "dim") + "\n")
    sys.stdout.flush()


def bars(title: str, rows: list[tuple[str, float, str]], width: int = 30) -> None:
    """A horizontal bar chart: (label, value, text shown after the bar) per row. The bar
    shrinks (to 5 cells) so that a row fits the terminal; the text after it is cut last."""
    from rich.cells import cell_len

    _out().print(_text(title, "bold"))
    if not rows:
        _out().print(_text("  (nothing yet)"))
        return
    labels = [shown(label) for label, _, _ in rows]
    texts = [shown(text) for _, _, text in rows]
    top = max(value for _, value, _ in rows) or 1
    label_width = max(cell_len(label) for label in labels)
    text_width = max(cell_len(text) for text in texts)
    # "  " label " " bar " " text
    width = max(5, min(width, _out().width - label_width - text_width - 5))
    for label, text, (_, value, _) in zip(labels, texts, rows):
        filled = value / top * width
        bar = "█" * int(filled) + ("▌" if filled - int(filled) >= 0.5 else "")
        padding = " " * (label_width - cell_len(label))
        _out().print(_cut(f"  {padding}{label} {bar:<{width + 1}} {text}"), soft_wrap=True)


def _cut(text: str):
    """One line of text cut to the terminal with an ellipsis."""
    from rich.text import Text

    line = Text(text)
    line.truncate(_out().width, overflow="ellipsis")
    return line


def is_terminal() -> bool:
    """Whether stdout is a terminal, as Rich decides it (TTY_COMPATIBLE, FORCE_COLOR,
    else isatty), without importing Rich when nothing has drawn yet: piped lists and
    JSON never load it."""
    return _is_terminal(sys.stdout, _out)


def _is_terminal(stream, console) -> bool:
    """is_terminal() for `stream`, whose Rich console (made on first use) is `console`."""
    if console.cache_info().currsize:
        return console().is_terminal
    compatible = os.environ.get("TTY_COMPATIBLE", "")
    if compatible in ("0", "1"):
        return compatible == "1"
    force = os.environ.get("FORCE_COLOR")
    if force is not None:
        return force != ""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


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
