"""Auto-replies as mail clients and servers write them, in many languages (issue #25):
Outlook's "Automatic reply:" in the languages it ships, the headers responders set, and
the first lines of out-of-office texts under any subject. An auto-reply read as a reply
would stop a lead's follow-ups (SPEC §7); a person's answer that mentions an absence, or
that Exchange marked "X-Auto-Response-Suppress", is still a reply. The messages are made
up; each row names where its words come from."""

from __future__ import annotations

import json

import pytest

from leadloop.classify import classify

from test_autoreplies import mail
from test_inbox import mail as inbox_mail, project, read, sent_message_id, status  # noqa: F401

NEUTRAL = "Ref. 20260303-1."  # a body that decides nothing: the subject or the headers do


@pytest.mark.parametrize("subject", [
    "Automatikus válasz: Tanfolyam",  # hu
    "Αυτόματη απάντηση: Μάθημα",  # el
    "Автоматична відповідь: Курс",  # uk
    "Автоматичен отговор: Курс",  # bg
    "Răspuns automat: Curs",  # ro
    "Automatski odgovor: Tečaj",  # hr, bs, sr (Latin)
    "Аутоматски одговор: Курс",  # sr (Cyrillic)
    "Samodejni odgovor: Tečaj",  # sl
    "Automaatvastus: Kursus",  # et
    "Automatinis atsakymas: Kursas",  # lt
    "ตอบกลับอัตโนมัติ: หลักสูตร",  # th
    "Trả lời tự động: Khóa học",  # vi
    "Balasan otomatis: Kursus",  # id
    "Balasan automatik: Kursus",  # ms
    "תשובה אוטומטית: קורס",  # he
    "رد تلقائي: دورة",  # ar
    "پاسخ خودکار: دوره",  # fa
    "स्वचालित उत्तर: पाठ्यक्रम",  # hi
    "Erantzun automatikoa: Ikastaroa",  # eu
    "Sjálfvirkt svar: Námskeið",  # is
    "[EXTERNAL] Răspuns automat: Curs",  # behind a gateway's tag
])
def test_outlooks_automatic_reply_subject_in_the_languages_it_ships(subject):
    assert classify(mail(subject, NEUTRAL)).kind == "auto_reply"


@pytest.mark.parametrize("headers", [
    # Exchange's loop guard on what an inbox rule sends ("reply using a specific template").
    "X-MS-Exchange-Inbox-Rules-Loop: ana@example.com\r\n",
    # The responders that write Precedence's value under an X- name.
    "X-Precedence: auto_reply\r\n",
])
def test_a_responders_own_header_decides(headers):
    assert classify(mail("Re: Curso", NEUTRAL, headers)).kind == "auto_reply"


@pytest.mark.parametrize("value", ["All", "DR, OOF, AutoReply", "OOF, AutoReply"])
def test_x_auto_response_suppress_alone_is_a_persons_mail(value):
    """Exchange asks the recipient's server not to answer with it, and puts it on what a
    person sends to a distribution group: a person's answer carries it."""
    raw = mail("Re: Curso", "Yes, please call me on Monday.", f"X-Auto-Response-Suppress: {value}\r\n")
    assert classify(raw).kind == "reply"


def test_exchanges_out_of_office_is_still_one_by_its_own_signs():
    headers = "X-Auto-Response-Suppress: All\r\nAuto-Submitted: auto-generated\r\n"
    assert classify(mail("Automatic reply: Curso", NEUTRAL, headers)).kind == "auto_reply"
    assert classify(mail("Automatic reply: Curso", NEUTRAL, "X-Auto-Response-Suppress: All\r\n")).kind == "auto_reply"


# The first lines of out-of-office texts: the default wordings of the mail programs'
# vacation texts, and the sentences people put in them, in the languages leadloop
# ships and common others.
OPENINGS = [
    "I will be on vacation from 2 March until 9 March.",
    "I will be on leave until Monday 9 March with no access to email.",
    "Thank you for your email. I will be away from the office until 9 March.",
    "I am currently unavailable and will respond to your email when I return.",
    "I am away on business until Monday.",
    "Gracias por su mensaje. Estoy fuera hasta el lunes 9 de marzo.",
    "Estoy de baja hasta el 9 de marzo.",
    "Estou fora até segunda-feira, 9 de março.",
    "Ich bin vom 2. bis 9. März nicht im Büro.",
    "Ich bin bis einschließlich 9. März im Urlaub.",
    "Vielen Dank für Ihre Nachricht. Ich bin ab dem 9. März wieder im Büro.",
    "Ich befinde mich bis zum 9. März im Urlaub.",
    "Ich bin leider nicht im Hause.",
    "Jag är tjänstledig till och med 9 mars.",
    "Я буду отсутствовать до 9 марта.",
    "Я у відпустці до 9 березня.",
    "Szabadságon vagyok március 9-ig.",
    "Jelenleg nem vagyok az irodában.",
    "Sunt în concediu până pe 9 martie.",
    "Είμαι εκτός γραφείου έως τις 9 Μαρτίου.",
    "休暇のため不在です。3月9日に戻ります。",
    "我目前不在办公室，3月9日返回。",
    "Saya sedang cuti sampai 9 Maret.",
    "Tôi đang đi nghỉ phép đến ngày 9 tháng 3.",
    "אני מחוץ למשרד עד 9 במרץ.",
    "أنا خارج المكتب حتى 9 مارس.",
]


@pytest.mark.parametrize("body", OPENINGS)
@pytest.mark.parametrize("subject", ["Re: Curso", "(no subject)", "", "[Digest] Re: Curso"])
def test_the_first_lines_of_an_out_of_office_decide_under_any_subject(subject, body):
    assert classify(mail(subject, f"Hello,\r\n\r\n{body}")).kind == "auto_reply"


@pytest.mark.parametrize("body", [
    "I was on vacation, sorry for the delay — yes, I want the brochure.",
    "Yes! I'm on holiday in August so July is best.",
    "Sounds good. I'll be out until 3pm, call me after.",
    "I'll be on holiday from 1 to 15 August, can we talk after?",
    "Estou fora, obrigado.",  # pt: "count me out", an answer
    "Estoy fuera hasta el lunes, pero sí, me interesa.",
    "Ich bin bis Montag im Urlaub, aber ja: bitte rufen Sie mich an.",
    # A person's message that quotes an out-of-office.
    "Thanks, call me.\r\n\r\n-----Original Message-----\r\nFrom: Ana\r\nSubject: Automatic reply: Curso\r\n\r\n"
    "I will be on vacation from 2 March until 9 March.",
    "Sí, me interesa.\r\n\r\nEl lun, Ana escribió:\r\n> Estoy fuera hasta el lunes 9 de marzo.",
])
def test_a_person_who_mentions_an_absence_still_replies(body):
    assert classify(mail("Re: Curso", body)).kind == "reply"


def _dsn(*blocks: tuple[str, str, str]) -> bytes:
    fields = "".join(f"Final-Recipient: rfc822; {address}\r\nAction: {action}\r\nStatus: {status}\r\n\r\n"
                     for address, action, status in blocks)
    named = "\r\n".join(address for address, _, _ in blocks)
    return ("From: postmaster@mx.example.org\r\nTo: laura@lauravidal.es\r\nSubject: Delivered: Curso\r\n"
            "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=B\r\n\r\n"
            "--B\r\nContent-Type: text/plain\r\n\r\n"
            f"Your message has been delivered to the following recipients:\r\n\r\n{named}\r\n\r\n"
            "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\n"
            f"{fields}--B--\r\n").encode()


def test_a_delivery_receipt_is_recorded_never_a_failure():
    """Exchange's "Delivered:" receipt is a delivery report whose recipients all got the
    message (RFC 3464 Action: delivered): a receipt, like a read receipt."""
    receipt = classify(_dsn(("ana@example.org", "delivered", "2.0.0"), ("tom@example.net", "relayed", "2.0.0")))
    assert (receipt.kind, receipt.failures) == ("auto_reply", ())
    mixed = classify(_dsn(("ana@example.org", "delivered", "2.0.0"), ("tom@example.net", "failed", "5.1.1")))
    assert mixed.kind == "bounce" and mixed.permanent == ("tom@example.net",)


# End to end: a real Maildir read by `leadloop inbox`.
def test_auto_replies_in_other_languages_leave_the_leads_in_sequence(project, run):
    by_subject = inbox_mail("ana.pena@example.org", "Răspuns automat: Taller de acuarela", NEUTRAL)
    by_body = inbox_mail("jose.munoz@example.com", "Re: Curso de fotografía",
                         "Jó napot!\n\nSzabadságon vagyok március 9-ig.")
    for message, lead in ((by_subject, "ana.pena@example.org"), (by_body, "jose.munoz@example.com")):
        message["In-Reply-To"] = sent_message_id(run, lead)
        project.deliver(message)
    receipt = _dsn(("tom@example.net", "delivered", "2.0.0"))
    project.deliver(receipt)
    summary = read(run)
    assert (summary["replies"], summary["bounces"], summary["failed"], summary["unrecognised"]) == (0, 0, 0, 0)
    assert summary["auto_replies"] + summary["unmatched"] == 3
    for lead in ("ana.pena@example.org", "jose.munoz@example.com", "tom@example.net"):
        assert status(run, lead) == "active"
        shown = json.loads(run("show", lead, "--json").stdout)
        assert [m["state"] for m in shown["messages"]] == ["sent"]


def test_a_persons_answer_exchange_marked_stops_the_sequence(project, run):
    message = inbox_mail("ana.pena@example.org", "Re: Taller de acuarela", "Sí, me interesa. ¿Me llama mañana?",
                         X_Auto_Response_Suppress="DR, OOF, AutoReply")
    message["In-Reply-To"] = sent_message_id(run, "ana.pena@example.org")
    project.deliver(message)
    summary = read(run)
    assert (summary["replies"], summary["auto_replies"]) == (1, 0)
    assert status(run, "ana.pena@example.org") == "replied"


def test_the_more_openings_tried_where_their_words_stand_find_what_one_alternation_finds():
    """MORE_OUT_OF_OFFICE tries each sentence only where the words it needs stand (a
    speed-up): over the openings and the traps above, the same place as one alternation."""
    import re

    from leadloop import classify as module

    whole = re.compile("|".join(f"(?:{module._fold(p)})" for p in module._MORE_OUT_OF_OFFICE))
    for text in OPENINGS + [f"Sorry! {t}" for t in OPENINGS] + ["Estou fora, obrigado.", "I'll be on holiday in April."]:
        folded = " ".join(module._fold(text).split())
        found, expected = module.MORE_OUT_OF_OFFICE.search(folded), whole.search(folded)
        assert (found and found.start()) == (expected and expected.start()), text


@pytest.mark.parametrize("subject", [
    # Lotus Notes' out-of-office agent (6-8) writes the whole subject so; the name often
    # in Notes' hierarchical form. Notes 8.5's service adds its return date.
    "Ana Peña is out of the office.",
    "Ana Pena/Sales/Acme/ES is out of the office.",
    "Ana Peña is out of the office (returning 09/03/2026)",
    "Ana Peña/Acme ist außer Haus.",
    "Ana Peña est absente.",
    "Ana Peña está fuera de la oficina.",
    "Ana Peña è fuori ufficio.",
    "Ana Peña is afwezig.",
    "Ana Peña está ausente.",
    # The same under a mailing list's or a gateway's tag, as every subject rule is read.
    "[Curso] Ana Pena/Sales/Acme/ES is out of office.",
    "[EXTERNAL] Ana Peña est absente.",
    # What an autoresponder appends to the subject it answers.
    "Re: Curso (Out of Office)",
    "Re: Curso [Out of Office]",
    "Re: Curso - Out of Office",
])
def test_notes_away_subjects_and_an_appended_out_of_office(subject):
    assert classify(mail(subject, NEUTRAL)).kind == "auto_reply"


@pytest.mark.parametrize("subject", [
    "Re: John is out of the office next week?",  # a person's reply about someone away
    "Is Ana out of the office?",  # a question
    "Re: Out of office policy",
    "Ana is out of the office next week, can we meet on Monday",
])
def test_a_persons_subject_about_someone_away_is_not_a_notes_subject(subject):
    assert classify(mail(subject, "Yes, please send the dates for May.")).kind == "reply"


@pytest.mark.parametrize("subject", [
    "Yahoo! Auto Response",  # Yahoo Mail's vacation response, its whole subject
    "[Curso] Yahoo! Auto Response",  # relayed under a list's tag
    "Automatically Generated Response from ventas@example.com",
    "Auto-Respond E-Mail from Ferretería Luna",
])
def test_a_responders_own_whole_subject(subject):
    """Subjects that open with the responder's own name, as bounce handlers'
    autoresponder tables (PHPMailer-BMH's, phpList's) list them."""
    assert classify(mail(subject, NEUTRAL)).kind == "auto_reply"


def test_a_person_asking_about_an_auto_response_still_replies():
    assert classify(mail("Re: Yahoo! Auto Response settings", "Yes, please call me on Monday.")).kind == "reply"
