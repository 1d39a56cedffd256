"""An erased lead still counts in stats by what it did before its erasure (SPEC §8,
§10): forgetting a customer or a lead who answered, or the give-up sweep erasing silent
leads, moves none of the conversion, reply or contacts-before-buying figures; the funnel
says how many inquiries are erased. m014 gives a database an earlier release left the
status its erased leads had, from what erasure kept. Through the CLI, on real SQLite files
and a real Maildir."""

import json
import shutil
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from test_inbox import Maildir, mail

FIXTURES = Path(__file__).parent / "fixtures" / "orders"
# Ana buys (shopify.csv's #1001), Luis answers by mail, Marta is marked replied by hand,
# Pablo and Elena never answer. Marta sent Ana.
LEADS = ("email,name,product,requested_at,referred_by\n"
         "ana.ruiz@example.org,Ana Ruiz,Curso de yoga,2026-03-02 10:00,marta.sanz@example.org\n"
         "luis.gil@example.org,Luis Gil,Curso de yoga,2026-03-02 10:00,\n"
         "marta.sanz@example.org,Marta Sanz,Curso de yoga,2026-03-02 10:00,\n"
         "pablo.ortiz@example.org,Pablo Ortiz,Curso de yoga,2026-03-02 10:00,\n"
         "elena.vidal@example.org,Elena Vidal,Curso de yoga,2026-03-02 10:00,\n")
# What erasure may change in `stats --json`: the counts of statuses and of erased leads.
ERASURE_COUNTS = ("leads_by_status", "erased", "warnings")


def stats(run, now) -> dict:
    result = run("--now", now, "stats", "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def figures(document: dict) -> dict:
    """Everything but the counts erasure moves: conversion, replies, contacts before buying,
    referrals, orders, rates."""
    kept = {key: value for key, value in document.items() if key not in ERASURE_COUNTS}
    kept["funnel"] = {key: value for key, value in document["funnel"].items() if key != "erased"}
    return kept


def history(run, tmp_path):
    (tmp_path / "leadloop.toml").write_text('[inbox]\nmaildir = "mail"\n', encoding="utf-8")
    box = Maildir(tmp_path / "mail")
    (tmp_path / "leads.csv").write_text(LEADS, encoding="utf-8")
    assert run("--now", "2026-03-02T10:00", "import", "leads.csv").exit_code == 0
    assert run("--now", "2026-03-02T10:00", "run-daily", "--quiet").exit_code == 0
    box.deliver(mail("luis.gil@example.org", "Re: Curso de yoga", "¿Cuánto cuesta?"))
    result = run("--now", "2026-03-05T10:00", "inbox")
    assert result.exit_code == 0, result.stderr
    assert run("--now", "2026-03-06T10:00", "mark", "marta.sanz@example.org", "replied").exit_code == 0
    shutil.copy(FIXTURES / "shopify.csv", tmp_path / "shopify.csv")
    assert run("--now", "2026-03-21T10:00", "import", "--orders", "shopify.csv").exit_code == 0


def next_run(run, now: datetime) -> datetime:
    """When run-daily next has something to do: the next message due, else past the
    reply grace after the last (the give-up)."""
    due = json.loads(run("--now", now.isoformat(timespec="minutes"), "due", "--all", "--json").stdout)
    if due:
        return max(now + timedelta(minutes=1),
                   min(datetime.fromisoformat(row["due_at"]).replace(tzinfo=None) for row in due))
    return now + timedelta(days=31)


def sweep(run, now: datetime) -> tuple[dict, dict, str]:
    """run-daily from `now` until a run erases someone (the give-up sweep): stats before
    and after that run, and when it ran."""
    for _ in range(40):
        stamp = now.isoformat(timespec="minutes")
        before = stats(run, stamp)
        assert run("--now", stamp, "run-daily", "--quiet").exit_code == 0
        after = stats(run, stamp)
        if after["erased"] > before["erased"]:
            return before, after, stamp
        now = next_run(run, now)
    raise AssertionError("no run erased anyone")


def forget(run, now, *emails):
    for email in emails:
        result = run("--now", now, "forget", email)
        assert result.exit_code == 0, result.stderr


def test_forgetting_a_customer_and_those_who_answered_keeps_every_figure(run, tmp_path):
    history(run, tmp_path)
    before = stats(run, "2026-03-22T10:00")
    assert figures(before)["funnel"] == {"inquiries": 5, "info_sent": 5, "followed_up": 0,
                                         "replied": 3, "customers": 1}
    assert before["contacts_before_buying"] == {"1": 1}
    assert before["referrals"] == [{"referrer": "marta.sanz@example.org", "referred": 1, "customers": 1}]

    # The referrer first: its referral is then kept by its row id (referrer_erased_id),
    # which erasing the referred customer leaves.
    forget(run, "2026-03-22T10:00", "marta.sanz@example.org", "luis.gil@example.org",
           "ana.ruiz@example.org")
    after = stats(run, "2026-03-22T10:00")
    # The referrer's address is gone (SPEC §10); its customer stays its own.
    assert after["referrals"] == [{"referrer": None, "referred": 1, "customers": 1}]
    before["referrals"][0]["referrer"] = None
    assert figures(after) == figures(before)
    assert after["funnel"]["erased"] == after["erased"] == 3
    # The one customer left by status is shopify.csv's buyer who never asked (no inquiry).
    assert after["leads_by_status"]["erased"] == 3 and after["leads_by_status"]["customer"] == 1
    step0 = after["by_step"][0]
    assert (step0["replies"], step0["customers"], step0["conversion_rate"]) == (3, 1, 0.2)
    # On a terminal too: bought 1 of 5, and the erased apart.
    lines = run("--now", "2026-03-22T10:00", "stats").stdout.splitlines()
    assert any(line.strip().startswith("bought") and "1 (20%)" in line for line in lines)
    assert any(line.strip().startswith("erased since") and "3 (60%)" in line for line in lines)


def test_the_give_up_sweep_erasing_silent_leads_moves_no_figure(run, tmp_path):
    """Pablo and Elena get the whole sequence and are erased when given up; the run that
    erases them changes only the erased counts, and the customer and answers forgotten
    before stay counted."""
    history(run, tmp_path)
    forget(run, "2026-03-22T10:00", "ana.ruiz@example.org", "marta.sanz@example.org")
    before, after, _ = sweep(run, datetime(2026, 3, 22, 10, 0))
    assert figures(after) == figures(before)
    assert after["erased"] == 4 and after["funnel"].get("erased") == 4
    assert after["funnel"]["customers"] == 1 and after["funnel"]["replied"] == 3
    assert after["contacts_before_buying"] == {"1": 1}
    assert after["leads_by_status"] == {"active": 0, "replied": 1, "customer": 1, "lost": 0,
                                        "unsubscribed": 0, "bounced": 0, "erased": 4}


def test_m014_recovers_what_erased_leads_were_from_what_erasure_kept(run, tmp_path):
    """A database as the release before m014 left it (no erased_from columns; its erased
    leads' status overwritten): the customer by an order, the answer by mail and the
    silent leads given up get their status back; the lead marked replied by hand has
    nothing left that says so and stays only erased."""
    from leadloop.migrations import migrate

    history(run, tmp_path)
    forget(run, "2026-03-22T10:00", "ana.ruiz@example.org", "luis.gil@example.org",
           "marta.sanz@example.org")
    now = datetime(2026, 3, 22, 10, 0)
    for _ in range(40):
        if stats(run, now.isoformat(timespec="minutes"))["erased"] == 5:
            break
        assert run("--now", now.isoformat(timespec="minutes"), "run-daily", "--quiet").exit_code == 0
        now = next_run(run, now)
    stamp = now.isoformat(timespec="minutes")
    expected = stats(run, stamp)
    conn = sqlite3.connect(tmp_path / "leadloop.db", isolation_level=None)
    kept = conn.execute("SELECT id, erased_from, erased_from_at FROM leads WHERE status = 'erased' ORDER BY id").fetchall()
    assert [row[1] for row in kept] == ["customer", "replied", "replied", "active", "active"]
    conn.execute("ALTER TABLE leads DROP COLUMN erased_from")
    conn.execute("ALTER TABLE leads DROP COLUMN erased_from_at")
    conn.execute("DELETE FROM _migrations WHERE name = 'm014_erasedfunnel_erased_from'")
    conn.close()

    migrated = stats(run, stamp)  # migrated first
    conn = sqlite3.connect(tmp_path / "leadloop.db", isolation_level=None)
    recovered = conn.execute("SELECT id, erased_from, erased_from_at FROM leads WHERE status = 'erased' ORDER BY id").fetchall()
    assert recovered[:2] == kept[:2]  # Ana's order, Luis's reply: status and since when
    assert recovered[2][1:] == (None, None)  # Marta's hand mark left no trace
    assert [row[1] for row in recovered[3:]] == ["active", "active"]
    # Only Marta's answer is lost: the rest is as erasure now keeps it.
    assert migrated["funnel"] == {**expected["funnel"], "replied": 2}
    assert migrated["contacts_before_buying"] == expected["contacts_before_buying"] == {"1": 1}
    assert migrated["referrals"] == expected["referrals"]
    # Run again, it recovers the same.
    conn.execute("UPDATE leads SET erased_from = NULL, erased_from_at = NULL")
    conn.execute("ALTER TABLE leads DROP COLUMN erased_from")
    conn.execute("ALTER TABLE leads DROP COLUMN erased_from_at")
    conn.execute("DELETE FROM _migrations WHERE name = 'm014_erasedfunnel_erased_from'")
    migrate(conn)
    assert conn.execute("SELECT id, erased_from, erased_from_at FROM leads WHERE status = 'erased' ORDER BY id").fetchall() == recovered
    conn.close()
