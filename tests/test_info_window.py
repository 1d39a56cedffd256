"""An imported list's info packs wait for the send window (issue #27 item 4):
`info_anytime` answers a request just made, within `[cadence] info_anytime_within`
(24 hours by default); an older request's info pack goes inside the window, and `due`,
`due --all`, the held-back forecast and `send` agree on it."""

import json

import pytest

from leadloop.cadence import info_goes_anytime
from leadloop.config import load_config

SATURDAY_NIGHT = "2026-03-07T03:31"   # Europe/Madrid: the window opens on Monday 09:00
MONDAY = "2026-03-09T09:00"
OLD = "email,nombre,fecha\nvieja@tienda.es,Ana Vieja,01/03/2026 10:00\n"


def ok(result):
    assert result.exit_code == 0, result.stdout + result.stderr
    return result


@pytest.mark.bare_folder
def test_an_old_request_imported_at_night_waits_for_the_window(run, tmp_path):
    (tmp_path / "leads.csv").write_text(OLD, encoding="utf-8")
    ok(run("init", "."))
    ok(run("--now", SATURDAY_NIGHT, "import", "leads.csv"))
    due = ok(run("--now", SATURDAY_NIGHT, "due"))
    assert "vieja@tienda.es" not in due.stdout
    assert "1 due message waits for the send window" in " ".join(due.stderr.split())
    planned = json.loads(ok(run("--now", SATURDAY_NIGHT, "due", "--all", "--json")).stdout)
    assert [(p["email"], p["expected_on"]) for p in planned] == [("vieja@tienda.es", "2026-03-09")]
    sent = ok(run("--now", SATURDAY_NIGHT, "send", "--yes"))
    assert "Nothing goes now." in sent.stdout

    # A request made just now is answered at once, the same night.
    ok(run("--now", SATURDAY_NIGHT, "add", "nueva@tienda.es", "--name", "Eva Nueva"))
    due = ok(run("--now", SATURDAY_NIGHT, "due", "--json"))
    assert [item["email"] for item in json.loads(due.stdout)] == ["nueva@tienda.es"]
    sent = ok(run("--now", SATURDAY_NIGHT, "send", "--yes"))
    assert "1 written to the outbox" in sent.stdout
    assert json.loads(ok(run("show", "vieja@tienda.es", "--json")).stdout)["messages"] == []

    # Monday morning, the window opens: the old request's info pack goes.
    due = ok(run("--now", MONDAY, "due", "--json"))
    assert [item["email"] for item in json.loads(due.stdout)] == ["vieja@tienda.es"]
    assert "1 written to the outbox" in ok(run("--now", MONDAY, "send", "--yes")).stdout


@pytest.mark.bare_folder
def test_info_anytime_within_is_configurable(run, tmp_path):
    (tmp_path / "leads.csv").write_text(OLD, encoding="utf-8")
    ok(run("init", "."))
    config = tmp_path / "leadloop.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'info_anytime_within = "24 hours"', 'info_anytime_within = "10 days"'), encoding="utf-8")
    ok(run("--now", SATURDAY_NIGHT, "import", "leads.csv"))
    due = ok(run("--now", SATURDAY_NIGHT, "due", "--json"))
    assert [item["email"] for item in json.loads(due.stdout)] == ["vieja@tienda.es"]


def test_the_span_is_measured_from_the_request(tmp_path):
    from datetime import datetime, timezone

    rules = load_config(None).cadence
    now = datetime(2026, 3, 7, 2, 31, tzinfo=timezone.utc)
    assert info_goes_anytime(datetime(2026, 3, 6, 2, 31, tzinfo=timezone.utc), now, rules)
    assert not info_goes_anytime(datetime(2026, 3, 6, 2, 30, tzinfo=timezone.utc), now, rules)
    (tmp_path / "off.toml").write_text("[cadence]\ninfo_anytime = false\n", encoding="utf-8")
    assert not info_goes_anytime(now, now, load_config(tmp_path / "off.toml").cadence)


@pytest.mark.bare_folder
def test_serve_sends_at_night_only_what_was_just_asked(run, tmp_path):
    """store.due_info (what `serve` sends at once) follows the same rule as `send`."""
    from datetime import datetime, timezone

    from leadloop.store import Store

    (tmp_path / "leads.csv").write_text(OLD, encoding="utf-8")
    ok(run("init", "."))
    ok(run("--now", SATURDAY_NIGHT, "import", "leads.csv"))
    ok(run("--now", SATURDAY_NIGHT, "add", "nueva@tienda.es"))
    config = load_config(tmp_path / "leadloop.toml")
    store = Store.open(config.database_path, config.cadence)
    try:
        ids = [row[0] for row in store.conn.execute("SELECT id FROM leads")]
        night = datetime(2026, 3, 7, 2, 31, tzinfo=timezone.utc)
        assert [item.lead["email"] for item in store.due_info(ids, night)] == ["nueva@tienda.es"]
        monday = datetime(2026, 3, 9, 8, 0, tzinfo=timezone.utc)
        assert sorted(item.lead["email"] for item in store.due_info(ids, monday)) == [
            "nueva@tienda.es", "vieja@tienda.es"]
    finally:
        store.close()
