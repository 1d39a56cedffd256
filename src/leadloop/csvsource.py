"""A CSV file → a stream of parsed lead rows or rejects (the reading half of import).

Minimal version: UTF-8 (with or without BOM) or Windows-1252, `,` `;` or tab, the main
column aliases, ISO and day-first dates.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import operator
import os
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from .clock import EARLIEST_YEAR, LATEST_YEAR, UTC, to_db, zone
from .errors import InputError
from .locales import language_code
# A cell is one line of text: CR, LF, NUL … could otherwise reach a header.
from .message import clean as one_line

_DATE_CACHE = 20_000
# clock's range of years, as stored text (which sorts as time).
_EARLIEST, _LATEST = f"{EARLIEST_YEAR:04d}", f"{LATEST_YEAR + 1:04d}"
BATCH = 5000
_REPEATED = 1000
_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")

ALIASES = {
    "email": ["email", "e-mail", "mail", "correo", "correo electronico", "email address",
              "direccion de correo"],
    "name": ["name", "nombre", "full name", "nombre completo"],
    "last_name": ["apellidos", "apellido", "last name"],
    "product": ["product", "producto", "servicio"],
    "source": ["source", "origen", "anuncio", "fuente", "campaign", "campana"],
    "requested_at": ["requested_at", "fecha", "fecha de solicitud", "date", "requested",
                     "fecha solicitud"],
    "locale": ["locale", "idioma", "language", "lang"],
    "timezone": ["timezone", "zona horaria", "tz"],
    "referred_by": ["referred_by", "referido por", "referred by", "referido"],
    "info_sent_at": ["info_sent_at", "info enviada", "info_sent"],
}
FIELDS = set(ALIASES) - {"last_name"}
# The lead fields CsvSource._rows picks from every row, and those it picks only from
# files that have them.
_COMMON = ("email", "name", "product", "source", "requested_at")
_OPTIONAL = ("last_name", "info_sent_at", "locale", "timezone", "referred_by")
_PICKED = _COMMON + _OPTIONAL


def slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


_ALIAS_LOOKUP = {slug(alias): field for field, names in ALIASES.items() for alias in names}


class ParsedLead(NamedTuple):
    """One valid row. Dates are instants in the store's text form (clock.to_db), custom
    columns one JSON object: plain values, which cost little to carry between processes."""

    line: int
    email: str
    name: str | None
    product: str | None
    source: str | None
    requested_at: str | None
    info_sent_at: str | None
    locale: str | None
    timezone: str | None
    referred_by: str | None
    fields: str | None


@dataclass(slots=True)
class RejectedRow:
    line: int
    reason: str
    values: list[str]


@dataclass(slots=True)
class Batch:
    """Consecutive rows of a file. `leads` are ParsedLead fields as plain tuples: pickling
    a tuple costs a sixth of pickling a named tuple (forked.py carries batches)."""

    leads: list[tuple] = field(default_factory=list)
    rejects: list[RejectedRow] = field(default_factory=list)
    bytes_read: int | None = None  # how far into the file, for a progress bar


def batches_of(rows: Iterable, size: int = BATCH) -> Iterator[Batch]:
    """ParsedLead and RejectedRow items (a test's, or `lead add`'s) → batches."""
    batch = Batch()
    for row in rows:
        if type(row) is RejectedRow:
            batch.rejects.append(row)
        else:
            batch.leads.append(tuple(row))
            if len(batch.leads) >= size:
                yield batch
                batch = Batch()
    yield batch


class CsvSource:
    def __init__(self, label, binary, encoding, delimiter, column_map, month_first,
                 default_timezone, product, source, check_dns, total_bytes):
        self.label = label
        self._binary = binary
        self.encoding = encoding
        self.total_bytes = total_bytes
        self._month_first = month_first
        self._default_tz = default_timezone
        self._product, self._source = product, source
        self._check_dns = check_dns
        self._text = io.TextIOWrapper(binary, encoding=encoding, newline="")
        first = self._text.readline()
        if not first.strip():
            raise InputError(f"{label}: the file is empty")
        self.delimiter = delimiter or max(",;\t", key=first.count)
        self.header = next(csv.reader([first], delimiter=self.delimiter))
        self._plan = self._make_plan(column_map or {})
        self._dates: dict = {}
        self._fast_date = FastDates(default_timezone)

    def _make_plan(self, column_map):
        mapped = {slug(k): v for k, v in column_map.items()}
        plan = {}
        for index, column in enumerate(self.header):
            key = slug(column)
            field = mapped.get(key) or _ALIAS_LOOKUP.get(key)
            if key in mapped and field not in FIELDS:
                raise InputError(f'--map {column}={field}: "{field}" is not a lead field')
            plan[index] = field or ("custom", key)
        if "email" not in plan.values():
            raise InputError(f"{self.label}: no e-mail column found (columns: "
                             f"{', '.join(self.header)}); use --map COLUMN=email")
        return plan

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._text.close()
        return False

    def batches(self, size: int = BATCH) -> Iterator[Batch]:
        if _has_quote(self._binary):
            reader = csv.reader(self._text, delimiter=self.delimiter)
        else:
            reader = UnquotedReader(self._text, self.delimiter)
        try:
            yield from self._rows(reader, size)
        except UnicodeDecodeError:
            # Text is decoded in chunks, ahead of the record being parsed, so the line is
            # found again in the raw bytes. The import is one transaction: nothing stays.
            line = _first_undecodable_line(self._binary, self.encoding)
            raise InputError(
                f"{self.label}:{line}: cannot decode the bytes as "
                f"{self.encoding.removesuffix('-sig')} "
                "(use --encoding)") from None
        except csv.Error as err:
            raise InputError(f"{self.label}:{reader.line_num + 1}: {err}") from None

    def _rows(self, reader, size: int) -> Iterator[Batch]:
        """The hot loop of an import: a million rows pass here, so a row costs a few
        method calls, and anything unusual (control characters, a bad address, a new
        date) takes a slower path."""
        from .addresses import check_deliverability, normalize_address

        width = len(self.header)
        # Each lead field's column, or `width`: the empty cell appended to every row.
        where = {field: width for field in _PICKED}
        custom_columns = []
        for index, target in self._plan.items():
            if isinstance(target, tuple):
                custom_columns.append((index, target[1]))
            else:
                where[target] = index
        common = operator.itemgetter(*(where[field] for field in _COMMON))
        # Most files have none of these columns: their rows skip that work altogether.
        optional = (operator.itemgetter(*(where[field] for field in _OPTIONAL))
                    if any(where[field] != width for field in _OPTIONAL) else None)
        product_override, source_override = self._product, self._source
        dates, check_dns = self._dates, self._check_dns
        # One string object per product and source: a batch pickles a repeated object
        # as a reference, and unpickles it once (forked.py).
        repeated: dict = {}
        batch = Batch()
        leads, rejects = batch.leads, batch.rejects
        consumed = 1  # physical lines read so far, the header included
        for cells in reader:
            start = consumed + 1
            consumed = 1 + reader.line_num
            count = len(cells)
            if count != width:
                if count > width:
                    if any(cell.strip() for cell in cells):
                        rejects.append(RejectedRow(
                            start, f"has {count} cells, the header has {width}", cells))
                    continue
                cells = cells + [""] * (width - count)  # a short row: the rest is empty
            text = "".join(cells)
            if not text.isprintable():
                # Runs of CR, LF, NUL … become one space: a cell is one line of text.
                cells = [one_line(cell) for cell in cells]
                text = "".join(cells)
            if not text or text.isspace():
                continue  # a blank line, or a row of empty cells
            cells.append("")
            email, name, product, source, requested = common(cells)
            last_name = info_sent = locale = tz_name = referred = None
            try:
                email = normalize_address(email)
                if check_dns:
                    check_deliverability(email)
                if optional is not None:
                    last_name, info_sent, locale, tz_name, referred = optional(cells)
                    referred = referred.strip()
                    referred = normalize_address(referred) if referred else None
                    tz_name = tz_name.strip() or None
                    if tz_name:
                        zone(tz_name)
                requested = requested.strip()
                if requested:
                    key = (requested, tz_name)
                    requested = dates.get(key) or self._date(key)
                else:
                    requested = None
                if optional is not None:
                    info_sent = info_sent.strip()
                    if info_sent:
                        key = (info_sent, tz_name)
                        info_sent = dates.get(key) or self._date(key)
                    else:
                        info_sent = None
                    locale = language_code(locale)
            except InputError as err:
                rejects.append(RejectedRow(start, str(err), cells[:-1]))
                continue
            name = name.strip()
            if last_name and (last_name := last_name.strip()):
                name = f"{name} {last_name}" if name else last_name
            custom = None
            if custom_columns:
                custom = {key: value for index, key in custom_columns
                          if (value := cells[index].strip())}
                custom = json.dumps(custom, ensure_ascii=False) if custom else None
            product = product_override or product.strip() or None
            source = source_override or source.strip() or None
            leads.append((  # ParsedLead's fields
                start, email, name or None, repeated.setdefault(product, product),
                repeated.setdefault(source, source), requested, info_sent, locale, tz_name,
                referred, custom,
            ))
            if len(leads) >= size:
                batch.bytes_read = self._binary.tell()
                yield batch
                batch = Batch()
                leads, rejects = batch.leads, batch.rejects
                if len(repeated) > _REPEATED:
                    repeated.clear()
        batch.bytes_read = self._binary.tell()
        yield batch

    def _date(self, key: tuple[str, str | None]) -> str:
        """A date cell read once: a file holds few distinct dates (a day or a minute
        repeats across many rows)."""
        text, tz_name = key
        month_first = self._month_first
        try:
            value = (self._fast_date(text, tz_name, month_first)
                     or to_db(_read_date(text, zone(tz_name or self._default_tz), month_first)))
        except (ValueError, OverflowError):
            raise InputError(f'unreadable date "{text}"') from None
        if not _EARLIEST <= value < _LATEST:
            # A typo ("01/01/0202"), and the cadence's arithmetic would overflow near
            # the years 1 and 9999.
            raise InputError(
                f'date "{text}" is out of range (years {EARLIEST_YEAR}–{LATEST_YEAR})')
        if len(self._dates) >= _DATE_CACHE:
            self._dates.clear()
        self._dates[key] = value
        return value


# The naive shapes FastDates reads: a day, then optionally " " or "T" and a time of day.
_FAST_DMY = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})")
_FAST_YMD = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
# Every valid "hh:mm" → minutes since midnight; day-first dates also take "h:mm" (as
# _DAY_FIRST does), ISO dates do not (as datetime.fromisoformat does not).
_ISO_CLOCK = {f"{h:02d}:{m:02d}": 60 * h + m for h in range(24) for m in range(60)}
_DMY_CLOCK = {**_ISO_CLOCK, **{f"{h}:{m:02d}": 60 * h + m for h in range(10) for m in range(60)}}
# The rest of clock.to_db's text: minutes since midnight → "hh:mm:", ":ss" → "ss+00:00".
_HH_MM = [f"{h:02d}:{m:02d}:" for h in range(24) for m in range(60)]
_SS = {f":{s:02d}": f"{s:02d}+00:00" for s in range(60)}
_NO_SS = "00+00:00"
# (hour, minute, second) of a day at which _steady_offset compares the zone's offsets.
_CHECKED_WALLS = [(hour, 0, 0) for hour in range(24)] + [(23, 59, 59)]


class FastDates:
    """The common date cells → clock.to_db's text, without a zone conversion per cell.

    The reference, to_db(_read_date(...)), costs ~4.3 µs a cell (a regex, six int(),
    datetime(), replace(tzinfo), astimezone, formatting). Files with minute- or
    second-precision timestamps (web-form exports) make most cells new to CsvSource's
    cache, so a 1M-row import paid that for most rows. Here "dd/mm/yyyy hh:mm[:ss]"
    ("/", "-" or "."; month-first; "T"; ISO "yyyy-mm-dd …") is split into its day and
    its time of day. A day is read once per zone: its fields, and the zone's UTC offset
    if that is the same throughout the local day. A time of day is looked up among the
    valid ones. A new cell is then a few look-ups, a subtraction and a concatenation:
    ~0.7–1 µs.

    Anything else gives None and takes the reference path, which also raises its
    errors: other shapes (an offset, "Z", fractions of a second, an ISO "h:mm"), fields
    out of range (31/02, 24:00), a day on which the offset changes (DST, a skipped day)
    or is not whole minutes (local mean time), the years 1 and 9999 (where the reference
    can overflow). tests/test_date_fast_path.py holds the two equal.
    """

    def __init__(self, default_tz: str, size: int = _DATE_CACHE):
        self._default_tz = default_tz
        self._size = size
        # (day text, zone name or None, month_first) → (UTC offset in minutes, "yyyy-mm-ddT"
        # of the day, the next day and the day before, clock table), or False: none.
        self._days: dict = {}

    def __call__(self, text: str, tz_name: str | None, month_first: bool) -> str | None:
        day_text, sep, clock = text.partition(" ")
        if not sep:
            day_text, sep, clock = text.partition("T")
        key = (day_text, tz_name, month_first)
        day = self._days.get(key)
        if day is None:
            day = self._read_day(key)
        if not day:
            return None
        offset, prefixes, clocks = day
        if not sep:
            minutes, seconds = 0, _NO_SS  # a day alone: its midnight
        elif len(clock) > 6:
            minutes, seconds = clocks.get(clock[:-3]), _SS.get(clock[-3:])
        else:
            minutes, seconds = clocks.get(clock), _NO_SS
        if minutes is None or seconds is None:
            return None
        # |offset| < 1 day: shift is -1, 0 or 1, and prefixes[-1] is the day before.
        shift, minutes = divmod(minutes - offset, 1440)
        return prefixes[shift] + _HH_MM[minutes] + seconds

    def _read_day(self, key) -> tuple | bool:
        text, tz_name, month_first = key
        found = False
        if match := _FAST_YMD.fullmatch(text):
            year, month, day = map(int, match.groups())
            clocks = _ISO_CLOCK
        elif match := _FAST_DMY.fullmatch(text):
            a, b, year = map(int, match.groups())
            month, day = (a, b) if month_first else (b, a)
            clocks = _DMY_CLOCK
        else:
            year = 0  # another shape: the reference's
        if 1 < year < 9999:
            try:
                found = _steady_offset(date(year, month, day), zone(tz_name or self._default_tz))
            except ValueError:  # 31/02, 00/01, 13/13 …
                pass
            if found:
                found = (*found, clocks)
        if len(self._days) >= self._size:
            self._days.clear()
        self._days[key] = found
        return found


def _steady_offset(day: date, tz) -> tuple | bool:
    """(UTC offset in minutes, ("yyyy-mm-ddT" of `day`, of the next day, of the day
    before)) if `tz` gives every wall time of that local day the same offset, else False.

    Checked at each hour and at 23:59:59, with either fold (_read_date uses fold 0; a
    day with a gap or an overlap, a skipped day too, has the folds disagree). A zone
    would have to change its offset and back within one hour to slip through."""
    offsets = {tz.utcoffset(datetime(day.year, day.month, day.day, *wall, fold=fold))
               for wall in _CHECKED_WALLS for fold in (0, 1)}
    if len(offsets) != 1:
        return False
    minutes, rest = divmod(offsets.pop(), timedelta(minutes=1))
    if rest:
        return False
    prefixes = tuple("%04d-%02d-%02dT" % (d.year, d.month, d.day)
                     for d in (day, day + timedelta(days=1), day - timedelta(days=1)))
    return minutes, prefixes


def _read_date(text: str, tz, month_first: bool) -> datetime:
    match = _DAY_FIRST.match(text)
    if match:
        a, b, year, hour, minute, second = match.groups()
        day, month = (int(b), int(a)) if month_first else (int(a), int(b))
        value = datetime(int(year), month, day, int(hour or 0), int(minute or 0), int(second or 0))
    else:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        # The instant clock.localize would give (a time in a DST gap moves forward,
        # an ambiguous one takes its first occurrence) without the round trip.
        value = value.replace(tzinfo=tz)
    return value.astimezone(UTC)


class UnquotedReader:
    """csv.reader for a file with no quote character in it, for less: such a file's
    records are its lines and its fields what lies between delimiters, so str.split
    does what csv's state machine does a character at a time (~0.4 µs a row less on
    a million-row import). tests/test_fast_paths.py holds the two equal."""

    def __init__(self, lines, delimiter: str):
        self.line_num = 0
        self._lines, self._delimiter = lines, delimiter

    def __iter__(self):
        delimiter, limit = self._delimiter, csv.field_size_limit()
        for line in self._lines:
            self.line_num += 1
            if len(line) > limit:  # may hold a field over csv's limit: csv's own verdict
                yield next(csv.reader([line], delimiter=delimiter), [])
                continue
            text = line.rstrip("\r\n")  # one line ending at most (newline="")
            yield text.split(delimiter) if text else []


def _has_quote(binary) -> bool:
    """Whether the file holds a '"' anywhere; read beside the text stream, not moving it."""
    fd, offset = binary.fileno(), 0
    while chunk := os.pread(fd, 1 << 20, offset):
        if b'"' in chunk:
            return True
        offset += len(chunk)
    return False


def _detect(binary) -> str:
    """UTF-8 unless the first stretch of the file that is not plain ASCII fails to
    decode as UTF-8 (a Windows-1252 "é" is never valid UTF-8 beside ASCII). Deciding
    there rather than after decoding the whole file spares a big import a full pass
    (~0.2 s per 100 MB); a file that turns out to mix both fails at the line to look at,
    naming --encoding, and imports nothing."""
    binary.seek(0)
    encoding = "utf-8-sig"
    while chunk := binary.read(1 << 20):
        if chunk.isascii():
            continue
        try:
            # Not final: the chunk may end inside a character.
            codecs.getincrementaldecoder("utf-8")().decode(chunk)
        except UnicodeDecodeError:
            encoding = _single_byte(binary)
        break
    binary.seek(0)
    return encoding


def _first_undecodable_line(binary, encoding: str) -> int:
    binary.seek(0)
    for number, raw in enumerate(binary, 1):
        try:
            raw.decode(encoding)
        except UnicodeDecodeError:
            return number
    return 1


def _single_byte(binary) -> str:
    """Windows-1252 (what Excel writes on Spanish Windows: "€" is 0x80), unless the file
    holds bytes cp1252 leaves undefined, which only Latin-1 can read."""
    binary.seek(0)
    while chunk := binary.read(1 << 20):
        if any(byte in chunk for byte in (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")):
            return "latin-1"
    return "cp1252"


def open_csv(path, *, encoding=None, delimiter=None, column_map=None, month_first=False,
             default_timezone="Europe/Madrid", product=None, source=None, check_dns=False,
             stdin=None) -> CsvSource:
    label = str(path)
    if label == "-":
        import tempfile

        spool = tempfile.TemporaryFile()
        source_stream = stdin or sys.stdin.buffer
        while chunk := source_stream.read(1 << 20):
            spool.write(chunk)
        binary, total = spool, spool.tell()
        spool.seek(0)
        label = "stdin"
    else:
        try:
            binary = open(path, "rb")
        except IsADirectoryError:
            raise InputError(f"{label}: is a directory, not a CSV file") from None
        except OSError as err:
            raise InputError(f"{label}: cannot read the file ({err.strerror})") from None
        total = Path(path).stat().st_size
    if delimiter == "tab":
        delimiter = "\t"
    chosen = encoding or _detect(binary)
    try:
        codecs.lookup(chosen)
    except LookupError:
        raise InputError(f'--encoding "{encoding}" is not an encoding Python knows') from None
    try:
        return CsvSource(label, binary, chosen, delimiter, column_map, month_first,
                         default_timezone, product, source, check_dns, total)
    except UnicodeDecodeError:
        raise InputError(f"{label}:1: cannot decode the bytes as {chosen} (use --encoding)") from None
