"""Parsed CSV rows (csvsource.py) → leads in the store: new, updated, unchanged,
suppressed or rejected, in one transaction.

One transaction for the whole file: a file that turns out unreadable half-way imports
nothing. Rows arrive in batches and are written with one executemany each.

Two ways in, chosen by whether the store already has leads:
- into an empty table (a first import, the big one) every index is dropped, rows are
  appended without a look-up, and the indexes are built once at the end: sorting a
  million keys once is several times cheaper than a million B-tree inserts
  (BENCH.md B1). An address twice in the file shows up when the unique index is built,
  and the later rows are then folded into the first, as an upsert would have done;
- otherwise each batch's existing leads are looked up in one query and upserted.

An import never resets a lead: status, messages and cadence stay; only fields the file
has values for are updated (SPEC §5). Unsubscribed and bounced addresses are never
re-imported; an erased one only with an inquiry dated after its erasure.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from . import cadence
from .clock import from_db, to_db
from .errors import InputError
from .store import Store

BATCH = 5000
UPDATABLE = ("name", "product", "source", "locale", "timezone", "referred_by")
# Bounded caches: memory stays flat whatever the file's size (BENCH.md B1).
_CACHE_LIMIT = 20_000


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
    on_batch: Callable[[], None] | None = None,
) -> ImportReport:
    """Import ParsedLead rows; RejectedRow items are counted and handed to `on_reject`."""
    from .csvsource import RejectedRow

    report = ImportReport()
    with store.write() as conn:
        empty = conn.execute("SELECT 1 FROM leads LIMIT 1").fetchone() is None
        writer = (_Load if empty else _Upsert)(store, now, info_sent, report)
        batch = []
        for row in rows:
            if type(row) is RejectedRow:
                report.rejected += 1
                if on_reject:
                    on_reject(row)
                continue
            batch.append(row)
            if len(batch) >= BATCH:
                writer.add(batch)
                batch = []
                if on_batch:
                    on_batch()
        writer.add(batch)
        writer.finish()
    return report


class _Writer:
    def __init__(self, store: Store, now: datetime, info_sent: bool, report: ImportReport):
        self.store, self.conn, self.now, self.info_sent, self.report = (
            store, store.conn, now, info_sent, report)
        self.has_suppressions = self.conn.execute(
            "SELECT 1 FROM suppressions LIMIT 1").fetchone() is not None
        # The step-0 due time by inquiry time and zone: it does not depend on the lead
        # (its id is only the spread key of later steps), and a file repeats inquiry
        # times a lot.
        self._first_steps: dict = {}
        # `now` is our own ISO timestamp, written into the statement so that a million
        # rows do not bind the same three values three million times.
        stamp = to_db(now)
        self._insert_sql = (
            "INSERT INTO leads (email, name, product, source, locale, timezone, referred_by, "
            "fields, requested_at, next_step, next_due_at, status, status_at, created_at, "
            "updated_at, contacts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', "
            f"'{stamp}', '{stamp}', '{stamp}', 0)")

    def suppressed(self, email: str, requested_at: datetime) -> bool:
        if not self.has_suppressions:
            return False
        entry = self.store.suppression(email)
        if entry is None:
            return False
        if entry["reason"] == "erased":
            # Someone given up may ask again: a new inquiry after the erasure is a new lead.
            return requested_at <= from_db(entry["at"])
        return True

    def insert(self, fresh: list) -> list:
        """Insert new leads (rows not yet in the table); returns, in order, the info-sent
        time each row was given (None for most), for `record_info_sent`."""
        rules = self.store.rules
        first_steps = self._first_steps
        if len(first_steps) > _CACHE_LIMIT:
            first_steps.clear()
        values = []
        info = []
        for row in fresh:
            requested_at = row.requested_at or self.now
            info_sent_at = row.info_sent_at or (requested_at if self.info_sent else None)
            info.append(info_sent_at)
            if info_sent_at is None:
                key = (requested_at, row.timezone)
                first = first_steps.get(key)
                if first is None:
                    upcoming = cadence.next_message(
                        cadence.History(key="", status="active", requested_at=requested_at,
                                        timezone=row.timezone), rules)
                    first = first_steps[key] = (
                        to_db(requested_at), upcoming.step, to_db(upcoming.due_at))
                requested, next_step, next_due = first
            else:
                requested, next_step, next_due = to_db(requested_at), None, None  # settled later
            values.append((
                row.email, row.name, row.product, row.source, row.locale, row.timezone,
                row.referred_by,
                json.dumps(row.fields, ensure_ascii=False) if row.fields else None,
                requested, next_step, next_due,
            ))
        self.conn.executemany(self._insert_sql, values)
        self.report.new += len(values)
        return info

    def record_info_sent(self, sent: list[tuple[int, datetime]]) -> None:
        """The info pack went out before leadloop knew the lead (SPEC §3): step 0 is a
        sent message, and the cadence counts from it."""
        self.conn.executemany(
            "INSERT INTO messages (lead_id, step, template, state, sent_at, attempted_at, "
            "transport) VALUES (?, 0, 'info', 'sent', ?, ?, 'import')",
            [(lead_id, to_db(at), to_db(at)) for lead_id, at in sent])
        self.store.refresh([lead_id for lead_id, _ in sent])

    def update(self, lead, row) -> None:
        changes = _changes(lead, row)
        if not changes:
            self.report.unchanged += 1
            return
        assignments = ", ".join(f"{name} = ?" for name in changes)
        self.conn.execute(
            f"UPDATE leads SET {assignments}, updated_at = ? WHERE id = ?",
            (*changes.values(), to_db(self.now), lead["id"]),
        )
        if "timezone" in changes:
            self.store.refresh([lead["id"]])
        self.report.updated += 1


def _changes(lead, row) -> dict:
    """What a later row says that the lead does not: non-empty values only, custom
    fields merged."""
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
    return changes


class _Upsert(_Writer):
    """Into a table that has leads: look each batch up, update or insert."""

    def add(self, batch: list) -> None:
        pending: dict = {}  # email → row; an address twice: the earlier row is settled first
        for row in batch:
            if row.email in pending:
                self._flush(pending)
            pending[row.email] = row
        self._flush(pending)

    def _flush(self, pending: dict) -> None:
        if not pending:
            return
        emails = list(pending)
        existing = {
            lead["email"]: lead
            for lead in self.conn.execute(
                f"SELECT * FROM leads WHERE email IN ({','.join('?' * len(emails))})", emails)
        }
        fresh = []
        for email, row in pending.items():
            lead = existing.get(email)
            if lead is not None:
                if lead["status"] in ("unsubscribed", "bounced"):
                    self.report.suppressed += 1  # never back into the sequence (SPEC §5)
                else:
                    self.update(lead, row)
            elif self.suppressed(email, row.requested_at or self.now):
                self.report.suppressed += 1
            else:
                fresh.append(row)
        pending.clear()
        if fresh:
            info = self.insert(fresh)
            sent = [(self.conn.execute("SELECT id FROM leads WHERE email = ?", (row.email,))
                     .fetchone()[0], at) for row, at in zip(fresh, info) if at is not None]
            if sent:
                self.record_info_sent(sent)

    def finish(self) -> None:
        pass


class _Load(_Writer):
    """Into an empty table: append, then index (see the module's docstring)."""

    def __init__(self, *args):
        super().__init__(*args)
        conn = self.conn
        self.indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'leads' "
            "AND sql IS NOT NULL").fetchall()
        for name, _ in self.indexes:
            conn.execute(f'DROP INDEX "{name}"')
        # Rows get consecutive ids from here (SQLite gives max(rowid) + 1), which is how
        # an info-sent row finds its lead without an index to look it up by.
        self.next_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM leads").fetchone()[0]
        self.sent: list[tuple[int, datetime]] = []

    def add(self, batch: list) -> None:
        if self.has_suppressions:
            batch = [row for row in batch if not self._suppressed_row(row)]
        info = self.insert(batch)
        for offset, at in enumerate(info):
            if at is not None:
                self.sent.append((self.next_id + offset, at))
        self.next_id += len(batch)

    def _suppressed_row(self, row) -> bool:
        if self.suppressed(row.email, row.requested_at or self.now):
            self.report.suppressed += 1
            return True
        return False

    def finish(self) -> None:
        unique = [sql for _, sql in self.indexes if sql.startswith("CREATE UNIQUE")]
        for sql in unique:
            try:
                self.conn.execute(sql)
            except sqlite3.IntegrityError:
                folded = self._fold_duplicates()
                self.sent = [(lead_id, at) for lead_id, at in self.sent if lead_id not in folded]
                self.conn.execute(sql)
        for _, sql in self.indexes:
            if sql not in unique:
                self.conn.execute(sql)
        if self.sent:
            self.record_info_sent(self.sent)

    def _fold_duplicates(self) -> set[int]:
        """An address more than once in the file: its first row is the lead, and each
        later one updates it as a re-import would. Returns the ids of the rows removed."""
        from .csvsource import ParsedLead

        duplicated = self.conn.execute(
            "SELECT * FROM leads WHERE email IN "
            "(SELECT email FROM leads GROUP BY email HAVING count(*) > 1) ORDER BY email, id")
        folded: set[int] = set()
        lead = None
        for row in duplicated.fetchall():
            if lead is None or row["email"] != lead["email"]:
                lead = row
                continue
            later = ParsedLead(
                line=0, email=row["email"], name=row["name"], product=row["product"],
                source=row["source"], requested_at=None, info_sent_at=None,
                locale=row["locale"], timezone=row["timezone"], referred_by=row["referred_by"],
                fields=json.loads(row["fields"]) if row["fields"] else {})
            self.conn.execute("DELETE FROM leads WHERE id = ?", (row["id"],))
            folded.add(row["id"])
            self.report.new -= 1
            self.update(lead, later)
            lead = self.store.lead_by_id(lead["id"])
        return folded


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
                report = import_rows(
                    store, source, now, info_sent=info_sent, on_reject=on_reject,
                    on_batch=lambda: bar.update(source.bytes_read, source.total_bytes))
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
