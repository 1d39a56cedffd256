"""An incoming message's header fields parsed once, not at every look-up.

`email.policy.default` parses a field again each time it is read (`msg.get`,
`get_content_type`, `get_param`…), and for each read builds a new class for the field's
kind (`HeaderRegistry.__getitem__` calls `type()`). Reading one bounce asks for a part's
Content-Type a dozen times (the parser itself, the complaint, bounce and layout checks),
its From, Date and Message-ID twice or more: header parsing was a third of the inbox's
classification time. `policy()` is `email.policy.default` with a header factory that
keeps each parsed field for the message it belongs to (a field's value object is never
changed once made), and each field kind's class for the process.
"""

from __future__ import annotations

import email.policy
from email.headerregistry import HeaderRegistry

_KIND_CLASSES: dict[str, type] = {}
# No field has this name: the registry's default kind, unstructured text.
_PLAIN = "x-leadloop-plain-text"


class _MemoHeaders(HeaderRegistry):
    def __init__(self):
        super().__init__()
        self._made: dict[tuple[str, str], object] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        kind = _KIND_CLASSES.get(key)
        if kind is None:
            kind = _KIND_CLASSES[key] = super().__getitem__(name)
        return kind

    def __call__(self, name: str, value: str):
        if type(value) is not str:  # a value being set, not a field read from the message
            return super().__call__(name, value)
        if value[-1:] in (" ", "\t") and name.lower() == "content-transfer-encoding":
            # White space after a field's value is allowed (RFC 5322 §3.2.2), and some
            # relays pad lines with it; get_payload(decode=True) compares this field's
            # text whole, so "base64  " left a part's text undecoded.
            value = value.rstrip(" \t")
        made = self._made.get((name, value))
        if made is None:
            try:
                made = self[name](name, value)
            except Exception:  # noqa: BLE001 (the email package's parsers raise a zoo)
                # Some fields a person reads it cannot parse: a group with a space after its
                # ';' ("To: undisclosed-recipients:; ", an AttributeError), a display name
                # whose encoded word holds a line break (a ValueError). Read as plain text,
                # such a field no longer makes the whole message unreadable.
                made = self[_PLAIN](name, value)
            self._made[name, value] = made
        return made


def policy() -> email.policy.EmailPolicy:
    """A policy for one message (its fields are kept with it, freed with it)."""
    return email.policy.default.clone(header_factory=_MemoHeaders())
