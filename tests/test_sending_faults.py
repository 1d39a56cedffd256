"""Lost or wrong mail (issue #16), against a real SMTP server on 127.0.0.1: one lead's
trouble stays with that lead, international addresses go out as SMTP allows, a server
that answers garbage after the content leaves the outcome `unknown`, and a send killed
mid-DATA reads `unknown` everywhere at once."""

import json
import sqlite3

NOW = "2026-03-02T10:00"


def write_config(tmp_path, server=None, extra=""):
    smtp = ""
    if server is not None:
        smtp = (f'\n[smtp]\nhost = "{server.host}"\nport = {server.port}\nsecurity = "none"\n'
                "timeout = 5\n")
    (tmp_path / "leadloop.toml").write_text(
        '[sender]\nname = "Laura Vidal"\naddress = "laura@example.com"\n'
        f"\n[cadence]\ndaily_limit = 1000\n{extra}" + smtp, encoding="utf-8")


def write_template(tmp_path, relative, text):
    path = tmp_path / "templates" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def import_csv(run, tmp_path, text):
    (tmp_path / "leads.csv").write_text(text, encoding="utf-8")
    result = run("import", "leads.csv")
    assert result.exit_code == 0, result.stderr
    return result


def show(run, address):
    return json.loads(run("show", address, "--json").stdout)


def states(run, address):
    return [m["state"] for m in show(run, address)["messages"]]


def one_line(result):
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


# -- one lead never stops the others (SPEC §6) ------------------------------------------


def test_a_lead_whose_data_the_template_cannot_use_fails_alone(tmp_path, run, smtp_server):
    write_config(tmp_path, smtp_server)
    write_template(tmp_path, "es/info.txt",
                   "Subject: Hola {{ first_name }}\n\nInformación sobre {{ product }}.\n"
                   "{% if plazos is defined %}{{ (precio|int) // (plazos|int) }} € al mes"
                   "{% endif %}\n")
    import_csv(run, tmp_path,
               "email,nombre,producto,fecha,precio,plazos\n"
               "ana@example.com,Ana,Curso,01/03/2026,300,3\n"
               "bea@example.com,Bea,Curso,01/03/2026,300,0\n"
               "cris@example.com,Cris,Curso,01/03/2026,,\n")
    result = run("--now", NOW, "run-daily")
    assert result.exit_code == 1, "sends failed in this run"
    line = one_line(result)
    assert line.startswith("warning: bea@example.com: ")
    assert "templates/es/info.txt" in line and "division" in line
    assert "send: 2 sent" in result.stdout and "1 failed" in result.stdout
    assert sorted(smtp_server.recipients()) == ["ana@example.com", "cris@example.com"]
    assert b"100 =E2=82=AC al mes" in smtp_server.messages[0].data or \
        b"100 =E2=82=AC al mes" in smtp_server.messages[1].data
    bea = show(run, "bea@example.com")
    assert [m["state"] for m in bea["messages"]] == ["failed"]
    assert bea["messages"][0]["error"].startswith("bea@example.com: ")
    assert bea["status"] == "active"
    # Reported once: the next run neither resends nor fails it again.
    again = run("--now", NOW, "run-daily")
    assert again.exit_code == 0, again.stderr
    assert smtp_server.count == 2


def test_a_stored_locale_that_is_not_a_language_fails_alone(tmp_path, run, smtp_server):
    """`idioma = Español` stopped everyone before #16; import now maps it, and a value
    already stored from before (here written straight into the database) fails alone."""
    write_config(tmp_path, smtp_server)
    import_csv(run, tmp_path,
               "email,nombre,idioma,fecha\n"
               "ana@example.com,Ana,Español,01/03/2026\n"
               "bea@example.com,Bea,es,01/03/2026\n"
               "cris@example.com,Cris,English,01/03/2026\n")
    with sqlite3.connect(tmp_path / "leadloop.db") as db:
        db.execute("UPDATE leads SET locale = 'zz' WHERE email = 'bea@example.com'")
    result = run("--now", NOW, "send", "--yes")
    assert result.exit_code == 1
    assert one_line(result).startswith(
        'warning: bea@example.com: its locale cannot choose templates: language "zz"')
    assert sorted(smtp_server.recipients()) == ["ana@example.com", "cris@example.com"]
    by_address = {m.rcpt_tos[0]: m.message for m in smtp_server.messages}
    assert by_address["ana@example.com"]["Subject"] != by_address["cris@example.com"]["Subject"]
    assert states(run, "bea@example.com") == ["failed"]


def test_a_template_that_fails_for_everyone_still_stops_the_run(tmp_path, run, smtp_server):
    write_config(tmp_path, smtp_server)
    write_template(tmp_path, "es/info.txt",
                   "Subject: Hola\n\n{% if plazos is defined %}{{ 1 // (plazos|int) }}{% endif %}"
                   "{{ oferta_especial }}\n")
    import_csv(run, tmp_path,
               "email,fecha,plazos\nana@example.com,01/03/2026,0\nbea@example.com,01/03/2026,2\n")
    result = run("--now", NOW, "run-daily")
    assert result.exit_code == 2
    line = one_line(result)
    assert "templates/es/info.txt:3" in line and "oferta_especial" in line, "the template's fault"
    assert smtp_server.count == 0
    assert states(run, "ana@example.com") == [] and states(run, "bea@example.com") == []
    assert len(json.loads(run("--now", NOW, "due", "--json").stdout)) == 2


def test_dry_run_names_the_lead_that_would_fail_and_lists_the_others(tmp_path, run, smtp_server):
    write_config(tmp_path, smtp_server)
    import_csv(run, tmp_path, "email,fecha\nana@example.com,01/03/2026\nbea@example.com,01/03/2026\n")
    with sqlite3.connect(tmp_path / "leadloop.db") as db:
        db.execute("UPDATE leads SET locale = 'Klingon' WHERE email = 'ana@example.com'")
    result = run("--now", NOW, "send", "--dry-run")
    assert result.exit_code == 0
    assert one_line(result).startswith("warning: would fail: ana@example.com: ")
    assert "would send info (step 0) to bea@example.com" in result.stdout
    assert smtp_server.count == 0 and states(run, "ana@example.com") == []
