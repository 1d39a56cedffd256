"""Mail that a mailing list relays, and the list software's own notices about our message
(issue #25). A lead's address can be a list, or a company alias run by list software
(Mailman, Sympa, Google Groups, ezmlm, mlmmj, LISTSERV): a person's answer then reaches
us relayed by the list, with the list's Precedence and fields on it, and the list answers
our message itself when it holds it for its moderator, refuses it, or has no such list.

Every message here is written for leadloop after the software's own templates and header
code, cited at each; addresses and hosts are made up."""

from __future__ import annotations

import pytest

from leadloop.classify import classify
from test_inbox import SENT_AT, read, sent_message_id, status  # noqa: F401
from test_inbox import project  # noqa: F401  (the fixture)
from test_machine_notices import _message

LIST = "ventas@empresa.example"  # the lead's address: a list (a company alias run by list software)
OURS = "Laura Vidal <laura@lauravidal.es>"


@pytest.fixture
def inbox(project, run, tmp_path):
    """test_inbox's project, with the list among the leads and sent its information pack."""
    (tmp_path / "list.csv").write_text(f"email,nombre,producto,fecha\n{LIST},Ventas Empresa,Curso de fotografía,"
                                       "01/03/2026 18:30\n", encoding="utf-8")
    assert run("import", "list.csv").exit_code == 0
    sent = run("--now", SENT_AT, "run-daily")
    assert sent.exit_code == 0, sent.stderr
    return project


def _ours(message_id: str = "<pack-1@lauravidal.es>") -> str:
    """Our information pack as a list server returns it, attached or pasted."""
    return (f"From: {OURS}\nTo: Ventas Empresa <{LIST}>\nSubject: La información que pidió\n"
            f"Message-ID: {message_id}\nDate: Mon, 02 Mar 2026 10:00:00 +0100\n\nHola, le escribo por el curso.\n")


# 1. A person's post relayed by a list is a person's message. ---------------------------

# The fields each list server puts on a post it relays. Mailman 2.1 (Handlers/CookHeaders.py):
# Precedence: list (bulk on older sites), X-BeenThere, X-Mailman-Version, List-Id, List-Post;
# its DMARC mitigation (from_is_list) rewrites From as "NAME via LIST" and puts the author
# in Reply-To. ezmlm (ezmlm-send): Mailing-List "contact LIST-help@HOST; run by ezmlm",
# Precedence: bulk, List-Post, List-ID. Google Groups: "'NAME' via GROUP", Mailing-list,
# X-Google-Group-Id, List-ID, Precedence: list. Majordomo (vger): Precedence: bulk,
# X-Mailing-List, List-Id.
MAILMAN = {"From": f'"José Muñoz via Ventas" <{LIST}>', "Reply-To": "José Muñoz <jose.munoz@empresa.example>",
           "Precedence": "bulk", "X-BeenThere": LIST, "X-Mailman-Version": "2.1.39",
           "List-Id": "Ventas <ventas.empresa.example>", "List-Post": f"<mailto:{LIST}>",
           "List-Unsubscribe": "<https://empresa.example/mailman/options/ventas>"}
EZMLM = {"From": "José Muñoz <jose.munoz@empresa.example>", "Precedence": "bulk",
         "Mailing-List": "contact ventas-help@empresa.example; run by ezmlm", "List-Post": f"<mailto:{LIST}>",
         "List-ID": "<ventas.empresa.example>", "Delivered-To": f"mailing list {LIST}"}
GOOGLE_GROUPS = {"From": f"\"'José Muñoz' via Ventas\" <{LIST}>", "Precedence": "list",
                 "Mailing-list": f"list {LIST}; contact ventas+owners@empresa.example",
                 "List-ID": "<ventas.empresa.example>", "X-Google-Group-Id": "123456789012",
                 "List-Post": f"<mailto:{LIST}>"}
MAJORDOMO = {"From": "José Muñoz <jose.munoz@empresa.example>", "Precedence": "junk",
             "X-Mailing-List": LIST, "List-Id": "<ventas.empresa.example>"}
# Ecartis (and Listar, which it was renamed from): Precedence: bulk, Sender and Errors-to
# the list's -bounce address, X-list, X-ecartis-version (or X-listar-version), no List-*.
ECARTIS = {"From": "José Muñoz <jose.munoz@empresa.example>", "Precedence": "bulk",
           "Sender": "ventas-bounce@empresa.example", "Errors-to": "ventas-bounce@empresa.example",
           "X-list": "ventas", "X-ecartis-version": "Ecartis v1.0.0", "X-original-sender": "jose.munoz@empresa.example"}
LISTAR = {"From": "José Muñoz <jose.munoz@empresa.example>", "Precedence": "bulk",
          "Sender": "ventas-bounce@empresa.example", "X-list": "ventas", "X-listar-version": "Listar v0.129a"}


def _relayed(fields: dict[str, str], body: str = "Sí, me interesa. ¿Hay plazas en abril?\n\nJosé\n",
             subject: str = "[Ventas] Re: La información que pidió", **more: str) -> bytes:
    return _message({**fields, "To": LIST, "Cc": OURS, "Subject": subject,
                     "Message-ID": "<reply-1@empresa.example>", "In-Reply-To": "<pack-1@lauravidal.es>",
                     **more}, body)


@pytest.mark.parametrize("fields", [MAILMAN, EZMLM, GOOGLE_GROUPS, MAJORDOMO, ECARTIS, LISTAR],
                         ids=["mailman", "ezmlm", "google groups", "majordomo", "ecartis", "listar"])
def test_a_persons_post_relayed_by_a_list_is_a_reply(fields):
    incoming = classify(_relayed(fields))
    assert incoming.kind == "reply"
    assert incoming.text.startswith("Sí, me interesa")


def test_the_relayed_reply_stops_the_lists_sequence(inbox, run):
    raw = _relayed(EZMLM).replace(b"<pack-1@lauravidal.es>", sent_message_id(run, LIST).encode())
    inbox.deliver(raw)
    summary = read(run)
    assert summary["replies"] == 1 and summary["auto_replies"] == 0
    assert status(run, LIST) == "replied"


def test_the_lists_footer_is_not_the_persons_words():
    # Mailman 3's default footer (templates/en/list:member:generic:footer.txt): a person's
    # one line above it asks nothing of us; its "To unsubscribe" is the list's.
    body = ("Sí, me interesa.\n_______________________________________________\n"
            f"Ventas mailing list -- {LIST}\nTo unsubscribe send an email to ventas-leave@empresa.example\n")
    incoming = classify(_relayed({**MAILMAN, "X-Mailman-Version": "3.3.8"}, body))
    assert incoming.kind == "reply" and incoming.text == "Sí, me interesa."


def test_an_autoresponders_own_precedence_under_the_lists_stays_automatic():
    """Ecartis appends its fields below the post's own: a responder's "Precedence: junk"
    above the list's "Precedence: bulk" is the responder's mark, not the list's."""
    raw = _relayed(ECARTIS, "Achtung neue Mail-Adresse! Ihr Mail wird bei uns automatisch gelöscht.\n",
                   subject="[Ventas] Re: La información que pidió")
    head, _, body = raw.replace(b"Precedence: bulk", b"Precedence: junk", 1).partition(b"\n\n")
    with_both = head + b"\nPrecedence: bulk\n\n" + body
    assert classify(with_both).kind == "auto_reply"
    # The same two values that agree say nothing of the author: a person's post.
    agreeing = _relayed(ECARTIS)
    head, _, body = agreeing.partition(b"\n\n")
    assert classify(head + b"\nPrecedence: bulk\n\n" + body).kind == "reply"


def test_an_out_of_office_relayed_by_a_list_stays_an_auto_reply():
    raw = _relayed(MAILMAN, "Estaré fuera de la oficina hasta el lunes.\n",
                   subject="[Ventas] Respuesta automática: La información que pidió", **{"Auto-Submitted": "auto-replied"})
    assert classify(raw).kind == "auto_reply"
    raw = _relayed(GOOGLE_GROUPS, "I am out of the office until Monday.\n",
                   subject="[Ventas] Automatic reply: La información que pidió")
    assert classify(raw).kind == "auto_reply"


def test_a_bounce_relayed_by_a_list_stays_a_bounce():
    # A Postfix report sent to the list, relayed with From rewritten (from_is_list).
    raw = _message({**MAILMAN, "From": f'"Mail Delivery System via Ventas" <{LIST}>', "To": LIST,
                    "Subject": "[Ventas] Undelivered Mail Returned to Sender"},
                   "This is the mail system at host mx.empresa.example.\n\n"
                   "I'm sorry to have to inform you that your message could not\nbe delivered to one or more "
                   "recipients.\n\n<pedro@empresa.example>: host mx said: 550 5.1.1 User unknown\n")
    assert classify(raw).kind == "bounce"


def test_a_newsletter_without_a_lists_posting_fields_keeps_its_verdict():
    # Precedence: bulk and a newsletter service's List-Unsubscribe and List-Id (which
    # services write for any mailing): nobody posted it, it is still automatic.
    raw = _message({"From": "Empresa <news@empresa.example>", "To": "laura@lauravidal.es",
                    "Subject": "Novedades de marzo", "Precedence": "bulk", "List-Id": "<1234.list-id.example.net>",
                    "List-Unsubscribe": "<https://example.net/u/1234>"}, "Las novedades de este mes.\n")
    assert classify(raw).kind == "auto_reply"
    # An announcement list says in List-Post that nobody posts to it (RFC 2369 §3.4).
    raw = _message({"From": "Empresa <news@empresa.example>", "To": "laura@lauravidal.es",
                    "Subject": "Novedades de marzo", "Precedence": "bulk", "List-Post": "NO"},
                   "Las novedades de este mes.\n")
    assert classify(raw).kind == "auto_reply"


def test_a_lists_own_notice_is_not_a_person():
    # Mailman's notices carry its list fields and X-List-Administrivia (CookHeaders.py,
    # reduced_list_headers): a machine's, whatever the Precedence.
    raw = _message({**MAILMAN, "From": "ventas-bounces@empresa.example", "To": "laura@lauravidal.es",
                    "Subject": "Ventas mailing list memberships reminder", "X-List-Administrivia": "yes"},
                   "This is a reminder, sent out once a month, about your empresa.example mailing list memberships.\n")
    assert classify(raw).kind == "auto_reply"


# 2. The list software's own notices about our message. ---------------------------------

# Mailman's notices (Message.UserNotification, sent through CookHeaders with
# reduced_list_headers): Precedence: bulk, X-BeenThere, X-Mailman-Version, List-Id and
# X-List-Administrivia: yes.
NOTICE = {"To": "laura@lauravidal.es", "Precedence": "bulk", "X-BeenThere": LIST, "X-Mailman-Version": "2.1.39",
          "List-Id": "Ventas <ventas.empresa.example>", "X-List-Administrivia": "yes", "MIME-Version": "1.0"}


def _returned(fields: dict[str, str], subject: str, notice: str, message_id: str = "<pack-1@lauravidal.es>") -> bytes:
    """Mailman's BounceMessage (Bouncer.py; Mailman 3's app/bounces.py bounce_message) and
    mlmmj's denials: our own subject, the notice, our message attached."""
    return _message({**fields, "Subject": subject, "Content-Type": 'multipart/mixed; boundary="L"'},
                    f"--L\nContent-Type: text/plain; charset=us-ascii\n\n{notice}\n"
                    f"--L\nContent-Type: message/rfc822\n\n{_ours(message_id)}\n--L--\n")


MAILMAN_OWNER = {**NOTICE, "From": "ventas-owner@empresa.example"}
MLMMJ = {"From": "ventas+owner@empresa.example", "To": "laura@lauravidal.es", "MIME-Version": "1.0"}

HELD = [
    # Mailman 2.1 (Handlers/Hold.py, templates/en/postheld.txt).
    _message({**NOTICE, "From": "ventas-bounces@empresa.example",
              "Subject": "Your message to Ventas awaits moderator approval"},
             f"Your mail to 'Ventas' with the subject\n\n    La información que pidió\n\nIs being held until the "
             "list moderator can review it for approval.\n\nThe reason it is being held:\n\n    Post by non-member "
             "to a members-only list\n\nEither the message will get posted to the list, or you will receive\n"
             "notification of the moderator's decision.\n"),
    # Mailman 3 (chains/hold.py, templates/en/list:user:notice:hold.txt).
    _message({**NOTICE, "X-Mailman-Version": "3.3.8", "From": "ventas-bounces@empresa.example",
              "Subject": f"Your message to {LIST} awaits moderator approval"},
             "Your mail to 'Ventas' with the subject\n\n    La información que pidió\n\nIs being held until the list "
             "moderator can review it for approval.\n\nThe message is being held because:\n\n"
             "The message is not from a list member\n"),
    # mlmmj (listtexts/en/moderation-poster).
    _message({**MLMMJ, "Subject": "Post waiting for approval"},
             f"Hi, this is the mlmmj program managing the mailinglist\n\n{LIST}\n\nThis list is configured to have "
             "moderated posts, the post has been queued\nfor approval.\n\n--- Below this line are the first 100 "
             f"lines of the message up for moderation --->\n{_ours()}"),
    # Sympa (Spindle/ToModeration.pm: send_dsn 2.3.0, mail_tt2/delivery_status_notification.tt2).
    _message({"From": "sympa@empresa.example", "To": "laura@lauravidal.es", "Subject": "Message distribution: Forwarded",
              "X-Loop": "sympa@empresa.example", "Auto-Submitted": "auto-replied", "MIME-Version": "1.0",
              "Content-Type": 'multipart/report; report-type=delivery-status; boundary="S"'},
             "--S\nContent-Description: Notification\n\nThis is an automatic response sent by Sympa Mailing Lists "
             "Manager.\nYour message to the list 'ventas' has been forwarded to the moderator(s)\n\n"
             "--S\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; empresa.example\n\n"
             f"Final-Recipient: rfc822; {LIST}\nAction: delivered\nStatus: 2.3.0\nRemote-MTA: dns; empresa.example\n"
             "Diagnostic-Code: X-Sympa; Message has been forwarded to the list moderator(s)\n\n"
             f"--S\nContent-Type: text/rfc822-headers\n\n{_ours().split(chr(10) + chr(10))[0]}\n\n--S--\n"),
]


@pytest.mark.parametrize("raw", HELD, ids=["mailman 2", "mailman 3", "mlmmj", "sympa"])
def test_a_post_held_for_the_moderator_is_an_automatic_answer(raw):
    assert classify(raw).kind == "auto_reply"


def test_sympas_held_notice_fails_no_message(inbox, run):
    inbox.deliver(HELD[3].replace(b"<pack-1@lauravidal.es>", sent_message_id(run, LIST).encode()))
    summary = read(run)
    assert summary["failed"] == 0 and summary["bounces"] == 0 and summary["unrecognised"] == 0
    assert status(run, LIST) == "active"


REFUSED = {
    # Mailman 2.1's non-member rejection (Handlers/Moderate.py do_reject, Bouncer.py BounceMessage).
    "mailman 2 non-member": _returned(
        MAILMAN_OWNER, "La información que pidió",
        "Your message has been rejected, probably because you are not subscribed to the\nmailing list and the "
        "list's policy is to prohibit non-members from posting to\nit.  If you think that your messages are being "
        "rejected in error, contact the\nmailing list owner at ventas-owner@empresa.example.\n"),
    # The older wording of the same, still the default of many sites.
    "mailman 2 not allowed": _returned(
        MAILMAN_OWNER, "La información que pidió",
        "You are not allowed to post to this mailing list, and your message has been\nautomatically rejected.  If "
        "you think that your messages are being rejected in\nerror, contact the mailing list owner at "
        "ventas-owner@empresa.example.\n"),
    # Mailman 3's reject chain (chains/reject.py, templates/en/list:user:notice:rejected.txt).
    "mailman 3 non-member": _returned(
        {**MAILMAN_OWNER, "X-Mailman-Version": "3.3.8"}, "La información que pidió",
        "Your message to the Ventas mailing-list was rejected for the following\nreasons:\n\nThe message is not "
        "from a list member\n\nThe original message as received by Mailman is attached.\n"),
    # Mailman 2.1's moderator's refusal (ListAdmin.py __refuse, templates/en/refuse.txt),
    # with the original pasted below its ruler.
    "mailman moderator": _message(
        {**NOTICE, "From": "ventas-bounces@empresa.example", "Subject": "Request to mailing list Ventas rejected"},
        "Your request to the Ventas mailing list\n\n    Posting of your message titled \"La información que "
        "pidió\"\n\nhas been rejected by the list moderator.  The moderator gave the\nfollowing reason for "
        "rejecting your request:\n\n\"Non-members are not allowed to post messages to this list.\"\n\nAny questions "
        "or comments should be directed to the list administrator\nat:\n\n    ventas-owner@empresa.example\n\n"
        f"---------- Original Message ----------\n{_ours()}"),
    # Mailman 3's moderator's refusal (app/moderator.py) on a list whose language is
    # Spanish: the body translated, the subject left in English, no original returned.
    "mailman 3 moderator, es": _message(
        {**{k: v for k, v in NOTICE.items() if k != "X-List-Administrivia"}, "X-Mailman-Version": "3.3.8",
         "From": "ventas-bounces@empresa.example",
         "Subject": 'Request to mailing list "Ventas" rejected'},
        f"Su solicitud a la lista de correo {LIST}\n\n    Posting of your message titled \"La información que "
        "pidió\"\n\nha sido rechazada por el moderador de la lista.  El moderador adujo la\nsiguiente razón para "
        "rechazarla:\n\n\"No aceptamos publicidad en esta lista.\"\n"),
    # mlmmj (listtexts/en/subonlypost).
    "mlmmj subscribers only": _returned(
        MLMMJ, f"{LIST} is a subscribers only list",
        f"Hi, this is the mlmmj program managing the mailinglist\n\n{LIST}\n\nYour post with subject line\n\n"
        "La información que pidió\n\ncame from the email address\n\nlaura@lauravidal.es\n\nbut this address is "
        "not subscribed, and only subscribers may post to\nthe list.\n\n(The denied message is below.)\n"),
    # ezmlm's check of the poster (ezmlm-make's default .qmail-LIST: ezmlm-issubn, then
    # "Sorry, only subscribers may post… (#5.7.2)", exit 100), in qmail-send's report.
    "ezmlm subscribers only": _message(
        {"Return-Path": "<>", "From": "MAILER-DAEMON@empresa.example", "To": "laura@lauravidal.es",
         "Subject": "failure notice"},
        "Hi. This is the qmail-send program at empresa.example.\nI'm afraid I wasn't able to deliver your message "
        "to the following addresses.\nThis is a permanent error; I've given up. Sorry it didn't work out.\n\n"
        f"<{LIST}>:\nSorry, only subscribers may post. If you are a subscriber, please forward this message to "
        "ventas-owner@empresa.example to get your new address included (#5.7.2)\n\n"
        f"--- Below this line is a copy of the message.\n\n{_ours()}"),
    # fml 4's notice to a non-member (its X-MLServer header, from LIST-admin, the list named
    # in angle brackets), as sisimai's Lhost::FML reads it.
    "fml non-member": _message(
        {"From": "ventas-admin@empresa.example", "To": "laura@lauravidal.es",
         "Subject": "You laura@lauravidal.es are not member (ventas ML)",
         "Message-ID": "<202603021000.FMLAAA00001.ventas@empresa.example>",
         "X-MLServer": "fml [fml 4.0.3 release (20011202/4.0.3)]",
         "X-ML-Info": "If you have a question, please contact ventas-admin@empresa.example"},
        f"You are not a member of this mailing list <{LIST}>.\n\nIf you know the general guide of this list, "
        "please send mail with\nthe mail body\n\n\tguide\n\nto the address\n\n\tventas-ctl@empresa.example\n"),
    # Sympa's moderator's rejection (mail_tt2/reject.tt2): no original, the list named.
    "sympa moderator": _message(
        {"From": "ventas-request@empresa.example", "To": "laura@lauravidal.es",
         "Subject": "Your message has been rejected", "X-Loop": "sympa@empresa.example",
         "Auto-Submitted": "auto-replied"},
        f"Your message for list {LIST} has been rejected by the moderator (jefa@empresa.example).\n\n"
        "(Subject of your mail: La información que pidió)\n"),
}


@pytest.mark.parametrize("raw", REFUSED.values(), ids=REFUSED.keys())
def test_a_lists_refusal_of_our_post_is_a_soft_failure_not_the_address(raw):
    incoming = classify(raw)
    assert incoming.kind == "bounce"
    verdicts = [f.verdict for f in incoming.failures] + [incoming.overall.verdict]
    assert not any(v.hard for v in verdicts)
    assert {v.owner for v in verdicts} == {"sender"}


def test_the_lead_is_found_by_the_returned_original_or_the_list_named():
    assert classify(REFUSED["mailman 3 non-member"]).original_ids == ("<pack-1@lauravidal.es>",)
    assert LIST in [f.address for f in classify(REFUSED["sympa moderator"]).failures]


def test_a_refusal_too_large_to_read_whole_is_read_from_its_start():
    # Mailman returns our message whole, brochure and all: over the inbox's size limit
    # only the header and the first bytes are read (mailbox.MAX_HEADER_BYTES).
    raw = REFUSED["mailman 3 non-member"]
    incoming = classify(raw.split(b"\n\n", 1)[0] + b"\n\n", headers_only=True, start=raw)
    assert incoming.kind == "bounce" and incoming.original_ids == ("<pack-1@lauravidal.es>",)
    assert incoming.overall.verdict.owner == "sender"


def test_a_list_over_its_size_limit_is_the_lists_own_limit():
    # mlmmj (listtexts/en/maxmailsize) and Mailman 3's max_size rule (rules/max_size.py).
    for raw in (_returned(MLMMJ, f"Post to {LIST} denied due to size limit",
                          f"Hi, this is the mlmmj program managing the mailinglist\n\n{LIST}\n\nI'm sorry to inform "
                          "you that your message could not be delivered to the\nlist. Your mail was rejected due to "
                          "the size limit of 40000 bytes.\n"),
                _returned({**MAILMAN_OWNER, "X-Mailman-Version": "3.3.8"}, "La información que pidió",
                          "Your message to the Ventas mailing-list was rejected for the following\nreasons:\n\n"
                          "The message is larger than the 40 KB maximum size\n\nThe original message as received "
                          "by Mailman is attached.\n")):
        incoming = classify(raw)
        assert incoming.kind == "bounce"
        assert incoming.overall.verdict.reason == "exceedlimit" and incoming.overall.verdict.owner == "mailbox"


def test_a_refusal_offers_the_message_again_and_leaves_the_lead_alone(inbox, run):
    raw = REFUSED["mailman 2 non-member"].replace(b"<pack-1@lauravidal.es>", sent_message_id(run, LIST).encode())
    inbox.deliver(raw)
    summary = read(run)
    assert summary["bounces"] == 0 and summary["sender_refused"] == 1 and summary["replies"] == 0
    assert status(run, LIST) == "active"


def test_sympas_rejection_names_the_list_that_is_the_lead(inbox, run):
    inbox.deliver(REFUSED["sympa moderator"])
    summary = read(run)
    assert summary["sender_refused"] == 1 and summary["unrecognised"] == 0
    assert status(run, LIST) == "active"


@pytest.mark.parametrize("raw", [
    # Sympa's notice for an unknown list (mail_tt2/list_unknown.tt2): an RFC 3464 report.
    _message({"From": "sympa@empresa.example", "To": "laura@lauravidal.es", "Subject": "List unknown",
              "X-Loop": "sympa@empresa.example", "Auto-Submitted": "auto-replied", "MIME-Version": "1.0",
              "Content-Type": 'multipart/report; report-type=delivery-status; boundary="S"'},
             "--S\nContent-Description: Notification\n\nThis is an automatic response sent by Sympa Mailing Lists "
             f"Manager.\n\nThe following address is not a known mailing list:\n\n    {LIST}\n\n"
             "--S\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; empresa.example\n\n"
             f"Final-Recipient: rfc822; {LIST}\nAction: failed\nStatus: 5.1.1\nRemote-MTA: dns; empresa.example\n"
             "Diagnostic-Code: List unknown\n\n--S--\n"),
    # The same words in Sympa's plain notice, as delivery_status_notification.tt2 writes them.
    _message({"From": "sympa@empresa.example", "To": "laura@lauravidal.es", "Subject": "List unknown",
              "Auto-Submitted": "auto-replied"},
             "This is an automatic response sent by Sympa Mailing Lists Manager.\nImpossible to distribute your "
             f"message for list '{LIST}' for the following reason:\n\nList '{LIST}' does not exist.\n"),
])
def test_no_such_list_is_a_dead_address(raw):
    incoming = classify(raw)
    assert incoming.kind == "bounce"
    assert [f.address for f in incoming.failures if f.hard] == [LIST]


def test_a_person_quoting_a_lists_words_is_still_a_person():
    raw = _message({"From": "Ana Peña <ana.pena@example.org>", "To": "laura@lauravidal.es",
                    "Subject": "Re: La información que pidió"},
                   "Gracias. Por cierto, la lista de mi empresa me dijo que you are not allowed to post to "
                   "this mailing list; escríbame aquí.\n")
    assert classify(raw).kind == "reply"


def test_a_person_answering_a_lists_refusal_is_still_a_person():
    # The notice's subject and its words quoted below the person's own: the person's.
    raw = _message({"From": "Ana Peña <ana.pena@example.org>", "To": "laura@lauravidal.es",
                    "Subject": "RE: Request to mailing list Ventas rejected"},
                   "Perdone, la lista es solo interna. Escríbame a mí.\n\n> has been rejected by the list moderator.\n")
    incoming = classify(raw)
    assert incoming.kind != "bounce"


def test_a_machines_words_about_another_list_are_no_dead_address():
    # A shop's no-reply notice: its words about a list are not a list program's.
    raw = _message({"From": "Tienda <no-reply@tienda.example>", "To": "laura@lauravidal.es",
                    "Subject": "Your wish list"}, "The wish list item you saved does not exist any more.\n")
    assert classify(raw).kind == "auto_reply"


# 3. A help desk at the lead's address. ---------------------------------------------------

def _desk_denied(message_id: str = "<pack-1@lauravidal.es>") -> bytes:
    """Request Tracker's MailError when the queue grants outsiders no CreateTicket right
    (lib/RT/Interface/Email.pm): it answers our message with "Permission Denied" from the
    queue's address, Return-Path <>, and returns our message as a plain part."""
    return _message({"Return-Path": "<>", "From": LIST, "To": "laura@lauravidal.es", "Subject": "Permission Denied",
                     "Precedence": "bulk", "X-RT-Loop-Prevention": "empresa.example", "In-Reply-To": message_id,
                     "References": message_id, "X-Mailer": "MIME-tools 5.510 (Entity 5.510)",
                     "Content-Type": 'multipart/mixed; boundary="R"'},
                    "--R\nContent-Type: text/plain; charset=UTF-8\n\nlaura@lauravidal.es has no right to create "
                    f"tickets in queue General\n\n--R\n{_ours(message_id)}\n--R--\n")


def test_a_help_desk_that_will_not_open_a_ticket_for_us_fails_the_message_not_the_lead(inbox, run):
    # The lead's help desk's own settings, as a mailbox's filter: one of the lead's
    # failures (SPEC §7), never the sender's (the next leads' desks may take us).
    incoming = classify(_desk_denied())
    assert incoming.kind == "bounce" and incoming.original_ids == ("<pack-1@lauravidal.es>",)
    assert (incoming.overall.verdict.hard, incoming.overall.verdict.owner) == (False, "mailbox")
    inbox.deliver(_desk_denied(sent_message_id(run, LIST)))
    summary = read(run)
    assert summary["failed"] == 1 and summary["sender_refused"] == 0, summary
    assert summary["bounces"] == 0 and summary["replies"] == 0, summary
    assert status(run, LIST) == "active"


def test_a_lists_help_text_is_no_refusal():
    # mlmmj's answer to LIST+help (listtexts/en/help) describes the list's rules to anyone:
    # "However, only subscribers may post to the list." is no refusal of our post.
    raw = _message({**MLMMJ, "Subject": f"Information for {LIST}"},
                   f"Hi, this is the Mlmmj program managing the <{LIST}> mailing\nlist.\n\nHere is some information "
                   f"about the list.\n\nPosts are made by emailing <{LIST}>.\n\nHowever, only subscribers may post to "
                   "the list.\n")
    assert classify(raw).kind == "auto_reply"
