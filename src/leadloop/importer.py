"""Parsed rows (sources/) → leads in the store: new, updated, unchanged,
suppressed or rejected, in one transaction.

One transaction for the whole file: a file that turns out unreadable half-way imports
nothing. Rows arrive in batches (from a forked reading process when the file is big,
see forked.py) and are written with one executemany each.

Two ways in, chosen by whether the store already has leads:
- into an empty table (a first import, the big one) the indexes rows would land in at
  random are dropped, rows are appended without a look-up, and the indexes are built
  once at the end: sorting a million keys once is several times cheaper than a million
  B-tree inserts (BENCH.md B1). An address twice in the file shows up when the unique
  index is built, and the later rows are then folded into the first, as an upsert
  would have done. When no one else has the database open, this runs with the rollback
  journal instead of WAL (Store.rollback_journal);
- otherwise each batch's existing leads are looked up in one query and upserted.

An import never resets a lead: status, messages and cadence stay; only fields the file
has values for are updated (SPEC §5). Unsubscribed and bounced addresses are never
re-imported; an erased one only with an inquiry dated after its erasure.
"""

from __future__ import annotations

import gc
import json
import operator
import os
import sqlite3
from collections.abc import Callable, Iterable
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime

from . import cadence
from .clock import from_db, to_db, zone
from .errors import InputError
from .store import Store

UPDATABLE = ("name", "product", "source", "locale", "timezone", "referred_by", "first_name")
# A new lead's values in the INSERT, in order.
COLUMNS = ("email", "name", "product", "source", "locale", "timezone", "referred_by",
           "fields", "requested_at", "next_step", "next_due_at", "first_name")
# The same for a batch of leads that only have these, as most files' leads do (the
# others NULL, the info pack next): binding five fewer values a row takes a third off
# the INSERT's time (BENCH.md B1).
NARROW = ("email", "name", "product", "source", "requested_at", "next_due_at")
# Where a parsed row (sources.rows.ParsedLead, as a tuple) has its request date.
_PARSED_REQUESTED_AT = 5
# Where the INSERT's values have the request date and the next step.
_REQUESTED_NARROW = operator.itemgetter(NARROW.index("requested_at"))
_REQUESTED, _NEXT_STEP = COLUMNS.index("requested_at"), COLUMNS.index("next_step")


@dataclass
class ImportReport:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    suppressed: int = 0
    rejected: int = 0
    # The file's column read as the request date; None: every lead is dated at the
    # import time (SPEC §5), which the summary says.
    requested_at_column: str | None = None
    # New leads whose info pack is still to go, for a request older than
    # backlog.STALE_AFTER: the summary warns before anything is sent (issue #20).
    stale_info: int = 0
    # Leads already known whose info pack had not gone, recorded as sent by this import
    # (--info-sent, --info-sent-before, an info_sent_at column).
    info_recorded: int = 0
    # Lines above the header row (a title, a note: issue #25) that were not read as rows.
    skipped_lines: int = 0
    # Leads the file says opted out of marketing mail, now unsubscribed (issue #25).
    opted_out: int = 0
    # A date of the file that only a month-first reading makes a date ("5/20/2024"): its
    # dates were read month-first with no --month-first (sources.rows.month_first_shown).
    month_first_shown: str | None = None
    # (code page, a word as read in it) when the file was not Unicode and leadloop chose
    # the code page it reads best in (sources/codepage.py; --encoding says it instead).
    code_page: tuple[str, str | None] | None = None

    def as_dict(self) -> dict:
        return {"new": self.new, "updated": self.updated, "unchanged": self.unchanged,
                "suppressed": self.suppressed, "rejected": self.rejected,
                "requested_at_column": self.requested_at_column,
                "stale_info": self.stale_info, "info_recorded": self.info_recorded,
                "skipped_lines": self.skipped_lines, "opted_out": self.opted_out,
                "dates_month_first": self.month_first_shown is not None,
                "code_page": self.code_page[0] if self.code_page else None}


def import_rows(store: Store, rows: Iterable, now: datetime, *, info_sent: bool = False,
                on_reject: Callable | None = None) -> ImportReport:
    """Import ParsedLead rows; RejectedRow items are counted and handed to `on_reject`."""
    from .sources.rows import batches_of

    return import_batches(store, batches_of(rows), now, info_sent=info_sent,
                          on_reject=on_reject)


def import_batches(store: Store, batches: Iterable, now: datetime, *, info_sent: bool = False,
                   on_reject: Callable | None = None, on_batch: Callable | None = None,
                   info_sent_before: datetime | None = None,
                   repeats: bool = False) -> ImportReport:
    """Import sources.rows.Batch after Batch, in one transaction. `info_sent`: every
    row's info pack went out before (at its request); `info_sent_before`: that of every
    request made before this instant. `repeats`: a file's rows, where a known address
    with another request date, or twice in the file, is a repeated inquiry (SPEC §5);
    otherwise (`add`, the web) a known address's row updates the fields it has."""
    report = ImportReport()
    empty = _empty(store)
    with _without_cycle_collector(), \
            store.rollback_journal() if empty else nullcontext(), store.write():
        empty = _empty(store)  # again, now that the write lock is ours
        writer = (_Load if empty else _Upsert)(store, now, (info_sent, info_sent_before), report)
        writer.repeats = repeats
        for batch in batches:
            report.rejected += len(batch.rejects)
            if on_reject:
                for rejected in batch.rejects:
                    on_reject(rejected)
            writer.add(batch)
            if on_batch:
                on_batch(batch)
        writer.finish()
    return report


@contextmanager
def _without_cycle_collector():
    """An import makes millions of short-lived tuples and no reference cycles: the
    cycle collector would only walk them (a tenth of the time of a big import)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _empty(store: Store) -> bool:
    return store.conn.execute("SELECT 1 FROM leads LIMIT 1").fetchone() is None


class _Shaper:
    """Parsed rows → the INSERT's values. A new lead's info pack is due at a time that
    depends only on the inquiry's time and zone (cadence.InfoDues). The next step of a
    lead whose info pack went out before the import (or that gets none) depends on the
    lead (its id spreads follow-ups): it is settled once the lead is in the table."""

    def __init__(self, rules, now: datetime, info_sent: tuple[bool, datetime | None]):
        self.rules = rules
        self.info_sent, before = info_sent
        self.info_sent_before = to_db(before) if before is not None else None
        self.now = to_db(now)
        first = cadence.next_message(
            cadence.History(key="", status="active", requested_at=now), rules)
        self.info_first = first is not None and first.step == 0
        self.info_dues = {None: cadence.InfoDues(rules, zone(rules.timezone))}
        # Addresses whose rows say they opted out of marketing mail (few: a list).
        self.opted_out: list[str] = []

    def shape(self, leads: list[tuple], narrow_ok: bool = False) -> tuple[list[tuple], dict, bool]:
        """Returns the values, in order (NARROW's when `narrow_ok` and the batch allows,
        else COLUMNS'), {index: info pack sent at} to settle, and whether narrow."""
        before = self.info_sent_before
        if narrow_ok and self.info_first and not self.info_sent and not any(
                row[6] or row[7] or row[8] or row[9] or row[10] or row[11] or row[12]
                for row in leads) and (
                before is None or all((row[5] or self.now) >= before for row in leads)):
            dues, now, values = self.info_dues[None], self.now, []
            for _, email, name, product, source, requested_at, _, _, _, _, _, _, _ in leads:
                requested_at = requested_at or now
                values.append((email, name, product, source, requested_at, dues(requested_at)))
            return values, {}, True
        values, settle = [], {}
        info_dues, info_first, info_sent = self.info_dues, self.info_first, self.info_sent
        for (_, email, name, product, source, requested_at, info_sent_at, locale, tz_name,
             referred_by, fields, first_name, opted_out) in leads:
            requested_at = requested_at or self.now
            if opted_out:
                self.opted_out.append(email)
            if info_sent_at is None and (info_sent or (before is not None and requested_at < before)):
                info_sent_at = requested_at
            if info_sent_at is None and info_first:
                dues = info_dues.get(tz_name)
                if dues is None:
                    dues = info_dues[tz_name] = cadence.InfoDues(self.rules, zone(tz_name))
                values.append((email, name, product, source, locale, tz_name, referred_by,
                               fields, requested_at, 0, dues(requested_at), first_name))
            else:
                settle[len(values)] = info_sent_at
                values.append((email, name, product, source, locale, tz_name, referred_by,
                               fields, requested_at, None, None, first_name))
        return values, settle, False


def _insert_statement(columns: tuple, fixed: dict, stamp: str) -> str:
    fixed = {**fixed, "status": "'active'", "status_at": f"'{stamp}'",
             "created_at": f"'{stamp}'", "updated_at": f"'{stamp}'", "contacts": "0"}
    return (f"INSERT INTO leads ({', '.join((*columns, *fixed))}) "
            f"VALUES ({', '.join(('?',) * len(columns) + tuple(fixed.values()))})")


class _Writer:
    def __init__(self, store: Store, now: datetime, info_sent: tuple, report: ImportReport):
        from .backlog import stale_before

        self.store, self.conn, self.now, self.report = store, store.conn, now, report
        self.shaper = _Shaper(store.rules, now, info_sent)
        self.stale_before = stale_before(now)
        self.has_suppressions = self.conn.execute(
            "SELECT 1 FROM suppressions LIMIT 1").fetchone() is not None
        # `now` is our own ISO timestamp, written into the statement so that a million
        # rows do not bind the same three values three million times.
        stamp = to_db(now)
        self._insert_sql = _insert_statement(COLUMNS, {}, stamp)
        self._narrow_sql = _insert_statement(NARROW, {"next_step": "0"}, stamp)
        self.settle: list[tuple[int, str | None]] = []  # (lead id, info pack sent at)
        self.repeats = False  # see import_batches

    def suppressed(self, email: str, requested_at: str | None, other: str | None = None) -> bool:
        """An address that must not come back (SPEC §5), or the row's `other` address
        that must not; counted once when so. `requested_at`: the row's own request date,
        None when it has none."""
        if not self.has_suppressions:
            return False
        if other is not None and self.suppressed(other, requested_at):
            return True
        entry = self.store.suppression(email)
        if entry is None:
            return False
        if entry["reason"] == "erased":
            # Someone given up may ask again: a new inquiry after the erasure is a new
            # lead. A row without a date is no such inquiry (the import time would make
            # any old list of leads look newer than every erasure).
            if requested_at is not None and from_db(requested_at) > from_db(entry["at"]):
                return False
        self.report.suppressed += 1
        return True

    def insert(self, leads: list[tuple], narrow: bool = False) -> None:
        self.conn.executemany(self._narrow_sql if narrow else self._insert_sql, leads)
        self.report.new += len(leads)
        # New leads whose info pack is to go for a request over a month old (C loops:
        # a million rows cost ~50 ms, on the writing side, which waits for the reader).
        stale = self.stale_before
        if narrow:
            self.report.stale_info += sum(map(stale.__gt__, map(_REQUESTED_NARROW, leads)))
        else:
            self.report.stale_info += sum(
                1 for row in leads if row[_NEXT_STEP] == 0 and row[_REQUESTED] < stale)

    def record_opt_outs(self) -> None:
        """Rows whose file says the person opted out of marketing mail (issue #25): the
        lead is `unsubscribed` and the address suppressed, as an unsubscribe would do,
        before anything is sent. A customer stays a customer, its address suppressed."""
        from .store import FINAL

        for email in dict.fromkeys(self.shaper.opted_out):
            lead = self.conn.execute("SELECT * FROM leads WHERE email = ?", (email,)).fetchone()
            if lead is None or lead["status"] in FINAL:
                continue  # suppressed already (counted so), or erased
            if lead["status"] == "customer" and (
                    (known := self.store.suppression(email)) and known["reason"] != "erased"):
                continue  # a customer whose address is suppressed already
            if (lead["created_at"] == self.shaper.now and lead["next_step"] == 0
                    and lead["requested_at"] < self.stale_before):
                self.report.stale_info -= 1  # no info pack will go: nothing to warn of
            if lead["status"] == "customer":
                self.store.suppress(email, "unsubscribed", self.now)
            else:
                self.store.change_status(lead, "unsubscribed", self.now,
                                         note="opted out of marketing mail in the file",
                                         by="import")
            self.report.opted_out += 1

    def settle_new(self) -> None:
        """Record info packs sent before leadloop knew the lead (SPEC §3) as sent step-0
        messages, and work out these leads' next step."""
        if not self.settle:
            return
        self.conn.executemany(
            "INSERT INTO messages (lead_id, step, template, state, sent_at, attempted_at, "
            "transport) VALUES (?, 0, 'info', 'sent', ?, ?, 'import')",
            [(lead_id, at, at) for lead_id, at in self.settle if at is not None])
        self.store.refresh([lead_id for lead_id, _ in self.settle])

    def update(self, lead, row, *, repeat: bool = False, asked_at: str | None = None) -> None:
        """`row` (a mapping of COLUMNS) into `lead`. `repeat`: the row is another
        inquiry of the lead's (the address twice in one file, or a later request date
        than the lead's): the first request's date and source stay, only the fields
        the lead lacks are filled, and `asked_at`, the repeat's own date, goes into the
        timeline (once: importing the same file again changes nothing)."""
        repeat = repeat and self.repeats
        changes = _changes(lead, row, fill_only=repeat)
        asked_again = (repeat and asked_at is not None and asked_at != lead["requested_at"]
                       and self._record_asked_again(lead["id"], asked_at, row))
        if not changes:
            if asked_again:
                self.report.updated += 1
            else:
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

    def _record_asked_again(self, lead_id: int, asked_at: str, row) -> bool:
        """An "asked again" moment of the lead's timeline, unless it is there already."""
        if self.conn.execute("SELECT 1 FROM events WHERE lead_id = ? AND kind = 'asked_again' "
                             "AND at = ?", (lead_id, asked_at)).fetchone():
            return False
        detail = {key: row[key] for key in ("product", "source") if row[key]}
        self.conn.execute(
            "INSERT INTO events (lead_id, at, kind, detail) VALUES (?, ?, 'asked_again', ?)",
            (lead_id, asked_at, json.dumps(detail, ensure_ascii=False) if detail else None))
        return True


def _changes(lead, row, fill_only: bool = False) -> dict:
    """What a later row (a mapping of COLUMNS) says that the lead does not: non-empty
    values only, custom fields merged. `fill_only`: only what the lead has no value for."""
    changes = {}
    for name in UPDATABLE:
        value = row[name]
        if value is not None and value != lead[name] and not (fill_only and lead[name] is not None):
            changes[name] = value
    if row["fields"]:
        fields = json.loads(lead["fields"]) if lead["fields"] else {}
        later = json.loads(row["fields"])
        merged = {**later, **fields} if fill_only else {**fields, **later}
        if merged != fields:
            changes["fields"] = json.dumps(merged, ensure_ascii=False)
    return changes


class _Upsert(_Writer):
    """Into a table that has leads: look each batch up, update or insert."""

    def __init__(self, *args):
        super().__init__(*args)
        self.recorded: set[int] = set()  # leads whose earlier info pack this import records

    def add(self, batch) -> None:
        leads, settle, _ = self.shaper.shape(batch.leads)
        pending: dict = {}  # email → (values, index); an address twice: the earlier first
        # Rows whose address came earlier in the batch: a repeated inquiry even without
        # a date of its own. (Across batches, only a date tells: memory stays flat.)
        repeats: set[int] = set()
        seen: set[str] = set()
        for index, values in enumerate(leads):
            if values[0] in seen:
                repeats.add(index)
                if values[0] in pending:
                    self._flush(pending, settle, batch.leads, repeats, batch.others)
            seen.add(values[0])
            pending[values[0]] = (values, index)
        self._flush(pending, settle, batch.leads, repeats, batch.others)

    def _flush(self, pending: dict, settle: dict, parsed: list[tuple],
               repeats: set[int], others: dict[int, str]) -> None:
        if not pending:
            return
        emails = list(pending)
        existing = {
            lead["email"]: lead
            for lead in self.conn.execute(
                f"SELECT * FROM leads WHERE email IN ({','.join('?' * len(emails))})", emails)
        }
        if others:
            # A row with two addresses is the lead known by either: an earlier release
            # (or another file) may have keyed the person by the other column, and a new
            # lead would send them the information again.
            by_other = {others[index]: email for email, (_, index) in pending.items()
                        if email not in existing and index in others}
            if by_other:
                for lead in self.conn.execute(
                        f"SELECT * FROM leads WHERE email IN ({','.join('?' * len(by_other))})",
                        list(by_other)):
                    existing[by_other[lead["email"]]] = lead
        fresh, later = [], []
        for email, (values, index) in pending.items():
            lead = existing.get(email)
            if lead is not None:
                if lead["status"] in ("unsubscribed", "bounced"):
                    self.report.suppressed += 1  # never back into the sequence (SPEC §5)
                else:
                    # Another inquiry: the address again in this file, or a request
                    # dated other than the lead's (a file without dates only updates).
                    asked_at = parsed[index][_PARSED_REQUESTED_AT]
                    self.update(lead, dict(zip(COLUMNS, values)), asked_at=asked_at,
                                repeat=index in repeats or (
                                    asked_at is not None and asked_at != lead["requested_at"]))
                    if (settle.get(index) is not None and lead["id"] not in self.recorded
                            and self._info_pending(lead)):
                        self.recorded.add(lead["id"])
                        # The file says the info pack went out already: record it, as
                        # for a new lead; nothing else of the lead's cadence changes.
                        self.settle.append((lead["id"], settle[index]))
                        self.report.info_recorded += 1
            elif not self.suppressed(email, parsed[index][_PARSED_REQUESTED_AT], others.get(index)):
                fresh.append(values)
                if index in settle:
                    later.append((email, settle[index]))
        pending.clear()
        self.insert(fresh)
        for email, at in later:
            lead_id = self.conn.execute("SELECT id FROM leads WHERE email = ?", (email,)).fetchone()[0]
            self.settle.append((lead_id, at))

    def _info_pending(self, lead) -> bool:
        """An active lead whose info pack is next and has no message row yet (none
        claimed, deferred or sent): only then can an import say it went before."""
        return (lead["status"] == "active" and lead["next_step"] == 0
                and self.conn.execute("SELECT 1 FROM messages WHERE lead_id = ? AND kind = 'sequence' "
                                      "AND step = 0", (lead["id"],)).fetchone() is None)

    def finish(self) -> None:
        self.settle_new()
        self.record_opt_outs()


# Indexes a load appends to rather than inserts into: every new lead is `active` (the
# status index grows at its end) and none has a give-up time (the partial index stays empty).
# The referral indexes are partial too and hold only the few referred leads: kept, they
# cost a handful of inserts; dropped, rebuilding them would read every lead again.
_KEPT_DURING_LOAD = ("leads_status", "leads_give_up", "leads_referred_by", "leads_referrer_erased")


class _Load(_Writer):
    """Into an empty table: append, then index (see the module's docstring)."""

    def __init__(self, *args):
        super().__init__(*args)
        conn = self.conn
        self.indexes = [
            (name, sql) for name, sql in conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name = 'leads' AND sql IS NOT NULL")
            if name not in _KEPT_DURING_LOAD]
        for name, _ in self.indexes:
            conn.execute(f'DROP INDEX "{name}"')
        # Rows get consecutive ids from here (SQLite gives max(rowid) + 1), which is how
        # an info-sent row finds its lead without an index to look it up by.
        self.next_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM leads").fetchone()[0]

    def add(self, batch) -> None:
        leads, settle, narrow = self.shaper.shape(batch.leads, narrow_ok=True)
        if self.has_suppressions or settle:
            kept = []
            for index, values in enumerate(leads):
                if self.suppressed(values[0], batch.leads[index][_PARSED_REQUESTED_AT],
                                   batch.others.get(index)):
                    continue
                if index in settle:
                    self.settle.append((self.next_id + len(kept), settle[index]))
                kept.append(values)
            leads = kept
        self.insert(leads, narrow)
        self.next_id += len(leads)

    def finish(self) -> None:
        unique = [sql for _, sql in self.indexes if sql.startswith("CREATE UNIQUE")]
        # The import's reading process is done by now: SQLite may sort on both cores.
        self.conn.execute(f"PRAGMA threads = {min(os.cpu_count() or 1, 4)}")
        for sql in unique:
            try:
                self.conn.execute(sql)
            except sqlite3.IntegrityError:
                folded = self._fold_duplicates()
                self.settle = [(lead_id, at) for lead_id, at in self.settle
                               if lead_id not in folded]
                self.conn.execute(sql)
        for _, sql in self.indexes:
            if sql not in unique:
                self.conn.execute(sql)
        self.conn.execute("PRAGMA threads = 0")
        self.settle_new()
        self.record_opt_outs()

    def _fold_duplicates(self) -> set[int]:
        """An address more than once in the file: its first row is the lead, and each
        later one is a repeated inquiry (Writer.update). Returns the ids of the rows removed."""
        duplicated = self.conn.execute(
            "SELECT * FROM leads WHERE email IN "
            "(SELECT email FROM leads GROUP BY email HAVING count(*) > 1) ORDER BY email, id")
        folded: set[int] = set()
        lead = None
        for row in duplicated.fetchall():
            if lead is None or row["email"] != lead["email"]:
                lead = row
                continue
            self.conn.execute("DELETE FROM leads WHERE id = ?", (row["id"],))
            folded.add(row["id"])
            self.report.new -= 1
            if row["next_step"] == 0 and row["requested_at"] < self.stale_before:
                self.report.stale_info -= 1
            # An undated row was given the import time: no date of its own to record.
            asked_at = row["requested_at"] if row["requested_at"] != self.shaper.now else None
            self.update(lead, row, repeat=True, asked_at=asked_at)
            lead = self.store.lead_by_id(lead["id"])
        return folded


MAX_REJECTS_SHOWN = 20
# Below this a file is read in the importing process: a second one would cost more to
# start than it saves.
PARALLEL_FROM_BYTES = 4 << 20


def run_import(store: Store, config, file: str, now: datetime, *, rejects_path=None,
               info_sent: bool = False, info_sent_before: datetime | None = None,
               force: bool = False, on_progress: Callable[[int, int | None], None] | None = None,
               **options):
    """Import a file of leads (sources/); returns (report, the first rejects, how many
    were rejected). The rejects file is complete only if the import is. `on_progress`
    hears (position, total) after each batch, in the file's own unit (bytes or rows;
    total None when unknown): the CLI draws a bar from it, the core draws nothing."""
    import csv

    from . import forked
    from .outfiles import database_files, written
    from .sources import open_source

    shown = []
    with open_source(file, default_timezone=config.cadence.timezone, **options) as source:
        protected = [(file, "the file being imported"), *database_files(store.path)]
        rejects = (written(rejects_path, what="rejected rows", force=force, protected=protected)
                   if rejects_path is not None else nullcontext())
        with rejects as rejects_file:
            writer = None
            if rejects_file is not None:
                writer = csv.writer(rejects_file)
                writer.writerow([*source.header, "line", "reason"])

            def on_reject(row) -> None:
                if len(shown) < MAX_REJECTS_SHOWN:
                    shown.append(row)
                if writer is not None:
                    writer.writerow([*row.values, row.line, row.reason])

            batches = source.batches()
            if (source.parallel_size or 0) >= PARALLEL_FROM_BYTES and forked.available():
                batches = forked.in_child(batches)
            report = import_batches(
                store, batches, now, info_sent=info_sent, info_sent_before=info_sent_before,
                on_reject=on_reject, repeats=True,
                on_batch=(lambda batch: on_progress(batch.position, source.total))
                if on_progress else None)
    where = source.plan.where.get("requested_at")
    report.requested_at_column = source.header[where] if where is not None else None
    report.skipped_lines = source.skipped_lines
    report.month_first_shown = source.month_first_shown
    report.code_page = source.code_page
    return report, shown, report.rejected


def add_lead(store: Store, config, now: datetime, *, email: str, name=None, product=None,
             source=None, requested_at=None, locale=None, timezone_name=None,
             referred_by=None, first_name=None) -> str:
    """Record one inquiry through the same rules as an imported row; says what happened."""
    from .addresses import normalize_address
    from .clock import parse_instant, zone
    from .locales import language_code
    from .message import clean
    from .sources.rows import ParsedLead

    address = normalize_address(email)
    if timezone_name:
        zone(timezone_name)
    if locale is not None:
        try:
            locale = language_code(locale)
        except InputError as err:
            raise InputError(f"--locale: {err}") from None
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
        # An inquiry recorded now is dated now (SPEC §5: only dated inquiries bring
        # back an erased lead).
        requested_at=to_db(when or now), info_sent_at=None,
        locale=locale, timezone=timezone_name,
        referred_by=normalize_address(referred_by) if referred_by else None, fields=None,
        first_name=tidy(first_name),
    )
    report = import_rows(store, [row], now)
    if report.new:
        return f"added {address}"
    if report.updated:
        return f"updated {address}"
    if report.suppressed:
        return f"{address} is suppressed (unsubscribed, bounced or erased); not added"
    return f"{address} is already a lead; nothing changed"
