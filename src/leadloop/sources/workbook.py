"""Spreadsheet workbooks (.xlsx, .xlsm, .xls, .ods) → a header and rows of cells.

python-calamine reads all four formats (Excel 2007+, Excel 97–2003's BIFF, OpenDocument)
in Rust, several times faster than openpyxl, xlrd or odfpy, which read one format each
(BENCH.md B8). The sheet is the first one with an address column, or `--sheet NAME`;
its first non-empty row is the header. Typed cells become text the row checks read as
a CSV cell: a date cell is "yyyy-mm-dd hh:mm:ss", local time like any date without a
zone; a whole number has no ".0". A row's number is its row in the sheet.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta

from ..errors import InputError
from .rows import (BATCH, PREAMBLE_LINES, RowChecker, address_columns, holds_addresses,
                   make_plan, names_an_address)

KINDS = {"xlsx": "Excel", "xls": "Excel 97–2003", "ods": "OpenDocument"}
_SAMPLE_ROWS = 200


class WorkbookSource:
    def __init__(self, label, binary, kind, sheet, column_map, total_bytes, **checks):
        import python_calamine

        self.label, self.kind = label, kind
        self.encoding = self.delimiter = None
        try:
            book = python_calamine.CalamineWorkbook.from_filelike(binary)
        except python_calamine.PasswordError:
            raise InputError(f"{label}: the workbook is protected by a password; "
                             "save a copy without it") from None
        except (python_calamine.CalamineError, ValueError, OSError) as err:
            raise InputError(f"{label}: cannot read the {KINDS[kind]} workbook "
                             f"({_first_line(err)})") from None
        finally:
            binary.close()
        names = book.sheet_names
        if sheet is not None and sheet not in names:
            raise InputError(f'{label}: no sheet named "{sheet}" (sheets: {", ".join(names)})')
        first_error = None
        for name in [sheet] if sheet is not None else names:
            try:
                self._open_sheet(book, name, column_map, checks)
                return
            except InputError as err:
                first_error = first_error or err
        if len(names) == 1 or sheet is not None:
            raise first_error
        raise InputError(f"{label}: no sheet has an e-mail column (sheets: {', '.join(names)}); "
                         "use --sheet NAME and --map COLUMN=email")

    def _open_sheet(self, book, name, column_map, checks) -> None:
        import python_calamine

        try:
            data = book.get_sheet_by_name(name)
        except (python_calamine.CalamineError, ValueError) as err:
            raise InputError(f'{self.label}: cannot read the sheet "{name}" '
                             f"({_first_line(err)})") from None
        rows = data.iter_rows()
        self.header_row = 0
        header = []
        for self.header_row, cells in enumerate(rows, 1):
            header = [_text(cell).strip() for cell in cells]
            if any(header):
                break
        if not any(header):
            raise InputError(f'{self.label}: the sheet "{name}" is empty')
        # A title or a note above the header (issue #25): the first of the next rows
        # that names an address column is the header; else the first row stays it, and
        # the rows read meanwhile are its first rows of data.
        read: list[list[str]] = []
        self.skipped_lines = 0
        if not names_an_address(header):
            for number, cells in enumerate(rows, self.header_row + 1):
                cells = [_text(cell) for cell in cells]
                if columns := address_columns(cells):
                    # As in a text file: the rows under it must hold addresses there.
                    below = [[_text(cell) for cell in row]
                             for row in itertools.islice(rows, PREAMBLE_LINES)]
                    if holds_addresses(below, columns):
                        header, read = [cell.strip() for cell in cells], below
                        self.skipped_lines, self.header_row = number - 1, number
                    else:
                        read.extend([cells, *below])  # rows of data under line 1
                    break
                read.append(cells)
                if len(read) >= PREAMBLE_LINES:
                    break
        self.sheet, self.header, self._rows = name, header, rows
        self._sample: list[list[str]] = read

        def sample():
            for cells in rows:
                self._sample.append([_text(cell) for cell in cells])
                if len(self._sample) >= _SAMPLE_ROWS:
                    break
            return self._sample

        self.plan = make_plan(self._where(), header, column_map, sample)
        self.total = max((data.end or (0, 0))[0] + 1 - self.header_row, 1)
        # What the rows would weigh as text (a lead's row is ~100 bytes), which is what
        # decides whether checking them in a second process pays (importer.py): the
        # workbook's own size says little, being compressed.
        self.parallel_size = self.total * 100
        self._checker = RowChecker(self.plan, sample=sample, **checks)
        self.month_first_shown = self._checker.month_first_shown
        self.code_page = None  # (cells are Unicode)

    def _where(self) -> str:
        return f'{self.label} (sheet "{self.sheet}")'

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def batches(self, size: int = BATCH):
        reader = _SheetReader(self._sample, self._rows)
        return self._checker.batches(reader, lambda: reader.line_num, first_line=self.header_row,
                                     size=size)


class _SheetReader:
    """The rows after the header as lists of text, with csv.reader's `line_num`."""

    def __init__(self, sampled: list[list[str]], rows):
        self.line_num = 0
        self._sampled, self._rows = sampled, rows

    def __iter__(self):
        for cells in self._sampled:
            self.line_num += 1
            yield cells
        for cells in self._rows:
            self.line_num += 1
            yield [cell if type(cell) is str else _text(cell) for cell in cells]


def _text(cell) -> str:
    kind = type(cell)
    if kind is str:
        return cell
    if kind is float:
        return str(int(cell)) if cell.is_integer() else repr(cell)
    if kind is datetime:
        return "%04d-%02d-%02d %02d:%02d:%02d" % (
            cell.year, cell.month, cell.day, cell.hour, cell.minute, cell.second)
    if kind is date:
        return "%04d-%02d-%02d" % (cell.year, cell.month, cell.day)
    if kind is bool:
        return "TRUE" if cell else "FALSE"
    if kind in (int, time, timedelta):
        return str(cell)
    return "" if cell is None else str(cell)


def _first_line(err: Exception) -> str:
    return (str(err).strip().splitlines() or [type(err).__name__])[0][:200]
