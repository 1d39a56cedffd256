"""Purchases heard by `leadloop serve` (issue #26 item 2, SPEC §9 and §11): each shop's
webhook checked the way the shop signs it, its payload read into orders.Order, and the
orders applied by orders.record_orders, exactly as an import's batch is (the same order
twice changes nothing; suppressions hold; a buyer who never asked is a customer, never a
lead to follow up). No HTTP here: app.py hands in the raw body and headers.

Signatures, as each platform documents them (tests/fixtures/orders/README.md):
- Shopify: `X-Shopify-Hmac-Sha256` is the base64 HMAC-SHA256 of the raw body with the
  app's shared secret (shopify.dev/docs/apps/build/webhooks/subscribe/https).
- WooCommerce: `X-WC-Webhook-Signature` is the base64 HMAC-SHA256 of the raw body with the
  webhook's secret (WC_Webhook::generate_signature). When a webhook is saved WooCommerce
  POSTs an unsigned ping, the form body `webhook_id=N`, and keeps the webhook only if it
  gets 200 (WC_Webhook::deliver_ping).
- Stripe: `Stripe-Signature: t=…,v1=…[,v1=…]`, each v1 the hex HMAC-SHA256 of
  "{t}.{raw body}" with the endpoint's secret, any one of them may match; a `t` more
  than 300 s from now is refused, Stripe's own libraries' default tolerance, so a request
  captured and sent again later is refused (docs.stripe.com/webhooks#verify-manually).
All comparisons are constant-time (hmac.compare_digest).

What each hook answers (app.py): 401 for a bad or missing signature, 400 for a body that
is not a JSON object, 200 for everything it verified, used or not: an event it does not
use, a test order or an order that is not paid is 200 with the reason and nothing
written, because a shop retries anything else for days and then turns the webhook off.

Test orders make nobody a customer: Shopify's `test: true` (the Bogus gateway) and
Stripe's `livemode: false`. A marketer who wires Stripe up with its test keys first sees
each test event answered 200 with {"ignored": "a Stripe test-mode event …"}, in the
delivery log of Stripe's dashboard; live events (signed with the live endpoint's own
secret) count.

Refunds (Shopify `refunds/create` or an order whose financial_status is refunded,
WooCommerce status refunded, Stripe `charge.refunded`) are recorded on a KNOWN order
(found by either of its ids, orders.ORDER_KEYS) with a `refund` event on the buyer's
timeline; the buyer stays a customer, never a lead again. A whole refund sets
orders.refunded_at (stats count a refunded order); a part refunded (WooCommerce's and
Shopify's partly refunded orders list their refunds, a Stripe charge.refunded with
`refunded` false, a Shopify refund of less than the order) leaves the order sold and
sets orders.refunded_minor, the money gone back in all, until the parts reach the total.
A refund of an order never heard is 200 and nothing written.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

from ..clock import parse_instant, to_db
from ..errors import InputError
from ..orders import PAID, Order, format_amount, parse_amount, record_orders
from ..privacy import ERASED_ID, order_hasher

# Stripe's default tolerance (stripe-python's Webhook.DEFAULT_TOLERANCE): five minutes.
STRIPE_TOLERANCE = 300
# Shopify's order topics whose payload is the order; the one it documents for a payment
# is orders/paid, and an order created or updated as paid is the same purchase.
SHOPIFY_ORDER_TOPICS = frozenset({"orders/paid", "orders/create", "orders/updated"})
WOOCOMMERCE_ORDER_TOPICS = frozenset({"order.created", "order.updated"})
# WooCommerce's statuses of a paid order (woocommerce.com/document/managing-orders).
WOOCOMMERCE_PAID = frozenset({"processing", "completed"})
_WOOCOMMERCE_PING = re.compile(rb"webhook_id=\d{1,20}")
LONGEST_TEXT = 200
MOST_API_ORDERS = 100
API_FIELDS = ("email", "ordered_at", "order_id", "product", "amount", "currency", "name")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CURRENCY = re.compile(r"[A-Za-z]{3}")
# An order's amount in minor units: far above any sale, well inside SQLite's INTEGER. A
# larger one is no order a shop charged (and would not fit): refused before anything is
# written, not a 500 the shop retries.
LARGEST_MINOR = 10**15


class HookError(InputError):
    """A request a hook refuses; `status` is the HTTP answer."""

    status = 400


class Unauthorized(HookError):
    status = 401


class Malformed(HookError):
    status = 400


class OrderError(HookError):
    """One order of /api/orders that cannot be accepted; `field` names what is wrong."""

    status = 422

    def __init__(self, index: int, field_name: str | None, reason: str):
        super().__init__(f"{field_name}: {reason}" if field_name else reason)
        self.index, self.field, self.reason = index, field_name, reason


@dataclass
class Refund:
    """A refund of the order known by its id here (`order_id`) or by the platform's other
    id of it (`platform_id`, orders.ORDER_KEYS: a Shopify refund names the order by its
    numeric id, not its name; a Stripe refund names the charge besides its PaymentIntent;
    a WooCommerce order has its number). `minor`: how much of it has been refunded in
    all, in minor units, when the payload says. `whole`: the platform says the whole
    order was refunded; else it is whole when `minor` reaches the order's amount, and a
    part refunded otherwise (the buyer still paid for something)."""
    at: str
    order_id: str | None
    platform_id: str | None = None
    minor: int | None = None
    whole: bool = True
    # The platform's ids of the refunds `minor` counts (Shopify's), kept in the refund
    # event. `adds`: `minor` is only these refunds' money (a Shopify refunds/create), so
    # it is added to what went back before, unless one of them was counted already (the
    # same refund again, or heard first in the order's own `refunds`).
    refund_ids: list[str] = field(default_factory=list)
    adds: bool = False


@dataclass
class Heard:
    """What one verified request says: orders to record, refunds, the shop's own ids of
    the orders (order id → platform id), or why nothing is written (`ignored`)."""
    orders: list[Order] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)
    platform_ids: dict[str, str] = field(default_factory=dict)
    ignored: str | None = None


# -- signatures ---------------------------------------------------------------------------


def _base64_hmac(secret: str, body: bytes) -> bytes:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest())


def _same(expected: bytes, given: str) -> bool:
    return hmac.compare_digest(expected, given.strip().encode("utf-8", "replace"))


def verify_base64_hmac(body: bytes, given: str | None, secret: str, header: str) -> None:
    """Shopify's and WooCommerce's signature: base64 HMAC-SHA256 of the raw body."""
    if not given:
        raise Unauthorized(f"no {header} header: not signed by the shop")
    if not _same(_base64_hmac(secret, body), given):
        raise Unauthorized(f"the {header} signature does not match the body and the secret")


def verify_stripe(body: bytes, header: str | None, secret: str, now: datetime) -> None:
    """Stripe-Signature: t=TIMESTAMP,v1=HEX[,v1=HEX…]; any v1 may match (Stripe signs with
    each of an endpoint's secrets while one is being rolled); other schemes are ignored."""
    if not header:
        raise Unauthorized("no Stripe-Signature header: not signed by Stripe")
    stamp, signatures = None, []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            stamp = value.strip()
        elif key == "v1":
            signatures.append(value.strip())
    if stamp is None or not stamp.isdigit() or len(stamp) > 12 or not signatures:
        raise Unauthorized("the Stripe-Signature header has no t= timestamp and v1= signature")
    expected = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    if not any(_same(expected.encode(), signature) for signature in signatures):
        raise Unauthorized("no v1 signature of the Stripe-Signature header matches the body "
                           "and the secret")
    if abs(now.timestamp() - int(stamp)) > STRIPE_TOLERANCE:
        raise Unauthorized(f"the Stripe-Signature was made more than {STRIPE_TOLERANCE} s from "
                           "now: a request sent again later, or a clock that is off")


def is_woocommerce_ping(body: bytes) -> bool:
    """WooCommerce's unsigned test POST when a webhook is saved: `webhook_id=N`."""
    return _WOOCOMMERCE_PING.fullmatch(body.strip()) is not None


# -- payloads -----------------------------------------------------------------------------


def _object(body: bytes) -> dict:
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        raise Malformed("the body is not JSON") from None
    if not isinstance(document, dict):
        raise Malformed("the body is not a JSON object")
    return document


def _text(value, longest: int = LONGEST_TEXT) -> str | None:
    """One line of text from a payload (numbers as their digits), or None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = " ".join(_CONTROL.sub(" ", value).split())
    return value[:longest] or None


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _first_item(items) -> dict:
    return items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else {}


def _address(value) -> str | None:
    from ..addresses import normalize_address
    from ..errors import InvalidAddress

    text = _text(value, 320)
    if not text:
        return None
    try:
        return normalize_address(text)
    except InvalidAddress:
        return None


def _instant(value, now: datetime, naive_zone: str = "UTC") -> str:
    """A platform's timestamp (ISO 8601, or Unix seconds) as the store's text; never later
    than now (a shop's wrong clock must not date a purchase in the future); now when
    the payload has none it can be read from."""
    at = None
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 10**11:
        at = datetime.fromtimestamp(value, timezone.utc)
    elif isinstance(value, str) and value.strip():
        try:
            at = parse_instant(value, naive_zone)
        except InputError:
            at = None
    return to_db(min(at, now) if at is not None else now)


def _name(*parts) -> str | None:
    return _text(" ".join(p for p in (_text(x) for x in parts) if p))


def _checked(minor, currency: str | None):
    """(minor, currency) of a shop's payload, or Malformed: an amount no sale has, or a
    currency that is not a three-letter code (ISO 4217)."""
    if minor is not None and abs(minor) > LARGEST_MINOR:
        raise Malformed(f"the order's amount ({minor} in minor units) is not one a shop charges")
    if currency is not None and not _CURRENCY.fullmatch(currency):
        raise Malformed(f'the order\'s currency "{currency[:20]}" is not a three-letter ISO 4217 code')
    return minor, currency


def _order(email, name, product, ordered_at, order_id, status, amount_text, currency,
           platform_id=None) -> Order:
    minor, currency = _checked(*(parse_amount(amount_text, currency) if amount_text
                                 else (None, currency)))
    return Order(0, email, name, product, ordered_at, order_id, status, amount_text, minor,
                 currency, platform_id)


def _status(value) -> str:
    return " ".join(str(value or "").replace("_", " ").replace("-", " ").casefold().split())


def read_shopify(body: bytes, topic: str, now: datetime) -> Heard:
    """An order webhook (shopify.dev's Order resource: `name` "#1001" is the number the
    export's Name column writes, so a file import and the hook agree on the order) or a
    refunds/create (its `order_id` is the order's numeric `id`)."""
    document = _object(body)
    if topic == "refunds/create":
        order = _text(document.get("order_id"))
        if not order:
            return Heard(ignored="a refund that names no order")
        at = _instant(document.get("processed_at") or document.get("created_at"), now)
        # This refund's money (its transactions); none said: the order as a whole.
        minor = _shopify_refunded([document])
        return Heard(refunds=[Refund(at, None, order, minor, whole=minor is None,
                                     refund_ids=_shopify_refund_ids([document]), adds=True)])
    if topic not in SHOPIFY_ORDER_TOPICS:
        return Heard(ignored=f'the topic "{topic or "(none)"}" is not one leadloop uses')
    order_id = _text(document.get("name")) or _text(document.get("id"))
    if not order_id:
        raise Malformed("an order without a name or id")
    numeric_id = _text(document.get("id"))
    platform_id = numeric_id if numeric_id != order_id else None
    platform_ids = {order_id: platform_id} if platform_id else {}
    status = _status(document.get("financial_status"))
    at = _instant(document.get("processed_at") or document.get("created_at"), now)
    if status == "refunded":
        return Heard(refunds=[Refund(_instant(document.get("updated_at"), now), order_id,
                                     platform_id)], platform_ids=platform_ids)
    if document.get("test") is True:
        return Heard(ignored="a test order (test: true): nobody becomes a customer")
    if status not in PAID:
        return Heard(ignored=f'financial_status "{status or "(none)"}": not paid')
    customer = _dict(document.get("customer"))
    billing = _dict(document.get("billing_address"))
    email = (_address(document.get("email")) or _address(document.get("contact_email"))
             or _address(customer.get("email")))
    if email is None:
        return Heard(ignored="the order has no buyer address")
    item = _first_item(document.get("line_items"))
    order = _order(email, _name(customer.get("first_name"), customer.get("last_name"))
                   or _text(billing.get("name")), _text(item.get("title") or item.get("name")),
                   at, order_id, status, _text(document.get("total_price")),
                   (_text(document.get("currency")) or "").upper() or None, platform_id)
    # Partially refunded: the order's `refunds` say how much went back in all (each
    # refund's transactions); a part refunded is recorded as such, never as the whole.
    refunded = _shopify_refunded(document.get("refunds"))
    refunds = ([Refund(_instant(document.get("updated_at"), now), order_id, platform_id,
                       refunded, whole=False,
                       refund_ids=_shopify_refund_ids(document.get("refunds")))]
               if refunded else [])
    return Heard(orders=[order], refunds=refunds, platform_ids=platform_ids)


def _shopify_refund_ids(refunds) -> list[str]:
    return [text for refund in (refunds if isinstance(refunds, list) else [])
            if (text := _text(_dict(refund).get("id")))]


def _shopify_refunded(refunds) -> int | None:
    """The money Shopify Refund resources gave back, in minor units: their `transactions`
    of kind "refund" whose status is "success" (shopify.dev …/resources/refund); None
    when they list none."""
    total, found = 0, False
    for refund in refunds if isinstance(refunds, list) else []:
        for transaction in _dict(refund).get("transactions") or []:
            transaction = _dict(transaction)
            if transaction.get("kind") != "refund" or transaction.get("status") not in (None, "success"):
                continue
            minor, _ = parse_amount(_text(transaction.get("amount")) or "",
                                    (_text(transaction.get("currency")) or "").upper() or None)
            if minor is not None:
                total, found = total + abs(minor), True
    return total if found else None


def read_woocommerce(body: bytes, topic: str, now: datetime) -> Heard:
    """order.created / order.updated (the REST API's order: `number`, the export's Order
    Number; `status`; `date_paid_gmt`, `date_created_gmt` in UTC without an offset)."""
    document = _object(body)
    if topic not in WOOCOMMERCE_ORDER_TOPICS:
        return Heard(ignored=f'the topic "{topic or "(none)"}" is not one leadloop uses')
    # Known by its `id`, the exporters' order_id (never renumbered), and its `number`
    # beside it when a sequential-numbers plugin makes that "WC-1001" (orders.ORDER_KEYS).
    order_id = _text(document.get("id")) or _text(document.get("number"))
    if not order_id:
        raise Malformed("an order without a number or id")
    number = _text(document.get("number"))
    platform_id = number if number != order_id else None
    status = _status(document.get("status"))
    modified = _instant(document.get("date_modified_gmt"), now)
    if status == "refunded":
        return Heard(refunds=[Refund(modified, order_id, platform_id)])
    if status not in WOOCOMMERCE_PAID:
        return Heard(ignored=f'order status "{status or "(none)"}": not paid')
    # A partial refund leaves the order completed (or processing) and lists itself in
    # `refunds`, each {id, reason, total} with a negative total (the REST API's order
    # properties): the whole list is sent each time, so its sum is what went back in all.
    refunded = _woocommerce_refunded(document.get("refunds"))
    refunds = [Refund(modified, order_id, platform_id, refunded, whole=False)] if refunded else []
    billing = _dict(document.get("billing"))
    email = _address(billing.get("email"))
    if email is None:
        return Heard(ignored="the order has no billing address e-mail")
    item = _first_item(document.get("line_items"))
    at = _instant(document.get("date_paid_gmt") or document.get("date_created_gmt"), now)
    return Heard(orders=[_order(
        email, _name(billing.get("first_name"), billing.get("last_name")), _text(item.get("name")),
        at, order_id, status, _text(document.get("total")),
        (_text(document.get("currency")) or "").upper() or None, platform_id)], refunds=refunds)


def _woocommerce_refunded(refunds) -> int | None:
    total = 0
    for refund in refunds if isinstance(refunds, list) else []:
        minor, _ = parse_amount(_text(_dict(refund).get("total")) or "", None)
        total += abs(minor or 0)
    return total or None


def read_stripe(body: bytes, now: datetime) -> Heard:
    """An Event (docs.stripe.com/api/events/object). A purchase is known by its
    PaymentIntent's id, so checkout.session.completed and payment_intent.succeeded of
    the same payment are one order."""
    event = _object(body)
    kind = _text(event.get("type")) or ""
    used = ("checkout.session.completed", "checkout.session.async_payment_succeeded",
            "payment_intent.succeeded", "charge.refunded")
    if kind not in used:
        return Heard(ignored=f'the event type "{kind or "(none)"}" is not one leadloop uses')
    obj = _dict(_dict(event.get("data")).get("object"))
    if not obj:
        raise Malformed(f"a {kind} event without data.object")
    if event.get("livemode") is False:
        return Heard(ignored="a Stripe test-mode event (livemode false): nobody becomes a customer")
    at = _instant(obj.get("created") or event.get("created"), now)
    if kind == "charge.refunded":
        # Sent for a partial refund too: `refunded` is true only once all of it went back,
        # `amount_refunded` is how much so far (docs.stripe.com/api/charges/object). The
        # charge's payment is known by its PaymentIntent, or by the charge's own id (a
        # legacy charge, or a payments export imported before PaymentIntents were read).
        intent, charge = _text(obj.get("payment_intent")), _text(obj.get("id"))
        if not intent and not charge:
            return Heard(ignored="a refund that names no payment")
        minor = obj.get("amount_refunded")
        minor = minor if isinstance(minor, int) and not isinstance(minor, bool) else None
        return Heard(refunds=[Refund(_instant(event.get("created"), now), intent, charge, minor,
                                     whole=obj.get("refunded") is True)])
    metadata = _dict(obj.get("metadata"))
    if kind.startswith("checkout.session."):
        if obj.get("payment_status") != "paid":
            return Heard(ignored=f'payment_status "{_text(obj.get("payment_status")) or "(none)"}": '
                                 "not paid yet")
        details = _dict(obj.get("customer_details"))
        email = _address(details.get("email")) or _address(obj.get("customer_email"))
        name = _text(details.get("name"))
        order_id = _text(obj.get("payment_intent")) or _text(obj.get("id"))
        charge_id = None  # a Checkout Session does not name the charge
        minor = obj.get("amount_total")
        product = _text(metadata.get("product"))
    else:
        charge = _first_item(_dict(obj.get("charges")).get("data"))
        billing = _dict(charge.get("billing_details"))
        email = _address(obj.get("receipt_email")) or _address(billing.get("email"))
        name = _text(billing.get("name"))
        order_id = _text(obj.get("id"))
        # The charge, the payments export's row id: `latest_charge` (API 2022-11-15 on),
        # else the embedded `charges` list of older API versions.
        charge_id = _text(obj.get("latest_charge")) or _text(charge.get("id"))
        minor = obj.get("amount_received", obj.get("amount"))
        product = _text(metadata.get("product")) or _text(obj.get("description"))
    if not order_id:
        raise Malformed(f"a {kind} event whose object has no id")
    if email is None:
        return Heard(ignored="the payment has no buyer address (receipt_email, customer_details "
                             "or the charge's billing_details)")
    currency = (_text(obj.get("currency")) or "").upper() or None
    if not isinstance(minor, int) or isinstance(minor, bool):
        minor = None
    minor, currency = _checked(minor, currency)
    amount = format_amount(minor, currency, "en") if minor is not None else None
    return Heard(orders=[Order(0, email, name, product, at, order_id, "paid", amount, minor,
                               currency, charge_id if charge_id != order_id else None)])


def read_api_orders(document, now: datetime, timezone_name: str) -> list[Order]:
    """POST /api/orders: one order or a list of 1 to 100, each an object of API_FIELDS
    (email and order_id needed). All are checked before any is written: one bad order
    refuses the request (OrderError, 422, naming it by its index)."""
    items = document if isinstance(document, list) else [document]
    if not items or len(items) > MOST_API_ORDERS:
        raise OrderError(0, None, f"send one order or a list of 1 to {MOST_API_ORDERS}")
    return [_api_order(index, item, now, timezone_name) for index, item in enumerate(items)]


def _api_order(index: int, item, now: datetime, timezone_name: str) -> Order:
    if not isinstance(item, dict):
        raise OrderError(index, None, "an order is a JSON object")
    for key in item:
        if key not in API_FIELDS:
            raise OrderError(index, str(key)[:40], "is not a field of an order "
                                                   f"({', '.join(API_FIELDS)})")

    def text(name: str, longest: int = LONGEST_TEXT) -> str | None:
        value = item.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise OrderError(index, name, "must be text")
        value = str(value)
        if _CONTROL.search(value):
            raise OrderError(index, name, "must be one line without control characters")
        value = value.strip()
        if len(value) > longest:
            raise OrderError(index, name, f"is longer than {longest} characters")
        return value or None

    from ..addresses import normalize_address
    from ..errors import InvalidAddress

    given = text("email", 320)
    if not given:
        raise OrderError(index, "email", "an address is needed")
    try:
        email = normalize_address(given)
    except InvalidAddress as err:
        raise OrderError(index, "email", str(err)) from None
    order_id = text("order_id")
    if not order_id:
        raise OrderError(index, "order_id", "an order id is needed: the same order sent again "
                                            "is known by it")
    ordered_at = now
    if item.get("ordered_at") is not None:
        if not isinstance(item["ordered_at"], str):
            raise OrderError(index, "ordered_at", "must be an ISO 8601 date or date-time")
        try:
            ordered_at = min(parse_instant(item["ordered_at"], timezone_name), now)
        except InputError as err:
            raise OrderError(index, "ordered_at", str(err)) from None
    currency = text("currency")
    if currency is not None:
        if not _CURRENCY.fullmatch(currency):
            raise OrderError(index, "currency", 'must be a three-letter ISO 4217 code like "EUR"')
        currency = currency.upper()
    amount, minor = item.get("amount"), None
    if amount is not None:
        if isinstance(amount, bool) or not isinstance(amount, (int, float, str)):
            raise OrderError(index, "amount", 'must be a number like 49.9 or text like "49,90"')
        if isinstance(amount, (int, float)):
            try:
                exact = Decimal(str(amount))
            except InvalidOperation:
                raise OrderError(index, "amount", "must be a finite number") from None
            if not exact.is_finite() or exact.as_tuple().exponent < -2:
                raise OrderError(index, "amount", "must be a finite number with at most 2 decimals")
            amount = f"{exact:f}"
        amount = amount.strip()[:40]
        minor, currency = parse_amount(amount, currency)
        if minor is None:
            raise OrderError(index, "amount", f'"{amount}" is not an amount')
        if minor > LARGEST_MINOR:
            raise OrderError(index, "amount", "is larger than any order")
        if minor < 0:
            raise OrderError(index, "amount", "a refund is not an order: send only paid orders")
    if currency is not None and not _known_currency(currency):
        raise OrderError(index, "currency", f'"{currency}" is not an ISO 4217 currency code')
    return Order(0, email, text("name"), text("product"), to_db(ordered_at), order_id, "paid",
                 amount, minor, currency)


def _known_currency(code: str) -> bool:
    """Whether CLDR (through Babel, as format_amount uses it) knows `code`: a typo such as
    "EUE" would otherwise be kept, and revenue counted in a currency nobody has."""
    from ..cldr import load_babel

    load_babel()
    from babel.numbers import is_currency

    return is_currency(code)


# -- writing --------------------------------------------------------------------------------


def apply_heard(store, source: str, heard: Heard, now: datetime) -> dict:
    """Record what a hook heard, in one transaction; the JSON answer's body."""
    refunds = [0]

    def then(conn) -> None:
        # An erased buyer's order is kept by the keyed hashes of its ids (privacy.py).
        hashed = order_hasher(conn)
        pairs = list(heard.platform_ids.items())
        if hashed is not None:
            pairs += [(hashed(order_id), hashed(platform_id)) for order_id, platform_id in pairs]
        conn.executemany("UPDATE orders SET platform_id = ? WHERE source = ? AND order_id = ? "
                         "AND platform_id IS NULL",
                         [(platform_id, source, order_id) for order_id, platform_id in pairs])
        refunds[0] = _record_refunds(conn, source, heard.refunds, hashed)

    report = record_orders(store, source, heard.orders, now, then=then)
    counts = report.as_dict()
    return {"orders": len(heard.orders), "customers": counts["customers"],
            "new_buyers": counts["new_buyers"], "already_recorded": counts["already_imported"],
            "repeat_orders": counts["repeat_orders"], "suppressed": counts["suppressed"],
            "refunds": refunds[0]}


def _refunded_order(conn, source: str, refund: Refund, hashed=None):
    """The recorded order a refund names: by its id of the same kind first, then (where
    orders.either_id allows) by the one kind as the other; then an erased buyer's, by
    the ids' keyed hashes (`hashed`, privacy.order_hasher)."""
    from ..orders import either_id

    tries = [("order_id", refund.order_id), ("platform_id", refund.platform_id)]
    tries += [(column, value) for column, value in (("platform_id", refund.order_id),
                                                    ("order_id", refund.platform_id))
              if value is not None and either_id(source, value)]
    if hashed is not None:
        tries += [(column, hashed(value)) for column, value in tries if value is not None]
    for column, value in tries:
        if value is None:
            continue
        row = conn.execute(
            "SELECT id, order_id, lead_id, refunded_at, amount_minor, currency, refunded_minor "
            f"FROM orders WHERE source = ? AND {column} = ?", (source, value)).fetchone()
        if row is not None:
            return row
    return None


def _record_refunds(conn, source: str, refunds: list[Refund], hashed=None) -> int:
    """Refunds of known orders, on the order and on the buyer's timeline: a whole refund
    once (orders.refunded_at, which stats count as a refunded order), a part each time
    the amount refunded in all grows (orders.refunded_minor; the order still counts as
    sold). The buyer's status is not touched: a refund never makes a customer a lead to
    follow up again."""
    recorded = 0
    for refund in refunds:
        row = _refunded_order(conn, source, refund, hashed)
        if row is None or row[3] is not None:
            continue  # an order never heard, or refunded in full already
        order_row, order_id, lead_id, _, amount_minor, currency, refunded_minor = row
        refund_ids = refund.refund_ids
        if refund_ids and order_id.startswith(ERASED_ID):
            # An erased buyer's: the shop's refund ids name the buyer as its order id does.
            refund_ids = [hashed(str(refund_id)) for refund_id in refund_ids]
        minor = refund.minor
        if refund.adds and minor is not None:
            if lead_id is not None and any(conn.execute(
                    "SELECT 1 FROM events WHERE lead_id = ? AND kind = 'refund' AND detail LIKE ?",
                    (lead_id, f'%"refunds": [%{json.dumps(refund_id)}%')).fetchone()
                    for refund_id in refund_ids):
                continue  # counted before: a retry, or in the order's own `refunds`
            minor += refunded_minor or 0
        whole = refund.whole or (minor is not None and amount_minor is not None
                                 and minor >= amount_minor)
        note = f"{source} order {order_id}"
        if whole:
            conn.execute("UPDATE orders SET refunded_at = ?, refunded_minor = coalesce(?, amount_minor) "
                         "WHERE id = ?", (refund.at, minor, order_row))
        elif minor is not None and minor > (refunded_minor or 0):
            conn.execute("UPDATE orders SET refunded_minor = ? WHERE id = ?", (minor, order_row))
            part = format_amount(minor, currency, "en")
            total = format_amount(amount_minor, currency, "en")
            note += f": {part} of {total} refunded" if total else f": {part} refunded"
        else:
            continue  # the same part heard again
        if lead_id is not None:
            detail = {"order": order_id, "source": source, "note": note}
            if not whole:
                detail.update(partial=True, amount_minor=minor, currency=currency)
            if refund_ids:
                detail["refunds"] = refund_ids
            conn.execute("INSERT INTO events (lead_id, at, kind, detail) VALUES (?, ?, 'refund', ?)",
                         (lead_id, refund.at, json.dumps(detail, ensure_ascii=False)))
        recorded += 1
    return recorded
