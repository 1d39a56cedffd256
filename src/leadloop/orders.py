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
import re
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from json.encoder import encode_basestring as _quote

from .clock import from_db, to_db
from .errors import InputError
from .store import Store

# Column names (as sources.rows.slug makes them), best first.
LEAD_ALIASES = {
    # Gumroad's "Purchase Email" is the address given at checkout, its "Buyer Email" the
    # buyer's Gumroad account's, often empty.
    "email": ["email", "customer_email", "billing_email", "billing_email_address",
              "purchase_email", "buyer_email", "from_email_address", "email_address", "user_email",
              "student_email", "member_email", "email_do_comprador", "correo", "correo_electronico"],
    "name": ["billing_name", "customer_name", "buyer_name", "full_name", "name_of_customer",
             "user_name", "nome_do_comprador", "comprador", "nombre_del_cliente", "student",
             "customer_description", "nombre", "name"],
    "product": ["lineitem_name", "item_name", "product_name", "product", "product_title",
                "course_name", "course", "offer_title", "offer", "nome_do_produto", "produto",
                "producto", "item_title", "description", "line_item_1"],
    "first_name": ["billing_first_name", "first_name", "buyer_first_name"],
    "last_name": ["billing_last_name", "last_name", "buyer_last_name"],
    # The moment it was paid, else when it was placed.
    "requested_at": ["paid_at", "date_paid", "paid_date", "order_date",
                     "purchase_time_utc_timezone",  # Gumroad's; its Purchase Date has no time
                     "purchase_date",
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
               "transaction_status", "status_da_transacao", "estado", "estado_del_pedido",
               "transaction_type"],  # Kajabi's payouts: Sale, Refund, Adjustment
    "amount": ["total", "order_total", "order_total_amount", "amount", "gross", "price",
               "sale_price", "amount_paid", "total_paid", "valor", "valor_da_compra",
               "preco", "importe", "precio", "total_amount"],
    "currency": ["currency", "currency_code", "order_currency", "moeda", "moneda", "divisa"],
    # Gumroad's "Refunded?" is 1 for a partial refund too; its "Fully Refunded?" is not.
    "refunded": ["fully_refunded", "amount_refunded", "refunded_amount", "refunded"],
    # The payment a refund row undoes (PayPal's "Reference Txn ID").
    "refund_of": ["reference_txn_id"],
    # PayPal's "Balance Impact": Credit, Debit, or Memo (an authorization, a hold: no
    # money moved).
    "impact": ["balance_impact"],
    # Stripe's payments export says "Mode": Live or Test.
    "test": ["test", "test_order", "test_purchase", "is_test", "livemode", "mode"],
    "gateway": ["payment_method", "gateway"],
}
# Where a platform names one order by two ids, which column holds the id serve's hook
# knows the order by (its key), and which the other one (kept as orders.platform_id, so
# that an order heard one way and imported the other is one order, and a refund naming
# either id finds it). tests/fixtures/orders/README.md says where each was read.
# - Shopify: the export's Name ("#1001") is the order webhook's `name`; its Id is the
#   webhook's numeric `id`, the one a refunds/create names.
# - Stripe: the payments export names a row by its charge (`ch_…`, `py_…`) and carries
#   the "PaymentIntent ID" the hooks know the payment by (a legacy charge has none: its
#   own id then).
# - WooCommerce: the order's `id` (never renumbered) and its `number`, which a
#   sequential-numbers plugin makes "WC-1001".
ORDER_KEYS = {
    "shopify": (["name"], ["id"]),
    "stripe": (["paymentintent_id", "payment_intent_id", "payment_intent"], ["id", "charge_id"]),
    "woocommerce": (["order_id"], ["order_number"]),
    # Gumroad's sales CSV: "Purchase ID" (the sale's id) and "Order Number" (its number).
    "gumroad": (["purchase_id"], ["order_number"]),
}
def either_id(source: str, value: str) -> bool:
    """Whether an id of one kind (ORDER_KEYS) may match a recorded order's id of the other
    kind: an order recorded before under its other id (by a Stripe export read before
    PaymentIntents were, by the WooCommerce hook that used the number), or a file that
    has only the other id. Stripe's and Shopify's kinds cannot be confused (pi_ / ch_,
    "#1001" / a 13-digit id); a WooCommerce number made of digits alone can be another
    order's id (a numbering plugin's 1500 beside order 1500), so it matches only its own
    kind."""
    return source != "woocommerce" or not value.isdigit()


# A platform whose export writes its amounts in one currency, named only in the header
# ("Sale Price ($)": Gumroad's amounts are USD, Exports::PurchaseExportService).
_PLATFORM_CURRENCY = {"gumroad": "USD"}
FIELDS = tuple(ORDER_ALIASES) + ("ordered_at", "platform_id")
# A time of day and a zone in columns of their own beside the order's date (PayPal).
_TIME_COLUMNS = ["time", "hora", "time_of_day", "hora_de_la_transaccion"]
_ZONE_COLUMNS = ["timezone", "time_zone", "zona_horaria", "fuso_horario"]

# Statuses (casefolded, "_" and "-" as spaces) of an order that was paid. Others that
# say it was not are listed apart so that the summary can say why; a status in neither
# is skipped as unknown rather than guessed.
PAID = frozenset({
    "paid", "partially refunded", "completed", "complete", "processing", "succeeded",
    "success", "successful", "approved", "aprovado", "completo", "captured", "settled",
    "pagado", "completado", "pago", "finalizado", "active", "wc completed", "wc processing",
    "sale",
})
NOT_PAID = {
    "refunded": "refunded", "reembolsado": "refunded", "reembolso": "refunded",
    "wc refunded": "refunded", "chargeback": "refunded", "disputed": "refunded",
    "reversed": "refunded", "partially paid": "unpaid", "refund": "refunded",
    "adjustment": "not a sale",
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
    ("woocommerce", {"order_number", "order_currency", "paid_date"}),
    ("stripe", {"amount_refunded", "captured"}),
    ("stripe", {"paymentintent_id"}),  # a payments export with fewer columns chosen
    ("stripe", {"amount_refunded", "created_utc"}),
    ("stripe", {"amount_refunded", "created_date_utc"}),
    ("paypal", {"transaction_id", "gross"}),
    ("hotmart", {"transacao"}),
    ("gumroad", {"purchase_email"}),
    ("teachable", {"course_name", "purchased_at"}),
    ("teachable", {"student", "offer_type"}),  # its Transactions page's column names
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
    # (code page, a word as read in it) when leadloop chose one (importer.ImportReport's).
    code_page: tuple[str, str | None] | None = None

    def count(self, other: "OrdersReport") -> None:
        """Add `other`'s counts of orders applied (a batch planned in the reading process)."""
        for name in ("customers", "new_buyers", "repeat", "known", "suppressed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict:
        return {"customers": self.customers, "new_buyers": self.new_buyers,
                "repeat_orders": self.repeat, "already_imported": self.known,
                "suppressed": self.suppressed, "rejected": self.rejected,
                "skipped": dict(self.skipped),
                "code_page": self.code_page[0] if self.code_page else None}


_SEPARATORS = re.compile(r"[\s_-]+")


@functools.lru_cache(maxsize=256)
def _norm(text: str) -> str:
    """A status as PAID and NOT_PAID list it (a file has a handful: read each once)."""
    return _SEPARATORS.sub(" ", text.strip().casefold())


def _pick(keys: list[str], aliases: list[str], taken: set[str]) -> str | None:
    present = [key for key in keys if key not in taken]
    for alias in aliases:
        if alias in present:
            return alias
    return None


class _Columns:
    """Which of a header's columns holds what: the lead fields go to the readers as a
    --map; the order fields are read back from the rows' custom fields by their slug."""

    def __init__(self, user_map: dict[str, str], default_timezone: str = "Europe/Madrid",
                 month_first: bool = False):
        from .sources.rows import FIELDS as LEAD_FIELDS

        self.user_map = user_map
        self.default_timezone, self.month_first = default_timezone, month_first
        self.keys: list[str] = []
        self.lead_map: dict[str, str | None] = {}
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
        key_aliases, other_aliases = ORDER_KEYS.get(self.platform, ([], []))
        if "order_id" not in order_targets and (found := _pick(keys, key_aliases, taken)):
            order_targets["order_id"] = found
            taken.add(found)
        if "platform_id" not in order_targets and (found := _pick(keys, other_aliases, taken)):
            order_targets["platform_id"] = found
            taken.add(found)
        for target, aliases in ORDER_ALIASES.items():
            if target in order_targets or (target == "order_id" and key_aliases):
                continue  # a platform's own id columns, or none (never a "transaction_id")
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
        date_column = next((column for column, target in lead_map.items()
                            if target == "requested_at"), None)
        time_key = _pick(keys, _TIME_COLUMNS, taken)
        if date_column is not None and time_key is not None:
            # The time of day in a column of its own beside the date, and maybe the zone
            # in a third (PayPal's "Date", "Time", "TimeZone"): read together here, so
            # the reader takes none of them (its "TimeZone" is an IANA name, a lead's).
            order_targets["date"], order_targets["time"] = slug(date_column), time_key
            lead_map[date_column] = lead_map[by_key[time_key]] = None
            zone_key = _pick(keys, _ZONE_COLUMNS, taken)
            if zone_key is not None:
                order_targets["zone"] = zone_key
                lead_map[by_key[zone_key]] = None
        self.order, self.keys, self.lead_map = order_targets, keys, lead_map
        return lead_map

    def cells(self, row: tuple, custom: dict) -> list[str]:
        """A parsed row's cells again, as far as the reader kept them (custom fields, the
        address, name and product), for the rejects file of a row rejected here."""
        from .sources.rows import slug

        kept = {slug(column): row[_LEAD_VALUES[target]] or ""
                for column, target in self.lead_map.items() if target in _LEAD_VALUES}
        return [custom.get(key, kept.get(key, "")) for key in self.keys]


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
    digits = _GROUPING.sub("", match["num"])
    whole, fraction = digits, ""
    decimal = _DECIMALS.search(digits)
    if decimal:
        whole, fraction = digits[:decimal.start()], decimal[1]
    whole = _MARKS.sub("", whole) or "0"
    precision = _precision(currency)
    fraction = (fraction + "00")[:2]
    minor = int(whole) * 100 + int(fraction)
    if precision != 2:
        minor = minor * 10 ** precision // 100
    return (-minor if match["sign"] else minor), currency


_GROUPING, _DECIMALS, _MARKS = re.compile(r"[\s']"), re.compile(r"[.,](\d{1,2})$"), re.compile(r"[.,]")
# A shop sells a few products at a few prices: each amount text is read once.
_amount = functools.lru_cache(maxsize=4096)(parse_amount)


@functools.lru_cache(maxsize=64)
def _precision(currency: str | None) -> int:
    if not currency:
        return 2
    from .cldr import load_babel

    load_babel()
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
    from .cldr import load_babel

    load_babel()
    from babel.numbers import format_currency

    try:
        return format_currency(value, currency, locale=locale)
    except Exception:
        return f"{value:.{precision}f} {currency}"


@dataclass(slots=True)
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
    # The platform's other id of the same order (ORDER_KEYS; a Shopify order's numeric id
    # heard by serve): either id finds the order.
    platform_id: str | None = None


# Where a parsed row (sources.rows.ParsedLead, as a tuple) has what an order reads.
_LINE, _EMAIL, _NAME, _PRODUCT, _REQUESTED_AT, _FIELDS = 0, 1, 2, 3, 5, 10
# An order being read, as a list: Order's fields, then the products of its line items.
_BUYER, _PRODUCT_TEXT, _ORDER_ID, _PLATFORM_ID, _PRODUCTS = 1, 3, 5, 10, 11
_ORDER_FIELDS = 11
_NO_FIELDS: dict = {}
_LEAD_VALUES = {"email": _EMAIL, "name": _NAME, "product": _PRODUCT}


class _OrderRows:
    """Parsed rows → orders (as tuples of Order's fields: they cross from the reading
    process cheaply), the reasons rows are skipped, and rows rejected. Pure, and run
    in the reading process beside the writing one when the file is big (forked.py).

    A shop that writes an order once per line item (Shopify, and WooCommerce's line-item
    exports) has the order's fields (status, total, dates) on its first row only, and its
    further rows right after it: their products join the order's ("Curso de yoga,
    Esterilla"), the total is counted once. The last order read is held until a row of
    another order (or the file's end) says it is whole."""

    def __init__(self, columns: _Columns):
        self.columns = columns
        self.seen: set[str] = set()
        self.held: list | None = None  # the last order read, as a list of Order's fields
        # Orders a later (or earlier) row of the file refunds: a Kajabi "Refund" row with
        # the sale's order number, a PayPal refund whose "Reference Txn ID" names the
        # payment. Orders already handed on in an earlier batch stay applied.
        self.refunded: set[str] = set()
        self.dates: dict = {}

    def __call__(self, batches) -> Iterator[tuple[list, list[tuple], dict]]:
        for batch in batches:
            orders: list[tuple] = []
            skipped: dict[str, int] = {}
            rejects = list(batch.rejects)
            if self.columns.platform == "gumroad" and rejects:
                # Its export ends with a "Totals" row (TOTALS_COLUMN_NAME): no order.
                rejects = [row for row in rejects if row.values[:1] != ["Totals"]]
            for row in batch.leads:
                order = self.read(row)
                if order is None:
                    continue
                if type(order) is str:
                    skipped[order] = skipped.get(order, 0) + 1
                elif type(order) is list:
                    if self.held is not None:
                        orders.append(tuple(self.held[:_ORDER_FIELDS]))
                    self.held = order
                else:
                    rejects.append(order)
            if self.refunded:
                orders = self._unrefunded(orders, skipped)
            yield rejects, orders, skipped
        if self.held is not None:
            skipped = {}
            orders = self._unrefunded([tuple(self.held[:_ORDER_FIELDS])], skipped)
            yield [], orders, skipped
            self.held = None

    def _unrefunded(self, orders: list[tuple], skipped: dict) -> list[tuple]:
        kept = [order for order in orders if order[_ORDER_ID] not in self.refunded]
        if len(kept) < len(orders):
            skipped["refunded"] = skipped.get("refunded", 0) + len(orders) - len(kept)
        return kept

    def read(self, row: tuple):
        """A parsed row → an order (a list of Order's fields), the reason it is skipped, a
        RejectedRow, or None: a further row of an order already read."""
        columns = self.columns
        custom = row[_FIELDS] or _NO_FIELDS  # a dict (RowChecker's fields_as_dict)
        get = custom.get
        keys = columns.order
        order_id = (get(keys.get("order_id")) or "").strip()
        platform_id = (get(keys.get("platform_id")) or "").strip() or None
        if not order_id and platform_id:
            order_id, platform_id = platform_id, None  # a Stripe charge without a PaymentIntent
        elif platform_id == order_id:
            platform_id = None
        if order_id:
            if order_id in self.refunded and order_id not in self.seen:
                self.seen.add(order_id)
                return "refunded"  # a refund further up named this payment
            if order_id in self.seen:
                if self._refunds(get, keys):
                    self.refunded.add(order_id)  # the sale's own refund row
                    return None
                held = self.held
                if held is not None and held[_ORDER_ID] == order_id:
                    product = row[_PRODUCT]
                    if product and product not in held[_PRODUCTS]:
                        held[_PRODUCTS].append(product)
                        held[_PRODUCT_TEXT] = ", ".join(held[_PRODUCTS])
                return None
            self.seen.add(order_id)
        status = (get(keys.get("status")) or "").strip()
        if "refund_of" in keys and self._refunds(get, keys):
            refund_of = (get(keys["refund_of"]) or "").strip()
            if refund_of:
                self.refunded.add(refund_of)
        if "impact" in keys and (get(keys["impact"]) or "").strip().casefold() == "memo":
            return "no money moved (memo)"
        if status:
            said = _norm(status)
            if said in NOT_PAID:
                return NOT_PAID[said]
            if said not in PAID:
                return f'status "{status}" not known as paid'
        if "test" in keys:
            test = (get(keys["test"]) or "").strip().casefold()
            if keys["test"] == "livemode":  # Stripe: livemode false is a test payment
                if test in ("false", "no", "0"):
                    return "test"
            elif test in _YES:
                return "test"
        if "gateway" in keys and (get(keys["gateway"]) or "").strip().casefold() in _TEST_GATEWAYS:
            return "test"
        amount_text = (get(keys.get("amount")) or "").strip() or None
        currency = ((get(keys.get("currency")) or "").strip().upper()
                    or _PLATFORM_CURRENCY.get(columns.platform))
        minor = None
        if amount_text:
            minor, currency = _amount(amount_text, currency)
            if minor is not None and minor < 0:
                return "refunded"  # PayPal and Stripe list a refund as a negative payment
        refunded = (get(keys.get("refunded")) or "").strip()
        if refunded:
            if keys["refunded"] in ("refunded", "fully_refunded"):
                if refunded.casefold() in _YES:
                    return "refunded"  # Gumroad's "Fully Refunded?" says yes or no
            elif minor:
                back, _ = _amount(refunded, currency)
                if back and back >= minor:
                    return "refunded"
        if "time" in columns.order:
            # PayPal: the date, the time of day and the zone in three cells.
            ordered_at = self._with_time(*((get(keys.get(target)) or "").strip()
                                           for target in ("date", "time", "zone")))
            if type(ordered_at) is InputError:
                from .sources.rows import RejectedRow

                return RejectedRow(row[_LINE], str(ordered_at), columns.cells(row, custom))
        else:
            ordered_at = row[_REQUESTED_AT]
        if ordered_at is None:
            return "no order date"
        email, product = row[_EMAIL], row[_PRODUCT]
        if product and product.startswith("name:"):
            # WooCommerce's "line_item_1": name:Curso de yoga|product_id:12|quantity:1|…
            product = product[5:].partition("|")[0].strip() or None
        if not order_id:
            # No id column: the row itself is the order's identity, so the same file again
            # is the same orders.
            order_id = "row:" + hashlib.sha256(
                "\x1f".join([email, ordered_at, product or "", amount_text or ""])
                .encode()).hexdigest()[:24]
        return [row[_LINE], email, row[_NAME], product, ordered_at, order_id, status or "paid",
                amount_text, minor, currency, platform_id, [product] if product else []]

    @staticmethod
    def _refunds(get, keys) -> bool:
        """Whether a row says money went back: a refund status, or a negative amount."""
        status = (get(keys.get("status")) or "").strip()
        if status and NOT_PAID.get(_norm(status)) == "refunded":
            return True
        amount = (get(keys.get("amount")) or "").strip()
        return amount.startswith("-") or amount.startswith("(")

    def _with_time(self, date_text: str, time_text: str, zone_text: str) -> str | InputError | None:
        """PayPal's "Date", "Time" and "TimeZone" cells → the instant, in the zone the row
        names ("PST", "CEST", an offset or an IANA name), else the default one: 23:30 PST
        is the next day in Madrid. None when there is no date."""
        if not date_text:
            return None
        key = (date_text, time_text, zone_text)
        found = self.dates.get(key)
        if found is None:
            if len(self.dates) >= 20_000:
                self.dates.clear()
            found = self.dates[key] = self._instant(date_text, time_text, zone_text)
        return found

    def _instant(self, date_text: str, time_text: str, zone_text: str) -> str | InputError:
        from .clock import zone
        from .sources.rows import EARLIEST_YEAR, LATEST_YEAR, ZONE_ABBREVIATIONS, _read_date

        columns = self.columns
        text = f"{date_text} {time_text}".strip()
        tz = None
        if zone_text:
            if zone_text.upper() in ZONE_ABBREVIATIONS or re.fullmatch(
                    r"(?:GMT|UTC)?[+-]\d{1,2}(?::?\d{2})?", zone_text, re.I):
                text = f"{text} {zone_text}"  # read by the date reader's own zone table
            else:
                try:
                    tz = zone(zone_text)
                except InputError:
                    return InputError(f'unknown time zone "{zone_text}"')
        try:
            value = _read_date(text, tz or zone(columns.default_timezone), columns.month_first)
        except (ValueError, OverflowError):
            return InputError(f'unreadable date "{text}"')
        if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            return InputError(f'date "{text}" is out of range (years {EARLIEST_YEAR}–{LATEST_YEAR})')
        return to_db(value)


# Values in one `IN (…)`: well under SQLite's default limit of bound parameters.
_LOOKUP_CHUNK = 500
# Orders an import applies at once. Its writes are sorted by lead first: a lead's row,
# its index entries and its events' index entries are then reached in the order they
# lie in the file, not at random (on a 1M-lead database that halves the writing, BENCH.md
# B11), and the more orders at once, the more of them share pages. But the writing
# process waits for the first batch to be read and worked out (in the reading process,
# for a big file): 10k balances the two (B11 with 5k, 10k, 25k: 3.37, 3.45, 3.56 s).
APPLY_EVERY = 10_000


def _js(value) -> str:
    """A value of an event's detail as json.dumps(…, ensure_ascii=False) writes it: the
    details are written the way Store.event writes them, without an encoder per event
    (a tenth of a 100k-order import's time)."""
    if value is None:
        return "null"
    return _quote(value) if type(value) is str else str(value)


def _chunks(items: list, size: int = _LOOKUP_CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


class _Planner:
    """Which orders change what, a batch at a time: the orders already known, the buyers'
    leads and their suppressions are looked up with one query per few hundred rows, and
    each order becomes the rows to write (a _Plan), sorted by lead. Only reads: for a big
    file it runs in the reading process, on its own read-only connection, beside the
    writing one (BENCH.md B11: an orders import costs no more than a lead import of the
    same size).

    Its reads see the database as it was when the import's transaction began (the
    writing process holds the write lock, and what it writes is not committed until the
    end), so what this import did itself is kept here: the order ids it imported, the
    leads it made customers and the new buyers' leads."""

    def __init__(self, store: Store, source: str, now: datetime):
        conn = store.conn
        self.source, self.now = source, to_db(now)
        self.secret = None  # the suppressions' key (Store.address_hash), read here once
        if conn.execute("SELECT 1 FROM suppressions LIMIT 1").fetchone() is not None:
            self.secret = bytes.fromhex(store.meta("secret"))
        self.next_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM leads").fetchone()[0]
        # Ids this import wrote: (order ids, platform ids), as _known's.
        self.imported: tuple[set[str], set[str]] = (set(), set())
        self.customers: set[int] = set()    # leads this import made customers, new ones too
        self.added: dict[str, int] = {}     # new buyers' addresses → their leads' ids
        self.other_ids: bool | None = None  # whether the source's orders have platform ids
        # An erased buyer's orders keep only the keyed hashes of their ids (privacy.py),
        # as does an order of a suppressed address (it has no lead): an id not recorded as
        # itself is looked for among this source's, (order ids, platform ids), a few read
        # at once by a range of the order id index (no look-up per batch).
        from .privacy import ERASED_RANGE, keyed_hasher, order_hasher

        self.hashed = None if self.secret is None else keyed_hasher(self.secret)
        self.erased: tuple[set[str], set[str]] = (set(), set())
        for order_id, platform_id in conn.execute(
                f"SELECT order_id, platform_id FROM orders WHERE source = ? AND {ERASED_RANGE}",
                (source,)):
            self.erased[0].add(order_id)
            if platform_id is not None:
                self.erased[1].add(platform_id)
        if self.erased[0] and self.hashed is None:
            self.hashed = order_hasher(conn)
        self.use(conn)

    def use(self, conn) -> None:
        """Read through `conn` from now on (the reading process's own connection)."""
        self.rows = conn.cursor()
        self.rows.row_factory = None  # plain tuples: a lookup's rows go straight into dicts

    def _lookup(self, sql: str, values: list) -> Iterator[tuple]:
        for chunk in _chunks(values):
            yield from self.rows.execute(sql.format(",".join("?" * len(chunk))), chunk)

    def plan(self, orders: list[tuple], report: OrdersReport) -> "_Plan":
        """`orders` as tuples of Order's fields (as they cross from the reading process:
        no Order made of each, a tenth of the planning)."""
        source, added, customers, imported = self.source, self.added, self.customers, self.imported
        known, erased = self._known(orders)
        emails = {order[_BUYER] for order in orders}
        # The leads' ids from the address index alone (it holds them), then their statuses
        # in the order of their rows.
        lead_ids = dict(self._lookup("SELECT email, id FROM leads WHERE email IN ({})",
                                     sorted(emails - added.keys())))
        statuses = dict(self._lookup("SELECT id, status FROM leads WHERE id IN ({})",
                                     sorted(lead_ids.values())))
        suppressions = self._suppressions(sorted(emails - lead_ids.keys() - added.keys()))
        order_rows: list[tuple] = []
        became: list[tuple] = []  # (lead id, order date, status left, order id)
        fresh: list[tuple] = []   # new customers' lead rows
        now = self.now
        for _, email, name, product, at, order_id, status, amount, minor, currency, other_id \
                in orders:
            if self._seen(order_id, other_id, known):
                if erased and (order_id in erased or other_id in erased):
                    report.suppressed += 1  # an erased buyer's: it stays erased (SPEC §10)
                else:
                    report.known += 1
                continue
            imported[0].add(order_id)
            if other_id is not None:
                imported[1].add(other_id)
            lead_id = lead_ids.get(email) or added.get(email)
            new_buyer = 0
            if lead_id is not None:
                was = "customer" if lead_id in customers else statuses[lead_id]
                if was in ("unsubscribed", "bounced", "erased"):
                    # Never revived into anything that gets mail (SPEC §5, §10).
                    report.suppressed += 1
                elif was == "customer":
                    report.repeat += 1
                else:
                    became.append((lead_id, at, was, order_id))
                    customers.add(lead_id)
                    report.customers += 1
            else:
                suppressed = suppressions.get(email)
                if suppressed is not None and not (suppressed[0] == "erased"
                                                   and at > suppressed[1]):
                    # An erased address comes back only with a purchase after its erasure,
                    # as with an inquiry (importer.py); unsubscribed and bounced never.
                    report.suppressed += 1
                else:
                    lead_id = self.next_id
                    self.next_id += 1
                    # A buyer who never asked: a customer from the order on, never a
                    # lead to follow up.
                    fresh.append((lead_id, email, name, product, f"{source} order", at, at, now, now))
                    added[email] = lead_id
                    customers.add(lead_id)
                    suppressions.pop(email, None)
                    new_buyer = 1
                    report.new_buyers += 1
            # The order's row is its moment in the lead's timeline too (Store.timeline_events):
            # an `order` event would repeat it, and cost a big import a tenth of its writing.
            if lead_id is None:  # nobody's order here: the shop's ids name its buyer
                order_id = self.hashed(order_id)
                other_id = None if other_id is None else self.hashed(other_id)
            order_rows.append((source, order_id, lead_id, at, product, amount, minor, currency,
                               status, new_buyer, now, other_id))
        # The writes by lead: a lead's row, its index entries and its events' index
        # entries are then reached in the order they lie in the file.
        became.sort()
        order_rows.sort(key=_lead_of_order)  # each row's lead id is in an index
        return _Plan(source, became, fresh, order_rows)

    def _seen(self, order_id: str, other_id: str | None, known: tuple[set, set]) -> bool:
        """Whether the order was recorded before, or by this import: its id as an order id,
        its other id as a platform id, or, where either_id allows, the one as the other."""
        source = self.source
        for order_ids, platform_ids in (known, self.imported):
            if order_id in order_ids or (other_id is not None and other_id in platform_ids):
                return True
            if order_id in platform_ids and either_id(source, order_id):
                return True
            if other_id is not None and other_id in order_ids and either_id(source, other_id):
                return True
        return False

    def _known(self, orders: list[tuple]) -> tuple[tuple[set[str], set[str]], set[str]]:
        """(order ids, platform ids) of the orders recorded from this source before that
        have any id (ORDER_KEYS) of the orders among `orders` (_seen decides which match),
        and which of those ids were found as an erased buyer's, by their keyed hash."""
        order_ids = [order[_ORDER_ID] for order in orders]
        order_ids += [order[_PLATFORM_ID] for order in orders if order[_PLATFORM_ID] is not None]
        if self.other_ids is None:  # whether this source's orders have any: read once
            self.other_ids = self.rows.execute(
                "SELECT 1 FROM orders WHERE source = ? AND platform_id IS NOT NULL LIMIT 1",
                (self.source,)).fetchone() is not None
        # Two look-ups, each by its own index (an OR of both would read every order of
        # the source); the second only when some order of the source has another id (an
        # order of this import is in self.imported under both).
        by_other = (" UNION ALL SELECT order_id, platform_id FROM orders WHERE source = ? AND "
                    "platform_id IN ({0})" if self.other_ids else "")
        known: tuple[set[str], set[str]] = (set(), set())
        for ids in _chunks(order_ids):
            marks = ",".join("?" * len(ids))
            for order_id, platform_id in self.rows.execute(
                    f"SELECT order_id, platform_id FROM orders WHERE source = ? AND order_id "
                    f"IN ({marks}){by_other.format(marks)}",
                    (self.source, *ids, *((self.source, *ids) if by_other else ()))):
                known[0].add(order_id)
                if platform_id is not None:
                    known[1].add(platform_id)
        erased: set[str] = set()
        if self.erased[0]:
            hashed, (erased_ids, erased_others) = self.hashed, self.erased
            for value in order_ids:
                if value in known[0] or value in known[1]:
                    continue  # recorded as itself: no erased buyer's
                digest = hashed(value)
                if digest in erased_ids:
                    known[0].add(value)
                    erased.add(value)
                if digest in erased_others:
                    known[1].add(value)
                    erased.add(value)
        return known, erased

    def _suppressions(self, emails: list[str]) -> dict[str, tuple[str, str]]:
        """address → (reason, at) of the suppressed ones among `emails` (SPEC §10)."""
        if self.secret is None or not emails:
            return {}
        import hmac

        secret = self.secret
        by_hash = {hmac.new(secret, email.encode(), hashlib.sha256).hexdigest(): email
                   for email in emails}
        found = {}
        for hashes in _chunks(list(by_hash)):
            for row in self.rows.execute(
                    f"SELECT hash, reason, at FROM suppressions WHERE hash IN ({','.join('?' * len(hashes))})",
                    hashes):
                found[by_hash[row[0]]] = (row[1], row[2])
        return found


@dataclass(slots=True)
class _Plan:
    """What a batch of orders writes: plain tuples, so that it crosses from the reading
    process cheaply. The status events are made here, in the writing process, from
    `became`: less to make and to pickle in the reading one (BENCH.md B11)."""
    source: str
    became: list[tuple]      # (lead id, order date, status left, order id), by lead
    fresh: list[tuple]       # new buyers' lead rows
    order_rows: list[tuple]

    def write(self, conn) -> None:
        # What Store.change_status does, for a batch: the status as of the order's date
        # and its timeline event. The cadence cache is what Store.refresh gives any
        # customer (cadence.next_message: nothing due, no give-up), and a new customer
        # has no messages (contacts 0), so it is written at once.
        became = self.became
        conn.executemany(
            "UPDATE leads SET status = 'customer', status_at = ?2, updated_at = ?2, "
            "next_step = NULL, next_due_at = NULL, give_up_at = NULL WHERE id = ?1",
            [change[:2] for change in became])
        conn.executemany(
            "INSERT INTO leads (id, email, name, product, source, requested_at, status, status_at, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'customer', ?, ?, ?)", self.fresh)
        conn.executemany("INSERT INTO events (lead_id, at, kind, detail) VALUES (?, ?, 'status', ?)",
                         self._status_events())
        conn.executemany(
            "INSERT INTO orders (source, order_id, lead_id, ordered_at, product, amount, "
            "amount_minor, currency, status, new_buyer, imported_at, platform_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", self.order_rows)

    def _status_events(self) -> Iterator[tuple]:
        """What Store.change_status records: {"from": …, "to": "customer", "note": …},
        as json.dumps(…, ensure_ascii=False) writes it."""
        prefixes: dict[str, str] = {}  # by the status left: a handful
        source = self.source
        for lead_id, at, was, order_id in self.became:
            prefix = prefixes.get(was)
            if prefix is None:
                prefix = prefixes[was] = '{"from": %s, "to": "customer", "note": ' % _js(was)
            yield lead_id, at, prefix + _quote(f"{source} order {order_id}") + "}"


def _lead_of_order(row: tuple) -> int:
    return row[2] or 0  # an order of a suppressed address that never was a lead: no lead


def record_orders(store: Store, source: str, orders: list[Order], now: datetime, *,
                  then=None) -> OrdersReport:
    """Orders heard one or a few at a time (serve's webhooks and /api/orders), applied as
    an import applies its batches: the same order id from the same source changes nothing
    the second time. One transaction; `then(conn)`, when given, runs inside it (serve
    records refunds and the shop's own order ids with the orders, all or nothing)."""
    report = OrdersReport()
    fields = [(o.line, o.email, o.name, o.product, o.ordered_at, o.order_id, o.status, o.amount,
               o.amount_minor, o.currency, o.platform_id) for o in orders]
    with store.write():
        _Planner(store, source, now).plan(fields, report).write(store.conn)
        if then is not None:
            then(store.conn)
    return report


@contextmanager
def _trusted_keys(store: Store):
    """Foreign keys unchecked while an import writes its orders and events: every lead id
    it writes was read, or inserted, under the same write lock (SQLite would look each
    one up again in the leads' table: a tenth of a big import's writing). Outside the
    transaction, where SQLite allows the switch."""
    store.conn.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        store.conn.execute("PRAGMA foreign_keys = ON")


def import_orders(store: Store, config, file: str, now: datetime, *, column_map=None,
                  rejects_path=None, force: bool = False, on_reject=None, **options):
    """Import an orders or payments export; returns the OrdersReport. One transaction:
    a file unreadable half-way changes nothing. A big file is read and checked in a
    second process while this one writes (forked.py, as a lead import)."""
    import csv

    from . import forked
    from .importer import PARALLEL_FROM_BYTES, _without_cycle_collector
    from .outfiles import database_files, written
    from .sources import open_source
    from .sources.vcard import VcardSource

    columns = _Columns(column_map or {}, default_timezone=config.cadence.timezone,
                       month_first=options.get("month_first", False))
    report = OrdersReport()
    with open_source(file, default_timezone=config.cadence.timezone, column_map=columns,
                     fields_as_dict=True, **options) as source:
        if isinstance(source, VcardSource):
            raise InputError(f"{file}: a vCard file holds contacts, not orders")
        report.code_page = source.code_page
        protected = [(file, "the file being imported"), *database_files(store.path)]
        rejects = (written(rejects_path, what="rejected rows", force=force, protected=protected)
                   if rejects_path is not None else nullcontext())
        with rejects as rejects_file, _without_cycle_collector(), _trusted_keys(store), \
                store.write():
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

            planner = _Planner(store, columns.platform, now)
            batches = _OrderRows(columns)(source.batches())
            if ((source.parallel_size or 0) >= PARALLEL_FROM_BYTES and forked.available()
                    and store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"):
                # The look-ups and the rows to write are worked out in the reading process
                # too, through a connection of its own: its reads do not wait for the
                # writer (WAL), and see the database as this transaction found it.
                batches = forked.in_child(_planned(batches, planner, store.path))
            else:
                batches = _planned(batches, planner)
            for rejected, skipped, counted, plan in batches:
                for row in rejected:
                    reject(row.line, row.reason, row.values)
                for reason, number in skipped.items():
                    report.skipped[reason] = report.skipped.get(reason, 0) + number
                report.count(counted)
                plan.write(store.conn)
    return report


def _planned_apart(batches, planner: _Planner, database) -> Iterator[tuple]:
    """_planned through a read-only connection of the reading process's own. SQLite's
    errors there come back as one sentence, not as the reading process's traceback (a
    LeadloopError crosses the fork as it is, forked.py); the import writes nothing."""
    import sqlite3
    from pathlib import Path

    from .errors import DatabaseError

    try:
        conn = sqlite3.connect(Path(database).resolve().as_uri() + "?mode=ro", uri=True)
        conn.execute("PRAGMA busy_timeout = 10000")
        planner.use(conn)
        yield from _planned(batches, planner)
    except sqlite3.Error as err:
        raise DatabaseError(f"{database}: the orders could not be looked up in the database "
                            f"({err}); nothing was imported") from None


def _planned(batches, planner: _Planner, database=None) -> Iterator[tuple]:
    """Read orders → (rejected rows, skipped reasons, counts, _Plan), APPLY_EVERY orders
    at a time. With `database`, the look-ups go through a read-only connection opened
    here (in the reading process: the writing one's cannot cross a fork)."""
    if database is not None:
        yield from _planned_apart(batches, planner, database)
        return
    rejected: list = []
    skipped: dict[str, int] = {}
    pending: list[tuple] = []  # Order's fields
    for rejects, orders, reasons in batches:
        rejected.extend(rejects)
        for reason, number in reasons.items():
            skipped[reason] = skipped.get(reason, 0) + number
        pending.extend(orders)
        if len(pending) >= APPLY_EVERY:
            counted = OrdersReport()
            yield rejected, skipped, counted, planner.plan(pending, counted)
            rejected, skipped, pending = [], {}, []
    counted = OrdersReport()
    yield rejected, skipped, counted, planner.plan(pending, counted)


def orders_summary(store: Store, since: datetime | None = None) -> dict:
    """What the orders say (SPEC §8): buyers by the contacts they had received before their
    first order (and the share of the leads who received that many), days from inquiry to
    first purchase, and revenue by the last step received before each order, per currency
    (never converted), less what was refunded. Buyers who never asked are counted apart."""
    import statistics

    conn = store.conn
    where, params = ("AND l.requested_at >= ?", [to_db(since)]) if since else ("", [])
    when = "coalesce(m.sent_at, m.attempted_at)"
    sent = "m.lead_id = o.lead_id AND m.kind = 'sequence' AND m.state IN ('sent', 'unknown')"
    rows = conn.execute(
        f"""SELECT o.lead_id, o.ordered_at, o.amount_minor, o.currency, o.new_buyer,
                   o.refunded_at, o.refunded_minor, l.requested_at,
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
            revenue[key] = revenue.get(key, 0) + _kept(row)
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


def _kept(row) -> int:
    """What an order brought in after its refunds: a whole refund gives everything back
    (the buyer stays a customer, §9), a refund of a part only that part."""
    amount = row["amount_minor"]
    if row["refunded_minor"] is not None:
        return max(0, amount - row["refunded_minor"])
    return 0 if row["refunded_at"] is not None else amount


def _revenue_order(item) -> tuple:
    (step, currency), _ = item
    rank = 0 if step == "none" else 1 if step.isdigit() else 2  # before any message first
    return (rank, int(step) if step.isdigit() else 0, currency)
