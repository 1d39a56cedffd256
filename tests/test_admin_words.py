"""What the admins of small providers write (issue #25; SPEC §6 "Outcomes", §7). An ISP's
Exim ACL ("message = …"), a Postfix access map or a `:fail:` alias takes any text, and the
admin writes it in the customers' language, under the bare 550 and Exim's 5.0.0. The
cause must come from the words: a message too large, relaying refused and the message
itself refused are ours (the sender's); an account deleted is a dead address; a mailbox
closed or disabled stays the lead's mailbox's. In English, Spanish, Portuguese, French,
Italian, Catalan and German; the sentences are written for this test the way such an
admin words them (the lab's Uruguayan ISP wrote the first of each)."""

from __future__ import annotations

import pytest

from leadloop.classify import classify
from leadloop.delivery_status import ADDRESS, MAILBOX, SENDER, judge


def status_of(words: str) -> str:
    """The enhanced status the reply carries after its code, else the generic one of its class."""
    second = words.split()[1]
    if second[0].isdigit() and second.count(".") == 2:
        return second
    return "4.0.0" if words.startswith("4") else "5.0.0"


def verdict(words: str, status: str = "5.0.0"):
    return judge(status, words, command="RCPT", quoted=True)


@pytest.mark.parametrize("words", [
    "550 El mensaje excede el tamano maximo de 1 MB que acepta este servidor",
    "550 El mensaje excedió el tamaño permitido",
    "552 A mensagem excede o tamanho máximo permitido",
    "552 Mensagem muito grande",
    "552 Le message dépasse la taille maximale autorisée",
    "552 Messaggio troppo grande",
    "552 Il messaggio supera la dimensione massima consentita",
    "552 El missatge excedeix la mida màxima",
    "552 Die Nachricht überschreitet die maximale Nachrichtengröße",
    "550 El missatge supera la mida màxima d'1 MB",
    "550 A mensagem ultrapassa o tamanho máximo",
])
def test_a_message_too_large_is_ours(words):
    assert (verdict(words).reason, verdict(words).owner) == ("mesgtoobig", SENDER)


@pytest.mark.parametrize("words", [
    "550 Este servidor no permite reenviar correo (relay) a dominios ajenos",
    "550 Relay no permitido",
    "550 Retransmisión denegada",
    "554 Relay não permitido",
    "554 Não é permitido o relay por este servidor",
    "554 Relais non autorisé",
    "554 Relay non consentito",
    "554 Aquest servidor no permet el relay",
    "554 Relaying nicht erlaubt",
    "550 Este servidor não permite retransmitir e-mail (relay) para domínios externos",
    "550 Ce serveur n'autorise pas le relais de courrier vers des domaines extérieurs",
])
def test_relaying_refused_is_ours(words):
    assert (verdict(words).reason, verdict(words).owner) == ("norelaying", SENDER)


@pytest.mark.parametrize("words", [
    "550 Mensaje rechazado: los enlaces acortados (bit.ly, tinyurl) no se admiten",
    "550 Message rejected: shortened links are not allowed",
    "550 Sua mensagem foi rejeitada pela política do provedor",
    "550 Message rejeté : pièces jointes exécutables interdites",
    "550 Messaggio rifiutato dal filtro del server",
    "550 Missatge rebutjat pel servidor",
    "550 Nachricht abgelehnt",
])
def test_the_message_refused_in_no_other_words_is_ours(words):
    assert (verdict(words).reason, verdict(words).owner) == ("contenterror", SENDER)


def test_the_message_refused_gives_way_to_a_cause_named_or_a_status():
    assert verdict("550 Mensaje rechazado: el usuario no existe").owner == ADDRESS
    assert verdict("550 Message rejected: mailbox full").owner == MAILBOX
    # Postfix's SPF policy answer names its cause by its X.7.23.
    assert verdict("550 5.7.23 <ana@example.org>: Recipient address rejected: Message rejected due to: "
                   "domain owner discourages use of this host", status="5.7.23").reason == "authfailure"
    # The recipient's own rule: the mailbox's (ZoneMTA's table).
    assert verdict("550-Your message was rejected by this user and was not delivered").owner == MAILBOX
    assert verdict("550 Su mensaje fue rechazado por el destinatario").owner == MAILBOX
    # A reply that asks to try again is no refusal of the message.
    assert verdict("451 Mensaje rechazado temporalmente, intente mas tarde", status="4.0.0").owner == MAILBOX


@pytest.mark.parametrize("words", [
    "550-La casilla ana@example.org fue dada de baja. Comuniquese con la 550 persona por otro medio",
    "550 La cuenta ana@example.org ha sido eliminada",
    "550 El buzón de correo ana@example.org fue borrado",
    "550 The account ana@example.org was deleted",
    "550 Mailbox has been removed",
    "550 A conta ana@example.org foi excluída",
    "550 La boîte aux lettres ana@example.org a été supprimée",
    "550 La casella di posta è stata eliminata",
    "550 La bústia ha estat donada de baixa",
    "550 Das Postfach wurde gelöscht",
    "550 El compte ana@example.org s'ha donat de baixa",
    "550 La bústia <ana@example.org> no existeix en aquest servidor",
    "550 Usuari desconegut",
])
def test_an_account_deleted_is_a_dead_address(words):
    assert (verdict(words).hard, verdict(words).owner) == (True, ADDRESS)


@pytest.mark.parametrize("words, status", [
    ("550 La cuenta ana@example.org ha sido desactivada", "5.0.0"),  # disabled: the mailbox's
    ("550 Mailbox closed", "5.0.0"),
    ("550 This account has been disabled", "5.0.0"),
    ("450 La cuenta ana@example.org ha sido eliminada", "4.0.0"),  # try again: not a verdict
    ("550 La cuenta ha sido eliminada", "5.2.2"),  # a status that says more decides
])
def test_a_mailbox_closed_disabled_or_a_status_that_says_more_is_not_deleted(words, status):
    assert verdict(words, status).owner != ADDRESS


@pytest.mark.parametrize("words, reason", [
    ("550 Su servidor ha sido bloqueado por el administrador del Colegio Lima por envio de publicidad "
     "no solicitada. Contacto: sistemas@colegio-lima.example", "spamdetected"),
    ("554 Su servidor está bloqueado", "blocked"),
    ("554 Seu servidor foi bloqueado", "blocked"),
    ("554 Votre serveur est bloqué", "blocked"),
    ("554 Il tuo server è stato bloccato", "blocked"),
    ("554 Dirección IP bloqueada", "blocked"),
    ("550 No se admite publicidad no solicitada", "spamdetected"),
    ("550 Correio não solicitado recusado", "spamdetected"),
    ("550 Courrier non sollicité refusé", "spamdetected"),
    ("550 Pubblicità non richiesta", "spamdetected"),
    ("550 Accés denegat: la IP 192.0.2.7 consta a la llista de bloqueig", "blocked"),
    ("550 Acceso denegado", "blocked"),
    ("550 Su IP figura en una lista negra", "blocked"),
    ("550 Unerwünschte Werbung wird abgelehnt", "spamdetected"),
])
def test_our_server_blocked_or_our_mail_taken_for_spam_is_ours(words, reason):
    assert (verdict(words).reason, verdict(words).owner) == (reason, SENDER)


@pytest.mark.parametrize("words", [
    "550 La cuenta ana@example.org está bloqueada",
    "550 La casilla ana@example.org fue bloqueada",
    "550 A caixa postal está bloqueada",
    "550 La casella di posta è stata bloccata",
])
def test_a_mailbox_blocked_is_the_mailboxs(words):
    assert (verdict(words).reason, verdict(words).owner) == ("suspend", MAILBOX)


# Postfix's access(5) tables give any admin text, and "Access denied" when there is none,
# under the 5.7.1 (4.7.1 for 4xx and DEFER) Postfix fills in for a text with no status of
# its own: the wire forms below are what Debian's Postfix 3.7 answered here for
# `REJECT Esta cuenta ya no existe`, `550 Usuario dado de baja`, `REJECT` and `450 Buzón
# lleno` in a check_recipient_access table. The status is no cause: the words decide.
@pytest.mark.parametrize("words, reason, owner", [
    ("554 5.7.1 <ana@example.org>: Recipient address rejected: Esta cuenta ya no existe", "userunknown", ADDRESS),
    ("554 5.7.1 <ana@example.org>: Recipient address rejected: La cuenta fue dada de baja", "userunknown", ADDRESS),
    ("554 5.7.1 <ana@example.org>: Recipient address rejected: This account has been deleted", "userunknown",
     ADDRESS),
    ("550 5.7.1 <ana@example.org>: Recipient address rejected: Ana Pena ya no trabaja en Viajes Sur",
     "hasmoved", ADDRESS),
    ("554 5.7.1 <ana@example.org>: Recipient address rejected: Mensaje rechazado: no se admiten adjuntos",
     "contenterror", SENDER),
    ("450 4.7.1 <ana@example.org>: Recipient address rejected: Buzón lleno", "mailboxfull", MAILBOX),
    # Postfix's own text when the admin wrote none: a table keyed on the recipient refused
    # it, so the lead's mailbox is shut to us. Keyed on us it says so.
    ("554 5.7.1 <ana@example.org>: Recipient address rejected: Access denied", "filtered", MAILBOX),
    ("554 5.7.1 <info@tienda.example>: Sender address rejected: Access denied", "rejected", SENDER),
    ("554 5.7.1 <mail.tienda.example[192.0.2.1]>: Client host rejected: Access denied", "blocked", SENDER),
    # Policy services answer in the same form, with their own words or status.
    ("554 5.7.1 <ana@example.org>: Recipient address rejected: Message rejected due to: SPF fail - not authorized",
     "authfailure", SENDER),
    ("554 5.7.1 <ana@example.org>: Relay access denied", "norelaying", SENDER),
])
def test_a_postfix_access_map_answer_is_read_by_its_words(words, reason, owner):
    got = judge(status_of(words), words, command="RCPT", quoted=True)
    assert (got.reason, got.owner) == (reason, owner)
    assert got.hard == (owner == ADDRESS)


# What admins write into their own refusals, under the bare 550 (session 19: the words of
# real sites' Exim ACLs, Postfix access maps and policy services, Sendmail access tables,
# Haraka and panels' templates; these sentences are written for this test in their
# manner). Each names its cause; before, most read as the lead's mailbox's trouble for
# want of a known word, and some as a dead address.
@pytest.mark.parametrize("words, reason", [
    # our session's failures counted, never the lead's dead address
    ("550 Too many unknown users, closing", "blocked"),
    ("550 REJECTED - Too many failed recipients - count = 6", "blocked"),
    ("550 Number of failed recipients exceeded. Come back in a few hours.", "blocked"),
    # our sender address checked or claimed where we may not
    ("550 5.7.1 sender verification failed, MX for tienda.example says info@tienda.example is invalid", "rejected"),
    ("550 Sending domain has no MX record", "rejected"),
    ("550 Envelope sender info@tienda.example must match your login ventas@tienda.example", "rejected"),
    ("550 Spoofing domains that you do not own is not allowed", "rejected"),
    # SPF, whatever else the words say
    ("451 Email temporarily rejected: SPF check failed for tienda.example", "authfailure"),
    ("550 SPF returns deny", "authfailure"),
    # our login, TLS, HELO
    ("550 Please log in with a registered account to send mail.", "rejected"),
    ("550 Authentication credentials not found.", "rejected"),
    ("550 This domain requires a TLS connection which is not present", "securityerror"),
    ("550 Forged HELO for (mail.tienda.example)", "blocked"),
    ("550 nice hosts say HELO first", "blocked"),
    # our rate, whatever "try again later" says
    ("550 Rate limit exceeded: too many messages in 1 hour. Try again later.", "speeding"),
    ("451 Number of sent emails has exceeded our sender limit. Come back later.", "speeding"),
    ("450 Daily limit reached, retry later", "speeding"),
    ("451 sorry, only 5 reports per hour for submission", "speeding"),
    ("450 Monatskontingent erreicht", "speeding"),
    ("451 We only accept mail one recipient at a time", "toomanyconn"),
    # our message
    ("550 Message contains unacceptable attachment (factura.exe)", "contenterror"),
    ("550 Unwanted file extension (lnk)", "contenterror"),
    ("550 scr files are not accepted here", "contenterror"),
    ("550 Line length in message or single header exceeds 8192.", "contenterror"),
    ("553 5.0.0 Header error", "contenterror"),
    ("550 Emails containing \"~|\" in the subject line are not allowed", "contenterror"),
    ("550 This message contains malware (Eicar-Test-Signature)", "virusdetected"),
    ("550 Message size 31457280 > 26214400", "mesgtoobig"),
    ("550 Congratulations, you scored 7.3 points.", "spamdetected"),
    # our host
    ("554 This mail server does not accept connections from Brazil", "blocked"),
    ("550 Rejected - appears to be an unsecured proxy", "blocked"),
    ("550 no rDNS", "requireptr"),
])
def test_an_admins_words_about_us_are_ours(words, reason):
    for command in ("RCPT", "DATA"):
        got = judge(status_of(words), words, command=command, quoted=True)
        assert (got.reason, got.owner, got.hard) == (reason, SENDER, False), command


@pytest.mark.parametrize("words, reason", [
    ("550 Your recipient address has been blocked by the admins", "filtered"),
    ("550 5.7.1 This mailbox only accepts messages from authorized senders.", "filtered"),
    ("517 Sender is not allowed by privacy settings.", "filtered"),
    ("554 5.7.1 <ana@example.org>: Recipient address rejected: Sorry this user has no international access",
     "filtered"),
])
def test_the_leads_own_rule_against_us_is_the_mailboxs(words, reason):
    got = judge(status_of(words), words, command="RCPT", quoted=True)
    assert (got.reason, got.owner, got.hard) == (reason, MAILBOX, False)


@pytest.mark.parametrize("words, reason", [
    ("550 The domain viejo-dominio.example is obsolete", "hostunknown"),
    ("550 The domain viejo-dominio.example is no longer supported", "hostunknown"),
    ("550 The domain is not in service", "hostunknown"),
    ("550 inbound mail is not configured for this host", "hostunknown"),
    ("550 Cannot route to remote domain viejo-dominio.example", "hostunknown"),
    ("550 Recipient domain must be a fully qualified name", "hostunknown"),
    ("550 This address does not accept incoming mail.", "notaccept"),
    ("550 Expired email address", "userunknown"),
    ("550 Recipient not found or expired", "userunknown"),
    ("550 Restricted characters in address", "userunknown"),
    ("550 Use ventas@example.org instead", "hasmoved"),
    ("550 5.7.1 Your message to ana@example.org was refused. Please re-send your message to ana@nuevo.example",
     "hasmoved"),
])
def test_an_admins_words_for_a_dead_address_bounce_the_lead(words, reason):
    got = judge(status_of(words), words, command="RCPT", quoted=True)
    assert (got.reason, got.owner, got.hard) == (reason, ADDRESS, True)


def test_an_admins_mailbox_does_not_exist_after_the_content_is_the_address():
    got = judge("5.0.0", "550 Mailbox does not exist", command="DATA", quoted=True)
    assert (got.reason, got.owner, got.hard) == ("userunknown", ADDRESS, True)


def test_the_admin_words_leave_the_old_readings_alone():
    # A mailbox's own count of messages is its full mailbox, not our rate.
    assert judge("5.2.2", "552 5.2.2 too many messages on the server", command="RCPT").reason == "mailboxfull"
    # Postfix's reject_unverified_sender: our address, however its words read.
    got = judge("5.1.7", "550 5.1.7 <info@tienda.example>: Sender address rejected: undeliverable address: "
                "host mx.tienda.example said: 550 5.1.1 User unknown", command="RCPT", quoted=True)
    assert (got.hard, got.owner) == (False, SENDER)
    # A server's own report words around the reply: Haraka's "too many failures" and a
    # gateway's "attachment" are no admin's refusal.
    assert judge("5.1.1", "550 5.1.1 User unknown; Too many failures (5)", command="RCPT").hard
    assert judge("5.1.1", "The original message is attached. 550 5.1.1 <ana@example.org>: User unknown",
                 command="RCPT").hard
    # An admin's text that names another address is not the lead's dead address.
    got = judge("5.7.1", "554 5.7.1 <ana@example.org>: Recipient address rejected: SPFBL info@tienda.example is "
                "not a valid e-mail", command="RCPT", quoted=True)
    assert (got.hard, got.owner) == (False, SENDER)


@pytest.mark.parametrize("words, reason, owner", [
    ("450 4.7.1 <ana@example.org>: Recipient address rejected: Limite de 300 e-mails por hora atingido",
     "speeding", SENDER),
    ("450 4.7.1 <ana@example.org>: Recipient address rejected: sorry, max 500 emails per user per hour",
     "speeding", SENDER),
    ("451 Connection limited: Sender rate 62.3 / 1h.", "speeding", SENDER),
    ("451 Temporary DNS error while checking SPF record. Try again later.", "authfailure", SENDER),
    ("550 Sign in to send mail through this server", "rejected", SENDER),
    ("550 Mail not permitted from sender.", "rejected", SENDER),
    ("550 The mail server does not recognize info@tienda.example as a valid sender.", "rejected", SENDER),
    ("550 Invalid use of null sender", "rejected", SENDER),
    ("550 Helo name contains a bare IP address (HELO was 192.0.2.1)", "blocked", SENDER),
    ("451 Transient ban present for 192.0.2.1.", "blocked", SENDER),
    ("550 Message headers fail syntax check", "contenterror", SENDER),
    ("550 We do not accept attachments like: factura.exe", "contenterror", SENDER),
    ("550 Relevo no permitido", "norelaying", SENDER),
    ("550 Mailing to remote domains not supported", "norelaying", SENDER),
    ("450 4.7.1 <ana@example.org>: Recipient address rejected: Policy Service is unavailable. Please try again",
     "temporary", MAILBOX),
    ("550 Caracteres inválidos en dirección", "userunknown", ADDRESS),
    ("550 bad chars in address", "userunknown", ADDRESS),
    ("550 Recipient verification failed", "userunknown", ADDRESS),
    ("550 No reply mailbox", "notaccept", ADDRESS),
])
def test_more_of_an_admins_words(words, reason, owner):
    got = judge(status_of(words), words, command="RCPT", quoted=True)
    assert (got.reason, got.owner) == (reason, owner)


def test_exims_octal_escapes_are_read_as_the_letters_they_were():
    # Exim's report prints a remote server's UTF-8 bytes as octal escapes (string_printing).
    escaped = r"554 5.7.1 <ana@example.org>: Recipient address rejected: Ung\303\274ltiger Empf\303\244nger"
    got = judge("5.0.0", escaped, command="RCPT", quoted=True)
    assert (got.hard, got.reason) == (True, "userunknown")
    report = ("From: Mail Delivery System <Mailer-Daemon@tienda.example>\nTo: info@tienda.example\n"
              "Subject: Mail delivery failed: returning message to sender\nX-Failed-Recipients: ana@example.org\n"
              "Auto-Submitted: auto-replied\n\n"
              "This message was created automatically by mail delivery software.\n\n"
              "A message that you sent could not be delivered to one or more of its\n"
              "recipients. This is a permanent error. The following address(es) failed:\n\n"
              "  ana@example.org\n    host mx.example.org [192.0.2.7]\n"
              "    SMTP error from remote mail server after RCPT TO:<ana@example.org>:\n"
              "    " + escaped + "\n").encode()
    incoming = classify(report)
    assert [(f.address, f.verdict.hard) for f in incoming.failures] == [("ana@example.org", True)]
    # A backslash that is no such escape stays as it was.
    assert judge("5.0.0", r"550 C:\101 rejected", command="RCPT", quoted=True).hard is False


@pytest.mark.parametrize("words", [
    "451 Virus scanner error", "451 Error running virus scanner", "450 Virus scanner timed out",
    "452 Unable to scan for viruses", "451 An error occured when scanning the message for viruses.",
    "450 Error connecting to virus scanner", "450 Rspamd scan timeout", "451 4.7.1 Virus filter failed",
    "421 DNS error on bl.spamcop.net",
])
def test_the_receiving_servers_own_scanner_failing_is_its_trouble_not_ours(words):
    # The tool failed; it found nothing in our mail: the lead's mailbox's, retried.
    got = judge(status_of(words), words, command="DATA", quoted=True)
    assert (got.owner, got.hard) == (MAILBOX, False)
    # What a scanner found stays ours, also when the message "failed" the scan.
    assert judge("5.0.0", "550 This message contains a virus (Eicar-Test-Signature)", command="DATA",
                 quoted=True).owner == SENDER
    assert judge("5.0.0", "550 Message failed virus scanning: infected with Eicar-Test-Signature", command="DATA",
                 quoted=True).owner == SENDER


@pytest.mark.parametrize("words", [
    "550 5.1.1 The sender address <info@tienda.example> does not exist",
    "554 5.1.1 According to mx1.tienda.example, your sender <info@tienda.example> isn't a working e-mail address: "
    "550 5.1.1 User unknown",
    "550 Sender (info@tienda.example) does not exist",
    "550 your sender <info@tienda.example> isn't a working e-mail address",
])
def test_our_sender_said_dead_in_brackets_is_ours_under_any_status(words):
    # The callout the lead's server made to our own MX: its "User unknown" is about us.
    got = judge(status_of(words), words, command="DATA", quoted=True)
    assert (got.owner, got.hard) == (SENDER, False)
    # The same words about the lead's own address say it is dead.
    assert judge("5.0.0", "550 <ana@example.org> isn't a working e-mail address", command="RCPT",
                 quoted=True).hard is True


@pytest.mark.parametrize("words", [
    "554 5.7.1 <ana@example.org>: Recipient address rejected: Sender info@tienda.example is not allowed to send "
    "to recipient ana@example.org",
    "554 5.7.1 <ana@example.org>: Recipient address rejected: Absender info@tienda.example darf nicht an "
    "Empfänger ana@example.org senden",
    "554 5.7.1 <ana@example.org>: Recipient address rejected: Expéditeur info@tienda.example n'est pas autorisé "
    "d'envoyer au destinateur ana@example.org",
    "554 5.7.1 <ana@example.org>: Recipient address rejected: Het is afzender info@tienda.example niet toegestaan "
    "te versturen naar ontvanger ana@example.org",
    "550 El remitente no está autorizado a enviar mensajes a ana@example.org",
    "550 You are not allowed to send mail to this recipient",
])
def test_a_mailbox_that_takes_only_the_senders_its_owner_allows_is_the_mailboxs(words):
    # Its owner's rule about who may write to it, the recipient named: retried, and one
    # of the lead's three, never a refusal of our sending that would stop the run.
    got = judge(status_of(words), words, command="RCPT", quoted=True)
    assert (got.reason, got.owner, got.hard) == ("filtered", MAILBOX, False)


@pytest.mark.parametrize("words", [
    "554 5.7.1 Sender not a member", "550 5.7.2 Unauthorized to send to this mailing list",
    "550 You are not allowed to send to this list",
])
def test_a_lists_refusal_of_a_non_members_post_stays_ours(words):
    # The project's policy for list software (tests/test_list_mail.py): offered again, no lead charged.
    assert judge(status_of(words), words, command="RCPT", quoted=True).owner == SENDER


def test_the_same_words_under_postfixs_sender_restriction_are_ours():
    words = ("554 5.7.1 <info@tienda.example>: Sender address rejected: Sender info@tienda.example is not "
             "allowed to send to recipient ana@example.org")
    assert judge("5.7.1", words, command="RCPT", quoted=True).owner == SENDER
    assert judge("5.1.1", "550 5.1.1 Recipient not a member of this domain", command="RCPT",
                 quoted=True).hard is True


@pytest.mark.parametrize("words, command", [
    ("450 Too many connections from 192.0.2.25, try again later", "CONN"),
    ("450 Too many recipient attempts", "RCPT"),
    ("452 4.5.3 max rcpt limit exceeded", "RCPT"),
    ("452 4.4.5 Maximum number of messages per session exceeded.", "DATA"),
    ("452 4.7.28 mx.example.org Session exceeded transfer quota.", "DATA"),
    ("421 too many invalid addresses, goodbye (#4.3.0)", "RCPT"),
    ("451 4.3.0 Too many errors, disconnecting.", "RCPT"),
    ("554 Invalid e-mail address <info@tienda.example> in From header line", "DATA"),
    ("552 unparseable from header", "DATA"),
    ("554 Header Lines are too many", "DATA"),
    ("554 Header size is too large", "DATA"),
    ("550 Required header 'Date' missing", "DATA"),
    ("550 Invalid Delivered-To header content", "DATA"),
    ("550 Phishing message appears to impersonate a bank", "DATA"),
    ("550 Message contains nested archives exceeding the maximum depth", "DATA"),
    ("550 Message contains encrypted archive", "DATA"),
    ("552 We do not accept password-protected zip files!", "DATA"),
    ("552 signature invalid: fail (body has been altered)", "DATA"),
    ("550 very bad karma: -3", "RCPT"),
    ("550 Email from that domain is not accepted here.", "DATA"),
    ("554 Domain tienda.example of sender has no valid MX.", "DATA"),
    ("501 5.5.4 Provided EHLO/HELO mail.tienda.example can not resolved.", "RCPT"),
    ("501 5.4.0 none of your mail exchangers has a routable address", "RCPT"),
])
def test_our_session_message_and_domain_in_the_admins_words_are_ours(words, command):
    got = judge(status_of(words), words, command=command, quoted=True)
    assert (got.owner, got.hard) == (SENDER, False)


def test_greylisting_is_the_lead_servers_asking_to_wait_at_any_command():
    for command in ("MAIL", "RCPT", "CONN"):
        got = judge("4.0.0", "421 192.0.2.25 greylisted. Try again later.", command=command, quoted=True)
        assert got.owner == MAILBOX, command
    # A refusal at MAIL with no such words stays ours (RFC 5321: MAIL names only us).
    assert judge("4.0.0", "451 Temporary local problem", command="MAIL", quoted=True).owner == SENDER


@pytest.mark.parametrize("words, command, want", [
    # Too many recipients and a message too large, in more of the admins' languages: ours.
    ("452 Te veel ontvangers in een bericht.", "RCPT", ("toomanyconn", SENDER)),
    ("452 trop de destinataires", "RCPT", ("toomanyconn", SENDER)),
    ("452 Muitos destinatários", "RCPT", ("toomanyconn", SENDER)),
    ("452 4.5.3 收件人过多，请分批提交", "RCPT", ("toomanyconn", SENDER)),
    ("552 Dit bericht is groter dan 10485760 bytes.", "DATA", ("mesgtoobig", SENDER)),
    ("552 Beskeden er for stor", "DATA", ("mesgtoobig", SENDER)),
    ("552 Mensagem maior que o limite aceito", "DATA", ("mesgtoobig", SENDER)),
    ("552 حجم الرسالة يتجاوز الحد المسموح", "DATA", ("mesgtoobig", SENDER)),
    # Our HELO name said invalid, behind an admin's "security policy" prefix.
    ("550 5.7.1 Rejecting due to security policy - Invalid hostname 'mail.tienda.example'", "DATA",
     ("blocked", SENDER)),
    # The admin blocked the recipient: its mailbox's rule, not our sending.
    ("550 5.7.1 Rejecting due to security policy - Recipient has been blacklisted", "RCPT", ("filtered", MAILBOX)),
    # After the message, "does not accept mail" refuses the message, not the address.
    ("521 Server does not accept mail. Do not retry delivery, please. It will fail.", "DATA",
     ("contenterror", SENDER)),
])
def test_more_languages_and_stages_in_the_admins_words(words, command, want):
    got = judge(status_of(words), words, command=command, quoted=True)
    assert (got.reason, got.owner) == want


@pytest.mark.parametrize("words", [
    "553 sorry, mail to that recipient is not accepted (#5.7.1)",  # qmail's badrcptto
    "554 Refused. Mail is not being accepted at this address.",
    "550 Dit adres bestaat hier niet: ana@example.org",
    "550 Postkassen findes ikke eller er udløbet",
])
def test_an_address_that_takes_no_mail_in_the_admins_words_is_dead(words):
    assert judge(status_of(words), words, command="RCPT", quoted=True).hard is True


def test_a_kind_of_mail_refused_at_an_address_is_not_a_dead_address():
    # Sieve's reject of bulk mail, and qmail's badmailfromto (a sender and recipient pair).
    for words in ("550 Message rejected: bulk mail is not accepted at this address.",
                  "550 mail to ana@example.org not accepted here"):
        assert judge("5.0.0", words, command="RCPT", quoted=True).hard is False
    # "Does not accept replies" names the address, after the message too.
    assert judge("5.7.1", "550 5.7.1 This address does not accept replies.", command="DATA", quoted=True).hard


@pytest.mark.parametrize("words", [
    "550 Encryption is required from you", "550 Encryption is required from your domain",
    "550 Dropped IP-only or IP-starting helo", "550 HELO/EHLO required by SMTP RFC",
    "550 local senders need to be authenticated", "550 unauthenticated session on submission port",
    "550 Only 60 letters per 1h is allowed, while your rate is 61.2",
    "550 zip file contains an attachment with a dangerous payload (documentos.zip).",
    "550 Detected forbidden filetype (Security reasons).", "550 REJECTED - No Subject nor body",
])
def test_round_threes_words_of_ours(words):
    got = judge(status_of(words), words, command="RCPT", quoted=True)
    assert (got.owner, got.hard) == (SENDER, False)


def test_exims_default_checks_of_local_and_remote_addresses_and_a_blacklisted_recipient():
    # Exim's configure.default refuses an address with restricted characters, local or remote.
    for words in ("550 restricted characters in local address", "550 restricted characters in remote address"):
        assert judge("5.0.0", words, command="RCPT", quoted=True).hard is True
    got = judge("5.0.0", "550 blacklisted recipient: ana@example.org", command="RCPT", quoted=True)
    assert (got.reason, got.owner) == ("filtered", MAILBOX)
