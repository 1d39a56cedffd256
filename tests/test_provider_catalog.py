"""What the mailbox providers themselves say, read right (issue #25, branch providercatalog).

Each text below is a provider's own reply or report sentence, as its help pages or
postmaster pages document it (the table cites the page), or as sisimai's per-provider
modules (Sisimai::Rhost::*) collect them from those pages. Each is put into the report
of the sending server that heard it at its SMTP stage (Postfix's bounce(8) layout), into
an RFC 3464 report with the vague status 5.0.0 and no stage, into one with no status at
all, and heard by leadloop's own SMTP client; a provider that writes its own report
(Seznam, Exchange Online) is read in that layout too. Whose failure each is follows
SPEC §7: a dead address or domain (the lead becomes `bounced`); the lead's mailbox (full,
disabled, inactive, over its limits, its owner's block list, try later: soft); the sender
(SPF, DKIM, DMARC, blocklists, reputation, rates, relaying, "not authorized": soft). Some
sentences say nothing without their status (a disabled mailbox under 5.2.1 says "disabled"
only with it): those are read only with it. The addresses and hosts are made up; the
providers' words are theirs."""

from __future__ import annotations

import pytest

from leadloop.classify import classify
from leadloop.delivery_status import judge
from test_server_texts import LEAD, ORIGINAL, OWNERS, _headers, _reply, _sub, dsn, postfix_relayed, verdict_of

GOOGLE = "support.google.com/a/answer/3726730 (Gmail SMTP errors and codes; sisimai Rhost::GoogleApps)"
MICROSOFT = "learn.microsoft.com, Email non-delivery reports and SMTP errors in Exchange Online"
YAHOO = "senders.yahooinc.com, SMTP error codes (sisimai Rhost::YahooInc)"
APPLE = "support.apple.com, iCloud Mail for senders (sisimai Rhost::Apple)"

# (provider, owner, reply code, enhanced status, the provider's words, where they come back,
#  source, whether the words alone tell). "ADDR" stands for the lead's address. Where:
#  "RCPT", "DATA": the provider's answer to that command, reported by the sending server;
#  "dsn": only in a report (an answer at the connection, before any command leadloop names).
TEXTS = [
    # --- Gmail / Google Workspace -------------------------------------------------------
    ("gmail", "H", "550", "5.1.1", "The email account that you tried to reach does not exist. Please try "
     "double-checking the recipient's email address for typos or unnecessary spaces. For more information, go "
     "to https://support.google.com/mail/?p=NoSuchUser - gsmtp", "RCPT", GOOGLE, True),
    ("gmail", "H", "553", "5.1.2", "We weren't able to find the recipient domain. Please check for any spelling "
     "errors, and make sure you didn't enter any spaces, periods, or other punctuation after the recipient's email "
     "address. - gsmtp", "RCPT", GOOGLE, True),
    ("gmail", "M", "550", "5.2.1", "The email account that you tried to reach is disabled. - gsmtp", "RCPT", GOOGLE, True),
    ("gmail", "M", "550", "5.2.1", "The email account that you tried to reach is inactive. For more information, go "
     "to https://support.google.com/mail/?p=DisabledUser - gsmtp", "RCPT", GOOGLE, True),
    ("gmail", "M", "552", "5.2.2", "The email account that you tried to reach is over quota. - gsmtp", "RCPT", GOOGLE,
     True),
    ("gmail", "M", "452", "4.2.2", "The recipient's inbox is out of storage space. Please direct the recipient to "
     "https://support.google.com/mail/?p=OverQuotaTemp - gsmtp", "RCPT", GOOGLE, True),
    ("gmail", "M", "450", "4.2.1", "The user you are trying to contact is receiving mail too quickly. Please resend "
     "your message at a later time. - gsmtp", "RCPT", GOOGLE, True),
    ("gmail", "S", "550", "5.7.1", "The user or domain that you are sending to (or from) has a policy that "
     "prohibited the email that you sent. - gsmtp", "DATA", GOOGLE, True),
    ("gmail", "S", "550", "5.7.26", "This mail has been blocked because the sender is unauthenticated. Gmail requires "
     "all senders to authenticate with either SPF or DKIM. - gsmtp", "DATA", GOOGLE, True),
    ("gmail", "S", "550", "5.7.1", "Our system has detected that this message is likely unsolicited mail. To reduce "
     "the amount of spam sent to Gmail, this message has been blocked. - gsmtp", "DATA", GOOGLE, True),
    ("gmail", "S", "550", "5.7.1", "The IP you're using to send mail is not authorized to send email directly to our "
     "servers. Please use the SMTP relay at your service provider instead. - gsmtp", "DATA", GOOGLE, True),
    ("gmail", "S", "550", "5.7.0", "Mail relay denied. - gsmtp", "RCPT", GOOGLE, True),
    # --- Outlook.com, Hotmail, Office 365 / Exchange Online -----------------------------
    ("microsoft", "H", "550", "5.1.10", "RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
     "RCPT", MICROSOFT, True),
    ("microsoft", "H", "550", "5.1.1", "RESOLVER.ADR.RecipNotFound; not found", "RCPT", MICROSOFT, True),
    ("microsoft", "H", "550", "5.1.1", "The email address you entered couldn't be found. Please check the recipient's "
     "email address and try to resend the message.", "RCPT", MICROSOFT, True),
    ("outlook.com", "H", "550", "5.5.0", "Requested action not taken: mailbox unavailable (S2017062302). "
     "[DB5EUR01FT039.eop-EUR01.prod.protection.outlook.com]", "RCPT", "Outlook.com's reply to a missing mailbox "
     "(RFC 5321 §4.2.2's 550 text; sisimai's lhost-outlook samples)", True),
    # Directory-Based Edge Blocking: the address, but only under its 5.4.1 (main's rule).
    ("microsoft", "H", "550", "5.4.1", "Recipient address rejected: Access denied. AS(201806281) "
     "[DM6NAM12FT033.eop-nam12.prod.protection.outlook.com]", "RCPT", MICROSOFT + " (error code 5.4.1)", False),
    # The same status for a connector's relay refusal: ours.
    ("microsoft", "S", "550", "5.4.1", "Relay Access Denied ATTR35 [CO1NAM11FT012.eop-nam11.prod.protection."
     "outlook.com]", "RCPT", MICROSOFT + " (error code 5.4.1)", True),
    ("microsoft", "M", "554", "5.2.2", "mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException."
     "MapiExceptionShutoffQuotaExceeded", "DATA", MICROSOFT, True),
    ("microsoft", "M", "550", "5.2.1", "Mailbox cannot be accessed", "RCPT", MICROSOFT, True),
    ("microsoft", "S", "550", "5.7.606", "Access denied, banned sending IP [192.0.2.7]. To request removal from this "
     "list please visit https://sender.office.com/ and follow the directions.", "RCPT", MICROSOFT, True),
    ("microsoft", "S", "550", "5.7.23", "The message was rejected because of Sender Policy Framework violation", "DATA",
     MICROSOFT, True),
    ("microsoft", "S", "550", "5.7.509", "Access denied, sending domain example.net does not pass DMARC verification "
     "and has a DMARC policy of reject.", "DATA", MICROSOFT, True),
    # A domain that takes no mail over IPv6: our route, never "the domain accepts no mail".
    ("microsoft", "S", "550", "5.7.510", "Access denied, example.org does not accept email over IPv6", "RCPT",
     MICROSOFT, True),
    ("microsoft", "S", "550", "5.7.1", "Service unavailable, Client host [192.0.2.7] blocked using Spamhaus. To request "
     "removal from this list see https://www.spamhaus.org/query/ip/192.0.2.7 AS(1450)", "RCPT", MICROSOFT, True),
    # --- Yahoo / AOL --------------------------------------------------------------------
    ("yahoo", "H", "554", "", "delivery error: dd This user doesn't have a yahoo.com account (ADDR) [0] - "
     "mta1234.mail.gq1.yahoo.com", "DATA", YAHOO, True),
    ("yahoo", "H", "552", "", "1 Requested mail action aborted, mailbox not found", "DATA", YAHOO, True),
    ("yahoo", "M", "554", "", "delivery error: dd Sorry your message to ADDR cannot be delivered. This mailbox is "
     "disabled (554.30). - mta1001.mail.ne1.yahoo.com", "DATA", YAHOO, True),
    ("yahoo", "S", "421", "4.7.0", "[TSS04] Messages from 192.0.2.7 temporarily deferred due to unexpected volume or "
     "user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes", "dsn", YAHOO, True),
    ("yahoo", "S", "553", "5.7.1", "[BL21] Connections will not be accepted from 192.0.2.7, because the ip is in "
     "Spamhaus's list; see https://postmaster.yahooinc.com/error-codes", "dsn", YAHOO, True),
    ("yahoo", "S", "554", "5.7.9", "Message not accepted for policy reasons. See "
     "https://postmaster.yahooinc.com/error-codes", "DATA", YAHOO, True),
    # --- iCloud -------------------------------------------------------------------------
    ("icloud", "H", "550", "5.1.1", "<ADDR>: user does not exist", "RCPT", APPLE, True),
    ("icloud", "H", "550", "5.1.1", "unknown or illegal alias: ADDR", "RCPT", APPLE, True),
    ("icloud", "M", "552", "5.2.2", "<ADDR>: user is over quota", "RCPT", APPLE, True),
    ("icloud", "S", "554", "5.7.1", "[HM08] Message rejected due to local policy. Please visit "
     "https://support.apple.com/en-us/HT204137", "DATA", APPLE, True),
    # --- Seznam (Czech) -----------------------------------------------------------------
    ("seznam", "H", "550", "5.1.1", "szn; User hasn't got the service mapped", "RCPT",
     "napoveda.seznam.cz/uzivatel-neexistuje (Uživatel neexistuje)", True),
    # --- Interia (Polish) ---------------------------------------------------------------
    ("interia", "H", "550", "5.1.1", "Account not found", "RCPT",
     "pomoc.poczta.interia.pl, Dlaczego wiadomość nie została dostarczona?", True),
    ("interia", "S", "550", "5.7.0", "[SPF] host 192.0.2.7 is not allowed to send mail from domain example.net", "RCPT",
     "pomoc.poczta.interia.pl, Dlaczego wiadomość nie została dostarczona?", True),
    # --- Daum / Kakao (Korean) ----------------------------------------------------------
    ("daum", "H", "550", "5.1.1", "RUSR 192.0.2.25: No such user: <ADDR>", "RCPT",
     "Daum's list of return-mail codes as Korean senders' help pages quote it (RUSR, DAS51, CHIC)", True),
    ("daum", "S", "554", "5.7.1", "DAS51 192.0.2.7: Your mail is blocked automatically by anti-spam system. (E06)",
     "DATA", "Daum's list of return-mail codes (DAS51)", True),
    # --- Naver (Korean) -----------------------------------------------------------------
    ("naver", "S", "421", "4.3.2", "Your IP(192.0.2.7) is filtered and this connection will be closed. You must "
     "register your IP to http://realip.naver.com", "dsn", "Naver's refusal of an IP, as Korean senders' help pages "
     "quote it", True),
    # --- Coremail-hosted mail (NetEase's Coremail, Chinese companies) --------------------
    ("coremail", "H", "550", "", "not user of this server", "RCPT",
     "icoremail.vip support, 退信提示: \"not user of this server\"", True),
    ("coremail", "H", "550", "", "unavailable mail user", "RCPT", "icoremail.vip support, 退信提示", True),
    ("coremail", "M", "550", "", "user disabled", "RCPT", "icoremail.vip support, 退信提示", True),
    # --- QQ (Tencent) -------------------------------------------------------------------
    ("qq", "H", "550", "", "Mailbox not found. http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=20022&&no=1000728",
     "RCPT", "service.mail.qq.com help 20022 (sisimai Rhost::Tencent)", True),
    # QQ's check of the SENDER's domain, answered by QQ's own server: ours.
    ("qq", "S", "550", "", "Domain may not exist or DNS check failed [MyOBK]. "
     "http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=20022&&no=1000742", "RCPT",
     "service.mail.qq.com help 20022", False),
    # --- mail.ru, Yandex (their English) ------------------------------------------------
    ("mail.ru", "H", "550", "", "Message was not accepted -- invalid mailbox.  Local mailbox ADDR is unavailable: "
     "user not found", "DATA", "help.mail.ru, delivery errors (User not found)", True),
    ("mail.ru", "M", "550", "", "Message was not accepted -- invalid mailbox.  Local mailbox ADDR is unavailable: "
     "account is disabled", "RCPT", "help.mail.ru, delivery errors", True),
    ("yandex", "H", "550", "5.7.1", "No such user!", "RCPT", "yandex.ru/support/mail, delivery errors", True),
    ("yandex", "S", "554", "5.7.1", "[2] Message rejected under suspicion of SPAM; https://ya.cc/1IrBc", "DATA",
     "yandex.ru/support/mail, delivery errors", True),
]


def _id(row) -> str:
    return f"{row[0]}:{row[1]}:{_sub(row[4])[:50]}"


def _check(verdict, owner: str):
    assert (verdict.hard, verdict.owner) == (owner == "H", OWNERS[owner]), verdict


@pytest.mark.parametrize("row", TEXTS, ids=_id)
def test_in_the_report_of_the_server_that_heard_it(row):
    provider, owner, code, status, words, where = row[:6]
    reply = _reply(code, status, words)
    _check(verdict_of(postfix_relayed(reply, where) if where in ("RCPT", "DATA") else dsn(reply, status or None)),
           owner)


@pytest.mark.parametrize("row", [row for row in TEXTS if row[7]], ids=_id)
def test_in_a_report_with_the_vague_status_5_0_0_and_no_stage(row):
    owner, code, words = row[1], row[2], row[4]
    _check(verdict_of(dsn(_reply(code, "", words), "5.0.0")), owner)


@pytest.mark.parametrize("row", [row for row in TEXTS if row[7]], ids=_id)
def test_in_a_report_with_no_status_at_all(row):
    _check(verdict_of(dsn(_sub(row[4]), None)), row[1])


@pytest.mark.parametrize("row", [row for row in TEXTS if row[5] in ("RCPT", "DATA") and row[0] != "qq"], ids=_id)
def test_heard_by_leadloops_own_smtp_client(row):
    # `send` judges the answer it hears with the same rule (SPEC §6). (QQ's check of our
    # domain is told apart by the server that answered, which a bare reply lacks.)
    provider, owner, code, status, words, where = row[:6]
    verdict = judge(status or None, _reply(code, status, words), reply_code=int(code), command=where)
    assert (verdict.hard, verdict.owner) == (owner == "H", OWNERS[owner]), verdict


# --- Providers that write their own report -----------------------------------------------

def seznam_report(reason: str, permanent: str = "") -> bytes:
    """Seznam's own bilingual report (napoveda.seznam.cz/uzivatel-neexistuje): "Vaše zpráva
    pro <ADDRESS> … nemohla být doručena", then "Důvod / Reason:" and the reason."""
    return (_headers("Mail Delivery System <MAILER-DAEMON@email.seznam.cz>", "Nedorucitelna zprava",
                     "text/plain; charset=utf-8")
            + f"Vaše zpráva pro <{LEAD}> ze dne 05.12.2026 nemohla být doručena.\r\nZpráva je přiložena.\r\n\r\n"
            + f"You message for <{LEAD}> from 2026/12/05 could not be delivered.\r\nIt's attached below.\r\n\r\n"
            + f"Důvod / Reason:\r\n---------------\r\n\r\n{reason}\r\n\r\n{permanent}\r\n\r\n" + ORIGINAL).encode("utf-8")


def exchange_online_report(reply: str, status: str, summary: str) -> bytes:
    """Exchange Online's NDR to its own sender: the user's summary, "Diagnostic information
    for administrators", the reply after "Remote Server returned", and its DSN."""
    return (_headers("Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@lauravidal.es>",
                     "Undeliverable: Hola", 'multipart/report; report-type=delivery-status; boundary="X1"')
            + "--X1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            + f"Your message to {LEAD} couldn't be delivered.\r\n\r\n{summary}\r\n\r\n"
            + "Diagnostic information for administrators:\r\n\r\n"
            + "Generating server: AM0PR01MB1234.eurprd01.prod.exchangelabs.com\r\n\r\n"
            + f"{LEAD}\r\nRemote Server returned '{reply}'\r\n\r\n"
            + "--X1\r\nContent-Type: message/delivery-status\r\n\r\n"
            + "Reporting-MTA: dns;AM0PR01MB1234.eurprd01.prod.exchangelabs.com\r\n\r\n"
            + f"Final-recipient: RFC822; {LEAD}\r\nAction: failed\r\nStatus: {status}\r\nDiagnostic-Code: smtp;{reply}"
            + f"\r\n\r\n--X1\r\nContent-Type: text/rfc822-headers\r\n\r\n{ORIGINAL}\r\n--X1--\r\n").encode("utf-8")


@pytest.mark.parametrize("raw", [
    seznam_report("5.1.1 szn; User hasn't got the service mapped",
                  "Permanentní chyba na straně uživatele.\r\nPermanent Failure - Bad destination mailbox address"),
    # The same reason without its status (a forwarded or reworded copy): the words alone.
    seznam_report("szn; User hasn't got the service mapped"),
])
def test_seznams_own_report_of_a_missing_user(raw):
    _check(verdict_of(raw), "H")


@pytest.mark.parametrize("reply, status, summary, owner", [
    ("550 5.4.310 DNS domain example.org does not exist [Message=InfoDomainNonexistent] "
     "[LastAttemptedServerName=example.org]", "5.4.310", "The domain example.org couldn't be found.", "H"),
    ("550 5.7.510 Access denied, example.org does not accept email over IPv6", "5.7.510",
     "Your message couldn't be delivered to the recipient's domain.", "S"),
    ("550 5.4.316 Message expired, connection refused(Socket error code 10061)", "5.4.316",
     "Your message couldn't be delivered.", "M"),
])
def test_exchange_onlines_own_report(reply, status, summary, owner):
    _check(verdict_of(exchange_online_report(reply, status, summary)), owner)


# --- A provider's rule about its own ambiguous words -------------------------------------

INTERIA_LEAD = "jan.kowalski@interia.pl"


def verdict_at_provider(raw: bytes, lead: str, host: str):
    """The verdict on a report written for LEAD at mx.example.org, its lead and the host
    that answered put at a provider instead (whose own rules then apply)."""
    raw = raw.replace(LEAD.encode(), lead.encode()).replace(b"mx.example.org", host.encode())
    return next(f.verdict for f in classify(raw).failures if f.address == lead)


def interia_refusal(reply: str):
    """The verdict on Postfix's report of Interia's answer to RCPT TO, for a lead at interia.pl."""
    return verdict_at_provider(postfix_relayed(reply, "RCPT"), INTERIA_LEAD, "mx.poczta.interia.pl")


@pytest.mark.parametrize("reply, reason", [
    # "May mean a mistyped address, a full inbox or a suspended account" (Interia's own
    # help page): no proof the address is dead.
    ("550 5.2.1 Mailbox not available", "suspend"),
    # "The recipient has probably put you on their block list": the lead's own setting.
    ("550 5.7.1 Recipient doesn't want your mail", "filtered"),
])
def test_interias_ambiguous_refusals_are_the_leads_mailbox(reply, reason):
    verdict = interia_refusal(reply)
    assert (verdict.hard, verdict.reason, verdict.owner) == (False, reason, OWNERS["M"]), verdict


def test_interias_missing_account_is_still_the_address():
    verdict = interia_refusal("550 5.1.1 Account not found")
    assert verdict.hard and verdict.owner == OWNERS["H"], verdict


# --- The grammar of a dead address in the providers' other languages ---------------------
# Ukrainian (ukr.net, i.ua), Bulgarian (abv.bg, mail.bg), Hebrew (Walla), Vietnamese,
# Indonesian and Malay, Thai (Exchange's and Gmail's reports in those languages), Polish
# ("brak takiego konta"): each language's ordinary words for "the user / mailbox / address
# does not exist / was not found", and their soft counterparts: the sender's address, a
# possibility ("… or the mailbox is full"), a full mailbox.
DEAD_IN_LANGUAGE = [
    "Користувача не знайдено", "Поштова скринька не існує", "Такого користувача не існує",
    "Немає такого користувача", "Потребителят не съществува", "Няма такъв потребител", "Непознат потребител",
    "Пощенската кутия не съществува", "המשתמש אינו קיים", "כתובת הדואר האלקטרוני אינה קיימת", "אין משתמש כזה",
    "Người dùng không tồn tại", "Địa chỉ email không tồn tại", "Không tìm thấy hộp thư", "Pengguna tidak ditemukan",
    "Alamat email tidak ditemukan", "Akaun tidak wujud", "Tidak ada pengguna dengan nama itu", "ไม่พบผู้ใช้",
    "ที่อยู่อีเมลไม่มีอยู่", "ไม่มีผู้ใช้นี้", "Brak takiego konta", "Brak takiego użytkownika",
]
NOT_DEAD_IN_LANGUAGE = [
    # Our own (sender's) address.
    ("S", "Адреса відправника не існує"), ("S", "Адресът на подателя не съществува"), ("S", "כתובת השולח אינה קיימת"),
    ("S", "Alamat pengirim tidak ditemukan"), ("S", "Địa chỉ người gửi không tồn tại"),
    # Possibilities, not a verdict.
    ("M", "Поштова скринька не існує або заблокована"), ("M", "Pengguna tidak ditemukan atau kotak surat penuh"),
    ("M", "Người dùng không tồn tại hoặc hộp thư đã đầy"), ("M", "המשתמש אינו קיים או שתיבת הדואר מלאה"),
    ("M", "ไม่พบผู้ใช้หรือกล่องจดหมายเต็ม"),
    # The same with the thing denied first ("there is no such user, or …"), in the new
    # languages and in those the grammar read before (its other shape had the rule already).
    ("M", "Немає такого користувача або скринька переповнена"), ("M", "Няма такъв потребител или кутията е пълна"),
    ("M", "אין משתמש כזה או שהתיבה מלאה"), ("M", "Không tìm thấy người dùng hoặc hộp thư đã đầy"),
    ("M", "Tidak ada pengguna atau kotak surat penuh"), ("M", "Nie ma takiego użytkownika lub skrzynka jest pełna"),
    ("M", "Нет такого пользователя или ящик переполнен"), ("M", "No existe el usuario o la cuenta está bloqueada"),
    # A full mailbox, a blocked sender beside the words.
    ("M", "Пощенската кутия е пълна"), ("S", "Користувача не знайдено. Your IP 192.0.2.7 is blacklisted"),
]


@pytest.mark.parametrize("words", DEAD_IN_LANGUAGE)
@pytest.mark.parametrize("layout", ["RCPT", "no status"])
def test_a_dead_address_in_the_providers_languages(words, layout):
    raw = postfix_relayed(f"550 {words}", "RCPT") if layout == "RCPT" else dsn(words, None)
    _check(verdict_of(raw), "H")


@pytest.mark.parametrize("owner, words", NOT_DEAD_IN_LANGUAGE)
@pytest.mark.parametrize("layout", ["RCPT", "no status"])
def test_their_soft_counterparts_stay_soft(owner, words, layout):
    raw = postfix_relayed(f"550 {words}", "RCPT" if owner != "S" or "IP" in words else "MAIL") \
        if layout == "RCPT" else dsn(words, None)
    _check(verdict_of(raw), owner)


# --- Refusals of our sending that the providers name in words of their own ----------------

@pytest.mark.parametrize("lead, host, reply, status", [
    # GMX and Web.de: too much mail from one sending IP (newsroom.gmx.net, 2017).
    ("anna.schmidt@gmx.de", "mx01.emig.gmx.net", "421 Rate limit reached. Please try again later", None),
    ("anna.schmidt@web.de", "mx-ha03.web.de", "421 Rate limit reached. Please try again later", None),
    # T-Online: our IP refused (postmaster.t-online.de, 4.6 and 4.7).
    ("hans.mueller@t-online.de", "mx00.t-online.de", "450 4.7.1 [EAB] 554 IP=192.0.2.7 - A problem occurred. (Ask "
     "your postmaster for help or to contact tosa@rx.t-online.de to clarify.)", "4.7.1"),
    ("hans.mueller@t-online.de", "mx00.t-online.de", "554 IP=192.0.2.7 - None/bad reputation. Ask your postmaster "
     "for help or to contact tobr@rx.t-online.de for reset. (NOWL)", None),
    # Daum: its spam centre's block of the connecting IP (Daum's return-mail codes, CCRT).
    ("minji.kim@hanmail.net", "mx1.hanmail.net", "421 4.4.5 CCRT 192.0.2.7: Connection refused. Server is busy(RT)",
     "4.4.5"),
    # Naver: our IP filtered, whoever the lead (and in any provider's report, below).
    ("minji.kim@naver.com", "mx1.naver.com", "421 4.3.2 Your IP(192.0.2.7) is filtered and this connection will be "
     "closed. You must register your IP to http://realip.naver.com", None),
])
def test_a_providers_refusal_of_our_ip_or_rate_is_the_senders(lead, host, reply, status):
    verdict = verdict_at_provider(dsn(reply, status), lead, host)
    assert not verdict.hard and verdict.owner == OWNERS["S"], verdict
