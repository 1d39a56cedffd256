"""Address validation and normalisation with email-validator's rules (no DNS).

email-validator costs ~50 µs an address, which alone would make importing a
million-row file take a minute. Most real addresses are plain ASCII
(``ana.perez+ads@gmail.com``); for those a regular expression decides the
same thing in ~1 µs. The fast path only ever *accepts*: anything it does not
recognise — every invalid address included — goes to email-validator, so
rejections and their reasons are always email-validator's own.
tests/test_addresses.py checks, property-based, that whatever the fast path
accepts email-validator accepts and normalises to the same address.
"""

from __future__ import annotations

import re

from .errors import InvalidAddress

# A strict subset of email-validator's grammar: a dot-atom local part from the
# common characters, then LDH labels of at most 63 characters without "--" (which
# IDNA inspects) and an alphabetic top-level domain.
_PLAIN = re.compile(
    r"(?P<local>[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*)"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,62}\.)+(?P<tld>[A-Za-z]{2,63})"
)
# Top-level domains email-validator refuses as not globally deliverable.
_SPECIAL_USE_TLDS = frozenset({"arpa", "invalid", "local", "localhost", "onion", "test"})
_MAX_LOCAL = 64
_MAX_ADDRESS = 254


def _plain(candidate: str) -> str | None:
    """The normalised address when the fast path can vouch for it, else None."""
    match = _PLAIN.fullmatch(candidate)
    if (match is None or len(candidate) > _MAX_ADDRESS or len(match["local"]) > _MAX_LOCAL
            or match["tld"].lower() in _SPECIAL_USE_TLDS):
        return None
    # email-validator lower-cases the ASCII domain; leadloop also folds the local part.
    return candidate.lower()


def _describe(raw: str, err: Exception) -> str:
    shown = raw if len(raw) <= 80 else raw[:77] + "..."
    reason = str(err).rstrip(".")
    reason = reason[:1].lower() + reason[1:]
    return f"invalid address {shown!r}: {reason}".replace("'", '"', 2)


def normalize_address(raw: str) -> str:
    candidate = raw.strip()
    plain = _plain(candidate)
    if plain is not None:
        return plain
    return validated_address(candidate)


def validated_address(candidate: str) -> str:
    """email-validator's verdict alone: the reference the fast path must match."""
    from email_validator import EmailNotValidError, validate_email

    try:
        result = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError as err:
        raise InvalidAddress(_describe(candidate, err)) from None
    local, _, domain = result.normalized.rpartition("@")
    return f"{local.lower()}@{domain}"


def check_deliverability(address: str) -> None:
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(address, check_deliverability=True)
    except EmailNotValidError as err:
        raise InvalidAddress(_describe(address, err)) from None
