"""Whom a lead referred (SPEC §9), for `show`.

Apart from stats.py, whose funnel needs the delivery-status rules and the orders
(~40 ms of imports): `show` of one lead asks only this, through an index
(migrations.m010_polish_referred_by_index). `stats.referrals` ranks the referrers.
"""

from __future__ import annotations

import sqlite3

from .store import Store


def referred_leads(store: Store, lead) -> list[sqlite3.Row]:
    """The leads this one referred, oldest inquiry first; none once it is erased (its
    referrals are then linked by row id only, and named by nobody: SPEC §10)."""
    if lead["email"] is None:
        return []
    return store.conn.execute(
        "SELECT email, name, status, requested_at FROM leads WHERE referred_by = ? ORDER BY requested_at",
        (lead["email"],)).fetchall()
