"""Start-up guards (BENCH.md B2): `due --json`, what scripts and cron call, loads only what
it needs. Its figure is measured in bench/run.py; this keeps the modules taken off its
path (the terminal side, the backlog's planning, the address validator for built-in
defaults) from coming back unnoticed, as the web framework is kept off the CLI's path
(tests/test_serve.py)."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from cli_checks import import_csv

# Modules `due --json` once loaded and no longer needs (issue #28 item 14).
KEPT_OFF = ("leadloop.output", "leadloop.backlog", "leadloop.addresses", "rich", "tomllib")

# Printed with repr, not json: the harness must not load a module the run is checked for.
LOADED = """
import atexit, runpy, sys
atexit.register(lambda: print(repr(sorted(sys.modules)), file=sys.stderr))
sys.argv = ["leadloop"] + sys.argv[1:]
runpy.run_module("leadloop", run_name="__main__")
"""


def modules_loaded(tmp_path, *args):
    result = subprocess.run([sys.executable, "-c", LOADED, *args], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout, set(ast.literal_eval(result.stderr.strip().splitlines()[-1]))


def kept_off(loaded):
    return sorted(m for m in loaded if m in KEPT_OFF or m.split(".")[0] in KEPT_OFF)


# What the bench's project folder holds (bench/run.py project_folder): a config file that
# keeps every default, which needs no TOML parser (config._holds_settings).
COMMENTS_ONLY = "# leadloop's benchmarks: a project folder with the defaults\n"


@pytest.mark.parametrize("config", [None, COMMENTS_ONLY], ids=["no config", "comments only"])
def test_due_json_loads_neither_the_terminal_side_nor_the_backlog(tmp_path, run, config):
    import_csv(run, tmp_path, "email,fecha\nana@example.com,01/03/2026\nbea@example.com,01/03/2026\n")
    (tmp_path / "leadloop.toml").unlink(missing_ok=True)  # built-in config, as in the bench
    if config is not None:
        (tmp_path / "leadloop.toml").write_text(config, encoding="utf-8")
    out, loaded = modules_loaded(tmp_path, "--db", "leadloop.db", "--now", "2026-03-02T10:00",
                                 "due", "--json", "--limit", "100")
    assert [item["email"] for item in json.loads(out)] == ["ana@example.com", "bea@example.com"]
    assert kept_off(loaded) == []
    assert "leadloop.store" in loaded  # it did its work


def test_due_json_with_a_full_config_still_keeps_the_terminal_side_off(tmp_path, run):
    """A folder `init` made (example.toml, every key spelled out) needs the parser and
    the address validator's fast path for its [sender] address, and nothing else of
    KEPT_OFF (nor email-validator itself)."""
    import_csv(run, tmp_path, "email,fecha\nana@example.com,01/03/2026\n")
    example = Path(__file__).parent.parent / "example.toml"
    (tmp_path / "leadloop.toml").write_text(example.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "templates").mkdir(exist_ok=True)
    out, loaded = modules_loaded(tmp_path, "--now", "2026-03-02T10:00", "due", "--json")
    assert [item["email"] for item in json.loads(out)] == ["ana@example.com"]
    needed = {"tomllib", "leadloop.addresses"}
    assert [m for m in kept_off(loaded) if m.split(".")[0] not in needed and m not in needed] == []
    assert needed <= loaded and "email_validator" not in loaded


# What `--version` (BENCH.md B4, and the yardstick of B2) does without: the core, the
# database, time zones, the config parser, JSON and the terminal side.
VERSION_KEEPS_OFF = ("leadloop.config", "leadloop.store", "leadloop.cadence", "leadloop.clock",
                     "sqlite3", "zoneinfo", "tomllib", "dateutil", "json", "rich", "leadloop.output")


def test_version_loads_nothing_of_the_core(tmp_path):
    (tmp_path / "leadloop.toml").write_text('[sender]\nname = "Tienda"\n', encoding="utf-8")
    out, loaded = modules_loaded(tmp_path, "--version")
    assert out.startswith("leadloop ")
    assert sorted(m for m in loaded if m in VERSION_KEEPS_OFF
                  or m.split(".")[0] in VERSION_KEEPS_OFF) == []


def test_the_records_every_command_builds_at_start_are_not_dataclasses():
    """A frozen dataclass compiles six generated methods when its module is imported
    (~1 ms a class): the config's sections, the cadence's rules and records and the
    store's are NamedTuples instead (BENCH.md B2)."""
    import dataclasses

    from leadloop import cadence, config, store

    for module in (config, cadence, store):
        made_here = [value for value in vars(module).values()
                     if isinstance(value, type) and value.__module__ == module.__name__]
        assert made_here, module
        assert [cls.__name__ for cls in made_here if dataclasses.is_dataclass(cls)] == [], module


def test_due_on_a_terminal_path_still_loads_what_it_shows_with(tmp_path, run):
    """The guard is not vacuous: the same run without --json loads the terminal side."""
    import_csv(run, tmp_path, "email,fecha\nana@example.com,01/03/2026\n")
    _, loaded = modules_loaded(tmp_path, "--db", "leadloop.db", "--now", "2026-03-02T10:00", "due")
    assert {"leadloop.output", "leadloop.backlog"} <= loaded


# Counts the patterns the module's own lines compile (re.compile or re.search: the caller
# of re's function, two frames up), not those of the standard library it imports.
COMPILES_ON_IMPORT = """
import os, re, sys
compiled = []
original = re._compile
def counting(pattern, flags):
    if os.path.basename(sys._getframe(2).f_code.co_filename) == "{module}.py":
        compiled.append(pattern)
    return original(pattern, flags)
re._compile = counting
import leadloop.{module}
print(len(compiled))
"""


@pytest.mark.parametrize("module", ["config", "delivery_status", "bounces", "classify"])
def test_modules_on_every_start_compile_their_patterns_when_first_used(module):
    """delivery_status's word lists took 25-60 ms to compile at import, paid by `show`,
    `stats` and `run-daily` though most runs read no bounce; config's ~1 ms by every
    command; bounces' and classify's ~18 ms by every `inbox` run, an empty inbox's too
    (lazy_regex.LazyPattern, bench/run.py B4C)."""
    result = subprocess.run([sys.executable, "-c", COMPILES_ON_IMPORT.format(module=module)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0"


def test_a_lazy_pattern_is_the_compiled_pattern():
    import re

    from leadloop.lazy_regex import LazyPattern

    lazy = LazyPattern(r"(a+)(b)?", re.I)
    assert lazy.fullmatch("AAb").groups() == ("AA", "b")
    assert lazy.sub("x", "caab") == "cx" and lazy.pattern == "(a+)(b)?"
    assert lazy.flags == re.compile(r"(a+)(b)?", re.I).flags
    assert lazy.search is lazy.search  # kept after the first look-up
