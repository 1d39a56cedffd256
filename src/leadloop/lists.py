"""What the list commands ask the database: filters, sort orders, counts, and cursors.

A list of leads may be a million rows long (issue #20), so nothing here builds a list of
them: `lead_rows` returns one SQLite cursor, read a row at a time by whoever prints it
(a page on a terminal, every row when piped or as JSON), and `count_leads` answers "how
many" with SQLite's count, not by reading them. Filters are SQL; the few that compare
text as a person means it (a product written "curso de ingles" is "Curso de Inglés";
"munoz" finds Muñoz) go through `fold`, registered on the connection as a function.

Only leads that still have personal data are listed: an erased lead is a row of dates
and a status, which `stats` counts.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from .clock import to_db
from .errors import InputError

# --sort KEY → the ORDER BY terms (expression, nulls last?). Every order ends with the
# id, so pages and re-runs list equal keys in one stable order. `added` (import order)
# and `email` walk an index (the table itself, leads_email) and need no sort; `status`
# walks leads_status; the others are sorted by SQLite in bounded memory (it spills to
# temporary files), or with a page's LIMIT, by keeping only the best rows.
SORTS = {
    "added": (),
    "email": (("email", False),),
    "name": (("name COLLATE NOCASE", True),),
    "status": (("status", False),),
    "requested": (("requested_at", False),),
    "next-due": (("next_due_at", True),),
    "last-contact": (("last_contact_at", True),),
    "contacts": (("contacts", False),),
}


@dataclass(frozen=True)
class LeadFilter:
    statuses: tuple[str, ...] = ()
    product: str | None = None
    source: str | None = None
    search: str | None = None
    since: datetime | None = None   # requested_at >= since
    until: datetime | None = None   # requested_at < until
    sort: str = "added"
    reverse: bool = False

    @property
    def filtered(self) -> bool:
        return bool(self.where()[1])

    def where(self) -> tuple[str, list]:
        terms, params = ["email IS NOT NULL"], []
        if self.statuses:
            terms.append(f"status IN ({','.join('?' * len(self.statuses))})")
            params += self.statuses
        if self.product is not None:
            terms.append("leadloop_fold(product) = ?")
            params.append(fold(self.product))
        if self.source is not None:
            terms.append("leadloop_fold(source) = ?")
            params.append(fold(self.source))
        if self.search:
            terms.append("leadloop_fold(email || ' ' || coalesce(name, '')) LIKE ? ESCAPE '\\'")
            params.append(f"%{_like(fold(self.search))}%")
        if self.since is not None:
            terms.append("requested_at >= ?")
            params.append(to_db(self.since))
        if self.until is not None:
            terms.append("requested_at < ?")
            params.append(to_db(self.until))
        return " AND ".join(terms), params

    def order(self) -> str:
        if self.sort not in SORTS:
            raise InputError(f'--sort "{self.sort}": one of {", ".join(SORTS)}')
        direction = " DESC" if self.reverse else ""
        terms = []
        for expression, nulls_last in SORTS[self.sort]:
            if nulls_last:  # a lead with no date yet belongs after those with one
                terms.append(f"{expression.split()[0]} IS NULL")
            terms.append(expression + direction)
        terms.append("id" + direction)
        return ", ".join(terms)


def fold(text: str | None) -> str | None:
    """Text as a person compares it: case and accents ignored ("Muñoz" = "munoz")."""
    if text is None:
        return None
    return _fold(text)


@lru_cache(maxsize=4096)
def _fold(text: str) -> str:
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _prepare(conn: sqlite3.Connection) -> None:
    conn.create_function("leadloop_fold", 1, fold, deterministic=True)


def count_leads(conn: sqlite3.Connection, chosen: LeadFilter) -> int:
    if not chosen.filtered:
        # Every lead but the erased (whose address is gone): counted on the smallest
        # index, a third of the time of counting non-empty addresses (BENCH.md B9).
        return conn.execute(
            "SELECT (SELECT count(*) FROM leads INDEXED BY leads_status) "
            "- (SELECT count(*) FROM leads WHERE status = 'erased')").fetchone()[0]
    _prepare(conn)
    where, params = chosen.where()
    return conn.execute(f"SELECT count(*) FROM leads WHERE {where}", params).fetchone()[0]


# What a list of leads reads of each row: what `leads` shows and `leads --json` writes.
LEAD_COLUMNS = ("email", "name", "first_name", "product", "source", "status", "requested_at",
                "contacts", "last_contact_at", "next_step", "next_due_at", "locale", "timezone",
                "referred_by", "fields")


def lead_rows(conn: sqlite3.Connection, chosen: LeadFilter, limit: int | None = None,
              columns: tuple[str, ...] = LEAD_COLUMNS) -> sqlite3.Cursor:
    """One cursor over the chosen leads, in the chosen order; rows are plain tuples of
    `columns`, read as they are printed."""
    _prepare(conn)
    where, params = chosen.where()
    sql = f"SELECT {', '.join(columns)} FROM leads WHERE {where} ORDER BY {chosen.order()}"
    if limit is not None:
        sql += " LIMIT ?"
        params = [*params, limit]
    cursor = conn.cursor()
    cursor.row_factory = None
    return cursor.execute(sql, params)
