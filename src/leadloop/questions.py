"""Customers' questions (SPEC §9): open when a customer writes (inbox) or when the
marketer notes one by hand, listed oldest first, closed when answered."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from .clock import to_db
from .errors import InputError
from .store import Store


def open_question(store: Store, lead: sqlite3.Row, text: str, now: datetime) -> None:
    from .message import clean

    text = text.strip()
    if not text:
        raise InputError("the question is empty: write what the customer asked")
    with store.write():
        add_question(store, lead["id"], text, now, now, {"text": clean(text)[:200]})


def add_question(store: Store, lead_id: int, text: str, asked_at: datetime, now: datetime,
                 detail: dict) -> None:
    """Inside a write transaction: an open question asked at `asked_at`, and its event."""
    store.conn.execute("INSERT INTO questions (lead_id, opened_at, text) VALUES (?, ?, ?)",
                       (lead_id, to_db(asked_at), text))
    store.event(lead_id, now, "question", detail)


def open_questions(store: Store) -> sqlite3.Cursor:
    """Open questions, oldest first: a cursor, read as they are printed."""
    return store.conn.execute(
        """SELECT q.id, q.opened_at, q.text, l.email, l.name, l.status FROM questions q
           JOIN leads l ON l.id = q.lead_id
           WHERE q.answered_at IS NULL AND l.email IS NOT NULL
           ORDER BY q.opened_at, q.id""")


def count_open(store: Store) -> int:
    return store.conn.execute(
        "SELECT count(*) FROM questions q JOIN leads l ON l.id = q.lead_id "
        "WHERE q.answered_at IS NULL AND l.email IS NOT NULL").fetchone()[0]


def answer(store: Store, lead: sqlite3.Row, now: datetime) -> int:
    """Close every open question of the lead; how many were open."""
    with store.write():
        closed = store.conn.execute(
            "UPDATE questions SET answered_at = ? WHERE lead_id = ? AND answered_at IS NULL",
            (to_db(now), lead["id"])).rowcount
        if closed:
            store.event(lead["id"], now, "answered", {"questions": closed})
    if not closed:
        raise InputError(f"{lead['email']} has no open question")
    return closed
