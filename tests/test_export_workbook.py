"""`export -o leads.xlsx` (issue #27 item 14): a workbook a Spanish Excel opens as it is.
Read back with python-calamine (the reader `import` uses) and, where Debian's
LibreOffice is installed, converted by LibreOffice itself."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from datetime import datetime

import pytest
from cli_checks import one_line
from python_calamine import CalamineWorkbook

LEADS = """email,nombre,producto,fecha,ciudad
maria@example.com,María Núñez,Curso de fotografía,14/02/2026 18:30,Cádiz
pepe@example.com,"=HYPERLINK(""http://x"")",Taller,01/03/2026 09:05,
"""


@pytest.fixture
def leads(tmp_path, run):
    (tmp_path / "leads.csv").write_text(LEADS, encoding="utf-8")
    assert run("import", "leads.csv").exit_code == 0
    assert run("--now", "2026-03-02T10:00", "send", "--yes").exit_code == 0


def rows(path) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def test_an_xlsx_name_writes_a_workbook_with_dates_and_accents(tmp_path, run, leads):
    result = run("export", "-o", "leads.xlsx")
    assert result.exit_code == 0, result.stderr
    assert "2 leads written to leads.xlsx" in result.stderr
    assert zipfile.is_zipfile(tmp_path / "leads.xlsx")
    header, maria, pepe = rows(tmp_path / "leads.xlsx")
    assert header[:4] == ["email", "name", "first_name", "product"] and header[-1] == "ciudad"
    by_name = dict(zip(header, maria))
    assert by_name["name"] == "María Núñez" and by_name["product"] == "Curso de fotografía"
    assert by_name["ciudad"] == "Cádiz"
    # Real date cells, in [cadence] timezone (Europe/Madrid): what the file said.
    assert by_name["requested_at"] == datetime(2026, 2, 14, 18, 30)
    assert by_name["last_contact_at"] == datetime(2026, 3, 2, 10, 0)
    assert by_name["contacts"] == 1
    # A name that looks like a formula is a text cell, never a formula.
    assert dict(zip(header, pepe))["name"] == '=HYPERLINK("http://x")'
    with zipfile.ZipFile(tmp_path / "leads.xlsx") as workbook:
        sheet = workbook.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet


def test_the_workbook_imports_back_as_it_was(tmp_path, run, leads):
    assert run("export", "-o", "leads.xlsx").exit_code == 0
    again = run("--db", "other.db", "import", "leads.xlsx")
    assert again.exit_code == 0, again.stderr
    assert again.stdout.startswith("2 new")


def test_csv_stays_for_programs(tmp_path, run, leads):
    assert run("export", "-o", "export.csv").exit_code == 0
    assert (tmp_path / "export.csv").read_text(encoding="utf-8").startswith("email,name,")
    piped = run("export")
    assert piped.stdout.startswith("email,name,")


@pytest.mark.parametrize("args, expected", [
    (["--format", "xlsx"], "name the file with -o FILE.xlsx"),
    (["--format", "ods", "-o", "x.ods"], "csv, json or xlsx"),
])
def test_bad_requests_are_one_sentence_and_write_nothing(tmp_path, run, leads, args, expected):
    result = run("export", *args)
    assert result.exit_code == 2
    assert expected in one_line(result) and result.stdout == ""
    assert not list(tmp_path.glob("x.*"))


def test_an_existing_workbook_is_kept_without_force(tmp_path, run, leads):
    (tmp_path / "leads.xlsx").write_bytes(b"mine")
    refused = run("export", "-o", "leads.xlsx")
    assert refused.exit_code == 2 and "--force" in one_line(refused)
    assert (tmp_path / "leads.xlsx").read_bytes() == b"mine"
    assert run("export", "-o", "leads.xlsx", "--force").exit_code == 0
    assert len(rows(tmp_path / "leads.xlsx")) == 3


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice is not installed (Debian: apt-get install libreoffice-calc)")
def test_libreoffice_opens_the_workbook(tmp_path, run, leads):
    assert run("export", "-o", "leads.xlsx").exit_code == 0
    converted = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path / "lo"),
         str(tmp_path / "leads.xlsx")],
        capture_output=True, text=True, timeout=180)
    assert converted.returncode == 0, converted.stderr
    text = (tmp_path / "lo" / "leads.csv").read_text(encoding="utf-8")
    assert "María Núñez" in text and "Cádiz" in text
    # LibreOffice shows the date cell with the format the workbook gives it.
    assert "2026-02-14 18:30" in text
