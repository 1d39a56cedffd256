"""Is a delivery failure about the address, or about something else? (SPEC §6, §7)

One rule for every failure leadloop hears of: the answer an SMTP server gives during
`send`, and the reports (bounces) that arrive later in the inbox. Pure: a status code
and the server's words in, a `Verdict` out.

A failure is *hard* (the lead becomes `bounced`) only when it says the address cannot
receive mail: the mailbox or the domain does not exist, or has moved. Everything else
is *soft*: a full mailbox, a message too large, a block for spam or by policy, an
expired retry, and any temporary (4.x.x) status even in a report that says
`Action: failed`.

How it decides, after sisimai (https://libsisimai.org, the reference in bounce
analysis; its Sisimai::Reason classes and Sisimai::SMTP::Status table), simplified to
the one question leadloop asks:

1. A temporary status (4.x.x, or a 4xx reply with no enhanced code) is soft.
2. The server's words come before the number, because the number is often generic
   (5.0.0, 5.2.1, 5.5.0, 5.7.1…) or wrong, and the words are what the receiving
   server meant. Words that name another cause (full, too large, disabled, relaying,
   sender authentication) are checked first, then the words of a dead address (no such
   user, unknown domain, has moved), then those of blocks, policies and delays.
3. With no telling words, the enhanced status decides: 5.1.1, 5.1.2, 5.1.3, 5.1.6,
   5.1.10 (and 5.1.0, 5.4.4: "unable to route") are about the address; anything else
   is not.

Phrases are written after the word lists of sisimai's Sisimai::Reason::* modules
(Copyright (C) 2014-2024 azumakuniyuki, BSD 2-Clause License), generalised into
patterns and extended to the languages leadloop's leads write in.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from . import departures
from .lazy_regex import LazyPattern
from .providers import provider_of, provider_reason

# Enhanced status codes about the recipient's address (RFC 3463, RFC 7505): the
# mailbox does not exist (5.1.0, 5.1.1), bad syntax (5.1.3), the domain does not
# exist (5.1.2) or cannot be routed to (5.4.4), moved (5.1.6), null MX (5.1.10).
ADDRESS_STATUSES = frozenset({"5.1.0", "5.1.1", "5.1.2", "5.1.3", "5.1.6", "5.1.10", "5.4.4"})

HARD_REASONS = frozenset({"userunknown", "hostunknown", "hasmoved", "notaccept"})
# Refused by the receiving provider, not by the person: what a sender's reputation
# and authentication decide (stats' blocked-by-provider rate, SPEC §8).
BLOCKED_REASONS = frozenset({"blocked", "spamdetected", "policyviolation", "authfailure",
                             "requireptr", "badreputation", "securityerror", "rejected",
                             "speeding", "toomanyconn", "virusdetected"})

# What each reason is called where a person reads it (`show`, `inbox --review`).
LABELS = {
    "userunknown": "no such mailbox", "hostunknown": "no such domain",
    "hasmoved": "the address has moved", "notaccept": "the domain accepts no mail",
    "mailboxfull": "mailbox full", "mesgtoobig": "message too large",
    "suspend": "mailbox disabled", "norelaying": "relaying denied",
    "authfailure": "sender authentication failed (SPF/DKIM/DMARC)",
    "filtered": "refused by the recipient's settings", "rejected": "sender refused",
    "spamdetected": "blocked as spam", "policyviolation": "blocked by policy",
    "blocked": "blocked by the provider", "requireptr": "blocked: no reverse DNS",
    "badreputation": "blocked: sender reputation", "securityerror": "blocked by security policy",
    "expired": "expired after retries", "delayed": "delayed", "systemerror": "mail system error",
    "networkerror": "network or routing error", "contenterror": "content refused",
    "temporary": "temporary failure", "undefined": "delivery failed", "mailererror": "mail program error",
    # Reasons only providers' own codes give (providers.py).
    "speeding": "blocked: over your account's sending limit (rate or daily quota)",
    "toomanyconn": "blocked: too many connections or recipients",
    "virusdetected": "blocked as a virus", "exceedlimit": "over the recipient's size limit",
    "notcompliantrfc": "message not standard-compliant", "syntaxerror": "SMTP command refused",
    "systemfull": "recipient's mail system full", "onhold": "delivery failed",
    "suppressed": "on the sending service's suppression list",
    "nosmtputf8": "the recipient's server takes no address in Unicode (SMTPUTF8)",
}


# Whose failure a refusal is (SPEC §6 "Outcomes"): only the first two are the lead's.
ADDRESS, MAILBOX, SENDER = "address", "mailbox", "sender"
OWNERS = (ADDRESS, MAILBOX, SENDER)

# Causes that are the lead's mailbox, not the address and not us: it is full, disabled,
# over its own limit, refuses by its owner's settings, or the server asked to try later.
MAILBOX_REASONS = frozenset({"mailboxfull", "suspend", "exceedlimit", "filtered", "systemfull",
                             "delayed", "temporary", "expired", "onhold", "suppressed", "nosmtputf8"})
# What a server says of its own trouble: no cause of anybody's named.
SERVER_TROUBLE = frozenset({"temporary", "delayed", "expired", "networkerror"})
# Causes that are the sender's or the message's: whoever the recipient, the answer
# would be the same (login, relay, authentication, reputation, blocklists, rates, spam,
# the message's size or form).
SENDER_REASONS = frozenset({"norelaying", "authfailure", "rejected", "spamdetected",
                            "policyviolation", "requireptr", "badreputation", "blocked",
                            "securityerror", "speeding", "toomanyconn", "virusdetected",
                            "contenterror", "notcompliantrfc", "syntaxerror", "mesgtoobig"})


@dataclass(frozen=True, slots=True)
class Verdict:
    hard: bool                 # about the address: the lead becomes `bounced`
    reason: str                # one of LABELS' keys
    status: str | None = None  # the enhanced status code the decision used, if any
    owner: str = MAILBOX       # ADDRESS, MAILBOX or SENDER: whose failure it is

    @property
    def blocked(self) -> bool:
        return not self.hard and self.reason in BLOCKED_REASONS

    @property
    def label(self) -> str:
        return LABELS.get(self.reason, self.reason)


def _fold_literal(phrase: str) -> str:
    """A literal phrase as fold() leaves the text it is looked for in, as a pattern."""
    decomposed = unicodedata.normalize("NFKD", phrase.lower())
    return re.escape("".join(c for c in decomposed if not unicodedata.combining(c)))


def _patterns(*phrases: str) -> LazyPattern:
    # Compiled at the first report read, not at import: all of them took 25-60 ms, paid by
    # every command that imports this module (show, stats, run-daily; BENCH.md B4C).
    return LazyPattern("|".join(f"(?:{p})" for p in phrases), re.M)


class _DeadSentences(LazyPattern):
    """_patterns for the sentences that say the recipient does not exist: none counts where
    the words go on with another possibility or a concession, by the grammar's own rule
    (_NOT_AN_ALTERNATIVE, written with the grammar below and joined to the sentences when
    they are first compiled)."""

    _ruled = False

    def __init__(self, *phrases: str):
        super().__init__("|".join(f"(?:{p})" for p in phrases), re.M)

    def __getattr__(self, name: str):
        if not self._ruled:
            self._source, self._ruled = f"(?:{self._source}){_NOT_AN_ALTERNATIVE}", True
        return super().__getattr__(name)


class _Gated:
    """A pattern searched only when the text holds one of its key words (plain substring
    tests, far cheaper than a long alternation at every position), or any non-ASCII
    letter (the Cyrillic and CJK sentences)."""

    def __init__(self, keys: tuple[str, ...], pattern: LazyPattern):
        self.keys, self.pattern = keys, pattern

    def search(self, text: str):
        if text.isascii():
            for key in self.keys:  # (a loop, not any(): no generator made per table and text)
                if key in text:
                    break
            else:
                return None
        return self.pattern.search(text)


# The receiving server checked OUR address, the envelope sender, and refused the message
# for it (issue #25): whatever the words say about an address then is about ours, never
# the lead's, whatever the SMTP stage (SPEC §7: the sender's). Exim's ACL verb "verify =
# sender" answers "Sender verify failed" ("Could not complete sender verify [callout]"
# when it could not tell), and smtp_in.c puts the failed check's own reply before it,
# "Verification failed for <SENDER>" followed by the callout's answer ("Unrouteable
# address", "No Such User Here": our address's, not the lead's), or "Postmaster
# verification failed while checking <SENDER>", "Callback setup failed while verifying
# <SENDER>" (Exim's src/acl.c and src/smtp_in.c). Postfix writes every refusal of its
# smtpd_sender_restrictions as "<SENDER>: Sender address rejected: …", among them
# reject_unverified_sender's "undeliverable address: …" and "unverified address: …"
# (smtpd_check.c; ADDRESS_VERIFICATION_README) and reject_unknown_sender_domain's
# "Domain not found". Folded text, addresses written "mailaddr".
_SENDER_VERIFICATION = (
    r"sender verify (failed|fail|defer)", r"could not complete sender verify",
    r"verification failed for [<\[(]? ?mailaddr", r"postmaster verification failed while checking",
    r"callback setup failed while verifying", r"sender address rejected")
_VERIFIES_SENDER = _Gated(("verif", "sender address rejected"), _patterns(*_SENDER_VERIFICATION))

# --- What the bounce-handling libraries have learnt (branch libtables, issue #25) -----
# The phrase tables of public bounce handlers and newsletter tools, each phrase decided by
# leadloop's policy (SPEC §7), not by the library's category: a dead address is the
# address's; a disabled, inactive or full mailbox the lead's mailbox's (unless 5.1.x);
# relaying, blocks, spam, reputation and rates the sender's (libraries often call
# "disabled" or "relay denied" hard). Sources, read for their rules, never their sample
# mail: PHPMailer-BMH's phpmailer-bmh_rules.php as Mautic carries it (app/bundles/
# EmailBundle/MonitoredEmail/Processor/Bounce/{DsnParser,BodyParser}.php) and MailWizz's
# bounce-handler (twisted1919/bounce-handler, BounceHandler/rules.php); ZoneMTA's
# config/bounces.txt; Dada Mail's app/dada/data/bounce_handler_rules.pl; the bounce_email
# gem's lib/bounce_email.rb; phpList's bounce reasons (bramley/phplist-plugin-bounces,
# plugins/BounceStatisticsPlugin/DAO/reasons.php); phantasm66/smtp-bounce-classifer;
# PHP-Bounce-Handler's bounce_responses.php; CiviCRM's civicrm_mailing_bounce_pattern rows
# (xml/templates/civicrm_data.tpl); AcyMailing's default bounce rules (back/Helpers/Update/
# DefaultData.php); cwd/bounce-detection's src/rules.yml; PowerMTA's accounting parser
# (Soomrojb/pmta-bounce-parser); and sisimai's lib/Sisimai/Reason/*.pm index phrases the
# earlier tables had not taken. tests/test_library_rules.py holds each phrase with its
# source. Folded text, addresses
# written "mailaddr"; each table sits behind a gate of its own (keys every match holds),
# so that a report without them pays a few substring tests.

class _Keyed(_Gated):
    """A _Gated table whose sentences are all ASCII: searched only when the text holds one
    of its keys, whatever the text's other letters."""

    def search(self, text: str):
        for key in self.keys:
            if key in text:
                return self.pattern.search(text)
        return None


# Words of a dead address, quoted with no SMTP stage and a vague status or none; in
# small tables, each behind the keys its sentences share.
_LIBRARY_NO_SUCH = _Keyed(("no such",), _DeadSentences(
    r"\bno such (e-?mail )?address( here)?\b", r"\bno such account\b",  # BMH, bounce_email, phantasm
    r"\bno such mail ?drop\b", r"\bno such local user\b",             # Dada (Notes), CiviCRM
    r"\bno such person\b"))                                              # AcyMailing
_LIBRARY_INVALID = _Keyed(("invalid user", "invalid account", "invalid or", "address invalid", "is invalid"),
                          _DeadSentences(
    r"\binvalid user\b(?! ?(name|or|and|/|password))", r"\binvalid account\b",  # BMH, PHP-Bounce-Handler
    r"(?<!sender )\baddress invalid\b", r"\bthe (e-?mail )?address is invalid\b",  # PHP-Bounce-Handler
    r"\binvalid or unknown (virtual|base) user\b"))                     # PHP-Bounce-Handler, CiviCRM
_LIBRARY_NOT = _Keyed(("not our customer", "not a member", "a known user", "a valid user", "a valid mailbox",
                       "not listed", "not present", "not known to", "ldap", "recogni"), _DeadSentences(
    r"\bnot our customer\b",                                             # BMH, Dada, phpList
    r"\b(user|address|recipient) not a member of (this )?domain\b",     # BMH
    r"\bnot a (known|valid) (user|mailbox)\b",                           # PHP-Bounce-Handler, CiviCRM
    r"\b(addressee|recipient|user) (is )?not listed\b(?! (as|for|in|on|at))",  # phantasm
    r"\b(user|recipient|addressee) (is )?not listed in (the |my )?directory\b",  # CiviCRM
    r"\bnot present in directory entry\b", r"\b(e-?mail )?address is not known to this system\b",  # CiviCRM, PHP-BH
    r"\bnot found in (the )?ldap\b", r"\b(user|recipient( name)?) is not recogni[sz]ed\b",  # PHP-BH, CiviCRM
    r"\bunrecogni[sz]ed (recipient|user|address)\b", r"\brecipient not recogni[sz]ed\b",  # CiviCRM, PowerMTA
    r"\b(address|mailbox) not present\b"))                               # sisimai's UserUnknown
_LIBRARY_DEAD_SENTENCES = (
    # sisimai's UserUnknown index (lib/Sisimai/Reason/UserUnknown.pm), which sisimai itself
    # believes only in answer to RCPT: words of no filter, in its languages too.
    r"\bno existe (dicha persona|ese usuario)\b", r"\bnessun utente simile\b", r"\butilisateur inconnu\b",
    r"\bno mailbox (by that name is currently available|found)\b", r"\bthere is no one at this address\b",
    r"\b(badrcptto|badrecipientto)\b", r"\bnot in my validrcptto\b", r"\bmailbox invalid\b",
    r"\bresolver\.adr\.recipient notfound\b", r"\binvalid-recipient\b", r"\bbad-mailbox\b",  # sisimai, AcyMailing
    # PowerMTA accounting parser's bounce patterns (Soomrojb/pmta-bounce-parser).
    r"\b(does )?not exist here\b", r"\bthis person has departed\b", r"\bnot known to us\b", r"\brecipientnotfound\b",
    r"\buser path no(t)? exists?\b",                                     # BMH
    r"\bbad (recipient |destination mailbox |destination |e-?mail )?address\b(?! (format|syntax))",  # BMH, Dada, phpList
    r"\bwrong (recipients?|addresse?s?|users?)\b",                       # BMH
    r"\brcpt user [<(]? *mailaddr *[>)]? not ok\b", r"\balias (is )?not valid\b",  # BMH, phantasm
    r"\b(does not|doesn'?t) have an account (here|on this (server|system))",  # BMH
    r"\bcan'?t find (the )?user'?s mailbox\b",                           # BMH (vpopmail's text)
    r"\bunbekannter? (empfanger|benutzer|adressat)\b",                   # bounce_email ("unbekannter Empfänger")
    r"\bdestin(atario|\.) sconosciuto\b", r"\bdestinatario errato\b",  # MailWizz (Italian)
    r"\b(recipient|user|mailbox) (is )?no longer on (this )?server\b",   # Dada
    r"\be-?mail address lookup in domain map failed\b",                 # BMH
    r"\b(the )?(e-?mail )?address (was not|could not be|couldn'?t be) found\b",  # phantasm, phpList
    r"\b(old )?addresse?s? (are|is) no longer used\b",                  # phpList
    r"\baddress_not_found\b", r"\bno one with that (e-?mail )?address\b",  # PHP-Bounce-Handler
    r"\b(doesn'?t|does not) handle mail for (that|this) user\b", r"\bunable to find alias user\b",
    r"\bdoes not specify a valid notes mail file\b", r"\billegal alias\b", r"\bmissing or malformed local[- ]part\b",
    r"\bno e-?mail address registered\b", r"\bunregistered (e-?mail )?address\b",  # CiviCRM
    r"\be-?mail name is not found\b",
)
_LIBRARY_DEAD_KEYS = (
    "path no", "bad recipient", "bad destination", "bad address", "bad e-mail", "bad email", "wrong ", "rcpt user",
    "alias", "an account", "s mailbox", "unbekannt", "sconosciuto", "errato", "no longer on", "domain map",
    "be found", "was not found", "no longer used", "address_not_found", "no one with", "handle mail",
    "notes mail", "malformed local", "registered", "name is not", "no existe", "nessun utente", "utilisateur inconnu",
    "no mailbox", "no one at", "badrcptto", "badrecipientto", "validrcptto", "mailbox invalid", "recipient notfound",
    "invalid-recipient", "bad-mailbox", "exist here", "has departed", "known to us", "recipientnotfound")
# The same, for words common in every kind of report ("unknown", "not found", "exist"):
# apart, so that the long table above opens only on its rarer keys.
_LIBRARY_DEAD_COMMON = _Keyed(("unknown", "not found", "exist"), _DeadSentences(
    r"\bunknown (address\b(?! error)|recipient\b|mailbox\b|account\b|or illegal (user|alias)\b|destination\b)",  # Dada, ZoneMTA, phpList, PHP-Bounce-Handler
    r"\b(e-?mail address|address|recipient|user|addressee|mailbox) is unknown\b",  # phpList, CiviCRM
    r"\b(user|recipient|mailbox|address|account) [\[<(]? *mailaddr *[\]>)]?\.? (unknown|not found)\b",  # BMH
    r"\baccount not found\b", r"\bdestination addresses were unknown\b",  # PHP-Bounce-Handler, sisimai
    r"(?<!sender )[<(\[]? *mailaddr *[>)\]]? (does not|doesn'?t) exist\b"))  # CiviCRM


class _AnyOf:
    """The first match of several gated tables."""

    def __init__(self, *tables: _Gated):
        self.tables = tables

    def search(self, text: str):
        for table in self.tables:
            match = table.search(text)
            if match:
                return match
        return None


# BMH's GB2312 rule, "帐号不存在" (no such account), in both scripts.
_LIBRARY_DEAD_CHINESE = _Gated((), _DeadSentences(_fold_literal("帐号不存在"), _fold_literal("账号不存在")))
_LIBRARY_DEAD = _AnyOf(_LIBRARY_NO_SUCH, _LIBRARY_INVALID, _LIBRARY_NOT, _LIBRARY_DEAD_COMMON,
                      _Keyed(_LIBRARY_DEAD_KEYS, _DeadSentences(*_LIBRARY_DEAD_SENTENCES)), _LIBRARY_DEAD_CHINESE)
# phpList's "Domain name X does not resolve" (never the sender's domain).
_LIBRARY_NO_DOMAIN = _Keyed(("resolve", "mail server for", "bad-domain", "receive any mail", "mail hosts for"), _patterns(
    r"\bno mail hosts for domain\b",  # (PowerMTA's "unable to route: no mail hosts for domain")
    r"(?<!sender )\bdomain name \S+ does not resolve\b", r"\bno mail server for\b",
    r"\bbad-domain\b", r"\bhost does not receive any mail\b"))  # (AcyMailing's "domain not exist")  # (and CiviCRM's "Dns")

# The recipient's domain in the words of servers that report it themselves (branch
# mtacatalog): Sun/Oracle Communications Messaging Server's "Illegal host/domain name
# found" when DNS has no such domain (Oracle's Messaging Server Administration Guide,
# "Illegal Host/Domain Errors"; sisimai's Lhost::MessagingServer reads it as HostUnknown),
# and a relay's "has no record of the host in question". Never a host of ours: the
# sender's domain and our HELO are read before (_SERVER_SENDER_WORDS, _VERIFIES_SENDER).
# And a host or domain named and said to be unknown, or to have no mail exchanger ("No MX
# for DOMAIN", Mailgun's event text; "Could not find a mail server for DOMAIN", under 5.1.2):
# the name is the lead's domain or a host inside it (else it is ours, _names_another_domain,
# as for Courier's "Domain does not exist: DOMAIN").
_NAME = r"([a-z0-9-]+(?:\.[a-z0-9-]+)+)"
_MTA_DOMAIN_NAMED = LazyPattern(
    # (never our HELO name, our client host, our sender's domain: "HELO host name X is unknown")
    rf"(?<!helo )(?<!ehlo )(?<!client )(?<!sender )(?<!sending )(?<!your )(?<!sender's )"
    rf"\b(?:mail )?(?:host|domain)(?: name)? {_NAME}\.? (?:is )?(?:unknown|not known)\b"
    rf"|\b(?:no |(?:can ?not|can'?t|could ?not|couldn'?t|unable to) find (?:an? |any )?)(?:mx|mail exchangers?|mail servers?)"
    rf"(?: or a)?(?: records?)?(?: (?:found|available))? for (?:the )?(?:domain )?['\"]?{_NAME}"
    rf"|\b{_NAME} has no (?:mx|mail exchanger)(?: or a)? records?\b")
_MTA_NO_HOST = _AnyOf(
    _Keyed(("illegal host", "no record of"), _patterns(
        r"\billegal host/domain name\b", r"\bno record of (the|that|this) (host|domain)\b")),
    _Keyed(("unknown", "not known", "no mx", "mail exchanger", "mail server", "find mx", "find an mx"), _MTA_DOMAIN_NAMED))

# Causes read before the words of a dead address (branch mtacatalog). A full mailbox or
# mail system in the words of the servers that report it, before the general tables'
# "size limit" names a message too large: Ipswitch
# IMail's "User mailbox exceeds allowed size" (sisimai's Lhost::IMailServer, MailboxFull)
# and SmarterMail's "The domain size limit has been exceeded", its report when the
# recipient's domain has used its disk space allocation (SmarterMail hosts' help on its
# delivery failure messages): the lead's mailbox or its system, never our message.
_MTA_BEFORE_ADDRESS = [
    ("mailboxfull", _Keyed(("exceeds allowed size",), _patterns(r"\bmailbox exceeds allowed size\b"))),
    ("systemfull", _Keyed(("domain size limit",), _patterns(r"\bdomain size limit (has been |is )?exceeded\b"))),
    # Exchange and Exchange Online answer an EHLO whose name they refuse with "501 5.5.4
    # Invalid domain name" (Microsoft's "Use Telnet to test SMTP communication", the EHLO
    # step's failure response), Sendmail and the servers after it a HELO with "501 5.0.0
    # Invalid domain name" (sisimai's Blocked reason cites it, "Connected to … but my name
    # was rejected"): a 501 is a syntax answer to a command's argument, our HELO name, never
    # the lead's domain, although its words are those of a dead one.
    ("blocked", _Keyed(("invalid domain name",), _patterns(
        r"\b(501[ -]([45]\.\d\.\d{1,3} )?|5\.5\.4 )invalid domain name\b"))),
    # Exchange Online's sending limits, the sender's under any status (Microsoft Learn's
    # table of Exchange Online NDR codes): 5.1.90 "Your message can't be sent because
    # you've reached your daily limit for message recipients", 5.2.0 "STOREDRV.Submission.
    # Exception:SubmissionQuotaExceededException" (the per-day limit), and 5.2.121
    # "Recipient's per hour message receive limit from specific sender exceeded" (from us);
    # not 5.2.122, the recipient's own hourly limit, which stays its mailbox's. (All three
    # "speeding", a sending limit's reason, as providers.py reads them: branch senderlabels.)
    ("speeding", _Keyed(("limit for message recipients", "submissionquotaexceeded"), _patterns(
        r"\breached your (daily|24 hour) limit for message recipients\b", r"\bsubmissionquotaexceeded"))),
    ("speeding", _Keyed(("from specific sender",), _patterns(
        r"\bmessage receive limit from specific sender exceeded\b"))),
]

# Causes checked before the words of a dead address: a full mailbox whose words the
# general table misses (ZoneMTA's "Recipient overquota", which Microsoft writes under
# 5.1.1; MailWizz's "mailfolder size limit exceeded", before "size limit" names a message
# too large), and the sending IP named on a blocklist ("Mailbox unavailable. Your IP
# address … is blacklisted", ZoneMTA; phpList's blocklist reasons): about our server,
# whatever the words of the mailbox around them.
_LIBRARY_BEFORE_ADDRESS = [
    # A mailbox closed for want of use is disabled, not blocked (PHP-Bounce-Handler's
    # 5.2.1 "mailbox has been blocked due to inactivity"; MailWizz's Italian "bloccato
    # per inutilizzo"; BMH's "closed due to inactivity").
    ("suspend", _Keyed(("inactivity", "inutilizzo"), _patterns(
        r"\b(blocked|closed|disabled|locked) (due to|for) inactivity\b", r"\bbloccato per inutilizzo\b"))),
    # sisimai's Rejected index: a provider's check of the SENDER's domain, "invalid domain, see
    # <URL:…>", before the general "invalid domain" of a dead one.
    ("rejected", _Keyed(("invalid domain, see",), _patterns(r"\binvalid domain, see <url:"))),
    # RFC 3463's X.3.2 text, "System not accepting network messages": the mailbox's host
    # is shutting down, overloaded or in maintenance (RFC 3463 §3.4), which says nothing of
    # the address (PowerMTA's parser counts it no bounce) — unless the reply is RFC 7504's
    # 521/556, a host that accepts no mail at all (sisimai's NotAccept, dragonfly-16).
    ("systemerror", _Keyed(("network messages",), _patterns(
        r"^(?!.*\b5(21|56)[ -]).*\bsystem not accepting network messages\b"))),
    ("mailboxfull", _Keyed(("quota", "folder"), _patterns(
        r"\bover ?quota\b", r"\bmail ?folder (size )?limit exceeded"))),
    ("blocked", _Keyed(("blacklisted", "blocklisted", "black listed", "block listed", "listed at", "listed in",
                        "listed on", "blocked using"), _patterns(
        r"\b(ip|client|host|sender)( address)?\b.{0,40}\b(black ?listed|block ?listed|listed (at|in|on)"
        r"|blocked using)\b"))),
]

# Causes checked after the words of a dead address.
_LIBRARY_AFTER_ADDRESS = [
    # The recipient's own filter (CiviCRM's "blocked by a user configured filter"): the
    # lead's mailbox's, before "blocked". (RFC 3463's X.7.1 text, "Delivery not authorized,
    # message refused", stays the sender's: tests/fixtures/refusals.)
    ("filtered", _Keyed(("user configured",), _patterns(r"\buser configured filter\b"))),
    # Relaying refused: the sender's (SPEC §7), though BMH and phantasm call it hard.
    # qmail's "that domain isn't in my list of allowed rcpthosts", Sendmail's "not local
    # host X, not a gateway", and the relay texts of BMH, phpList, phantasm.
    ("norelaying", _Keyed(("relay", "rcpthost", "gateway", "only", "not allowed"), _patterns(
        r"\brelay(ing)? (to [<\[(]? *mailaddr *[>\])]? |to \S+ )?(is )?(denied|prohibited|disallowed|not (permitted|allowed))",
        r"\bunauthori[sz]ed relay", r"\ballowed rcpthosts\b", r"\bnot a gateway\b", r"\blocal users? only\b",
        r"\bspecified domain is not allowed\b", r"\bnorelay\b", r"\brelayed mail to \S+ not allowed\b"))),
    ("rejected", _Keyed(("sender", "verified"), _patterns(
        r"\baddress .{1,60} has not been verified\b",  # (CiviCRM: a challenge to the sender)
        r"\bsender (e-?mail |address )?is not in my domain\b", r"\bsender (is )?(rejected|denied|not allowed)\b"))),
    ("virusdetected", _Keyed(("virus",), _patterns(r"\bvirus"))),
    ("contenterror", _Keyed(("non-western",), _patterns(r"\bnon-western\b"))),
    ("spamdetected", _Keyed(("content reject", "content filter", "content control", "hostile content",
                             "questionable content", "unacceptable content", "banned content", "offensive content",
                             "blocking filter", "virus filter",
                             "bulk e", "bulk filter", "mail system filter", "data refused", "junk", "content scanner",
                             "suspicious"), _patterns(
        r"\b(content|attachment blocking|virus|bulk (e-?mail )?|mail system) filters?\b",
        r"\b(hostile|questionable|unacceptable|banned|offensive) content\b", r"\bcontent control\b", r"\bmessage looks suspicious\b",
        r"\bcontent reject", r"\bmail data refused\b", r"\bjunk ?mail\b", r"\brejected by content scanner\b"))),
    # AOL's refusal codes (RTR, RLY, HVU, DYN, CON, MFF, DMARC: ZoneMTA, phpList), open
    # relays, reverse DNS, refused connections and the rest of phpList's "Blocked by
    # blacklist, spam filter or SPF" and phantasm's "blocked".
    ("blocked", _Keyed(("rtr:", "rly:", "hvu:", "dyn:", "con:", "mff:", "open relay", "dns:nr", "must resolve",
                        "address-to-name", "connection not", "connection refused due", "receiver denied",
                        "spf unauthori", "this ip", "reject mail from", "invalid recipients", "bad recipients",
                        "unknown recipients", "message refused", "mail refused", "gbudb", "dynamic", "bounces",
                        "location", "ip name", "block list", "blocklist", "xbl", "rbl", "ipbl", "urlbl", "service refused",
                        "badmailfrom", "proofpoint", "cloudmark", "cloudfilter", "barracuda", "abusix", "sophos",
                        "senderbase", "denylisted", "block-listed", "lista negra", "esta listado",
                        "administratively denied", "rp-00", "sc-00", "dy-00", "ou-00"), _patterns(
        r"\b(rtr|rly|hvu|dyn|con|mff):[a-z]{1,2}\d?\b", r"\bopen relay\b", r"\bip name lookup\b", r"\bdns:nr\b",
        r"\bsender ip must resolve\b", r"\breverse \(address-to-name\) dns\b",
        r"\bconnection (not authori[sz]ed|refused due to abuse)\b", r"\breceiver denied your mail\b",
        r"\bspf unauthori[sz]ed\b", r"\bnot authori[sz]ed from this ip\b", r"\breject mail from\b",
        r"\btoo many (invalid|bad|unknown) recipients\b", r"\b(message|mail) refused\b", r"\bgbudb\b",
        # PHP-Bounce-Handler's 5.7.1 phrases.
        r"\bdynamic[- ]ip\b", r"\btoo many bounces\b", r"\baccess from your location\b",
        # AcyMailing's "blocked" rule: blocklists by name, Microsoft's RP/SC/DY/OU codes.
        r"\b(on|in) (our|a|the) block ?list\b", r"\b(cxbl|cdrbl|ipbl|urlbl)\b", r"\bservice refused\b",
        r"\badministratively denied\b", r"\b(rp|sc|dy|ou)-00\d\b",
        # PowerMTA accounting parser's not-bounces: blocklists and reputation services by name.
        r"\bbadmailfrom\b", r"\bipcheck\.proofpoint\.com\b", r"\bcloudmark\b", r"\bcloudfilter\.net\b",
        r"\bbarracuda(networks|central)\b", r"\babusix\b", r"\bsophos\.com\b", r"\bsenderbase score\b",
        r"\bdenylisted\b", r"\bblock-listed\b", r"\b(em|na) lista negra\b", r"\besta listad[oa]\b"))),
    ("authfailure", _Keyed(("domainkeys",), _patterns(r"\bdomainkeys\b"))),
    # sisimai's index phrases of the sender's causes (lib/Sisimai/Reason/{NoRelaying,Rejected,
    # Blocked,SpamDetected,PolicyViolation,TooManyConn,Speeding,RequirePTR,AuthFailure,
    # VirusDetected}.pm) that the general tables above miss.
    ("norelaying", _Keyed(("relaying mail to", "non-local e-mail", "allowed rcpthost", "not relaying for"), _patterns(
        r"\bnot relaying for\b",  # (PowerMTA's not-bounces)
        r"\brelaying mail to\b", r"\brequires authentication when attempting to send to a non-local e-?mail",
        r"\ballowed rcpthost\b"))),
    ("rejected", _Keyed(("batv", "emetteur invalide", "from: domain", "sender email address", "sender address",
                         "purported responsible", "third-party dsn", "unsigned dsn", "returned mail not accepted",
                         "is not verified", "different address or alias"), _patterns(
        r"\bbatv\b", r"\bemetteur invalide\b", r"\bfrom: domain is invalid\b", r"\bsender email address rejected\b",
        r"\bunroutable sender address\b", r"\bpurported responsible address\b", r"\bno third-party dsns\b",
        r"\bunsigned dsn\b", r"\breturned mail not accepted\b", r"\be-?mail address is not verified\b",
        r"\bfrom a different address or alias\b"))),
    ("blocked", _Keyed(("sender ip", "sending ip", "ip profile", "ip for sending", "access from mail server",
                        "block list", "smtp server of your isp", "not passed validation", "open proxy",
                        "forbidden by your ip", "submit messages to this", "unwanted messages",
                        "requires confirmation", "confirm this mail server"), _patterns(
        r"\bbad sender ip\b", r"\bbanned sending ip\b", r"\bextreme bad ip profile\b", r"\binvalid ip for sending\b",
        r"\bno access from mail server\b", r"\bnetwork is on our block list\b", r"\bsmtp server of your isp\b",
        r"\bhas not passed validation\b", r"\bopen proxy\b", r"\bforbidden by your ip\b",
        r"\bsubmit messages to this e-?mail system has been rejected\b", r"\btoo many unwanted messages\b",
        r"\byour server requires confirmation\b", r"\bconfirm this mail server\b"))),
    ("spamdetected", _Keyed(("content denied", "bulk.advertising", "recurrent pattern", "blocked by our filter"),
                            _patterns(r"\bmail content denied\b", r"\breject bulk\.advertising\b",
                                      r"\brecurrent pattern detection\b", r"\bblocked by our filter\b"))),
    ("policyviolation", _Keyed(("header are not", "multiple addresses", "protocol violation",
                                "images or other attachments", "low priority", "fields are not accepted"), _patterns(
        r"\bmessages without \S+ fields are not accepted\b",  # (BMH's rules as cwd/bounce-detection carries them)
        r"\bheader are not accepted\b", r"\bmessages with multiple addresses\b", r"\bprotocol violation\b",
        r"\bcontaining images or other attachments\b", r"\bmessage given low priority\b"))),
    ("toomanyconn", _Keyed(("connection limit", "concurrent smtp", "errors from your ip", "smtp sessions",
                            "trop de connexions"), _patterns(
        r"\b(maximum|per-domain) connection limit\b", r"\btoo many concurrent smtp connections\b",
        r"\btoo many errors from your ip\b", r"\btoo many smtp sessions\b", r"\btrop de connexions\b"))),
    # Too many recipients in one transaction, in the other languages' words.
    ("toomanyconn", _Keyed(("trop de destinataires", "muitos destinatarios", "demasiados destinatarios",
                            "troppi destinatari", "te veel ontvangers", "zu viele empf", "for mange modtagere",
                            "for mange mottakere", "for manga mottagare"), _patterns(
        r"\b(trop de destinataires|muitos destinatarios|demasiados destinatarios|troppi destinatari|te veel ontvangers"
        r"|zu viele empf(a|ae)nger|for mange (modtagere|mottakere)|for manga mottagare)\b"))),
    ("toomanyconn", _Gated((), _patterns(*map(_fold_literal, ("收件人过多", "收件人太多", "收件人數過多", "收件人太多了"))))),
    ("speeding", _Keyed(("try again slower",), _patterns(r"\btry again slower\b"))),
    ("requireptr", _Keyed(("forward dns", "unresolvable relay"), _patterns(
        r"\bforward dns entry does not point to the sending ip\b", r"\bunresolvable relay host name\b"))),
    ("authfailure", _Keyed(("spf.pobox", "spf settings"), _patterns(r"\bspf\.pobox\.com\b", r"\bspf settings\b"))),
    ("virusdetected", _Keyed(("executable attachment",), _patterns(r"\bpotentially executable attachment\b"))),
]

# Words that put a refusal on the sender even under a "try again" (4xx): rates and
# throttling (phantasm's "throttle", ZoneMTA's "Peak SMTP relay limit exceeded", Dada's
# cPanel "has exceeded the max emails per hour", ZoneMTA's "Too many invalid
# recipients"), and the sending server's own set-up (ZoneMTA's "IP not in whitelist",
# "TLS required"; phantasm's "client not authenticated").
_LIBRARY_SENDER = _Keyed(("throttl", "whitelist", "tls required", "relay limit", "per hour", "invalid recipients",
                          "bad recipients", "unknown recipients", "authenticated", "try again slower", "rp-00",
                          "smtp authentication", "requires authentication"),
                         _patterns(
    r"\bthrottl", r"\bip not in whitelist\b", r"\btls required\b", r"\brelay limit exceeded\b",
    r"\bexceeded the max(imum)? (e-?mails|messages|defers and failures) per hour\b",
    r"\btoo many (invalid|bad|unknown) recipients\b", r"\bclient (is )?not authenticated\b",
    r"\btry again slower\b", r"\brp-00\d\b",
    r"\bturn on smtp authentication\b", r"\bserver requires authentication\b"))  # (PowerMTA's not-bounces)

# The sending account's own quota or rate, in the words of the services that enforce it
# (branch senderlabels): Gmail and Workspace "550 5.4.5 Daily user sending quota
# exceeded" / "Daily sending quota exceeded" / "Daily user sending limit exceeded" (Google
# Workspace Admin Help, "Gmail sending limits"); Amazon SES "454 Throttling failure: Daily
# message quota exceeded" and "Maximum sending rate exceeded" (SES Developer Guide, "Errors
# related to the sending quotas"); Exchange Online's "550 5.2.251 Sender throttled due to
# continuous mailbox full errors" and its siblings 5.2.252-255 (Microsoft Learn, "Continuous
# error throttling for SMTP AUTH submissions"), "554 5.2.2 Submission quota exceeded";
# Zoho's "550 5.4.6 Unusual sending activity detected"; a relay's "452 4.5.3 Daily message
# limit exceeded", "452 4.4.5 Messages per second limit exceeded" (Emailit's SMTP reference)
# and "You have exceeded your outMail quota" (Prolateral's). Whoever the recipient, the
# answer is the same: the sender's, before "quota exceeded" names a full mailbox ("Sender
# throttled due to continuous mailbox full errors" names OUR errors) and before "try again
# later" makes it only temporary. And a relay's "You've reached your daily relay quota".
_SENDER_LIMIT = _Keyed(("sending", "quota", "sender throttled", "rate exceeded", "limit exceeded", "too much mail from",
                       "ratelimit", " per "), _patterns(
    r"\bdaily (user )?sending (quota|limit)", r"\bsending (quota|limit|rate) (exceeded|reached)",
    # Postfix's anvil(8) limit on a client, "450 4.7.1 Error: too much mail from IP"
    # (smtpd.c), and rspamd's ratelimit module, 'Ratelimit "BUCKET" exceeded': our rate,
    # also when a relay's report ends them with "retry timeout exceeded". Not its "to" and
    # "bounce_to" buckets, which count the mail one recipient gets from everyone (rspamd's
    # ratelimit documentation): the lead's mailbox's flood, not our rate.
    r"\btoo much mail from\b", r"\bratelimit\b(?! \"(bounce_)?to\")[^.;:]{0,40}\bexceeded\b",
    r"\bmaximum sending rate exceeded", r"\bdaily (message|recipient|sending) (quota|limit) exceeded",
    r"\bmessages per (second|minute|hour|day) limit exceeded", r"\bsubmission ?quota ?exceeded",
    r"\bunusual sending activity", r"\bsender throttled due to\b",
    # (addressed to the sender: "You've reached your daily relay quota", "You have
    # exceeded your outMail quota"; a recipient's is "its" or "their" quota)
    r"\b(reached|exceeded) your (daily |hourly )?((?!storage|disk|mail ?box|inbox)\S+ )?(quota|sending limit)\b",
    # A policy server's rate in the words its manuals give it: postfwd's "rate(client_address/
    # 3/300/450 4.7.1 sorry, max 3 requests per 5 minutes)" (postfwd(8), "rate limits"),
    # written by Postfix under "Recipient address rejected:" because the check runs at RCPT.
    # A count of our requests or messages in a span of time: our rate, whoever the recipient.
    r"\bmax(imum)? \d+ (requests|messages|mails|e-?mails|connections|recipients) (per|in|every|within) (\d+ )?"
    r"(seconds?|minutes?|mins?|hours?|days?|sec|h)\b"))

# A provider's own size limit, the same for every recipient: "552 5.2.3 Your message
# exceeded Google's message size limits" and its 5.3.4 twin, "… message header size limits"
# (Google Workspace Admin Help, "Gmail SMTP errors and codes"). Our message's size, the
# sender's (SPEC §6), although 5.2.3 is RFC 3463's mailbox status for a recipient's limit.
_PROVIDER_SIZE = _Keyed(("size limit",), _patterns(r"\bexceeded \S+'s message (header )?size limits?\b"))

# Checked in this order; the first that matches names the cause. Text is folded first:
# lower case, accents removed, runs of white space made one space.
_BEFORE_ADDRESS = [
    # The sending service itself declined the address, from its own list (sisimai 5's
    # "Suppressed" reason): Amazon SES "did not send the message to this address because
    # it is on the suppression list for your account" (SES Developer Guide, "Using the
    # account-level suppression list"; an address lands there after a hard bounce OR a
    # complaint, so it is no proof the address is dead today), its older global list
    # ("Address blacklisted" aside), and Mailgun's "Not delivering to previously bounced
    # address" (Mailgun's event codes, 605). Nobody's server was asked: not the address's
    # verdict even under a 5.1.1 (issue #25 item 5); the address's own (MAILBOX) failure,
    # so that three in a row end the sequence (SPEC §7).
    ("suppressed", _patterns(
        # mox: "address is on suppression list, permanent" (its queue's own check).
        r"on (the )?(account-level |global )?suppression list", r"suppression list for your account",
        r"not delivering to (a )?previously bounced address")),
    # Our own address failed the receiving server's check (above): before the words of
    # an unknown user or domain, which are then about ours.
    ("rejected", _VERIFIES_SENDER),
    ("speeding", _SENDER_LIMIT),
    ("delayed", _patterns(
        r"warning message only", r"(message|delivery|mail) (is |has been )?(delayed|deferred)",
        r"has been delayed", r"will (continue to |keep )?(retry|try|trying)", r"keep trying",
        r"still (trying|being retried|undelivered)", r"not yet (been )?delivered",
        r"(do not|don'?t|no) need to resend")),
    ("temporary", _patterns(
        r"try (again )?later", r"(host|domain) not found, try again",
        r"(malformed|unexpected) (or unexpected )?name server reply", r"temporar(y|ily) (locked|unavailable|deferred"
        r"|rejected|disabled|blocked|failure|problem|error)", r"temporary (local )?problem")),
    *_LIBRARY_BEFORE_ADDRESS,  # (libtables)
    *_MTA_BEFORE_ADDRESS,  # (mtacatalog)
    ("mailboxfull", _patterns(
        r"mail ?box (is )?(full|over ?quota|exceeded)", r"full mail ?box", r"mail ?folder is full",
        r"over (the )?(allowed )?quota", r"quota (exceeded|violation|usage exceeded)",
        r"exceed(s|ed|ing)? (its |their |the )?(mailbox |storage |disk )?(quota|storage allocation)",
        r"(disk|disc|storage|mail) quota", r"insufficient (disk|storage|system)? ?(space|storage)",
        r"not (have )?(enough|sufficient) (disk |storage )?space", r"no space left",
        r"mailbox (size )?limit exceeded", r"exceeded the local limit", r"has exceeded its disk space",
        r"space has been used up", r"too many messages on the server", r"too much mail data",
        r"would exceed (the )?maximum allowed storage", r"account is full",
        # Web.de: "Benutzer hat das Speichervolumen ueberschritten. / User has exhausted
        # allowed storage space." (sitepackage.de's list of German providers' texts).
        r"exhausted (the |its )?(allowed )?storage", r"speichervolumen",
        r"boite (aux lettres |du destinataire |mail )?(est )?pleine", r"buzon (de correo )?(esta )?lleno",
        r"casilla (de correo )?(esta )?llena", r"postfach (ist )?voll", r"speicherplatz", r"casella (di posta )?(e )?piena",
        r"caixa (postal |de correio )?(esta )?cheia", r"cota (de armazenamento )?excedida")),
    ("mesgtoobig", _patterns(
        r"message (size |length )?(too (big|large)|exceeds)", r"(message|mail) (file )?too (big|large)",
        r"exceeds? (the )?(fixed |maximum |administrative )?(message )?size", r"size limit",
        r"maximum (inbound )?message size", r"message size exceeds", r"line limit exceeded",
        r"header size exceeds", r"(max(imum)?|message) (message )?size exceeded", r"taille limite", r"mensaje demasiado grande", r"nachricht (ist )?zu gro(ss|ß)")),
    # The same in the words an admin writes for an ACL or an access map (Exim's "message
    # =", Postfix's check_*_access texts), es, pt, fr, it, ca, de; behind keys, as the
    # other languages' entries below (every report's text is searched with these lists).
    ("mesgtoobig", _Keyed(("tamano", "tamanho", "taille", "dimensione", "mida", "grande", "gran", "gros",
                           "volumineux", "grosse", "große", "groot", "groter", "for stor", "for stort", "maior"),
                          _patterns(
        r"exced(e|io) (el |o )?(tamano|tamanho) (maximo|permitido|limite)",
        r"(tamano|tamanho) (maximo|limite) (del mensaje|da mensagem|permitido)",
        r"mensagem (muito grande|grande demais)", r"depasse la taille (maximale|autorisee|limite)",
        r"message trop (gros|volumineux)", r"supera la dimensione massima", r"messaggio troppo grande",
        r"excedeix (la )?mida (maxima|permesa)", r"missatge massa gran", r"supera (la )?mida (maxima|permesa)",
        r"supera el (tamano|limite) (maximo|permitido)", r"ultrapassa o tamanho (maximo|permitido|limite)",
        r"uberschreitet die (maximale|zulassige) (nachrichten)?gro(ss|ß)e",
        # nl, da/no/sv, pt ("Dit bericht is groter dan 10485760 bytes", "Beskeden er for stor",
        # "Mensagem maior que o limite aceito")
        r"\b(bericht|e-?mail) is (te groot|groter dan)\b",
        r"\b(beskeden|meddelelsen|meldingen|meddelandet|e-?mailen|brevet) (er|ar) for stor",
        r"\bmensagem (e )?maior (que|do que) o (limite|tamanho)\b"))),
    ("mesgtoobig", _Gated((), _patterns(*map(_fold_literal, ("حجم الرسالة يتجاوز", "حجم الرسالة أكبر من"))))),
    ("suspend", _patterns(
        r"(account|mail ?box|user|address) (has been |is |was )?(currently |temporarily )?"
        r"(suspended|disabled|deactivated|locked|frozen|archived|inactive|terminated)",
        r"(inactive|suspended|disabled|deactivated|archived) (account|mailbox|user|recipient)",
        r"temporarily inactive", r"(account|mailbox|user) no longer accepts mail",
        r"mailbox unavailable or access denied",
        # (The same server's words when it will not say which: "Mailbox not found or
        # access denied", a possibility, never our access.)
        r"(mailbox|user|recipient|address) (not found|unknown|does not exist) or access denied",
        r"boite du destinataire archivee", r"cuenta (esta )?(suspendida|desactivada|deshabilitada)",
        r"konto (ist )?(gesperrt|deaktiviert)")),
    # A mailbox blocked is the mailbox's state, whoever blocked it (before the blocked
    # table, which reads "su servidor ha sido bloqueado" as ours).
    ("suspend", _Keyed(("bloque", "blocc", "blocad"), _patterns(
        r"(cuenta|buzon|casilla|conta|caixa|compte|boite|casella|bustia)( de correo| postal| aux lettres"
        r"| di posta)?(\s+mailaddr)?(\s+(esta|ha sido|fue|foi|a ete|e stata|ha estat))?\s+(bloquead|bloque|bloccat|blocad)"))),
    ("norelaying", _patterns(
        r"relay(ing)? (access )?(denied|not permitted|prohibited)", r"(unable|not allowed|not permitted) to relay",
        r"no relaying", r"not an open relay", r"as a relay", r"insecure mail relay",
        r"not configured to relay", r"we do not relay", r"we don'?t handle mail for")),
    # es, pt, fr, it, ca, de, as above.
    ("norelaying", _Keyed(("permit", "relay", "relais", "retransmi", "reenvi", "relaie"), _patterns(
        r"no (se )?permite (el |hacer )?(reenviar|reenvio|retransmitir|retransmision|relay)",
        r"(relay|retransmision|retransmissao|reenvio) (no |nao )?(permitid|denegad|negad|prohibid|proibid)",
        r"nao (e )?permitido (o )?(relay|retransmitir)", r"nao permite (o |fazer )?(relay|retransmitir|reenviar)",
        r"relais (de courrier )?(non autorise|refuse|interdit)", r"n'autorise pas (le )?(relais|relayage)",
        r"ne relaie pas", r"relay non (consentito|permesso|autorizzato)",
        r"no (es )?permet (el |fer )?(relay|reenviar|retransmetre)", r"relaying (ist )?(nicht erlaubt|verweigert)"))),
    ("authfailure", _patterns(
        r"\bspf\b.{0,40}\b(fail|violation|error|record)", r"sender policy framework", r"\bdmarc\b",
        r"\bdkim\b.{0,40}\b(fail|invalid|signature|required)", r"authentication (check|checks) failed",
        r"unauthenticated (mail|email|sender)")),
]

# The catalogs' own sentences for a dead address (issue #25 item 1), in the languages
# of the servers that write them; see _DEAD_ADDRESS_SAYS for where they come from.
_CATALOG_SENTENCES = (
    r"(user|recipient|mailbox|address|account|rcpt) [\[<(]? ?mailaddr ?[\]>)]? (does not|doesn'?t|dosn'?t|do not"
    r"|does no|not) exists?",
    r"no mail ?box available for (this|that) user", r"\bbad_recipient\b",
    r"is not an active (address|mailbox|user)", r"wrong or no longer valid",
    r"unknown or illegal alias", r"unknown local[- ]part", r"unknown user account",
    # Mail-DeliveryStatus-BounceParser's user_unknown rules (_std_reason).
    r"address .{0,40}not known here", r"[<(]? ?mailaddr ?[>)]? is (invalid|not valid)",
    r"account not activated",
    r"(account|mailbox|e-?mail address|address) (does not|doesn'?t) exist",
    r"n'existe (pas|plus)", r"(adresse|destinataire|utilisateur|compte) (e-?mail )?(est )?(introuvable|non valide)",
    r"(no existe|inexistente|desconocido) en (este|el) (servidor|dominio)", r"el usuario no existe",
    r"(utente|indirizzo|casella) (e-?mail )?non (trovat[oa]|esistente)", r"utente non valido",
    r"(benutzer|empfanger|postfach|mailbox|adresse) (ist )?(hier )?nicht (bekannt|gefunden|vorhanden)",
    r"(onbekende|ongeldige) (gebruiker|ontvanger|geadresseerde)", r"(gebruiker|ontvanger|adres|mailbox) "
    r"(is )?(onbekend|bestaat niet)",
    r"okand (anvandare|mottagare)", r"(anvandaren|mottagaren|adressen) (finns inte|ar okand)",
    r"(uzytkownik|adres|konto|skrzynka|odbiorca) (\S+ )?nie (istnieje|zostal znaleziony)", r"nie ma takiego (uzytkownika|adresu|konta)",
    r"(neznamy|neexistujici) (uzivatel|adresat)", r"uzivatel (\S+ )?neexistuje",
    r"(lietotajs|adresats|pastkaste) (\S+ )?(nav atrasts|neeksiste)", r"err\.nosuchuser", r"nezinams (lietotajs|adresats)",
    r"(kayttaja|vastaanottaja) (on )?tuntematon", r"ukjent (bruker|mottaker)", r"ukendt (bruger|modtager)",
    r"kullanici bulunamadi", r"(utilizator|destinatar) (necunoscut|inexistent)",
    r"ismeretlen (felhasznalo|cimzett)",
    _fold_literal("нет такого пользователя"), _fold_literal("пользователь не найден"),
    _fold_literal("такого пользователя нет"), _fold_literal("несуществующий"),
    _fold_literal("не существует"), _fold_literal("адресат не найден"), _fold_literal("ящик не найден"),
    _fold_literal("用户不存在"), _fold_literal("收件人不存在"), _fold_literal("邮箱不存在"),
    _fold_literal("帐户不存在"), _fold_literal("账户不存在"), _fold_literal("地址不存在"),
    _fold_literal("用戶不存在"), _fold_literal("宛先不明"),
    # (Never "存在しないか", "does not exist, or …", Google Groups in Japanese: possibilities,
    # _NOT_AN_ALTERNATIVE.)
    _fold_literal("存在しない"), _fold_literal("存在しません"),  # (and politely)
    _fold_literal("존재하지 않는"),
)

# More of the catalogs' sentences, apart behind a gate of their own whose keys are rare
# in other reports: added to the one alternation above, they made every report's
# reading ~10 % slower (bench/bounces.py --time).
_CATALOG_MORE_SENTENCES = (
    # The Chinese providers' English (issue #25 item 2): Alibaba Mail (mxhichina) "554
    # RCPT (ana@…) dosn't exist" (sic), "recipient is not exist", "user not exist",
    # "550 Local User [ana@…] not found", and Coremail's bounce catalog (icoremail.vip
    # support, 退信提示: "unavailable mail user", "local server don't exists that user",
    # "recipient does not have an account").
    r"(recipient|user|mailbox|account) (is )?not exists?\b", r"local user [\[<(]? ?mailaddr ?[\]>)]? not found",
    r"unavailable mail user", r"local server (don'?t|doesn'?t|does not) exists? (that|this) user",
    r"(recipient|user) does not have an account",
    # Gmail's 5.1.1 text (Google Workspace Admin Help, "Gmail SMTP errors and codes"):
    # "The email account that you tried to reach does not exist. Please try
    # double-checking the recipient's email address for typos or unnecessary spaces."
    r"e-?mail account that you tried to reach does not exist",
    # Gateways' and providers' documented texts for a mailbox that does not exist
    # (issue #25 item 6): Mimecast "550 Invalid Recipient" (Mimecast SMTP Error Codes,
    # community.mimecast.com DOC-1369), Barracuda "550 No such user (ana@…)" and AT&T
    # "Addressee unknown" (smtp.codes/550's per-provider list), GMX "User is unknown",
    # Web.de "Benutzer nicht bekannt", "550 5.2.0 No such mailbox"
    # (sitepackage.de, "Typische Fehlermeldungen bei Unzustellbarkeit"),
    # German servers' "Empfänger(adresse) existiert nicht", Libero "Utente inesistente",
    # Czech servers' "Schránka neexistuje", and the generic sentences of small servers'
    # catalogs ("Recipient unknown", "Mailbox unknown", "Unknown local user", "No
    # account by that name", "ADDRESS is not a valid user", "The user was not found").
    # Never "unknown recipient": Exchange's summary "Remote server returned unknown
    # recipient or mailbox unavailable" stands over any 550, filters' included (sisimai's
    # Exchange2003 and Office365 samples).
    r"\binvalid recipient\b(?! domain)", r"\brecipient unknown\b", r"\bmailbox unknown\b",
    r"user is unknown", r"unknown local user", r"(the )?(recipient|mailbox|user) (\S+ )?(does not|doesn'?t) exist",
    r"utente inesistente", r"(empf(a|ae)nger(adresse)?|benutzer|postfach|e-?mail-adresse) (\S+ )?existiert nicht",
    r"(schranka|adresa) (\S+ )?neexistuje", r"no account by that name", r"addressee unknown", r"not a valid recipient",
    r"invalid mailbox", r"user invalid", r"no such mailbox",
    r"mailaddr ?[>)\]]? is not a valid (user|recipient|mailbox)", r"(user|recipient|addressee) was not found",
    # A mail gateway's directory: "550 'ana@…' is not a registered gateway user" (RFC
    # 3464 appendix, the example report's failed recipient). Only with the address
    # before it: "you are not a registered user" is a list's word to a sender.
    r"mailaddr ?['\"]? is not a registered (gateway )?user",
    # Exchange's own NDR for a recipient its directory lacks (Microsoft Learn, the
    # 5.1.1 and 5.1.10 NDR pages): "The email address you entered couldn't be found";
    # Sendmail's and AOL's "No such person at this address".
    r"e-?mail address you entered (couldn'?t|could not|cannot|can'?t) be found", r"no such person at this address",
    # The same in the languages leadloop's leads write in: the sentences _ADDRESS's
    # userunknown table already reads at RCPT ("El destinatario no existe", "Il
    # destinatario non esiste", "Destinatário desconhecido", "O endereço de e-mail não
    # existe", "Postfach unbekannt"), and Russian "Такого ящика нет", whose subject is
    # the mailbox itself, as "n'existe pas" is in French above. (Never when the sentence
    # goes on with "or", possibilities like Google Groups' "n'existe pas ou": the rule of
    # every table of a dead address, _NOT_AN_ALTERNATIVE.)
    r"(destinatario|usuario|utente|indirizzo|direccion|endereco|conta|cuenta|buzon|casella|caixa postal)"
    r" (de correo |de e-?mail |e-?mail |di posta |postal )?(electronico )?"
    r"(no existe|non esiste|nao existe|inexistente|desconhecid[oa]|desconocid[oa]|sconosciut[oa])",
    r"(postfach|e-?mail-adresse|adresse) (ist )?unbekannt", _fold_literal("такого ящика нет"),
    # Catalan: "La bústia <…> no existeix", "usuari desconegut".
    r"(bustia|adreca|usuari|destinatari|compte)( de correu| electronica?)*( ?<? ?mailaddr ?>?)? "
    r"(no existeix|desconeguda|desconegut|inexistent)\b",
    # (vpopmail's vdelivermail: "user does not exist, but will deliver to DIR" is its
    # catch-all's failure, no verdict on the address: _NOT_AN_ALTERNATIVE's "but".)
)
_CATALOG_MORE_KEYS = (
    "exist", "local user", "mail user", "an account", "invalid recipient", "recipient unknown",
    "mailbox unknown", "user is unknown", "unknown local user", "inesistente", "neexistuje",
    "that name", "addressee unknown", "valid recipient", "invalid mailbox", "user invalid",
    "no such mailbox", "is not a valid", "was not found", "registered", "entered", "no such person",
    "existe", "esiste", "desconhecid", "desconocid", "sconosciut", "inexistente", "unbekannt", "existeix",
    "desconegu", "inexistent")


# Every sentence of _CATALOG_SENTENCES holds one of these, whichever of its alternatives
# matched (test_dead_address_words checks them on its sentences).
_CATALOG_KEYS = (
    "exist", "box", "valid", "known", "activ", "alias", "local", "recipient", "desconocid", "trovat",
    "bekannt", "gefunden", "vorhanden", "onbekend", "ongeldig", "okand", "finns", "istnieje", "znaleziony",
    "takiego", "neznamy", "atrasts", "nezinams", "tuntematon", "ukjent", "ukendt", "bulunamadi",
    "necunoscut", "ismeretlen", "nosuchuser", "introuvable", "esistent", "bestaat", "neeksist")
_CATALOG = _Gated(_CATALOG_KEYS, _DeadSentences(*_CATALOG_SENTENCES))
_CATALOG_MORE = _Gated(_CATALOG_MORE_KEYS, _DeadSentences(*_CATALOG_MORE_SENTENCES))

# Gateways' and old systems' fixed texts for a recipient their directory lacks (issue #25,
# branch mtacatalog), which no grammar of thing and predicate reads: X.400's
# non-delivery diagnostic "unrecognised-OR-name" (ITU-T X.411, NonDeliveryDiagnosticCode
# 0), as X.400 gateways render it ("Unrecognized O/R name", "ORName unrecognised"), and
# Microsoft's Mail Connector ("diagnostic: 0 (OR name (Email address) unrecognized)",
# Microsoft KB Q162017). X.411's "ambiguous-OR-name" is no dead address (several match).
_MTA_CATALOG_SENTENCES = (
    r"\bunrecogni[sz]ed[- ]?(?:o/r|or)[- ]?(?:name|address)\b",
    r"\b(?:o/r|or)[- ]?(?:name|address) (?:is |was )?unrecogni[sz]ed\b",
)
_MTA_CATALOG = _Keyed(("unrecogni",), _DeadSentences(*_MTA_CATALOG_SENTENCES))

# Words of a missing addressee that need no SMTP stage to be believed, which the general
# patterns below do not hold: Prodigy's "Unable to find user", Plesk's qmail "No E-mail
# address is configured at this address" (also in _DEAD_WITHOUT_STAGE).
# Exchange's and Office 365's NDR, written by the recipient's own organisation after its
# directory lookup (whatever the stage): "Your message to ADDRESS couldn't be delivered.
# LOCALPART wasn't found at DOMAIN." (German: "LOCALPART wurde nicht in DOMAIN gefunden").
# Its table over the failed recipient says "Action Required … Recipient / Unknown To
# address".
_NOT_FOUND_AT_DOMAIN = (r"\b(wasn'?t|was not) found at\b", r"\bunknown to address\b",
                        r"\bwurde (?:(?:in|bei|unter) \S+ )?nicht (?:(?:in|bei|unter) \S+ )?gefunden")
_SAID_AT_ANY_STAGE = (r"\bunable to find (the )?user\b", r"\bno e-?mail address is configured at this address\b")

# --- A dead address read by its grammar (issue #25, branch deadwords) ---------------------
# Every server says "this address does not exist" in a few shapes, whatever its own
# sentence: a THING that names the recipient (user, recipient, addressee, mailbox,
# account, address, alias, local part, group or list, "this address", the address itself)
# and a PREDICATE that says it is not there (unknown, not found, does not exist, invalid,
# not recognized, not listed, cannot be verified, not hosted here…), in either order
# within a few words ("unknown user", "the recipient cannot be verified", "user ana not
# found"), or the thing denied outright ("no such user", "there is no mailbox by that
# name", "no e-mail address is configured at this address", "unable to find user"). The
# sentence tables above list the sentences seen so far; this reads the next server's own.
# The words are each language's ordinary words for the two parts, as the localised
# sentences the tables above cite use them (Exchange's NDRs in their languages, Domino's
# directory, GMX/Web.de, Libero, Terra, Orange, mail.ru and Yandex, NetEase/QQ/Coremail,
# Seznam…); those sentences, with the libraries' and the servers' own in
# tests/test_dead_address_words.py, tests/test_library_rules.py and
# tests/test_server_texts.py, are what the grammar is measured on with the tables left
# out, and tests/test_dead_address_grammar.py holds sentences of its own in each
# language. Folded text (accents off, lower case), addresses written "mailaddr". It
# counts where the sentence tables
# count (reason_from_words' _ADDRESS stage, and a report quoted with no stage), and
# never when the thing is ours (the sender, MAIL FROM, our domain, HELO, our IP), a
# possibility ("may be invalid", "does not exist or …"), or when the same words name
# another cause (full, disabled, policy, spam, relay, blocks, login, rates, DNS).

# Words that qualify the thing ("the e-mail address", "the intended recipient's").
_GRAMMAR_QUALIFIER = (r"(?:(?:the|this|that|a|an|such|any|intended|specified|requested|given|named|final|delivery|local"
                      r"|virtual|e-?mail|mail|recipient'?s?|destination|target|receiving|envelope) )*")
# The recipient, in English. Never a host's or a domain's name (those are _ADDRESS's
# hostunknown), never "list" as a blocklist.
_GRAMMAR_THING = (
    r"(?:user ?names?|user ?ids?|users?|recipients?|receivers?|addressees?|mail ?box(?:es)?|mail ?drops?|accounts?"
    r"|e-?mail address(?:es)?|address(?:es)?|alias(?:es)?|local[- ]?parts?|destinations?|groups?"
    r"|(?<!block\x20)(?<!black\x20)(?<!white\x20)(?<!allow\x20)(?<!deny\x20)(?<!access\x20)lists?|persons?|rcpt"
    r"|(?<!host\x20)(?<!domain\x20)(?<!dns\x20)(?<!file\x20)(?<!server\x20)(?<!helo\x20)(?<!ehlo\x20)(?<!computer\x20)name)\b")
# What must not follow the thing: it is then a part of something else ("address
# header", "user name or password", "recipient domain").
_GRAMMAR_NOT_AFTER_THING = (r"(?! ?(?:header|field|record|format|syntax|type|literal|range|family|space|book|pool"
                            r"|lookup|verification|domain|host|server|command|error|length|size|extension"
                            r"|parameter|argument|option|or password|and password|password)s?\b)")
# A few words between thing and predicate ("the address you entered couldn't be found",
# "user ana.pena (mailaddr) not found"): never across a sentence's or a clause's end, a
# new reply (its code or status), nor over words that hand the sentence to something
# else (a server, our side, a hedge).
_GRAMMAR_GAP = (r"(?: (?!(?:or|but|nor|if|whether|sender|from|your|our|server|host|domain|mx|dns|record|ip|password"
                r"|helo|ehlo|may|might|could|possibly|perhaps|probably|likely|please|check|\d{3}|[245]\.\d+\.\d+)\b)"
                r"[^\s:;!?,=.]+(?:\.[^\s:;!?,=.]+)*){0,5}")
# One predicate: the thing is not there (unknown, not found, does not exist, invalid…),
# is retired (no longer in use, no longer accepts mail, has departed), or is not among
# the server's own (not a member of the domain, not in its list or directory).
_GRAMMAR_PREDICATE_ONE = (
    r"(?:unknown|not known|not ?found|not located|no longer exists?|no?t? exists?|do(?:es|s)? ?n[o']?t exists?"
    r"|do not exist|did ?n[o']t exist|non-?existent|non-?existing|invalid|not valid|no longer valid|wrong"
    r"|misspelt|misspelled|mistyped|unrecogni[sz]ed|not recogni[sz]ed|not listed|unlisted|not registered|unregistered"
    r"|unverifiable|not verifiable|not hosted|not configured|not provisioned|not defined|not present|nowhere to be found"
    r"|not (?:a )?(?:valid|known|registered|local|real)\b|not a working\b|isn'?t a working\b|not a member of(?: (?:this|the|our))? [\w-]+|has departed"
    r"|no longer (?:in use|used|active|accepts (?:e-?)?mail|(?:on|at|in) (?:this |the |our )?(?:server|system|host))"
    r"|not (?:listed )?in (?:my|the|our) (?:[\w-]+ )?(?:list|table|directory|database|address book)"
    r"|(?:can ?not|can'?t|could ?not|couldn'?t|was not|wasn'?t|were not|is not|isn'?t|has not been) (?:be |been )?"
    r"(?:found|located|verified|resolved|recogni[sz]ed|identified|matched|validated)"
    r"|has no (?:e-?mail |mail )?(?:account|mailbox)|(?:does not|doesn'?t) have an? (?:\S+ ){0,2}(?:account|mailbox))")
# Words of a dead address that go on with another possibility or a concession ("the user is
# unknown or the message was refused by policy", "does not exist, but the message will be
# kept for the postmaster", "no existe o no acepta…", "не существует или…", "不存在，或者…",
# "存在しないか…"): the server says what may be, or what it does instead, never that the
# address is dead. An "or" that only joins another thing ("unknown address or alias") or
# another predicate of the same thing ("is unknown or invalid") offers no other
# possibility. The grammar's rule after its predicate or its thing, and every sentence
# table's of a dead address (_DeadSentences). (Dutch "of" is no "or" in English: the
# grammar's Dutch alone reads it, _grammar_in_language.)
_OR_WORDS = r"or|and/or|o|ou|oppure|oder|lub|albo|nebo|alebo|eller|veya|ya da|sau|vagy|или|atau|hoac|або|או"
_BUT_WORDS = r"but|nor|pero|mais|ma|mas|aber|maar|ale|men|fakat|tetapi|але|אבל"
_NOT_AN_ALTERNATIVE = (
    rf"(?!,? (?:{_BUT_WORDS})\b|,? (?:{_OR_WORDS})\b(?! {_GRAMMAR_QUALIFIER}{_GRAMMAR_THING}(?! \w)"
    rf"| (?:(?:is|was|has been) )?{_GRAMMAR_PREDICATE_ONE}(?![\w-]))|[,、]?(?:或|還是|还是)|か)")
# A predicate, or two joined ("is wrong or no longer valid", "could not be found, or
# was misspelled"): both say the same, so the "or" offers no other possibility.
_GRAMMAR_PREDICATE = (rf"(?:(?:is|was|are|were|has been|have been|seems to be|appears to be) )?"
                      rf"(?:currently |now |either |still )?{_GRAMMAR_PREDICATE_ONE}"
                      rf"(?:,? (?:or|and) (?:(?:is|was|has been) )?{_GRAMMAR_PREDICATE_ONE})?")
# What must not follow the predicate: possibilities ("does not exist or …"), a
# concession ("does not exist, but will deliver to …": a catch-all's failure), a state of
# the moment ("cannot be verified at this time"), a message's header ("no recipient
# addresses found in message header" is our message's fault).
_GRAMMAR_NOT_AFTER_PREDICATE = (_NOT_AN_ALTERNATIVE + r"(?! (?:at this time|right now|temporarily|yet|in (?:the )?"
                                r"(?:message )?headers?)\b)(?![-\w])"
                                # An adjective of the next noun, not of the thing: "ADDRESS
                                # unknown error", "… invalid command", "ADDRESS Invalid Address".
                                r"(?! (?:error|command|host|domain|server|sender|header|message|content|reason|response"
                                r"|address|user|recipient|mailbox|account"
                                r"|status|code|option|parameter|argument|character|charset|encoding|protocol|format"
                                r"|syntax|problem|failure|issue)s?\b)")
# A predicate that goes before the thing ("unknown user", "unable to find the recipient",
# "there is no such mailbox", "we do not handle mail for that user").
_GRAMMAR_PREDICATE_BEFORE = (
    r"(?:unknown|invalid|non-?existent|non-?existing|unrecogni[sz]ed|unregistered|unverifiable|unlisted|illegal"
    r"|bad|wrong|no such|not an? (?:valid|known|registered|real|active|existing)"
    r"|no (?:valid|known|existing|matching)|there (?:is|are|was|were) no"
    r"|(?:there )?(?:do(?:es)?n'?t|do(?:es)? not) exists?(?: a| any| such)?"
    r"|(?:unable to|can ?not|can'?t|could ?not|couldn'?t|failed to|did not|didn'?t) (?:find|locate|verify|resolve|look up"
    r"|identify)|(?:do(?:es)?n'?t|do(?:es)? not|won'?t|will not) (?:handle|accept|take) (?:e-?)?mail for"
    # "The server does not recognize this e-mail address" (a server's "not recognized",
    # said in the active voice; never "does not verify", which a server says of its checks).
    r"|(?:do(?:es)?n'?t|do(?:es)? not|did not|didn'?t|unable to|can ?not|can'?t|could ?not|couldn'?t|failed to)"
    r" recogni[sz]e)")
# The thing denied with a place ("no mailbox here by that name", "no e-mail address is
# configured at this address", "no account found").
_GRAMMAR_NO_THING_HERE = (
    r"\b(?:nobody|no one|no " + _GRAMMAR_QUALIFIER + _GRAMMAR_THING[3:-3] + r")\b"
    r" (?:(?:is|was|exists?|found|registered|configured|known|available|with) )?(?:here\b|by (?:that|this|the) name"
    r"|(?:that|this|the) name|(?:at|for|on|with|matching|of|under) (?:this|that|the given|the specified|the requested)"
    r" (?:address|name|e-?mail|recipient|user)|found\b|exists?\b|registered\b|configured\b|known\b|available for)"
    r"(?! in (?:the )?(?:message )?headers?)")
# Things said, whole, not to be there: a directory's "not listed in the directory", a
# provider's "not our customer"; and machine codes that write thing and predicate as one
# word ("RecipientNotFound", "address_not_found", "bad-mailbox", "err.nosuchuser",
# qmail's "badrcptto" list).
_GRAMMAR_SAID_WHOLE = (
    r"\bnot listed in (?:the |my |our )?(?:[\w-]+ )?(?:directory|address book)\b"
    r"|\bnot (?:one of )?our (?:customer|subscriber|member|user)s?\b"
    r"|\b(?:recip(?:ient)?|user|rcpt|mailbox|address|account)[_-]?(?:not[_-]?found|unknown|invalid|not[_-]?exists?)\b"
    r"|\b(?:bad|invalid|unknown|no[_-]?such)[_-]?(?:recip(?:ient)?|user|rcpt|mailbox|address|account)(?:to)?\b")
# "Invalid address", "bad address", bare: a word on the address's form (RFC 5321's 501
# replies; Zoho's wrapper "Invalid Address" over any failure), not on its existence;
# "invalid recipient", "bad mailbox", "invalid e-mail address" stay.
_GRAMMAR_FORM_ONLY = r"(?!(?:invalid|bad|wrong|illegal) address(?:es)?\b)"
# The address itself as the thing, in a sentence: with a verb ("ADDRESS does not exist",
# "ADDRESS is unknown", "ADDRESS not known here"), never an address and a bare adjective
# ("<ADDRESS> unknown." is one gateway's own line, providers.py's McAfee rule).
_GRAMMAR_ADDRESS_SAYS = (
    rf"\bmailaddr{_GRAMMAR_GAP} (?=(?:is|was|are|has|have|does|do|did|dosn'?t|doesn'?t|don'?t|can|cannot|can'?t|could"
    rf"|couldn'?t|isn'?t|wasn'?t|not|no)\b){_GRAMMAR_PREDICATE}{_GRAMMAR_NOT_AFTER_PREDICATE}")
_GRAMMAR_ENGLISH = (
    rf"\b{_GRAMMAR_THING}{_GRAMMAR_NOT_AFTER_THING}{_GRAMMAR_GAP} {_GRAMMAR_PREDICATE}{_GRAMMAR_NOT_AFTER_PREDICATE}",
    _GRAMMAR_ADDRESS_SAYS,
    rf"\b{_GRAMMAR_FORM_ONLY}{_GRAMMAR_PREDICATE_BEFORE} {_GRAMMAR_QUALIFIER}{_GRAMMAR_THING}{_GRAMMAR_NOT_AFTER_THING}"
    # ("unknown address or alias": two things, one predicate; "… or mailbox unavailable":
    # another possibility.)
    + _NOT_AN_ALTERNATIVE,
    _GRAMMAR_NO_THING_HERE, _GRAMMAR_SAID_WHOLE)
# The same two shapes in the other languages servers write, folded as the text is. In
# each: (the thing, a predicate after it, a predicate before it). A short gap of words
# between them; never when the sentence goes on with "or" (possibilities).
_GRAMMAR_GAP_SHORT = r"(?: [^\s:;!?,=.]+(?:\.[^\s:;!?,=.]+)*){0,3}"
_GRAMMAR_LANGUAGES = (
    # Spanish (Exchange's "El destinatario no existe", Terra's "usuario inexistente").
    (r"(?:usuario|destinatario|buzon|cuenta|direccion(?: de correo)?(?: electronico)?|correo electronico|casilla"
     r"|alias|grupo|lista de distribucion|persona|nombre de usuario)",
     r"(?:(?:es|esta|fue) )?(?:no existe|ya no existe|no se (?:encuentra|encontro|pudo encontrar)|no (?:fue )?encontrad[oa]"
     r"|desconocid[oa]|inexistente|no (?:es )?valid[oa]|invalid[oa]|no reconocid[oa]|no (?:esta )?registrad[oa]"
     r"|no (?:esta )?dad[oa] de alta)",
     r"(?:no existe (?:el|la|ese|esa|dicho|dicha|tal|ningun|ninguna)|no hay (?:ningun |ninguna )?|no se (?:encontro|encuentra"
     r"|pudo encontrar) (?:el|la)|desconocid[oa]|inexistente)"),
    # Portuguese (Terra/UOL's "usuário inexistente", Exchange's "O destinatário não existe").
    (r"(?:usuario|utilizador|destinatario|caixa(?: postal| de correio)?|conta|endereco(?: de e-?mail| eletronico)?"
     r"|e-?mail|alias|grupo|lista)",
     r"(?:(?:e|esta|foi) )?(?:nao existe|inexistente|desconhecid[oa]|nao (?:foi )?encontrad[oa]|invalid[oa]"
     r"|nao (?:e )?valid[oa]|nao reconhecid[oa]|nao (?:esta )?(?:cadastrad|registrad)[oa])",
     r"(?:nao existe (?:o|a|esse|essa|tal|nenhum|nenhuma)|nao ha (?:nenhum |nenhuma )?|nao foi possivel encontrar (?:o|a))"),
    # French (Exchange's "Le destinataire est introuvable", Orange's "destinataire invalide",
    # Domino's "non recensé dans l'annuaire").
    (r"(?:utilisateur|destinataire|adresse(?: e-?mail| electronique| de messagerie| de courriel)?|boite (?:aux lettres"
     r"|mail|de reception)|compte|alias|groupe|liste|correspondant|nom d'utilisateur)",
     r"(?:(?:est|a ete|etait) )?(?:inconnue?|introuvable|inexistante?|n'existe (?:pas|plus)|invalide|non valide"
     r"|non reconnue?|(?:non|pas) (?:repertoriee?|recensee?|referencee?|trouvee?|listee?|enregistree?)"
     r"|n'a pas ete trouvee?|ne peut (?:pas )?etre (?:verifiee?|trouvee?))",
     r"(?:aucun(?:e)?|il n'y a pas d'|il n'y a pas de|impossible de trouver l'|impossible de trouver le"
     r"|impossible de trouver la|inconnue?)"),
    # Italian (Libero's "utente inesistente", Exchange's "Il destinatario non esiste").
    (r"(?:utente|destinatario|indirizzo(?: e-?mail| di posta(?: elettronica)?)?|casella(?: di posta| postale)?"
     r"|account|alias|gruppo|lista|nome utente)",
     r"(?:(?:e|era|e stato|e stata) )?(?:sconosciut[oa]|inesistente|non esiste|non (?:e )?valid[oa]|non trovat[oa]"
     r"|non riconosciut[oa]|non (?:e )?registrat[oa]|errat[oa]|non (?:e )?presente)",
     r"(?:nessun(?:o|a)?|non esiste (?:l'|il|la|alcun|alcuna)|impossibile trovare (?:l'|il|la))"),
    # German (GMX's "Empfänger unbekannt", Exchange's "Der Empfänger wurde nicht gefunden").
    (r"(?:benutzer(?:name)?|nutzer|empf(?:a|ae)nger(?:adresse)?|adressat|postfach|mailbox|konto|account"
     r"|e-?mail-adresse|mailadresse|adresse|alias|gruppe|verteiler(?:liste)?|user)",
     r"(?:(?:ist|wurde|war) )?(?:(?:hier |dort )?(?:unbekannt|ung(?:u|ue)ltig|nicht (?:bekannt|gefunden|vorhanden"
     r"|g(?:u|ue)ltig|existent|registriert|verzeichnet|erkannt))|existiert (?:nicht|nicht mehr)|gibt es nicht)",
     r"(?:unbekannter?|ung(?:u|ue)ltiger?|nicht existierender?|kein(?:e|en|er)?(?: solche[rns]?)?)"),
    # Dutch (Exchange's "De ontvanger bestaat niet").
    (r"(?:gebruiker|ontvanger|geadresseerde|adres|e-?mailadres|mailbox|postbus|account|alias|groep|lijst)",
     r"(?:(?:is|werd) )?(?:(?:hier |daar )?(?:onbekend|bestaat (?:hier |daar )?niet(?: meer)?|niet gevonden|ongeldig"
     r"|niet bekend|niet geldig|niet herkend|onjuist))",
     r"(?:onbekende|ongeldige|niet-bestaande|geen(?: dergelijke)?)"),
    # Polish (Onet/WP's "Użytkownik nie istnieje"), Czech (Seznam's "Schránka neexistuje").
    # (Polish nouns in their cases: "nie ma takiego konta", "takiej skrzynki".)
    (r"(?:uzytkownik\w*|odbiorc\w+|adresat\w*|adres(?:u|y)?(?: e-?mail)?|skrzyn\w+(?: pocztow\w+)?|kont\w+|alias\w*"
     r"|grup\w+|list\w+)",
     r"(?:nie istnieje|nieznany|nie zosta[lł](?:a|o)? znalezion[ya]|nie znaleziono|nieprawid[lł]owy|niepoprawny"
     r"|nie jest znany)",
     r"(?:nie ma takiego|nie ma takiej|brak takiego|brak takiej|nieznany|nieznana|nie znaleziono)"),
    (r"(?:uzivatel|adresat|prijemce|schranka|adresa|ucet|alias|skupina)",
     r"(?:(?:je )?neexistuje|(?:je )?neznamy|(?:je )?nezname|nenalezen[ao]?|nebyl[ao]? nalezen[ao]?|(?:je )?neplatn[ya])",
     r"(?:neznamy|neznama|neexistujici|neplatny|neplatna)"),
    # Swedish, Danish, Norwegian (their Exchange editions, one.com, Telia).
    (r"(?:anvandare(?:n)?|mottagare(?:n)?|adress(?:en)?|brevlada(?:n)?|konto(?:t)?|bruger(?:en)?|bruker(?:en)?"
     r"|modtager(?:en)?|mottaker(?:en)?|adresse(?:n)?|postkasse(?:n)?)",
     r"(?:finns (?:inte|ej)|(?:ar )?okand|existerar inte|hittades inte|kunde inte hittas"
     r"|findes ikke(?: eller er udl(?:o|oe|ø)bet)?|finnes ikke(?: eller er utl(?:o|oe|ø)pt)?|eksisterer ikke"
     r"|(?:er )?ukendt|finnes ikke|(?:er )?ukjent|ble ikke funnet|blev ikke fundet|(?:er |ar )?(?:ugyldig|ogiltig))",
     r"(?:okand|ukendt|ukjent|ugyldig|ogiltig|ingen s(?:a|aa)dan)"),
    # Finnish, Latvian, Romanian, Hungarian (the catalogs' other languages).
    (r"(?:kayttaja|vastaanottaja|osoite|postilaatikko|tili)",
     r"(?:(?:on )?tuntematon|ei loydy|ei ole olemassa|ei loytynyt|(?:on )?virheellinen)",
     r"(?:tuntematon|virheellinen)"),
    (r"(?:lietotajs|adresats|pastkaste|adrese|konts)",
     r"(?:nav atrasts|nav atrasta|neeksiste|nav zinams|nav derigs|nav deriga)",
     r"(?:nezinams|nezinama|neeksistejoss|nederigs)"),
    (r"(?:utilizatorul|utilizator|destinatarul|destinatar|adresa|casuta postala|contul|cont)",
     r"(?:(?:este )?necunoscut[a]?|(?:este )?inexistent[a]?|nu exista|nu a fost gasit[a]?|(?:este )?invalid[a]?)",
     r"(?:necunoscut|inexistent|invalid)"),
    (r"(?:felhasznalo|cimzett|cim|postafiok|fiok)",
     r"(?:(?:nem )?ismeretlen|nem letezik|nem talalhato|ervenytelen)",
     r"(?:ismeretlen|nem letezo|ervenytelen)"),
    # Turkish (dotless ı kept by the fold, so both i's).
    (r"(?:kullan[iı]c[iı]|al[iı]c[iı]|posta kutusu|hesap|adres|e-?posta adresi)",
     r"(?:bulunamad[iı]|bulunmuyor|mevcut de[gğ]il|yok|ge[cç]ersiz|tan[iı]nm[iı]yor|bilinmiyor)",
     r"(?:ge[cç]ersiz|bilinmeyen|olmayan|boyle bir)"),
    # Vietnamese, folded ("Địa chỉ email không tồn tại" is "đia chi email khong ton tai": NFKD
    # keeps "đ"), and Indonesian and Malay ("Pengguna tidak ditemukan", "akaun tidak wujud"):
    # the words of the providers' and Exchange's and Gmail's reports in those languages
    # (issue #25, branch providercatalog). Never a bare address "not valid": its form.
    (r"(?:nguoi dung|nguoi nhan|ten nguoi dung|(?:đ|d)ia chi(?: e-?mail| thu(?: (?:đ|d)ien tu)?)?|hop thu|tai khoan)",
     r"(?:khong ton tai|khong (?:(?:đ|d)uoc |the )?tim thay|khong xac (?:đ|d)inh|khong (?:(?:đ|d)uoc )?(?:đ|d)ang ky)",
     r"(?:khong (?:the )?tim thay|khong co|khong ton tai)"),
    (r"(?:pengguna|penerima|nama pengguna|alamat(?: e-?mail| surel| surat elektronik)?|kotak (?:surat|masuk)|akun|akaun"
     r"|peti mel)",
     r"(?:tidak (?:ditemukan|ada|dikenal|dikenali|terdaftar|wujud|dijumpai)|tak (?:wujud|dijumpai|dikenali))",
     r"(?:tidak ada|tiada|tidak ditemukan)"),
)


def _grammar_in_language(thing: str, after: str, before: str) -> str:
    # Never before "or" (possibilities) or "but" (a concession), in the language's words,
    # whichever of the two shapes ("no existe el usuario o la cuenta está bloqueada").
    ends = rf"(?![\w-]){_NOT_AN_ALTERNATIVE}(?!,? of )"
    return (rf"\b{thing}\b{_GRAMMAR_GAP_SHORT} {after}{ends}|\b{before} ?{thing}\b{_NOT_AN_ALTERNATIVE}")
# Russian (mail.ru's and Yandex's "Пользователь не найден", "Такого ящика нет"), Chinese
# (NetEase/QQ/Coremail: "收件人地址不存在", "该用户不存在", "邮箱地址无效"), Japanese
# (NTT/Yahoo Japan and Exchange's Japanese NDR: "宛先のユーザーは存在しません", "メール
# アドレスが見つかりません"), Korean (Naver/Daum and Exchange's Korean NDR: "받는 사람의
# 주소를 찾을 수 없습니다", "존재하지 않는 사용자"). Written as the text is folded (NFKD takes
# kana's voicing marks and Hangul's syllables apart; _folded does the same to these).
_GRAMMAR_SCRIPTS = (
    # Russian: the thing, then within a few words a predicate; or "нет такого …".
    r"(?:пользовател|адресат|получател|почтов\w* ящик|ящик|адрес|учетн\w* запис|аккаунт|групп|рассылк)\w*"
    r"(?: \S+){0,3} (?:не существует|не найден\w*|неизвест\w*|несуществующ\w*|недействител\w*|не зарегистрирован\w*"
    r"|не обнаружен\w*|нет)(?![\w-])" + _NOT_AN_ALTERNATIVE,
    r"(?:нет (?:такого|такой|такого же)|несуществующ\w*|неизвестн\w*|не найден\w*) (?:\S+ )?"
    r"(?:пользовател|адресат|получател|ящик|адрес|учетн\w* запис|аккаунт)\w*(?![\w-])" + _NOT_AN_ALTERNATIVE,
    # Chinese: the thing, then (within a few characters, never over "may" or "or") a
    # predicate, never before "or" (Google Groups' "群組可能不存在,或者…": possibilities).
    r"(?:用户|用戶|收件人|收信人|邮箱|郵箱|信箱|帐号|账号|帳號|帐户|账户|帳戶|地址|邮件地址|郵件地址|群组|群組)"
    r"(?:(?!可能|也许|也許|或许|或許|或).){0,8}?(?:不存在|未找到|找不到|无效|無效|未知|没有找到|沒有找到|未注册|未註冊)"
    + _NOT_AN_ALTERNATIVE,
    r"(?:查无此人|查無此人|无此|無此|没有该|沒有該|不存在的|无效的|無效的|未知的)(?:用户|用戶|收件人|邮箱|郵箱|帐号|账号|帳號|地址)",
    # Japanese: the thing, then a predicate; never "存在しないか" (possibilities). "不明"
    # only right after the thing ("宛先不明", "ユーザーが不明"): "ご不明な点" is "any question".
    r"(?:宛先|ユーザー|ユーザ|受信者|メールアドレス|アドレス|メールボックス|アカウント|グループ)"
    r"(?:(?:.{0,12}?(?:存在しません|存在しない" + _NOT_AN_ALTERNATIVE + "|見つかりません|見つからない|無効|登録されていません))"
    r"|(?:が|は)?不明(?!な))",
    r"(?:存在しない|不明な|無効な)(?:宛先|ユーザー|ユーザ|受信者|メールアドレス|アドレス|アカウント)",
    # Korean: the thing, then a predicate (Hangul in jamo after the fold: wider windows);
    # never "…거나", "or" (possibilities: "존재하지 않거나 …").
    r"(?:사용자|수신자|받는 사람|메일 ?주소|주소|계정|메일함|사서함).{0,30}?"
    r"(?:존재하지 않|찾을 수 없|유효하지 않|등록되지 않|알 수 없)(?!거나)",
    r"(?:존재하지 않는|알 수 없는|유효하지 않은) ?(?:사용자|수신자|받는 사람|메일 ?주소|주소|계정)",
    # Ukrainian (ukr.net, i.ua and Exchange's Ukrainian NDR: "Користувача не знайдено",
    # "Поштова скринька не існує"), Bulgarian (abv.bg, mail.bg: "Потребителят не
    # съществува", "Няма такъв потребител"), Hebrew (Walla and Exchange's Hebrew NDR:
    # "המשתמש אינו קיים", "כתובת הדואר האלקטרוני אינה קיימת"), Thai (Exchange's and Gmail's
    # Thai reports: "ไม่พบผู้ใช้", "ที่อยู่อีเมลไม่มีอยู่"; no spaces between words, and
    # NFKD takes its vowel and tone marks off as it does the accents). The shapes of the
    # Russian above: the thing then a predicate, or the thing denied before it.
    r"(?:користувач|адресат|одержувач|отримувач|поштов\w* скриньк|скриньк|адрес|обліков\w* запис|акаунт|груп"
    r"|розсилк)\w*(?: \S+){0,3} (?:не існує|не знайден\w*|невідом\w*|неіснуюч\w*|недійсн\w*|не зареєстрован\w*"
    r"|немає)(?![\w-])" + _NOT_AN_ALTERNATIVE,
    r"(?:немає (?:такого|такої)|неіснуюч\w*|невідом\w*|не знайдено) (?:\S+ )?"
    r"(?:користувач|адресат|одержувач|отримувач|скриньк|адрес|обліков\w* запис|акаунт)\w*(?![\w-])"
    + _NOT_AN_ALTERNATIVE,
    r"(?:потребител|получател|адресат|пощенск\w* кутия|кутия|адрес|акаунт)\w*(?: \S+){0,3} (?:не съществува"
    r"|не е намерен\w*|не беше намерен\w*|неизвест\w*|непознат\w*|несъществуващ\w*|невалид\w*"
    r"|не е регистриран\w*)(?![\w-])" + _NOT_AN_ALTERNATIVE,
    r"(?:няма такъв|няма такава|несъществуващ\w*|непознат\w*|неизвестен|неизвестна) (?:\S+ )?"
    r"(?:потребител|получател|адресат|пощенск\w* кутия|кутия|адрес|акаунт)\w*(?![\w-])" + _NOT_AN_ALTERNATIVE,
    r"(?<![\w])ה?(?:משתמש|נמען|כתובת|תיבת (?:ה)?דואר|תיבה|חשבון)(?: \S+){0,3} (?:אינו קיים|אינה קיימת|לא קיים"
    r"|לא קיימת|לא נמצא|לא נמצאה|אינו מוכר|אינה מוכרת|לא מוכר|לא מוכרת|לא ידוע|לא ידועה)(?![\w-])"
    + _NOT_AN_ALTERNATIVE,
    r"(?:אין|לא נמצא|לא נמצאה) (?:כזה |כזו )?ה?(?:משתמש|נמען|כתובת|תיבת (?:ה)?דואר|חשבון)(?![\w-])"
    r"(?: כזה(?![\w-])| כזו(?![\w-]))?(?! כז[הו](?![\w-]))" + _NOT_AN_ALTERNATIVE,
    r"(?:ผู้ใช้|ผู้รับ|ที่อยู่อีเมล|ที่อยู่|กล่องจดหมาย|บัญชี)(?:(?!หรือ).){0,20}?(?:ไม่มีอยู่|ไม่พบ|ไม่มีในระบบ)(?! ?หรือ)",
    r"(?:ไม่พบ|ไม่มี) ?(?:ผู้ใช้|ผู้รับ|ที่อยู่อีเมล|ที่อยู่|กล่องจดหมาย|บัญชี)(?:(?!หรือ).){0,12}?(?! ?หรือ)(?:\s|$|[.。])",
)


def _folded(source: str) -> str:
    """A pattern written in a non-Latin script, folded as fold() leaves the text it is
    looked for in (NFKD, combining marks off): the regular-expression syntax is ASCII and
    is left as it is."""
    decomposed = unicodedata.normalize("NFKD", source)
    return "".join(c for c in decomposed if not unicodedata.combining(c))

# Whose thing it is: ours (the sender, MAIL FROM, HELO, our IP or domain, in the languages
# above), named in the words just before it in the same clause or inside the match ("la
# dirección del remitente no existe"), or "your"/"our" right before it; or a hedge just
# before it ("please check whether …", "may").
_GRAMMAR_OURS_NOUNS = (
    r"\b(?:senders?\b|mail from\b|from address|return[- ]path|envelope (?:sender|from)|reverse[- ]path|originator"
    r"|helo\b|ehlo\b|client\b|ip\b|sending\b|submitter|remitente|emisor|expediteur|emetteur|absender|mittente"
    r"|remetente|afzender|nadawc|odesilatel|avsandar|afsender|avsender|g[oö]nderen|pengirim|nguoi gui)"
    r"|отправител|відправник|подател|שולח|ผู้ส่ง|送信者|发件人|發件人|寄件人|差出人|발신|보낸 사람")
_GRAMMAR_OURS = LazyPattern(_folded(_GRAMMAR_OURS_NOUNS))
_GRAMMAR_HEDGED_OR_YOURS = LazyPattern(
    r"\b(?:if|whether|check|make sure|ensure|confirm|may|might|maybe|possibly|perhaps|probably)\b"
    r"|\b(?:your|our)(?: [\w-]+){0,2} *$")
# Other causes the grammar's words may stand beside, which _names_other_cause does not
# hold (the mailbox's own state, our login, a moment's trouble): then it says nothing.
_GRAMMAR_OTHER_CAUSE = LazyPattern(
    r"\b(?:(?:mail ?box|box|account|inbox|storage|disk|folder) (?:is )?full|full mail ?box|quota|over ?limit"
    r"|disabled|suspended|inactive|deactivated|locked|password|credentials?|authenticat\w*|greylist\w*|graylist\w*"
    r"|try again|temporar\w*|timed? ?out|timeout|too many|rate limit\w*|expired|retry time|no route to host"
    r"|(?:host|network) (?:is )?unreachable|connection (?:refused|reset|lost)|loop"
    r"|relay(?:ing)? (?:access )?(?:denied|not permitted|prohibited|not allowed)|(?:unable|not allowed) to relay)\b")


def _spaced(source: str) -> str:
    """A pattern written with one space between words, for text that may hold more
    (" mailaddr "): " " is " +", an optional " ?" is " *". (No regular expression here:
    the patterns are written at import, and nothing may be compiled then.)"""
    pieces = source.split(" ")
    return pieces[0] + "".join(
        (" *" + piece[1:] if piece.startswith("?") else " " + piece if piece[:1] in ("*", "+", "{")
         else " +" + piece) for piece in pieces[1:])


class _DeadAddressGrammar:
    """THING × PREDICATE: the first place the folded words say the recipient does not
    exist, or None (see the block's comment). `search(words)` as a pattern's."""

    @functools.cached_property
    def latin(self) -> LazyPattern:
        return _patterns(*(_spaced(shape) for shape in (
            *_GRAMMAR_ENGLISH, *(_grammar_in_language(*shape) for shape in _GRAMMAR_LANGUAGES))))

    @functools.cached_property
    def scripts(self) -> LazyPattern:
        return _patterns(*(_spaced(_folded(shape)) for shape in _GRAMMAR_SCRIPTS))

    def search(self, words: str):
        for pattern in (self.latin, self.scripts):
            if pattern is self.scripts and words.isascii():
                break
            for match in pattern.finditer(words):
                if self._ours_or_hedged(words, match):
                    continue
                if _GRAMMAR_OTHER_CAUSE.search(words) or _names_other_cause(words):
                    return None
                return match
        return None

    @staticmethod
    def _ours_or_hedged(words: str, match) -> bool:
        # ("your recipient address" is the recipient you named: the lead's.)
        clause = _GRAMMAR_CLAUSE_END.split(words[max(0, match.start() - 60):match.start()])[-1]
        # A cause's own clause ("returned to its sender because the addressee does not
        # exist"): what came before its "because" names the sentence's other party.
        clause = _GRAMMAR_CAUSE_START.split(clause)[-1]
        return _GRAMMAR_OURS.search(clause + " " + match.group(0)) is not None \
            or (_GRAMMAR_HEDGED_OR_YOURS.search(clause) is not None
                and not (clause.rstrip().endswith(("your", "our")) and match.group(0).startswith("recipient")))


_GRAMMAR_CLAUSE_END = LazyPattern(r"[.;!?](?:\s|$)|\n")
_GRAMMAR_CAUSE_START = LazyPattern(r"\b(?:because|since|porque|parce que|weil|perche)\b")
_DEAD_ADDRESS_GRAMMAR = _DeadAddressGrammar()

# The same grammar with our side as its thing: the sender (our address or domain) said
# not to exist or not to be valid, in the languages above ("El remitente no existe",
# "Absenderadresse unbekannt", "Адрес отправителя не найден", "发件人地址不存在"), our
# client host unknown (its reverse DNS), our login refused ("Authentication failed:
# unknown user name or bad password", RFC 4954's 535 5.7.8): the sender's, whatever the
# sentence tables would make of its words (SPEC §6: the sender's, never the lead's).
_GRAMMAR_PREDICATES_AFTER = "|".join([_GRAMMAR_PREDICATE_ONE] + [after for _, after, _ in _GRAMMAR_LANGUAGES])
_GRAMMAR_SENDER_NOUNS = (
    "sender", "mail from", "from address", "return-path", "return path", "envelope", "reverse-path", "reverse path",
    "originator", "remitente", "emisor", "expediteur", "emetteur", "absender", "mittente", "remetente", "afzender",
    "nadawc", "odesilatel", "avsandar", "afsender", "avsender", "gonderen", "gonderici", "pengirim",
    "nguoi gui")
# Words the few words after the sender never cross: a clause of its own ("returned to
# its sender because the addressee does not exist") or the recipient as a new thing.
_GRAMMAR_SENDER_GAP_ENDS = (r"(?:because|since|porque|parce|weil|perche|addressees?|recipients?|receivers?"
                            r"|destinatari\w*|destinataire\w*|empfanger\w*)\b")
_GRAMMAR_SENDER_SAID_DEAD = _AnyOf(
    # Each behind the keys its sentences hold (most reports hold none of them).
    _Keyed(_GRAMMAR_SENDER_NOUNS, _patterns(_spaced(
        rf"\b(?:{'|'.join(re.escape(noun) for noun in _GRAMMAR_SENDER_NOUNS)})\w*"
        # (Our address in brackets is one word of the gap: "the sender address <ADDR> does not exist".)
        rf"(?: (?!{_GRAMMAR_SENDER_GAP_ENDS})(?:[<\[(]\s*mailaddr\s*[>\])]|[^\s:;!?,=.]+)){{0,3}} "
        rf"(?:(?:is|was|est|es|ist|e|er|ar|je) )?(?:{_GRAMMAR_PREDICATES_AFTER})(?![\w-])"))),
    _Gated((), _patterns(*(_spaced(_folded(shape)) for shape in (
        r"отправител\w*(?: \S+){0,3} (?:не существует|не найден\w*|неизвест\w*|недействител\w*)",
        r"відправник\w*(?: \S+){0,3} (?:не існує|не знайден\w*|невідом\w*|недійсн\w*)",
        r"подател\w*(?: \S+){0,3} (?:не съществува|не е намерен\w*|неизвест\w*|непознат\w*|невалид\w*)",
        r"שולח(?: \S+){0,3} (?:אינו קיים|אינה קיימת|לא קיים|לא קיימת|לא נמצא|לא נמצאה|אינו מוכר|לא ידוע)",
        r"ผู้ส่ง.{0,20}?(?:ไม่มีอยู่|ไม่พบ|ไม่ถูกต้อง)",
        r"(?:发件人|發件人|寄件人).{0,8}?(?:不存在|无效|無效|未找到|找不到|未知)",
        r"(?:送信者|差出人).{0,12}?(?:存在しません|存在しない|見つかりません|不明|無効)",
        r"(?:발신자|보낸 사람).{0,30}?(?:존재하지 않|찾을 수 없|유효하지 않|알 수 없)")))),
    _Keyed(("authentica", "login", "log in", "auth ", "password"), _patterns(
        r"\b(?:authentication|login|log ?in|auth) (?:failed|failure|unsuccessful|error)",
        r"\b(?:bad|wrong|invalid|incorrect) password", r"\buser ?name (?:and|or) password")),
    _Keyed(("client host",), _patterns(r"\bclient host(?: name)?(?: \S+){0,2} (?:is )?(?:unknown|not found)")),
    # A report is addressed to us: "your address" is the sender's; not a hedge, which is
    # advice about the address we wrote to (Exchange Online's "Your email address may be
    # misspelled or may not exist", under "the recipient's email address is not listed").
    _Keyed(("your address", "your e-mail", "your email", "your mail ", "your sending", "your from", "your account",
            "your domain", "your mailbox"), _patterns(_spaced(
        rf"\byour (?:e-?mail |mail |sending |from )?(?:address|account|domain|mailbox)"
        rf"(?: (?!(?:may|might|could|possibly|perhaps|probably|likely)\b)[^\s:;!?,=.]+){{0,3}} "
        rf"(?:(?:is|was) )?(?:{_GRAMMAR_PREDICATE_ONE})(?![\w-])"))))
_GRAMMAR_SENDER = [("rejected", _GRAMMAR_SENDER_SAID_DEAD)]  # (read before _ADDRESS)
# Statuses under which the grammar may speak: none, one that names no cause (X.0.0,
# X.3.0, X.5.0, X.5.1), or one about the address (ADDRESS_STATUSES), as the lead's policy has a bare
# "User unknown" count (issue #25). Under any other (5.2.1 a disabled mailbox, 5.7.1
# policy, 5.6.x content…) the number names a cause, as sisimai reads it ("5.2.1 … User
# unknown" is its Filtered), and a sentence no table lists does not overrule it.
_GRAMMAR_STATUS = LazyPattern(r"^\d\.(?:0\.0|3\.0|5\.[01])$")


# DATA refused because no RCPT was accepted, in the servers' own words: Sendmail "503
# 5.0.0 Need RCPT (recipient)", Postfix "554 5.5.1 Error: no valid recipients", Exim
# "503 valid RCPT command must precede DATA", qmail "503 RCPT first (#5.5.1)". It says
# the session's recipients were all refused before, for whatever cause: nothing about an
# address (bounces.py reads the refusals before it).
NO_RECIPIENT_FOR_DATA = LazyPattern(
    r"need rcpt|no valid recipients|valid rcpt command must precede data|rcpt first", re.I)


# Postfix's access(5) tables answer with the admin's text, or "Access denied" when there is
# none, as "<ADDR>: Recipient address rejected: TEXT" under X.7.1 whatever the text says:
# smtpd_check.c gives 5.7.1 (4.7.1 for a 4xx or DEFER action) when the text carries no
# status of its own, as Debian's Postfix 3.7 answers here for "REJECT Esta cuenta ya no
# existe" and "550 Usuario dado de baja" alike. That status is Postfix's filler, not a
# cause: the words decide, as under qmail's fixed "(#5.7.1)".
_ACCESS_MAP_ANSWER = LazyPattern(r"\brecipient address rejected: ")
# Its text when the admin wrote none: a table keyed on the recipient refused it (a
# check_sender_access or check_client_access says "Sender address" or "Client host"), so
# the lead's mailbox is shut to us, not our sending refused.
_ACCESS_MAP_DEFAULT = LazyPattern(
    r"\brecipient address rejected: access denied\W*(\(in reply to rcpt to command\)\W*)?$")


def _access_map_filler(status: str | None, words: str, *, naming_no_address: bool = False) -> bool:
    """Whether `status` is Postfix's filler over an access map's text. `naming_no_address`:
    and the text names no address of its own, whose the grammar's dead address could be
    ("SPFBL mailaddr is not a valid e-mail" is our sender's)."""
    found = _ACCESS_MAP_ANSWER.search(words) if status in ("5.7.1", "4.7.1") else None
    return found is not None and not (naming_no_address and "mailaddr" in words[found.end():])


def _status_says_nothing(status: str | None, words: str) -> bool:
    """No status, the generic X.0.0, or Postfix's access-map filler: the words decide."""
    return status is None or _GENERIC.match(status) is not None or _access_map_filler(status, words)


def _grammar_says_dead(status: str | None, words: str) -> bool:
    """Whether the grammar reads a dead address in the folded `words`, under `status`.
    A status written as qmail writes its fixed codes, "(#5.7.1)" at the end of the text,
    is the one code qmail-smtpd and its patches give a text whatever its cause (netqmail's
    err_* replies: relaying, the validrcptto and badrcptto lists alike): the words decide."""
    return (status is None or status in ADDRESS_STATUSES or _GRAMMAR_STATUS.match(status) is not None
            or f"(#{status})" in words or _access_map_filler(status, words, naming_no_address=True)) \
        and _grammar_reads_dead(words) and not NO_RECIPIENT_FOR_DATA.search(words)


@functools.lru_cache(maxsize=64)  # (the same words are asked at the words' stage and again when quoted)
def _grammar_reads_dead(words: str) -> bool:
    return _DEAD_ADDRESS_GRAMMAR.search(words) is not None


# --- Mailbox providers' own texts (issue #25, branch providercatalog) ---------------------
# Sentences a provider documents for an address it does not hold, in the words it really
# writes, which neither the tables above nor the grammar read (tests/test_provider_catalog.py
# puts each in the provider's report): Seznam's "5.1.1 szn; User hasn't got the service
# mapped" (napoveda.seznam.cz, "Uživatel neexistuje": the address does not exist), and
# Coremail's "not user of this server" (icoremail.vip support, 退信提示, beside the
# "unavailable mail user" _CATALOG_MORE holds). Folded text.
_PROVIDER_SENTENCES = (
    r"\buser hasn'?t got the service mapped\b", r"\bnot (?:a )?user of this server\b")
_PROVIDER_DEAD = _Keyed(("service mapped", "user of this server"), _DeadSentences(*_PROVIDER_SENTENCES))
# A domain a provider says it cannot find, with no status beside it: Gmail's "553 5.1.2 We
# weren't able to find the recipient domain. Please check for any spelling errors…"
# (Google Workspace Admin Help, "Gmail SMTP errors and codes").
_PROVIDER_NO_DOMAIN = _Keyed(("recipient domain",), _patterns(
    r"\b(?:weren'?t|were not) able to find the recipient domain\b"))
# Our IP refused, in the Korean providers' words whatever the status: Naver's "421 4.3.2
# Your IP(192.0.2.7) is filtered and this connection will be closed. You must register
# your IP to http://realip.naver.com" (and Hanafos's the same, to its spammaster address),
# as the Korean senders' help pages list them: the sender's, never the lead's mailbox.
_PROVIDER_SENDER = _Keyed(("is filtered", "register your ip"), _patterns(
    r"\byour ip ?(?:\([^)]*\) )?is filtered\b", r"\bmust register your ip\b"))

# --- A dead domain in every language, and the sender's own kept apart (branch domainwords)
# The recipient's domain or host said not to exist, not to be found, to be unknown or to
# have no mail server, in the languages the grammar above reads: the English shapes servers
# write it in (Exchange Online's 5.4.310 "DNS domain does not exist", "The domain X couldn't
# be found"; "No such domain", "Domain not found") put in each language's ordinary words,
# as the Chinese hosts' bounce help writes it (emailhost.com.cn's "[退信] 域名不存在: DNS
# query error", Tencent Cloud's "收件人所属域名不存在"). Written by these shapes, not copied
# from any report, so that they stand for the next server's own sentence. A THING (the
# domain, the host's name, the domain's name, a compound "Empfängerdomain", "收件人域名")
# and a PREDICATE after it, or one before it ("No se encontró el dominio",
# "找不到域"), with at most the domain's name, one qualifier of whose it is ("del
# destinatario", "nadawcy") and one word between them. Whose the domain is decides
# (_dead_domains): a qualifier of the recipient makes it the lead's (hard); the sender, MAIL
# FROM, our HELO or "your" before it makes it ours ("El dominio del remitente no existe",
# "Domena nadawcy nie istnieje", "HELO-Domain existiert nicht", "送信元ドメインが存在しませ
# ん"): the sender's, never the lead's (SPEC §7); with neither, as the English words are
# read: the lead's, unless the words name another domain (_names_another_domain) or the
# lead's own server answered them (_judge: then the domain it checked is ours). Never before
# "or" / "but" (possibilities, _NOT_AN_ALTERNATIVE). Folded text; every pattern through
# _folded, so that the Cyrillic, Hangul and kana are written as the text is folded.
# (A name's last label begins with a letter: never a status "5.0.0" or an IP address.)
_DOMAIN_NAME = r"[\"'«<\[(]?(?:[a-z0-9-]+\.)+[a-z][a-z0-9-]*\.?[\"'»>\])]?"
# Whose it is, in the words that qualify the thing (with the grammar's _GRAMMAR_OURS_NOUNS).
_DOMAIN_RECIPIENT_NOUNS = (
    r"recipient|destinatar|destinataire|empf(?:a|ae)nger|ontvanger|geadresseerde|odbiorc|adresat|prijemc|al[iı]c[iı]"
    r"|mottagar|modtager|mottaker|vastaanottaj|cimzett|nguoi nhan|penerima|receptor"
    r"|получател|адресат|одержувач|отримувач|נמען|ผู้รับ|宛先|受信者|受取人|收件|收信|对方|對方|수신|받는 사람")
_DOMAIN_SENDER_NOUNS = (
    r"sender|mail from|envelope|return-path|helo|ehlo|remitente|emisor|expediteur|emetteur|absender|mittente"
    r"|remetente|afzender|nadawc|odesilatel|odosielatel|avsandar|afsender|avsender|gonderen|gonderici"
    r"|ad[iı]n[iı]z\b|lahettaj|expeditor|felado|pengirim|nguoi gui"
    r"|отправител|відправник|подател|שולח|ผู้ส่ง|送信者|送信元|差出人|发件|發件|寄件|发信|發信|发送方|發送方|发送者"
    r"|您的|你的|お客様の|あなたの|발신|보낸 사람|보내는 사람|귀하의")
# "Your domain", "su dominio", "Ihre Domain", "ваш домен" (the report is addressed to us).
_DOMAIN_YOURS = LazyPattern(_folded(
    r"(?:\b(?:your|su|tu|votre|ton|ihre?|deine?|suo|tuo|vostro|seu|teu|uw|twoj\w*|twoja|vase|vas|vasa|tvoj\w*"
    r"|din|ditt)|ваш\w*|твой|твоя) ?$"))
_DOMAIN_SMALL = (r"(?:del|de la|de|du|des|della|dello|dell'|di|do|da|dos|das|van de|van het|van|der|den|the|of|na|cua|dari"
                 r"|на|של)")
_DOMAIN_QUALIFIER = (rf"(?: (?:{_DOMAIN_SMALL} )?(?:l')?(?:{_DOMAIN_RECIPIENT_NOUNS}|{_DOMAIN_SENDER_NOUNS})[\w-]*"
                     rf"(?: {_DOMAIN_NAME})?)?")
# One free word between ("Il dominio indicato non esiste"): never "or", "but" or a new thing.
_DOMAIN_FREE_WORD = rf"(?: (?!(?:{_OR_WORDS}|{_BUT_WORDS}|of)\b)[a-z][a-z'-]*)?"
# (language, thing, predicate after, predicate before): Latin scripts, folded.
_DOMAIN_LANGUAGES = (
    ("es", r"(?:nombre de )?dominio",
     r"(?:(?:es|esta|fue) )?(?:no existe|ya no existe|inexistente|desconocido|no (?:fue |ha sido )?encontrado"
     r"|no se (?:encuentra|encontro|pudo encontrar|puede encontrar|pudo resolver|puede resolver)"
     r"|no tiene (?:ningun )?(?:servidor de correo|registros? mx))",
     r"(?:no existe (?:el|ese|dicho|tal|ningun)|no se (?:encontro|encuentra|pudo encontrar|puede encontrar|pudo resolver)"
     r" el|no (?:fue|es) posible (?:encontrar|resolver) el|imposible (?:encontrar|resolver) el"
     r"|no hay (?:ningun )?servidor de correo para el)"),
    ("pt", r"(?:nome de )?dominio",
     r"(?:(?:e|esta|foi) )?(?:nao existe|inexistente|desconhecido|nao (?:foi )?encontrado"
     r"|nao (?:pode|pôde) ser (?:encontrado|resolvido)|nao tem (?:servidor de (?:e-?mail|correio)|registros? mx))",
     r"(?:nao existe (?:o|esse|nenhum)|nao foi possivel (?:encontrar|localizar|resolver) o|impossivel (?:encontrar|resolver) o)"),
    ("fr", r"(?:nom de )?domaine|(?:nom d')?hote",
     r"(?:(?:est|a ete|etait) )?(?:inexistante?|inconnue?|introuvable|n'existe (?:pas|plus)|non trouvee?"
     r"|n'a pas ete trouvee?|n'a pas pu etre (?:trouvee?|resolue?)|ne peut (?:pas )?etre (?:trouvee?|resolue?)"
     r"|n'a (?:pas de|aucun) (?:serveur de messagerie|serveur de courrier|enregistrement mx))",
     r"(?:impossible de (?:trouver|resoudre|localiser) (?:le |l')|il n'existe pas de |aucun serveur de messagerie pour"
     r" (?:le |l')?)"),
    ("it", r"(?:nome (?:di |del )?)?dominio",
     r"(?:(?:e|era|e stato) )?(?:non esiste|inesistente|sconosciuto|non (?:e stato )?trovato|non (?:e )?(?:stato )?risolto"
     r"|non (?:puo|può) essere (?:trovato|risolto)|non ha (?:alcun )?(?:server di posta|record mx))",
     r"(?:impossibile (?:trovare|risolvere) (?:il |l')|non esiste (?:il|alcun)|nessun server di posta per (?:il )?)"),
    ("de", r"(?:(?:empf(?:a|ae)nger|ziel|absender|helo|ehlo|mail-?from|e-?mail)-?)?(?:domain|domane|domaene)(?:-?name)?",
     r"(?:(?:ist|wurde|war) )?(?:existiert nicht(?: mehr)?|gibt es nicht|(?:hier )?unbekannt"
     r"|nicht (?:gefunden|vorhanden|bekannt|aufgelost|aufloesbar|auflosbar)|(?:konnte|kann) nicht (?:gefunden|aufgelost)"
     r" werden|hat keinen (?:mailserver|mx-eintrag|mx-record))",
     r"(?:unbekannte[nr]?|nicht existierende[nr]?|kein(?:e|en)? (?:solche|mailserver fur die))"),
    ("nl", r"(?:(?:ontvanger|afzender)s?)?(?:domein(?:naam)?|hostnaam)",
     r"(?:(?:is|werd) )?(?:bestaat niet(?: meer)?|onbekend|niet gevonden|(?:kan|kon) niet (?:worden )?gevonden(?: worden)?"
     r"|heeft geen (?:mailserver|mx-record))",
     r"(?:onbekende?|niet-bestaande?|geen mailserver voor (?:het |de )?)"),
    ("pl cs sk", r"(?:nazw\w+ )?domen\w*",
     r"(?:nie istnieje|(?:jest )?nieznana|nie zosta[lł]a (?:znaleziona|odnaleziona)|nie znaleziono"
     r"|nie moze (?:zostac|byc) (?:znaleziona|odnaleziona)|nie (?:ma|posiada) (?:serwera pocztowego|rekordu mx)"
     r"|(?:je )?neexistuje|nebyla nalezena|nenalezena|(?:je )?neznama|nelze (?:najit|nalezt|prelozit)"
     r"|nema (?:zadny |ziadny )?(?:postovni server|postovy server|mx zaznam)"
     r"|nebola najdena|nenajdena|nie je mozne najst|nemozno najst)",
     r"(?:nie ma takiej|brak takiej|nieznana|nie mozna (?:odnalezc|znalezc|rozwiazac)|nie (?:znaleziono|odnaleziono)"
     r"|brak rekordu mx dla|neznama|neexistujici|neexistujuca|nelze (?:najit|nalezt)|nie je mozne najst|nemozno najst)"),
    ("tr", rf"(?:{_DOMAIN_NAME} )?(?:alan ad[iı]\w*|etki alan[iı]\w*|domain\w*)",
     r"(?:bulunamad[iı]|bulunmuyor|mevcut degil|yok|gecersiz|cozumlenemedi|cozulemedi)",
     r"(?:boyle bir|bilinmeyen|gecersiz|olmayan|mevcut olmayan)"),
    ("sv da no", r"(?:doman(?:en|namn(?:et)?)?|domæne(?:t|navn(?:et)?)?|domene(?:t|navn(?:et)?)?)",
     r"(?:finns (?:inte|ej)|existerar inte|hittades inte|kunde inte hittas|(?:ar |er )?(?:okand|ukendt|ukjent)"
     r"|findes ikke|eksisterer ikke|finnes ikke|ble ikke funnet|blev ikke fundet|kunne ikke (?:findes|finnes))",
     r"(?:okand|okant|ukendt|ukjent|ingen s(?:a|aa)dan)"),
    ("fi", r"(?:verkkotunnu\w*|toimialue\w*)", r"(?:ei ole olemassa|ei loydy|ei loytynyt|(?:on )?tuntematon)", r"tuntematon"),
    ("ro", r"domeni\w*", r"(?:nu exista|(?:este )?(?:inexistent|necunoscut)\w*|nu a fost gasit\w*)",
     r"(?:necunoscut|inexistent)\w*"),
    ("hu", r"(?:domain|tartomany)\w*", r"(?:nem letezik|nem talalhato|ismeretlen)", r"(?:ismeretlen|nem letezo)"),
    ("vi", r"ten mien", r"(?:khong ton tai|khong (?:the )?tim thay|khong xac (?:đ|d)inh)",
     r"(?:khong (?:the )?tim thay|khong co)"),
    ("id ms", r"(?:nama )?domain",
     r"(?:tidak (?:ditemukan|ada|dikenal|dikenali|wujud|dijumpai)|tak (?:wujud|dijumpai|dikenali))", r"(?:tidak ada|tiada)"),
)
_DOMAIN_ENDS = rf"(?![\w-]){_NOT_AN_ALTERNATIVE}(?!,? of )"
_DOMAIN_PREFIX_CJK = (r"(?:收件人|收信人|收件方|收件|对方|對方|发件人|發件人|寄件人|发信人|發信人|发信|發信|发件方|发送方|發送方"
                      r"|您|你)?(?:的)?(?:所属|所屬)?(?:邮件|郵件)?")
_DOMAIN_SCRIPTS = (
    # Russian, Ukrainian, Bulgarian: the thing, its name or whose, then the predicate; or the
    # predicate first ("Не удалось найти домен", "Нет такого домена"), never a user "в домене".
    rf"(?:им\w* )?(?:домен|хост)\w*(?: {_DOMAIN_NAME})?(?: (?:получател|отправител|адресат|helo|ehlo)\w*)?(?: {_DOMAIN_NAME})?"
    r" (?:не существует|не найден\w*|неизвестен|неизвестн\w*|не удалось найти|не может быть найден\w*"
    r"|не имеет (?:mx|почтового сервера))" + _DOMAIN_ENDS,
    r"(?:не удалось (?:найти|разрешить)|несуществующ\w*|неизвестн\w*|нет такого|нет такой) (?:почтов\w* )?домен\w*"
    rf"(?: {_DOMAIN_NAME})?" + _DOMAIN_ENDS,
    r"(?:такого|такой) (?:почтов\w* )?домен\w* нет" + _DOMAIN_ENDS,
    rf"(?:домен|хост)\w*(?: {_DOMAIN_NAME})?(?: (?:одержувач|отримувач|відправник|адресат)\w*)?(?: {_DOMAIN_NAME})?"
    r" (?:не існує|не знайден\w*|невідом\w*|не вдалося знайти)" + _DOMAIN_ENDS,
    rf"(?:не вдалося знайти|невідом\w*|неіснуюч\w*|немає такого) домен\w*(?: {_DOMAIN_NAME})?" + _DOMAIN_ENDS,
    rf"домейн\w*(?: {_DOMAIN_NAME})?(?: (?:на )?(?:получател|подател)\w*)? (?:не съществува|не е намерен\w*|неизвест\w*"
    r"|непознат\w*)" + _DOMAIN_ENDS,
    r"(?:няма такъв|непознат\w*|несъществуващ\w*) домейн\w*" + _DOMAIN_ENDS,
    # Chinese (simplified and traditional): the thing, its name, then at once the predicate
    # (never "域中不存在该用户", a user not in the domain), or the predicate first.
    rf"{_DOMAIN_PREFIX_CJK}(?:域名|网域|網域|域|主机|主機)(?:名称|名稱)? ?(?:{_DOMAIN_NAME} ?)?"
    r"(?:不存在|找不到|未找到|无法找到|無法找到|无法解析|無法解析|不能解析|解析失败|解析失敗|无效|無效|未知"
    r"|没有mx记录|沒有mx記錄|无mx记录|無mx記錄)" + _NOT_AN_ALTERNATIVE,
    rf"(?:找不到|未找到|无法找到|無法找到|无法解析|無法解析|不存在的|未知的|无效的|無效的)(?:该|該|此)?{_DOMAIN_PREFIX_CJK}"
    rf"(?:域名|网域|網域|域|主机|主機)(?![中内內里裡下上的])(?: ?{_DOMAIN_NAME})?",
    # Japanese: the thing (宛先ドメイン, 送信者のドメイン), its name, then the predicate.
    rf"(?:(?:宛先|受信者|送信者|送信元|差出人|お客様|あなた)の?)?(?:ドメイン|ホスト)名? ?(?:{_DOMAIN_NAME} ?)?(?:が|は)?"
    r"(?:存在しません|存在しない|見つかりません|見つからない|不明(?!な)|無効|解決できません|名前解決できません)"
    + _NOT_AN_ALTERNATIVE,
    rf"(?:存在しない|不明な|無効な)(?:(?:宛先|受信者|送信者|送信元|差出人)の?)?(?:ドメイン|ホスト)(?: ?{_DOMAIN_NAME})?",
    # Korean: "example.org 도메인을 찾을 수 없습니다", never "…거나" (or).
    rf"(?:{_DOMAIN_NAME} )?(?:(?:수신자|받는 사람|발신자|보낸 사람|보내는 사람|귀하)의? ?)?(?:도메인|호스트)(?: {_DOMAIN_NAME})?"
    r" ?(?:이름)?(?:이|가|을|를|은|는)? ?(?:존재하지 않|찾을 수 없|유효하지 않|알 수 없)(?!\S*거나)(?!\S* 또는)",
    rf"(?:존재하지 않는|알 수 없는|유효하지 않은) ?(?:(?:수신자|받는 사람|발신자|보낸 사람)의? ?)?(?:도메인|호스트)(?: {_DOMAIN_NAME})?",
    # Hebrew, Thai.
    rf"ה?(?:דומיין|תחום|מארח)(?: {_DOMAIN_NAME})?(?: (?:של )?ה?(?:נמען|שולח))? (?:אינו קיים|לא קיים|לא נמצא"
    r"|אינו מוכר|לא ידוע)" + _DOMAIN_ENDS,
    r"(?:אין|לא נמצא) (?:כזה )?ה?(?:דומיין|תחום)" + _DOMAIN_ENDS,
    rf"(?:ชื่อ)?โดเมน(?:ของ(?:ผู้รับ|ผู้ส่ง))? ?(?:{_DOMAIN_NAME} ?)?(?:ไม่มีอยู่|ไม่พบ|ไม่ถูกต้อง)(?! ?หรือ)",
)
_DEAD_DOMAIN_WORDS = LazyPattern(_folded("|".join(
    [rf"(?:\b(?:{thing})(?: {_DOMAIN_NAME})?{_DOMAIN_QUALIFIER}{_DOMAIN_FREE_WORD}(?: {_DOMAIN_NAME})? (?:{after}){_DOMAIN_ENDS}"
     rf"|\b(?:{before}) ?(?:{thing})\b(?: {_DOMAIN_NAME})?{_DOMAIN_ENDS})" for _, thing, after, before in _DOMAIN_LANGUAGES]
    + [f"(?:{shape})" for shape in _DOMAIN_SCRIPTS])))
_DOMAIN_RECIPIENT = LazyPattern(_folded(_DOMAIN_RECIPIENT_NOUNS))
_DOMAIN_SENDER = LazyPattern(_folded(rf"{_DOMAIN_SENDER_NOUNS}|{_GRAMMAR_OURS_NOUNS}"))
# Every sentence above holds one of these, folded as the text is (most reports hold none),
# or "domain" with a word of the languages that call it so (German, Turkish, Hungarian,
# Indonesian): English reports hold "domain" often, and no other of these words.
_DOMAIN_KEYS = ("domin", "domaine", "domaene", "domen", "domein", "doman", "domæn", "domeni", "tartomany", "verkkotunnu",
                "toimialue", "hote", "hostnaam", "alan ad", "etki alan", "ten mien", *(_folded(key) for key in (
                    "домен", "хост", "домейн", "域", "主机", "主機", "ドメイン", "ホスト", "도메인", "호스트", "דומיין",
                    "תחום", "מארח", "โดเมน")))
_DOMAIN_SAID_SO = ("existier", "bekannt", "gefunden", "vorhanden", "aufgel", "gibt es", "mailserver", "mx-",
                   "bulun", "mevcut", "yok", "gecersiz", "cozu", "boyle", "bilinmeyen", "olmayan", "letez",
                   "talalhato", "ismeretlen", "tidak", "tak ", "tiada")
RECIPIENT, OURS, UNQUALIFIED = "recipient", "ours", "unqualified"
_NAMED_IN = LazyPattern(r"(?:[a-z0-9-]+\.)+[a-z][a-z0-9-]*")


@functools.lru_cache(maxsize=64)  # (asked by the tables, the domain rules and _names_sender_outright)
def _dead_domains(words: str) -> tuple[tuple[str, str], ...]:
    """Each place the folded `words` say a domain does not exist, with whose domain it is:
    RECIPIENT (a word of the recipient qualifies it), OURS (the sender, MAIL FROM, HELO, our
    client, "your"), or UNQUALIFIED; and the sentence's words."""
    if not any(key in words for key in _DOMAIN_KEYS) and not (
            "domain" in words and any(key in words for key in _DOMAIN_SAID_SO)):
        return ()
    found = []
    for match in _DEAD_DOMAIN_WORDS.finditer(words):
        said = match.group(0)
        clause = _GRAMMAR_CLAUSE_END.split(words[max(0, match.start() - 40):match.start()])[-1]
        clause = _GRAMMAR_CAUSE_START.split(clause)[-1]
        if _DOMAIN_RECIPIENT.search(said):
            owner = RECIPIENT
        elif _DOMAIN_SENDER.search(clause + " " + said) or _DOMAIN_YOURS.search(clause):
            owner = OURS
        elif _DOMAIN_RECIPIENT.search(clause):
            owner = RECIPIENT
        else:
            owner = UNQUALIFIED
        found.append((owner, said))
    return tuple(found)


class _DomainSaidDead:
    """The first sentence of _dead_domains whose domain is ours (`ours`), or the lead's or
    nobody's (not `ours`); `search(words)` as a pattern's."""

    def __init__(self, ours: bool):
        self.ours = ours

    def search(self, words: str):
        return next((said for owner, said in _dead_domains(words) if (owner == OURS) == self.ours), None)


def _says_a_domain_dead_unqualified(words: str, domain: str) -> bool:
    """Whether the folded words say, in the languages of _dead_domains, that a domain does
    not exist, and none of them makes it the recipient's or ours, nor names the lead's
    `domain` (or a name inside it)."""
    found = _dead_domains(words)
    return bool(found) and all(owner == UNQUALIFIED and not any(_inside(name, domain) for name in _NAMED_IN.findall(said))
                               for owner, said in found)


_DEAD_DOMAIN = _DomainSaidDead(ours=False)
_OUR_DOMAIN_SAID_DEAD = _DomainSaidDead(ours=True)
_DOMAIN_SENDER_SAID_DEAD = [("rejected", _OUR_DOMAIN_SAID_DEAD)]  # (read before _ADDRESS)

# Blocklists named in the other languages ("Ваш IP-адрес находится в черном списке",
# "Adres IP nadawcy jest na czarnej liście", "您的IP地址在黑名单中", "IP adresiniz kara
# listede"): an IP, a host or a domain of ours on a list, the sender's (SPEC §6: an IP or
# domain on a blocklist), as "blacklisted" is in English (_AFTER_ADDRESS) — never the lead's
# mailbox, as these read while no table knew the words. Unless a word of the recipient
# stands with the list in the same clause ("收件人已将您列入黑名单", "Der Empfänger hat Sie
# auf seine Sperrliste gesetzt"): the lead's own block list, its settings (filtered), as
# "blocked by the recipient" is in English. Folded text, through _folded.
_BLOCKLIST_NAMES = (
    r"(?:lista negra|lista de bloqueio|lista de bloqueo|lista de bloqueig|liste noire|liste de blocage|lista nera|schwarzen? liste"
    r"|sperrliste|blockliste|zwarte lijst|blokkeerlijst|czarn\w* li[sś]\w*|li[sś]\w* (?:za)?blokowanych"
    r"|[cč]ern\w* (?:listin|seznam)\w*|[cč]iern\w* (?:listin|zoznam)\w*|kara liste\w*|svartlist\w*|sortlist\w*"
    r"|svarteliste\w*|mustalla listalla|mustalle listalle|estolist\w*|lista neagra|feketelist\w*|danh sach den"
    r"|daftar hitam|черн\w* спис\w*|чорн\w* спис\w*|черния списък|черен списък|黑名单|黑名單|ブラックリスト"
    r"|블랙리스트|רשימה שחורה|ברשימה השחורה|บัญชีดำ)")
# (Every name holds one of these, folded; never "listed", which every English report may hold.)
_BLOCKLIST_KEYS = ("lista negra", "lista de bloque", "lista nera", "lista neagra", "liste noire", "liste de blocage",
                   "schwarze liste", "schwarzen liste", "sperrliste", "blockliste", "kara liste", "lijst", "listin",
                   "seznam", "zoznam", "czarn", "blokowanych", "svartlist", "sortlist", "svarteliste", "listalla",
                   "listalle", "estolist", "feketelist", "danh sach den", "daftar hitam", *(_folded(key) for key in (
                       "спис", "黑名单", "黑名單", "ブラックリスト", "블랙리스트", "רשימה שחורה", "ברשימה השחורה", "บัญชีดำ")))
_BLOCKLIST_WORDS = [
    ("filtered", _Keyed(_BLOCKLIST_KEYS, LazyPattern(_folded(
        rf"(?:{_DOMAIN_RECIPIENT_NOUNS})[^.;!?。]{{0,60}}?{_BLOCKLIST_NAMES}"
        rf"|{_BLOCKLIST_NAMES}[^.;!?。]{{0,40}}?(?:{_DOMAIN_RECIPIENT_NOUNS})")))),
    ("blocked", _Keyed(_BLOCKLIST_KEYS, LazyPattern(_folded(_BLOCKLIST_NAMES)))),
]  # (read after _AFTER_ADDRESS, as the English words are)


_ADDRESS = [
    ("hasmoved", _patterns(
        r"has moved", r"has been replaced by", r"moved (permanently|to another|away)",
        r"(address|mailbox|user) (is )?no longer (valid|in use|exists|available|active|at)",
        r"se ha (cambiado|mudado)", r"a change d'adresse", r"ist umgezogen",
        # A mail system's own automatic answer for a leaver's mailbox (postmaster@,
        # MAILER-DAEMON): "<Name> no longer works for <Org>; he may now be reached at …".
        r"\bno longer works? (for|at|with|here)\b")),
    ("hostunknown", _DEAD_DOMAIN),  # (domainwords: before the words of a missing user)
    ("userunknown", _DeadSentences(
        r"(user|recipient|mailbox|address|addressee|account|local ?part|destination) (is )?"
        r"(unknown|not (found|known|valid|exist|present|listed|local)|invalid|does ?n[o']t exist|doesn't exist"
        r"|non-?existent|unavailable|rejected: (unknown|invalid|user|userunknown))",
        # Exchange Online's Directory-Based Edge Blocking (5.4.1): no such recipient in the
        # tenant's directory. Under 5.7.1 the same words are Postfix's generic `reject`
        # restriction (postconf(5): "Access denied", 554 5.7.1), which ends the recipient
        # restrictions of a server that does not relay for us: ours, not the address.
        r"5\.4\.1 recipient address rejected: access denied",
        # (Never "invalid address" bare, a word on its form: the grammar's _GRAMMAR_FORM_ONLY.)
        _GRAMMAR_FORM_ONLY + r"(unknown|invalid|non-?existent|bad|unrecognized|illegal) (local )?"
        r"(user|recipient|mailbox|address|addressee|account|e-?mail address|destination)",
        r"no such (user|recipient|mailbox|address|person|account|local user)",
        r"no (mailbox|account|user|one) (here )?(by that name|at this address|found|with that name|available)",
        r"(user|recipient|mailbox|address|account)( \S+)? (does not|doesn'?t|did not) exist",
        r"(e-?mail )?(address|account|mailbox) (you|that you) (entered|tried to reach|specified)"
        r"( (could not|couldn'?t|does not|doesn'?t|was not|is not))? (be )?(found|exist)",
        r"could ?n[o']t be found", r"not a (valid|known) (user|recipient|mailbox)",
        r"is not a (known|valid) (user|mailbox|recipient)", r"\bnot our customer\b",
        r"requested action not taken: mailbox unavailable", r"mailbox (is )?not available",
        *_NOT_FOUND_AT_DOMAIN,
        # "550 mailbox ana@… unavailable" at RCPT (NetEase/xinnet-hosted servers): RFC 5321
        # §4.2.3's 550 text, with the address; at RCPT and with no other cause named, the
        # mailbox is not there (the stage rule in _judge keeps it from counting elsewhere).
        r"mailbox [\[<(]? ?mailaddr ?[\]>)]? (is )?unavailable",
        # "557 Email address - ana@… - is not available here" (the same, at RCPT).
        r"address\s*-?\s*mailaddr\s*-?\s*is not available here",
        r"resolver\.adr\.recip(ient)?notfound", r"recipnotfound", r"\bbadrcptto\b",
        r"not (listed )?in (my |the )?(validrcptto|(local )?recipient table|directory|address book)",
        r"user ?unknown", r"unknown user", r"recipient address rejected\.?\s*(\(|$)",
        r"(invalid|unknown) (final )?(delivery )?user ?id", r"not listed in .{0,40}directory",
        r"do(es)?n'?t have an? .{1,40} account", r"does not have an? .{1,40} account",
        r"(account|address)( or domain)? may not exist", r"addressee unknown", r"user not found",
        r"recipient not (found|ok|exist)", r"unknown (e-?mail|local)", r"does not have an? .{1,40} account",
        r"don'?t have an? .{1,30} account", r"no such (person|user) at this address",
        r"usuario (desconocido|inexistente|no existe)", r"no existe (dicha persona|ese usuario|el usuario|la (cuenta|direccion|casilla|dirección))",
        r"(direccion|cuenta|buzon|destinatario) (de correo )?(no existe|desconocid[oa]|inexistente|no valid[oa])",
        r"(utilisateur|destinataire|adresse|boite) (e-?mail |aux lettres )?(inconnu|inexistant|invalide|n'existe pas)e?",
        r"(unbekannter?|ungultiger?) (empfanger|benutzer|nutzer|adresse|user|mailbox)",
        r"(empfanger|benutzer|adresse|postfach|user|mailbox) (ist )?(unbekannt|existiert nicht|nicht vorhanden|ungultig)",
        r"(utente|indirizzo|destinatario|casella) (e-?mail )?(sconosciut[oa]|inesistente|non esiste|non valid[oa])",
        *_SAID_AT_ANY_STAGE,
        r"nessun utente", r"(usuario|utilizador|destinatario|endereco|conta|caixa postal) (de e-?mail )?"
        r"(desconhecid[oa]|inexistente|nao existe|invalid[oa])")),
    # The catalogs' sentences, apart and behind a cheap gate: one alternation of all of
    # them would make every report's reading slower.
    ("userunknown", _CATALOG),
    ("userunknown", _CATALOG_MORE),
    ("userunknown", _MTA_CATALOG),  # (mtacatalog)
    ("userunknown", _LIBRARY_DEAD), ("hostunknown", _LIBRARY_NO_DOMAIN),  # (libtables)
    ("hostunknown", _MTA_NO_HOST),  # (mtacatalog)
    ("userunknown", _PROVIDER_DEAD), ("hostunknown", _PROVIDER_NO_DOMAIN),  # (providercatalog)
    ("hostunknown", _patterns(
        # (Never before "or" / "but": possibilities, _NOT_AN_ALTERNATIVE; "Domain may not exist
        # or DNS check failed" is QQ's check of ours, read by the rule on the answering server.)
        r"(host|domain|domain name|hostname) (or domain name )?(is )?(unknown|not found|does not exist|doesn'?t exist"
        r"|must exist|lookup failed)" + _NOT_AN_ALTERNATIVE,
        # Outlook.com: "the domain is not reachable. Please check the domain" (no DNS for
        # it); a HOST not reachable is a network failure (networkerror, below).
        r"domain (name )?(is )?(not reachable|unreachable)",
        r"(unknown|no such|invalid|non-?existent|unresolvable) (host|domain|mail domain)", r"(unrout(e)?able|\bunresolvable) (address|mail domain)",
        r"name or service not known", r"domain (name )?(mentioned in email address )?is unknown",
        r"(host|domain) \S+ (not found|does not exist|doesn'?t exist|could ?n[o']t be found)" + _NOT_AN_ALTERNATIVE,
        r"domain may not exist",
        r"^(\d{3}[ -])?[a-z0-9-]+(\.[a-z0-9-]+)+\.? does not exist",
        r"nxdomain", r"dns records for the destination .{0,30} could not be found", r"no mx (record|host)",
        # An answer with no record at all for the name (NOERROR, no data: RFC 2308 §2.2),
        # once MX and A were asked: nowhere to deliver (RFC 5321 §5.1). Gmail's "DNS server
        # returned answer with no data", Postfix's "Host found but no data record of
        # requested type" (a 4.x.x or "try again" is checked first and stays temporary).
        r"returned answer with no data", r"no data record of requested type",
        # No usable MX for the recipient's domain (issue #25 item 3): 1&1/IONOS's Nemesis
        # "no valid MX hosts found", as Exim's dnslookup router says "all relevant MX
        # records point to non-existent hosts" (matched above); RFC 5321 §5.1: with MX
        # records none of which resolves, the domain cannot receive mail. (A 4.x.x or
        # "try again" with them is still a temporary DNS failure: checked first.)
        r"no valid mx (hosts?|records?)( found)?",
        r"(dominio|domaine|domain) (no existe|inexistant|n'existe pas|existiert nicht|inesistente|nao existe|desconocido|inconnu)"
        + _NOT_AN_ALTERNATIVE)),
    # (Never "does not accept email over IPv6": Exchange Online's 5.7.510, a domain that
    # takes no mail over IPv6, so the sender's route, not the address; Microsoft Learn,
    # "Email non-delivery reports and SMTP errors in Exchange Online".)
    ("notaccept", _patterns(
        r"does not accept (e-?)?mail(?! (from|in|with|containing|sent|over|via)\b)", r"null ?mx", r"accepts no mail", r"mail receiving disabled",
        r"not accepting (any )?(network )?(mail|messages)(?! with| from)", r"(mx|srv) record indicated no smtp service",
        r"no mx (record )?found for (domain|destination)", r"name server: \.: host not found",
        r"no route for current request")),
]

_AFTER_ADDRESS = [
    *_LIBRARY_AFTER_ADDRESS,  # (libtables)
    ("filtered", _patterns(
        r"refused due to recipient preferences", r"user refuses to receive", r"blocked by the recipient",
        r"only accepting mail from specific", r"message rejected due to user rules", r"notauthorized")),
    ("rejected", _patterns(
        r"sender (address )?(rejected|refused|verify failed|is in my black ?list|not pre-approved|is spammer)",
        r"sender was rejected", r"invalid sender", r"domain of sender address", r"sender domain",
        # Haraka's access plugin refusing MAIL FROM: "That sender cannot send mail here"
        # (haraka-plugin-access, deny_msg.mail).
        r"sender (cannot|can ?not|may not|is not (allowed|permitted) to) send",
        # Apple's private email relay ("Hide My Email") refuses a sending domain not
        # registered with it: "550 5.1.1 <bounces+…@…>: unauthorized sender" (Apple's
        # developer documentation of the private email relay service: register the
        # sending domains and addresses first): the 5.1.1 is about our address, not the
        # lead's (issue #25 item 5).
        r"unauthori[sz]ed sender",
        r"bogus mail from", r"null sender is not allowed", r"empty envelope sender",
        r"administrative prohibition", r"mail from not owned", r"you are not allowed to post")),
    ("spamdetected", _patterns(
        r"spam", r"unsolicited", r"bulk (e-?)?mail", r"uribl", r"content (filter )?rejected",
        r"message content (denied|rejected)", r"rejecting (banned|mail) content", r"message filtered")),
    # An admin's words for spam: es, pt, fr, it, ca, de.
    ("spamdetected", _Keyed(("solicit", "desead", "sollicit", "richiest", "desiderat", "sol.licitat", "sol·licitat",
                             "unerwunscht"), _patterns(
        r"(publicidad|correo|mensajes?) no (solicitad|desead)", r"(publicidade|correio|mensage[mn]s?) nao solicitad",
        r"(courrier|message|publicite|courriel)s? non sollicite", r"(posta|pubblicita|messaggi?o?) non (richiest|desiderat)",
        r"(publicitat|correu) no sol.?licitat", r"unerwunschte (werbung|e-?mail|nachricht)"))),
    ("policyviolation", _patterns(
        r"polic(y|ies)", r"organi[sz]ation(al)? settings", r"members-only", r"closed mailing list",
        r"not subscribed to this group", r"illegal attachment", r"mass mailer")),
    ("requireptr", _patterns(
        r"\bptr\b", r"reverse (dns|lookup)", r"rdns", r"cannot find your hostname")),
    ("badreputation", _patterns(r"reputation", r"user complaints")),
    ("blocked", _patterns(
        r"block(ed|list)", r"black ?list(ed)?", r"\brbl\b", r"dnsbl", r"spamhaus", r"spamcop",
        r"not allowed to (send|connect)", r"access denied", r"refused to talk",
        r"(ip|host|network|client host) (address )?(rejected|not allowed|is listed|listed)",
        r"dynamic ip", r"go away", r"too many (connections|messages|recipients)", r"rate limit",
        r"helo command rejected", r"not currently accepting mail from your ip", r"poor reputation")),
    # "Su servidor ha sido bloqueado por el administrador": our server, IP or domain
    # blocked, and access denied, in es, pt, fr, it, ca, de (a mailbox blocked is read
    # before, as suspend).
    ("blocked", _Keyed(("bloque", "blocc", "blocat", "gesperrt", "denegad", "negad", "refuse", "negato",
                        "verweigert"), _patterns(
        r"\b(su|seu|votre|il vostro|il tuo|el vostre|el teu|ihr) (servidor|serveur|server|ip|direccion ip|endereco ip"
        r"|adresse ip|indirizzo ip|adreca ip|dominio|domaine|domini|mailserver)( de correo| de messagerie)?"
        r"( ha sido| fue| esta| foi| a ete| est| e stato| ha estat| wurde| ist)? (bloquead|bloque|bloccat|blocat|gesperrt)",
        r"\b(servidor|ip|dominio|serveur|domaine|server|domini) (bloquead|bloque|bloccat|blocat)[oa]?\b",
        r"\b(acceso denegado|acces denegat|acesso negado|acces refuse|accesso negato|zugriff verweigert)\b"))),
    ("expired", _patterns(
        # (Not qmail-send's "Giving up on HOST.", written under every permanent refusal.)
        r"expired", r"timed? ?out", r"giving up(?! on (?:\d{1,3}(?:\.\d{1,3}){3}|[\w-]+(?:\.[\w-]+)+)\.?(?:\s|$))", r"gave up", r"too long",
        r"could not be delivered for",
        r"failing for a long time", r"retry time not reached", r"delivery attempts will continue",
        r"has been delayed", r"not reachable within", r"(multiple|several|repeated) (retries|attempts)")),
    ("networkerror", _patterns(
        # A host that cannot be reached exists: a network failure, not an unknown host
        # (sisimai's NetworkError; Zoho's "ERROR_CODE :421, Host not reachable").
        r"no route to host", r"host (is )?(not reachable|unreachable)", r"routing loop", r"mail loop", r"too many hops",
        # Postfix: the recipient's domain routes back to the server that answered
        # ("mail for DOMAIN loops back to myself"): its configuration, not the address.
        r"loops back to (myself|me)",
        r"forwarding loop", r"lookup failure", r"connection refused", r"could not connect",
        # Haraka's outbound, when no MX of the domain took the connection, gives up with
        # "Tried all MXs DOMAIN" under 5.1.2 (outbound/hmail.js, try_deliver:
        # DSN.addr_bad_dest_system): every host was tried, so the domain has them.
        r"tried all mx(?:s|es)\b")),
    ("systemerror", _patterns(
        r"system (config|configuration) error", r"local (configuration )?error", r"internal (server )?error",
        r"server is misconfigured", r"service (currently )?unavailable", r"queue file write error")),
    ("contenterror", _patterns(
        r"mime", r"8-?bit", r"invalid header", r"duplicate header", r"header (field )?(is )?(missing|invalid|malformed)",
        # qpsmtpd's headers plugin (plugins/headers): "The Date header is too far in the
        # past" (or future), "We require a valid From header", "Headers are missing";
        # Haraka's data.headers: "The Date header is too old".
        r"header is too (old|far in the (past|future))", r"we require a valid [\w-]+ header", r"headers are missing",
        # A reply that cites the message format's standards refuses the message's form
        # (not RFC 822 itself: "rfc822;" is every DSN's address type, RFC 3464 §2.3.2).
        r"\brfc ?(5322|2822|2047)\b(?! ?;)")),
]

_HOST_UNKNOWN = dict(_ADDRESS)["hostunknown"]

# Words that put a refusal on the sender whatever the number says: a sending account's
# quota or rate (Microsoft 5.2.2 "submission quota", Gmail 4.7.28 / 5.4.5 "daily sending
# quota", Yahoo TSS04 "temporarily deferred due to user complaints"), send-as and login
# (Microsoft 5.2.252 SendAsDenied, 5.7.57, 5.7.60, 5.7.64; Postfix's reject_sender_login
# _mismatch "not owned by user"; RFC 4954 §6 "Authentication required"), and the
# provider's own sending limits. Folded text; tests/fixtures/refusals/README.md cites each.
_SENDER_WORDS = _patterns(
    r"submission quota", r"sending (quota|limit)", r"daily (user )?sending", r"sendasdenied",
    r"send ?as (denied|permission)", r"not (authorized|allowed|permitted) to send",
    # (HestiaCP's Exim ACL for mail that claims a domain it hosts: "550 smtp auth required".)
    r"not owned by (the )?(user|login|sasl)", r"(?<!no )(smtp )?auth(entication)? (is )?required",
    r"must (be )?authenticat", r"client was not authenticated", r"(must|need to) (log ?in|login)",
    r"\bfrom address\b.{0,30}\b(not|mismatch)", r"sender address rejected",
    r"tenant.{0,40}(sending|exceeded)", r"(ip|domain|sender|account)\b.{0,40}\b(rate|quota)\b.{0,20}"
    r"(limit|exceeded)", r"unusual rate", r"user complaints", r"\bts(s|\d)0\d\b",
    r"(listed|blocked) (by|on|in|at) .{0,40}(spamhaus|spamcop|barracuda|sorbs|dnsbl|rbl|blocklist"
    r"|blacklist)", r"client host (\[[^\]]*\] )?blocked", r"reverse (dns|hostname)",
    r"cannot find your (reverse )?hostname", r"message (size )?exceeds fixed (maximum )?message size",
    # A server that answered found DNS records invalid: not the recipient's domain's (its
    # MX led us there, RFC 5321 §5.1) but ours (1&1's and web.de's check of the sender's
    # domain: "mailbox unavailable invalid DNS MX or A/AAAA resource record").
    r"invalid dns (mx|a|aaaa|ptr)\b")



# --- What the open-source mail servers themselves say (issue #25, branch mtatexts) -------
# Their reply and report texts read in their own sources, so that a server's wording
# is known before its first bounce arrives: Postfix (smtpd/smtpd_check.c, local/,
# virtual/, trivial-rewrite/resolve.c), Exim (route.c, acl.c, smtp_in.c, verify.c,
# routers/dnslookup.c, transports/appendfile.c, configure.default), Sendmail
# (sysexits.c and its DSN), notqmail (qmail-local.c, qmail-remote.c, qmail-smtpd.c) and
# qmail with chkuser (sagredo-dev/qmail, chkuser.c), Courier (submit.C, cdmsgq2.C),
# OpenSMTPD (usr.sbin/smtpd/esc.c, lka_session.c, mda.c), Haraka (connection.js and its
# plugins), Dovecot (lmtp, quota), Cyrus (imap/lmtp_err.et), Stalwart, maddy, chasquid,
# mox, WildDuck, hMailServer, Apache James, Citadel, qpsmtpd (lib/Qpsmtpd/DSN.pm),
# Postal, Sympa, Amavis, rspamd; tests/test_server_texts.py cites each text's file.
# Several of them (OpenSMTPD's esc.c, qpsmtpd's DSN.pm, Stalwart, Courier) answer with
# the names RFC 3463 gives its status codes, so those names say what their code says.

# The sender's, in words that also name an address, a domain or a host: read before
# _ADDRESS, whose words of a dead one they would otherwise meet.
# - Our HELO refused: Postfix's reject_unknown_helo_hostname "Helo command rejected: Host
#   not found", mox's "your ehlo domain does not resolve", "HELO hostname unknown".
# - Our sender's domain or address refused, the sender the subject of the sentence:
#   "Sender domain not found", "Sender address does not exist", the qmail mfcheck patch's
#   "your envelope sender domain must exist", XMail's "Your domain has no DNS/MX entries"
#   (SMTPSvr.cpp), Sendmail's check_mail ruleset (cf/m4/proto.m4): 553 5.1.8 "Domain of
#   sender address X does not exist", "Domain name required for sender address", and
#   under 5.1.2 "Illegal MX record for host X" (FEATURE(badmx), the sender's domain);
#   maddy's "Domain in MAIL FROM has null MX record", Haraka's "No MX for your FROM
#   address", chkuser's "can't find a valid MX for sender domain", RFC 3463's X.1.7/X.1.8
#   names "Bad sender's (mailbox|system) address", qpsmtpd's "Bad sender's IP", Stalwart's
#   "Sender address not allowed", chkuser's "sender syntax not allowed", maddy's
#   "Unauthorized use of sender address", Haraka's "Mail from domain 'X' is not allowed
#   from your host", Citadel's "You must log in to send mail from X", Postal's "Mail
#   server has been suspended". (The words Postfix and Exim themselves use are
#   _SENDER_VERIFICATION's.)
# - Relaying refused, whatever the status: Stalwart's "550 5.1.2 Relay not allowed",
#   chasquid's "503 5.7.1 Relay not allowed", qmail's "that domain isn't in my list of
#   allowed rcpthosts", Haraka's "I cannot deliver mail for <X>" when no plugin accepts
#   the recipient's domain (docs/Plugins.md), qpsmtpd's rcpt_ok "mail to X not accepted
#   here", hMailServer's IP-range rule "Delivery is not allowed to this address".
# - Our session refused after too many refused recipients, whatever the next one: Exim's
#   default ACL "Rejected for too many bad recipients" (configure.default).
# Folded text, addresses written "mailaddr".
_SERVER_SENDER_WORDS = [
    ("blocked", _Gated(("helo", "ehlo"), _patterns(
        r"\b(helo|ehlo) command rejected", r"\byour (ehlo|helo) (domain|host ?name|name)",
        r"\b(helo|ehlo) (name|host ?name|domain|argument)\b.{0,20}\b(unknown|not found|invalid|denied|rejected"
        r"|does ?n[o']t|not resolv|must)", r"\binvalid (helo|ehlo)\b",
        # What our greeting's name should have been: DirectAdmin's Exim ACL "HELO should be a
        # FQDN or address literal (See RFC 2821 4.1.1.1)", "Bad HELO - Host impersonating …".
        r"\b(helo|ehlo)\b[^.;]{0,40}\b(should|must|needs? to) (be|contain|resolve|match)\b", r"\bbad (helo|ehlo)\b",
        r"\b(helo|ehlo) (name |host ?name )?(is )?(not|isn'?t) (a |an )?(fqdn|fully[- ]qualified)"))),
    ("rejected", _Gated(("sender", "mail from", "from address", "log in", "login", "suspended", "your domain",
                         "illegal mx"), _patterns(
        r"\b(envelope )?sender'?s? (e-?mail )?(address )?(domain )?(name )?(is )?(unknown|not found|does ?n[o']t exist"
        r"|not exist|must exist|must resolve|invalid|not valid|unresolvable)",
        r"\bsender [\[<(]? ?mailaddr ?[\]>)]? (does not|doesn'?t) exist", r"\b(unknown|unrout(e)?able) sender\b",
        r"\byour (sending |e-?mail |mail )?domain (name )?(does not exist|doesn'?t exist|not found|is unknown"
        r"|has no (dns|mx))",
        r"\bdomain of (the )?sender\b", r"\bdomain in mail from\b", r"\bfor (your|the) (envelope )?from address",
        r"\bfor sender domain\b", r"\bbad sender'?s? (mailbox |system )?(address|ip)\b",
        r"\bsender (address |syntax )+not allowed", r"\bunauthori[sz]ed use of sender",
        r"\bmail from domain .{0,80}not allowed from your host", r"\bmust log ?in to send",
        r"\billegal mx record for host\b", r"\b(real )?domain name required for sender address\b",
        r"\bmail server has been suspended"))),
    ("blocked", _Gated(("bad recipients",), _patterns(r"\btoo many bad recipients\b"))),
    ("norelaying", _Gated(("relay", "rcpthosts", "cannot deliver mail for", "not accepted here",
                           "not allowed to this address"), _patterns(
        r"\brelay(ing)? (is )?not allowed", r"\bnot in my list of allowed rcpthosts",
        r"isn'?t in my list of allowed rcpthosts", r"\bi cannot deliver mail for\b",
        r"\bmail to\s*mailaddr\s*not accepted here", r"\bdelivery is not allowed to this address"))),
]

# The sender's or the message's, in words no other table reads: our SMTP client's
# conduct refused by Postfix (postscreen/postscreen_smtpd.c "521 5.5.1 Protocol error",
# "521 5.7.0 Error: I can break rules, too. Goodbye." after a pregreet or pipelining
# test, under the 521 of a host that takes no mail, RFC 7504; smtpd/smtpd.c "Error: SMTP
# protocol synchronization", "Improper use of SMTP command pipelining", "Must declare
# SMTPUTF8 to send unicode address", "Error: insufficient authorization"; its client
# rate limit, "Error: too much mail from IP", is read with the sender's limits,
# _SENDER_LIMIT, before an expiry's words); Exim's default ACL's
# "maximum allowed line length is 998 octets", "header syntax" and (commented out there,
# with the malware condition) "This message contains a virus (NAME)"; amavis's "Reject,
# id=… - INFECTED: …" and "- BANNED: …" (a file type refused), qpsmtpd's virus plugins
# "Virus Found: …", its DomainKeys check, RFC 3463's X.7.1 name "Delivery not
# authorized, message refused" (OpenSMTPD, qpsmtpd, Courier), Spamhaus's lists by name
# (maddy "Listed in SBL", "Listed in PBL"), a limit of recipients per message or
# session (chkuser "reached maximum number of recipients allowed in one session", James
# "max recipients reached"), iRedAPD's policy refusals (libs/__init__.py: "Message size
# is too large", "Not authorized"), the rejection text mailcow sets for rspamd ("This
# message does not meet our delivery requirements", data/conf/rspamd/override.d/
# worker-proxy.inc). A server's own trouble that it answers under 5.1.1 all the same
# (Kopano's dagent, spooler/DAgent.cpp: "503 5.1.1 Connection error: …" when it cannot
# reach its storage server, "503 5.1.1 Failed to add user to recipients"): the words name
# the cause, the mailbox's server, not a dead address. And the recipient's own settings:
# Cyrus's ACL "You do not have permission to post a message to this mailbox" (the
# mailbox's, not ours).
_SERVER_OTHER_WORDS = [
    ("virusdetected", _Gated(("infected", "virus"), _patterns(
        r"\binfected\b", r"\bvirus (found|detected)", r"\bcontains a virus\b"))),
    ("syntaxerror", _Gated(("protocol", "break rules", "pipelining", "smtputf8", "not implemented"), _patterns(
        r"\bprotocol error\b", r"\bcommand not implemented\b", r"\bi can break rules, too\b",
        r"\bsmtp protocol synchronization\b",
        r"\bimproper use of smtp command pipelining\b", r"\bmust declare smtputf8\b"))),
    ("rejected", _Gated(("insufficient author",), _patterns(r"\binsufficient authori[sz]ation\b"))),
    ("contenterror", _Gated(("line length", "header syntax"), _patterns(
        r"\bmaximum allowed line length\b", r"\bheader syntax\b"))),
    ("policyviolation", _Gated(("banned", "not authori"), _patterns(
        r"- banned\b", r"\bdelivery not authori[sz]ed,? message refused"))),
    ("authfailure", _Gated(("domainkeys",), _patterns(r"\bdomainkeys\b"))),
    ("blocked", _Gated(("listed in",), _patterns(r"\blisted in (the )?(spamhaus )?(sbl|xbl|pbl|css|dbl)\b"))),
    ("toomanyconn", _Gated(("recipients",), _patterns(r"\bmax(imum)? (number of )?recipients\b"))),
    ("mesgtoobig", _Gated(("too large", "too big"), _patterns(r"\bmessage size is too (large|big)\b"))),
    ("spamdetected", _Gated(("delivery requirements",), _patterns(r"\bdoes not meet our delivery requirements\b"))),
    ("policyviolation", _Gated(("not authori",), _patterns(r"\brejected: not authori[sz]ed\b"))),
    ("systemerror", _Gated(("connection error", "add user to recipients"), _patterns(
        r"\bconnection error\b", r"\bfailed to add user to recipients\b"))),
    ("filtered", _Gated(("permission to post",), _patterns(
        r"(do not|don'?t) have permission to post (a message )?to this mailbox"))),
]


class _Unless:
    """A table that does not count in a text holding `words` (a phrase that puts its
    sentences under another owner)."""

    def __init__(self, words: str, table: _Gated):
        self.words, self.table = words, table

    def search(self, text: str):
        return None if self.words in text else self.table.search(text)


# A mailbox that takes mail only from the senders its owner allows, naming the recipient
# as the one we may not write to (Kolab's "Sender X is not allowed to send to recipient
# Y", in its translations): the lead's mailbox's rule, not our sending; never under
# Postfix's "Sender address rejected:", a check keyed on our address. (A list's refusal
# of a non-member's post stays the sender's, as tests/test_list_mail.py holds: offered
# again, no lead charged.)
_ONLY_ALLOWED_SENDERS = _Unless("sender address rejected", _Keyed(
    ("allowed to", "authorized to", "authorised to", "permitted to", "darf nicht an", "autorise", "toegestaan",
     "enviar", "inviare", "spedire"), _patterns(
        r"\bnot (allowed|authori[sz]ed|permitted) to send( (mail|messages?|e-?mails?))? to "
        r"((the |this )?recipient\b|[<\[(]? ?mailaddr)",
        r"\bdarf nicht an (empfanger )?[<\[(]? ?mailaddr",
        r"\bn'?est pas autorisee? (a |d')(envoyer|ecrire)\b[^.;]{0,30}mailaddr",
        r"\bniet toegestaan (om )?(te )?(versturen|verzenden|mailen)\b[^.;]{0,30}mailaddr",
        r"\bno (esta autorizad[oa]|tiene permiso|puede|se le permite) (a |para )?enviar\b[^.;]{0,40}"
        r"(mailaddr|destinatari[oa])",
        r"\bnao (esta autorizad[oa]|tem permissao|pode|e permitido) (a |para )?enviar\b[^.;]{0,40}"
        r"(mailaddr|destinatari[oa])",
        r"\bnon (e autorizzat[oa]|puo|ha il permesso di) (a )?(inviare|spedire)\b[^.;]{0,40}"
        r"(mailaddr|destinatari[oa])")))


# What admins write into their servers' refusals (issue #25, session 19: texts taken from
# real sites' Exim ACLs, Postfix access maps and policy services, Sendmail access tables,
# Haraka, OpenSMTPD and hosting panels' templates, in public repositories). Each names
# its cause in words of its own, under the bare 550 and 5.0.0 or Postfix's filler 5.7.1,
# and the words must decide. Read before every other table: "Too many unknown users" is
# a count of our session's failures, not the lead's dead address; "Rate limit exceeded …
# Try again later" is our rate, whatever "try again" says; "Sending domain has no MX
# record" is our domain. Folded text, addresses written "mailaddr".
_ADMIN_WORDS = [
    ("filtered", _ONLY_ALLOWED_SENDERS),
    # The receiving server's own scanner or lookup failing is its trouble, not a virus or
    # a block found in our mail ("Virus scanner error", "Unable to scan for viruses",
    # "Rspamd scan timeout", "DNS error on bl.spamcop.net"): the lead's mailbox's, retried.
    # (Never "Message failed virus scanning": the message failed the scan, a virus found.)
    ("temporary", _Keyed(("scan", "virus filter", "spam filter", "malware filter", "dns error on"), _patterns(
        r"\b(virus|spam|malware) ?(scanner|filter|scan)s?\b[^.;]{0,20}\b(error|failure|timed? ?out|timeout"
        r"|unavailable|not available|not responding)\b", r"\b(virus|spam|malware) ?(scanner|filter)s? (has )?failed\b",
        r"\b(error|unable|failure)\b[^.;]{0,30}\b(scan(ning)?|scanner)\b",
        r"\brspamd scan (timeout|error|failed)\b", r"\bdns error on\b"))),
    # SPF, DKIM or DMARC failing names our domain's records, whatever else the words say
    # ("temporarily rejected: SPF check failed"; Outlook's "sending domain … does not pass
    # DMARC verification"); a mere mention, advice in a spam refusal, is not one.
    ("authfailure", _Keyed(("spf", "dmarc", "dkim"), _patterns(
        r"\b(spf|dmarc|dkim)\b[^.;]{0,30}\b(check|fails?|failed|failure|deny|denied|error|returns|softfail|permerror"
        r"|temperror|verification|record for|not found)\b", r"\b(fails?|failed|pass|not pass) (spf|dmarc|dkim)\b",
        r"\bcheck(ing)? (the |our |your )?(spf|dmarc|dkim)\b"))),
    # Our own address checked, or claimed where we may not.
    ("rejected", _Keyed(("sender", "sending domain", "mail from", "spoof", "must match your login", "not your domain",
                         "come from", "own address", "local mail", "from that domain", "from this domain",
                         "from your domain", "of sender", "of the sender", "mail exchanger"), _patterns(
        r"\b(e-?mail|mail|messages?) from (that|this|your) domain (is |are )?not accepted\b",
        r"\bdomain \S+ of (the )?sender\b", r"\byour mail exchangers?\b",
        r"\bmail not permitted from (sender|host)\b", r"\b(banned|bad) sender\b", r"\bsender (location|asn)\b",
        r"\bas a valid sender\b", r"\bcan'?t verify sender\b", r"\bunauthenticated local mail\b",
        r"\b(invalid use of|disallowed for)[^.;]{0,30}null sender\b", r"\bsender address <> disallowed\b",
        r"\bsend as your own address\b",
        r"\bsender (address )?verification (failed|failure)", r"\bsender (address )?not accepted\b",
        r"\b(sending|sender'?s?) domain\b", r"\bmail from [<\[(]? ?mailaddr ?[>\])]? not allowed\b",
        r"\bno mail should ever come from\b", r"\bsender claims\b", r"\bspoof(ing|ed)?\b",
        r"\bmust match your login\b", r"\bnot your domain\b",
        r"\benvelope sender\b[^.;]{0,60}\b(must|not allowed|is not|containing)\b"))),
    ("blocked", _Keyed(("spfbl",), _patterns(r"\bspfbl\b[^;]{0,40}\bblocked\b"))),
    # Our client's login, TLS or HELO.
    ("rejected", _Keyed(("authenticat", "auth", "log in", "login", "credentials", "registered account", "sign in",
                         "demo account"), _patterns(
        r"\b(not|never) authenticated\b", r"\bauthentication (is )?(required|needed|credentials)\b",
        r"\bsmtp[- ]?auth\b", r"\b(please|must|you need to) log ?in\b", r"\bapi credentials\b",
        r"\bwith a registered account\b", r"\bsign in to send\b", r"\bdemo accounts? may not send\b",
        r"\b(need|needs|have|has|must) to be authenticated\b", r"\bunauthenticated session\b"))),
    ("securityerror", _Keyed(("tls",), _patterns(
        # (Not Postfix's own "TLS is required, but was not offered by host": the lead's
        # server offered none, which our relay required.)
        r"\brequires? (a )?(starttls|tls)\b", r"\b(starttls|tls) (connection )?(is )?required\b(?!,? but was not offered)"))),
    ("securityerror", _Keyed(("encryption is required",), _patterns(r"\bencryption is required (from|to|for)\b"))),
    ("blocked", _Keyed(("helo", "ehlo", "invalid hostname", "invalid host name"), _patterns(
        # (Spamilter's "Invalid hostname 'HELO'"; never a bare "Invalid host name", the
        # recipient's domain in the bounce libraries' rules.)
        r"\binvalid (helo|ehlo) host ?name\b", r"\binvalid host ?name '[^']+'",
        r"\bforged (ip in )?(helo|ehlo)\b", r"\b(helo|ehlo) (host )?(matches|mismatch|host_mismatch)\b",
        r"\b(helo|ehlo) mismatch\b", r"\bsay (helo|ehlo) first\b", r"\binvalid-helo\b", r"\bhelo name\b",
        r"\b(helo|ehlo) required\b", r"\bip-(only|starting) helo\b",
        r"\b(ehlo|helo)\b[^;]{0,60}?\b(can ?not|could not|does not|doesn'?t) (be )?resolved?\b"))),
    # Our rate, our sending quota, our session's failures, our transaction's shape.
    ("speeding", _Keyed(("rate limit", "ratelimit", "rate overlimit", "sender rate", "too many", "too much",
                         "too fast", "limit", " per ", " por ", " pro ", "kontingent", "exceeded", "excess connection",
                         "past", "transfer quota"),
                        _patterns(
        r"\brate ?limit(ed)? (is )?(exceeded|reached|reach|hit)\b", r"\brate overlimit\b",
        r"\b(sending|sent|send|sends) too (many|much|fast)\b", r"\btoo many (e-?mails|messages|mails) (too fast|in \d)",
        r"\b(daily|hourly|monthly|weekly) (sending |send |message |mail )?(limit|quota) (is )?(reached|exceeded|exhausted)",
        r"\bexceeded (our|the|your) (daily |hourly |monthly )?(sender|sending|send|ip|daily|hourly|monthly) limit\b",
        r"\bonly \d+ (reports|messages|e-?mails|mails) per (second|minute|hour|day)\b", r"\bmonatskontingent\b",
        # "Limite de 300 e-mails por hora atingido", "max 500 emails per user per hour", "exceeded 4
        # messages in 30 minutes", "Sender rate 62.3 / 1h", "Excess connection attempts"
        r"\b\d+ (e-?mails|messages|mails|mensagens|mensajes|correos|nachrichten) (per|por|pro) "
        r"((user|domain|server|usuario|dominio) (per |por )?)?(second|minute|hour|day|segundo|minuto|hora|dia|stunde|tag)\b",
        r"\bexceeded \d+ (messages|e-?mails|mails) in\b", r"\bsender rate \d", r"\bexcess connection attempts\b",
        r"\byour rate is \d", r"\bonly \d+ (letters|messages|e-?mails|mails) per \d*\s?(h|hour|m|min|minute|d|day)\b",
        # "more than 200 messages in past 1h0m0s from your ip/network" (mox), "Session exceeded transfer quota"
        r"\bmore than \d+ (messages|e-?mails|mails) in (the )?past\b", r"\bsession exceeded transfer quota\b"))),
    ("blocked", _Keyed(("too many", "failed recipients", "rejected recipients"), _patterns(
        r"\btoo many (\(\d+\) )?(unknown users|failed recipients|rejected recipients|invalid recipients|bad recipients"
        r"|rcpt failures|recipient failures|invalid addresses|bad addresses|errors)\b",
        r"\bnumber of failed recipients\b", r"\bmax \d+ failed recipients\b"))),
    ("toomanyconn", _Keyed(("one recipient", "domains per", "mixed recipient", "connections", "attempts", "rcpt",
                            "recipients", "per session", "per connection"), _patterns(
        r"\btoo many (concurrent |simultaneous |parallel )?connections (from|per)\b",
        r"\btoo many (recipient|rcpt) attempts\b", r"\bmax(imum)? (rcpt|recipients?) (limit )?exceeded\b",
        r"\bmax(imum)? (number of )?messages per (session|connection) (exceeded|reached)\b",
        r"\bone recipient (at a time|per (transaction|message|session))\b",
        r"\bmultiple destination domains per transaction\b", r"\bmixed recipient types\b"))),
    # The message itself: its attachments, headers, lines, size or score.
    ("contenterror", _Keyed(("attachment", "extension", "file name", "filename", "files are not", "file type",
                             "executable", "header error", "header syntax", "invalid header", "headers fail",
                             "headers contain", "required header", "subject header", "message-id header", "date header",
                             "from header", "must have a", "header from", "header reply", "header sender",
                             "line length", "content-disposition", "non-text", "in the subject", "boundary length",
                             "fragments", "header lines", "header size", "header content", "archive", "zip",
                             "forbidden file", "dangerous", "no subject"),
                            _patterns(
        r"\b(unacceptable|disallowed|forbidden|banned|dangerous|blocked|unwanted|prohibited) (file |binary )?"
        r"(attachment|extension|file ?name|file ?type)s?\b", r"\bunwanted binary attachment\b",
        r"\battachments? (of this type |type )?(is |are )?(not (allowed|accepted|permitted)|forbidden|blocked|refused)\b",
        r"\bbad attachment\b", r"\b\w+ files are not (accepted|allowed|permitted)\b", r"\bfile ?name too long\b",
        r"\bexecutable (files?|attachments?|content)\b", r"\bline length\b", r"\bheader (error|syntax)\b",
        r"\binvalid header\b", r"\b(no|missing) (subject|message-id|date|from) header\b", r"\bmust have an? \S+ header\b",
        r"\bheader (from|reply(-to)?|sender) (exists?|have|has)\b", r"\bcontent-disposition\b", r"\bnon-text message\b",
        r"\bin the subject( line)?\b", r"\bboundary length\b", r"\bheaders? (fail|contain invalid) syntax",
        r"\bmissing (one or more )?required headers?\b",
        r"\b(invalid|bad|malformed|unparseable|empty|missing)\b[^.;]{0,40}\bfrom header\b",
        r"\bheader (lines|size)\b[^.;]{0,20}\btoo (many|large|big|long)\b", r"\brequired header '?[\w-]+'? (is )?missing\b",
        r"\binvalid [\w-]+ header content\b", r"\b(encrypted|password[- ]protected|nested) (archives?|zip( files?)?)\b",
        r"\bforbidden file ?type\b", r"\bdangerous (payload|attachment|file)", r"\bno subject (nor|or|and) (a )?body\b", r"\b(do not|does not|don'?t) accept\b[^.;]{0,40}"
        r"\b(attachments|executables)\b", r"\bmessage fragments\b"))),
    ("virusdetected", _Keyed(("malware",), _patterns(r"\bmalware\b"))),
    ("mesgtoobig", _Keyed(("size",), _patterns(r"\bmessage size \d+ ?> ?\d+"))),
    ("spamdetected", _Keyed(("points",), _patterns(r"\bscored? \d+(\.\d+)? points\b"))),
    ("spamdetected", _Keyed(("phishing",), _patterns(r"\bphishing\b"))),
    ("authfailure", _Keyed(("altered",), _patterns(r"\bbody has been altered\b"))),  # (a DKIM body hash)
    ("badreputation", _Keyed(("karma",), _patterns(r"\bbad karma\b"))),  # (Haraka's karma plugin: our score)
    # Our IP or host.
    ("blocked", _Keyed(("accept connections", "accept mail", "proxy", "ip ranges", "reputation", "ban"), _patterns(
        r"\b(server|system|host|site|we) (does not|do not|doesn'?t|don'?t) accept (connections|mail( submission)?) from\b",
        r"\b(unsecured|open) proxy\b",
        r"\bauthori[sz]ed ip ranges\b", r"\bpoor reputation\b", r"\btransient ban\b"))),
    ("requireptr", _Keyed(("dns", "rdns", "ptr"), _patterns(
        r"\bno (dns|reverse dns|f?c?rdns|ptr)( entries| records?)?( for your\b|$|\b(is|are) so\b)"))),
    ("norelaying", _Keyed(("local recipients", "handle mail for", "relevo", "remote domains", "local to this"),
                          _patterns(
        r"\bonly accepts local recipients\b", r"\bi don'?t handle mail for\b", r"\brelevo no permitido\b",
        r"\bmailing to remote domains not supported\b", r"\bnot local to this site\b"))),
    # The lead's own mailbox shut to us by its owner's or admin's rule.
    ("filtered", _Keyed(("blocked", "only accepts", "privacy", "access", "listed", "banned"), _patterns(
        r"\b(your )?recipient (address )?(has been|is) (blocked|black ?listed|block ?listed|deny ?listed|banned)\b",
        r"\b(black ?listed|block ?listed|banned) recipient\b",
        r"\bonly accepts (mail|messages|e-?mails?) from (authori[sz]ed|approved|known|registered)\b",
        r"\bprivacy settings\b", r"\bhas (no|only) (international|local domain|local|internal) access\b"))),
    ("temporary", _Keyed(("policy service",), _patterns(r"\bpolicy service is (unavailable|not available|down)\b"))),
    # A dead address or domain in the admin's own words.
    ("hostunknown", _Keyed(("obsolete", "no longer", "not in service", "inbound mail", "cannot route",
                            "fully", "sending to"), _patterns(
        r"\bdomain\b[^;]{0,60}?\b(is )?(obsolete|no longer (supported|served|hosted|in (use|service)|active|valid))\b",
        r"\bdomain is not in service\b", r"\binbound mail is not configured\b",
        r"\bcannot route to (remote )?domain\b", r"\brecipient domain must be (a )?fully[- ]qualified\b",
        # A relay's own refusal of a destination for every sender: reserved names, placeholders.
        r"\bsending to\b[^;]{0,60}\b(domains?|tld)\b[^;]{0,40}\bnot allowed\b"))),
    ("notaccept", _Keyed(("address do", "address wi", "address wo", "no reply", "no-reply", "noreply", "not accepted",
                          "not being accepted"), _patterns(
        # qmail's badrcptto ("sorry, mail to that recipient is not accepted (#5.7.1)"), an
        # admin's "Mail is not being accepted at this address".
        # (Not "mail to ADDRESS not accepted here": qmail's badmailfromto says so of a
        # sender and recipient pair, as badrcptto of the address.)
        r"\b(mail|messages?|e-?mails?) (to|for) (that|this|the) (recipient|address|user|mailbox) (is |are )?not accepted\b",
        r"(?<![a-z] )(?<![a-z]-)\b(mail|messages?|e-?mails?) (is |are )?not (being )?accepted (at|for) (this|that) "
        r"(address|recipient|mailbox)\b",  # (not "bulk mail is not accepted at this address": a kind of mail)
        r"\b(this |the )?(e-?mail )?address (does not|doesn'?t|will not|won'?t) (accept|receive|take) "
        r"(any |incoming )?(mail|messages|e-?mails?|replies)\b", r"^\W*(\d{3}\W+)?no[- ]?reply (mail ?box|address)\b"))),
    ("userunknown", _Keyed(("expired address", "expired email", "expired e-mail", "address expired",
                            "address has expired", "or expired", "mail box", "restricted characters", "in address",
                            "in the address", "caracteres", "recipient verification", "recipient address verification"),
                           _patterns(
        # Exim's configure.default: a local part it never delivers.
        r"\brestricted characters in (local |remote )?address\b",
        r"\b(bad|invalid|illegal|incorrect|forbidden) (chars|characters|symbols?) in (the )?address\b",
        r"\bcaracteres (invalidos|no validos|no permitidos) en (la )?direccion\b",
        r"\brecipient (address )?verification failed\b", r"\bexpired (e-?mail )?address\b", r"\baddress (has )?expired\b",
        r"\b(not found|unknown) or expired\b", r"\bmail box (does not|doesn'?t) exist\b"))),
    ("hasmoved", _Keyed(("instead", "resend", "re-send"), _patterns(
        r"\buse [<\[(]? ?mailaddr ?[>\])]? instead\b", r"\bre-?send (your message )?to [<\[(]? ?mailaddr\b"))),
]


@functools.lru_cache(maxsize=256)  # (one report's words are asked again for each failure and owner)
def _admin_reason(words: str) -> str | None:
    """The cause _ADMIN_WORDS reads in folded `words`, or None."""
    for reason, table in _ADMIN_WORDS:
        if table.search(words):
            return reason
    return None


class _AdminSenderWords:
    """_ADMIN_WORDS' causes of ours, as one pattern among _OTHER_CAUSES."""

    @staticmethod
    def search(words: str) -> bool:
        return _admin_reason(words) in SENDER_REASONS


# A dead address in the servers' own words, believed with no SMTP stage (the servers
# that hold the mailbox or the list write them): RFC 3463's X.1.1 and X.1.3 names "Bad
# destination mailbox address [syntax]" and X.1.2 "Bad destination system address"
# (OpenSMTPD esc.c, qpsmtpd DSN.pm, Stalwart), chkuser's "can't find a valid MX for rcpt
# domain", hMailServer's "No mail servers appear to exists for the recipient's address"
# (ExternalDelivery.cpp: DNS answered, and named no mail server), WildDuck's LMTP
# "Unknown recipient" (never Exchange's summary "unknown recipient or mailbox
# unavailable", which stands over any 550), the validrcptto patch's "sorry, this
# recipient is not in my validrcptto list" (qmail-smtpd's list of the mailboxes it
# holds; jms1's combined patch), DBMail's LMTP "550 Recipient <ADDRESS> FAIL" (src/lmtp.c:
# the address resolves to no user), and Sympa's "List unknown" / "The following address
# is not a known mailing list" (default/mail_tt2/list_unknown.tt2), Schleuder's "No list
# found with this address" and Mailman 2's "post script, list not found: LIST" (their
# pipes' output under Postfix's 5.3.0 "Command died").
# (A list manager saying it holds no such list, also as a pipe's output: bounces.py.)
NO_LIST_SENTENCES = (
    r"\blist unknown\b", r"\bis not a known mailing list\b",
    r"\bno (such )?(mailing[- ]?)?list (found )?(with|at|for|by) (this|that|the) (address|name)\b",
    r"\bno such (mailing[- ]?)?list\b", r"\blist not found\b")
_SERVER_DEAD_ADDRESS = [
    ("userunknown", _Gated(("destination mailbox", "unknown recipient", "list unknown", "mailing list", "validrcptto",
                            " fail", "no list", "no such list", "list not found"),
                           _DeadSentences(
        r"\bbad destination mailbox address\b", r"\bunknown recipient\b",
        r"\brecipient is not in my validrcptto list\b", r"\brecipient [\[<(]? ?mailaddr ?[\]>)]? fail\b",
        *NO_LIST_SENTENCES))),
    ("hostunknown", _Gated(("destination system", "valid mx", "mail servers appear"), _patterns(
        r"\bbad destination system address\b", r"\bcan'?t find a valid mx for (rcpt|recipient) domain\b",
        r"\bno mail servers appear to exists? for the recipient'?s address"))),
]
_SERVER_DEAD_ADDRESS_SAYS = _AnyOf(*(pattern for _, pattern in _SERVER_DEAD_ADDRESS))

# A refusal that says the person has gone, in no status of its own: the texts a hosting
# admin gives a leaver's address (Exim's ":fail:" redirect, Sendmail's virtusertable
# "error:" and Postfix's access maps take any text, and Exim and Postfix answer it under
# the bare 550 and 5.0.0). The departure notices' own sentences (departures.GONE: "ya no
# trabaja en …", "has left Acme."), a new address given ("Su nueva dirección es mailaddr",
# "is now at mailaddr"), or the address said moved ("Usuario trasladado"): the address is
# gone (SPEC §7's "has moved"). Not departures.DEAD_ADDRESS: in a refusal its
# "deactivated", "closed" and "inactive" are a disabled mailbox, the lead's mailbox's (SPEC
# §7). Read only where no other words named a cause. Folded text, addresses "mailaddr".
# Behind keys, in every script: the tables are long, and a report's text (a CJK or
# Cyrillic one too) is searched whole. Every sentence of departures.GONE and the lines
# below holds one of these once folded; test_departures_more checks it on every sentence
# its tests give.
_DEPARTED_KEYS = (
    "longer", "any more", "anymore", "left", "departed", "retired", "moved on",  # en
    "ya no", "no trabaja", "no forma", "no pertenece", "dejado", "dejo",  # es
    " plus ", "quitte",  # fr
    "nicht mehr", "nicht langer", "verlassen", "ausgeschieden",  # de
    "nao ", "deix", "saiu ", "sai d",  # pt
    "piu", "lasciato",  # it
    "niet meer", "niet langer", "verlaten", "uit dienst",  # nl
    "juz", "zakonczy", "langre", "kvar", "slutat", "lamnat", "laengere", "fratradt", "lenger", "sluttet",  # pl, sv, da, no
    "længere", "enaa", "lopettanut", "nepracuj", "z neni", "ukoncil", "vairs", "artik", "artık", "ayril", "ayrıl",  # da, fi, cs, lv, tr
    "больше не работа", "уже не работает", "не работает в", "покинул", "уволил",  # ru
    "退職", "退社", "离职", "離職", "不再", "퇴사",  # ja, zh, ko
    "new ", "nueva", "nuevo", "nouvel", "neue", "novo", "nuov", "nieuw", "is now", "can now", "ahora", "desormais",
    "jetzt", "agora", "ora e", "trasladad")
_DEPARTED = _Keyed(_DEPARTED_KEYS, _patterns(
    *departures.GONE,
    r"\b(new|nueva|nuevo|nouvel(le)?|neue|novo|nuovo|nuova|nieuwe?) (e-?mail |mail |contact )?(address|direccion"
    r"|correo|e-?mail|adresse|e-?mail-?adresse|endereco|indirizzo|e-?mailadres|mailadres|adres)\b[^.;]{0,40}?mailaddr",
    r"\b(is now (at|reachable at)|can now be reached at|ahora (esta|se encuentra) en|est desormais joignable a"
    r"|ist jetzt unter|agora esta em|ora e (a|su)) mailaddr",
    r"\b(usuario|buzon|cuenta|direccion|correo) trasladad[oa]\b", r"\bse ha trasladado\b"))

# A refusal that says the account was deleted, in no status of its own: what an admin's
# ACL or access map says of a mailbox removed ("La casilla mailaddr fue dada de baja.
# Comuníquese con la persona por otro medio", an ISP's Exim "message ="): the address is
# gone, as a leaver's. Deleted, removed, cancelled: not "closed", "disabled" or
# "terminated", a mailbox's state (the suspend table). en, es, pt, fr, it, ca, de.
_DELETED_KEYS = ("delete", "removed", "cancel", "eliminad", "borrad", "de baja", "suprimid", "excluid",
                 "removid", "apagad", "supprime", "efface", "resili", "cancellat", "eliminat", "rimoss",
                 "esborra", "de baixa", "geloscht", "entfernt")
_DELETED = _Keyed(_DELETED_KEYS, _patterns(
    r"\b(account|mail ?box|e-?mail address|address|user)(\s+mailaddr)?\s+(has been|was|is) (deleted|removed|cancell?ed)\b",
    r"\b(cuenta|buzon|casilla|direccion|usuario|correo)( de correo)?(\s+mailaddr)?\s+(fue|ha sido|esta)"
    r" (eliminad|borrad|dad|cancelad|suprimid)[oa]s?( de baja)?\b",
    r"\b(conta|caixa( postal)?|endereco|usuario)(\s+mailaddr)?\s+(foi|esta) (excluid|removid|cancelad|apagad)[oa]\b",
    r"\b(compte|boite( aux lettres)?|adresse)(\s+mailaddr)?\s+(a ete|est) (supprime|efface|resilie)e?\b",
    r"\b(account|casella( di posta)?|indirizzo)(\s+mailaddr)?\s+(e stat[oa]) (cancellat|eliminat|rimoss)[oa]\b",
    r"\b(compte|bustia|adreca)(\s+mailaddr)?\s+(ha estat|fou|va ser) (eliminad|esborrad|donad)[ae]( de baixa)?\b",
    r"\b(compte|bustia|adreca)(\s+mailaddr)?\s+s'ha (donat de baixa|eliminat|esborrat)\b",
    r"\b(konto|postfach|adresse)(\s+mailaddr)?\s+(wurde|ist) (geloscht|entfernt)\b"))

# The message itself refused, in words that name nothing else, under no status that
# says more: "Message rejected: shortened links are not allowed", an admin's Exim ACL or
# access map, in en, es, pt, fr, it, ca, de. Our message's, as "content refused" is.
# Read last: a dead address or a full mailbox named beside them decides, and so does an
# X.7 status (Postfix's "5.7.23 … Message rejected due to: domain owner discourages use
# of this host" is SPF's).
_MESSAGE_REFUSED = _Keyed(("message", "mensaje", "mensagem", "messaggio", "missatge", "nachricht"), _patterns(
    r"\b(the |your )?message (was |has been )?(rejected|refused)\b",
    r"\b(el |su )?mensaje (fue |ha sido )?rechazado\b", r"\bmensagem (foi )?(rejeitada|recusada)\b",
    r"\bmessage (a ete )?(rejete|refuse)\b", r"\bmessaggio (e stato )?(rifiutato|respinto)\b",
    r"\bmissatge (ha estat )?(rebutjat|refusat)\b", r"\bnachricht (wurde )?abgelehnt\b"))
# ... unless they say the recipient refused it: "Your message was rejected by this user"
# (ZoneMTA's table), the recipient's own rule, the mailbox's.
_BY_THE_RECIPIENT = LazyPattern(
    r"\b(rejected|refused|rechazado|rejeitada|recusada|rejete|refuse|rifiutato|respinto|rebutjat|refusat"
    r"|abgelehnt) (by|por|par|dal|pel|vom|von) (this |the |el |este |la |o |le |il |de[mr] )?"
    r"(user|recipient|addressee|usuario|destinatari|utilisateur|utente|benutzer|empfanger)")

# A domain named as the one that does not exist: "Domain does not exist: X" (Courier),
# "Domain X does not exist", "domain not found: X". Folded text.
_DOMAIN_SAID_NOT_TO_EXIST = LazyPattern(
    r"\bdomain (?:does not exist|doesn'?t exist|not found|is unknown)\s*:\s*([a-z0-9-]+(?:\.[a-z0-9-]+)+)"
    r"|\bdomain ([a-z0-9-]+(?:\.[a-z0-9-]+)+) (?:does not exist|doesn'?t exist|not found|is unknown)\b")


def _names_another_domain(words: str, domain: str) -> bool:
    """Whether the folded words say a domain does not exist (or a host or domain is unknown,
    or has no mail exchanger), naming it, and none they name is the lead's `domain` (or a
    name inside it, or one it is inside)."""
    named = [first or second for first, second in _DOMAIN_SAID_NOT_TO_EXIST.findall(words)] if "domain" in words else []
    named += [next(name for name in match.groups() if name) for match in _MTA_DOMAIN_NAMED.finditer(words)]
    named += [name for owner, said in _dead_domains(words) if owner != OURS for name in _NAMED_IN.findall(said)]
    return bool(named) and not any(_inside(name, domain) or _inside(domain, name) for name in named)

# The causes of _AFTER_ADDRESS that are a filter's or the sender's, not the address's.
_OTHER_CAUSES = tuple(pattern for reason, pattern in _AFTER_ADDRESS if reason in (
    "filtered", "rejected", "spamdetected", "policyviolation", "requireptr", "badreputation",
    "blocked", "contenterror")) + tuple(
    pattern for reason, pattern in _SERVER_SENDER_WORDS + _SERVER_OTHER_WORDS if reason in SENDER_REASONS) + (
    _AdminSenderWords,) + tuple(
    pattern for _, pattern in _BLOCKLIST_WORDS)


def _names_other_cause(words: str) -> bool:
    """Whether folded words also name a policy, content or sender cause ("user unknown
    or blocked by policy"): then a missing user's words are not the verdict."""
    return _names_sender_outright(words) or any(p.search(words) for p in _OTHER_CAUSES)


def _names_sender_outright(words: str) -> bool:
    """Folded words that put the refusal on the sender (_SENDER_WORDS), or say our own
    address failed the receiving server's check (_SENDER_VERIFICATION)."""
    return bool(_SENDER_WORDS.search(words) or _VERIFIES_SENDER.search(words) or _LIBRARY_SENDER.search(words)
                or _GRAMMAR_SENDER_SAID_DEAD.search(words) or _PROVIDER_SENDER.search(words)
                or _SENDER_LIMIT.search(words) or _PROVIDER_SIZE.search(words)
                or _OUR_DOMAIN_SAID_DEAD.search(words))


def verifies_sender(text: str) -> bool:
    """Whether the words say the receiving server checked our own (sender) address and
    refused the message for it (_SENDER_VERIFICATION)."""
    low = text.lower()
    if "verif" not in low and "sender" not in low:
        return False  # (every report's text is asked: the common case stays cheap)
    return bool(_VERIFIES_SENDER.search(_EMAIL.sub(" mailaddr ", fold(text))))


def names_sender(text: str) -> bool:
    """Whether the server's words put the refusal on the sender outright (a 421 that
    closes the connection is otherwise only "try again")."""
    words = _EMAIL.sub(" mailaddr ", fold(text))
    return _names_sender_outright(words) or reason_from_words(words) in SENDER_REASONS


_GREYLISTED = _Keyed(("greylist", "graylist", "grey-list", "gray-list"), _patterns(r"\b(grey|gray)-?list(ed|ing)?\b"))


# A blocklist's error answer, not a listing: Spamhaus answers queries that come through a
# public resolver, in excess, or to a misspelt zone with 127.255.255.254, .255 or .252 and
# a text its clients quote ("blocked using zen.spamhaus.org; Error: open resolver;
# https://www.spamhaus.org/returnc/pub/IP"; Spamhaus's "Using our public mirrors? Check
# your return codes now" and its Postfix guide). The receiving server is misconfigured
# and refuses every sender so: the lead's side when its server says it, never our listing.
_DNSBL_MISCONFIGURED = LazyPattern(
    r"\berror: (open resolver|excessive number of queries|typing error in dnsbl name)\b"
    r"|\bspamhaus\.org/returnc/")


def owner_of(verdict_hard: bool, reason: str, status: str | None, command: str | None,
             words: str, *, quoted: bool = False) -> str:
    """Whose failure this is: the address's, the lead's mailbox's or the sender's (SPEC
    §6). `words` is the folded text; `quoted`: a server's answer quoted in a report.

    The SMTP stage first: an answer to MAIL FROM, HELO or the greeting names no
    recipient, only us (RFC 5321 §3.3). Not so a relay's report of the lead's server in
    trouble there, in words of its own trouble: "421 Service temporarily unavailable" at
    the greeting, the connection lost during EHLO, a timeout, until the relay gave up. The
    lead's server's, as any temporary answer is; a refusal there, an X.7 status (security
    or policy), or words that name another cause (a block, our rate, our HELO) stay ours,
    and so does what leadloop's own SMTP client, not quoted, meets at our relay's
    greeting. Then the words that name the sender outright,
    then the cause: a mailbox's (full, disabled, over its own size, the recipient's
    settings, any "try later") or the sender's (relay, authentication, blocks,
    reputation, rates, spam, size). X.7.x (RFC 3463: security or policy status) with
    no cause of the mailbox's is the sender's; what is left, the mailbox's, which is
    retried (the three-alike rule of runner.py catches a server that answers everyone so).
    """
    if verdict_hard:
        return ADDRESS
    if reason == "nosmtputf8":
        return MAILBOX  # the lead's server's limit, whatever command Courier answers it at
    if quoted and _DNSBL_MISCONFIGURED.search(words):
        # Quoted from the lead's server: its own blocklist setup refuses everyone, at any
        # stage. (Said by the server leadloop sends through, it is our relay's: ours.)
        return MAILBOX
    if command in ("MAIL", "HELO", "CONN"):
        if quoted and command != "MAIL" and (status or "")[1:3] != ".7" and not _names_other_cause(words) \
                and (reason in SERVER_TROUBLE
                     or (status or "").startswith("4") and reason in ("systemerror", "undefined")):
            return MAILBOX
        if reason in SERVER_TROUBLE and _GREYLISTED.search(words):
            return MAILBOX  # greylisting, also keyed on our address at MAIL: the lead's server asks to wait
        return SENDER
    if reason == "filtered" and _ONLY_ALLOWED_SENDERS.search(words):
        return MAILBOX  # (its words name us as the one it does not take: still its owner's rule)
    names_sender_outright = _names_sender_outright(words)
    if status is not None and status[2:] in ("2.3", "2.2") and not names_sender_outright:
        return MAILBOX  # X.2.2, X.2.3: the mailbox's own quota or size limit (RFC 3463)
    if names_sender_outright:
        return SENDER
    if reason in MAILBOX_REASONS:
        return MAILBOX
    if reason in SENDER_REASONS:
        return SENDER
    if status is not None and status[2:4] == "7.":
        return SENDER
    return MAILBOX



# The words with which the server that holds the mailboxes says one does not exist: its
# own report, not an answer it heard from another server, so they need no SMTP command
# to be believed. After the tables of sisimai's readers for the servers that write them
# (Sisimai::MDA for mail.local, maildrop, vpopmail, vdeliver, Dovecot; Sisimai::Lhost::
# Domino, Notes, Exchange2003, GSuite, IMailServer, qmail, Verizon, Facebook).
_MAILBOX_HOST_SAYS = _DeadSentences(
    r"not listed in (the )?domino directory", r"not listed in public name & address book",
    r"no se encuentra en el directorio de domino",
    # French Domino: "non répertorié" and "non recensé dans l'annuaire Domino", as its
    # releases word the Domino Directory's "not listed" ("l'annuaire Domino", HCL's
    # French administrator help).
    r"non (repertorie|recense|reference|liste)e? dans l'annuaire( domino)?\b",
    # German Domino: "Benutzer ana (ana@…) nicht im Domino-Verzeichnis aufgeführt", the
    # Domino Directory by its German name (Domino 9's German administrator help,
    # help9_admin.nsf: "Empfänger … im Domino-Verzeichnis"; HCL's German DLAU docs).
    # Without the participle: Notes writes the DSN's copy in undeclared Latin-1, which
    # mangles it.
    r"nicht im domino-verzeichnis\b",
    # (Japanese, folded as the text is: NFKD parts kana's voicing marks off.)
    _fold_literal("domino ディレクトリには見つかりません"), _fold_literal("ディレクトリのリストにありません"),
    r"\(000c05a6\)", r"the recipient name is not recognized", r"resolver\.adr\.(ex)?recipnotfound",
    r"because the address couldn'?t be found",
    r"invalid final delivery userid", r"^unknown user: ",
    # Bongo's (Novell NetMail's) queue agent, its DSN for DELIVER_USER_UNKNOWN: "The
    # recipient 'ana.pena' is unknown at host 'example.org'" (bongo-project/bongo,
    # src/agents/queue/queue.c, CreateDSNMessage; its Status is always 5.0.0).
    r"the recipient '[^'\s]+' is unknown( at host '[^'\s]+')?",
    r"no mailbox here by that name",
    r"no valid recipients for this mm",
    r"\b(rcp-p1|int-p1|int-p3|int-p4)\b",
    r"(mail\.local|maildrop|vdelivermail|vdeliver): .{0,40}(unknown user|user unknown|invalid mailbox path"
    r"|user missing home directory|invalid user specified|cannot find system user|no mailbox here"
    r"|invalid or unknown (base|virtual) user|does not refer to a virtual user)",
    r"mailbox doesn'?t exist: ",
    # qmail's bouncesaying(1), as its manual's example retires an address from a .qmail
    # file: "This address no longer accepts mail." The address, not a disabled mailbox.
    r"\baddress no longer accepts mail",
    # Directory-driven mailers that report themselves (issue #25, the blind half's
    # misses): Sendmail's phquery mailer for the CCSO nameserver, whose query found no
    # entry ("No matches to nameserver query"; RFC 2378 §4, "501:No matches to your
    # query") or an entry with no mailbox ("does not have a final email delivery
    # point"), and LLNL's directory ("did not exactly match an LLNL email address"), the
    # layouts of Mailman's Bouncers/SimpleMatch.py (uci.edu), Yale.py and LLNL.py.
    r"no matches to (the )?(name ?server|ph) query", r"does not have a final (e-?mail )?delivery point",
    r"did not (exactly )?match (an?|any) .{0,40}(e-?mail )?address")

# The sentences with which mail servers and providers say, in their own message
# catalogs, that an address does not exist (issue #25 item 1). Quoted in a report that
# does not say which SMTP command they answered, they are still about the address: no
# filter writes them. From: Exim's router and ACL texts ("Unknown user", "unknown
# local-part", "Unrouteable address"), Postfix's local(8)/virtual(8)/smtpd(8) ("User
# unknown in local recipient table", "… in virtual mailbox/alias table"), Sendmail's
# "No such user here", qmail/netqmail ("Sorry, no mailbox here by that name",
# spamcontrol's "(err.nosuchuser)"), Exchange/Office 365 NDRs ("RESOLVER.ADR.RecipNotFound",
# "The e-mail account does not exist at the organization"), CommuniGate Pro ("unknown
# user account"), MDaemon ("no such user here"), Yahoo ("This user doesn't have a
# yahoo.com account"), mail.ru and Yandex ("user not found", "No such user!", in Russian
# "Нет такого пользователя"), NetEase/QQ/xinnet ("User not found", "Mailbox not found",
# "用户不存在"), Orange ("Adresse d au moins un destinataire invalide"), GMX/Web.de
# ("Mailbox nicht vorhanden"), Libero/tin.it ("Utente non trovato", "indirizzo
# inesistente"), Terra ("Usuário inexistente"); and the multilingual rule tables of
# public bounce libraries (PHP-Bounce-Handler's bounce_responses.php, BounceHandler
# rules of phpList, Mail-DeliveryStatus-BounceParser's user_unknown patterns).
_DEAD_ADDRESS_SAYS = _DeadSentences(
    *_CATALOG_SENTENCES, r"\bunknown user\b", r"user not known", r"no such user( here)?\b", r"user not found",
    r"unknown user account", r"unknown local-part", r"unknown or illegal alias",
    r"user unknown in (local recipient|virtual (mailbox|alias)|relay recipient) table",
    r"err\.nosuchuser", r"no mailbox here by that name", r"no such recipient\b", r"no mail ?box available for (this|that) user",
    r"do(es)?n'?t have an? \S+ account", r"mailbox not found", r"wrong or no longer valid",
    r"n'existe (pas|plus)", r"destinataire invalide", r"(account|mailbox|address|rcpt|user) [\[<(]? ?mailaddr ?[\]>)]? "
    r"(does not|doesn'?t) exist", r"is not an active (address|mailbox|user)", r"\bbad_recipient\b",
    r"e-?mail account does not exist at the organi[sz]ation", r"resolver\.adr\.recipnotfound",
    r"usuario (invalido ou )?inexistente", r"utente non trovato", r"(indirizzo|casella) inesistente",
    r"(empfanger|benutzer) unbekannt", r"(mailbox|postfach) nicht vorhanden",
    r"nie ma takiego uzytkownika", r"(uzytkownik|konto|adres) (\S+ )?nie istnieje",
    _fold_literal("нет такого пользователя"), _fold_literal("пользователь не найден"),
    _fold_literal("用户不存在"), _fold_literal("收件人不存在"), _fold_literal("邮箱不存在"))
# Yahoo answers the end of DATA, not RCPT TO, with "554 delivery error: dd This user
# doesn't have a yahoo.com account" (Yahoo's SMTP error codes, help.yahoo.com, "554
# delivery error"): after DATA, and still about the address.
_DEAD_AFTER_DATA = _DeadSentences(r"do(es)?n'?t have an? \S+ account")
# Words that name the address whatever the SMTP stage, or with none at all (the lead's
# policy on issue #25): Sendmail's "User unknown" (its EX_NOUSER text, also what it
# says in a pipelined session whose RCPT replies arrive after DATA), Yahoo's and AOL's
# "552 … mailbox not found" at the end of DATA (they check recipients after the
# message), Exim's "Address unknown" written by a redirect router's :fail: with no SMTP
# at all (Exim spec, "The redirect router", special items), and "Unknown e-mail
# address". They count after DATA too, unless the same reply names a policy, content or
# sender cause (_names_other_cause): then a filter spoke. mail.ru too checks its
# recipients after the message: "550 Message was not accepted -- invalid mailbox. Local
# mailbox X is unavailable: user not found" answers the end of DATA (mail.ru's help on
# delivery errors: "User not found" means the address does not exist); Coremail and
# Alibaba Mail write "User not found" for the same (their bounce help pages). ("No such
# user" stays stage-bound: m-FILTER's appliance writes it for a filter's refusal.)
_DEAD_WHATEVER_STAGE = _DeadSentences(
    r"\buser ?unknown\b", r"\baddress unknown\b", r"\bmailbox not found\b", r"\bunknown e-?mail address\b", r"\buser not found\b",
    # An admin's "550 Mailbox does not exist" after the message (a filter says no such thing).
    r"\bmail ?box (does not|doesn'?t) exist\b",
    # The recipient named, and said not to exist ("554 Rcpt <ana@…> does not exist" at
    # the end of DATA): a filter refuses a message, it does not deny an address.
    r"(user|recipient|mailbox|rcpt|account) [\[<(]? ?mailaddr ?[\]>)]? (does not|doesn'?t|dosn'?t) exist")
_DEAD_WITHOUT_STAGE = _DeadSentences(
    r"\baddress unknown\b", r"\bunknown e-?mail address\b",
    # Sendmail's "Addressee unknown" (a remote sendmail's answer its reporter copies, often
    # under 553 5.3.0) and _SAID_AT_ANY_STAGE: the addressee is missing, whatever the stage.
    r"\baddressee unknown\b", *_SAID_AT_ANY_STAGE, *_NOT_FOUND_AT_DOMAIN)
# Sendmail's "User unknown" (its EX_NOUSER text), the bare words many servers answer a
# missing mailbox with; the other bare forms ("unknown user", "no such user") are in
# _DEAD_ADDRESS_SAYS.
_BARE_USER_UNKNOWN = _DeadSentences(r"\buser ?unknown\b")
# RFC 5321's own 550 text (§4.2.2, "Requested action not taken: mailbox unavailable
# (e.g., mailbox not found, no access, or command rejected for policy reasons)"), bare:
# what Hotmail, 1&1/GMX and Exchange answer a missing mailbox with. Quoted with no stage
# and under a status that names no cause, the lead's policy reads it as the address (the
# labels of every blind set, issue #25); after DATA a filter may say it, and beside a
# policy's or the sender's words it is theirs (_names_other_cause).
_BARE_MAILBOX_UNAVAILABLE = _DeadSentences(r"\brequested action not taken: mailbox unavailable\b")
# Statuses that name no cause (RFC 3463: X.0.0 "other or undefined", X.5.0 "other or
# undefined protocol status", X.5.1 "invalid command", which qmail-derived servers
# write as a generic "(#5.5.1)" after any refusal): the words decide under them.
_SAYS_NO_CAUSE = LazyPattern(r"^\d\.(0\.0|5\.[01])$")

# Header lines of the returned original that a plain-text report repeats ("Subject:
# wxPython 2.3.0", "Received: … mxl_mta-5.5.0-3"): never where a report puts a status
# (issue #25 item 2). A report's own fields (Status, Diagnostic-Code, Remote-MTA…) stay.
_ORIGINAL_HEADER = LazyPattern(
    r"^[ \t]*(subject|received|x-mailer|user-agent|message-id|date|sent|thread-topic|thread-index"
    r"|references|in-reply-to|mime-version|content-type|content-transfer-encoding|x-(?!postfix|"
    r"failed|notes|original-)[\w-]+|dkim-signature|authentication-results|importance)[ \t]*:.*"
    r"(?:\n[ \t]+.*)*", re.I | re.M)

# An enhanced status code (RFC 3463): class 2, 4 or 5, not part of an IP address, a
# version or a date.
_STATUS = LazyPattern(r"(?<![\w.-])([245])\.(\d{1,3})\.(\d{1,3})(?![\w.]*\d|-\w)")
_REPLY = LazyPattern(r"(?<![\w.:/-])([245]\d\d)(?=[ -]|$)")
_REPLY_STATUS = LazyPattern(r"(?<![\w.-])[245]\d\d[ -]['\"(]?([245]\.\d{1,3}\.\d{1,3})(?![\w.]*\d|-\w)")
# Addresses say nothing about the cause ("mailboxfull@…" is just a name). A domain ends
# where its labels do: Sendmail writes "ana@example.org... User unknown" (its usrerr()
# form, ADDRESS followed by "... " and the text), whose words begin after the dots.
_EMAIL = LazyPattern(r"[^\s<>()\[\]\"',;:]+@[^\s<>()\[\]\"',;:.]+(?:\.[^\s<>()\[\]\"',;:.]+)*")

# Sentences whose meaning the status that comes with them fixes, whichever server
# relayed them (issue #25 item 1). Exchange Online answers "550 5.4.1 Recipient address
# rejected: Access denied. AS(201806281)" when Directory-Based Edge Blocking finds no
# such recipient in the tenant's directory (Microsoft Learn, "Fix email delivery issues
# for error code 5.4.1 in Exchange Online": the recipient address doesn't exist in the
# organization): the address. The same words under 5.7.1 are Postfix's access(5)
# REJECT, a policy, and stay so.
# OpenSMTPD answers RCPT with "524 5.2.4 Mailing list expansion problem" when the
# recipient's domain is served from a virtual table and the address is not in it ("no
# aliases for virtual", smtpd/lka_session.c; also for an alias loop there): that address
# takes no mail, whatever a mailing list's status says elsewhere. Only with OpenSMTPD's
# own 524; Sendmail's "450 4.2.4" or an Exchange group's 5.2.4 stay the mailbox's.
_STATUS_SENTENCES = (
    ("5.4.1", LazyPattern(r"recipient address rejected: access denied"), "userunknown"),
    ("5.2.4", LazyPattern(r"(?<![\w.])524[ -]5\.2\.4 mailing list expansion problem"), "userunknown"),
)

_MAY_NOT_EXIST = LazyPattern(r"\bmay not exist\b")

# The lead's server cannot take an address in Unicode (a local part such as "josé"): it
# does not offer SMTPUTF8 (RFC 6531), so the relay cannot hand it the message. RFC 6531's
# X.6.7 ("Non-ASCII addresses not permitted for that sender/recipient"), its X.6.9 in its
# words (a bare X.6.9 is older than RFC 6531: Sendmail's "improper use of 8-bit data in
# message header", our message's form), Postfix's "SMTPUTF8 is required, but was not
# offered by host …" (smtp/smtp_proto.c) and Courier's "Unable to deliver Unicode E-mail
# to a non-Unicode mail server" (which it answers itself, at MAIL FROM). The lead's
# server's limit, not a dead address and not our message: the message fails, one of the
# lead's three (SPEC §5: "else that one message fails with its reason"). Not Postfix
# smtpd's "Must declare SMTPUTF8 to send unicode address", our client's conduct.
_NO_SMTPUTF8_STATUS = LazyPattern(r"^[45]\.6\.7$")
_NO_SMTPUTF8 = _Keyed(("smtputf8", "unicode", "non-ascii", "utf-8 header"), LazyPattern(
    r"\bsmtputf8 is required\b|\bnon-unicode mail server\b|\bnon-ascii addresses not permitted\b"
    r"|\bdoes not support e-?mail messages with international unicode\b"
    r"|\butf-8 header message cannot be transferred\b"))

# Canned status codes some servers assign when they have no real one: not evidence.
_GENERIC = LazyPattern(r"^\d\.0\.0$")




def fold(text: str) -> str:
    """Lower case, accents removed, white space collapsed: "Usuário  desconhecido" and
    "usuario desconhecido" are one phrase."""
    if "\\" in text:
        text = _exim_unescaped(text)
    plain = without_marks(text.lower())
    # Typographic apostrophes ("doesn’t") are the ASCII one the tables are written with.
    # str.split() and re's \s split on the same white space (Py_UNICODE_ISSPACE).
    return " ".join(plain.replace("\u2019", "'").replace("\u02bc", "'").split())


# Exim writes a remote server's non-ASCII bytes in its reports as octal escapes
# (string_printing(): "Ung\\303\\274ltiger Empf\\303\\244nger"); a run of them that is UTF-8
# is read as the letters it was.
_OCTAL_RUN = LazyPattern(r"(?:\\[23][0-7]{2})+")  # (bytes 0x80-0xff: Exim prints ASCII as it is)


def _exim_unescaped(text: str) -> str:
    def letters(run: re.Match) -> str:
        try:
            return bytes(int(code, 8) for code in run.group(0).split("\\")[1:]).decode("utf-8")
        except UnicodeDecodeError:
            return run.group(0)
    return _OCTAL_RUN.sub(letters, text)


# No combining mark lies below U+0300: only runs of letters from there on are looked at.
_MARKED_RUN = LazyPattern(r"[^\x00-\u02ff]+")


def without_marks(text: str) -> str:
    """`text` in NFKD with its combining marks (accents) removed. Most reports are ASCII,
    which NFKD leaves as it is: they skip the per-letter test that was a tenth of the
    inbox's time."""
    if text.isascii():
        return text
    return _MARKED_RUN.sub(_unmarked, unicodedata.normalize("NFKD", text))


def _unmarked(run: re.Match) -> str:
    return "".join(c for c in run.group(0) if not unicodedata.combining(c))


def find_status(text: str) -> str | None:
    """The most telling enhanced status code in `text`: one that follows a reply code
    ("550 5.7.1", "550-'5.7.1": the receiving server's own), else the first that is not
    a generic X.0.0, else the first. A success (2.X.X) is an earlier command's answer in a
    transcript ("250 2.1.0 Ok" to MAIL FROM), never the failure's, while a failure's is
    there."""
    for match in _REPLY_STATUS.finditer(text):
        code = match.group(1)
        if code[0] != "2" and not _GENERIC.match(code):
            return code
    first = first_failure = None
    for match in _STATUS.finditer(text):
        code = ".".join(match.groups())
        if code[0] != "2":
            if not _GENERIC.match(code):
                return code
            first_failure = first_failure or code
        first = first or code
    return first_failure or first


def find_reply_code(text: str) -> int | None:
    """The first reply code in `text`, a refusal's (4XX, 5XX) before an acceptance's."""
    codes = [int(match.group(1)) for match in _REPLY.finditer(text)]
    return next((code for code in codes if code >= 400), codes[0] if codes else None)


def reason_from_words(text: str, *, status: str | None = None, grammar: bool = False) -> str | None:
    """The cause the words name, or None. `text` must be folded. With `grammar`, the
    grammar of a dead address (_DEAD_ADDRESS_GRAMMAR) counts at the end of the
    dead-address tables' stage, under `status` (_grammar_says_dead)."""
    if (admin := _admin_reason(text)) is not None:
        return admin
    for group in (_BEFORE_ADDRESS, _SERVER_SENDER_WORDS, _GRAMMAR_SENDER, _DOMAIN_SENDER_SAID_DEAD, _ADDRESS,
                  _SERVER_DEAD_ADDRESS, _AFTER_ADDRESS, _BLOCKLIST_WORDS, _SERVER_OTHER_WORDS):
        if group is _AFTER_ADDRESS and grammar and _grammar_says_dead(status, text):
            return "userunknown"
        for reason, pattern in group:
            if pattern.search(text):
                return reason
    return None


def _inside(host: str | None, domain: str | None) -> bool:
    """Whether `host` is named inside `domain` (mx3.qq.com in qq.com)."""
    if not host or not domain:
        return False
    host, domain = host.lower().rstrip("."), domain.lower().rstrip(".")
    return host == domain or host.endswith("." + domain)


def _status_reason(status: str) -> str:
    """What an enhanced status code says when the words say nothing (sisimai's
    Sisimai::SMTP::Status table, reduced)."""
    klass, subject, detail = status.split(".")
    if status in ("5.1.0", "5.1.1", "5.1.3"):
        return "userunknown"
    if status in ("5.1.2", "5.4.4"):
        return "hostunknown"
    if status == "5.1.6":
        return "hasmoved"
    if status == "5.1.10":
        return "notaccept"
    if subject == "2":
        return {"2": "mailboxfull", "3": "mesgtoobig"}.get(detail, "filtered")
    if subject == "3" and detail == "4":
        return "mesgtoobig"
    if subject == "4":
        return "expired" if detail in ("1", "7") else "networkerror"
    if subject == "6":
        return "contenterror"
    if subject == "7":
        if detail in ("1", "2"):
            return "blocked"
        if detail in ("23", "24", "26", "20", "21", "22"):
            return "authfailure"
        return "requireptr" if detail == "25" else "securityerror"
    return "systemerror" if subject in ("3", "5") else "undefined"


def judge(status: str | None, text: str = "", *, reply_code: int | None = None,
          delayed: bool = False, command: str | None = None, quoted: bool = False,
          remote_host: str | None = None, domain: str | None = None, category: str | None = None,
          gave_up: bool = False) -> Verdict:
    """The verdict on one recipient's failure, with whose failure it is (owner_of).
    The arguments are _judge's."""
    verdict = _judge(status, text, reply_code=reply_code, delayed=delayed, command=command,
                     quoted=quoted, remote_host=remote_host, domain=domain, category=category,
                     gave_up=gave_up)
    words = _EMAIL.sub(" mailaddr ", fold(text))
    owner = owner_of(verdict.hard, verdict.reason, verdict.status, command, words, quoted=quoted)
    reason = verdict.reason
    if delayed and not verdict.hard:
        # A delay warning (RFC 3464 "Action: delayed") says a server still holds the
        # message and retries it, whoever's problem the delay is (our relay's daily quota,
        # Yahoo's [TSS04], the lead's full mailbox): never a refusal to offer again, which
        # could deliver it twice (SPEC §6 "At most once"), nor a failure of the message,
        # one of the lead's three; only noted (SPEC §7).
        reason = "delayed"
    elif owner == SENDER and reason == "exceedlimit":
        # A size limit that is the sender's is our message's size, not the recipient's
        # limit (providers.py reads Google's own limit as "exceedlimit").
        reason = "mesgtoobig"
    return Verdict(verdict.hard, reason, verdict.status, owner)


_NAMES_THE_ADDRESS = LazyPattern(r"\b(address|recipient|mailbox|account|user|mailaddr)\b")


def _judge(status: str | None, text: str = "", *, reply_code: int | None = None,
          delayed: bool = False, command: str | None = None, quoted: bool = False,
          remote_host: str | None = None, domain: str | None = None, category: str | None = None,
          gave_up: bool = False) -> Verdict:
    """The verdict on one recipient's failure.

    `status`: the enhanced code the report gives (a DSN's Status field), if any; else
    the one found in `text`. `text`: the server's words (a Diagnostic-Code, the lines
    of a plain-text report about this recipient, an SMTP reply). `reply_code`: the
    basic SMTP code, when known. `delayed`: a delay warning (Action: delayed).
    `command`: the SMTP command the server answered (RCPT, DATA, MAIL, HELO or CONN), when
    known. `quoted`: the words are a server's answer quoted in a report (not one
    leadloop's own SMTP client heard), so that a missing user's words prove nothing
    without the command. `remote_host`, `domain`: the server that answered and the
    recipient's domain, for providers' own rules (providers.py). `category`: the cause
    the report names in a field of its own, if any.
    """
    words = _EMAIL.sub(" mailaddr ", fold(_ORIGINAL_HEADER.sub(" ", text)))
    found = find_status(words)
    if status is None or (_GENERIC.match(status) and found and found[0] == status[0]):
        status = found or status
    reply = reply_code if reply_code is not None else find_reply_code(words)
    for code, sentence, meaning in _STATUS_SENTENCES:
        if status == code and sentence.search(words):
            return Verdict(meaning in HARD_REASONS, meaning, status)
    if (status and _NO_SMTPUTF8_STATUS.search(status)) or _NO_SMTPUTF8.search(words):
        return Verdict(False, "delayed" if delayed else "nosmtputf8", status)
    own_rule = provider_reason(provider_of(remote_host, domain), words, status, command) or category
    if not own_rule and _access_map_filler(status, words) and _ACCESS_MAP_DEFAULT.search(words):
        own_rule = "filtered"
    reason = own_rule or reason_from_words(words, status=status, grammar=True)
    if reason in ("userunknown", "hostunknown") and not own_rule and _MAY_NOT_EXIST.search(words) \
            and _names_other_cause(words):
        # Possibilities, not a verdict (issue #25 item 5): cPanel's Exim writes "The
        # account or domain may not exist, they may be blacklisted, or missing the proper
        # dns entries" for any address its verification fails, our own sender's included
        # ("Sender verify failed"); the bounce_email and PHP-Bounce-Handler rule tables
        # give it the vague 5.2.0. The status, if any, decides.
        reason = None
    if reason is None and _MAILBOX_HOST_SAYS.search(words):
        reason = "userunknown"  # in words no general pattern knows (Notes, Domino in Japanese)
    if reason is None and _status_says_nothing(status, words) and (reply is None or reply >= 500) \
            and (_DEPARTED.search(words) or _DELETED.search(words)):
        # (Only under no status that says more, and no reply that asks to try again: the
        # departure tables are long, and most reports name their cause otherwise.)
        reason = "hasmoved" if _DEPARTED.search(words) else "userunknown"
    if reason is None and _status_says_nothing(status, words) and (reply is None or reply >= 500) \
            and _MESSAGE_REFUSED.search(words) and not _BY_THE_RECIPIENT.search(words):
        reason = "contenterror"
    if reason == "hostunknown" and not own_rule and domain and _names_another_domain(words, domain):
        # A domain said not to exist that the words name, and it is not the lead's: ours
        # (Courier's check of the sender's domain answers MAIL FROM with "517-Domain does
        # not exist: OURDOMAIN.", submit.C), never the lead's address (SPEC §7).
        reason = "rejected"
    if reason == "hostunknown" and not own_rule and status not in ("5.1.2", "5.4.4") \
            and reply is not None and 500 <= reply < 600 \
            and ("domain" in words and ("dns" in words or "not exist" in words) and "recipient" not in words
                 or _says_a_domain_dead_unqualified(words, domain)) \
            and "mailaddr" not in words and _inside(remote_host, domain):
        # A server of the recipient's own domain answered with an SMTP reply: that name
        # exists (the mail was routed to it by the domain's MX, RFC 5321 §5.1), so a
        # domain said not to exist is another one, ours: QQ's "550 Domain may not exist
        # or DNS check failed" is its check of the sender's domain (as Postfix's
        # reject_unknown_sender_domain, "Sender address rejected: Domain not found").
        # The sender's, never the lead's. Without a reply nobody answered: a dangling MX
        # ("Host not found" for mail.example.org) is the recipient's domain; nor when the
        # words say the domain is the recipient's (Outlook.com's "… delivered to the
        # recipient because the domain is not reachable") or name the address ("No such
        # domain at this location (ADDRESS)": the domain is not hosted there), nor words
        # about an address (Exim's "550 Unrouteable address" is its recipient check's):
        # only a domain's lookup ("DNS", "may not exist") with no address named. The same in
        # the other languages (_dead_domains): a domain said dead that no word makes the
        # recipient's ("550 Domena nie istnieje" from the lead's own MX).
        reason = "rejected"
    asked_again = reply is not None and 400 <= reply < 500
    # A generic status is the reporting MTA's own over the server's 4xx: Exim writes
    # "Status: 5.0.0" when it gives up retrying ("450 Requested mail action not taken:
    # mailbox unavailable: retry timeout exceeded"). The server asked to try again;
    # giving up was our relay's doing (SPEC §7: any 4.x.x), and the address is not dead.
    # (Before a recipient was named, at MAIL, HELO or the greeting, no refusal is the
    # address's anyway: the rules below give those to us, temporary or not.)
    temporary = delayed or (status[0] == "4" or (asked_again and _GENERIC.match(status) is not None
                                                 and command not in ("MAIL", "HELO", "CONN"))
                            if status else asked_again)
    if temporary and gave_up and status == "4.0.0" and reason in ("userunknown", "hostunknown") \
            and (reply is None or reply >= 500):
        # A report that gave up (Action: failed) under the canned 4.0.0, whose words say
        # the address or its domain does not exist: Gmail reports an NXDOMAIN answer for
        # the recipient's domain so ("Address not found … the domain couldn't be found",
        # "DNS type 'mx' lookup … responded with code NXDOMAIN"; an authoritative answer
        # that the name does not exist, RFC 1035 §4.1.1, RFC 8020) and does not retry.
        # The words beat a status that says nothing but "temporary" (the lead's call on
        # issue #25); a 4xx reply in the words still asks to try again.
        temporary = False
    if temporary or (status and status[0] == "2"):
        # Never evidence that the address is dead: the server asks to try again later.
        soft = reason if reason and reason not in HARD_REASONS else ("delayed" if delayed else "temporary")
        return Verdict(False, soft, status)
    if status in ("5.1.7", "5.1.8") or (command == "MAIL" and reason not in ("norelaying", "authfailure")):
        # Our own (sender) address was refused, or the answer to MAIL FROM, which names
        # only us (RFC 5321 §3.3): nothing is wrong with the lead's.
        return Verdict(False, reason if reason in BLOCKED_REASONS else "rejected", status)
    if command == "HELO" and not own_rule and status not in ADDRESS_STATUSES:
        # Refused at the greeting or HELO, before any recipient was named: our server
        # was refused (sisimai's qmail and Exim readers: "blocked").
        return Verdict(False, reason if reason in BLOCKED_REASONS else "blocked", status)
    if reason is None and reply in (521, 556) and (status is None or _GENERIC.match(status)
                                                   or status in ("5.3.2", "5.1.10")):
        # RFC 7504: the host or domain does not accept mail, with 5.3.2 or 5.1.10 (or no
        # telling status). Postfix's postscreen and smtpd close with 521 and a status of
        # their own (5.5.1 "Error: command not implemented", 5.5.4): that status decides.
        reason = "notaccept"
    if reason == "notaccept" and not own_rule and status not in ADDRESS_STATUSES and command == "DATA" \
            and not _NAMES_THE_ADDRESS.search(words):
        # "Does not accept mail" after the server took the recipient and read the message
        # ("521 Server does not accept mail. Do not retry", "521 I cannot parse your
        # message"): the message was refused, not the address (RFC 7504's 521 is said at
        # the greeting or to RCPT).
        return Verdict(False, "contenterror", status)
    if reason == "userunknown" and not own_rule and status not in ADDRESS_STATUSES and command != "RCPT":
        # The words of a missing user count as an answer to RCPT TO (or as the words of
        # the server that holds the mailbox, or of leadloop's own SMTP client). In
        # answer to MAIL or the greeting, the server refused us. In answer to the
        # message itself, a filter may be speaking (sisimai's UserUnknown and Filtered
        # rules): only a dead address's own words count there, and only when the reply
        # names no other cause (_DEAD_WHATEVER_STAGE, the lead's policy on issue #25).
        if command in ("MAIL", "CONN", "HELO"):
            return Verdict(False, "rejected" if command == "MAIL" else "blocked", status)
        dead_whatever_stage = _DEAD_WHATEVER_STAGE.search(words) and not _names_other_cause(words)
        if command == "DATA" and not (_DEAD_AFTER_DATA.search(words) or dead_whatever_stage):
            return Verdict(False, "filtered", status)
        # Quoted in a report that does not say which command they answered: a catalog's
        # sentence for a dead address is no filter's (issue #25 item 1), nor are
        # _DEAD_WITHOUT_STAGE's words; nor a bare "User unknown" under a status that
        # says nothing more (5.0.0, or none): the lead's decision on issue #25 item 1,
        # although sisimai reads it as a filter's for want of a stage.
        if quoted and command != "DATA" and not (
                _MAILBOX_HOST_SAYS.search(words) or _DEAD_ADDRESS_SAYS.search(words) or _CATALOG_MORE.search(words)
                or _MTA_CATALOG.search(words)
                or _SERVER_DEAD_ADDRESS_SAYS.search(words)
                or _LIBRARY_DEAD.search(words) or _PROVIDER_DEAD.search(words)
                or _grammar_says_dead(status, words)
                or ((_DEAD_WITHOUT_STAGE.search(words) or (
                    (_BARE_USER_UNKNOWN.search(words) or _BARE_MAILBOX_UNAVAILABLE.search(words))
                    and (status is None or _SAYS_NO_CAUSE.match(status)))) and not _names_other_cause(words))):
            if _HOST_UNKNOWN.search(words):
                return Verdict(True, "hostunknown", status)  # the domain is gone all the same
            return Verdict(False, "filtered", status)
    if status in ADDRESS_STATUSES:
        # The number says "address"; only words naming another cause overrule it.
        if reason is None or reason in HARD_REASONS:
            return Verdict(True, _status_reason(status) if reason is None else reason, status)
        if reason == "suspend" and status.startswith("5.1.") and (found or "").startswith("5.1."):
            # "5.1.1 … mailbox disabled" (tin.it): a 5.1.x names the address, and
            # "disabled" names no other cause (issue #25 item 4). Only when the server
            # said that 5.1.x itself: a report's field with no status in the server's
            # words is the reporting MTA's reading of the bare reply code (Sendmail's
            # usersmtp.c reports any 550 to RCPT as 5.1.1 "User unknown", 551 as 5.1.6,
            # 553 as 5.1.3), and "550 This account has been disabled" is then the
            # lead's disabled mailbox (SPEC §7), as the server said.
            return Verdict(True, _status_reason(status), status)
        return Verdict(False, reason, status)
    if reason is not None:
        return Verdict(reason in HARD_REASONS, reason, status)
    if status:
        return Verdict(False, _status_reason(status), status)
    return Verdict(False, "undefined", None)
