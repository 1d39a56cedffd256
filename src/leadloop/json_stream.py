"""JSON on stdout, for the CLI's --json paths: one document (`emit_json`) or an array
streamed item by item (`json_array`, `stream_json`).

Apart from output.py (which re-exports these) so that a --json command does not load the
terminal side (Rich's wrappers, tables, the text escaping of every cell) to write its
document: `due --json` runs within 1.3× of `leadloop --version` (BENCH.md B2).

JSON goes to stdout through plain `write`, never through Rich, so nothing (markup,
wrapping, colour) can alter the document a script reads; only the few characters a
terminal would obey are written as \\u escapes, which parse back to the same text.
"""

from __future__ import annotations

import functools
import json
import re
import sys

# Zero-width (non-)joiners are format characters too, but they only join emoji and the
# letters of Persian or Indic names; they move nothing and hide nothing.
_JOINERS = frozenset("\u200c\u200d")


@functools.lru_cache(maxsize=1024)
def visible(char: str) -> str:
    """One character as a terminal may show it: itself, or a visible escape."""
    import unicodedata  # asked only of text that is not printable: --json paths rarely load it

    category = unicodedata.category(char)
    # Cc: C0, DEL and C1 controls, which start terminal escape sequences. Cf: invisible
    # format characters, the bidi embeddings, overrides and isolates among them. Zl, Zp:
    # line and paragraph separators. Cs: a lone surrogate no terminal can print.
    if category in ("Cc", "Zl", "Zp", "Cs") or (category == "Cf" and char not in _JOINERS):
        return char.encode("unicode_escape").decode("ascii")  # "\\x1b", "\\u202e", "\\n"
    return char


# What json.dumps(ensure_ascii=False) writes raw though a terminal could obey it: DEL,
# the C1 controls (U+009B is CSI), and every non-ASCII character, checked one by one
# only when the document has one that is not printable (see _json_safe).
_JSON_SUSPECT = re.compile(r"[^\x00-\x7e]")


def _json_safe(match: re.Match) -> str:
    char = match.group()
    if char.isprintable() or visible(char) == char:
        return char
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # JSON spells a character beyond the BMP as a UTF-16 surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def emit_json(document) -> None:
    """One JSON document on stdout; the parsed document is exactly `document`.

    json.dumps escapes C0 controls; the other characters `shown()` would escape (C1,
    bidi overrides, line separators) are written as \\u escapes here, which any JSON
    reader turns back into the same characters, so `leads --json` on a terminal is as
    safe as `leads`."""
    text = json.dumps(document, ensure_ascii=False, indent=2)
    if not text.replace("\n", "").isprintable():  # fast path: one pass in C
        text = _JSON_SUSPECT.sub(_json_safe, text)
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


# One encoder for every item: json.dumps with an option builds a new one per call
# (~0.7 µs of 3; a million leads on `leads --json`).
_encode_item = json.JSONEncoder(ensure_ascii=False).encode


class json_array:
    """A JSON array written to stdout as its items come: `[`, one item a line, `]`.

    Memory stays that of one item however many there are (`leads --json` on a million
    leads). Each item goes through the same escaping as `emit_json`, and the whole parses
    as one JSON document. Used as a context manager; `add(item)` per item."""

    def __init__(self, out=None):
        self.out = out or sys.stdout
        self.count = 0

    def __enter__(self):
        self.out.write("[")
        return self

    def add(self, item) -> None:
        text = _encode_item(item)
        if not text.isprintable():
            text = _JSON_SUSPECT.sub(_json_safe, text)
        self.out.write(("\n" if self.count == 0 else ",\n") + text)
        self.count += 1

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.out.write("\n]\n" if self.count else "]\n")
            self.out.flush()
        return False


def stream_json(items, out=None) -> int:
    """Every item of an iterable as one JSON array on `out` (stdout); how many."""
    with json_array(out) as array:
        for item in items:
            array.add(item)
    return array.count
