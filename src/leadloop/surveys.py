"""One-question surveys (SPEC §9, the CRM article's "question of the day").

`survey send NAME --to STATUS` mails the template NAME to every lead with that status
(usually customers) as a tracked one-off message of kind "survey:NAME": the same
at-most-once guarantee as the sequence, suppressed addresses skipped. Answers arrive as
replies through the inbox, threaded to that message, and are kept per lead.

A reply is read the way a person writes it (issue #27 item 5): the score wherever the
first lines state it ("Un 9. El taller…", "9/10", "le doy un 8", "nueve", "I'd give it
an 8"), in the languages leadloop ships (es, en); a short answer that is no score ("Sí",
"Pilates") is an answer of its own; anything longer is the person's comment. `survey
share` mails the tally to those who answered, as kind "survey-results:NAME", and a
comment only when its author agreed in the reply ("puede compartirlo", "you may share
it": the shipped survey templates say so), without the author's name.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from .clock import to_db
from .errors import InputError, TemplateError
from .stats import SENT
from .store import STATUSES, Store

_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,40}")
_RESERVED = {"info", "followup", "survey-results"}
MAX_ANSWER = 200
# The lines a score is looked for in: people put it first, or just after a greeting.
SCORE_LINES = 3
# An answer that is no score but this short ("Sí", "Pilates", "Los martes") is counted
# as an answer of its own; a longer one is a comment, never counted nor shared unasked.
SHORT_ANSWER_WORDS = 3
SHORT_ANSWER_CHARS = 30
HIGHEST_SCORE = 10
SCORE_ONLY_WORDS = 5

_NUMBER = r"(\d{1,2}(?:[.,]\d)?)"
_SCORE_PATTERNS = [
    # "9/10", "8 de 10", "8 sobre 10", "8 out of 10"
    re.compile(_NUMBER + r"\s*(?:/|de|sobre|out\s+of|of)\s*10\b", re.I),
    # "Un 9", "le doy un 8", "I'd give it an 8", "a 9", "nota: 7", "score 9"
    re.compile(r"\b(?:un|una|an|a|doy|pongo|give|gave|rate|nota|score|puntuaci[oó]n|"
               r"calificaci[oó]n|diría|diria|say)\b[\s:]*" + _NUMBER + r"(?![\d/])", re.I),
    # a line that starts with the number: "9", "10!", "7, aunque…"
    re.compile(r"^[\s¡¿\"'«(]*" + _NUMBER + r"(?![\d/:])"),
]
_SCORE_WORDS = {
    "cero": 0, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7,
    "ocho": 8, "nueve": 9, "diez": 10,
    "zero": 0, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10,
}
# "uno"/"one" are also words of ordinary sentences ("one of the best"): a score only
# when the line starts with it.
_SCORE_WORDS_FIRST = {"uno": 1, "one": 1}
_WORD = re.compile(r"[a-záéíóúñü]+", re.I)

# How an author says a comment may be shared, as the shipped survey templates ask it;
# "no puede compartirlo", "you may not share it" are refusals.
_CONSENT = re.compile(
    r"(?<![a-z])(?:(?:puede|pueden|puedes|podéis|podeis)\s+compartir(?:lo|la|las|los)?|"
    r"se\s+puede\s+compartir|comp[aá]rt(?:a|e|ela|alo|elo)s?\b|"
    r"you\s+(?:may|can)\s+share(?:\s+it)?|feel\s+free\s+to\s+share|"
    r"(?:it'?s|it\s+is)?\s*(?:ok|okay|fine)\s+to\s+share)", re.I)
_REFUSAL = re.compile(r"\b(?:no|not|don'?t|do\s+not|never|nunca)\s+$", re.I)


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


def _lines(text: str) -> list[str]:
    """What the person wrote, line by line, without quoted lines."""
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith(">")]


def score_of(text: str) -> str | None:
    """The 0-10 score the first lines state, as text ("9", "7.5"), else None."""
    for line in _lines(text)[:SCORE_LINES]:
        for pattern in _SCORE_PATTERNS:
            for match in pattern.finditer(line):
                value = float(match.group(1).replace(",", "."))
                if 0 <= value <= HIGHEST_SCORE:
                    return f"{value:g}"
        words = [w.lower() for w in _WORD.findall(line)]
        if words and words[0] in _SCORE_WORDS_FIRST:
            return str(_SCORE_WORDS_FIRST[words[0]])
        for word in words:
            if word in _SCORE_WORDS:
                return str(_SCORE_WORDS[word])
    return None


def consents(text: str) -> bool:
    """Whether the author says their comment may be shared ("puede compartirlo")."""
    said = " ".join(_lines(text))
    for match in _CONSENT.finditer(said):
        if not _REFUSAL.search(said[:match.start()]):
            return True
    return False


@dataclass(frozen=True)
class Answer:
    answer: str | None   # the score, or a short answer; None when the reply is a comment only
    comment: str | None  # what else the person wrote (never counted; shared only with consent)
    may_share: bool


def answer_of(text: str) -> Answer | None:
    """A reply to a survey, read (see the module's docstring); None when it is empty."""
    lines = _lines(text)
    if len(lines) > 1 and lines[0].endswith((":", ",")) and len(lines[0].split()) <= 3:
        lines = lines[1:]  # "Hola Laura:", a greeting, is no part of the comment
    if not lines:
        return None
    words = " ".join(lines)
    score = score_of(text)
    short = (len(lines) == 1 and len(words.split()) <= SHORT_ANSWER_WORDS
             and len(words) <= SHORT_ANSWER_CHARS)
    if score is not None:
        answer = score
        # "le doy un 8", "I'd give it an 8": the score alone, no comment to keep.
        states_score_only = len(lines) == 1 and len(words.split()) <= SCORE_ONLY_WORDS
        comment = None if short or states_score_only else words
    elif short:
        answer, comment = words.rstrip(".!"), None
    else:
        answer, comment = None, words
    if comment is not None:
        comment = _without_consent(comment)[:MAX_ANSWER] or None
    return Answer(answer, comment, consents(text) and comment is not None)


def _without_consent(comment: str) -> str:
    """The comment without the sentence that gave consent ("Puede compartirlo.")."""
    kept = [s for s in re.split(r"(?<=[.!?])\s+", comment) if not _CONSENT.search(s)]
    return " ".join(kept).strip()


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
    read = answer_of(text)
    if read is None:
        return False
    store.conn.execute(
        "INSERT INTO survey_answers (lead_id, survey, answer, comment, may_share, at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(lead_id, survey) DO UPDATE SET "
        "answer = excluded.answer, comment = excluded.comment, may_share = excluded.may_share, "
        "at = excluded.at",
        (lead_id, name, read.answer, read.comment, int(read.may_share), to_db(now)))
    store.event(lead_id, now, "survey_answer", {"survey": name, "answer": read.answer or read.comment})
    return True


def tally(store: Store, name: str) -> dict:
    """The survey's numbers and every answer's count (what `survey share` mails)."""
    summary = tally_summary(store, name)
    return {**summary, "results": list(tally_results(store, name, summary["answered"])),
            "comments": shared_comments(store, name)}


def comments_of(store: Store, name: str, limit: int | None = None) -> list[tuple[str, bool]]:
    """(comment, may be shared) of the latest answers first, for `survey results`."""
    return [(row[0], bool(row[1])) for row in store.conn.execute(
        "SELECT comment, may_share FROM survey_answers WHERE survey = ? AND comment IS NOT NULL "
        "ORDER BY at DESC, lead_id DESC LIMIT ?", (name, -1 if limit is None else limit))]


def shared_comments(store: Store, name: str) -> list[str]:
    """The comments whose authors agreed to their sharing, without names, oldest first."""
    return [row[0] for row in store.conn.execute(
        "SELECT comment FROM survey_answers WHERE survey = ? AND may_share = 1 "
        "AND comment IS NOT NULL ORDER BY at, lead_id", (name,))]


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
