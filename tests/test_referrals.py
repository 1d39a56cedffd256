"""Referrals outlive the referrer's erasure (issue #28 item 2, SPEC §9, §10): stats still
count whom an erased lead referred, without naming it, and `show` on a lead it referred
says so."""

from __future__ import annotations

import json
import sqlite3

LEADS = """email,nombre,producto,fecha,referido por
ana@example.com,Ana Referente,Curso,05/01/2026,
bea@example.com,Bea,Curso,05/01/2026,ana@example.com
carla@example.com,Carla,Curso,05/01/2026,ana@example.com
dani@example.com,Dani,Curso,05/01/2026,bea@example.com
"""


def imported(tmp_path, run):
    assert run("init").exit_code == 0
    (tmp_path / "leads.csv").write_text(LEADS, encoding="utf-8")
    assert run("--now", "2026-01-06T10:00", "import", "leads.csv").exit_code == 0
    assert run("--now", "2026-01-07T10:00", "mark", "bea@example.com", "customer").exit_code == 0


def check_after_erasure(run):
    stats = run("--now", "2026-01-09T10:00", "stats", "--json")
    assert stats.exit_code == 0, stats.stderr
    assert "ana@" not in stats.stdout and "Referente" not in stats.stdout
    assert json.loads(stats.stdout)["referrals"] == [
        {"referrer": None, "referred": 2, "customers": 1},
        {"referrer": "bea@example.com", "referred": 1, "customers": 0},
    ]
    shown = run("show", "carla@example.com")
    assert shown.exit_code == 0, shown.stderr
    assert "referred by a lead who was erased" in shown.stdout and "ana@" not in shown.stdout
    document = json.loads(run("show", "carla@example.com", "--json").stdout)
    assert document["referred_by"] is None and document["referred_by_erased"] is True
    dani = json.loads(run("show", "dani@example.com", "--json").stdout)
    assert dani["referred_by"] == "bea@example.com" and dani["referred_by_erased"] is False
    assert "ana@" not in run("export").stdout


def test_an_erased_referrer_still_counts_without_being_named(tmp_path, run):
    imported(tmp_path, run)
    assert run("--now", "2026-01-08T10:00", "forget", "ana@example.com").exit_code == 0
    check_after_erasure(run)
    text = run("--now", "2026-01-09T10:00", "stats")
    assert text.exit_code == 0 and "(a lead who was erased)" in text.stdout


def test_a_lead_referred_by_a_living_lead_says_by_whom(tmp_path, run):
    imported(tmp_path, run)
    shown = run("show", "carla@example.com")
    assert "referred_by: ana@example.com" in shown.stdout


def test_a_database_from_before_keeps_its_referral_links_through_the_upgrade(tmp_path, run):
    imported(tmp_path, run)
    # As the release before this one left it: no column, no record of the migration.
    with sqlite3.connect(tmp_path / "leadloop.db") as conn:
        # ... nor the later migrations' indexes (m009 indexes the column).
        for index in ("leads_referred_by", "leads_referrer_erased", "events_complaints"):
            conn.execute(f"DROP INDEX {index}")
        conn.execute("ALTER TABLE leads DROP COLUMN referrer_erased_id")
        conn.execute("DELETE FROM _migrations WHERE name IN ('m004_loose_referrer_erased', "
                     "'m010_polish_referred_by_index')")
    assert run("--now", "2026-01-08T10:00", "forget", "ana@example.com").exit_code == 0
    check_after_erasure(run)
