"""Babel (CLDR's dates, plural rules and language names), loaded as Babel runs without pytz.

vobject, which reads vCards, requires pytz, so pytz is installed beside Babel. Babel
imports pytz when it can, and `babel.dates` finds the machine's own time zone when it
is imported (`babel.localtime.LOCALTZ`), which any use of Babel's locale data does (the
data's pickles name its classes). With pytz that look-up is `pytz.timezone(name)`, whose
first call checks every zone pytz knows (https://github.com/stub42/pytz/issues/88):
10-20 ms of every command that renders a message or counts in words, for a zone
leadloop never asks for (its dates carry their own zone: clock.zone, `[cadence]
timezone`, a lead's `timezone`).

`load_babel()` imports `babel.dates` once with pytz hidden, so Babel takes the path it
documents for an installation without pytz (`zoneinfo`), as fast as if pytz were not
installed; pytz is back in place at once for vobject. Every `from babel …` in leadloop
comes after it.
"""

from __future__ import annotations

import sys
import threading

_LOADING = threading.Lock()  # serve renders in threads: one of them swaps sys.modules


def load_babel() -> None:
    """Import babel.dates (and what it imports) without pytz, once per process."""
    if "babel.dates" in sys.modules:
        return
    with _LOADING:
        if "babel.dates" in sys.modules:
            return
        pytz = sys.modules.get("pytz")  # imported already by a vCard import: kept as it is
        # None in sys.modules makes `import pytz` raise ModuleNotFoundError, which Babel
        # reads as "pytz is not installed" (babel/dates.py, babel/localtime/_helpers.py).
        sys.modules["pytz"] = None
        try:
            import babel.dates  # noqa: F401
        finally:
            if pytz is not None:
                sys.modules["pytz"] = pytz
            elif sys.modules.get("pytz", False) is None:
                del sys.modules["pytz"]
