"""init, demo, add and the global options, as a newcomer meets them; bad input is one
sentence on stderr and exit 2, with nothing written."""

import json
import os
import re
import sqlite3

import pytest


def test_init_writes_config_templates_and_database_and_never_overwrites(tmp_path, run):
    first = run("init", "shop")
    assert first.exit_code == 0, first.stderr
    assert (tmp_path / "shop" / "leadloop.toml").is_file()
    assert (tmp_path / "shop" / "templates" / "es" / "followup.txt").is_file()
    assert (tmp_path / "shop" / "templates" / "en" / "info.txt").is_file()
    assert (tmp_path / "shop" / "leadloop.db").is_file()
    (tmp_path / "shop" / "leadloop.toml").write_text("# mine\n", encoding="utf-8")
    again = run("init", "shop")
    assert again.exit_code == 0
    assert "created" not in again.stdout
    assert (tmp_path / "shop" / "leadloop.toml").read_text(encoding="utf-8") == "# mine\n"


def test_demo_runs_in_a_fresh_directory_and_its_outbox_holds_what_it_reports(tmp_path, run):
    result = run("demo")
    assert result.exit_code == 0, result.stderr
    outbox = list((tmp_path / "leadloop-demo" / "outbox" / "new").iterdir())
    assert f"Messages in the outbox: {len(outbox)} " in result.stdout
    assert len(outbox) > 10
    # Erasure takes a lead's messages out of the outbox too (SPEC §10).
    rows = [re.split(r"\s{2,}", row.strip()) for row in result.stdout.splitlines()
            if "@" in row and "Who got" not in row]
    kept = sum(int(cells[2]) for cells in rows if cells[1] != "erased")
    assert kept == len(outbox)
    assert "erased" in result.stdout and "customer" in result.stdout
    # The sample leads are counted apart from the stats' count, which holds the buyer who
    # never asked as well.
    assert f"The {len(rows)} sample leads by status: " in result.stdout
    assert "the figures below also count 1 buyer who never asked first." in result.stdout
    assert f"Leads by status now: {len(rows) + 1} " in result.stdout
    again = run("demo")
    assert again.exit_code == 2
    assert "already holds a demo" in again.stderr


def test_add_records_one_inquiry(run):
    result = run("--now", "2026-03-02T10:00", "add", " Ana@Example.COM ", "--name", "Ana Peña",
                 "--product", "Curso de yoga", "--locale", "en")
    assert result.exit_code == 0, result.stderr
    [lead] = json.loads(run("leads", "--json").stdout)
    assert lead["email"] == "ana@example.com"
    assert lead["name"] == "Ana Peña"
    assert lead["requested_at"] == "2026-03-02T10:00:00+01:00"
    same = run("add", "ana@example.com")
    assert same.exit_code == 0 and "nothing changed" in same.stdout


def test_global_options_come_from_the_environment(tmp_path, run):
    env = {"LEADLOOP_DB": str(tmp_path / "elsewhere.db"), "LEADLOOP_NOW": "2026-03-02T10:00"}
    assert run("add", "ana@example.com", env=env).exit_code == 0
    assert (tmp_path / "elsewhere.db").is_file()
    assert not (tmp_path / "leadloop.db").exists()
    [item] = json.loads(run("due", "--json", env=env).stdout)
    assert item["due_at"] == "2026-03-02T10:00:00+01:00"


def test_version(run):
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("leadloop ")


def one_sentence(result, code=2):
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.mark.parametrize("args, expected", [
    (["import", "missing.csv"], "missing.csv"),
    (["--now", "yesterday", "due"], "--now"),
    (["add", "ana@"], "invalid address"),
    (["add", "ana@example.com", "--timezone", "Mars/Base"], "Mars/Base"),
    (["add", "ana@example.com", "--requested-at", "14/02/2011"], "--requested-at"),
    (["leads", "--status", "happy"], "--status"),
    (["mark", "ana@example.com", "happy"], "ana@example.com"),
    (["--config", "nope.toml", "leads"], "nope.toml"),
])
def test_bad_input_is_one_sentence_and_exit_2(run, args, expected):
    assert expected in one_sentence(run(*args))


def test_bad_config_is_exit_2_and_creates_no_database(tmp_path, run):
    (tmp_path / "leadloop.toml").write_text("[cadence]\nmax_contacts = 'x'\n", encoding="utf-8")
    line = one_sentence(run("leads"))
    assert "leadloop.toml" in line and "max_contacts" in line
    assert not (tmp_path / "leadloop.db").exists()


def test_mark_with_an_unknown_status_changes_nothing(tmp_path, run):
    assert run("add", "ana@example.com").exit_code == 0
    one_sentence(run("mark", "ana@example.com", "happy"))
    [lead] = json.loads(run("leads", "--json").stdout)
    assert lead["status"] == "active"


def test_database_is_created_owner_only(tmp_path, run):
    assert run("add", "ana@example.com").exit_code == 0
    assert oct(os.stat(tmp_path / "leadloop.db").st_mode & 0o777) == "0o600"
    mode = sqlite3.connect(tmp_path / "leadloop.db").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
