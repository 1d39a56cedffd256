"""The locks beside the database, and settling what a dead run left, for the commands
that only show.

Two `flock`s, both dropped by the kernel when their holder dies:

- the run lock (`DB.lock`, exclusive): one batch run (`send`, `run-daily`, surveys) at a
  time; a second steps aside. `leadloop serve` does not take it, so an inquiry's info pack
  goes while a batch runs (BENCH.md B6).
- the sending lock (`DB.senders`): every run, batch or serve, holds it *shared* from
  before it claims a row until its last row is settled, so any number send at once (the
  per-message claim keeps them apart). Recovering abandoned `claimed`/`sending` rows takes
  it *exclusive*, without waiting: it succeeds only when no live run can own a row, so a
  batch never takes serve's rows in flight for a dead run's, nor serve a batch's.

Apart from runner.py so that `show`, `due` and `leads` do not import the sending
machinery (transport, smtplib: ~40 ms) to check that no run died mid-send (BENCH.md B2,
B9). See runner.py's docstring for the at-most-once rules these serve.
"""

from __future__ import annotations

import fcntl
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import DatabaseBusy, DatabaseReadOnly

if TYPE_CHECKING:
    from .store import Store


# Up to release 2026-12, `leadloop serve` held the run lock for each short burst of info
# packs. A batch run that finds it so held (a serve of that release still running after
# an upgrade) waits for it, up to this long, instead of stepping aside for the whole day.
BRIEF_HOLDER = "serve"
BRIEF_HOLD_WAIT = 120.0


class RunLock:
    """An exclusive `flock` beside the database; the kernel drops it if we die. The file
    says who holds it ("run", or BRIEF_HOLDER for serve's bursts)."""

    def __init__(self, database_path: Path, holder: str = "run"):
        self.path = Path(f"{database_path}.lock")
        self.holder = holder
        self.fd: int | None = None

    def acquire(self, wait: float = 0.0) -> bool:
        """Take the lock, trying for up to `wait` seconds; False when another run has it."""
        import time

        deadline = time.monotonic() + wait
        while not self._try():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        try:
            os.ftruncate(self.fd, 0)
            os.pwrite(self.fd, self.holder.encode(), 0)
        except OSError:
            pass  # a lock file we may only read: it still locks, it just cannot say who
        return True

    def held_briefly(self) -> bool:
        """Whether the lock was last taken by serve's short bursts."""
        try:
            with open(self.path, "rb") as handle:
                return handle.read(64) == BRIEF_HOLDER.encode()
        except OSError:
            return False

    def _try(self) -> bool:
        self.fd = _open_lock_file(self.path, "the run lock")
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            self.fd = None
            return False
        return True

    def release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


class SendingLock:
    """`DB.senders`: held shared by each run that owns (or is about to own) `claimed` or
    `sending` rows, exclusive by whoever recovers the rows of runs that died."""

    def __init__(self, database_path: Path):
        self.path = Path(f"{database_path}.senders")
        self.fd: int | None = None

    def alone(self) -> bool:
        """Take it exclusive if no run holds it, at once; False when a live run does."""
        if self.fd is None:
            self.fd = _open_lock_file(self.path, "the sending lock")
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def share(self) -> None:
        """Hold it shared (from exclusive, or from nothing). Waits only for a recovery
        in progress, a few writes; flock(2) may drop an exclusive hold before the shared
        one is granted, harmless here as this run owns no row yet."""
        if self.fd is None:
            self.fd = _open_lock_file(self.path, "the sending lock")
        fcntl.flock(self.fd, fcntl.LOCK_SH)

    def release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


def recover_if_alone(store: Store, lock: SendingLock, now: datetime) -> int:
    """Recover what dead runs left (Store.recover_abandoned) if no live run can own a
    row: then `lock` is held exclusive on return, else not held. How many became
    `unknown`."""
    if not store.has_abandoned():  # the usual case: nothing to recover, no lock to try
        return 0
    if not lock.alone():
        return 0  # a live run's rows are in flight; a later run recovers the dead's
    return store.recover_abandoned(now)


def _open_lock_file(path: Path, what: str) -> int:
    try:
        return os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    except OSError as err:
        try:  # flock needs no write access: an existing lock file will do
            return os.open(path, os.O_RDONLY)
        except OSError:
            raise DatabaseReadOnly(
                f"{path}: cannot create {what} beside the database ({err.strerror})") from None


def settle_abandoned(store: Store, now: datetime) -> int:
    """For the commands that show messages (`show`, `due`, `leads`): when no run is live,
    do at once what the next run would do first, so that a run killed mid-DATA reads as
    `unknown` (and not due) everywhere, not `sending` until the next send. A live run
    (a batch or serve) holds the sending lock: its rows are really in flight and are
    left alone. How many became `unknown`."""
    if not store.has_abandoned():  # the usual case: no lock file touched, nothing written
        return 0
    lock = SendingLock(store.path)
    try:
        if not lock.alone():
            return 0
    except (OSError, DatabaseReadOnly):
        lock.release()
        return 0  # no lock can be taken here (a read-only directory): leave them be
    try:
        return store.recover_abandoned(now)
    except (DatabaseReadOnly, DatabaseBusy):
        return 0  # a read-only file, or a long writer: showing them matters more
    finally:
        lock.release()
