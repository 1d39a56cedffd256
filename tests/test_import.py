"""Import of real spreadsheets: encodings, delimiters, aliases, dates, rejects, upsert,
suppression. Every file is written by the test, byte for byte."""

import json
from pathlib import Path

import pytest


@pytest.fixture(autouse=True, params=["read-in-process", "read-in-a-child"])
def reader(request, monkeypatch):
    """Every test here runs twice: a big file is read by a forked child process
    (forked.py), a small one in the importing process; both must behave alike."""
    from leadloop import importer

    if request.param == "read-in-a-child":
        monkeypatch.setattr(importer, "PARALLEL_FROM_BYTES", 0)
    return request.param


def leads(run):
    return {lead["email"]: lead for lead in json.loads(run("leads", "--json").stdout)}


def summary(result):
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_excel_on_spanish_windows_cp1252_semicolons_spanish_headers(tmp_path, run):
    text = ("Nombre;Apellidos;Correo electrónico;Producto;Fecha de solicitud;Ciudad\r\n"
            "José;Muñoz;jose@example.com;Curso de fotografía (€ 20);14/02/2026 10:30;Cádiz\r\n")
    (tmp_path / "excel.csv").write_bytes(text.encode("cp1252"))
    assert summary(run("import", "excel.csv")) == "1 new, 0 updated, 0 unchanged, 0 suppressed, 0 rejected"
    jose = leads(run)["jose@example.com"]
    assert jose["name"] == "José Muñoz"
    assert jose["product"] == "Curso de fotografía (€ 20)"
    assert jose["requested_at"] == "2026-02-14T10:30:00+01:00"
    assert jose["fields"] == {"ciudad": "Cádiz"}


def test_utf8_with_bom_tabs_and_a_quoted_newline(tmp_path, run):
    text = ('\ufeffemail\tname\tnotes\n'
            'ana@example.com\tAna\t"línea uno\nlínea dos"\n'
            'bad-address\tBea\t\n')
    (tmp_path / "bom.csv").write_bytes(text.encode("utf-8"))
    result = run("import", "bom.csv")
    assert summary(result) == "1 new, 0 updated, 0 unchanged, 0 suppressed, 1 rejected"
    assert "bom.csv:4: invalid address" in result.stderr
    assert leads(run)["ana@example.com"]["fields"] == {"notes": "línea uno línea dos"}


def test_addresses_in_different_case_are_one_lead_and_reimport_changes_nothing(tmp_path, run):
    (tmp_path / "a.csv").write_text("email,name\n Ana@Example.COM ,Ana\nana@example.com,Ana\n",
                                    encoding="utf-8")
    assert summary(run("import", "a.csv")) == "1 new, 0 updated, 1 unchanged, 0 suppressed, 0 rejected"
    assert summary(run("import", "a.csv")) == "0 new, 0 updated, 2 unchanged, 0 suppressed, 0 rejected"
    (tmp_path / "b.csv").write_text("email,name,product\nana@example.com,,Yoga\n", encoding="utf-8")
    assert summary(run("import", "b.csv")) == "0 new, 1 updated, 0 unchanged, 0 suppressed, 0 rejected"
    ana = leads(run)["ana@example.com"]
    assert (ana["name"], ana["product"]) == ("Ana", "Yoga")


def test_crlf_inside_a_name_never_reaches_the_store(tmp_path, run):
    (tmp_path / "h.csv").write_bytes(b'email,name\nana@example.com,"Ana\r\nBcc: x@evil.test\x00"\n')
    assert summary(run("import", "h.csv")).startswith("1 new")
    assert leads(run)["ana@example.com"]["name"] == "Ana Bcc: x@evil.test"


def test_rejects_are_reported_with_line_and_reason_and_written_to_a_file(tmp_path, run):
    rows = "".join(f"bad{n}@,Nombre {n},01/02/2026\n" for n in range(25))
    (tmp_path / "r.csv").write_text("email,name,fecha\nok@example.com,Ok,31/02/2026\n"
                                    "fine@example.com,Fine,01/02/2026\n" + rows, encoding="utf-8")
    # (On the day after the requests: no warning about old requests among the notes.)
    result = run("--now", "2026-02-02T10:00", "import", "r.csv", "--rejects", "rejects.csv")
    assert summary(result) == "1 new, 0 updated, 0 unchanged, 0 suppressed, 26 rejected"
    messages = result.stderr.strip().splitlines()
    assert messages[0] == 'r.csv:2: unreadable date "31/02/2026"'
    assert len(messages) == 21 and "6 more rejected rows" in messages[-1]
    written = (tmp_path / "rejects.csv").read_text(encoding="utf-8").splitlines()
    assert written[0] == "email,name,fecha,line,reason"
    assert len(written) == 27


def test_month_first_and_day_first(tmp_path, run):
    (tmp_path / "us.csv").write_text("email,date\nana@example.com,02/14/2026\n", encoding="utf-8")
    assert "1 rejected" in summary(run("import", "us.csv", "--no-month-first"))
    assert summary(run("import", "us.csv", "--month-first")).startswith("1 new")
    assert leads(run)["ana@example.com"]["requested_at"].startswith("2026-02-14")


def test_map_product_source_and_json_summary(tmp_path, run):
    (tmp_path / "m.csv").write_text("Dirección,Quién\nana@example.com,Ana\n", encoding="utf-8")
    result = run("import", "m.csv", "--map", "Dirección=email", "--map", "quién=name",
                 "--product", "Yoga", "--source", "Feria", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"new": 1, "updated": 0, "unchanged": 0,
                                         "suppressed": 0, "rejected": 0,
                                         "requested_at_column": None, "stale_info": 0,
                                         "info_recorded": 0, "skipped_lines": 0, "opted_out": 0,
                                         "dates_month_first": False, "code_page": None}
    ana = leads(run)["ana@example.com"]
    assert (ana["name"], ana["product"], ana["source"]) == ("Ana", "Yoga", "Feria")


def test_stdin(tmp_path, run):
    result = run("import", "-", input="email\nana@example.com\n")
    assert summary(result).startswith("1 new")


@pytest.mark.parametrize("content, args, expected", [
    (None, [], "missing.csv: cannot read the file"),
    (b"", [], "empty"),
    (b"nombre,ciudad\nAna,Cadiz\n", [], "no e-mail column found"),
    ("email,name\n" + "ana@example.com,Ana\n" * 3000 + "bea@example.com,B\xe9a\n", ["--encoding", "utf-8"],
     ":3002: cannot decode the bytes as utf-8"),
])
def test_unreadable_files_import_nothing(tmp_path, run, content, args, expected):
    if content is not None:
        data = content if isinstance(content, bytes) else content.encode("latin-1")
        (tmp_path / "missing.csv").write_bytes(data)
    result = run("import", "missing.csv", *args)
    assert result.exit_code == 2
    assert expected in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert json.loads(run("leads", "--json").stdout) == []


@pytest.mark.bare_folder
def test_a_failed_bulk_load_keeps_the_indexes(tmp_path, run):
    """Into an empty table the secondary indexes are rebuilt at the end of the import;
    a file that fails half-way must leave them, and an empty table, as they were."""
    import sqlite3

    def indexes():
        """The indexes, and the journal mode a bulk load changes while it runs."""
        with sqlite3.connect(tmp_path / "leadloop.db") as conn:
            return sorted(row[0] for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'leads'")
            ) + list(conn.execute("PRAGMA journal_mode").fetchone())

    assert run("init").exit_code == 0
    before = indexes()
    assert {"leads_due", "leads_email", "wal"} <= set(before)
    rows = "".join(f"lead{n}@example.com,Lead {n}\n" for n in range(5000))
    (tmp_path / "big.csv").write_bytes(f"email,name\n{rows}bea@example.com,B\xe9a\n".encode("latin-1"))
    assert run("import", "big.csv", "--encoding", "utf-8").exit_code == 2
    assert indexes() == before
    assert json.loads(run("leads", "--json").stdout) == []
    (tmp_path / "good.csv").write_text(f"email,name\n{rows}", encoding="utf-8")
    assert summary(run("import", "good.csv")).startswith("5000 new")
    assert indexes() == before


def test_unsubscribed_address_is_suppressed_on_reimport(tmp_path, run):
    (tmp_path / "a.csv").write_text("email\nana@example.com\n", encoding="utf-8")
    assert run("import", "a.csv").exit_code == 0
    assert run("mark", "ana@example.com", "unsubscribed").exit_code == 0
    assert summary(run("import", "a.csv")) == "0 new, 0 updated, 0 unchanged, 1 suppressed, 0 rejected"
    assert run("forget", "ana@example.com").exit_code == 0
    (tmp_path / "later.csv").write_text("email,fecha\nana@example.com,01/01/2099\n", encoding="utf-8")
    assert "1 suppressed" in summary(run("import", "later.csv"))


def test_info_sent_column_starts_the_cadence_from_there(tmp_path, run):
    (tmp_path / "s.csv").write_text("email,fecha,info_sent_at\nana@example.com,01/01/2026,05/01/2026\n",
                                    encoding="utf-8")
    assert run("import", "s.csv").exit_code == 0
    ana = leads(run)["ana@example.com"]
    assert ana["contacts"] == 1
    assert "2026-03-05" <= ana["next_due_at"][:10] <= "2026-04-06"


# Rows that exercise every rule an import applies: an address three times (the second
# time a repeated inquiry with new values, of which only those the lead lacks are kept,
# the third with nothing new), an info pack already sent and the
# same address again, erased addresses with an older and a newer inquiry, an unsubscribed
# one that was then erased, custom fields and a zone that moves the cadence.
EVERY_RULE = (
    "email,name,producto,timezone,info_sent_at,fecha,ciudad,idioma,referido por\n"
    " Ana@Example.COM ,Ana,Yoga,,,01/03/2026,,ES,Fede@example.com\n"
    "bea@example.com,Bea,,,05/01/2026,01/01/2026,Cádiz,,\n"
    "ana@example.com,,Pilates,America/Mexico_City,,02/03/2026,Sevilla,,\n"
    "ANA@example.com,Ana,Pilates,,,,,,\n"
    "bea@example.com,Beatriz,,,,,,en,\n"
    "carla@example.com,Carla,,,,01/01/2025,,,\n"
    "dora@example.com,Dora,,,,01/06/2026,,,\n"
    "eva@example.com,Eva,,,,01/06/2026,,,\n"
    "fede@example.com,Fede,Yoga,,,01/06/2026,,,\n"
    "gil@example.com,Gil,,,,01/06/2026,,,not-an-address\n"
)


def _erase_some(run):
    """carla and dora erased on 2026-04-01; eva unsubscribed, then erased."""
    people = "".join(f"{who}@example.com\n" for who in ("carla", "dora", "eva"))
    Path("old.csv").write_text(f"email\n{people}", encoding="utf-8")
    assert run("--now", "2026-01-01T09:00", "import", "old.csv").exit_code == 0
    assert run("--now", "2026-03-01T09:00", "mark", "eva@example.com", "unsubscribed").exit_code == 0
    for who in ("carla", "dora", "eva"):
        assert run("--now", "2026-04-01T09:00", "forget", f"{who}@example.com").exit_code == 0


PLAIN = (  # only the columns most files have: the bulk path binds fewer values
    "email,name,producto,origen,fecha\n"
    "ana@example.com,Ana,Yoga,Radio,01/03/2026 10:15\n"
    "bea@example.com,Bea,,,\n"
    "ANA@example.com,Ana María,,Feria,02/03/2026\n"
    "carla@example.com,Carla,Yoga,,01/01/2025\n"
    "dora@example.com,,,,01/06/2026 23:59\n"
)


@pytest.mark.parametrize("content", [EVERY_RULE, PLAIN], ids=["every-rule", "plain"])
def test_a_first_import_into_an_empty_store_equals_an_upsert(tmp_path, run, monkeypatch, content):
    """The first import of a file takes the bulk path (no look-ups, indexes built at the
    end, duplicates folded afterwards); it must end exactly where the row-by-row upsert
    into a store that already has a lead ends."""
    results = {}
    for path in ("bulk", "upsert"):
        monkeypatch.setenv("LEADLOOP_DB", str(tmp_path / f"{path}.db"))
        _erase_some(run)
        if path == "upsert":
            (tmp_path / "zed.csv").write_text("email\nzed@example.com\n", encoding="utf-8")
            assert run("--now", "2026-06-02T09:00", "import", "zed.csv").exit_code == 0
        (tmp_path / "every.csv").write_text(content, encoding="utf-8")
        result = run("--now", "2026-06-02T10:00", "import", "every.csv")
        # A follow-up's time is spread by a per-database secret: only its step compares.
        stored = {email: {k: v for k, v in lead.items()
                          if k != "id" and not (k == "next_due_at" and lead["next_step"])}
                  for email, lead in leads(run).items() if email != "zed@example.com"}
        results[path] = (summary(result), stored)
    assert results["bulk"] == results["upsert"]
    line, stored = results["bulk"]
    if content is PLAIN:
        assert line == "3 new, 1 updated, 0 unchanged, 1 suppressed, 0 rejected"
        # The repeat (SPEC §5): the first request's name and source stay.
        assert (stored["ana@example.com"]["name"], stored["ana@example.com"]["source"]) == (
            "Ana", "Radio")
        assert stored["bea@example.com"]["requested_at"] == "2026-06-02T10:00:00+02:00"
        return
    assert line == "4 new, 2 updated, 1 unchanged, 2 suppressed, 1 rejected"
    assert sorted(stored) == ["ana@example.com", "bea@example.com", "dora@example.com",
                              "fede@example.com"]
    ana, bea = stored["ana@example.com"], stored["bea@example.com"]
    assert (ana["name"], ana["product"], ana["timezone"]) == ("Ana", "Yoga", "America/Mexico_City")
    assert ana["fields"] == {"ciudad": "Sevilla"}
    assert (bea["name"], bea["contacts"], bea["fields"]) == ("Bea", 1, {"ciudad": "Cádiz"})
    assert (ana["locale"], ana["referred_by"], bea["locale"]) == ("es", "fede@example.com", "en")


@pytest.mark.bare_folder
def test_a_first_import_beside_another_open_connection_keeps_wal(tmp_path, run):
    """The bulk load switches to the rollback journal only when it has the database
    alone; beside a reader it loads in WAL, without waiting for the reader."""
    import sqlite3

    assert run("init").exit_code == 0
    reader = sqlite3.connect(tmp_path / "leadloop.db", isolation_level=None)
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM leads").fetchone() == (0,)
    try:
        (tmp_path / "a.csv").write_text("email\nana@example.com\nbea@example.com\n", encoding="utf-8")
        assert summary(run("import", "a.csv")).startswith("2 new")
        assert reader.execute("SELECT count(*) FROM leads").fetchone() == (0,)  # its snapshot
        assert reader.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        reader.close()
    assert len(leads(run)) == 2


def test_without_info_packs_each_lead_gets_its_own_first_follow_up_time(tmp_path, run):
    """With send_info off the first message is a follow-up, spread over its window by
    the lead's id: leads asking at the same minute must not all be due at once."""
    (tmp_path / "leadloop.toml").write_text("[cadence]\nsend_info = false\n", encoding="utf-8")
    rows = "".join(f"lead{n}@example.com,02/03/2026 10:00\n" for n in range(6))
    (tmp_path / "a.csv").write_text(f"email,fecha\n{rows}", encoding="utf-8")
    assert summary(run("import", "a.csv")).startswith("6 new")
    stored = leads(run).values()
    assert {lead["next_step"] for lead in stored} == {1}
    assert len({lead["next_due_at"] for lead in stored}) == 6
    assert all("2026-05-02" <= lead["next_due_at"][:10] <= "2026-06-03" for lead in stored)


def test_dates_out_of_range_are_rejected_not_crashed_on(tmp_path, run):
    """A typo'd year must not reach the cadence, whose arithmetic would overflow."""
    (tmp_path / "y.csv").write_text(
        "email,fecha\nana@example.com,01/01/0001 00:30\nbea@example.com,31/12/9999 23:59\n"
        "cris@example.com,14/02/2026 10:30\n", encoding="utf-8")
    result = run("import", "y.csv")
    assert summary(result) == "1 new, 0 updated, 0 unchanged, 0 suppressed, 2 rejected"
    assert 'y.csv:2: date "01/01/0001 00:30" is out of range (years 1900–2199)' in result.stderr
    assert list(leads(run)) == ["cris@example.com"]
    added = run("add", "dan@example.com", "--requested-at", "0202-02-14")
    assert added.exit_code == 2
    assert added.stderr.strip() == 'error: --requested-at: "0202-02-14" is out of range (years 1900–2199)'


def test_a_file_that_mixes_utf8_and_windows_1252_names_the_line(tmp_path, run):
    """Detection decides at the first megabyte with accented text (UTF-8 here); a
    Windows-1252 byte further on is an error naming its line, and nothing is imported."""
    rows = "".join(f"lead{n}@example.com,Lead {n}\n" for n in range(45_000))
    data = ("email,name\nana@example.com,Ana Peña\n" + rows).encode("utf-8") + "bea@example.com,Béa\n".encode("cp1252")
    (tmp_path / "mixed.csv").write_bytes(data)
    result = run("import", "mixed.csv")
    assert result.exit_code == 2
    assert result.stderr.strip() == ("error: mixed.csv:45003: cannot decode the bytes as utf-8 "
                                     "(use --encoding)")
    assert json.loads(run("leads", "--json").stdout) == []
    assert summary(run("import", "mixed.csv", "--encoding", "cp1252")).startswith("45002 new")


def test_the_core_reports_progress_through_a_callback_and_draws_nothing(tmp_path):
    """STYLE.md: the importer knows no terminal; the CLI draws the bar from (position,
    total) reports, which climb to the whole file."""
    from leadloop.clock import parse_instant
    from leadloop.config import load_config
    from leadloop.importer import run_import
    from leadloop.store import Store

    rows = "".join(f"lead{n:05d}@example.com,Lead {n},02/03/2026\n" for n in range(12_000))
    path = tmp_path / "leads.csv"
    path.write_text("email,nombre,fecha\n" + rows, encoding="utf-8")
    config = load_config(None)
    store = Store.open(tmp_path / "leadloop.db", config.cadence)
    heard = []
    try:
        report, _, _ = run_import(store, config, str(path), parse_instant("2026-03-02T10:00", "UTC"),
                                  on_progress=lambda position, total: heard.append((position, total)))
    finally:
        store.close()
    assert report.new == 12_000
    assert len(heard) >= 2, "one report per batch"
    positions = [position for position, _ in heard]
    assert positions == sorted(positions)
    assert heard[-1][0] == heard[-1][1] == path.stat().st_size
