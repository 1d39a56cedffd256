"""A repeated inquiry (issue #27 item 10, SPEC §5): the address twice in one file, or
again in a later file with another request date. The first request's date and source
stay, the repeat is in the timeline, only fields the lead lacks are filled; importing
the same file again changes nothing."""

import json

import pytest

WEB_EXPORT = ("email,name,producto,origen,fecha,telefono\n"
              "ana@example.com,Ana Gil,Yoga,Facebook,01/03/2026 10:00,\n"
              "bea@example.com,Bea,,,02/03/2026 09:00,\n"
              "ANA@example.com,ANA GIL PÉREZ,Pilates,Web,05/03/2026 12:00,600111222\n")


def show(run, address):
    result = run("--now", "2026-03-10T10:00", "show", address, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("store", ["empty", "with-leads"])
def test_an_address_twice_in_one_file_is_a_second_request(tmp_path, run, store):
    if store == "with-leads":  # the row-by-row upsert rather than the bulk load
        (tmp_path / "zed.csv").write_text("email\nzed@example.com\n", encoding="utf-8")
        assert run("--now", "2026-03-01T09:00", "import", "zed.csv").exit_code == 0
    (tmp_path / "web.csv").write_text(WEB_EXPORT, encoding="utf-8")
    first = run("--now", "2026-03-10T10:00", "import", "web.csv")
    assert first.exit_code == 0, first.stderr
    assert first.stdout.strip().splitlines()[-1] == (
        "2 new, 1 updated, 0 unchanged, 0 suppressed, 0 rejected")
    ana = show(run, "ana@example.com")
    assert (ana["name"], ana["product"], ana["source"]) == ("Ana Gil", "Yoga", "Facebook")
    assert ana["requested_at"] == "2026-03-01T10:00:00+01:00"
    assert ana["fields"] == {"telefono": "600111222"}  # a field the lead did not have
    assert ana["events"] == [{"at": "2026-03-05T12:00:00+01:00", "kind": "asked_again",
                              "product": "Pilates", "source": "Web"}]
    words = run("--now", "2026-03-10T10:00", "show", "ana@example.com").stdout
    assert "asked for information about Yoga (from Facebook)" in words
    assert "asked again about Pilates, from Web" in words
    again = run("--now", "2026-03-11T10:00", "import", "web.csv")
    assert again.stdout.strip().splitlines()[-1] == (
        "0 new, 0 updated, 3 unchanged, 0 suppressed, 0 rejected")
    assert len(show(run, "ana@example.com")["events"]) == 1


def test_an_undated_duplicate_in_one_file_fills_only_what_is_missing(tmp_path, run):
    (tmp_path / "list.csv").write_text("email,name,idioma\nana@example.com,Ana,\n"
                                       "ana@example.com,Anita,en\n", encoding="utf-8")
    assert run("--now", "2026-03-10T10:00", "import", "list.csv").exit_code == 0
    ana = show(run, "ana@example.com")
    assert (ana["name"], ana["locale"], ana["events"]) == ("Ana", "en", [])


def test_a_later_file_with_a_new_request_date_is_a_repeat(tmp_path, run):
    (tmp_path / "a.csv").write_text(
        "email,name,origen,fecha\nana@example.com,Ana,Facebook,01/03/2026\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text(
        "email,name,origen,fecha,idioma\nana@example.com,Ana María,Web,08/03/2026,es\n",
        encoding="utf-8")
    assert run("--now", "2026-03-02T10:00", "import", "a.csv").exit_code == 0
    assert run("--now", "2026-03-09T10:00", "import", "b.csv").exit_code == 0
    ana = show(run, "ana@example.com")
    assert (ana["name"], ana["source"], ana["locale"]) == ("Ana", "Facebook", "es")
    assert ana["requested_at"] == "2026-03-01T00:00:00+01:00"
    assert [event["kind"] for event in ana["events"]] == ["asked_again"]
    # A list without dates still updates what it has (SPEC §5: a later file updates).
    (tmp_path / "c.csv").write_text("email,name\nana@example.com,Ana Ruiz\n", encoding="utf-8")
    assert run("--now", "2026-03-09T11:00", "import", "c.csv").exit_code == 0
    assert show(run, "ana@example.com")["name"] == "Ana Ruiz"
