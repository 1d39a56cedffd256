"""One incoming e-mail → what it means for the sequence (SPEC §7).

Pure: bytes in, an `Incoming` out; no store, no network. The order matters and follows
the SPEC: a delivery status notification first (its quoted original would otherwise
look like a reply from whoever it names), then auto-replies (an out-of-office is not an
answer), then unsubscribe requests, and anything else is a reply.
"""

from __future__ import annotations

import email
import email.policy
import html
import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from email.message import Message

from .errors import InvalidAddress

MAX_TEXT = 4000  # characters of a reply kept for `show`

UNSUBSCRIBE_WORDS = frozenset({"baja", "unsubscribe", "stop", "desuscribir", "desuscribirme"})
UNSUBSCRIBE_PHRASES = ("darme de baja", "dadme de baja", "dame de baja", "me doy de baja",
                       "unsubscribe me", "remove me from")
# Subjects that mail programs put on automatic answers when they set no header.
AUTO_SUBJECTS = ("auto:", "automatic reply", "autoreply", "auto-reply", "out of office",
                 "respuesta automática", "respuesta automatica", "fuera de la oficina",
                 "ausencia", "vacaciones:", "absence", "abwesenheit")
_REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|rv|aw|sv|tr)\s*(\[\d+\])?\s*:\s*)+", re.I)
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_WORD = re.compile(r"[^\W\d_]+")
_QUOTE_START = re.compile(
    r"^(>|-{2,}\s*(original message|mensaje original|forwarded message|mensaje reenviado)"
    r"|(on|el)\s.+(wrote|escribió|escribio)\s*:\s*$"
    r"|(from|de)\s*:\s.+@)",
    re.I,
)
_BOUNCE_SENDERS = ("mailer-daemon@", "postmaster@", "mail-daemon@", "mailer_daemon@")

# flufl.bounce logs a detector's exception with its traceback before re-raising it; the
# exception is handled here, and the traceback must not reach a cron mail.
logging.getLogger("flufl.bounce").addHandler(logging.NullHandler())
logging.getLogger("flufl.bounce").propagate = False


class Unreadable(Exception):
    """The bytes are not an e-mail leadloop can read."""


@dataclass(frozen=True)
class Incoming:
    kind: str                      # "bounce", "auto_reply", "unsubscribe" or "reply"
    sender: str | None             # the From address, normalised; None if unusable
    message_id: str | None
    references: tuple[str, ...]    # In-Reply-To and References, nearest first
    subject: str
    text: str                      # what the person wrote, quotes and signature cut
    permanent: tuple[str, ...] = ()  # bounce: recipients that failed for good
    temporary: tuple[str, ...] = ()  # bounce: recipients delayed
    written_at: datetime | None = None  # its Date header, when readable


def classify(raw: bytes, *, unsubscribe_address: str | None = None) -> Incoming:
    """`unsubscribe_address`: mail sent to it is an unsubscribe request whatever it says
    (only pass one that differs from the address replies go to)."""
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        sender = _sender(msg)
        subject = _header(msg, "subject")
        message_id = _first_id(_header(msg, "message-id"))
        references = _references(msg)
    except Exception as err:  # the email package raises a zoo of errors on broken input
        raise Unreadable(f"cannot parse the message ({type(err).__name__})") from None

    try:
        return _classify(msg, sender, message_id, references, subject, unsubscribe_address)
    except Exception as err:  # a part the email package cannot decode, deep inside
        raise Unreadable(f"cannot read the message ({type(err).__name__})") from None


def _classify(msg, sender, message_id, references, subject, unsubscribe_address) -> Incoming:
    def result(kind: str, text: str = "", **failures) -> Incoming:
        return Incoming(kind, sender, message_id, references, subject, text, **failures,
                        written_at=_date(msg))

    if _looks_like_bounce(msg, sender):
        temporary, permanent = _failures(msg)
        if temporary or permanent:
            return result("bounce", permanent=permanent, temporary=temporary)
    if _is_auto_reply(msg, subject):
        return result("auto_reply")
    text = reply_text(msg)
    if (unsubscribe_address and unsubscribe_address in _recipients(msg)) or _asks_to_unsubscribe(subject, text):
        return result("unsubscribe", text)
    return result("reply", text)


def _date(msg: Message) -> datetime | None:
    from email.utils import parsedate_to_datetime

    try:
        value = parsedate_to_datetime(_header(msg, "date"))
    except (TypeError, ValueError, IndexError):
        return None
    return value if value.tzinfo is not None else None


def _header(msg: Message, name: str) -> str:
    value = msg.get(name)
    return " ".join(str(value).split()) if value is not None else ""


def _sender(msg: Message) -> str | None:
    from email.utils import parseaddr

    from .addresses import normalize_address

    address = parseaddr(_header(msg, "from"))[1]
    if not address:
        return None
    try:
        return normalize_address(address)
    except InvalidAddress:
        return None


def _first_id(value: str) -> str | None:
    match = _MESSAGE_ID.search(value)
    return match.group(0) if match else None


def _references(msg: Message) -> tuple[str, ...]:
    ids = _MESSAGE_ID.findall(_header(msg, "in-reply-to"))
    ids += reversed(_MESSAGE_ID.findall(_header(msg, "references")))
    return tuple(dict.fromkeys(ids))


def _recipients(msg: Message) -> set[str]:
    from email.utils import getaddresses

    values = [_header(msg, name) for name in ("to", "cc", "delivered-to", "x-original-to")]
    return {address.strip().lower() for _, address in getaddresses(values) if address}


def _looks_like_bounce(msg: Message, sender: str | None) -> bool:
    # Only then are the heuristic bounce detectors let loose: on an ordinary reply they
    # could take an address the person quoted for a failed recipient.
    if msg.get_content_type() == "multipart/report":
        return True
    if sender and sender.startswith(_BOUNCE_SENDERS):
        return True
    return _header(msg, "return-path") in ("<>", "") and msg.get("return-path") is not None


def _failures(msg: Message) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(temporary, permanent) failed recipients: RFC 3464 reports first, then the
    formats of a dozen older mail servers, by flufl.bounce."""
    from flufl.bounce import all_failures

    from .addresses import normalize_address

    try:
        temporary, permanent = all_failures(msg)
    except Exception:
        return (), ()

    def addresses(found) -> tuple[str, ...]:
        result = []
        for raw in sorted(found):
            try:
                result.append(normalize_address(raw.decode("ascii", "replace")))
            except InvalidAddress:
                continue
        return tuple(result)

    permanent_addresses = addresses(permanent)
    return tuple(a for a in addresses(temporary) if a not in permanent_addresses), permanent_addresses


def _is_auto_reply(msg: Message, subject: str) -> bool:
    """RFC 3834 and the headers mail programs use instead, then well-known subjects."""
    auto_submitted = _header(msg, "auto-submitted").lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return True
    if msg.get("x-autoreply") is not None or msg.get("x-autorespond") is not None:
        return True
    if _header(msg, "precedence").lower() in ("auto_reply", "bulk", "junk"):
        return True
    if _header(msg, "x-autogenerated").lower() == "reply":
        return True
    if msg.get("return-path") is not None and _header(msg, "return-path") in ("<>", ""):
        return True
    return subject.lower().startswith(AUTO_SUBJECTS)


def _asks_to_unsubscribe(subject: str, text: str) -> bool:
    subject = _REPLY_PREFIX.sub("", subject)
    for candidate in (subject, text):
        words = _WORD.findall(_fold(candidate[:200]))
        if words and words[0] in UNSUBSCRIBE_WORDS:
            return True
    first_line = _fold(text.split("\n", 1)[0])
    return any(phrase in first_line for phrase in UNSUBSCRIBE_PHRASES)


def _fold(text: str) -> str:
    """Lower case without accents: "BAJA", "Bája" and "baja" are one word."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def reply_text(msg: Message) -> str:
    """What the person wrote: the plain text (or the HTML's text), without the quoted
    message, the signature or runs of blank lines."""
    body = _body(msg)
    lines = []
    for line in body.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = line.strip()
        if _QUOTE_START.match(stripped):
            break
        if stripped == "--":
            break
        lines.append(line.rstrip())
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return text[:MAX_TEXT]


def _body(msg: Message) -> str:
    plain = html_part = None
    for part in msg.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        kind = part.get_content_type()
        if kind == "text/plain" and plain is None:
            plain = _decoded(part)
        elif kind == "text/html" and html_part is None:
            html_part = _decoded(part)
    if plain is not None:
        return plain
    if html_part is not None:
        without_quotes = re.split(r"<blockquote", html_part, maxsplit=1, flags=re.I)[0]
        text = re.sub(r"<(br|/p|/div)[^>]*>", "\n", without_quotes, flags=re.I)
        text = re.sub(r"<(style|script)[^>]*>.*?</\1>", "", text, flags=re.I | re.S)
        return html.unescape(re.sub(r"<[^>]+>", "", text))
    return ""


def _decoded(part: Message) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeError, AssertionError, KeyError):
        # An unknown or lying charset: keep what can be read rather than nothing.
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", "replace")
