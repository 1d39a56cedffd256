"""One incoming e-mail → what it means for the sequence (SPEC §7).

Pure: bytes in, an `Incoming` out; no store, no network. The order matters and follows
the SPEC: a complaint (an ARF feedback report), then a delivery status notification (its quoted original would otherwise
look like a reply from whoever it names), then auto-replies (an out-of-office is not an
answer), then unsubscribe requests, and anything else is a reply.
"""

from __future__ import annotations

import email
import html
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from email.message import Message

from . import bounces, complaints, header_memo
from .errors import InvalidAddress
from .lazy_regex import LazyPattern

MAX_TEXT = 4000  # characters of a reply kept for `show`
MAX_FORWARD_OPENING = 6000  # characters of a message's first text searched for a forward's layout

# A subject or text that starts with one of these words asks to unsubscribe.
UNSUBSCRIBE_WORDS = frozenset({
    "baja", "unsubscribe", "stop", "desuscribir", "desuscribirme", "desuscribirse",
    "desabonner", "desinscrire", "desinscription", "desabonnement",  # fr
    "abmelden", "abbestellen", "austragen", "abmeldung",  # de
    "descadastrar", "descadastre", "descadastro",  # pt
    "cancellami", "disiscrivimi", "disiscrizione", "cancellatemi",  # it
})
# Phrases, anywhere in the first lines of what the person wrote (folded: lower case,
# no accents), in the languages leads write: es, en, fr, pt, it, de.
UNSUBSCRIBE_PHRASES = LazyPattern("|".join((
    r"\b(darme|dadme|dame|denme|me doy|me den|quiero darme) de baja", r"\bde baja (de|en) (su|la|esta|vuestra) lista",
    r"\b(cancelar|anular) (mi |la )?suscripcion", r"\bno (quiero|deseo) recibir mas",
    r"\bno me (envien|manden|escriban) mas", r"\b(eliminar|quitar|borrar|sacar)(me)? de (su|la|esta|vuestra) lista",
    r"\bunsubscribe\b", r"\bremove me from", r"\btake me off", r"\bopt[ -]?out\b",
    r"\bstop (sending|emailing|e-mailing|mailing)", r"\bno more (e-?mails|messages)",
    r"\b(me )?desabonner", r"\b(me )?desinscrire", r"\bne (plus|pas) recevoir",
    r"\b(retirer|supprimer|enlever)(-moi| moi)? de (votre|la|cette) liste",
    r"\bdescadastr", r"\bcancelar (a |minha )?(inscricao|assinatura)", r"\bremover(-me)? da (sua |vossa |sua )?lista",
    r"\bnao (quero|desejo) (mais )?receber",
    r"\bcancellami\b", r"\bdisiscriv", r"\bcancellare (la mia )?iscrizione", r"\brimuovimi\b",
    r"\btoglietemi\b", r"\bnon voglio (piu )?ricevere",
    r"\babmelden\b", r"\babbestellen\b", r"\baustragen\b", r"\bkeine (weiteren )?(e-?mails|nachrichten)",
    r"\baus (ihrem|dem|diesem) verteiler",
)))
_NEGATION = LazyPattern(r"\b(no|not|don'?t|do not|never|nicht|kein|ne|non|nao|nunca|jamais)\b(\W+\w+){0,2}\W*$")
# Subjects that mail programs put on automatic answers, in es, en, fr, pt, it, de (and
# the Nordic and Dutch ones Outlook users send), folded.
AUTO_SUBJECTS = (
    "auto:", "auto reply", "auto-reply", "autoreply", "auto response", "auto-response", "autoresponse",
    "autorespons", "automatic reply", "automatic response", "automated reply", "out of office",
    "out of the office", "ooo:", "away from the office", "on vacation", "vacation reply", "vacation:",
    "respuesta automatica", "contestacion automatica", "fuera de la oficina", "fuera de oficina", "ausencia",
    "ausente", "vacaciones:", "reponse automatique", "reponse auto", "absence", "absent du bureau",
    "absente du bureau", "en conge", "resposta automatica", "fora do escritorio", "ausente do escritorio",
    "risposta automatica", "risposta automatica:", "fuori sede", "fuori ufficio", "assenza", "assente",
    "abwesenheitsnotiz", "abwesenheit", "abwesend", "automatische antwort", "automatische antwoord",
    "automatisch antwoord", "afwezig", "autosvar", "automatisk svar", "fravaer", "franvaro",
)
# An out-of-office that carries none of the headers nor a known subject (issue #25 item
# 5): its first lines say so, in the first person and the present or future ("I am out
# of the office", never "I was"). Folded text, in the languages leadloop ships and the
# common others; after the default texts of Outlook, Gmail, Thunderbird, Zimbra and
# Sieve vacation responders in each language.
OUT_OF_OFFICE_OPENINGS = LazyPattern("|".join(f"(?:{p})" for p in (
    # en
    r"\b(i will|i'll) be out of (the )?office", r"\b(i am|i'm) (currently |now |presently )?(out of (the )?office|away from (the |my )?"
    r"(office|desk|e-?mail)|on (annual |parental |maternity |sick )?(leave|holiday|holidays|vacation)|"
    r"out of town|travell?ing (with|and have) limited)",
    r"\b(i am|i'm) (currently )?(out|away|off) (until|till|from|and will)", r"\bi will (be back|return) (on|to the office)",
    r"\bthis is an automat(ic|ed) (reply|response|message)",
    # es
    r"\b(estoy|me encuentro|estamos) (actualmente )?(fuera de (la )?oficina|ausente|"
    r"de vacaciones|de viaje|de permiso|fuera de la ciudad)", r"\b(no )?estare (fuera de la|en la) oficina",
    r"\bestare ausente",
    r"\b(este es un|esta es una) (mensaje|respuesta) automatic",
    # fr
    r"\bje (suis|serai) (actuellement |absente? |en dehors du bureau|en conge|en vacances|en deplacement)",
    r"\bje suis absente?\b", r"\bje serai de retour le", r"\bceci est une reponse automatique",
    # pt
    r"\b(estou|estarei|encontro-me|me encontro) (atualmente )?(fora do escritorio|ausente|de ferias|"
    r"em ferias|de licenca)", r"\besta e uma (mensagem|resposta) automatica",
    # it
    r"\b(sono|saro|saremo) (attualmente )?(fuori (sede|ufficio)|assente|in ferie|in vacanza)",
    r"\bnon saro in ufficio", r"\bquesto e un messaggio automatico",
    # de
    r"\bich bin (derzeit |zurzeit |momentan |leider )?(bis \S+ (\S+ )?)?(nicht im buro|abwesend|im urlaub|"
    r"au(ss|ß)er haus|nicht erreichbar)", r"\bich bin ab \S+ (\S+ )?wieder (im buro|erreichbar)",
    r"\bdies ist eine automatische (antwort|nachricht)",
    # nl
    r"\bik ben (momenteel |op dit moment |tot en met \S+ |tot \S+ )?(afwezig|niet op kantoor|op vakantie|"
    r"met vakantie|niet aanwezig)", r"\bik ben vanaf \S+ (\S+ )?weer (aanwezig|op kantoor|bereikbaar)",
    # pl
    r"\b(jestem|bede) (obecnie |aktualnie )?(poza biurem|na urlopie|nieobecn[ya])", r"\bprzebywam na urlopie",
    # sv, da, no, fi
    r"\bjag ar (for narvarande |tillfalligt )?(inte pa kontoret|borta|ledig|pa semester|franvarande)",
    r"\bjag har semester", r"\bjeg er (pa ferie|frav(ae|æ)rende|ikke pa kontoret|pa kurs)", r"\bolen (lomalla|poissa)",
    # lv, cs, ru
    r"\b(esmu|atrodos) atvalinajuma", r"\bneesmu biroja", r"\bnebusu biroja",
    r"\bjsem (mimo kancelar|na dovolene)",
    "я в отпуске", "нахожусь в отпуске", "меня нет в офисе", "я вне офиса",
)))
_REPLY_PREFIX = LazyPattern(r"^\s*((re|fw|fwd|rv|aw|sv|tr)\s*(\[\d+\])?\s*:\s*)+", re.I)
_MESSAGE_ID = LazyPattern(r"<[^<>\s]+>")
_WORD = LazyPattern(r"[^\W\d_]+")
_QUOTE_START = LazyPattern(
    r"^(>|-{2,}\s*(original message|mensaje original|forwarded message|mensaje reenviado)"
    r"|(on|el)\s.+(wrote|escribió|escribio)\s*:\s*$"
    r"|(from|de)\s*:\s.+@)",
    re.I,
)


# A person's message that forwards or quotes a report (issue #25). Subject prefixes mail
# programs put on a reply or a forward (matched folded: lower case, no accents), in the
# languages leadloop's leads write and their neighbours' (Wikipedia, "List of email
# subject abbreviations", after Outlook's localised ones: "RV:" es, "TR:" fr, "WG:"/"AW:"
# de, "I:"/"R:"/"RIF:" it, "ENC:"/"RES:" pt, "Doorst:"/"Antw:" nl, "VS:"/"VL:"/"SV:"/"VB:"/
# "FS:" Nordic, "ODP:"/"PD:" pl, "YNT:"/"İLT:" tr, "V:"/"Továbbítás:" hu, "ΑΠ:"/"ΣΧΕΤ:"/
# "ΠΡΘ:" el, "回复:"/"转发:" zh, "転送:" ja, mail.ru's and Yandex's "Пересл:"/"Отв:"), old
# Mozilla's "[Fwd: …]" and Pine's "… (fwd)".
_FORWARD_OR_REPLY_SUBJECT = LazyPattern(
    r"^\s*\[?(re|fw|fwd|rv|tr|wg|aw|sv|vs|vl|vb|fs|enc|res|i|r|rif|antw|doorst|odp|pd|ynt|ilt|v|tovabbitas"
    r"|απ|σχετ|πρθ|回复|回覆|答复|转发|轉寄|転送|пересл|отв)\s*(\[\d+\])?\s*[:：]"
    r"|\(fwd\)\s*$")
# The line a mail program writes above what it forwards or quotes (folded: lower case, no
# accents). A ruler around the words: Gmail "---------- Forwarded message ---------",
# Thunderbird "-------- Forwarded Message --------" / "-------- Original Message --------"
# (composeMsgs.properties, mailnews.forward_header_originalmessage, in its translations:
# "Mensaje reenviado", "Message transféré", "Weitergeleitete Nachricht", "Mensagem
# encaminhada", "Messaggio inoltrato", "Doorgestuurd bericht"), Outlook "-----Original
# Message-----" ("-----Mensaje original-----", "-----Message d'origine-----",
# "-----Ursprüngliche Nachricht-----", "-----Messaggio originale-----", "-----Mensagem
# original-----", "-----Oorspronkelijk bericht-----"), Yahoo "----- Forwarded Message
# -----", Lotus Notes "----- Forwarded by NAME on DATE -----". Apple Mail's "Begin
# forwarded message:" ("Inicio del mensaje reenviado:", "Début du message réexpédié :",
# "Anfang der weitergeleiteten Nachricht:", "Início da mensagem encaminhada:", "Inizio
# messaggio inoltrato:", "Begin doorgestuurd bericht:"). The same words in the Nordic,
# Polish, Czech, Russian (mail.ru's and Yandex's "Пересылаемое сообщение", Outlook's
# "Исходное сообщение"), Chinese and Japanese clients. Outlook's newer ruler of
# underscores over "From:"/"De:"/"Von:"/"Da:" fields. A reply's attribution ("On DATE,
# NAME wrote:", "El … escribió:", "Le … a écrit :", "Am … schrieb …:", "Em … escreveu:",
# "Il … ha scritto:", "Op … schreef …:").
_FORWARD_WORDS = (r"forward|reenviad|reenvio|transfere|reexpedi|weitergeleitet|encaminhad|reencaminhad|inoltrat"
                  r"|doorgestuurd|videresend|vidarebefordra|valitetty|przekazan|preposlan|пересыла|переслан|转发|転送")
# "Original message" rulers: Outlook's and Thunderbird's, but also where a report starts
# the original it returns ("----- Original message -----"): they count only over a
# forwarded report (_forwards_a_report_block).
_ORIGINAL_WORDS = (r"original|d'origine|urspr(u|ü)nglich|oorspronkelijk|origineel|ursprungligt|oprindelig"
                   r"|opprinnelig|alkuperainen|oryginaln|puvodni|исходное сообщение|原始邮件")
_FORWARD_LINE = LazyPattern(
    rf"^[ \t]*(?:[-=]{{2,}}[ \t]*(?:[^\n]{{0,12}}?)(?:{_FORWARD_WORDS})"
    rf"|(?:begin|inicio|debut|anfang|inizio|start)\b[^\n]{{0,30}}(?:{_FORWARD_WORDS})[^\n]{{0,30}}:[ \t]*$"
    r"|_{10,}[ \t]*\n[ \t]*(?:from|de|von|da|van|fra|od)[ \t]*:"
    r"|(?:on|el|le|am|em|il|op|den)\b[^\n]{3,200}\b(?:wrote|escribio|a ecrit|schrieb|escreveu|ha scritto"
    r"|schreef|skrev)\b[^\n]{0,80}:[ \t]*$)", re.M)
_ORIGINAL_LINE = LazyPattern(rf"^[ \t]*[-=]{{2,}}[ \t]*(?:[^\n]{{0,12}}?)(?:{_ORIGINAL_WORDS})", re.M)
# Lines quoted with ">" (RFC 3676 §4.5), not a Sendmail transcript's ">>> RCPT To:".
_QUOTED_LINES = LazyPattern(r"(?:^[ \t]*>(?!>>[ \t])[^\n]*(?:\n|\Z))+", re.M)


class Unreadable(Exception):
    """The bytes are not an e-mail leadloop can read."""


@dataclass(frozen=True)
class Incoming:
    kind: str                      # "complaint", "bounce", "auto_reply", "unsubscribe" or "reply"
    sender: str | None             # the From address, normalised; None if unusable
    message_id: str | None
    references: tuple[str, ...]    # In-Reply-To and References, nearest first
    subject: str
    text: str                      # what the person wrote, quotes and signature cut
    written_at: datetime | None = None  # its Date header, when readable
    # A bounce: the recipients it names (bounces.Failure), its verdict when it names
    # none that leadloop knows, and the returned original's Message-ID and To.
    failures: tuple = ()
    overall: object = None
    original_ids: tuple[str, ...] = ()
    original_to: tuple[str, ...] = ()
    truncated: bool = False        # only the headers were read (a message over the size limit)
    # A complaint (an ARF feedback report, complaints.py): who complained, and how.
    complainers: tuple[str, ...] = ()
    feedback_type: str = ""

    @property
    def permanent(self) -> tuple[str, ...]:
        """Recipients whose address failed for good (hard bounces)."""
        return tuple(f.address for f in self.failures if f.hard)

    @property
    def temporary(self) -> tuple[str, ...]:
        """Recipients whose message failed for another reason (soft bounces)."""
        return tuple(f.address for f in self.failures if not f.hard)


def classify(raw: bytes, *, unsubscribe_address: str | None = None,
             own: frozenset[str] = frozenset(), headers_only: bool = False) -> Incoming:
    """`unsubscribe_address`: mail sent to it is an unsubscribe request whatever it says
    (only pass one that differs from the address replies go to). `own`: our addresses,
    never a failed recipient. `headers_only`: `raw` is only the header of a message too
    large to read; its headers decide."""
    try:
        # Blank lines before the first header (a message saved by a tool that added them)
        # would make the whole message its body: the headers start at the first line
        # with text.
        msg = email.message_from_bytes(raw.lstrip(b" \t\r\n"), policy=header_memo.policy())
        sender = _sender(msg)
        subject = _header(msg, "subject")
        message_id = _first_id(_header(msg, "message-id"))
        references = _references(msg)
    except Exception as err:  # the email package raises a zoo of errors on broken input
        raise Unreadable(f"cannot parse the message ({type(err).__name__})") from None

    try:
        return _classify(msg, sender, message_id, references, subject, unsubscribe_address,
                         own, headers_only)
    except Exception as err:  # a part the email package cannot decode, deep inside
        raise Unreadable(f"cannot read the message ({type(err).__name__})") from None


def _classify(msg, sender, message_id, references, subject, unsubscribe_address, own,
              headers_only) -> Incoming:
    def result(kind: str, text: str = "", **bounce) -> Incoming:
        return Incoming(kind, sender, message_id, references, subject, text,
                        written_at=_date(msg), truncated=headers_only, **bounce)

    if complaints.looks_like_complaint(msg):
        # A provider's feedback loop: someone marked our message as spam (RFC 5965). Its
        # structure is a report's, so it comes before the bounce test.
        if headers_only:
            return result("complaint", feedback_type="abuse")
        complaint = complaints.read(msg)
        return result("complaint", original_ids=complaint.original_ids,
                      complainers=complaint.complainers, feedback_type=complaint.feedback_type)
    if bounces.looks_like_bounce(msg, sender, subject) and \
            not _forwards_a_report(msg, sender, subject, own, headers_only):
        # Never a reply or an auto-reply, even when it names nobody leadloop knows: the
        # inbox reports it for review.
        if headers_only:
            return result("bounce")
        # Never a candidate: our own addresses and the reporting daemon's. (Not the
        # report's own To: some servers copy the failed recipient into its headers.)
        mine = set(own) | ({sender} if sender else set())
        report = bounces.read(msg, own={a.lower() for a in mine})
        return result("bounce", failures=report.failures, overall=report.overall,
                      original_ids=report.original_ids, original_to=report.original_recipients)
    if _is_auto_reply(msg, subject) or bounces.is_list_notice(msg, subject):
        # A list program's notice is a machine's, like an out-of-office (issue #25).
        return result("auto_reply")
    text = "" if headers_only else reply_text(msg)
    if _opens_as_out_of_office(text):
        return result("auto_reply")
    if (unsubscribe_address and unsubscribe_address in _recipients(msg)) or _asks_to_unsubscribe(subject, text):
        return result("unsubscribe", text)
    return result("reply", text)


def _forwards_a_report(msg: Message, sender: str | None, subject: str, own: frozenset[str],
                       headers_only: bool) -> bool:
    """A person's message that forwards or quotes a delivery report ("this bounced when I
    wrote to my colleague"), which is that person writing to us: the report inside is
    about their mail, not ours (issue #25). What decides is who wrote the message itself:
    any sign of a mail system on it (bounces.sent_by_mail_system: RFC 3462's
    multipart/report, RFC 5321's null return path, RFC 3834's Auto-Submitted, a daemon's
    or an automated sender's From) keeps it a report, however nested, since gateways
    and forwarding rules do nest reports; so does our own address as its From (a rule
    of our own mailbox that forwards its failures). Without one, a person's From and
    the layout of a mail program that forwards or replies make it the person's: a
    forward or reply prefix in the subject, or, above the report's words, the line a
    mail program writes over what it forwards (_opens_as_forward), or
    the person's own words above a report attached under a subject of their own."""
    if bounces.sent_by_mail_system(msg) or (sender is not None and sender.lower() in own):
        return False
    if bounces.is_list_notice(msg, subject):
        return False  # an answer to a list's notice is a machine's: leadloop posts to no list
    if _FORWARD_OR_REPLY_SUBJECT.search(_fold(subject)):
        return True
    if headers_only:
        return False
    text = _first_text(msg)
    if _opens_as_forward(text):
        return True
    # A bounce attached to a new message: the person's own words above it, under their
    # own subject, and no words of a report (a gateway's wrapper says what failed, why).
    return bool(text.strip()) and not bounces.reads_as_report(text[:MAX_FORWARD_OPENING]) and \
        bounces.carries_attached_report(msg, subject)


def _opens_as_forward(text: str) -> bool:
    """The text opens (after the person's own words, if any) with a forwarded or quoted
    report: a forward's line (_FORWARD_LINE, a reply's attribution); an "original
    message" ruler or ">" quoting only over a report (a report itself returns the
    original below the same ruler, or quoted with ">"). Not when a report's words come
    first, nor header fields: then the line is inside a message the text carries (a
    report's returned original that was itself a forward)."""
    folded = _fold(text[:MAX_FORWARD_OPENING].replace("\r\n", "\n"))
    starts = []
    forward = _FORWARD_LINE.search(folded)
    if forward:
        starts.append(forward.start())
    original = _ORIGINAL_LINE.search(folded)
    if original and _forwarded_report_follows(folded, original.end()):
        starts.append(original.start())
    quoted = _QUOTED_LINES.search(folded)
    if quoted:
        lines = re.sub(r"(?m)^[ \t]*>[ \t]?", "", quoted.group(0))
        if bounces.reads_as_report_heading(lines) or _forwarded_report_follows(lines, 0):
            starts.append(quoted.start())
    if not starts:
        return False
    above = folded[:min(starts)]
    return not bounces.reads_as_report_heading(above) and not bounces.has_header_lines(above)


def _forwarded_report_follows(text: str, position: int) -> bool:
    """The header block that starts after `position` is a report's: its From names a
    mail system (a mailer daemon, a postmaster, "Microsoft Outlook", "Mail Delivery
    Subsystem"…)."""
    sender = bounces.FORWARD_BLOCK_FROM.search(text, position, position + 400)
    return sender is not None and bounces.names_mail_system(sender.group(1))


def _first_text(msg: Message) -> str:
    """The message's own first text (plain, else the HTML's text with its quotes kept),
    never a text inside a message it carries."""
    html_text = None
    for part in bounces.own_parts(msg):
        kind = part.get_content_type()
        if part.get_content_disposition() == "attachment":
            continue
        if kind == "text/plain":
            return _decoded(part)
        if kind == "text/html" and html_text is None:
            html_text = _decoded(part)
    if html_text is None:
        return ""
    text = re.sub(r"<(br|/p|/div|/tr|blockquote)[^>]*>", "\n", html_text, flags=re.I)
    text = re.sub(r"<(style|script)[^>]*>.*?</\1>", "", text, flags=re.I | re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def _date(msg: Message) -> datetime | None:
    from email.utils import parsedate_to_datetime

    try:
        value = parsedate_to_datetime(_header(msg, "date"))
    except (TypeError, ValueError, IndexError):
        return None
    return value if value.tzinfo is not None else None


def _header(msg: Message, name: str) -> str:
    value = msg.get(name)
    return " ".join(str(value).split()) if value is not None else ""


def _sender(msg: Message) -> str | None:
    from email.utils import parseaddr

    from .addresses import normalize_address

    address = parseaddr(_header(msg, "from"))[1]
    if not address:
        return None
    try:
        return normalize_address(address)
    except InvalidAddress:
        return None


def _first_id(value: str) -> str | None:
    match = _MESSAGE_ID.search(value)
    return match.group(0) if match else None


def _references(msg: Message) -> tuple[str, ...]:
    ids = _MESSAGE_ID.findall(_header(msg, "in-reply-to"))
    ids += reversed(_MESSAGE_ID.findall(_header(msg, "references")))
    return tuple(dict.fromkeys(ids))


def _recipients(msg: Message) -> set[str]:
    from email.utils import getaddresses

    values = [_header(msg, name) for name in ("to", "cc", "delivered-to", "x-original-to")]
    return {address.strip().lower() for _, address in getaddresses(values) if address}


def _is_auto_reply(msg: Message, subject: str) -> bool:
    """RFC 3834 and the headers mail programs use instead, then well-known subjects."""
    auto_submitted = _header(msg, "auto-submitted").lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return True
    for name in ("x-autoreply", "x-autorespond", "x-autoresponder", "x-auto-reply", "x-vacation"):
        if msg.get(name) is not None and _header(msg, name).lower() not in ("no", "false", "0"):
            return True
    # Exchange and Outlook mark their out-of-office answers so that nobody answers them.
    suppress = _header(msg, "x-auto-response-suppress").lower()
    if any(word in suppress for word in ("all", "oof", "autoreply")):
        return True
    # iCloud marks its vacation answers with its own header only.
    if _header(msg, "x-apple-action").lower() in ("vacation", "autoreply", "auto-reply"):
        return True
    if _header(msg, "precedence").lower() in ("auto_reply", "auto-reply", "bulk", "junk"):
        return True
    if _header(msg, "x-autogenerated").lower() == "reply":
        return True
    if "autorespond" in _header(msg, "x-post-messageclass").lower():
        return True
    if msg.get_content_type() == "multipart/report" and \
            (msg.get_param("report-type") or "").lower() == "disposition-notification":
        return True  # a read receipt
    if msg.get("return-path") is not None and _header(msg, "return-path") in ("<>", ""):
        return True
    folded = _fold(subject).lstrip("[( ")
    if folded.startswith(AUTO_SUBJECTS):
        return True
    # A mail system's address (a department's postmaster) answering automatically says
    # so anywhere in its subject.
    return bounces.AUTOMATIC_ANSWER_SUBJECT.search(folded) is not None and \
        bounces.names_mail_system(_header(msg, "from"))


def _opens_as_out_of_office(text: str) -> bool:
    """The first lines of what was written say the person is away (issue #25 item 5)."""
    opening = "\n".join([line for line in text.split("\n") if line.strip()][:3])[:400]
    return bool(opening) and OUT_OF_OFFICE_OPENINGS.search(_fold(opening)) is not None


def _asks_to_unsubscribe(subject: str, text: str) -> bool:
    subject = _REPLY_PREFIX.sub("", subject)
    for candidate in (subject, text):
        words = _WORD.findall(_fold(candidate[:200]))
        if words and words[0] in UNSUBSCRIBE_WORDS:
            return True
    # The phrases count in the subject and the first lines the person wrote, unless
    # they are denied ("no quiero darme de baja todavía").
    for candidate in (subject, "\n".join(text.split("\n")[:3])[:300]):
        folded = _fold(candidate)
        for match in UNSUBSCRIBE_PHRASES.finditer(folded):
            before = folded[:match.start()]
            if not match.group(0).startswith(("no ", "nao ", "non ", "ne ")) and _NEGATION.search(before):
                continue
            return True
    return False


def _fold(text: str) -> str:
    """Lower case without accents: "BAJA", "Bája" and "baja" are one word."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def reply_text(msg: Message) -> str:
    """What the person wrote: the plain text (or the HTML's text), without the quoted
    message, the signature or runs of blank lines."""
    body = _body(msg)
    lines = []
    for line in body.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = line.strip()
        if _QUOTE_START.match(stripped) or _starts_forward(stripped):
            break
        if stripped == "--":
            break
        lines.append(line.rstrip())
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return text[:MAX_TEXT]


def _starts_forward(line: str) -> bool:
    """The line a mail program writes over what it forwards or quotes."""
    if not line.startswith(("-", "=", "_")) and not line[:1].isalpha():
        return False
    folded = _fold(line)
    return _FORWARD_LINE.match(folded) is not None or _ORIGINAL_LINE.match(folded) is not None


def _body(msg: Message) -> str:
    plain = html_part = None
    # The message's own parts: a text inside a message it forwards (or a report's fields
    # the parser could not read, base64 inside message/delivery-status) is not its text.
    for part in bounces.own_parts(msg):
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        kind = part.get_content_type()
        if kind == "text/plain" and plain is None:
            plain = _decoded(part)
        elif kind == "text/html" and html_part is None:
            html_part = _decoded(part)
    if plain is not None:
        return plain
    if html_part is not None:
        without_quotes = re.split(r"<blockquote", html_part, maxsplit=1, flags=re.I)[0]
        text = re.sub(r"<(br|/p|/div)[^>]*>", "\n", without_quotes, flags=re.I)
        text = re.sub(r"<(style|script)[^>]*>.*?</\1>", "", text, flags=re.I | re.S)
        return html.unescape(re.sub(r"<[^>]+>", "", text))
    return ""


def _decoded(part: Message) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeError, AssertionError, KeyError):
        # An unknown or lying charset: keep what can be read rather than nothing.
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", "replace")
