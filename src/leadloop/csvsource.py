"""A CSV file → a stream of parsed lead rows or rejects (the reading half of import).

Minimal version: UTF-8 (with or without BOM) or Windows-1252, `,` `;` or tab, the main
column aliases, ISO and day-first dates.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import sys
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .clock import UTC, zone
from .errors import InputError, InvalidAddress
# A cell is one line of text: CR, LF, NUL … could otherwise reach a header.
from .message import clean as one_line

_DATE_CACHE = 20_000
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


def slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


_ALIAS_LOOKUP = {slug(alias): field for field, names in ALIASES.items() for alias in names}


@dataclass(slots=True)
class ParsedLead:
    line: int
    email: str
    name: str | None
    product: str | None
    source: str | None
    requested_at: datetime | None
    info_sent_at: datetime | None
    locale: str | None
    timezone: str | None
    referred_by: str | None
    fields: dict[str, str]


@dataclass(slots=True)
class RejectedRow:
    line: int
    reason: str
    values: list[str]


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

    @property
    def bytes_read(self) -> int:
        return self._binary.tell()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._text.close()
        return False

    def _date(self, text: str, tz_name: str | None) -> datetime:
        # A file holds few distinct dates (a day or a minute repeats across many rows),
        # so each is read once.
        key = (text, tz_name)
        value = self._dates.get(key)
        if value is None:
            if len(self._dates) >= _DATE_CACHE:
                self._dates.clear()
            value = self._dates[key] = self._read_date(text, tz_name)
        return value

    def _read_date(self, text: str, tz_name: str | None) -> datetime:
        tz = zone(tz_name or self._default_tz)
        match = _DAY_FIRST.match(text)
        if match:
            a, b, year, hour, minute, second = match.groups()
            day, month = (int(b), int(a)) if self._month_first else (int(a), int(b))
            value = datetime(int(year), month, day, int(hour or 0), int(minute or 0), int(second or 0))
        else:
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if value.tzinfo is None:
            # The instant clock.localize would give (a time in a DST gap moves forward,
            # an ambiguous one takes its first occurrence) without the round trip.
            value = value.replace(tzinfo=tz)
        return value.astimezone(UTC)

    def __iter__(self):
        reader = csv.reader(self._text, delimiter=self.delimiter)
        try:
            yield from self._rows(reader)
        except UnicodeDecodeError:
            # Text is decoded in chunks, ahead of the record being parsed, so the line is
            # found again in the raw bytes. The import is one transaction: nothing stays.
            line = _first_undecodable_line(self._binary, self.encoding)
            raise InputError(
                f"{self.label}:{line}: cannot decode the bytes as {self.encoding} "
                "(use --encoding)") from None
        except csv.Error as err:
            raise InputError(f"{self.label}:{reader.line_num + 1}: {err}") from None

    def _rows(self, reader):
        from .addresses import check_deliverability, normalize_address

        width = len(self.header)
        plan = [(None, target[1]) if isinstance(target, tuple) else (target, None)
                for target in self._plan.values()]
        consumed = 1  # physical lines read so far, the header included
        for cells in reader:
            start = consumed + 1
            consumed = 1 + reader.line_num
            values: dict = {}
            custom: dict = {}
            for cell, (field, custom_key) in zip(cells, plan):
                if cell:
                    value = one_line(cell)
                    if value:
                        if field:
                            values[field] = value
                        else:
                            custom[custom_key] = value
            if len(cells) > width:
                if any(cell.strip() for cell in cells):
                    yield RejectedRow(start, f"has {len(cells)} cells, the header has {width}", cells)
                continue
            if not values and not custom:
                continue  # a blank line, or a row of empty cells
            try:
                email = normalize_address(values.get("email", ""))
                if self._check_dns:
                    check_deliverability(email)
                referred = values.get("referred_by")
                referred = normalize_address(referred) if referred else None
                tz_name = values.get("timezone")
                if tz_name:
                    zone(tz_name)
                dates = {}
                for key in ("requested_at", "info_sent_at"):
                    if key in values:
                        try:
                            dates[key] = self._date(values[key], tz_name)
                        except ValueError:
                            raise InputError(f'unreadable date "{values[key]}"') from None
            except InvalidAddress as err:
                yield RejectedRow(start, str(err), cells)
                continue
            except InputError as err:
                yield RejectedRow(start, str(err), cells)
                continue
            name = values.get("name")
            if values.get("last_name"):
                name = f"{name} {values['last_name']}" if name else values["last_name"]
            yield ParsedLead(
                line=start, email=email, name=name,
                product=self._product or values.get("product"),
                source=self._source or values.get("source"),
                requested_at=dates.get("requested_at"), info_sent_at=dates.get("info_sent_at"),
                locale=values.get("locale", "").lower() or None, timezone=tz_name,
                referred_by=referred, fields=custom,
            )


def _detect(binary) -> str:
    decoder = codecs.getincrementaldecoder("utf-8")()
    binary.seek(0)
    try:
        while chunk := binary.read(1 << 20):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        encoding = "utf-8-sig"
    except UnicodeDecodeError:
        encoding = _single_byte(binary)
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
        spool.seek(0)
        binary, total = spool, None
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
