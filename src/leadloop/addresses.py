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

# A strict subset of email-validator's grammar, in one expression so that the common
# address costs one regex call (an import checks a million): at most 254 characters, a
# dot-atom local part of at most 64 from the common characters, then LDH labels of at
# most 63 characters without "--" (which IDNA inspects), and an alphabetic top-level
# domain other than those email-validator refuses as not globally deliverable.
_SPECIAL_USE_TLDS = ("arpa", "invalid", "local", "localhost", "onion", "test")
_PLAIN = re.compile(
    r"(?=.{1,254}\Z)(?=[^@]{1,64}@)"
    r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,62}\.)+"
    rf"(?!(?i:{'|'.join(_SPECIAL_USE_TLDS)})\Z)[A-Za-z]{{2,63}}",
    re.DOTALL,
)


def _plain(candidate: str) -> str | None:
    """The normalised address when the fast path can vouch for it, else None."""
    if _PLAIN.fullmatch(candidate) is None:
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
    if _PLAIN.fullmatch(candidate) is not None:  # _plain, without a call: see _PLAIN
        return candidate.lower()
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


# A display name's angle brackets, a list's separators, an RFC 5322 comment after the
# address.
_BRACKETED = re.compile(r"<([^<>]*)>")
_LIST_SEPARATORS = re.compile(r"[,;\n]")
_COMMENT = re.compile(r"\s*\([^()]*\)\s*$")


def addresses_within(cell: str) -> list[str]:
    """The valid addresses a cell holds when it is not one address itself: "Ana Pérez
    <ana@example.com>", "mailto:ana@example.com", "ana@example.com (trabajo)",
    "ana@example.com; luis@example.org", a CRM's JSON list ('[{"label": "work", "value":
    "ana@example.com"}]', Krayin's), in their order, each once. Only what the cell's own
    punctuation sets apart counts: in "raul.gomez547 x@hotmail.es" a mistyped address,
    not "x@hotmail.es", is what the cell holds. Asked only of a cell that failed."""
    text = cell.strip()
    if text[:1] in "[{":
        candidates = _json_strings(text)
    elif _BRACKETED.search(text):
        candidates = _BRACKETED.findall(text)
    else:
        candidates = _LIST_SEPARATORS.split(text)
    found = []
    for candidate in candidates:
        candidate = _COMMENT.sub("", candidate.strip().strip("\"'")).strip()
        if candidate[:7].lower() == "mailto:":
            candidate = candidate[7:]
        try:
            address = normalize_address(candidate)
        except InvalidAddress:
            continue
        if address not in found:
            found.append(address)
    return found


def _json_strings(text: str) -> list[str]:
    """The strings in a JSON value, in order; none when the text is no JSON."""
    import json

    try:
        value = json.loads(text)
    except ValueError:
        return []
    strings, stack = [], [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            strings.append(item)
        elif isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
    return strings


def check_deliverability(address: str) -> None:
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(address, check_deliverability=True)
    except EmailNotValidError as err:
        raise InvalidAddress(_describe(address, err)) from None
