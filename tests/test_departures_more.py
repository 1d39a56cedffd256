"""Departure notices the first rules missed (notesaway): a leaver's own out-of-office
that keeps the away template above "I have left Acme.", more wordings of leaving, the
address no longer used in the verb forms people write, more lead-ins to a new address,
and the sentence in a Notes subject. The wordings follow the leaver templates of the
mail guides (Outlook automatic replies, Notes' out-of-office agent); the messages are
made up. The traps of tests/test_departures.py stay there and still pass."""

from __future__ import annotations

import pytest

from leadloop.classify import classify
from leadloop.delivery_status import ADDRESS, judge

from test_departures import AUTO, answer

AWAY = "I will be out of the office starting 01/03/2026 and will not return until 31/12/2099.\r\n"


def departed(incoming, sentence: str) -> None:
    assert incoming.kind == "bounce" and incoming.departed
    [failure] = incoming.failures
    assert (failure.verdict.reason, failure.verdict.owner) == ("hasmoved", ADDRESS) and failure.hard
    assert failure.diagnostic == sentence


@pytest.mark.parametrize("body, sentence", [
    (AWAY + "I have left Acme Corp as of 1 May.", "I have left Acme Corp as of 1 May."),
    (AWAY + "I no longer work for Acme. Please contact sales@acme.example.", "I no longer work for Acme."),
    (AWAY + "I'm no longer with Acme.", "I'm no longer with Acme."),
    (AWAY + "I’ve left Acme effective 1 May.", "I’ve left Acme effective 1 May."),
    ("Estaré fuera de la oficina hasta el 31/12/2099.\r\nYa no trabajo en Acme.", "Ya no trabajo en Acme."),
])
def test_a_leavers_own_departure_sentence_decides_over_the_away_template(body, sentence):
    departed(classify(answer("Out of Office: Curso", body)), sentence)


@pytest.mark.parametrize("body", [
    # A colleague named under an ordinary away text: someone who comes back.
    AWAY + "Bob Smith has left Acme Corp. For his accounts contact sales@acme.example.",
    AWAY + "Please note Bob no longer works for Acme.",
    # The away template's own "left": no departure.
    "I have left the office and will not return until Monday.",
    "I have left for the day.",
    # A traveller's away text names the place they left: never a departure, which would
    # bounce the lead for good.
    AWAY + "I have left London and will be back on Monday.",
    AWAY + "I have left Paris for the holidays.",
    AWAY + "I have left London.",
    "Thank you for your message. I have left Madrid and will reply when I return on 3 June.",
    "I'm travelling: I have left Europe for two weeks.",
    "Maria has left London and returns on Monday 4 March.",
])
def test_a_colleague_who_left_under_an_away_text_stays_an_auto_reply(body):
    assert classify(answer("Out of Office: Curso", body)).kind == "auto_reply"


@pytest.mark.parametrize("body, sentence", [
    ("Ana Peña has left Acme.", "Ana Peña has left Acme."),
    ("Ana Peña doesn't work here any more.", "Ana Peña doesn't work here any more."),
    ("Ana Peña does not work for Acme Ltd any longer.", "Ana Peña does not work for Acme Ltd any longer."),
    ("Ana isn't with Acme any more.", "Ana isn't with Acme any more."),
    ("Ana Peña no longer works at Acme.", "Ana Peña no longer works at Acme."),
    ("I am no longer checking this e-mail address.", "I am no longer checking this e-mail address."),
    ("I am no longer using this account.", "I am no longer using this account."),
    ("This address is no longer being checked.", "This address is no longer being checked."),
])
def test_more_wordings_of_leaving_and_of_a_dead_address(body, sentence):
    departed(classify(answer("Re: Curso", body, headers=AUTO)), sentence)


@pytest.mark.parametrize("body", [
    "I have left you a voicemail.",
    "I have left the meeting.",
    "I have left early.",
    "We don't work on Fridays any more.",
    "We don't work at weekends any more.",
])
def test_a_left_that_is_no_departure_is_not_one(body):
    assert classify(answer("Re: Curso", body, headers=AUTO)).kind == "auto_reply"


def test_the_subject_of_an_automatic_answer_is_read_too():
    incoming = classify(answer("Ana Peña doesn't work any longer for Acme.", "Please resend your message to "
                               "ana@new.example.", headers=AUTO))
    departed(incoming, "Ana Peña doesn't work any longer for Acme.")
    assert incoming.new_address == "ana@new.example"


def test_a_persons_subject_is_not_read():
    assert classify(answer("I no longer work for Acme", "Send me the brochure at home, please.")).kind == "reply"


def test_the_owner_who_says_the_address_is_no_longer_used_is_believed_without_automatic_signs():
    """WRITER_SPEAKS keeps a person's "I am no longer with Acme" a reply (they read this
    address); it does not hold for a sentence about the address itself."""
    incoming = classify(answer("Re: Curso", "I no longer check this e-mail address. You can reach me at "
                                            "ana@home.example."))
    departed(incoming, "I no longer check this e-mail address.")
    assert incoming.new_address == "ana@home.example"
    # Their leaving, said without automatic signs, stays their answer (test_departures).
    assert classify(answer("Re: Curso", "I have left Acme. You can reach me at ana@home.example.")).kind == "reply"


@pytest.mark.parametrize("body, new_address", [
    ("I have left Acme as of 1 May. I am contactable at ana@home.example.", "ana@home.example"),
    ("Ana Peña has left Acme. Please resend your message to ana@new.example.", "ana@new.example"),
    ("Ana Peña has left Acme. She may now be reached at ana@new.example.", "ana@new.example"),
    ("Ana Peña ya no trabaja en Acme. Se le puede contactar en ana@nueva.example.", "ana@nueva.example"),
    ("Ana Peña ne fait plus partie de la société. Elle est joignable à ana@nouvelle.example.",
     "ana@nouvelle.example"),
    ("Frau Peña ist nicht mehr bei der Acme GmbH tätig. Sie ist jetzt erreichbar unter ana@neu.example.",
     "ana@neu.example"),
])
def test_more_lead_ins_to_a_new_address(body, new_address):
    incoming = classify(answer("Automatic reply: Curso", body))
    assert incoming.kind == "bounce" and incoming.new_address == new_address


def test_a_mail_systems_automatic_answer_about_a_leaver_is_a_dead_address():
    """A postmaster's answer read as a bounce: the words say the person left, so the
    failure is about the address (hasmoved, hard), not an undefined soft one."""
    raw = (b"From: postmaster@acme.example\r\nTo: laura@example.com\r\nSubject: Undeliverable: Curso\r\n"
           b"MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n"
           b"This is an autoreply from the mail system of Acme.\r\n\r\nAna Pena no longer works for Acme; she "
           b"may now be reached at ana@new.example. Please resend your message there.\r\n\r\n"
           b"------ Original message ------\r\nTo: ana@example.com\r\nSubject: Curso\r\n"
           b"Message-ID: <info-1@leadloop.test>\r\n")
    incoming = classify(raw)
    assert incoming.kind == "bounce"
    assert (incoming.overall.verdict.reason, incoming.overall.verdict.owner) == ("hasmoved", ADDRESS)
    assert incoming.overall.verdict.hard and "no longer works for Acme" in incoming.overall.diagnostic
    assert incoming.original_ids == ("<info-1@leadloop.test>",)


@pytest.mark.parametrize("answer", [
    # Exim's ":fail:" redirect and Postfix's access maps answer with the admin's own text,
    # under the bare 550 (Status 5.0.0).
    "550-Ana Mora has left Agencia Viajes. Please write to 550 reservas@agencia-viajes.example",
    "550-Javier Pérez ya no trabaja en Consultora Río. Para cualquier consulta 550 escriba a info@consultora.example",
    "550-La Dra. Soler ya no pasa consulta aquí. Su nueva dirección es 550 dra.soler@clinica.example",
    "550 Usuario trasladado: Manuel Rojas ahora está en m.rojas@asesores.example",
    "550 This mailbox is no longer in use",
    "550 Herr Braun ist nicht mehr bei der Firma Kunz tätig",
])
def test_a_refusal_that_says_the_person_has_gone_is_a_dead_address(answer):
    verdict = judge("5.0.0", answer, quoted=True, command="RCPT")
    assert (verdict.hard, verdict.reason, verdict.owner) == (True, "hasmoved", "address"), verdict


def test_a_departure_under_a_temporary_answer_or_beside_another_cause_is_not():
    # Only a permanent refusal with no other cause named: "try again" still asks to try,
    # and a refusal of our message that mentions a new address is still ours. A mailbox
    # "deactivated" is a disabled one, the lead's mailbox's (SPEC §7), not a departure.
    assert judge("5.0.0", "550 O e-mail foi desativado", command="RCPT").owner == "mailbox"
    assert not judge("4.0.0", "450 Javier Pérez ya no trabaja aquí", command="RCPT").hard
    spam = judge("5.7.1", "550 5.7.1 Message rejected as spam. Our new address is abuse@isp.example", command="DATA")
    assert not spam.hard and spam.owner == "sender", spam


def test_every_departure_sentence_the_tests_know_passes_the_refusals_gate():
    # A refusal's words are searched for a departure only behind cheap keys
    # (delivery_status._DEPARTED_KEYS): none of the sentences these tests hold may be lost.
    import test_departures

    from leadloop.delivery_status import _DEPARTED, fold

    texts = []
    for module in (test_departures, __import__(__name__)):
        for function in vars(module).values():
            for mark in getattr(function, "pytestmark", []):
                if mark.name == "parametrize":
                    for values in mark.args[1]:
                        values = getattr(values, "values", values)
                        texts += [v for v in (values if isinstance(values, tuple) else (values,)) if isinstance(v, str)]
    found = [fold(text) for text in texts if _DEPARTED.pattern.search(fold(text))]
    assert len(found) >= 40
    assert [text for text in found if not _DEPARTED.search(text)] == []
