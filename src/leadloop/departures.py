"""An answer that says the person has gone, or that the address is no longer used.

SPEC §7 reads "has moved" as a dead address. Mail systems and people's own
out-of-office rules answer for a mailbox whose owner has left with the same few
sentences: "X is no longer with the company", "has left <Company>", "this mailbox is no
longer monitored", in every language leadloop ships. Outlook's automatic replies and
Gmail's vacation responder set on a leaver's mailbox, and the HR and IT guides' templates
for them (IONOS's "auto-reply templates for departing employees" in en, de, fr, es; the
business-writing guides' "out of office permanently"), are where these tables come from.

Pure: the tables are written as people spell them; classify.py folds them (lower case,
no accents) and looks for them in an answer's first lines. Only present and past
statements: "will no longer be monitored after 1 June" is an address still read today.
"""

from __future__ import annotations

import unicodedata

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re

MAX_SENTENCE = 200  # characters of the sentence kept for `show` and the inbox's summary
# A notice written without any automatic sign is read as one only when it is as short
# as a template (a person's answer that mentions a departure goes on to say more).
MAX_UNMARKED_NOTICE = 500

# The person has left: third person (a colleague's or IT's notice on the mailbox) and
# first person (the leaver's own last out-of-office).
GONE = (
    # en
    r"\b(is|am|are|['’]m) no longer (with|at|employed|working|part of|a part of|a member of|an employee|in the employ"
    r"|on the staff|affiliated with)\b",
    r"\b(is|am|are) not (with|at) [^\s.,]+( [^\s.,]+){0,3} any ?(more|longer)\b",
    r"\b(isn['’]?t|aren['’]?t|'m not) (with|at) [^\s.,]+( [^\s.,]+){0,3} any ?(more|longer)\b",
    r"\bno longer works? (at|for|with|in|here)\b",
    # "does not work here any more", Notes' "<Name> doesn't work any longer for <Org>."
    # (not "we don't work at weekends any more": only one person, third or first)
    r"\b(does not|doesn['’]?t|i do not|i don['’]?t) work (any ?(longer|more) (for|at|with|here)\b"
    r"|(here|(for|at|with) [^\s.,]+( [^\s.,]+){0,3}) any ?(longer|more)\b)",
    r"\b(has|have|had) (now |recently )?(left|departed( from)?) (the|our) (company|firm|organi[sz]ation|business"
    r"|team|agency|practice|group|university|college|school|bank|council)\b",
    # "has left Acme Corp as of 1 May", not "has left you a message on Monday" nor "has left
    # London and will be back on Monday" (a place: an away text). The writer's own "I have
    # left X" only with the date it took effect: "I have left London and will return on
    # Monday" and "I have left Paris for the holidays." are out-of-office sentences, and a
    # departure bounces the lead for good.
    r"\bhas (now |recently )?left (?![^.!?\n]*\b(back|return|returns|returning|until|till|reply when)\b)"
    r"(?!(you|a|an|the office|the building|for|early|work|my|his|her|today"
    r"|it|this|that|some|me|us)\b)[^\s.,]+( [^\s.,]+){0,3} (and|as of|on|effective|since|in [0-9])",
    r"\b(have|['’]ve) (now |recently )?left (?!(you|a|an|the office|the building|for|early|work|my|his|her|today"
    r"|it|this|that|some|me|us)\b)[^\s.,]+( [^\s.,]+){0,3} (as of|effective( from)?) ",
    # "Ana has left Acme Corp." (the sentence ends with the organisation's one to four
    # words), not "has left the meeting." nor "has left you a note." Third person only:
    # "I have left London." is as likely a traveller's away text.
    r"\bhas (now |recently )?left (?!(you|a|an|the|for|early|work|home|town|my|his|her|your|our|their"
    r"|today|it|this|that|some|me|us|him|them|already|now|again)\b)[^\s.,]+( [^\s.,]+){0,3}\.(\s|$)",
    r"\b(has|have) (now )?retired\b", r"\b(has|have) (now )?moved on from\b", r"\bis now retired\b",
    # es
    r"\bya no (trabaja|trabajo|forma parte|formo parte|pertenece|pertenezco|presta (sus )?servicios"
    r"|presto (mis )?servicios|colabora|colaboro|labora|laboro) (en|con|a|para|de|del|al)\b",
    r"\bno (trabaja|forma parte|pertenece) (ya|mas) (en|a|de|del|al|con)\b",
    r"\bya no (esta|estoy|se encuentra|me encuentro) (trabajando|vinculad[oa]|en la (empresa|compania|organizacion))",
    r"\b(ha |he )?dejado (de trabajar|de formar parte|de pertenecer|de prestar (sus |mis )?servicios"
    r"|la (empresa|compania|organizacion|entidad|firma))",
    r"\bdejo (de trabajar|de formar parte|de pertenecer|la (empresa|compania|organizacion))",
    # fr
    r"\bne (fait|fais) plus partie (de|du|des)\b",
    r"\bne (travaille|collabore|exerce) plus (chez|pour|au sein|dans|a|avec|au)\b",
    r"\bn['’](est|suis) plus (en poste|salarie|employe|collaborat|membre|au sein|chez|dans (l['’]entreprise"
    r"|la societe|nos effectifs)|en fonction)",
    r"\b(a|ai) quitte (l['’]entreprise|la societe|le groupe|l['’]agence|le cabinet|l['’]etablissement"
    r"|l['’]organisation|ses fonctions|mes fonctions|notre (societe|entreprise|groupe|structure)|nos effectifs)",
    # de
    r"\bnicht mehr (bei|fur) [^\n.]{1,60}? tatig\b",
    r"\b(ist|bin) (seit [^\s.]+ )?nicht (mehr|langer) (im unternehmen|in unserem (unternehmen|hause|haus)|im hause"
    r"|fur uns tatig|bei uns|beschaftigt|tatig|mitarbeiter)",
    r"\b(hat|habe|haben) (das unternehmen|unser unternehmen|unsere firma|die firma|unser haus|das haus|uns)"
    r" (zum [^\s.]+ |am [^\s.]+ |inzwischen |leider )?verlassen",
    r"\b(ist|bin) (zum [^\s.]+ |am [^\s.]+ |inzwischen |leider )?(aus (dem|unserem) (unternehmen|hause|haus)"
    r" |aus der firma )?ausgeschieden",
    # pt
    r"\b(nao|ja nao) (faz|faco) (mais )?parte (da|do|de|dos|das)\b",
    r"\b(nao|ja nao) (trabalha|trabalho|colabora|colaboro) mais (na|no|em|com|conosco|connosco|nesta|neste|para)\b",
    r"\bja nao (trabalha|trabalho|colabora|colaboro|pertence|pertenco) (na|no|em|com|a|ao|para)\b",
    r"\b(nao|ja nao) (esta|se encontra) mais (na empresa|conosco|connosco|vinculad[oa])",
    r"\bdeix(ou|ei) (da empresa|de trabalhar|de fazer parte|a empresa|o grupo|a companhia|a organizacao)",
    r"\bsaiu? (da empresa|do grupo|da companhia|da organizacao)",
    # it
    r"\bnon (lavora|lavoro|collabora|collaboro) piu (presso|per|con|in|nella|nel|alla|al)\b",
    r"\bnon (fa|faccio) piu parte\b",
    r"\bnon (e|sono) piu (in forza|dipendente|alle dipendenze|presso|in servizio)",
    r"\b(ha|ho) lasciato (l['’]azienda|la societa|il gruppo|lo studio|la nostra (azienda|societa)"
    r"|l['’]organizzazione)",
    # nl
    r"\b(is|ben) (sinds [^\s.]+ )?niet (meer|langer) (werkzaam|in dienst|verbonden aan|actief bij)\b",
    r"\b(heeft|hebben|heb) (ons|het bedrijf|de organisatie|onze organisatie|ons bedrijf) (per [^\s.]+ )?verlaten",
    r"\b(is|ben) (sinds [^\s.]+ )?uit dienst\b",
    # pl (folded: "ł" keeps its stroke)
    r"\bnie (jest|pracuje) juz (pracownikiem|zatrudnion|w firmie|w naszej|w |dla |z )",
    r"\bjuz nie (pracuje|jest (pracownikiem|zatrudnion))",
    r"\bzakonczył(a|em|am)? (prace|wspołprace)",
    # sv, da, no, fi
    r"\b(arbetar|jobbar) (inte|ej) langre (pa|hos|for|i)\b", r"\b(arbetar|jobbar) (inte|ej) kvar (pa|hos|for|i)\b", r"\b(ar|är) (inte|ej) langre (anstalld|verksam)",
    r"\bhar (slutat|lamnat) (sin anstallning|foretaget|bolaget|organisationen|pa |hos )",
    r"\b(er|arbejder) ikke (længere|laengere) (ansat|hos|i|pa|ved)\b", r"\ber fratradt\b",
    r"\b(jobber|arbeider) ikke lenger (i|hos|pa|for|ved)\b", r"\ber ikke lenger ansatt\b",
    r"\bhar sluttet (i|hos|pa|ved)\b",
    r"\bei enaa (tyoskentele|ole (toissa|palveluksessa|[^\s]+ palveluksessa))",
    r"\b(on|olen) lopettanut (tyonsa|tyoni|yrityksessa|yhtiossa)",
    # cs, lv, ru, tr
    r"\b(jiz|uz) nepracuj[ei]\b", r"\b(jiz|uz) neni (zamestnan|soucasti)",
    r"\bukoncila? (pracovni pomer|spolupraci|pusobeni)",
    r"\bvairs (nestrada|nav (uznemuma|kompanijas) darbinie)",
    "больше не работа", "уже не работает в", "не работает в (компании|нашеи компании|организации)",
    "(покинул|покинула) (компанию|организацию|нашу компанию)", "(уволился|уволилась)",
    r"\bart[ıi]k [^\s]+ (cal[ıi]sm(amaktad[ıi]r|[ıi]yor))",
    r"\b(sirketimizden|firmam[ıi]zdan|kurumumuzdan) ayr[ıi]lm[ıi]st[ıi]r",
    # ja, zh, ko
    "退職(いたしました|しました|致しました|いたしております|しております)", "退社(いたしました|しました|致しました)",
    "已(经|經)?(离职|離職)", "不再(在|于|於)[^。\n]{0,20}(工作|任职|任職)", "퇴사(하였습니다|했습니다|하셨습니다)",
)
# The address or mailbox is no longer used, read or open (never "is not monitored" alone:
# a no-reply address says that of itself, and it is no departure).
DEAD_ADDRESS = (
    # en
    r"\b(this|the|my|his|her|that) (e-?mail |mail )?(address|mailbox|inbox|account|e-?mail|mail ?box)"
    r"( address| account)? (is|has been|was) no longer (being )?(monitored|in use|used|active|checked|read"
    r"|valid|maintained|in service|operational|accessible|attended)",
    r"\b(this|the|that) (e-?mail |mail )?(address|mailbox|inbox|account)( address| account)? (has been|was|is now)"
    r" (deactivated|closed|discontinued|decommissioned|retired|deleted|shut down)",
    r"\b(this|the) (e-?mail |mail )?(address|mailbox|account) is (now )?(inactive|obsolete|defunct|out of use"
    r"|dormant)\b",
    r"\bno longer (monitor|monitoring|check|checking|use|using|read|reading|access|accessing|have access to)"
    r" (this|that|the|my) (e-?mail|mailbox|inbox|address|account)",
    # es
    r"\b(esta|este) (direccion|cuenta|buzon|correo|e-?mail)( de correo| electronico)*"
    r" (ya no (esta|se encuentra) (activ|operativ|en uso)|ya no (se )?(utiliza|usa|revisa|consulta|atiende"
    r"|monitoriza)|ha sido (desactivad|dad[oa] de baja|cerrad|eliminad)|esta (fuera de uso|inactiv|desactivad))",
    # fr
    r"\b(cette|l['’]) ?(adresse|boite)( mail| e-?mail| electronique| aux lettres| de messagerie)*"
    r" (n['’]est plus (active|utilisee|valide|consultee|lue|relevee|surveillee|en service|attribuee)"
    r"|a ete (desactivee|supprimee|fermee))",
    # de
    r"\b(diese|dieses|die|das) (e-?mail-?adresse|e-?mail adresse|adresse|mailbox|mailadresse|postfach|e-?mail-?postfach"
    r"|e-?mail-?konto) (ist|wird) nicht mehr (aktiv|gultig|besetzt|in (gebrauch|benutzung|betrieb)|genutzt"
    r"|verwendet|abgerufen|gelesen|betreut|uberwacht)",
    r"\b(diese|dieses|die|das) (e-?mail-?adresse|adresse|mailbox|postfach) (ist|wurde) (deaktiviert|geloscht|stillgelegt"
    r"|aufgelost)",
    # pt
    r"\b(este|esse|o) (endereco|e-?mail|correio|caixa)( de e-?mail| eletronico| de correio)*"
    r" (nao (esta|e) mais (ativo|utilizado|monitorado|valido|usado)|ja nao (esta|e) (ativo|utilizado"
    r"|monitorado|usado)|foi desativado|esta desativado|esta inativo)",
    # it
    r"\b(questo |quest['’]|l['’])(indirizzo|casella)( e-?mail| di posta| email| elettronica)*"
    r" (non e piu (attiv|utilizzat|monitorat|valid|in uso|consultat|presidiat)|non viene piu (utilizzat|lett"
    r"|consultat|monitorat)|e stat[oa] (disattivat|chius|dismess))",
    # nl
    r"\b(dit|het) (e-?mailadres|e-?mail adres|adres|mailadres|postvak|account|mailbox) (is|wordt)"
    r" (niet meer|niet langer) (in gebruik|actief|gelezen|bewaakt|gecontroleerd|geldig|beheerd)",
    # pl, sv, da, no, fi, cs, ru, tr, ja, zh
    r"\b(ten|podany) adres( e-?mail| mailowy| poczty)? (nie jest juz (aktywny|obsługiwany|uzywany|monitorowany)"
    r"|jest nieaktywny|został (dezaktywowany|wyłaczony|usuniety))",
    r"\bskrzynka( pocztowa)? (nie jest juz (obsługiwana|monitorowana|aktywna|uzywana)|jest nieaktywna)",
    r"\b(denna|den har) (e-?postadress|adress|brevlada|inkorg|mejladress) (ar inte langre (aktiv|i bruk|bevakad"
    r"|giltig)|anvands inte langre|bevakas inte langre|lases inte langre)",
    r"\b(denne|den) (e-?mailadresse|mailadresse|adresse|postkasse|indbakke) (er|bliver) ikke (længere|laengere)"
    r" (aktiv|i brug|overvaget|læst|benyttet)",
    r"\b(denne|den) (e-?postadressen|e-?postadresse|adressen|adresse|postkassen|innboksen) (er|blir) ikke lenger"
    r" (aktiv|i bruk|overvaket|lest)",
    r"\b(tama) (sahkopostiosoite|osoite|postilaatikko) (ei ole enaa (kaytossa|aktiivinen|seurannassa)"
    r"|on poistettu kaytosta)",
    r"\b(tato|tahle) (e-?mailova adresa|adresa|schranka) (jiz|uz) (neni (aktivni|pouzivana|monitorovana"
    r"|sledovana)|se nepouziva)",
    "(этот|данныи) (адрес|почтовыи ящик|ящик)[^.\n]{0,30} больше не (используется|активен|обслуживается"
    "|проверяется|просматривается)",
    r"\bbu (e-?posta adresi|adres) art[ıi]k (kullan[ıi]lmamaktad[ıi]r|aktif degildir|kullan[ıi]lm[ıi]yor)",
    "(この|本)(メールアドレス|アドレス)は(現在|既に|すでに)?(使用|利用)(されて|して)(おりません|いません)",
    "(本|此|该|這個|这个)(邮箱|郵箱|邮件地址|電子郵件地址)(已经|已經|已)?(停用|不再使用)",
)
# What introduces the person's own new address ("my new address is …", "you can reach me
# at …"); a colleague's or a department's address ("please contact sales@…") is not one.
NEW_ADDRESS_LEAD_INS = (
    r"\bnew (e-?mail |mail |contact )?(address|e-?mail|contact)", r"\b(reach|contact|e-?mail|write to|find) me (at|on|via"
    r"|under)", r"\b(can|may) (now |still )?be (reached|contacted|found) (at|on|via|under)",
    r"\b(personal|private) (e-?mail|address)", r"\b(contactable|reachable) (at|on|via|under)",
    r"\b(re-?send|forward) (your|the|this) (message|e-?mail|mail) (to|at)\b",
    r"\b(se (le|la|me) puede|puede) (contactar|localizar|escribir) (en|a|al)", r"\b(reenvie|reenviar|reenvia)"
    r" (su|tu|el) (mensaje|correo) (a|al)\b", r"\b(localizable|contactable) en\b",
    r"\b(joignable|contactable) (a|au|sur|via)\b", r"\b(renvoyer|renvoyez|transferer|transferez) (votre|ce|le)"
    r" (message|courriel|e-?mail|mail) a\b", r"\b(le|la) (contacter|joindre) (a|au|sur|via)\b",
    r"\b(erreichen sie (ihn|sie)|(ich bin|er ist|sie ist) (jetzt |nun |ab sofort )?(erreichbar )?)(unter|uber|per)\b",
    r"\b(senden|schicken) sie ihre (nachricht|e-?mail|mail) (bitte )?(erneut |nochmals )?an\b",
    r"\b(nueva|nuevo) (direccion|correo|e-?mail|cuenta)", r"\b(escribirme|contactarme|escribame|contacteme|escribeme"
    r"|contactame) (a|en|al)",
    r"\bnouvel(le)? (adresse|e-?mail|courriel)", r"\bme (contacter|joindre|ecrire) (a|au|sur|via)",
    r"\badresse (personnelle|privee)",
    r"\bneue (e-?mail-?adresse|e-?mail adresse|adresse|mailadresse)", r"\berreichen sie mich (jetzt |nun |ab sofort )?"
    r"(unter|uber|per)", r"\b(private|personliche) (e-?mail|adresse)",
    r"\b(novo|meu novo) (e-?mail|endereco)", r"\b(contactar-me|contatar-me|escrever-me|me contatar|me escrever)"
    r" (em|para|atraves)",
    r"\b(nuovo|nuova) (indirizzo|e-?mail|mail|casella)", r"\b(contattarmi|scrivermi) (a|al|all|su|presso)",
    r"\bnieuwe? (e-?mailadres|adres|mailadres)", r"\bmij (bereiken|mailen|e-?mailen|contacteren) (op|via)",
)
# The leaver speaks of themselves ("I have left Acme.", "ya no trabajo en Acme"): a
# pronoun just before the sentence's verb, or a first-person verb inside it. Notes and
# Outlook leavers keep their away template ("I will be out of the office starting …")
# and add this below it; a colleague named under an away text is no such sentence.
FIRST_PERSON_BEFORE = r"\b(i|ich|je|j['’]|yo|eu|io|ik|jag|jeg)\b[^.!?;\n]{0,12}$"
FIRST_PERSON_VERB = (r"\b(am|['’]m|trabajo|formo|pertenezco|estoy|me encuentro|he dejado|fais|suis|ai|bin|habe|ben|heb|faco"
                     r"|trabalho|colaboro|deixei|lavoro|collaboro|sono|ho|faccio)\b")
# How far down a leaver's own sentence decides over the away template above it.
FIRST_PERSON_SENTENCES = 4
# An address after a lead-in, within a few words ("my new address is: ana@example.org").
ADDRESS = r"[a-z0-9._%+'-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+"
ADDRESS_AFTER = r"[^@\n]{0,40}?<?" + ADDRESS
# The writer of a notice without automatic signs speaks of themselves: their own answer,
# however short, is a reply (a departure notice is written about someone, or the address).
WRITER_SPEAKS = (r"\b(i|i'm|i'll|i've|me|my|yo|je|j['’]|moi|ich|mich|mir|ik|io|eu|jag|jeg)\b")


def fold_with_positions(text: str) -> tuple[str, list[int]]:
    """`text` folded as classify folds it (lower case, no accents), with the position in
    `text` of each folded character: the sentence kept for the marketer is theirs, not
    the folded one."""
    folded, positions = [], []
    for i, char in enumerate(text):
        decomposed = unicodedata.normalize("NFKD", char.lower())
        for piece in decomposed:
            if not unicodedata.combining(piece):
                folded.append(piece)
                positions.append(i)
    positions.append(len(text))
    return "".join(folded), positions


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence of `text` that holds text[start:end], on one line, at most
    MAX_SENTENCE characters. A sentence ends at ".", "!" or "?" before white space (not
    the dots of an address), or at a line that ends with a greeting's comma or colon."""
    begin = 0
    for i in range(start - 1, -1, -1):
        if text[i] == "\n" and i > 0 and text[i - 1] in ",;:.!?":
            begin = i + 1
            break
        if text[i] in ".!?" and i + 1 < len(text) and text[i + 1].isspace():
            begin = i + 1
            break
    stop = len(text)
    for i in range(end, len(text)):
        if text[i] in ".!?" and (i + 1 == len(text) or text[i + 1].isspace()):
            stop = i + 1
            break
    sentence = " ".join(text[begin:stop].split())
    if len(sentence) > MAX_SENTENCE:
        sentence = sentence[:MAX_SENTENCE - 1].rstrip() + "…"
    return sentence


def first_sentences_end(folded: str, count: int = 3) -> int:
    """Where the first `count` sentences of the folded text end."""
    position = 0
    for _ in range(count):
        found = [i for i in (folded.find(mark, position) for mark in (". ", "! ", "\n")) if i >= 0]
        if not found:
            return len(folded)
        position = min(found) + 1
    return position


def starts_within(match: re.Match, folded: str) -> bool:
    return match.start() < first_sentences_end(folded)
