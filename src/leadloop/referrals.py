"""Whom a lead referred (SPEC §9), for `show`.

Apart from stats.py, whose funnel needs the delivery-status rules and the orders
(~40 ms of imports): `show` of one lead asks only this, through two indexes
(migrations.m010_polish_referred_by_index). `stats.referrals` ranks the referrers.
"""

from __future__ import annotations

import sqlite3

from .store import Store


def referred_leads(store: Store, lead) -> list[sqlite3.Row]:
    """The leads this one referred, oldest inquiry first, those erased since among them
    (linked by this lead's row id, with no address or name: SPEC §10); none once this
    one is erased (its referrals are then named by nobody)."""
    if lead["email"] is None:
        return []
    # Two look-ups, each in its index's order: a UNION would sort them all again.
    living = store.conn.execute(
        "SELECT id, email, name, status, requested_at FROM leads WHERE referred_by = ? ORDER BY requested_at",
        (lead["email"],)).fetchall()
    erased = store.conn.execute(
        "SELECT id, email, name, status, requested_at FROM leads "
        "WHERE referrer_erased_id = ? AND referred_by IS NULL", (lead["id"],)).fetchall()
    if not erased:
        return living
    return sorted(living + erased, key=lambda row: (row["requested_at"], row["id"]))
