"""The spool's files (SPEC §11): where serve keeps the inquiries it accepted while the
database could not be written, and how one is written whole.

`leadloop serve` writes and applies them (web/spool.py); `forget` erases an address
from them (privacy.py), so a person forgotten while their inquiry waits there does not
come back when it is applied. Each file is a JSON array of inquiries, each an object
with at least the normalised "email"; the directory and its files are the owner's only,
since they hold addresses (SPEC §10).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

SUFFIX = ".json"


def spool_dir(database_path: Path) -> Path:
    return Path(f"{database_path}.spool")


def spooled(directory: Path) -> list[Path]:
    """The spool's files, oldest first."""
    try:
        names = os.listdir(directory)
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [directory / name for name in sorted(names) if name.endswith(SUFFIX)]


def write_whole(path: Path, data: bytes) -> None:
    """Write `path` whole or not at all: a temporary name, fsync, rename over `path`, and
    the directory synced so the rename itself is on disk. OSError when it cannot."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    fd = os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    except OSError:
        os.close(fd)
        temporary.unlink(missing_ok=True)
        raise
    os.close(fd)
    os.rename(temporary, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _inquiries(path: Path) -> list | None:
    try:
        inquiries = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return inquiries if isinstance(inquiries, list) else None


def _for(item, address: str) -> bool:
    return isinstance(item, dict) and item.get("email") == address


def holds(directory: Path, address: str) -> bool:
    """Whether an inquiry for this (normalised) address waits in the spool."""
    return any(any(_for(item, address) for item in _inquiries(path) or ())
               for path in spooled(directory))


def erase_address(directory: Path, address: str) -> int:
    """Remove every spooled inquiry for this (normalised) address; how many. A file left
    with no inquiry is deleted, the others are rewritten whole without them. A file that
    cannot be read is left as it is (applying it renames it `.bad` for a person)."""
    erased = 0
    for path in spooled(directory):
        inquiries = _inquiries(path)
        if inquiries is None:
            continue
        kept = [item for item in inquiries if not _for(item, address)]
        if len(kept) == len(inquiries):
            continue
        if kept:
            write_whole(path, json.dumps(kept, ensure_ascii=False).encode())
        else:
            path.unlink(missing_ok=True)
        erased += len(inquiries) - len(kept)
    return erased
