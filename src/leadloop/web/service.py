"""What `leadloop serve` does besides HTTP: the threads that own the database
connections and the sender. No web framework here; app.py calls it.

- The writer: one thread, one connection, every write in arrival order. Inquiries that
  arrive together are written in one transaction (group commit: one fsync for many
  requests, where a transaction each would queue on the disk). It waits up to
  `[web] busy_wait` for a busy database (a large import, a send), then spools what it
  could not write (spool.py) and applies the spool once the database is free again.
- The reader: one thread, one connection, for pages and /health, which WAL lets read
  while the writer waits.
- The sender: one thread that sends the info pack of each accepted inquiry at once,
  through the same at-most-once run as `send` (runner.send_info), even while a batch
  `send` of the day's follow-ups runs: the per-message claim keeps the two apart and
  the daily limit holds for both (runlock.py). The lead stays due in the database all
  along, so if serve stops first, the next `run-daily` sends it.
  A refusal of the sender (SPEC §6) holds its sending for a wait that doubles up to
  an hour; /health says so and why.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime

from ..config import Config
from ..errors import InputError, LeadloopError
from ..store import Store
from .intake import Inquiry, Outcome, accept
from .spool import apply_spool, spool, spool_dir, spooled

# Inquiries written in one transaction at most.
GROUP_LIMIT = 500
# How often the writer looks at the spool while idle, and how long it then waits for a
# busy database (it must not hold up requests that arrive meanwhile).
SPOOL_EVERY = 2.0
SPOOL_BUSY_MS = 200
# How soon the sender tries again after the database was not available, and after the
# mail server failed.
LOCKED_RETRY = 0.2
FAILED_RETRY = 30.0
# After a refusal of the sender (SPEC §6: SPF/DKIM, a blocklist, relay, a quota) sending
# is held: tried again after a wait that doubles up to an hour (offering more mail to a
# provider that refuses the sender only deepens the block), and at the next run-daily.
SENDER_HOLD_FIRST = 60.0
SENDER_HOLD_MAX = 3600.0
# The most info packs one run renders and sends: a run renders all its messages before
# the first goes, so this bounds serve's memory when inquiries outpace the mail server.
BURST = 100


class SpoolFailed(LeadloopError):
    """Neither the database nor the spool could take an inquiry: the client must retry."""

    exit_code = 1


class _Stop:
    pass


@dataclass
class _Job:
    future: Future
    function: Callable | None = None      # a plain job: function(store)
    inquiries: list[Inquiry] | None = None  # an inquiry job


class _Thread:
    """A thread that owns one Store and runs jobs in order."""

    def __init__(self, config: Config, name: str, busy_ms: int | None = None):
        self.config, self.name, self.busy_ms = config, name, busy_ms
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.ready = Future()
        self.thread = threading.Thread(target=self._main, name=f"leadloop-{name}", daemon=True)

    def start(self) -> None:
        self.thread.start()
        self.ready.result()  # the database's own errors (corrupt, newer) surface here

    def stop(self) -> None:
        if self.thread.is_alive():
            self.jobs.put(_Stop())
            self.thread.join()

    def submit(self, function: Callable) -> Future:
        job = _Job(Future(), function=function)
        self.jobs.put(job)
        return job.future

    def _main(self) -> None:
        try:
            store = Store.open(self.config.database_path, self.config.cadence)
            if self.busy_ms is not None:
                _busy_timeout(store, self.busy_ms)
        except BaseException as err:
            self.ready.set_exception(err)
            return
        self.ready.set_result(None)
        try:
            self._loop(store)
        finally:
            store.close()

    def _loop(self, store: Store) -> None:
        while True:
            job = self.jobs.get()
            if isinstance(job, _Stop):
                return
            _run_job(job, store)


def _busy_timeout(store: Store, ms: float) -> None:
    """How long this connection waits for a busy database. `busy_ms` too: the importer
    puts that value back after loading an empty table (Store.rollback_journal)."""
    store.conn.busy_ms = int(ms)
    store.conn.execute(f"PRAGMA busy_timeout = {int(ms)}")


def _run_job(job: _Job, store: Store) -> None:
    if not job.future.set_running_or_notify_cancel():
        return
    try:
        job.future.set_result(job.function(store))
    except BaseException as err:
        job.future.set_exception(err)


class Writer(_Thread):
    def __init__(self, config: Config, clock: Callable[[], datetime], on_accepted, on_problem):
        super().__init__(config, "writer", busy_ms=config.web.busy_wait * 1000)
        self.clock, self.on_accepted, self.on_problem = clock, on_accepted, on_problem
        self.spool_dir = spool_dir(config.database_path)

    def accept(self, inquiries: list[Inquiry]) -> Future:
        """Future of [Outcome] for these inquiries, or SpoolFailed."""
        job = _Job(Future(), inquiries=inquiries)
        self.jobs.put(job)
        return job.future

    def _loop(self, store: Store) -> None:
        self._apply_spool(store)
        put_back: list = []
        while True:
            if put_back:
                job = put_back.pop(0)
            else:
                try:
                    job = self.jobs.get(timeout=SPOOL_EVERY)
                except queue.Empty:
                    self._apply_spool(store)
                    continue
            if isinstance(job, _Stop):
                return
            if job.inquiries is None:
                _run_job(job, store)
                continue
            group, count = [job], len(job.inquiries)
            while count < GROUP_LIMIT:
                try:
                    more = self.jobs.get_nowait()
                except queue.Empty:
                    break
                if isinstance(more, _Job) and more.inquiries is not None:
                    group.append(more)
                    count += len(more.inquiries)
                else:
                    put_back.append(more)
                    break
            written = self._write(store, group)
            if written and spooled(self.spool_dir):
                self._apply_spool(store)

    def _wait(self, store: Store) -> None:
        _busy_timeout(store, self.busy_ms)

    def _write(self, store: Store, group: list[_Job]) -> bool:
        jobs = [job for job in group if job.future.set_running_or_notify_cancel()]
        self._wait(store)
        try:
            outcomes = accept(store, [i for job in jobs for i in job.inquiries], self.clock())
        except (sqlite3.Error, LeadloopError) as err:
            if isinstance(err, InputError) and len(jobs) > 1:
                # Not the database: find the one request at fault, write the others.
                for job in jobs:
                    self._write_one(store, job)
                return True
            self._spool(jobs, err)
            return False
        except Exception as err:  # a bug: these requests fail (500), the writer goes on
            self.on_problem(f"writing inquiries failed: {err!r}")
            for job in jobs:
                if not job.future.done():
                    job.future.set_exception(err)
            return False
        start = 0
        for job in jobs:
            job.future.set_result(outcomes[start:start + len(job.inquiries)])
            start += len(job.inquiries)
        self.on_accepted([o.lead_id for o in outcomes if o.lead_id is not None])
        return True

    def _write_one(self, store: Store, job: _Job) -> None:
        self._wait(store)
        try:
            outcomes = accept(store, job.inquiries, self.clock())
        except (sqlite3.Error, LeadloopError) as err:
            if isinstance(err, InputError):
                job.future.set_exception(err)
            else:
                self._spool([job], err)
            return
        except Exception as err:
            self.on_problem(f"writing inquiries failed: {err!r}")
            job.future.set_exception(err)
            return
        job.future.set_result(outcomes)
        self.on_accepted([o.lead_id for o in outcomes if o.lead_id is not None])

    def _spool(self, jobs: list[_Job], reason: Exception) -> None:
        """The database cannot take them now: keep each request's inquiries in the spool."""
        for job in jobs:
            try:
                spool(self.spool_dir, job.inquiries)
            except OSError as err:
                self.on_problem(f"{self.spool_dir}: cannot keep an inquiry the database refused "
                                f"({reason}): {err.strerror or err}")
                job.future.set_exception(SpoolFailed(
                    "the inquiry could not be stored; try again in a minute"))
                continue
            job.future.set_result([Outcome(i.email, "queued") for i in job.inquiries])

    def _apply_spool(self, store: Store) -> None:
        if not spooled(self.spool_dir):
            return
        _busy_timeout(store, SPOOL_BUSY_MS)
        try:
            report = apply_spool(store, self.clock(), self.spool_dir)
        except (sqlite3.Error, LeadloopError):
            return  # still busy: the files wait for the next try
        except Exception as err:  # a bug: the files stay, the writer goes on
            self.on_problem(f"{self.spool_dir}: applying the spool failed: {err!r}")
            return
        finally:
            self._wait(store)
        for problem in report.problems:
            self.on_problem(problem)
        if report.lead_ids:
            self.on_accepted(report.lead_ids)


class InfoSender:
    """Sends the info packs of accepted inquiries as soon as they are written."""

    def __init__(self, config: Config, clock: Callable[[], datetime], on_problem, transport=None):
        self.config, self.clock, self.on_problem = config, clock, on_problem
        self.transport = transport
        self.pending: set[int] = set()
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.stopping = False
        self.held: str | None = None  # why sending is held (a refusal of the sender), if it is
        self.hold_wait = 0.0
        self.hold_until = 0.0         # time.monotonic() when the hold ends
        self.ready = Future()
        self.thread = threading.Thread(target=self._main, name="leadloop-sender", daemon=True)

    def start(self) -> None:
        self.thread.start()
        self.ready.result()

    def stop(self) -> None:
        self.stopping = True
        self.wake.set()
        self.thread.join()

    def add(self, lead_ids: list[int]) -> None:
        if lead_ids:
            with self.lock:
                self.pending.update(lead_ids)
            self.wake.set()

    def _main(self) -> None:
        try:
            store = Store.open(self.config.database_path, self.config.cadence)
        except BaseException as err:
            self.ready.set_exception(err)
            return
        self.ready.set_result(None)
        try:
            self._loop(store)
        finally:
            store.close()

    def _loop(self, store: Store) -> None:
        import time

        from ..errors import SenderRefused
        from ..runner import send_info

        wait = None
        while not self.stopping:
            self.wake.wait(wait)
            self.wake.clear()
            if self.held and time.monotonic() < self.hold_until:
                wait = self.hold_until - time.monotonic()  # new inquiries wait for the hold
                continue
            with self.lock:
                lead_ids = sorted(self.pending)[:BURST]  # ids grow: oldest inquiries first
            if not lead_ids or self.stopping:
                wait = None
                continue
            try:
                report = send_info(store, self.config, self.clock, lead_ids, transport=self.transport)
            except sqlite3.Error as err:
                self.on_problem(f"sending info packs: the database is not available ({err})")
                wait = LOCKED_RETRY * 5
                continue
            except SenderRefused as err:
                # The packs stay due (runner.py), charged to no lead; sending is held.
                self.hold_wait = min(max(self.hold_wait * 2, SENDER_HOLD_FIRST), SENDER_HOLD_MAX)
                self.hold_until = time.monotonic() + self.hold_wait
                self.held = str(err)
                self.on_problem(f"sending info packs is held for {self.hold_wait:.0f} s: {err}")
                wait = self.hold_wait
                continue
            except LeadloopError as err:
                # The mail server is down, or a template is broken: the leads stay due,
                # for the next try here or the next run-daily.
                self.on_problem(f"sending info packs: {err}")
                wait = FAILED_RETRY
                continue
            self.held, self.hold_wait = None, 0.0
            with self.lock:
                self.pending.difference_update(lead_ids)
                more = bool(self.pending)
            for problem in report.problems:
                self.on_problem(problem)
            wait = 0 if more else None


class Service:
    """The writer, the reader and the sender of one `leadloop serve`."""

    def __init__(self, config: Config, clock: Callable[[], datetime], on_problem):
        self.config, self.clock = config, clock
        self.sender = InfoSender(config, clock, on_problem)
        self.writer = Writer(config, clock, self.sender.add, on_problem)
        self.reader = _Thread(config, "reader")
        self.spool_dir = self.writer.spool_dir

    def start(self) -> None:
        started = []
        try:
            for part in (self.writer, self.reader, self.sender):
                part.start()
                started.append(part)
        except BaseException:
            for part in reversed(started):
                part.stop()
            raise

    def stop(self) -> None:
        # The writer first: what it accepts until then is handed to the sender.
        self.writer.stop()
        self.reader.stop()
        self.sender.stop()
