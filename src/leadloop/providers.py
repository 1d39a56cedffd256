"""What a few large mail providers mean by their own refusals (SPEC §7).

Some providers answer with their own codes or fixed sentences whose meaning the
enhanced status does not carry: La Poste and Orange write "LPN007_416" for an address
that does not exist, Yahoo "dd This user doesn't have a yahoo.com account" after DATA,
KDDI (au) ": User unknown" for a message its filter refused but "<address>: User
unknown" for a dead address. Where the refusal comes from one of these providers (the
remote host that answered, or the recipient's domain), its rules decide before the
general ones of delivery_status.

Pure data and one lookup. The providers, their host names, codes and sentences are
those of sisimai's Sisimai::Rhost::* modules (https://libsisimai.org, Copyright (C)
2014-2024 azumakuniyuki, BSD 2-Clause License), which collect them from each
provider's published error-code pages, and a few read in a provider's own help pages
where sisimai has no module (cited beside them); the lookup is written anew for leadloop.
"""

from __future__ import annotations

import re

# Provider → host name suffixes (the remote host that answered) and the domains it
# hosts: a refusal is the provider's when either matches.
HOSTS = {
    "apple": (".mail.icloud.com", ".apple.com", ".me.com", "icloud.com", "me.com", "mac.com"),
    "cox": ("cox.net",),
    "daum": (".hanmail.net", "hanmail.net", "daum.net", ".daum.net", "kakao.com"),
    "franceptt": (".laposte.net", ".orange.fr", ".wanadoo.fr", "laposte.net", "orange.fr", "wanadoo.fr"),
    "godaddy": ("smtp.secureserver.net", "mailstore1.secureserver.net"),
    "gmx": (".gmx.net", "gmx.net", "gmx.de", "gmx.at", "gmx.ch", "gmx.com", ".web.de", "web.de"),
    "google": ("aspmx.l.google.com", "gmail-smtp-in.l.google.com", ".google.com"),
    "interia": (".interia.pl", "interia.pl", "interia.eu", "poczta.fm", "intmail.pl"),
    "iua": (".email.ua", "email.ua", "i.ua"),
    "kddi": (".ezweb.ne.jp", "msmx.au.com", "ezweb.ne.jp", "au.com"),
    "microsoft": (".prod.outlook.com", ".protection.outlook.com"),
    "nttdocomo": ("mfsmax.docomo.ne.jp", "docomo.ne.jp"),
    "spectrum": ("charter.net",),
    "telekom": (".t-online.de", "t-online.de", "magenta.de"),
    "tencent": (".qq.com", "qq.com"),
    "yahooinc": (".yahoodns.net",),
}

# (reason, sentence, enhanced status or None) per provider; a status "5.7.606-649"
# stands for a range of the last number. Sentences are folded (lower case).
SENTENCES = {
    'google': (
        ('authfailure', 'the spf record of the sending domain', '4.7.24'),
        ('authfailure', 'the spf record of the sending domain', '5.7.24'),
        ('authfailure', 'senders to authenticate with either spf or dkim', '4.7.26'),
        ('authfailure', 'senders to authenticate with either spf or dkim', '5.7.26'),
        ('authfailure', 'fails to pass spf checks for an spf record with a hard fail', '5.7.26'),
        ('authfailure', 'has an spf record with a hard fail policy', '5.7.26'),
        ('authfailure', "is not accepted due to domain's dmarc policy", '4.7.26'),
        ('authfailure', "is not accepted due to domain's dmarc policy", '5.7.26'),
        ('authfailure', 'fails to pass authentication checks', '5.7.1'),
        ('authfailure', 'fails to pass authentication checks', '5.7.26'),
        ('authfailure', 'senders to authenticate with spf', '4.7.27'),
        ('authfailure', 'senders to authenticate their email with spf', '4.7.27'),
        ('authfailure', 'senders to authenticate with spf', '5.7.27'),
        ('authfailure', 'senders to authenticate their email with dkim', '4.7.30'),
        ('authfailure', 'senders to authenticate with dkim', '5.7.30'),
        ('authfailure', 'aligned with either the authenticated spf or dkim', '4.7.32'),
        ('badreputation', 'very low reputation of the sending ip address', '4.7.0'),
        ('badreputation', 'very low reputation of the sending domain', '4.7.0'),
        ('badreputation', 'due to the very low reputation of the sending ip address', '5.7.1'),
        ('badreputation', 'due to the very low reputation of the sending domain', '5.7.1'),
        ('blocked', 'ip not in whitelist for rcpt domain', '4.7.0'),
        ('blocked', 'try again later, closing connection.', '4.7.0'),
        ('blocked', 'empty helo/ehlo argument not allowed', '5.5.4'),
        ('blocked', 'helo/ehlo argument is invalid', '5.5.4'),
        ('blocked', 'an unusual rate of unsolicited mail', '4.7.0'),
        ('blocked', 'an unusual rate of mail', '4.7.28'),
        ('blocked', 'an unusual rate of unsolicited mail', '5.7.1'),
        ('blocked', 'an unusual rate of unsolicited mail', '5.7.28'),
        ('exceedlimit', "exceeded google's message size limits", '5.2.3'),
        ('exceedlimit', "exceeds google's limit of limit attachments.", '5.3.4'),
        ('exceedlimit', "your message exceeded google's message header size limits", '5.3.4'),
        ('exceedlimit', 'bytes per individual header size', '5.3.4'),
        ('exceedlimit', "exceeds google's header name limit of", '5.3.4'),
        ('exceedlimit', "exceeds google's message header size limit", '5.3.4'),
        ('expired', 'connection expired', '4.7.0'),
        ('expired', 'timeout - closing connection', '4.4.2'),
        ('mailboxfull', 'inbox is out of storage space', '4.2.2'),
        ('mailboxfull', 'inbox is out of storage space and inactive', '5.2.2'),
        ('mailboxfull', 'is over quota', '4.2.2'),
        ('mailboxfull', 'is over quota', '5.2.2'),
        ('mailboxfull', 'email quota exceeded', '5.7.1'),
        ('mesgtoobig', "exceeded google's message size limits", '5.3.4'),
        ('mesgtoobig', "exceeds google's message size limit of", '5.3.4'),
        ('networkerror', 'message exceeded 50 hops', '5.4.6'),
        ('networkerror', 'message exceeded 50 hops', '5.6.0'),
        ('norelaying', 'mail relay denied', '5.7.0'),
        ('norelaying', 'invalid credentials for relay', '5.7.1'),
        ('norelaying', 'is not authorized to send email directly to our servers', '5.7.1'),
        ('notcompliantrfc', 'missing a valid address in the from: header', '5.7.1'),
        ('notcompliantrfc', 'multiple addresses in from: header are not accepted', '5.7.1'),
        ('notcompliantrfc', 'is not rfc 5322 compliant', '5.7.1'),
        ('notcompliantrfc', 'missing a valid message-id: header', '5.7.1'),
        ('notcompliantrfc', 'contains a unicode character in a disallowed header', '5.7.1'),
        ('notcompliantrfc', 'encoded-word syntax is not permitted', '5.7.1'),
        ('notcompliantrfc', 'is not a valid rfc 5321 address', '5.1.7'),
        ('notcompliantrfc', 'mail message is malformed', '5.6.0'),
        ('policyviolation', 'illegal attachment on your message', '5.7.0'),
        ('policyviolation', 'blocked because its content presents a potential security issue', '5.7.0'),
        ('policyviolation', 'you are sending to (or from) has a policy that prohibited', '5.7.1'),
        ('policyviolation', 'sending messages with the same message-id:', '4.7.28'),
        ('rejected', 'mail sending denied', '5.7.0'),
        ('rejected', 'unauthenticated email is not accepted', '5.7.1'),
        ('requireptr', 'does not have a ptr record', '4.7.0'),
        ('requireptr', ' have a ptr record, or the ptr record', '4.7.23'),
        ('requireptr', 'does not meet ipv6 sending guidelines regarding ptr records and authentication', '5.7.1'),
        ('requireptr', 'does not have a ptr record', '5.7.25'),
        ('requireptr', 'does not match the ip address of the hostname', '5.7.25'),
        ('securityerror', 'tls required for rcpt domain', '4.7.0'),
        ('securityerror', 'too many login attempts', '4.7.0'),
        ('securityerror', 'cannot decode response', '5.5.2'),
        ('securityerror', 'no identity changes permitted', '5.7.0'),
        ('securityerror', 'authentication required.', '5.5.1'),
        ('securityerror', 'authentication required.', '5.7.0'),
        ('securityerror', 'application-specific password required', '5.7.1'),
        ('securityerror', 'application-specific password required', '5.7.9'),
        ('securityerror', 'please log in with your web browser', '5.7.1'),
        ('securityerror', 'please log in with your web browser', '5.7.9'),
        ('securityerror', 'please log in through your web browser', '5.7.14'),
        ('securityerror', 'username and password not accepted', '5.7.1'),
        ('securityerror', 'username and password not accepted', '5.7.8'),
        ('securityerror', 'senders to use tls/ssl for smtp', '4.7.29'),
        ('securityerror', 'senders to use tls/ssl for smtp', '5.7.29'),
        ('spamdetected', 'due to the nature of the content or the links within', '4.7.0'),
        ('spamdetected', 'likely unsolicited mail', '5.7.1'),
        # (The recipient's own receiving rate, "The user you are trying to contact is
        # receiving mail too quickly / at a rate that prevents additional messages":
        # its mailbox's, SPEC §6 "over its own rate", retried; sisimai's "speeding" would
        # put it on our account and tell the marketer their sending limit is reached.)
        ('temporary', 'is receiving mail too quickly', '4.2.1'),
        ('speeding', 'peak smtp relay limit exceeded for customer', '4.2.1'),
        ('temporary', 'rate that prevents additional messages from being delivered', '4.2.1'),
        ('temporary', 'rate that prevents additional messages from being delivered', '5.2.1'),
        ('speeding', 'daily sending quota exceeded', '5.4.5'),
        ('speeding', 'daily user sending limit exceeded', '5.4.5'),
        ('speeding', 'daily smtp relay limit exceeded for', '5.4.5'),
        ('speeding', 'daily smtp relay limit exceeded for', '5.7.1'),
        ('speeding', 'daily smtp relay sending limit exceeded for', '5.7.1'),
        ('speeding', 'this mail has been rate limited', '5.7.1'),
        ('suspend', 'account that you tried to reach is disabled', '5.2.1'),
        ('suspend', 'account that you tried to reach is inactive', '5.2.1'),
        ('syntaxerror', 'smtp protocol violation', '4.5.0'),
        ('syntaxerror', 'smtp protocol violation', '5.7.10'),
        ('syntaxerror', 'optional argument not permitted', '5.5.4'),
        ('syntaxerror', 'starttls may not be repeated', '5.5.1'),
        ('syntaxerror', 'syntax error', '5.7.11'),
        ('syntaxerror', 'syntax error', '5.5.2'),
        ('syntaxerror', 'too many unrecognized commands, goodbye', '5.5.1'),
        ('syntaxerror', 'unimplemented command', '5.5.1'),
        ('syntaxerror', 'unrecognized command', '5.5.1'),
        ('syntaxerror', 'bad sequence of commands', '5.5.1'),
        ('syntaxerror', 'ehlo/helo first', '5.5.1'),
        ('syntaxerror', 'mail first', '5.5.1'),
        ('syntaxerror', 'rcpt first', '5.5.1'),
        ('syntaxerror', 'no data after bdat', '5.5.1'),
        ('syntaxerror', 'unrecognized authentication type', '5.7.4'),
        ('syntaxerror', 'xoauth is no longer supported', '5.7.4'),
        ('syntaxerror', 'must issue a starttls command first', '5.7.0'),
        ('syntaxerror', 'too many unauthenticated commands', '5.7.0'),
        ('systemerror', 'temporary system problem', '4.3.0'),
        ('systemerror', 'temporary system problem', '4.7.0'),
        ('systemerror', 'server busy', '4.4.5'),
        ('systemerror', 'multiple destination domains per transaction is unsupported', '4.3.0'),
        ('systemerror', 'mail server has temporarily rejected this message', '4.3.0'),
        ('systemerror', 'mail server temporarily rejected message', '4.3.0'),
        ('systemerror', 'domain policy size per transaction exceeded', '4.5.3'),
        ('systemerror', 'cannot authenticate due to temporary system problem', '4.7.0'),
        ('toomanyconn', 'your message has too many recipients', '4.5.3'),
        ('toomanyconn', 'too many recipients for this sender', '5.5.3'),
        ('userunknown', 'the email account that you tried to reach does not exist', '5.1.1'),
        ('userunknown', "we weren't able to find the recipient domain", '5.1.2'),
        ('userunknown', 'is not a valid rfc 5321 address', '5.1.3'),
    ),
    'microsoft': (
        ('authfailure', 'must pass either spf or dkim validation, this message is not signed', '4.7.26'),
        ('authfailure', 'tlsa-invalid: the domain failed dane validation', '4.7.323'),
        ('authfailure', 'tlsa-invalid: the domain failed dane validation', '5.7.323'),
        ('authfailure', 'dnssec-invalid: destination domain returned invalid dnssec records', '4.7.324'),
        ('authfailure', 'dnssec-invalid: destination domain returned invalid dnssec records', '5.7.324'),
        ('authfailure', 'certificate-host-mismatch: remote certificate must have a common name or subject alternative name matching the hostname (dane)', '4.7.325'),
        ('authfailure', 'certificate-host-mismatch: remote certificate must have a common name or subject alternative name matching the hostname (dane)', '5.7.325'),
        ('authfailure', 'the message was rejected because of sender policy framework violation', '5.7.23'),
        ('authfailure', "certificate-expired: destination mail server's certificate is expired", '5.7.322'),
        ('authfailure', 'does not pass dmarc verification', '5.7.509'),
        ('badreputation', 'has been temporarily rate limited due to ip reputation', '4.7.650'),
        ('blocked', 'connection dropped', '4.4.2'),
        ('blocked', 'access denied, please try again later', '4.7.850-899'),
        ('blocked', 'must have a reverse dns record', '5.7.25'),
        ('blocked', 'access denied, bad helo', '5.7.506'),
        ('blocked', 'access denied, rejected by recipient', '5.7.507'),
        ('blocked', 'does not accept email over ipv6', '5.7.510'),
        ('blocked', 'access denied, banned sender', '5.7.511'),
        ('blocked', 'using customer block list', '5.7.513'),
        ('blocked', 'access denied, banned sending ip ', '5.7.606-649'),
        ('blocked', 'access denied, please try again later', '4.7.500-699'),
        ('blocked', 'invalid domain name', '5.5.4'),
        ('blocked', 'restrictdomainstoipaddresses or restrictdomainstocertificate', '5.7.51'),
        ('blocked', 'part of their network is on our block list (s3150)', '5.7.1'),
        ('contenterror', 'too many related errors', '5.3.0'),
        ('contenterror', 'invalid characters', '5.6.11'),
        ('contenterror', 'agent generated message depth exceeded', '5.4.11'),
        ('contenterror', 'invalid message content', '5.5.6'),
        ('exceedlimit', 'resolver.rst.recipsizelimit; message too large for this recipient', '5.2.3'),
        ('expired', 'connection timed out', '4.4.1'),
        ('expired', 'message delayed', '4.4.7'),
        ('expired', 'queue expired; message expired', '4.4.7'),
        ('expired', 'message expired', '4.4.7'),
        ('expired', 'message expired', '5.4.300'),
        ('mailboxfull', 'mailbox full', '5.2.2'),
        ('mesgtoobig', 'message size exceeds fixed maximum message size', '5.3.4'),
        ('mesgtoobig', 'message too big for system', '5.3.4'),
        ('networkerror', 'smtpsend.dns.nonexistentdomain; nonexistent domain', '5.4.4'),
        ('networkerror', 'hop count exceeded - possible mail loop', '5.4.6'),
        ('networkerror', 'connection refused', '4.4.316'),
        ('networkerror', 'invalid arguments', '5.4.4'),
        ('networkerror', 'routing loop detected', '5.4.6'),
        ('networkerror', 'routing loop detected', '5.4.14'),
        ('norelaying', 'unable to relay', '5.7.1'),
        ('norelaying', 'client was not authenticated', '5.7.1'),
        ('norelaying', 'relay access denied', '5.4.1'),
        ('norelaying', 'tenantattribution; relay access denied', '5.7.64'),
        ('norelaying', 'does not exist', '5.4.310'),
        ('notaccept', 'system not accepting network messages', '4.3.2'),
        ('notaccept', 'hosted tenant which has no mail-enabled subscriptions', '4.4.4'),
        ('notaccept', 'storedrv.deliver: missing or bad storedriver mdb properties', '5.3.2'),
        ('policyviolation', 'x-dg-ref header is too long', '5.0.350'),
        ('policyviolation', 'requested action not taken: policy violation detected (as345)', '5.0.350'),
        ('policyviolation', 'delivery not authorized, message refused', '5.7.900-999'),
        ('rejected', 'invalid address', '5.1.7'),
        ('rejected', 'unknown sender address', '5.1.7'),
        ('rejected', 'sender denied', '5.1.0'),
        ('rejected', 'access denied, bad outbound sender', '5.1.8'),
        ('rejected', 'delivery not authorized', '5.7.1'),
        ('rejected', 'sender was not authenticated by organization', '5.7.12'),
        ('rejected', 'sender not in allowed-senders list', '5.7.124'),
        ('rejected', 'sender not authenticated for group', '5.7.133'),
        ('rejected', 'sender was not authenticated for mailbox', '5.7.134'),
        ('rejected', 'sender was not authenticated for public folder', '5.7.13'),
        ('rejected', 'sender was not authenticated for public folder', '5.7.135'),
        ('rejected', 'sender was not authenticated', '5.7.136'),
        ('rejected', 'access denied, spam abuse detected', '5.7.501-503'),
        ('rejected', 'access denied, message must be rfc 5322 section 3.6.2 compliant', '5.7.512'),
        ('rejected', 'service unavailable. client blocked from sending from unregistered domains', '5.7.750'),
        ('rejected', 'access denied, banned sender', '5.7.501-503'),
        ('securityerror', 'cannot achieve exchange server authentication', '5.7.3'),
        ('securityerror', 'not authorized', '5.7.3'),
        ('securityerror', 'starttls is required to send mail', '4.4.317'),
        ('securityerror', 'starttls is required to send mail', '5.4.317'),
        ('securityerror', 'starttls-not-supported: destination mail server must support tls to receive mail', '4.7.321'),
        ('securityerror', 'starttls-not-supported: destination mail server must support tls to receive mail', '5.7.321'),
        ('securityerror', 'client was not authenticated', '5.7.1'),
        ('securityerror', 'client was not authenticated to send anonymous mail during mail from', '5.7.57'),
        ('spamdetected', 'content filter agent quarantined this message', '5.2.1'),
        ('speeding', 'storedrv.deliver; recipient thread limit exceeded', '4.3.2'),
        ('speeding', "your message can't be sent because you've reached your daily limit for message recipients", '5.1.90'),
        ('speeding', 'submission quota exceeded', '5.2.2'),
        ('speeding', "recipient's per hour message receive limit from specific sender exceeded", '5.2.121'),
        ('speeding', "recipient's per hour message receive limit exceeded", '5.2.122'),
        ('speeding', 'has exceeded permitted limits within', '5.7.508'),
        ('speeding', 'access denied, tenant has exceeded threshold', '5.7.700-749'),
        ('speeding', 'access denied, traffic not accepted from this ip', '5.7.700-749'),
        ('suspend', 'recipient address rejected: access denied', '5.7.504'),
        ('suspend', 'access denied, banned recipient', '5.7.505'),
        ('suspend', 'mailbox cannot be accessed', '5.2.1'),
        ('syntaxerror', 'unrecognized command', '5.3.3'),
        ('syntaxerror', 'send hello first', '5.5.2'),
        ('systemerror', 'service not available', '4.3.2'),
        ('systemerror', 'service not active', '4.3.2'),
        ('systemerror', 'system incorrectly configured', '5.3.5'),
        ('systemerror', 'journaling on-premises messages to microsoft 365 or office 365 not supported when journaling archive is disabled', '5.3.190'),
        ('systemerror', 'helo / ehlo requires domain address', '5.0.0'),
        ('systemerror', 'destination mailbox address ambiguous', '5.1.4'),
        ('systemerror', 'mailing list expansion problem', '5.2.4'),
        ('systemerror', 'misconfigured forwarding address', '5.2.14'),
        ('systemerror', 'temporary server error. please try again later attr18', '4.4.3'),
        ('systemerror', 'temporary server error. please try again later. prx4 nexthop:', '4.7.0'),
        ('systemerror', 'message failed to be replicated: insufficient system resource:', '4.4.24'),
        ('systemerror', 'message failed to be replicated: no healthy secondary server available to accept replica at this time.', '4.4.25'),
        ('systemerror', 'message failed to be replicated: the operation was canceled', '4.4.28'),
        ('systemerror', '(suspiciousremoteservererror)', '4.4.318'),
        ('systemerror', '(suspiciousremoteservererror)', '5.4.318'),
        ('systemerror', 'server busy. please try again later from ', '4.7.500'),
        ('systemerror', 'pfa agent busy, please try again.', '4.7.700'),
        ('systemfull', 'insufficient system resources', '4.3.1'),
        ('toomanyconn', 'too many recipients', '5.5.3'),
        ('toomanyconn', 'too many recipients', '4.5.3'),
        ('toomanyconn', 'the recipient has exceeded their limit for', '5.2.122'),
        ('userunknown', 'resolver.adr.exrecipnotfound; not found', '5.1.1'),
        ('userunknown', 'user unknown', '5.1.1'),
        ('userunknown', 'storedrv.submit; invalid recipient address', '5.1.3'),
        ('userunknown', 'recipient address reserved by rfc 2606', '5.1.4-5'),
        ('userunknown', 'recipient addresses in single label domains not accepted', '5.1.6'),
        ('userunknown', 'bad destination mailbox address', '5.1.1'),
        ('userunknown', 'recipient not found', '5.1.10'),
        ('userunknown', 'recipient address rejected: access denied', '5.4.1'),
        ('userunknown', 'requested action not taken: mailbox unavailable', '5.5.0'),
        ('userunknown', 'invalid x.400 address', '5.1.2'),
    ),
    'apple': (
        ('authfailure', 's dmarc policy', None),
        ('authfailure', 'blocked for failing both spf and dkim autentication checks', None),
        ('blocked', 'rejected due to having a domain present in the spamhaus', None),
        ('blocked', 'rejected due to listing in spamhaus', None),
        ('blocked', 'blocked - see https://support.proofpoint.com/dnsbl-lookup', None),
        ('blocked', 'not accepting connections', None),
        ('hasmoved', 'recipient no longer on server', None),
        ('mailboxfull', 'user is over quota', None),
        ('norelaying', 'relay access denied', None),
        ('notaccept', 'host/domain does not accept mail', None),
        ('policyviolation', 'due to local policy', None),
        ('rejected', 'sender address rejected', None),
        ('speeding', 'due to excessive volume', None),
        ('userunknown', 'inactive email address', None),
        ('userunknown', 'user does not exist', None),
        ('userunknown', 'unknown or illegal alias', None),
    ),
    'yahooinc': (
        ('authfailure', 'yahoo requires all senders to authenticate with either spf or dkim', None),
        ('blocked', " because the ip is in spamhaus's list;", None),
        ('blocked', 'not accepted from ip addresses on spamhaus xbl', None),
        ('norelaying', 'relaying denied for ', None),
        ('notcompliantrfc', 'headers are not rfc compliant', None),
        ('policyviolation', 'not accepted for policy reasons', None),
        ('rejected', 'temporarily deferred due to unexpected volume or user complaints', None),
        ('rejected', 'due to unresolvable rfc.5321 domain', None),
        ('rejected', ' will be permanently deferred', None),
        ('temporary', 'user is receiving mail too quickly', None),  # (the recipient's rate, above)
        ('suspend', ' is no longer valid.', None),
        ('suspend', 'this mailbox is disabled', None),
        ('syntaxerror', 'syntax error in parameters or arguments', None),
        ('toomanyconn', 'max message per connection reached', None),
        ('userunknown', "dd this user doesn't have a ", None),
        ('userunknown', 'mailbox not found', None),
    ),
    'tencent': (
        ('authfailure', 'spf check failed', None),
        ('authfailure', 'dmarc check failed', None),
        ('blocked', 'suspected bounce attacks', None),
        ('blocked', 'suspected spam ip', None),
        ('blocked', 'connection denied', None),
        ('mesgtoobig', 'message too large', None),
        ('rejected', 'suspected spam', None),
        ('rejected', 'mail is rejected by recipients', None),
        ('spamdetected', 'spam is embedded in the email', None),
        ('spamdetected', 'mail content denied', None),
        ('speeding', 'mailbox unavailable or access denined', None),
        ('suspend', 'is a deactivated mailbox', None),
        ('syntaxerror', 'bad address syntax', None),
        ('toomanyconn', 'ip frequency limited', None),
        ('toomanyconn', 'domain frequency limited', None),
        ('toomanyconn', 'sender frequency limited', None),
        ('toomanyconn', 'connection frequency limited', None),
        ('userunknown', 'mailbox not found', None),
    ),
    # Daum's (Kakao's) return-mail codes, as Korean senders' help pages list them: "421
    # 4.4.5 CCRT IP: Connection refused. Server is busy(RT)" is its spam centre's block of
    # the connecting IP, whatever the words say of a busy server.
    'daum': (
        ('blocked', ' ccrt ', None),
    ),
    # GMX's and Web.de's (one mail system, "Nemesis"): "4xx Rate limit reached. Please
    # try again later" is too much mail from one sending IP in too short a time
    # (newsroom.gmx.net, "Unzustellbar: Was tun, wenn E-Mails beim Empfänger nicht
    # ankommen?", 2017; postmaster.gmx.net error messages): our rate, not the mailbox.
    'gmx': (
        ('speeding', 'rate limit reached', None),
    ),
    # T-Online's refusal of the connecting IP, "554 IP=192.0.2.7 - A problem occurred. (Ask
    # your postmaster for help or to contact tosa@rx.t-online.de to clarify.)", also "-
    # None/bad reputation … (NOWL)" for an IP it does not know yet (postmaster.t-online.de,
    # 4.6 and 4.7: the sending server's IP, whatever the recipient).
    'telekom': (
        ('blocked', 'ask your postmaster for help or to contact', None),
    ),
    # Interia's own list (pomoc.poczta.interia.pl, "Dlaczego wiadomość nie została
    # dostarczona?"): "550 5.2.1 Mailbox not available" may be a mistyped address, a full
    # inbox or a suspended account, so no proof the address is dead; "550 5.7.1 Recipient
    # doesn't want your mail" is the recipient's own block list, not our sending.
    'interia': (
        ('suspend', 'mailbox not available', '5.2.1'),
        ('filtered', "recipient doesn't want your mail", '5.7.1'),
    ),
    'godaddy': (
        ('blocked', 'rbl reject', None),
        ('blocked', 'www.spamhaus.org/query/bl?ip=', None),
        ('expired', 'has been in the queue too long', None),
        ('expired', 'delivery timeout', None),
        ('mailboxfull', 'account storage limit', None),
        ('spamdetected', 'message rejected for spam or virus content', None),
        ('suspend', 'account disabled', None),
        ('systemerror', 'message is looping', None),
        ('userunknown', 'recipient not found', None),
        ('userunknown', 'account does not exist', None),
    ),
    'cox': (
        ('blocked', 'cox too many bad commands from', None),
        ('blocked', 'too many invalid recipients', None),
        ('requireptr', 'dns check failure - try again later', None),
        ('requireptr', 'rejected - no rdns', None),
        ('policyviolation', 'esmtp no data before greeting', None),
        ('policyviolation', 'attachment extension is forbidden', None),
        ('rejected', 'sender rejected', None),
        ('systemerror', 'esmtp server temporarily not available', None),
        ('toomanyconn', 'too many sessions from', None),
        ('toomanyconn', 'requested action aborted: try again later', None),
        ('toomanyconn', 'message threshold exceeded', None),
        ('userunknown', 'recipient rejected', None),
    ),
}

# Numbered refusals: a pattern whose first group is the number, and number → reason.
_FRANCE_PTT = re.compile(r"\b(?:lpn|lpnaaa|ofr|ouk)(?:_|\d{3}[-_])(\d{3})\b")
_FRANCE_PTT_CODES = {
    "101": "blocked", "102": "blocked", "103": "blocked", "104": "toomanyconn", "305": "securityerror",
    "401": "authfailure", "402": "securityerror", "403": "rejected", "405": "rejected",
    "415": "rejected", "416": "userunknown", "417": "mailboxfull", "420": "suspend",
    "421": "rejected", "426": "suspend", "505": "systemerror", "506": "spamdetected",
    "510": "blocked", "514": "mesgtoobig", "517": "authfailure", "630": "policyviolation",
    "999": "blocked",
}
_GODADDY = re.compile(r"\s(ib\d{3})\b")
_GODADDY_CODES = {
    "ib401": "securityerror", "ib501": "notcompliantrfc", "ib502": "notcompliantrfc",
    "ib506": "rejected", "ib508": "authfailure", "ib108": "requireptr", "ib212": "spamdetected",
    "ib705": "virusdetected", "ib605": "toomanyconn", "ib007": "toomanyconn", "ib101": "speeding",
    "ib110": "blocked", "ib111": "blocked", "ib112": "blocked", "ib113": "blocked",
    "ib504": "speeding", "ib510": "speeding", "ib607": "speeding", "ib103": "badreputation",
    "ib104": "blocked", "ib105": "blocked", "ib106": "blocked",
}
_COX = re.compile(r"aup#([0-9a-z]+)")
_COX_CODES = {"cxbl": "blocked", "cxdns": "requireptr", "cxsndr": "authfailure", "cxsmtp": "rejected",
              "cxcnct": "toomanyconn", "cxmxrt": "toomanyconn", "cdrbl": "blocked", "cxthrt": "securityerror",
              "cxmj": "securityerror"}
_COX_PREFIXES = (("ipbl", "blocked"), ("urlbl", "spamdetected"))
_IUA = re.compile(r"\.i\.ua/err/(\d{1,2})\b")
_IUA_CODES = {"1": "norelaying", "2": "userunknown", "3": "suspend", "4": "mailboxfull", "5": "toomanyconn",
              "6": "norelaying", "7": "blocked", "8": "rejected", "9": "blocked", "10": "filtered"}
_SPECTRUM = re.compile(r"aup#[a-z-]*(\d{4})")
_SPECTRUM_RANGES = (
    (1000, 1000, "blocked"), (1010, 1010, "rejected"), (1020, 1080, "rejected"), (1090, 1090, "systemerror"),
    (1100, 1150, "requireptr"), (1160, 1190, "policyviolation"), (1200, 1250, "blocked"),
    (1260, 1260, "networkerror"), (1300, 1340, "toomanyconn"), (1350, 1490, "speeding"),
    (1500, 1520, "rejected"), (1530, 1530, "mesgtoobig"), (1540, 1550, "speeding"),
    (1560, 1560, "policyviolation"), (1580, 1580, "speeding"),
)


# The software that wrote a report, known by its headers, and the sentences with which
# it gives its own verdict (sisimai's Sisimai::Lhost::McAfee, InterScanMSS, MessageLabs,
# Outlook and Aol readers). They hold only in that software's reports: "unknown." or
# "Unable to deliver" mean nothing in anyone else's.
REPORTER_SENTENCES = {
    "mcafee": (("userunknown", " user not exist"), ("userunknown", " unknown."),
               ("userunknown", "550 unknown user "), ("userunknown", "no such user")),
    "interscan": (("userunknown", "unable to deliver"),),
    "messagelabs": (("securityerror", "please turn on smtp authentication in your mail client"),
                    ("userunknown", "542 "), ("userunknown", " rejected"), ("userunknown", "no such user")),
    "outlook": (("userunknown", "requested action not taken: mailbox unavailable"),),
    "aol": (("hostunknown", "host or domain name not found"),
            ("notaccept", "type=mx: malformed or unexpected name server reply")),
}


def reporter_of(headers) -> str | None:
    """Which of REPORTER_SENTENCES' programs wrote this report, by its headers (a
    Message or a mapping with .get), as sisimai recognises them."""
    def value(name: str) -> str:
        return " ".join(str(headers.get(name) or "").split())

    # (Compared in lower case: an old system's copy writes every header in capitals.)
    subject, sender = value("subject").lower(), value("from").lower()
    if "modified by mcafee" in value("x-nai-header").lower() and subject == "delivery status":
        return "mcafee"
    if sender.startswith(('"interscan mss"', '"interscan notification"')) or subject in (
            "mail could not be delivered", "メッセージを配信できません。", "メール配信に失敗しました"):
        return "interscan"
    # (By the From and the Subject its notice has, which an archive's copy keeps, as it
    # drops the X-Msg-Ref and X-AOL-IP fields.)
    if "mailer-daemon@messagelabs.com" in sender and subject.startswith("mail delivery failure"):
        return "messagelabs"
    received = headers.get_all("received") if hasattr(headers, "get_all") else None
    hotmail = sum((
        "delivery status notification" in subject, bool(value("x-message-delivery")),
        bool(value("x-message-info")), any(".hotmail.com" in str(r) for r in received or ())))
    if hotmail >= 2:
        return "outlook"
    if value("x-aol-ip") or re.search(r"\b(mailer-daemon|postmaster)@aol\.com\b", sender):
        return "aol"
    return None


def reporter_reason(reporter: str | None, words: str) -> str | None:
    """The verdict the reporting program gives in `words` (folded), if it is one of its own."""
    for reason, sentence in REPORTER_SENTENCES.get(reporter, ()):
        if sentence in words:
            return reason
    return None


def provider_of(remote_host: str | None, domain: str | None) -> str | None:
    """The provider whose server answered (its host name) or who hosts the domain."""
    host = (remote_host or "").lower().rstrip(".")
    domain = (domain or "").lower()
    for name, suffixes in HOSTS.items():
        for suffix in suffixes:
            bare = suffix.lstrip(".")
            if host and (host == bare or host.endswith(suffix if suffix.startswith(".") else suffix)):
                return name
            if domain and (domain == bare or bare.endswith("." + domain)):
                return name
    return None


def provider_reason(provider: str | None, words: str, status: str | None, command: str | None) -> str | None:
    """What `provider` means by `words` (folded), or None when its rules do not say."""
    if provider is None:
        return None
    if provider == "franceptt":
        match = _FRANCE_PTT.search(words)
        if match:
            return _FRANCE_PTT_CODES.get(match.group(1), "undefined")
        return "authfailure" if "spf/dns de votre nom de domaine" in words else None
    if provider == "godaddy":
        match = _GODADDY.search(words)
        if match and match.group(1) in _GODADDY_CODES:
            return _GODADDY_CODES[match.group(1)]
    if provider == "cox":
        match = _COX.search(words)
        if match:
            code = match.group(1)
            if code in _COX_CODES:
                return _COX_CODES[code]
            for prefix, reason in _COX_PREFIXES:
                if code.startswith(prefix):
                    return reason
    if provider == "iua":
        match = _IUA.search(words)
        return _IUA_CODES.get(match.group(1)) if match else None
    if provider == "spectrum":
        match = _SPECTRUM.search(words)
        if match:
            number = int(match.group(1))
            return next((reason for low, high, reason in _SPECTRUM_RANGES if low <= number <= high), None)
        return None
    if provider == "kddi":
        # KDDI names the address when it refuses it, and nobody when a filter refuses.
        if re.search(r">: user unknown", words):
            return "userunknown"
        if re.search(r"550 : user unknown", words):
            return "filtered"
        return None
    if provider == "nttdocomo":
        if status in ("5.1.1",):
            return "userunknown"
        if status == "5.2.0":
            return "filtered"
        for sentence, reason in (("552 too much mail data", "mailboxfull"), ("552 too many recipients", "toomanyconn"),
                                 ("503 bad sequence of commands", "syntaxerror"),
                                 ("504 command parameter not implemented", "syntaxerror")):
            if sentence in words:
                return reason
        if status == "5.0.0" and command in ("RCPT", "DATA"):
            return "userunknown" if command == "RCPT" else "rejected"
        return None
    for reason, sentence, code in SENTENCES.get(provider, ()):
        if sentence in words and _status_fits(code, status):
            return reason
    return None


def _status_fits(code: str | None, status: str | None) -> bool:
    if code is None or status is None:
        return True
    if "-" in code:
        prefix, _, span = code.rpartition(".")
        low, _, high = span.partition("-")
        klass = status.rpartition(".")
        return status.startswith(prefix + ".") and int(low) <= int(klass[2]) <= int(high)
    return code == status
