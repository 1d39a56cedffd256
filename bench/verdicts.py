"""Every verdict in full, to prove a change to the inbox's reading changes none.

    PYTHONPATH=/tmp/main/src python bench/verdicts.py FOLDER… > main.txt
    python bench/verdicts.py FOLDER… > branch.txt && diff main.txt branch.txt

Prints one line per message and mode: the file, the arguments, and the whole `Incoming`
classify() returns (kind, sender, subject, text, each failure's recipient, verdict
reason, status and owner, the overall verdict, the original's ids…), or Unreadable's
sentence. A mail file (`.eml`, or a name without a suffix) is read twice, whole and as
headers only (`headers_only`, the path of a message over the size limit). A `.pkl` file holds
one `(raw, kwargs)` call as the test suite made it: `bench/capture_classify.py` records
them. The folders stay outside the repository, like bounces.py's.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

from leadloop.classify import Unreadable, classify


def calls(folder: Path):
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.suffix == ".pkl":
            raw, kwargs = pickle.loads(path.read_bytes())
            yield path.relative_to(folder), raw, [kwargs]
        elif path.suffix in ("", ".eml"):
            yield path.relative_to(folder), path.read_bytes(), [{}, {"headers_only": True}]


def main(folders: list[str]) -> None:
    for folder in map(Path, folders):
        for name, raw, modes in calls(folder):
            for kwargs in modes:
                try:
                    said = repr(classify(raw, **kwargs))
                except Unreadable as err:
                    said = f"Unreadable: {err}"
                # (a set's order changes with the hash seed: sorted, so two runs compare)
                shown = sorted((key, sorted(value) if isinstance(value, frozenset) else value)
                               for key, value in kwargs.items())
                print(f"{folder.name}/{name}\t{shown}\t{said}")


if __name__ == "__main__":
    main(sys.argv[1:])
