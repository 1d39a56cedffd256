"""vCard files (.vcf: phones' and Outlook's, Thunderbird's, eM Client's, The Bat!'s
contacts) → rows of cells, through vobject.

Versions 2.1 (RFC-less, the versit spec), 3.0 (RFC 2426) and 4.0 (RFC 6350). Each card
becomes one row of the cells HEADER names, which then go through the checks every file
shares (rows.py):
- the name is FN; N's given name is `first_name` (and with N's family name, the name
  when there is no FN);
- the address is the preferred EMAIL (2.1's and 3.0's PREF type, 4.0's lowest PREF=n),
  else the first; the others are kept as a custom field;
- REV (when the card was last revised) is read as a date and no more: the day, as the
  request date. Without it, the import time dates the lead, as for any undated file;
- ORG and the first TEL are custom fields; PHOTO, and everything else, is left out.

vobject does not read 2.1's quoted-printable values in a charset other than UTF-8, nor
their soft line breaks ("=" at a line's end, RFC 2045 §6.7): _unquote decodes those
before vobject sees the card. A card vobject cannot read, or without an address, is a
rejected row with its line (BEGIN:VCARD's) and reason; the other cards still import.
"""

from __future__ import annotations

import codecs
import quopri
import re

from ..errors import InputError
from .rows import BATCH, BrokenRecord, RowChecker, make_plan

# The cells of a card's row: names make_plan reads as these lead fields (and custom fields).
HEADER = ["email", "name", "first_name", "last_name", "requested_at", "org", "tel",
          "other_emails"]
_SHOWN = ["EMAIL", "FN", "N given", "N family", "REV", "ORG", "TEL", "other EMAIL"]
_BEGIN = re.compile(r"begin\s*:\s*vcard\s*", re.IGNORECASE)
_END = re.compile(r"end\s*:\s*vcard\s*", re.IGNORECASE)
_BOMS = [(codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16")]
_OUTSIDE = "a line outside any vCard (BEGIN:VCARD … END:VCARD)"
_MOST_BYTES = 256 << 20  # a contacts file is kilobytes to a few megabytes, photos and all


def looks_like_vcard(head: bytes) -> bool:
    """Whether the first bytes of a file are a vCard's (whatever the file is named)."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            head = head[len(bom):].decode(encoding.replace("-sig", ""), "ignore").encode()
            break
    return bool(_BEGIN.match(head.lstrip().decode("ascii", "ignore")[:20]))


def _decoded(data: bytes, encoding: str | None) -> str:
    if encoding is None:
        encoding = next((name for bom, name in _BOMS if data.startswith(bom)), None)
    if encoding is not None:
        return data.decode(encoding)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")  # Outlook's and The Bat!'s 2.1 cards


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
            text = _decoded(data, encoding)
        except UnicodeError:
            raise InputError(f"{label}:1: cannot decode the bytes as {encoding} "
                             "(use --encoding)") from None
        self._cards = list(_cards(text.splitlines()))
        if all(lines == _OUTSIDE for _, lines in self._cards):
            raise InputError(f"{label}: no vCard in it (BEGIN:VCARD … END:VCARD)")
        header = list(HEADER)
        if not any(line.upper().startswith("REV") for _, lines in self._cards
                   if not isinstance(lines, str) for line in lines):
            # No card has a REV: the file has no request dates, and the summary says so.
            header[HEADER.index("requested_at")] = "rev"
        self.plan = make_plan(label, header, column_map)
        # What the summary and the rejects file call the cells: the vCard's own names.
        self.header = list(_SHOWN)
        self.total = len(self._cards)
        self.parallel_size = None  # small: read in the importing process
        self._checker = RowChecker(self.plan, **checks)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def batches(self, size: int = BATCH):
        reader = _CardReader(self._cards)
        return self._checker.batches(reader, lambda: reader.done,
                                     first_line=self._cards[0][0] - 1, size=size)


class _CardReader:
    """Cards → rows, with csv.reader's `line_num` (lines read after `first_line`) set so
    that each row's number is its BEGIN:VCARD line (RowChecker counts from the last)."""

    def __init__(self, cards: list[tuple[int, list[str] | str]]):
        self._cards, self.line_num, self.done = cards, 0, 0
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
                yield _row(lines)


def _cards(lines: list[str]):
    """(line number of BEGIN:VCARD, the card's lines) for each card; (line, reason) for
    a card that never ends or text outside any card."""
    start, card = None, []
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
            yield start, "a vCard that never ends (no END:VCARD before the next BEGIN:VCARD)"
            start, card = number, [line]
            continue
        card.append(line)
        if _END.fullmatch(line.strip()):
            yield start, card
            start, card = None, []
    if start not in (None, -1):
        yield start, "a vCard that never ends (no END:VCARD)"


def _row(lines: list[str]) -> list[str]:
    import vobject

    try:
        card = vobject.readOne("\r\n".join(_unquote(lines)) + "\r\n")
    except Exception as err:  # vobject raises ParseError, and also ValueError, … on bad input
        # vobject counts lines from the card's start: the row's line is the card's.
        reason = re.sub(r"^At line \d+: ", "", _first_line(err))
        return BrokenRecord(f"unreadable vCard ({reason})", lines[0])
    emails = sorted(enumerate(card.contents.get("email", [])),
                    key=lambda pair: (_preference(pair[1]), pair[0]))
    addresses = [str(email.value).strip() for _, email in emails if str(email.value).strip()]
    if not addresses:
        return BrokenRecord("the vCard has no EMAIL", _text(card, "fn") or lines[0])
    given = family = ""
    if "n" in card.contents:
        name = card.n.value
        given, family = _words(getattr(name, "given", "")), _words(getattr(name, "family", ""))
    tel = _text(card, "tel")
    org = card.org.value if "org" in card.contents else ""
    org = " ".join(org) if isinstance(org, list) else str(org or "")
    return [addresses[0], _text(card, "fn"), given, family, _day(card), org.strip(), tel,
            ", ".join(addresses[1:])]


def _preference(email) -> int:
    """Lower is preferred: 4.0's PREF=1…100; 2.1's and 3.0's PREF type; else none."""
    params = {key.upper(): value for key, value in email.params.items()}
    if "PREF" in params:
        try:
            return int(params["PREF"][0])
        except (ValueError, IndexError):
            return 1
    types = [value.upper() for value in params.get("TYPE", [])]
    types += [value.upper() for value in getattr(email, "singletonparams", [])]
    return 1 if "PREF" in types else 101


def _text(card, name: str) -> str:
    if name not in card.contents:
        return ""
    value = card.contents[name][0].value
    return (" ".join(value) if isinstance(value, list) else str(value or "")).strip()


def _words(value) -> str:
    return " ".join(value if isinstance(value, list) else [str(value or "")]).strip()


def _day(card) -> str:
    """REV as a day, "yyyy-mm-dd" (RFC 6350 §6.7.4: a timestamp; 3.0 also a date)."""
    rev = _text(card, "rev")
    if match := re.match(r"(\d{4})-?(\d{2})-?(\d{2})", rev):
        return "-".join(match.groups())
    return ""  # none, or not a date: the import time, as for any undated row


def _unquote(lines: list[str]) -> list[str]:
    """Quoted-printable values (2.1's ENCODING=QUOTED-PRINTABLE) decoded in their
    CHARSET, soft line breaks joined; the line then reads as a plain 3.0 value."""
    out, index = [], 0
    while index < len(lines):
        line = lines[index]
        index += 1
        head, colon, value = line.partition(":")
        if not colon or "QUOTED-PRINTABLE" not in head.upper():
            out.append(line)
            continue
        while value.endswith("=") and index < len(lines):  # a soft line break
            value = value[:-1] + lines[index].lstrip()
            index += 1
        params = head.split(";")
        charset = next((p.partition("=")[2] for p in params[1:]
                        if p.upper().startswith("CHARSET=")), "utf-8")
        raw = quopri.decodestring(value.encode("utf-8", "replace"))
        try:
            text = raw.decode(charset)
        except (LookupError, UnicodeDecodeError):
            text = _decoded(raw, None)
        kept = [p for p in params if not p.upper().startswith(("ENCODING=", "CHARSET="))
                and p.upper() != "QUOTED-PRINTABLE"]
        text = text.replace("\\", "\\\\").replace("\r\n", "\\n").replace("\n", "\\n")
        out.append(";".join(kept) + ":" + text)
    return out


def _first_line(err: Exception) -> str:
    return (str(err).strip().splitlines() or [type(err).__name__])[0][:200]
