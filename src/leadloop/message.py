"""Rendered text → the bytes of an RFC 5322 message, built here rather than by
`email.message.EmailMessage`.

Two reasons. Safety: Python 3.11.7 predates the fix for CVE-2024-6923, where the email
generator could let a newline inside a header value start a new header. Here every
header value passes through `header_text()`, which turns every control character into
a space and RFC 2047-encodes anything that is not plain ASCII or that contains "=?" (so
a literal encoded word in a name stays literal text after decoding). Speed: building an
EmailMessage costs ~1 ms, more than the SMTP exchange itself (BENCH.md B3).

Tests parse these bytes back with the standard library's strict parser and compare.

International addresses (SPEC §5): a domain in Unicode is written in its ASCII form
(IDNA 2008 A-labels, "bücher.example" → "xn--bcher-kva.example"), in the envelope and
in the headers alike, so any server takes it. A local part in Unicode ("josé@…") has no
ASCII form: the message then needs SMTPUTF8 (RFC 6531), and its head carries that
address as UTF-8, as RFC 6532 allows; `Outgoing.smtputf8` says so to the transport.
"""

from __future__ import annotations

import binascii
import functools
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime

from .errors import InvalidAddress

_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")
_ATOM_SAFE = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]*")
# Header lines above this are folded by encoding; RFC 5322 §2.1.1 asks for at most 78.
_PLAIN_MAX = 70
CRLF = "\r\n"
# 39 bytes make a 64-character encoded word: with "Subject: " before it the line stays
# within the 78 characters RFC 5322 §2.1.1 asks for (RFC 2047 allows up to 75 per word).
_WORD_BYTES = 39


def clean(value: str) -> str:
    """One line of text: runs of control characters (CR, LF, NUL, …) become one space."""
    if value.isprintable():
        # Every character _CONTROL matches is unprintable; this check is ten times
        # cheaper than the substitution, and nearly every value passes it.
        return value.strip()
    return _CONTROL.sub(" ", value).strip()


def encoded_words(text: str) -> str:
    """RFC 2047 base64 encoded words, folded, each at most 75 characters.

    Words are split at spaces, and the space stays at the end of the earlier encoded
    word: a conforming reader drops the folding whitespace between encoded words and so
    reads the text exactly, and Python's address parser (which keeps it) reads at worst
    a doubled space, or a space inside a word too long for one encoded word; never two
    words glued together."""
    chunks, current = [], None
    for word in text.split(" "):
        # None, not "": an empty word is a second space in a row, and must be kept.
        candidate = word if current is None else f"{current} {word}"
        if current and len(f"{candidate} ".encode()) > _WORD_BYTES:
            chunks.append(current + " ")
            current = word
        else:
            current = candidate
        while len(current.encode()) > _WORD_BYTES:  # one word longer than an encoded word
            cut = _WORD_BYTES
            while len(current[:cut].encode()) > _WORD_BYTES:
                cut -= 1
            chunks.append(current[:cut])
            current = current[cut:]
    chunks.append(current)
    return (CRLF + " ").join(
        f"=?utf-8?b?{binascii.b2a_base64(chunk.encode(), newline=False).decode()}?="
        for chunk in chunks if chunk
    )


def header_text(value: str) -> str:
    """An unstructured header value (Subject), safe and encoded for the wire."""
    value = clean(value)
    if value.isascii() and "=?" not in value and len(value) <= _PLAIN_MAX:
        return value
    return encoded_words(value)


def address_header(name: str | None, address: str) -> str:
    """`Name <address>` with the display name quoted or encoded as RFC 5322/2047 require."""
    name = clean(name or "")
    if not name:
        return f"<{address}>"
    if name.isascii() and "=?" not in name and len(name) <= _PLAIN_MAX:
        if _ATOM_SAFE.fullmatch(name):
            return f"{name} <{address}>"
        quoted = name.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{quoted}" <{address}>'
    return f"{encoded_words(name)} <{address}>"


def wire_address(address: str) -> str:
    """The address as it goes out: its domain in ASCII (IDNA A-labels), the local part
    as it is. InvalidAddress when the domain has no ASCII form."""
    if address.isascii():
        return address
    local, _, domain = address.rpartition("@")
    return f"{local}@{_ascii_domain(domain)}"


@functools.lru_cache(maxsize=4096)
def _ascii_domain(domain: str) -> str:
    if domain.isascii():
        return domain
    import idna  # what email-validator checked the domain with on the way in

    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError as err:
        raise InvalidAddress(f'the domain "{domain}" has no ASCII (IDNA) form ({err})') from None


def _qp(text: str) -> bytes:
    """Quoted-printable body: 7-bit safe on any server, readable in the outbox."""
    data = text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")
    return binascii.b2a_qp(data, quotetabs=False, istext=True).replace(b"\n", b"\r\n")


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message ready for a transport: envelope and bytes."""

    sender: str
    recipient: str
    message_id: str
    data: bytes
    smtputf8: bool = False  # an address has a Unicode local part: RFC 6531 is needed


def build(
    *,
    from_name: str,
    from_address: str,
    to_name: str | None,
    to_address: str,
    subject: str,
    date: datetime,
    message_id: str,
    text: str,
    html: str | None = None,
    reply_to: str | None = None,
    list_unsubscribe: str | None = None,
    one_click: bool = False,
    extra_headers: dict[str, str] | None = None,
) -> Outgoing:
    from_address, to_address = wire_address(from_address), wire_address(to_address)
    lines = [
        f"From: {address_header(from_name, from_address)}",
        f"To: {address_header(to_name, to_address)}",
        f"Subject: {header_text(subject)}",
        f"Date: {format_datetime(date)}",
        f"Message-ID: {message_id}",
    ]
    if reply_to:
        lines.append(f"Reply-To: <{wire_address(clean(reply_to))}>")
    if list_unsubscribe:
        lines.append(f"List-Unsubscribe: {clean(list_unsubscribe)}")
        if one_click:
            # RFC 8058: a POST to the https URL unsubscribes without a confirmation page.
            lines.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
    for name, value in (extra_headers or {}).items():
        lines.append(f"{name}: {header_text(value)}")
    lines.append("MIME-Version: 1.0")
    if html is None:
        lines += [
            'Content-Type: text/plain; charset="utf-8"',
            "Content-Transfer-Encoding: quoted-printable",
        ]
        body = _qp(text)
    else:
        # From the Message-ID: unique per message, and the same bytes on every render.
        boundary = "=_leadloop_" + hashlib.sha256(message_id.encode()).hexdigest()[:24]
        lines.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
        part = (
            'Content-Type: text/{kind}; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        )
        body = b"".join([
            f"--{boundary}\r\n".encode(), part.format(kind="plain").encode(), _qp(text),
            f"\r\n--{boundary}\r\n".encode(), part.format(kind="html").encode(), _qp(html),
            f"\r\n--{boundary}--\r\n".encode(),
        ])
    # Only an internationalised address (SMTPUTF8) can make the head non-ASCII.
    head = CRLF.join(lines)
    smtputf8 = not head.isascii()
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    return Outgoing(from_address, to_address, message_id,
                    head.encode("utf-8") + b"\r\n\r\n" + body, smtputf8)
