"""Reading a bounce: who failed, why, and which message it was (SPEC §7).

Pure: a parsed message in, a `Report` out. It names *candidates*: every address the
report itself gives as a failed recipient, each with the words the server wrote about
it and the verdict of delivery_status.judge. Deciding which candidate is a lead is the
inbox's job (only an address leadloop sent to counts); this module only makes sure that
what it hands over was said *about* a recipient, not quoted:

- the returned original (a message/rfc822 part, text/rfc822-headers, or the copy
  older servers paste below a separator line) is never searched for recipients: its
  To, Cc and body are what the person wrote, not what failed. Its Message-ID and To
  are kept apart, as the anchor for a report that names nobody;
- Message-ID, In-Reply-To and References values are removed before addresses are
  looked for, and the bounce's own sender and recipient (our address) are never
  candidates;
- RFC 3464 reports (message/delivery-status) name their recipients in fields; for the
  plain-text formats of older and proprietary servers (Sendmail, qmail, Exim, Lotus
  Notes, Exchange, Yahoo, OpenSMTPD…) the addresses in the report text are taken, each
  with the text from its line to the next recipient's.
"""

from __future__ import annotations

import codecs
import functools
import re
from dataclasses import dataclass, replace
from email.message import Message

from . import damage, header_memo
from .delivery_status import (ADDRESS, MAILBOX, NO_LIST_SENTENCES, NO_RECIPIENT_FOR_DATA, SENDER, Verdict, fold,
                              judge, verifies_sender)
from .lazy_regex import LazyPattern
from .providers import reporter_of, reporter_reason

TYPE_CHECKING = False  # (typing itself not imported: the inbox's import time)
if TYPE_CHECKING:
    from collections.abc import Callable

MAX_DIAGNOSTIC = 500      # characters of the server's words kept per failure
MAX_REPORT_TEXT = 20_000  # characters of report text read (the rest is quoted mail)

# Who sends bounces: the local parts of mailer daemons, and their usual display names.
# Exchange 2007 and later send their NDRs and system messages as the organization's
# "Microsoft Exchange Recipient", whose address is always this local part at an accepted
# domain (Get-OrganizationConfig, MicrosoftExchangeRecipientPrimarySmtpAddress).
BOUNCE_LOCAL_PARTS = ("mailer-daemon", "mailer_daemon", "maildaemon", "mail-daemon", "postmaster",
                      "post_master", "post-master", "mailerdaemon", "mail_daemon", "bounce", "bounces",
                      "mdaemon", "daemon", "microsoftexchange329e71ec88ae4615bbc36ab6ce41109e")
_BOUNCE_SENDER = LazyPattern(
    r"\b(mail delivery (sub)?system|mail administrator|mailer[-_ ]?daemon|postmaster|mail[-_ ]?daemon"
    r"|microsoft outlook|microsoft exchange|mail system|delivery (status )?notification|mail (delivery )?service)\b", re.I)
# Subjects of delivery reports, in the languages servers write them (and Exim's delay
# warning, "Warning: message ID delayed N hours", its spec's default warning text;
# Courier's "NOTICE: mail delivery status."), matched folded (_report_subject): lower
# case, accents removed. Outlook's and Exchange's "Undeliverable:" in their other
# languages ("No se puede entregar:", "Non recapitabile:", "Não é possível entregar:",
# "Niedostarczalne:", "Nedoručitelné:", "Kézbesíthetetlen:", "Недоставляемое:" and
# "Не удается доставить:", "配信不能:", "无法投递:"), and the Russian and Chinese
# providers' "Письмо не доставлено", "系统退信". "Has not been delivered" is MailMarshal's
# and many gateways' subject ("A message you sent has not been delivered").
_BOUNCE_SUBJECT = LazyPattern(
    r"(undeliver|undelivered|non[- ]?deliver|not (be |been )?delivered|delivery (status notification|failure|failed"
    r"|has failed|notification|problem|report)|failure notice|failed delivery|returned mail|mail delivery failed"
    r"|returned to sender|could not (be )?(send|deliver)|unable to deliver|warning: could not send"
    r"|delivery (delayed|warning)|warning: message \S+ delayed|mail system error|message not delivered"
    r"|mail delivery status|mail delivery error"
    # XMail's own subject, "Error sending message [SPOOL-FILE] from [DOMAIN]" (its
    # QueueUtils.cpp, QueUtBuildErrorResponse).
    r"|error sending message \[[^\]]*\] from \["
    r"|nicht zustellbar|unzustellbar"
    r"|zustellung fehlgeschlagen|non remis|non distribuable|echec de (la )?(distribution|remise)"
    r"|no se (ha )?pudo entregar|no entregado|entrega fallida|error de entrega|devuelto"
    r"|nao (foi )?(possivel )?entreg|falha (na|de) entrega|impossibile recapitare|mancata consegna"
    r"|non recapitat|onbestelbaar|returned: |undeliverable|bounce"
    r"|no se puede entregar|non recapitabile|nao e possivel entregar|niedostarcz|nedorucitel|kezbesithetetlen"
    r"|ej levererbar|kan inte levereras|kan ikke leveres|ikke levert|ei voitu toimittaa|teslim edilem"
    "|недоставля|не доставлено|не удалось доставить|не удается доставить|退信|无法投递|投递失败|配信不能|配信エラー|"
    # Exchange's "Undeliverable:" in Korean, "배달되지 않음:" (as Korean mail tools match
    # it), and "無法傳遞", the words Microsoft's traditional Chinese guides use for a message
    # not delivered (AlchemyInsights owa-delivery-reports.md, zh-TW). Written through
    # fold(), as the subject is read: NFKD splits Hangul into its jamo.
    + "|".join(map(fold, ("배달되지 않음", "無法傳遞"))) + ")", re.I)


# Outlook's "Automatic reply:" in Japanese, simplified and traditional Chinese and
# Korean: its "File > Automatic Replies" feature in Microsoft's own (human-translated)
# guides, "自動応答", "自动答复", "自動回覆", "자동 회신" (OfficeDocs-AlchemyInsights,
# outlook-desktop-send-out-of-office-replies.md, ja-JP, zh-CN, zh-TW, ko-KR), the words
# it puts before the subject it answers; and "自动回复", the name simplified Chinese
# webmail and guides give the same feature (not checked against a provider's own text).
# No word boundary: these scripts write none before the next word.
CJK_AUTOMATIC_REPLIES = ("自動応答", "自动答复", "自動回覆", "자동 회신", "自动回复")


# An automatic answer's subject, anywhere in it ("Engineering Admissions -- Automatic
# Reply"), folded, in the languages of classify.AUTO_SUBJECTS.
AUTOMATIC_ANSWER_SUBJECT = LazyPattern(
    r"\b(auto(matic|mated)?[ -]?(reply|response|answer)|autoreply|autoresponder|out of (the )?office"
    r"|respuesta automatica|reponse automatique|resposta automatica|risposta automatica|automatische antwort"
    r"|abwesenheitsnotiz)\b|" + "|".join(map(fold, CJK_AUTOMATIC_REPLIES)))


def _report_subject(subject: str) -> bool:
    return _BOUNCE_SUBJECT.search(fold(subject)) is not None

# A tag that mailing-list software puts before the subject (issue #25): Mailman's
# subject_prefix (by default "[Listname] "), Sympa's custom_subject, Google Groups',
# LISTSERV's and Lyris's the same; and the tags gateways add ("[SPAM]", "[External]").
# Under it the subject starts as its writer wrote it ("[Rd] Fwd: Delivery Status
# Notification (Failure)" is a person's forward). A help desk's ticket tag holds "#"
# (classify's _TICKET_TAG) and is not one.
_LIST_TAG = LazyPattern(r"\s*\[[^\[\]#\n]{1,60}\]\s*")


def untagged(subject: str) -> str:
    """`subject` after its one or two leading list tags, where the writer's subject
    starts. A subject that is only a bracketed text ("[Request received]", Zendesk's;
    old Mozilla's "[Fwd: …]", mutt's "[author: subject]") is the subject itself: as it is."""
    for _ in range(2):
        tag = _LIST_TAG.match(subject)
        if tag is None or not subject[tag.end():].strip():
            break
        subject = subject[tag.end():]
    return subject


# Subject prefixes mail programs put on a reply or a forward (matched folded: lower case,
# no accents), in the languages leadloop's leads write and their neighbours' (Wikipedia,
# "List of email subject abbreviations", after Outlook's localised ones: "RV:" es, "TR:"
# fr, "WG:"/"AW:" de, "I:"/"R:"/"RIF:" it, "ENC:"/"RES:" pt, "Doorst:"/"Antw:" nl, "VS:"/
# "VL:"/"SV:"/"VB:"/"FS:" Nordic, "ODP:"/"PD:" pl, "YNT:"/"İLT:" tr, "V:"/"Továbbítás:" hu,
# "ΑΠ:"/"ΣΧΕΤ:"/"ΠΡΘ:" el, "回复:"/"转发:" zh, "転送:" ja, mail.ru's and Yandex's "Пересл:"/
# "Отв:"), old Mozilla's "[Fwd: …]", Pine's "… (fwd)" and mutt's and neomutt's "[author:
# subject]" (their default forward_format, "[%a: %s]", %a the author's address).
FORWARD_OR_REPLY_SUBJECT = LazyPattern(
    r"^\s*\[?(re|fw|fwd|rv|tr|wg|aw|sv|vs|vl|vb|fs|enc|res|i|r|rif|antw|doorst|odp|pd|ynt|ilt|v|tovabbitas"
    r"|απ|σχετ|πρθ|回复|回覆|答复|转发|轉寄|転送|пересл|отв)\s*(\[\d+\])?\s*[:：]"
    r"|\(fwd\)\s*$|^\s*\[[^\s\[\]@:]+@[^\s\[\]:]+: .*\]\s*$")


def writers_subject(subject: str) -> bool:
    """Whether `subject` is a reply's or a forward's (FORWARD_OR_REPLY_SUBJECT), also
    after a mailing list's tag: a person answering or passing something on, even when
    what they pass on is a report ("[List] Fwd: Undelivered Mail")."""
    folded = fold(subject)
    return FORWARD_OR_REPLY_SUBJECT.search(folded) is not None or \
        FORWARD_OR_REPLY_SUBJECT.search(untagged(folded)) is not None


# The notices mailing-list software sends about a message posted to a list (issue #25):
# Mailman 2.1's and 3's "Your message to LIST awaits moderator approval" (Handlers/Hold.py,
# the held-message notice) and "Request to mailing list LIST rejected" (ListAdmin.py),
# Sympa's "Message for list LIST from X to be approved" (templates/mail_tt2/moderate.tt2)
# and the rejection and distribution notices of list managers ("Your message to LIST has
# been rejected", "… was not distributed"). Mailman marks its own notices with
# "X-List-Administrivia: yes". Leadloop never posts to a list, so whoever answers such a
# notice ("RE: Your message to LIST awaits moderator approval") answers a machine, never
# one of leadloop's messages: neither is a lead's reply.
_LIST_NOTICE_SUBJECT = LazyPattern(
    r"\byour (message|mail|post|posting|submission) to \S+ (awaits moderator approval|is being held"
    r"|(has been|was) (rejected|refused|discarded|not distributed))"
    r"|\brequest to mailing list \S+ rejected|\bmessage for list \S+ from \S+ to be approved", re.I)
# The headings reports put over the failed recipients, in the default texts of the MTAs
# that write them (folded): McAfee WebShield "---- Failed Recipients ----", Exim "The
# following address(es) failed", Sendmail "The following addresses had permanent fatal
# errors", qmail "I wasn't able to deliver your message to the following addresses"
# (QSBMF, cr.yp.to/proto/qsbmf.txt), Postfix "could not be delivered to one or more
# recipients", Exchange "Delivery has failed to these recipients or groups", Domino
# "was not delivered to", and "undeliverable to".
_NDR_HEADING = LazyPattern(
    r"failed recipients|following address(\(es\)|es)? (had permanent fatal errors|failed)"
    r"|(wasn'?t|was not|were not) able to deliver your message|could not be delivered to"
    r"|delivery has failed to these recipients|(was|were) not delivered to|undeliverable to"
    r"|delivery to the following recipients? failed"
    # Delay warnings' own heading: Exim's "A message that you sent has not yet been
    # delivered to one or more of its recipients", Citadel's "… has not been delivered to
    # some or all of its recipients" (a person does not write "of its recipients").
    r"|has not (yet )?been delivered to (one or more|some or all|all|any) of its recipients"
    # InterScan VirusWall's "The following mail could not be delivered." and the mail
    # gateways' "Your mail cannot be delivered to the following address(es)" (the
    # headings Mailman's SimpleMatch.py starts its sections at).
    r"|(cannot|can ?not|could ?n[o']t) be delivered to|the following (mail|message|e-?mail)"
    r" (could ?n[o']t|cannot|can ?not) be delivered"
    # Exchange 2000/2003's and Kerio's "did not reach the following recipient(s)", and
    # the "following recipient(s) could not be reached" of Exchange 5.5 and Kerio.
    r"|did not reach the following recipient|following recipients?(\(s\))? (could not|cannot) be reached"
    # Exchange 2007 and later put "Diagnostic information for administrators:" over the
    # generating server and each failed recipient with its status, in the language the
    # server writes; Microsoft's own guide to these reports names that section in each
    # ("Failed delivery messages from the postmaster at outlook.com…", support.microsoft.com
    # article eb34d15e, en-US, de-DE, es-ES, fr-FR, it-IT, ja-JP: "Diagnoseinformationen für
    # Administratoren", "Información de diagnóstico para administradores", "Informations
    # de diagnostic pour les administrateurs", "Informazioni di diagnostica per gli
    # amministratori", "管理者向けの診断情報"). Folded: no accents, and NFKD leaves the
    # Japanese as it is. Matched from "diagnos", which each holds: a search tries the
    # pattern at fewer places when its alternatives start with letters it already has.
    r"|diagnos(tic information for administrator|einformationen fur administrator|tico para administradores"
    r"|tic pour les administrateurs|tica per gli amministratori)|" + fold("管理者向けの診断情報"))

# Sendmail's phquery mailer (the CCSO nameserver's, RFC 2378) lists the failed
# recipients between two rulers, "--------Message not delivered to the following:" and
# "--------Error Detail (phquery …):" (the layout Mailman's Bouncers/SimpleMatch.py and
# Yale.py read); a bare name there ("ana   No matches to nameserver query") names no
# address, and the report's verdict stands for the returned original.
_LISTED_SECTION = LazyPattern(r"^[ \t]*-{4,}[ \t]*message not delivered to the following[^\n]*\n"
                             r"(?P<listed>(?:.*\n)*?)[ \t]*-{4,}[ \t]*error detail", re.I | re.M)

_ADDRESS = LazyPattern(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")
_ID_LINE = LazyPattern(r"^[ \t]*(message-id|in-reply-to|references|content-id|x-[\w-]*id|thread-index)"
                      r"[ \t]*:.*(\n[ \t]+.*)*", re.I | re.M)
_ANGLE_ID = LazyPattern(r"<[^<>\s@]+@[^<>\s]+>")
# Where the returned original starts in a plain-text report.
_ORIGINAL_MARK = LazyPattern(
    r"^[ \t>|-]*("
    r"-+ ?(this is a copy of|original message|the original message|returned message|unsent message"
    r"|message header follows|original message header|headers of the original|undelivered message"
    r"|below this line is a copy|the header of the original message)"
    r"|below this line is a copy of the message"
    r"|-+ ?(original|returned|unsent|undelivered) (message|mail|headers?)"
    r"|original message (headers|follows|as received)|the (original|returned) message (is|headers|follows)"
    r"|content-type: (message/rfc822|text/rfc822-headers)"
    r"|(original )?message headers follow|headers of (the )?(original|returned) message"
    r"|-+ ?mensaje original|-+ ?message d'origine|-+ ?urspr(u|ü)ngliche nachricht|-+ ?messaggio originale"
    # The sentences that introduce the returned text with no ruler: "Your message reads
    # (in part):", "The text of your message was:", "A copy of your message is included
    # below", "we've included the text of your message below".
    r"|your (original )?message (reads|read|was|follows)[ \t]*(\(in part\))?[ \t]*:[ \t]*$"
    r"|(the |a )?(text|copy|content|body) of (your|the) (original |returned )?(message|e-?mail)"
    r" (follows|was|is (included|attached|copied|shown) below)"
    r"|(a copy of )?your (original )?(message|e-?mail) is (included|attached|copied|shown) below"
    r"|(for your convenience, )?we('ve| have) included (the text|a copy) of your (personal |original )?"
    r"(message|e-?mail) below"
    # "The first 50 lines of your original message follow:" (hosted mail services' own
    # reports, the returned lines quoted with "> ").
    r"|(the )?(first )?(\d+ )?lines of (your|the) (original |returned )?(message|e-?mail) (follows?|below)"
    r")", re.I | re.M)
_HEADER_LINE = LazyPattern(r"^(received|return-path|message-id|from|to|subject|date|mime-version|x-mailer|cc"
                          r"|dkim-signature|content-type|reply-to|delivered-to|user-agent):[ \t]*\S", re.I)
_ANY_HEADER = LazyPattern(r"^[\w-]+:[ \t]*\S")
# (Not a link: "http://…" on a line of its own is a wrapped diagnostic's words.)
_ANY_FIELD = LazyPattern(r"^[\w-]+[ \t]*:(?![ \t]*//)")
_DSN_FIELD = LazyPattern(r"^(final-recipient|original-recipient|action|status|diagnostic-code|remote-mta"
                        r"|x-actual-recipient|last-attempt-date|will-retry-until|x-powermta-bouncecategory)"
                        r"[ \t]*:[ \t]*(.*)$", re.I)


# PowerMTA names the cause in a field of its own (X-PowerMTA-BounceCategory).
_CATEGORIES = {
    "bad-domain": "hostunknown", "bad-mailbox": "userunknown", "inactive-mailbox": "suspend",
    "message-expired": "expired", "no-answer-from-host": "networkerror", "policy-related": "policyviolation",
    "quota-issues": "mailboxfull", "routing-errors": "systemerror", "spam-related": "spamdetected",
}


@dataclass(frozen=True, slots=True)
class Failure:
    address: str | None     # the failed recipient, normalised; None: the report names nobody
    verdict: Verdict
    diagnostic: str         # the server's words, for `show` and the review list

    @property
    def hard(self) -> bool:
        return self.verdict.hard


@dataclass(frozen=True, slots=True)
class Report:
    failures: tuple[Failure, ...]          # recipients the report names
    overall: Failure                       # the report's verdict when it names nobody
    original_ids: tuple[str, ...]          # the returned original's Message-ID (and its references)
    original_recipients: tuple[str, ...]   # the returned original's To


def looks_like_bounce(msg: Message, sender: str | None, subject: str, *, start: Message | None = None) -> bool:
    """A delivery report, by its structure, its sender or its subject. An empty
    Return-Path alone is not enough: auto-replies have one too (RFC 3834). Nor is a
    mail system's address: a person may write from one (_report_signs). `start`: of a
    message too large to read whole (`msg` its header), its first bytes, where the
    words of its text are read."""
    kind = msg.get_content_type()
    if kind == "multipart/report":
        report_type = (msg.get_param("report-type") or "").lower()
        if report_type == "disposition-notification":
            return _rejection_mdn(msg)  # else a read receipt
        return not is_delivery_receipt(msg)
    if msg.get("x-failed-recipients") is not None:
        return True
    if kind in ("text/plain", "text/html"):
        opening = (msg.get_payload(decode=True) or b"")[:1000]
        if _SES_BOUNCE.search(opening):
            return True  # Amazon SES's bounce notification, mailed by SNS as JSON
        if opening.lstrip().startswith(_XMAIL_BOUNCE):
            return True  # XMail's, whatever address its PostMaster setting gives its From
    for part in msg.walk():
        part_kind = part.get_content_type()
        if part_kind in ("message/delivery-status", "message/global-delivery-status"):
            return not is_delivery_receipt(msg)
        if part_kind in ("message/rfc822", "message/global") and _attached_report(part) is not None:
            return True
    if sender is None:
        # "From: mailer-daemon", with no domain: not an address, still the daemon's name.
        from email.utils import parseaddr

        sender = parseaddr(header_text(msg, "from"))[1].lower() or None
    local = sender.split("@", 1)[0] if sender else ""
    if _daemon_local(local):
        # A mail system's address: a report, unless it only answers automatically (a
        # department's autoresponder on its postmaster address: an automatic answer's
        # subject, and no report's subject nor words), or a person answers or forwards
        # from it (a shop whose only address is postmaster@: a reply's or a forward's
        # prefix, and no report's sign). Its words alone cannot tell the rest: a report
        # in a language no rule reads, with no Return-Path (Microsoft 365 over IMAP,
        # archives), would read as a person's answer; a lead's own answer under a subject
        # of its own is found by the inbox (a "report" from a lead's address that fails
        # no lead is that lead's answer).
        body = start if start is not None else msg
        if writers_subject(subject) or AUTOMATIC_ANSWER_SUBJECT.search(fold(subject)):
            return _report_signs(msg, subject, body)
        return True
    if not _report_subject(subject):
        # A machine's message under any subject ("Mail Error") whose text opens with the
        # heading a report puts over the failed recipients is a non-delivery notice,
        # with or without an RFC 3464 part (issue #25). An archive's copy keeps only
        # From, Date, Subject and Message-ID: a system's address (a "no-reply"; not a
        # list's, whose notices list_answer reads) that returns a message under that
        # heading, attached or in its text, is still the report.
        sender_field = header_text(msg, "from")
        return (_machine_made(msg) or names_mail_system(sender_field) and not postmasters_own(sender_field)
                and _LIST_SYSTEM_LOCAL.search(local or sender_field.lower()) is None
                and (_returns_original(msg) or _original_start(
                    (_opening_text(own_parts(msg)) or "")[:MAX_REPORT_TEXT].replace("\r\n", "\n"), 0) is not None)) \
            and _opens_as_report(msg)
    if _BOUNCE_SENDER.search(sender_words(header_text(msg, "from"))) or null_sender(msg):
        return True
    if not writers_subject(subject) and _returns_original(msg) and _text_names_a_cause(start if start is not None else msg):
        # A report's subject over a message returned whole and a cause: a report whatever
        # its From and Return-Path say. Citadel signs its reports '"Citadel" <citadel@>'
        # with "Return-Path: Citadel", and its delay warning's words ("has not been
        # delivered… Citadel will continue attempting delivery") are no failure's.
        return True
    if msg.get("return-path") is None and _report_in_body(start if start is not None else msg):
        # No envelope sender to go by (archives, a client's export and some IMAP stores
        # drop the Return-Path): the report's own words or the original it returns.
        return True
    return _ndr_signs(msg)


def _daemon_local(local: str) -> bool:
    """Whether an address's local part is a mailer daemon's, a postmaster's or a bounce
    handler's: BOUNCE_LOCAL_PARTS, or one of them with more after it ("mailer-daemon-x",
    "postmaster.mx", an ESP's VERP "bounces+123-ana=example.org", "bounce-mc.us5_…").
    Not a word that starts so: "bouncehouse@" rents inflatable castles."""
    return local in BOUNCE_LOCAL_PARTS or local.startswith(("mailer-daemon", "postmaster")) or \
        _BOUNCE_HANDLER_LOCAL.match(local) is not None


_BOUNCE_HANDLER_LOCAL = LazyPattern(r"bounces?(?:[-_.+=\d]|$)")


def _report_signs(msg: Message, subject: str, body: Message) -> bool:
    """Whether a message from a mail system's address (a mailer daemon's, a postmaster's,
    a bounce handler's) carries a report's own signs: a report's subject that is not a
    person's reply or forward, a report's words (reads_as_report), a returned original or
    a null envelope sender. Without any it is a person's message: RFC 5321 §4.5.1 and RFC
    2142 §4 have a person read postmaster@, and small businesses answer from it. An
    automatic answer's subject with no report's subject nor words is a department's
    autoresponder on its postmaster address. `body`: where its text is read (`msg`, or
    the start of one too large to read whole)."""
    if _report_subject(subject) and not writers_subject(subject):
        return True
    if _text_reads_as_report(body):
        return True
    if AUTOMATIC_ANSWER_SUBJECT.search(fold(subject)) and not _report_subject(subject):
        return False
    # (_report_in_body's first test, its texts read as a report, failed above.)
    return null_sender(msg) or _returns_original(body) or _text_names_a_cause(body)


def _report_in_body(msg: Message) -> bool:
    """Whether the message's own texts say what failed (reads_as_report, else a cause
    judge names) or it returns an original."""
    return _text_reads_as_report(msg) or _returns_original(msg) or _text_names_a_cause(msg)


def _text_reads_as_report(msg: Message) -> bool:
    """Whether one of the message's own texts says what failed (reads_as_report); also
    a multipart whose boundary was lost (Verizon's "Content-Type: multipart/alternative;"
    with its boundary on an unfolded line), read as text as _collect reads it."""
    return any(reads_as_report(_text(part)) for part in own_parts(msg)
               if part.get_content_maintype() in ("text", "multipart"))


def _text_names_a_cause(msg: Message) -> bool:
    """Whether the verdict on one of the message's own texts names a cause: judge reads
    more sentences than reads_as_report's catalog ("… did not exactly match a lab email
    address", a directory's answer), and a person's "Sí, me interesa" names none."""
    for part in own_parts(msg):
        if part.get_content_maintype() in ("text", "multipart"):
            text = _text(part)[:MAX_REPORT_TEXT]
            if part.get_content_type() == "text/html" or HTML_START.match(text):
                text = _html_text(text)
            if judge(None, text).reason != "undefined":
                return True
    return False


def _returns_original(msg: Message) -> bool:
    """Whether the message returns an original: a message or a message's header as a
    part of its own (RFC 3462 §2, text/rfc822-headers), or a report's line over the copy
    in its text ("Original message as received is as follows:"). Not a mail program's
    ruler over the message a person answers ("-----Original Message-----")."""
    if any(part.get_content_type() in ("message/rfc822", "message/global", "text/rfc822-headers",
                                       "message/global-headers") for part in msg.walk()):
        return True
    for part in own_parts(msg):
        if part.get_content_maintype() in ("text", "multipart"):
            text = _text(part)[:MAX_REPORT_TEXT]
            if any(not _QUOTE_RULER.match(text, mark.start()) for mark in _ORIGINAL_MARK.finditer(text)):
                return True
    return False


# The rulers mail programs write over the message a person replies to or forwards
# (Outlook's "-----Original Message-----" and its translations): _ORIGINAL_MARK reads them
# as where a report's copy starts too, but in a person's reply they say nothing of a report.
_QUOTE_RULER = LazyPattern(r"^[ \t>|]*-+ ?(original message|mensaje original|message d'origine"
                           r"|urspr(u|ü)ngliche nachricht|messaggio originale)\b", re.I | re.M)


def null_sender(msg: Message) -> bool:
    """Whether the delivering server wrote a null envelope sender ("Return-Path: <>",
    RFC 5321 §4.4; also empty): what reports (§4.5.5) and auto-replies (RFC 3834 §3.3)
    are sent with. A missing Return-Path is not one: archives, a mail program's export
    and some IMAP stores keep mail without it."""
    return msg.get("return-path") is not None and header_text(msg, "return-path").replace(" ", "") in ("<>", "")


def sender_words(value: str) -> str:
    """What a From value says of who sent it: its display name and its address's local
    part, never its domain (a person's mailbox may sit at postmaster.co.uk or
    mailer-daemon.example). A From that names no address ("Mail Delivery Subsystem
    <MAILER-DAEMON>", a bare name, "ana at example.org") is all name, host names left out."""
    from email.utils import parseaddr

    name, address = parseaddr(value)
    if "@" in address:
        return f"{name} {address.rpartition('@')[0]}"
    return _HOST_NAME.sub(" ", value)


_HOST_NAME = LazyPattern(r"[^\s<>()@]+\.[^\s<>()@]+")


def _system_without_address(value: str) -> bool:
    """Whether a From that names no address is a mail system's: empty or the null address
    ("From: <>"), or a mail system's name ("MAILER-DAEMON", "Webshield SMTP V4.5 Mail
    Service"). A person's bare name, or an address a program wrote unparseably ("ana at
    example.org"), is no sign either way: the message's other signs decide."""
    from email.utils import parseaddr

    if "@" in parseaddr(value)[1]:
        return False
    return not value.replace("<>", "").strip() or names_mail_system(value)


def _attached_report(part: Message) -> Message | None:
    """The report a message/rfc822 part carries, when it is one: a report forwarded as
    an attachment (a list server's "Uncaught bounce notification", a mailbox rule that
    forwards failures), in RFC 3464's structure or a mailer daemon's plain text. Never
    the original a report returns: leadloop's own message is no report."""
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if not isinstance(inner, Message):
        return None
    # The raw header lines: parsing every header of every returned original costs the
    # inbox time, and its subject alone tells leadloop's message from a report.
    raw = {name.lower(): value for name, value in reversed(list(inner.raw_items()))}
    if "x-failed-recipients" in raw or "report" in raw.get("content-type", "").lower() and \
            inner.get_content_type() == "multipart/report":
        return inner
    subject = raw.get("subject", "")
    if not _report_subject(subject if _plain(subject) else header_text(inner, "subject")):
        return None
    from email.utils import parseaddr

    local = parseaddr(header_text(inner, "from"))[1].lower().split("@", 1)[0]
    daemon = local in BOUNCE_LOCAL_PARTS or local.startswith(("mailer-daemon", "postmaster"))
    return inner if daemon else None


def carries_attached_report(msg: Message, subject: str) -> bool:
    """Whether a message under a subject of its own (not a report's) carries a report
    attached as a message of its own (message/rfc822, RFC 2046 §5.2.1): someone
    attaching a bounce to a new message."""
    if _report_subject(subject):
        return False
    return any(part.get_content_type() in ("message/rfc822", "message/global") and _attached_report(part) is not None
               for part in msg.walk())


def is_list_notice(msg: Message, subject: str) -> bool:
    """A mailing-list program's notice about a posting (or an answer to one): what a
    list's software writes, never a person's answer to leadloop."""
    if header_text(msg, "x-list-administrivia").lower() == "yes":
        return True
    return _LIST_NOTICE_SUBJECT.search(subject) is not None


# The fields a list server puts on each post it relays, beside its Precedence (issue #25):
# RFC 2369's List-Post (where to post; "NO" on a list nobody posts to, §3.4), ezmlm's and
# Google Groups' Mailing-List, Majordomo's X-Mailing-List, Mailman's X-BeenThere and
# X-Mailman-Version, Google Groups' X-Google-Group-Id, Ecartis' and Listar's X-list and
# X-ecartis-version / X-listar-version. Not List-Id or List-Unsubscribe alone: newsletter
# services write them on every mailing.
_LIST_RELAY_FIELDS = frozenset({"list-post", "mailing-list", "x-mailing-list", "x-beenthere", "x-mailman-version",
                                "x-google-group-id", "x-list", "x-ecartis-version", "x-listar-version"})


def relayed_by_list(msg: Message) -> bool:
    """Whether a list server relayed the message to its members, so that its Precedence
    (bulk, list or junk: Mailman, Sympa, ezmlm, Majordomo, Google Groups) is the list's,
    and says nothing of whether a person wrote it. Never a list's own notice (Mailman's
    X-List-Administrivia): the list wrote that."""
    names = {name.lower() for name in msg.keys()}
    fields = names & _LIST_RELAY_FIELDS
    if not fields or "x-list-administrivia" in names:
        return False
    return fields != {"list-post"} or header_text(msg, "list-post").lower() != "no"


# What list software answers about a post it does not distribute, in its own texts
# (folded, lines joined): it holds it for the moderator (an automatic answer), has no
# such list (the address is dead), the post is over the list's own size limit (the
# recipient's limit, SPEC §6), or refuses it (the sender or the message: not a member,
# not allowed to post, the moderator's refusal, a rule of the list's). Mailman 2.1
# (Handlers/Hold.py and its rejection texts, Moderate.py do_reject, templates/en/
# postheld.txt and refuse.txt), Mailman 3 (chains/hold.py, templates/en/list:user:notice:
# hold.txt and rejected.txt, the rules' reasons: moderation.py, max_size.py,
# implicit_dest.py, banned_address.py), Sympa (mail_tt2/delivery_status_notification.tt2,
# reject.tt2, message_report.tt2, report.tt2, list_unknown.tt2), mlmmj (listtexts/en/
# moderation-poster, subonlypost, maxmailsize, access, notintocc, and vger's HTML
# refusal), fml's (its non-member notice), ezmlm's and LISTSERV's "only subscribers may
# post", "not authorized to send mail to the LIST list", and Google Groups' "You do not
# have permission to post".
_LIST_HELD = LazyPattern(
    r"\bis being held until the list moderator|\bawaits moderator approval|\b(has been )?queued for approval"
    r"|\bhas been forwarded to the (list )?moderator|\b(is )?(awaiting|pending|waiting for) (the )?(moderator'?s? )?"
    r"(approval|moderation)|\bheld for (moderation|moderator approval|approval)")
_LIST_UNKNOWN = LazyPattern(r"\bis not a known mailing list|\blist '[^'\s]+' does not exist|^list unknown\b")
_LIST_TOO_BIG = LazyPattern(
    r"\bwas over the maximum size\b|\brejected due to the size limit|\bis larger than the \d+ kb maximum size"
    r"|\byour message was too big\b")
_LIST_REFUSED = LazyPattern(
    r"\b(you are|you're) not (allowed|authori[sz]ed|permitted) to (post|send (this message|mail|messages|e-?mail))"
    r"|\b(you do not|you don't) have permission to post|\bprohibit non-members from posting"
    r"|\bnon-members are not allowed to post|\byou are forbidden from posting|\bdeemed inappropriate by the moderator"
    r"|\bthis list is restricted; your message was not approved|\bimplicit destinations are not allowed"
    r"|\b(has been|was) rejected by the (list )?moderator|\bmailing-list was rejected for the following reasons"
    # Mailman 2's and 3's own subject for a moderator's refusal (ListAdmin.py; Mailman 3's
    # app/moderator.py), kept in English where the list's language translates the body,
    # and the refusal in the moderators' other languages.
    r"|\brequest to mailing list \S+ rejected|\b(rechazad[oa]|denegad[oa]) por (el|la|los) moderador"
    r"|\b(rejete|refuse)e? par (le|la|les) moderat|\bvom moderator abgelehnt|\b(rejeitad[oa]|recusad[oa]) pel[oa]s? moderador"
    r"|\brifiutat[oa] dal moderatore"
    r"|\bthe message is not from a list member|\bmessage has implicit destination|\bcomes from a moderated member"
    r"|\bis banned from this list|\bmessage \S+ for list '?\S+?'? has been rejected"
    r"|\bmessage distribution (in|for) (the|this) list is (restricted|not allowed)|\b(sorry, |and )only subscribers may post"
    r"|\bis a subscribers only list|\b(was not|was unable to be) delivered to the list because"
    r"|\bmatched a rule set up by the list administrator"
    # fml's refusal of a non-member's post ("You are not a member of this mailing list
    # <LIST>.", under "You ADDRESS are not member (LIST ML)").
    r"|\byou are not a member of this mailing list|\bare not member \(")
# A help desk's refusal to open a ticket for us: Request Tracker's MailError when the
# queue grants outsiders no CreateTicket right ("ADDRESS has no right to create tickets in
# queue QUEUE", subject "Permission Denied": lib/RT/Interface/Email.pm), our message
# returned. The lead's help desk's own settings, as a mailbox's filter is (owner_of).
_DESK_REFUSED = LazyPattern(r"\bhas no right to create tickets in queue\b|\bno (permission|right) to create (a )?tickets?\b")
# The verdict on each answer but the hold. A refusal is the list's policy towards our
# post ("blocked by policy": the remedy is to ask the list's administrator), not our
# sender address's set-up.
_LIST_VERDICTS = {"no list": Verdict(True, "userunknown", None, ADDRESS),
                  "too big": Verdict(False, "exceedlimit", None, MAILBOX),
                  "refused": Verdict(False, "policyviolation", None, SENDER),
                  "desk refused": Verdict(False, "filtered", None, MAILBOX)}
# Words one of the sentences above holds: a notice with none is not looked into (most
# machine-made mail is not a list's, and folding its text costs the inbox time).
_LIST_KEYS = ("list", "moderat", "approv", "post", "size", "too big", "allowed", "authori", "permitted", "implicit",
              "ticket")
MAX_LIST_NOTICE = 1500  # characters of a notice's text read: its template's words come first


@dataclass(frozen=True, slots=True)
class ListAnswer:
    kind: str   # "held", "no list", "too big", "refused" or "desk refused"
    words: str  # what the list says, for `show` and the review list


def list_answer(msg: Message, subject: str) -> ListAnswer | None:
    """What a list program's own notice says of our post, or None: the message must be
    a machine's (sent_by_mail_system: a list's -owner, -request, -bounces or +owner
    address, Auto-Submitted) or carry Mailman's X-List-Administrivia, so that a person
    who quotes a list's words (under its notice's subject too) is still a person."""
    if not (sent_by_mail_system(msg) or header_text(msg, "x-list-administrivia").lower() == "yes"
            or _fml_notice(msg)):
        return None
    text = _opening_text(own_parts(msg)) or ""
    joined = " ".join(f"{subject}\n{text[:MAX_LIST_NOTICE]}".split())
    lowered = joined.lower()
    if not any(key in lowered for key in _LIST_KEYS):
        return None
    words = fold(joined)
    if _LIST_HELD.search(words):
        return ListAnswer("held", subject)
    for kind, pattern in (("no list", _LIST_UNKNOWN), ("too big", _LIST_TOO_BIG), ("refused", _LIST_REFUSED),
                          ("desk refused", _DESK_REFUSED)):
        if pattern.search(words):
            # The notice's own opening, as the list wrote it (its templates say it first).
            return ListAnswer(kind, _short(text[:MAX_LIST_NOTICE]) or subject)
    return None


def _fml_notice(msg: Message) -> bool:
    """fml's own notice: its X-MLServer header, from the list's LIST-admin address (its
    maintainer), which its relayed posts do not come from."""
    from email.utils import parseaddr

    if msg.get("x-mlserver") is None and _FML_SUBJECT.match(header_text(msg, "subject")) is None:
        # (An archive keeps the subject, fml's own template's, and drops X-MLServer.)
        return False
    return parseaddr(header_text(msg, "from"))[1].lower().split("@", 1)[0].endswith("-admin")


# fml's non-member notice's subject (its templates: "You ADDRESS are not member (LIST ML)").
_FML_SUBJECT = LazyPattern(r"you \S+@\S+ are not member \(.+ ml\)\s*$", re.I)


def read_list_answer(msg: Message, answer: ListAnswer, *, own: set[str]) -> Report:
    """A list program's refusal or unknown-list notice read as a report: the addresses it
    names and the list's own posting address (its X-BeenThere, its List-Post) are the
    candidates, the original it returns the anchor (its Message-ID, its To), each with the
    list's verdict. Never the addresses it names to write to (LIST-owner, LIST-request, a
    postmaster): the list's own, not the list."""
    from .addresses import normalize_address
    from .errors import InvalidAddress

    report = read(msg, own=own)
    verdict = _LIST_VERDICTS[answer.kind]
    # Sympa writes the list's address in quotes ("List 'LIST' does not exist"), which an
    # address's local part may hold: they are not the list's.
    named = [failure.address.strip("'") for failure in report.failures]
    for name in ("x-beenthere", "list-post"):
        found = _ADDRESS.search(header_text(msg, name))
        if found:
            named.append(found.group(0))
    addresses = []
    for raw in named:
        try:
            address = normalize_address(raw)
        except InvalidAddress:
            continue
        if address not in own and address not in addresses and not names_mail_system(address):
            addresses.append(address)
    failures = tuple(Failure(address, verdict, answer.words) for address in addresses)
    original_ids = report.original_ids
    if not original_ids and answer.kind == "desk refused":
        # Request Tracker answers our message itself (In-Reply-To, References: its
        # Message-ID) and returns it as a part of no message type.
        original_ids = tuple(dict.fromkeys(_ANGLE_ID.findall(
            f"{header_text(msg, 'in-reply-to')} {header_text(msg, 'references')}")))
    return Report(failures, Failure(None, verdict, answer.words), original_ids, report.original_recipients)


def _ndr_signs(msg: Message) -> bool:
    """The other signs of a non-delivery report, for a message whose subject already
    reads as one (issue #25): a person writes from an address, a mail system may sign
    with a product name alone (McAfee WebShield: "From: Webshield SMTP V4.5 MR3 Mail
    Service"); its envelope sender is a mailer daemon's; or its text opens with the
    heading a report puts over the failed recipients. Never for a reply ("Re: …"): a
    person quoting a report is still a person."""
    from email.utils import parseaddr

    subject = header_text(msg, "subject")
    if writers_subject(subject) and not is_list_notice(msg, subject):
        return False
    if _system_without_address(header_text(msg, "from")):
        return True
    envelope = parseaddr(header_text(msg, "return-path"))[1].lower()
    if envelope.split("@", 1)[0] in BOUNCE_LOCAL_PARTS:
        return True
    return _opens_as_report(msg)


def _opens_as_report(msg: Message) -> bool:
    """The first text of the message opens with a report's heading (_NDR_HEADING)."""
    text = _opening_text(msg.walk())
    return text is not None and _NDR_HEADING.search(fold(text[:2000])) is not None


def _opening_text(parts) -> str | None:
    """The first plain text of `parts`, else the text of their first HTML (a gateway's
    or a client's HTML-only copy of a report); None when they have neither."""
    html_part = None
    for part in parts:
        kind = part.get_content_type()
        if kind == "text/plain":
            return _text(part)
        if kind == "text/html" and html_part is None:
            html_part = part
    return None if html_part is None else _html_text(_text(html_part)[:MAX_REPORT_TEXT])


def _machine_made(msg: Message) -> bool:
    """Signs that no person wrote the message: a From with no address that is empty or
    a mail system's name, an empty envelope sender, RFC 3834's Auto-Submitted, the
    X-Autogenerated and Precedence headers mail systems put on what they generate."""
    if _system_without_address(header_text(msg, "from")) or header_text(msg, "return-path") == "<>":
        return True
    auto_submitted = header_text(msg, "auto-submitted").lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return True
    return msg.get("x-autogenerated") is not None or \
        header_text(msg, "precedence").lower() in ("bulk", "junk") and not relayed_by_list(msg)


# Local parts of the accounts automated senders write from (beside BOUNCE_LOCAL_PARTS):
# the "no-reply" and notification senders, root and system accounts, and mailboxes named
# for non-delivery reports (Exchange's "NDR": "ndr@", "ndrgroup@"). Never the
# shared mailboxes people answer from (RFC 2142's info, sales, support…): a lead writes
# from those.
_SYSTEM_LOCAL_PARTS = ("noreply", "no-reply", "no_reply", "donotreply", "do-not-reply", "do_not_reply",
                       "notice", "notices", "notification", "notifications", "notify", "alert", "alerts",
                       "root", "system", "nobody", "ndr")


# The same senders named with a prefix or suffix: "jira-noreply", "noreply-dmarc-support",
# "automated-notifications", "info.noreply".
# Exchange's NDR mailboxes ("ndr@", "ndrgroup@", "ndr-1@"), never a person's name that
# starts so (the Albanian "Ndricim").
_NO_REPLY_LOCAL = LazyPattern(r"(?:^|[-_.+])(?:no-?reply|no_reply|do-?not-?reply|do_not_reply|donotreply"
                              r"|automated|auto-?reply|autoresponder)(?:[-_.+]|$)|^ndr(?:group)?(?:[-_.+\d]|$)")

# A mailing list's own addresses, which its software writes from (issue #25): RFC 2142
# §5's LIST-REQUEST, Mailman 2's and 3's LIST-owner, LIST-request and LIST-bounces (also
# in its VERP form, "LIST-bounces+ana=example.org"), Majordomo's owner-LIST. Never the
# bare words: "owner@" and "requests@" are shared mailboxes people answer from, as RFC
# 2142's info and sales are. mlmmj writes its notices from LIST+owner.
_LIST_SYSTEM_LOCAL = LazyPattern(r"^[^+]+-(?:owner|request|bounces)(?:\+|$)|^owner-[^+]|^[^+]+\+owner$")

_SYSTEM_SIGN_FIELDS = frozenset({"content-type", "x-failed-recipients", "x-autogenerated", "auto-submitted",
                                 "return-path", "precedence", "from"})


def sent_by_mail_system(msg: Message) -> bool:
    """Whether the message itself (not a part it carries) says a mail system wrote it:
    it IS a multipart/report (RFC 3462 §1: the type of mail system reports); it has an
    empty envelope sender (RFC 5321 §4.5.5: a non-delivery notification MUST be sent
    with a null reverse-path, which delivery records as "Return-Path: <>"; an absent
    Return-Path says nothing, archives and some IMAP stores drop it), Auto-Submitted (RFC
    3834 §5), Exim's X-Failed-Recipients, or the X-Autogenerated and Precedence headers
    of what mail systems generate; its From is empty, or names a mailer daemon, a
    postmaster or another automated sender, by its address or its display name."""
    from email.utils import parseaddr

    # The raw header lines: parsing each header costs the inbox time (as _attached_report).
    raw = {}
    for name, value in msg.raw_items():
        name = name.lower()
        if name in _SYSTEM_SIGN_FIELDS and name not in raw:
            raw[name] = " ".join(value.split())
    kind = raw.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind == "multipart/report" or "x-failed-recipients" in raw or "x-autogenerated" in raw:
        return True
    auto_submitted = raw.get("auto-submitted", "").lower()
    if raw.get("return-path") == "<>" or (auto_submitted and not auto_submitted.startswith("no")) or \
            raw.get("precedence", "").lower() in ("bulk", "junk") and not relayed_by_list(msg):
        return True
    sender = raw.get("from", "")
    if not _plain(sender):  # (a display name's raw bytes also break parseaddr)
        sender = header_text(msg, "from")
    return _system_without_address(sender) or names_mail_system(sender)


def names_mail_system(sender: str) -> bool:
    """Whether a From value names a mail system: a mailer daemon, a postmaster or
    another automated sender, by its address's local part or its display name. Never
    by its domain: a person's mailbox may sit at postmaster.co.uk (sender_words)."""
    from email.utils import parseaddr

    name, address = parseaddr(sender)
    local = (address or sender).strip().lower().split("@", 1)[0]
    if _daemon_local(local) or local in _SYSTEM_LOCAL_PARTS or _NO_REPLY_LOCAL.search(local) or \
            _LIST_SYSTEM_LOCAL.search(local):
        return True
    return _BOUNCE_SENDER.search(sender_words(sender)) is not None


def postmasters_own(sender: str) -> bool:
    """Whether a From is a domain's postmaster under no mail system's name
    ("postmaster@ferreteria-luna.example", "Ferretería Luna <postmaster@…>"): RFC 5321
    §4.5.1 has every domain keep one that a person reads, and that person (a small
    business's only address, often) answers from it. Its reports carry a report's signs
    (_report_signs); its mail with none, and no automatic answer's, is the person's."""
    from email.utils import parseaddr

    name, address = parseaddr(sender)
    return "@" in address and _POSTMASTER_LOCAL.match(address.lower()) is not None and \
        _BOUNCE_SENDER.search(name) is None


_POSTMASTER_LOCAL = LazyPattern(r"post[-_]?master\b")


def is_delivery_receipt(msg: Message) -> bool:
    """A delivery report in which every recipient's message arrived: RFC 3464 §2.3.3's
    Action "delivered", "relayed" or "expanded" in each block (Exchange's "Delivered:"
    receipt, an MTA's answer to NOTIFY=SUCCESS). A receipt, not a failure: the address
    it names in its text is the one the message reached."""
    kind = msg.get_content_type()
    if kind == "multipart/report":
        if (msg.get_param("report-type") or "").lower() != "delivery-status":
            return False
        parts = list(msg.walk())
    elif kind == "multipart/mixed" and isinstance(msg.get_payload(), list):
        # OpenSMTPD writes its reports, its receipt for NOTIFY=SUCCESS among them, as
        # multipart/mixed with a message/delivery-status part of its own (bounce.c):
        # only the top level's parts, never a report a person attached.
        parts = [part for part in msg.get_payload() if isinstance(part, Message)]
    else:
        return False
    actions = [block.get("action", "").lower()
               for part in parts
               if part.get_content_type() in ("message/delivery-status", "message/global-delivery-status")
               for block in _dsn_blocks(_text(part))]
    return bool(actions) and all(action.startswith(("delivered", "relayed", "expanded")) for action in actions)


def _rejection_mdn(msg: Message) -> bool:
    """A delivery agent's refusal sent as a message disposition notification, not a read
    receipt: Sieve's reject as RFC 3028 §4.1 specified it (an MDN whose disposition is
    "automatic-action/MDN-sent-automatically; deleted", kept by RFC 5429), which
    Dovecot's LDA and Cyrus write with "Auto-Submitted: auto-replied (rejected)" and
    the subject "Automatically rejected mail" (Dovecot's lib-lda/mail-send.c). Mailman's
    SimpleMatch.py reads its "Your message to X was automatically rejected" as a bounce."""
    if "(rejected)" in header_text(msg, "auto-submitted").lower():
        return True
    for part in msg.walk():
        if part.get_content_type() == "message/disposition-notification" and re.search(
                r"^disposition[ \t]*:[ \t]*automatic-action[^;\n]*;[ \t]*deleted", _text(part), re.I | re.M):
            return True
    return False


def read(msg: Message, *, own: set[str]) -> Report:
    """Candidates for failed recipients in a bounce. `own`: addresses that are never a
    candidate (the bounce's sender and recipient, our own addresses)."""
    from .addresses import normalize_address
    from .errors import InvalidAddress

    texts: list[str] = []
    dsn_blocks: list[dict[str, str]] = []
    originals: list[Message] = []
    dsn_texts: list[str] = []
    _collect(msg, texts, dsn_blocks, originals, dsn_texts, charset_hint(msg))

    report_text, inline_original = "", ""
    # In a report without RFC 3464 fields, a text part with no sign of a report beside
    # one that has them is the returned original's text, attached without its headers
    # (before or after the report): its addresses are the person's words, never failed
    # recipients.
    signs = [reads_as_report(text) for text in texts] if len(texts) > 1 and not dsn_blocks else []
    for index, text in enumerate(texts):
        if signs and not signs[index] and any(signs):
            inline_original = inline_original or text
            continue
        head, tail = _split_original(text)
        report_text += head + "\n"
        if tail and not inline_original:
            inline_original = tail
    report_text = report_text[:MAX_REPORT_TEXT]

    original_ids, original_to = _original_anchor(originals, inline_original)
    # A report's own pointer to what it returns (Gmail writes X-Original-Message-ID).
    for text in texts + dsn_texts:
        for match in re.finditer(r"^(?:x-)?original-message-id:[ \t]*(<[^<>\s]+>)", text, re.I | re.M):
            if match.group(1) not in original_ids:
                original_ids += (match.group(1),)
    ids = {i.strip("<>").lower() for i in original_ids}
    ids.update(i.strip("<>").lower() for i in _ANGLE_ID.findall(str(msg.get("message-id") or "")))

    def normal(raw: str) -> str | None:
        raw = raw.strip().strip("<>").rstrip(".").strip()
        if not raw or raw.lower() in ids:
            return None
        if raw.startswith("=?"):
            # A UTF-8 local part as an RFC 2047 word ("=?utf-8?B?8J+QiA==?=@example.org"), as
            # servers write one where a text keeps it undecoded (a report's fields as plain
            # text): the address it stands for.
            raw = _encoded_words(raw, lambda: None) or raw
        try:
            address = normalize_address(raw)
        except InvalidAddress:
            return None
        if address in own:
            return None
        return address

    reporter = reporter_of(msg)
    failures: dict[str, Failure] = {}
    dsn: dict[str, tuple] = {}
    nullmailer = _NULLMAILER.search(report_text) is not None
    # RFC 3464 fields first: they say who failed and how, one block per recipient.
    for block in dsn_blocks:
        # Both recipient fields: Original-Recipient is the address the sender gave (RFC
        # 3461 §4.2's ORCPT, leadloop's lead), Final-Recipient the one an alias or a
        # forward made of it (RFC 3464 §2.3.1-2); either may be the lead.
        addresses = [_field_address(block.get(name, ""), normal) for name in ("final-recipient", "original-recipient")]
        addresses = [a for a in dict.fromkeys(addresses) if a is not None and a not in dsn]
        if not addresses:
            continue
        action = block.get("action", "").lower()
        if action.startswith(("delivered", "relayed", "expanded")):
            continue
        diagnostic = block.get("diagnostic-code", "").split(";", 1)[-1].strip()
        status = _gave_up_on(_status_field(block.get("status", "")), diagnostic)
        remote = block.get("remote-mta", "").split(";", 1)[-1].strip() or None
        category = _CATEGORIES.get(block.get("x-powermta-bouncecategory", "").strip().lower()) or \
            reporter_reason(reporter, fold(diagnostic))
        if category is None and block.get("diagnostic-code", "").lower().startswith("x-unix") \
                and not _local_mailer_says_no_user(status, diagnostic) and not _local_mailer_says_full(diagnostic) \
                and _NO_LIST_EXIT.search(diagnostic) is None:
            # A local delivery program's exit (procmail, a filter script): its words are
            # its own, not the mail system's verdict on the address (sisimai: mailererror).
            category = "mailererror"
        delayed = _still_trying(block, nullmailer)
        gave_up = action.startswith("failed") or (action.startswith("delayed") and not delayed)
        for address in addresses:
            dsn[address] = (status, diagnostic, delayed, remote, category, gave_up)

    cleaned = _WRAPPED_TAIL.sub(r"\1 ", unwrap_x400(_ID_LINE.sub("", report_text)))
    cleaned = _ANGLE_ID.sub(lambda m: "" if m.group(0).strip("<>").lower() in ids else m.group(0), cleaned)
    named = []
    for match in _ADDRESS.finditer(cleaned):
        address = normal(match.group(0))
        if address is not None:
            named.append((match.start(), address))
    for raw in header_text(msg, "x-failed-recipients").split(","):
        address = normal(raw)
        if address is not None:
            named.append((-1, address))
    section = _LISTED_SECTION.search(cleaned)
    if section:
        # Only the recipients listed under the report's own heading failed; the
        # addresses further down are the directory's advice ("try NAME@cs.example.edu").
        listed = {normal(m.group(0)) for m in _ADDRESS.finditer(section.group("listed"))}
        named = [(position, address) for position, address in named if address in listed]
    xmail = _XMAIL_LINE.search(cleaned) if "XMail bounce:" in cleaned else None
    if xmail:
        # XMail's identifier line names the one recipient its report is about; the other
        # addresses are our own ("Mail From:") and those of the returned lines.
        named = [(position, address) for position, address in named if address == normal(xmail.group("rcpt"))]
    distinct = list(dict.fromkeys(address for _, address in named))

    for address, (status, diagnostic, delayed, remote, category, gave_up) in dsn.items():
        window = cleaned if len(distinct) <= 1 else _window(cleaned, named, address)
        expired = _ENVELOPE_EXPIRED.search(window) if delayed else None
        if expired:
            # (The heading's "delayed" and "temporary failure report" are not this line's.)
            delayed, gave_up, window = False, True, expired.group(0)
        category = category or reporter_reason(reporter, fold(window))
        verdict = _judge_text(status, diagnostic, window, delayed=delayed, gave_up=gave_up, address=address,
                              remote_host=remote or remote_host(diagnostic) or remote_host(window),
                              category=category)
        failures[address] = Failure(address, verdict, _short(diagnostic or server_words(window) or window))
    # (Its own sentence: fold() joins the lines a notice wraps.)
    notice_delayed = not dsn_blocks and (_DELAY_NOTICE.search(fold(cleaned)) is not None
                                         or _DELAY_SUBJECT.search(fold(header_text(msg, "subject"))) is not None)
    if not dsn:
        # No structured report: every address the report text names is a candidate.
        for address in distinct:
            window = cleaned if len(distinct) == 1 else _window(cleaned, named, address)
            category = reporter_reason(reporter, fold(window))
            verdict = _judge_text(None, window, address=address, remote_host=remote_host(window), category=category)
            if verdict.reason == "undefined" and window != cleaned:
                # Its own lines tell nothing: what the report says as a whole applies.
                verdict = _judge_text(None, cleaned, address=address, remote_host=remote_host(cleaned),
                                      delayed=notice_delayed)
            elif notice_delayed:
                verdict = _judge_text(None, window, address=address, remote_host=remote_host(window),
                                      category=category, delayed=True)
            failures[address] = Failure(address, verdict, _short(server_words(window) or window))

    statuses = [f.verdict.status for f in failures.values() if f.verdict.status]
    first_status = next((_gave_up_on(_status_field(b.get("status", "")),
                                     b.get("diagnostic-code", "").split(";", 1)[-1].strip())
                         for b in dsn_blocks if b.get("status")), None)
    delayed = any(_still_trying(b, nullmailer) for b in dsn_blocks) and not any(
        b.get("action", "").lower().startswith("failed") for b in dsn_blocks) or notice_delayed
    overall_words = " ".join(b.get("diagnostic-code", "") for b in dsn_blocks) + "\n" + cleaned
    said = server_words(cleaned) or cleaned
    # (What the recipients' own verdicts were read with: a report that gave up.)
    gave_up = any(b.get("action", "").lower().startswith("failed") for b in dsn_blocks)
    expired = _ENVELOPE_EXPIRED.search(cleaned) if delayed else None
    if expired:
        delayed, gave_up, overall_words, said = False, True, expired.group(0), expired.group(0)
    overall = Failure(None, _judge_text(first_status or (statuses[0] if statuses else None), overall_words,
                                        delayed=delayed, gave_up=gave_up, remote_host=remote_host(cleaned)),
                      _short(said))
    return _unicode_by_relay(Report(tuple(failures.values()), overall, original_ids, original_to))


def _unicode_by_relay(report: Report) -> Report:
    """A server that takes no address in Unicode refused an address whose local part is
    ASCII: such an address never needs SMTPUTF8, its domain goes in its ASCII form (RFC
    5890 §2.3.2.1; leadloop hands it over so, SPEC §5), so the server we send through
    wrote it in Unicode (Courier relays an IDN domain in its U-label). Ours, not the
    lead's mailbox's (delivery_status._NO_SMTPUTF8)."""
    def ascii_local(address: str) -> bool:
        return address.rpartition("@")[0].isascii()

    def ours(failure: Failure) -> bool:
        # (The report's verdict, naming nobody, by the returned original's recipients.)
        addresses = (failure.address,) if failure.address is not None else report.original_recipients
        return failure.verdict.reason == "nosmtputf8" and bool(addresses) and all(map(ascii_local, addresses))

    def owned(failure: Failure) -> Failure:
        return replace(failure, verdict=replace(failure.verdict, owner=SENDER)) if ours(failure) else failure

    if not any(map(ours, (*report.failures, report.overall))):
        return report
    return replace(report, failures=tuple(map(owned, report.failures)), overall=owned(report.overall))


# The last words of an indented line a copy re-wrapped onto a line of their own at the
# margin ("    host mx… 550 5.2.1 <ana@…>...\nUser Unknown"), between indented lines or
# before a blank one: never a recipient ("<…>", an address) nor a field of their own.
_WRAPPED_TAIL = LazyPattern(r"^([ \t]+\S[^\n]*)\n(?=[^\s<@:]{1,20}(?: [^\s<@:]{1,20}){0,3}\n(?:[ \t]+\S|\n))", re.M)


def _field_address(raw: str, normal) -> str | None:
    """The address in a recipient field ("rfc822; ana@…", an X.400 form, a bare address),
    also when writers add to it what RFC 3464 §2.3.2 does not: a comment ("(Ana Peña)",
    "(generated from …)"), a display name and angle brackets, quotes, a closing ";"."""
    if not raw.strip():
        return None
    kind, separator, value = raw.partition(";")
    if kind.strip().lower() in ("x400", "x-x400", "x-ms-exchange", "x-ex") or "=" in value:
        found = _ADDRESS.search(unwrap_x400(value))
        value = found.group(0) if found else value
    address = normal(value if separator else raw)
    if address is None:
        found = _ADDRESS.search(value if separator else raw)
        address = normal(found.group(0)) if found else None
    return address


# The signs of a report's own text: an enhanced status code (RFC 3463), a reply code
# with one, the RFC 3464 fields.
_REPORT_SIGN = LazyPattern(r"(?<![\w.])[245]\.\d{1,3}\.\d{1,3}(?![\w.])|^[ \t]*(?:final|original)-recipient[ \t]*:",
                          re.I | re.M)


def reads_as_report(text: str) -> bool:
    """Whether a text part says what failed: a status code, the RFC 3464 fields, a
    report's heading over the failed recipients, or the words of a cause."""
    from .delivery_status import reason_from_words

    opening = text[:MAX_REPORT_TEXT]
    if _REPORT_SIGN.search(opening):
        return True
    folded = fold(opening)
    return _NDR_HEADING.search(folded) is not None or reason_from_words(folded) is not None


def reads_as_report_heading(text: str) -> bool:
    """Whether `text` carries a report's own marks: a status code, the RFC 3464 fields,
    a heading over the failed recipients (not the words of a cause, which a person may
    write too)."""
    return _REPORT_SIGN.search(text) is not None or _NDR_HEADING.search(fold(text)) is not None


def has_header_lines(text: str) -> bool:
    """Whether `text` holds a message's header fields (a line of _HEADER_LINE's)."""
    return any(_HEADER_LINE.match(line) for line in text.split("\n"))


def _local_mailer_says_no_user(status: str | None, diagnostic: str) -> bool:
    """Whether a local mailer's exit (an X-Unix diagnostic, RFC 3464 §2.3.6) is "no such
    user". Sendmail and Postfix make a mailer's exit a status by the sysexits table
    (sysexits.h: EX_NOUSER 67 → 5.1.1 "User unknown", EX_NOHOST 68 → 5.1.2; Sendmail's
    sysexits.c, Postfix's sys_exits.c). Under 5.1.x the address's: Sendmail's own "User
    unknown", the bare exit it writes ("X-Unix; 67"), or the program's words when they
    themselves say the address is dead (a user's filter's "La cuenta de … ya no existe",
    procmail's "… No such user"). Any other words or exit are the program's own failure
    (sisimai: mailererror): procmail's bare "Couldn't create …" (issue #25 item 4)."""
    if not (status or "").startswith("5.1."):
        return False
    if _NO_USER_EXIT.search(diagnostic) is not None or _BARE_NO_USER_EXIT.match(diagnostic) is not None:
        return True
    from .delivery_status import HARD_REASONS, reason_from_words

    return reason_from_words(fold(diagnostic), status=status, grammar=True) in HARD_REASONS


def _local_mailer_says_full(diagnostic: str) -> bool:
    """Whether a local mailer's exit says the mailbox is full (maildrop's "maildir over
    quota", procmail's and dovecot-lda's quota errors): the mailbox's own state, as any
    server's "mailbox full" is, not the program's failure."""
    from .delivery_status import reason_from_words

    return reason_from_words(fold(diagnostic)) == "mailboxfull"


_NO_USER_EXIT = LazyPattern(r"^(?:5\d\d[ -])?(?:5\.1\.1 )?user unknown\b", re.I)
_BARE_NO_USER_EXIT = LazyPattern(r"^\s*6[78]\s*$")
# A list manager the address is piped to, saying it holds no such list: Schleuder's "No
# list found with this address", Mailman 2's scripts/post "post script, list not found:
# LIST", Sympa's queue "List unknown". The program that holds the address says it does
# not exist: the address's, in the sentences of a server's unknown list (delivery_status).
_NO_LIST_EXIT = LazyPattern("|".join(NO_LIST_SENTENCES), re.I)


def header_text(msg: Message, name: str) -> str:
    """A header field's text as a person reads it (issue #25), for bounces and classify
    alike: RFC 2047's encoded words decoded, and the bytes servers write raw read."""
    value = msg.get(name)
    if value is None:
        return ""
    text = str(value)
    # The email package keeps a field's 8-bit bytes as lone surrogates (surrogateescape)
    # and its parsed value reads them as UTF-8 where they are UTF-8 (RFC 6532) and as
    # U+FFFD where not (email.utils._sanitize); ISO-2022-JP's escapes, being 7-bit, stay
    # in it as they are. Only then is the raw field read again.
    if "\ufffd" in text or "\x1b" in text:
        text = _raw_header_text(msg, name.lower(), text)
    return " ".join(text.split())


def _raw_header_text(msg: Message, name: str, parsed: str) -> str:
    """The raw field read as decoded() reads a part's text: UTF-8, else the charset the
    message's text declares, else undeclared Chinese, Japanese or Korean, else Windows-
    1252; undeclared ISO-2022-JP (RFC 1468, which Japanese servers write in headers
    unencoded) read as such. Encoded words beside the raw bytes are decoded after."""
    raw = str(next((value for key, value in msg.raw_items() if key.lower() == name), ""))
    if raw.isascii() and "\x1b" not in raw:
        # The U+FFFD came from an encoded word: its charset one the email package reads
        # narrower than mail programs write it (GB2312 for GBK's, KS C 5601 for Windows-
        # 949's, Shift_JIS for Windows-31J's) or not at all (x-sjis): decoded() reads
        # those labels as WHATWG's Encoding Standard does.
        return _encoded_words(raw, charset_hint(msg)) or parsed
    data = re.sub(r"[\r\n]", "", raw).encode("utf-8", "surrogateescape")
    text = decoded(data, None, charset_hint(msg))
    if "\x1b" in text and data.isascii():
        # ISO-2022-JP broken midway (a subject cut short, a lost escape): what reads.
        text = _OPEN_JIS_RUN.sub(b"\\g<1>\x1b(B", data).decode("iso-2022-jp", "replace")
    if "=?" in text:
        text = str(_unstructured()(name, text))
    return text


def _encoded_words(raw: str, hint: Callable[[], str | None]) -> str:
    """An ASCII field's RFC 2047 words, each decoded by decoded() ("" when unreadable)."""
    from email.errors import HeaderParseError
    from email.header import decode_header

    try:
        parts = decode_header(raw)
    except HeaderParseError:  # (base64 that does not decode)
        return ""
    return "".join(part if isinstance(part, str) else decoded(part, charset, hint) for part, charset in parts)


# A run of JIS X 0208 holds only the bytes 0x21-0x7E (RFC 1468): one that a space or
# the field's end interrupts has lost its escape back to ASCII, and would swallow the
# rest of the field (a display name's, the address after it).
_OPEN_JIS_RUN = LazyPattern(rb"(\x1b\$[@B][\x21-\x7e]*)(?=[^\x1b\x21-\x7e]|$)")


def _plain(raw: str) -> bool:
    """Whether a raw field value reads as it is: no encoded word, no 8-bit byte, no
    ISO-2022-JP escape (else _header reads it)."""
    return raw.isascii() and "=?" not in raw and "\x1b" not in raw


@functools.cache
def _unstructured():
    """A header registry that reads every field as unstructured text: decoding encoded
    words anywhere, never raising on a broken address as the address parser does."""
    from email.headerregistry import HeaderRegistry

    return HeaderRegistry(use_default_map=False)


def _collect(part: Message, texts: list, dsn_blocks: list, originals: list, dsn_texts: list,
             hint: Callable[[], str | None] | None = None, *, returned: bool = False) -> None:
    """Walk the report: its text, its RFC 3464 fields, the original it returns. `hint`:
    the charset the report's text declares, for its undeclared 8-bit bytes. `returned`:
    `part` is what a report with fields of its own returns, never read as a report."""
    kind = part.get_content_type()
    if kind in ("message/rfc822", "message/global"):
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if isinstance(inner, Message):
            if not returned and _attached_report(part) is not None:
                # A report forwarded as an attachment: read the report itself.
                _collect(inner, texts, dsn_blocks, originals, dsn_texts, charset_hint(inner))
            else:
                originals.append(inner)
        return
    if kind in ("text/rfc822-headers", "message/rfc822-headers", "text/rfc822-header"):
        from email.parser import Parser

        # (header_memo's policy: a field the email package cannot parse reads as text.)
        originals.append(Parser(policy=header_memo.policy()).parsestr(_text(part), headersonly=True))
        return
    if kind == "message/disposition-notification":
        dsn_texts.append(_text(part, hint))  # a rejection's MDN: its Original-Message-ID
        return
    if kind in ("message/delivery-status", "message/global-delivery-status", "text/delivery-status"):
        dsn_texts.append(_text(part, hint))
        dsn_blocks.extend(_dsn_blocks(dsn_texts[-1]))
        return
    if part.is_multipart():
        children = [child for child in part.get_payload() if isinstance(child, Message)]
        # A report with fields of its own returns the message it failed to deliver; when
        # that message is itself a report (a double bounce: an expired postmaster notice
        # returning an older one), its recipients and words are not this report's.
        returns = kind == "multipart/report" and any(
            child.get_content_type() in ("message/delivery-status", "message/global-delivery-status")
            for child in children)
        for child in children:
            _collect(child, texts, dsn_blocks, originals, dsn_texts, hint, returned=returns)
        return
    broken = part.get_content_maintype() == "multipart"  # no boundary found: read it as text
    if part.get_content_maintype() == "text" or kind == "application/octet-stream" or broken:
        text = _text(part, hint)
        if kind == "text/html" or HTML_START.match(text):
            # (HTML labelled text/plain, as some gateways send their notices.) A
            # paragraph's tag leaves a space before the returned header's first field.
            text = _HTML_FIELD_INDENT.sub("", _html_text(text))
        if broken:
            # Its boundary lines and part headers are not the report's words.
            text = _MIME_SEAMS.sub("", text)
        blocks = _dsn_blocks(text) if re.search(r"^final-recipient\s*:", text, re.I | re.M) else []
        dsn_blocks.extend(blocks or _ses_blocks(text))
        texts.append(text)


_HTML_FIELD_INDENT = LazyPattern(r"^ (?=(?:received|return-path|message-id|from|to|subject|date)[ \t]*:)", re.I | re.M)
# (A delimiter line may end in white space, RFC 2046 §5.1.1's transport padding, and in CR.)
_MIME_SEAMS = LazyPattern(r"^(?:[ \t]*boundary=.*\n|-{2,}\S*[ \t\r]*\n(?:content-[\w-]+:.*\n(?:[ \t]+.*\n)*)*)",
                         re.I | re.M)


# (Its quotes as HTML writes them too, and in any case: a client's HTML-only copy, an
# old system's capitals.)
_SES_BOUNCE = LazyPattern(rb'notificationType\\?(?:"|&quot;)\s*:\s*\\?(?:"|&quot;)Bounce', re.I)
# The line XMail opens its bounce with, "[<00>] XMail bounce: Rcpt=[RECIPIENT];Error=[REPLY]"
# (its QueueUtils.cpp, QueUtBuildErrorResponse: "Write XMail bounce identifier"), over
# its "[<01>] Error sending message …" section and, below "[<05>] Here is listed the
# initial part of the message:", the returned original.
_XMAIL_BOUNCE = b"[<00>] XMail bounce: Rcpt=["
# A report's own words that it is a warning and the server goes on trying (folded):
# the plain-text delay notices that carry no "Action: delayed" (RFC 3464 §2.3.3) say so
# in a sentence of their own, whatever the cause they quote. Postfix's "THIS IS A
# WARNING ONLY… It will be retried until it is 5 day(s) old", Sendmail's "Warning:
# message still undelivered after 4 hours / Will keep trying until…", Google's "THIS IS A
# WARNING MESSAGE ONLY… Message will be retried for 2 more day(s)", NTMail's "Attempts to
# deliver your message will continue", Exchange's "This message hasn't been delivered
# yet. Delivery will continue to be attempted." and its translations ("Se seguirá
# intentando…", "Es wird weiterhin versucht…", "Fler försök att leverera kommer att
# göras"), MDaemon's "I tentativi di recapito continueranno", Citadel's "Citadel will
# continue attempting delivery for five days". Never the server's answer
# ("try again later" is its reason, not a promise to retry).
_DELAY_NOTICE = LazyPattern(
    r"this is a warning (message )?only|warning message only|(do not|don't) need to re-?send (your|the|this) message"
    r"|will (be retried|keep trying|continue to be (retried|attempted)|continue (to )?(retry|retrying|try|trying|attempt"
    r"|attempting))"
    r"|(attempts to deliver (your|the|this) message|delivery attempts) will continue|still undelivered after"
    r"|ha(s|sn't|s not) been delivered yet|se seguira intentando|es wird weiterhin versucht"
    r"|fler forsok att leverera kommer att goras|i tentativi di recapito continueranno"
    r"|si continuera a tentare|continuaremos tentando|er wordt nog (steeds )?geprobeerd")

# The subjects of delay warnings (folded): Sendmail's "Warning: could not send message
# for past 4 hours", Exim's "Warning: message ID delayed N hours", Google's "Delivery
# Status Notification (Delay)", Postfix's "Delayed Mail (still being retried)",
# Exchange's "Delivery delayed:" and its translations. They decide where the text says
# nothing of its own (an archive scrubbed it).
_DELAY_SUBJECT = LazyPattern(
    r"warning: could not send message for past|warning: message \S+ delayed|notification \(delay\)"
    r"|delayed mail \(still being retried\)|delivery delayed:|entrega retrasada:|zustellung verzogert:"
    r"|remise retardee ?:|recapito ritardato:|entrega atrasada:")

_NULLMAILER = LazyPattern(r"^This is the nullmailer delivery system\.", re.M)


def _still_trying(block: dict[str, str], nullmailer: bool) -> bool:
    """Whether a recipient's block is a delay its server still retries (RFC 3464's
    "Action: delayed"). Not nullmailer's: nullmailer-send writes no delay notice, it calls
    nullmailer-dsn only when it moves a message into its failed queue (a refusal, or
    queuelifetime run out, send.cc), and nullmailer-dsn heads a 4.x.x status "delayed"
    unless told until when it retries (dsn.cc's --retry-until, its Will-Retry-Until)."""
    return block.get("action", "").lower().startswith("delayed") and not (
        nullmailer and "will-retry-until" not in block)

# OpenSMTPD's own words for an envelope whose queue time ran out (smtpd/queue.c): the
# end of its tries, which 6.x (Debian bookworm's 6.8 among them) reports under its delay
# notice's heading and "Action: delayed" (a bug fixed upstream, OpenSMTPD pull request
# 1133). Nothing is retried after it: a failure of the lead's mailbox, not a delay.
_ENVELOPE_EXPIRED = LazyPattern(r"^[ \t]*\S+@\S+: envelope expired[ \t]*$", re.M | re.I)

_XMAIL_LINE = LazyPattern(r"^[ \t]*\[<00>\] XMail bounce: Rcpt=\[(?P<rcpt>[^\]\n]*)\];Error=\[", re.M)


def _ses_blocks(text: str) -> list[dict[str, str]]:
    """Amazon SES's JSON bounce notification (as SNS mails it) read as RFC 3464 fields:
    one block per bounced recipient, with its status and diagnostic code (after
    sisimai's Sisimai::Lhost::AmazonSES)."""
    import json

    start = text.find("{")
    if start < 0 or not _SES_BOUNCE.search(text[start:start + 1000].encode("utf-8", "replace")):
        return []
    end = text.rfind("}", start)
    # SNS folds long lines with "!" at the end and a space at the start of the next (a
    # copy may add white space after the "!" or drop or change the space).
    payload = re.sub(r"![ \t]*\r?\n[ \t]?", "", text[start:end + 1])
    if "notificationType" not in payload:
        # An old system's copy in capitals: "NOTIFICATIONTYPE", and JSON's FALSE.
        payload = re.sub(r"(?<=[:\[,])(\s*)(TRUE|FALSE|NULL)(?=\s*[,\]}])", lambda m: m.group().lower(), payload)
    if "\n" in payload:
        # One line as SNS writes it: a copy that re-wrapped it at words broke its strings.
        payload = re.sub(r"[ \t]*\r?\n[ \t]*", " ", payload)
    try:
        notification = json.loads(payload, object_hook=_lower_names)
        if isinstance(notification.get("message"), str):
            # inside SNS's own envelope
            notification = json.loads(notification["message"], object_hook=_lower_names)
        recipients = notification["bounce"]["bouncedrecipients"]
    except (ValueError, KeyError, TypeError, AttributeError):
        return []
    if str(notification.get("notificationtype")).lower() != "bounce" or not isinstance(recipients, list):
        return []
    permanent = str(notification["bounce"].get("bouncetype")).lower() == "permanent"
    blocks = []
    for recipient in recipients:
        if isinstance(recipient, dict) and recipient.get("emailaddress"):
            blocks.append({
                "final-recipient": f"rfc822; {recipient['emailaddress']}",
                "action": str(recipient.get("action") or ("failed" if permanent else "delayed")).lower(),
                "status": str(recipient.get("status") or ""),
                "diagnostic-code": str(recipient.get("diagnosticcode") or ""),
            })
    return blocks


def _lower_names(pairs: dict) -> dict:
    return {name.lower() if isinstance(name, str) else name: value for name, value in pairs.items()}


def _text(part: Message, hint: Callable[[], str | None] | None = None) -> str:
    payload = part.get_payload(decode=True)
    if payload is None:
        payload = part.get_payload()
        if isinstance(payload, list):
            # message/delivery-status parsed as a list of header blocks. A line the
            # parser could not read as a field ends a block's fields and starts its
            # "body" (a wrapped diagnostic with no leading white space): kept, in place.
            return damage.unmasked("\n\n".join(
                "\n".join([f"{k}: {_field_value(v, raw, hint)}"
                           for (k, v), (_, raw) in zip(block.items(), block.raw_items())] + [_block_rest(block, hint)])
                for block in payload if isinstance(block, Message)))
        return str(payload)
    text = decoded(damage.undecoded(part, payload), part.get_content_charset(), hint)
    # (What a copy did to the words undone: UTF-8 read as Windows-1252, letters lost as "?".)
    return damage.unmasked(damage.unmojibaked(text))


# Labels whose text is Windows-1252's: the WHATWG Encoding Standard (encoding.spec.whatwg.org,
# "windows-1252" labels) reads them so, as mail programs do; a server that declares
# Latin-1 writes Windows' apostrophes and dashes (0x92, 0x96) all the same.
_WINDOWS_1252_LABELS = frozenset({"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "ascii", "us-ascii",
                                  "cp1252", "windows-1252", "x-cp1252", "cp819", "ibm819", "iso_8859-1"})


# Labels mail programs write that Python's codecs do not know, and labels whose text is
# written in the Windows superset of the charset they name: the WHATWG Encoding Standard's
# label table (encoding.spec.whatwg.org, "Legacy multi-byte" and "single-byte" encodings:
# Shift_JIS is read as Windows-31J, GB2312 and GBK as GB18030, EUC-KR as windows-949,
# TIS-620 as windows-874, ISO-8859-8-I as ISO-8859-8). Decoding with the superset loses
# nothing the narrower charset had.
_CHARSET_LABELS = {
    "x-sjis": "cp932", "sjis": "cp932", "shift_jis": "cp932", "shift-jis": "cp932", "ms_kanji": "cp932",
    "windows-31j": "cp932", "csshiftjis": "cp932", "x-euc-jp": "euc_jp",
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "euc-cn": "gb18030", "cp936": "gb18030",
    "csgb2312": "gb18030", "chinese": "gb18030",
    "euc-kr": "cp949", "ks_c_5601-1987": "cp949", "ks_c_5601-1989": "cp949", "ksc5601": "cp949",
    "windows-949": "cp949", "x-windows-949": "cp949",
    "tis-620": "cp874", "windows-874": "cp874", "iso-8859-11": "cp874",
    "iso-8859-8-i": "iso-8859-8", "x-mac-cyrillic": "mac_cyrillic", "x-mac-roman": "mac_roman",
    "unknown-8bit": "", "x-unknown": "", "x-user-defined": "", "unknown": "",
}


def decoded(payload: bytes, charset: str | None, hint: Callable[[], str | None] | None = None) -> str:
    """A part's text. The declared charset when it reads the bytes; 8-bit bytes under no
    charset, US-ASCII (RFC 2045 §5.2's default), or a charset they are not in: UTF-8 when
    they are UTF-8, else the charset the report's other text declares (`hint`: a Russian
    server's koi8-r text part beside its undeclared fields; asked only then), else the
    Chinese, Japanese or Korean charset they read as (_east_asian), else Windows-1252,
    the 8-bit charset servers write undeclared."""
    charset = (charset or "").lower().strip()
    charset = _CHARSET_LABELS.get(charset, charset)
    own = bool(charset) and charset not in _WINDOWS_1252_LABELS and charset not in ("utf-8", "utf8")
    if not own and payload.isascii():
        if b"\x1b$" in payload:
            # ISO-2022-JP's escape into JIS X 0208 (RFC 1468), a 7-bit code sent undeclared.
            try:
                return payload.decode("iso-2022-jp")
            except UnicodeDecodeError:
                pass
        return payload.decode("ascii")
    if own:  # ISO-2022-JP and UTF-7 are 7-bit codes: never ASCII's bytes read as ASCII
        try:
            return payload.decode(charset)
        except LookupError:
            pass  # a label Python does not know: read the bytes as below
        except UnicodeDecodeError:
            return payload.decode(charset, "replace")  # a stray byte in its own charset
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if (text := _mostly_utf8(payload)) is not None:
        return text
    if hint is not None and (report_charset := hint()):
        try:
            return payload.decode(_CHARSET_LABELS.get(report_charset, report_charset))
        except (LookupError, UnicodeDecodeError):
            pass
    if (text := _east_asian(payload)) is not None:
        return text
    return payload.decode("windows-1252", "replace")


def _mostly_utf8(payload: bytes) -> str | None:
    """UTF-8 with a stray byte (a gateway's cut, one character pasted from elsewhere):
    its other characters are valid multi-byte sequences, which 8-bit text in another
    charset almost never forms (a Latin-1 accented capital before a symbol, a Windows-
    1251 pair now and then), so as many valid sequences as bad bytes say UTF-8. Read so,
    one character is lost, not every accent of the text."""
    text = payload.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    good = sum(1 for char in text if char > "\x7f") - bad
    return text if good >= bad else None


# Chinese, Japanese and Korean servers write their reports and answers in their legacy
# multi-byte charset, often with no label at all. Each is tried as the WHATWG Encoding
# Standard reads it (its superset: Windows-31J for Shift_JIS, Windows-949 for EUC-KR,
# GB18030 for GB2312, Big5-HKSCS for Big5) beside the charset whose characters are the
# common ones (JIS X 0208, KS X 1001, GB2312, Big5): the bytes must decode strictly, and
# nearly all of the text's other characters must be common ones of the language's
# script (kana and kanji, Hangul, hanzi; CJK punctuation and full-width forms in each).
# Each language has a mark of its own besides. Japanese writes kana (kanji alone read as
# Chinese: the same characters). Korean writes particles and endings, and is tried
# before Chinese: KS X 1001's Hangul rows are GB2312's commonest hanzi rows, so a Korean
# text reads as Chinese too, and a short Chinese one as Hangul ("回复", "쀼릿"), but
# seldom as Hangul with Korean's grammar in it. Chinese puts no space between its
# characters, as Korean does between words, and as Cyrillic text read as hanzi would
# (a Russian word of even length is a run of hanzi).
_CJK_PUNCTUATION = "\u2010-\u203b\u25a0-\u25ff\u3000-\u303f\uff01-\uff60\uffe0-\uffe6"
_KANA = "\u3041-\u30ff"


def _script(characters: str, mark: str | None = None, unspaced: bool = False) -> tuple:
    """A script's characters; their runs; those beside a Latin letter; the language's
    mark (a tenth of the characters at least); and, for a language that writes no space
    between its characters, two with a space between."""
    return (LazyPattern(characters), LazyPattern(characters + "{2,}"),
            LazyPattern(f"(?<=[A-Za-z]){characters}|{characters}(?=[A-Za-z])"),
            mark and LazyPattern(mark), unspaced and LazyPattern(f"{characters} (?={characters})"))


_JAPANESE = _script(f"[{_KANA}\u4e00-\u9fff{_CJK_PUNCTUATION}]", mark=f"[{_KANA}]")
# Korean's mark is its particles and verb endings (이 가 은 는 을 를 의 에 로, 하 합 했 다 니 요
# 습 세 고 게 지 기…), which GB2312 reads as hanzi a Chinese text seldom writes (捞 篮 绰 阑 甫
# 狼 俊 肺…); never 와 (客), 만 (父), 할 (且) or 있 (乐), which are common ones.
_KOREAN = _script(f"[\uac00-\ud7a3{_CJK_PUNCTUATION}]", mark="[이가은는을를의에로과도서하한합해했다니요습세고게지기]")
_CHINESE = _script(f"[\u4e00-\u9fff{_CJK_PUNCTUATION}]", unspaced=True)
_EAST_ASIAN_CHARSETS = (("cp932", "cp932", _JAPANESE), ("euc_jp", "euc_jp", _JAPANESE), ("cp949", "euc_kr", _KOREAN),
                        ("gb18030", "gb2312", _CHINESE), ("big5hkscs", "big5", _CHINESE))
_ASCII_BYTES = bytes(range(128))
_EAST_ASIAN_SAMPLE = 16_384  # bytes judged: the rest of a long text costs its decoding alone


def _east_asian(payload: bytes) -> str | None:
    """Undeclared Chinese, Japanese or Korean text, or None (then Windows-1252 reads it).
    Its guards are what 8-bit Western text never has: a fifth of its bytes or more above
    0x7F (Spanish, French, German or Portuguese text carries a few in a hundred), and
    characters written in runs, most of them away from Latin letters. An accented letter
    stands inside a word, one or two at a time: "Ação" read as GB18030 is one hanzi
    between "A" and "o", "Továbbítás" read as Big5 "Tov墎b癃嫳" (a Big5 or Shift_JIS
    character's second byte may be an ASCII letter's)."""
    sample = payload if len(payload) <= _EAST_ASIAN_SAMPLE else payload[:_EAST_ASIAN_SAMPLE]
    if len(sample.translate(None, _ASCII_BYTES)) * 5 < len(sample):
        return None
    best, best_share = None, 0.0
    for charset, common, (characters, runs, beside_letter, mark, spaced) in _EAST_ASIAN_CHARSETS:
        try:
            # (a character the sample's end cuts is left out, not an error)
            text = sample.decode(charset) if sample is payload else codecs.getincrementaldecoder(charset)().decode(sample)
        except UnicodeDecodeError:
            continue
        native = sum(1 for char in characters.findall(text) if _is_common(char, common))
        if native < 2 or sum(map(len, runs.findall(text))) * 2 < native \
                or len(beside_letter.findall(text)) * 2 > native \
                or (mark and len(mark.findall(text)) * 10 < native) \
                or (spaced and len(spaced.findall(text)) * 10 >= native):
            continue
        share = native / (len(text) - len(text.encode("ascii", "ignore")))
        # Nearly all (a rare character or a symbol aside); a tie keeps the earlier reading.
        if share >= 0.9 and share > best_share:
            best, best_share = charset, share
    # Beyond the sample, a stray byte costs one character, as in a text's declared charset.
    return None if best is None else payload.decode(best, "replace")


@functools.lru_cache(maxsize=4096)
def _is_common(char: str, charset: str) -> bool:
    """The character is one of the narrower charset's two-byte ones (Windows-949's 8,822
    added Hangul are encoded by EUC-KR's eight-byte make-up sequences: never common)."""
    try:
        return len(char.encode(charset)) == 2
    except UnicodeEncodeError:
        return False


def charset_hint(msg: Message) -> Callable[[], str | None]:
    """_declared_charset(msg), looked up once and only when asked."""
    return functools.cache(functools.partial(_declared_charset, msg))


def _declared_charset(msg: Message) -> str | None:
    """The first charset a text part of the report declares, other than ASCII's and
    UTF-8's (the parts a report returns are not looked into)."""
    for part in own_parts(msg):
        charset = (part.get_content_charset() or "").lower()
        if part.get_content_maintype() == "text" and charset and charset not in _WINDOWS_1252_LABELS \
                and charset not in ("utf-8", "utf8"):
            return charset
    return None


def own_parts(part: Message):
    """The message's own leaf parts, never those of a message it carries."""
    if part.get_content_maintype() == "message":
        return
    if part.is_multipart():
        for child in part.get_payload():
            if isinstance(child, Message):
                yield from own_parts(child)
    else:
        yield part


def _block_rest(block: Message, hint: Callable[[], str | None] | None) -> str:
    rest = block.get_payload(decode=True)  # the bytes: get_payload() turns 8-bit text into U+FFFD
    return decoded(rest, None, hint).strip("\r\n") if isinstance(rest, bytes) else ""


def _field_value(value: str, raw: str, hint: Callable[[], str | None] | None) -> str:
    """A field's value as its bytes say. 8-bit bytes are kept by the email package as
    lone surrogates (surrogateescape), which its parsed value turns into U+FFFD: RFC
    6533's message/global-delivery-status carries UTF-8 in its fields, and servers put
    8-bit words in message/delivery-status too; ISO-2022-JP's escapes are 7-bit."""
    if raw.isascii() and "\x1b" not in raw:
        return value
    return decoded(raw.encode("utf-8", "surrogateescape"), None, hint)


HTML_START = LazyPattern(r"\s*(?:<!doctype html|<html\b)", re.I)


def _html_text(html_text: str) -> str:
    import html

    text = re.sub(r"<(style|script)[^>]*>.*?</\1>", "", html_text, flags=re.I | re.S)
    # A line break and the source's own line end after it are one line end, as a
    # browser shows them: lines that follow each other stay together (a paragraph's end
    # and the source's line end still leave the blank line a paragraph shows).
    text = re.sub(r"<br\b[^>]*>[ \t]*\r?\n?", "\n", text, flags=re.I)
    text = re.sub(r"<(/p|/div|/tr|/td|/li)[^>]*>", "\n", text, flags=re.I)
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


def _dsn_blocks(text: str) -> list[dict[str, str]]:
    """Per-recipient field blocks of an RFC 3464 report (continuation lines unfolded)."""
    blocks, current, last = [], {}, None
    for line in text.replace("\r\n", "\n").split("\n"):
        if not line.strip():
            if current:
                blocks.append(current)
            current, last = {}, None
            continue
        if line[:1] in (" ", "\t") and last:
            current[last] += " " + line.strip()
            continue
        match = _DSN_FIELD.match(line)
        if match:
            last = match.group(1).lower()
            current[last] = match.group(2).strip()
        elif last in ("diagnostic-code", "final-recipient", "original-recipient") and not _ANY_FIELD.match(line):
            # A server's words wrapped without the leading white space of a folded line
            # (RFC 5322 §2.2.3), as some writers (and RFC 3464's own example, copied)
            # do: still the diagnostic, not a field of its own; so is a long X.400
            # recipient a copy re-wrapped ("/PRMD=Corp/RFC-822=ana(a)example.org/").
            current[last] += (" " if last == "diagnostic-code" else "") + line.strip()
        else:
            last = None
    if current:
        blocks.append(current)
    named: list[dict[str, str]] = []
    for block in blocks:
        if "final-recipient" in block or "original-recipient" in block:
            named.append(block)
        elif named and "status" not in named[-1] and "action" not in named[-1]:
            # A blank line some writers put inside a recipient's fields: the status and
            # the diagnostic that follow are still that recipient's.
            named[-1] = {**block, **named[-1]}
    return named


# Recipients in X.400 and Exchange 5.5 forms (issue #25 item 3): an O/R address whose
# domain-defined attribute carries the Internet address, "c=US;a= ;p=Org;o=Site;
# dda:SMTP=user@example.com;" (Exchange 5.5's NDRs and X400 Final-Recipient fields), and
# RFC 2156's "RFC-822=user(a)example.com" with its "(a)" for "@" and other escapes.
_X400_SMTP = LazyPattern(r"\b(?:dda:)?(?:smtp|rfc-?822|internet)=(?=[^\s;/=]+(?:@|\(a\)))", re.I)
_RFC2156_ESCAPES = {"(a)": "@", "(p)": "%", "(b)": "!", "(q)": '"', "(u)": "_", "(l)": "(", "(r)": ")"}
_RFC2156_ADDRESS = LazyPattern(r"(?<![\w.@-])([\w.!#$%&'*+/=?^`{|}~-]+(?:\([abpqulr]\)[\w.!#$%&'*+/=?^`{|}~-]+)*)"
                              r"\(a\)([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)", re.I)


def unwrap_x400(text: str) -> str:
    """The Internet addresses inside X.400 / Exchange 5.5 recipient forms, written plainly."""
    if "=" not in text and "(a)" not in text.lower():
        return text
    text = _X400_SMTP.sub(" ", text)

    def plain(match: re.Match) -> str:
        local = match.group(1)
        for code, char in _RFC2156_ESCAPES.items():
            local = re.sub(re.escape(code), lambda _: char, local, flags=re.I)
        return f"{local}@{match.group(2)}"

    return _RFC2156_ADDRESS.sub(plain, text)


def _status_field(value: str) -> str | None:
    match = re.search(r"([245])\.(\d{1,3})\.(\d{1,3})", value)
    return ".".join(match.groups()) if match else None


_TEMPORARY_POLICY_ANSWER = LazyPattern(r"^4\d\d[ -]4\.(7\.\d{1,3})\b")


def _gave_up_on(status: str | None, diagnostic: str) -> str | None:
    """The status of a recipient given up on: a server that stops retrying a temporary
    answer may write it in the permanent class with the answer's subject and detail (mox:
    "Status: 5.7.1" for the "451 4.7.1 Greylisting in action" it met to the end). A
    permanent X.7 is a refusal of policy, ours (owner_of), where the answer only asked
    to try later: its own 4.7.Y stands, and its words say whose it is. (Other subjects
    mean the same in either class: 5.2.2 for "452 4.2.2" is still a full mailbox.)"""
    if status is None or not status.startswith("5.7."):
        return status
    answer = _TEMPORARY_POLICY_ANSWER.match(diagnostic)
    if answer is not None and answer.group(1) == status[2:]:
        return "4." + status[2:]
    return status


def _split_original(text: str) -> tuple[str, str]:
    """(report, returned original) of a plain-text report: the original starts at a
    separator line, or at the first run of its header lines. A header block from a
    mailer daemon is a forwarded report's own (its text follows), never leadloop's
    message."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    quoted = ""
    if "\n>" in text or "\n >" in text or text.lstrip(" \t").startswith(">"):
        # The returned lines quoted with ">", wherever they stand: never the report's.
        quoted = "".join(block.group(0) for block in _QUOTED_RUN.finditer(text))
        text = _QUOTED_RUN.sub("", text)
    start, report = 0, ""
    while True:
        cut = _original_start(text, start)
        if cut is None:
            return report + text[start:], quoted
        after = _forwarded_report_head(text, cut)
        if after is None:
            return report + text[start:cut], quoted or text[cut:]
        # The forwarded report's header fields name its daemon and our address: not
        # the report's words.
        report += text[start:cut]
        start = after


# Lines quoted with ">" (RFC 3676 §4.5's quote marks, as hosted services return "the first
# lines of your message" and MDaemon its "RE:" answers), two or more in a row: the
# returned original, never the report's own words, whatever introduces them or not.
# Not Sendmail's transcript (">>> RCPT To:<…>", then "<<< 550 …").
_QUOTED_RUN = LazyPattern(r"(?:^[ \t]*>(?!>>[ \t])[^\n]*(?:\n|\Z)){2,}", re.M)


def _original_start(text: str, start: int) -> int | None:
    cut = None
    mark = _ORIGINAL_MARK.search(text, start)
    if mark:
        cut = mark.start()
    lines = text[start:].split("\n")
    position = start
    for index, line in enumerate(lines):
        if cut is not None and position >= cut:
            break
        if _HEADER_LINE.match(line):
            # A header block: more header lines follow (folded lines aside, also those of
            # a Received field a copy dedented: "by host", "with ESMTP", "(envelope-from").
            following = [l for l in lines[index + 1:index + 20]
                         if l and not l[:1].isspace() and not _RECEIVED_CLAUSE.match(l)]
            if sum(1 for l in following[:3] if _ANY_HEADER.match(l)) >= 2 and not _quoted_fields(text, position):
                cut = position
                # The extension fields a transport writes on top of a header block
                # ("X-Envelope-From:", "X-Original-To:") are the block's too.
                while index and _EXTENSION_FIELD.match(lines[index - 1]):
                    index -= 1
                    cut -= len(lines[index]) + 1
                break
        position += len(line) + 1
    return cut


_RECEIVED_CLAUSE = LazyPattern(r"(?:by|with|id|for|via)[ \t]|[(;]")
_EXTENSION_FIELD = LazyPattern(r"x-[\w-]+:[ \t]*\S", re.I)


# The From field of a header block a mail program writes over what it forwards, in its
# languages (Outlook's "De:", "Von:", "Da:", "Van:", "Fra:", "Från:", "Od:", "Mittente:",
# "Afzender:", "Lähettäjä:", "Kimden:", "От:", "发件人:"), also quoted with ">" and
# folded (accents off).
FORWARD_BLOCK_FROM = LazyPattern(r"^[ \t>]*(?:from|de|von|da|van|fra|från|fran|od|mittente|afzender|lähettäjä"
                                r"|lahettaja|kimden|от|发件人)[ \t]*:[ \t]*(.+)$", re.I | re.M)
# A field of that block: localised names may be words ("Enviado el:", "Envoyé :").
_FORWARD_BLOCK_FIELD = LazyPattern(r"^[\w-]+(?: [\w-]+){0,2}[ \t]*:")


def _forwarded_report_head(text: str, cut: int) -> int | None:
    """Where the text after the header block at `cut` starts, when that block is a
    forwarded report's own header (its From a mailer daemon's or a postmaster's, by
    address or by name: an NDR group or a person forwarding the report inline, "----
    Forwarded Message: ----\nFrom: postmaster@…", Outlook's "From: MAILER-DAEMON@…
    [mailto:…]\nSent: …" or "De: Mail Delivery System [mailto:…]"); None when it is the
    returned original. The block ends at its blank line or, where a copy lost it (a
    paste, a web archive), at the first line that is no header field."""
    end = text.find("\n\n", cut, cut + 2000)
    position = cut
    for line in text[cut:cut + 2000].split("\n"):
        if end >= 0 and position >= end:
            break
        if position > cut and line and not line[:1].isspace() and not _FORWARD_BLOCK_FIELD.match(line):
            end = position - 1
            break
        position += len(line) + 1
    if end < 0:
        return None
    sender = FORWARD_BLOCK_FROM.search(text, cut, end)
    if sender is None or not names_mail_system(sender.group(1)) and "mailer-daemon" not in sender.group(1).lower():
        return None
    return end + 1 + (text[end + 1:end + 2] == "\n")


def _quoted_fields(text: str, start: int) -> bool:
    """Whether the header block at `start` is the report's quotation of the original's
    fields, not the original itself: the report's heading over the failed recipients
    follows it at once (Sun/Oracle Messaging Server: "This report relates to a message
    you sent with the following header fields:", the fields, then "Your message cannot
    be delivered to the following recipients:"; Exchange 2003's "Your message … did not
    reach the following recipient(s)")."""
    end = text.find("\n\n", start)
    if end < 0 or _MESSAGE_HEADER_FIELD.search(text, start, end) is not None:
        # A transport's trace field or a MIME field: a message's whole header, which a
        # report never quotes (a flattened copy shows the returned message so).
        return False
    return _NDR_HEADING.search(fold(text[end:end + 600])) is not None


_MESSAGE_HEADER_FIELD = LazyPattern(r"^(?:received|return-path|mime-version|content-type)[ \t]*:", re.I | re.M)


def _original_anchor(originals: list[Message], inline: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The returned original's Message-ID and To: what leadloop can recognise as its own."""
    from email.utils import getaddresses

    ids: list[str] = []
    recipients: list[str] = []
    if inline.lstrip(" \t").startswith(">"):
        inline = re.sub(r"(?m)^[ \t]*>[ \t]?", "", inline)  # returned quoted (_split_original)
    for original in originals:
        ids += _ANGLE_ID.findall(str(original.get("message-id") or ""))
        recipients += [a for _, a in getaddresses([str(v) for v in original.get_all("to") or []]) if a]
    if inline:
        for match in re.finditer(r"^message-id:[ \t]*(.*(?:\n[ \t]+.*)*)", inline, re.I | re.M):
            ids += _ANGLE_ID.findall(match.group(1))
        for match in re.finditer(r"^to:[ \t]*(.*(?:\n[ \t]+.*)*)", inline, re.I | re.M):
            recipients += [a for _, a in getaddresses([match.group(1)]) if a]
    return tuple(dict.fromkeys(ids)), tuple(dict.fromkeys(r.strip().lower() for r in recipients))


def _window(text: str, named: list[tuple[int, str]], address: str) -> str:
    """The lines about `address`: from the line of each of its mentions to the line of
    the next other recipient's."""
    pieces = []
    for position, who in named:
        if who != address or position < 0:
            continue
        line_start = text.rfind("\n", 0, position) + 1
        line_end = text.find("\n", position)
        line_end = len(text) if line_end < 0 else line_end
        before = [at for at, other in named if other != address and line_start <= at < position]
        if before:
            # A line that names another recipient before this one (a copy that joined
            # a report's lines): this one's words start at its first mention after it,
            # when that is a list's item (no command's "<…>", "MAIL FROM:<our sender>")
            # and its reply follows.
            own = min(at for at, who in named if who == address and max(before) < at <= position)
            if text[own - 1:own] != "<" and _REPLY_CODE.search(text, own, line_end):
                line_start = own
        end = len(text)
        for other_position, other in sorted(named):
            if other_position > position and other != address:
                end = text.rfind("\n", 0, other_position) + 1 or other_position
                if end <= line_start and text[other_position - 1:other_position] != "<" \
                        and _REPLY_CODE.search(text, line_start, other_position):
                    end = other_position  # (a list's next item on this line, after this one's reply)
                break
        if end <= line_start:
            end = line_end
        end = _reply_end(text, line_start, end)
        pieces.append(text[line_start:end])
    return "\n".join(pieces) if pieces else text


# A server's reply code, where a copy joined a recipient's lines to another's.
_REPLY_CODE = LazyPattern(r"(?<![\w.])[245]\d\d(?:[ -]|$)", re.M)


# Postfix's bounce(8) entry for a recipient: "<rcpt>: host H said: REPLY (in reply to
# CMD command)", the reply folded over indented lines. An address inside REPLY (the
# server naming our sender, "550 5.1.1 <bounces+…@…>: unauthorized sender") is part of
# that recipient's answer, not the start of another recipient's.
_REPLY_CLOSE = LazyPattern(r"\(in\s+reply\s+to\s[^)]*\)[^\n]*", re.I)


def _reply_end(text: str, start: int, end: int) -> int:
    """`end`, moved past the close of a server's reply that the window opened and an
    address inside it cut short."""
    piece = text[start:end]
    if "said:" not in piece.lower() or _REPLY_CLOSE.search(piece):
        return end
    close = _REPLY_CLOSE.search(text, end)
    if close is None or "said:" in text[end:close.start()].lower():
        return end
    return close.end()


# Where a report quotes the receiving server's own answer, as opposed to the reporting
# server's summary of it (which may translate any refusal into "User unknown").
_SERVER_WORDS = LazyPattern(
    r"(?:^[ \t]*<<<[ \t]*(?P<transcript>.+)$"
    r"|\(reason:[ \t]*(?P<reason>[^)]*)\)?"
    r"|\bsaid:[ \t]*(?P<said>.+(?:\n[ \t]+.+)*)"
    r"|remote (?:server|host) (?:returned|said|replied|responded)[ :]*(?P<remote>.+)"
    # Chinese hosted mail's reports label the remote server's answer "远程响应" (the
    # remote response) beside their own canned "退信原因" (the reason for the return).
    r"|远程(?:响应|回应|回复)[^\n|:：]*[|:：][ \t]*(?P<remote_cn>.+)"
    # XMail's identifier line, "… Error=[REPLY]" (_XMAIL_LINE): the reply to its last "]".
    r"|\bxmail bounce: rcpt=\[[^\]\n]*\];error=\[(?P<xmail>[^\n]*)\]"
    # (Exim indents the reply below its line; a copy that lost the indent keeps its
    # codes, and one that joined the lines has it after the command's colon.)
    r"|smtp error from remote (?:mail )?server (?:after|in reply to) (?:[^\n]*?:[ \t]+(?P<exim_joined>[245]\d\d[ -].*)"
    r"|[^\n]*\n?(?P<exim>(?:[ \t]+.+\n?)+|(?:[245]\d\d[ -].*\n?)+))"
    r"|(?:the (?:error|response) (?:that the other server returned )?was|error that the other server returned was)"
    r"[ :]*\n?(?P<gmail>(?:.+\n?){1,3}))", re.I | re.M)
# Which SMTP command a refusal answered, as each kind of report says it (after sisimai's
# Sisimai::Lhost::* readers and Sisimai::SMTP::Command): Postfix "(in reply to RCPT TO
# command)", Exim "SMTP error from remote mail server after RCPT TO:", Sendmail's and
# Courier's transcript (">>> RCPT To:<…>" then "<<< 550 …"), qmail's "does not like
# recipient" / "failed on DATA command", 1&1's "for TEXT command", Office 365's "unknown
# recipient or mailbox unavailable ->".
_COMMAND_SAID = LazyPattern(
    r"(?:in reply to|after|while sending|during|following) (?:the )?(?:pipelined )?"
    r"(?P<after>rcpt(?: to)?|mail from|end of data|end of (?:the )?(?:message|content)|data"
    r"|helo|ehlo|initial connection|greeting)\b"
    r"|for (?P<text>text) command"
    r"|smtp command[ \t:-]*\n?[ \t]*(?P<named>rcpt|mail|data)\b"
    r"|(?P<rcpt>does not like recipient|unknown recipient or mailbox unavailable ->[^\n]*@|\[rcpt_to\]"
    # Postfix's smtpd names what its recipient restrictions refused, and answers RCPT
    # TO with it (smtpd_check.c, reply_name "Recipient address"), whatever the status.
    r"|recipient address rejected:)"
    r"|(?P<data>failed on data command|failed after i sent the message)"
    r"|(?P<mail>but sender was rejected)"
    r"|(?P<conn>but my name was rejected|but greeting failed)"
    r"|^[ \t]*sent <<<[ \t]*(?P<sent>rcpt|mail|data|helo|ehlo)\b"
    r"|\(state (?P<state>\d+)\)", re.I | re.M)
# Gmail's old reports end the server's answer with the state of its SMTP client.
_GMAIL_STATES = {"6": "MAIL", "13": "HELO", "14": "RCPT", "15": "DATA", "17": "DATA", "18": "DATA"}
_TRANSCRIPT_SENT = LazyPattern(r"^[ \t]*>>>[ \t]*(?P<sent>rcpt|mail|data|helo|ehlo|starttls|auth|quit)\b", re.I | re.M)
_TRANSCRIPT_HEARD = LazyPattern(r"^[ \t]*<<<[ \t]*[245]\d\d", re.M)
_HEARD_NAMING = LazyPattern(r"^[ \t]*<<<[ \t]*[45]\d\d\b[^\n]*<(?![a-z]+:)[^<>\s:]+>", re.M | re.I)
# The commands, as servers quote them in capitals, in the order a session sends them.
# ("MAIL FROM", not "MAIL F": "MAIL FLOW", "MAIL FILTER" in a text all in capitals.)
_COMMAND_WORDS = (("HELO", "HELO"), ("EHLO", "HELO"), ("STARTTLS", "CONN"), ("AUTH ", "CONN"),
                  ("MAIL (?i:from)", "MAIL"), ("RCPT", "RCPT"), ("DATA", "DATA"))


def server_words(text: str) -> str:
    """The receiving server's own answers quoted in a report, joined; "" if none."""
    found = []
    for match in _SERVER_WORDS.finditer(text):
        found.append(next(value for value in match.groupdict().values() if value is not None))
    return "\n".join(found)


def smtp_command(text: str) -> str | None:
    """The SMTP command a refusal answered: RCPT, MAIL, DATA, HELO (the greeting or
    HELO/EHLO, said outright) or CONN (the connection, or a transcript with no command
    sent), when the report says; None when it does not."""
    said = None
    for match in _COMMAND_SAID.finditer(text):
        said = _command_name(match) or said
    if said:
        return said
    # A transcript: the last command sent before the refusal; answers heard with no
    # command sent were the server's greeting (sisimai: "EHLO").
    sent = list(_TRANSCRIPT_SENT.finditer(text))
    if sent:
        if sent[-1].group("sent").lower() == "data":
            if _pipelined_recipient_reply(text, sent[-1].end()):
                return "RCPT"
            if not _TRANSCRIPT_HEARD.search(text, sent[-1].end()):
                # The lines about a recipient cut before the replies (the next lines name
                # the address an alias expanded to): which command was refused is unsaid.
                return None
        return _command_name_of(sent[-1].group("sent"))
    if _TRANSCRIPT_HEARD.search(text):
        if _HEARD_NAMING.search(text):
            # A refusal heard with no command sent that names a mailbox (Courier's local
            # delivery: " <<< 550 User <ana> unknown") answered a recipient, which no
            # greeting can name: the stage is unsaid, not the connection.
            return None
        return "CONN"
    # A command quoted in capitals ("550 5.1.1 … (Error following RCPT command)",
    # "RCPT TO:<…> 550 …"): the last in the session's order.
    found = None
    for word, name in _COMMAND_WORDS:
        if re.search(rf"(?<![A-Za-z]){word}", text):
            found = name
    return found


# A reply heard in a transcript: its code and its words.
_TRANSCRIPT_REPLY = LazyPattern(r"^[ \t]*<<<[ \t]*(?P<code>[2-5]\d\d)(?P<words>.*)$", re.M)
_ANGLE_ADDRESS = _ANGLE_ID  # the same form: <local@domain>


def _pipelined_recipient_reply(text: str, after: int) -> bool:
    """Whether a transcript that ends with ">>> DATA" heard a recipient's refusal after
    it. With PIPELINING (RFC 2920 §3.1) the client sends MAIL, RCPT… and DATA at once
    and Sendmail's transcript shows only the last of them, ">>> DATA", then every reply
    in the order of the commands; the replies before DATA's go-ahead (354) answer MAIL
    and RCPT, and the one that names a recipient ("<<< 550 5.1.1 <ana@example.org>...
    User unknown", Sendmail's per-recipient form) answered its RCPT TO. DATA's own reply
    ("503 5.0.0 Need RCPT", "554 no valid recipients") names nobody, and says that
    every RCPT before it was refused: the refusals heard before it were theirs, named or
    not (Exim's "550 Unrouteable address" then "503 valid RCPT command must precede
    DATA")."""
    refusals = 0
    for reply in _TRANSCRIPT_REPLY.finditer(text, after):
        if reply.group("code") == "354":
            return False  # DATA went ahead: what follows answered the message itself
        if reply.group("code")[0] in "45":
            if _ANGLE_ADDRESS.search(reply.group("words")):
                return True
            if refusals and NO_RECIPIENT_FOR_DATA.search(reply.group("words")):
                return True
            refusals += 1
    return False




def _command_name(match: re.Match) -> str | None:
    for group, name in (("rcpt", "RCPT"), ("data", "DATA"), ("mail", "MAIL"), ("conn", "HELO")):
        if match.group(group):
            return name
    if match.group("state"):
        return _GMAIL_STATES.get(match.group("state"))
    return _command_name_of(match.group("after") or match.group("named") or match.group("text")
                            or match.group("sent"))


def _command_name_of(word: str) -> str:
    word = word.lower()
    if word.startswith("rcpt"):
        return "RCPT"
    if word.startswith("mail"):
        return "MAIL"
    if word.startswith(("data", "end of", "text")):
        return "DATA"
    if word.startswith(("helo", "ehlo", "greeting")):
        return "HELO"
    return "CONN"


# The server that answered, as reports name it: Postfix "host mx.example.org[192.0.2.1]
# said:", Exim "host mx.example.org [192.0.2.1]:", Sendmail "... while talking to
# mx.example.org.:", qmail "Giving up on 192.0.2.1." / "Remote host said", Courier and
# others "remote host mx.example.org".
_REMOTE_HOST = LazyPattern(
    r"(?:\bhost|while talking to|giving up on|connected to|remote (?:host|server|mta))[ \t:]+"
    r"(?P<host>[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)+)\.?(?=[ \t]*(?:\[|\(|:|said|$))", re.I | re.M)


def remote_host(text: str) -> str | None:
    """The server that answered: a host named with its address or its words first, for
    Postfix's report opens with its own name ("This is the mail system at host
    relay.example.com.") before the remote one ("host mx.example.org[192.0.2.1] said:")."""
    first = None
    for match in _REMOTE_HOST.finditer(text):
        # _REMOTE_HOST ends a host at "[", "(", ":", "said" or the end of its line: only
        # the last is a server's own name.
        if text[match.end():].lstrip(" \t")[:1] not in ("", "\r", "\n"):
            return match.group("host").lower()
        first = first or match.group("host").lower()
    return first


# A multiline SMTP reply (RFC 5321 §4.2.1): every line but the last starts "550-", the
# last "550 ", and servers repeat the enhanced status on each ("550-5.1.1 … does\n550-5.1.1
# not exist"). Reports keep the lines (Exim, Sendmail's "<<<", qmail) or join them with
# spaces (Postfix, Exchange): either way the code of each line after the first stands
# inside the server's sentence.
_MULTILINE_FIRST = LazyPattern(r"(?<![\w.:/-])([245]\d\d)-(?:[245]\.\d{1,3}\.\d{1,3}[ \t]+)?")
_MULTILINE_NEXT = r"\s*(?:<<<[ \t]*)?(?<![\w.:/-]){code}(?P<last>[- ])(?:[245]\.\d{{1,3}}\.\d{{1,3}}[ \t]+)?"


@functools.lru_cache(maxsize=64)  # (a report's window is judged several times over)
def unwrap_reply(text: str) -> str:
    """`text` with each multiline reply's continuation codes taken out: its lines read
    as the one sentence the server wrote, the first line's code and status kept."""
    if "-" not in text:
        return text
    position, pieces = 0, []
    for first in _MULTILINE_FIRST.finditer(text):
        if first.start() < position:
            continue
        following = re.compile(_MULTILINE_NEXT.format(code=first.group(1)))
        pieces.append(text[position:first.end()])
        position = first.end()
        while True:
            # The next line (or, joined, the same one) goes on with the same code.
            joined = following.search(text, position)
            if joined is None or "\n" in text[position:joined.start()]:
                break
            pieces.append(text[position:joined.start()] + " ")
            position = joined.end()
            if joined.group("last") == " ":
                break
    return "".join(pieces) + text[position:] if pieces else text


def _judge_text(status: str | None, text: str, context: str = "", *, delayed: bool = False, gave_up: bool = False,
                address: str | None = None, remote_host: str | None = None,
                category: str | None = None) -> Verdict:
    """The verdict on what a report says about one recipient (`text`: a Diagnostic-Code,
    or the report's lines about it; `context`: the report's lines about it when `text`
    is a field): the server's own words first, then all of it when they tell nothing."""
    text, context = unwrap_reply(text), unwrap_reply(context)
    command = smtp_command(text) or smtp_command(context)
    domain = address.rpartition("@")[2] if address else None
    for candidate in (text, text + "\n" + context if context else None):
        if candidate is None:
            continue
        words = server_words(candidate) or (text if candidate is text and text.strip() else "")
        if words and verifies_sender(candidate) and not verifies_sender(words):
            # The server's reply quotes the answer its check of OUR address got ("Sender
            # address rejected: undeliverable address: host … said: 550 User unknown"):
            # that answer alone would read as the lead's.
            words = candidate
        if words:
            verdict = judge(status, words, delayed=delayed, gave_up=gave_up, command=command, quoted=True,
                            remote_host=remote_host, domain=domain, category=category)
            if verdict.reason not in ("undefined", "temporary"):
                return verdict
    return judge(status, text + "\n" + context, delayed=delayed, gave_up=gave_up, command=command, quoted=True,
                 remote_host=remote_host, domain=domain, category=category)


def _short(text: str) -> str:
    return " ".join(text.split())[:MAX_DIAGNOSTIC]
