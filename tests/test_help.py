"""`leadloop --help` at 80 columns (issue #27 item 13): every command's line says what
it does in full, never cut with "..." — Click cuts a docstring's first sentence that
does not fit, so each command's first sentence is written to fit."""

from __future__ import annotations

import pytest
from cli_process import leadloop


def _command_lines(text: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index("Commands:") + 1
    return [line for line in lines[start:] if line.strip()]


@pytest.mark.parametrize("group", [[], ["survey"]])
def test_every_command_line_is_whole_at_80_columns(group):
    # A real process: Click measures the terminal as a user's shell has it.
    result = leadloop(*group, "--help", env={"COLUMNS": "80"})
    assert result.returncode == 0, result.stderr
    lines = _command_lines(result.stdout)
    assert len(lines) >= (3 if group else 20)
    for line in lines:
        assert not line.rstrip().endswith(("...", "…")), line
        assert len(line) <= 80, line
        # One line a command: a wrapped description starts with spaces, not a name.
        assert line.startswith("  ") and not line.startswith("   "), result.stdout
