"""An out-of-office with none of the headers and a subject in another language (issue
#25 item 5): its first lines decide, in the languages leadloop ships and common
others. A person's own answer that mentions an absence is still a reply. The
sentences follow the default out-of-office texts of Outlook, Gmail, Thunderbird and
Sieve vacation responders; the messages are made up."""

from __future__ import annotations

import pytest

from leadloop.classify import classify


def mail(subject: str, body: str) -> bytes:
    return (f"From: Ana Peña <ana@example.com>\r\nTo: laura@example.com\r\nSubject: {subject}\r\n"
            "In-Reply-To: <info-1@leadloop.test>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            f"{body}\r\n").encode("utf-8")


@pytest.mark.parametrize("subject, body", [
    ("Prombūtnē: Kursi", "I am out of office until 10 March with limited access to e-mail."),
    ("Re: Curso", "Hello,\r\n\r\nI'm currently on annual leave and will be back on Monday."),
    ("Re: Curso", "Gracias por su mensaje.\r\nEstoy fuera de la oficina hasta el lunes 9 de marzo."),
    ("Re: Curso", "Me encuentro de vacaciones, responderé a mi regreso."),
    # A template's own question asks nothing of the reader, or asks to reach someone else.
    ("Re: Course", "I am out of the office until 9 March. Need urgent help? Call 910 000 000."),
    ("Re: Course", "I am out of the office until 9 March. Could you please contact my colleague Ana "
     "(ana@example.com) for anything urgent?"),
    ("Re: Curso", "Estoy de vacaciones hasta el 9 de marzo. ¿Puede escribir a mi compañera Ana para "
     "cualquier urgencia?"),
    # GNU Mailutils' Sieve vacation writes no Auto-Submitted and, with no :subject, "Re:"
    # and the subject it answers: the person's own template is all there is.
    ("Re: Information about the course", "Hello,\r\n\r\nThank you for your e-mail. I am travelling on "
     "business until 14 March and will answer when I am back."),
    ("Re: Information about the course", "Thanks for your message. I have limited access to email until "
     "Monday 9 March."),
    ("Re: Cours", "Bonjour,\r\nJe suis absente du bureau jusqu'au 9 mars inclus."),
    ("Re: Curso", "Olá,\r\nEstou de férias até dia 9 de março."),
    ("Re: Corso", "Buongiorno, sono fuori ufficio fino al 9 marzo."),
    ("Re: Kurs", "Vielen Dank für Ihre Nachricht. Ich bin bis 9.3. nicht im Büro."),
    ("Re: Cursus", "Ik ben momenteel afwezig en vanaf maandag weer bereikbaar."),
    ("Odp: Kurs", "Dzień dobry,\r\njestem na urlopie do 9 marca."),
    ("SV: Kurs", "Hej! Jag är för närvarande på semester till den 9 mars."),
    ("Atb.: Kursi", "Labdien! Esmu atvaļinājumā līdz 9. martam."),
    ("Re: Курс", "Здравствуйте! Я в отпуске до 9 марта."),
])
def test_the_first_lines_of_an_out_of_office_decide(subject, body):
    assert classify(mail(subject, body)).kind == "auto_reply"


@pytest.mark.parametrize("body", [
    "Sorry, I was out of the office last week. Yes, please send me the price list.",
    "Sí, me interesa. Estuve de vacaciones, por eso tardé. ¿Me llama mañana?",
    "Merci ! J'étais absente la semaine dernière ; oui, je veux m'inscrire.",
    "Yes please. I'll be on holiday in April, so May would suit me better.",
    "Ja, gerne. Ich war im Urlaub, deshalb die späte Antwort.",
    "I'm travelling until Friday, but yes, please book me a place. What does it cost?",
    "I was travelling until yesterday, sorry. Is there still a place in the March course?",
    # The away sentence alone, and the next one asks the reader to do something.
    "Ahora mismo estoy fuera de la oficina y no puedo mirarlo con calma.\r\n¿Me lo puedes volver a mandar en "
    "enero? Gracias.",
    "I'm on holiday this week. Could you send me the dates again next Monday?",
    # The out-of-office words only in the quote of our message, or far below.
    "Yes, interested!\r\n\r\nOn Mon, Laura wrote:\r\n> I am out of office until Monday.",
])
def test_a_person_mentioning_an_absence_is_still_a_reply(body):
    assert classify(mail("Re: Curso", body)).kind == "reply"
