"""`export`: every lead that still has personal data, as CSV or JSON.

A spreadsheet runs a cell that starts with "=", "+", "-" or "@" as a formula (and tab
or CR can smuggle one in): a lead's name `=HYPERLINK("http://x")` must arrive as text.
Such CSV cells get a leading apostrophe, as OWASP recommends; JSON is left exact.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from typing import TextIO

from .clock import JsonTimes
from .store import Store

# `first_name`: the given name as it came (a given-name column, `add --first-name`), None
# when only the full name is known; a file exported here imports back with it (SPEC §5).
COLUMNS = ("email", "name", "first_name", "product", "source", "locale", "timezone",
           "referred_by", "status", "requested_at", "contacts", "last_contact_at", "next_due_at")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _leads(store: Store, tz) -> Iterator[dict]:
    times = {"requested_at", "last_contact_at", "next_due_at"}
    to_json = JsonTimes(tz)
    for row in store.conn.execute(f"SELECT {', '.join(COLUMNS)}, fields FROM leads "
                                  "WHERE email IS NOT NULL ORDER BY id"):
        lead = {name: to_json(row[name]) if name in times else row[name] for name in COLUMNS}
        lead["fields"] = json.loads(row["fields"]) if row["fields"] else {}
        yield lead


def write_json_array(items: Iterable[dict], out: TextIO) -> int:
    """A JSON array written an item a line as the items come; how many. ASCII only, so
    nothing in a lead's data can act on a terminal. The CLI passes its own writer
    (output.py: the same document, with readable accents)."""
    count = 0
    out.write("[")
    for item in items:
        out.write(("\n" if count == 0 else ",\n") + json.dumps(item))
        count += 1
    out.write("\n]\n" if count else "]\n")
    out.flush()
    return count


def export(store: Store, out: TextIO, tz, fmt: str = "csv", *,
           write_json: Callable[[Iterable[dict], TextIO], int] = write_json_array) -> int:
    """Write every lead that still has personal data to `out`; how many. JSON goes through
    `write_json(leads, out)`: the core writes no terminal output of its own (STYLE.md)."""
    if fmt == "json":
        # Streamed: an array written a lead at a time, flat in memory (issue #20).
        return write_json(_leads(store, tz), out)
    # Custom fields become columns after the standard ones; one pass to learn their names.
    custom: dict[str, None] = {}
    for (fields,) in store.conn.execute("SELECT fields FROM leads WHERE email IS NOT NULL AND fields IS NOT NULL"):
        custom.update(dict.fromkeys(json.loads(fields)))
    writer = csv.writer(out)
    writer.writerow([*COLUMNS, *custom])
    count = 0
    for lead in _leads(store, tz):
        writer.writerow([neutralise(lead[name]) for name in COLUMNS]
                        + [neutralise(lead["fields"].get(name)) for name in custom])
        count += 1
    return count


# Column widths (in characters) a person reads the sheet at; the rest get DEFAULT_WIDTH.
_WIDTHS = {"email": 30, "name": 24, "first_name": 16, "product": 22, "source": 16, "status": 12,
           "requested_at": 17, "last_contact_at": 17, "next_due_at": 17}
DEFAULT_WIDTH = 12
_TIMES = ("requested_at", "last_contact_at", "next_due_at")


def export_xlsx(store: Store, out, tz) -> int:
    """The same leads as a workbook Excel and LibreOffice open as they are (issue #27
    item 14): one row a lead, dates as real date cells in the marketer's timezone (a
    spreadsheet has no time zones), numbers as numbers, every other value a text cell,
    so accents survive whatever the reader's locale and a name starting with "=" is
    never a formula. `out` is a binary file.

    XlsxWriter's constant_memory mode writes each row as it comes (flat memory however
    many leads), which is why the custom fields' names are learnt in a first pass.
    https://xlsxwriter.readthedocs.io/working_with_memory.html
    """
    import xlsxwriter

    from .clock import from_db

    custom: dict[str, None] = {}
    for (fields,) in store.conn.execute("SELECT fields FROM leads WHERE email IS NOT NULL AND fields IS NOT NULL"):
        custom.update(dict.fromkeys(json.loads(fields)))
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                         "strings_to_numbers": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet("leads")
    header = workbook.add_format({"bold": True})
    when = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    names = [*COLUMNS, *custom]
    for column, name in enumerate(names):
        sheet.set_column(column, column, _WIDTHS.get(name, DEFAULT_WIDTH))
        sheet.write_string(0, column, name, header)
    sheet.freeze_panes(1, 0)
    count = 0
    for row in store.conn.execute(f"SELECT {', '.join(COLUMNS)}, fields FROM leads "
                                  "WHERE email IS NOT NULL ORDER BY id"):
        count += 1
        for column, name in enumerate(COLUMNS):
            value = row[name]
            if value is None:
                continue
            if name in _TIMES:
                sheet.write_datetime(count, column, from_db(value).astimezone(tz).replace(tzinfo=None), when)
            elif name == "contacts":
                sheet.write_number(count, column, value)
            else:
                sheet.write_string(count, column, str(value))
        fields = json.loads(row["fields"]) if row["fields"] else {}
        for column, name in enumerate(custom, start=len(COLUMNS)):
            value = fields.get(name)
            if value is not None and value != "":
                sheet.write_string(count, column, str(value))
    if count:
        sheet.autofilter(0, 0, count, len(names) - 1)
    workbook.close()
    return count
