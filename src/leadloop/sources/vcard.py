"""vCard files (.vcf: phones' and Outlook's, Thunderbird's, eM Client's, The Bat!'s,
Lotus Notes' contacts) → rows of cells.

Versions 2.1 (RFC-less, the versit spec), 3.0 (RFC 2426) and 4.0 (RFC 6350). Each card
becomes one row of the cells HEADER names, which then go through the checks every file
shares (rows.py):
- the name is FN (given name first when FN is "Family, Given" and N names the family:
  _given_first); N's given name is `first_name` (and with N's family name, the name
  when there is no FN);
- the address is the preferred EMAIL (2.1's and 3.0's PREF type, 4.0's lowest PREF=n),
  else the first; the others are kept as a custom field;
- REV (when the card was last revised) is read as a date and no more: the day, as the
  request date. Without it, or when it is no real date, the import time dates the lead,
  as for any undated file;
- ORG and the first TEL are custom fields; PHOTO, and everything else, is left out.

Only those properties are read, and a card is never lost to another one (issue #25):
a PHOTO's broken base64, Lotus Notes' PROFILE line, an AGENT's embedded card are
skipped unread (_properties). vobject's content-line grammar (group, name, quoted
parameters) reads each property; the values are read here by RFC 6350 §3.4, each one
string (vobject's own values vary in shape and cut text at a comma, _row says more).
2.1's quoted-printable values in any charset, with their soft line breaks ("=" at a
line's end, RFC 2045 §6.7), are decoded first (_unquote). A card whose read properties
cannot be read, or without an address, is a rejected row with its line (BEGIN:VCARD's)
and reason; the other cards still import.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import quopri
import re
from datetime import date

from ..clock import EARLIEST_YEAR, LATEST_YEAR
from ..errors import InputError
from ..message import clean as one_line
from .rows import _LOOKS_LIKE_ADDRESS, BATCH, BrokenRecord, RowChecker, make_plan

# The cells of a card's row: names make_plan reads as these lead fields (and custom fields).
# (FN as "full name": a person's own, never the record's name a bare "Name" beside given
# and family names is in an export.)
HEADER = ["email", "full name", "first_name", "last_name", "requested_at", "org", "tel",
          "other_emails"]
_SHOWN = ["EMAIL", "FN", "N given", "N family", "REV", "ORG", "TEL", "other EMAIL"]
_BEGIN = re.compile(r"begin\s*:\s*vcard\s*", re.IGNORECASE)
_END = re.compile(r"end\s*:\s*vcard\s*", re.IGNORECASE)
_BOMS = [(codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16")]
_OUTSIDE = "a line outside any vCard (BEGIN:VCARD … END:VCARD)"
# CRLF, LF or CR (RFC 6350 §3.2: CRLF; files pass through editors); "\r\r\n", a CRLF
# written again through a text-mode stream (iOS exports seen so), is one line end.
# Not str.splitlines: it also breaks at U+2028, U+0085, form feeds … inside a value.
_LINE_END = re.compile(r"\r?\r\n|\r|\n")
_AGENT = re.compile(r"(?:[A-Za-z0-9_-]+\.)?AGENT(?:;[^:]*)?:\s*", re.IGNORECASE)
_MOST_BYTES = 256 << 20  # a contacts file is kilobytes to a few megabytes, photos and all


def looks_like_vcard(head: bytes) -> bool:
    """Whether the first bytes of a file are a vCard's (whatever the file is named)."""
    from .csv import bomless_utf16

    for bom, encoding in _BOMS:
        if head.startswith(bom):
            head = head[len(bom):].decode(encoding.replace("-sig", ""), "ignore").encode()
            break
    else:
        if order := bomless_utf16(head):
            head = head[:len(head) // 2 * 2].decode(order, "ignore").encode()
    return bool(_BEGIN.match(head.lstrip().decode("ascii", "ignore")[:20]))


def _decoded(data: bytes, encoding: str | None) -> tuple[str, tuple[str, str | None] | None]:
    """The text, and (code page, a word as read in it) when leadloop chose one."""
    if encoding is None:
        from .csv import bomless_utf16

        encoding = next((name for bom, name in _BOMS if data.startswith(bom)), None)
        if encoding is None and (order := bomless_utf16(data[:256])):
            return data.decode(order, "replace"), None  # a last odd byte is no reason to fail
    if encoding is not None:
        return data.decode(encoding), None
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        # Outlook's and The Bat!'s 2.1 cards without a CHARSET: the ANSI code page of the
        # writer's Windows, which the card does not say; codepage.py reads it from the
        # names, Windows-1252 (Spain's) unless they say otherwise.
        from . import codepage

        chosen, shown = codepage.guess(codepage.non_ascii_lines(data, whole=True))
        return data.decode(chosen, "replace"), (chosen, shown)


class VcardSource:
    def __init__(self, label, binary, column_map, total_bytes, encoding=None, **checks):
        self.label = label
        self.encoding = encoding
        self.delimiter = None
        self.skipped_lines = 0
        try:
            data = binary.read(_MOST_BYTES + 1)
        finally:
            binary.close()
        if len(data) > _MOST_BYTES:
            raise InputError(f"{label}: over {_MOST_BYTES >> 20} MB: too big for a vCard file")
        try:
            text, self.code_page = _decoded(data, encoding)
        except UnicodeError:
            raise InputError(f"{label}:1: cannot decode the bytes as {encoding} "
                             "(use --encoding)") from None
        del data  # a contacts file with photos can be large: one copy at a time
        self._cards = list(_cards(_LINE_END.split(text)))
        del text
        if all(lines == _OUTSIDE for _, lines in self._cards):
            raise InputError(f"{label}: no vCard in it (BEGIN:VCARD … END:VCARD)")
        header = list(HEADER)
        if not any(_REV.match(line) for _, lines in self._cards
                   if not isinstance(lines, str) for line in lines):
            # No card has a REV: the file has no request dates, and the summary says so.
            header[HEADER.index("requested_at")] = "rev"
        self.plan = make_plan(label, header, column_map)
        # What the summary and the rejects file call the cells: the vCard's own names.
        self.header = list(_SHOWN)
        self.total = len(self._cards)
        self.parallel_size = None  # small: read in the importing process
        self._checker = RowChecker(self.plan, **checks)
        self.month_first_shown = None  # (REV is ISO 8601: no order to read)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def batches(self, size: int = BATCH):
        # 2.1 values without CHARSET are in the file's code page, told or chosen.
        reader = _CardReader(self._cards, self.encoding or (self.code_page[0] if self.code_page else None))
        return self._checker.batches(reader, lambda: reader.done,
                                     first_line=self._cards[0][0] - 1, size=size)


class _CardReader:
    """Cards → rows, with csv.reader's `line_num` (lines read after `first_line`) set so
    that each row's number is its BEGIN:VCARD line (RowChecker counts from the last)."""

    def __init__(self, cards: list[tuple[int, list[str] | str]], encoding: str | None = None):
        self._cards, self.line_num, self.done = cards, 0, 0
        # --encoding (an ASCII-compatible one) is also that of 2.1 values without CHARSET.
        self._encoding = encoding if encoding and "a".encode(encoding) == b"a" else None
        self._first = cards[0][0] - 1

    def __iter__(self):
        cards = self._cards
        for index, (line, lines) in enumerate(cards):
            following = cards[index + 1][0] if index + 1 < len(cards) else line + 1
            self.line_num = following - 1 - self._first
            self.done = index + 1
            if isinstance(lines, str):
                yield BrokenRecord(lines, f"line {line}")
            else:
                yield _row(lines, self._encoding)


def _cards(lines: list[str]):
    """(line number of BEGIN:VCARD, the card's lines) for each card; (line, reason) for
    a card that never ends or text outside any card."""
    start, card, agents = None, [], 0
    for number, line in enumerate(lines, 1):
        if start is None:
            if _BEGIN.fullmatch(line.strip()):
                start, card = number, [line]
            elif line.strip():
                yield number, _OUTSIDE
                # Only the first such line: the rest of a stray block is the same fault.
                start = -1
            continue
        if start == -1:
            if _BEGIN.fullmatch(line.strip()):
                start, card = number, [line]
            continue
        if _BEGIN.fullmatch(line.strip()):
            if _AGENT.fullmatch(card[-1]):
                # 2.1's AGENT holds another person's vCard, after "AGENT:" (the
                # versit 2.1 spec's Agent property): part of this card.
                agents += 1
                card.append(line)
                continue
            yield start, "a vCard that never ends (no END:VCARD before the next BEGIN:VCARD)"
            start, card = number, [line]
            continue
        card.append(line)
        if _END.fullmatch(line.strip()):
            if agents:
                agents -= 1
                continue
            yield start, card
            start, card = None, []
    if start not in (None, -1):
        yield start, "a vCard that never ends (no END:VCARD)"


# The properties a card's row is read from (HEADER). Every other one (PHOTO, LOGO, SOUND,
# KEY, NOTE, ADR, Lotus Notes' PROFILE, AGENT …) is dropped unread, before its value is
# parsed: a card is never lost to a property leadloop does not read (issue #25).
_READ = frozenset({"VERSION", "N", "FN", "EMAIL", "REV", "ORG", "TEL"})
# A content line's start: [group "."] name, then ";" (parameters) or ":" (RFC 6350 §3.3;
# 2.1 and 3.0 alike). Lines that start otherwise continue the property before them.
_PROPERTY = re.compile(r"(?:[A-Za-z0-9_-]+\.)?([A-Za-z0-9_-]+)[;:]")
_REV = re.compile(r"(?:[A-Za-z0-9_-]+\.)?REV[;:]", re.IGNORECASE)
# RFC 6350 §3.4 (RFC 2426 §4, "text"): "\\", "\,", "\;" and "\n" stand for themselves and
# a line break; a backslash before anything else is kept (2.1 has no such escapes).
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_ESCAPED = {"\\": "\\", ",": ",", ";": ";", "n": " ", "N": " "}


class _Unreadable(Exception):
    """A line of a property leadloop reads that is no content line."""


def _row(lines: list[str], encoding: str | None = None) -> list[str]:
    """A card's lines → its row of cells (HEADER), or a BrokenRecord.

    vobject's content-line grammar (parseLine: group, name, quoted parameters) reads
    each property; the values are then read here as RFC 6350 §3.4 writes them. Not
    through vobject's values: they truncate a text value at its first unescaped comma
    ("FN:Doe, John" → "Doe", py-vobject/vobject#55), and their shapes vary by property
    and version (ORG as a list of lists in 2.1, bytes for base64) — each value here is
    one string, split only where the format says."""
    try:
        properties = _properties(_unquote(lines, encoding))
    except _Unreadable as err:
        return BrokenRecord(f"unreadable vCard ({err})", lines[0])
    # (A value of control characters alone is no address: the row would read as blank,
    # and a card is never lost unsaid.)
    emails = [(_preference(params), index, address)
              for index, (params, value) in enumerate(properties.get("EMAIL", []))
              if (address := _text(value)) and one_line(address).strip()]
    # The preferred EMAIL that looks like an address: a phone's junk value marked PREF
    # (seen on Android) does not hide a good one; with none, the preferred is rejected.
    emails.sort(key=lambda email: (not _LOOKS_LIKE_ADDRESS.fullmatch(email[2]), *email[:2]))
    addresses = [address for _, _, address in emails]
    if not addresses:
        return BrokenRecord("the vCard has no EMAIL", _first(properties, "FN", text=True)
                            or lines[0])
    given = family = ""
    if "N" in properties:
        # N: family; given; additional; prefixes; suffixes (RFC 6350 §6.2.2). A
        # component's own commas separate several names ("Pérez,Gil": two family names).
        parts = _components(properties["N"][0][1]) + ["", ""]
        family, given = _names(parts[0]), _names(parts[1])
    org = " ".join(filter(None, map(_text, _components(_first(properties, "ORG")))))
    return [addresses[0], _given_first(_first(properties, "FN", text=True), family), given, family,
            _day(_first(properties, "REV", text=True)), org, _first(properties, "TEL", text=True),
            ", ".join(addresses[1:])]


def _given_first(full_name: str, family: str) -> str:
    """FN as the name a greeting and a To header use: "Mustermann, Heiko" (address books
    that file contacts by family name write FN so: KAddressBook, Outlook's "File As")
    becomes "Heiko Mustermann" when N says that "Mustermann" is the family name (RFC 6350
    §6.2.2). Any other FN is the person's own choice of name, kept as written."""
    before, comma, after = full_name.partition(",")
    if comma and family and after.strip() and before.casefold().split() == family.casefold().split():
        return f"{after.strip()} {before.strip()}"
    return full_name


def _properties(lines: list[str]) -> dict[str, list[tuple[list, str]]]:
    """The card's properties leadloop reads: name → [(parameters, raw value)], in order.

    Lines are unfolded (a line that starts with a space or a tab continues the one
    before: RFC 6350 §3.2, RFC 2426 §2.6, 2.1's RFC 822 folding); empty lines dropped
    (2.1 ends a base64 value with one; some writers double every line end). A line that
    is no content line belongs to the property before it: dropped with it when that is
    one leadloop does not read (an unindented base64 PHOTO), else the card is unreadable.
    An AGENT's embedded vCard (the 2.1 spec's Agent: BEGIN:VCARD … END:VCARD inside
    the card) is someone else's: skipped."""
    from vobject.base import ParseError, parseLine

    logical: list[str] = []
    for line in lines[1:]:
        if not line.strip():
            continue
        if line[0] in " \t" and logical:
            logical[-1] += line[1:]
        else:
            logical.append(line)
    found: dict[str, list[tuple[list, str]]] = {}
    reading, nested = True, 0
    for line in logical:
        match = _PROPERTY.match(line)
        if match is None:
            if reading and not nested:
                raise _Unreadable(f"Failed to parse line: {line[:200]}")
            continue
        name = match.group(1).upper()
        if name in ("BEGIN", "END") and line.partition(":")[2].strip().upper() == "VCARD":
            nested += 1 if name == "BEGIN" else -1
            reading = False
            continue
        reading = name in _READ
        if not reading or nested > 0:
            continue
        try:
            _, params, value, _ = parseLine(line)
        except ParseError:
            raise _Unreadable(f"Failed to parse line: {line[:200]}") from None
        encoding = _parameter(params, "ENCODING").upper()
        if encoding in ("B", "BASE64"):  # RFC 2426 §5 "b"; 2.1's BASE64
            try:
                value = base64.b64decode(value, validate=False).decode("utf-8", "replace")
            except (ValueError, binascii.Error):
                raise _Unreadable(f"{name}: invalid base64") from None
        found.setdefault(name, []).append((params, value))
    return found


def _parameter(params: list[list[str]], wanted: str) -> str:
    """The first value of a parameter (parseLine's [name, value, …] lists), or ""."""
    return next((param[1] for param in params if len(param) > 1 and param[0].upper() == wanted),
                "")


def _first(properties: dict, name: str, text: bool = False) -> str:
    """The first such property's raw value ("" when the card has none), or its text."""
    values = properties.get(name)
    value = values[0][1] if values else ""
    return _text(value) if text else value


def _components(value: str, separator: str = ";") -> list[str]:
    """A structured value (N, ORG) split at its unescaped semicolons (or a component at
    its unescaped commas), escapes kept."""
    parts, start, index = [], 0, 0
    while index < len(value):
        char = value[index]
        if char == "\\":
            index += 2
            continue
        if char == separator:
            parts.append(value[start:index])
            start = index + 1
        index += 1
    parts.append(value[start:])
    return parts


def _names(component: str) -> str:
    """A name component of N: its several names (separated by commas), one line."""
    return " ".join(filter(None, map(_text, _components(component, ","))))


def _text(value: str) -> str:
    """An escaped text value → one line: escapes read, an unescaped comma (a list's
    separator in 3.0 and 4.0, a plain comma in 2.1 and in careless writers' 3.0) kept as
    written, whitespace runs made one space."""
    if "\\" in value:
        value = _ESCAPE.sub(lambda match: _ESCAPED.get(match[1], match[0]), value)
    return " ".join(value.split())


def _preference(params: list[list[str]]) -> int:
    """Lower is preferred: 4.0's PREF=1…100; 2.1's bare PREF and 3.0's TYPE=pref; else none."""
    pref = _parameter(params, "PREF")
    if pref:
        return int(pref) if re.fullmatch(r"[0-9]{1,5}", pref) else 1
    for param in params:
        values = param if len(param) == 1 else param[1:] if param[0].upper() == "TYPE" else []
        if any(value.strip().upper() == "PREF" for value in values):
            return 1
    return 101


def _day(rev: str) -> str:
    """REV as a day, "yyyy-mm-dd" (RFC 6350 §6.7.4: a timestamp; 3.0 also a date). A REV
    that is no real date is no date: the import time, as for any undated row."""
    if match := re.match(r"(\d{4})-?(\d{2})-?(\d{2})", rev):
        year, month, day = map(int, match.groups())
        try:
            date(year, month, day)
        except ValueError:
            return ""
        if EARLIEST_YEAR <= year <= LATEST_YEAR:
            return "-".join(match.groups())
    return ""


def _starts_read(line: str) -> bool:
    """Whether a line is the start of a property leadloop reads (or of a card, or its end)."""
    match = _PROPERTY.match(line)
    return match is not None and match.group(1).upper() in _READ | {"BEGIN", "END"}


def _unquote(lines: list[str], encoding: str | None = None) -> list[str]:
    """Quoted-printable values (2.1's ENCODING=QUOTED-PRINTABLE) decoded in their
    CHARSET (without one: `encoding`, --encoding's, else UTF-8 or Windows-1252 as
    _decoded says), soft line breaks joined; the line then reads as a plain 3.0 value."""
    out, index = [], 0
    while index < len(lines):
        line = lines[index]
        index += 1
        head, colon, value = line.partition(":")
        if not colon or "QUOTED-PRINTABLE" not in head.upper():
            out.append(line)
            continue
        while value.endswith("=") and index < len(lines) and not _starts_read(lines[index]):
            # A soft line break. Not before a property leadloop reads: a value that ends
            # in a stray "=" must not swallow the card's EMAIL.
            value = value[:-1] + lines[index].lstrip()
            index += 1
        params = head.split(";")
        charset = next((p.partition("=")[2] for p in params[1:]
                        if p.upper().startswith("CHARSET=")), encoding or "utf-8")
        raw = quopri.decodestring(value.encode("utf-8", "replace"))
        try:
            text = raw.decode(charset)
        except (LookupError, UnicodeError):  # also the idna and punycode codecs' own
            text = _decoded(raw, None)[0]
        kept = [p for p in params if not p.upper().startswith(("ENCODING=", "CHARSET="))
                and p.upper() != "QUOTED-PRINTABLE"]
        text = text.replace("\\", "\\\\").replace("\r\n", "\\n").replace("\n", "\\n")
        out.append(";".join(kept) + ":" + text)
    return out

