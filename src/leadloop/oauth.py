"""Logging in with an OAuth2 access token (SPEC §6 "Login"), for SMTP and IMAP alike.

Providers that no longer take passwords (Outlook.com since September 2024, Microsoft 365
for SMTP from the end of 2026, Google accounts without app passwords) take an access
token in one of two SASL mechanisms:

- XOAUTH2, Google's and Microsoft's: base64("user=" USER ^A "auth=Bearer " TOKEN ^A ^A)
  (developers.google.com/gmail/imap/xoauth2-protocol; Microsoft's "Authenticate an IMAP,
  POP or SMTP connection using OAuth").
- OAUTHBEARER, RFC 7628: a GS2 header "n,a=USER," then key=value pairs separated by ^A
  (host, port, auth), ending ^A ^A (§3.1).

A refused token is not refused at once: the server first sends a challenge holding a
JSON error ({"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}),
the client answers it (XOAUTH2: an empty response, as Google documents; OAUTHBEARER: a
single ^A, RFC 7628 §3.2.3), and only then does the failure come. The JSON is the only
place that says why (an expired token, a missing scope), so it goes into the sentence.

The token itself is a password for an hour: it lives in the caller's local variables
for one login, is never stored, and `scrub` takes it out of any server text that is
shown (a server may echo what it could not parse).
"""

from __future__ import annotations

import json
import re

MECHANISM = {"xoauth2": "XOAUTH2", "oauthbearer": "OAUTHBEARER"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

# Answers that mean "this account takes no passwords any more", whatever the password:
# Microsoft's "535 5.7.139 Authentication unsuccessful, basic authentication is disabled"
# and Google's "534-5.7.9 Application-specific password required" (SMTP), and the same
# words in IMAP's "NO [ALERT] Application-specific password required" (Gmail).
_NO_PASSWORDS = re.compile(
    r"basic auth\w*\s+(?:is\s+)?(?:disabled|blocked|not\s+(?:supported|allowed|enabled))"
    r"|application-specific\s+password\s+required", re.I)
# Microsoft's "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled
# for the Tenant": SMTP AUTH itself is off for the mailbox or the tenant, so a token would
# be refused just the same; only an administrator can turn it on.
_SMTP_AUTH_OFF = re.compile(r"SmtpClientAuthentication\s+is\s+disabled", re.I)


def initial_response(auth: str, user: str, token: str, host: str, port: int) -> bytes:
    """The SASL client response that carries the token (before base64)."""
    if auth == "xoauth2":
        return f"user={user}\x01auth=Bearer {token}\x01\x01".encode()
    # RFC 7628 §3.1 with RFC 5801's saslname: "=" and "," in the name are escaped.
    name = user.replace("=", "=3D").replace(",", "=2C")
    return f"n,a={name},\x01host={host}\x01port={port}\x01auth=Bearer {token}\x01\x01".encode()


def error_answer(auth: str) -> bytes:
    """What the client sends back to the server's JSON error challenge (before base64)."""
    return b"" if auth == "xoauth2" else b"\x01"


def error_details(challenge: bytes) -> dict[str, str]:
    """`status` and `scope` of the server's JSON error (decoded from base64 already),
    made safe to show; {} when the challenge is not such a JSON object."""
    try:
        error = json.loads(challenge.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {}
    if not isinstance(error, dict):
        return {}
    details = {}
    for key in ("status", "scope"):
        value = error.get(key)
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            text = " ".join(_CONTROL.sub(" ", str(value)).split())[:200]
            if text:
                details[key] = text
    return details


def refusal(where: str, section: str, user: str, reply: str, details: dict[str, str]) -> str:
    """The sentence for a token the server refused, with what its JSON error said."""
    said = "; OAuth2 error " + ", ".join(f"{k} {v}" for k, v in details.items()) if details else ""
    advice = f"check that [{section}] token_command prints a current access token for {user}"
    if details.get("scope"):
        advice += f", granted the scope {details['scope']}"
    return f"{where}: the server refused the OAuth2 token of {user} ({reply}{said}); {advice}"


def password_refusal(where: str, section: str, user: str, reply: str) -> str | None:
    """The sentence for a refused password whose answer says passwords are not the way in
    for this account any more; None for an ordinary refusal."""
    if _SMTP_AUTH_OFF.search(reply):
        return (f"{where}: the server has SMTP AUTH turned off for {user} ({reply}); an "
                "administrator must turn it on for this mailbox, for passwords and OAuth2 alike")
    if _NO_PASSWORDS.search(reply):
        return (f"{where}: the server no longer takes a password for {user} ({reply}); log in "
                f'with OAuth2 instead: set [{section}] auth = "xoauth2" and token_command '
                "(README: Logging in with OAuth2)")
    return None


def offers_oauth(mechanisms) -> str | None:
    """The OAuth2 mechanism a server offers besides passwords, for a hint after a refusal."""
    for name in ("XOAUTH2", "OAUTHBEARER"):
        if name in mechanisms:
            return name
    return None


def scrub(text: str, *secrets: str) -> str:
    """Server text with the token (and the base64 that carried it) taken out."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[token]")
    return text


class Exchange:
    """Answers one login's challenges: an empty first challenge gets the token (when it
    was not sent with the command), the JSON error challenge gets its acknowledgement and
    is kept, anything after that cancels. Its repr never shows the token."""

    def __init__(self, auth: str, response: bytes, *, sent: bool):
        self._auth = auth
        self._response = response
        self._sent = sent
        self.details: dict[str, str] = {}
        self._errors = 0

    def answer(self, challenge: bytes) -> bytes | None:
        if not self._sent:
            self._sent = True
            return self._response
        self._errors += 1
        if self._errors > 1:
            return None  # imaplib sends "*": the client cancels (RFC 3501 §6.2.2)
        self.details = error_details(challenge)
        return error_answer(self._auth)

    def __repr__(self) -> str:
        return f"Exchange({self._auth}, ...)"
