"""Orders and payments → customers (issue #26, SPEC §9): a buyer stops being followed up.

A paid order makes its buyer's lead `customer` as of the order's date, which stops the
sequence; a buyer who never was a lead becomes a customer too (phase 3a), never a lead
to follow up. Refunded, cancelled, failed, test and unpaid orders make nobody a customer;
the same order again changes nothing (its source and id decide). An unsubscribed or
bounced address stays so: its order is recorded for the numbers, but nothing that gets
mail is made of it.

Files are read by the lead importer's readers (sources/: encodings, workbooks, --map,
rejects); the order's own columns (id, status, amount, currency) come through as custom
fields, named by the vocabulary of the exports in ORDER_ALIASES (tests/fixtures/orders/
README.md says where each was documented).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime

from .clock import from_db, to_db
from .errors import InputError
from .store import Store

# Column names (as sources.rows.slug makes them), best first.
LEAD_ALIASES = {
    "email": ["email", "customer_email", "billing_email", "billing_email_address", "buyer_email",
              "purchase_email", "from_email_address", "email_address", "user_email",
              "student_email", "member_email", "email_do_comprador", "correo", "correo_electronico"],
    "name": ["billing_name", "customer_name", "buyer_name", "full_name", "name_of_customer",
             "user_name", "nome_do_comprador", "comprador", "nombre_del_cliente",
             "customer_description", "nombre", "name"],
    "product": ["lineitem_name", "item_name", "product_name", "product", "product_title",
                "course_name", "course", "offer_title", "offer", "nome_do_produto", "produto",
                "producto", "item_title", "description"],
    "first_name": ["billing_first_name", "first_name", "buyer_first_name"],
    "last_name": ["billing_last_name", "last_name", "buyer_last_name"],
    # The moment it was paid, else when it was placed.
    "requested_at": ["paid_at", "date_paid", "paid_date", "order_date", "purchase_date",
                     "sale_date", "purchased_at", "created_at", "created_date_utc", "created_date",
                     "created_utc", "created",
                     "date_created", "date", "data_de_aprovacao", "data_da_transacao",
                     "data_de_compra", "fecha_de_pago", "fecha_del_pedido", "fecha"],
}
ORDER_ALIASES = {
    "order_id": ["order_id", "order_number", "transaction_id", "id", "sale_id", "purchase_id",
                 "charge_id", "payment_id", "transacao", "codigo_da_transacao", "pedido",
                 "numero_de_pedido", "order"],
    "status": ["financial_status", "order_status", "payment_status", "status",
               "transaction_status", "status_da_transacao", "estado", "estado_del_pedido"],
    "amount": ["total", "order_total", "order_total_amount", "amount", "gross", "price",
               "sale_price", "amount_paid", "total_paid", "valor", "valor_da_compra",
               "preco", "importe", "precio", "total_amount"],
    "currency": ["currency", "currency_code", "order_currency", "moeda", "moneda", "divisa"],
    "refunded": ["amount_refunded", "refunded_amount", "refunded"],
    "test": ["test", "test_order", "test_purchase", "is_test", "livemode"],
    "gateway": ["payment_method", "gateway"],
}
FIELDS = tuple(ORDER_ALIASES) + ("ordered_at",)

# Statuses (casefolded, "_" and "-" as spaces) of an order that was paid. Others that
# say it was not are listed apart so that the summary can say why; a status in neither
# is skipped as unknown rather than guessed.
PAID = frozenset({
    "paid", "partially refunded", "completed", "complete", "processing", "succeeded",
    "success", "successful", "approved", "aprovado", "completo", "captured", "settled",
    "pagado", "completado", "pago", "finalizado", "active", "wc completed", "wc processing",
})
NOT_PAID = {
    "refunded": "refunded", "reembolsado": "refunded", "reembolso": "refunded",
    "wc refunded": "refunded", "chargeback": "refunded", "disputed": "refunded",
    "reversed": "refunded", "partially paid": "unpaid",
    "cancelled": "cancelled", "canceled": "cancelled", "cancelado": "cancelled",
    "voided": "cancelled", "void": "cancelled", "wc cancelled": "cancelled", "expired": "cancelled",
    "failed": "failed", "declined": "failed", "denied": "failed", "refused": "failed",
    "wc failed": "failed", "recusado": "failed", "rechazado": "failed", "blocked": "failed",
    "pending": "unpaid", "pending payment": "unpaid", "on hold": "unpaid", "unpaid": "unpaid",
    "authorized": "unpaid", "draft": "unpaid", "incomplete": "unpaid", "wc pending": "unpaid",
    "wc on hold": "unpaid", "aguardando pagamento": "unpaid", "printed billet": "unpaid",
    "billet printed": "unpaid", "pendiente": "unpaid", "requires payment method": "unpaid",
}
_YES = frozenset({"yes", "y", "true", "1", "si", "sí", "x", "test"})
# Shopify's test gateway ("Bogus Gateway", help.shopify.com … /test-orders).
_TEST_GATEWAYS = frozenset({"bogus", "bogus gateway"})

# A platform's export by the columns only it has: the order ids' source.
_PLATFORMS = [
    ("shopify", {"financial_status", "lineitem_name"}),
    ("woocommerce", {"order_number", "order_status"}),
    ("stripe", {"amount_refunded", "captured"}),
    ("paypal", {"transaction_id", "gross"}),
    ("hotmart", {"transacao"}),
    ("gumroad", {"purchase_email"}),
    ("teachable", {"course_name", "purchased_at"}),
    ("thinkific", {"order_number", "course"}),
    ("kajabi", {"offer_title"}),
]

_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "r$": "BRL", "us$": "USD", "¥": "JPY"}
_AMOUNT = re.compile(r"^(?P<sign>-)?\s*(?P<sym>[^\d\s.,-]{0,3})\s*(?P<num>\d[\d.,\s']*)\s*"
                     r"(?P<after>[^\d\s.,]{0,3})$")


@dataclass
class OrdersReport:
    customers: int = 0        # leads who became customers
    new_buyers: int = 0       # buyers who were not leads: customers now
    repeat: int = 0           # orders of buyers who were customers already
    known: int = 0            # orders imported before: nothing changed
    suppressed: int = 0       # buyers whose address is unsubscribed, bounced or erased
    rejected: int = 0
    skipped: dict = field(default_factory=dict)  # reason → how many

    def as_dict(self) -> dict:
        return {"customers": self.customers, "new_buyers": self.new_buyers,
                "repeat_orders": self.repeat, "already_imported": self.known,
                "suppressed": self.suppressed, "rejected": self.rejected,
                "skipped": dict(self.skipped)}


def _norm(text: str) -> str:
    return re.sub(r"[\s_-]+", " ", text.strip().casefold())


def _pick(keys: list[str], aliases: list[str], taken: set[str]) -> str | None:
    present = [key for key in keys if key not in taken]
    for alias in aliases:
        if alias in present:
            return alias
    return None


class _Columns:
    """Which of a header's columns holds what: the lead fields go to the readers as a
    --map; the order fields are read back from the rows' custom fields by their slug."""

    def __init__(self, user_map: dict[str, str]):
        from .sources.rows import FIELDS as LEAD_FIELDS

        self.user_map = user_map
        for column, target in user_map.items():
            if target not in LEAD_FIELDS and target not in FIELDS:
                raise InputError(f'--map {column}={target}: "{target}" is not an order field '
                                 f"({', '.join(sorted({*LEAD_FIELDS, *FIELDS}))})")
        self.order: dict[str, str] = {}
        self.platform = "file"

    def __call__(self, header: list[str]) -> dict[str, str]:
        from .sources.rows import slug

        keys = [slug(column) for column in header]
        by_key = dict(zip(keys, header))
        lead_map: dict[str, str] = {}
        taken: set[str] = set()
        order_targets: dict[str, str] = {}
        for column, target in self.user_map.items():
            if slug(column) not in by_key:
                raise InputError(f'--map {column}={target}: the file has no column "{column}"')
            if target == "ordered_at":
                target = "requested_at"
            if target in FIELDS:
                order_targets[target] = slug(column)
            else:
                lead_map[by_key[slug(column)]] = target
            taken.add(slug(column))
        names = set(keys)
        self.platform = next((name for name, marks in _PLATFORMS if marks <= names), "file")
        for target, aliases in ORDER_ALIASES.items():
            if target in order_targets:
                continue
            if target == "order_id" and self.platform == "shopify":
                aliases = ["name", *aliases]  # Shopify's "Name" is the order's number, #1001
            found = _pick(keys, aliases, taken)
            if found is not None:
                order_targets[target] = found
                taken.add(found)
        for target, aliases in LEAD_ALIASES.items():
            if target in lead_map.values():
                continue
            found = _pick(keys, aliases, taken)
            if found is not None:
                lead_map[by_key[found]] = target
                taken.add(found)
        self.order = order_targets
        return lead_map


def parse_amount(text: str, currency: str | None) -> tuple[int | None, str | None]:
    """"49,00 €", "$1,234.50", "1.234,56", "49" → (minor units, currency); (None, …) when
    it reads as no amount. The last "," or "." followed by one or two digits is the
    decimal mark; others group thousands. Minor units by the currency's own precision
    (ISO 4217 via Babel: 0 for JPY, 2 for EUR)."""
    match = _AMOUNT.match(text.strip())
    if not match:
        return None, currency
    symbol = (match["sym"] or match["after"] or "").casefold()
    if not currency and symbol:
        currency = _SYMBOLS.get(symbol) or (symbol.upper() if len(symbol) == 3 else None)
    digits = re.sub(r"[\s']", "", match["num"])
    whole, fraction = digits, ""
    decimal = re.search(r"[.,](\d{1,2})$", digits)
    if decimal:
        whole, fraction = digits[:decimal.start()], decimal[1]
    whole = re.sub(r"[.,]", "", whole) or "0"
    precision = _precision(currency)
    fraction = (fraction + "00")[:2]
    minor = int(whole) * 100 + int(fraction)
    if precision != 2:
        minor = minor * 10 ** precision // 100
    return (-minor if match["sign"] else minor), currency


@functools.lru_cache(maxsize=64)
def _precision(currency: str | None) -> int:
    if not currency:
        return 2
    from babel.numbers import get_currency_precision

    try:
        return get_currency_precision(currency)
    except Exception:  # an unknown code: cents, as most currencies have
        return 2


def format_amount(minor: int | None, currency: str | None, locale: str) -> str | None:
    """49,00 € in Spanish, €49.00 in English: the amount as the buyer's language writes it."""
    if minor is None:
        return None
    precision = _precision(currency)
    value = minor / 10 ** precision
    if not currency:
        return f"{value:.{precision}f}"
    from babel.numbers import format_currency

    try:
        return format_currency(value, currency, locale=locale)
    except Exception:
        return f"{value:.{precision}f} {currency}"


@dataclass
class Order:
    """One paid order, from a file's row (line > 0) or heard by serve (line 0)."""
    line: int
    email: str
    name: str | None
    product: str | None
    ordered_at: str
    order_id: str
    status: str
    amount: str | None
    amount_minor: int | None
    currency: str | None


def _read_order(row: tuple, columns: _Columns, seen: set[str]) -> Order | str | None:
    """A parsed row → an order to apply, the reason it is skipped, or None: a further
    row of an order already read (Shopify writes an order once per line item, the
    order's fields on its first row only)."""
    from .sources.rows import ParsedLead

    lead = ParsedLead(*row)
    custom = json.loads(lead.fields) if lead.fields else {}

    def cell(target: str) -> str:
        key = columns.order.get(target)
        return (custom.get(key) or "").strip() if key else ""

    order_id = cell("order_id")
    if order_id:
        if order_id in seen:
            return None
        seen.add(order_id)
    status = cell("status")
    if status:
        said = _norm(status)
        if said in NOT_PAID:
            return NOT_PAID[said]
        if said not in PAID:
            return f'status "{status}" not known as paid'
    if cell("test").casefold() in _YES and columns.order.get("test") != "livemode":
        return "test"
    if columns.order.get("test") == "livemode" and cell("test").casefold() in ("false", "no", "0"):
        return "test"
    if cell("gateway").casefold() in _TEST_GATEWAYS:
        return "test"
    amount_text = cell("amount") or None
    currency = cell("currency").upper() or None
    minor = None
    if amount_text:
        minor, currency = parse_amount(amount_text, currency)
        if minor is not None and minor < 0:
            return "refunded"  # PayPal and Stripe list a refund as a negative payment
    refunded = cell("refunded")
    if refunded.casefold() in _YES and columns.order.get("refunded") == "refunded":
        return "refunded"  # Gumroad's "Refunded?" says yes or no
    if refunded and minor and columns.order.get("refunded") != "refunded":
        back, _ = parse_amount(refunded, currency)
        if back and back >= minor:
            return "refunded"
    if lead.requested_at is None:
        return "no order date"
    if not order_id:
        # No id column: the row itself is the order's identity, so the same file again
        # is the same orders.
        order_id = "row:" + hashlib.sha256(
            "\x1f".join([lead.email, lead.requested_at, lead.product or "", amount_text or ""])
            .encode()).hexdigest()[:24]
    return Order(lead.line, lead.email, lead.name, lead.product, lead.requested_at, order_id,
                  status or "paid", amount_text, minor, currency)


# Values in one `IN (…)`: well under SQLite's default limit of bound parameters.
_LOOKUP_CHUNK = 500


def _chunks(items: list, size: int = _LOOKUP_CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


class _Applier:
    """Orders into the store a batch at a time: the orders already known, the buyers'
    leads and their suppressions are looked up with one query per few hundred rows, and
    the order rows and timeline events are written with one executemany per batch
    (BENCH.md B11: an orders import costs no more than a lead import of the same size)."""

    def __init__(self, store: Store, source: str, now: datetime, report: OrdersReport):
        self.store, self.conn, self.source = store, store.conn, source
        self.now, self.report = now, report
        self.has_suppressions = store.conn.execute(
            "SELECT 1 FROM suppressions LIMIT 1").fetchone() is not None

    def apply(self, orders: list[Order]) -> None:
        conn, report = self.conn, self.report
        known: set[str] = set()
        for ids in _chunks([order.order_id for order in orders]):
            known.update(row[0] for row in conn.execute(
                f"SELECT order_id FROM orders WHERE source = ? AND order_id IN "
                f"({','.join('?' * len(ids))})", (self.source, *ids)))
        emails = list({order.email for order in orders})
        leads: dict[str, dict] = {}
        for chunk in _chunks(emails):
            for row in conn.execute(f"SELECT * FROM leads WHERE email IN ({','.join('?' * len(chunk))})",
                                    chunk):
                leads[row["email"]] = row
        suppressions = self._suppressions([email for email in emails if email not in leads])
        order_rows, events = [], []
        became: list[tuple] = []  # (lead id, its status before, order date, note)
        fresh: list[tuple] = []   # new customers' lead rows
        now = to_db(self.now)
        next_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM leads").fetchone()[0]
        for order in orders:
            if order.order_id in known:
                report.known += 1
                continue
            known.add(order.order_id)
            lead = leads.get(order.email)
            new_buyer = False
            lead_id = None
            if lead is not None:
                lead_id = lead["id"]
                if lead["status"] in ("unsubscribed", "bounced", "erased"):
                    # Never revived into anything that gets mail (SPEC §5, §10).
                    report.suppressed += 1
                elif lead["status"] == "customer":
                    report.repeat += 1
                else:
                    became.append((lead_id, lead["status"], order.ordered_at,
                                   f"{self.source} order {order.order_id}"))
                    leads[order.email] = {"id": lead_id, "status": "customer"}
                    report.customers += 1
            else:
                suppressed = suppressions.get(order.email)
                if suppressed is not None and not (suppressed[0] == "erased"
                                                   and order.ordered_at > suppressed[1]):
                    # An erased address comes back only with a purchase after its erasure,
                    # as with an inquiry (importer.py); unsubscribed and bounced never.
                    report.suppressed += 1
                else:
                    lead_id = next_id
                    next_id += 1
                    # A buyer who never asked: a customer from the order on, never a
                    # lead to follow up.
                    fresh.append((lead_id, order.email, order.name, order.product,
                                  f"{self.source} order", order.ordered_at, order.ordered_at,
                                  now, now))
                    leads[order.email] = {"id": lead_id, "status": "customer"}
                    suppressions.pop(order.email, None)
                    new_buyer = True
                    report.new_buyers += 1
            if lead_id is not None:
                events.append((lead_id, order.ordered_at, json.dumps({
                    "order": order.order_id, "source": self.source, "product": order.product,
                    "amount_minor": order.amount_minor, "currency": order.currency,
                    **({"new_buyer": True} if new_buyer else {})}, ensure_ascii=False)))
            order_rows.append((self.source, order.order_id, lead_id, order.ordered_at, order.product,
                               order.amount, order.amount_minor, order.currency, order.status,
                               int(new_buyer), now))
        # What Store.change_status does, for a batch: the status as of the order's date
        # and its timeline event. The cadence cache is what Store.refresh gives any
        # customer (cadence.next_message: nothing due, no give-up), and a new customer
        # has no messages (contacts 0), so it is written at once.
        conn.executemany(
            "UPDATE leads SET status = 'customer', status_at = ?, updated_at = ?, next_step = NULL, "
            "next_due_at = NULL, give_up_at = NULL WHERE id = ?",
            [(at, at, lead_id) for lead_id, _, at, _ in became])
        conn.executemany(
            "INSERT INTO leads (id, email, name, product, source, requested_at, status, status_at, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'customer', ?, ?, ?)", fresh)
        conn.executemany(
            "INSERT INTO events (lead_id, at, kind, detail) VALUES (?, ?, 'status', ?)",
            [(lead_id, at, json.dumps({"from": before, "to": "customer", "note": note},
                                      ensure_ascii=False))
             for lead_id, before, at, note in became])
        conn.executemany("INSERT INTO events (lead_id, at, kind, detail) VALUES (?, ?, 'order', ?)",
                         events)
        conn.executemany(
            "INSERT INTO orders (source, order_id, lead_id, ordered_at, product, amount, "
            "amount_minor, currency, status, new_buyer, imported_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", order_rows)

    def _suppressions(self, emails: list[str]) -> dict[str, tuple[str, str]]:
        """address → (reason, at) of the suppressed ones among `emails` (SPEC §10)."""
        if not self.has_suppressions or not emails:
            return {}
        by_hash = {self.store.address_hash(email): email for email in emails}
        found = {}
        for hashes in _chunks(list(by_hash)):
            for row in self.conn.execute(
                    f"SELECT hash, reason, at FROM suppressions WHERE hash IN ({','.join('?' * len(hashes))})",
                    hashes):
                found[by_hash[row["hash"]]] = (row["reason"], row["at"])
        return found


def record_orders(store: Store, source: str, orders: list[Order], now: datetime, *,
                  then=None) -> OrdersReport:
    """Orders heard one or a few at a time (serve's webhooks and /api/orders), applied as
    an import applies its batches: the same order id from the same source changes nothing
    the second time. One transaction; `then(conn)`, when given, runs inside it (serve
    records refunds and the shop's own order ids with the orders, all or nothing)."""
    report = OrdersReport()
    with store.write():
        _Applier(store, source, now, report).apply(orders)
        if then is not None:
            then(store.conn)
    return report


def import_orders(store: Store, config, file: str, now: datetime, *, column_map=None,
                  rejects_path=None, force: bool = False, on_reject=None, **options):
    """Import an orders or payments export; returns the OrdersReport. One transaction:
    a file unreadable half-way changes nothing."""
    import csv

    from .outfiles import database_files, written
    from .sources import open_source
    from .sources.vcard import VcardSource

    columns = _Columns(column_map or {})
    report = OrdersReport()
    with open_source(file, default_timezone=config.cadence.timezone, column_map=columns,
                     **options) as source:
        if isinstance(source, VcardSource):
            raise InputError(f"{file}: a vCard file holds contacts, not orders")
        protected = [(file, "the file being imported"), *database_files(store.path)]
        rejects = (written(rejects_path, what="rejected rows", force=force, protected=protected)
                   if rejects_path is not None else nullcontext())
        with rejects as rejects_file, store.write():
            writer = None
            if rejects_file is not None:
                writer = csv.writer(rejects_file)
                writer.writerow([*source.header, "line", "reason"])

            def reject(line: int, reason: str, values: list[str]) -> None:
                report.rejected += 1
                if on_reject is not None:
                    on_reject(line, reason)
                if writer is not None:
                    writer.writerow([*values, line, reason])

            applier = _Applier(store, columns.platform, now, report)
            seen: set[str] = set()
            for batch in source.batches():
                for rejected in batch.rejects:
                    reject(rejected.line, rejected.reason, rejected.values)
                orders = []
                for row in batch.leads:
                    order = _read_order(row, columns, seen)
                    if isinstance(order, str):
                        report.skipped[order] = report.skipped.get(order, 0) + 1
                    elif order is not None:
                        orders.append(order)
                applier.apply(orders)
    return report


def orders_summary(store: Store, since: datetime | None = None) -> dict:
    """What the orders say (SPEC §8): buyers by the contacts they had received before their
    first order (and the share of the leads who received that many), days from inquiry to
    first purchase, and revenue by the last step received before each order, per currency
    (never converted). Buyers who never asked are counted apart."""
    import statistics

    conn = store.conn
    where, params = ("AND l.requested_at >= ?", [to_db(since)]) if since else ("", [])
    when = "coalesce(m.sent_at, m.attempted_at)"
    sent = "m.lead_id = o.lead_id AND m.kind = 'sequence' AND m.state IN ('sent', 'unknown')"
    rows = conn.execute(
        f"""SELECT o.lead_id, o.ordered_at, o.amount_minor, o.currency, o.new_buyer,
                   l.requested_at,
                   (SELECT count(*) FROM messages m WHERE {sent} AND {when} <= o.ordered_at) AS contacts,
                   (SELECT max(m.step) FROM messages m WHERE {sent} AND {when} <= o.ordered_at) AS step
            FROM orders o JOIN leads l ON l.id = o.lead_id
            WHERE 1 {where} ORDER BY o.lead_id, o.ordered_at""", params).fetchall()
    first: dict[int, object] = {}
    revenue: dict[tuple, int] = {}
    orders = new_buyers = 0
    for row in rows:
        orders += 1
        if row["new_buyer"]:
            new_buyers += 1
        first.setdefault(row["lead_id"], row)
        if row["amount_minor"] is not None:
            step = "new buyer" if row["new_buyer"] else (
                "none" if row["step"] is None else str(row["step"]))
            key = (step, row["currency"] or "")
            revenue[key] = revenue.get(key, 0) + row["amount_minor"]
    buyers = [row for row in first.values() if not row["new_buyer"]]
    by_contacts: dict[int, int] = {}
    for row in buyers:
        by_contacts[row["contacts"]] = by_contacts.get(row["contacts"], 0) + 1
    reached_rows = conn.execute(
        f"""SELECT l.contacts, count(*) FROM leads l
            WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.lead_id = l.id AND o.new_buyer = 1)
            {where} GROUP BY l.contacts""", params).fetchall()
    conversion = []
    for k in sorted(by_contacts):
        # Leads who received at least k contacts in all, buyers counted at their order.
        reached = sum(n for contacts, n in reached_rows if contacts >= k)
        reached = max(reached, sum(v for c, v in by_contacts.items() if c >= k))
        conversion.append({"contacts": k, "buyers": by_contacts[k], "reached": reached,
                           "conversion_rate": round(by_contacts[k] / reached, 4) if reached else None})
    days = [(from_db(row["ordered_at"]) - from_db(row["requested_at"])).total_seconds() / 86400
            for row in buyers]
    days = [d for d in days if d >= 0]
    refunded = conn.execute(
        f"SELECT count(*) FROM orders o JOIN leads l ON l.id = o.lead_id "
        f"WHERE o.refunded_at IS NOT NULL {where}", params).fetchone()[0]
    return {
        "orders": orders,
        "refunded_orders": refunded,  # a refund heard by serve (the buyer stays a customer)
        "buyers": len(first),
        "new_buyers": len({row["lead_id"] for row in rows if row["new_buyer"]}),
        "conversion_by_contacts_before_order": conversion,
        "median_days_to_purchase": round(statistics.median(days), 1) if days else None,
        "revenue_by_step": [
            {"step": step, "currency": currency or None, "amount_minor": total}
            for (step, currency), total in sorted(revenue.items(), key=_revenue_order)],
    }


def _revenue_order(item) -> tuple:
    (step, currency), _ = item
    rank = 0 if step == "none" else 1 if step.isdigit() else 2  # before any message first
    return (rank, int(step) if step.isdigit() else 0, currency)
