"""Where the public sample mail lives (issue #28 item 0).

Other projects' sample messages (sisimai's set-of-emails, PHP-Bounce-Handler,
Mail-DeliveryStatus-BounceParser, Discourse…) are data, never part of the project's
history: they live in the shared folder `../shared/corpora/` from the project's root, or
wherever LEADLOOP_CORPORA points. A clone of the project alone has neither, and the
tests that read them skip with that reason.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def corpora_dir() -> Path:
    override = os.environ.get("LEADLOOP_CORPORA")
    return Path(override) if override else PROJECT_ROOT.parent / "shared" / "corpora"


CORPORA = corpora_dir()
MISSING_REASON = (f"the public sample mail is not at {CORPORA} "
                  "(../shared/corpora from the project's root, or set LEADLOOP_CORPORA)")


def corpus(name: str) -> Path:
    """The folder of one corpus (bounces, autoreplies, replies); it may be absent."""
    return CORPORA / name


def skip_without(name: str):
    """A module-level pytest mark that skips, with the reason, when the corpus is absent."""
    return pytest.mark.skipif(not corpus(name).is_dir(), reason=MISSING_REASON)


def samples(name: str, pattern: str = "*.eml") -> list:
    """The corpus's files as pytest parameters (id: the file's name); one skipped
    parameter, with the reason, where the corpus is absent."""
    found = sorted(corpus(name).glob(pattern))
    if not found:
        return [pytest.param(None, id="absent", marks=pytest.mark.skip(reason=MISSING_REASON))]
    return [pytest.param(path, id=path.name) for path in found]
