"""Files attached to messages: found in the templates directory, read and encoded once a run.

A template's `Attachment: PATH` line (SPEC §6, issue #18) names a file relative to the
templates directory. PATH is rendered like any header, so it may hold lead data
(`folletos/{{ product }}.pdf`), and lead data is never trusted: the rendered path is
resolved (symbolic links followed) and must still lie inside the templates directory,
else it is refused. A link inside the directory that points outside is refused too: what
leaves the directory is decided by where the bytes are, not by how the path is spelt.

`Attachments` is the run's cache. A file is read and base64-encoded the first time a
message needs it and kept, keyed by its resolved path, modification time and size, so
2,000 info packs carrying the same 2 MB brochure read it once, encode it once and share
one copy of its bytes (BENCH.md, bench/RESULTS.md). Each message still looks at the
file's metadata (one stat), so a brochure replaced while a run renders is read again.

Limits are those of the message as sent, attachments encoded (base64 adds a third):
over WARN_BYTES many providers start refusing mail, over MAX_BYTES most do (Outlook.com
takes 20 MB, Gmail 25 MB), and leadloop refuses to send it.
"""

from __future__ import annotations

import mimetypes
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .errors import TemplateError
from .message import Attachment, attachment_head, base64_lines, encoded_size

WARN_BYTES = 10_000_000
MAX_BYTES = 20_000_000

# Office and e-book formats that Python's built-in table lacks (the system's
# /etc/mime.types is not read: the same file gets the same type on every machine).
_EXTRA_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".odp": "application/vnd.oasis.opendocument.presentation",
    ".epub": "application/epub+zip",
    ".webp": "image/webp",
}
_COMPRESSED = {"gzip": "application/gzip", "bzip2": "application/x-bzip2",
               "xz": "application/x-xz", "br": "application/octet-stream"}
_types: mimetypes.MimeTypes | None = None


def content_type(name: str) -> str:
    """The MIME type for a file name, from its extension; application/octet-stream
    when the extension says nothing."""
    global _types
    if _types is None:
        _types = mimetypes.MimeTypes(filenames=())
    kind, encoding = _types.guess_type(name, strict=False)
    if encoding is not None:  # "notas.tar.gz" is a gzip file, whatever it holds
        return _COMPRESSED.get(encoding, "application/octet-stream")
    if kind is None:
        kind = _EXTRA_TYPES.get(os.path.splitext(name)[1].lower(), "application/octet-stream")
    return kind


def megabytes(size: int) -> str:
    """A size as people read it: "2.1 MB", "340 kB", "12 bytes" (decimal units, as
    providers state their limits)."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    if size >= 1_000:
        return f"{size / 1_000:.0f} kB"
    from .plurals import count

    return count(size, "byte")


class Outside(TemplateError):
    """A rendered attachment path that leaves the templates directory. Whose fault it
    is (the template's, or one lead's data) render.py decides."""


@dataclass(frozen=True, slots=True)
class _Found:
    resolved: Path
    shown: str  # the path as rendered, for messages


class Attachments:
    """The run's attachments, found and encoded once each (see the module docstring)."""

    def __init__(self, templates_dir: Path):
        self.templates_dir = Path(templates_dir)
        self._root: Path | None = None
        self._found: dict[str, _Found] = {}
        self._bodies: dict[tuple, bytes] = {}          # (path, mtime, size) → base64
        self._attached: dict[tuple, Attachment] = {}   # (that key, name) → the part
        self.reads = 0  # files read and encoded: what the cache saves is visible in tests

    @property
    def root(self) -> Path:
        if self._root is None:
            self._root = self.templates_dir.resolve()
        return self._root

    def load(self, rendered: str, where: str) -> Attachment:
        """The file a template's `Attachment:` line names, encoded. `where` is the
        template and line ("templates/es/info.txt:2") that errors start with.
        Outside when the path leaves the templates directory; TemplateError when the
        file is missing, unreadable or too big to send."""
        found = self._found.get(rendered)
        if found is None:
            found = self._found[rendered] = self._resolve(rendered, where)
        try:
            status = os.stat(found.resolved)
        except OSError as err:
            raise self._unreadable(found, where, err) from None
        if not stat.S_ISREG(status.st_mode):  # a directory, or a pipe that would never end
            raise self._unreadable(found, where, IsADirectoryError() if stat.S_ISDIR(status.st_mode)
                                   else OSError(0, "not a regular file"))
        file_key = (found.resolved, status.st_mtime_ns, status.st_size)
        attachment = self._attached.get((file_key, found.shown))
        if attachment is None:
            body = self._bodies.get(file_key)
            if body is None:
                file_key, body = self._read(found, where)
            name = os.path.basename(found.shown.rstrip("/")) or found.resolved.name
            kind = content_type(name)
            size = file_key[2]
            attachment = Attachment(path=found.shown, name=name, content_type=kind, size=size,
                                    head=attachment_head(name, kind), body=body)
            self._attached[(file_key, found.shown)] = attachment
        return attachment

    def file_of(self, rendered: str) -> Path:
        """Where a path `load` took leads, links followed: two paths, one file."""
        return self._found[rendered].resolved

    def _resolve(self, rendered: str, where: str) -> _Found:
        relative = Path(rendered)
        # An absolute path replaces the directory when joined; resolve() then follows
        # every symbolic link and "..", so the containment test sees the real place.
        try:
            resolved = (self.root / relative).resolve()
        except (OSError, RuntimeError) as err:  # a loop of symbolic links, a name too long
            raise TemplateError(f'{where}: the attachment "{rendered}": cannot follow it ({err})') from None
        if resolved != self.root and not resolved.is_relative_to(self.root):
            raise Outside(f'{where}: the attachment "{rendered}" is outside the templates '
                          f"directory {self.templates_dir}; refused")
        return _Found(resolved, rendered)

    def _read(self, found: _Found, where: str) -> tuple[tuple, bytes]:
        """Read and encode the file: (its key, as the open file says, and its base64)."""
        try:
            with open(found.resolved, "rb") as handle:
                status = os.fstat(handle.fileno())
                if encoded_size(status.st_size) > MAX_BYTES:
                    # Not read at all: no message could carry it.
                    raise TemplateError(
                        f'{where}: the attachment "{found.shown}" is {megabytes(status.st_size)}, '
                        f"{megabytes(encoded_size(status.st_size))} encoded; a message over "
                        f"{megabytes(MAX_BYTES)} is refused by most providers: send a link instead")
                data = handle.read()
        except OSError as err:
            raise self._unreadable(found, where, err) from None
        self.reads += 1
        # Keyed by what the open file said (a file replaced meanwhile is read again), and
        # by the bytes read, should it have grown since.
        key = (found.resolved, status.st_mtime_ns, len(data))
        body = self._bodies[key] = base64_lines(data)
        return key, body

    def _unreadable(self, found: _Found, where: str, err: OSError) -> TemplateError:
        full = self.templates_dir / found.shown
        if isinstance(err, FileNotFoundError):
            reason = f"there is no file {full}"
        elif isinstance(err, IsADirectoryError):
            reason = f"{full} is a directory, not a file"
        else:
            reason = f"cannot read {full} ({err.strerror or err})"
        return TemplateError(f'{where}: the attachment "{found.shown}": {reason}')
