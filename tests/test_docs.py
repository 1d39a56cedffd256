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


# The list options of issue #20, and every option of the list commands, are documented.
LISTS = ["leads", "due", "questions"]


@pytest.mark.parametrize("name", LISTS)
def test_every_option_of_the_list_commands_is_in_the_readme(name):
    import typer

    command = typer.main.get_command(app).commands[name]
    options = [opt for param in command.params for opt in param.opts if opt.startswith("--")]
    assert options
    for option in options:
        if option != "--help":
            assert option in README, f"README never mentions {name} {option}"


def test_the_import_options_for_old_requests_are_in_the_readme():
    assert "--info-sent-before DATE" in README and "30 days" in README


def test_what_a_user_gets_cites_only_documents_they_have():
    """Issue #27 item 15: the leadloop.toml `init` writes cited "SPEC §7" and the README
    "BENCH.md's targets", documents a user of the package never gets. Every document
    cited by name is one the repository ships, and a section is cited by its title."""
    import re

    root = Path(__file__).parent.parent
    for path in [root / "README.md", root / "example.toml", *sorted((root / "templates").rglob("*.*"))]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\bSPEC\b|§", text), f"{path.name} cites the SPEC"
        for cited in re.findall(r"[\w./-]+\.md\b", text):
            found = [candidate for candidate in (root / cited, root / "bench" / cited)
                     if candidate.is_file()]
            assert found, f"{path.name} cites {cited}, which the repository does not ship"
    config_words = " ".join(word for word in (root / "example.toml").read_text(encoding="utf-8").split()
                            if word != "#")
    for title in ("Replies, bounces and unsubscribes", "On the web", "Purchases as they happen"):
        assert f"### {title}" in README
        assert f'README: "{title}' in config_words
