"""Delimited text (CSV, TSV, Excel's "Unicode text") → a header and rows of cells.

Encodings: UTF-8 with or without BOM, UTF-16 and UTF-32 with a BOM (Meta Lead Ads
downloads, Excel's "Unicode text"), UTF-16 without one (told by its NUL bytes), else the
code page the first stretch that is not plain ASCII reads best in (codepage.py:
Windows-1252 unless the names read right only in Mac Roman, DOS 850, Cyrillic,
Japanese …). Delimiters: the most frequent of `,` `;` and tab in the first line. Quoted
cells may hold newlines, but a quote that never closes does not swallow the rest of the
file (QuotedReader). Files that cannot be seeked (stdin, a pipe, process substitution)
are first copied to a temporary file.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import stat
import sys
import tempfile
from collections import deque

from ..errors import InputError
from . import codepage
from .rows import (BATCH, CELL_LIMIT, PREAMBLE_LINES, BrokenRecord, RowChecker,
                   address_columns, holds_addresses, make_plan, names_an_address)

# A first line longer than this is not a row of column names (a binary file, or one
# whose line ends are not CR or LF).
_HEADER_LIMIT = CELL_LIMIT
# How much of the file make_plan may look at to find the address column by its cells.
_SAMPLE_BYTES = 256 * 1024
# How much of the file encoding detection reads at a time.
_CHUNK = 1 << 20
_DELIMITER_NAMES = {"tab": "\t", "\\t": "\t", "tabulador": "\t", "comma": ",", "coma": ",",
                    "semicolon": ";", "punto y coma": ";"}
_BOMS = [(codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16")]
_UNREADABLE_QUOTE = "a quote opened on this line is never closed"


class CsvSource:
    def __init__(self, label, binary, encoding, delimiter, column_map, total_bytes,
                 **checks):
        self.label = label
        self._binary = binary
        self.encoding = encoding
        # (code page, a word as read in it) when leadloop chose the code page.
        self.code_page: tuple[str, str | None] | None = None
        self.total = total_bytes
        self.parallel_size = total_bytes
        self._text = io.TextIOWrapper(binary, encoding=encoding, newline="")
        first = self._text.readline(_HEADER_LIMIT + 1)
        if len(first) > _HEADER_LIMIT:
            raise InputError(f"{label}:1: the first line is over {_HEADER_LIMIT // 1024} kB: "
                             "not a row of column names (is it a CSV file?)")
        if not first.strip():
            raise InputError(f"{label}: the file is empty")
        self.delimiter = delimiter or max(",;\t", key=first.count)
        self.header = next(csv.reader([first], delimiter=self.delimiter), [])
        # The header's line: 1, unless lines of preamble come before it.
        self.header_line = 1
        if not names_an_address(self.header):
            self._header_below(delimiter)
        self.skipped_lines = self.header_line - 1
        self._sampled: list[list[str]] | None = None
        self.plan = make_plan(label, self.header, column_map, self._sample)
        self._checker = RowChecker(self.plan, sample=self._sample, **checks)
        self.month_first_shown = self._checker.month_first_shown

    def _header_below(self, delimiter: str | None) -> None:
        """A header row with an address column among the first lines, after a preamble
        (a title, a note): read it, and the rows start after it. None there: line 1
        stays the header (its address column may be found by its cells)."""
        for number in range(2, PREAMBLE_LINES + 1):
            line = self._text.readline(_HEADER_LIMIT + 1)
            if not line or len(line) > _HEADER_LIMIT:
                break
            found = delimiter or max(",;\t", key=line.count)
            cells = next(csv.reader([line], delimiter=found), [])
            columns = address_columns(cells)
            if columns and holds_addresses(self._rows_below(found), columns):
                self.delimiter, self.header, self.header_line = found, cells, number
                return
        self._text.seek(0)
        self._text.readline(_HEADER_LIMIT + 1)

    def _rows_below(self, delimiter: str, most: int = PREAMBLE_LINES) -> list[list[str]]:
        """The next rows, read without moving on: a header's first rows of data."""
        where = self._text.tell()
        lines = []
        for _ in range(most):
            line = self._text.readline(_HEADER_LIMIT + 1)
            if not line:
                break
            lines.append(line)
        self._text.seek(where)
        try:
            return list(csv.reader(lines, delimiter=delimiter))
        except csv.Error:  # a quote left open by the lines cut here, a huge cell
            return []

    def _sample(self) -> list[list[str]]:
        """The rows in the first stretch of the file, read beside the text stream, once:
        the plan (an address column found by its cells, a date-or-yes/no column) and the
        date order (month_first_shown) ask for them."""
        if self._sampled is None:
            raw = os.pread(self._binary.fileno(), _SAMPLE_BYTES, 0)
            text = codecs.getincrementaldecoder(self.encoding)(errors="replace").decode(raw)
            rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter))
            start = rows.index(self.header) + 1 if self.header in rows else 1
            self._sampled = rows[start:-1] if len(raw) == _SAMPLE_BYTES else rows[start:]
        return self._sampled

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._text.close()
        return False

    def batches(self, size: int = BATCH):
        if _has_quote(self._binary):
            reader = QuotedReader(self._text, self.delimiter)
        else:
            reader = UnquotedReader(self._text, self.delimiter)
        rows = self._checker.batches(reader, self._binary.tell, first_line=self.header_line,
                                     size=size)
        try:
            yield from rows
        except UnicodeError:  # UnicodeDecodeError, and codecs' own (punycode, idna …)
            # Text is decoded in chunks, ahead of the record being parsed, so the line is
            # found again in the raw bytes. The import is one transaction: nothing stays.
            line = _first_undecodable_line(self._binary, self.encoding)
            raise InputError(
                f"{self.label}:{line}: cannot decode the bytes as "
                f"{self.encoding.removesuffix('-sig')} "
                "(use --encoding)") from None


class UnquotedReader:
    """csv.reader for a file with no quote character in it, for less: such a file's
    records are its lines and its fields what lies between delimiters, so str.split
    does what csv's state machine does a character at a time (~0.4 µs a row less on
    a million-row import). tests/test_fast_paths.py holds it equal to QuotedReader."""

    def __init__(self, lines, delimiter: str, limit: int = CELL_LIMIT):
        self.line_num = 0
        self._lines, self._delimiter, self._limit = lines, delimiter, limit

    def __iter__(self):
        delimiter, limit = self._delimiter, self._limit
        for line in self._lines:
            self.line_num += 1
            text = line.rstrip("\r\n")  # one line ending at most (newline="")
            cells = text.split(delimiter) if text else []
            if len(line) > limit and any(len(cell) > limit for cell in cells):
                yield _oversized(text, limit)
                continue
            yield cells


class QuotedReader:
    """csv.reader, except that a record may not run on past a quote that never closes.

    A quoted cell may hold line breaks (a note, an address), and csv.reader then reads
    on until the quote closes: when it never does, the rest of the file becomes one
    cell of one lead. Here the record is read strictly: if a record that spans lines
    turns out malformed (the file ends inside the quote, the quote closes in the middle
    of a cell, the record grows past CELL_LIMIT), its first line is reported instead
    (BrokenRecord) and reading starts again on the next line, whose rows then import on
    their own. A malformed record on one line is read as leniently as csv.reader reads
    it (`Ana "la jefa" Ruiz`, `"x"y`)."""

    def __init__(self, lines, delimiter: str, limit: int = CELL_LIMIT):
        self.line_num = 0
        self._lines, self._delimiter, self._limit = iter(lines), delimiter, limit
        self._again: deque[str] = deque()  # lines to read once more
        self._record: list[str] = []  # the lines of the record being read

    def _feed(self):
        again, record, limit = self._again, self._record, self._limit
        size = 0
        while True:
            line = again.popleft() if again else next(self._lines, None)
            if line is None:
                return
            if not record:
                size = 0
            size += len(line)
            record.append(line)
            if len(record) > 1 and size > limit:
                raise _RecordTooLong
            yield line

    def __iter__(self):
        delimiter, limit = self._delimiter, self._limit
        while True:
            reader = csv.reader(self._feed(), delimiter=delimiter, strict=True)
            try:
                for cells in reader:
                    lines = self._record
                    self.line_num += len(lines)
                    if sum(map(len, lines)) > limit and any(len(cell) > limit for cell in cells):
                        yield _oversized("".join(lines).rstrip("\r\n"), limit)
                    else:
                        yield cells
                    lines.clear()
                return
            except (csv.Error, _RecordTooLong) as err:
                lines = self._record[:]
                self._record.clear()
                if not lines:
                    return
                if len(lines) == 1 and not isinstance(err, _RecordTooLong):
                    self.line_num += 1
                    yield _lenient(lines[0], delimiter, limit)
                    continue
                self.line_num += 1
                self._again.extendleft(reversed(lines[1:]))
                yield BrokenRecord(_UNREADABLE_QUOTE, lines[0].rstrip("\r\n")[:200])


class _RecordTooLong(Exception):
    """A record grew past the cell limit across lines: its quote is taken as unclosed."""


def _lenient(line: str, delimiter: str, limit: int):
    try:
        cells = next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error as err:  # a cell over csv's own limit
        return BrokenRecord(str(err), line[:200])
    if len(line) > limit and any(len(cell) > limit for cell in cells):
        return _oversized(line.rstrip("\r\n"), limit)
    return cells


def _oversized(text: str, limit: int) -> BrokenRecord:
    return BrokenRecord(f"a cell is over {limit // 1024} kB", text[:200])


def _has_quote(binary) -> bool:
    """Whether the file holds a '"' anywhere; read beside the text stream, not moving it."""
    fd, offset = binary.fileno(), 0
    while chunk := os.pread(fd, 1 << 20, offset):
        if b'"' in chunk:
            return True
        offset += len(chunk)
    return False


def _detect(binary) -> tuple[str, str | None]:
    """The encoding, and a word as read in it when it is a code page leadloop chose.
    A byte-order mark says the encoding; else UTF-8 unless the first stretch of the
    file that is not plain ASCII fails to decode as UTF-8 (a Windows-1252 "é" is never
    valid UTF-8 beside ASCII); then the code page its lines read best in (codepage.py).
    Deciding there rather than after decoding the whole file spares a big import a full
    pass (~0.2 s per 100 MB); a file that turns out to mix both fails at the line to look
    at, naming --encoding, and imports nothing."""
    binary.seek(0)
    start = binary.read(4)
    binary.seek(0)
    for bom, encoding in _BOMS:
        if start.startswith(bom):
            return encoding, None
    if order := bomless_utf16(os.pread(binary.fileno(), 256, 0)):
        return order, None
    encoding, shown = "utf-8-sig", None
    while chunk := binary.read(_CHUNK):
        if chunk.isascii():
            continue
        try:
            # Not final: the chunk may end inside a character.
            codecs.getincrementaldecoder("utf-8")().decode(chunk)
        except UnicodeDecodeError:
            # (The chunks before were ASCII: this one starts at a character.)
            encoding, shown = codepage.guess(codepage.non_ascii_lines(chunk, whole=len(chunk) < _CHUNK))
            if encoding == "cp1252" and _undefined_in_cp1252(binary):
                encoding = "latin-1"
        break
    binary.seek(0)
    return encoding, shown


def bomless_utf16(head: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" when a file's first bytes are UTF-16 text without a
    byte-order mark (Apple's and some Windows tools' exports): column names and
    BEGIN:VCARD are mostly ASCII, whose characters have a NUL in every other byte, on the
    high byte's side (RFC 2781 §4.3 leaves the order to be told so). Text in UTF-8 or a
    single-byte code page has no NUL at all."""
    head = head[:len(head) // 2 * 2]
    if len(head) < 8 or any(head.startswith(bom) for bom, _ in _BOMS):
        return None
    even, odd = head[0::2], head[1::2]
    for high, low, order in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if high.count(0) * 4 >= len(high) * 3 and low.count(0) * 20 <= len(low):
            return order
    return None


def _byte_order(binary, encoding: str) -> str:
    """--encoding utf-16 (or utf-32) for a file without a byte-order mark: Python's
    codec wants the mark, so the order is read from where the NUL bytes of the first
    characters are (ASCII text, "e\\0m\\0" little-endian, "\\0e\\0m" big-endian;
    RFC 2781 §4.3). Any other encoding is as given."""
    family = codecs.lookup(encoding).name
    if family not in ("utf-16", "utf-32"):
        return encoding
    start = os.pread(binary.fileno(), 64, 0)
    if any(start.startswith(bom) for bom, _ in _BOMS):
        return encoding
    width = 2 if family == "utf-16" else 4
    start = start[:len(start) // width * width]
    units = [start[i:i + width] for i in range(0, len(start), width)]
    if units and all(unit[1:] == bytes(width - 1) for unit in units if unit.strip(b"\0")):
        return f"{family}-le"
    if units and all(unit[:-1] == bytes(width - 1) for unit in units if unit.strip(b"\0")):
        return f"{family}-be"
    return encoding  # not ASCII at the start: decoding fails, and says so


def _first_undecodable_line(binary, encoding: str) -> int:
    binary.seek(0)
    for number, raw in enumerate(binary, 1):
        try:
            raw.decode(encoding)
        except UnicodeError:
            return number
    return 1


def _undefined_in_cp1252(binary) -> bool:
    """Whether the file holds a byte Windows-1252 leaves undefined, which only Latin-1
    reads, anywhere (the code page was chosen on its first lines)."""
    binary.seek(0)
    while chunk := binary.read(_CHUNK):
        if any(byte in chunk for byte in (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")):
            return True
    return False


def check_encoding(name: str) -> str:
    try:
        codecs.lookup(name)
    except LookupError:
        raise InputError(f'--encoding "{name}" is not an encoding Python knows') from None
    try:
        b"ab".decode(name)
    except UnicodeError:
        pass  # a text encoding, which these two bytes do not end well in
    except LookupError:  # rot13, hex, base64, zlib …: codecs, but not from bytes to text
        raise InputError(f'--encoding "{name}" is not a text encoding '
                         "(such as utf-8, cp1252, latin-1 or utf-16)") from None
    return name


def check_delimiter(text: str) -> str:
    delimiter = _DELIMITER_NAMES.get(text.lower(), text)
    if len(delimiter) != 1 or delimiter in "\"\r\n":
        raise InputError(f'--delimiter "{text}": one character, such as , ; or tab')
    return delimiter


def open_binary(path, stdin=None):
    """(label, a seekable binary file, its size). stdin ("-"), /dev/stdin, a pipe or a
    process substitution (<(…)) cannot be seeked nor sized: copied to a temporary file."""
    label = str(path)
    if label == "-":
        return "stdin", *_spooled(stdin or sys.stdin.buffer)
    try:
        binary = open(path, "rb")
    except IsADirectoryError:
        raise InputError(f"{label}: is a directory, not a file of leads") from None
    except OSError as err:
        raise InputError(f"{label}: cannot read the file ({err.strerror})") from None
    info = os.fstat(binary.fileno())
    if stat.S_ISREG(info.st_mode):
        return label, binary, info.st_size
    with binary:
        try:
            return label, *_spooled(binary)
        except OSError as err:
            raise InputError(f"{label}: cannot read the file ({err.strerror})") from None


def _spooled(stream):
    spool = tempfile.TemporaryFile()
    while chunk := stream.read(1 << 20):
        spool.write(chunk)
    total = spool.tell()
    spool.seek(0)
    return spool, total


def open_csv(path, *, encoding=None, delimiter=None, column_map=None, stdin=None,
             opened=None, **checks) -> CsvSource:
    """`opened`: (label, binary, size) from open_binary, when the caller has the file."""
    if encoding is not None:
        check_encoding(encoding)
    if delimiter is not None:
        delimiter = check_delimiter(delimiter)
    label, binary, total = opened or open_binary(path, stdin)
    chosen, shown = (_byte_order(binary, encoding), None) if encoding else _detect(binary)
    try:
        source = CsvSource(label, binary, chosen, delimiter, column_map, total, **checks)
        if not encoding and chosen in codepage.CANDIDATES:
            source.code_page = chosen, shown
        return source
    except UnicodeError:  # UnicodeDecodeError, "UTF-16 stream does not start with BOM" …
        binary.close()
        raise InputError(f"{label}:1: cannot decode the bytes as {chosen} "
                         "(use --encoding)") from None
    except BaseException:
        binary.close()
        raise
