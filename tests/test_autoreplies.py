"""Automatic replies are never answers; people's replies are, quoted text and all
(SPEC §7). Real auto-replies from several vendors and languages: ../shared/corpora/autoreplies."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from leadloop.classify import classify
from leadloop.config import load_config
from leadloop.inbox import InboxReport, apply_incoming
from leadloop.store import Store

from corpora import corpus, samples, skip_without

# Real auto-replies and people's replies (quoted text, unsubscribe footer and all): other
# projects' sample mail, kept in ../shared/corpora (tests/corpora.py).
HERE = corpus("autoreplies")
SAMPLES = sorted(HERE.glob("*.eml"))
REPLIES = sorted(corpus("replies").glob("*.eml"))
NOW = datetime(2026, 3, 3, 10, 0, tzinfo=timezone.utc)
SENT = "2026-03-02T10:00:00+00:00"


@skip_without("autoreplies")
@skip_without("replies")
def test_there_are_real_samples_from_several_vendors():
    # Issue #15: at least 15 real auto-replies, several vendors and languages.
    assert len(SAMPLES) >= 15
    assert len({path.name.split("-")[0] for path in SAMPLES}) >= 3
    assert len(REPLIES) >= 2


@pytest.mark.parametrize("path", samples("autoreplies"))
def test_a_real_auto_reply_is_never_an_answer(path):
    assert classify(path.read_bytes()).kind == "auto_reply"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    opened = Store.open(tmp_path_factory.mktemp("replies") / "leadloop.db", load_config(None).cadence)
    yield opened
    opened.close()


def _as_the_inbox_applies_it(store: Store, raw: bytes) -> tuple[str, InboxReport]:
    """The sample's sender is a lead whom we sent the message it answers (its
    In-Reply-To, when it has one); the inbox applies it; the lead's status after."""
    incoming = classify(raw)
    report = InboxReport()
    with store.write():
        lead_id = store.conn.execute(
            "INSERT INTO leads (email, requested_at, status, status_at, created_at, updated_at) "
            "VALUES (?, ?, 'active', ?, ?, ?)", (incoming.sender, SENT, SENT, SENT, SENT)).lastrowid
        store.conn.execute(
            "INSERT INTO messages (lead_id, kind, step, template, state, message_id, attempted_at, sent_at) "
            "VALUES (?, 'sequence', 0, 'info', 'sent', ?, ?, ?)",
            (lead_id, incoming.references[0] if incoming.references else f"<{lead_id}@leadloop.test>", SENT, SENT))
        apply_incoming(store, incoming, NOW, report)
        status = store.conn.execute("SELECT status FROM leads WHERE id = ?", (lead_id,)).fetchone()[0]
        store.conn.execute("DELETE FROM events WHERE lead_id = ?", (lead_id,))
        store.conn.execute("DELETE FROM messages WHERE lead_id = ?", (lead_id,))
        store.conn.execute("DELETE FROM leads WHERE id = ?", (lead_id,))
    return status, report


@pytest.mark.parametrize("path", samples("autoreplies"))
def test_the_inbox_keeps_the_lead_in_sequence_after_a_real_auto_reply(store, path):
    status, report = _as_the_inbox_applies_it(store, path.read_bytes())
    assert status == "active" and report.replies == 0
    assert report.auto_replies + report.unmatched == 1


@pytest.mark.parametrize("path", samples("replies"))
def test_a_real_reply_with_its_quote_is_an_answer(store, path):
    status, report = _as_the_inbox_applies_it(store, path.read_bytes())
    assert (status, report.replies, report.unsubscribes) == ("replied", 1, 0)


def mail(subject: str, body: str, headers: str = "") -> bytes:
    return (f"From: Ana Peña <ana@example.com>\r\nTo: laura@example.com\r\nSubject: {subject}\r\n"
            f"{headers}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n").encode("utf-8")


@pytest.mark.parametrize("subject, headers", [
    ("Auto reply: Hola", "X-Apple-Action: VACATION\r\n"),
    ("Hola", "X-Apple-Action: VACATION\r\n"),
    ("Hola", "X-MS-Exchange-Inbox-Rules-Loop: ana@example.com\r\n"),
    ("Hola", "X-Autoresponder: yes\r\n"),
    ("Automatic reply: Hola", ""),
    ("Respuesta automática: Hola", ""),
    ("Réponse automatique : Bonjour", ""),
    ("Resposta automática: Olá", ""),
    ("Risposta automatica: Ciao", ""),
    ("Abwesenheitsnotiz: Hallo", ""),
    ("Automatische Antwort: Hallo", ""),
    ("Fuera de la oficina: Hola", ""),
    ("[Auto-Reply] Hola", ""),
])
def test_vendor_headers_and_subjects_in_six_languages(subject, headers):
    assert classify(mail(subject, "Ref. 20260303-1.", headers)).kind == "auto_reply"


@pytest.mark.parametrize("body", [
    # The quote of our message carries its unsubscribe footer and the lead's own
    # out-of-office subject: neither is what the person wrote.
    "Sí, me interesa. ¿Me llama mañana?\r\n\r\nEl lun, 2 mar 2026, Laura escribió:\r\n"
    "> Para darme de baja responda BAJA.\r\n> Respuesta automática: fuera de la oficina",
    "Yes please, send the price list.\r\n\r\nOn Mon, Laura wrote:\r\n> To unsubscribe, reply STOP.",
    "Oui, appelez-moi.\r\n\r\n-----Original Message-----\r\nFrom: laura@example.com\r\n"
    "Pour vous désabonner, répondez STOP.",
    "Ja, gerne.\r\n\r\nAm Montag schrieb Laura:\r\n> Zum Abmelden antworten Sie mit STOP.",
])
def test_a_person_answering_with_our_message_quoted_is_a_reply(body):
    assert classify(mail("Re: ¿Aún me recuerda?", body)).kind == "reply"


@pytest.mark.parametrize("subject, body", [
    ("Re: Hola", "Por favor, quiero darme de baja de esta lista."),
    ("Re: Hola", "Quisiera cancelar mi suscripción, gracias."),
    ("Re: Bonjour", "Merci de me désabonner de cette liste."),
    ("Re: Olá", "Quero descadastrar o meu e-mail, obrigado."),
    ("Re: Ciao", "Cancellami dalla lista per favore."),
    ("Re: Hallo", "Bitte abmelden, danke."),
    ("Re: Hello", "Please remove me from your list."),
    ("Abbestellen", ""),
])
def test_unsubscribe_phrases_in_six_languages(subject, body):
    assert classify(mail(subject, body)).kind == "unsubscribe"


def test_a_denied_unsubscribe_phrase_is_a_reply():
    assert classify(mail("Re: Hola", "No quiero darme de baja, pero ahora no puedo comprar.")).kind == "reply"


@pytest.mark.parametrize("subject", ["Engineering Admissions -- Automatic Reply", "Admisiones: respuesta automática",
                                     "Service client - réponse automatique"])
def test_a_postmasters_automatic_answer_is_an_auto_reply(subject):
    """A department's autoresponder on its postmaster address, with none of the
    auto-reply headers: its subject says it answers automatically, and nothing in it is
    a report's (issue #25, branch forwards)."""
    from email.header import Header

    raw = ("From: Postmaster@admissions.example.edu\r\nTo: laura@lauravidal.es\r\n"
           f"Subject: {Header(subject, 'utf-8').encode()}\r\nDate: Thu, 26 Aug 2026 22:15:58 -0400\r\n"
           "Reply-To: Admissions <admissions@example.edu>\r\n\r\n"
           "We are now processing application inquiries for the fall term.\r\n"
           "Complete information on our programs is available on our website.\r\n").encode()
    assert classify(raw).kind == "auto_reply"


def test_a_postmasters_report_about_an_automatic_reply_is_still_a_bounce():
    """The report of a failed automatic reply is a report: its subject and words say so."""
    raw = ("From: postmaster@mx.example.org\r\nTo: laura@lauravidal.es\r\n"
           "Subject: Undeliverable: Automatic reply: Presupuesto\r\n\r\n"
           "Delivery has failed to these recipients or groups:\r\n\r\n"
           "ana.pena@example.org\r\nThe email address you entered couldn't be found.\r\n").encode()
    assert classify(raw).kind == "bounce"
