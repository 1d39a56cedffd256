"""Erasure (SPEC §10) and the give-up sweep that uses it (SPEC §1 step 5, §3).

Erasing a lead removes every piece of personal data it has: its address, name and custom
fields, event details (which may quote replies), server replies that name the address,
and the address where other leads say they were referred by it. What stays is what stats
need (status, product, source, dates, message counts; the status before erasure and
since when, `erased_from`/`erased_from_at`, so stats still count an erased customer or
answer; a referral, as the row ids of the two leads, `referrer_erased_id` on the referred
one, whichever of them is erased) and a suppression entry holding an HMAC of the address,
so a re-import recognises it without the address being stored.

Its orders stay its own (`lead_id` kept: revenue, conversion by contacts before the order
and time to purchase count them as before), but a shop's order id is the key to the
buyer's name and address in the shop: the order's ids become the same keyed hash
(`keyed_hasher`), so that the shop's export imported again, or a late webhook, still finds
the order ("the same order twice changes nothing") without the id being stored. An order
recorded with no lead (its buyer's address was suppressed) is kept the same way.

`PRAGMA secure_delete` (set in store.py) zeroes freed cells; the WAL is then checkpointed
and truncated so no older page image with the address survives beside the database.
Messages the outbox Maildir holds for the lead (the rendered bodies of SPEC §10) are
deleted too, wherever a mail client has moved them inside it, and so are the inquiries
for its address that wait in serve's spool (inquiry_spool.py).
"""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .clock import to_db
from .inquiry_spool import erase_address, holds
from .store import Store


# Marks an order id kept as its keyed hash: never a shop's own id (none starts so), and
# the ids it marks are one range of the (source, order_id) index (ERASED_RANGE): an
# import reads a source's at once.
ERASED_ID = "erased:"
ERASED_RANGE = "order_id >= 'erased:' AND order_id < 'erased;'"


def keyed_hasher(secret: bytes):
    """value → ERASED_ID + its HMAC-SHA256 with `secret`: the suppressions' keyed hash
    (Store.address_hash), for an order's (or a refund's) id kept once its buyer is erased.
    The keyed state is made once and copied per id (RFC 2104's two padded key blocks are
    hashed once): an import pays this for each of its orders once any buyer of the shop
    was erased, and a copy costs about half of hmac.digest."""
    import hmac

    keyed = hmac.new(secret, digestmod="sha256")

    def hashed(value: str) -> str:
        mac = keyed.copy()
        mac.update(value.encode())
        return ERASED_ID + mac.hexdigest()

    return hashed


def order_hasher(conn: sqlite3.Connection):
    """keyed_hasher with this database's secret, or None when it has none (then no order
    was ever kept so)."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'secret'").fetchone()
    return None if row is None else keyed_hasher(bytes.fromhex(row[0]))


def hash_order_ids(conn: sqlite3.Connection, where: str, params: tuple = (), hashed=None) -> int:
    """Replace the shop's ids of the orders `where` selects (`o` is orders, `l` their
    lead) by their keyed hashes (`hashed`, else order_hasher's); ids hashed already are
    left as they are. How many."""
    rows = conn.execute(
        "SELECT o.id, o.order_id, o.platform_id FROM orders o LEFT JOIN leads l ON l.id = o.lead_id "
        f"WHERE ({where}) AND NOT (o.{ERASED_RANGE})", params).fetchall()
    if not rows:
        return 0  # most erased leads never bought (the give-up sweep's)
    hashed = hashed or order_hasher(conn)
    conn.executemany(
        "UPDATE orders SET order_id = ?, platform_id = ? WHERE id = ?",
        [(hashed(order_id), None if platform_id is None else hashed(platform_id), row_id)
         for row_id, order_id, platform_id in rows])
    return len(rows)


@dataclass
class GiveUpReport:
    erased: int = 0
    lost: int = 0


def _erase_in_transaction(store: Store, lead: sqlite3.Row, now: datetime, reason: str) -> list[str]:
    """Erase inside the caller's transaction; returns the lead's Message-IDs, whose
    outbox copies the caller deletes once the transaction is committed."""
    conn = store.conn
    message_ids = [row[0] for row in conn.execute(
        "SELECT message_id FROM messages WHERE lead_id = ? AND message_id IS NOT NULL", (lead["id"],))]
    address = lead["email"]
    store.suppress(address, "erased", now)
    conn.execute(
        # SET reads the row as it was: the status before erasure is kept for stats, and so is
        # its referrer, by row id when it is a lead (its address goes).
        "UPDATE leads SET email = NULL, name = NULL, first_name = NULL, fields = NULL, referred_by = NULL, "
        "referrer_erased_id = coalesce(referrer_erased_id, "
        "(SELECT r.id FROM leads r WHERE r.email = leads.referred_by)), "
        "erased_from = status, erased_from_at = status_at, status = 'erased', status_at = ?, "
        "erased_at = ?, updated_at = ?, next_step = NULL, next_due_at = NULL, give_up_at = NULL "
        "WHERE id = ?",
        (to_db(now), to_db(now), to_db(now), lead["id"]),
    )
    # Whom it referred stay its referrals in stats, through its row id, without its address.
    conn.execute("UPDATE leads SET referred_by = NULL, referrer_erased_id = ? WHERE referred_by = ?",
                 (lead["id"], address))
    conn.execute("UPDATE events SET detail = NULL WHERE lead_id = ?", (lead["id"],))
    conn.execute("UPDATE questions SET text = NULL WHERE lead_id = ?", (lead["id"],))
    # A score stays in the tally; words the person wrote do not.
    conn.execute("UPDATE survey_answers SET answer = NULL WHERE lead_id = ? "
                 "AND NOT (answer GLOB '[0-9]*' AND answer NOT GLOB '*[^0-9.]*')", (lead["id"],))
    conn.execute("UPDATE survey_answers SET comment = NULL, may_share = 0 WHERE lead_id = ?",
                 (lead["id"],))
    conn.execute("UPDATE messages SET error = NULL WHERE lead_id = ?", (lead["id"],))
    hash_order_ids(conn, "o.lead_id = ?", (lead["id"],))
    # A claim not yet started must never go out with blank fields. One the provider refused
    # because of the sender stays, as `sent` ones do: it was offered and blocked, and the
    # blocked rate counts it (claims need an active lead with an address: it never goes).
    conn.execute(
        "DELETE FROM messages WHERE lead_id = ? AND (state = 'claimed' "
        "OR state = 'deferred' AND owner IS NOT 'sender')", (lead["id"],)
    )
    store.event(lead["id"], now, "erased", {"reason": reason})
    return message_ids


_OLD_NAME = re.compile(r"^\d+\.[0-9a-f]{12}\.leadloop")
_MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(<[^<>\s]+>)", re.I | re.M)


def scrub_outbox(outbox: Path | None, message_ids: list[str]) -> int:
    """Delete the outbox copies of these messages (new/, cur/ and tmp/); how many."""
    if outbox is None or not message_ids or not outbox.is_dir():
        return 0
    from .transport import message_digest

    digests = {message_digest(mid) for mid in message_ids}
    wanted = set(message_ids)
    removed = 0
    for sub in ("new", "cur", "tmp"):
        directory = outbox / sub
        if not directory.is_dir():
            continue
        for name in os.listdir(directory):
            parts = name.split(".")
            hit = len(parts) > 2 and parts[1] in digests
            if not hit and _OLD_NAME.match(name):
                # Written before names carried the digest: read the header.
                try:
                    with open(directory / name, "rb") as handle:
                        found = _MESSAGE_ID.search(handle.read(8192))
                except OSError:
                    continue
                hit = found is not None and found.group(1).decode("ascii", "replace") in wanted
            if hit:
                try:
                    os.remove(directory / name)
                    removed += 1
                except FileNotFoundError:
                    pass
    return removed


def scrub_files(conn: sqlite3.Connection) -> None:
    """Write the WAL back and empty it: the database file's older page images, which
    still hold what was just erased, are overwritten (secure_delete zeroed the cells)."""
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.OperationalError:
        pass  # another connection is reading; its next checkpoint rewrites the pages


def forget(store: Store, lead: sqlite3.Row, now: datetime, outbox: Path | None = None,
           spool: Path | None = None) -> int:
    """Erase one lead now, on request (right to erasure), and the inquiries for its address
    waiting in serve's spool (`spool`, the directory); how many of those."""
    with store.write():
        message_ids = _erase_in_transaction(store, lead, now, "forgotten on request")
    scrub_files(store.conn)
    scrub_outbox(outbox, message_ids)
    return _erase_spooled(spool, lead["email"])


def _erase_spooled(spool: Path | None, address: str) -> int:
    if spool is None:
        return 0
    try:
        return erase_address(spool, address)
    except OSError as err:
        from .errors import LeadloopError

        failure = LeadloopError(
            f"{spool}: the address is erased from the database, but its inquiries waiting in "
            f"serve's spool could not be removed ({err.strerror or err}); delete them from "
            "there by hand")
        failure.exit_code = 1  # the work could not be done (SPEC §4)
        raise failure from None


def forget_address(store: Store, email: str, now: datetime, outbox: Path | None = None,
                   spool: Path | None = None) -> int:
    """Erase this address now wherever it is: its lead, and its inquiries waiting in serve's
    spool (an inquiry spooled while the database was busy is not a lead yet, and would
    bring the person back when applied). Returns how many spooled inquiries were erased;
    LeadNotFound when the address is in neither."""
    from .errors import LeadNotFound

    try:
        lead = store.lead(email)
    except LeadNotFound:
        address = _normalised(email)
        if spool is None or not holds(spool, address):
            raise
        # The suppression first, committed: a serve applying the spool at this moment
        # finds an inquiry older than the erasure, which the importer drops (SPEC §5).
        with store.write():
            store.suppress(address, "erased", now)
        return _erase_spooled(spool, address)
    return forget(store, lead, now, outbox, spool)


def _normalised(email: str) -> str:
    from .addresses import normalize_address
    from .errors import InputError

    try:
        return normalize_address(email)
    except InputError:
        return email.strip().lower()  # as Store.lead looks it up


def give_up_due(store: Store, now: datetime, outbox: Path | None = None) -> GiveUpReport:
    """Give up every active lead whose last contact went unanswered past `reply_grace`."""
    report = GiveUpReport()
    rows = store.conn.execute(
        # `+status`: the partial give-up index, not the status index (nearly every lead is active).
        "SELECT * FROM leads WHERE give_up_at IS NOT NULL AND give_up_at <= ? AND +status = 'active'",
        (to_db(now),),
    ).fetchall()
    if not rows:
        return report
    erase = store.rules.erase_on_give_up
    message_ids: list[str] = []
    with store.write():
        for lead in rows:
            if erase:
                message_ids += _erase_in_transaction(store, lead, now, "no answer")
                report.erased += 1
            else:
                store.conn.execute(
                    "UPDATE leads SET status = 'lost', status_at = ?, updated_at = ?, "
                    "give_up_at = NULL, next_step = NULL, next_due_at = NULL WHERE id = ?",
                    (to_db(now), to_db(now), lead["id"]),
                )
                store.event(lead["id"], now, "status", {"from": "active", "to": "lost",
                                                        "note": "no answer"})
                report.lost += 1
    if erase:
        scrub_files(store.conn)
        scrub_outbox(outbox, message_ids)
    return report
