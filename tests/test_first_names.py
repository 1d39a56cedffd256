"""`first_name`: a given-name column whole, compound given names kept whole when only a
full name is known (issue #27 item 1), and the same through `add`, the form and the
webhook. Messages are looked at through `preview`, as a user would."""

import email
import json
import sqlite3

import pytest

NOW = "2026-03-02T10:00"


@pytest.fixture
def project(tmp_path, smtp_server):
    (tmp_path / "leadloop.toml").write_text(
        '[sender]\nname = "Laura Vidal"\naddress = "laura@example.com"\n\n'
        f'[smtp]\nhost = "{smtp_server.host}"\nport = {smtp_server.port}\nsecurity = "none"\n',
        encoding="utf-8")
    return tmp_path


def greeting(run, address) -> str:
    result = run("--now", NOW, "preview", "--raw", address)
    assert result.exit_code == 0, result.stderr
    body = email.message_from_string(result.stdout)
    text = next(part for part in body.walk() if part.get_content_type() == "text/plain")
    line = next(line for line in text.get_payload(decode=True).decode().splitlines()
                if line.startswith("Hola"))
    return line


def imported(project, run, text, name="leads.csv"):
    (project / name).write_text(text, encoding="utf-8")
    result = run("--now", NOW, "import", name)
    assert result.exit_code == 0, result.stderr
    return result


def test_compound_given_names_stay_whole_when_only_a_full_name_is_known(project, run):
    imported(project, run,
             "email,name\n"
             "jl@example.com,José Luis Pérez\n"
             "mc@example.com,MARÍA DEL CARMEN RUIZ\n"
             "ap@example.com,Ana Paula Souza\n"
             "jc@example.com,Juan Carlos\n"
             "pg@example.com,Pedro Gómez Luis\n"
             "ma@example.com,Marta Ana Gil\n")
    assert greeting(run, "jl@example.com") == "Hola, José Luis:"
    assert greeting(run, "mc@example.com") == "Hola, María del Carmen:"  # whole, and not shouted
    assert greeting(run, "ap@example.com") == "Hola, Ana Paula:"
    assert greeting(run, "jc@example.com") == "Hola, Juan Carlos:"
    # Nothing guessed beyond the lists: an unknown pair is the first word, as before.
    assert greeting(run, "pg@example.com") == "Hola, Pedro:"
    assert greeting(run, "ma@example.com") == "Hola, Marta:"


def test_a_given_name_column_is_the_first_name_whole(project, run):
    imported(project, run,
             "First Name,Last Name,Email\n"
             "Mary Ann,Smith,mary@example.com\n"
             ",Solo,solo@example.com\n")
    assert greeting(run, "mary@example.com") == "Hola, Mary Ann:"
    # No given name: the name (the family name alone) is what there is.
    assert greeting(run, "solo@example.com") == "Hola, Solo:"


def test_a_given_name_column_beside_a_full_name(project, run):
    imported(project, run, "Full Name,Given Name,Email\n"
                           "Dña. Rosa Gil,Rosa María,rosa@example.com\n")
    assert greeting(run, "rosa@example.com") == "Hola, Rosa María:"


def test_nombre_alone_holds_the_whole_name_and_is_not_a_given_name(project, run):
    imported(project, run, "Nombre;Correo\nMaría José Gil Pérez;mj@example.com\n")
    assert greeting(run, "mj@example.com") == "Hola, María José:"


def test_a_name_written_family_comma_given_greets_the_given_name(project, run):
    """CRMs and address books sort people as "Family, Given" (issue #25, exports4 item 1):
    the greeting takes the given name after the comma, never "Hola, Vidal,:"; a suffix or
    a firm's legal form after the comma is no given name; and when what follows the
    comma cannot be a given name, no first name at all."""
    imported(project, run,
             "Name,Email\n"
             '"Vidal, Laura",laura@example.com\n'
             '"PÉREZ GIL, JOSÉ LUIS",jl@example.com\n'
             '"Juan Gil, Jr.",juan@example.com\n'
             '"Reformas Muñoz, S.L.",rm@example.com\n'
             '"Gil, 2º B",gil@example.com\n'
             '"Laura Vidal, Reformas Gil",lv@example.com\n')
    assert greeting(run, "laura@example.com") == "Hola, Laura:"
    assert greeting(run, "jl@example.com") == "Hola, José Luis:"  # not shouted (_cased)
    assert greeting(run, "juan@example.com") == "Hola, Juan:"
    assert greeting(run, "rm@example.com") == "Hola:"  # a firm: never "Hola, Reformas:"
    assert greeting(run, "gil@example.com") == "Hola:"
    # A person, then a firm: words on both sides of the comma, no known given name.
    assert greeting(run, "lv@example.com") == "Hola:"


def test_a_vcard_filed_as_family_comma_given_is_named_given_first(project, run):
    """KAddressBook writes FN "Mustermann, Heiko" beside N:Mustermann;Heiko: N says which
    part is the family name, so the lead is "Heiko Mustermann" (RFC 6350 §6.2.2) and
    the message goes to and greets Heiko. An FN that is the person's own choice stays."""
    (project / "c.vcf").write_text(
        "BEGIN:VCARD\nVERSION:3.0\nN:Mustermann;Heiko;;;\nFN:Mustermann, Heiko\n"
        "EMAIL;TYPE=PREF:heiko@example.com\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nN:Gil;Laura;;;\nFN:Reformas Gil, S.L.\n"
        "EMAIL:laura@example.com\nEND:VCARD\n", encoding="utf-8")
    assert run("--now", NOW, "import", "c.vcf").exit_code == 0
    stored = {lead["email"]: lead for lead in json.loads(run("leads", "--json").stdout)}
    assert stored["heiko@example.com"]["name"] == "Heiko Mustermann"
    assert stored["laura@example.com"]["name"] == "Reformas Gil, S.L."
    assert greeting(run, "heiko@example.com") == "Hola, Heiko:"
    assert greeting(run, "laura@example.com") == "Hola, Laura:"
    result = run("--now", NOW, "preview", "--raw", "heiko@example.com")
    assert "To: Heiko Mustermann <heiko@example.com>" in result.stdout


def test_map_to_first_name_keeps_working(project, run):
    (project / "m.csv").write_text("mail,pila,apellido\nkim@example.com,Kim Ji,Lee\n",
                                   encoding="utf-8")
    result = run("--now", NOW, "import", "m.csv", "--map", "mail=email", "--map", "pila=first_name")
    assert result.exit_code == 0, result.stderr
    assert greeting(run, "kim@example.com") == "Hola, Kim Ji:"


def test_add_takes_a_first_name(project, run):
    result = run("--now", NOW, "add", "jm@example.com", "--name", "Jean-Marc Dupont Martin",
                 "--first-name", "Jean-Marc")
    assert result.exit_code == 0, result.stderr
    assert greeting(run, "jm@example.com") == "Hola, Jean-Marc:"
    assert run("--now", NOW, "add", "ml@example.com", "--name", "María Luisa Gil").exit_code == 0
    assert greeting(run, "ml@example.com") == "Hola, María Luisa:"


def test_a_later_file_with_a_given_name_fills_it_in(project, run):
    imported(project, run, "email,name\nrg@example.com,Rosa Gil\n", "a.csv")
    imported(project, run, "email,first name,last name\nrg@example.com,Rosa Elena,Gil\n", "b.csv")
    assert greeting(run, "rg@example.com") == "Hola, Rosa Elena:"


def test_a_database_from_before_the_column_keeps_working(project, run):
    """A database written before m004: its leads have no stored first_name, and get the
    compound rule."""
    assert run("--now", NOW, "add", "jl@example.com", "--name", "José Luis Pérez").exit_code == 0
    conn = sqlite3.connect(project / "leadloop.db")
    conn.execute("ALTER TABLE leads DROP COLUMN first_name")
    conn.execute("DELETE FROM _migrations WHERE name = 'm006_files_first_name'")
    conn.commit()
    conn.close()
    assert greeting(run, "jl@example.com") == "Hola, José Luis:"
    columns = [row[1] for row in sqlite3.connect(project / "leadloop.db").execute(
        "PRAGMA table_info(leads)")]
    assert "first_name" in columns


def test_forget_erases_the_first_name(project, run):
    assert run("--now", NOW, "add", "jm@example.com", "--first-name", "Jean-Marc").exit_code == 0
    assert run("--now", NOW, "forget", "jm@example.com").exit_code == 0
    rows = sqlite3.connect(project / "leadloop.db").execute(
        "SELECT first_name FROM leads").fetchall()
    assert rows == [(None,)]


def test_the_demo_greets_maria_jose_whole(tmp_path, run):
    result = run("demo")
    assert result.exit_code == 0, result.stderr
    outbox = tmp_path / "leadloop-demo" / "outbox" / "new"
    found = []
    for path in outbox.iterdir():
        message = email.message_from_bytes(path.read_bytes())
        if "maria.jose.gil@example.com" in message["To"]:
            text = next(part for part in message.walk()
                        if part.get_content_type() == "text/plain")
            found.append(text.get_payload(decode=True).decode())
    assert found and all("María José" in text for text in found)
    assert not any("Hola, María:" in text for text in found)


def test_the_form_and_the_webhook_take_a_first_name(tmp_path, smtp_server):
    from web_server import WebServer, leads, wait_for, write_project

    write_project(tmp_path, smtp_server)
    server = WebServer(tmp_path, now="2026-03-07T23:30").start()
    try:
        assert server.post_form("/inquiry", {"email": "ml@example.com", "name": "María Luisa Gil",
                                             "first_name": "Malu", "lang": "es"}).status == 303
        assert server.post_json({"email": "jp@example.com", "name": "João Pedro Souza",
                                 "first_name": "João Pedro"}).status == 201
        assert server.post_json({"email": "x@example.com", "first_name": 7}).status == 422
        stored = wait_for(lambda: len(found := leads(tmp_path)) == 2 and found,
                          what="both inquiries stored")
    finally:
        server.stop()
    assert stored["ml@example.com"]["first_name"] == "Malu"
    assert json.loads(stored["ml@example.com"]["fields"] or "{}") == {}
    assert stored["jp@example.com"]["first_name"] == "João Pedro"


# -- first_name where a lead's fields are listed: leads --json, show, export -------------

GIVEN_AND_FULL = ("Full Name,Given Name,Email\n"
                  "Dña. Rosa Gil,Rosa María,rosa@example.com\n"
                  "Laura Vidal,Laura,laura@example.com\n"
                  "José Luis Pérez,,jl@example.com\n")


@pytest.fixture
def named(tmp_path, run):
    """Three leads: a given name the full name would not give, one it would, and none."""
    imported(tmp_path, run, GIVEN_AND_FULL)
    return tmp_path


EXPECTED = {"rosa@example.com": "Rosa María", "laura@example.com": "Laura", "jl@example.com": None}


def test_leads_json_has_the_first_name_after_the_name(named, run):
    result = run("--now", NOW, "leads", "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert {lead["email"]: lead["first_name"] for lead in document} == EXPECTED
    keys = list(document[0])
    assert keys[keys.index("name") + 1] == "first_name"


def test_show_json_has_the_first_name_after_the_name(named, run):
    for address, given in EXPECTED.items():
        result = run("--now", NOW, "show", address, "--json")
        assert result.exit_code == 0, result.stderr
        document = json.loads(result.stdout)
        assert document["first_name"] == given
        keys = list(document)
        assert keys[keys.index("name") + 1] == "first_name"


def test_show_says_the_first_name_only_when_the_name_would_not_give_it(named, run):
    def name_line(address):
        result = run("--now", NOW, "show", address)
        assert result.exit_code == 0, result.stderr
        return next(line.strip() for line in result.stdout.splitlines()
                    if line.strip().startswith("name:"))

    assert name_line("rosa@example.com") == "name: Dña. Rosa Gil (first name: Rosa María)"
    assert name_line("laura@example.com") == "name: Laura Vidal"
    assert name_line("jl@example.com") == "name: José Luis Pérez"


def test_export_json_and_csv_have_the_first_name_after_the_name(named, run):
    result = run("--now", NOW, "export", "--format", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert {lead["email"]: lead["first_name"] for lead in document} == EXPECTED
    keys = list(document[0])
    assert keys[keys.index("name") + 1] == "first_name"

    result = run("--now", NOW, "export", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    header = list(rows[0])
    assert header[:3] == ["email", "name", "first_name"]
    assert {row["email"]: row["first_name"] or None for row in rows} == EXPECTED


def test_export_xlsx_has_the_first_name_after_the_name(named, run):
    from python_calamine import CalamineWorkbook

    result = run("--now", NOW, "export", "-o", "leads.xlsx")
    assert result.exit_code == 0, result.stderr
    header, *rows = CalamineWorkbook.from_path(str(named / "leads.xlsx")).get_sheet_by_index(0).to_python()
    assert header[:3] == ["email", "name", "first_name"]
    assert {row[0]: row[2] or None for row in rows} == EXPECTED


def test_an_exported_csv_imports_back_with_its_first_names(named, run, tmp_path):
    result = run("--now", NOW, "export", "--format", "csv", "-o", "out.csv")
    assert result.exit_code == 0, result.stderr
    result = run("--db", "other.db", "--now", NOW, "import", "out.csv")
    assert result.exit_code == 0, result.stderr
    rows = dict(sqlite3.connect(tmp_path / "other.db").execute("SELECT email, first_name FROM leads"))
    assert rows == EXPECTED


def test_a_first_name_that_looks_like_a_formula_is_text_in_csv(run):
    assert run("--now", NOW, "add", "f@example.com", "--name", "Eva Gil",
               "--first-name", "=HYPERLINK(\"http://x\")").exit_code == 0
    result = run("--now", NOW, "export", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert "'=HYPERLINK" in result.stdout


def test_a_firm_is_greeted_without_a_name_and_capitals_are_not_shouted(project, run):
    """What the lead reads: a name that ends with a firm's legal form has no given name
    ("Hola:", never "Hola, Construcciones:"); a name an export wrote in capitals is
    greeted as a person writes it; a short legal form that is also a surname ("Sá")
    counts only in capitals or with dots, and not in a name all in capitals."""
    imported(project, run,
             "Name,Email\n"
             "Construcciones Ruiz SA,cr@example.com\n"
             "Talleres Gil S. L.,tg@example.com\n"
             "Acme Trading Ltd,acme@example.com\n"
             "MARÍA DEL CARMEN RUIZ,mc@example.com\n"
             "JEAN-PIERRE DUPONT,jp@example.com\n"
             "MARIA SA,ms@example.com\n"
             "Ana Sa,as@example.com\n"
             "Hotel Spa Marina,hs@example.com\n"
             '"Reformas Gil, Sl",rg@example.com\n')
    assert greeting(run, "cr@example.com") == "Hola:"
    assert greeting(run, "tg@example.com") == "Hola:"
    assert greeting(run, "acme@example.com") == "Hola:"
    assert greeting(run, "mc@example.com") == "Hola, María del Carmen:"
    assert greeting(run, "jp@example.com") == "Hola, Jean-Pierre:"
    assert greeting(run, "ms@example.com") == "Hola, Maria:"
    assert greeting(run, "as@example.com") == "Hola, Ana:"
    assert greeting(run, "hs@example.com") == "Hola, Hotel:"  # no legal form: the first word, as before
    assert greeting(run, "rg@example.com") == "Hola:"  # after a comma, a legal form in any case


def test_maria_written_short_titles_and_initials_are_greeted_as_people_write_them(project, run):
    """What the lead reads (issue #25's "A first name cut in half"): María written short
    ("Mª José", "José Mª", "Mari Carmen") keeps its compound whole; a courtesy or academic
    title is never the name ("Hola, Dr.:"), and a title before family names alone gives
    no name rather than a family name ("Hola:", not "Hola, García:")."""
    imported(project, run,
             "email,name\n"
             "mj@example.com,Mª José Núñez\n"
             "jm@example.com,José Mª Sanz\n"
             "mc@example.com,Mari Carmen López\n"
             "mm@example.com,M.ª del Mar Ruiz\n"
             "dr@example.com,Dr. Juan Pérez\n"
             "dn@example.com,Sr. D. José García\n"
             "sr@example.com,Sr. García López\n"
             "jl@example.com,J. Luis Pérez\n")
    assert greeting(run, "mj@example.com") == "Hola, Mª José:"
    assert greeting(run, "jm@example.com") == "Hola, José Mª:"
    assert greeting(run, "mc@example.com") == "Hola, Mari Carmen:"
    assert greeting(run, "mm@example.com") == "Hola, M.ª del Mar:"
    assert greeting(run, "dr@example.com") == "Hola, Juan:"
    assert greeting(run, "dn@example.com") == "Hola, José:"
    assert greeting(run, "sr@example.com") == "Hola:"
    assert greeting(run, "jl@example.com") == "Hola, J. Luis:"


@pytest.mark.parametrize("name, given", [
    ("Dra. María José Gil", "María José"), ("Sra. Dª. Carmen Ruiz", "Carmen"),
    ("Mme Hélène Lefèvre Dubois", "Hélène"), ("Lic. Ana Paula Souza", "Ana Paula"),
    ("Sr. García", ""), ("Ms. Smith", ""), ("J. Pérez", ""),
    # Two words after a title may be two family names ("Sr. García López"): a name that
    # begins no known compound is not taken for a given name there ("Hola:").
    ("Dr. Pablo Ortiz", ""),
    # Not titles: "Da" and "D" without their dot are a name's part or an initial, and
    # "Don" is also a given name.
    ("Da Silva Pereira", "Da"), ("Don Johnson", "Don"), ("Ma Long", "Ma"),
])
def test_titles_and_initials(name, given):
    from leadloop.given_names import given_name

    assert given_name(name) == given
