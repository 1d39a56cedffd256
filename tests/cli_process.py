"""leadloop run as a user runs it: a separate process, in the test's directory, with the
test's environment. A hung server cannot hang the test: every run has a deadline far
above the timeouts the tests configure (a few seconds), so only a broken timeout hits it."""

from __future__ import annotations

import os
import subprocess
import sys

DEADLINE = 120  # seconds; a run reaching it failed to honour its own timeout


def leadloop(*args, env: dict | None = None, cwd=None) -> subprocess.CompletedProcess:
    environment = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "leadloop", *map(str, args)], cwd=cwd,
                          env=environment, capture_output=True, text=True, timeout=DEADLINE)


def one_sentence(result: subprocess.CompletedProcess) -> str:
    """The single line an expected failure prints on stderr (SPEC §4), checked as such."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]
