"""`export`: every lead that still has personal data, as CSV or JSON.

A spreadsheet runs a cell that starts with "=", "+", "-" or "@" as a formula (and tab
or CR can smuggle one in): a lead's name `=HYPERLINK("http://x")` must arrive as text.
Such CSV cells get a leading apostrophe, as OWASP recommends; JSON is left exact.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
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


def export(store: Store, out: TextIO, tz, fmt: str = "csv") -> int:
    if fmt == "json":
        # Streamed: an array written a lead at a time, flat in memory (issue #20).
        from .output import json_array

        with json_array(out) as array:
            for lead in _leads(store, tz):
                array.add(lead)
        return array.count
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
