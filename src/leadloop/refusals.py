"""A refusal that is the sender's problem, in one sentence (SPEC §6 "Outcomes").

When a server refuses mail because of who sends it or what the message is (login,
relay, SPF/DKIM/DMARC, a blocklist, a quota, spam, size), no lead is at fault and the
user must act. The sentence says who refused, the server's words, what they mean and
what to do, for instance: "Gmail refuses mail from tienda.example as unauthenticated
(550 5.7.26 …): publish SPF and DKIM records for tienda.example".

Pure: a Verdict and the server's words in, a sentence out.
"""

from __future__ import annotations

from .delivery_status import Verdict, verifies_sender

# Who refused: the providers' published submission hosts (Gmail: smtp.gmail.com;
# Microsoft: smtp.office365.com, smtp-mail.outlook.com; Yahoo: smtp.mail.yahoo.com;
# iCloud: smtp.mail.me.com), else the host:port leadloop talked to.
SUBMISSION_HOSTS = {
    "smtp.gmail.com": "Gmail", "smtp.googlemail.com": "Gmail", "smtp-relay.gmail.com": "Gmail",
    "smtp.office365.com": "Microsoft 365", "smtp-mail.outlook.com": "Outlook.com",
    "smtp.mail.yahoo.com": "Yahoo", "smtp.mail.me.com": "iCloud Mail",
}

# reason → (what it means, what to do); {domain} is the sender's domain, {setting}-free.
_MEANING = {
    "nosmtputf8": ("because the server you send through wrote an address's domain in Unicode, which the "
                   "lead's server cannot take without SMTPUTF8 (RFC 6531)",
                   "have that server send domains in their ASCII (IDNA) form, as leadloop hands them over"),
    "authfailure": ("as not authenticated by SPF, DKIM or DMARC",
                    "publish SPF and DKIM records for {domain} (leadloop check --dns shows which)"),
    "norelaying": ("because it will not relay for this login or sender",
                   "send through your own provider's submission server with [smtp] username set, "
                   "or ask its administrator to let this account send"),
    "rejected": ("because of the sender address",
                 "use a [sender] address that this [smtp] login owns or may send as"),
    "requireptr": ("because the sending IP address has no matching reverse DNS (PTR) record",
                   "send through your provider's submission server, or have a PTR record set for the IP"),
    "blocked": ("because the sending IP address or domain is blocked or listed",
                "check the IP and {domain} on the blocklist named and request removal, or send "
                "through your provider's submission server"),
    "badreputation": ("because of the sender's reputation",
                      "send less, only to people who asked, and check {domain}'s SPF, DKIM and DMARC"),
    "spamdetected": ("as spam", "change the template (links, wording, attachments) and check "
                     "{domain}'s SPF, DKIM and DMARC"),
    "policyviolation": ("by policy", "read the server's words and ask its administrator"),
    "securityerror": ("for security reasons", "check [smtp] username and the sender's SPF, DKIM and DMARC"),
    "speeding": ("because your account sends faster than its sending rate limit allows",
                 "lower [smtp] max_per_second, or wait and send again"),
    "toomanyconn": ("because of too many connections or recipients",
                    "lower [smtp] max_per_second or [cadence] daily_limit"),
    "virusdetected": ("as a virus", "check the template's attachments"),
    "mesgtoobig": ("as too large", "make the message smaller (the template's attachments)"),
    "contenterror": ("because of the message's form", "check the template"),
    "notcompliantrfc": ("as not standard-compliant", "check the template's headers"),
    "syntaxerror": ("because it did not take a command", "check [smtp] host and port"),
    "networkerror": ("because it could not look up or reach the lead's domain, which exists: the trouble "
                     "is its own (its DNS resolver, its network)",
                     "check that server's DNS resolver and network, or ask its administrator"),
    "systemerror": ("because of a trouble of its own (its disk, a table or a service it depends on)",
                    "check that server's logs and free space, or ask its administrator"),
}
# An admin's words for a sending quota, in the languages leadloop's users' hosts write
# (postfwd's and policyd-rate-limit's texts are the admin's: "Cuota de envío superada").
_QUOTA_WORDS = ("quota", "rate limit", "cuota", "límite de envío", "limite de envio", "cota de envio")
_QUOTA = ("because this account's sending quota or rate is used up",
          "wait for the quota to renew, or lower [cadence] daily_limit")
# A sending limit ("speeding") in the words its kind is told by, so that the marketer reads
# which limit and what lifts it: a day's quota renews within 24 hours (Gmail, SES,
# Exchange Online's 5.1.90), a rate wants slower sending, a throttle or a block for
# unusual activity is lifted by the provider (Exchange Online's 5.2.251-255 after
# continuous errors, Zoho's 5.4.6), whatever leadloop's own limits.
_LIMITS = (
    (("sender throttled",),
     ("because it throttles your account after repeated errors of the same kind",
      "wait for the throttle to lift, and fix what the errors name")),
    (("unusual sending activity",),
     ("because it blocked your account's sending for unusual activity",
      "unblock sending in the provider's account settings or ask its support, then send less per day")),
    (("daily", "per day", "24 hour", "quota"),
     ("because your account's daily sending limit is reached",
      "wait for the provider's 24-hour window to renew, and set [cadence] daily_limit below that limit")),
)
# Gmail's 4.7.28 / 4.7.0 "an unusual rate of (unsolicited) mail originating from your IP
# address" and Yahoo's [TSS04] "temporarily deferred due to unexpected volume or user
# complaints": a limit the receiving provider sets by the sender's reputation (Google
# Workspace Admin Help, "Gmail SMTP errors and codes"; Yahoo Sender Hub, "SMTP error
# codes"), not an account's quota running out, nor the sender address (sisimai's Yahoo
# rule reads TSS04 as "rejected").
_UNUSUAL_RATE = ("because it sees an unusual rate of mail, or complaints about it, from your IP address or domain",
                 "send less, only to people who asked, and check {domain}'s SPF, DKIM and DMARC")
# The receiving server checked the sender address by asking its domain's mail server
# (Exim's "verify = sender" callout, Postfix's reject_unverified_sender) and was told no.
_VERIFY = ("because it could not verify the sender address {sender} with that domain's mail server",
           "make sure {sender} exists and accepts mail, bounces (MAIL FROM:<>) included")
_LOGIN = ("because it requires a login first (RFC 4954 §6)",
          "set [smtp] username, and its password in LEADLOOP_SMTP_PASSWORD or [smtp] password_command")


def sender_sentence(verdict: Verdict, reply: str, *, sender: str, server: str,
                    logged_in: bool = True) -> str:
    """One sentence for a refusal of the sender: who, their words, meaning, remedy.
    `server`: "host:port" of the server that answered, or the name of who reported it."""
    domain = sender.rpartition("@")[2] or sender
    if ":" in server:  # host:port, leadloop's own SMTP server
        who = SUBMISSION_HOSTS.get(server.rpartition(":")[0].lower()) or f"the mail server {server}"
    else:
        who = server
    words = " ".join(reply.split())
    if len(words) > 200:
        words = words[:199] + "…"
    folded = words.lower()
    if not logged_in and ("authentication required" in folded or "must authenticate" in folded
                          or "5.7.0" in folded or words.startswith("530")):
        meaning, remedy = _LOGIN
    elif verdict.reason == "speeding":
        # (A limit of its own kind first; else an admin's words for a quota name one.)
        meaning, remedy = next((said for keys, said in _LIMITS if any(key in folded for key in keys)),
                               _QUOTA if any(word in folded for word in _QUOTA_WORDS) else _MEANING["speeding"])
    elif "unusual rate" in folded or "user complaints" in folded:
        meaning, remedy = _UNUSUAL_RATE
    elif any(word in folded for word in _QUOTA_WORDS):
        meaning, remedy = _QUOTA
    elif verifies_sender(words):
        meaning, remedy = _VERIFY
    else:
        meaning, remedy = _MEANING.get(verdict.reason, (
            "for a reason about the sender or the message, not the lead",
            "read the server's words and fix the sender's settings"))
    meaning, remedy = meaning.format(sender=sender), remedy.format(domain=domain, sender=sender)
    sentence = f"{who} refuses mail from {domain} {meaning} ({words}): {remedy}"
    return sentence[0].upper() + sentence[1:]
