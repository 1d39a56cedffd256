"""vCard files (issue #25 item 10): read by content, through vobject; FN/N for the name
(N's given name is first_name), the preferred EMAIL, REV as a date; malformed cards are
rejected rows with their line and reason, never a traceback."""

import json
import shutil
from pathlib import Path

EXPORTS = Path(__file__).parent / "fixtures" / "exports"
NOW = "2026-06-01T12:00"


def leads(run):
    return {lead["email"]: lead for lead in json.loads(run("leads", "--json").stdout)}


def test_a_vcard_renamed_to_txt_is_still_read_as_one(tmp_path, run):
    shutil.copy(EXPORTS / "iphone-3.0.vcf", tmp_path / "contactos.txt")
    result = run("--now", NOW, "import", "contactos.txt")
    assert result.exit_code == 0, result.stderr
    assert sorted(leads(run)) == ["jose.munoz@example.com", "maria.ibanez@example.org"]


def test_n_given_name_is_the_first_name_whole(tmp_path, run):
    (tmp_path / "c.vcf").write_text(
        "BEGIN:VCARD\nVERSION:3.0\nN:Pérez;José Luis;;;\nFN:Pepe Pérez\n"
        "EMAIL:jl@example.com\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nN:Gil;Rosa;;;\nEMAIL:rosa@example.com\nEND:VCARD\n",
        encoding="utf-8")
    assert run("--now", NOW, "import", "c.vcf").exit_code == 0
    stored = leads(run)
    assert stored["jl@example.com"]["name"] == "Pepe Pérez"
    # No FN: the given and family names, joined.
    assert stored["rosa@example.com"]["name"] == "Rosa Gil"
    import sqlite3
    rows = dict(sqlite3.connect(tmp_path / "leadloop.db").execute(
        "SELECT email, first_name FROM leads"))
    assert rows == {"jl@example.com": "José Luis", "rosa@example.com": "Rosa"}


def test_malformed_cards_are_rejected_rows_and_the_rest_imports(tmp_path, run):
    (tmp_path / "c.vcf").write_text(
        "BEGIN:VCARD\n"                     # 1
        "VERSION:3.0\n"                     # 2
        "FN:Ana\n"                          # 3
        "EMAIL:ana@example.com\n"           # 4
        "END:VCARD\n"                       # 5
        "BEGIN:VCARD\n"                     # 6: a line that is no property
        "VERSION:3.0\n"
        "FN Rota\n"
        "END:VCARD\n"
        "BEGIN:VCARD\n"                     # 10: no address
        "VERSION:3.0\n"
        "FN:Sin Correo\n"
        "END:VCARD\n"
        "BEGIN:VCARD\n"                     # 14: a bad address
        "VERSION:3.0\n"
        "EMAIL:bea@@example.com\n"
        "END:VCARD\n"
        "BEGIN:VCARD\n"                     # 18: never ends
        "VERSION:3.0\n"
        "EMAIL:cris@example.com\n"
        "BEGIN:VCARD\n"                     # 21
        "VERSION:3.0\n"
        "EMAIL:dora@example.com\n"
        "END:VCARD\n"
        "BEGIN:VCARD\n"                     # 25: the file ends inside it
        "EMAIL:eva@example.com\n",
        encoding="utf-8")
    result = run("--now", NOW, "import", "c.vcf", "--rejects", "r.csv")
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "2 new, 0 updated, 0 unchanged, 0 suppressed, 5 rejected")
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("c.vcf:6: unreadable vCard (Failed to parse line: FN Rota")
    assert lines[1] == "c.vcf:10: the vCard has no EMAIL"
    assert lines[2].startswith("c.vcf:14: invalid address")
    assert lines[3] == "c.vcf:18: a vCard that never ends (no END:VCARD before the next BEGIN:VCARD)"
    assert lines[4] == "c.vcf:25: a vCard that never ends (no END:VCARD)"
    assert sorted(leads(run)) == ["ana@example.com", "dora@example.com"]
    header = (tmp_path / "r.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "EMAIL,FN,N given,N family,REV,ORG,TEL,other EMAIL,line,reason"


def test_a_vcf_that_holds_no_card_is_one_sentence(tmp_path, run):
    (tmp_path / "empty.vcf").write_text("nothing here\n", encoding="utf-8")
    result = run("--now", NOW, "import", "empty.vcf")
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: empty.vcf: no vCard in it (BEGIN:VCARD … END:VCARD)"
    (tmp_path / "c.vcf").write_text("BEGIN:VCARD\nEMAIL:a@example.com\nEND:VCARD\n", encoding="utf-8")
    result = run("--now", NOW, "import", "c.vcf", "--sheet", "x")
    assert result.exit_code == 2 and "is a vCard file" in result.stderr


def test_only_a_vcard_loads_vobject(tmp_path):
    """vobject is imported for a vCard's cards only: not by the CLI, nor for a CSV
    (BENCH B2, B4)."""
    import subprocess
    import sys

    (tmp_path / "f.csv").write_text("email\nana@example.com\n", encoding="utf-8")
    code = ("import sys; import leadloop.cli; from leadloop.sources import open_source\n"
            f"with open_source({str(tmp_path / 'f.csv')!r}) as source:\n"
            "    list(source.batches())\n"
            "print('vobject' in sys.modules)")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert loaded.stdout.strip() == "False"


def test_cards_without_rev_are_dated_at_the_import_and_the_summary_says_so(tmp_path, run):
    (tmp_path / "c.vcf").write_text("BEGIN:VCARD\nVERSION:3.0\nFN:Ana\nEMAIL:ana@example.com\n"
                                    "END:VCARD\n", encoding="utf-8")
    result = run("--now", NOW, "import", "c.vcf")
    assert result.exit_code == 0, result.stderr
    assert "no request-date column: the leads are dated at the import time" in result.stdout
    assert leads(run)["ana@example.com"]["requested_at"] == "2026-06-01T12:00:00+02:00"
