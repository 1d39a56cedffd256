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

COLUMNS = ("email", "name", "product", "source", "locale", "timezone", "referred_by", "status",
           "requested_at", "contacts", "last_contact_at", "next_due_at")
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
