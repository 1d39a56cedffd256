"""Start-up guards (BENCH.md B2): `due --json`, what scripts and cron call, loads only what
it needs. Its figure is measured in bench/run.py; this keeps the modules taken off its
path (the terminal side, the backlog's planning, the address validator for built-in
defaults) from coming back unnoticed, as the web framework is kept off the CLI's path
(tests/test_serve.py)."""

import json
import subprocess
import sys

from cli_checks import import_csv

# Modules `due --json` once loaded and no longer needs (issue #28 item 14).
KEPT_OFF = ("leadloop.output", "leadloop.backlog", "leadloop.addresses", "rich", "tomllib")

LOADED = """
import atexit, json, runpy, sys
atexit.register(lambda: print(json.dumps(sorted(sys.modules)), file=sys.stderr))
sys.argv = ["leadloop"] + sys.argv[1:]
runpy.run_module("leadloop", run_name="__main__")
"""


def modules_loaded(tmp_path, *args):
    result = subprocess.run([sys.executable, "-c", LOADED, *args], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout, set(json.loads(result.stderr.strip().splitlines()[-1]))


def kept_off(loaded):
    return sorted(m for m in loaded if m in KEPT_OFF or m.split(".")[0] in KEPT_OFF)


def test_due_json_loads_neither_the_terminal_side_nor_the_backlog(tmp_path, run):
    import_csv(run, tmp_path, "email,fecha\nana@example.com,01/03/2026\nbea@example.com,01/03/2026\n")
    (tmp_path / "leadloop.toml").unlink(missing_ok=True)  # built-in config, as in the bench
    out, loaded = modules_loaded(tmp_path, "--db", "leadloop.db", "--now", "2026-03-02T10:00",
                                 "due", "--json", "--limit", "100")
    assert [item["email"] for item in json.loads(out)] == ["ana@example.com", "bea@example.com"]
    assert kept_off(loaded) == []
    assert "leadloop.store" in loaded  # it did its work


def test_due_on_a_terminal_path_still_loads_what_it_shows_with(tmp_path, run):
    """The guard is not vacuous: the same run without --json loads the terminal side."""
    import_csv(run, tmp_path, "email,fecha\nana@example.com,01/03/2026\n")
    _, loaded = modules_loaded(tmp_path, "--db", "leadloop.db", "--now", "2026-03-02T10:00", "due")
    assert {"leadloop.output", "leadloop.backlog"} <= loaded
