"""One incoming e-mail → what it means for the sequence (SPEC §7).

Pure: bytes in, an `Incoming` out; no store, no network. The order matters and follows
the SPEC: a complaint (an ARF feedback report; one of type auth-failure is the sender's
problem, no complaint), then a report about our own domain (DMARC aggregate, TLS), then a
delivery status notification (its quoted original would otherwise
look like a reply from whoever it names), then auto-replies (an out-of-office is not an
answer), then unsubscribe requests, and anything else is a reply.
"""

from __future__ import annotations

import email
import functools
import html
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message

from . import bounces, complaints, damage, departures, domain_reports, header_memo
from .bounces import Failure, header_text  # one reader of header fields for both (issue #25)
from .errors import InvalidAddress
from .delivery_status import ADDRESS, Verdict
from .lazy_regex import LazyPattern

TYPE_CHECKING = False  # (typing itself not imported: the inbox's import time)
if TYPE_CHECKING:
    from collections.abc import Callable

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
    # (Not a quoted List-Unsubscribe header: a client that quotes our whole message.)
    r"(?<!list-)\bunsubscribe\b", r"\bremove me from", r"\btake me off", r"\bopt[ -]?out\b",
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
# the Nordic and Dutch ones Outlook users send, and the "Auto-Re:" some autoresponders
# put before the subject they answer), folded.
AUTO_SUBJECTS = (
    "auto:", "auto-re:", "auto reply", "auto-reply", "autoreply", "auto response", "auto-response", "autoresponse",
    "autorespons", "automatic reply", "automatic response", "automated reply", "out of office",
    "out of the office", "ooo:", "away from the office", "on vacation", "vacation reply", "vacation:",
    "respuesta automatica", "contestacion automatica", "fuera de la oficina", "fuera de oficina", "ausencia",
    "ausente", "vacaciones:", "reponse automatique", "reponse auto", "absence", "absent du bureau",
    "absente du bureau", "en conge", "resposta automatica", "fora do escritorio", "ausente do escritorio",
    "risposta automatica", "risposta automatica:", "fuori sede", "fuori ufficio", "assenza", "assente",
    "abwesenheitsnotiz", "abwesenheit", "abwesend", "automatische antwort", "automatische antwoord",
    "automatisch antwoord", "afwezig", "autosvar", "automatisk svar", "fravaer", "franvaro",
    *map(bounces.fold, bounces.CJK_AUTOMATIC_REPLIES),  # ja, zh, ko (folded: Hangul splits)
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
    # The traveller's and the limited-access templates ("I'm travelling for work until
    # Friday and checking email only occasionally", "I have limited access to email").
    r"\b(i am|i'm) (currently |now )?travell?ing (for work |on business |abroad )?(until|till|through|from)\b",
    r"\b(i have|i'll have|i will have|with) (only )?(very )?limited (access to (my )?e-?mail|e-?mail access)",
    r"\bthis is an automat(ic|ed) (reply|response|message)",
    # es
    r"\b(estoy|me encuentro|estamos) (actualmente )?(fuera de (la )?oficina|ausente|"
    r"de vacaciones|de viaje|de permiso|fuera de la ciudad)", r"\b(no )?estare (fuera de la|en la) oficina",
    r"\bestare ausente", r"\bno me encuentro en la oficina", r"\bestare de vacaciones (hasta|del|desde)",
    r"\b(este es un|esta es una) (mensaje|respuesta) automatic",
    # fr
    r"\bje (suis|serai) (actuellement |absente? |en dehors du bureau|en conge|en vacances|en deplacement)",
    r"\bje suis absente?\b", r"\bje serai de retour le", r"\bceci est une reponse automatique",
    # pt
    r"\b(estou|estarei|encontro-me|me encontro) (atualmente )?(fora do escritorio|ausente|de ferias|"
    r"em ferias|de licenca)", r"\besta e uma (mensagem|resposta) automatica",
    # it
    r"\b(sono|saro|saremo) (attualmente )?(fuori (sede|ufficio)|assente|in ferie|in vacanza)",
    r"\bnon saro in ufficio", r"\bnon sono in ufficio", r"\bquesto e un messaggio automatico",
    # de
    r"\bich bin (derzeit |zurzeit |momentan |leider )?(bis \S+ (\S+ )?)?(nicht im buro|abwesend|im urlaub|"
    r"au(ss|ß)er haus|nicht erreichbar|auf dienstreise)", r"\bich bin ab \S+ (\S+ )?wieder (im buro|erreichbar)",
    r"\bich befinde mich (derzeit |zurzeit |momentan |bis \S+ (\S+ )?)?(im urlaub|nicht im buro|auf dienstreise|"
    r"au(ss|ß)er haus)",
    r"\bdies ist eine automatische (antwort|nachricht)",
    # nl
    r"\bik ben (momenteel |op dit moment |tot en met \S+ |tot \S+ )?(afwezig|niet op kantoor|op vakantie|"
    r"met vakantie|niet aanwezig|met verlof)", r"\bik ben vanaf \S+ (\S+ )?weer (aanwezig|op kantoor|bereikbaar)",
    # pl
    r"\b(jestem|bede) (obecnie |aktualnie )?(poza biurem|na urlopie|nieobecn[ya])",
    r"\bprzebywam (obecnie )?(na urlopie|poza biurem)",
    # sv, da, no, fi
    r"\bjag ar (for narvarande |tillfalligt )?(inte pa kontoret|borta|ledig|pa semester|franvarande)",
    r"\bjag har semester", r"\bjeg er (pa ferie|frav(ae|æ)rende|ikke pa kontoret|pa kurs|ute av kontoret)",
    r"\bjeg holder ferie", r"\bolen (lomalla|poissa)",
    # lv, cs, ru
    r"\b(esmu|atrodos) atvalinajuma", r"\bneesmu biroja", r"\bnebusu biroja",
    r"\bjsem (mimo kancelar|na dovolene)", r"\bnejsem v kancelari",
    # tr (folded: the dotless ı stays)
    r"\bofis d[ıi]s[ıi]nday[ıi]m", r"\b(su anda |simdi )?(izindeyim|tatildeyim)",
    "я в отпуске", "нахожусь в отпуске", "меня нет в офисе", "я вне офиса", "я сеичас в отпуске",
    "меня не будет в офисе", "нахожусь вне офиса", "я в командировке", "нахожусь в командировке",
)))
# Automatic answers that carry no RFC 3834 header (issue #25 item 5): acknowledgements of
# receipt, help desks' notices and other mail that says itself it was sent by a program.
# The tables are written as people read them and folded (_fold) when first used, so that
# "Eingangsbestätigung" and "Подтверждение получения" are spelled once. Subjects: a
# subject that starts with one of these (after a help desk's ticket tag) is automatic.
# Acknowledgements of receipt in es, en, fr, pt, it, de, nl, pl, sv, da, no, fi, cs, lv,
# ru, tr; the help desks' default subjects: Zendesk's "[Request received]" (its standard
# trigger "Notify requester of received request"), Freshdesk's "Ticket Received - …"
# (its "New Ticket Created" acknowledgement to the requester), osTicket's "Support
# Ticket Opened [#…]" (include/i18n/en_US/templates/email/ticket.autoresp.yaml),
# Zammad's "Thanks for your inquiry (…)" (its seeded trigger "auto reply (on new
# tickets)"); and the out-of-office subjects of Outlook and the webmails in the
# languages AUTO_SUBJECTS did not have, and French webmails' "Message d'absence" (the
# vacation notice's name in Yahoo Mail's, Open-Xchange's and Zimbra's French).
_MORE_AUTO_SUBJECTS = (
    "acknowledgement of receipt", "acknowledgment of receipt", "receipt acknowledgement",
    "receipt acknowledgment", "confirmation of receipt", "receipt confirmation", "we have received your",
    "we've received your", "your message has been received", "your request has been received",
    "request received", "ticket received", "support ticket opened", "thanks for your inquiry (",
    "acuse de recibo", "acuse de recepción", "confirmación de recepción", "confirmación de recibo",
    "hemos recibido su", "hemos recibido tu",
    "accusé de réception", "confirmation de réception", "nous avons bien reçu votre", "nous avons reçu votre",
    "confirmação de recebimento", "confirmação de receção", "confirmação de recepção", "aviso de recebimento",
    "recebemos a sua", "recebemos sua", "recebemos o seu",
    "conferma di ricezione", "conferma di ricevimento", "conferma ricezione", "avviso di ricevimento",
    "abbiamo ricevuto la sua", "abbiamo ricevuto il suo",
    "eingangsbestätigung", "empfangsbestätigung", "bestätigung des eingangs", "wir haben ihre nachricht erhalten",
    "wir haben ihre anfrage erhalten", "ihre nachricht ist eingegangen", "ihre anfrage ist eingegangen",
    "ontvangstbevestiging", "bevestiging van ontvangst", "wij hebben uw bericht ontvangen",
    "potwierdzenie otrzymania", "potwierdzenie odbioru", "potwierdzenie przyjęcia",
    "mottagningsbekräftelse", "bekräftelse på mottagande", "modtagelsesbekræftelse", "kvittering for modtagelse",
    "bekræftelse på modtagelse", "mottaksbekreftelse", "bekreftelse på mottak", "kvittering for mottak",
    "vastaanottokuittaus", "vastaanottovahvistus", "vahvistus vastaanotosta",
    "potvrzení o přijetí", "potvrzení přijetí", "saņemšanas apstiprinājums", "apstiprinājums par saņemšanu",
    "подтверждение получения", "уведомление о получении", "ваше обращение принято", "ваше обращение получено",
    "ваше сообщение получено", "ваше письмо получено",
    "alındı onayı", "alindi onayi", "alındı bildirimi", "alindi bildirimi", "mesajınız alındı", "mesajiniz alindi",
    "talebiniz alındı", "talebiniz alindi",
    # out of office, pl, fi, cs, sv, ru, tr, lv
    "odpowiedź automatyczna", "automatyczna odpowiedź", "poza biurem", "automaattinen vastaus",
    "poissa toimistolta", "automatická odpověď", "mimo kancelář", "automatiskt svar", "автоматический ответ",
    "автоответ", "вне офиса", "otomatik yanıt", "otomatik yanit", "otomatik cevap", "ofis dışında",
    "automātiskā atbilde", "message d'absence", "message d’absence",
    # Outlook's "Automatic reply:" in the other languages it ships (the localized
    # prefixes issue #25's brief lists, and other projects' tables of prefixes seen on
    # real mail; not checked against Microsoft's resource files): hu, el, uk, bg, ro,
    # hr/bs/sr (Latin and Cyrillic), sl, et, lt, th, vi, id, ms, he, ar, fa, hi, eu, is.
    "automatikus válasz", "αυτόματη απάντηση", "автоматична відповідь", "автоматичен отговор",
    "răspuns automat", "automatski odgovor", "аутоматски одговор", "samodejni odgovor", "automaatvastus",
    "automatinis atsakymas", "ตอบกลับอัตโนมัติ", "trả lời tự động", "balasan otomatis",
    "balasan automatik", "תשובה אוטומטית", "رد تلقائي", "پاسخ خودکار", "स्वचालित उत्तर",
    "erantzun automatikoa", "sjálfvirkt svar",
    # Webmails' and responders' own whole subjects that open with their name, as bounce
    # handlers' autoresponder tables list them (PHPMailer-BMH's, phpList's): Yahoo Mail's
    # vacation response "Yahoo! Auto Response"; "Automatically Generated Response from …",
    # "Auto-Respond E-Mail from …".
    "yahoo! auto response", "automatically generated response from", "auto-respond e-mail from",
    "auto-respond email from",
)
# Lotus Notes' out-of-office agent writes the WHOLE subject as "<Name> is out of the
# office." (Notes 6-8), the name often in Notes' hierarchical form "Ana Pena/Sales/Acme/ES";
# the 8.5 service adds "(returning <date>)" (its "AUTO:" prefix is read already). The
# localized forms (de "ist außer Haus", fr "est absent(e)", es "está fuera de la
# oficina", it "è fuori ufficio", nl "is afwezig", pt "está ausente") follow the same
# frame. Only a whole subject of that frame: "Re: John is out of the office next week?"
# and "Is Ana out of the office?" are people's.
_NOTES_AWAY_SUBJECT = LazyPattern(
    r"^[\w.'’-]+( [\w.'’-]+){0,5}(/[\w.'’ -]+){0,4} (is out of (the )?office|ist au(ß|ss)er haus|est absente?"
    r"|esta fuera de la oficina|e fuori ufficio|is afwezig|esta ausente)\s*\.?\s*(\([^()]{0,60}\)\s*\.?)?$")
# What an autoresponder appends to the subject it answers: "Re: Curso (Out of Office)".
_AWAY_SUBJECT_TAIL = LazyPattern(r"(\(out of (the )?office\)|\[out of (the )?office\]|\s[-–] out of (the )?office)\s*$")
# A help desk's ticket tag before the subject: Request Tracker's "[rt.example.com #123]"
# (RT::Action::SendEmail::SetSubjectToken), osTicket's "[#123456]", Kayako's
# "[#ABC-123-45678]:", OTRS's and Znuny's "[Ticket#2026030310000012]".
_TICKET_TAG = LazyPattern(r"^\s*[\[(][^\])]{0,80}#\s*[\w.-]+[\])]\s*:?\s*")
# Request Tracker's headers (RT::Action::SendEmail): RT writes "Precedence: bulk" on all
# its mail ($DefaultMailPrecedence), an agent's answer too, so under them that header
# does not say the mail is automatic; the template's words do (below).
_RT_HEADERS = ("rt-ticket", "x-rt-ticket", "x-rt-loop-prevention")

# Sentences with which a program says it wrote the message, where an automatic text
# stands: the first lines, before any quote. Written as people spell them (_Phrases folds
# them). After the mail programs' and help desks' own texts: "this is an automated message", "this message has been
# automatically generated" (Request Tracker's Autoreply template), "please do not reply
# to this message", in es, en, fr, pt, it, de, nl, pl, sv, da, no, fi, cs, lv, ru, tr.
_SAYS_AUTOMATIC = (
    # en
    r"\bthis (is an?|message is an?|e-?mail is an?) (automatic|automated|auto-generated|automatically generated"
    r"|system-generated|computer-generated|unmonitored) (reply|response|message|e-?mail|mail|notification"
    r"|confirmation|acknowledge?ment|answer|notice|mailbox|address|inbox)",
    r"\bthis (message|e-?mail|mail|response|reply|notification|confirmation|acknowledge?ment) (has been|was|is)"
    r" (automatically (generated|sent|created)|auto-?generated|generated automatically|sent automatically"
    r"|system generated)",
    r"\b(please )?do not (reply|respond) (to|directly to) this (message|e-?mail|mail|notification)",
    r"\bthis (mailbox|e-?mail address|address|inbox) is (not monitored|unmonitored)",
    # es
    r"\b(este|esto) es un (mensaje|correo|e-?mail|aviso|acuse de recibo) (electrónico )?"
    r"(automático|generado automática)",
    r"\b(esta es una|es una) (respuesta|notificación|confirmación) automática",
    r"\b(este|el presente) (mensaje|correo|e-?mail) (ha sido|fue|se ha|se) (generado|enviado)"
    r" (de forma |de manera )?automática",
    r"\b(por favor,? )?no (responda|conteste|respondas|contestes) (a )?(este|a este) (mensaje|correo|e-?mail)",
    # fr
    r"\bceci est un (message|courriel|e-?mail|mail|accusé de réception) (automatique|généré automatiquement)",
    r"\bceci est une (réponse|notification|confirmation) automatique",
    r"\b(ce|le présent) (message|courriel|e-?mail|mail) (a été|est) (généré|envoyé|émis) automatiquement",
    r"\bne (pas )?répondez pas à (ce|cet) (message|courriel|e-?mail|mail)",
    r"\bne pas répondre à (ce|cet) (message|courriel|e-?mail|mail)",
    # pt
    r"\b(esta|este) é (um|uma) (e-?mail|mensagem|correio|resposta) (automático|automática|gerad[oa] automaticamente)",
    r"\b(esta mensagem|este e-?mail) (foi|é) (gerad[oa]|enviad[oa]) automaticamente",
    r"\b(por favor,? )?não (responda|responder|responde) (a )?(esta mensagem|este e-?mail)",
    # it
    r"\bquesta è una (risposta|e-?mail|mail|notifica|conferma) automatica",
    r"\bquesto è un (messaggio|avviso) (automatico|generato automaticamente)",
    r"\b(questo messaggio|questa e-?mail|questa mail) (è stat[oa]|viene) (generat[oa]|inviat[oa]) automaticamente",
    r"\bnon rispondere a (questo messaggio|questa e-?mail|questa mail)",
    # de
    r"\bdies ist eine automatisch(e)? (generierte |erstellte )?(antwort|nachricht|e-?mail|mail|eingangsbestätigung"
    r"|benachrichtigung|bestätigung)",
    r"\bdiese (nachricht|e-?mail|mail|bestätigung) (wurde|ist|wird) automatisch (generiert|erstellt|versendet"
    r"|verschickt|erzeugt|versandt)",
    r"\bbitte (antworten sie nicht|nicht antworten) auf diese (nachricht|e-?mail|mail)",
    # nl
    r"\bdit is een automatisch (gegenereerd |verzonden )?(bericht|antwoord|e-?mail|mailbericht)",
    r"\bdit (bericht|e-?mail|mailbericht) is automatisch (gegenereerd|verzonden|verstuurd|aangemaakt)",
    r"\b(gelieve|graag) niet (te )?(antwoorden|reageren|beantwoorden) op (dit|deze) (bericht|e-?mail|mail)",
    # pl
    r"\bto jest (automatyczna (odpowiedź|wiadomość)|wiadomość (wygenerowana )?automatyczna"
    r"|automatycznie wygenerowana wiadomość)",
    r"\b(ta|niniejsza) wiadomość (została|jest) (wygenerowana|wysłana) automatycznie",
    r"\bnie odpowiadaj(cie)? na (tę|te|tą) wiadomość", r"\bprosimy nie odpowiadać na",
    # sv, da, no
    r"\bdetta (är|e) ett automatiskt (svar|meddelande|genererat meddelande|utskick)",
    r"\bdetta (meddelande|mejl|mail|e-?postmeddelande) (har skickats|skickades|har genererats|är) automatiskt",
    r"\bsvara inte på (detta|det här) (meddelande|mejl|mail|e-?postmeddelande)",
    r"\bdette er (en|et) automatisk(t|e)? (genereret |generert )?(besked|svar|meddelelse|melding|e-?mail|mail"
    r"|e-?post)",
    r"\bdenne (e-?mail|mail|besked|meddelelse|e-?posten|meldingen) er (automatisk genereret|automatisk generert"
    r"|sendt automatisk|automatisk sendt)",
    r"\b(svar venligst ikke|vennligst ikke svar|ikke svar) på denne (e-?mail|mail|besked|e-?posten|meldingen)",
    # fi
    r"\btämä on automaattinen (viesti|vastaus|vahvistus|kuittaus|ilmoitus|sähköposti)",
    r"\btämä (viesti|sähköposti) on (lähetetty|luotu) automaattisesti",
    r"\b(älä|älähän|ethän) vastaa tähän (viestiin|sähköpostiin)", r"\btähän viestiin ei voi vastata",
    # cs
    r"\b(toto|tohle) je automatick(á|ý|é) (odpověď|zpráva|e-?mail|potvrzení|upozornění)",
    r"\b(tato zpráva|tento e-?mail) (byla|byl|je) automaticky (vygenerován|odeslán|generován)",
    r"\b(tato zpráva|tento e-?mail) (byla|byl|je) (vygenerován|odeslán)a? automaticky",
    r"\bneodpovídejte na (tuto|tento) (zprávu|e-?mail)",
    # lv
    r"\bšis ir automātisk(s|i ģenerēts) (ziņojums|e-pasts|vēstule)", r"\bšī ir automātiska atbilde",
    r"\bneatbildiet uz (šo|šo e-pastu|šo ziņojumu)",
    # ru
    r"\b(это|данное) автоматическ(ое|и сгенерированное|и созданное) (сообщение|уведомление|письмо)",
    r"\bэто автоматический ответ",
    r"\b(это|данное) (письмо|сообщение) (было )?(сформировано|сгенерировано|отправлено|создано) автоматически",
    r"\bне отвечайте на (это|данное) (письмо|сообщение)",
    # tr
    r"\bbu (bir )?otomatik (bir )?(mesaj|e-?posta|yan[ıi]t|cevap|bildirim|bilgilendirme)",
    r"\bbu (e-?posta|mesaj) otomatik olarak (gönderil|oluşturul)",
    r"\bbu (e-?postay|mesaj)[ıi] yan[ıi]tlamay[ıi]n", r"\bbu e-?postaya (yan[ıi]t|cevap) vermeyin",
    # Help desks' default notices (their own templates): Request Tracker's Autoreply
    # ("… in response to the creation of a trouble ticket") and Resolved templates
    # (share/etc/initialdata); Zendesk's "Your request (123) has been received and is
    # being reviewed by our support staff" and "… has been solved" (its standard
    # triggers); Zammad's "Your request (#123) has been received and will be reviewed"
    # (seeded trigger); osTicket's "A request for support has been created and assigned
    # #123" (ticket.autoresp.yaml); Freshdesk's "… we have received your request and a
    # ticket has been created with Ticket ID" (New Ticket Created acknowledgement).
    r"\bin response to the creation of a (trouble ticket|ticket|helpdesk call)",
    r"\baccording to our records,? your request has been resolved",
    r"\byour (request|ticket|case|enquiry|inquiry)( \([^)]{1,40}\)| #?[\w-]*\d[\w-]*)? has been (received|created"
    r"|opened|logged|registered|solved|deemed solved)",
    r"\ba (request for support|support request|support ticket|ticket) has been (created|opened|logged)",
)
# An acknowledgement of receipt: "we have received your message", in the first lines,
# and a promise to answer (below) in a short text: what ticket systems and shared
# mailboxes send when anything comes in. Plural or passive, and about the message: a
# person writes "I received the brochure" (a reply).
_RECEIPT = (
    r"\bwe('ve| have)? (successfully |now )?received your (message|e-?mail|mail|request|inquiry|enquiry|query"
    r"|submission|correspondence)",
    r"\b(your|the) (message|e-?mail|mail|request|inquiry|enquiry|query) (has been|was|is) (successfully )?received",
    r"\bhemos recibido (correctamente |con éxito )?(su|tu|vuestro|vuestra) (mensaje|correo|e-?mail|consulta"
    r"|solicitud|petición)",
    r"\b(su|tu) (mensaje|correo|e-?mail|consulta|solicitud|petición) (ha sido|fue|se ha) recibid",
    r"\bconfirmamos (la )?recepción",
    r"\bnous avons (bien )?reçu votre (message|courriel|e-?mail|mail|demande|requête)",
    r"\bvotre (message|courriel|e-?mail|mail|demande) a (bien )?été (reçu|enregistré)",
    r"\bnous accusons (bonne )?réception",
    r"\b(nós )?recebemos (a sua|a tua|sua|tua|o seu|o teu|seu) (mensagem|e-?mail|pedido|solicitação|contato|contacto)",
    r"\b(a sua|sua|o seu|seu) (mensagem|e-?mail|pedido|solicitação) (foi|já foi) recebid",
    r"\babbiamo ricevuto (la sua|il suo|la tua|il tuo|la vostra|il vostro) (messaggio|e-?mail|mail|richiesta)",
    r"\b(il suo|la sua|il tuo|la tua) (messaggio|e-?mail|mail|richiesta) è stat[oa] ricevut",
    r"\bwir haben ihre (nachricht|e-?mail|mail|anfrage) (erhalten|empfangen)",
    r"\bihre (nachricht|e-?mail|mail|anfrage) (ist|wurde) (bei uns )?(eingegangen|erhalten|empfangen)",
    r"\bwir bestätigen (hiermit )?den eingang",
    r"\b(wij hebben|we hebben) (uw|je|jouw) (bericht|e-?mail|mail|vraag|aanvraag) (in goede orde )?ontvangen",
    r"\b(uw|je|jouw) (bericht|e-?mail|mail|vraag|aanvraag) is (in goede orde )?ontvangen",
    r"\botrzymaliśmy (twoją |pana |pani |państwa )?(wiadomość|e-?mail|zapytanie|zgłoszenie)",
    r"\bvi har (tagit emot|mottagit|fått) (ditt|ert|din|er) (meddelande|mejl|mail|e-?post|ärende|förfrågan)",
    r"\bvi har modtaget (din|jeres|deres) (e-?mail|mail|besked|henvendelse|forespørgsel)",
    r"\bvi har mottatt (din|deres) (e-?post|melding|henvendelse|forespørsel)",
    r"\bolemme vastaanottaneet (viestisi|sähköpostisi|yhteydenottosi|pyyntösi)",
    r"\b(viestisi|yhteydenottosi|sähköpostisi) on vastaanotettu",
    r"\b(obdrželi|přijali) jsme (vaši|váš|tvou|tvůj) (zprávu|e-?mail|dotaz|požadavek)",
    r"\besam saņēmuši (jūsu|tavu) (ziņojumu|e-pastu|pieprasījumu|vēstuli)",
    r"\bмы получили (ваше|ваш|вашу) (письмо|сообщение|обращение|запрос|заявку)",
    r"\bваше (письмо|сообщение|обращение) (получено|принято|зарегистрировано)",
    r"\b(mesaj|e-?posta|talep)[ıi]n[ıi]z[ıi]? al[ıi]n(m[ıi]şt[ıi]r|d[ıi])",
)
_PROMISE = (
    r"(\bwill|'ll|\bshall) (be )?(respond|reply|answer|get back|contact|be in touch|get in touch|review|process"
    r"|handle|deal with|follow up|look into|reach out|send you)",
    r"\bas soon as (possible|we can)", r"\bwithin (the next )?\d+", r"\b(shortly|promptly|at the earliest)\b",
    r"\b(responderemos|contestaremos|contactaremos|atenderemos|pondremos en contacto|daremos respuesta"
    r"|gestionaremos|revisaremos)",
    r"\b(a la mayor brevedad|lo antes posible|lo más pronto posible|en breve|tan pronto como (sea posible|podamos))",
    r"\b(répondrons|recontacterons|contacterons|reviendrons|traiterons)",
    r"\b(dans les (plus )?(brefs|meilleurs) délais|dès que possible|au plus vite|rapidement)",
    r"\b(responderemos|entraremos em (contato|contacto)|retornaremos|daremos resposta|analisaremos)",
    r"\b(o mais (breve|rápido) possível|em breve|assim que possível|com a maior brevidade)",
    r"\b(risponderemo|ricontatteremo|contatteremo|daremo riscontro)",
    r"\b(al più presto|quanto prima|a breve|nel più breve tempo possibile|appena possibile)",
    r"\b(so bald wie möglich|sobald wie möglich|so schnell wie möglich|schnellstmöglich|baldmöglichst|umgehend"
    r"|zeitnah|in kürze|wir melden uns|wir werden uns|wir werden ihre)",
    r"\b(zo (spoedig|snel) mogelijk|op korte termijn|(wij|we) nemen|(wij|we) (zullen|gaan) (u|je|uw|jouw)"
    r"|(wij|we) reageren|(wij|we) beantwoorden)",
    r"\b(odpowiemy|skontaktujemy się|odezwiemy się|rozpatrzymy|najszybciej jak|niezwłocznie|wkrótce)",
    r"\b(återkommer|återkopplar|kontaktar|svarar|besvarar)\b", r"\b(så snart som möjligt|snarast)",
    r"\b(vender tilbage|kontakter|svarer|besvarer|hurtigst muligt|snarest)\b",
    r"\b(kommer tilbake|så snart som mulig)",
    r"\b(vastaamme|otamme yhteyttä|palaamme|käsittelemme|mahdollisimman pian)",
    r"\b(odpovíme|ozveme se|budeme kontaktovat|vyřídíme|co nejdříve|co nejdřív)",
    r"\b(atbildēsim|sazināsimies|pēc iespējas drīz|tuvākajā laikā|iespējami drīzāk)",
    r"(ответим|свяжемся|рассмотрим|в ближайшее время|как можно скорее)",
    r"(en k[ıi]sa (sürede|zamanda)|yan[ıi]t verece|cevap verece|dönüş yapaca|size ulaşaca|geri dönece"
    r"|iletişime geçece)",
)


class _Phrases:
    """Alternatives written as people spell them, searched in folded text. Folded (lower
    case without accents; no upper-case escapes in them) and compiled when first used.
    One alternation of them all costs about a millisecond on a reply's first lines (the
    engine tries each at every position); so each alternative is tried only where the
    text holds the words it cannot match without (_required_words), which a plain
    substring search finds at a fraction of that cost."""

    def __init__(self, alternatives: tuple[str, ...]):
        self._alternatives = alternatives
        self._compiled: list[tuple[str, re.Pattern]] | None = None

    def search(self, text: str) -> re.Match | None:
        if self._compiled is None:
            self._compiled = [(_required_words(folded), re.compile(folded))
                              for folded in map(_fold, self._alternatives)]
        found = None
        for words, pattern in self._compiled:
            if words in text:
                match = pattern.search(text)
                if match is not None and (found is None or match.start() < found.start()):
                    found = match
        return found


def _required_words(pattern: str) -> str:
    """The longest run of plain characters a match of `pattern` must contain: outside
    every group, class and escape, and not made optional by a quantifier ("" when there
    is none, which every text holds)."""
    runs, run, depth, i = [], "", 0, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            runs.append(run)
            run, i = "", i + 2
            continue
        if char == "[":
            runs.append(run)
            run, i = "", pattern.index("]", i + 2) + 1
            continue
        if char == "{" or (depth == 0 and char in "?*"):
            run = run[:-1]  # the character before a quantifier may be absent
            if char == "{":
                i = pattern.index("}", i)
        if char in "()|.^$+?*{" or depth:
            runs.append(run)
            run = ""
            depth += (char == "(") - (char == ")")
        else:
            run += char
        i += 1
    return max(runs + [run], key=len)


# The same in Chinese, Japanese and Korean (no \b: their letters are all word characters,
# so there is no boundary between two of them). A program's own sentence: QQ Mail's
# "这是来自QQ邮箱的(假期)自动回复邮件" heading every automatic answer it sends, "【自动回复】",
# "此为自动回复邮件", Japanese "このメールは自動送信されています", Korean "이 메일은
# 자동으로 발송되었습니다"; and the sentence of a vacation answer that no person who
# answers writes: "无法亲自回复您的邮件" (cannot answer your mail in person), "ただいま
# 不在にしております", "休暇のため不在です" (away on holiday), "我目前不在办公室" (I am not
# in the office), "현재 부재중입니다". (Folded, Hangul is matched as its letters: a
# Korean gap is counted in those.)
_CJK_SAYS_AUTOMATIC = (
    r"(这是|此为|此是|本邮件为|本邮件是|此邮件为|此邮件是|这封邮件是)[^。！!\n]{0,14}自动(回复|答复|发送|生成)",
    r"(這是|此為|本郵件為|本郵件是|此郵件為|此郵件是|這封郵件是)[^。！!\n]{0,14}自動(回覆|回复|答覆|發送|產生)",
    r"【自动(回复|答复)】", r"【自動(回覆|答覆)】", r"自动回复邮件", r"自動回覆郵件",
    r"无法(亲自|及时|立即)回复(你|您)的(邮件|来信)", r"無法(親自|及時|立即)回覆(你|您)的(郵件|來信)",
    r"(この|本)メールは[^。\n]{0,12}自動(送信|返信|配信|的に送信)", r"自動返信(メール|です|にて)",
    r"不在にして(おり|い)ます", r"休暇(中(です|のため|につき)|を(いただいて|頂いて)(おり|い)ます)", r"出張中(のため|につき)",
    r"(休暇|出張)のため不在",
    r"(我|本人)(目前|现在|現在)?(不在办公室|不在辦公室|正在休假)",
    r"이 (메일|이메일|메시지)은 [^.\n]{0,40}자동", r"자동 ?(응답|회신) ?(메일|메시지)", r"(현재|지금) ?부재 ?중",
    r"부재 ?중(입니다|이오니|이라)",
)
# "Your mail has been received" and the promise to answer, in Chinese, Japanese and Korean.
_CJK_RECEIPT = (
    r"(你|您)的(来信|邮件|信件)(我|我们)?(已经|已|都已经|都已)(收到|收悉)",
    r"(你|您)的(來信|郵件|信件)(我|我們)?(已經|已)(收到|收悉)",
    r"(你|您)(发|發)的(邮件|郵件)(我|我们|我們)?(已经|已經|已)收到",
    r"(我|我们|我們)?已(经|經)?收到(了)?(你|您)的(邮件|来信|郵件|來信)",
    r"(邮件|郵件|来信|來信)(我|我们|我們)?(已经|已經|已)收到",
    r"(メール|お問い合わせ|お問合せ|ご連絡)(を|は)(受信|受け付け|受付)(いたしました|しました|ました|いたしております)",
    r"(메일|이메일|문의)(을|를|이|가)? ?(잘 )?(받았습니다|수신(했|하였|되었)습니다|접수(되었|했|하였)습니다)",
)
_CJK_PROMISE = (
    r"尽快", r"盡快", r"稍后回复", r"稍後回覆", r"会(在)?[^。\n]{0,8}(回复|答复|处理|查看)",
    r"會(在)?[^。\n]{0,8}(回覆|答覆|處理|查看)", r"正在处理", r"正在處理",
    r"(改めて|追って|後日|折り返し)(ご連絡|ご返信|ご回答|回答)", r"担当者より", r"(できるだけ|なるべく)早く", r"速やかに",
    r"(빠른|빠르게|최대한 빨리|곧) ?(시일 ?내에|회신|답변|연락)", r"(회신|답변|연락)(드리겠습니다|드릴게요|드리도록)",
)
# More first lines of an out-of-office (issue #25), each with what a person who
# mentions an absence leaves out: the English future and states only with the span of
# the absence ("I'll be on holiday in April, so May suits me" is an answer); German with
# the span before the state ("vom 2. bis 9. März nicht im Büro"); and uk, hu, ro, el,
# id, ms, vi, he, ar. Written as people spell them and folded when first used, like
# SAYS_AUTOMATIC (_Phrases: each tried only where its words stand, so that the table
# grows without costing every reply; no upper-case escapes, hence [^\s]).
_MORE_OUT_OF_OFFICE = (
    # en
    r"\b(i am|i'm) (currently |now )?(away|unavailable)( on business| on holiday| on leave)?,? (until|till|through"
    r"|returning|and will)",
    r"\b(i will|i'll) be (away|unavailable|on (annual |parental |maternity |paternity |sick |study )?(leave"
    r"|holidays?|vacation)|away from (the |my )?(office|desk|e-?mail))[^.!?\n]{0,30}\b(until|till|through"
    r"|returning|and will|with (limited|no) access)",
    # es, pt
    r"\b(estoy|estaré|me encuentro) (actualmente )?fuera (hasta|desde el|del \d)",
    r"\b(estoy|me encuentro) de baja (médica|por (maternidad|paternidad|enfermedad)|hasta)",
    r"\b(estou|estarei) fora até\b",
    # de
    r"\bich (bin|befinde mich) (vom [^\s]+ ([^\s]+ )?)?bis (einschließlich |einschliesslich |zum |zur )?[^\s]+ "
    r"([^\s]+ )?([^\s]+ )?(nicht im (büro|hause)|abwesend|im urlaub|außer haus|ausser haus|nicht erreichbar"
    r"|auf dienstreise|in elternzeit)",
    r"\bich bin (derzeit |zurzeit |momentan |leider )?(nicht im hause|in elternzeit|im mutterschutz)",
    r"\bich bin ab dem [^\s]+ ([^\s]+ )?wieder (im büro|erreichbar)",
    # sv, ru, uk
    r"\bjag är (för närvarande )?(tjänstledig|föräldraledig|sjukskriven)",
    r"буду отсутствовать (до|с|по)", r"\bя (сейчас |временно )?отсутствую",
    r"я (у|в) (відпустці|відрядженні)", r"перебуваю (у|в) (відпустці|відрядженні)", r"мене немає (в|у) офісі",
    r"я поза офісом", r"буду відсутній (до|з)",
    # hu, ro, el
    r"\b(jelenleg )?szabadságon vagyok", r"\bnem vagyok (bent )?az irodában", r"\b(irodán|házon) kívül vagyok",
    r"\bsunt (în concediu|plecată? din birou|în afara biroului)", r"\bnu sunt (la|în) birou",
    r"\b(είμαι|βρίσκομαι) (εκτός γραφείου|σε άδεια|σε διακοπές)",
    # id, ms, vi, he, ar
    r"\bsaya (sedang |saat ini )?(cuti|bercuti|berada di luar kantor|tidak berada di kantor|di luar kantor"
    r"|di luar pejabat)",
    r"\btôi (hiện )?(đang )?(đi )?(nghỉ phép|vắng mặt|công tác|ở ngoài văn phòng)",
    r"אני (כרגע )?(מחוץ למשרד|בחופשה|נמצאת? (בחופשה|מחוץ למשרד))", r"خارج المكتب", r"أنا (حالياً )?في إجازة",
)
SAYS_AUTOMATIC = _Phrases(_SAYS_AUTOMATIC + _CJK_SAYS_AUTOMATIC)
DEPARTED = _Phrases(departures.GONE + departures.DEAD_ADDRESS)
_DEAD_ADDRESS = _Phrases(departures.DEAD_ADDRESS)
_FIRST_PERSON_BEFORE = LazyPattern(departures.FIRST_PERSON_BEFORE)
_FIRST_PERSON_VERB = LazyPattern(departures.FIRST_PERSON_VERB)
NEW_ADDRESS = _Phrases(tuple(f"(?:{lead_in}){departures.ADDRESS_AFTER}"
                             for lead_in in departures.NEW_ADDRESS_LEAD_INS))
_WRITER_SPEAKS = LazyPattern(departures.WRITER_SPEAKS)
_ADDRESS_IN = LazyPattern(departures.ADDRESS)
RECEIPT = _Phrases(_RECEIPT + _CJK_RECEIPT)
PROMISE = _Phrases(_PROMISE + _CJK_PROMISE)
MORE_OUT_OF_OFFICE = _Phrases(_MORE_OUT_OF_OFFICE)
# A person answering through the words of an automatic text: a question in the first
# lines ("¿Este es un mensaje automático?"), or a turn to their own answer ("I'm out of
# the office until Monday but wanted to answer: yes").
_PERSON_ANSWERS = LazyPattern(
    r"[?¿]|\b(but|pero|mais|mas|ma|aber|maar) (yes|si|sim|oui|ja)\s*[,.!:;]"
    r"|\b(but|pero|mais|mas|ma|aber|maar|ale|men|mutta|но|ama|fakat)\b[^.!?\n]{0,30}"
    r"\b(wanted|want|wished|wish|queria|quiero|quise|voulais|veux|quero|volevo|voglio|wollte|mochte|wilde"
    r"|chcia\w*|ville|halusin|chtel\w*|хотел\w*|istedim|yes|oui|sim)\b")
# A request to the reader in the second person (folded), as a person's next question
# asks it: "¿Me lo puedes volver a mandar?", "Could you send it again?".
_ASKS_THE_READER = LazyPattern(
    r"\b(puedes|puede|podrias|podria|podeis|pueden|can you|could you|would you|will you|pouvez-vous|pourriez-vous"
    r"|peux-tu|pourrais-tu|pode|podes|poderia|podia|puoi|potresti|potrebbe|kannst du|konnen sie|konnten sie"
    r"|kunt u|kun je|zou je)\b")
# What an out-of-office's own polite question asks: to write or call someone else
# ("Could you please contact my colleague Ana, ana@…?"), or to write again later.
_POINTS_ELSEWHERE = LazyPattern(
    r"contact|llam|call\b|ring\b|escrib|write|schreib|scriv|escrev|colleague|colega|collegue|collega|kolleg"
    r"|@|\d{3}|resend|reenvi|renvoy|erneut|again after|de nuevo (a partir|despues)|after (the |my )?return")
# A message that opens with an answer ("Yes! I'm on holiday in August, so July is
# best"): no out-of-office opens so.
_ANSWER_FIRST = LazyPattern(r"\W*(yes|yes please|si|oui|sim|ja|jawel|tak|ano|evet|да)\s*[,.!:;]")
MAX_ACKNOWLEDGEMENT = 1500  # characters: an acknowledgement is a short template
_REPLY_PREFIX = LazyPattern(r"^\s*((re|fw|fwd|rv|aw|sv|tr)\s*(\[\d+\])?\s*:\s*)+", re.I)
_MESSAGE_ID = LazyPattern(r"<[^<>\s]+>")
# The ruler over the footer Mailman 2 and 3 add to each post they relay (msg_footer;
# templates/en/list:member:generic:footer.txt): the list's words below it, "To
# unsubscribe send an email to …" among them, are not the person's (issue #25).
_LIST_FOOTER_RULER = LazyPattern(r"_{30,}$")
_WORD = LazyPattern(r"[^\W\d_]+")
_QUOTE_START = LazyPattern(
    r"^(>|-{2,}\s*(original message|mensaje original|forwarded message|mensaje reenviado)"
    r"|(on|el)\s.+(wrote|escribió|escribio)\s*:\s*$"
    r"|(from|de)\s*:\s.+@)",
    re.I,
)


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
    # "complaint", "auth_failure", "domain_report", "bounce", "auto_reply", "unsubscribe" or "reply"
    kind: str
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
    truncated: bool = False        # over the size limit: its headers were read, and a report's start
    # A complaint (an ARF feedback report, complaints.py): who complained, and how.
    complainers: tuple[str, ...] = ()
    feedback_type: str = ""
    # An authentication failure report (RFC 6591): what failed, the domain, who says so;
    # a report about the domain (domain_reports.py): "dmarc" or "tls".
    auth_failure: str = ""
    reported_domain: str = ""
    reporting_mta: str = ""
    domain_report: str = ""
    # A departure notice read as a bounce (departures.py): the new address it gives the
    # person, if any, for the marketer (never imported). Not in the repr: bench/verdicts.py
    # compares reprs, and the failure's reason says it already.
    departed: bool = field(default=False, repr=False)
    new_address: str = field(default="", repr=False)
    # A bounce whose From is no mail system's: what it says, as a reply's text is read,
    # for the inbox when that From is a lead's and the report fails no lead (the lead
    # answered, pasting a report). Not in the repr, as above.
    writer_text: str = field(default="", repr=False)

    @property
    def permanent(self) -> tuple[str, ...]:
        """Recipients whose address failed for good (hard bounces)."""
        return tuple(f.address for f in self.failures if f.hard)

    @property
    def temporary(self) -> tuple[str, ...]:
        """Recipients whose message failed for another reason (soft bounces)."""
        return tuple(f.address for f in self.failures if not f.hard)


def classify(raw: bytes, *, unsubscribe_address: str | None = None,
             own: frozenset[str] = frozenset(), headers_only: bool = False,
             start: bytes = b"") -> Incoming:
    """`unsubscribe_address`: mail sent to it is an unsubscribe request whatever it says
    (only pass one that differs from the address replies go to). `own`: our addresses,
    never a failed recipient. `headers_only`: `raw` is only the header of a message too
    large to read; its headers decide, and a feedback or delivery report's fields when
    `start`, the message's first bytes, holds them."""
    try:
        # Blank lines before the first header would make the whole message its body, and
        # an indent on every line one header: damage.relined undoes what a copy did to
        # the lines.
        raw = damage.relined(raw)
        msg = email.message_from_bytes(raw, policy=header_memo.policy())
        if (refolded := damage.refolded(raw, msg)) is not None:
            raw, msg = refolded, email.message_from_bytes(refolded, policy=header_memo.policy())
        if (mended := damage.mended(raw, msg)) is not None:
            msg = email.message_from_bytes(mended, policy=header_memo.policy())
        sender = _sender(msg)
        subject = header_text(msg, "subject")
        message_id = _first_id(header_text(msg, "message-id"))
        references = _references(msg)
    except Exception as err:  # the email package raises a zoo of errors on broken input
        raise Unreadable(f"cannot parse the message ({type(err).__name__})") from None

    try:
        return _classify(msg, sender, message_id, references, subject, unsubscribe_address,
                         own, headers_only, start)
    except Exception as err:  # a part the email package cannot decode, deep inside
        raise Unreadable(f"cannot read the message ({type(err).__name__})") from None


def _classify(msg, sender, message_id, references, subject, unsubscribe_address, own,
              headers_only, start=b"") -> Incoming:
    def result(kind: str, text: str = "", **bounce) -> Incoming:
        return Incoming(kind, sender, message_id, references, subject, text,
                        written_at=_date(msg), truncated=headers_only, **bounce)

    if complaints.looks_like_complaint(msg):
        # A provider's feedback loop: someone marked our message as spam (RFC 5965). Its
        # structure is a report's, so it comes before the bounce test.
        complaint = _report_at_start(start) if headers_only else complaints.read(msg)
        if complaint is None:
            # Its feedback part is not in the bytes read: the report-type says complaint.
            return result("complaint", feedback_type="abuse")
        if complaint.feedback_type == complaints.AUTH_FAILURE:
            # RFC 6591: our message failed SPF, DKIM or DMARC. Nobody complained.
            return result("auth_failure", original_ids=complaint.original_ids,
                          complainers=complaint.complainers, feedback_type=complaint.feedback_type,
                          auth_failure=complaint.auth_failure, reported_domain=complaint.reported_domain,
                          reporting_mta=complaint.reporting_mta)
        return result("complaint", original_ids=complaint.original_ids,
                      complainers=complaint.complainers, feedback_type=complaint.feedback_type)
    domain_report = domain_reports.report_kind(msg, subject)
    if domain_report is not None:
        # DMARC aggregate and TLS reports about our domain: a machine's, and a TLS report
        # is a multipart/report, so before the bounce test.
        return result("domain_report", domain_report=domain_report)
    # Never a candidate of a report: our own addresses and the reporting daemon's. (Not
    # the report's own To: some servers copy the failed recipient into its headers.)
    mine = {a.lower() for a in set(own) | ({sender} if sender else set())}
    if bounces.looks_like_bounce(msg, sender, subject, start=_start_message(start) if headers_only else None) and \
            not _forwards_a_report(msg, sender, subject, own, headers_only):
        # Never a reply or an auto-reply, even when it names nobody leadloop knows: the
        # inbox reports it for review.
        report = _bounce_at_start(start, mine) if headers_only else bounces.read(msg, own=mine)
        if report is None:
            # Nothing read says who failed or how: the headers alone say a report.
            return result("bounce")
        if not report.failures and (report.overall.verdict.status or "").startswith("2.") and not headers_only \
                and (held := bounces.list_answer(msg, subject)) is not None and held.kind == "held":
            # Sympa says it holds a post for the moderator in an RFC 3464 report of success
            # (2.3.0, Action: delivered): an automatic answer, no failure.
            return result("auto_reply")
        writer_text = "" if headers_only or bounces.names_mail_system(header_text(msg, "from")) else reply_text(msg)
        return result("bounce", failures=report.failures, overall=report.overall,
                      original_ids=report.original_ids, original_to=report.original_recipients,
                      writer_text=writer_text)
    # (A list's refusal over the size limit returns our message, brochure and all: its
    # notice is in the message's first bytes.)
    notice = _start_message(start) if headers_only else msg
    answer = None if notice is None else bounces.list_answer(notice, subject)
    if answer is not None and answer.kind != "held":
        # A list program refuses our post, or has no such list (issue #25): a failure about
        # the list that is the lead, the sender's, the list's limit or a dead address.
        report = bounces.read_list_answer(notice, answer, own=mine)
        return result("bounce", failures=report.failures, overall=report.overall,
                      original_ids=report.original_ids, original_to=report.original_recipients)
    def departed(text: str, automatic: bool) -> Incoming | None:
        found = _departure(text, automatic, sender)
        if found is None and automatic and subject:
            # Notes puts the leaver's sentence in an automatic answer's subject ("Ana
            # Peña doesn't work any longer for Acme."); the new address is in its text.
            found = _departure(subject, True, sender, new_address_in=text)
        if found is None:
            return None
        sentence, new_address = found
        verdict = Verdict(True, "hasmoved", None, ADDRESS)
        # The sender is the address that answered; the message it answers (its
        # references) finds the lead when an alias answered instead.
        return result("bounce", failures=(Failure(sender, verdict, sentence),) if sender else (),
                      overall=Failure(None, verdict, sentence), original_ids=references,
                      departed=True, new_address=new_address)

    sender_field = header_text(msg, "from")
    if _is_auto_reply(msg, subject) or bounces.is_list_notice(msg, subject) or \
            bounces.names_mail_system(sender_field) and not bounces.postmasters_own(sender_field):
        # A list program's notice is a machine's, like an out-of-office (issue #25), and
        # so is whatever a no-reply or system address sends: nobody answers from one.
        # A postmaster is a person (bounces.postmasters_own) when nothing else says not.
        # One that says the person has gone is about the address (SPEC §7 "has moved").
        return (None if headers_only else departed(reply_text(msg), True)) or result("auto_reply")
    text = "" if headers_only else reply_text(msg)
    opening = _folded_opening(text)
    if _opens_as_out_of_office(opening) or _opens_as_automatic_answer(text, opening):
        return departed(text, True) or result("auto_reply")
    if (unsubscribe_address and unsubscribe_address in _recipients(msg)) or _asks_to_unsubscribe(subject, text):
        return result("unsubscribe", text)
    return departed(text, False) or result("reply", text)


def _departure(text: str, automatic: bool, sender: str | None, *,
               new_address_in: str | None = None) -> tuple[str, str] | None:
    """The sentence with which the first lines say the person has left or the address is
    no longer used (departures.py), and the new address they give the person ("" when
    none), or None. Without any automatic sign (`automatic` false) only a notice as
    short as a template counts, that says so in its first sentences, asks nothing and
    in which the writer does not speak of themselves: a person who answers from the
    address reads it, and "I'm leaving next month, but yes" is an answer."""
    if not text:
        return None
    if not automatic and (len(text) > departures.MAX_UNMARKED_NOTICE or "?" in text or "¿" in text):
        return None
    lines = [" ".join(line.split()) for line in text.split("\n")]
    original = "\n".join(line for line in lines if line)[:600]
    folded = _fold(original)
    flat = folded.replace("\n", " ")
    match = DEPARTED.search(flat)
    if match is None:
        return None
    # The address is dead whoever says so: "I no longer check this address" is no less
    # about the address for being written by its owner (the other guards still hold).
    dead = _DEAD_ADDRESS.search(flat)
    about_address = dead is not None and dead.start() == match.start()
    if not automatic and (not departures.starts_within(match, folded)
                          or (not about_address and _WRITER_SPEAKS.search(folded))
                          or _person_answers(folded, match)):
        return None
    if automatic and (_person_answers(folded, match)
                      or (_says_away(folded) and not _leaver_speaks(folded, match))):
        return None
    mapped, positions = departures.fold_with_positions(original)
    if mapped != folded:  # (a character folds differently alone than in its word: none known)
        return None
    sentence = departures.sentence_around(original, positions[match.start()], positions[match.end()])
    new = NEW_ADDRESS.search(_fold((text if new_address_in is None else new_address_in)[:2000]))
    new_address = _ADDRESS_IN.findall(new.group(0))[-1] if new is not None else ""
    if new_address == (sender or "").lower():
        new_address = ""
    return sentence, new_address


def _leaver_speaks(folded: str, match: re.Match) -> bool:
    """The departure sentence is the writer's own ("I have left Acme.", "ya no trabajo
    en Acme") and comes in the first lines: it decides over an away template above it."""
    if match.start() >= departures.first_sentences_end(folded, departures.FIRST_PERSON_SENTENCES):
        return False
    return _FIRST_PERSON_BEFORE.search(folded[:match.start()]) is not None or \
        _FIRST_PERSON_VERB.search(match.group(0)) is not None


def _report_at_start(start: bytes):
    """The feedback report read from the first bytes of one too large to read whole (an
    auth-failure report returns our message whole, attachments and all): RFC 5965 §2 puts
    the feedback fields second, after a short text, and the returned message's header
    next, so they are in its start. None unless its Feedback-Type is there."""
    msg = _start_message(start)
    return None if msg is None else complaints.read_start(msg)


def _bounce_at_start(start: bytes, own: set[str]):
    """The delivery report read from the first bytes of one too large to read whole (a
    report that returns our information pack, brochure and all): RFC 3464 §2 and RFC
    3462 put the human-readable part and the delivery-status fields before the returned
    message, and the plain-text reports of Exim, Postfix, qmail and others their
    diagnostic before the copy, so the same reader finds the same recipients, statuses
    and owners there. None unless they name a recipient or a status."""
    msg = _start_message(start)
    if msg is None:
        return None
    try:
        report = bounces.read(msg, own=own)
    except Exception:  # a cut the email package cannot read: the headers decide, as before
        return None
    verdict = report.overall.verdict
    if report.failures or verdict.status or verdict.reason != "undefined":
        return report
    return None


def _start_message(start: bytes) -> Message | None:
    """The message's first bytes as a message, whole lines only: the last one read may
    be cut in the middle of an address."""
    start = start[:start.rfind(b"\n") + 1].lstrip(b" \t\r\n")
    if not start:
        return None
    return email.message_from_bytes(start, policy=header_memo.policy())


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
    if bounces.writers_subject(subject):
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


def _own_text(msg: Message) -> tuple[str | None, str | None]:
    """The message's own first plain text, else (None, its first HTML): never a text
    inside a message it carries (a forward's, or a report's fields the parser could not
    read, base64 inside message/delivery-status). An HTML page labelled text/plain (a
    web form's or a CRM's mailer) is its HTML: its markup is not the person's words."""
    html_text = None
    hint = bounces.charset_hint(msg)
    for part in bounces.own_parts(msg):
        if part.get_content_disposition() == "attachment":
            continue
        kind = part.get_content_type()
        if kind == "text/plain":
            text = _decoded(part, hint)
            if not bounces.HTML_START.match(text):
                return text, None
            html_text = html_text or text
        elif kind == "text/html" and html_text is None:
            html_text = _decoded(part, hint)
    return None, html_text


def _first_text(msg: Message) -> str:
    """The message's own first text (plain, else the HTML's text with its quotes kept)."""
    plain, html_text = _own_text(msg)
    if plain is not None:
        return plain
    if html_text is None:
        return ""
    text = re.sub(r"<(br|/p|/div|/tr|blockquote)[^>]*>", "\n", html_text, flags=re.I)
    text = re.sub(r"<(style|script)[^>]*>.*?</\1>", "", text, flags=re.I | re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def _date(msg: Message) -> datetime | None:
    from email.utils import parsedate_to_datetime

    try:
        value = parsedate_to_datetime(header_text(msg, "date"))
    except (TypeError, ValueError, IndexError):
        return None
    return value if value.tzinfo is not None else None


def _sender(msg: Message) -> str | None:
    from email.utils import parseaddr

    from .addresses import normalize_address

    address = parseaddr(header_text(msg, "from"))[1]
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
    ids = _MESSAGE_ID.findall(header_text(msg, "in-reply-to"))
    ids += reversed(_MESSAGE_ID.findall(header_text(msg, "references")))
    return tuple(dict.fromkeys(ids))


def _recipients(msg: Message) -> set[str]:
    from email.utils import getaddresses

    values = [header_text(msg, name) for name in ("to", "cc", "delivered-to", "x-original-to")]
    return {address.strip().lower() for _, address in getaddresses(values) if address}


_RESPONDER_MAILER = LazyPattern(r"^\s*gnarwl\b|auto-?respond|auto-?reply|\bvacation\b", re.I)


def _is_auto_reply(msg: Message, subject: str) -> bool:
    """RFC 3834 and the headers mail programs use instead, then well-known subjects."""
    auto_submitted = header_text(msg, "auto-submitted").lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return True
    for name in ("x-autoreply", "x-autorespond", "x-autoresponder", "x-auto-reply", "x-vacation"):
        if msg.get(name) is not None and header_text(msg, name).lower() not in ("no", "false", "0"):
            return True
    # Not X-Auto-Response-Suppress: it asks the recipient's server not to answer
    # ([MS-OXCMAIL], "suppress"), and Exchange puts it on people's own mail too (what
    # they send to a distribution group: glpi-project/glpi#2170), so sisimai
    # (p5-sisimai#491) and Discourse (#21367) stopped reading it as a sign. Exchange's
    # out-of-office says what it is by its subject and its Auto-Submitted. An Exchange
    # inbox rule's answer ("reply using a template") carries the rule's loop guard.
    if msg.get("x-ms-exchange-inbox-rules-loop") is not None:
        return True
    # iCloud marks its vacation answers with its own header only.
    if header_text(msg, "x-apple-action").lower() in ("vacation", "autoreply", "auto-reply"):
        return True
    if header_text(msg, "x-precedence").lower() in ("auto_reply", "auto-reply"):
        return True
    precedence = header_text(msg, "precedence").lower()
    if precedence in ("bulk", "junk") and bounces.relayed_by_list(msg):
        # The list's mark on every post it relays, not its author's (issue #25); but when
        # the post carries two different values, one was there before the list added its
        # own (an autoresponder's "junk" under Ecartis' "bulk").
        values = {" ".join(str(value).split()).lower() for value in msg.get_all("precedence") or ()}
        precedence = "junk" if len(values) > 1 and values & {"junk", "auto_reply", "auto-reply"} else ""
    if precedence in ("auto_reply", "auto-reply", "junk") or \
            (precedence == "bulk" and not any(msg.get(name) is not None for name in _RT_HEADERS)):
        return True
    if header_text(msg, "x-autogenerated").lower() == "reply":
        return True
    if _RESPONDER_MAILER.search(header_text(msg, "x-mailer")):
        # A program that only answers names itself so: gnarwl's default header.txt
        # ("X-mailer: GNARWL", the LDAP vacation responder, which writes no RFC 3834
        # header), "Vacation Auto-Responder" and its kin. No person's mail client does.
        return True
    if "autorespond" in header_text(msg, "x-post-messageclass").lower():
        return True
    if msg.get_content_type() == "multipart/report" and \
            (msg.get_param("report-type") or "").lower() == "disposition-notification":
        return True  # a read receipt
    if bounces.is_delivery_receipt(msg):
        return True
    if bounces.null_sender(msg):
        return True
    whole = _fold(subject)
    folded = whole.lstrip("[( ")
    if folded.startswith(AUTO_SUBJECTS):
        return True
    list_untagged = bounces.untagged(whole)  # (the whole subject when it has no tag)
    for untagged in (_TICKET_TAG.sub("", whole, count=1), list_untagged):
        untagged = untagged.lstrip("[( ")
        if untagged.startswith(AUTO_SUBJECTS) or untagged.startswith(_more_auto_subjects()):
            return True
    if _NOTES_AWAY_SUBJECT.search(list_untagged.strip()) or _AWAY_SUBJECT_TAIL.search(whole):
        return True
    # A mail system's address (a department's postmaster) answering automatically says
    # so anywhere in its subject.
    return bounces.AUTOMATIC_ANSWER_SUBJECT.search(folded) is not None and \
        bounces.names_mail_system(header_text(msg, "from"))


@functools.cache
def _more_auto_subjects() -> tuple[str, ...]:
    return tuple(_fold(subject) for subject in _MORE_AUTO_SUBJECTS)


def _opens_as_out_of_office(opening: list[str]) -> bool:
    """The first lines of what was written say the person is away (issue #25 item 5),
    unless they go on to answer in the same sentence."""
    folded = " ".join(opening[:3])[:400]
    if not folded:
        return False
    found = [m for m in (OUT_OF_OFFICE_OPENINGS.search(folded), MORE_OUT_OF_OFFICE.search(folded)) if m is not None]
    match = min(found, key=lambda m: m.start(), default=None)
    return match is not None and not _person_answers(folded, match) and not _ANSWER_FIRST.match(folded)


def _says_away(folded: str) -> bool:
    """The first lines say the writer is away, not only that a program answers ("this is
    an automatic reply" is one of the out-of-office openings too): an out-of-office that
    names a colleague who left is from someone who comes back."""
    says = SAYS_AUTOMATIC.search(folded)
    if says is not None:
        folded = folded[:says.start()] + folded[says.end():]
    return _opens_as_out_of_office(folded.split("\n"))


def _opens_as_automatic_answer(text: str, opening: list[str]) -> bool:
    """The first lines of what was written say a program wrote it (SAYS_AUTOMATIC), or
    acknowledge its receipt with a promise to answer, in a text as short as a template
    and with no question of its own (issue #25 item 5). Only the first lines: the same
    words further down a person's message, or in the quote of ours, are not its voice."""
    folded = " ".join(opening)
    if not folded:
        return False
    match = SAYS_AUTOMATIC.search(folded)
    if match is not None and not _person_answers(folded, match):
        return True
    if len(text) > MAX_ACKNOWLEDGEMENT or "?" in folded or "¿" in folded:
        return False
    return RECEIPT.search(folded) is not None and PROMISE.search(_fold(text)) is not None


def _folded_opening(text: str, lines: int = 6, characters: int = 600) -> list[str]:
    """The first non-blank lines, folded, each on one line (a sentence a mail program
    wrapped is still one sentence), up to `characters` in all."""
    opening, size = [], 0
    for line in text.split("\n"):
        line = " ".join(line.split())[:characters - size]
        if line:
            opening.append(_fold(line))
            size += len(line) + 1
            if len(opening) == lines or size >= characters:
                break
    return opening


def _person_answers(folded: str, match: re.Match) -> bool:
    """The sentence the automatic words stand in is a person's: a question, or a turn
    to their own answer (_PERSON_ANSWERS); or the next one asks the reader to do
    something ("Estoy fuera de la oficina y no puedo mirarlo. ¿Me lo puedes volver a
    mandar en enero?"), which no out-of-office template asks."""
    start = max(folded.rfind(mark, 0, match.start()) for mark in ".!?\n") + 1
    end = min((i for i in (folded.find(mark, match.end()) for mark in ".!?") if i >= 0), default=len(folded))
    if _PERSON_ANSWERS.search(folded, start, end + 1) is not None:
        return True
    following = min((i for i in (folded.find(mark, end + 1) for mark in ".!?") if i >= 0), default=-1)
    return following >= 0 and folded[following] == "?" and \
        _ASKS_THE_READER.search(folded, end + 1, following) is not None and \
        _POINTS_ELSEWHERE.search(folded, end + 1, following) is None


def _asks_to_unsubscribe(subject: str, text: str) -> bool:
    # The subject's first word also after a tag, which our own gateway puts on outside
    # mail too ("[EXTERNAL] Re: Baja"); "[BAJA] Juan Pérez" still asks.
    untagged, subject = _REPLY_PREFIX.sub("", bounces.untagged(subject)), _REPLY_PREFIX.sub("", subject)
    for candidate in (subject, untagged, text):
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
        if stripped == "--" or _LIST_FOOTER_RULER.match(stripped):
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
    """What the person wrote: the plain text, else the HTML's text above its first quote."""
    plain, html_part = _own_text(msg)
    if plain is not None:
        return plain
    if html_part is not None:
        without_quotes = re.split(r"<blockquote", html_part, maxsplit=1, flags=re.I)[0]
        text = re.sub(r"<(br|/p|/div)[^>]*>", "\n", without_quotes, flags=re.I)
        text = re.sub(r"<(style|script|head|title)[^>]*>.*?</\1>", "", text, flags=re.I | re.S)
        return html.unescape(re.sub(r"<[^>]+>", "", text))
    return ""


def _decoded(part: Message, hint: Callable[[], str | None]) -> str:
    """A text part read by the rules a report's parts are (bounces.decoded): not
    `get_content()`, which reads 8-bit bytes under a US-ASCII label (or none) as U+FFFD,
    Windows-1252's "€" and "“" under a Latin-1 label as control characters, and gives up
    on labels Python does not know ("x-sjis"): a person's words are what the marketer
    reads, and what the unsubscribe and out-of-office phrases are looked for in."""
    payload = damage.undecoded(part, part.get_payload(decode=True) or b"")
    try:
        return damage.unmojibaked(bounces.decoded(payload, part.get_content_charset(), hint))
    except UnicodeError:
        # A codec Python has that is no charset ("undefined", "idna"), in the label or
        # in the hint: the bytes are read as undeclared ones, with no hint.
        return damage.unmojibaked(bounces.decoded(payload, None))
