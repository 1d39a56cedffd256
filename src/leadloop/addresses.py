"""Address validation and normalisation with email-validator's rules (no DNS)."""

from __future__ import annotations

from .errors import InvalidAddress


def _describe(raw: str, err: Exception) -> str:
    shown = raw if len(raw) <= 80 else raw[:77] + "..."
    reason = str(err).rstrip(".")
    reason = reason[:1].lower() + reason[1:]
    return f"invalid address {shown!r}: {reason}".replace("'", '"', 2)


def normalize_address(raw: str) -> str:
    from email_validator import EmailNotValidError, validate_email

    candidate = raw.strip()
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
