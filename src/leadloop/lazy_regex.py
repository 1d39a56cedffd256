"""Regular expressions compiled when first used, not when their module is imported.

Compiling is the costly part of a regular expression: delivery_status.py's word lists
(long alternations in a dozen languages) took 25–60 ms to compile, paid by every command
that imported the module (`show`, `stats`, `run-daily`), though most runs never read a
bounce; config.py's checks ~1 ms, paid by every command (BENCH.md B2, B4C). A
`LazyPattern` stands where the compiled pattern stood and compiles on the first use.
"""

from __future__ import annotations

import re


class LazyPattern:
    """`re.compile(source, flags)`, made on the first look-up of one of its attributes
    (`search`, `fullmatch`, `sub`, `pattern`…). Each attribute looked up is then kept on
    this object, so later uses cost what the compiled pattern's own do."""

    def __init__(self, source: str | bytes, flags: int = 0):
        self._source, self._flags = source, flags

    def __getattr__(self, name: str):
        # Only called for what is not on the object yet: the first use of each attribute.
        value = getattr(re.compile(self._source, self._flags), name)
        setattr(self, name, value)
        return value
