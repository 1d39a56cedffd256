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

Attachments (SPEC §6, issue #18): the message becomes multipart/mixed around the text
(or the text/HTML alternative), one base64 part per file. A file's part is encoded once
per run (attachments.py keeps it) and every message that carries it holds the same bytes
object, so an `Outgoing` is a tuple of chunks rather than one bytes: 2,000 info packs
with a 2 MB brochure hold one copy of it, not 2,000. The file name is written twice, for
two kinds of reader: RFC 2231 (`filename*=utf-8''Cat%C3%A1logo…`) in Content-Disposition,
the standard that Thunderbird, Apple Mail, Gmail and Python's parser read; and an RFC 2047
encoded word in Content-Type's `name` parameter, which RFC 2047 §5 does not allow inside
a quoted string but which Outlook and Exchange write and read (MS-OXCMAIL asks writers for
`name`; nodemailer and MimeKit's compatibility mode do the same). A plain ASCII
`filename=` beside `filename*` was considered and left out: a parameter given twice is a
defect, and Python's parser, among others, keeps whichever comes first.
"""

from __future__ import annotations

import binascii
import functools
import hashlib
import re
import unicodedata
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


# Cached, like address_header and _date_header: a batch's messages share their Subject,
# From and Date, and encoding them again was a tenth of building a message (BENCH.md B3).
@functools.lru_cache(maxsize=256)
def header_text(value: str) -> str:
    """An unstructured header value (Subject), safe and encoded for the wire."""
    value = clean(value)
    if value.isascii() and "=?" not in value and len(value) <= _PLAIN_MAX:
        return value
    return encoded_words(value)


@functools.lru_cache(maxsize=256)
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


@functools.lru_cache(maxsize=16)
def _date_header(date: datetime, offset) -> str:
    # Keyed by the offset too: equal instants in two zones are equal datetimes, and
    # the header writes the local time and offset.
    return format_datetime(date)


def _qp(text: str) -> bytes:
    """Quoted-printable body: 7-bit safe on any server, readable in the outbox."""
    data = text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")
    return binascii.b2a_qp(data, quotetabs=False, istext=True).replace(b"\n", b"\r\n")


# RFC 2231 attribute-char: what may stand unencoded in an extended parameter value.
_ATTRIBUTE_CHAR = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~")
# What may stand in a quoted-string parameter as it is (no quote, backslash or control).
_PLAIN_FILENAME = re.compile(r"[ !#-\[\]-~]{1,60}")
_SEGMENT = 50  # characters of an encoded parameter value per continuation line (RFC 2231 §3)


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file encoded for a message: the MIME headers of its part and its base64 lines.

    `body` is shared by every message that carries the file (see the module docstring);
    its lines are base64, so none starts with a dot and SMTP needs no dot-stuffing there."""

    path: str          # as the template named it, relative to the templates directory
    name: str          # the file name the recipient sees
    content_type: str
    size: int          # bytes of the file itself
    head: bytes        # the part's header lines and the blank line after them
    body: bytes        # base64, CRLF lines of 76 characters, no CRLF after the last


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message ready for a transport: envelope and bytes.

    `chunks` joined are the message. A message without attachments is one chunk. With
    attachments, each attachment's `body` is a chunk of its own, the very object in
    `attachments`, and every other chunk begins a line or with the CRLF that ends the
    body before it: dot-stuffing chunk by chunk (transport.py) gives the same bytes as
    dot-stuffing the whole, and the bodies need none."""

    sender: str
    recipient: str
    message_id: str
    chunks: tuple[bytes, ...]
    smtputf8: bool = False  # an address has a Unicode local part: RFC 6531 is needed
    attachments: tuple[Attachment, ...] = ()

    @property
    def data(self) -> bytes:
        """The whole message as one bytes (the outbox, `preview`, tests)."""
        return self.chunks[0] if len(self.chunks) == 1 else b"".join(self.chunks)

    @property
    def size(self) -> int:
        return sum(map(len, self.chunks))


def base64_lines(data: bytes) -> bytes:
    """RFC 2045 §6.8 base64: lines of 76 characters, CRLF between them."""
    if not data:
        return b""
    return binascii.b2a_base64(data, newline=False) if len(data) <= 57 else \
        b"\r\n".join(binascii.b2a_base64(data[i:i + 57], newline=False)
                      for i in range(0, len(data), 57))


def encoded_size(size: int) -> int:
    """The bytes `base64_lines` makes of `size` bytes: a file's weight in a message."""
    lines, rest = divmod(size, 57)
    characters = lines * 76 + (4 * ((rest + 2) // 3))
    return characters + 2 * max(0, lines + (1 if rest else 0) - 1)


def attachment_head(name: str, content_type: str) -> bytes:
    """The header lines of an attachment's part: type, file name (see the module
    docstring for why it is written twice) and base64."""
    name = unicodedata.normalize("NFC", clean(name)) or "attachment"
    if _PLAIN_FILENAME.fullmatch(name):
        quoted = f'"{name}"'
        type_line = f"Content-Type: {content_type};{CRLF} name={quoted}"
        disposition = f"Content-Disposition: attachment;{CRLF} filename={quoted}"
    else:
        type_line = f'Content-Type: {content_type};{CRLF} name="{encoded_words(name)}"'
        disposition = "Content-Disposition: attachment;" + _rfc2231("filename", name)
    return (f"{type_line}{CRLF}{disposition}{CRLF}"
            f"Content-Transfer-Encoding: base64{CRLF}{CRLF}").encode("ascii")


def _rfc2231(parameter: str, value: str) -> str:
    """`; parameter*=utf-8''…`, cut into numbered continuations (`parameter*0*=`, …)
    when long, each on a line of its own. A cut falls between characters, never inside
    one: RFC 2231 joins the segments before decoding, but some readers (Python's among
    them) decode each segment on its own."""
    pieces = [character if character.isascii() and ord(character) in _ATTRIBUTE_CHAR else
              "".join(f"%{byte:02X}" for byte in character.encode("utf-8"))
              for character in value]
    encoded = "".join(pieces)
    if len(encoded) <= _SEGMENT + 10:  # " filename*=utf-8''" and 60 make 78 characters
        return f"{CRLF} {parameter}*=utf-8''{encoded}"
    segments = [""]
    for piece in pieces:
        if len(segments[-1]) + len(piece) > _SEGMENT:
            segments.append("")
        segments[-1] += piece
    charset = "utf-8''"  # only the first segment names the charset (RFC 2231 §4.1)
    return ";".join(f"{CRLF} {parameter}*{number}*={charset if number == 0 else ''}{segment}"
                    for number, segment in enumerate(segments))


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
    attachments: tuple[Attachment, ...] = (),
) -> Outgoing:
    from_address, to_address = wire_address(from_address), wire_address(to_address)
    lines = [
        f"From: {address_header(from_name, from_address)}",
        f"To: {address_header(to_name, to_address)}",
        f"Subject: {header_text(subject)}",
        f"Date: {_date_header(date, date.utcoffset())}",
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
    # From the Message-ID: unique per message, and the same bytes on every render.
    digest = hashlib.sha256(message_id.encode()).hexdigest()[:24] if html or attachments else ""
    if html is None:
        content = ['Content-Type: text/plain; charset="utf-8"',
                   "Content-Transfer-Encoding: quoted-printable"]
        body = _qp(text)
    else:
        boundary = "=_leadloop_" + digest
        content = [f'Content-Type: multipart/alternative; boundary="{boundary}"']
        part = (
            'Content-Type: text/{kind}; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        )
        body = b"".join([
            f"--{boundary}\r\n".encode(), part.format(kind="plain").encode(), _qp(text),
            f"\r\n--{boundary}\r\n".encode(), part.format(kind="html").encode(), _qp(html),
            f"\r\n--{boundary}--\r\n".encode(),
        ])
    if not attachments:
        lines += content
        # Only an internationalised address (SMTPUTF8) can make the head non-ASCII.
        head = CRLF.join(lines)
        smtputf8 = not head.isascii()
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        return Outgoing(from_address, to_address, message_id,
                        (head.encode("utf-8") + b"\r\n\r\n" + body,), smtputf8)
    # multipart/mixed: the text (or the alternative) first, then one part per file. "m"
    # is no hexadecimal digit, so neither boundary can begin the other.
    mixed = "=_leadloop_mixed_" + digest
    lines.append(f'Content-Type: multipart/mixed;{CRLF} boundary="{mixed}"')  # folded: 78 a line
    head = CRLF.join(lines)
    delimiter = f"\r\n--{mixed}\r\n".encode()
    chunks = [b"".join([head.encode("utf-8"), b"\r\n\r\n", delimiter[2:],
                        CRLF.join(content).encode(), b"\r\n\r\n", body])]
    for attachment in attachments:
        chunks[-1] += delimiter + attachment.head
        chunks.append(attachment.body)
        chunks.append(b"")
    chunks[-1] += f"\r\n--{mixed}--\r\n".encode()
    return Outgoing(from_address, to_address, message_id, tuple(chunks), not head.isascii(),
                    attachments)


# The headers a mail client shows above a message, in its order.
READABLE_HEADERS = ("From", "Reply-To", "To", "Subject", "Date")


@dataclass(frozen=True)
class Readable:
    """A message as a mail client shows it (`preview`; issue #27 item 8): the headers
    decoded (RFC 2047), the text part decoded (quoted-printable, base64), whether an
    HTML alternative comes with it, and each attachment's name, type and size."""

    headers: list[tuple[str, str]]
    text: str
    has_html: bool
    attachments: list[tuple[str, str, int]]  # (file name, content type, decoded bytes)


def readable(data: bytes) -> Readable:
    from email import policy
    from email.parser import BytesParser

    parsed = BytesParser(policy=policy.default).parsebytes(data)
    headers = [(name, str(parsed[name])) for name in READABLE_HEADERS if parsed[name] is not None]
    body = parsed.get_body(("plain",))
    text = body.get_content().replace("\r\n", "\n") if body is not None else ""
    has_html = any(part.get_content_type() == "text/html" for part in parsed.walk())
    attachments = [(part.get_filename() or "(no name)", part.get_content_type(),
                    len(part.get_payload(decode=True) or b""))
                   for part in parsed.iter_attachments()] if parsed.is_multipart() else []
    return Readable(headers, text, has_html, attachments)
