"""Column names of CRMs and address books (issue #25 items 7 and 8): creation dates are
the request date, a person's given and family names win over a display name, and
"Client Name", "Contact Name", "Full Name" are names."""

import json

import pytest

NOW = "2026-06-01T12:00"


def imported(tmp_path, run, text):
    (tmp_path / "f.csv").write_text(text, encoding="utf-8")
    result = run("--now", NOW, "import", "f.csv", "--json")
    assert result.exit_code == 0, result.stderr
    stored = {lead["email"]: lead for lead in json.loads(run("leads", "--json").stdout)}
    return json.loads(result.stdout), stored


@pytest.mark.parametrize("column", ["CreatedDate", "Created Time", "Person created",
                                    "Create Date", "Lead Created", "Date of creation",
                                    "Created On (UTC)", "Fecha de creación"])
def test_creation_columns_are_the_request_date(tmp_path, run, column):
    report, stored = imported(
        tmp_path, run, f"Email,Created By,Modified Date,{column}\n"
                       "ana@example.com,Laura Gil,2026-04-01 10:00,2026-03-09 10:05\n")
    assert report["requested_at_column"] == column
    assert stored["ana@example.com"]["requested_at"][:16] in ("2026-03-09T10:05", "2026-03-09T11:05")
    assert stored["ana@example.com"]["fields"] == {"created_by": "Laura Gil",
                                                   "modified_date": "2026-04-01 10:00"}


def test_a_named_request_date_beats_a_record_creation(tmp_path, run):
    report, _ = imported(tmp_path, run, "email,Lead Created,Submitted At\n"
                                        "ana@example.com,2026-03-01 10:00,2026-03-02 10:00\n")
    assert report["requested_at_column"] == "Submitted At"


@pytest.mark.parametrize("column", ["Created By", "Created By ID", "CreatedById", "Created From"])
def test_who_or_what_created_a_record_is_no_date(tmp_path, run, column):
    report, stored = imported(tmp_path, run, f"email,{column}\nana@example.com,Laura\n")
    assert report["requested_at_column"] is None
    assert list(stored["ana@example.com"]["fields"].values()) == ["Laura"]


def test_given_and_family_names_win_over_a_display_name(tmp_path, run):
    _, stored = imported(tmp_path, run,
                         "Display Name,First Name,Last Name,EmailID\n"
                         "Reformas Gil S.L.,Ana,Gil Ruiz,ana@example.com\n"
                         "Bea Pons,,,bea@example.com\n")
    assert stored["ana@example.com"]["name"] == "Ana Gil Ruiz"
    assert stored["ana@example.com"]["fields"] == {"display_name": "Reformas Gil S.L."}
    # No given nor family name on the row: the display name is all there is.
    assert stored["bea@example.com"]["name"] == "Bea Pons"


def test_a_family_name_alone_also_wins_over_a_display_name(tmp_path, run):
    _, stored = imported(tmp_path, run, "Display Name,Last Name,Email\n"
                                        "Acme S.A.,Gil,gil@example.com\n")
    assert stored["gil@example.com"]["name"] == "Gil"


def test_a_display_name_alone_is_the_name(tmp_path, run):
    _, stored = imported(tmp_path, run, "Display Name,Email\nBea Pons,bea@example.com\n")
    assert stored["bea@example.com"]["name"] == "Bea Pons"


@pytest.mark.parametrize("column", ["Client Name", "Contact Name", "Full Name", "Customer Name"])
def test_client_contact_and_full_name_are_names(tmp_path, run, column):
    _, stored = imported(tmp_path, run, f"{column},Email\nAna Gil,ana@example.com\n")
    assert stored["ana@example.com"]["name"] == "Ana Gil"
    assert stored["ana@example.com"]["fields"] == {}


def test_a_second_address_column_fills_an_empty_first(tmp_path, run):
    report, stored = imported(tmp_path, run, "Name,Email - Work,Email - Home\n"
                                             "Ana,,ana@example.com\nBea,bea@example.com,\n")
    assert report["rejected"] == 0 and sorted(stored) == ["ana@example.com", "bea@example.com"]


def test_rows_after_a_preamble_keep_their_own_line_numbers(tmp_path, run):
    (tmp_path / "p.csv").write_text(
        "Listado de interesados\n"                       # 1
        "Exportado el 11/03/2026; solo uso interno\n"    # 2
        "\n"                                             # 3
        "Nombre;Correo;Fecha\n"                          # 4
        "Ana;ana@example.com;01/03/2026\n"               # 5
        "Bea;bea@;02/03/2026\n"                          # 6
        "Cris;cris@example.com;31/02/2026\n",            # 7
        encoding="utf-8")
    result = run("--now", NOW, "import", "p.csv", "--rejects", "r.csv")
    assert result.exit_code == 0, result.stderr
    assert "the header is on line 4: 3 lines above it skipped" in result.stdout
    assert "p.csv:6: invalid address" in result.stderr
    assert "p.csv:7: unreadable date" in result.stderr
    assert (tmp_path / "r.csv").read_text(encoding="utf-8").splitlines()[0] == (
        "Nombre,Correo,Fecha,line,reason")


def test_without_a_named_address_column_line_one_stays_the_header(tmp_path, run):
    """A form whose address question has no address-like name: found by its answers,
    and the rows read while looking for a header below are not lost."""
    rows = "".join(f"Persona {n},p{n}@example.com\n" for n in range(30))
    report, stored = imported(tmp_path, run, "¿Cómo te llamas?,¿A qué correo te escribimos?\n" + rows)
    assert report["new"] == 30 and report["skipped_lines"] == 0
    # (The form's name question is the name: tests/test_export_layouts.py.)
    assert (stored["p0@example.com"]["name"], stored["p0@example.com"]["fields"]) == ("Persona 0", {})


@pytest.mark.parametrize("text", [
    # A CRM's leads export (Tine 2.0's layout): no address column, and a lead whose
    # source is "Email" on line 2, among ids and dates: a row of data, not a header.
    '"lead_name","leadstate_id","Leadsource","start","notes"\n'
    '"Reforma cocina","2","Email","2015-01-31 00:00:00","llamar"\n'
    '"Baño","1","","2015-01-31 00:00:00",""\n',
    # No number nor date on that row, but the rows below it hold no addresses there.
    "lead,channel,owner\nAna Gil,Email,Laura\nBea Pons,Phone,Laura\nCris Ruiz,Web,Laura\n",
])
def test_a_value_named_like_an_address_column_is_no_header(tmp_path, run, text):
    """exports4 item 3: a row is taken for a header below line 1 only when it reads as
    column names and the rows under it hold addresses; else the file has no address
    column, which is said as such (SPEC §4: exit 2, nothing imported)."""
    (tmp_path / "leads.csv").write_text(text, encoding="utf-8")
    result = run("--now", NOW, "import", "leads.csv")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: leads.csv: no e-mail column found (columns: lead")
    assert "use --map COLUMN=email" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert json.loads(run("leads", "--json").stdout) == []


def test_a_header_below_whose_addresses_are_all_hidden_is_still_the_header(tmp_path, run):
    """LinkedIn's connections: most addresses are empty, and that is no proof against."""
    report, stored = imported(tmp_path, run,
                              "Notes:\n\nFirst Name,Last Name,Email Address,Connected On\n"
                              "Ana,Gil,,09 Mar 2026\nBea,Pons,bea@example.com,10 Mar 2026\n")
    assert report["skipped_lines"] == 2 and list(stored) == ["bea@example.com"]


def test_a_header_lower_than_the_first_lines_is_not_looked_for(tmp_path, run):
    preamble = "".join(f"nota {n}\n" for n in range(25))
    (tmp_path / "far.csv").write_text(preamble + "email\nana@example.com\n", encoding="utf-8")
    result = run("--now", NOW, "import", "far.csv")
    assert result.exit_code == 2 and "no e-mail column found" in result.stderr


def test_given_and_family_names_win_over_zoho_books_customer_name(tmp_path, run):
    """Zoho Books' contacts export: "Customer Name" (the record's, a firm's as often as
    not) outranks "Display Name" as a name column, and both lose to First/Last Name."""
    _, stored = imported(
        tmp_path, run,
        "Created Time,Display Name,Company Name,Salutation,First Name,Last Name,EmailID,"
        "Customer ID,Customer Name,Contact Type\n"
        "2026-03-09 10:05:12,Vengadores,Vengadores S.A.,Mr.,Tomás,Odínez,tomas@example.com,"
        "4600000001,Vengadores,customer\n"
        "2026-03-10 18:40:03,Bea Pons,,,,,bea@example.com,4600000002,Bea Pons,customer\n")
    assert stored["tomas@example.com"]["name"] == "Tomás Odínez"
    assert stored["tomas@example.com"]["fields"]["customer_name"] == "Vengadores"
    assert stored["tomas@example.com"]["fields"]["display_name"] == "Vengadores"
    assert stored["bea@example.com"]["name"] == "Bea Pons"


@pytest.mark.parametrize("party", ["customer_name", "Client Name", "Nombre del cliente"])
def test_a_contacts_given_and_family_names_win_over_a_customer_name(tmp_path, run, party):
    """Wave's customers export: customer_name, then contact_first_name/contact_last_name."""
    _, stored = imported(tmp_path, run,
                         f"{party},email,contact_first_name,contact_last_name\n"
                         "Reformas Gil S.L.,ana@example.com,Ana,Gil Ruiz\n"
                         "Bea Pons,bea@example.com,,\n")
    assert stored["ana@example.com"]["name"] == "Ana Gil Ruiz"
    assert stored["bea@example.com"]["name"] == "Bea Pons"


def test_prefixed_name_columns_rank_contact_then_billing_then_shipping(tmp_path, run):
    _, stored = imported(tmp_path, run,
                         "email,shipping_first_name,shipping_last_name,billing_first_name,"
                         "billing_last_name,contact_first_name,contact_last_name\n"
                         "ana@example.com,Envío,Uno,Factura,Dos,Ana,Gil\n")
    assert stored["ana@example.com"]["name"] == "Ana Gil"
    assert stored["ana@example.com"]["fields"] == {
        "shipping_first_name": "Envío", "shipping_last_name": "Uno",
        "billing_first_name": "Factura", "billing_last_name": "Dos"}
    _, stored = imported(tmp_path, run,
                         "Shipping First Name,Billing First Name,Billing Last Name,"
                         "First Name,Email\nEnvío,Factura,Dos,Bea,bea@example.com\n")
    # The unprefixed given name wins over every prefixed one, and the family name is
    # the same person's (there is none): never half one person's, half another's.
    assert stored["bea@example.com"]["name"] == "Bea"
    assert stored["bea@example.com"]["fields"] == {
        "shipping_first_name": "Envío", "billing_first_name": "Factura",
        "billing_last_name": "Dos"}


def test_a_full_name_still_wins_over_given_and_family_names(tmp_path, run):
    _, stored = imported(tmp_path, run, "Full Name,First Name,Last Name,Email\n"
                                        "Ana María Gil Ruiz,Ana,Gil,ana@example.com\n")
    assert stored["ana@example.com"]["name"] == "Ana María Gil Ruiz"


def test_a_bare_name_beside_given_and_family_names_is_the_records(tmp_path, run):
    # Invoice Ninja's clients export: "Name" is the client (often a firm), the contact's
    # own names beside it; they win, and "Name" stands in where they are empty.
    _, stored = imported(tmp_path, run, "Name,Balance,First Name,Last Name,Email\n"
                                        "Talleres Gil SL,0,Ana,Gil,ana@example.com\n"
                                        "Bea Ruiz,0,,,bea@example.com\n")
    assert stored["ana@example.com"]["name"] == "Ana Gil"
    assert stored["bea@example.com"]["name"] == "Bea Ruiz"
    assert stored["ana@example.com"]["fields"]["name"] == "Talleres Gil SL"
    # With a given name only, "Name" stays the whole name it was.
    _, stored = imported(tmp_path, run, "Name,First Name,Email\nCarla Díaz Soto,Carla,carla@example.com\n")
    assert stored["carla@example.com"]["name"] == "Carla Díaz Soto"


@pytest.mark.parametrize("column", ["Register date", "Registration date (yyyy-mm-dd)", "DateCreation (s.datec)",
                                    "signed_up_at", "Subscription Date", "Fecha de inscripción"])
def test_sign_up_columns_and_hinted_names_are_the_request_date(tmp_path, run, column):
    report, stored = imported(tmp_path, run, f"Email *,{column}\nana@example.com,2026-03-09 10:05\n")
    assert report["requested_at_column"] == column
    assert stored["ana@example.com"]["requested_at"][:10] == "2026-03-09"


def test_anyones_given_name_column_is_a_given_name_when_the_file_has_no_other(tmp_path, run):
    # CiviCRM's import sheet: "Player First Name".
    _, stored = imported(tmp_path, run, "Player First Name,Email,Another email\n"
                                        "Susie,susie@example.com,\n")
    assert stored["susie@example.com"]["name"] == "Susie"
