"""A command run in the wrong folder says so (issue #27 item 7, SPEC §4): only `init`
and `demo` create a database; anything else that finds neither a config nor a database
refuses with exit 2 and says where it looked and how to point it. A `[templates] dir`
that does not exist is an error naming the key and the path."""

import pytest

pytestmark = pytest.mark.bare_folder


@pytest.mark.parametrize("command", [["due"], ["leads"], ["stats"], ["send", "--yes"], ["run-daily"],
                                     ["add", "ana@tienda.es"], ["check"], ["export"]])
def test_a_folder_without_config_or_database_is_refused(run, tmp_path, command):
    result = run(*command)
    assert result.exit_code == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr and result.stdout == ""
    assert f"no leadloop.toml in {tmp_path}" in lines[0]
    assert "--config" in lines[0] and "--db" in lines[0] and "cd" in lines[0]
    assert not (tmp_path / "leadloop.db").exists()


def test_a_db_option_naming_a_missing_database_is_refused_too(run, tmp_path):
    result = run("--db", tmp_path / "elsewhere.db", "due")
    assert result.exit_code == 2 and "no database at" in result.stderr
    assert not (tmp_path / "elsewhere.db").exists()


def test_init_creates_it_and_then_commands_work(run, tmp_path):
    assert run("init", ".").exit_code == 0
    result = run("due")
    assert result.exit_code == 0 and "Nothing is due now." in result.stderr


def test_an_existing_database_without_a_config_is_used(run, tmp_path):
    assert run("init", ".").exit_code == 0
    (tmp_path / "leadloop.toml").unlink()
    assert run("due").exit_code == 0
    other = tmp_path / "other"
    other.mkdir()
    assert run("--db", tmp_path / "leadloop.db", "leads").exit_code == 0


def test_a_templates_dir_that_does_not_exist_is_an_error(run, tmp_path):
    assert run("init", ".").exit_code == 0
    (tmp_path / "leadloop.toml").write_text('[templates]\ndir = "plantillas"\n', encoding="utf-8")
    result = run("due")
    assert result.exit_code == 2
    assert result.stderr.startswith('error: leadloop.toml: [templates] dir "plantillas" is not a folder')
    assert "plantillas does not exist" in " ".join(result.stderr.split())


def test_the_default_templates_dir_missing_only_warns(run, tmp_path):
    """Every release's example.toml says dir = "templates": a config copied from it
    without `init` worked before, and still does (the shipped texts serve)."""
    assert run("init", ".").exit_code == 0
    import shutil

    shutil.rmtree(tmp_path / "templates")
    result = run("due")
    assert result.exit_code == 0
    assert 'warning: leadloop.toml: [templates] dir "templates" does not exist' in result.stderr
