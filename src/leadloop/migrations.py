"""Schema changes as ordered, named functions, each applied once in its own transaction.

A released migration is never edited: a change to the schema is a new function at the
end of MIGRATIONS. `_migrations` records what was applied, so opening a database knows
in one query whether anything is left to do, and sqlite-utils (slow to import) is only
loaded when something is.

Tables:
- leads: one row per lead. `email` is the normalised address and the lead's identity;
  it and every other personal column become NULL when the lead is erased, while status
  and dates stay for stats. `next_step`/`next_due_at`/`give_up_at` cache the cadence's
  answer (cadence.py) so `due` is an index range scan, not a replay of every history;
  `leads_info_delayed` holds the info packs due later than their request, for `due`'s
  counts (m015).
- messages: one row per (lead, kind, step): the unique key that makes a send claimable
  exactly once (SPEC §6).
- events: what happened to a lead (import, status changes, replies), newest last.
- suppressions: HMAC of addresses that must never be mailed again (SPEC §10).
- meta: per-database values (the HMAC secret, the cadence fingerprint).
- inbox_seen: keys of incoming mail already handled (a hash of its Message-ID, or of
  its bytes; a Maildir file name), so reading a mailbox again never acts twice.
- inbox_state: per IMAP folder, its UIDVALIDITY and the highest UID read.
- questions: customers' questions, open until answered (SPEC §9).
- survey_answers: each lead's latest answer to each survey (SPEC §9).
- messages.failure: why a `failed` message failed, as delivery_status names it
  ("mailboxfull", "blocked"…), for stats' blocked-by-provider rate (SPEC §8).
- messages.owner: whose failure the message's last refusal was (address, mailbox,
  sender: delivery_status.owner_of); a sender's refusal is never charged to the lead.
- bounce_review: bounces that name no recipient leadloop sent to, kept for a person
  to look at (`inbox --review`): when, from whom, the subject and the server's reason;
  never the body, which may quote anyone's mail.
- orders: paid orders (issue #26); each is also a moment of its buyer's timeline
  (Store.timeline_events), never written again as an event. An erased buyer's orders
  keep their lead and figures, their ids only as a keyed hash (privacy.keyed_hasher).
- leads.erased_from / erased_from_at: an erased lead's status before its erasure and
  since when, so stats still count a customer or a reply erasure took the status of
  (SPEC §8, §10); NULL for a lead not erased, or erased by a release that did not keep
  them when nothing left says what it was (m014).
- leads.referrer_erased_id: the referrer's row id, on a referred lead whose link erasure
  took the address of: the referrer's (m004), or the referred lead's own, when its
  referrer is a lead (releases before the erasedrest change dropped that link). stats
  count the referral through it, `show` of a living referrer lists it.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone


def m001_initial(db) -> None:
    db["leads"].create(
        {
            "id": int, "email": str, "name": str, "product": str, "source": str,
            "locale": str, "timezone": str, "referred_by": str, "fields": str,
            "requested_at": str, "status": str, "status_at": str, "resumed_at": str,
            "contacts": int, "last_contact_at": str,
            "next_step": int, "next_due_at": str, "give_up_at": str,
            "erased_at": str, "created_at": str, "updated_at": str,
        },
        pk="id",
        not_null={"requested_at", "status", "status_at", "contacts", "created_at", "updated_at"},
        defaults={"status": "active", "contacts": 0},
    )
    db.execute("CREATE UNIQUE INDEX leads_email ON leads(email)")
    # Info packs (step 0) go before follow-ups, each oldest-due first: SPEC §3.
    db.execute(
        "CREATE INDEX leads_due ON leads(next_step > 0, next_due_at) WHERE next_due_at IS NOT NULL"
    )
    db.execute("CREATE INDEX leads_give_up ON leads(give_up_at) WHERE give_up_at IS NOT NULL")
    db.execute("CREATE INDEX leads_status ON leads(status)")

    db["messages"].create(
        {
            "id": int, "lead_id": int, "kind": str, "step": int, "template": str,
            "state": str, "message_id": str, "claimed_by": str, "claimed_at": str,
            "attempted_at": str, "sent_at": str, "attempts": int, "retry_at": str,
            "error": str, "transport": str,
        },
        pk="id",
        foreign_keys=[("lead_id", "leads", "id")],
        not_null={"lead_id", "kind", "step", "template", "state", "attempts"},
        defaults={"kind": "sequence", "attempts": 0},
    )
    db.execute("CREATE UNIQUE INDEX messages_lead_step ON messages(lead_id, kind, step)")
    db.execute("CREATE UNIQUE INDEX messages_message_id ON messages(message_id)")
    db.execute("CREATE INDEX messages_attempted ON messages(attempted_at)")
    db.execute("CREATE INDEX messages_state ON messages(state)")

    db["events"].create(
        {"id": int, "lead_id": int, "at": str, "kind": str, "detail": str},
        pk="id",
        foreign_keys=[("lead_id", "leads", "id")],
        not_null={"at", "kind"},
    )
    db.execute("CREATE INDEX events_lead ON events(lead_id, at)")

    db["suppressions"].create(
        {"hash": str, "reason": str, "at": str}, pk="hash", not_null={"reason", "at"}
    )
    db["meta"].create({"key": str, "value": str}, pk="key")


def m002_inbox(db) -> None:
    db["inbox_seen"].create({"key": str, "at": str}, pk="key", not_null={"at"})
    db["inbox_state"].create(
        {"mailbox": str, "uidvalidity": int, "last_uid": int}, pk="mailbox",
        not_null={"uidvalidity", "last_uid"},
    )
    db["questions"].create(
        {"id": int, "lead_id": int, "opened_at": str, "text": str, "answered_at": str},
        pk="id",
        foreign_keys=[("lead_id", "leads", "id")],
        not_null={"lead_id", "opened_at"},
    )
    db.execute("CREATE INDEX questions_open ON questions(opened_at) WHERE answered_at IS NULL")
    db.execute("CREATE INDEX questions_lead ON questions(lead_id)")
    db["survey_answers"].create(
        {"lead_id": int, "survey": str, "answer": str, "at": str},
        pk=("lead_id", "survey"),
        foreign_keys=[("lead_id", "leads", "id")],
        not_null={"at"},
    )


def m003_bounces(db) -> None:
    db.execute("ALTER TABLE messages ADD COLUMN failure TEXT")
    db["bounce_review"].create(
        {"id": int, "at": str, "written_at": str, "sender": str, "subject": str, "reason": str},
        pk="id",
        not_null={"at"},
    )


def m004_loose_referrer_erased(db) -> None:
    # Erasing a referrer removes its address from the leads it referred (SPEC §10); this
    # keeps the link as the erased lead's row id (no personal data), so stats still count
    # its referrals without naming it (issue #28). Links erased before this release are gone.
    db.execute("ALTER TABLE leads ADD COLUMN referrer_erased_id INTEGER")


def m005_owners_message_owner(db) -> None:
    # Whose failure a message's last refusal was: "address", "mailbox" or "sender"
    # (SPEC §6 "Outcomes"); NULL for a message never refused. Only the first two are
    # charged to the lead; stats counts failures by it.
    db.execute("ALTER TABLE messages ADD COLUMN owner TEXT")


def m006_files_first_name(db) -> None:
    """The given name as the file, the form or `add` wrote it (issue #27: "José Luis"
    is one given name). NULL: none was given, and render.first_name reads it from the
    full name, as before this column."""
    db.execute("ALTER TABLE leads ADD COLUMN first_name TEXT")


def m007_reads_survey_comments(db) -> None:
    """A survey answer's score or short answer, apart from the comment (never counted,
    shared only when its author agreed: issue #27 item 5). An earlier answer that is no
    number and longer than a few words was a comment: it leaves the tally."""
    db.execute("ALTER TABLE survey_answers ADD COLUMN comment TEXT")
    db.execute("ALTER TABLE survey_answers ADD COLUMN may_share INTEGER NOT NULL DEFAULT 0")
    db.execute(
        "UPDATE survey_answers SET comment = answer, answer = NULL WHERE answer IS NOT NULL "
        "AND NOT (answer GLOB '[0-9]*' AND answer NOT GLOB '*[^0-9.]*') "
        "AND (length(answer) > 30 OR answer GLOB '* * * *')")


def m008_orders_orders(db) -> None:
    """Orders and payments (issue #26): a paid order makes its buyer a customer as of
    its date. (source, order_id) is unique: importing the same export again changes
    nothing. The amount as the file wrote it and in minor units (cents; never converted),
    for revenue per currency; lead_id NULL: the buyer was erased; new_buyer: the order
    made its buyer a customer without an inquiry (stats leave those out of conversion)."""
    db["orders"].create(
        {"id": int, "source": str, "order_id": str, "lead_id": int, "ordered_at": str,
         "product": str, "amount": str, "amount_minor": int, "currency": str, "status": str,
         "new_buyer": int, "imported_at": str},
        pk="id",
        foreign_keys=[("lead_id", "leads", "id")],
        not_null={"source", "order_id", "ordered_at", "status", "imported_at"},
    )
    db.execute("CREATE UNIQUE INDEX orders_source_id ON orders(source, order_id)")
    db.execute("CREATE INDEX orders_lead ON orders(lead_id, ordered_at)")


def m009_hooks_refunds(db) -> None:
    """What serve's shop webhooks hear besides a purchase (issue #26 item 2): when an
    order was refunded (full or partial; the buyer stays a customer, stats count it), and
    the platform's own id of an order where the order is known by another (a Shopify order
    is known by its name, "#1001", as the export writes it, while a refund names the
    order by its numeric id)."""
    db.execute("ALTER TABLE orders ADD COLUMN refunded_at TEXT")
    db.execute("ALTER TABLE orders ADD COLUMN platform_id TEXT")
    db.execute("CREATE INDEX orders_platform_id ON orders(source, platform_id) "
               "WHERE platform_id IS NOT NULL")


def m010_polish_referred_by_index(db) -> None:
    """Look-ups by referrer without reading every lead: `show` lists whom a lead referred
    (`referred_by = ?`, oldest inquiry first), erasing a lead unlinks the leads it referred
    (every lead erased at give-up does this), and `stats` ranks referrers (grouped by
    `referred_by`, or by `referrer_erased_id` once the referrer is erased) and counts
    complaints (events of kind 'complaint'). Each was a scan of the whole table: on a
    million leads `show --json` took 3.6x `--version` (bench/RESULTS.md).

    Partial indexes: they hold only the few rows that were referred, or are complaints,
    so they cost an import or an inbox run next to nothing (SQLite uses them for
    `referred_by = ?` too: https://sqlite.org/partialindex.html, section 3)."""
    db.execute("CREATE INDEX leads_referred_by ON leads(referred_by, requested_at) "
               "WHERE referred_by IS NOT NULL")
    db.execute("CREATE INDEX leads_referrer_erased ON leads(referrer_erased_id) "
               "WHERE referrer_erased_id IS NOT NULL")
    db.execute("CREATE INDEX events_complaints ON events(lead_id) WHERE kind = 'complaint'")


def m011_orderids_refunded_minor(db) -> None:
    """How much of an order was refunded, in minor units (issue #26): a WooCommerce,
    Shopify or Stripe refund of a part of an order leaves it sold (refunded_at stays NULL,
    stats do not count it as a refunded order) and says how much went back here; a whole
    refund sets both."""
    db.execute("ALTER TABLE orders ADD COLUMN refunded_minor INTEGER")


def m012_b11c_order_events(db) -> None:
    """An order is written once, as its `orders` row, and `show` tells it from there
    (Store.timeline_events): the `order` event that repeated the row made a big import a
    tenth slower (issue #26, BENCH B11). Earlier releases wrote both; this removes the
    events whose order has its row, so that no order is shown twice, and keeps any that
    has none, so that none is lost. An event matches the row of its source and order id
    for the same lead; an erased lead's events have no detail left (privacy.py), so there
    the row of the same lead at the same instant, one row for one event. The first
    release of orders wrote `new_buyer` in the event only: the row takes it."""
    import json
    from collections import Counter

    conn = db.conn
    removed: list[tuple[int]] = []
    new_buyers: list[tuple[int]] = []
    told: set[int] = set()  # the rows an event removed stands for
    blank = Counter()  # (lead, instant) → events without detail
    for event_id, lead_id, at, detail in conn.execute(
            "SELECT id, lead_id, at, detail FROM events WHERE kind = 'order'").fetchall():
        if detail is None:
            blank[(lead_id, at)] += 1
            continue
        try:
            fields = json.loads(detail)
            key = (str(fields["source"]), str(fields["order"]))
        except (ValueError, TypeError, KeyError):
            continue  # not an event this release wrote: kept as it is
        row = conn.execute("SELECT id, lead_id, new_buyer FROM orders WHERE source = ? "
                           "AND order_id = ?", key).fetchone()
        if row is None or row[1] != lead_id:
            continue
        removed.append((event_id,))
        told.add(row[0])
        if fields.get("new_buyer") is True and not row[2]:
            new_buyers.append((row[0],))
    for (lead_id, at), events in blank.items():
        rows = [row_id for row_id, in conn.execute(
            "SELECT id FROM orders WHERE lead_id = ? AND ordered_at = ?", (lead_id, at))
            if row_id not in told]
        removed.extend(conn.execute(
            "SELECT id FROM events WHERE kind = 'order' AND detail IS NULL AND lead_id = ? "
            "AND at = ? ORDER BY id LIMIT ?", (lead_id, at, min(len(rows), events))).fetchall())
    conn.executemany("UPDATE orders SET new_buyer = 1 WHERE id = ?", new_buyers)
    conn.executemany("DELETE FROM events WHERE id = ?", removed)


def m013_erasedorders_order_ids(db) -> bool:
    """Erasure leaves no shop's order id behind (SPEC §10, privacy.py). Earlier releases
    kept an erased buyer's orders as they were, and an order id leads to the buyer in the
    shop. The ids of erased leads' orders, and of orders recorded with no lead (a
    suppressed address's; m008's "lead_id NULL: the buyer was erased" was never written
    so, as erasure keeps the lead's row without its data), become the keyed hash erasure
    now writes: the shop's export imported again, or a late webhook, still finds each
    order and changes nothing. A refund event an erased lead was given after its erasure
    names the order and the shop's refunds: its detail goes, as erasure empties every
    event's. Ids hashed already are left alone: run again, it changes nothing. True when
    it removed anything (migrate then writes over the older page images)."""
    from .privacy import ERASED_ID, hash_order_ids, order_hasher

    conn = db.conn
    hashed = order_hasher(conn)
    if hashed is None:
        return False  # no secret yet: nothing was ever erased or suppressed
    hashed_orders = hash_order_ids(conn, "o.lead_id IS NULL OR l.status = 'erased'", hashed=hashed)
    emptied = conn.execute(
        "UPDATE events SET detail = NULL WHERE kind = 'refund' AND detail IS NOT NULL "
        f"AND detail NOT LIKE '%\"order\": \"{ERASED_ID}%' "
        "AND lead_id IN (SELECT id FROM leads WHERE status = 'erased')").rowcount
    return hashed_orders + emptied > 0


def m014_erasedfunnel_erased_from(db) -> None:
    """Erasure now keeps the lead's status before it and since when (`erased_from`,
    `erased_from_at`): stats count an erased customer as a customer, an erased replied
    lead as an answer (SPEC §8, §10). Leads erased by earlier releases get them back only
    from what erasure kept: the kinds and times of their events (details are emptied) and
    their orders.
    - erased by the give-up sweep (the `erased` event's reason "no answer", which that
      event keeps): it erases only active leads, so `active`;
    - else the last `status` event before the erasure, when something at the same instant
      says where it went: an order of the lead dated then (orders make the status
      `customer` as of the order's date), a `reply` event (`replied`), a `bounce` event
      (`bounced`);
    - no `status` event at all: the status the lead was created with, `customer` for a
      buyer who never asked (an order with `new_buyer`), else `active` (import writes
      every lead so);
    - anything else (a status set by hand, an unsubscribe…): NULL, as nothing left says
      it; stats then count that lead only as erased, as before."""
    conn = db.conn
    conn.execute("ALTER TABLE leads ADD COLUMN erased_from TEXT")
    conn.execute("ALTER TABLE leads ADD COLUMN erased_from_at TEXT")
    erasure = ("(SELECT min(e.id) FROM events e WHERE e.lead_id = leads.id AND e.kind = 'erased')")
    # The give-up sweep's erasures, most of a list's, at once.
    conn.execute(
        "UPDATE leads SET erased_from = 'active', erased_from_at = coalesce("
        "(SELECT max(s.at) FROM events s WHERE s.lead_id = leads.id AND s.kind = 'status' "
        f"AND s.id < {erasure}), created_at) "
        "WHERE status = 'erased' AND EXISTS (SELECT 1 FROM events e WHERE e.lead_id = leads.id "
        "AND e.kind = 'erased' AND e.detail LIKE '%\"no answer\"%')")
    recovered = []
    for lead_id, created_at, erased_event in conn.execute(
            f"SELECT id, created_at, {erasure} FROM leads WHERE status = 'erased' AND erased_from IS NULL"
    ).fetchall():
        last = conn.execute(
            "SELECT at FROM events WHERE lead_id = ? AND kind = 'status' AND id < coalesce(?, id + 1) "
            "ORDER BY at DESC, id DESC LIMIT 1", (lead_id, erased_event)).fetchone()
        if last is None:
            bought = conn.execute("SELECT min(ordered_at) FROM orders WHERE lead_id = ? AND new_buyer = 1",
                                  (lead_id,)).fetchone()[0]
            recovered.append(("customer", bought, lead_id) if bought else ("active", created_at, lead_id))
            continue
        (at,) = last
        if conn.execute("SELECT 1 FROM orders WHERE lead_id = ? AND ordered_at = ?", (lead_id, at)).fetchone():
            recovered.append(("customer", at, lead_id))
            continue
        for kind, status in (("reply", "replied"), ("bounce", "bounced")):
            if conn.execute("SELECT 1 FROM events WHERE lead_id = ? AND kind = ? AND at = ?",
                            (lead_id, kind, at)).fetchone():
                recovered.append((status, at, lead_id))
                break
    conn.executemany("UPDATE leads SET erased_from = ?, erased_from_at = ? WHERE id = ?", recovered)


def m015_duefast_info_delayed(db) -> None:
    """The info packs due later than their request (waiting for the window, a delay or a
    retry), few where info packs go at once: with them apart, `due` tells which due info
    packs answer stale requests, or wait for the window, on indexes alone
    (backlog.due_counts), instead of reading the row of each lead due lately."""
    db.execute("CREATE INDEX leads_info_delayed ON leads(next_due_at, requested_at) "
               "WHERE next_step = 0 AND next_due_at > requested_at")


def m016_alikewaves_bounce_events(db) -> None:
    """The bounce events apart, by when they were recorded: each inbox reading that holds
    reports of a trouble on the way looks up the earlier reports alike of the last days
    (inbox._earlier_alike), which would otherwise read every event of every lead."""
    db.execute("CREATE INDEX events_bounces ON events(at) WHERE kind = 'bounce'")


MIGRATIONS = [m001_initial, m002_inbox, m003_bounces, m004_loose_referrer_erased, m005_owners_message_owner,
              m006_files_first_name, m007_reads_survey_comments, m008_orders_orders,
              m009_hooks_refunds, m010_polish_referred_by_index, m011_orderids_refunded_minor,
              m012_b11c_order_events, m013_erasedorders_order_ids,
              m014_erasedfunnel_erased_from, m015_duefast_info_delayed, m016_alikewaves_bounce_events]


def applied(conn: sqlite3.Connection) -> set[str] | None:
    """The names of the migrations this database has had; None when it has no record of
    any (a new database, or one leadloop did not make)."""
    try:
        return {row[0] for row in conn.execute("SELECT name FROM _migrations")}
    except sqlite3.OperationalError as err:
        if "no such table" not in str(err):
            raise
        return None


def unknown(done: set[str] | None) -> list[str]:
    """Migrations a database has had that this release does not know: it was written by
    a newer leadloop, whose schema this one must not use or write."""
    known = {m.__name__ for m in MIGRATIONS}
    return sorted((done or set()) - known)


def pending(conn: sqlite3.Connection) -> list:
    done = applied(conn) or set()
    return [m for m in MIGRATIONS if m.__name__ not in done]


def migrate(conn: sqlite3.Connection) -> None:
    """Apply what is pending, each migration atomically with its record."""
    if not pending(conn):
        return
    import sqlite_utils

    db = sqlite_utils.Database(conn)
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        # Read again under the write lock: a concurrent first run may have migrated.
        erased = False
        for migration in pending(conn):
            # True: it removed personal data, whose older page images are then written over.
            erased = migration(db) is True or erased
            conn.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                (migration.__name__, datetime.now(timezone.utc).isoformat(timespec="seconds")),
            )
        conn.execute("COMMIT")
    except BaseException:
        # On a full disk or an I/O error SQLite has already rolled back, and a second
        # ROLLBACK's "no transaction is active" would hide the real cause.
        if conn.in_transaction:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
        raise
    if erased:  # SPEC §10, as erasure does (privacy.py)
        from .privacy import scrub_files

        scrub_files(conn)
