"""An answer that says the person has left, or that the address is no longer used, is a
dead address (SPEC §7 "has moved"): the lead becomes `bounced` with the sentence kept,
and a new address it gives the person is said to the marketer, never imported. A
person's own answer that mentions leaving, an ordinary out-of-office, a quoted notice
and a bounce stay what they were. The sentences follow the templates mail guides give
for a leaver's mailbox (Outlook automatic replies, Gmail's vacation responder); the
messages are made up."""

from __future__ import annotations

import json

import pytest

from leadloop.classify import classify
from leadloop.delivery_status import ADDRESS

from test_inbox import Maildir, leads, mail, project, read, sent_message_id  # noqa: F401 (fixture)


def answer(subject: str, body: str, *, headers: str = "", sender: str = "ana@example.com") -> bytes:
    return (f"From: Ana Peña <{sender}>\r\nTo: laura@example.com\r\nSubject: {subject}\r\n{headers}"
            "In-Reply-To: <info-1@leadloop.test>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            f"{body}\r\n").encode("utf-8")


AUTO = "Auto-Submitted: auto-replied\r\n"


@pytest.mark.parametrize("subject, headers, body, sentence", [
    ("Automatic reply: Curso", "", "Thank you for your email.\r\nAna Peña is no longer with Acme Ltd. Please "
     "contact sales@acme.example for any enquiry.", "Ana Peña is no longer with Acme Ltd."),
    ("Re: Curso", AUTO, "Hello,\r\nThis mailbox is no longer monitored. Please write to info@acme.example",
     "This mailbox is no longer monitored."),
    ("Out of office", "", "Please note that I have left the company. Thank you for your understanding.",
     "Please note that I have left the company."),
    ("Re: Curso", AUTO, "Ana Peña has left Acme as of 1 May 2026.", "Ana Peña has left Acme as of 1 May 2026."),
    ("Respuesta automática: Curso", "", "Gracias por su correo. Ana Peña ya no trabaja en Acme. Para cualquier "
     "consulta escriba a ventas@acme.es.", "Ana Peña ya no trabaja en Acme."),
    ("Re: Curso", AUTO, "Esta dirección de correo ya no está activa.", "Esta dirección de correo ya no está activa."),
    ("Réponse automatique : Cours", "", "Bonjour,\r\nMme Peña ne fait plus partie de la société depuis le 1er "
     "mars.", "Mme Peña ne fait plus partie de la société depuis le 1er mars."),
    ("Abwesenheitsnotiz: Kurs", "", "Frau Peña ist nicht mehr bei der Acme GmbH tätig. Bitte wenden Sie sich an "
     "info@acme.de.", "Frau Peña ist nicht mehr bei der Acme GmbH tätig."),
    ("Re: Kurs", AUTO, "Dieses Postfach wird nicht mehr abgerufen.", "Dieses Postfach wird nicht mehr abgerufen."),
    ("Resposta automática: Curso", "", "A Ana não faz mais parte da nossa equipe.",
     "A Ana não faz mais parte da nossa equipe."),
    ("Risposta automatica: Corso", "", "Ana Peña non lavora più presso la nostra azienda.",
     "Ana Peña non lavora più presso la nostra azienda."),
    ("Automatisch antwoord: Cursus", "", "Ana is niet meer werkzaam bij Acme.", "Ana is niet meer werkzaam bij Acme."),
    ("Odpowiedź automatyczna: Kurs", "", "Pani Anna nie pracuje już w firmie Acme.",
     "Pani Anna nie pracuje już w firmie Acme."),
    ("Automatiskt svar: Kurs", "", "Anna arbetar inte längre på Acme.", "Anna arbetar inte längre på Acme."),
    ("Автоматический ответ: Курс", "", "Анна больше не работает в компании.", "Анна больше не работает в компании."),
    # Automatic by its own words only ("this is an automatic message").
    ("Re: Curso", "", "This is an automatic reply. I am no longer with Acme.", "I am no longer with Acme."),
])
def test_an_automatic_answer_that_says_the_person_has_gone_is_a_dead_address(subject, headers, body, sentence):
    incoming = classify(answer(subject, body, headers=headers))
    assert incoming.kind == "bounce" and incoming.departed
    [failure] = incoming.failures
    assert failure.address == "ana@example.com" and failure.hard
    assert (failure.verdict.reason, failure.verdict.owner) == ("hasmoved", ADDRESS)
    assert failure.diagnostic == sentence
    # The message it answers finds the lead when an alias answered.
    assert incoming.original_ids == ("<info-1@leadloop.test>",)
    assert incoming.new_address == ""


@pytest.mark.parametrize("body, new_address", [
    ("I have left Acme as of 1 May. My new address is ana.pena@new.example, see you there!", "ana.pena@new.example"),
    ("Ana Peña is no longer with Acme.\r\nYou can reach me at: <ana@home.example>", "ana@home.example"),
    ("Ana Peña ya no trabaja en Acme. Su nuevo correo es ana.p@otra.example", "ana.p@otra.example"),
    ("Ich habe das Unternehmen verlassen. Meine neue E-Mail-Adresse lautet ana@neu.example.", "ana@neu.example"),
    # A colleague's or a department's address is no new address of hers.
    ("Ana Peña is no longer with Acme. Please contact john@acme.example instead.", ""),
])
def test_a_new_address_for_the_same_person_is_found(body, new_address):
    incoming = classify(answer("Automatic reply: Curso", body))
    assert incoming.kind == "bounce" and incoming.new_address == new_address


@pytest.mark.parametrize("body", [
    "Ana Peña is no longer with Acme. Please contact sales@acme.example.",
    "Hello,\r\nthis e-mail address is no longer in use. Please write to info@acme.example.",
    "Ana Peña ya no trabaja en Acme.",
])
def test_a_short_notice_about_someone_without_automatic_signs_is_a_dead_address(body):
    """A department's templated notice from the leaver's address (no Auto-Submitted, no
    automatic subject): short, about someone else or the address, and asking nothing."""
    assert classify(answer("Re: Curso", body)).kind == "bounce"


@pytest.mark.parametrize("body", [
    # The writer speaks of themselves: they read this address.
    "I am no longer with Acme, but I would still like the brochure, send it to me.",
    "Ana Peña is no longer with Acme, I took over her accounts: send me the prices.",
    # A question, or more than a template's words.
    "Ana Peña is no longer with Acme. Can you send the brochure to her successor?",
    "Ana Peña is no longer with Acme. " + "We are very interested in the course and the dates you offer. " * 10,
    # Further down, not where a notice says it.
    "Thanks for the information.\r\nWe will look at the dates.\r\nOur planning is in May.\r\n"
    "By the way, Ana is no longer with Acme.",
])
def test_the_same_words_in_a_persons_answer_without_automatic_signs_are_a_reply(body):
    assert classify(answer("Re: Curso", body)).kind == "reply"


@pytest.mark.parametrize("subject, headers, body, kind", [
    ("Re: Curso", "", "I'm leaving the company next month, but yes, send me the brochure.", "reply"),
    ("Re: Curso", "", "We moved offices last week. Please send the brochure.", "reply"),
    ("Re: Curso", "", "Our address has moved to 5 Main St, Springfield.", "reply"),
    ("Re: Curso", "", "I have moved to a new role, still interested.", "reply"),
    ("Out of office", "", "I am away until Monday.", "auto_reply"),
    ("Re: Curso", AUTO, "I have left the office for the day and will answer tomorrow.", "auto_reply"),
    ("Re: Curso", AUTO, "I have left you a voicemail on Monday.", "auto_reply"),
    # Someone away who will be back, naming a colleague who left.
    ("Out of office", "", "I am out of the office until 5 May.\r\nPlease note that Bob Smith is no longer "
     "with Acme; for his accounts contact sales@acme.example.", "auto_reply"),
    # An address still read today.
    ("Automatic reply: Curso", "", "This mailbox will no longer be monitored after 1 June.", "auto_reply"),
    # A no-reply address says it is not read, of itself: no departure.
    ("Re: Curso", AUTO, "This mailbox is not monitored. Please do not reply.", "auto_reply"),
    # A person who quotes a departure notice.
    ("Re: Curso", "", "Yes, please send it to me: Ana left.\r\n\r\nOn Mon, Acme wrote:\r\n"
     "> Ana Peña is no longer with Acme.", "reply"),
    ("Fwd: Automatic reply", "", "FYI, see below, can you update your list?\r\n\r\n"
     "---------- Forwarded message ---------\r\nFrom: Acme\r\n\r\nAna Peña is no longer with Acme.", "reply"),
])
def test_traps_stay_what_they_were(subject, headers, body, kind):
    assert classify(answer(subject, body, headers=headers)).kind == kind


def test_a_bounce_keeps_its_own_reading():
    """A report's words are read by the bounce reader, whatever they say of moving."""
    raw = (b"Return-Path: <>\r\nFrom: MAILER-DAEMON@mx.example.net\r\nTo: laura@example.com\r\n"
           b"Subject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n"
           b'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
           b"--B\r\nContent-Type: text/plain\r\n\r\nThe user is no longer with this company.\r\n"
           b"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n\r\n"
           b"Final-Recipient: rfc822; ana@example.com\r\nAction: failed\r\nStatus: 5.2.2\r\n"
           b"Diagnostic-Code: smtp; 552 5.2.2 Mailbox full\r\n\r\n--B--\r\n")
    incoming = classify(raw)
    assert incoming.kind == "bounce" and not incoming.departed
    assert [f.verdict.reason for f in incoming.failures] == ["mailboxfull"]


def test_inbox_bounces_the_lead_and_says_what_the_answer_said(project, run):
    lead = "ana.pena@example.org"
    project.deliver(mail(lead, "Automatic reply: La información", "Thank you for your message.\n"
                         "Ana Peña is no longer with Acme.\nMy new e-mail address is ana@home.example.",
                         Auto_Submitted="auto-replied"))
    result = run("--now", "2026-03-03T10:00", "inbox", "--json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["bounces"] == 1 and summary["auto_replies"] == 0 and summary["replies"] == 0
    assert "Ana Peña is no longer with Acme." in result.stderr
    assert "ana@home.example" in result.stderr and "not imported" in result.stderr
    assert leads(run)[lead]["status"] == "bounced"
    assert "ana@home.example" not in leads(run)  # never imported
    shown = json.loads(run("show", lead, "--json").stdout)
    [message] = shown["messages"]
    assert message["state"] == "bounced" and "Ana Peña is no longer with Acme." in message["error"]
    [change] = [e for e in shown["events"] if e["kind"] == "status"][-1:]
    assert "Ana Peña is no longer with Acme." in change["note"]
    # No follow-up goes to a dead address.
    later = run("--now", "2026-06-15T10:00", "due", "--json")
    assert lead not in {item["email"] for item in json.loads(later.stdout)}


def test_inbox_finds_the_lead_by_the_message_an_alias_answers(project, run):
    notice = mail("a.pena@example.org", "Automatic reply: La información", "This mailbox is no longer monitored.",
                  Auto_Submitted="auto-replied")
    notice["In-Reply-To"] = sent_message_id(run, "ana.pena@example.org")
    project.deliver(notice)
    assert read(run)["bounces"] == 1
    assert leads(run)["ana.pena@example.org"]["status"] == "bounced"


def test_inbox_keeps_nothing_of_a_notice_about_no_lead(project, run):
    project.deliver(mail("someone@elsewhere.example", "Automatic reply: Hello", "Bob is no longer with Foo Inc.",
                         Auto_Submitted="auto-replied"))
    summary = read(run)
    assert summary["unmatched"] == 1 and summary["unrecognised"] == 0 and summary["bounces"] == 0
    review = run("--now", "2026-03-03T10:00", "inbox", "--review", "--json")
    assert json.loads(review.stdout) == []
