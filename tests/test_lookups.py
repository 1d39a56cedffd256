"""Look-ups about one lead, or about the few referred leads and complaints, go through an
index and never read every lead (m010_polish_referred_by_index): on a million leads a scan
made `show --json` take 3.6x `--version` (bench/RESULTS.md).

Each test runs the command as a user would (CliRunner, a real SQLite file), records every
statement it sends to SQLite, and asks SQLite how it would run each one (EXPLAIN QUERY
PLAN): the statements themselves are the command's, never copies of them here.
"""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

from leadloop.lists import fold

NOW = "2026-01-09T10:00"
LEADS = """email,nombre,producto,fecha,referido por
ana@example.com,Ana Referente,Curso,05/01/2026,
bea@example.com,Bea,Curso,05/01/2026,ana@example.com
carla@example.com,Carla,Curso,06/01/2026,ana@example.com
dani@example.com,Dani,Curso,05/01/2026,bea@example.com
eva@example.com,Eva,Taller,07/01/2026,
"""
# A table read whole: "SCAN leads", "SCAN l", "SCAN e USING INDEX leads_status" (a walk
# of a whole index is as long). A SEARCH reads only the rows a key picks.
WHOLE = re.compile(r"^SCAN (leads|messages|events|l|m|e)\b(?! USING INDEX (events_complaints|leads_referred_by|leads_referrer_erased)\b)")


@pytest.fixture
def statements(monkeypatch):
    """Every SQL statement the command under test runs, as SQLite received it."""
    seen: list[str] = []
    connect = sqlite3.connect

    def traced(*args, **kwargs):
        conn = connect(*args, **kwargs)
        conn.set_trace_callback(seen.append)
        return conn

    monkeypatch.setattr(sqlite3, "connect", traced)
    return seen


@pytest.fixture
def shop(tmp_path, run):
    (tmp_path / "leads.csv").write_text(LEADS, encoding="utf-8")
    assert run("--now", "2026-01-07T10:00", "import", "leads.csv").exit_code == 0
    assert run("--now", "2026-01-07T10:00", "send", "--yes").exit_code == 0
    assert run("--now", "2026-01-08T10:00", "mark", "bea@example.com", "customer").exit_code == 0
    return tmp_path


def plans(db, statements, about: str = "") -> dict[str, list[str]]:
    """statement → its query plan's lines, for the reads and writes that mention `about`."""
    conn = sqlite3.connect(db)
    conn.create_function("leadloop_fold", 1, fold, deterministic=True)
    found = {}
    for sql in statements:
        if sql.split(None, 1)[0].upper() not in ("SELECT", "WITH", "UPDATE", "DELETE") or about not in sql:
            continue
        found[sql] = [row[-1] for row in conn.execute("EXPLAIN QUERY PLAN " + sql)]
    conn.close()
    return found


def whole_reads(found: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(sql, line) for sql, lines in found.items() for line in lines if WHOLE.match(line)]


@pytest.mark.parametrize("json", [True, False])
def test_show_reads_one_lead_without_reading_every_lead(shop, run, statements, json):
    result = run("--now", NOW, "show", "ana@example.com", *(["--json"] if json else []))
    assert result.exit_code == 0, result.stderr
    assert "Carla" in result.stdout  # whom she referred: the look-up ran
    found = plans(shop / "leadloop.db", statements)
    referred = [lines for sql, lines in found.items() if "referred_by =" in sql and "FROM leads" in sql]
    assert referred and all(lines == ["SEARCH leads USING INDEX leads_referred_by (referred_by=?)"]
                            for lines in referred), referred  # index order: no sort either
    assert whole_reads(found) == []


def test_stats_counts_referrers_and_complaints_from_their_indexes(shop, run, statements):
    assert run("--now", NOW, "forget", "ana@example.com").exit_code == 0
    statements.clear()
    result = run("--now", NOW, "stats", "--json")
    assert result.exit_code == 0, result.stderr
    found = plans(shop / "leadloop.db", statements)
    [referrals] = [lines for sql, lines in found.items() if "GROUP BY referred_by" in sql]
    # (the table is `l` there: the erased links are joined to their referrer)
    assert "SEARCH l USING INDEX leads_referred_by (referred_by>?)" in referrals
    assert "SEARCH l USING INDEX leads_referrer_erased (referrer_erased_id>?)" in referrals
    assert "SEARCH r USING INTEGER PRIMARY KEY (rowid=?) LEFT-JOIN" in referrals
    [complaints] = [lines for sql, lines in found.items() if "e.kind = 'complaint'" in sql]
    assert any("USING INDEX events_complaints" in line for line in complaints), complaints


@pytest.mark.parametrize("how", ["forget", "give-up"])
def test_erasing_a_referrer_finds_whom_it_referred_by_the_index(shop, run, statements, how):
    """`forget`, and run-daily's give-up sweep, which erases every lead given up that day:
    a scan of every lead per erasure made 300 give-ups on a million leads take 100 s."""
    if how == "forget":
        result = run("--now", NOW, "forget", "ana@example.com")
    else:
        with sqlite3.connect(shop / "leadloop.db") as conn:
            conn.execute("UPDATE leads SET give_up_at = '2026-01-08T00:00:00+00:00' "
                         "WHERE email = 'ana@example.com'")
        statements.clear()
        result = run("--now", NOW, "run-daily", "--quiet")
    assert result.exit_code == 0, result.stderr
    assert json.loads(run("show", "carla@example.com", "--json").stdout)["referred_by_erased"] is True
    found = plans(shop / "leadloop.db", statements, "WHERE referred_by =")
    assert found and all("USING INDEX leads_referred_by" in " ".join(lines) for lines in found.values())
    assert whole_reads(found) == []


def test_a_database_from_before_gets_the_indexes_and_keeps_its_referrals(shop, run):
    db = shop / "leadloop.db"
    with sqlite3.connect(db) as conn:  # as the release before this one left it
        for name in ("leads_referred_by", "leads_referrer_erased", "events_complaints"):
            conn.execute(f"DROP INDEX {name}")
        conn.execute("DELETE FROM _migrations WHERE name = 'm010_polish_referred_by_index'")
    result = run("--now", NOW, "show", "ana@example.com", "--json")
    assert result.exit_code == 0, result.stderr
    assert "carla@example.com" in result.stdout
    with sqlite3.connect(db) as conn:
        indexes = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"leads_referred_by", "leads_referrer_erased", "events_complaints"} <= indexes


def test_a_first_import_keeps_the_referral_indexes(tmp_path, run):
    """A first import drops the indexes it would insert into at random and builds them
    again at the end (importer._Load); the partial referral indexes stay throughout."""
    rows = "".join(f"lead{i}@example.com,Lead {i},Curso,05/01/2026,"
                   f"{'lead0@example.com' if i % 3 == 0 and i else ''}\n" for i in range(300))
    (tmp_path / "leads.csv").write_text("email,nombre,producto,fecha,referido por\n" + rows,
                                        encoding="utf-8")
    assert run("--now", "2026-01-07T10:00", "import", "leads.csv").exit_code == 0
    with sqlite3.connect(tmp_path / "leadloop.db") as conn:
        indexes = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"leads_referred_by", "leads_referrer_erased"} <= indexes
        assert conn.execute("SELECT count(*) FROM leads INDEXED BY leads_referred_by "
                            "WHERE referred_by = 'lead0@example.com'").fetchone()[0] == 99


LOADED = """
import atexit, json, runpy, sys
atexit.register(lambda: print(json.dumps(sorted(sys.modules)), file=sys.stderr))
sys.argv = ["leadloop"] + sys.argv[1:]
runpy.run_module("leadloop", run_name="__main__")
"""


def test_show_json_does_not_load_the_funnel(shop):
    """Whom a lead referred is one indexed query (referrals.py): `show` no longer loads
    stats.py and what the funnel needs (delivery_status's rules, orders: ~40 ms)."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", LOADED, "--now", NOW, "show", "ana@example.com",
                             "--json"], cwd=shop, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert [lead["email"] for lead in json.loads(result.stdout)["referred"]] == [
        "bea@example.com", "carla@example.com"]
    loaded = set(json.loads(result.stderr.strip().splitlines()[-1]))
    assert "leadloop.referrals" in loaded
    assert not {"leadloop.stats", "leadloop.delivery_status", "leadloop.orders"} & loaded


def test_an_inbox_reading_finds_earlier_reports_alike_by_the_bounce_index(tmp_path, run, statements):
    """Each reading that holds reports of a trouble on the way looks up the earlier
    reports alike (inbox._earlier_alike): through the partial index of bounce events
    (m016), never by reading every lead's events."""
    from test_inbox import Maildir
    from test_inbox_alike import RESOLVER_DOWN, postfix_report

    (tmp_path / "leadloop.toml").write_text(
        '[sender]\nname = "Laura Vidal"\naddress = "laura@lauravidal.es"\n\n[inbox]\nmaildir = "mail"\n',
        encoding="utf-8")
    (tmp_path / "leads.csv").write_text(LEADS, encoding="utf-8")
    assert run("--now", "2026-01-07T10:00", "import", "leads.csv").exit_code == 0
    assert run("--now", "2026-01-07T10:00", "send", "--yes").exit_code == 0
    box = Maildir(tmp_path / "mail")
    box.deliver(postfix_report("ana@example.com", *RESOLVER_DOWN, 1))
    statements.clear()
    result = run("--now", NOW, "inbox")
    assert result.exit_code == 0, result.stderr
    found = plans(tmp_path / "leadloop.db", statements, "json_extract(e.detail, '$.alike') IN")
    assert found and all(any("USING INDEX events_bounces" in line for line in lines)
                         for lines in found.values()), found
    assert whole_reads(found) == []
