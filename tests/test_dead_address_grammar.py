"""A dead address read by its grammar, not by a list of sentences (issue #25, branch
deadwords). Servers say "this address does not exist" in a few shapes: a THING that names
the recipient (user, recipient, addressee, mailbox, account, address, alias, local part,
group, the address itself) and a PREDICATE that says it is not there (unknown, not found,
does not exist, invalid, not recognized, not listed, cannot be verified…), in either
order within a few words, or the thing denied ("there is no such …", "nobody by that
name"). The sentences below are written for these tests by those shapes, in the
languages servers write; none is copied from a server's catalog or from sample mail, so
that they stand for the next server's own words. Each is read through the inbox's entry
point (classify) in four reports: an RFC 3464 report with the vague status 5.0.0, one
with no status, Exim's plain-text report with no stage, and Postfix's report of a reply
to RCPT TO; and as leadloop's own SMTP client hears it at RCPT (send). The traps are the
same shapes about something else (the sender, our HELO name, a command, a header), or
beside another cause (full, quota, policy, greylisting), or hedged ("may", "or"): never
the address. The hosts and addresses are made up."""

from __future__ import annotations

import pytest

from leadloop.delivery_status import ADDRESS, SENDER, judge
from test_server_texts import dsn, exim_own, postfix_relayed, verdict_of

# (language, words): each says the lead's address does not exist.
DEAD = [
    # English: the thing, then the predicate within a few words.
    ("en", "The recipient could not be verified by this mail system"),
    ("en", "That mailbox could not be located"),
    ("en", "The addressee you wrote to is not recognised here"),
    ("en", "User ana.pena is not known on this system"),
    ("en", "The local part ana.pena is unknown"),
    ("en", "Mail alias does not exist"),
    ("en", "The group you wrote to does not exist"),
    ("en", "Account ana.pena has no mailbox"),
    ("en", "The destination address was not recognized"),
    ("en", "This address is no longer in use"),
    ("en", "<ADDR>: not a known user"),
    ("en", "The e-mail address you gave was not found in our directory"),
    # The sender named first in a clause of its own: the dead thing is the addressee.
    ("en", "The message is returned to its sender because the addressee does not exist at destination"),
    ("en", "Address not recognized"),
    # English: a server that does not recognize the thing (the active voice).
    ("en", "The mail server does not recognize this e-mail address"),
    ("en", "We do not recognize the recipient address"),
    ("en", "The destination system didn't recognise this mailbox"),
    # English: the predicate first, or the thing denied.
    ("en", "Sorry, there is no such recipient"),
    ("en", "We could not find the user you addressed"),
    ("en", "Unrecognised local part"),
    ("en", "Nobody by that name here"),
    ("en", "No mailbox by this name"),
    ("en", "Unregistered addressee"),
    ("en", "Your mail was sent to a nonexistent account"),
    # English: an "or" that joins another thing or another predicate of the same thing
    # offers no other possibility.
    ("en", "Unknown address or alias"),
    ("en", "No such user or alias"),
    ("en", "The mailbox does not exist or is no longer valid"),
    # Spanish, Portuguese, French, Italian.
    ("es", "El buzón de destino no existe"),
    ("es", "No existe ningún usuario con esa dirección"),
    ("es", "La cuenta de correo es desconocida"),
    ("pt", "A caixa postal do destinatário não existe"),
    ("pt", "Endereço de e-mail desconhecido"),
    ("pt", "Usuário não encontrado neste servidor"),
    ("fr", "L'adresse du destinataire est introuvable"),
    ("fr", "Boîte aux lettres inconnue"),
    ("fr", "Il n'y a pas d'utilisateur de ce nom"),
    ("fr", "Ce compte n'existe plus"),
    ("it", "L'indirizzo di posta del destinatario non esiste"),
    ("it", "Casella postale sconosciuta"),
    ("it", "Nessun utente con questo nome"),
    # German, Dutch.
    ("de", "Die Empfängeradresse ist hier nicht bekannt"),
    ("de", "Postfach wurde nicht gefunden"),
    ("de", "Unbekannter Adressat"),
    ("de", "Kein solches Postfach"),
    ("nl", "Het e-mailadres van de ontvanger bestaat niet"),
    ("nl", "Onbekende geadresseerde"),
    ("nl", "Gebruiker niet gevonden"),
    # Polish, Czech.
    ("pl", "Podany adres odbiorcy nie istnieje"),
    ("pl", "Nie ma takiej skrzynki"),
    ("pl", "Nieznany użytkownik"),
    ("cs", "Adresát nebyl nalezen"),
    ("cs", "Neznámý uživatel"),
    ("cs", "Schránka příjemce neexistuje"),
    # Swedish, Danish, Norwegian.
    ("sv", "Mottagaren finns inte"),
    ("da", "Modtageren findes ikke"),
    ("no", "Brukeren finnes ikke"),
    # Russian, Turkish.
    ("ru", "Почтовый ящик получателя не существует"),
    ("ru", "Адресат неизвестен"),
    ("ru", "Нет такого адресата"),
    ("tr", "Alıcı bulunamadı"),
    ("tr", "Geçersiz kullanıcı"),
    # Japanese, Chinese, Korean.
    ("ja", "指定されたメールアドレスは存在しません"),
    ("ja", "宛先ユーザーが見つかりません"),
    ("zh", "该收件人地址不存在"),
    ("zh", "邮箱账号无效"),
    ("zh", "無此用戶"),
    ("ko", "수신자 계정이 존재하지 않습니다"),
    ("ko", "알 수 없는 사용자"),
]

LEAD = "ana.pena@example.org"
LAYOUTS = {
    "dsn-5.0.0": lambda words: dsn("550 " + words, "5.0.0"),
    "dsn-no-status": lambda words: dsn(words, None),
    "plain-no-stage": exim_own,
    "reply-to-rcpt": lambda words: postfix_relayed("550 " + words, "RCPT"),
}


def _words(text: str) -> str:
    return text.replace("ADDR", LEAD)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("language, words", DEAD, ids=[f"{lang}:{words[:40]}" for lang, words in DEAD])
def test_a_dead_address_in_its_own_words_is_the_address(language, words, layout):
    verdict = verdict_of(LAYOUTS[layout](_words(words)))
    assert verdict.hard and verdict.owner == ADDRESS, verdict


@pytest.mark.parametrize("language, words", DEAD, ids=[f"{lang}:{words[:40]}" for lang, words in DEAD])
def test_heard_at_rcpt_by_leadloops_own_smtp_client(language, words):
    # `send` judges the answer it hears with the same rule (SPEC §6).
    verdict = judge(None, "550 " + _words(words), reply_code=550, command="RCPT")
    assert verdict.hard, verdict


# (words, whose they are): the same shapes about something that is not the lead's address.
# "S": the sender's (never one of the lead's three); "-": soft, whoever's.
TRAPS = [
    # The thing is ours: the sender, our HELO name, our login, our domain.
    ("Sender address is unknown", "S"),
    ("The envelope sender does not exist", "S"),
    ("The message is returned because the sender address does not exist", "S"),
    ("HELO host name relay.lauravidal.es is unknown", "-"),
    ("Client host unknown", "-"),
    ("Your address is not valid for sending through this server", "-"),
    ("Authentication failed: unknown user name or bad password", "S"),
    ("El remitente no existe", "-"),
    ("L'adresse de l'expéditeur est inconnue", "-"),
    ("Absenderadresse unbekannt", "-"),
    ("Адрес отправителя не найден", "-"),
    ("发件人地址不存在", "-"),
    # "Unknown" and "not found" about other things: a command, an error, a DNS record of
    # the sender's domain, the message's header.
    ("Unknown error while delivering", "-"),
    ("Unknown command", "-"),
    ("The MX record for the sender domain was not found", "S"),
    ("The message has an invalid header", "-"),
    ("No recipient addresses found in the message header", "-"),
    # Another cause beside the words: full, quota, policy, greylisting.
    ("The recipient's mailbox is full", "-"),
    ("Mailbox quota exceeded: the user is unknown to the quota service", "-"),
    ("Recipient address rejected: Access denied", "-"),
    ("Greylisted: the recipient could not be verified at this time, try again later", "-"),
    ("The user is unknown or the message was refused by policy", "-"),
    # Possibilities and concessions, in English and in Chinese ("the list may not exist,
    # or you may lack the right to post"); Japanese "ご不明な点" is "any question", not
    # "unknown".
    ("The address may be invalid, or the mailbox may be full", "-"),
    ("The recipient does not exist or you are not allowed to write to it", "-"),
    ("Mailbox does not exist, but the message will be kept for the postmaster", "-"),
    ("El destinatario no existe o no acepta mensajes de usted", "-"),
    ("该群组可能不存在，或者您没有发信的权限", "-"),
    ("アカウントについてご不明な点はサポートまでお問い合わせください", "-"),
    # Words on the address's form, not its existence: a gateway that heads every failure
    # "Invalid Address", an address list in the header that is badly built.
    ("ADDR Invalid Address, the remote server answered 550 and closed the session", "-"),
    ("ADDR: malformed address: a comma may not follow the last address", "-"),
    # A predicate of the next noun, not of the thing.
    ("ADDR unknown protocol error during delivery", "-"),
    # "Does not recognize" about ours, about a command or a form, and "does not verify"
    # (a server's word on its own checks).
    ("The server does not recognize your sender address", "-"),
    ("The server does not recognize the command", "-"),
    ("The server does not recognize the address format", "-"),
    ("This server does not verify the recipient address before accepting mail", "-"),
]


# The sentence tables follow the grammar's rule on possibilities, concessions and an
# address's form (branch orpolicy): before it, a table read five of these hard before the
# grammar was asked ("or", "but", Spanish "o" at RCPT, a gateway's "Invalid Address" at RCPT).
TRAP_CASES = [pytest.param(words, owner, layout, id=f"{words[:40]}-{layout}")
              for words, owner in TRAPS for layout in LAYOUTS]


@pytest.mark.parametrize("words, owner, layout", TRAP_CASES)
def test_the_same_shapes_about_something_else_are_never_the_address(words, owner, layout):
    verdict = verdict_of(LAYOUTS[layout](_words(words)))
    assert not verdict.hard, verdict
    if owner == "S":
        assert verdict.owner == SENDER, verdict


@pytest.mark.parametrize("words, owner", TRAPS, ids=[words[:40] for words, _ in TRAPS])
def test_the_same_shapes_heard_at_rcpt_are_never_the_address(words, owner):
    # `send` declines them with the same rule as the inbox (SPEC §6).
    verdict = judge(None, "550 " + _words(words), reply_code=550, command="RCPT")
    assert not verdict.hard, verdict
    if owner == "S":
        assert verdict.owner == SENDER, verdict


@pytest.mark.parametrize("reply, status", [
    # 5.2.2 names the mailbox's own quota (RFC 3463): words of a dead user beside it do
    # not overrule it.
    ("552 5.2.2 Mailbox over quota; recipient could not be verified", "5.2.2"),
    # A status that names a cause is not overruled by words no table lists: a policy
    # (5.7.1), a disabled mailbox (5.2.1: sisimai's Filtered for "5.2.1 … User unknown"),
    # Microsoft's own 5.1.351 over a summary that offers two causes.
    ("550 5.7.1 The recipient could not be verified", "5.7.1"),
    ("550 5.2.1 <ADDR>... Recipient could not be verified", "5.2.1"),
    ("550 5.1.351 Remote server said: recipient could not be verified", "5.1.351"),
])
def test_a_status_that_names_another_cause_is_not_overruled_by_the_grammar(reply, status):
    verdict = verdict_of(dsn(_words(reply), status))
    assert not verdict.hard, verdict


def test_a_status_about_the_address_or_none_lets_the_grammar_speak():
    for status in ("5.0.0", "5.5.0", "5.3.0", "5.1.1", None):
        verdict = verdict_of(dsn("550 The recipient could not be verified", status))
        assert verdict.hard, (status, verdict)


def test_words_after_data_are_still_a_filters():
    # After the message, a filter may be speaking: the grammar counts where the sentence
    # tables count, at RCPT or with no stage, never after DATA.
    verdict = verdict_of(postfix_relayed("550 The recipient could not be verified", "DATA"))
    assert not verdict.hard, verdict
