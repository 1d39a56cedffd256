"""The run lock, and settling what a dead run left, for the commands that only show.

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


# `leadloop serve` holds the run lock for one short burst of info packs at a time: a
# batch run (cron's run-daily) that finds it so held waits for it, up to this long,
# instead of stepping aside for the whole day.
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
        try:
            self.fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600)
        except OSError as err:
            try:  # flock needs no write access: an existing lock file will do
                self.fd = os.open(self.path, os.O_RDONLY)
            except OSError:
                raise DatabaseReadOnly(
                    f"{self.path}: cannot create the run lock beside the database "
                    f"({err.strerror})") from None
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


def settle_abandoned(store: Store, now: datetime) -> int:
    """For the commands that show messages (`show`, `due`, `leads`): when no run is live,
    do at once what the next run would do first, so that a run killed mid-DATA reads as
    `unknown` (and not due) everywhere, not `sending` until the next send. A live run
    holds the lock: its rows are really in flight and are left alone. How many became
    `unknown`."""
    if not store.has_abandoned():  # the usual case: no lock file touched, nothing written
        return 0
    lock = RunLock(store.path)
    try:
        if not lock.acquire():
            return 0
    except (OSError, DatabaseReadOnly):
        return 0  # no lock can be taken here (a read-only directory): leave them be
    try:
        return store.recover_abandoned(now)
    except (DatabaseReadOnly, DatabaseBusy):
        return 0  # a read-only file, or a long writer: showing them matters more
    finally:
        lock.release()
