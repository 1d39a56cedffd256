"""The words of a dead address (issue #25 items 1, 2 and 4), one per catalog: the
sentences mail servers and providers write in their own message catalogs, quoted in a
report that gives a vague status (5.0.0, 5.5.0, 5.2.1) or none and does not say which
SMTP command they answered. Each is about the address: the lead becomes `bounced`.
The sentences are written after each product's documented texts (cited beside them);
the addresses are made up."""

from __future__ import annotations

import pytest

from leadloop.delivery_status import _CATALOG, _CATALOG_MORE, _EMAIL, find_status, fold, judge


@pytest.mark.parametrize("status, text", [
    # Exim: the router's "Unknown user" and the ACL's unknown local part (Exim spec, ch. 42).
    ("5.0.0", "SMTP error from remote mail server: 550 Unknown user"),
    (None, "550 unknown local-part \"ana\" in domain \"example.org\""),
    # Postfix smtpd(8) / local(8) / virtual(8) texts.
    (None, "550 <ana@example.org>: Recipient address rejected: User unknown in virtual mailbox table"),
    # Sendmail and MDaemon: "... No such user here".
    ("5.0.0", "550 <ana@example.org>... No such user here"),
    # "User not known" (Sendmail's and many appliances' variant).
    ("5.5.0", "550 5.5.0 User not known"),
    # qmail / netqmail with spamcontrol's extended codes.
    (None, "Remote host said: 550 sorry, no mailbox here by that name. (#5.1.1)"),
    (None, "550 ana@example.org (err.nosuchuser)"),
    # CommuniGate Pro.
    ("5.0.0", "550 <ana@example.org> unknown user account"),
    # xinnet and NetEase/QQ, in English and in Chinese.
    ("5.0.0", "550 No such user"),
    (None, "550 User not found: ana@163.example"),
    (None, "550 Mailbox not found. http://service.exmail.qq.com/cgi-bin/help?id=20022"),
    (None, "550 收件人不存在 (ana@example.cn)"),
    # mail.ru and Yandex, in English and in Russian.
    ("5.2.1", "550 Message was not accepted -- invalid mailbox. Local mailbox ana@mail.example is "
              "unavailable: user not found"),
    (None, "550 Нет такого пользователя (ana@mail.example)"),
    (None, "550 Пользователь не найден"),
    # Yahoo, on its own domains and relayed through Postfix.
    ("5.0.0", "554 delivery error: dd This user doesn't have a yahoo.co.uk account (ana@yahoo.co.uk) [0]"),
    ("5.0.0", "554 delivery error: dd This user doesn’t have a yahoo.fr account"),
    # Orange / Wanadoo and French servers.
    ("5.5.0", "550 5.5.0 Adresse d au moins un destinataire invalide. OFR_416"),
    (None, "550 L'adresse ana@example.fr n'existe pas"),
    # "wrong or no longer valid" (web.de/GMX's English wording).
    (None, "550 Requested action not taken: The e-mail address is wrong or no longer valid"),
    # GMX / Web.de in German; Libero / tin.it in Italian; Terra in Portuguese and Spanish.
    (None, "550 Postfach nicht vorhanden"),
    (None, "550 Utente non trovato"),
    (None, "550 Usuário inexistente"),
    (None, "550 El usuario no existe en este servidor"),
    # Exchange 2003's sentence and Exchange Online's code.
    ("5.0.0", "The e-mail account does not exist at the organization this message was sent to."),
    # Dutch, Swedish, Polish, Latvian.
    (None, "550 Onbekende gebruiker"),
    (None, "550 Okänd användare"),
    (None, "550 Użytkownik nie istnieje"),
    (None, "550 Lietotājs nav atrasts"),
    # A server that puts the address between brackets.
    ("5.0.0", "550 User [ana@example.org] does not exist"),
    (None, "550 ** No mail box available for this user **"),
    # Mail-DeliveryStatus-BounceParser's rules.
    (None, "550 address ana@example.org not known here"),
    ("5.0.0", "550 <ana@example.org> is invalid"),
    # The Chinese providers' English: Alibaba Mail, Coremail, and others' (issue #25 item 2).
    ("5.0.0", "554 RCPT (ana@example.cn) dosn't exist"),
    (None, "550 recipient is not exist"), (None, "550 abcd:user not exist"),
    (None, "550 Local User [ana@example.cn] not found."), ("5.0.0", "550 #2175041 unavailable mail user"),
    (None, "550 local server don't exists that user"), (None, "550 recipient does not have an account"),
    # Mimecast's "550 Invalid Recipient" (its SMTP error code reference), and the
    # generic catalog sentences of appliances and small servers.
    ("5.0.0", "550 Invalid Recipient - https://community.mimecast.com/docs/DOC-1369#550"),
    (None, "550 Recipient unknown"), (None, "550 <ana@example.org> Mailbox unknown"),
    (None, "550 User is unknown"), (None, "550 Unknown local user"), (None, "550 The recipient does not exist"),
    (None, "550 User ana does not exist"), (None, "550 No account by that name here"),
    (None, "550 addressee unknown, relay=mx.example.org"), (None, "550 Not a valid recipient"),
    (None, "550 Invalid mailbox: ana@example.org"), (None, "550 user invalid"),
    ("5.0.0", "The user was not found"),
    ("5.0.0", "550 'ana@vnet.example.com' is not a registered gateway user"),
    # Exchange's own NDR sentence; the Romance languages, German and Russian.
    (None, "The email address you entered couldn't be found. Please check the recipient's email address"),
    (None, "550 No such person at this address"), (None, "550 El destinatario no existe"),
    (None, "550 La dirección de correo electrónico no existe"), (None, "550 Il destinatario non esiste"),
    (None, "550 Destinatário desconhecido"), (None, "550 O endereço de e-mail não existe"),
    (None, "550 Postfach unbekannt"), (None, "550 Такого ящика нет"),
    # Libero in Italian, GMX/Web.de and T-Online in German, Seznam in Czech.
    (None, "550 Utente inesistente"), (None, "550 Die Empfängeradresse existiert nicht"),
    (None, "550 Empfaenger existiert nicht"), (None, "550 Schránka neexistuje"),
])
def test_a_catalogs_words_of_a_dead_address_are_about_the_address(status, text):
    verdict = judge(status, text, quoted=True)
    assert verdict.hard, verdict
    # The cheap gate in front of the catalog never hides one of its sentences.
    words = _EMAIL.sub(" mailaddr ", fold(text))
    assert bool(_CATALOG.search(words)) == bool(_CATALOG.pattern.search(words))
    assert bool(_CATALOG_MORE.search(words)) == bool(_CATALOG_MORE.pattern.search(words))


@pytest.mark.parametrize("text", [
    # A filter after the message: the address was accepted at RCPT TO.
    "550 Unknown user (in reply to end of DATA command)",
    # Possibilities are no verdict (Google Groups in French).
    "Il se peut que le groupe n'existe pas ou que vous ne soyez pas autorisé à lui écrire",
    # Words naming another cause.
    "550 RCPT TO:<ana@example.org> max message size exceeded",
    "554 not accepting mail with attachments or embedded images",
    # Possibilities joined by "or", in Spanish too.
    "550 El destinatario no existe o ha sido bloqueado por el administrador",
])
def test_other_causes_stay_soft(text):
    command = "DATA" if "DATA" in text else None
    assert not judge(None, text, command=command, quoted=True).hard


def test_yahoos_sentence_after_data_is_still_the_address():
    # Yahoo answers the end of DATA with it (Yahoo's SMTP error codes, "554 delivery error").
    verdict = judge(None, "554 delivery error: dd This user doesn't have a yahoo.com account",
                    command="DATA", quoted=True)
    assert verdict.hard


# Item 4: a 5.1.x names the address; "disabled" names no other cause.
@pytest.mark.parametrize("status, text, hard", [
    ("5.1.1", "550 5.1.1 <ana@tin.example> mailbox disabled", True),
    ("5.1.1", "550 5.1.1 Mailbox currently suspended - Please contact correspondent directly", True),
    ("5.2.1", "550 5.2.1 The email account that you tried to reach is disabled", False),
    ("5.1.1", "552 5.1.1 mailbox full", False),
])
def test_a_5_1_x_status_wins_over_disabled(status, text, hard):
    assert judge(status, text, quoted=True).hard is hard


# Item 2: a status only where a report puts it, never from a version number or from the
# returned message's headers.
@pytest.mark.parametrize("text", [
    "Received: from mx.example.org by mxl_mta-5.5.0-3 with ESMTP",
    "Subject: wxPython 2.3.0 released",
    "X-Mailer: Foo 5.1.1-beta",
])
def test_a_version_number_is_no_status(text):
    assert judge(None, text + "\n550 sorry").status is None


def test_the_returned_subject_never_decides():
    # "2.3.0" in the subject would be a success code, "5.5.0" in a Received header a
    # vague one: the words decide.
    text = ("Subject: wxPython 2.3.0\nReceived: from a by b (mxl_mta-5.5.0-3)\n"
            "<ana@example.org>: host mx.example.org said: 550 sorry, no mailbox here by that name "
            "(in reply to RCPT TO command)")
    verdict = judge(None, text, command="RCPT", quoted=True)
    assert verdict.hard and verdict.status is None


def test_a_status_in_the_servers_words_is_still_found():
    assert find_status("550-5.1.1 The email account that you tried to reach does not exist") == "5.1.1"
    assert find_status("host said: 550 5.2.1 mailbox disabled (in reply to RCPT TO)") == "5.2.1"


@pytest.mark.parametrize("text", [
    "konto nie zostal znaleziony", "casella non esistente", "mailbox bestaat niet", "adresats neeksiste",
    "uzivatel neexistuje", "utilizator inexistent", "okand mottagare", "nie ma takiego adresu",
    "kayttaja on tuntematon", "ukjent mottaker", "ukendt modtager", "kullanici bulunamadi",
    "ismeretlen cimzett", "nezinams adresats", "neznamy adresat", "el usuario no existe",
])
def test_the_gate_lets_every_language_through(text):
    assert _CATALOG.search(text) is not None


# The lead's policy on issue #25: these words name the address whatever the SMTP stage
# (after DATA, or with none at all), unless the same reply names a policy, content or
# sender cause.
@pytest.mark.parametrize("status, text, command", [
    ("5.0.0", "552 Requested action aborted: mailbox not found", "DATA"),
    (None, "550 5.0.0 Sorry, user unknown here", "DATA"),
    ("5.3.0", "553 5.3.0 <ana@example.org>... Unknown e-mail address", "DATA"),
    ("5.0.0", "Address unknown here (:fail:)", None),
    (None, "550 unknown email address ana@example.org", None),
])
def test_dead_address_words_count_at_any_stage(status, text, command):
    assert judge(status, text, command=command, quoted=True).hard


@pytest.mark.parametrize("text", [
    "550 5.0.0 user unknown or message refused by policy",
    "554 mailbox not found or message content rejected as spam",
    "550 address unknown: your IP is listed on a blocklist",
])
def test_dead_address_words_with_another_cause_after_data_stay_soft(text):
    assert not judge(None, text, command="DATA", quoted=True).hard
