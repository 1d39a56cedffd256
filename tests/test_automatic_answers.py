"""Automatic answers with no auto-reply header (issue #25 item 5): acknowledgements of
receipt, help desks' notices and out-of-office texts are recorded, never a lead's reply
(SPEC §7). Their subject or their first lines decide, in the languages leadloop ships and
the common others; a person's reply that uses the same words (their own sentence, a
question, the quote of our message, a long message) stays a reply. The messages are made
up; each row names where its words come from."""

from __future__ import annotations

import json

import pytest

from leadloop.classify import classify

from test_autoreplies import mail
from test_inbox import mail as inbox_mail, project, read, sent_message_id, status  # noqa: F401


# Subjects of acknowledgements of receipt and help desks' notices. The body is neutral:
# the subject alone decides.
@pytest.mark.parametrize("subject, source", [
    ("Acknowledgement of receipt: Curso", "en, the usual subject of a receipt acknowledgement"),
    ("Confirmation of receipt - your message", "en"),
    ("We have received your message", "en, shared mailboxes' acknowledgement"),
    ("Acuse de recibo: Curso de inglés", "es"),
    ("Confirmación de recepción de su consulta", "es"),
    ("Accusé de réception : Cours", "fr"),
    ("Confirmação de recebimento", "pt-BR"),
    ("Confirmação de receção da sua mensagem", "pt-PT"),
    ("Conferma di ricezione", "it"),
    ("Eingangsbestätigung: Ihre Anfrage", "de"),
    ("Ontvangstbevestiging", "nl"),
    ("Potwierdzenie otrzymania wiadomości", "pl"),
    ("Mottagningsbekräftelse", "sv"),
    ("Modtagelsesbekræftelse", "da"),
    ("Mottaksbekreftelse", "no"),
    ("Vastaanottokuittaus", "fi"),
    ("Potvrzení o přijetí zprávy", "cs"),
    ("Saņemšanas apstiprinājums", "lv"),
    ("Подтверждение получения", "ru"),
    ("Alındı onayı", "tr"),
    ("[Request received] Curso", "Zendesk's older default trigger 'Notify requester of received request'"),
    ("Request received: Curso", "Zendesk, the same trigger's subject"),
    ("Ticket Received - Curso", "Freshdesk's 'New Ticket Created' acknowledgement to the requester"),
    ("Support Ticket Opened [#123456]", "osTicket, include/i18n/en_US/templates/email/ticket.autoresp.yaml"),
    ("Thanks for your inquiry (Curso)", "Zammad, the seeded trigger 'auto reply (on new tickets)'"),
    ("[rt.example.com #123] AutoReply: Curso", "Request Tracker, share/etc/initialdata 'Autoreply' behind "
                                               "its subject tag (RT::Action::SendEmail::SetSubjectToken)"),
    ("[Ticket#2026030310000012] Eingangsbestätigung", "OTRS/Znuny's ticket tag before an acknowledgement"),
    ("Odpowiedź automatyczna: Kurs", "pl, Outlook's out-of-office subject"),
    ("Automaattinen vastaus: Kurssi", "fi, Outlook"),
    ("Automatická odpověď: Kurz", "cs, Outlook"),
    ("Automatiskt svar: Kurs", "sv, Outlook"),
    ("Автоматический ответ: Курс", "ru, Outlook"),
    ("Otomatik yanıt: Kurs", "tr, Outlook"),
    ("Automātiskā atbilde: Kursi", "lv, Outlook"),
])
def test_the_subject_of_an_automatic_answer_decides(subject, source):
    assert classify(mail(subject, "Ref. 20260303-1.")).kind == "auto_reply"


# The first lines say a program wrote the message.
@pytest.mark.parametrize("body, source", [
    ("Greetings,\r\n\r\nThis message has been automatically generated in response to the\r\n"
     "creation of a trouble ticket regarding:\r\n\t\"Curso\",\r\na summary of which appears below.\r\n\r\n"
     "There is no need to reply to this message right now.  Your ticket has been\r\n"
     "assigned an ID of [rt.example.com #123].",
     "Request Tracker, share/etc/initialdata, the 'Autoreply' template"),
    ("According to our records, your request has been resolved. If you have any further questions or\r\n"
     "concerns, please respond to this message.", "Request Tracker, the 'Resolved' template"),
    ("Your request (123) has been received and is being reviewed by our support staff.\r\n\r\n"
     "To add additional comments, reply to this email.", "Zendesk, 'Notify requester of received request'"),
    ("Your request (#10123) has been received and will be reviewed by our support staff.\r\n\r\n"
     "To provide additional information, please reply to this email or click on the following link:",
     "Zammad, the seeded trigger 'auto reply (on new tickets)'"),
    ("Dear Ana,\r\n\r\nA request for support has been created and assigned #123456.\r\n"
     "A representative will follow-up with you as soon as possible.", "osTicket, ticket.autoresp.yaml"),
    ("Dear Ana,\r\n\r\nWe would like to acknowledge that we have received your request and a ticket has been "
     "created with Ticket ID - 123.\r\nA support representative will be reviewing your request and will send "
     "you a personal response.(usually within 24 hours).", "Freshdesk, 'New Ticket Created' acknowledgement"),
    ("Hello,\r\nThis is an automatically generated email. Please do not reply.", "en"),
    ("Please do not reply to this message: this mailbox is not monitored.", "en"),
    ("Buenos días:\r\nPor favor, no responda a este correo: lo envía un sistema.", "es"),
    ("Este mensaje ha sido generado automáticamente.", "es"),
    ("Bonjour,\r\nCeci est un message automatique, merci de ne pas répondre à ce courriel.", "fr"),
    ("Ce message a été généré automatiquement.", "fr"),
    ("Esta mensagem foi gerada automaticamente. Por favor, não responda a este e-mail.", "pt"),
    ("Questo messaggio è stato generato automaticamente, si prega di non rispondere a questa e-mail.", "it"),
    ("Dies ist eine automatisch generierte Nachricht. Bitte antworten Sie nicht auf diese E-Mail.", "de"),
    ("Diese Nachricht wurde automatisch erstellt.", "de"),
    ("Dit is een automatisch gegenereerd bericht. Gelieve niet te antwoorden op dit bericht.", "nl"),
    ("Ta wiadomość została wygenerowana automatycznie. Prosimy nie odpowiadać na tę wiadomość.", "pl"),
    ("Detta är ett automatiskt meddelande. Svara inte på detta meddelande.", "sv"),
    ("Dette er en automatisk genereret besked. Svar venligst ikke på denne e-mail.", "da"),
    ("Dette er en automatisk generert melding. Vennligst ikke svar på denne e-posten.", "no"),
    ("Tämä on automaattinen viesti. Älä vastaa tähän viestiin.", "fi"),
    ("Toto je automatická zpráva, neodpovídejte na tuto zprávu.", "cs"),
    ("Šis ir automātisks ziņojums, lūdzu, neatbildiet uz šo e-pastu.", "lv"),
    ("Здравствуйте!\r\nЭто автоматическое уведомление, пожалуйста, не отвечайте на это письмо.", "ru"),
    ("Bu otomatik bir mesajdır, lütfen bu e-postayı yanıtlamayın.", "tr"),
])
def test_first_lines_that_say_a_program_wrote_them(body, source):
    assert classify(mail("Re: Curso", body)).kind == "auto_reply"


# An acknowledgement of receipt: received, and a promise to answer, in a short text.
@pytest.mark.parametrize("body, source", [
    ("Thank you for your email.\r\nWe have received your message and will get back to you as soon as possible.\r\n\r\n"
     "Kind regards,\r\nCustomer Service", "en"),
    ("Your message has been received. We'll respond within 24 hours.", "en"),
    ("Gracias por contactar con nosotros.\r\nHemos recibido su mensaje y le responderemos a la mayor brevedad.", "es"),
    ("Su solicitud ha sido recibida correctamente. Le contestaremos lo antes posible.", "es"),
    ("Nous avons bien reçu votre message et nous vous répondrons dans les plus brefs délais.", "fr"),
    ("Recebemos a sua mensagem e responderemos o mais breve possível.", "pt"),
    ("Abbiamo ricevuto la sua richiesta e la ricontatteremo al più presto.", "it"),
    ("Vielen Dank für Ihre Nachricht. Wir haben Ihre Anfrage erhalten und melden uns schnellstmöglich.", "de"),
    ("Wij hebben uw bericht in goede orde ontvangen en nemen zo spoedig mogelijk contact met u op.", "nl"),
    ("Otrzymaliśmy Twoją wiadomość. Odpowiemy najszybciej jak to możliwe.", "pl"),
    ("Vi har tagit emot ditt meddelande och återkommer så snart som möjligt.", "sv"),
    ("Vi har modtaget din henvendelse og vender tilbage hurtigst muligt.", "da"),
    ("Vi har mottatt din henvendelse og kommer tilbake til deg så snart som mulig.", "no"),
    ("Olemme vastaanottaneet viestisi ja vastaamme mahdollisimman pian.", "fi"),
    ("Obdrželi jsme vaši zprávu a odpovíme co nejdříve.", "cs"),
    ("Esam saņēmuši jūsu ziņojumu un atbildēsim pēc iespējas drīz.", "lv"),
    ("Мы получили ваше письмо и ответим в ближайшее время.", "ru"),
    ("Mesajınız alınmıştır, en kısa sürede size dönüş yapacağız.", "tr"),
])
def test_an_acknowledgement_of_receipt(body, source):
    assert classify(mail("Re: Curso", body)).kind == "auto_reply"


# Out-of-office first lines in the languages the table lacked (after the default
# vacation texts' wording in each language: "I am out of the office", "I am on leave").
@pytest.mark.parametrize("body", [
    "No me encuentro en la oficina hasta el lunes 9 de marzo.",
    "Non sono in ufficio fino al 9 marzo.",
    "Ich befinde mich bis 9.3. im Urlaub.",
    "Ik ben met verlof tot 9 maart.",
    "Przebywam poza biurem do 9 marca.",
    "Jeg er ute av kontoret til 9. mars.",
    "Nejsem v kanceláři do 9. března.",
    "Ofis dışındayım, 9 Mart'ta döneceğim.",
    "Я сейчас в отпуске до 9 марта.",
    "Меня не будет в офисе до 9 марта.",
    # A turn that is no answer of the person's: still the out-of-office.
    "Estoy de vacaciones hasta el lunes, pero si es urgente llame a Juan.",
    "I am out of the office until Monday, but will respond when I return.",
])
def test_more_out_of_office_first_lines(body):
    assert classify(mail("Re: Curso", body)).kind == "auto_reply"


# People's replies with the same words: they stay replies.
@pytest.mark.parametrize("subject, body", [
    ("Re: Curso", "Recibí su información, gracias, ¿cuánto cuesta?"),
    ("Re: Curso", "Thanks, I received the brochure."),
    ("Re: Curso", "I'm out of the office until Monday but wanted to answer: yes, send the offer."),
    ("Re: Curso", "Estoy de vacaciones pero quería contestarle: sí, me interesa."),
    ("Re: Curso", "Estoy de vacaciones hasta el lunes, pero sí, envíeme la oferta."),
    ("Re: Curso", "Hi, I'm currently on holiday but yes, please send me the offer."),
    ("Re: Cours", "Je suis absente jusqu'au 9 mars, mais oui, envoyez-moi le devis."),
    ("Re: Curso", "Acuso recibo, lo miro y le digo."),
    ("Re: Curso", "Sí, me interesa, llámeme.\r\n\r\nEl lun, 2 mar 2026, Laura escribió:\r\n"
                  "> Este es un mensaje automático, por favor no responda a este correo."),
    ("Re: Curso", "¿Este es un mensaje automático? Pensaba que me escribía usted."),
    ("Re: Curso", "Is this an automated message? I'd like to talk to a person."),
    ("Re: Curso", "This message was automatically forwarded from my old address. Yes, I'm interested."),
    ("Re: Curso", "This is an automatic translation of my answer: yes, we want the course."),
    ("Re: Curso", "Tento e-mail byl automaticky přeposlán z mé staré adresy. Ano, mám zájem."),
    ("Re: Curso", "We received your message, thanks. How much is the course for two people?"),
    ("Re: Curso", "Hemos recibido su mensaje y le contestaremos pronto. ¿Tienen plazas en abril?"),
    ("Re: Curso", "J'ai bien reçu votre message, merci. Quel est le prix ?"),
    ("Re: Curso", "Recebi a sua mensagem, obrigado. Quanto custa?"),
    ("Re: Curso", "Ho ricevuto il suo messaggio, grazie: mi interessa."),
    ("Re: Curso", "Ich habe Ihre Nachricht erhalten, danke. Was kostet der Kurs?"),
    ("Re: Curso", "Ik heb uw bericht ontvangen. Wat kost de cursus?"),
    ("Re: Curso", "Otrzymałem wiadomość, dziękuję. Ile kosztuje kurs?"),
    ("Re: Curso", "Jag har fått ditt meddelande, tack. Vad kostar kursen?"),
    ("Re: Curso", "Я получил ваше письмо, спасибо. Сколько стоит курс?"),
    ("Re: Curso", "Mesajınızı aldım, teşekkürler. Kurs ne kadar?"),
    # A long message of the person's own, with such words further down.
    ("Re: Curso", "Hola Laura:\r\nMe interesa el curso de abril.\r\nSomos tres personas de la misma empresa.\r\n"
                  "¿Hay descuento por grupo?\r\nPodemos ir por las tardes.\r\nGracias de antemano.\r\n"
                  "PD: el correo de mi compañero dice 'este es un mensaje automático', no le haga caso."),
    # A lead whose company answers through Request Tracker: RT's headers (and the
    # Precedence: bulk RT puts on all its mail), the agent's own words.
    ("[rt.example.com #123] Re: Curso", "Hi Laura,\r\n\r\nYes, we would like three places in April. "
                                        "Please send the invoice to accounts.\r\n\r\nJohn"),
])
def test_a_persons_reply_with_the_same_words_is_a_reply(subject, body):
    headers = ("Precedence: bulk\r\nRT-Ticket: rt.example.com #123\r\nX-RT-Loop-Prevention: rt.example.com\r\n"
               "Managed-BY: RT 5.0.5 (http://www.bestpractical.com/rt/)\r\n") if "[rt." in subject else ""
    assert classify(mail(subject, body, headers)).kind == "reply"


# More people's replies, in each language of the tables: what they received, that they
# were away, that they will answer soon, that this is no automatic answer; and subjects
# with the words elsewhere than at their start.
@pytest.mark.parametrize("subject, body", [
    # es
    ("Re: Curso", "Hemos recibido el folleto, gracias. Nos interesa para cinco personas."),
    ("Re: Curso", "Recibido, gracias. ¿Me puede llamar el jueves?"),
    ("Re: Curso", "He recibido su correo y lo he reenviado a mi jefe, que le contestará."),
    ("Re: Curso", "Le respondo lo antes posible, ahora estoy en una reunión."),
    ("Re: Curso", "Estuve fuera de la oficina, perdone la demora. Sí, quiero la oferta."),
    ("Re: Curso", "No es un mensaje automático: de verdad me interesa. Llámeme."),
    ("Pregunta sobre el acuse de recibo", "¿Me manda la factura con acuse de recibo?"),
    # en
    ("Re: Course", "We got the brochure, thanks. Could you send a quote for five people?"),
    ("Re: Course", "Received, thank you! I'll discuss it with my team and get back to you next week."),
    ("Re: Course", "I received your message and forwarded it to our HR manager."),
    ("Re: Course", "Sorry for the delay, I was on vacation. Yes, please book us in."),
    ("Re: Course", "Not an automated reply, I promise :) Yes, we're interested."),
    ("Re: Course", "Your request for a call is fine with me, Tuesday at 10?"),
    ("Question about the acknowledgement of receipt", "Do you need an acknowledgement of receipt for the order?"),
    # fr
    ("Re: Cours", "J'ai bien reçu la brochure, merci. Je vous rappelle demain."),
    ("Re: Cours", "Reçu, merci ! Nous en parlons en équipe et je reviens vers vous."),
    ("Re: Cours", "J'étais en congé la semaine dernière. Oui, je veux m'inscrire."),
    ("Re: Cours", "Ce n'est pas une réponse automatique : je suis intéressée."),
    # pt
    ("Re: Curso", "Recebi o folheto, obrigado. Podem ligar-me amanhã?"),
    ("Re: Curso", "Recebido! Vou falar com a minha equipa e respondo em breve."),
    ("Re: Curso", "Estive de férias, desculpe a demora. Sim, tenho interesse."),
    ("Re: Curso", "Não é uma resposta automática, quero mesmo saber o preço."),
    # it
    ("Re: Corso", "Ho ricevuto la brochure, grazie. Mi può chiamare domani?"),
    ("Re: Corso", "Ricevuto, grazie! Ne parlo con il mio capo e le rispondo al più presto."),
    ("Re: Corso", "Ero in ferie la settimana scorsa. Sì, mi interessa."),
    ("Re: Corso", "Non è una risposta automatica: vorrei davvero iscrivermi."),
    # de
    ("Re: Kurs", "Ich habe die Broschüre erhalten, danke. Rufen Sie mich morgen an?"),
    ("Re: Kurs", "Danke, erhalten! Ich bespreche es mit dem Team und melde mich so schnell wie möglich."),
    ("Re: Kurs", "Ich war letzte Woche im Urlaub. Ja, wir möchten teilnehmen."),
    ("Re: Kurs", "Das ist keine automatische Antwort: wir sind interessiert."),
    # nl
    ("Re: Cursus", "Ik heb de brochure ontvangen, bedankt. Kunt u mij bellen?"),
    ("Re: Cursus", "Ontvangen, dank u! Ik overleg met mijn collega's en laat het zo snel mogelijk weten."),
    ("Re: Cursus", "Ik was vorige week op vakantie. Ja, we doen mee."),
    # pl
    ("Re: Kurs", "Otrzymałam broszurę, dziękuję. Proszę o telefon jutro."),
    ("Re: Kurs", "Byłem na urlopie, przepraszam za zwłokę. Tak, jestem zainteresowany."),
    # sv
    ("Re: Kurs", "Jag har fått broschyren, tack. Kan du ringa mig i morgon?"),
    ("Re: Kurs", "Jag var på semester förra veckan. Ja, vi är intresserade."),
    # da
    ("Re: Kursus", "Jeg har modtaget brochuren, tak. Vil du ringe i morgen?"),
    ("Re: Kursus", "Jeg var på ferie i sidste uge. Ja, vi er interesserede."),
    # no
    ("Re: Kurs", "Jeg har mottatt brosjyren, takk. Kan du ringe meg i morgen?"),
    ("Re: Kurs", "Jeg var på ferie forrige uke. Ja, vi er interessert."),
    # fi
    ("Re: Kurssi", "Sain esitteen, kiitos. Voitteko soittaa huomenna?"),
    ("Re: Kurssi", "Olin lomalla viime viikolla. Kyllä, olemme kiinnostuneita."),
    # cs
    ("Re: Kurz", "Brožuru jsem dostal, děkuji. Můžete mi zítra zavolat?"),
    ("Re: Kurz", "Minulý týden jsem byl na dovolené. Ano, máme zájem."),
    # lv
    ("Re: Kursi", "Brošūru saņēmu, paldies. Vai varat piezvanīt rīt?"),
    ("Re: Kursi", "Pagājušajā nedēļā biju atvaļinājumā. Jā, mēs esam ieinteresēti."),
    # ru
    ("Re: Курс", "Брошюру получил, спасибо. Позвоните мне завтра?"),
    ("Re: Курс", "Я был в отпуске на прошлой неделе. Да, нам интересно."),
    ("Re: Курс", "Это не автоматический ответ, нам правда интересно."),
    # tr
    ("Re: Kurs", "Broşürü aldım, teşekkürler. Yarın arayabilir misiniz?"),
    ("Re: Kurs", "Geçen hafta izindeydim. Evet, ilgileniyoruz."),
    ("Re: Kurs", "Bu otomatik değil, gerçekten ilgileniyorum."),
    ("Re: Acuse de recibo", "Sí, me interesa. ¿Me llama?"),
    ("RE: Eingangsbestätigung", "Ja, gerne. Bitte rufen Sie mich an."),
    ("Fwd: Ticket received", "Laura, this is the ticket I told you about. Yes to the offer."),
    ("Consulta: confirmación de recepción del pedido", "Quería saber si les llegó mi pedido."),
    ("Request for information", "Please send me the details of the April course."),
    ("Thanks for your inquiry", "Glad to hear from you. Yes, we want it."),
    ("Подтверждение заказа", "Да, подтверждаю заказ."),
    ("[#1234] Re: Curso", "Sí, envíeme la oferta."),
    ("Re: Curso", "Gracias por su mensaje. Sí, me interesa el curso, ¿me llama mañana?"),
    ("Re: Course", "Thank you for your email. We have received the price list and will decide by Friday."),
    ("Re: Course", "Thanks for your message, we will get back to you as soon as we have talked it over."),
])
def test_more_peoples_replies_stay_replies(subject, body):
    assert classify(mail(subject, body)).kind == "reply"


def test_precedence_bulk_without_a_help_desks_headers_is_still_automatic():
    assert classify(mail("Hola", "Hola, ¿qué tal?", "Precedence: bulk\r\n")).kind == "auto_reply"


@pytest.mark.parametrize("mailer", ["GNARWL", "Vacation Auto-Responder 2.1"])
def test_a_responder_that_names_itself_in_x_mailer_is_automatic(mailer):
    # gnarwl (the LDAP vacation responder) writes no RFC 3834 header, only its default
    # header.txt's "X-mailer: GNARWL"; the person's own text says nothing of a program.
    body = "Buenos días:\r\n\r\nDurante estas fiestas la oficina permanece cerrada. Responderé a partir del día 8."
    assert classify(mail("Re: Curso", body, f"X-mailer: {mailer}\r\n")).kind == "auto_reply"
    assert classify(mail("Re: Curso", "Sí, me interesa.", "X-Mailer: Thunderbird 115.3\r\n")).kind == "reply"


# End to end: a real Maildir read by `leadloop inbox`.
def test_an_acknowledgement_with_no_header_is_recorded_and_the_lead_stays_in_sequence(project, run):
    message = inbox_mail("ana.pena@example.org", "Re: Taller de acuarela",
                         "Gracias por escribirnos.\n\nHemos recibido su mensaje y le responderemos a la mayor "
                         "brevedad.\n\nAtención al cliente")
    message["In-Reply-To"] = sent_message_id(run, "ana.pena@example.org")
    project.deliver(message)
    summary = read(run)
    assert (summary["auto_replies"], summary["replies"]) == (1, 0)
    assert status(run, "ana.pena@example.org") == "active"
    shown = json.loads(run("show", "ana.pena@example.org", "--json").stdout)
    assert [e["kind"] for e in shown["events"]][-1] == "auto_reply"


def test_a_help_desks_autoreply_then_its_agents_answer(project, run):
    """Request Tracker answers the info pack with its Autoreply (no Auto-Submitted, its
    Precedence: bulk taken away by the site), then an agent answers through it: the
    first is recorded, the second is the lead's reply."""
    sent = sent_message_id(run, "tom@example.net")
    rt = {"RT_Ticket": "rt.example.net #7", "X_RT_Loop_Prevention": "rt.example.net",
          "Managed_BY": "RT 5.0.5 (http://www.bestpractical.com/rt/)", "In_Reply_To": sent}
    project.deliver(inbox_mail(
        "tom@example.net", "[rt.example.net #7] Consultoría de marca",
        "Greetings,\n\nThis message has been automatically generated in response to the\n"
        "creation of a trouble ticket regarding:\n\t\"Consultoría de marca\",\na summary of which appears below.\n\n"
        "There is no need to reply to this message right now.  Your ticket has been\n"
        "assigned an ID of [rt.example.net #7].\n", **rt))
    first = read(run)
    assert (first["auto_replies"], first["replies"]) == (1, 0)
    assert status(run, "tom@example.net") == "active"
    project.deliver(inbox_mail(
        "tom@example.net", "[rt.example.net #7] Re: Consultoría de marca",
        "Hi Laura,\n\nYes, we are interested. Could you call me on Thursday?\n\nTom", Precedence="bulk", **rt))
    second = read(run)
    assert (second["auto_replies"], second["replies"]) == (0, 1)
    assert status(run, "tom@example.net") == "replied"


def test_a_persons_reply_that_mentions_receipt_stops_the_sequence(project, run):
    message = inbox_mail("jose.munoz@example.com", "Re: Curso de fotografía",
                         "Recibí su información, gracias, ¿cuánto cuesta?")
    project.deliver(message)
    summary = read(run)
    assert (summary["auto_replies"], summary["replies"]) == (0, 1)
    assert status(run, "jose.munoz@example.com") == "replied"


def _every_text_in_this_file() -> list[str]:
    import ast
    from pathlib import Path

    tree = ast.parse(Path(__file__).read_text(encoding="utf-8"))
    return [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)]


@pytest.mark.parametrize("table", ["_SAYS_AUTOMATIC", "_RECEIPT", "_PROMISE", "_CJK_SAYS_AUTOMATIC", "_CJK_RECEIPT",
                                   "_CJK_PROMISE"])
def test_trying_each_phrase_only_where_its_words_stand_finds_what_one_alternation_finds(table):
    """The phrases are tried one by one where the words they need stand (a speed-up):
    over every text of this file, the same verdict and the same place as one
    alternation of them all."""
    import re

    from leadloop import classify as module

    phrases = module._Phrases(getattr(module, table))
    whole = re.compile("|".join(f"(?:{module._fold(p)})" for p in getattr(module, table)))
    for text in _every_text_in_this_file():
        folded = " ".join(module._fold(text).split())
        found, expected = phrases.search(folded), whole.search(folded)
        assert (found and found.start()) == (expected and expected.start()), text


@pytest.mark.parametrize("pattern, words", [
    (r"\bthis (is an?|message) (automatic|automated)\b", "this "),
    (r"\bdies ist eine automatisch(e)? (antwort|nachricht)", "dies ist eine automatisch"),
    (r"\bwe('ve| have)? received your (message|mail)", " received your "),
    (r"\be-?mail[ıi]n[ıi]z al", "mail"),
    (r"\bwithin (the next )?\d+ hours", "within "),
    (r"\byour request( \([^)]{1,40}\))? has been", "your request"),
    (r"\b(shortly|promptly)\b", ""),
])
def test_the_words_a_phrase_cannot_match_without(pattern, words):
    from leadloop.classify import _required_words

    assert _required_words(pattern) == words


# Chinese, Japanese and Korean: the sentence a program writes over its answer, a vacation
# answer's own sentence, and the acknowledgement with its promise. Written for this test.
@pytest.mark.parametrize("body, source", [
    ("这是来自QQ邮箱的假期自动回复邮件。\n\n您好，我最近正在休假中，无法亲自回复您的邮件。我将在假期结束后，尽快给您回复。",
     "zh, QQ Mail's vacation answer: its fixed heading and the default text"),
    ("这是来自QQ邮箱的自动回复邮件。\n\n您好，您发的邮件已收到！", "zh, QQ Mail's automatic answer"),
    ("【自动回复】你好，我最近正在出差，无法及时回复你的邮件。", "zh, a bracketed heading"),
    ("您好，您的邮件我已经收到，我一定会尽快回复的！谢谢！【此为自动回复邮件】", "zh, the heading at the end"),
    ("這是一封自動回覆郵件。您好，我目前無法親自回覆您的郵件。", "zh-TW"),
    ("您好，您的邮件我已收到，我会尽快回复您。", "zh, an acknowledgement and its promise"),
    ("你的邮件已经收到，我会尽快回复。", "zh"),
    ("※このメールは自動送信されています。ご返信いただいてもお答えできませんのでご了承ください。",
     "ja, the notice under automatic mail"),
    ("ただいま休暇のため不在にしております。3月9日以降、順次対応いたします。", "ja, a vacation answer"),
    ("お問い合わせを受け付けました。担当者より改めてご連絡いたします。", "ja, a form's acknowledgement"),
    ("이 메일은 발신 전용으로 자동 발송되었습니다.", "ko, the notice under automatic mail"),
    ("안녕하세요. 현재 부재중입니다. 3월 9일 이후에 회신 드리겠습니다.", "ko, a vacation answer"),
    ("메일 잘 받았습니다. 빠른 시일 내에 회신 드리겠습니다.", "ko, an acknowledgement and its promise"),
])
def test_an_automatic_answer_in_chinese_japanese_or_korean(body, source):
    assert classify(mail("Re: 课程", body)).kind == "auto_reply"


@pytest.mark.parametrize("body", [
    "您的邮件已收到，请问这个课程多少钱？",          # a question of their own
    "收到，谢谢！我对这个产品很感兴趣。",            # no promise: the person's thanks
    "你的邮件我已收到。下周我们见面谈吧。",
    "请关掉自动回复，谢谢。我想了解一下价格。",        # the words, not a program's heading
    "感谢您的来信，文件已收到，谢谢！",
    "メールを受信しました。料金を教えてください。",
    "出張のため返信が遅れました。ぜひ資料をお送りください。",  # away, and answering
    "메일 잘 받았습니다. 가격이 얼마인가요?",
])
def test_a_persons_reply_in_chinese_japanese_or_korean_stays_a_reply(body):
    assert classify(mail("Re: 课程", body)).kind == "reply"


@pytest.mark.parametrize("sender", [
    "no-reply@notifications.example.com", "noreply@example.org", "jira-noreply@example.atlassian.net",
    "noreply-dmarc-support@example.com", "do-not-reply@example.org", "ndrgroup@example.net", "ndr-2@example.net",
    '"CNECT-CAD@ec.europa.eu" <automated-notifications@nomail.example.eu>',
])
def test_what_a_no_reply_address_sends_is_never_a_reply(sender):
    """Nobody answers from a no-reply address: what it sends in answer to ours (a
    confirmation, a ticket's notice) is recorded, and the lead's sequence goes on."""
    raw = mail("Re: Curso", "Gracias, su solicitud ha quedado registrada con el número 1970/1234.")
    raw = raw.replace(b"From: Ana Pe\xc3\xb1a <ana@example.com>", f"From: {sender}".encode())
    assert classify(raw).kind == "auto_reply"


@pytest.mark.parametrize("sender", ["info@example.org", "sales@example.com", "support@example.net",
                                    "reply.ana@example.com", "notifications.ana@example.com",
                                    "ndricim.hoxha@example.al", "roots.music@example.com"])
def test_a_shared_or_personal_mailbox_is_a_person(sender):
    raw = mail("Re: Curso", "Sí, me interesa. ¿Cuánto cuesta?")
    raw = raw.replace(b"From: Ana Pe\xc3\xb1a <ana@example.com>", f"From: {sender}".encode())
    assert classify(raw).kind == "reply"


def test_an_html_page_labelled_plain_text_is_read_as_html():
    """A web form's or a CRM's mailer that sends its HTML under text/plain: its first
    lines are the page's words, not its markup (an acknowledgement is found, and a
    person's words are kept without tags)."""
    page = ("<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\">\n<html>\n<head>\n"
            "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\" />\n<title>Notificación</title>\n"
            "</head>\n<body>\n<p>Estimada señora:</p>\n<p>Hemos recibido su solicitud y le responderemos en un plazo "
            "de 15 días hábiles.</p>\n</body>\n</html>")
    assert classify(mail("Re: Curso", page)).kind == "auto_reply"
    person = page.replace("Hemos recibido su solicitud y le responderemos en un plazo de 15 días hábiles.",
                          "Sí, me interesa el curso. ¿Tienen plazas en abril?")
    incoming = classify(mail("Re: Curso", person))
    assert incoming.kind == "reply"
    assert "<" not in incoming.text and "Notificación" not in incoming.text
    assert "¿Tienen plazas en abril?" in incoming.text
