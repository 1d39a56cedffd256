"""The spool (SPEC §11): inquiries accepted while the database could not be written.

A request waits for a busy database (`[web] busy_wait`); when it still cannot write, its
checked inquiries go to a file in `<database>.spool/` beside the database, and the
sender is told they were accepted. `leadloop serve` applies the spool as soon as the
database can be written again, and `run-daily` applies it before it sends.

Each file is written whole or not at all (a temporary name, fsync, rename) and removed
only after its inquiries are committed; applying one twice is harmless, since an
inquiry for a known address changes nothing that matters (the importer's rules). The
directory and its files are the owner's only: they hold addresses (SPEC §10).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..inquiry_spool import SUFFIX, spool_dir, spooled, write_whole
from .intake import Inquiry, accept

__all__ = ["SpoolReport", "apply_spool", "spool", "spool_dir", "spooled"]


def spool(directory: Path, inquiries: list[Inquiry]) -> Path:
    """Keep these inquiries in one new file; OSError when even that cannot be done."""
    directory.mkdir(mode=0o700, exist_ok=True)
    name = f"{datetime.now().strftime('%Y%m%dT%H%M%S%f')}-{os.getpid()}-{os.urandom(4).hex()}"
    final = directory / f"{name}{SUFFIX}"
    write_whole(final, json.dumps([inquiry.as_json() for inquiry in inquiries],
                                  ensure_ascii=False).encode())
    return final


@dataclass
class SpoolReport:
    applied: int = 0
    lead_ids: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def apply_spool(store, now: datetime, directory: Path | None = None) -> SpoolReport:
    """Write what the spool holds into the store, oldest first. A database that is still
    busy raises (the files stay for the next try); a file that cannot be read is renamed
    `.bad`, reported, and left for a person."""
    directory = directory or spool_dir(store.path)
    report = SpoolReport()
    for path in spooled(directory):
        try:
            inquiries = [Inquiry.from_json(item) for item in json.loads(path.read_bytes())]
        except (OSError, ValueError, TypeError) as err:
            path.rename(path.with_suffix(".bad"))
            report.problems.append(f"{path}: cannot be read ({err}); renamed to .bad")
            continue
        outcomes = accept(store, inquiries, now)
        path.unlink(missing_ok=True)
        report.applied += len(inquiries)
        report.lead_ids += [o.lead_id for o in outcomes if o.lead_id is not None]
    return report
