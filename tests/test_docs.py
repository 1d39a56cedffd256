"""Docs that cannot drift: every command has help and is named in the README."""

from pathlib import Path

import pytest
from leadloop.cli import app

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(
    info.name or info.callback.__name__ for info in app.registered_commands
)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help(name):
    info = next(i for i in app.registered_commands if (i.name or i.callback.__name__) == name)
    assert (info.callback.__doc__ or "").strip(), f"{name} has no help text"


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_in_the_readme(name):
    assert f"leadloop {name}" in README or f"`{name}`" in README, f"README never mentions {name}"


def test_help_runs(run):
    result = run("--help")
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.stdout
