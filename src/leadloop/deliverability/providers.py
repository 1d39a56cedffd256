"""What each mail provider asks its customers to publish, from its own documentation.

Matched by the configured SMTP host (`[smtp] host`): a host equal to, or under, one of
a provider's `smtp_hosts`. `spf_include` is the domain the provider's documentation
says to `include:` in the sender's SPF record; `dkim_selectors` are the selectors it
signs with when the customer has not chosen one (those with a random part, as Amazon
SES's Easy DKIM, cannot be guessed: `[dkim] selector` names them); `mx` is what to
publish to receive mail there, when the provider documents one value for everyone.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Provider:
    name: str
    smtp_hosts: tuple[str, ...]
    spf_include: str
    dkim_selectors: tuple[str, ...]
    docs: str                      # where the records come from
    mx: str = ""                   # "10 host." to paste after "DOMAIN. MX", or ""
    free_domains: tuple[str, ...] = ()  # its free mailboxes (gmail.com, ...)


PROVIDERS = (
    # https://support.google.com/a/answer/10685031 (SPF), /answer/174124 (DKIM, selector
    # "google" by default), /answer/174125 (MX "1 smtp.google.com" since 2023).
    Provider("Google (Gmail, Google Workspace)", ("smtp.gmail.com", "smtp-relay.gmail.com",
             "smtp.googlemail.com", "aspmx.l.google.com"),
             "_spf.google.com", ("google",), "https://support.google.com/a/answer/10685031",
             "1 smtp.google.com.", ("gmail.com", "googlemail.com")),
    # https://learn.microsoft.com/en-us/defender-office-365/email-authentication-spf-configure
    # and .../email-authentication-dkim-configure (selector1 and selector2, CNAMEs to the
    # tenant's onmicrosoft.com keys).
    Provider("Microsoft 365 / Outlook.com", ("smtp.office365.com", "smtp-mail.outlook.com",
             "outlook.office365.com", "mail.protection.outlook.com"),
             "spf.protection.outlook.com", ("selector1", "selector2"),
             "https://learn.microsoft.com/en-us/defender-office-365/email-authentication-spf-configure",
             "", ("outlook.com", "hotmail.com", "live.com", "msn.com", "outlook.es", "hotmail.es")),
    # https://help.brevo.com/hc/en-us/articles/12163873383186 (domain authentication:
    # brevo1/brevo2 CNAMEs; accounts from before 2024 have "mail"); SPF include from the
    # same page (older accounts: spf.sendinblue.com, which still resolves).
    Provider("Brevo", ("smtp-relay.brevo.com", "smtp-relay.sendinblue.com"),
             "spf.brevo.com", ("brevo1", "brevo2", "mail"),
             "https://help.brevo.com/hc/en-us/articles/12163873383186"),
    # https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-spf.html and
    # .../send-email-authentication-dkim-easy.html (three random selectors: name one).
    Provider("Amazon SES", ("amazonaws.com",), "amazonses.com", (),
             "https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-spf.html"),
    # https://documentation.mailgun.com/docs/mailgun/user-manual/domains/ (SPF
    # include:mailgun.org; DKIM selectors it proposes: "smtp", "mx", "k1", "pic").
    Provider("Mailgun", ("smtp.mailgun.org", "smtp.eu.mailgun.org"), "mailgun.org",
             ("smtp", "mx", "k1", "pic", "krs"),
             "https://documentation.mailgun.com/docs/mailgun/user-manual/domains/"),
    # https://www.twilio.com/docs/sendgrid/ui/account-and-settings/how-to-set-up-domain-authentication
    # (CNAMEs s1._domainkey and s2._domainkey; SPF include:sendgrid.net).
    Provider("SendGrid", ("smtp.sendgrid.net",), "sendgrid.net", ("s1", "s2"),
             "https://www.twilio.com/docs/sendgrid/ui/account-and-settings/how-to-set-up-domain-authentication"),
    # https://www.zoho.com/mail/help/adminconsole/spf-configuration.html (include:zoho.eu
    # for the EU data centre, zoho.com elsewhere) and .../dkim-configuration.html.
    Provider("Zoho Mail (EU)", ("smtp.zoho.eu", "smtppro.zoho.eu"), "zoho.eu", ("zmail",),
             "https://www.zoho.com/mail/help/adminconsole/spf-configuration.html",
             "10 mx.zoho.eu."),
    Provider("Zoho Mail", ("smtp.zoho.com", "smtppro.zoho.com", "smtp.zoho.in"), "zoho.com",
             ("zmail",), "https://www.zoho.com/mail/help/adminconsole/spf-configuration.html",
             "10 mx.zoho.com.", ("zoho.com",)),
    # https://help.ovhcloud.com/csm/en-web-hosting-domain-spf-record (include:mx.ovh.com;
    # DKIM "ovhmo..." selectors are per account: name yours in [dkim] selector).
    Provider("OVHcloud", ("ssl0.ovh.net", "mail.ovh.net", "ovh.net"), "mx.ovh.com", (),
             "https://help.ovhcloud.com/csm/en-web-hosting-domain-spf-record",
             "1 mx1.mail.ovh.net."),
    # https://www.ionos.com/help/domains/configuring-mail-servers-and-other-related-records/using-an-spf-record-to-prevent-spam/
    Provider("IONOS (1&1)", ("smtp.ionos.es", "smtp.ionos.de", "smtp.ionos.com", "smtp.ionos.fr",
             "smtp.ionos.co.uk", "smtp.ionos.it", "smtp.1and1.com", "smtp.1und1.de"),
             "_spf-eu.ionos.com", (),
             "https://www.ionos.com/help/domains/configuring-mail-servers-and-other-related-records/"
             "using-an-spf-record-to-prevent-spam/"),
    # https://www.fastmail.help/hc/en-us/articles/360060591153 (include:spf.messagingengine.com,
    # CNAMEs fm1, fm2, fm3).
    Provider("Fastmail", ("smtp.fastmail.com",), "spf.messagingengine.com", ("fm1", "fm2", "fm3"),
             "https://www.fastmail.help/hc/en-us/articles/360060591153",
             "10 in1-smtp.messagingengine.com."),
    # Free mailboxes only: nobody publishes records for these, their own servers send.
    # https://senders.yahooinc.com/best-practices/
    Provider("Yahoo", ("smtp.mail.yahoo.com", "smtp.mail.yahoo.es"), "_spf.mail.yahoo.com", (),
             "https://senders.yahooinc.com/best-practices/", "",
             ("yahoo.com", "yahoo.es", "ymail.com", "rocketmail.com")),
    Provider("iCloud", ("smtp.mail.me.com",), "icloud.com", (), "https://support.apple.com/en-us/102525",
             "", ("icloud.com", "me.com", "mac.com")),
    Provider("GMX / web.de", ("mail.gmx.net", "mail.gmx.com", "smtp.web.de"), "gmx.net", (),
             "https://support.gmx.com/pop-imap/imap/server.html", "",
             ("gmx.com", "gmx.net", "gmx.de", "gmx.es", "web.de")),
    Provider("AOL", ("smtp.aol.com",), "_spf.mail.aol.com", (), "https://help.aol.com", "",
             ("aol.com",)),
)

# Mailbox providers whose own DMARC policy (p=reject or p=quarantine, and Gmail's
# enforcement since 2024) makes receivers refuse their domain in From when another
# server sends it. https://support.google.com/a/answer/81126 ("Don't impersonate Gmail From: headers").
FREE_MAIL = {domain: provider for provider in PROVIDERS for domain in provider.free_domains}
FREE_MAIL.update({domain: None for domain in ("protonmail.com", "proton.me", "yandex.com",
                                               "mail.ru", "libero.it", "orange.fr", "free.fr",
                                               "laposte.net", "t-online.de", "terra.com.br",
                                               "uol.com.br", "bol.com.br")})

# Tried when neither [dkim] selector nor the provider names one: what DKIM checkers try.
COMMON_SELECTORS = ("default", "dkim", "mail", "selector1", "selector2", "google", "k1",
                    "s1", "s2", "smtp")


def provider_for(smtp_host: str | None) -> Provider | None:
    if not smtp_host:
        return None
    host = smtp_host.lower().rstrip(".")
    for provider in PROVIDERS:
        if any(host == known or host.endswith("." + known) for known in provider.smtp_hosts):
            return provider
    return None
