"""Files shipped with leadloop: the default templates, example.toml and the demo sample.

In a wheel they sit inside the package (pyproject's force-include). In a source checkout
(an editable install, or the tests run from the tree) they are at the repository top,
where a person browsing it expects them.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_REPOSITORY = _PACKAGE.parent.parent


def builtin_path(name: str) -> Path:
    inside = _PACKAGE / name
    if inside.exists():
        return inside
    return _REPOSITORY / name
