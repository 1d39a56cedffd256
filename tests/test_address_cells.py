"""An address cell that holds more than an address imports its address (issue #25:
exports as they are): a display name around it, a mailto: link, a list of several, a
CRM's JSON list (Krayin's persons export writes `emails` as
'[{"label": "work", "value": …}]'). A cell with no valid address in it is still a
rejected row, with email-validator's reason."""

import json

import pytest

NOW = "2026-06-01T12:00"


def _leads(run):
    return {lead["email"]: lead["name"] for lead in json.loads(run("leads", "--json").stdout)}


@pytest.mark.parametrize("cell, address", [
    ("Ana Pérez <ana@example.com>", "ana@example.com"),
    ('"Pérez, Ana" <Ana@Example.com>', "ana@example.com"),
    ("mailto:ana@example.com", "ana@example.com"),
    ("ana@example.com; luis@example.org", "ana@example.com"),
    ("ana@example.com, luis@example.org", "ana@example.com"),
    ("ana@example.com (trabajo)", "ana@example.com"),
    ('[{"label": "work", "value": "ana@example.com"}, {"label": "home", "value": "a@example.org"}]',
     "ana@example.com"),
    ('["ana@example.com"]', "ana@example.com"),
])
def test_the_first_address_in_a_cell_is_the_leads(tmp_path, run, cell, address):
    quoted = '"' + cell.replace('"', '""') + '"'
    (tmp_path / "f.csv").write_text(f"name,email\nAna Pérez,{quoted}\n", encoding="utf-8")
    result = run("--now", NOW, "import", "f.csv")
    assert result.exit_code == 0, result.stderr
    assert _leads(run) == {address: "Ana Pérez"}


def test_krayins_persons_export_imports_as_it_is(tmp_path, run):
    """The layout of Krayin CRM's persons sample (storage/app/public/data-transfer/
    samples/persons.csv): `emails` and `contact_numbers` as JSON lists, doubled quotes."""
    (tmp_path / "persons.csv").write_text(
        "name,emails,contact_numbers,organization_id,job_title,user_id\n"
        'Lucía Romero,"[{""label"": ""work"", ""value"": ""lucia@example.com""}, '
        '{""label"": ""home"", ""value"": ""lucia.casa@example.org""}]",'
        '"[{""label"": ""work"", ""value"": ""600111222""}]",1,Gerente,1\n'
        'Tomás Vidal,"[{""label"": ""work"", ""value"": ""tomas@example.com""}]",'
        '"[{""label"": ""work"", ""value"": ""600333444""}]",1,Comercial,1\n', encoding="utf-8")
    result = run("--now", NOW, "import", "persons.csv", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["new"] == 2
    assert _leads(run) == {"lucia@example.com": "Lucía Romero", "tomas@example.com": "Tomás Vidal"}


def test_a_second_address_in_the_cell_that_unsubscribed_keeps_the_row_out(tmp_path, run):
    (tmp_path / "a.csv").write_text("email\nluis@example.org\n", encoding="utf-8")
    assert run("--now", NOW, "import", "a.csv").exit_code == 0
    assert run("--now", NOW, "mark", "luis@example.org", "unsubscribed").exit_code == 0
    (tmp_path / "b.csv").write_text('email\n"ana@example.com; luis@example.org"\n', encoding="utf-8")
    result = run("--now", NOW, "import", "b.csv", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["suppressed"] == 1
    assert "ana@example.com" not in _leads(run)


@pytest.mark.parametrize("cell", ["Ana Pérez", "ana@", "<ana at example.com>", "[]",
                                  '[{"value": "ana@example"}]', "ana@example.test",
                                  # A mistyped address holds no other: "x@example.com"
                                  # here would be someone else (bench/gen_leads.py's typos).
                                  "ana.perez547 x@example.com", "ana@example.com."])
def test_a_cell_with_no_valid_address_is_still_rejected(tmp_path, run, cell):
    quoted = '"' + cell.replace('"', '""') + '"'
    (tmp_path / "f.csv").write_text(f"name,email\nAna,{quoted}\nLuis,luis@example.org\n",
                                    encoding="utf-8")
    result = run("--now", NOW, "import", "f.csv", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["rejected"] == 1
    assert "f.csv:2: invalid address" in result.stderr
    assert _leads(run) == {"luis@example.org": "Luis"}
