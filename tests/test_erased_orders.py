"""Erasing a buyer leaves no order id that names them (SPEC §10): a shop's order id is
the key to the buyer's name and address in the shop. The order keeps what stats count
(its lead's row, without its data, amount, currency, dates, refunds), and its ids become
the suppression's keyed hash, so the shop's export imported again, or a late webhook,
is still the same order, and never brings the buyer back. Through the CLI and a real
serve on 127.0.0.1, on real SQLite files; m013 mends a database an earlier release left."""

import hashlib
import hmac
import json
import shutil
import sqlite3
from pathlib import Path

from test_privacy import database_bytes
from test_serve_hooks import SECRETS, events, fixture, orders, shopify

from cli_checks import import_csv

FIXTURES = Path(__file__).parent / "fixtures" / "orders"
PEOPLE = ["ana.ruiz", "luis.gil", "marta.sanz", "pablo.ortiz", "elena.vidal"]
# Ana's order in shopify.csv: its Name, and its Id (the one a refunds/create names).
ANA_ORDER, ANA_ORDER_ID = "#1001", "5906712887406"


def database(tmp_path):
    return sqlite3.connect(tmp_path / "leadloop.db", isolation_level=None)


def keyed_hash(tmp_path, value: str) -> str:
    """The suppressions' HMAC (Store.address_hash), with the database's own secret."""
    with database(tmp_path) as conn:
        secret = bytes.fromhex(conn.execute("SELECT value FROM meta WHERE key = 'secret'").fetchone()[0])
    return "erased:" + hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()


def stats(run, now="2026-05-02T10:00") -> dict:
    result = run("--now", now, "stats", "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def import_orders(run, tmp_path, name="shopify.csv", now="2026-05-01T10:00"):
    if not (tmp_path / name).exists():
        shutil.copy(FIXTURES / name, tmp_path / name)
    result = run("--now", now, "import", "--orders", name)
    assert result.exit_code == 0, result.stderr
    return result


def leads_with_info_sent(run, tmp_path):
    """Five leads who had their information pack (a contact before buying, for stats)."""
    (tmp_path / "leads.csv").write_text("email,name,product,requested_at\n" + "".join(
        f"{who}@example.org,{who.replace('.', ' ').title()},Curso de yoga,2026-03-02 10:00\n"
        for who in PEOPLE), encoding="utf-8")
    assert run("--now", "2026-03-02T10:00", "import", "leads.csv").exit_code == 0
    assert run("--now", "2026-03-02T10:00", "run-daily", "--quiet").exit_code == 0


def order_rows(tmp_path):
    with database(tmp_path) as conn:
        return conn.execute("SELECT id, source, order_id, platform_id, lead_id, ordered_at, product, "
                            "amount, amount_minor, currency, status, new_buyer, refunded_at "
                            "FROM orders ORDER BY id").fetchall()


def test_forget_keeps_the_order_for_stats_by_the_keyed_hash_of_its_ids(run, tmp_path):
    leads_with_info_sent(run, tmp_path)
    import_orders(run, tmp_path)  # Ana buys #1001; a buyer who never asked, #1005
    before_rows, before = order_rows(tmp_path), stats(run)
    assert before["orders"]["revenue_by_step"] and before["orders"]["buyers"] == 2
    assert ANA_ORDER.encode() in database_bytes(tmp_path)

    result = run("--now", "2026-05-02T10:00", "forget", "ana.ruiz@example.org")
    assert result.exit_code == 0, result.stderr
    data = database_bytes(tmp_path)
    for gone in (ANA_ORDER, ANA_ORDER_ID, "ana.ruiz", "Ana Ruiz"):
        assert gone.encode() not in data, gone
    # Her order's ids are the suppressions' keyed hash; everything else stays, her lead too.
    after_rows = order_rows(tmp_path)
    (ana_before,) = [row for row in before_rows if row[2] == ANA_ORDER]
    (ana_after,) = [row for row in after_rows if row[0] == ana_before[0]]
    assert ana_after[2:4] == (keyed_hash(tmp_path, ANA_ORDER), keyed_hash(tmp_path, ANA_ORDER_ID))
    assert ana_after[:2] + ana_after[4:] == ana_before[:2] + ana_before[4:]
    assert [row for row in after_rows if row != ana_after] == [
        row for row in before_rows if row != ana_before]  # nobody else's order changes
    # Revenue, conversion by contacts before the order, days to purchase: as before.
    assert stats(run)["orders"] == before["orders"]

    # The shop's export again: her order is known (no new customer, no new lead), and the
    # summary counts it with the erased addresses.
    leads = database(tmp_path).execute("SELECT count(*) FROM leads").fetchone()
    again = import_orders(run, tmp_path, now="2026-05-03T10:00")
    assert "0 leads became customers, 0 new buyers" in again.stdout
    assert "1 already imported, 1 of unsubscribed, bounced or erased addresses" in again.stdout
    assert database(tmp_path).execute("SELECT count(*) FROM leads").fetchone() == leads
    assert order_rows(tmp_path) == after_rows
    assert ANA_ORDER.encode() not in database_bytes(tmp_path)
    assert stats(run)["orders"] == before["orders"]


def test_an_order_of_an_erased_address_first_imported_after_the_erasure_keeps_no_id(run, tmp_path):
    """An order the buyer placed before their erasure, first heard after it: recorded for
    no lead (the address stays erased), by its ids' keyed hash; the same file again
    is the same order."""
    leads_with_info_sent(run, tmp_path)
    (tmp_path / "late.csv").write_text(
        "Order ID,Email,Order Date,Total,Currency,Status\n"
        "A-77,luis.gil@example.org,2026-03-03 10:00,\"49,00\",EUR,paid\n", encoding="utf-8")
    assert run("--now", "2026-03-10T10:00", "forget", "luis.gil@example.org").exit_code == 0
    late = import_orders(run, tmp_path, "late.csv")
    assert "1 of unsubscribed, bounced or erased addresses" in late.stdout
    row = database(tmp_path).execute("SELECT order_id, lead_id FROM orders WHERE source = 'file'"
                                     ).fetchone()
    assert row == (keyed_hash(tmp_path, "A-77"), None)
    assert b"A-77" not in database_bytes(tmp_path)
    again = import_orders(run, tmp_path, "late.csv")
    assert "0 already imported, 1 of unsubscribed" in again.stdout
    assert database(tmp_path).execute("SELECT count(*) FROM orders WHERE source = 'file'"
                                      ).fetchone() == (1,)


def test_a_late_webhook_finds_an_erased_buyers_order_and_keeps_no_id(tmp_path, smtp_server, run):
    """serve hears the order again (a retry, orders/updated) and then its refund, both
    naming it by the shop's ids, after the buyer was erased: the same order, refunded for
    stats, and neither the ids nor the refund's id is written."""
    from web_server import WebServer, write_project

    write_project(tmp_path, smtp_server)
    import_csv(run, tmp_path, "email,name,product,fecha\n"
                              "ana.ruiz@example.org,Ana,Curso de yoga,05/01/2026\n")
    server = WebServer(tmp_path, now="2026-03-02T10:00", env=SECRETS).start()
    try:
        assert shopify(server, fixture("shopify_orders_paid.json")).json()["customers"] == 1
        before = stats(run, "2026-03-02T10:00")["orders"]
        assert run("--now", "2026-03-02T10:00", "forget", "ana.ruiz@example.org").exit_code == 0
        leads = database(tmp_path).execute("SELECT count(*) FROM leads").fetchone()
        again = shopify(server, fixture("shopify_orders_paid.json"))
        assert again.status == 200, again.text
        assert (again.json()["suppressed"], again.json()["already_recorded"],
                again.json()["new_buyers"]) == (1, 0, 0)
        assert database(tmp_path).execute("SELECT count(*) FROM leads").fetchone() == leads
        # A part refunded, found by the numeric id's hash, and counted once when it comes
        # again (its refund's id is known by its hash too); then the rest.
        part = json.loads(fixture("shopify_refunds_create.json"))
        part["id"], part["transactions"][0]["amount"] = 77, "9.00"
        part = json.dumps(part).encode()
        assert shopify(server, part, topic="refunds/create").json()["refunds"] == 1
        assert shopify(server, part, topic="refunds/create").json()["refunds"] == 0
        assert orders(tmp_path)[0]["refunded_minor"] == 900
        refund = shopify(server, fixture("shopify_refunds_create.json"), topic="refunds/create")
        assert refund.json()["refunds"] == 1, refund.text
    finally:
        server.stop()
    (order,) = orders(tmp_path)
    assert (order["order_id"], order["platform_id"]) == (keyed_hash(tmp_path, ANA_ORDER),
                                                         keyed_hash(tmp_path, ANA_ORDER_ID))
    assert order["refunded_at"] is not None and order["lead_id"] is not None
    after = stats(run, "2026-03-02T10:00")["orders"]
    assert after["refunded_orders"] == 1 and before["refunded_orders"] == 0
    assert [row["amount_minor"] for row in after["revenue_by_step"]] == [0]
    refund_id = str(json.loads(fixture("shopify_refunds_create.json"))["id"])
    assert [json.loads(row[2])["refunds"] for row in events(tmp_path, "refund")] == [
        [keyed_hash(tmp_path, "77")], [keyed_hash(tmp_path, refund_id)]]
    data = database_bytes(tmp_path)
    for gone in (ANA_ORDER, ANA_ORDER_ID, refund_id):
        assert gone.encode() not in data, gone


def test_m013_hashes_the_order_ids_an_earlier_release_left_for_erased_buyers(run, tmp_path):
    """A database as the release before m013 left it: an erased buyer's order with the
    shop's ids, a refund event heard after the erasure naming them, and an order recorded
    for a suppressed address with no lead. The next command mends it; stats do not move;
    running m013 again changes nothing; the export again is the same orders."""
    from leadloop.migrations import migrate

    leads_with_info_sent(run, tmp_path)
    import_orders(run, tmp_path)
    assert run("--now", "2026-05-02T10:00", "forget", "ana.ruiz@example.org").exit_code == 0
    expected = stats(run)
    conn = database(tmp_path)
    (ana_lead,) = conn.execute("SELECT id FROM leads WHERE status = 'erased'").fetchone()
    conn.execute("UPDATE orders SET order_id = ?, platform_id = ? WHERE lead_id = ?",
                 (ANA_ORDER, ANA_ORDER_ID, ana_lead))
    conn.execute("INSERT INTO events (lead_id, at, kind, detail) VALUES (?, '2026-05-03T10:00:00+00:00', "
                 "'refund', ?)", (ana_lead, json.dumps({"order": ANA_ORDER, "source": "shopify",
                                                        "note": f"shopify order {ANA_ORDER}"})))
    conn.execute("INSERT INTO orders (source, order_id, lead_id, ordered_at, status, imported_at, "
                 "platform_id) VALUES ('shopify', '#1009', NULL, '2026-03-01T10:00:00+00:00', 'paid', "
                 "'2026-05-01T10:00:00+00:00', '5906712887409')")
    conn.execute("DELETE FROM _migrations WHERE name = 'm013_erasedorders_order_ids'")
    conn.close()
    assert stats(run) == expected  # migrated first
    rows = {row[2]: row for row in order_rows(tmp_path)}
    assert rows[keyed_hash(tmp_path, ANA_ORDER)][3:5] == (keyed_hash(tmp_path, ANA_ORDER_ID), ana_lead)
    assert rows[keyed_hash(tmp_path, "#1009")][3:5] == (keyed_hash(tmp_path, "5906712887409"), None)
    assert "#1005" in rows  # the buyer who was not erased keeps the shop's id
    assert database(tmp_path).execute(
        "SELECT detail FROM events WHERE kind = 'refund'").fetchall() == [(None,)]
    for gone in (ANA_ORDER, ANA_ORDER_ID, "#1009", "5906712887409"):
        assert gone.encode() not in database_bytes(tmp_path), gone

    conn = database(tmp_path)
    mended = conn.execute("SELECT * FROM orders ORDER BY id").fetchall()
    conn.execute("DELETE FROM _migrations WHERE name = 'm013_erasedorders_order_ids'")
    migrate(conn)
    assert conn.execute("SELECT * FROM orders ORDER BY id").fetchall() == mended
    conn.close()
    assert stats(run) == expected
    again = import_orders(run, tmp_path, now="2026-05-03T10:00")
    assert "1 already imported, 1 of unsubscribed, bounced or erased addresses" in again.stdout
    assert len(order_rows(tmp_path)) == len(mended)


def test_a_buyer_resumed_by_hand_and_given_up_is_erased_with_the_order_ids(run, tmp_path):
    """The automatic erasure of a silent lead (run-daily's give-up) is the same erasure:
    a customer put back into the sequence by hand, who then never answers, keeps no
    shop id of the order they placed."""
    from datetime import datetime, timedelta

    leads_with_info_sent(run, tmp_path)
    import_orders(run, tmp_path)
    assert run("--now", "2026-05-01T11:00", "mark", "ana.ruiz@example.org", "active").exit_code == 0
    now = datetime(2026, 5, 1, 11, 0)
    for _ in range(20):
        assert run("--now", now.isoformat(), "run-daily", "--quiet").exit_code == 0
        scheduled = [row for row in json.loads(run("--now", now.isoformat(), "due", "--all",
                                                   "--json").stdout)
                     if row["email"] == "ana.ruiz@example.org"]
        if scheduled:
            now = datetime.fromisoformat(scheduled[0]["due_at"]).replace(tzinfo=None)
        else:
            now += timedelta(days=31)
    ana = database(tmp_path).execute(
        "SELECT l.status, o.order_id FROM orders o JOIN leads l ON l.id = o.lead_id "
        "WHERE o.source = 'shopify' AND o.new_buyer = 0").fetchall()
    assert ana == [("erased", keyed_hash(tmp_path, ANA_ORDER))]
    assert ANA_ORDER.encode() not in database_bytes(tmp_path)
