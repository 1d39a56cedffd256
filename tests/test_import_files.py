"""Files that are not what an import expects, and what an import must never do to files:
one sentence and exit 2 with nothing imported, or the one bad row rejected with its line
and the rest imported (SPEC §4, §5; issues 14 and 16)."""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

EXPORTS = Path(__file__).parent / "fixtures" / "exports"


@pytest.fixture(autouse=True, params=["read-in-process", "read-in-a-child"])
def reader(request, monkeypatch):
    """Each test twice: read in the importing process, and in a forked child (forked.py)."""
    from leadloop import importer

    if request.param == "read-in-a-child":
        monkeypatch.setattr(importer, "PARALLEL_FROM_BYTES", 0)
    return request.param


def leads(run):
    return {lead["email"]: lead for lead in json.loads(run("leads", "--json").stdout)}


def summary(result):
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def one_sentence(result, code=2):
    assert result.exit_code == code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


def cli(*args, cwd, stdin=None, shell=None):
    """leadloop in its own process, as cron or a shell runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADLOOP_")}
    command = shell or [sys.executable, "-m", "leadloop", *args]
    return subprocess.run(command, cwd=cwd, input=stdin, capture_output=True, text=True,
                          env=env, timeout=60, shell=isinstance(command, str),
                          executable="/bin/bash" if isinstance(command, str) else None)


# -- a quote that never closes, a cell too big -------------------------------------------


def test_an_unclosed_quote_does_not_swallow_the_rest_of_the_file(tmp_path, run):
    rows = "".join(f"lead{n}@example.com,Lead {n}\n" for n in range(497))
    (tmp_path / "q.csv").write_text(
        'email,name\nana@example.com,"Ana\nbea@example.com,"Bea ""B"" Ruiz"\n'
        'cris@example.com,"Cris\nde la Fuente"\n' + rows, encoding="utf-8")
    result = run("import", "q.csv")
    assert summary(result) == "499 new, 0 updated, 0 unchanged, 0 suppressed, 1 rejected"
    assert result.stderr.strip() == "q.csv:2: a quote opened on this line is never closed"
    stored = leads(run)
    assert "ana@example.com" not in stored
    assert stored["bea@example.com"]["name"] == 'Bea "B" Ruiz'
    assert stored["cris@example.com"]["name"] == "Cris de la Fuente"  # a quoted line break
    assert stored["lead496@example.com"]["name"] == "Lead 496"


def test_an_unclosed_quote_at_a_later_quote_is_caught_too(tmp_path, run):
    (tmp_path / "q.csv").write_text(
        'email,name,city\nana@example.com,"Ana,Madrid\nbea@example.com,Bea,"Cádiz"\n',
        encoding="utf-8")
    result = run("import", "q.csv")
    assert summary(result) == "1 new, 0 updated, 0 unchanged, 0 suppressed, 1 rejected"
    assert "q.csv:2: a quote opened on this line is never closed" in result.stderr
    assert leads(run)["bea@example.com"]["fields"] == {"city": "Cádiz"}


@pytest.mark.parametrize("quoted", [False, True], ids=["plain", "quoted"])
def test_a_cell_over_64_kb_is_a_rejected_row(tmp_path, run, quoted):
    big = "x" * (64 * 1024 + 1)
    cell = f'"{big}"' if quoted else big
    (tmp_path / "b.csv").write_text(
        f"email,notes\nana@example.com,{cell}\nbea@example.com,ok\n", encoding="utf-8")
    result = run("import", "b.csv", "--rejects", "rejects.csv")
    assert summary(result) == "1 new, 0 updated, 0 unchanged, 0 suppressed, 1 rejected"
    assert result.stderr.strip().splitlines()[0] == "b.csv:2: a cell is over 64 kB"
    assert list(leads(run)) == ["bea@example.com"]


# -- files that cannot be read: one sentence, exit 2, nothing imported ---------------------


def test_a_10_mb_first_line(tmp_path, run):
    (tmp_path / "long.csv").write_text("email," + "x" * 10_000_000 + "\nana@example.com,1\n")
    message = one_sentence(run("import", "long.csv"))
    assert message == ("error: long.csv:1: the first line is over 64 kB: not a row of column "
                       "names (is it a CSV file?)")
    assert leads(run) == {}


@pytest.mark.parametrize("args, expected", [
    (["--encoding", "rot13"], '--encoding "rot13" is not a text encoding'),
    (["--encoding", "hex"], '--encoding "hex" is not a text encoding'),
    (["--encoding", "klingon"], '--encoding "klingon" is not an encoding Python knows'),
    (["--delimiter", "ab"], '--delimiter "ab": one character, such as , ; or tab'),
    (["--delimiter", '"'], "one character"),
    (["--sheet", "Hoja1"], "--sheet Hoja1: a.csv is a text file, not a workbook"),
    (["--map", "correo=e-mail"], '"e-mail" is not a lead field'),
    (["--map", "Teléfono=name"], 'a.csv has no column "Teléfono"'),
])
def test_bad_options_are_one_sentence(tmp_path, run, args, expected):
    (tmp_path / "a.csv").write_text("email,name\nana@example.com,Ana\n", encoding="utf-8")
    assert expected in one_sentence(run("import", "a.csv", *args))
    assert leads(run) == {}


def _numbers(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Index/Document.iwa", b"\x00\x01")
        archive.writestr("Metadata/Properties.plist", b"<plist/>")


def _zip(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(EXPORTS / "sheet.csv", "sheet.csv")


@pytest.mark.parametrize("name, make, what", [
    ("leads.numbers", _numbers, "an Apple Numbers document"),
    ("leads.pdf", lambda p: p.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), "a PDF"),
    ("respuestas.zip", _zip, "a zip archive"),
    ("leads.xlsx", lambda p: p.write_bytes(b"PK\x03\x04" + b"\x00" * 40), "a damaged zip archive"),
])
def test_formats_leadloop_cannot_read_name_those_it_can(tmp_path, run, name, make, what):
    make(tmp_path / name)
    message = one_sentence(run("import", name))
    assert message == (f"error: {name}: {what} is not a file leadloop can read; save or export "
                       "the leads as CSV or tab-separated text (UTF-8, UTF-16, Windows-1252), "
                       ".xlsx, .xlsm, .xls, .ods or vCard (.vcf)")


def test_a_damaged_workbook_is_one_sentence(tmp_path, run):
    (tmp_path / "broken.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert "broken.xls: cannot read the Excel 97–2003 workbook" in one_sentence(
        run("import", "broken.xls"))


@pytest.mark.parametrize("how", ["dev-stdin", "process-substitution", "pipe-dash"])
def test_stdin_and_pipes_import_like_files(tmp_path, how):
    (tmp_path / "a.csv").write_text("email,nombre\nana@example.com,Ana Peña\n", encoding="utf-8")
    leadloop = f"{sys.executable} -m leadloop"
    shell = {"dev-stdin": f"{leadloop} import /dev/stdin < a.csv",
             "process-substitution": f"{leadloop} import <(cat a.csv)",
             "pipe-dash": f"cat a.csv | {leadloop} import -"}[how]
    result = cli(cwd=tmp_path, shell=shell)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("1 new")
    listed = cli("leads", "--json", cwd=tmp_path)
    assert [lead["name"] for lead in json.loads(listed.stdout)] == ["Ana Peña"]


def test_a_pipe_holding_a_workbook(tmp_path):
    result = cli(cwd=tmp_path, shell=f"cat {EXPORTS / 'sheet.xlsx'} | {sys.executable} -m leadloop import -")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("2 new")


# -- workbooks ---------------------------------------------------------------------------


def _soffice_free_xlsx(path, rows, sheets=None):
    """A minimal .xlsx (inline strings), so that a test can shape its sheets."""
    sheets = sheets or {"Hoja1": rows}

    def cell(ref, value):
        if value is None:
            return ""
        return (f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>')

    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                      'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                      for i in range(1, len(sheets) + 1)) + "</Types>"))
        archive.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
            'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'))
        archive.writestr("xl/workbook.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.'
            'org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships"><sheets>'
            + "".join(f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>'
                      for i, name in enumerate(sheets, 1)) + "</sheets></workbook>"))
        archive.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/'
                      'officeDocument/2006/relationships/worksheet" '
                      f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(sheets) + 1))
            + "</Relationships>"))
        for i, sheet_rows in enumerate(sheets.values(), 1):
            body = "".join(
                f'<row r="{r}">' + "".join(cell(f"{chr(65 + c)}{r}", v) for c, v in enumerate(row))
                + "</row>" for r, row in enumerate(sheet_rows, 1) if row)
            archive.writestr(f"xl/worksheets/sheet{i}.xml", (
                '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
                f'openxmlformats.org/spreadsheetml/2006/main"><sheetData>{body}</sheetData>'
                "</worksheet>"))


def test_a_workbook_rejects_rows_by_their_sheet_row_and_picks_the_sheet_with_addresses(tmp_path, run):
    _soffice_free_xlsx(tmp_path / "w.xlsx", None, sheets={
        "Resumen": [["Total", "2"]],
        "Solicitudes": [None, None, ["Nombre", "Correo", "Fecha"],
                        ["Ana", "ana@example.com", "14/02/2026 10:30"],
                        ["Bea", "bea@", "15/02/2026"],
                        ["Cris", "cris@example.com", "31/02/2026"]],
    })
    result = run("import", "w.xlsx", "--rejects", "r.csv")
    assert summary(result) == "1 new, 0 updated, 0 unchanged, 0 suppressed, 2 rejected"
    messages = result.stderr.strip().splitlines()
    assert messages[0].startswith("w.xlsx:5: invalid address")
    assert messages[1] == 'w.xlsx:6: unreadable date "31/02/2026"'
    assert leads(run)["ana@example.com"]["requested_at"] == "2026-02-14T10:30:00+01:00"
    assert (tmp_path / "r.csv").read_text(encoding="utf-8").splitlines()[0] == "Nombre,Correo,Fecha,line,reason"


def test_a_workbook_row_whose_value_is_named_like_an_address_column_is_no_header(tmp_path, run):
    """exports4 item 3, in a workbook as in a text file: a row below the first is the
    header only when the rows under it hold addresses in that column."""
    _soffice_free_xlsx(tmp_path / "w.xlsx", None, sheets={
        "Leads": [["Oportunidad", "Canal", "Comercial"], ["Ana Gil", "Email", "Laura"],
                  ["Bea Pons", "Teléfono", "Laura"], ["Cris Ruiz", "Web", "Laura"]]})
    result = run("import", "w.xlsx")
    assert result.exit_code == 2
    assert "no e-mail column found (columns: Oportunidad, Canal, Comercial)" in result.stderr
    _soffice_free_xlsx(tmp_path / "t.xlsx", None, sheets={
        "Leads": [["Informe de interesados"], ["Nombre", "Email"], ["Ana", "ana@example.com"]]})
    result = run("import", "t.xlsx")
    assert result.exit_code == 0, result.stderr
    assert list(leads(run)) == ["ana@example.com"]


def test_sheet_option_and_a_workbook_without_addresses(tmp_path, run):
    _soffice_free_xlsx(tmp_path / "w.xlsx", None, sheets={
        "Uno": [["Nombre", "Ciudad"], ["Ana", "Cádiz"]],
        "Dos": [["Nombre", "Ciudad"], ["Bea", "Vigo"]],
    })
    assert one_sentence(run("import", "w.xlsx")) == (
        "error: w.xlsx: no sheet has an e-mail column (sheets: Uno, Dos); "
        "use --sheet NAME and --map COLUMN=email")
    assert 'no sheet named "Tres" (sheets: Uno, Dos)' in one_sentence(
        run("import", "w.xlsx", "--sheet", "Tres"))
    _soffice_free_xlsx(tmp_path / "v.xlsx", None, sheets={
        "Uno": [["correo"], ["uno@example.com"]], "Dos": [["correo"], ["dos@example.com"]]})
    assert summary(run("import", "v.xlsx", "--sheet", "Dos")).startswith("1 new")
    assert list(leads(run)) == ["dos@example.com"]


# -- what an import writes ----------------------------------------------------------------


def test_rejects_never_replace_the_file_being_imported_nor_the_database(tmp_path, run):
    data = "email,name\nana@example.com,Ana\nbad@,Bad\n"
    (tmp_path / "l.csv").write_text(data, encoding="utf-8")
    message = one_sentence(run("import", "l.csv", "--rejects", "l.csv"))
    assert message == ("error: l.csv: that is the file being imported; "
                       "write the rejected rows to another file")
    assert (tmp_path / "l.csv").read_text(encoding="utf-8") == data
    assert "that is the database" in one_sentence(
        run("import", "l.csv", "--rejects", "leadloop.db"))
    assert leads(run) == {}
    (tmp_path / "old.csv").write_text("mine\n", encoding="utf-8")
    assert one_sentence(run("import", "l.csv", "--rejects", "old.csv")) == (
        "error: old.csv already exists; use --force to replace it, "
        "or write the rejected rows to another file")
    assert (tmp_path / "old.csv").read_text(encoding="utf-8") == "mine\n"
    assert summary(run("import", "l.csv", "--rejects", "old.csv", "--force")).startswith("1 new")
    written = (tmp_path / "old.csv").read_text(encoding="utf-8").splitlines()
    assert written[0] == "email,name,line,reason" and written[1].startswith("bad@,Bad,3,")


def test_export_never_replaces_the_database(tmp_path, run):
    (tmp_path / "l.csv").write_text("email\nana@example.com\n", encoding="utf-8")
    assert run("import", "l.csv").exit_code == 0
    before = (tmp_path / "leadloop.db").read_bytes()
    assert "leadloop.db: that is the database" in one_sentence(
        run("export", "-o", "leadloop.db", "--force"))
    assert (tmp_path / "leadloop.db").read_bytes() == before
    assert list(leads(run)) == ["ana@example.com"]
    assert "already exists; use --force" in one_sentence(run("export", "-o", "l.csv"))
    assert run("export", "-o", "l.csv", "--force").exit_code == 0
    assert "ana@example.com" in (tmp_path / "l.csv").read_text(encoding="utf-8")
    assert run("export", "-o", "new.csv").exit_code == 0


def test_an_undated_row_never_brings_back_an_erased_lead(tmp_path, run):
    (tmp_path / "l.csv").write_text("email,name\nzoe@example.com,Zoe\n", encoding="utf-8")
    assert run("--now", "2026-03-01T10:00", "import", "l.csv").exit_code == 0
    assert run("--now", "2026-03-02T10:00", "forget", "zoe@example.com").exit_code == 0
    for now in ("2026-03-03T10:00", "2027-01-01T10:00"):
        assert summary(run("--now", now, "import", "l.csv")) == (
            "0 new, 0 updated, 0 unchanged, 1 suppressed, 0 rejected")
        assert leads(run) == {}
        assert "zoe" not in run("--now", now, "due", "--all", "--json").stdout
    (tmp_path / "d.csv").write_text("email,fecha\nzoe@example.com,01/02/2026\n", encoding="utf-8")
    assert "1 suppressed" in summary(run("--now", "2027-01-01T10:00", "import", "d.csv"))
    (tmp_path / "d.csv").write_text("email,fecha\nzoe@example.com,05/03/2026\n", encoding="utf-8")
    assert summary(run("--now", "2027-01-01T10:00", "import", "d.csv")).startswith("1 new")


# -- columns ------------------------------------------------------------------------------


def test_map_reaches_every_field_family_name_included(tmp_path, run):
    (tmp_path / "m.csv").write_text(
        "Correo del cliente,Pila,Familia,Alta,Notas,\nana@example.com,Ana,Peña Ruiz,14/02/2026,'=1+1,x\n",
        encoding="utf-8")
    result = run("import", "m.csv", "--map", "Correo del cliente=email", "--map", "pila=first_name",
                 "--map", "familia=last_name", "--map", "alta=requested_at")
    assert summary(result).startswith("1 new")
    ana = leads(run)["ana@example.com"]
    assert (ana["name"], ana["requested_at"]) == ("Ana Peña Ruiz", "2026-02-14T00:00:00+01:00")
    assert ana["fields"] == {"notas": "=1+1"}  # the unnamed last column is nobody's field


def test_an_address_column_found_by_its_cells(tmp_path, run):
    (tmp_path / "t.csv").write_text(
        "¿Cómo te llamas?,¿A qué correo te escribimos?\nAna,ana@example.com\nBea,bea@example.com\n",
        encoding="utf-8")
    assert summary(run("import", "t.csv")).startswith("2 new")


def test_utf16_big_endian_with_commas(tmp_path, run):
    text = "email,nombre,apellidos\nana@example.com,Ana,Peña\n"
    (tmp_path / "u.csv").write_bytes(b"\xfe\xff" + text.encode("utf-16-be"))
    assert summary(run("import", "u.csv")).startswith("1 new")
    assert leads(run)["ana@example.com"]["name"] == "Ana Peña"
