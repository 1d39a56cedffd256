"""What CLI tests ask of leadloop again and again, through the `run` fixture (CliRunner):
import a CSV, read a lead's messages back, check that a failure is one sentence."""

from __future__ import annotations

import json


def import_csv(run, tmp_path, text):
    (tmp_path / "leads.csv").write_text(text, encoding="utf-8")
    result = run("import", "leads.csv")
    assert result.exit_code == 0, result.stderr
    return result


def show(run, address):
    return json.loads(run("show", address, "--json").stdout)


def states(run, address):
    """The states of a lead's messages, oldest first, as `show --json` gives them."""
    return [m["state"] for m in show(run, address)["messages"]]


def one_line(result):
    """The single line an expected failure prints on stderr (SPEC §4), checked as such."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]
