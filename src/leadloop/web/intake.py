"""Web inquiries → leads (SPEC §11): what the form and the webhook send, checked, then
written through the importer's rules, so a web inquiry is the same lead an imported row
or `leadloop add` would make (normalised address, suppression, no reset of a known lead).

Checking is done before anything is written, and on the request's own thread: a batch
of inquiries from the webhook is all valid or nothing of it is kept. What is checked is
then plain data (`Inquiry`), which is what the spool keeps when the database cannot be
written (spool.py).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime

from ..clock import parse_instant, to_db, zone
from ..errors import InputError

# What a form or a webhook may send. Longer values are refused, not cut.
LONGEST_TEXT = 200
LONGEST_FIELD = 2000
MOST_FIELDS = 20
_FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_ -]{0,39}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
KNOWN = ("email", "name", "product", "source", "locale", "timezone", "referred_by",
         "requested_at", "first_name")


class InquiryError(InputError):
    """One inquiry that cannot be accepted; `field` names what is wrong."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.reason = message


@dataclass(frozen=True)
class Inquiry:
    """One checked inquiry, plain values (the store's text for times)."""

    email: str
    requested_at: str
    name: str | None = None
    product: str | None = None
    source: str | None = None
    locale: str | None = None
    timezone: str | None = None
    referred_by: str | None = None
    fields: dict = field(default_factory=dict)
    first_name: str | None = None

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "Inquiry":
        return cls(**data)

    def row(self, line: int):
        from ..sources.rows import ParsedLead

        return ParsedLead(
            line=line, email=self.email, name=self.name, product=self.product,
            source=self.source, requested_at=self.requested_at, info_sent_at=None,
            locale=self.locale, timezone=self.timezone, referred_by=self.referred_by,
            fields=json.dumps(self.fields, ensure_ascii=False) if self.fields else None,
            first_name=self.first_name,
        )


def _text(name: str, value, longest: int = LONGEST_TEXT) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InquiryError(name, "must be text")
    # One line: line breaks and other controls become spaces (no header can be forged).
    value = " ".join(_CONTROL.sub(" ", value).split())
    if len(value) > longest:
        raise InquiryError(name, f"is longer than {longest} characters")
    return value or None


def parse_inquiry(values: Mapping[str, object], received_at: datetime, config, *,
                  strict: bool, locale: str | None = None) -> Inquiry:
    """Check one inquiry. `strict` (the webhook's JSON): every key must be known, custom
    fields come as a "fields" object. Otherwise (a web form) any other field is a custom
    field. `locale` is the form page's language, used when the inquiry names none."""
    from ..addresses import normalize_address
    from ..errors import InvalidAddress
    from ..locales import language_code

    extra: dict = {}
    for key, value in values.items():
        if key in KNOWN or (strict and key == "fields"):
            continue
        if strict:
            raise InquiryError(key, 'is not a field of an inquiry (custom fields go in "fields")')
        extra[key] = value
    if strict and values.get("fields") is not None:
        if not isinstance(values["fields"], dict):
            raise InquiryError("fields", "must be an object of names and texts")
        extra = dict(values["fields"])
    fields = {}
    for key, value in extra.items():
        if not isinstance(key, str) or not _FIELD_NAME.fullmatch(key):
            raise InquiryError(str(key)[:40], "is not a field name (letters, digits, _, - or space)")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        value = _text(key, value, LONGEST_FIELD)
        if value is not None:
            fields[key] = value
    if len(fields) > MOST_FIELDS:
        raise InquiryError("fields", f"more than {MOST_FIELDS} custom fields")

    email = values.get("email")
    if not isinstance(email, str) or not email.strip():
        raise InquiryError("email", "an address is needed")
    if len(email) > 320:
        raise InquiryError("email", "is longer than an address can be")
    try:
        address = normalize_address(email)
    except InvalidAddress as err:
        raise InquiryError("email", str(err)) from None

    timezone = _text("timezone", values.get("timezone"))
    if timezone:
        try:
            zone(timezone)
        except InputError as err:
            raise InquiryError("timezone", str(err)) from None
    chosen = _text("locale", values.get("locale")) or locale
    try:
        language = language_code(chosen) if chosen else None
    except InputError as err:
        raise InquiryError("locale", str(err)) from None
    referred_by = _text("referred_by", values.get("referred_by"))
    if referred_by:
        try:
            referred_by = normalize_address(referred_by)
        except InvalidAddress as err:
            raise InquiryError("referred_by", str(err)) from None
    requested_at = received_at
    given = values.get("requested_at") if strict else None
    if given is not None:
        if not isinstance(given, str):
            raise InquiryError("requested_at", "must be an ISO 8601 date or date-time")
        try:
            requested_at = parse_instant(given, timezone or config.cadence.timezone)
        except InputError as err:
            raise InquiryError("requested_at", str(err)) from None
        # An inquiry is never from the future: a wrong clock must not delay its info pack.
        requested_at = min(requested_at, received_at)
    return Inquiry(
        email=address, requested_at=to_db(requested_at),
        name=_text("name", values.get("name")), product=_text("product", values.get("product")),
        source=_text("source", values.get("source")), locale=language, timezone=timezone,
        referred_by=referred_by, fields=fields,
        first_name=_text("first_name", values.get("first_name")),
    )


@dataclass(frozen=True)
class Outcome:
    """What became of one inquiry: `added`, `updated`, `unchanged`, `suppressed` (never
    mailed again: unsubscribed, bounced, or erased after a later inquiry), or `queued`
    (kept in the spool until the database can be written)."""

    email: str
    outcome: str
    status: str | None = None
    lead_id: int | None = None

    def as_json(self) -> dict:
        return {"email": self.email, "outcome": self.outcome, "status": self.status}


def accept(store, inquiries: list[Inquiry], now: datetime) -> list[Outcome]:
    """Write these inquiries, in one transaction, through the importer's rules."""
    from ..importer import import_rows

    emails = sorted({inquiry.email for inquiry in inquiries})
    before = _leads(store.conn, emails)
    import_rows(store, [inquiry.row(n + 1) for n, inquiry in enumerate(inquiries)], now)
    after = _leads(store.conn, emails)
    outcomes = []
    for inquiry in inquiries:
        old, lead = before.get(inquiry.email), after.get(inquiry.email)
        if lead is None or (old is not None and old["status"] in ("unsubscribed", "bounced")):
            outcome = "suppressed"
        elif old is None:
            outcome = "added"
        else:
            outcome = "unchanged" if tuple(old) == tuple(lead) else "updated"
        outcomes.append(Outcome(inquiry.email, outcome, lead["status"] if lead else None,
                                lead["id"] if lead else None))
    return outcomes


def _leads(conn: sqlite3.Connection, emails: list[str]) -> dict:
    found = {}
    for start in range(0, len(emails), 500):
        chunk = emails[start:start + 500]
        for row in conn.execute(
                f"SELECT * FROM leads WHERE email IN ({','.join('?' * len(chunk))})", chunk):
            found[row["email"]] = row
    return found
