"""`--now`, `--db` and `--config` before or after the command's name (issue #27 item
16): `leadloop send --now 2026-03-02T10:00` did "No such option: --now"."""

from __future__ import annotations

import json

import pytest
from cli_process import leadloop

from leadloop.cli.app import globals_first

LEADS = "email,nombre,fecha\nana@example.com,Ana,01/03/2026\n"


@pytest.fixture
def project(tmp_path, run):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "mine.toml").write_text(
        '[sender]\nname = "Laura"\naddress = "laura@example.com"\n\n'
        '[cadence]\ntimezone = "America/Mexico_City"\n', encoding="utf-8")
    (tmp_path / "leads.csv").write_text(LEADS, encoding="utf-8")
    imported = run("import", "leads.csv", "--db", "elsewhere/my.db",
                   "--config", "elsewhere/mine.toml")
    assert imported.exit_code == 0, imported.stderr
    assert (tmp_path / "elsewhere" / "my.db").exists() and not (tmp_path / "leadloop.db").exists()


def test_the_same_answer_before_and_after_the_command(project, run):
    before = run("--db", "elsewhere/my.db", "--config", "elsewhere/mine.toml",
                 "--now", "2026-03-01T12:00", "due", "--json")
    after = run("due", "--json", "--now", "2026-03-01T12:00", "--db", "elsewhere/my.db",
                "--config=elsewhere/mine.toml")
    assert before.exit_code == after.exit_code == 0, after.stderr
    assert before.stdout == after.stdout
    due = json.loads(after.stdout)
    # The config after the command was read: times are in its timezone (UTC-6).
    assert due[0]["email"] == "ana@example.com" and due[0]["due_at"].endswith("-06:00")


def test_after_the_command_wins_over_before(project, run):
    sent = run("--now", "2030-01-01", "send", "--yes", "--now=2026-03-02T10:00",
               "--db", "elsewhere/my.db", "--config", "elsewhere/mine.toml")
    assert sent.exit_code == 0, sent.stderr
    shown = json.loads(run("show", "ana@example.com", "--json", "--db", "elsewhere/my.db",
                           "--config", "elsewhere/mine.toml").stdout)
    assert shown["messages"][0]["sent_at"].startswith("2026-03-02")


def test_a_group_command_takes_them_too(project, run):
    result = run("survey", "results", "opinion", "--db", "elsewhere/my.db",
                 "--config", "elsewhere/mine.toml", "--now", "2026-03-02")
    assert result.exit_code == 0, result.stderr


def test_a_missing_value_is_bad_usage_not_a_traceback(project, run):
    result = run("send", "--now")
    assert result.exit_code == 2
    assert "'--now'" in result.stderr and "needs a value" in result.stderr
    assert "Traceback" not in result.stderr


def test_in_a_real_process(tmp_path, project):
    result = leadloop("leads", "--json", "--db", "elsewhere/my.db", "--config",
                      "elsewhere/mine.toml", "--now", "2026-03-02", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [lead["email"] for lead in json.loads(result.stdout)] == ["ana@example.com"]


@pytest.mark.parametrize("args, expected", [
    (["send", "--now", "X"], ["--now", "X", "send"]),
    (["--db", "a.db", "mark", "x", "lost", "--note", "n", "--db", "b.db"],
     ["--db", "a.db", "--db", "b.db", "mark", "x", "lost", "--note", "n"]),
    (["add", "x", "--", "--now", "X"], ["add", "x", "--", "--now", "X"]),
    (["--version"], ["--version"]),
])
def test_moving_keeps_everything_else_in_place(args, expected):
    assert globals_first(args) == expected
