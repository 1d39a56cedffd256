"""A pytest plugin that keeps every message the test suite classifies, for bench/verdicts.py.

    PYTHONPATH=bench CAPTURE_DIR=/tmp/classified python -m pytest -p capture_classify -p no:randomly

Each distinct `classify(raw, **kwargs)` call made in the tests' own process (through the
CLI's CliRunner too; not in subprocesses) is written once to CAPTURE_DIR as a pickle of
`(raw, kwargs)`. The tests build much of their mail themselves; this is how a change is
checked against all of it, not only the corpora's files. Keep the folder outside the
repository.
"""

from __future__ import annotations

import hashlib
import os
import pickle

import leadloop.classify

_OUT = os.environ.get("CAPTURE_DIR", "/tmp/classified")
os.makedirs(_OUT, exist_ok=True)
_classify = leadloop.classify.classify


def _recording(raw, **kwargs):
    call = pickle.dumps((bytes(raw), kwargs))
    path = os.path.join(_OUT, hashlib.sha1(call).hexdigest() + ".pkl")
    if not os.path.exists(path):
        with open(path, "wb") as out:
            out.write(call)
    return _classify(raw, **kwargs)


# Patched before the tests (and inbox.py) import the name.
leadloop.classify.classify = _recording
