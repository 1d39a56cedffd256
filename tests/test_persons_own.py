"""A person's message is never a machine's because of where it comes from (issue #25,
branch `personsown`; SPEC §7: a reply stops the sequence the moment someone answers).

The sender alone made a lead's answer a bounce or an automatic message: a lead whose
mailbox is postmaster@ (RFC 5321 §4.5.1 has every domain keep one that a person reads,
and small businesses answer from it), a person at a domain whose name holds a mail
system's word (postmaster.co.uk was a public webmail), a message with no Return-Path at
all (archives, a mail program's export and some IMAP stores drop it: it is not the null
sender "<>"), a person's forward that carries no report, a From that names no address.
Each is read here from a real Maildir through the CLI. The traps at the end are mail
systems' messages that must stay what they are.

The messages are written for this test from the layouts the programs document: Outlook's
reply ruler, Exim's and qmail's plain-text reports (Exim's spec, "Bounce messages";
cr.yp.to/proto/qsbmf.txt), Exchange's NDR text, a newsletter's no-reply From. Addresses
and hosts are made up (RFC 2606).
"""

from __future__ import annotations

import json

import pytest

from leadloop.classify import classify

from test_forwarded_bounces import US, inbox_project

OWN = frozenset({US})
POSTMASTER_LEAD = "postmaster@ferreteria-luna.example"
BOUNCE_WORD_LEAD = "bouncehouse@fiestas-luna.example"  # (inflatable castles for hire)
LEAD = "ana.pena@example.org"
COLLEAGUE = "pedro.gil@example.com"
# The words of _BOUNCE_SENDER that can stand in a domain name (the others hold spaces).
DOMAIN_LEADS = ("sykes@postmaster.co.uk", "ana@mailer-daemon.example", "luis@maildaemon.example",
                "eva@mail-daemon.example")
LEADS = "email,nombre,producto,fecha\n" + "".join(
    f"{address},{name},Curso de fotografía,01/12/2026\n" for address, name in [
        (POSTMASTER_LEAD, "Ferretería Luna"), (LEAD, "Ana Peña"), (COLLEAGUE, "Pedro Gil"),
        (BOUNCE_WORD_LEAD, "Fiestas Luna"),
        *((address, address.split("@")[0].title()) for address in DOMAIN_LEADS)])
LATER = "2026-12-05T12:00"
ANSWER = "Sí, me interesa. ¿Tienen plazas en abril?"


def message(sender: str, subject: str, body: str, *, return_path: str | None = "from", **headers) -> bytes:
    """A message as the inbox gets it. `return_path`: "from" writes the sender's address
    as the envelope sender (as a delivery agent does), None writes none (as archives and
    some IMAP stores keep mail), anything else is written as it is."""
    from email.utils import parseaddr

    head = []
    if return_path == "from":
        head.append(f"Return-Path: <{parseaddr(sender)[1]}>")
    elif return_path is not None:
        head.append(f"Return-Path: {return_path}")
    head += [f"From: {sender}", f"To: Laura Vidal <{US}>", f"Subject: {subject}",
             "Date: Sat, 05 Dec 2026 11:02:00 +0100", f"Message-ID: <{abs(hash((sender, subject, body)))}@mail.example>",
             "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"]
    head += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(head) + "\r\n\r\n" + body.replace("\n", "\r\n")).encode()


@pytest.fixture
def project(tmp_path, run):
    return inbox_project(tmp_path, run, LEADS)


def sent_id(run, email: str) -> str:
    shown = json.loads(run("show", email, "--json").stdout)
    return next(m["message_id"] for m in shown["messages"] if m["step"] == 0)


def statuses(run) -> dict:
    return {lead["email"]: lead["status"] for lead in json.loads(run("leads", "--json").stdout)}


def read(run) -> dict:
    result = run("--now", LATER, "inbox", "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def assert_replied(run, email: str) -> None:
    summary = read(run)
    assert (summary["replies"], summary["bounces"], summary["unrecognised"], summary["auto_replies"]) == \
        (1, 0, 0, 0), summary
    assert statuses(run)[email] == "replied"
    # Three months on, the lead gets no follow-up.
    later = run("--now", "2027-03-15T10:00", "due", "--json")
    assert email not in {item["email"] for item in json.loads(later.stdout)}


# --- 1. A lead whose mailbox is postmaster@ answers ---------------------------------------

OUTLOOK_QUOTE = ("\n\n-----Original Message-----\nFrom: Laura Vidal <laura@lauravidal.es>\n"
                 "Sent: Wednesday, December 2, 2026 10:00 AM\nTo: postmaster@ferreteria-luna.example\n"
                 "Subject: La información que me pidió\n\nHola, le envío la información del curso.\n")


@pytest.mark.parametrize("threaded, subject, sender, return_path, quote", [
    (True, "Re: La información que me pidió", POSTMASTER_LEAD, "from", ""),
    (False, "Pregunta", POSTMASTER_LEAD, "from", ""),
    (True, "RE: La información que me pidió", f"Ferretería Luna <{POSTMASTER_LEAD}>", None, OUTLOOK_QUOTE),
    (False, "Pregunta", f"Ferretería Luna <{POSTMASTER_LEAD}>", None, ""),
], ids=["threaded", "not threaded", "outlook reply, no return-path", "named, no return-path"])
def test_a_lead_whose_mailbox_is_postmaster_answers(project, run, threaded, subject, sender, return_path, quote):
    headers = {"In_Reply_To": sent_id(run, POSTMASTER_LEAD)} if threaded else {}
    project.deliver(message(sender, subject, ANSWER + quote, return_path=return_path, **headers))
    assert_replied(run, POSTMASTER_LEAD)


def test_a_postmaster_leads_answer_too_large_to_read_whole(project, run):
    """With an attachment over the size limit only the header and the first bytes are
    read: no report's sign in them, the person's answer."""
    raw = message(POSTMASTER_LEAD, "Re: La información que me pidió", "", In_Reply_To=sent_id(run, POSTMASTER_LEAD))
    head = raw.split(b"\r\n\r\n", 1)[0].replace(b"Content-Type: text/plain; charset=utf-8",
                                                b'Content-Type: multipart/mixed; boundary="B"')
    body = ("--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + ANSWER + " Le adjunto el plano.\r\n"
            "--B\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n").encode()
    path = project.deliver(head + b"\r\n\r\n" + body + b"JVBERi0xLjQK\r\n" * 800_000 + b"--B--\r\n")
    assert path.stat().st_size > 10 * 1024 * 1024
    assert_replied(run, POSTMASTER_LEAD)


def test_a_local_part_that_only_starts_like_a_bounce_handlers_is_a_person(project, run):
    """"bounce", "bounces", "bounce-…", "bounces+…" are bounce handlers' (an ESP's VERP);
    "bouncehouse" is a word of its own."""
    project.deliver(message(f"Fiestas Luna <{BOUNCE_WORD_LEAD}>", "Pregunta", ANSWER))
    assert_replied(run, BOUNCE_WORD_LEAD)


# --- 2. A person at a domain whose name holds a mail system's word -------------------------

@pytest.mark.parametrize("address", DOMAIN_LEADS)
def test_a_person_at_a_domain_named_like_a_mail_system_answers(project, run, address):
    project.deliver(message(address, "Pregunta", ANSWER))
    assert_replied(run, address)


# --- 3. A missing Return-Path is not the null sender ---------------------------------------

@pytest.mark.parametrize("subject", ["Delivery problem", "Mensaje no entregado", "Returned mail"])
def test_a_lead_under_a_report_like_subject_with_no_return_path_answers(project, run, subject):
    """A subject a person may write ("Delivery problem" with a parcel), and no Return-Path
    header at all: nothing says a mail system wrote it."""
    project.deliver(message(f"Ana Peña <{LEAD}>", subject, "Laura, mi pedido no llega. ¿Me llamas?",
                            return_path=None))
    assert_replied(run, LEAD)


# --- 4. A person's forward that carries no report -----------------------------------------

FORWARDS = ["Fwd: failure notice", "[Obras] Fwd: Undelivered Mail", "WG: Unzustellbar: Angebot", "TR: Non remis",
            "RV: No se puede entregar: Presupuesto", "Enc: Returned mail", "Doorst: Onbestelbaar",
            "VS: Ei voitu toimittaa", "Fw: Delivery Status Notification (Failure)"]


@pytest.mark.parametrize("subject", FORWARDS)
@pytest.mark.parametrize("return_path", ["from", None], ids=["return-path", "no return-path"])
@pytest.mark.parametrize("sender", [f"Ana Peña <{LEAD}>", POSTMASTER_LEAD, "Ana Peña"],
                         ids=["person", "postmaster lead", "bare name"])
def test_a_persons_forward_with_no_report_in_it_is_a_reply(subject, return_path, sender):
    """The person's own words only: no report's words, none attached, none quoted."""
    if return_path and "@" not in sender:
        return_path = f"<{LEAD}>"  # (the envelope sender the person's server wrote)
    incoming = classify(message(sender, subject, "Laura, ¿te llegó mi correo de ayer? Te lo reenvío.\n\nAna",
                                return_path=return_path), own=OWN)
    assert (incoming.kind, incoming.failures) == ("reply", ())


@pytest.mark.parametrize("sender, subject, lead", [
    (POSTMASTER_LEAD, "Fwd: failure notice", POSTMASTER_LEAD),
    ("Pedro Gil", "Doorst: Onbestelbaar", COLLEAGUE),
    (f"Ana Peña <{LEAD}>", "[Obras] Fwd: Undelivered Mail", LEAD),
], ids=["postmaster lead", "bare name", "person"])
def test_the_inbox_takes_a_forward_with_no_report_as_the_leads_answer(project, run, sender, subject, lead):
    project.deliver(message(sender, subject, "Laura, ¿te llegó mi correo de ayer? Te lo reenvío.",
                            return_path=None, In_Reply_To=sent_id(run, lead)))
    assert_replied(run, lead)


# --- 5. A From that names no address -------------------------------------------------------

@pytest.mark.parametrize("sender", ["Pedro Gil", "pedro.gil at example.com", "Gil, Pedro"])
@pytest.mark.parametrize("subject", ["Re: La información que me pidió", "Fwd: Returned mail", "Enc: Returned mail"])
def test_a_from_that_names_no_address_is_decided_by_the_other_signs(project, run, sender, subject):
    """A web form's or an old program's From ("x at y", a bare name, an unquoted comma):
    the message answers ours (In-Reply-To), and nothing else says a machine wrote it."""
    project.deliver(message(sender, subject, ANSWER, return_path=None, In_Reply_To=sent_id(run, COLLEAGUE)))
    assert_replied(run, COLLEAGUE)


# --- Traps: a mail system's message stays what it is ---------------------------------------

def postmaster_plain_report() -> bytes:
    """A postmaster's report with a plain subject and only its words, no status code."""
    return message("postmaster@mx.example.com", "Mail System Error - Returned Mail", (
        "This Message was undeliverable due to the following reason:\n\n"
        f"Your message was not delivered because the destination computer was\nnot reachable within the allowed "
        f"queue period.\n\nThe following recipients did not receive this message:\n\n     <{COLLEAGUE}>\n\n"
        "Please reply to postmaster@mx.example.com if you feel this message to be in error.\n"), return_path=None)


def postmaster_user_unknown() -> bytes:
    return message("postmaster@mx.example.com", "Mail System Error - Returned Mail", (
        "This Message was undeliverable due to the following reason:\n\n"
        f"<{COLLEAGUE}> (user unknown)\n\nThe user's mailbox does not exist.\n"), return_path=None)


def exim_report() -> bytes:
    """Exim's report, from MAILER-DAEMON, with no Return-Path header (as archives keep it)."""
    return message("Mail Delivery System <Mailer-Daemon@mx.example.org>",
                   "Mail delivery failed: returning message to sender", (
                       "This message was created automatically by mail delivery software.\n\n"
                       "A message that you sent could not be delivered to one or more of its\n"
                       "recipients. This is a permanent error. The following address(es) failed:\n\n"
                       f"  {COLLEAGUE}\n    SMTP error from remote mail server after RCPT TO:<{COLLEAGUE}>:\n"
                       "    550 5.1.1 User unknown\n\n------ This is a copy of the message, including all the headers. "
                       f"------\n\nFrom: Laura Vidal <{US}>\nTo: {COLLEAGUE}\nSubject: Hola\n\nHola Pedro\n"),
                   return_path=None)


def qmail_report() -> bytes:
    return message("MAILER-DAEMON@mail.example.org", "failure notice", (
        "Hi. This is the qmail-send program at mail.example.org.\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
        "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
        f"<{COLLEAGUE}>:\nSorry, no mailbox here by that name. (#5.1.1)\n"), return_path=None)


def exchange_ndr() -> bytes:
    """Exchange's NDR in plain text, signed "Microsoft Outlook", no Return-Path."""
    return message("Microsoft Outlook <postmaster@example.com>", "Undeliverable: Hola", (
        f"Your message to {COLLEAGUE} couldn't be delivered.\npedro.gil wasn't found at example.com.\n\n"
        "Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'\n"), return_path=None)


def verizon_like_report() -> bytes:
    """A carrier's report from post_master@ under a reply's subject ("Re:Hola"): only its
    words say what it is."""
    return message("post_master@vtext.example.com", "Re:Hola", (
        "Error: Invalid user address\n\nError message below:\n550 - Requested action not taken: no such user here\n\n"
        f"Message details:\n  Subject: Hola\n  MAIL FROM: {US}\n  RCPT TO: {COLLEAGUE}\n"), return_path=None)


def mailbox_rule_forward() -> bytes:
    """A rule of our own mailbox forwarding a real report: its From is ours."""
    return message(f"Laura Vidal <{US}>", "FW: failure notice", (
        "-----Original Message-----\nFrom: MAILER-DAEMON@mail.example.org\n"
        f"To: {US}\nSubject: failure notice\n\n" + qmail_report().split(b"\r\n\r\n", 1)[1].decode()
        .replace("\r\n", "\n")), return_path=None)


def directory_answer() -> bytes:
    """A site's postmaster answering from its directory, in words of its own, no report's
    subject, no Return-Path, nothing returned."""
    return message("postmaster@lab.example.gov", 'FAILED MAIL to "pgil" regarding "Hola"', (
        "The standard form of email address at the lab is lastnameNumber@lab.example.gov.\n"
        f"The address to which your message was addressed, {COLLEAGUE}, did not\n"
        "exactly match a lab email address.\n"), return_path=None)


REPORTS = {"postmaster, its words only": postmaster_user_unknown, "a directory's answer": directory_answer, "exim, no return-path": exim_report,
           "qmail, no return-path": qmail_report, "exchange's microsoft outlook": exchange_ndr,
           "post_master under a reply's subject": verizon_like_report,
           "our mailbox's rule forwards it": mailbox_rule_forward}


@pytest.mark.parametrize("report", REPORTS)
def test_a_mail_systems_report_stays_a_report(report):
    incoming = classify(REPORTS[report](), own=OWN)
    assert incoming.kind == "bounce", incoming.kind
    # (The directory's answer names its own address form too: no lead, never counted.)
    assert {f.address: f.hard for f in incoming.failures}.get(COLLEAGUE) is True, incoming.failures


def test_a_postmasters_report_of_a_delay_in_its_words_only_stays_a_report():
    incoming = classify(postmaster_plain_report(), own=OWN)
    assert incoming.kind == "bounce" and [f.address for f in incoming.failures] == [COLLEAGUE]
    assert not incoming.failures[0].hard


@pytest.mark.parametrize("report", ["exim, no return-path", "post_master under a reply's subject"])
def test_the_inbox_bounces_the_lead_a_report_names(project, run, report):
    project.deliver(REPORTS[report]())
    summary = read(run)
    assert (summary["bounces"], summary["replies"]) == (1, 0), summary
    assert statuses(run)[COLLEAGUE] == "bounced"


def test_a_report_too_large_to_read_whole_is_read_from_its_start(project, run):
    """A post_master's report under "Re:" that returns our message with its brochure: its
    first bytes say what it is, and its In-Reply-To never makes it the lead's answer."""
    raw = verizon_like_report().replace(b"Subject: Re:Hola", b"In-Reply-To: " + sent_id(run, COLLEAGUE).encode()
                                        + b"\r\nSubject: Re:Hola")
    project.deliver(raw + b"\r\n" + b"JVBERi0xLjQK\r\n" * 900_000)
    summary = read(run)
    assert summary["replies"] == 0 and statuses(run)[COLLEAGUE] != "replied", summary


def test_a_postmasters_autoresponder_is_an_automatic_answer():
    incoming = classify(message(POSTMASTER_LEAD, "Automatic reply: Hola", "Gracias por su mensaje. Le responderemos "
                                "en breve."), own=OWN)
    assert incoming.kind == "auto_reply"


def test_a_newsletter_from_a_no_reply_address_is_no_reply():
    incoming = classify(message("Ferretería Luna <noreply@news.ferreteria-luna.example>", "Ofertas de diciembre",
                                "Descubra nuestras ofertas. ¿Tiene dudas? Visite la tienda."), own=OWN)
    assert incoming.kind == "auto_reply"


def test_a_mail_systems_name_on_a_postmaster_address_is_no_person():
    """A postmaster's address under a mail system's name: whatever it says, no answer."""
    incoming = classify(message("Mail Delivery System <postmaster@mx.example.com>", "Notice",
                                "Your mailbox is almost full. Do you want more space?"), own=OWN)
    assert incoming.kind != "reply"


def test_a_gateways_report_in_words_only_judge_knows_with_no_return_path_stays_a_report():
    """A report subject, a person-looking From and no Return-Path (an archive's copy): the
    report's words decide, also the sentences only judge reads."""
    incoming = classify(message("Mail Gateway <gateway@lab.example.gov>", "Undeliverable message", (
        f"The address to which your message was addressed, {COLLEAGUE}, did not\n"
        "exactly match a lab email address.\n"), return_path=None), own=OWN)
    assert incoming.kind == "bounce"
    assert {f.address: f.hard for f in incoming.failures}.get(COLLEAGUE) is True, incoming.failures


@pytest.mark.parametrize("sender", ["Süsteemiadministraator <postmaster@mx.example.ee>", "MAILER-DAEMON@mx.example.ee"])
def test_a_report_in_words_no_rule_reads_from_a_mail_systems_address_stays_a_report(sender):
    """A postmaster's or a mailer daemon's report in a language no rule reads, under a
    subject of its own and with no Return-Path (Microsoft 365 over IMAP, archives): its
    address is all that says so, and it is enough. A person writing from such an address
    under a subject of their own is found by the inbox instead (a "report" from a lead's
    address that fails no lead is that lead's answer: test_a_lead_writes_like_a_machine)."""
    incoming = classify(message(sender, "Kohaletoimetamata: Tellimus", (
        "Mõned adressaadid ei saanud teie sõnumit.\n\n"
        f"'{COLLEAGUE}' 16.03.2026 16:48\n"), return_path=None), own=OWN)
    assert incoming.kind == "bounce"
