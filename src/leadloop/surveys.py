"""One-question surveys (SPEC §9, the CRM article's "question of the day").

`survey send NAME --to STATUS` mails the template NAME to every lead with that status
(usually customers) as a tracked one-off message of kind "survey:NAME": the same
at-most-once guarantee as the sequence, suppressed addresses skipped. Answers arrive as
replies through the inbox, threaded to that message, and are kept per lead (a number
when the first line starts with one, else the first line). `survey share` mails the
tally to those who answered, as kind "survey-results:NAME".
"""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime

from .clock import to_db
from .errors import InputError, TemplateError
from .stats import SENT
from .store import STATUSES, Store

_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,40}")
_RESERVED = {"info", "followup", "survey-results"}
_NUMBER_FIRST = re.compile(r"\s*(\d{1,3}(?:[.,]\d+)?)\b")
MAX_ANSWER = 200


def check_name(name: str) -> str:
    if not _NAME.fullmatch(name) or name in _RESERVED or name.startswith("followup"):
        raise InputError(f'"{name}" cannot name a survey: use lower-case letters, digits, "-" or "_", '
                         "and not info or followup")
    return name


def survey_kind(name: str) -> str:
    return f"survey:{name}"


def results_kind(name: str) -> str:
    return f"survey-results:{name}"


def recipients(store: Store, status: str) -> list[sqlite3.Row]:
    if status not in STATUSES or status == "erased":
        raise InputError(f'--to "{status}": one of {", ".join(s for s in STATUSES if s != "erased")}')
    return store.conn.execute(
        "SELECT * FROM leads WHERE status = ? AND email IS NOT NULL ORDER BY id", (status,)).fetchall()


def not_yet_sent(store: Store, leads: list[sqlite3.Row], kind: str) -> list[sqlite3.Row]:
    """Those of `leads` with no message of this kind yet (a deferred one is still to go)."""
    had = {row[0] for row in store.conn.execute(
        "SELECT lead_id FROM messages WHERE kind = ? AND state != 'deferred'", (kind,))}
    return [lead for lead in leads if lead["id"] not in had]


def answer_of(text: str) -> str | None:
    """The answer in a reply: a number the first line starts with, else the first line."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if not first:
        return None
    number = _NUMBER_FIRST.match(first)
    if number:
        return number.group(1).replace(",", ".")
    return first[:MAX_ANSWER]


def survey_of_message(store: Store, message_ids: tuple[str, ...]) -> tuple[int, str] | None:
    """(lead id, survey name) when one of these Message-IDs is a survey we sent."""
    if not message_ids:
        return None
    marks = ",".join("?" * len(message_ids))
    row = store.conn.execute(
        f"SELECT lead_id, kind FROM messages WHERE kind LIKE 'survey:%' AND message_id IN ({marks})",
        message_ids).fetchone()
    return (row["lead_id"], row["kind"].partition(":")[2]) if row else None


def record_answer(store: Store, lead_id: int, name: str, text: str, now: datetime) -> bool:
    """Inside a write transaction; the latest answer of a lead counts."""
    answer = answer_of(text)
    if answer is None:
        return False
    store.conn.execute(
        "INSERT INTO survey_answers (lead_id, survey, answer, at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(lead_id, survey) DO UPDATE SET answer = excluded.answer, at = excluded.at",
        (lead_id, name, answer, to_db(now)))
    store.event(lead_id, now, "survey_answer", {"survey": name, "answer": answer})
    return True


def tally(store: Store, name: str) -> dict:
    """The survey's numbers and every answer's count (what `survey share` mails)."""
    summary = tally_summary(store, name)
    return {**summary, "results": list(tally_results(store, name, summary["answered"]))}


def tally_summary(store: Store, name: str) -> dict:
    """How many were sent and answered, and the average when every answer is a number:
    SQLite adds them up, however many answers there are."""
    _prepare(store.conn)
    sent = store.conn.execute(
        f"SELECT count(*) FROM messages WHERE kind = ? AND state IN {SENT}",
        (survey_kind(name),)).fetchone()[0]
    answered, numbers, total = store.conn.execute(
        "SELECT count(*), count(leadloop_number(answer)), sum(leadloop_number(answer)) "
        "FROM survey_answers WHERE survey = ? AND answer IS NOT NULL", (name,)).fetchone()
    return {
        "survey": name,
        "sent": sent,
        "answered": answered,
        "average": round(total / numbers, 2) if numbers and numbers == answered else None,
    }


def tally_results(store: Store, name: str, answered: int):
    """Each answer with its count and share, a row at a time: numbers first by value,
    then words, the most given first."""
    _prepare(store.conn)
    for answer, count in store.conn.execute(
            "SELECT answer, count(*) AS n FROM survey_answers WHERE survey = ? AND answer IS NOT NULL "
            "GROUP BY answer ORDER BY leadloop_number(answer) IS NULL, leadloop_number(answer), "
            "n DESC, lower(answer)", (name,)):
        yield {"answer": answer, "count": count, "share": round(count / answered, 4)}


# An answer is a score, not a measurement: beyond this it is a word ("1e999", "inf" and
# "nan" too), so no sum or average can become infinite or NaN, which JSON cannot hold.
LARGEST_NUMBER = 1e12


def _number(text):
    """An answer as a number, when it is one (None otherwise)."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if abs(value) <= LARGEST_NUMBER else None  # also False for nan


def _prepare(conn) -> None:
    conn.create_function("leadloop_number", 1, _number, deterministic=True)


def respondents(store: Store, name: str) -> list[sqlite3.Row]:
    return store.conn.execute(
        "SELECT l.* FROM leads l JOIN survey_answers a ON a.lead_id = l.id "
        "WHERE a.survey = ? AND l.email IS NOT NULL ORDER BY l.id", (name,)).fetchall()


def results_template(renderer, name: str, locale: str | None) -> str:
    """NAME-results when the marketer wrote one, else the built-in survey-results."""
    try:
        renderer.locate(locale, f"{name}-results", 0)
        return f"{name}-results"
    except TemplateError:
        return "survey-results"
