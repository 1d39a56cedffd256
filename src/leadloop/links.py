"""Signed links, one per message (SPEC §11): `/u/TOKEN` unsubscribes, `/a/TOKEN/ANSWER`
answers a survey.

Signing a link is part of making the message (runner, check and preview render them),
so it lives in the core; `leadloop serve` (web/) only checks the links that come back.

A token is the local part of the message's Message-ID (24 random hex digits, see
store.new_message_id: it says nothing about the address) and an HMAC-SHA256 of the whole
Message-ID, cut to 96 bits. The HMAC key is derived from the database's own secret (the
one the suppression hash uses, SPEC §10) for this purpose alone, so only this database
makes or accepts its links, and a link altered by one character finds nothing. The
Message-ID is looked up through its unique index; nothing about the link is stored.

A token names a message, not a person: the lead it leads to is read from the database
each time, so an erased lead's link finds a message whose lead has no address left, and
the page says that nothing is kept.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import sqlite3
from dataclasses import dataclass
from urllib.parse import quote

_PURPOSE = b"leadloop web links v1"
_LOCAL = re.compile(r"[A-Za-z0-9_-]{1,64}")
_TOKEN = re.compile(r"([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{16})")


def link_key(secret_hex: str) -> bytes:
    """The links' key, derived from the database secret (meta "secret")."""
    return hmac.new(bytes.fromhex(secret_hex), _PURPOSE, hashlib.sha256).digest()


def _mac(key: bytes, message_id: str) -> str:
    digest = hmac.new(key, message_id.encode("utf-8"), hashlib.sha256).digest()[:12]
    return base64.urlsafe_b64encode(digest).decode("ascii")  # 16 characters, no padding


def make_token(key: bytes, message_id: str) -> str | None:
    """The token of this message; None for a Message-ID leadloop did not make."""
    local = message_id.strip().removeprefix("<").rpartition("@")[0]
    if not _LOCAL.fullmatch(local):
        return None
    return f"{local}.{_mac(key, message_id)}"


def find_message(conn: sqlite3.Connection, key: bytes, token: str) -> sqlite3.Row | None:
    """The message row a token names (with `lead_*` columns of its lead), or None when the
    token is malformed, altered or from another database."""
    match = _TOKEN.fullmatch(token)
    if match is None:
        return None
    local, mac = match.groups()
    # Every Message-ID "<local@…>": "@" sorts just before "A", so this is an index range.
    for row in conn.execute(
        "SELECT m.id, m.lead_id, m.kind, m.step, m.state, m.message_id, "
        "l.email AS lead_email, l.status AS lead_status, l.locale AS lead_locale "
        "FROM messages m JOIN leads l ON l.id = m.lead_id "
        "WHERE m.message_id >= ? AND m.message_id < ?",
        (f"<{local}@", f"<{local}A"),
    ):
        if hmac.compare_digest(_mac(key, row["message_id"]), mac):
            return row
    return None


@dataclass(frozen=True)
class Links:
    """What a message's templates and headers link to, with `[web] base_url` set."""

    base_url: str  # no trailing slash
    key: bytes

    def unsubscribe_url(self, message_id: str) -> str:
        token = make_token(self.key, message_id)
        return f"{self.base_url}/u/{token}" if token else ""

    def answer_url(self, message_id: str, answer) -> str:
        token = make_token(self.key, message_id)
        if not token:
            return ""
        return f"{self.base_url}/a/{token}/{quote(str(answer), safe='')}"


def links_for(config, store) -> Links | None:
    """The links of messages sent from this store, None without `[web] base_url`."""
    if not config.web.base_url:
        return None
    return Links(config.web.base_url.rstrip("/"), link_key(store.meta("secret")))
