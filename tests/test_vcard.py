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


def test_org_with_commas_and_units_is_one_text_never_a_traceback(tmp_path, run):
    """Outlook 2003 writes "ORG:Company, The;Unit" in 2.1, where a comma is no separator:
    vobject's value is then a list of lists, which once raised TypeError (issue #25)."""
    shutil.copy(EXPORTS / "outlook-2003-2.1.vcf", tmp_path / "o.vcf")
    result = run("--now", NOW, "import", "o.vcf")
    assert result.exit_code == 0, result.stderr
    stored = leads(run)
    assert stored["jose.munoz@example.com"]["fields"] == {
        "org": "Reformas Muñoz, S.L. Obras", "tel": "+34 600 000 001"}
    assert stored["maria.ibanez@example.org"]["fields"] == {"org": "Ibáñez, Gil y Asociados"}


def test_text_values_keep_their_commas_and_read_their_escapes(tmp_path, run):
    """FN "Muñoz, José" is one name (vobject's own values stop at the comma,
    py-vobject/vobject#55); RFC 6350 §3.4's escapes are read; N's commas separate names."""
    (tmp_path / "c.vcf").write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Muñoz, José\r\nN:Muñoz,Peña;José,Luis;;;\r\n"
        "ORG:Gil\\, Pons y Cía.;Ventas\\; Madrid\r\nEMAIL:jose@example.com\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ana \\\\ Bea\\nGil\r\nEMAIL:ana@example.com\r\nEND:VCARD\r\n",
        encoding="utf-8")
    assert run("--now", NOW, "import", "c.vcf").exit_code == 0
    stored = leads(run)
    assert stored["jose@example.com"]["name"] == "Muñoz, José"
    assert stored["jose@example.com"]["fields"] == {"org": "Gil, Pons y Cía. Ventas; Madrid"}
    assert stored["ana@example.com"]["name"] == "Ana \\ Bea Gil"
    import sqlite3
    first = sqlite3.connect(tmp_path / "leadloop.db").execute(
        "SELECT first_name FROM leads WHERE email = 'jose@example.com'").fetchone()[0]
    assert first == "José Luis"


def test_the_preferred_email_wins_over_the_first(tmp_path, run):
    shutil.copy(EXPORTS / "lotus-notes-3.0.vcf", tmp_path / "l.vcf")
    result = run("--now", NOW, "import", "l.vcf")
    assert result.exit_code == 0, result.stderr
    jose = leads(run)["jose.munoz@example.com"]
    assert jose["fields"]["other_emails"] == "jose.casa@example.com"


def test_properties_leadloop_does_not_read_never_lose_a_card(tmp_path, run):
    """A photo whose base64 is broken or not indented (older 2.1 writers), Lotus Notes'
    PROFILE, an unknown X- property with a broken value: dropped unread, and the card
    imports (issue #25)."""
    (tmp_path / "c.vcf").write_text(
        "BEGIN:VCARD\nVERSION:2.1\nFN:Ana\nPHOTO;ENCODING=BASE64;TYPE=JPEG:/9j/4AAQ\n"
        "SkZJRgABAQAAAQABAAD\n2wBDAAIBAQEBAQIBAQE=\n\nEMAIL:ana@example.com\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nPROFILE:VCard\nNAME:Bea's card\nFN:Bea\n"
        "LOGO;ENCODING=b:!!not base64!!\nX-FOO;ENCODING=QUOTED-PRINTABLE:=ZZ=\n"
        "SOUND;ENCODING=b:QUJD\n KEY-LIKE CONTINUATION\nEMAIL:bea@example.com\nEND:VCARD\n",
        encoding="utf-8")
    result = run("--now", NOW, "import", "c.vcf")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "2 new, 0 updated, 0 unchanged, 0 suppressed, 0 rejected")
    assert {email: lead["name"] for email, lead in leads(run).items()} == {
        "ana@example.com": "Ana", "bea@example.com": "Bea"}


def test_an_agents_embedded_vcard_is_part_of_the_card_not_its_address(tmp_path, run):
    """The vCard 2.1 spec's Agent property: AGENT holds another person's card inside this one."""
    (tmp_path / "c.vcf").write_text(
        "BEGIN:VCARD\nVERSION:2.1\nN:Gil;Ana\nAGENT:\nBEGIN:VCARD\nVERSION:2.1\n"
        "N:Pons;Bea\nEMAIL:bea.secretaria@example.com\nEND:VCARD\n"
        "EMAIL;INTERNET:ana@example.com\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:2.1\nN:Ruiz;Cris\nEMAIL:cris@example.com\nEND:VCARD\n",
        encoding="utf-8")
    result = run("--now", NOW, "import", "c.vcf")
    assert result.exit_code == 0, result.stderr
    stored = leads(run)
    assert sorted(stored) == ["ana@example.com", "cris@example.com"]
    assert stored["ana@example.com"]["name"] == "Ana Gil"


def test_a_rev_that_is_no_date_dates_the_card_at_the_import(tmp_path, run):
    (tmp_path / "c.vcf").write_text(
        "BEGIN:VCARD\nVERSION:3.0\nEMAIL:ana@example.com\nREV:2026-02-31T10:00:00Z\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nEMAIL:bea@example.com\nREV:20260309T090000Z\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nEMAIL:cris@example.com\nREV:00010101\nEND:VCARD\n",
        encoding="utf-8")
    result = run("--now", NOW, "import", "c.vcf")
    assert result.exit_code == 0, result.stderr
    dates = {email: lead["requested_at"] for email, lead in leads(run).items()}
    assert dates == {"ana@example.com": "2026-06-01T12:00:00+02:00",
                     "bea@example.com": "2026-03-09T00:00:00+01:00",
                     "cris@example.com": "2026-06-01T12:00:00+02:00"}


def test_a_base64_email_is_read_and_line_numbers_count_doubled_line_ends_once(tmp_path, run):
    """RFC 2426 §5: ENCODING=b on any value. "\\r\\r\\n" (iOS 5 exports) is one line end,
    so a reject's line is the one an editor shows."""
    (tmp_path / "c.vcf").write_bytes(
        b"BEGIN:VCARD\r\r\nVERSION:3.0\r\r\nEMAIL;ENCODING=b:YW5hQGV4YW1wbGUuY29t\r\r\n"
        b"END:VCARD\r\r\nBEGIN:VCARD\r\r\nVERSION:3.0\r\r\nFN:Sin Correo\r\r\nEND:VCARD\r\r\n")
    result = run("--now", NOW, "import", "c.vcf")
    assert result.exit_code == 0, result.stderr
    assert sorted(leads(run)) == ["ana@example.com"]
    assert result.stderr.strip() == "c.vcf:5: the vCard has no EMAIL"


def test_a_preferred_email_that_is_no_address_does_not_hide_a_good_one(tmp_path, run):
    (tmp_path / "c.vcf").write_text(
        "BEGIN:VCARD\nVERSION:2.1\nFN:Ana\nEMAIL;PREF;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:"
        "=C3=91=C3=91\nEMAIL;WORK:ana@example.com\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:2.1\nFN:Bea\nEMAIL;PREF:bea@@example\nEND:VCARD\n",
        encoding="utf-8")
    result = run("--now", NOW, "import", "c.vcf")
    assert result.exit_code == 0, result.stderr
    stored = leads(run)
    assert sorted(stored) == ["ana@example.com"]
    assert stored["ana@example.com"]["fields"] == {"other_emails": "ÑÑ"}
    assert result.stderr.startswith("c.vcf:7: invalid address")


def test_quoted_printable_without_charset_is_windows_1252_unless_encoding_says(tmp_path, run):
    """A 2.1 card's quoted-printable name without CHARSET (The Bat!, Outlook: the vCard
    2.1 spec, https://www.imc.org/pdi/vcard-21.txt, leaves it to the writer's code page)
    reads as Windows-1252, Spain's and western Europe's: no detector tells a Spanish "ñ"
    from a Polish "ń" in a name's few bytes (sources/vcard.py, _decoded). A Polish file
    is read with --encoding cp1250, which also applies to such values."""
    card = ("BEGIN:VCARD\r\nVERSION:2.1\r\n"
            "N;ENCODING=QUOTED-PRINTABLE:{family};{given}\r\n"
            "FN;ENCODING=QUOTED-PRINTABLE:{given} {family}\r\n"
            "EMAIL;PREF;INTERNET:{address}\r\nREV:20080716T194200Z\r\nEND:VCARD\r\n")
    (tmp_path / "es.vcf").write_text(card.format(family="Mu=F1oz Pe=F1a", given="Jos=E9",
                                                 address="jose@example.com"), encoding="ascii")
    (tmp_path / "pl.vcf").write_text(card.format(family="Iksi=F1ski", given="Piotr",
                                                 address="piotr@example.com"), encoding="ascii")
    assert run("--now", NOW, "import", "es.vcf").exit_code == 0
    assert run("--now", NOW, "import", "pl.vcf", "--encoding", "cp1250").exit_code == 0
    stored = leads(run)
    assert stored["jose@example.com"]["name"] == "José Muñoz Peña"
    assert stored["piotr@example.com"]["name"] == "Piotr Iksiński"


def test_utf16_without_a_byte_order_mark_is_read(tmp_path, run):
    """Apple's Address Book wrote UTF-16 (big-endian) vCards without a BOM; RFC 2781 §4.3
    leaves the byte order to be told from the text, here by its NUL bytes. Renamed, it is
    still known as a vCard by its content."""
    card = ("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Ibáñez;María;;;\r\nFN:María Ibáñez\r\n"
            "EMAIL;type=INTERNET;type=pref:maria@example.org\r\nEND:VCARD\r\n"
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Reformas Gil\r\nORG:Reformas Gil;\r\n"
            "END:VCARD\r\n")
    (tmp_path / "be.vcf").write_bytes(card.encode("utf-16-be"))
    (tmp_path / "le.txt").write_bytes(card.replace("maria@", "maria.le@").encode("utf-16-le"))
    result = run("--now", NOW, "import", "be.vcf")
    assert result.exit_code == 0, result.stderr
    assert "be.vcf:7: the vCard has no EMAIL" in result.stderr
    assert run("--now", NOW, "import", "le.txt").exit_code == 0
    stored = leads(run)
    assert stored["maria@example.org"]["name"] == "María Ibáñez"
    assert stored["maria.le@example.org"]["name"] == "María Ibáñez"
