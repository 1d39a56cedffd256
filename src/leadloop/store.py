"""The SQLite store: opening, transactions, and every query leadloop makes.

The database is opened with WAL (readers never block the sender) and a busy timeout
(a second process waits instead of failing; 30 s, or LEADLOOP_BUSY_TIMEOUT seconds).
Writes that must be atomic run inside `write()`, a BEGIN IMMEDIATE transaction: it
takes the write lock up front, so two processes cannot both read "not yet claimed" and
both claim (SPEC §6).

What goes wrong with the file itself — busy past the timeout, read-only, a full disk, a
damaged page — is the environment's doing, not a bug, and SPEC §4 wants one sentence for
it. The connection raises those as errors.DatabaseError subclasses that name the file
and say what to do (`database_error`), wherever in leadloop the query was made; errors
that are bugs (a constraint, bad SQL) stay what they were. A database that a newer
leadloop has migrated is refused before anything in it (or beside it) is written.

The cadence's answer for each lead is cached in `leads.next_step`, `next_due_at` and
`give_up_at`, recomputed from the lead's history by `refresh()` whenever that history
changes, and for every lead when the cadence rules change (a fingerprint in `meta`).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import os
import sqlite3
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from . import cadence
from .cadence import Contact, History, Rules
from .clock import day_bounds, from_db, local_day, to_db, zone
from .errors import (DatabaseBusy, DatabaseCorrupt, DatabaseError, DatabaseFull,
                     DatabaseReadOnly, DatabaseTooNew, InputError, LeadloopError, LeadNotFound,
                     NotLeadloopDatabase, given)
from . import migrations

BUSY_TIMEOUT_MS = 30_000
# The longest wait LEADLOOP_BUSY_TIMEOUT may ask for: a day.
MAX_BUSY_TIMEOUT_S = 86_400
STATUSES = ("active", "replied", "customer", "lost", "unsubscribed", "bounced", "erased")
MARKABLE = ("replied", "customer", "lost", "unsubscribed", "active")
# A lead in one of these never receives sequence mail again (SPEC §2).
FINAL = ("unsubscribed", "bounced", "erased")
# Statuses a failed address turns into `bounced` (a customer stays a customer).
BOUNCEABLE = ("active", "replied", "lost")
# Message states that count as a contact: `unknown` may have reached the lead (SPEC §6).
CONTACT_STATES = ("sent", "unknown")
# Soft failures in a row after which a lead is undeliverable (SPEC §7).
UNDELIVERABLE_RUN = 3
# Due messages claimed in one write transaction (Store.claim): short enough that serve's
# writes go between a batch's (BENCH.md B6), long enough that a claim costs no commit each.
CLAIM_CHUNK = 50
# Message states that used the day's sending budget.
ATTEMPT_STATES = ("sending", "sent", "unknown", "bounced")
# Message states of a message that went to a server and has an outcome: what a bounce
# report, the undeliverable rule and the blocked rate can be about. As SQL: OUTCOMES_SQL.
OUTCOME_STATES = ("sent", "unknown", "failed", "bounced")
OUTCOMES_SQL = "(" + ", ".join(f"'{state}'" for state in OUTCOME_STATES) + ")"


# DueMessage and Claim, like cadence's records, are NamedTuples: as immutable as a frozen
# dataclass, but made without generating and compiling six methods at import, ~0.5 ms a
# class on every command's start (BENCH.md B2).
class DueMessage(NamedTuple):
    lead: sqlite3.Row
    step: int
    due_at: datetime

    @property
    def template(self) -> str:
        return "info" if self.step == 0 else "followup"


class Claim(NamedTuple):
    message_row_id: int
    lead: sqlite3.Row
    step: int
    template: str
    message_id: str
    kind: str = "sequence"
    # The lead must still have one of these when its message goes (surveys: the status
    # they were sent to; the sequence: active).
    statuses: tuple[str, ...] = ("active",)
    # The server's words when this message was last held back as the sender's problem
    # (hold_for_sender), else None: runner.py offers it after the others.
    held: str | None = None


def _create_private(path: Path) -> None:
    """Make the database file owner-only before SQLite writes a byte of it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def busy_timeout_ms() -> int:
    """How long a command waits for another writer before it gives up: 30 s, or
    LEADLOOP_BUSY_TIMEOUT seconds (tests wait less; a cron job beside a long import, more)."""
    text = os.environ.get("LEADLOOP_BUSY_TIMEOUT", "").strip()
    if not text:
        return BUSY_TIMEOUT_MS
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= MAX_BUSY_TIMEOUT_S:  # also refuses nan and inf
        raise InputError(f'LEADLOOP_BUSY_TIMEOUT "{given(text)}": a number of seconds from 0 to '
                         f"{MAX_BUSY_TIMEOUT_S}")
    return round(seconds * 1000)


# -- the file's own failures as one sentence (SPEC §4) -----------------------------------

def _why_not_writable(path: Path, *, directory_first: bool = False) -> str | None:
    """What stops SQLite writing `path`, or creating its -wal, -shm or -journal beside it
    (`directory_first` when opening failed: the directory is then the likelier cause)."""

    def read_only_fs(where: Path) -> bool:
        try:
            return bool(os.statvfs(where).f_flag & os.ST_RDONLY)
        except OSError:
            return False

    def file_reason() -> str | None:
        if path.exists() and not os.access(path, os.W_OK):
            return ("the file is on a read-only file system" if read_only_fs(path)
                    else "the file is read-only")
        return None

    def directory_reason() -> str | None:
        directory = path.parent
        if not os.access(directory, os.W_OK | os.X_OK):
            where = ("on a read-only file system" if read_only_fs(directory) else "read-only")
            return (f"its directory is {where}, and SQLite must create {path.name}-wal and "
                    f"{path.name}-shm beside it")
        return None

    reasons = (directory_reason, file_reason) if directory_first else (file_reason, directory_reason)
    for reason in reasons:
        found = reason()
        if found:
            return found
    return None


def _disk_full(path: Path) -> bool:
    try:
        return os.statvfs(path.parent).f_bavail == 0
    except OSError:
        return False


def database_error(err: sqlite3.Error, path: Path, busy_ms: int = BUSY_TIMEOUT_MS
                   ) -> DatabaseError | None:
    """The LeadloopError that a sqlite3 error from the file at `path` stands for, or None
    when the error is not the environment's but a bug (a constraint, bad SQL)."""
    if isinstance(err, LeadloopError):
        return err
    code = getattr(err, "sqlite_errorcode", None)
    if code is None:
        return None
    primary = code & 0xFF
    path = Path(path)
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_PROTOCOL):
        waited = f"{busy_ms / 1000:g} s"
        return _translated(err, DatabaseBusy, (
            f"{path}: the database is busy (another leadloop or program has been writing to it "
            f"for more than {waited}); try again later"))
    if primary == sqlite3.SQLITE_FULL or (primary == sqlite3.SQLITE_IOERR and _disk_full(path)):
        return _translated(err, DatabaseFull, (
            f"{path}: the disk is full (or the database reached its size limit), so the "
            "change was not written; free some space and run leadloop again"))
    if primary in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_AUTH):
        why = _why_not_writable(path) or f"SQLite opened it read-only ({err})"
        return _translated(err, DatabaseReadOnly, f"{path}: cannot write the database: {why}")
    if primary == sqlite3.SQLITE_CANTOPEN:
        why = _why_not_writable(path, directory_first=True)
        return _translated(err, DatabaseReadOnly if why else DatabaseError,
                           f"{path}: cannot open the database: {why or err}")
    if primary == sqlite3.SQLITE_CORRUPT:
        return _translated(err, DatabaseCorrupt, (
            f"{path}: the database is damaged ({err}); restore it from a backup "
            f"(`sqlite3 {path} .recover` may save what is left)"))
    if primary == sqlite3.SQLITE_NOTADB:
        return _translated(err, DatabaseCorrupt, (
            f"{path}: not a leadloop database: SQLite cannot read it ({err}); check --db, "
            "or restore the file from a backup"))
    if primary == sqlite3.SQLITE_IOERR:
        return _translated(err, DatabaseError, (
            f"{path}: the disk failed while reading or writing the database ({err})"))
    if primary == sqlite3.SQLITE_NOMEM:
        return _translated(err, DatabaseError, f"{path}: out of memory ({err})")
    return None


@functools.cache
def _both(kind: type, sqlite_class: type) -> type:
    # Still the sqlite3 error it was, for code that catches one (a checkpoint that may
    # find the database busy), and a LeadloopError for the CLI.
    return type(kind.__name__, (kind, sqlite_class), {"__module__": kind.__module__})


def _translated(err: sqlite3.Error, kind: type, message: str) -> DatabaseError:
    translated = _both(kind, type(err))(message)
    translated.sqlite_errorcode = err.sqlite_errorcode
    translated.sqlite_errorname = err.sqlite_errorname
    return translated


class _Cursor(sqlite3.Cursor):
    """A cursor whose environmental errors come out translated (see `database_error`)."""

    def execute(self, *args):
        try:
            return super().execute(*args)
        except sqlite3.Error as err:
            raise self.connection.translated(err)

    def executemany(self, *args):
        try:
            return super().executemany(*args)
        except sqlite3.Error as err:
            raise self.connection.translated(err)

    def fetchone(self):
        try:
            return super().fetchone()
        except sqlite3.Error as err:
            raise self.connection.translated(err)

    def fetchmany(self, *args):
        try:
            return super().fetchmany(*args)
        except sqlite3.Error as err:
            raise self.connection.translated(err)

    def fetchall(self):
        try:
            return super().fetchall()
        except sqlite3.Error as err:
            raise self.connection.translated(err)

    def __iter__(self):
        # Rows in growing chunks: a damaged page found half-way through a listing is
        # translated too, at no cost per row (a Python __next__ would add ~80 % to
        # iterating a million rows). The first chunks are small: `due` stops early.
        size = 16
        while rows := self.fetchmany(size):
            yield from rows
            size = min(size * 2, 1024)


class _Connection(sqlite3.Connection):
    """A connection to the leadloop database at `where`; see `database_error`."""

    where: Path = Path("leadloop.db")
    busy_ms: int = BUSY_TIMEOUT_MS

    def translated(self, err: sqlite3.Error) -> sqlite3.Error:
        """The error to raise for `err`: itself when it is a bug, else its sentence."""
        return database_error(err, self.where, self.busy_ms) or err

    def cursor(self, factory=None):
        return super().cursor(factory or _Cursor)

    def execute(self, *args):
        try:
            return super().execute(*args)
        except sqlite3.Error as err:
            raise self.translated(err)

    def executemany(self, *args):
        try:
            return super().executemany(*args)
        except sqlite3.Error as err:
            raise self.translated(err)

    def executescript(self, *args):
        try:
            return super().executescript(*args)
        except sqlite3.Error as err:
            raise self.translated(err)


def _peek_migrations(path: Path) -> set[str] | None:
    """The migrations recorded in `path`, read without creating or changing anything in
    or beside it (SQLite's immutable mode: no -wal, no -shm, no lock); None when that
    cannot tell (no file; a -wal or -journal that may hold newer pages; unreadable).

    Only used to refuse a newer leadloop's database untouched: the normal open checks
    again, with locks and the WAL, before it writes anything."""
    try:
        if path.stat().st_size == 0:
            return None
    except OSError:
        return None
    if Path(f"{path}-wal").exists() or Path(f"{path}-journal").exists():
        return None
    absolute = str(path.resolve())
    # A URI path: % ? and # are its own syntax.
    quoted = absolute.replace("%", "%25").replace("?", "%3f").replace("#", "%23")
    try:
        conn = sqlite3.connect(f"file:{quoted}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error:
        return None
    try:
        return migrations.applied(conn)
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def _refuse_unknown(path: Path, done: set[str] | None) -> None:
    newer = migrations.unknown(done)
    if newer:
        raise DatabaseTooNew(
            f"{path}: written by a newer leadloop (its schema has {', '.join(newer)}, which "
            "this release does not know); upgrade leadloop to use it — nothing was changed")


class Store:
    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.path = path
        # Threads of one process writing through two connections share a lock: waiting
        # on it wakes at once, where SQLite's busy handler sleeps a millisecond or more.
        self.write_gate = contextlib.nullcontext()

    # -- opening ----------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, rules: Rules) -> "Store":
        path = Path(path)
        if path.is_dir():
            raise InputError(f"{path}: is a directory, not a database file")
        busy_ms = busy_timeout_ms()
        _refuse_unknown(path, _peek_migrations(path))
        try:
            _create_private(path)
        except OSError as err:
            if err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise DatabaseReadOnly(f"{path}: cannot create the database ({err.strerror})") from None
            if err.errno in (errno.ENOSPC, errno.EDQUOT):
                raise DatabaseFull(f"{path}: cannot create the database ({err.strerror})") from None
            raise InputError(f"{path}: cannot create the database ({err.strerror})") from None
        try:
            conn = sqlite3.connect(path, isolation_level=None, timeout=busy_ms / 1000,
                                   factory=_Connection)
        except sqlite3.Error as err:
            raise database_error(err, path, busy_ms) or InputError(
                f"{path}: cannot open the database ({err})") from None
        conn.where, conn.busy_ms = path, busy_ms
        try:
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {busy_ms}")
            # Before anything is written (WAL mode is written into the file's header).
            done = migrations.applied(conn)
            _refuse_unknown(path, done)
            if done is None and conn.execute(
                    "SELECT 1 FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' LIMIT 1").fetchone():
                raise NotLeadloopDatabase(
                    f"{path}: a SQLite database of another program (it has tables, none of "
                    "them leadloop's); leadloop will not write into it — check --db")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            # Erased personal data must not linger in freed pages (SPEC §10).
            conn.execute("PRAGMA secure_delete = ON")
            migrations.migrate(conn)
            store = cls(conn, path)
            store._ensure_cadence(rules)
        except LeadloopError:
            conn.close()
            raise
        except sqlite3.DatabaseError as err:
            conn.close()
            raise InputError(f"{path}: cannot open the database ({err})") from None
        except BaseException:
            conn.close()
            raise
        return store

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def write(self):
        """A BEGIN IMMEDIATE transaction: all or nothing, and the write lock from the start.

        Inside another write() it is a savepoint of that transaction, all or nothing on
        its own and committed with the outer one: the sender's bookkeeping thread writes
        what piles up while the server talks in one transaction (runner.py)."""
        if self.conn.in_transaction:
            yield from self._savepoint()
            return
        with self.write_gate:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise

    def _savepoint(self):
        self.conn.execute("SAVEPOINT leadloop_write")
        try:
            yield self.conn
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK TO leadloop_write")
                self.conn.execute("RELEASE leadloop_write")
            raise
        self.conn.execute("RELEASE leadloop_write")

    def _rollback(self) -> None:
        """Undo the open transaction, never hiding why it failed: on a full disk or an I/O
        error SQLite has rolled back already, and a second ROLLBACK's "cannot rollback -
        no transaction is active" would be all the user saw."""
        if not self.conn.in_transaction:
            return
        try:
            self.conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # the connection is closed with the process; SQLite undoes it on the next open

    @contextmanager
    def rollback_journal(self):
        """For a bulk load into an empty table: the rollback journal instead of WAL,
        when no other connection is open (changing the mode needs the database alone).

        WAL writes every new page twice (into the log, then into the database at the
        checkpoint); a rollback journal writes new pages once and journals only the few
        that existed. For a million-row first import that is a quarter of its time
        (BENCH.md B1). Atomicity is the same; while it runs, other processes wait for
        the database instead of reading the old state. Synchronous FULL meanwhile: the
        rollback journal is only safe against power loss with it."""
        conn = self.conn
        conn.execute("PRAGMA busy_timeout = 0")  # someone is there: do not wait, keep WAL
        try:
            switched = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
        except sqlite3.OperationalError:
            switched = False
        conn.execute(f"PRAGMA busy_timeout = {conn.busy_ms}")
        if not switched:
            yield
            return
        conn.execute("PRAGMA synchronous = FULL")
        try:
            yield
        finally:
            conn.execute("PRAGMA synchronous = NORMAL")
            try:
                conn.execute("PRAGMA journal_mode = WAL")
            except sqlite3.OperationalError:
                pass  # someone opened the database meanwhile; the next open sets WAL again

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        """Remember one value (a check's last result, ...) in its own transaction."""
        with self.write():
            self._set_meta(key, value)

    def _set_meta(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def _ensure_cadence(self, rules: Rules) -> None:
        self.rules = rules
        fingerprint = rules.fingerprint()
        stored = self.meta("cadence")
        if stored == fingerprint:
            return
        if stored is not None and stored == rules.legacy_fingerprint():
            with self.write():  # the same rules, stored the old way: nothing is stale
                self._set_meta("cadence", fingerprint)
            return
        with self.write():
            if self.meta("secret") is None:
                self._set_meta("secret", os.urandom(32).hex())
            ids = [row[0] for row in self.conn.execute("SELECT id FROM leads WHERE status = 'active'")]
            self.refresh(ids)
            self._set_meta("cadence", fingerprint)

    # -- leads ------------------------------------------------------------------

    def lead(self, email: str) -> sqlite3.Row:
        from .addresses import normalize_address

        try:
            address = normalize_address(email)
        except InputError:
            address = email.strip().lower()
        row = self.conn.execute("SELECT * FROM leads WHERE email = ?", (address,)).fetchone()
        if row is None:
            raise LeadNotFound(f'no lead with the address "{email.strip()}"')
        return row

    def lead_by_id(self, lead_id: int) -> sqlite3.Row:
        return self.conn.execute("SELECT * FROM leads WHERE id = ?", (lead_id,)).fetchone()

    def leads(self, status: str | None = None):
        if status:
            return self.conn.execute(
                "SELECT * FROM leads WHERE status = ? ORDER BY id", (status,)
            )
        return self.conn.execute("SELECT * FROM leads ORDER BY id")

    def event(self, lead_id: int | None, at: datetime, kind: str, detail: dict | None = None) -> None:
        self.conn.execute(
            "INSERT INTO events (lead_id, at, kind, detail) VALUES (?, ?, ?, ?)",
            (lead_id, to_db(at), kind,
             json.dumps(detail, ensure_ascii=False) if detail else None),
        )

    def events(self, lead_id: int) -> list[sqlite3.Row]:
        return self.conn.execute(
            "SELECT * FROM events WHERE lead_id = ? ORDER BY at, id", (lead_id,)
        ).fetchall()

    def timeline_events(self, lead_id: int) -> list[tuple[str, str, dict]]:
        """The lead's events as (kind, at, detail), oldest first, with its orders among
        them as `order` events read from the orders table: an order is written once, as
        its row (issue #26, BENCH B11). At the same instant an order comes after the
        events stored for it (the status change it caused). `order` events still stored
        are ones with no row (m012 removed the others): shown as they are, so that no
        order is shown twice or lost."""
        import heapq

        stored = [(row["kind"], row["at"], json.loads(row["detail"]) if row["detail"] else {})
                  for row in self.events(lead_id)]
        orders = [("order", row[0], _order_detail(*row[1:])) for row in self.conn.execute(
            "SELECT ordered_at, order_id, source, product, amount_minor, currency, new_buyer "
            "FROM orders WHERE lead_id = ? ORDER BY ordered_at, id", (lead_id,))]
        if not orders:
            return stored
        # Both by time; at the same instant heapq.merge takes the first list's first.
        return list(heapq.merge(stored, orders, key=_event_time))

    def messages(self, lead_id: int) -> list[sqlite3.Row]:
        return self.conn.execute(
            "SELECT * FROM messages WHERE lead_id = ? ORDER BY kind, step", (lead_id,)
        ).fetchall()

    def set_status(self, lead: sqlite3.Row, status: str, now: datetime, note: str | None = None) -> None:
        if status not in MARKABLE:
            raise InputError(f'"{status}" is not a status you can set (one of {", ".join(MARKABLE)})')
        if status == "active" and lead["status"] in FINAL:
            raise InputError(
                f'{lead["email"]} is {lead["status"]} and never receives sequence mail again'
            )
        with self.write():
            self.change_status(self.lead_by_id(lead["id"]), status, now, note, by="hand")

    def change_status(self, current: sqlite3.Row, status: str, now: datetime,
                      note: str | None = None, by: str | None = None) -> bool:
        """Inside a write transaction: move the lead to `status`; False if it is already there."""
        if current["status"] == status:
            return False
        resumed = to_db(now) if status == "active" else current["resumed_at"]
        self.conn.execute(
            "UPDATE leads SET status = ?, status_at = ?, resumed_at = ?, updated_at = ? "
            "WHERE id = ?",
            (status, to_db(now), resumed, to_db(now), current["id"]),
        )
        if status in ("unsubscribed", "bounced"):
            self.suppress(current["email"], status, now)
        detail = {"from": current["status"], "to": status}
        if by:  # "hand": `mark` (show says "resumed by hand")
            detail["by"] = by
        if note:
            detail["note"] = note
        self.event(current["id"], now, "status", detail)
        self.refresh([current["id"]])
        return True

    def mark_bounced(self, current: sqlite3.Row, now: datetime, note: str) -> None:
        """Inside a write transaction: the lead's address fails for good. A lead becomes
        `bounced`; a customer keeps the status that says so, but is not mailed at a dead
        address either way."""
        if current["status"] in BOUNCEABLE:
            self.change_status(current, "bounced", now, note)
        else:
            self.suppress(current["email"], "bounced", now)

    # -- suppression (SPEC §5, §10) --------------------------------------------------

    def address_hash(self, address: str) -> str:
        secret = bytes.fromhex(self.meta("secret"))
        import hashlib
        import hmac

        return hmac.new(secret, address.encode(), hashlib.sha256).hexdigest()

    def suppress(self, address: str, reason: str, now: datetime) -> None:
        self.conn.execute(
            "INSERT INTO suppressions (hash, reason, at) VALUES (?, ?, ?) "
            # Never weaker: an unsubscribed or bounced address that is later erased stays
            # blocked for good, not "until a newer inquiry" as a merely erased one.
            "ON CONFLICT(hash) DO UPDATE SET reason = excluded.reason, at = excluded.at "
            "WHERE suppressions.reason = 'erased'",
            (self.address_hash(address), reason, to_db(now)),
        )

    def suppression(self, address: str) -> sqlite3.Row | None:
        return self.conn.execute(
            "SELECT reason, at FROM suppressions WHERE hash = ?", (self.address_hash(address),)
        ).fetchone()

    # -- cadence cache ----------------------------------------------------------------

    def history(self, lead: sqlite3.Row) -> History:
        contacts, failed, retry_at = [], [], None
        for row in self.conn.execute(
            "SELECT step, state, sent_at, attempted_at, retry_at FROM messages "
            "WHERE lead_id = ? AND kind = 'sequence' ORDER BY step",
            (lead["id"],),
        ):
            if row["state"] in CONTACT_STATES:
                contacts.append(Contact(row["step"], from_db(row["sent_at"] or row["attempted_at"])))
            elif row["state"] == "failed":
                failed.append(Contact(row["step"], from_db(row["attempted_at"])))
            elif row["state"] == "deferred" and row["retry_at"]:
                retry_at = from_db(row["retry_at"])
        return History(
            key=str(lead["id"]),
            status=lead["status"],
            requested_at=from_db(lead["requested_at"]),
            contacts=tuple(contacts),
            resumed_at=from_db(lead["resumed_at"]),
            timezone=lead["timezone"],
            retry_at=retry_at,
            failed=tuple(failed),
        )

    def refresh(self, lead_ids) -> None:
        """Recompute the cached cadence answer of these leads; the caller holds `write()`."""
        for lead_id in lead_ids:
            lead = self.lead_by_id(lead_id)
            history = self.history(lead)
            upcoming = cadence.next_message(history, self.rules)
            give_up = cadence.give_up_at(history, self.rules)
            self.conn.execute(
                "UPDATE leads SET contacts = ?, last_contact_at = ?, next_step = ?, "
                "next_due_at = ?, give_up_at = ? WHERE id = ?",
                (
                    len(history.contacts),
                    to_db(history.last_contact_at) if history.last_contact_at else None,
                    upcoming.step if upcoming else None,
                    to_db(upcoming.due_at) if upcoming else None,
                    to_db(give_up) if give_up else None,
                    lead_id,
                ),
            )

    # -- what is due ----------------------------------------------------------------------

    def attempted_today(self, now: datetime) -> int:
        start, end = day_bounds(local_day(now, zone(self.rules.timezone)), zone(self.rules.timezone))
        placeholders = ",".join("?" * len(ATTEMPT_STATES))
        return self.conn.execute(
            f"SELECT count(*) FROM messages WHERE attempted_at >= ? AND attempted_at < ? "
            f"AND state IN ({placeholders})",
            (to_db(start), to_db(end), *ATTEMPT_STATES),
        ).fetchone()[0]

    def budget_left(self, now: datetime) -> int:
        """How many more messages today's daily_limit allows."""
        return max(0, self.rules.daily_limit - self.attempted_today(now))

    def _claimable(self, now: datetime) -> int:
        """Inside the claim's write transaction: today's budget less what any run holds
        `claimed` and has not attempted yet, so that two runs claiming at once (a batch
        and serve) never pass daily_limit together."""
        return self.budget_beside(now, None)

    def budget_beside(self, now: datetime, run_id: str | None) -> int:
        """Today's budget less what runs other than `run_id` hold `claimed`, counted in
        one statement (one snapshot: a row going from `claimed` to `sending` meanwhile
        is counted once, never missed)."""
        start, end = day_bounds(local_day(now, zone(self.rules.timezone)), zone(self.rules.timezone))
        placeholders = ",".join("?" * len(ATTEMPT_STATES))
        used = self.conn.execute(
            f"SELECT (SELECT count(*) FROM messages WHERE attempted_at >= ? AND attempted_at < ? "
            f"AND state IN ({placeholders})) + (SELECT count(*) FROM messages "
            "WHERE state = 'claimed' AND claimed_by IS NOT ?)",
            (to_db(start), to_db(end), *ATTEMPT_STATES, run_id),
        ).fetchone()[0]
        return max(0, self.rules.daily_limit - used)

    def due(self, now: datetime, limit: int | None = None, *, daily_limit: bool = True) -> list[DueMessage]:
        """What `send` would send now, in sending order (SPEC §3): info packs, then
        follow-ups oldest-due first, inside each lead's send window, within the day's budget."""
        return list(self.iter_due(now, limit, daily_limit=daily_limit))

    def iter_due(self, now: datetime, limit: int | None = None, *, daily_limit: bool = True):
        """`due`, a message at a time (a list as long as the daily limit may be long)."""
        budget = limit
        if daily_limit:
            left = self.budget_left(now)
            budget = left if budget is None else min(budget, left)
        if budget == 0:
            return
        default_open = cadence.window_open(now, self.rules)
        # Info packs of requests just made ignore the window (info_anytime, within
        # info_anytime_within: SPEC §3); older requests' info packs and follow-ups keep it.
        since = cadence.fresh_since(now, self.rules)
        fresh_since = to_db(since) if since is not None else None
        found = 0
        for followups in (0, 1):
            windowed = bool(followups) or fresh_since is None
            # When the default window is closed only leads with a timezone of their own (or,
            # for info packs, requests just made) can be due; the index scan skips the rest.
            tz_clause, extra = "", ()
            if not default_open:
                if windowed:
                    tz_clause = " AND timezone IS NOT NULL"
                else:
                    tz_clause, extra = " AND (requested_at >= ? OR timezone IS NOT NULL)", (fresh_since,)
            # Written so SQLite walks the leads_due index in order (no sort of every due
            # lead): one pass for info packs, one for follow-ups, each oldest-due first.
            cursor = self.conn.execute(
                "SELECT * FROM leads WHERE next_due_at IS NOT NULL AND (next_step > 0) = ? "
                f"AND next_due_at <= ?{tz_clause} ORDER BY next_due_at, rowid",
                (followups, to_db(now), *extra),
            )
            for lead in cursor:
                lead_windowed = windowed or lead["requested_at"] < fresh_since
                if lead_windowed and lead["timezone"] and not cadence.window_open(
                        now, self.rules, zone(lead["timezone"])):
                    continue
                if lead_windowed and not lead["timezone"] and not default_open:
                    continue  # an old request's info pack, in the default zone's closed window
                yield DueMessage(lead, lead["next_step"], from_db(lead["next_due_at"]))
                found += 1
                if budget is not None and found >= budget:
                    cursor.close()
                    return

    def due_info(self, lead_ids: list[int], now: datetime) -> list[DueMessage]:
        """Of these leads, those whose info pack is due now, oldest inquiry first, within
        the day's budget (`leadloop serve` sends them at once)."""
        left = self.budget_left(now)
        found: list[DueMessage] = []
        ids = sorted(set(lead_ids))
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for lead in self.conn.execute(
                f"SELECT * FROM leads WHERE id IN ({','.join('?' * len(chunk))}) "
                "AND next_step = 0 AND next_due_at <= ?", (*chunk, to_db(now)),
            ):
                if not cadence.info_goes_anytime(from_db(lead["requested_at"]), now, self.rules) \
                        and not cadence.window_open(now, self.rules,
                                                    zone(lead["timezone"] or self.rules.timezone)):
                    continue
                found.append(DueMessage(lead, 0, from_db(lead["next_due_at"])))
        found.sort(key=lambda item: (item.due_at, item.lead["id"]))
        return found[:left]

    # -- claiming and recording sends (SPEC §6, at most once) --------------------------------

    def claim(self, due: list[DueMessage], run_id: str, now: datetime, domain: str) -> list[Claim]:
        """Claim each due message for this run, within today's budget (counted in the same
        transaction); what another run holds is skipped. CLAIM_CHUNK messages a
        transaction: a batch's 2,000 claims in one held the write lock for a second or
        more, and serve's inquiries, written and sent beside it, waited that long (BENCH.md
        B6). Each message's claim is atomic on its own (the unique (lead, kind, step) row)."""
        claims: list[Claim] = []
        try:
            for start in range(0, len(due), CLAIM_CHUNK):
                with self.write():
                    left = self._claimable(now)  # this run's earlier chunks count too
                    taken = 0
                    for item in due[start:start + CLAIM_CHUNK]:
                        if taken >= left:
                            break
                        claim = self._claim_one(item, run_id, now, domain)
                        if claim is not None:
                            claims.append(claim)
                            taken += 1
                if taken >= left:
                    break  # the day's budget is spent
        except BaseException:
            # Earlier chunks are committed: give them back now if the database lets us;
            # what stays `claimed` sent nothing, and the next run's recovery releases it.
            with contextlib.suppress(DatabaseError, sqlite3.Error):
                with self.write():
                    for claim in claims:
                        self._release_where("id = ? AND claimed_by = ?", (claim.message_row_id, run_id))
            raise
        return claims

    def _claim_one(self, item: DueMessage, run_id: str, now: datetime, domain: str) -> Claim | None:
        """Inside claim()'s transaction: this due message for this run, or None when it is
        no longer due or another run holds it."""
        lead = self.lead_by_id(item.lead["id"])
        if (
            lead["status"] != "active"
            or lead["next_step"] != item.step
            or lead["next_due_at"] is None
            or lead["next_due_at"] > to_db(now)
        ):
            return None
        existing = self.conn.execute(
            "SELECT id, state, message_id, owner, error FROM messages "
            "WHERE lead_id = ? AND kind = 'sequence' AND step = ?",
            (lead["id"], item.step),
        ).fetchone()
        held = None
        if existing is None:
            message_id = new_message_id(domain)
            row_id = self.conn.execute(
                "INSERT INTO messages (lead_id, step, template, state, message_id, "
                "claimed_by, claimed_at) VALUES (?, ?, ?, 'claimed', ?, ?, ?)",
                (lead["id"], item.step, item.template, message_id, run_id, to_db(now)),
            ).lastrowid
        elif existing["state"] == "deferred":
            message_id, row_id = existing["message_id"], existing["id"]
            held = existing["error"] if existing["owner"] == "sender" else None
            self.conn.execute(
                "UPDATE messages SET state = 'claimed', claimed_by = ?, claimed_at = ? "
                "WHERE id = ?",
                (run_id, to_db(now), row_id),
            )
        else:
            return None
        return Claim(row_id, lead, item.step, item.template, message_id, held=held)

    def claim_once(self, leads: list[sqlite3.Row], kind: str, template: str, statuses: tuple[str, ...],
                   run_id: str, now: datetime, domain: str) -> list[Claim]:
        """Claim a one-off message of `kind` (a survey, its results) for each lead that has
        not had it: the unique (lead, kind, step) row makes it at most once, as for the
        sequence. Deferred ones are claimed again; anything else is skipped."""
        claims = []
        marks = ",".join("?" * len(statuses))
        with self.write():
            for lead in leads:
                current = self.conn.execute(
                    f"SELECT * FROM leads WHERE id = ? AND email IS NOT NULL AND status IN ({marks})",
                    (lead["id"], *statuses)).fetchone()
                if current is None or self.suppression(current["email"]) is not None:
                    continue
                existing = self.conn.execute(
                    "SELECT id, state, message_id FROM messages WHERE lead_id = ? AND kind = ? AND step = 0",
                    (current["id"], kind)).fetchone()
                if existing is None:
                    message_id = new_message_id(domain)
                    row_id = self.conn.execute(
                        "INSERT INTO messages (lead_id, kind, step, template, state, message_id, "
                        "claimed_by, claimed_at) VALUES (?, ?, 0, ?, 'claimed', ?, ?, ?)",
                        (current["id"], kind, template, message_id, run_id, to_db(now)),
                    ).lastrowid
                elif existing["state"] == "deferred":
                    message_id, row_id = existing["message_id"], existing["id"]
                    self.conn.execute(
                        "UPDATE messages SET state = 'claimed', claimed_by = ?, claimed_at = ? WHERE id = ?",
                        (run_id, to_db(now), row_id))
                else:
                    continue
                claims.append(Claim(row_id, current, 0, template, message_id, kind, statuses))
        return claims

    def begin_send(self, claim: Claim, run_id: str, now: datetime) -> bool:
        """Mark the message as in the hands of the server, just before the SMTP transaction.

        False when the lead left the sequence since the claim (marked, erased): the claim
        is given back and the message must not go."""
        marks = ",".join("?" * len(claim.statuses))
        with self.write():
            started = self.conn.execute(
                "UPDATE messages SET state = 'sending', attempted_at = ?, attempts = attempts + 1 "
                "WHERE id = ? AND state = 'claimed' AND claimed_by = ? "
                "AND EXISTS (SELECT 1 FROM leads WHERE leads.id = messages.lead_id "
                f"AND leads.status IN ({marks}))",
                (to_db(now), claim.message_row_id, run_id, *claim.statuses),
            ).rowcount
            if not started:
                self._release_where("id = ? AND claimed_by = ?", (claim.message_row_id, run_id))
        return bool(started)

    def finish_sent(self, claim: Claim, now: datetime, transport: str) -> None:
        with self.write():
            self.conn.execute(
                "UPDATE messages SET state = 'sent', sent_at = ?, transport = ?, error = NULL, "
                "retry_at = NULL WHERE id = ?",
                (to_db(now), transport, claim.message_row_id),
            )
            self.refresh([claim.lead["id"]])

    def finish_deferred(self, claim: Claim, now: datetime, retry_at: datetime, error: str,
                        failure: str | None = None) -> None:
        """A refusal of the lead's mailbox (full, disabled, greylisted, any 4xx): the same
        message is retried after `retry_at` (SPEC §6)."""
        with self.write():
            self.conn.execute(
                "UPDATE messages SET state = 'deferred', retry_at = ?, error = ?, claimed_by = NULL, "
                "failure = coalesce(?, failure), owner = 'mailbox' WHERE id = ?",
                (to_db(retry_at), error, failure, claim.message_row_id),
            )
            self.refresh([claim.lead["id"]])

    def hold_for_sender(self, claim: Claim, run_id: str, error: str, failure: str) -> None:
        """A refusal of the sender or the message (SPEC §6): charged to no lead. The attempt
        is not counted, the lead's status and cadence do not change, and the message stays
        due, with the refusal kept for `show` and `stats`."""
        with self.write():
            self.conn.execute(
                "UPDATE messages SET state = 'deferred', attempts = max(attempts - 1, 0), "
                "retry_at = NULL, error = ?, failure = ?, owner = 'sender', claimed_by = NULL "
                "WHERE id = ? AND state IN ('sending', 'claimed') AND claimed_by = ?",
                (error, failure, claim.message_row_id, run_id),
            )
            self.refresh([claim.lead["id"]])

    def finish_bounced(self, claim: Claim, now: datetime, error: str) -> None:
        """The server refused the recipient for good: the lead is `bounced` and suppressed."""
        with self.write():
            self.conn.execute(
                "UPDATE messages SET state = 'bounced', error = ?, owner = 'address' WHERE id = ?",
                (error, claim.message_row_id),
            )
            current = self.lead_by_id(claim.lead["id"])
            if current["status"] not in BOUNCEABLE:
                self.event(current["id"], now, "bounce", {"permanent": True, "note": error})
            self.mark_bounced(current, now, error)

    def finish_failed(self, claim: Claim, now: datetime, error: str) -> None:
        """A permanent failure that is not the address's fault: reported, not retried.
        The lead moves on to its next step, as if this one had never been due."""
        from .delivery_status import judge

        with self.write():
            self.conn.execute(
                "UPDATE messages SET state = 'failed', error = ?, failure = ?, owner = 'mailbox' "
                "WHERE id = ?",
                (error, judge(None, error).reason, claim.message_row_id),
            )
            self.refresh([claim.lead["id"]])
            self.check_undeliverable(self.lead_by_id(claim.lead["id"]), now)

    def fail_message(self, message_row_id: int, now: datetime, error: str, failure: str) -> None:
        """Inside a write transaction: a message reported later as not delivered (a soft
        bounce). It stops counting as a contact; the lead's status does not change."""
        self.conn.execute(
            "UPDATE messages SET state = 'failed', error = ?, failure = ?, owner = 'mailbox' WHERE id = ?",
            (error, failure, message_row_id),
        )

    def bounce_message(self, message_row_id: int, error: str, failure: str) -> None:
        """Inside a write transaction: a message reported later as refused for good because
        the address is dead (a hard bounce). It is `bounced`, as when the server refuses
        the recipient while sending, so `show`, `stats` and exports agree (issue #28)."""
        self.conn.execute(
            "UPDATE messages SET state = 'bounced', error = ?, failure = ? WHERE id = ?",
            (error, failure, message_row_id),
        )

    def set_owner(self, message_row_id: int, owner: str) -> None:
        """Inside a write transaction: whose failure a message's refusal was (stats)."""
        self.conn.execute("UPDATE messages SET owner = ? WHERE id = ?", (owner, message_row_id))

    def reoffer(self, message_row_id: int, now: datetime, error: str, failure: str) -> None:
        """Inside a write transaction: a message reported later as refused because of the
        sender (SPEC §6): never accepted, so due again, and never charged to the lead.
        The first time at once; after that with a wait that doubles from a day (attempts
        counts the offers), so a provider that keeps refusing us is not offered the same
        message every day."""
        attempts = self.conn.execute("SELECT attempts FROM messages WHERE id = ?",
                                     (message_row_id,)).fetchone()[0]
        retry_at = None if attempts <= 1 else now + timedelta(days=2 ** min(attempts - 2, 5))
        self.conn.execute(
            "UPDATE messages SET state = 'deferred', retry_at = ?, error = ?, failure = ?, "
            "owner = 'sender', claimed_by = NULL WHERE id = ?",
            (to_db(retry_at) if retry_at else None, error, failure, message_row_id),
        )

    def check_undeliverable(self, current: sqlite3.Row, now: datetime) -> bool:
        """Inside a write transaction: a lead whose last UNDELIVERABLE_RUN sequence
        messages all failed, with no delivery between, is undeliverable and becomes
        `bounced` (SPEC §7). leadloop learns of a delivery only by hearing of no failure,
        so "no delivery between" is read as: the messages in a row, by step, failed."""
        if current is None or current["email"] is None:
            return False
        states = [row[0] for row in self.conn.execute(
            "SELECT state FROM messages WHERE lead_id = ? AND kind = 'sequence' "
            f"AND state IN {OUTCOMES_SQL} ORDER BY step DESC LIMIT ?",
            (current["id"], UNDELIVERABLE_RUN))]
        if len(states) < UNDELIVERABLE_RUN or any(state != "failed" for state in states):
            return False
        self.mark_bounced(current, now, f"undeliverable: {UNDELIVERABLE_RUN} messages in a row failed")
        return True

    def review_bounce(self, now: datetime, written_at: datetime | None, sender: str | None,
                      subject: str, reason: str) -> None:
        """Inside a write transaction: keep an unrecognised bounce for review."""
        self.conn.execute(
            "INSERT INTO bounce_review (at, written_at, sender, subject, reason) VALUES (?, ?, ?, ?, ?)",
            (to_db(now), to_db(written_at) if written_at else None, sender, subject[:300], reason[:500]),
        )

    def bounces_to_review(self) -> list[sqlite3.Row]:
        return self.conn.execute("SELECT * FROM bounce_review ORDER BY at, id").fetchall()

    def fail_unsent(self, claim: Claim, run_id: str, now: datetime, error: str) -> None:
        """A claimed message that cannot be made for this lead (SPEC §6: it fails alone):
        `failed` without reaching a server, and the lead moves on as for finish_failed."""
        with self.write():
            self.conn.execute(
                "UPDATE messages SET state = 'failed', error = ?, attempted_at = ?, "
                "claimed_by = NULL WHERE id = ? AND state = 'claimed' AND claimed_by = ?",
                (error, to_db(now), claim.message_row_id, run_id),
            )
            self.refresh([claim.lead["id"]])

    def finish_unknown(self, claim: Claim, now: datetime, error: str) -> None:
        with self.write():
            self.conn.execute(
                "UPDATE messages SET state = 'unknown', error = ? WHERE id = ?",
                (error, claim.message_row_id),
            )
            self.refresh([claim.lead["id"]])

    def attempts(self, claim: Claim) -> int:
        return self.conn.execute(
            "SELECT attempts FROM messages WHERE id = ?", (claim.message_row_id,)
        ).fetchone()[0]

    def unsend(self, claim: Claim, run_id: str) -> None:
        """Undo `begin_send` for a message that certainly did not reach the server (the run
        stopped before its content went): no attempt is counted against the lead."""
        with self.write():
            self.conn.execute(
                "UPDATE messages SET state = 'claimed', attempts = attempts - 1 "
                "WHERE id = ? AND state = 'sending' AND claimed_by = ?",
                (claim.message_row_id, run_id),
            )
            self._release_where("id = ? AND claimed_by = ?", (claim.message_row_id, run_id))

    def release(self, claim: Claim, run_id: str) -> None:
        """Give back a claim whose SMTP transaction never started, so a later run sends it."""
        with self.write():
            self._release_where("id = ? AND claimed_by = ?", (claim.message_row_id, run_id))

    def _release_where(self, condition: str, params: tuple) -> None:
        # A first attempt leaves no trace; a retried one goes back to waiting for its retry.
        self.conn.execute(
            f"DELETE FROM messages WHERE state = 'claimed' AND attempts = 0 AND {condition}", params
        )
        self.conn.execute(
            f"UPDATE messages SET state = 'deferred', claimed_by = NULL "
            f"WHERE state = 'claimed' AND {condition}",
            params,
        )

    def has_abandoned(self) -> bool:
        """Whether a run holds (or held, if it died) claimed or sending messages."""
        return self.conn.execute(
            "SELECT 1 FROM messages WHERE state IN ('claimed', 'sending') LIMIT 1"
        ).fetchone() is not None

    def recover_abandoned(self, now: datetime) -> int:
        """After a crash: claims never started are released; messages that were in the
        server's hands when the process died become `unknown` (never resent). Only call
        this while holding the sending lock exclusive (runlock.py), when no other run can
        own these rows."""
        # Nearly every run finds nothing to recover: a read (on the state index) spares
        # the idle run-daily a write transaction.
        if not self.has_abandoned():
            return 0
        with self.write():
            self._release_where("1 = 1", ())
            lead_ids = [row[0] for row in self.conn.execute(
                "SELECT lead_id FROM messages WHERE state = 'sending'")]
            self.conn.execute(
                "UPDATE messages SET state = 'unknown', error = 'the run stopped before the "
                "server answered' WHERE state = 'sending'"
            )
            self.refresh(lead_ids)
        return len(lead_ids)

    def unknown_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM messages WHERE state = 'unknown'").fetchone()[0]


def new_message_id(domain: str) -> str:
    # os.urandom is what secrets.token_hex reads, without the import (BENCH.md B2).
    return f"<{os.urandom(12).hex()}@{domain}>"


def _order_detail(order_id: str, source: str, product: str | None, amount_minor: int | None,
                  currency: str | None, new_buyer: int | None) -> dict:
    """An order's fields as the `order` events written before m012 held them (`show
    --json` keeps them)."""
    detail = {"order": order_id, "source": source, "product": product,
              "amount_minor": amount_minor, "currency": currency}
    if new_buyer:
        detail["new_buyer"] = True
    return detail


def _event_time(event: tuple) -> str:
    return event[1]
