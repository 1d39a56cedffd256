"""`import --orders` (issue #26): paid buyers become customers as of the order's date,
through the CLI with a real SQLite file; the exports are our own files laid out as the
platforms document them (tests/fixtures/orders/README.md)."""

import json
import shutil
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from cli_checks import one_line, show

FIXTURES = Path(__file__).parent / "fixtures" / "orders"
PEOPLE = ["ana.ruiz", "luis.gil", "marta.sanz", "pablo.ortiz", "elena.vidal"]
LEADS = "email,name,product,requested_at\n" + "".join(
    f"{who}@example.org,{who.replace('.', ' ').title()},Curso de yoga,2026-01-05 10:00\n"
    for who in PEOPLE)


def import_leads(run, tmp_path):
    (tmp_path / "leads.csv").write_text(LEADS, encoding="utf-8")
    result = run("--now", "2026-01-05T10:00", "import", "leads.csv")
    assert result.exit_code == 0, result.stderr


def import_orders(run, tmp_path, name, *extra, now="2026-05-01T10:00"):
    path = tmp_path / name
    if not path.exists():
        shutil.copy(FIXTURES / name, path)
    return run("--now", now, "import", "--orders", name, *extra)


def statuses(tmp_path):
    with sqlite3.connect(tmp_path / "leadloop.db") as conn:
        return dict(conn.execute("SELECT email, status FROM leads"))


def table(tmp_path, sql):
    with sqlite3.connect(tmp_path / "leadloop.db") as conn:
        return conn.execute(sql).fetchall()


# Who each export makes a customer: paid, not refunded, not cancelled/failed/pending/test.
EXPECTED = {
    "shopify.csv": ({"ana.ruiz"}, {"nuevo.comprador"}),
    "woocommerce.csv": ({"ana.ruiz", "pablo.ortiz"}, set()),
    "stripe.csv": ({"ana.ruiz", "pablo.ortiz"}, set()),  # elena's is Mode Test
    # Luis's payment is refunded by a later row naming it (Reference Txn ID).
    "paypal.csv": ({"ana.ruiz", "pablo.ortiz"}, set()),
    "hotmart.csv": ({"ana.ruiz"}, set()),
    # Pablo's sale is refunded in part ("Refunded?" 1, "Fully Refunded?" 0): he bought.
    "gumroad.csv": ({"ana.ruiz", "pablo.ortiz"}, set()),
    # Luis's sale is refunded by a Refund row with its order number.
    "kajabi.csv": ({"ana.ruiz"}, {"nuevo.comprador"}),
    "teachable.csv": ({"ana.ruiz"}, {"nuevo.comprador"}),
    "thinkific.csv": ({"ana.ruiz"}, {"nuevo.comprador"}),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_export_makes_the_paid_buyers_customers_and_nobody_else(run, tmp_path, name):
    import_leads(run, tmp_path)
    result = import_orders(run, tmp_path, name)
    assert result.exit_code == 0, result.stderr
    leads_bought, new_buyers = EXPECTED[name]
    after = statuses(tmp_path)
    for who in PEOPLE:
        expected = "customer" if who in leads_bought else "active"
        assert after[f"{who}@example.org"] == expected, (who, result.stdout)
    for who in new_buyers:
        assert after[f"{who}@example.org"] == "customer"
    assert len(after) == len(PEOPLE) + len(new_buyers)
    assert f"{len(leads_bought)} lead" in result.stdout
    # Importing the same export again changes nothing: the order's id decides.
    events = table(tmp_path, "SELECT count(*) FROM events")
    again = import_orders(run, tmp_path, name)
    assert again.exit_code == 0, again.stderr
    assert f"{len(leads_bought) + len(new_buyers)} already imported" in again.stdout
    assert table(tmp_path, "SELECT count(*) FROM events") == events
    assert statuses(tmp_path) == after


def test_a_buyer_is_a_customer_as_of_the_order_date_with_product_and_amount(run, tmp_path):
    import_leads(run, tmp_path)
    assert import_orders(run, tmp_path, "shopify.csv").exit_code == 0
    (status_at,), = table(tmp_path, "SELECT status_at FROM leads WHERE email = 'ana.ruiz@example.org'")
    assert status_at == "2026-03-20T09:00:00+00:00"  # 10:00 +01:00, not the import's time
    rows = table(tmp_path, "SELECT source, order_id, product, amount_minor, currency FROM orders "
                           "ORDER BY order_id")
    # Shopify writes an order once per line item: #1001 is one order, with both its
    # products and its total once.
    assert rows == [("shopify", "#1001", "Curso de yoga, Esterilla", 4900, "EUR"),
                    ("shopify", "#1005", "Retiro de yoga", 123450, "EUR")]
    lead = show(run, "ana.ruiz@example.org")
    assert lead["next_due_at"] is None
    order = next(e for e in lead["events"] if e["kind"] == "order")
    assert order["product"] == "Curso de yoga, Esterilla" and order["amount_minor"] == 4900


def test_a_new_buyer_is_a_customer_never_followed_up(run, tmp_path):
    import_leads(run, tmp_path)
    import_orders(run, tmp_path, "shopify.csv")
    buyer = show(run, "nuevo.comprador@example.org")
    assert buyer["status"] == "customer" and buyer["next_due_at"] is None
    assert buyer["name"] == "Nuevo Comprador"
    due = run("--now", "2026-05-04T10:00", "due", "--all", "--json")
    assert "nuevo.comprador" not in due.stdout
    text = run("--now", "2026-05-01T10:00", "show", "nuevo.comprador@example.org").stdout
    assert "asked for information" not in text
    assert "bought Retiro de yoga (1.234,50\u00a0€)" in text


def test_an_unsubscribed_buyer_stays_unsubscribed(run, tmp_path):
    import_leads(run, tmp_path)
    assert run("--now", "2026-02-01T10:00", "mark", "ana.ruiz@example.org", "unsubscribed").exit_code == 0
    result = import_orders(run, tmp_path, "woocommerce.csv")
    assert result.exit_code == 0, result.stderr
    assert statuses(tmp_path)["ana.ruiz@example.org"] == "unsubscribed"
    assert "1 of unsubscribed, bounced or erased addresses" in result.stdout
    # The order still counts (stats), kept with its lead.
    assert table(tmp_path, "SELECT order_id FROM orders WHERE lead_id IS NOT NULL ORDER BY 1") == [
        ("2001",), ("2004",)]


def test_an_erased_address_comes_back_only_with_a_later_purchase(run, tmp_path):
    import_leads(run, tmp_path)
    assert run("--now", "2026-03-01T10:00", "forget", "ana.ruiz@example.org").exit_code == 0
    (tmp_path / "late.csv").write_text(
        "Order ID,Email,Date,Total,Currency,Status\n"
        "A1,ana.ruiz@example.org,2026-02-20,49.00,EUR,paid\n", encoding="utf-8")
    result = run("--now", "2026-05-01T10:00", "import", "--orders", "late.csv")
    assert "1 of unsubscribed, bounced or erased" in result.stdout
    assert "ana.ruiz@example.org" not in statuses(tmp_path)
    (tmp_path / "later.csv").write_text(
        "Order ID,Email,Date,Total,Currency,Status\n"
        "A2,ana.ruiz@example.org,2026-04-20,49.00,EUR,paid\n", encoding="utf-8")
    result = run("--now", "2026-05-01T10:00", "import", "--orders", "later.csv")
    assert "1 new buyer" in result.stdout
    assert statuses(tmp_path)["ana.ruiz@example.org"] == "customer"


def test_a_lead_who_bought_between_two_follow_ups_never_receives_the_second(run, tmp_path):
    """run-daily every weekday for a year; the export is imported a few days after the
    order, which fell between follow-up 1 and follow-up 2."""
    import_leads(run, tmp_path)
    day, bought = date(2026, 1, 5), None
    while day < date(2027, 1, 5):
        if day.weekday() < 5:
            result = run("--now", f"{day.isoformat()}T10:00", "run-daily", "--quiet")
            assert result.exit_code == 0, result.stderr
        ana = show(run, "ana.ruiz@example.org")
        sent = [m for m in ana["messages"] if m["state"] == "sent"]
        if bought is None and len(sent) == 2:  # info pack and follow-up 1
            bought = day + timedelta(days=3)
            (tmp_path / "orders.csv").write_text(
                "Order ID,Email,Order Date,Total,Currency,Status,Product\n"
                f"W1,ana.ruiz@example.org,{bought.isoformat()} 12:00,\"49,00\",EUR,completed,"
                "Curso de yoga\n", encoding="utf-8")
        if bought is not None and day == bought + timedelta(days=4):
            result = run("--now", f"{day.isoformat()}T20:00", "import", "--orders", "orders.csv")
            assert "1 lead became a customer" in result.stdout, result.stdout
        day += timedelta(days=1)
    assert bought is not None
    ana = show(run, "ana.ruiz@example.org")
    assert [m["step"] for m in ana["messages"] if m["state"] == "sent"] == [0, 1]
    assert ana["status"] == "customer"
    # Luis never bought: his sequence went on.
    luis = show(run, "luis.gil@example.org")
    assert len([m for m in luis["messages"] if m["state"] == "sent"]) > 2
    text = run("--now", "2027-01-05T10:00", "show", "ana.ruiz@example.org").stdout
    assert "bought Curso de yoga (49,00\u00a0€), 3 days after follow-up 1" in text
    # stats from the orders: two contacts before buying, revenue on follow-up 1.
    orders = json.loads(run("--now", "2027-01-05T10:00", "stats", "--json").stdout)["orders"]
    assert orders["conversion_by_contacts_before_order"] == [
        {"contacts": 2, "buyers": 1, "reached": 5, "conversion_rate": 0.2}]
    assert orders["revenue_by_step"] == [{"step": "1", "currency": "EUR", "amount_minor": 4900}]
    assert orders["median_days_to_purchase"] == (bought - date(2026, 1, 5)).days + 0.1
    shown = run("--now", "2027-01-05T10:00", "stats").stdout
    assert "Revenue by the last step before the order" in shown and "49,00\u00a0€" in shown


def test_buyers_who_never_asked_are_no_inquiries_in_the_funnel(run, tmp_path):
    import_leads(run, tmp_path)
    assert import_orders(run, tmp_path, "shopify.csv").exit_code == 0
    doc = json.loads(run("--now", "2026-05-01T10:00", "stats", "--json").stdout)
    assert doc["funnel"]["inquiries"] == len(PEOPLE)
    assert doc["funnel"]["customers"] == 1
    assert doc["orders"]["new_buyers"] == 1 and doc["orders"]["buyers"] == 2
    assert {"step": "new buyer", "currency": "EUR", "amount_minor": 123450} in doc["orders"]["revenue_by_step"]


def test_a_message_sent_after_the_order_is_shown_as_such(run, tmp_path):
    import_leads(run, tmp_path)
    assert run("--now", "2026-01-05T10:00", "run-daily", "--quiet").exit_code == 0
    (tmp_path / "orders.csv").write_text(
        "Order ID,Email,Order Date,Total,Currency,Status\n"
        "W1,ana.ruiz@example.org,2026-01-05 09:00,49.00,EUR,paid\n", encoding="utf-8")
    # The order came before the info pack, and is imported after it went.
    assert run("--now", "2026-01-06T10:00", "import", "--orders", "orders.csv").exit_code == 0
    text = run("--now", "2026-01-06T10:00", "show", "ana.ruiz@example.org").stdout
    assert "info pack sent (after the order)" in text


def test_map_names_the_order_columns_and_rejects_are_written(run, tmp_path):
    import_leads(run, tmp_path)
    (tmp_path / "mine.csv").write_text(
        "Ref,Correo,Cuándo,Importe,Situación\n"
        "R1,ana.ruiz@example.org,2026-03-20,49 €,cobrado\n"
        "R2,not-an-address,2026-03-20,49 €,cobrado\n"
        "R3,luis.gil@example.org,2026-03-21,49 €,devuelto\n", encoding="utf-8")
    result = run("--now", "2026-05-01T10:00", "import", "--orders", "mine.csv",
                 "--map", "Ref=order_id", "--map", "Cuándo=ordered_at", "--map", "Importe=amount",
                 "--rejects", "rejected.csv")
    assert result.exit_code == 0, result.stderr
    # No status column mapped: every row is taken as paid, "devuelto" included.
    assert statuses(tmp_path)["ana.ruiz@example.org"] == "customer"
    assert "mine.csv:3:" in result.stderr
    assert "R2,not-an-address" in (tmp_path / "rejected.csv").read_text(encoding="utf-8")
    assert table(tmp_path, "SELECT order_id, amount_minor, currency FROM orders WHERE order_id = 'R1'") == [
        ("R1", 4900, "EUR")]
    mapped = run("--now", "2026-05-01T10:00", "import", "--orders", "mine.csv",
                 "--map", "Situación=status")
    assert mapped.exit_code == 0
    assert 'status "devuelto" not known as paid' in mapped.stdout


@pytest.mark.parametrize("content, words", [
    ("Producto,Importe\nyoga,49\n", "no e-mail column"),
    # Unreadable half-way, after a good order: the import is one transaction.
    (b"Email,Date,Status\nana.ruiz@example.org,2026-03-20,paid\n" + b"x@example.org,2026-03-21,paid\n" * 3000
     + b"\xff\xfe,2026-03-22,paid\n", "cannot decode"),
    ("BEGIN:VCARD\nVERSION:3.0\nEMAIL:ana@example.org\nEND:VCARD\n", "not orders"),
])
def test_a_file_that_cannot_be_read_is_one_sentence_exit_2_and_changes_nothing(
        run, tmp_path, content, words):
    import_leads(run, tmp_path)
    path = tmp_path / "bad.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = run("--now", "2026-05-01T10:00", "import", "--orders", "bad.csv",
                 *(["--encoding", "utf-8"] if isinstance(content, bytes) else []))
    assert result.exit_code == 2
    assert words in one_line(result)
    assert table(tmp_path, "SELECT count(*) FROM orders") == [(0,)]
    assert set(statuses(tmp_path).values()) == {"active"}


def test_unknown_map_field_is_exit_2(run, tmp_path):
    import_leads(run, tmp_path)
    shutil.copy(FIXTURES / "stripe.csv", tmp_path / "stripe.csv")
    result = run("import", "--orders", "stripe.csv", "--map", "id=colour")
    assert result.exit_code == 2
    assert "not an order field" in one_line(result)


@pytest.mark.bare_folder
def test_the_demo_includes_orders_and_stats_show_revenue_by_step(run, tmp_path):
    result = run("demo", "demo")
    assert result.exit_code == 0, result.stderr
    assert "Revenue by the last step before the order" in result.stdout
    assert "buyers who never asked" in result.stdout
    with sqlite3.connect(tmp_path / "demo" / "leadloop.db") as conn:
        assert conn.execute("SELECT count(*) FROM orders").fetchone() == (3,)
        # Bought after their first messages: their sequence stopped there.
        (status,), = conn.execute("SELECT status FROM leads WHERE email = 'javier.munoz@example.com'")
    assert status == "customer"


# When each export's buyer became a customer: the order's paid date, in the zone the
# export gives (UTC columns, offsets, PayPal's TimeZone), else the configured one.
ORDER_DATES = {
    "shopify.csv": "2026-03-20T09:00:00+00:00",      # Paid at 10:00 +0100
    "woocommerce.csv": "2026-03-20T09:00:00+00:00",  # paid_date 10:00 in Europe/Madrid
    "stripe.csv": "2026-03-20T09:00:00+00:00",       # Created date (UTC)
    "paypal.csv": "2026-03-20T09:00:00+00:00",       # 10:00:00 CET
    "kajabi.csv": "2026-03-20T09:00:00+00:00",       # Created At, UTC
    "teachable.csv": "2026-03-20T10:00:00+00:00",
    "thinkific.csv": "2026-03-20T09:00:00+00:00",
    "gumroad.csv": "2026-03-20T09:00:00+00:00",      # Purchase Time (UTC timezone)
}


@pytest.mark.parametrize("name", sorted(ORDER_DATES))
def test_each_export_makes_its_buyer_a_customer_as_of_the_order(run, tmp_path, name):
    import_leads(run, tmp_path)
    result = import_orders(run, tmp_path, name)
    assert result.exit_code == 0, result.stderr
    assert table(tmp_path, "SELECT status_at FROM leads WHERE email = 'ana.ruiz@example.org'") == [
        (ORDER_DATES[name],)]


def test_paypal_time_and_zone_make_the_order_date(run, tmp_path):
    """22/03/2026 23:30:00 PST is 07:30 UTC on the 23rd: the next day in Madrid. Before,
    the TimeZone column was read as the lead's IANA zone and the row was rejected."""
    import_leads(run, tmp_path)
    result = import_orders(run, tmp_path, "paypal.csv")
    assert result.exit_code == 0, result.stderr
    assert table(tmp_path, "SELECT ordered_at, amount_minor, currency FROM orders "
                           "WHERE order_id = '5AB23456CD789012E'") == [
        ("2026-03-23T07:30:00+00:00", 5500, "USD")]
    text = run("--now", "2026-05-01T10:00", "show", "pablo.ortiz@example.org").stdout
    assert "2026-03-23" in text and "2026-03-22" not in text


@pytest.mark.parametrize("cells, reason", [
    ('"25:99:00","CET"', 'unreadable date "20/03/2026 25:99:00 CET"'),
    ('"10:00:00","XYZT"', 'unknown time zone "XYZT"'),
])
def test_a_paypal_row_with_a_bad_time_or_zone_is_rejected_with_its_line(run, tmp_path, cells, reason):
    import_leads(run, tmp_path)
    (tmp_path / "pp.csv").write_text(
        '"Date","Time","TimeZone","Name","Type","Status","Currency","Gross","From Email Address","Transaction ID"\n'
        '"20/03/2026","10:00:00","CET","Ana Ruiz","Payment","Completed","EUR","49,00","ana.ruiz@example.org","T1"\n'
        f'"20/03/2026",{cells},"Luis Gil","Payment","Completed","EUR","49,00","luis.gil@example.org","T2"\n',
        encoding="utf-8")
    result = run("--now", "2026-05-01T10:00", "import", "--orders", "pp.csv", "--rejects", "bad.csv")
    assert result.exit_code == 0, result.stderr
    assert f"pp.csv:3: {reason}" in result.stderr
    assert "Traceback" not in result.stderr
    assert statuses(tmp_path)["luis.gil@example.org"] == "active"
    assert statuses(tmp_path)["ana.ruiz@example.org"] == "customer"
    # The rejects file has the row's cells again, as for a lead import.
    import csv

    with (tmp_path / "bad.csv").open(encoding="utf-8", newline="") as handle:
        _, row = list(csv.reader(handle))
    date, time, zone = next(csv.reader([f'"20/03/2026",{cells}']))
    assert row == [date, time, zone, "Luis Gil", "Payment", "Completed", "EUR", "49,00",
                   "luis.gil@example.org", "T2", "3", reason]


def test_a_refund_row_above_its_payment_makes_nobody_a_customer(run, tmp_path):
    """PayPal lists the newest first: the refund, naming the payment, comes before it."""
    import_leads(run, tmp_path)
    (tmp_path / "pp.csv").write_text(
        '"Date","Time","TimeZone","Name","Type","Status","Currency","Gross","From Email Address",'
        '"Transaction ID","Reference Txn ID"\n'
        '"22/03/2026","10:00:00","CET","Luis Gil","Payment Refund","Completed","EUR","-49,00",'
        '"tienda@example.net","R1","P1"\n'
        '"21/03/2026","10:00:00","CET","Luis Gil","Payment","Completed","EUR","49,00",'
        '"luis.gil@example.org","P1",""\n', encoding="utf-8")
    result = run("--now", "2026-05-01T10:00", "import", "--orders", "pp.csv")
    assert result.exit_code == 0, result.stderr
    assert statuses(tmp_path)["luis.gil@example.org"] == "active"
    assert "2 refunded" in result.stdout


def orders_file(tmp_path, *rows):
    (tmp_path / "orders.csv").write_text(
        "Order ID,Email,Order Date,Total,Currency,Status,Product\n"
        + "".join(f"{order_id},{email},{at},\"49,00\",EUR,paid,Curso de yoga\n"
                  for order_id, email, at in rows), encoding="utf-8")


def test_show_tells_what_each_order_followed(run, tmp_path):
    """Issue #26 item 3: "bought Curso de yoga (49,00 €), 3 days after the information"
    when the info pack was the last message; each order of a lead tells its own; a
    message sent after the first order is shown as such."""
    import_leads(run, tmp_path)
    assert run("--now", "2026-01-05T10:00", "run-daily", "--quiet").exit_code == 0
    orders_file(tmp_path, ("A1", "ana.ruiz@example.org", "2026-01-08 12:00"),
                ("A2", "ana.ruiz@example.org", "2026-01-15 12:00"))
    assert run("--now", "2026-01-20T10:00", "import", "--orders", "orders.csv").exit_code == 0
    text = run("--now", "2026-01-20T10:00", "show", "ana.ruiz@example.org").stdout
    assert "bought Curso de yoga (49,00\u00a0€), 3 days after the information" in text
    assert "bought Curso de yoga (49,00\u00a0€), 10 days after the information" in text
    assert "(after the order)" not in text  # the info pack went before


def test_show_tells_an_order_before_any_message_and_a_buyer_who_never_asked(run, tmp_path):
    import_leads(run, tmp_path)  # asked 2026-01-05 10:00; no message sent yet
    orders_file(tmp_path, ("B1", "luis.gil@example.org", "2026-01-07 12:00"),
                ("B2", "nadie.pregunto@example.org", "2026-01-07 12:00"))
    assert run("--now", "2026-01-20T10:00", "import", "--orders", "orders.csv").exit_code == 0
    luis = run("--now", "2026-01-20T10:00", "show", "luis.gil@example.org").stdout
    assert "bought Curso de yoga (49,00\u00a0€), 2 days after asking" in luis
    new = run("--now", "2026-01-20T10:00", "show", "nadie.pregunto@example.org").stdout
    assert "bought Curso de yoga (49,00\u00a0€) (never asked)" in new


def test_a_lead_who_bought_between_two_sends_never_receives_the_next(run, tmp_path):
    """Issue #26: the order is imported between two `send`s; the follow-up the second
    send would have sent never goes, and nothing else of hers is due."""
    import_leads(run, tmp_path)
    assert run("--now", "2026-01-05T10:00", "send", "--yes").exit_code == 0
    info = show(run, "ana.ruiz@example.org")
    assert [m["step"] for m in info["messages"] if m["state"] == "sent"] == [0]
    follow_up_due = info["next_due_at"]
    assert follow_up_due is not None
    orders_file(tmp_path, ("W1", "ana.ruiz@example.org", "2026-01-06 12:00"))
    assert run("--now", "2026-01-06T13:00", "import", "--orders", "orders.csv").exit_code == 0
    # A weekday after both her follow-up and Luis's were due: his goes, hers does not.
    from datetime import datetime

    luis_due = datetime.fromisoformat(show(run, "luis.gil@example.org")["next_due_at"])
    day = max(luis_due, datetime.fromisoformat(follow_up_due)).date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    later = f"{day.isoformat()}T12:00"
    due = run("--now", later, "due", "--all", "--json").stdout
    assert "ana.ruiz@example.org" not in due and "luis.gil@example.org" in due
    sent = run("--now", later, "send", "--yes")
    assert sent.exit_code == 0, sent.stdout + sent.stderr
    ana = show(run, "ana.ruiz@example.org")
    assert [m["step"] for m in ana["messages"] if m["state"] == "sent"] == [0]
    assert ana["status"] == "customer" and ana["next_due_at"] is None
    luis = show(run, "luis.gil@example.org")
    assert [m["step"] for m in luis["messages"] if m["state"] == "sent"] == [0, 1]


@pytest.mark.parametrize("name", ["shopify.csv", "paypal.csv", "kajabi.csv"])
def test_a_big_file_read_in_the_reading_process_gives_the_same_orders(run, tmp_path, monkeypatch, name):
    """Files from 4 MB on are read in a forked process (forked.py): the orders, the held
    Shopify order, refunds and rejects that cross from it are those of the plain path."""
    import leadloop.importer

    import_leads(run, tmp_path)
    plain = import_orders(run, tmp_path, name)
    orders = table(tmp_path, "SELECT source, order_id, lead_id, ordered_at, product, amount_minor "
                             "FROM orders ORDER BY order_id")
    after = statuses(tmp_path)
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / f"leadloop.db{suffix}").unlink(missing_ok=True)
    import_leads(run, tmp_path)
    monkeypatch.setattr(leadloop.importer, "PARALLEL_FROM_BYTES", 0)
    forked = import_orders(run, tmp_path, name)
    assert forked.exit_code == 0, forked.stderr
    assert forked.stdout == plain.stdout and forked.stderr == plain.stderr
    assert table(tmp_path, "SELECT source, order_id, lead_id, ordered_at, product, amount_minor "
                           "FROM orders ORDER BY order_id") == orders
    assert statuses(tmp_path) == after


def test_batches_worked_out_in_the_reading_process_see_what_the_import_did_before(
        run, tmp_path, monkeypatch):
    """A big file's orders are looked up and worked out in the reading process, whose
    reads see the database as the import found it (BENCH.md B11): a lead made a customer,
    a new buyer added or an order imported by an earlier batch of the same import counts
    as such in later batches, as in the plain path. Erased addresses (suppressions, read
    with the database's key) stay out."""
    import leadloop.importer

    import leadloop.orders

    rows = [("A1", "ana.ruiz@example.org", "2026-03-01"),
            ("N1", "nuevo.comprador@example.org", "2026-03-02"),
            ("A2", "ana.ruiz@example.org", "2026-03-03"),
            ("N2", "nuevo.comprador@example.org", "2026-03-04"),
            ("L1", "luis.gil@example.org", "2026-02-01"),  # before his erasure
            ("P1", "pablo.ortiz@example.org", "2026-03-05")]
    monkeypatch.setattr(leadloop.orders, "APPLY_EVERY", 1)  # an order a batch

    def imported(parallel: bool):
        for suffix in ("", "-wal", "-shm"):
            (tmp_path / f"leadloop.db{suffix}").unlink(missing_ok=True)
        import_leads(run, tmp_path)
        assert run("--now", "2026-02-15T10:00", "forget", "luis.gil@example.org").exit_code == 0
        orders_file(tmp_path, *rows)
        if parallel:
            monkeypatch.setattr(leadloop.importer, "PARALLEL_FROM_BYTES", 0)
        first = run("--now", "2026-05-01T10:00", "import", "--orders", "orders.csv")
        assert first.exit_code == 0, first.stderr
        again = run("--now", "2026-05-01T10:00", "import", "--orders", "orders.csv")
        assert again.exit_code == 0, again.stderr
        # An order of the erased address is kept by its id's keyed hash, whose key is
        # each database's own.
        kept = [(order_id if not order_id.startswith("erased:") else "erased:…", *rest)
                for order_id, *rest in table(tmp_path, "SELECT order_id, lead_id, new_buyer "
                                                       "FROM orders ORDER BY 1")]
        return (first.stdout, again.stdout, statuses(tmp_path), kept,
                table(tmp_path, "SELECT lead_id, kind, detail FROM events "
                                "WHERE kind IN ('status', 'order') ORDER BY id"))

    plain, forked = imported(parallel=False), imported(parallel=True)
    assert forked == plain
    first, again, after, orders, _ = forked
    assert "2 leads became customers, 1 new buyer" in first
    assert "2 more orders of customers" in first and "1 of unsubscribed" in first
    assert "5 already imported, 1 of unsubscribed" in again
    assert ("erased:…", None, 0) in orders and "L1" not in {row[0] for row in orders}
    assert after["nuevo.comprador@example.org"] == "customer"
    assert "luis.gil@example.org" not in after
    new_buyer = {lead_id for order_id, lead_id, _ in orders if order_id in ("N1", "N2")}
    assert len(new_buyer) == 1


def test_a_big_file_unreadable_half_way_changes_nothing(run, tmp_path, monkeypatch):
    """The reading process's error comes back as the plain path's: one sentence, exit 2,
    and the orders before it are not written (one transaction)."""
    import leadloop.importer

    import leadloop.orders

    import_leads(run, tmp_path)
    monkeypatch.setattr(leadloop.importer, "PARALLEL_FROM_BYTES", 0)
    monkeypatch.setattr(leadloop.orders, "APPLY_EVERY", 1)  # written before the bad bytes
    (tmp_path / "bad.csv").write_bytes(
        b"Email,Date,Status\nana.ruiz@example.org,2026-03-20,paid\n"
        + b"x@example.org,2026-03-21,paid\n" * 6000 + b"\xff\xfe,2026-03-22,paid\n")
    result = run("--now", "2026-05-01T10:00", "import", "--orders", "bad.csv", "--encoding", "utf-8")
    assert result.exit_code == 2
    assert "cannot decode" in one_line(result)
    assert table(tmp_path, "SELECT count(*) FROM orders") == [(0,)]
    assert set(statuses(tmp_path).values()) == {"active"}


def test_the_reading_processs_database_error_is_one_sentence(run, tmp_path, monkeypatch):
    """Where the reading process cannot look the orders up (its read-only connection
    refused: a database it may not read, a damaged file), the user reads one sentence,
    exit 1 (SPEC §4: the work could not be done), and nothing is imported."""
    import leadloop.importer

    import leadloop.orders

    import_leads(run, tmp_path)
    orders_file(tmp_path, ("A1", "ana.ruiz@example.org", "2026-03-01"))
    monkeypatch.setattr(leadloop.importer, "PARALLEL_FROM_BYTES", 0)

    use = leadloop.orders._Planner.use

    def refused(self, conn):
        if type(conn) is sqlite3.Connection:  # the reading process's own, not the store's
            raise sqlite3.OperationalError("unable to open database file")
        use(self, conn)

    monkeypatch.setattr(leadloop.orders._Planner, "use", refused)
    before = statuses(tmp_path)
    result = run("--now", "2026-05-01T10:00", "import", "--orders", "orders.csv")
    assert result.exit_code == 1, result.stderr
    line = one_line(result)
    assert "could not be looked up" in line and "unable to open database file" in line
    assert "nothing was imported" in line
    assert statuses(tmp_path) == before
    assert table(tmp_path, "SELECT count(*) FROM orders") == [(0,)]


def test_a_stripe_payment_is_known_by_its_payment_intent_and_its_charge_is_kept(run, tmp_path):
    """The payments export names a row by its charge; the hooks know the payment by its
    PaymentIntent (issue #26): the PaymentIntent is the order's id, the charge is kept
    beside it, and a legacy charge without a PaymentIntent is known by its own id."""
    import_leads(run, tmp_path)
    assert import_orders(run, tmp_path, "stripe.csv").exit_code == 0
    assert table(tmp_path, "SELECT order_id, platform_id FROM orders ORDER BY ordered_at") == [
        ("pi_3A1b2C3d4E5f6G7h", "ch_3A1b2C3d4E5f6G7h"), ("ch_3A1b2C3d4E5f6G7k", None)]


def test_a_woocommerce_export_with_only_its_order_numbers_is_never_keyed_by_transaction(run, tmp_path):
    """WooCommerce's `transaction_id` is the gateway's payment (a Stripe PaymentIntent),
    not the order: a file without an order_id column is known by its order numbers."""
    import_leads(run, tmp_path)
    (tmp_path / "pedidos.csv").write_text(
        "Order Number,Order Status,Order Total Amount,order_currency,paid_date,transaction_id,"
        "billing_email\nWC-2001,completed,49.00,EUR,2026-03-20 10:00:00,pi_3A1b2C3d4E5f6G7h,"
        "ana.ruiz@example.org\n", encoding="utf-8")
    assert run("--now", "2026-05-01T10:00", "import", "--orders", "pedidos.csv").exit_code == 0
    assert table(tmp_path, "SELECT source, order_id, platform_id FROM orders") == [
        ("woocommerce", "WC-2001", None)]


def test_gumroads_sales_csv_as_gumroad_writes_it(run, tmp_path):
    """Exports::PurchaseExportService (antiwork/gumroad): the checkout address is
    "Purchase Email" ("Buyer Email" is the buyer's account's, often empty), amounts are
    USD ("Sale Price ($)"), "Refunded?" is 1 for a partial refund too ("Fully
    Refunded?" is not), and the file ends with a "Totals" row, which is no order."""
    import_leads(run, tmp_path)
    result = import_orders(run, tmp_path, "gumroad.csv", "--rejects", "malas.csv")
    assert result.exit_code == 0, result.stderr
    assert "0 rejected" in result.stdout and "1 skipped (1 refunded)" in result.stdout
    assert table(tmp_path, "SELECT order_id, platform_id, amount_minor, currency FROM orders "
                           "ORDER BY ordered_at") == [
        ("x5sHqZ0bQ9e3rT1uVw2YjA==", "524459901", 4900, "USD"),
        ("Zz9yX8wV7uT6sR5qP4oN3m==", "524459904", 4900, "USD")]


def test_map_names_an_orders_other_id_and_either_id_finds_it_again(run, tmp_path):
    import_leads(run, tmp_path)
    (tmp_path / "ventas.csv").write_text(
        "Ref,Pedido,Email,Fecha,Total\nR-1,P-77,ana.ruiz@example.org,2026-03-20,49.00\n",
        encoding="utf-8")
    result = run("--now", "2026-05-01T10:00", "import", "--orders", "ventas.csv",
                 "--map", "Ref=order_id", "--map", "Pedido=platform_id")
    assert result.exit_code == 0, result.stderr
    assert table(tmp_path, "SELECT order_id, platform_id FROM orders") == [("R-1", "P-77")]
    # The same sale in another file that names it only by the other id: the same order.
    (tmp_path / "otra.csv").write_text(
        "Pedido,Email,Fecha,Total\nP-77,ana.ruiz@example.org,2026-03-20,49.00\n", encoding="utf-8")
    again = run("--now", "2026-05-01T10:00", "import", "--orders", "otra.csv", "--map", "Pedido=order_id")
    assert "1 already imported" in again.stdout, again.stdout
    assert table(tmp_path, "SELECT count(*) FROM orders") == [(1,)]
