"""An order is written once, as its `orders` row (issue #26, BENCH B11): no `order` event
repeats it, and `show` (text and --json) tells it from the row exactly as it told the
event. A database written by an earlier release, whose imports wrote both, shows each
order once after m012, and loses none (migrations.m012_b11c_order_events)."""

import json
import sqlite3

from cli_checks import show

NOW = "2026-01-20T10:00"
LEADS = "email,name,product,requested_at\n" + "".join(
    f"{who}@example.org,{who.replace('.', ' ').title()},Curso de yoga,2026-01-05 10:00\n"
    for who in ("ana.ruiz", "luis.gil", "marta.sanz"))


def database(tmp_path):
    return sqlite3.connect(tmp_path / "leadloop.db", isolation_level=None)


def bought(run, tmp_path, *rows, now=NOW):
    (tmp_path / "orders.csv").write_text(
        "Order ID,Email,Order Date,Total,Currency,Status,Product\n"
        + "".join(f"{order_id},{email},{at},\"49,00\",EUR,paid,{product}\n"
                  for order_id, email, at, product in rows), encoding="utf-8")
    result = run("--now", now, "import", "--orders", "orders.csv")
    assert result.exit_code == 0, result.stderr


def with_leads(run, tmp_path):
    (tmp_path / "leads.csv").write_text(LEADS, encoding="utf-8")
    assert run("--now", "2026-01-05T10:00", "import", "leads.csv").exit_code == 0
    assert run("--now", "2026-01-05T10:00", "run-daily", "--quiet").exit_code == 0  # info packs
    bought(run, tmp_path,
           ("A1", "ana.ruiz@example.org", "2026-01-08 12:00", "Curso de yoga"),
           ("A2", "ana.ruiz@example.org", "2026-01-15 12:00", "Esterilla"),
           ("N1", "nadie.pregunto@example.org", "2026-01-09 12:00", "Retiro"),
           ("L1", "luis.gil@example.org", "2026-01-10 12:00", "Curso de yoga"))


def told(run, address):
    """What `show` says of a lead: its JSON and its text."""
    text = run("--now", NOW, "show", address)
    assert text.exit_code == 0, text.stderr
    return show(run, address), text.stdout


def test_an_order_is_written_once_and_show_tells_it_from_its_row(run, tmp_path):
    with_leads(run, tmp_path)
    kinds = [row[0] for row in database(tmp_path).execute("SELECT kind FROM events")]
    assert "order" not in kinds and kinds.count("status") == 2  # ana and luis became customers
    ana, text = told(run, "ana.ruiz@example.org")
    # The fields the `order` event held, in its order; the status change it caused first.
    assert [e for e in ana["events"] if e["kind"] in ("status", "order")] == [
        {"at": "2026-01-08T12:00:00+01:00", "kind": "status", "from": "active", "to": "customer",
         "note": "file order A1"},
        {"at": "2026-01-08T12:00:00+01:00", "kind": "order", "order": "A1", "source": "file",
         "product": "Curso de yoga", "amount_minor": 4900, "currency": "EUR"},
        {"at": "2026-01-15T12:00:00+01:00", "kind": "order", "order": "A2", "source": "file",
         "product": "Esterilla", "amount_minor": 4900, "currency": "EUR"},
    ]
    assert "bought Curso de yoga (49,00\u00a0€), 3 days after the information" in text
    assert "bought Esterilla (49,00\u00a0€), 10 days after the information" in text
    new, text = told(run, "nadie.pregunto@example.org")
    assert [e for e in new["events"] if e["kind"] == "order"] == [
        {"at": "2026-01-09T12:00:00+01:00", "kind": "order", "order": "N1", "source": "file",
         "product": "Retiro", "amount_minor": 4900, "currency": "EUR", "new_buyer": True}]
    assert "bought Retiro (49,00\u00a0€) (never asked)" in text
    assert "asked for information" not in text
    # A lead with no order: its events as they are stored.
    marta, _ = told(run, "marta.sanz@example.org")
    assert all(e["kind"] != "order" for e in marta["events"])


def old_order_event(conn, lead_id, order_id, at, product, new_buyer=False):
    """The `order` event an import wrote before m012 (orders.py then: json.dumps' text)."""
    detail = {"order": order_id, "source": "file", "product": product, "amount_minor": 4900,
              "currency": "EUR", **({"new_buyer": True} if new_buyer else {})}
    conn.execute("INSERT INTO events (lead_id, at, kind, detail) VALUES (?, ?, 'order', ?)",
                 (lead_id, at, json.dumps(detail, ensure_ascii=False)))


def test_a_database_written_before_m012_shows_each_order_once_and_loses_none(run, tmp_path):
    with_leads(run, tmp_path)
    assert run("--now", NOW, "forget", "luis.gil@example.org").exit_code == 0
    shown = {who: told(run, f"{who}@example.org")
             for who in ("ana.ruiz", "nadie.pregunto", "marta.sanz")}
    conn = database(tmp_path)
    ids = dict(conn.execute("SELECT email, id FROM leads WHERE email IS NOT NULL"))
    orders = {order_id: (lead_id, at) for order_id, lead_id, at in
              conn.execute("SELECT order_id, lead_id, ordered_at FROM orders")}
    # The database as the release before m012 left it: an event beside each order's row;
    # the first release of orders kept a new buyer's mark in the event alone; erasing Luis
    # emptied his events' details; and an `order` event of Marta's has no row at all.
    for order_id, product in (("A1", "Curso de yoga"), ("A2", "Esterilla")):
        old_order_event(conn, ids["ana.ruiz@example.org"], order_id, orders[order_id][1], product)
    old_order_event(conn, *orders["N1"][:1], "N1", orders["N1"][1], "Retiro", new_buyer=True)
    conn.execute("UPDATE orders SET new_buyer = 0 WHERE order_id = 'N1'")
    # Luis's order is kept by the keyed hash of its id since his erasure (privacy.py).
    (luis,) = [row for order_id, row in orders.items() if order_id.startswith("erased:")]
    conn.execute("INSERT INTO events (lead_id, at, kind, detail) VALUES (?, ?, 'order', NULL)", luis)
    old_order_event(conn, ids["marta.sanz@example.org"], "M9", "2026-01-12T11:00:00+00:00",
                    "Clases sueltas")
    conn.execute("DELETE FROM _migrations WHERE name = 'm012_b11c_order_events'")
    conn.close()

    # The next command migrates: the same words and fields as the database written now.
    ana, nadie = told(run, "ana.ruiz@example.org"), told(run, "nadie.pregunto@example.org")
    assert ana == shown["ana.ruiz"]
    assert nadie == shown["nadie.pregunto"]
    conn = database(tmp_path)
    assert conn.execute("SELECT new_buyer FROM orders WHERE order_id = 'N1'").fetchone() == (1,)
    # The events with a row are gone, Luis's included; the one without stays, shown once.
    assert conn.execute("SELECT lead_id, detail FROM events WHERE kind = 'order'").fetchall() == [
        (ids["marta.sanz@example.org"], json.dumps({
            "order": "M9", "source": "file", "product": "Clases sueltas", "amount_minor": 4900,
            "currency": "EUR"}, ensure_ascii=False))]
    marta, text = told(run, "marta.sanz@example.org")
    assert [e["order"] for e in marta["events"] if e["kind"] == "order"] == ["M9"]
    assert text.count("bought Clases sueltas") == 1
    assert marta["events"][:-1] == shown["marta.sanz"][0]["events"]


def test_an_order_event_of_another_lead_or_unreadable_is_kept(tmp_path):
    """m012 removes an event only where the row of its source and order id is the same
    lead's: anything else is not the repeat of a row, and stays."""
    from leadloop.migrations import migrate, pending

    conn = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    migrate(conn)
    for lead_id, email in ((1, "a@example.com"), (2, "b@example.com")):
        conn.execute("INSERT INTO leads (id, email, requested_at, status, status_at, created_at, "
                     "updated_at) VALUES (?, ?, 'x', 'customer', 'x', 'x', 'x')", (lead_id, email))
    conn.execute("INSERT INTO orders (source, order_id, lead_id, ordered_at, status, imported_at) "
                 "VALUES ('shopify', '#1001', 1, 't', 'paid', 'x')")
    old_order_event(conn, 1, "#1001", "t", None)  # source "file": another source's order
    old_order_event(conn, 2, "#1001", "t", None)
    conn.execute("UPDATE events SET detail = replace(detail, 'file', 'shopify') WHERE lead_id = 2")
    conn.execute("INSERT INTO events (lead_id, at, kind, detail) VALUES (1, 't', 'order', '{oops')")
    conn.execute("INSERT INTO events (lead_id, at, kind, detail) VALUES (2, 't', 'order', NULL)")
    before = conn.execute("SELECT * FROM events ORDER BY id").fetchall()
    conn.execute("DELETE FROM _migrations WHERE name = 'm012_b11c_order_events'")
    migrate(conn)
    assert conn.execute("SELECT * FROM events ORDER BY id").fetchall() == before
    assert pending(conn) == []  # only m012 ran again
    # The same lead's event for the row goes; events with no detail find no row left.
    old_order_event(conn, 1, "#1001", "t", None)
    conn.execute("UPDATE events SET detail = replace(detail, 'file', 'shopify') "
                 "WHERE id = (SELECT max(id) FROM events)")
    conn.execute("INSERT INTO events (lead_id, at, kind, detail) VALUES (1, 't', 'order', NULL)")
    conn.execute("INSERT INTO events (lead_id, at, kind, detail) VALUES (1, 't', 'order', NULL)")
    conn.execute("DELETE FROM _migrations WHERE name = 'm012_b11c_order_events'")
    migrate(conn)
    left = conn.execute("SELECT lead_id, detail FROM events ORDER BY id").fetchall()
    assert left == [row[1:2] + row[4:5] for row in before] + [(1, None), (1, None)]


def test_an_order_heard_by_serve_is_written_once_too(tmp_path):
    """serve's hooks and /api/orders record orders as an import does (record_orders):
    the row, the status change, and no `order` event; its timeline tells it."""
    from datetime import datetime, timezone

    from leadloop.config import load_config
    from leadloop.orders import Order, record_orders
    from leadloop.store import Store

    store = Store.open(tmp_path / "hooks.db", load_config(None).cadence)
    now = datetime(2026, 1, 20, 9, tzinfo=timezone.utc)
    heard = [Order(0, "ana.ruiz@example.org", "Ana Ruiz", "Curso de yoga", "2026-01-19T11:00:00+00:00",
                   "#1001", "paid", "49.00", 4900, "EUR")]
    report = record_orders(store, "shopify", heard, now)
    assert report.new_buyers == 1
    assert record_orders(store, "shopify", heard, now).known == 1  # the same order again
    kinds = [row[0] for row in store.conn.execute("SELECT kind FROM events")]
    assert "order" not in kinds
    lead_id = store.conn.execute("SELECT id FROM leads").fetchone()[0]
    assert store.timeline_events(lead_id) == [
        ("order", "2026-01-19T11:00:00+00:00",
         {"order": "#1001", "source": "shopify", "product": "Curso de yoga", "amount_minor": 4900,
          "currency": "EUR", "new_buyer": True})]
    store.close()
