"""Parsed CSV rows (csvsource.py) → leads in the store: new, updated, unchanged,
suppressed or rejected, in one transaction.

One transaction for the whole file: a file that turns out unreadable half-way imports
nothing. Rows are handled in batches, looking up a batch's existing leads in one query
and inserting its new ones with one executemany, which is what makes a million rows
take seconds (BENCH.md B1).

An import never resets a lead: status, messages and cadence stay; only fields the file
has values for are updated (SPEC §5). Unsubscribed and bounced addresses are never
re-imported; an erased one only with an inquiry dated after its erasure.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from . import cadence
from .clock import from_db, to_db
from .errors import InputError
from .store import Store

BATCH = 2000
UPDATABLE = ("name", "product", "source", "locale", "timezone", "referred_by")


@dataclass
class ImportReport:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    suppressed: int = 0
    rejected: int = 0

    def as_dict(self) -> dict:
        return {"new": self.new, "updated": self.updated, "unchanged": self.unchanged,
                "suppressed": self.suppressed, "rejected": self.rejected}


def import_rows(
    store: Store,
    rows: Iterable,
    now: datetime,
    *,
    info_sent: bool = False,
    on_reject: Callable | None = None,
    on_row: Callable[[], None] | None = None,
) -> ImportReport:
    """Import ParsedLead rows; RejectedRow items are counted and handed to `on_reject`."""
    from .csvsource import RejectedRow

    report = ImportReport()
    has_suppressions = store.conn.execute("SELECT 1 FROM suppressions LIMIT 1").fetchone() is not None
    pending: dict[str, object] = {}  # email → row, in file order; a later row wins
    first_steps: dict = {}
    with store.write(), _indexes_built_after(store):
        for row in rows:
            if on_row:
                on_row()
            if isinstance(row, RejectedRow):
                report.rejected += 1
                if on_reject:
                    on_reject(row)
                continue
            if row.email in pending:
                # The same address twice in one file: the earlier row is settled first.
                _flush(store, pending, now, info_sent, has_suppressions, report, first_steps)
            pending[row.email] = row
            if len(pending) >= BATCH:
                _flush(store, pending, now, info_sent, has_suppressions, report, first_steps)
        _flush(store, pending, now, info_sent, has_suppressions, report, first_steps)
    return report


@contextmanager
def _indexes_built_after(store: Store):
    """Into an empty table, load first and build the secondary indexes once at the end:
    sorting a million keys once is several times cheaper than a million B-tree inserts.
    Inside the import's transaction, so a failed import leaves them as they were."""
    conn = store.conn
    deferred = []
    if conn.execute("SELECT 1 FROM leads LIMIT 1").fetchone() is None:
        deferred = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'leads' "
            "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'").fetchall()
        for name, _ in deferred:
            conn.execute(f'DROP INDEX "{name}"')
    yield
    for _, sql in deferred:
        conn.execute(sql)


def _flush(store, pending, now, info_sent, has_suppressions, report, first_steps) -> None:
    if not pending:
        return
    conn = store.conn
    emails = list(pending)
    existing = {
        lead["email"]: lead
        for lead in conn.execute(
            f"SELECT * FROM leads WHERE email IN ({','.join('?' * len(emails))})", emails
        )
    }
    fresh = []
    for email, row in pending.items():
        lead = existing.get(email)
        if lead is not None:
            if lead["status"] in ("unsubscribed", "bounced"):
                report.suppressed += 1  # never back into the sequence (SPEC §5)
            else:
                _update(store, lead, row, now, report)
            continue
        requested_at = row.requested_at or now
        if has_suppressions and _suppressed(store, email, requested_at):
            report.suppressed += 1
            continue
        fresh.append((row, requested_at))
    pending.clear()
    if fresh:
        _insert(store, fresh, now, info_sent, first_steps)
        report.new += len(fresh)


def _suppressed(store: Store, email: str, requested_at: datetime) -> bool:
    entry = store.suppression(email)
    if entry is None:
        return False
    if entry["reason"] == "erased":
        # Someone given up may ask again: a new inquiry after the erasure is a new lead.
        return requested_at <= from_db(entry["at"])
    return True


def _insert(store: Store, fresh: list, now: datetime, info_sent: bool, first_steps: dict) -> None:
    """Insert new leads. `first_steps` caches the step-0 due time by inquiry time and
    zone across batches: it does not depend on the lead (its id is only the spread key
    of later steps), and a file repeats inquiry times a lot."""
    rules = store.rules
    stamp = to_db(now)
    values = []
    sent_info = []
    if len(first_steps) > 20_000:  # bounded: memory stays flat (BENCH.md B1)
        first_steps.clear()
    for row, requested_at in fresh:
        info_sent_at = row.info_sent_at or (requested_at if info_sent else None)
        if info_sent_at is None:
            key = (requested_at, row.timezone)
            first = first_steps.get(key)
            if first is None:
                upcoming = cadence.next_message(
                    cadence.History(key="", status="active", requested_at=requested_at,
                                    timezone=row.timezone), rules)
                first = first_steps[key] = (to_db(requested_at), upcoming.step, to_db(upcoming.due_at))
            requested, next_step, next_due = first
        else:
            requested, next_step, next_due = to_db(requested_at), None, None  # settled below
            sent_info.append((row.email, info_sent_at))
        values.append((
            row.email, row.name, row.product, row.source, row.locale, row.timezone,
            row.referred_by, json.dumps(row.fields, ensure_ascii=False) if row.fields else None,
            requested, next_step, next_due,
        ))
    # `stamp` is our own ISO timestamp, written into the statement so that a million
    # rows do not bind the same three values three million times.
    store.conn.executemany(
        "INSERT INTO leads (email, name, product, source, locale, timezone, referred_by, fields, "
        "requested_at, next_step, next_due_at, status, status_at, created_at, updated_at, contacts) "
        f"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', '{stamp}', '{stamp}', '{stamp}', 0)",
        values,
    )
    for email, info_sent_at in sent_info:
        lead_id = store.conn.execute("SELECT id FROM leads WHERE email = ?", (email,)).fetchone()[0]
        store.conn.execute(
            "INSERT INTO messages (lead_id, step, template, state, sent_at, attempted_at, transport) "
            "VALUES (?, 0, 'info', 'sent', ?, ?, 'import')",
            (lead_id, to_db(info_sent_at), to_db(info_sent_at)),
        )
        store.refresh([lead_id])


def _update(store: Store, lead, row, now: datetime, report: ImportReport) -> None:
    changes = {}
    for name in UPDATABLE:
        value = getattr(row, name)
        if value is not None and value != lead[name]:
            changes[name] = value
    if row.fields:
        fields = json.loads(lead["fields"]) if lead["fields"] else {}
        merged = {**fields, **row.fields}
        if merged != fields:
            changes["fields"] = json.dumps(merged, ensure_ascii=False)
    if not changes:
        report.unchanged += 1
        return
    assignments = ", ".join(f"{name} = ?" for name in changes)
    store.conn.execute(
        f"UPDATE leads SET {assignments}, updated_at = ? WHERE id = ?",
        (*changes.values(), to_db(now), lead["id"]),
    )
    if "timezone" in changes:
        store.refresh([lead["id"]])
    report.updated += 1


MAX_REJECTS_SHOWN = 20


def run_import(store: Store, config, file: str, now: datetime, *, rejects_path=None,
               info_sent: bool = False, **options):
    """Import a CSV file; returns (report, the first rejects, how many were rejected)."""
    import csv

    from . import output
    from .csvsource import open_csv

    shown = []
    with open_csv(file, default_timezone=config.cadence.timezone, **options) as source:
        rejects_file = writer = None
        if rejects_path is not None:
            try:
                rejects_file = open(rejects_path, "w", newline="", encoding="utf-8")
            except OSError as err:
                raise InputError(f"{rejects_path}: cannot write the rejects ({err.strerror})") from None
            writer = csv.writer(rejects_file)
            writer.writerow([*source.header, "line", "reason"])

        def on_reject(row) -> None:
            if len(shown) < MAX_REJECTS_SHOWN:
                shown.append(row)
            if writer is not None:
                writer.writerow([*row.values, row.line, row.reason])

        try:
            with output.progress(source.total_bytes, "importing") as bar:
                counter = [0]

                def on_row() -> None:
                    counter[0] += 1
                    if counter[0] % 5000 == 0:
                        bar.update(source.bytes_read, source.total_bytes)

                report = import_rows(store, source, now, info_sent=info_sent,
                                     on_reject=on_reject, on_row=on_row)
        finally:
            if rejects_file is not None:
                rejects_file.close()
    return report, shown, report.rejected


def add_lead(store: Store, config, now: datetime, *, email: str, name=None, product=None,
             source=None, requested_at=None, locale=None, timezone_name=None,
             referred_by=None) -> str:
    """Record one inquiry through the same rules as an imported row; says what happened."""
    from .addresses import normalize_address
    from .clock import parse_instant, zone
    from .csvsource import ParsedLead
    from .message import clean

    address = normalize_address(email)
    if timezone_name:
        zone(timezone_name)
    if locale and not (2 <= len(locale) <= 8 and locale.replace("-", "").isalpha()):
        raise InputError(f'--locale "{locale}" is not a language code like "es" or "en"')
    when = None
    if requested_at:
        try:
            when = parse_instant(requested_at, timezone_name or config.cadence.timezone)
        except InputError as err:
            raise InputError(f"--requested-at: {err}") from None

    def tidy(value):
        return clean(value) or None if value is not None else None

    row = ParsedLead(
        line=1, email=address, name=tidy(name), product=tidy(product), source=tidy(source),
        requested_at=when, info_sent_at=None, locale=locale.lower() if locale else None,
        timezone=timezone_name, referred_by=normalize_address(referred_by) if referred_by else None,
        fields={},
    )
    report = import_rows(store, [row], now)
    if report.new:
        return f"added {address}"
    if report.updated:
        return f"updated {address}"
    if report.suppressed:
        return f"{address} is suppressed (unsubscribed, bounced or erased); not added"
    return f"{address} is already a lead; nothing changed"
