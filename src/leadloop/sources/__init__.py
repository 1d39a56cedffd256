"""Where leads come from: files people have, read into the same rows of cells.

open_source() looks at a file's first bytes (never its name: downloads get renamed)
and returns the reader for it: sources/csv.py for delimited text, sources/workbook.py
for spreadsheets, sources/vcard.py for vCard contacts. Both hand their rows to sources/rows.py, where the rules every file
shares live (column names, names, dates, addresses, rejects).
"""

from __future__ import annotations

import os
import zipfile

from ..errors import InputError

READABLE = ("CSV or tab-separated text (UTF-8, UTF-16, Windows-1252), .xlsx, .xlsm, .xls, "
            ".ods or vCard (.vcf)")
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97–2003 (and Word, Outlook .msg …)
_NOT_TEXT = [(b"%PDF", "a PDF"), (b"\x89PNG", "an image"), (b"\xff\xd8\xff", "an image"),
             (b"GIF8", "an image"), (b"\x1f\x8b", "a gzip archive"), (b"BZh", "a bzip2 archive"),
             (b"7z\xbc\xaf", "a 7-Zip archive"), (b"Rar!", "a RAR archive"),
             (b"{\\rtf", "an RTF document")]


def open_source(path, *, sheet=None, encoding=None, delimiter=None, column_map=None,
                stdin=None, **checks):
    """The file at `path` (or "-", stdin) → a CsvSource or a WorkbookSource, ready to
    give batches; InputError (one sentence) for anything leadloop cannot read."""
    from .csv import check_delimiter, check_encoding, open_binary, open_csv

    if encoding is not None:
        check_encoding(encoding)
    if delimiter is not None:
        check_delimiter(delimiter)
    if str(path).lower().endswith(".numbers") and os.path.isdir(path):
        _refuse(str(path), "an Apple Numbers document")  # a package folder, on older Macs
    label, binary, total = open_binary(path, stdin)
    try:
        kind = _kind(label, binary)
    except BaseException:
        binary.close()
        raise
    if kind == "vcard":
        from .vcard import VcardSource

        if sheet is not None or delimiter is not None:
            binary.close()
            option = "--sheet" if sheet is not None else "--delimiter"
            raise InputError(f"{option}: {label} is a vCard file, not a "
                             f"{'workbook' if sheet is not None else 'delimited text file'}")
        return VcardSource(label, binary, column_map, total, encoding=encoding, **checks)
    if kind == "text":
        if sheet is not None:
            binary.close()
            raise InputError(f"--sheet {sheet}: {label} is a text file, not a workbook")
        return open_csv(path, encoding=encoding, delimiter=delimiter, column_map=column_map,
                        opened=(label, binary, total), **checks)
    from .workbook import WorkbookSource

    if encoding is not None or delimiter is not None:
        binary.close()
        option = "--encoding" if encoding is not None else "--delimiter"
        raise InputError(f"{option}: {label} is a workbook, not a text file")
    return WorkbookSource(label, binary, kind, sheet, column_map, total, **checks)


def _kind(label: str, binary) -> str:
    """"text", "vcard", "xlsx" (also .xlsm, .xlsb), "xls" or "ods"; InputError for the rest."""
    head = os.pread(binary.fileno(), 8, 0)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(label, binary)
    if head.startswith(_OLE2):
        return "xls"
    for magic, what in _NOT_TEXT:
        if head.startswith(magic):
            _refuse(label, what)
    from .vcard import looks_like_vcard

    # By its first line (a download may be renamed); a .vcf that is not one is read as
    # a vCard all the same, so that its faults are told as a vCard's.
    if looks_like_vcard(os.pread(binary.fileno(), 256, 0)) or label.lower().endswith(".vcf"):
        return "vcard"
    return "text"


def _zip_kind(label: str, binary) -> str:
    try:
        with zipfile.ZipFile(binary) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, KeyError):
        _refuse(label, "a damaged zip archive")
    finally:
        binary.seek(0)
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        return "xlsx"
    if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
        return "ods"
    if any(name.startswith("Index/") and name.endswith(".iwa") for name in names):
        _refuse(label, "an Apple Numbers document")
    if mimetype.startswith(b"application/vnd.oasis.opendocument"):
        _refuse(label, "an OpenDocument file that is not a spreadsheet")
    if "word/document.xml" in names:
        _refuse(label, "a Word document")
    _refuse(label, "a zip archive")


def _refuse(label: str, what: str):
    raise InputError(f"{label}: {what} is not a file leadloop can read; "
                     f"save or export the leads as {READABLE}")
