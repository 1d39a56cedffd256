"""Mail that passed through a mailing list, and a few servers' own texts (issue #25,
branch listtags): a list's tag before the subject, mutt's forward subject, Exchange's
own sender and its Russian subject, XMail's bounce, a list's own system addresses, and
the report subjects and auto-reply subjects the tables did not have. Every message here
is written for these tests after the layout or the default text it cites (the software's
own source or documentation), never copied from sample mail; hosts and addresses are
made up."""

from __future__ import annotations

import pytest

from leadloop.classify import classify
from test_inbox import read, status  # noqa: F401
from test_inbox import project  # noqa: F401  (the fixture)

LEAD = "ana.pena@example.org"
OWN = frozenset({"laura@lauravidal.es"})


def _message(headers: dict[str, str], body: str) -> bytes:
    head = "".join(f"{name}: {value}\n" for name, value in headers.items())
    return (head + "\n" + body).encode()


def _from_a_person(subject: str, body: str, sender: str = f"Ana Peña <{LEAD}>") -> bytes:
    return _message({"Return-Path": f"<{LEAD}>", "From": sender, "To": "laura@lauravidal.es",
                     "Subject": subject, "MIME-Version": "1.0",
                     "Content-Type": "text/plain; charset=utf-8"}, body)


# A report in the old Gmail layout ("Delivery to the following recipient failed
# permanently:"), about the forwarder's colleague, not about leadloop's mail.
_COLLEAGUES_REPORT = (
    "From: Mail Delivery Subsystem <mailer-daemon@mail.example.net>\n"
    "To: ana.pena@example.org\nSubject: {subject}\nMIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=utf-8\n\n"
    "Delivery to the following recipient failed permanently:\n\n"
    "     pepe.colega@example.com\n\n"
    "Technical details of permanent failure:\n"
    "The email account that you tried to reach does not exist. 550 5.1.1\n")


def _forwarded_as_attachment(subject: str, note: str, report_subject: str) -> bytes:
    """A person's forward of a report as an attachment (message/rfc822, RFC 2046
    §5.2.1): Thunderbird's "Forward As Attachment", mutt's with mime_forward set."""
    return (
        f"Return-Path: <{LEAD}>\nFrom: Ana Peña <{LEAD}>\nTo: laura@lauravidal.es\n"
        f"Subject: {subject}\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="F"\n\n'
        f"--F\nContent-Type: text/plain; charset=utf-8\n\n{note}\n\n"
        "--F\nContent-Type: message/rfc822\nContent-Disposition: attachment\n\n"
        + _COLLEAGUES_REPORT.format(subject=report_subject) + "\n--F--\n").encode()


# 1. A list's tag before the subject: the subject starts after it.

@pytest.mark.parametrize("subject", [
    "[Rd] autoreply",
    "[wp-edu] Auto-Re: Curso de inglés",
    "[SPAM] [External] Automatic reply: Curso de inglés",
    "[Ventas] Respuesta automática: Curso de inglés",
])
def test_an_automatic_answer_under_a_list_tag_is_an_auto_reply(subject):
    raw = _from_a_person(subject, "Gracias por su mensaje sobre el curso.\n")
    assert classify(raw).kind == "auto_reply"


@pytest.mark.parametrize("subject, report_subject", [
    ("[wp-edu] Fwd: Delivery Status Notification (Failure)", "Delivery Status Notification (Failure)"),
    ("[List] Fw: Failure Notice", "failure notice"),
    ("[SPAM] [External] RE: Undelivered Mail Returned to Sender", "Undelivered Mail Returned to Sender"),
])
def test_a_persons_forward_of_a_report_under_a_list_tag_is_theirs(subject, report_subject):
    raw = _forwarded_as_attachment(subject, "¿Sabe por qué rebota el correo de mi compañero?", report_subject)
    assert classify(raw, own=OWN).kind == "reply"


@pytest.mark.parametrize("subject", ["[EXTERNAL] Re: Baja", "[EXTERNAL] [Ventas] Stop"])
def test_an_unsubscribe_subject_under_a_tag(subject):
    # Microsoft 365's and other gateways' external tag, on our own side, before the lead's words.
    assert classify(_from_a_person(subject, "Gracias.\n")).kind == "unsubscribe"


def test_an_unsubscribe_word_in_brackets_still_asks():
    assert classify(_from_a_person("[BAJA] Juan Pérez", "Gracias.\n")).kind == "unsubscribe"


def test_a_tagged_forward_is_the_leads_reply_in_the_inbox(project, run):
    project.deliver(_forwarded_as_attachment("[wp-edu] Fwd: Delivery Status Notification (Failure)",
                                             "Mire, esto me llegó.", "Delivery Status Notification (Failure)"))
    summary = read(run)
    assert summary["replies"] == 1 and summary["bounces"] == 0
    assert status(run, LEAD) == "replied"


def test_a_tagged_reply_quoting_a_report_is_no_report():
    # A person's "Re:" under the tag, quoting the report's heading in the first lines
    # (bounces' _ndr_signs reads the reply prefix after the tag).
    raw = _message({"From": "Pepe <pepe@example.com>", "To": "laura@lauravidal.es",
                    "Subject": "[Rd] Re: Undelivered Mail Returned to Sender"},
                   "The following address(es) failed: that is what I got too.\n")
    assert classify(raw).kind == "reply"


@pytest.mark.parametrize("subject, kind", [
    # Only a bracketed text: the subject itself, read as before.
    ("[Request received]", "auto_reply"),                                     # Zendesk's
    ("[Out of Office]", "auto_reply"),
    ("[Rd]", "reply"),
    # A tag over an ordinary subject stays a person's.
    ("[Ventas] Consulta sobre el curso", "reply"),
    # A ticket tag ("#") is the help desk's, read by its own rule.
    ("[rt.example.com #123] Auto-Reply: Curso", "auto_reply"),
])
def test_tags_that_leave_nothing_or_nothing_automatic(subject, kind):
    assert classify(_from_a_person(subject, "Hola, me interesa el curso de abril.\n")).kind == kind


def test_a_report_under_a_list_tag_is_still_a_report():
    raw = _message({"Return-Path": "<>", "From": "MAILER-DAEMON@mx.example.org", "To": "laura@lauravidal.es",
                    "Subject": "[Rd] Undelivered Mail Returned to Sender"},
                   "The following address(es) failed:\n\n  ana.pena@example.org\n    550 5.1.1 User unknown\n")
    incoming = classify(raw)
    assert incoming.kind == "bounce" and [f.address for f in incoming.failures] == [LEAD]


def test_an_old_mozilla_forward_in_brackets_stays_a_forward():
    # "[Fwd: …]" is one bracketed text over the whole subject: not a tag to cut.
    raw = _forwarded_as_attachment("[Fwd: Delivery Status Notification (Failure)]", "Mire.",
                                   "Delivery Status Notification (Failure)")
    assert classify(raw, own=OWN).kind == "reply"


# 2. mutt's and neomutt's forward subject, "[%a: %s]".

def test_a_mutt_forward_of_a_report_is_the_persons():
    raw = _forwarded_as_attachment("[MAILER-DAEMON@mail.example.net: Returned mail: see transcript for details]",
                                   "", "Returned mail: see transcript for details")
    assert classify(raw, own=OWN).kind == "reply"


def test_a_mutt_forward_under_a_list_tag_is_the_persons():
    raw = _forwarded_as_attachment("[List] [MAILER-DAEMON@mail.example.net: Undelivered Mail Returned to Sender]",
                                   "", "Undelivered Mail Returned to Sender")
    assert classify(raw, own=OWN).kind == "reply"


@pytest.mark.parametrize("subject", [
    # A mail system's own report keeps its verdict under any subject (sent_by_mail_system).
    "[MAILER-DAEMON@mx.example.org: Returned mail: User unknown]",
    # No author's address: no mutt forward.
    "[Undeliverable: Curso de inglés]",
])
def test_bracketed_report_subjects_from_a_daemon_stay_reports(subject):
    raw = _message({"Return-Path": "<>", "From": "MAILER-DAEMON@mx.example.org", "To": "laura@lauravidal.es",
                    "Subject": subject},
                   "The following address(es) failed:\n\n  ana.pena@example.org\n    550 5.1.1 User unknown\n")
    assert classify(raw).kind == "bounce"


# 3. Report subjects: "has not been delivered", and Exchange's "Undeliverable:" in Russian.

def test_has_not_been_delivered_is_a_report_subject():
    raw = _message({"Return-Path": "<>", "From": "Mail Gateway <gateway@mx.example.org>",
                    "To": "laura@lauravidal.es", "Subject": "A message you sent has not been delivered"},
                   "Recipient: ana.pena@example.org\nReason: 550 5.1.1 User unknown\n")
    incoming = classify(raw)
    assert incoming.kind == "bounce"
    assert [(f.address, f.hard) for f in incoming.failures] == [(LEAD, True)]


def test_a_lead_saying_something_has_not_been_delivered_is_a_reply():
    raw = _from_a_person("The brochure has not been delivered", "I never got the PDF, could you resend it?\n")
    assert classify(raw).kind == "reply"


def test_exchanges_russian_undeliverable_subject():
    # Outlook's and Exchange's "Undeliverable:" in Russian, over a text in Russian (no
    # English heading to read), from an address that names no mail system.
    raw = _message({"Return-Path": "<>", "From": "Администратор <admin@example.ru>", "To": "laura@lauravidal.es",
                    "Subject": "Не удается доставить: Курс английского",
                    "Content-Type": "text/plain; charset=utf-8"},
                   f"Сообщение не удалось доставить этим получателям:\n\n{LEAD}\n"
                   "Remote Server returned '550 5.1.1 User unknown'\n")
    incoming = classify(raw)
    assert incoming.kind == "bounce"
    assert [(f.address, f.hard) for f in incoming.failures] == [(LEAD, True)]


# 4. Automatic answers' subjects: "Auto-Re:" and French webmails' "Message d'absence".

@pytest.mark.parametrize("subject", ["Auto-Re: Curso de inglés", "Message d'absence", "Message d’absence",
                                     "MESSAGE D'ABSENCE : Curso"])
def test_automatic_answer_subjects(subject):
    assert classify(_from_a_person(subject, "Merci pour votre message.\n")).kind == "auto_reply"


@pytest.mark.parametrize("subject", ["Auto-Reparación: presupuesto", "Re: Message d'absence"])
def test_subjects_that_only_start_alike_are_replies(subject):
    assert classify(_from_a_person(subject, "Hola, ¿me manda el precio?\n")).kind == "reply"


# 5. Exchange's own sender, the Microsoft Exchange Recipient.

EXCHANGE_RECIPIENT = "MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@example.org"


def _exchange_report(subject: str, *, sender: str = f"Microsoft Exchange <{EXCHANGE_RECIPIENT}>",
                     return_path: str = f"<{EXCHANGE_RECIPIENT}>") -> bytes:
    # Exchange 2003/2007's plain-text NDR: the recipient, then "Remote Server returned".
    return _message({"Return-Path": return_path, "From": sender, "To": "laura@lauravidal.es",
                     "Subject": subject, "Content-Type": "text/plain; charset=utf-8"},
                    "Delivery has failed to these recipients or groups:\n\n"
                    f"{LEAD}\nRemote Server returned '550 5.7.1 Delivery not authorized, message refused'\n")


def test_exchanges_own_sender_under_an_unknown_subject_is_a_report():
    incoming = classify(_exchange_report("Problema con su mensaje"))
    assert incoming.kind == "bounce"
    assert [f.address for f in incoming.failures] == [LEAD]


def test_exchanges_own_sender_attached_to_a_forward_is_read_as_the_report():
    # Our own mailbox's rule forwards failures as attachments (RFC 2046 §5.2.1); the
    # report inside is from the Microsoft Exchange Recipient, not a "mailer-daemon".
    inner = _exchange_report("Undeliverable: Curso de inglés").decode()
    raw = ("From: laura@lauravidal.es\nTo: laura@lauravidal.es\nSubject: Aviso reenviado\nMIME-Version: 1.0\n"
           'Content-Type: multipart/mixed; boundary="X"\n\n--X\nContent-Type: text/plain\n\nReenviado.\n\n'
           f"--X\nContent-Type: message/rfc822\n\n{inner}\n--X--\n").encode()
    incoming = classify(raw, own=OWN)
    assert incoming.kind == "bounce"
    assert [f.address for f in incoming.failures] == [LEAD]


def test_exchanges_own_sender_answering_automatically_stays_an_auto_reply():
    # A mail system's automatic answer (its subject says so, no report's words).
    raw = _message({"From": f"Microsoft Exchange <{EXCHANGE_RECIPIENT}>", "To": "laura@lauravidal.es",
                    "Subject": "Automatic reply: Curso de inglés"}, "Gracias por escribirnos.\n")
    assert classify(raw).kind == "auto_reply"


# 6. XMail's bounce (its QueueUtils.cpp, QueUtBuildErrorResponse): the identifier line
# "[<00>] XMail bounce: Rcpt=[…];Error=[…]", then its sections; its From is
# "DOMAIN PostMaster <PostMaster setting>", its subject "Error sending message [SPOOL]
# from [DOMAIN]"; the SMTP message ID is "S" and a hex number.

def _xmail(error: str, *, sender: str = "example.org PostMaster <admin@example.org>",
           subject: str = "Error sending message [1765000000123.4567.mx.example.org] from [example.org]") -> bytes:
    return _message({
        "Return-Path": "<admin@example.org>", "Date": "Sat, 5 Dec 2026 10:00:00 +0000",
        "X-MessageId": "<1765000000123.4567.mx.example.org>", "X-SmtpMessageId": "<S1A2B3C>",
        "From": sender, "To": "laura@lauravidal.es", "Subject": subject,
        "X-MailerServer": "XMail 1.27", "X-SMTP-Mailer-Error": "Message = [1765000000123.4567.mx.example.org] "
                                                              "Server = [example.org]"},
        f"[<00>] XMail bounce: Rcpt=[{LEAD}];Error=[{error}]\n\n\n"
        "[<01>] Error sending message [1765000000123.4567.mx.example.org] from [example.org].\n\n"
        "ID:        <S1A2B3C>\nMail From: <laura@lauravidal.es>\n"
        f"Rcpt To:   <{LEAD}>\nServer:    <mx.example.org> [192.0.2.25]\n\n\n"
        f"[<02>] The reason of the delivery failure was:\n\n{error}\n\n\n"
        "[<05>] Here is listed the initial part of the message:\n\n"
        "Received: from lauravidal.es by example.org\nFrom: Laura Vidal <laura@lauravidal.es>\n"
        f"To: {LEAD}\nSubject: Curso de inglés\nMessage-ID: <info.1@lauravidal.es>\n\n")


@pytest.mark.parametrize("error, hard", [
    (f"550 5.1.1 <{LEAD}>... User unknown", True),
    ("550 5.1.1 [192.0.2.25] The email account that you tried to reach does not exist", True),
    ('Unknown user "ana.pena" in domain "example.org"', True),  # XMail's own local delivery (SMAILUtils.cpp)
    ("452 4.2.2 Mailbox full", False),
])
def test_xmails_bounce_names_the_recipient_and_the_reply(error, hard):
    # Its line names the one recipient; "Mail From:" (our address, here not passed as
    # ours) and the returned lines name no failed recipient.
    incoming = classify(_xmail(error))
    assert incoming.kind == "bounce"
    assert [(f.address, f.hard, f.diagnostic) for f in incoming.failures] == [(LEAD, hard, error)]
    assert incoming.original_ids == ("<info.1@lauravidal.es>",)


def test_xmails_bounce_is_a_report_whatever_its_from_and_subject():
    raw = _xmail(f"550 5.1.1 <{LEAD}>... User unknown", sender="admin@example.org", subject="Aviso")
    incoming = classify(raw, own=OWN)
    assert incoming.kind == "bounce" and [f.address for f in incoming.failures] == [LEAD]


def test_a_person_quoting_xmails_line_is_no_report():
    raw = _from_a_person("Consulta", f"Me llegó esto: [<00>] XMail bounce: Rcpt=[{LEAD}];Error=[550]\n¿Qué es?\n")
    assert classify(raw).kind == "reply"


# 7. A mailing list's own system addresses are machines, not persons.

@pytest.mark.parametrize("sender", [
    "ventas-owner@lists.example.org",                     # Mailman 2/3
    "ventas-request@lists.example.org",                   # RFC 2142 §5, Mailman, Lyris
    "ventas-bounces@lists.example.org",                   # Mailman
    "ventas-bounces+laura=lauravidal.es@lists.example.org",  # Mailman's VERP
    "owner-ventas@lists.example.org",                     # Majordomo
])
def test_a_lists_system_address_is_a_machine(sender):
    raw = _message({"From": sender, "To": "laura@lauravidal.es", "Subject": "Ventas mailing list reminder"},
                   "Le recordamos su suscripción.\n")
    assert classify(raw).kind == "auto_reply"


@pytest.mark.parametrize("sender", ["owner@example.org", "requests@example.org", "ana.owner@example.org",
                                    "owner.relations@example.org", "owners-club@example.org"])
def test_a_persons_shared_mailbox_with_such_a_word_is_a_person(sender):
    raw = _message({"From": sender, "To": "laura@lauravidal.es", "Subject": "Consulta sobre el curso"},
                   "Hola, ¿tienen plazas en abril?\n")
    assert classify(raw).kind == "reply"
