"""Babel without pytz's zone look-up (cldr.py): vobject installs pytz, and Babel with pytz
spends 10-20 ms finding the machine's zone through it on the first date, plural or
language it works out. Rendering a message must not import pytz; a vCard import in the
same process still gets pytz; dates and plurals read as before.

Each check runs in a fresh Python process (a subprocess), as a command does: whether a
module is loaded depends on everything the process did before.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import textwrap

import pytest

NOW = "2026-03-02T10:00"
INFO = ("Subject: Su información, {{ first_name }}\n\n"
        "Nos escribió el {{ requested_at|date }} ({{ requested_at|ago }}).\n"
        "Ya somos {{ 12|plural('alumno', 'alumnos') }}.\n")


@pytest.fixture
def project(tmp_path, run):
    # The guard matters only where pytz is installed, as it is with vobject: say so
    # rather than pass without testing anything.
    assert importlib.util.find_spec("pytz") is not None, "pytz is not installed (vobject needs it)"
    (tmp_path / "templates" / "es").mkdir(parents=True)
    (tmp_path / "templates" / "es" / "info.txt").write_text(INFO, encoding="utf-8")
    (tmp_path / "leadloop.toml").write_text('[templates]\ndir = "templates"\n', encoding="utf-8")
    result = run("--now", NOW, "add", "ana@example.com", "--name", "Ana Gil",
                 "--requested-at", "2025-12-01T10:00")
    assert result.exit_code == 0, result.stderr
    return tmp_path


def in_fresh_process(directory, code: str) -> dict:
    """Run `code` in a new Python; it leaves its findings in `found`, printed as JSON."""
    script = "import json, sys\nfound = {}\n" + textwrap.dedent(code) + "\nprint(json.dumps(found))\n"
    done = subprocess.run([sys.executable, "-c", script], cwd=directory, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


CLI = f"""
from typer.testing import CliRunner
from leadloop.cli import app

def run(*args):
    result = CliRunner().invoke(app, ["--now", "{NOW}", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output
"""


@pytest.mark.parametrize("command", [["preview", "ana@example.com"], ["check"], ["send", "--yes"]])
def test_rendering_a_message_does_not_import_pytz(project, command):
    found = in_fresh_process(project, CLI + f"""
found["output"] = run(*{command!r})
found["babel"] = "babel.dates" in sys.modules
found["pytz"] = "pytz" in sys.modules
""")
    assert found["babel"], "Babel formatted nothing: the check would prove nothing"
    assert found["pytz"] is False
    if command[0] == "preview":
        # The same words as Babel writes with pytz.
        assert "Nos escribió el 1 de diciembre de 2025 (hace 3 meses)." in found["output"]
        assert "Ya somos 12 alumnos." in found["output"]


def test_a_vcard_import_after_rendering_still_has_pytz(project):
    (project / "c.vcf").write_text(
        "BEGIN:VCARD\nVERSION:3.0\nN:Pérez;José Luis;;;\nFN:José Luis Pérez\n"
        "EMAIL:jl@example.com\nREV:2026-02-14T09:30:00Z\nEND:VCARD\n", encoding="utf-8")
    found = in_fresh_process(project, CLI + """
run("preview", "ana@example.com")
found["before"] = "pytz" in sys.modules
found["imported"] = run("import", "c.vcf")
found["after"] = sys.modules.get("pytz") is not None  # vobject imported it
import pytz
found["pytz"] = pytz.timezone("Europe/Madrid").zone
found["shown"] = run("show", "jl@example.com", "--json")
""")
    assert found["before"] is False and found["after"] is True
    assert "1 new" in found["imported"]
    assert found["pytz"] == "Europe/Madrid"
    assert json.loads(found["shown"])["requested_at"] == "2026-02-14T00:00:00+01:00"  # REV, by day


def test_babel_loaded_after_pytz_leaves_pytz_in_place(project):
    """A process that imported pytz first (a vCard import, then a message): Babel still
    takes its path without pytz, and pytz stays the module vobject holds."""
    found = in_fresh_process(project, """
import pytz
from leadloop.cldr import load_babel
load_babel()
import babel.dates
found["same"] = sys.modules["pytz"] is pytz
found["babel_pytz"] = babel.dates.pytz is None
found["date"] = babel.dates.format_date(__import__("datetime").date(2026, 2, 14), "long", locale="es")
""")
    assert found == {"same": True, "babel_pytz": True, "date": "14 de febrero de 2026"}


def test_showing_a_buyers_amount_does_not_import_pytz(project, run):
    # orders.py formats amounts with Babel's numbers, which load babel.dates too.
    (project / "orders.csv").write_text(
        "Email,Created at,Name,Total,Currency,Financial Status,Lineitem name\n"
        "ana@example.com,2026-02-10 10:00:00 +0100,#1001,49.00,EUR,paid,Curso de yoga\n",
        encoding="utf-8")
    result = run("--now", NOW, "import", "--orders", "orders.csv")
    assert result.exit_code == 0, result.stderr
    found = in_fresh_process(project, CLI + """
found["output"] = run("show", "ana@example.com")
found["babel"] = "babel.numbers" in sys.modules
found["pytz"] = "pytz" in sys.modules
""")
    assert "49,00" in found["output"], found["output"]
    assert found["babel"] and found["pytz"] is False
