"""Files leadloop writes beside the user's own (rejected rows, exports).

Such a file never replaces the database or the file being read, and replaces another
existing file only when asked (`--force`): `export -o leads.db` or `import leads.csv
--rejects leads.csv` would otherwise destroy what the user has. The file is written
under a temporary name beside the target and moved into place when complete, so a run
that fails leaves the old file (or none) as it was. Devices and pipes (/dev/null,
/dev/stdout) are written directly: there is nothing there to replace.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from .errors import InputError

_SQLITE_SIDE_FILES = ("", "-wal", "-shm", "-journal")


def database_files(path) -> list[tuple[Path, str]]:
    """The database and the files SQLite keeps beside it, as `protected` entries."""
    return [(Path(f"{path}{suffix}"), "the database") for suffix in _SQLITE_SIDE_FILES]


@contextmanager
def written(path, *, what: str, force: bool,
            protected: list[tuple[Path | str | None, str]] = (), binary: bool = False) -> Iterator[TextIO]:
    """A text handle (UTF-8, csv's newline="") for `path`, moved into place on success;
    with `binary`, a bytes handle (a workbook).
    `protected`: (path, what it is) of files that must never be replaced."""
    text_mode = {} if binary else {"newline": "", "encoding": "utf-8"}
    target = Path(path)
    for other, described in protected:
        if other is not None and str(other) != "-" and _same(target, Path(other)):
            raise InputError(f"{path}: that is {described}; write the {what} to another file")
    try:
        info = target.stat()
    except FileNotFoundError:
        info = None
    except OSError as err:
        raise InputError(f"{path}: cannot write the {what} ({err.strerror})") from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise InputError(f"{path}: is a directory; write the {what} to a file")
    if info is not None and not stat.S_ISREG(info.st_mode):
        with _opened(path, "wb" if binary else "w", what) as handle:  # a device or a pipe
            yield handle
        return
    if info is not None and not force:
        raise InputError(f"{path} already exists; use --force to replace it, "
                         f"or write the {what} to another file")
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
    except OSError as err:
        raise InputError(f"{path}: cannot write the {what} ({err.strerror})") from None
    try:
        with open(fd, "wb" if binary else "w", **text_mode) as handle:
            yield handle
        if info is not None:
            os.chmod(temporary, stat.S_IMODE(info.st_mode))
        else:
            os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)
        raise


@contextmanager
def _opened(path, mode: str, what: str) -> Iterator[TextIO]:
    try:
        handle = open(path, mode, **({} if "b" in mode else {"newline": "", "encoding": "utf-8"}))
    except OSError as err:
        raise InputError(f"{path}: cannot write the {what} ({err.strerror})") from None
    with handle:
        yield handle


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return os.path.realpath(a) == os.path.realpath(b)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
