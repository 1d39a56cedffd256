"""Migrations run once, record themselves, and leave the expected tables."""

import sqlite3

from leadloop.migrations import MIGRATIONS, migrate, pending


def test_fresh_database_gets_every_migration_once(tmp_path):
    conn = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    migrate(conn)
    migrate(conn)
    names = [row[0] for row in conn.execute("SELECT name FROM _migrations")]
    assert names == [m.__name__ for m in MIGRATIONS]
    assert pending(conn) == []
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"leads", "messages", "events", "suppressions", "meta"} <= tables


def test_messages_are_unique_per_lead_and_step(tmp_path):
    conn = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    migrate(conn)
    conn.execute("INSERT INTO leads (id, email, requested_at, status, status_at, created_at, "
                 "updated_at) VALUES (1, 'a@example.com', 'x', 'active', 'x', 'x', 'x')")
    conn.execute("INSERT INTO messages (lead_id, step, template, state) VALUES (1, 0, 'info', 'claimed')")
    try:
        conn.execute("INSERT INTO messages (lead_id, step, template, state) VALUES (1, 0, 'info', 'claimed')")
    except sqlite3.IntegrityError:
        return
    raise AssertionError("a second claim of the same (lead, step) was accepted")


def test_a_database_with_the_older_digest_of_the_rules_is_not_refreshed(tmp_path, run):
    import sqlite3

    from leadloop.config import load_config
    from leadloop.store import Store

    assert run("--now", "2026-03-02T10:00", "add", "ana@example.com").exit_code == 0
    rules = load_config(None).cadence
    db = tmp_path / "leadloop.db"
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'cadence'", (rules.legacy_fingerprint(),))
        # A marker a refresh would overwrite: it proves no lead was recomputed.
        conn.execute("UPDATE leads SET next_due_at = '2030-01-01T00:00:00+00:00'")
    Store.open(db, rules).close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key = 'cadence'").fetchone()[0] == rules.fingerprint()
        assert conn.execute("SELECT next_due_at FROM leads").fetchone()[0] == "2030-01-01T00:00:00+00:00"
