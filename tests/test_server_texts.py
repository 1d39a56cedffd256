"""What the open-source mail servers say, read right (issue #25). Each text below was
read in the source code of the server that writes it (the table cites the repository
and the file); each is put into a report the way that server's mail comes back (its
own bounce layout where it writes one, else the report of the sending server that
heard it at that SMTP stage), then into an RFC 3464 report with the vague status 5.0.0
and no stage, and into one with no status at all, and read through the inbox's own
entry point (classify). Whose failure each is follows SPEC §7: a dead address (the
lead becomes `bounced`), the lead's mailbox (full, disabled, over quota, greylisted,
try later: soft), or the sender (relay, HELO, our sender's domain, SPF/DKIM/DMARC,
blocklists, spam, viruses: soft, never one of the lead's three). The hosts and
addresses are made up; the servers' words are theirs."""

from __future__ import annotations

import pytest

from leadloop.classify import classify
from leadloop.delivery_status import ADDRESS, MAILBOX, SENDER, judge

LEAD = "ana.pena@example.org"
OWNERS = {"H": ADDRESS, "M": MAILBOX, "S": SENDER}

# (owner, reply code, enhanced status, the server's words, where the words come back,
#  source, whether the words alone tell). "ADDR" stands for the lead's address. Where:
#  "RCPT", "DATA", "MAIL": the receiving server's answer to that command, reported by
#  the sending server (Postfix's bounce(8) layout); "exim", "qmail", "sendmail",
#  "opensmtpd", "hmailserver", "postfix": that server's own report of its own failure;
#  "stalwart": Stalwart's report of what a remote server answered;
#  "dsn": an RFC 3464 report carrying the server's own status (Sympa, Cyrus via LMTP).
#  The words alone do not tell where they name only a syntax or a generic refusal.
TEXTS = [
    # --- Postfix (vdukhovni/postfix) --------------------------------------------------
    ("H", "550", "5.1.1", "<ADDR>: Recipient address rejected: User unknown in local recipient table", "RCPT",
     "vdukhovni/postfix postfix/src/smtpd/smtpd_check.c", True),
    ("H", "550", "5.1.1", "<ADDR>: Recipient address rejected: User unknown in virtual mailbox table", "RCPT",
     "vdukhovni/postfix postfix/src/smtpd/smtpd_check.c", True),
    ("H", "550", "5.1.1", "<ADDR>: Recipient address rejected: User unknown in virtual alias table", "RCPT",
     "vdukhovni/postfix postfix/src/smtpd/smtpd_check.c", True),
    ("H", "550", "5.1.1", "<ADDR>: Recipient address rejected: User unknown in relay recipient table", "RCPT",
     "vdukhovni/postfix postfix/src/smtpd/smtpd_check.c", True),
    ("H", "550", "5.1.1", "<ADDR>: Recipient address rejected: undeliverable address: host mx2.example.org"
     "[192.0.2.7] said: 550 5.1.1 <ADDR>: User unknown (in reply to RCPT TO command)", "RCPT",
     "vdukhovni/postfix postfix/src/smtpd/smtpd_check.c (reject_unverified_recipient)", True),
    ("H", "550", "5.1.2", "<ADDR>: Recipient address rejected: Domain not found", "RCPT",
     "vdukhovni/postfix postfix/src/smtpd/smtpd_check.c (reject_unknown_recipient_domain)", True),
    ("H", "556", "5.1.10", "<ADDR>: Recipient address rejected: Domain example.org does not accept mail (nullMX)",
     "RCPT", "vdukhovni/postfix postfix/src/smtpd/smtpd_check.c", True),
    ("H", "", "5.1.1", 'unknown user: "ana.pena"', "postfix", "vdukhovni/postfix postfix/src/local/unknown.c", True),
    ("H", "", "5.1.1", 'unknown user: "ADDR"', "postfix", "vdukhovni/postfix postfix/src/virtual/unknown.c", True),
    ("H", "", "5.1.6", "User has moved to ana@example.net", "postfix",
     "vdukhovni/postfix postfix/src/trivial-rewrite/resolve.c (relocated_maps)", True),
    ("H", "", "5.4.4", "Host or domain name not found. Name service error for name=example.org type=MX: "
     "Host not found", "postfix", "vdukhovni/postfix postfix/src/dns/dns_lookup.c", True),
    ("M", "450", "4.2.0", "<ADDR>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/"
     "example.org.html", "RCPT", "vdukhovni/postfix postfix/src/smtpd/smtpd_check.c (check_policy_service)", True),
    ("M", "", "5.2.2", "cannot update mailbox /var/mail/ana for user ana. error writing message: Disk quota exceeded",
     "postfix", "vdukhovni/postfix postfix/src/local/mailbox.c", True),
    ("M", "", "5.2.2", "maildir delivery failed: create maildir file /home/ana/Maildir/tmp/1.P1.mx: Disk quota "
     "exceeded", "postfix", "vdukhovni/postfix postfix/src/local/maildir.c", True),
    ("M", "452", "4.3.1", "Insufficient system storage", "RCPT", "vdukhovni/postfix postfix/src/smtpd/smtpd_check.c",
     True),
    ("S", "554", "5.7.1", "<ADDR>: Relay access denied", "RCPT", "vdukhovni/postfix postfix/src/smtpd/smtpd_check.c",
     True),
    ("S", "550", "5.7.1", "<relay.lauravidal.es>: Helo command rejected: Host not found", "RCPT",
     "vdukhovni/postfix postfix/src/smtpd/smtpd_check.c (reject_unknown_helo_hostname)", True),
    ("S", "504", "5.5.2", "<relay>: Helo command rejected: need fully-qualified hostname", "RCPT",
     "vdukhovni/postfix postfix/src/smtpd/smtpd_check.c", True),
    ("S", "553", "5.1.8", "<laura@lauravidal.es>: Sender address rejected: Domain not found", "RCPT",
     "vdukhovni/postfix postfix/src/smtpd/smtpd_check.c (reject_unknown_sender_domain)", True),
    ("S", "553", "5.7.1", "<laura@lauravidal.es>: Sender address rejected: not owned by user laura", "RCPT",
     "vdukhovni/postfix postfix/src/smtpd/smtpd_check.c", True),
    ("S", "550", "5.1.0", "<laura@lauravidal.es>: Sender address rejected: undeliverable address: host "
     "mx.lauravidal.es[192.0.2.9] said: 550 5.1.1 <laura@lauravidal.es>: Recipient address rejected: User unknown "
     "in local recipient table (in reply to RCPT TO command)", "RCPT",
     "vdukhovni/postfix postfix/src/smtpd/smtpd_check.c (reject_unverified_sender)", True),
    ("S", "450", "4.7.1", "Client host rejected: cannot find your reverse hostname, [192.0.2.9]", "RCPT",
     "vdukhovni/postfix postfix/src/smtpd/smtpd_check.c", True),
    ("S", "554", "5.7.1", "Service unavailable; Client host [192.0.2.9] blocked using zen.spamhaus.org", "RCPT",
     "vdukhovni/postfix postfix/src/smtpd/smtpd_check.c", True),
    ("S", "552", "5.3.4", "Message size exceeds fixed limit", "DATA", "vdukhovni/postfix postfix/src/smtpd/smtpd.c",
     True),
    ("S", "521", "5.5.1", "Protocol error", "RCPT", "vdukhovni/postfix postfix/src/postscreen/postscreen_smtpd.c", True),
    ("S", "521", "5.7.0", "Error: I can break rules, too. Goodbye.", "RCPT",
     "vdukhovni/postfix postfix/src/postscreen/postscreen_smtpd.c", True),
    ("S", "521", "5.5.1", "Error: command not implemented", "RCPT", "vdukhovni/postfix postfix/src/smtpd/smtpd.c "
     "(smtpd_forbidden_commands)", False),
    ("M", "521", "5.3.2", "Service currently unavailable", "RCPT",
     "vdukhovni/postfix postfix/src/postscreen/postscreen_smtpd.c", True),
    ("S", "554", "5.5.0", "Error: SMTP protocol synchronization", "DATA", "vdukhovni/postfix postfix/src/smtpd/smtpd.c",
     True),
    ("S", "550", "5.7.0", "Error: insufficient authorization", "MAIL", "vdukhovni/postfix postfix/src/smtpd/smtpd.c",
     True),
    ("S", "450", "4.7.1", "Error: too much mail from 192.0.2.9", "MAIL", "vdukhovni/postfix postfix/src/smtpd/smtpd.c",
     True),
    ("M", "", "5.4.6", "mail for example.org loops back to myself", "postfix",
     "vdukhovni/postfix postfix/src/smtp/smtp_addr.c", True),
    # --- Exim (Exim/exim) -------------------------------------------------------------
    ("H", "550", "", "Unrouteable address", "RCPT", "Exim/exim src/src/route.c", True),
    ("H", "550", "", "Unknown user", "RCPT", "Exim/exim src/src/configure.default (cannot_route_message)", True),
    ("H", "", "", "all relevant MX records point to non-existent hosts", "exim",
     "Exim/exim src/src/routers/dnslookup.c", True),
    ("H", "", "", "an MX or SRV record indicated no SMTP service", "exim", "Exim/exim src/src/routers/dnslookup.c",
     True),
    ("H", "550", "", "Callout verification failed: 550 5.1.1 <ADDR>: Recipient address rejected: User unknown in "
     "virtual mailbox table", "RCPT", "Exim/exim src/src/verify.c", True),
    ("M", "", "", "mailbox is full", "exim", "Exim/exim src/src/transports/appendfile.c", True),
    ("M", "", "", "mailbox is full (quota exceeded while writing to file /var/mail/ana)", "exim",
     "Exim/exim src/src/transports/appendfile.c", True),
    ("M", "", "", "retry timeout exceeded", "exim", "Exim/exim src/src/deliver.c", True),
    ("M", "", "", "all hosts for 'example.org' have been failing for a long time (and retry time not reached)",
     "exim", "Exim/exim src/src/transports/smtp.c", True),
    ("M", "", "", "retry time not reached for any host for 'example.org'", "exim",
     "Exim/exim src/src/transports/smtp.c", True),
    ("S", "550", "", "relay not permitted", "RCPT", "Exim/exim src/src/configure.default", True),
    ("S", "550", "", "Rejected for too many bad recipients", "RCPT", "Exim/exim src/src/configure.default", True),
    ("S", "550", "", "maximum allowed line length is 998 octets, got 1200", "DATA",
     "Exim/exim src/src/configure.default", True),
    ("S", "550", "", "header syntax", "DATA", "Exim/exim src/src/configure.default", True),
    ("S", "550", "", "This message contains a virus (Eicar-Test-Signature).", "DATA",
     "Exim/exim src/src/configure.default (its malware example)", True),
    ("S", "550", "", "rejected because 192.0.2.9 is in a black list at zen.spamhaus.org", "RCPT",
     "Exim/exim src/src/configure.default", True),
    ("S", "550", "", "Verification failed for <laura@lauravidal.es> Unrouteable address Sender verify failed",
     "RCPT", "Exim/exim src/src/smtp_in.c, src/src/acl.c", True),
    # --- Sendmail (its sysexits.c and DSN, as FreeBSD ships it) ----------------------
    ("H", "550", "5.1.1", "<ADDR>... User unknown", "sendmail",
     "freebsd/freebsd-src contrib/sendmail/src/sysexits.c (EX_NOUSER)", True),
    ("H", "550", "5.1.2", "<ADDR>... Host unknown (Name server: example.org: host not found)", "sendmail",
     "freebsd/freebsd-src contrib/sendmail/src/sysexits.c (EX_NOHOST)", True),
    ("M", "554", "5.0.0", "Service unavailable", "sendmail",
     "freebsd/freebsd-src contrib/sendmail/src/sysexits.c (EX_UNAVAILABLE)", True),
    # Its rulesets' texts (contrib/sendmail/cf/m4/proto.m4: check_mail, check_rcpt, the
    # access map's REJECT, confRELAY_MSG, confRCPTREJ_MSG, FEATURE(dnsbl), FEATURE(badmx)).
    ("S", "553", "5.1.8", "<laura@lauravidal.es>... Domain of sender address laura@lauravidal.es does not exist",
     "MAIL", "freebsd/freebsd-src contrib/sendmail/cf/m4/proto.m4 (check_mail)", True),
    ("S", "451", "4.1.8", "Domain of sender address laura@lauravidal.es does not resolve", "MAIL",
     "freebsd/freebsd-src contrib/sendmail/cf/m4/proto.m4 (check_mail)", True),
    ("S", "553", "5.5.4", "Domain name required for sender address laura", "MAIL",
     "freebsd/freebsd-src contrib/sendmail/cf/m4/proto.m4 (check_mail)", True),
    ("S", "550", "5.1.2", "Illegal MX record for host lauravidal.es", "MAIL",
     "freebsd/freebsd-src contrib/sendmail/cf/m4/proto.m4 (FEATURE(badmx) in check_mail)", True),
    ("S", "550", "5.7.1", "<ADDR>... Relaying denied. Proper authentication required.", "RCPT",
     "freebsd/freebsd-src contrib/sendmail/cf/m4/proto.m4 (confRELAY_MSG)", True),
    ("S", "550", "5.7.1", "Access denied", "RCPT", "freebsd/freebsd-src contrib/sendmail/cf/m4/proto.m4 (REJECT)",
     True),
    ("S", "550", "5.7.1", "Rejected: 192.0.2.9 listed at zen.spamhaus.org", "RCPT",
     "freebsd/freebsd-src contrib/sendmail/cf/m4/proto.m4 (FEATURE(dnsbl))", True),
    ("S", "550", "5.7.1", "Fix reverse DNS for 192.0.2.9", "RCPT",
     "freebsd/freebsd-src contrib/sendmail/cf/m4/proto.m4 (FEATURE(require_rdns))", True),
    ("M", "550", "5.2.1", "<ADDR>... Mailbox disabled for this recipient", "RCPT",
     "freebsd/freebsd-src contrib/sendmail/cf/m4/proto.m4 (confRCPTREJ_MSG)", True),
    # --- notqmail (notqmail/notqmail), qmail with chkuser (sagredo-dev/qmail) --------
    ("H", "", "5.1.1", "Sorry, no mailbox here by that name. (#5.1.1)", "qmail", "notqmail/notqmail qmail-local.c",
     True),
    ("H", "", "5.1.2", "Sorry, I couldn't find any host named example.org. (#5.1.2)", "qmail",
     "notqmail/notqmail qmail-remote.c", True),
    ("H", "", "", "Sorry, I couldn't find a mail exchanger or IP address. (#5.4.4)", "qmail",
     "notqmail/notqmail qmail-remote.c", True),
    ("H", "", "", "192.0.2.25 does not like recipient. Remote host said: 550 5.1.1 <ADDR>: Recipient address "
     "rejected: User unknown in virtual mailbox table Giving up on 192.0.2.25.", "qmail",
     "notqmail/notqmail qmail-remote.c", True),
    ("M", "", "", "Sorry, I wasn't able to establish an SMTP connection. (#4.4.1)", "qmail",
     "notqmail/notqmail qmail-remote.c", True),
    ("M", "", "", "I'm not going to try again; this message has been in the queue too long.", "qmail",
     "notqmail/notqmail qmail-send.c", True),
    ("S", "", "", "Connected to 192.0.2.25 but sender was rejected. Remote host said: 553 sorry, your envelope "
     "sender is in my badmailfrom list (#5.7.1)", "qmail", "notqmail/notqmail qmail-remote.c", True),
    ("H", "550", "5.1.1", "sorry, no mailbox here by that name (chkuser)", "RCPT", "sagredo-dev/qmail chkuser_settings.h",
     True),
    ("H", "550", "5.1.2", "sorry, can't find a valid MX for rcpt domain (chkuser)", "RCPT",
     "sagredo-dev/qmail chkuser_settings.h", True),
    ("H", "553", "5.1.3", "sorry, rcpt syntax not allowed (chkuser)", "RCPT", "sagredo-dev/qmail chkuser_settings.h",
     False),
    ("M", "", "", "User over quota. (#5.1.1)", "qmail", "sagredo-dev/qmail qmail-local.c (maildirquota)", True),
    ("M", "552", "5.2.2", "sorry, recipient mailbox is full (chkuser)", "RCPT", "sagredo-dev/qmail chkuser_settings.h",
     True),
    ("M", "", "", "This message is looping: it already has my Delivered-To line. (#5.4.6)", "qmail",
     "notqmail/notqmail qmail-local.c", True),
    ("S", "550", "5.1.8", "sorry, can't find a valid MX for sender domain (chkuser)", "RCPT",
     "sagredo-dev/qmail chkuser_settings.h", True),
    ("S", "553", "5.7.1", "sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)", "RCPT",
     "notqmail/notqmail qmail-smtpd.c", True),
    ("S", "553", "5.7.1", "sorry, that domain isn't in my list of allowed rcpthosts (chkuser)", "RCPT",
     "sagredo-dev/qmail chkuser_settings.h", True),
    ("S", "553", "5.1.7", "sorry, sender syntax not allowed (chkuser)", "MAIL", "sagredo-dev/qmail chkuser_settings.h",
     True),
    ("S", "550", "5.5.3", "sorry, reached maximum number of recipients allowed in one session (chkuser)", "RCPT",
     "sagredo-dev/qmail chkuser_settings.h", True),
    ("S", "553", "5.7.1", "sorry, your envelope sender is in my badmailfrom list (#5.7.1)", "MAIL",
     "notqmail/notqmail qmail-smtpd.c", True),
    # qmail-smtpd with jms1's combined patch (qmail.jms1.net/patches/combined.shtml).
    ("H", "553", "", "sorry, this recipient is not in my validrcptto list (#5.7.1)", "RCPT",
     "qmail-smtpd.c of jms1's combined patch v7.08 (err_vrt)", True),
    ("S", "553", "", "sorry, your envelope sender domain must exist (#5.7.1)", "MAIL",
     "qmail-smtpd.c of jms1's combined patch v7.08 (err_hmf, the mfcheck patch)", True),
    ("S", "553", "", "sorry, your HELO host name has been denied (#5.7.1)", "RCPT",
     "qmail-smtpd.c of jms1's combined patch v7.08 (err_bhelo)", True),
    ("S", "553", "", "we don't relay (#5.7.1)", "RCPT", "qmail-smtpd.c of jms1's combined patch v7.08 (err_relay)",
     True),
    # DirectAdmin's Exim ACLs (its exim.conf's RCPT and HELO checks), answered to our greeting.
    ("S", "550", "", "R1: HELO should be a FQDN or address literal (See RFC 2821 4.1.1.1)", "RCPT",
     "DirectAdmin's exim.conf (check_recipient ACL), run in session 16's mail lab", True),
    ("S", "550", "", "Bad HELO - Host impersonating hostname [mail.example.org]", "RCPT",
     "DirectAdmin's exim.conf (check_helo ACL), run in session 16's mail lab", True),
    # --- Courier (svarshavchik/courier) -------------------------------------------------
    ("H", "550", "", "User unknown.", "RCPT", "svarshavchik/courier courier/courier/cdmsgq2.C", True),
    ("M", "", "", "Maildir over quota.", "exim", "svarshavchik/courier courier/courier/module.local/deliver.C", True),
    ("S", "550", "", "Spam refused.", "DATA", "svarshavchik/courier courier/courier/submit.C", True),
    ("S", "517", "", "Domain does not exist: lauravidal.es. 517 Invalid domain, see "
     "<URL:https://datatracker.ietf.org/doc/html/rfc1035>", "MAIL", "svarshavchik/courier courier/courier/submit.C "
     "(its check of the sender's domain)", True),
    ("S", "571", "", "Delivery not authorized, message refused.", "RCPT", "svarshavchik/courier courier/courier/submit.C",
     True),
    # --- OpenSMTPD (OpenSMTPD/OpenSMTPD; its status texts are RFC 3463's names) -------
    ("H", "550", "5.1.1", "Invalid recipient", "opensmtpd", "OpenSMTPD/OpenSMTPD usr.sbin/smtpd/lka_session.c", False),
    ("H", "550", "5.1.1", "Bad destination mailbox address", "opensmtpd", "OpenSMTPD/OpenSMTPD usr.sbin/smtpd/esc.c",
     True),
    ("H", "550", "5.1.2", "Bad destination system address", "opensmtpd", "OpenSMTPD/OpenSMTPD usr.sbin/smtpd/esc.c",
     True),
    ("H", "550", "5.1.6", "Destination mailbox has moved, No forwarding address", "opensmtpd",
     "OpenSMTPD/OpenSMTPD usr.sbin/smtpd/esc.c", True),
    ("H", "550", "5.1.1", "user unknown", "opensmtpd", "OpenSMTPD/OpenSMTPD usr.sbin/smtpd/mda.c (EX_NOUSER)", True),
    ("M", "550", "5.2.1", "Mailbox disabled, not accepting messages", "opensmtpd",
     "OpenSMTPD/OpenSMTPD usr.sbin/smtpd/esc.c", True),
    ("M", "552", "5.2.2", "Mailbox full", "opensmtpd", "OpenSMTPD/OpenSMTPD usr.sbin/smtpd/esc.c", True),
    ("M", "", "4.4.7", "Delivery time expired", "opensmtpd", "OpenSMTPD/OpenSMTPD usr.sbin/smtpd/esc.c", True),
    ("S", "550", "5.7.1", "Delivery not authorized, message refused", "opensmtpd",
     "OpenSMTPD/OpenSMTPD usr.sbin/smtpd/esc.c", True),
    ("M", "552", "5.2.3", "Message length exceeds administrative limit", "opensmtpd",
     "OpenSMTPD/OpenSMTPD usr.sbin/smtpd/esc.c", False),  # (X.2.3: the mailbox's limit, RFC 3463)
    # --- qpsmtpd (smtpd/qpsmtpd; lib/Qpsmtpd/DSN.pm answers with RFC 3463's names) ----
    ("H", "550", "5.1.1", "No such user", "RCPT", "smtpd/qpsmtpd lib/Qpsmtpd/DSN.pm (no_such_user)", True),
    ("H", "550", "5.1.3", "Bad destination mailbox address syntax", "RCPT", "smtpd/qpsmtpd lib/Qpsmtpd/DSN.pm", True),
    ("H", "550", "5.1.1", "Sorry, no mailbox by that name. qd (#5.1.1)", "RCPT", "smtpd/qpsmtpd plugins/qmail_deliverable",
     True),
    ("S", "550", "5.1.8", "Bad sender's system address", "MAIL", "smtpd/qpsmtpd lib/Qpsmtpd/DSN.pm", True),
    ("S", "550", "5.7.1", "Bad sender's IP", "RCPT", "smtpd/qpsmtpd lib/Qpsmtpd/DSN.pm", True),
    ("S", "550", "5.7.1", "Relaying denied", "RCPT", "smtpd/qpsmtpd lib/Qpsmtpd/DSN.pm", True),
    ("S", "550", "", "mail to ADDR not accepted here", "RCPT", "smtpd/qpsmtpd plugins/badrcptto (rcpt_ok)", True),
    ("S", "550", "5.7.1", "SPF - fail: Please see http://www.openspf.org/Why", "MAIL",
     "smtpd/qpsmtpd plugins/sender_permitted_from", True),
    ("S", "550", "5.7.1", "DomainKeys signature validation failed", "DATA", "smtpd/qpsmtpd plugins/domainkeys", True),
    ("S", "552", "5.7.1", "Virus Found: Eicar-Test-Signature", "DATA", "smtpd/qpsmtpd plugins/virus/clamav", True),
    # --- Haraka (haraka/Haraka and its plugins) --------------------------------------
    ("M", "451", "", "Greylisted. Please come back later.", "RCPT", "haraka/haraka-plugin-greylist config/greylist.ini",
     True),
    ("S", "550", "", "I cannot deliver mail for <ADDR>", "RCPT", "haraka/Haraka connection.js (docs/Plugins.md)", True),
    ("S", "550", "", "No MX for your FROM address", "MAIL", "haraka/haraka-plugin-mail_from.is_resolvable index.js",
     True),
    ("S", "550", "", "Mail from domain 'lauravidal.es' is not allowed from your host", "MAIL",
     "haraka/Haraka plugins/rcpt_to.host_list_base.js", True),
    ("S", "550", "", "Mail matches a known spam signature", "DATA", "haraka/Haraka plugins/data.signatures.js", True),
    # --- Dovecot (dovecot/core) --------------------------------------------------------
    ("H", "550", "5.1.1", "<ADDR> User doesn't exist: ana.pena@example.org", "RCPT",
     "dovecot/core src/lmtp/lmtp-recipient.c", True),
    ("H", "550", "5.1.1", "Unknown user", "RCPT", "dovecot/core src/plugins/quota/quota-status-settings.c", True),
    ("M", "552", "5.2.2", "<ADDR> Quota exceeded (mailbox for user is full)", "RCPT",
     "dovecot/core src/plugins/quota/quota-settings.c", True),
    ("M", "552", "5.2.2", "<ADDR> Not enough disk quota", "DATA", "dovecot/core src/lib-storage/mail-error.h", True),
    # --- Cyrus (cyrusimap/cyrus-imapd) -------------------------------------------------
    ("H", "550", "5.1.1", "Mailbox unknown.  Either there is no mailbox associated with this name or you do not have "
     "authorization to see it. 550 5.1.1 User unknown", "RCPT", "cyrusimap/cyrus-imapd imap/lmtp_err.et", True),
    ("M", "552", "5.2.2", "Over quota SESSIONID=<cyrus-1234-1>", "DATA", "cyrusimap/cyrus-imapd imap/lmtp_err.et",
     True),
    ("M", "550", "5.7.1", "You do not have permission to post a message to this mailbox. Please contact the owner of "
     "this mailbox in order to submit your message, or postmaster@example.org if you believe you received this "
     "message in error.", "RCPT", "cyrusimap/cyrus-imapd imap/lmtp_err.et", True),
    # --- Stalwart (stalwartlabs/mail-server) -----------------------------------------
    ("H", "550", "5.1.2", "Mailbox does not exist.", "RCPT", "stalwartlabs/mail-server crates/smtp/src/inbound/rcpt.rs",
     True),
    ("H", "550", "5.5.0", "Mailbox not found.", "DATA", "stalwartlabs/mail-server crates/email/src/message/delivery.rs",
     True),
    ("M", "452", "4.2.2", "Mailbox over quota.", "DATA", "stalwartlabs/mail-server crates/email/src/message/delivery.rs",
     True),
    ("M", "452", "4.2.2", "Organization over quota.", "DATA",
     "stalwartlabs/mail-server crates/email/src/message/delivery.rs", True),
    ("S", "550", "5.1.2", "Relay not allowed.", "RCPT", "stalwartlabs/mail-server crates/smtp/src/inbound/rcpt.rs", True),
    ("S", "550", "5.7.1", "Sender address not allowed.", "MAIL", "stalwartlabs/mail-server crates/smtp/src/inbound/mail.rs",
     True),
    ("S", "550", "5.7.23", "SPF validation failed, status: fail.", "MAIL",
     "stalwartlabs/mail-server crates/smtp/src/inbound/mail.rs", True),
    ("S", "550", "5.7.1", "Email rejected per DMARC policy.", "DATA",
     "stalwartlabs/mail-server crates/smtp/src/inbound/data.rs", True),
    ("S", "550", "5.7.1", "Message rejected due to excessive spam score.", "DATA",
     "stalwartlabs/mail-server crates/smtp/src/inbound/data.rs", True),
    # Stalwart relaying others' answers (crates/smtp/src/queue/dsn.rs, write_dsn_text).
    ("H", "550", "5.1.2", "User does not exist", "stalwart", "stalwartlabs/mail-server crates/smtp/src/queue/dsn.rs",
     True),
    ("S", "550", "5.1.2", "Relay not allowed.", "stalwart", "stalwartlabs/mail-server crates/smtp/src/queue/dsn.rs",
     True),
    # --- maddy (foxcpp/maddy) ----------------------------------------------------------
    ("H", "550", "5.1.1", "User does not exist", "RCPT", "foxcpp/maddy internal/storage/imapsql/delivery.go", True),
    ("H", "556", "5.1.10", "Domain does not accept email (null MX)", "maddy",
     "foxcpp/maddy internal/target/remote/connect.go", True),
    ("S", "550", "5.7.1", "Domain in MAIL FROM has null MX record", "RCPT", "foxcpp/maddy internal/check/dns/dns.go",
     True),
    ("S", "550", "5.7.1", "Domain in MAIL FROM does not have any MX records", "RCPT",
     "foxcpp/maddy internal/check/dns/dns.go", True),
    ("S", "550", "5.7.0", "Unauthorized use of sender address", "MAIL",
     "foxcpp/maddy internal/check/authorize_sender/authorize_sender.go", True),
    ("S", "554", "5.7.0", "Client identity is listed in the used DNSBL", "RCPT", "foxcpp/maddy internal/check/dnsbl/dnsbl.go",
     True),
    ("S", "554", "5.7.0", "Listed in SBL", "RCPT", "foxcpp/maddy docs/reference/checks/dnsbl.md", True),
    ("S", "550", "5.7.25", "No PTR record found", "RCPT", "foxcpp/maddy internal/check/dns/dns.go", True),
    ("S", "550", "5.7.23", "SPF authentication failed", "MAIL", "foxcpp/maddy internal/check/spf/spf.go", True),
    # --- chasquid (albertito/chasquid), mox (mjl-/mox), WildDuck (zone-eu/wildduck) ---
    ("H", "550", "5.1.1", "Destination address is unknown (user does not exist)", "RCPT",
     "albertito/chasquid internal/smtpsrv/conn.go", True),
    ("S", "503", "5.7.1", "Relay not allowed", "RCPT", "albertito/chasquid internal/smtpsrv/conn.go", True),
    ("H", "550", "5.1.1", "no such user", "RCPT", "mjl-/mox smtpserver/server.go", True),
    ("M", "452", "4.2.2", "account storage full", "DATA", "mjl-/mox smtpserver/server.go", True),
    ("M", "450", "4.2.1", "recipient domain temporarily disabled", "RCPT", "mjl-/mox smtpserver/server.go", True),
    ("S", "550", "5.5.0", "your ehlo domain does not resolve to an IP address", "MAIL", "mjl-/mox smtpserver/server.go",
     True),
    ("H", "550", "", "Unknown recipient", "RCPT", "zone-eu/wildduck lmtp.js", True),
    # --- hMailServer (hmailserver/hmailserver) -----------------------------------------
    ("H", "550", "", "Unknown user", "RCPT", "hmailserver/hmailserver hmailserver/source/Server/SMTP/SMTPConnection.cpp",
     True),
    ("H", "", "", "Error Type: SMTP Error Description: No mail servers appear to exists for the recipient's address. "
     "Additional information: Please check that you have not misspelled the recipient's email address.", "hmailserver",
     "hmailserver/hmailserver hmailserver/source/Server/SMTP/ExternalDelivery.cpp", True),
    ("M", "550", "", "Account is not active.", "RCPT",
     "hmailserver/hmailserver hmailserver/source/Server/SMTP/RecipientParser.cpp", True),
    ("M", "451", "", "Please try again later.", "RCPT",
     "hmailserver/hmailserver hmailserver/source/Server/SMTP/SMTPConnection.cpp (greylisting)", True),
    ("S", "550", "", "Delivery is not allowed to this address.", "RCPT",
     "hmailserver/hmailserver hmailserver/source/Server/SMTP/SMTPConnection.cpp", True),
    ("S", "530", "", "SMTP authentication is required.", "RCPT",
     "hmailserver/hmailserver hmailserver/source/Server/SMTP/SMTPConnection.cpp", True),
    # --- Apache James (apache/james-project) -------------------------------------------
    ("H", "550", "5.1.1", "Unknown user: ADDR", "RCPT", "apache/james-project protocols/smtp/src/main/java/org/apache/"
     "james/protocols/smtp/core/fastfail/AbstractValidRcptHandler.java", True),
    ("M", "552", "5.2.2", "Over Quota error when delivering message to <ADDR>", "DATA", "apache/james-project server/"
     "protocols/protocols-lmtp/src/main/java/org/apache/james/lmtpserver/hook/MailboxDeliverToRecipientHandler.java",
     True),
    ("S", "550", "5.7.1", "Requested action not taken: relaying denied", "RCPT", "apache/james-project protocols/smtp/src/"
     "main/java/org/apache/james/protocols/smtp/core/AbstractAuthRequiredToRelayRcptHook.java", True),
    ("S", "452", "", "Requested action not taken: max recipients reached", "RCPT",
     "apache/james-project protocols/smtp (MaxRcptHandler)", True),
    # --- Citadel (mingodad/citadel), Postal (postalserver/postal), Sympa --------------
    ("H", "550", "", "Invalid recipient: ADDR", "RCPT", "mingodad/citadel citadel/internet_addressing.c", True),
    ("S", "551", "", "<ADDR> - relaying denied", "RCPT", "mingodad/citadel citadel/modules/smtp/serv_smtp.c", True),
    ("S", "550", "", "You must log in to send mail from lauravidal.es", "MAIL",
     "mingodad/citadel citadel/modules/smtp/serv_smtp.c", True),
    ("S", "535", "", "Mail server has been suspended", "MAIL", "postalserver/postal app/lib/smtp_server/client.rb", True),
    # A provider's documented text: MailChannels checks the sender's domain, under 5.2.1
    # (support.mailchannels.com, "550 5.2.1 SDNF Sender Domain Not Found").
    ("S", "550", "5.2.1", "SDNF Sender Domain Not Found", "RCPT", "MailChannels' documentation (SDNF)", True),
    ("H", "", "5.1.1", "List unknown", "dsn", "sympa-community/sympa default/mail_tt2/list_unknown.tt2", True),
    # --- XMail (GerHobbelt/xmail, a mirror of XMail), DBMail (dbmail/dbmail) ----------
    ("H", "550", "", "Mailbox unavailable <ADDR>", "RCPT", "GerHobbelt/xmail SMTPSvr.cpp", False),
    ("S", "505", "", "Your domain has no DNS/MX entries", "MAIL", "GerHobbelt/xmail SMTPSvr.cpp", True),
    ("S", "550", "", "Denied due inclusion of your IP inside (zen.spamhaus.org)", "RCPT", "GerHobbelt/xmail SMTPSvr.cpp",
     True),
    ("S", "504", "", "You are registered as spammer", "MAIL", "GerHobbelt/xmail SMTPSvr.cpp", True),
    ("H", "550", "", "Recipient <ADDR> FAIL", "RCPT", "dbmail/dbmail src/lmtp.c", True),
    # --- Groupware LMTP servers: Zimbra (Zimbra/zm-mailbox), Kopano (Kopano-dev/kopano-core) --
    ("H", "550", "5.1.1", "No such user here", "RCPT",
     "Zimbra/zm-mailbox store/src/java/com/zimbra/cs/lmtpserver/LmtpReply.java", True),
    ("M", "552", "5.2.2", "Over quota", "DATA", "Zimbra/zm-mailbox store/src/java/com/zimbra/cs/lmtpserver/LmtpReply.java",
     True),
    ("M", "450", "4.2.1", "Mailbox disabled, not accepting messages", "RCPT",
     "Zimbra/zm-mailbox store/src/java/com/zimbra/cs/lmtpserver/LmtpReply.java", True),
    ("M", "450", "4.2.0", "Mailbox is not on this server", "RCPT",
     "Zimbra/zm-mailbox store/src/java/com/zimbra/cs/lmtpserver/LmtpReply.java", True),
    ("S", "550", "5.7.1", "Message rejected", "DATA",
     "Zimbra/zm-mailbox store/src/java/com/zimbra/cs/lmtpserver/LmtpReply.java", False),
    ("H", "503", "5.1.1", "User does not exist", "RCPT", "Kopano-dev/kopano-core spooler/DAgent.cpp", True),
    ("M", "552", "5.2.2", "ana.pena Quota exceeded", "DATA", "Kopano-dev/kopano-core spooler/DAgent.cpp", True),
    ("M", "503", "5.1.1", "Connection error: 0x80040115", "RCPT", "Kopano-dev/kopano-core spooler/DAgent.cpp", True),
    ("M", "503", "5.1.1", "Failed to add user to recipients", "RCPT", "Kopano-dev/kopano-core spooler/DAgent.cpp", True),
    # --- Mail-server bundles: mailcow, iRedMail and iRedAPD, Proxmox Mail Gateway -------
    ("S", "554", "5.7.1", "This message does not meet our delivery requirements", "DATA",
     "mailcow/mailcow-dockerized data/conf/rspamd/override.d/worker-proxy.inc", True),
    ("M", "552", "5.2.2", "Mailbox is full", "RCPT", "iredmail/iRedMail samples/dovecot/dovecot-2.4-mariadb.conf "
     "(quota_status_overquota)", True),
    ("S", "554", "5.7.1", "<ADDR>: Recipient address rejected: SMTP AUTH is required for users under this sender "
     "domain", "RCPT", "iredmail/iRedAPD libs/__init__.py", True),
    ("S", "554", "5.7.1", "<laura@lauravidal.es>: Sender address rejected: Sender is not same as SMTP authenticate "
     "username", "MAIL", "iredmail/iRedAPD libs/__init__.py", True),
    ("S", "554", "5.7.1", "<ADDR>: Recipient address rejected: Not authorized", "RCPT",
     "iredmail/iRedAPD libs/__init__.py", True),
    ("S", "554", "5.7.1", "<ADDR>: Recipient address rejected: Message size is too large", "RCPT",
     "iredmail/iRedAPD libs/__init__.py", True),
    ("S", "554", "5.7.1", "<ADDR>: Recipient address rejected: Blacklisted reverse DNS name of server IP address",
     "RCPT", "iredmail/iRedAPD libs/__init__.py", True),
    ("S", "554", "5.7.1", "<ADDR>: Recipient address rejected: Server IP address has bad reputation.", "RCPT",
     "iredmail/iRedAPD libs/__init__.py", True),
    ("S", "554", "5.7.1", "Rejected for policy reasons (4A1B2C3D)", "DATA", "proxmox/pmg-api src/PMG/SMTP.pm", True),
    # --- Content filters: Amavis, rspamd, spamass-milter (the message's, the sender's) --
    ("S", "554", "5.7.0", "Reject, id=12345-06 - spam", "DATA", "amavisd-new (its D_REJECT reply, 554 5.7.0 Reject, id=…)",
     True),
    ("S", "554", "5.7.0", "Reject, id=12345-06 - BANNED: multipart/mixed | application/x-msdownload,.exe", "DATA",
     "amavisd-new (its D_REJECT reply, 554 5.7.0 Reject, id=…)", True),
    ("S", "554", "5.7.0", "Reject, id=12345-06 - INFECTED: Eicar-Test-Signature", "DATA",
     "amavisd-new (its D_REJECT reply, 554 5.7.0 Reject, id=…)", True),
    ("S", "554", "5.7.1", "Spam message rejected", "DATA", "rspamd/rspamd src/libserver/milter_internal.h", True),
    ("M", "451", "4.7.1", "Try again later", "RCPT", "rspamd/rspamd (greylist module)", True),
    ("S", "550", "5.7.1", "Blocked by SpamAssassin", "DATA", "spamass-milter spamass-milter.cpp (its default rejecttext)", True),
]


def _sub(text: str) -> str:
    return text.replace("ADDR", LEAD)


def _reply(code: str, status: str, words: str) -> str:
    return " ".join(part for part in (code, status, _sub(words)) if part)


def _headers(sender: str, subject: str, content_type: str) -> str:
    return (f"Return-Path: <>\r\nFrom: {sender}\r\nTo: laura@lauravidal.es\r\nSubject: {subject}\r\n"
            f"Message-ID: <srv-25@relay.lauravidal.es>\r\nMIME-Version: 1.0\r\nContent-Type: {content_type}\r\n\r\n")


ORIGINAL = f"From: Laura Vidal <laura@lauravidal.es>\r\nTo: {LEAD}\r\nSubject: Hola\r\n"


def dsn(diagnostic: str, status: str | None) -> bytes:
    """An RFC 3464 report (RFC 3462 multipart/report) that names no SMTP command; no
    Status field when `status` is None."""
    status_field = f"Status: {status}\r\n" if status else ""
    return (
        _headers("Mail Delivery System <MAILER-DAEMON@relay.lauravidal.es>", "Delivery Status Notification (Failure)",
                 'multipart/report; report-type=delivery-status; boundary="S25"')
        + "--S25\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\r\n"
        + "--S25\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; relay.lauravidal.es\r\n\r\n"
        + f"Final-Recipient: rfc822; {LEAD}\r\nAction: failed\r\n{status_field}"
        + f"Remote-MTA: dns; mx.example.org\r\nDiagnostic-Code: smtp; {diagnostic}\r\n\r\n"
        + f"--S25\r\nContent-Type: text/rfc822-headers\r\n\r\n{ORIGINAL}\r\n--S25--\r\n"
    ).encode("utf-8")


def postfix_relayed(reply: str, command: str) -> bytes:
    """Postfix's bounce(8) default template around what the remote server answered."""
    said = {"RCPT": "RCPT TO", "MAIL": "MAIL FROM", "DATA": "end of DATA"}[command]
    return (
        _headers("MAILER-DAEMON@relay.lauravidal.es (Mail Delivery System)", "Undelivered Mail Returned to Sender",
                 "text/plain; charset=utf-8")
        + "This is the mail system at host relay.lauravidal.es.\r\n\r\n"
        + "I'm sorry to have to inform you that your message could not\r\nbe delivered to one or more recipients.\r\n\r\n"
        + "                   The mail system\r\n\r\n"
        + f"<{LEAD}>: host mx.example.org[192.0.2.25] said: {reply}\r\n    (in reply to {said} command)\r\n"
    ).encode("utf-8")


def postfix_own(status: str, words: str) -> bytes:
    """Postfix's report of its own delivery (local(8), virtual(8), the resolver): the
    words after the address, and a DSN with its status (bounce(8))."""
    return (
        _headers("MAILER-DAEMON@example.org (Mail Delivery System)", "Undelivered Mail Returned to Sender",
                 'multipart/report; report-type=delivery-status; boundary="P25"')
        + "--P25\r\nContent-Type: text/plain\r\n\r\nThis is the mail system at host example.org.\r\n\r\n"
        + "I'm sorry to have to inform you that your message could not\r\nbe delivered to one or more recipients.\r\n\r\n"
        + f"                   The mail system\r\n\r\n<{LEAD}>: {words}\r\n\r\n"
        + "--P25\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; example.org\r\n\r\n"
        + f"Final-Recipient: rfc822; {LEAD}\r\nAction: failed\r\nStatus: {status}\r\n"
        + f"Diagnostic-Code: X-Postfix; {words}\r\n\r\n--P25--\r\n"
    ).encode("utf-8")


def exim_own(words: str) -> bytes:
    """Exim's report (its spec, "Bounce and warning messages"): no status, no stage."""
    return (
        _headers("Mail Delivery System <Mailer-Daemon@example.org>", "Mail delivery failed: returning message to sender",
                 "text/plain; charset=utf-8")
        + "This message was created automatically by mail delivery software.\r\n\r\n"
        + "A message that you sent could not be delivered to one or more of its\r\n"
        + "recipients. This is a permanent error. The following address(es) failed:\r\n\r\n"
        + f"  {LEAD}\r\n    {words}\r\n\r\n"
        + "------ This is a copy of the message, including all the headers. ------\r\n\r\n" + ORIGINAL
    ).encode("utf-8")


def qmail_own(words: str) -> bytes:
    """qmail-send's report (notqmail qmail-send.c): the address, then the words."""
    return (
        _headers("MAILER-DAEMON@example.org", "failure notice", "text/plain")
        + "Hi. This is the qmail-send program at example.org.\r\n"
        + "I'm afraid I wasn't able to deliver your message to the following addresses.\r\n"
        + "This is a permanent error; I've given up. Sorry it didn't work out.\r\n\r\n"
        + f"<{LEAD}>:\r\n{words}\r\n\r\n--- Below this line is a copy of the message.\r\n\r\n" + ORIGINAL
    ).encode("utf-8")


def sendmail_own(reply: str, status: str) -> bytes:
    """Sendmail's report: the permanent errors, the transcript, and its DSN."""
    return (
        _headers("Mail Delivery Subsystem <MAILER-DAEMON@relay.lauravidal.es>", "Returned mail: see transcript for details",
                 'multipart/report; report-type=delivery-status; boundary="M25"')
        + "--M25\r\n\r\nThe original message was received at Thu, 5 Mar 2026 10:00:00 +0100\r\n\r\n"
        + f"   ----- The following addresses had permanent fatal errors -----\r\n<{LEAD}>\r\n\r\n"
        + f"   ----- Transcript of session follows -----\r\n{reply}\r\n\r\n"
        + "--M25\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; relay.lauravidal.es\r\n\r\n"
        + f"Final-Recipient: RFC822; {LEAD}\r\nAction: failed\r\nStatus: {status}\r\n\r\n--M25--\r\n"
    ).encode("utf-8")


def opensmtpd_own(reply: str, status: str) -> bytes:
    """OpenSMTPD's report (usr.sbin/smtpd/bounce.c): "ADDRESS: reply" in the notice,
    and a delivery-status part with the status alone."""
    return (
        _headers("Mailer Daemon <MAILER-DAEMON@example.org>", "Delivery status notification: error",
                 'multipart/mixed;boundary="1234/example.org"')
        + "This is a MIME-encapsulated message.\r\n\r\n--1234/example.org\r\nContent-Description: Notification\r\n"
        + "Content-Type: text/plain; charset=us-ascii\r\n\r\n    Hi!\r\n\r\n"
        + "    This is the MAILER-DAEMON, please DO NOT REPLY to this email.\r\n\r\n"
        + "    An error has occurred while attempting to deliver a message for\r\n"
        + f"    the following list of recipients:\r\n\r\n{LEAD}: {reply}\r\n\r\n"
        + "    Below is a copy of the original message:\r\n\r\n--1234/example.org\r\n"
        + "Content-Description: Delivery Report\r\nContent-Type: message/delivery-status\r\n\r\n"
        + f"Reporting-MTA: dns; example.org\r\n\r\nFinal-Recipient: rfc822; {LEAD}\r\nAction: failed\r\n"
        + f"Status: {status}\r\n\r\n--1234/example.org--\r\n"
    ).encode("utf-8")


def stalwart_relayed(code: str, status: str, words: str) -> bytes:
    """Stalwart's report of a remote server's answer (crates/smtp/src/queue/dsn.rs): the
    command and the reply in its notice, the reply without its status in the DSN."""
    return (
        _headers('"Mail Delivery Subsystem" <MAILER-DAEMON@relay.lauravidal.es>', "Failed to deliver message",
                 'multipart/report; report-type="delivery-status"; boundary="mime_boundary"')
        + "--mime_boundary\r\nContent-Type: text/plain; charset=\"utf-8\"\r\n\r\n"
        + "Your message could not be delivered to the following recipients:\r\n\r\n"
        + f"<{LEAD}> (host 'mx.example.org' rejected command 'RCPT TO:<{LEAD}>' with code {code} ({status}) "
        + f"'{words}')\r\n\r\n--mime_boundary\r\nContent-Type: message/delivery-status\r\n\r\n"
        + f"Reporting-MTA: dns;relay.lauravidal.es\r\n\r\nFinal-Recipient: rfc822;{LEAD}\r\nAction: failed\r\n"
        + f"Status: {status}\r\nDiagnostic-Code: smtp;{code} {words}\r\nRemote-MTA: dns;mx.example.org\r\n\r\n"
        + "--mime_boundary--\r\n"
    ).encode("utf-8")


def hmailserver_own(words: str) -> bytes:
    """hMailServer's SEND_FAILED_NOTIFICATION (DBScripts/CreateTablesMYSQL.sql), its
    recipient lines as ExternalDelivery.cpp writes them."""
    return (
        _headers("MAILER-DAEMON@example.org", "Message undeliverable: Hola", "text/plain; charset=utf-8")
        + "Your message did not reach some or all of the intended recipients.\r\n\r\n"
        + "   Sent: 05/03/2026 10:00\r\n   Subject: Hola\r\n\r\n"
        + f"The following recipient(s) could not be reached:\r\n\r\n{LEAD}\r\n   "
        + words.replace(" Error Description:", "\r\n   Error Description:")
               .replace(" Additional information:", "\r\n   Additional information:")
        + "\r\n\r\nhMailServer\r\n"
    ).encode("utf-8")


def own_report(row) -> bytes:
    owner, code, status, words, where, source, alone = row
    reply = _reply(code, status, words)
    if where in ("RCPT", "MAIL", "DATA"):
        return postfix_relayed(reply, where)
    if where == "postfix":
        return postfix_own(status, _sub(words))
    if where == "exim":
        return exim_own(_sub(words))
    if where == "qmail":
        return qmail_own(_sub(words))
    if where == "sendmail":
        return sendmail_own(reply, status)
    if where in ("opensmtpd", "maddy"):
        return opensmtpd_own(reply, status)
    if where == "stalwart":
        return stalwart_relayed(code, status, _sub(words))
    if where == "hmailserver":
        return hmailserver_own(_sub(words))
    return dsn(_sub(words), status)


def verdict_of(raw: bytes):
    incoming = classify(raw)
    assert incoming.kind == "bounce"
    found = [failure.verdict for failure in incoming.failures if failure.address == LEAD]
    assert found, [failure.address for failure in incoming.failures]
    return found[0]


def _check(verdict, owner: str):
    assert (verdict.hard, verdict.owner) == (owner == "H", OWNERS[owner]), verdict


def _id(row) -> str:
    return f"{row[0]}:{_sub(row[3])[:60]}"


@pytest.mark.parametrize("row", TEXTS, ids=_id)
def test_in_the_servers_own_report(row):
    _check(verdict_of(own_report(row)), row[0])


@pytest.mark.parametrize("row", [row for row in TEXTS if row[6]], ids=_id)
def test_in_a_report_with_the_vague_status_5_0_0_and_no_stage(row):
    owner, code, status, words = row[:4]
    _check(verdict_of(dsn(_reply(code, "", words), "5.0.0")), owner)


@pytest.mark.parametrize("row", [row for row in TEXTS if row[6]], ids=_id)
def test_in_a_report_with_no_status_at_all(row):
    _check(verdict_of(dsn(_sub(row[3]), None)), row[0])


@pytest.mark.parametrize("row", [row for row in TEXTS if row[4] in ("RCPT", "MAIL", "DATA") and row[1]], ids=_id)
def test_heard_by_leadloops_own_smtp_client(row):
    # `send` judges the answer it hears with the same rule (SPEC §6).
    owner, code, status, words, where = row[:5]
    verdict = judge(status or None, _reply(code, status, words), reply_code=int(code), command=where)
    assert (verdict.hard, verdict.owner) == (owner == "H", OWNERS[owner]), verdict


# --- The most harmful misreadings, through the inbox as a user runs it -------------------

from test_inbox import leads, read, status  # noqa: E402,F401
from test_inbox import project  # noqa: E402,F401  (the fixture)


@pytest.mark.parametrize("raw", [
    # Our HELO name refused: Postfix's words name a host "not found".
    dsn("550 5.7.1 <relay.lauravidal.es>: Helo command rejected: Host not found", "5.7.1"),
    # Stalwart refuses to relay under 5.1.2, the status of a dead domain.
    dsn("550 5.1.2 Relay not allowed.", "5.1.2"),
    # Sendmail refuses our sender's domain, with no stage named.
    exim_own("553 <laura@lauravidal.es>... Domain of sender address laura@lauravidal.es does not exist"),
], ids=["postfix-helo", "stalwart-relay", "sendmail-sender-domain"])
def test_the_inbox_keeps_a_lead_whose_report_is_about_the_sender(project, run, raw):
    project.deliver(raw)
    summary = read(run)
    assert summary["bounces"] == 0
    assert status(run, LEAD) == "active"


@pytest.mark.parametrize("raw", [
    opensmtpd_own("550 Bad destination mailbox address", "5.0.0"),
    exim_own("sorry, can't find a valid MX for rcpt domain (chkuser)"),
], ids=["opensmtpd-rfc3463-name", "chkuser-no-mx"])
def test_the_inbox_bounces_a_lead_whose_server_says_the_address_is_dead(project, run, raw):
    project.deliver(raw)
    summary = read(run)
    assert summary["bounces"] == 1
    assert status(run, LEAD) == "bounced"


# --- The sender as the subject of the sentence ------------------------------------------
# The words of a sender's check, as server configurations and milters write it: whatever
# they call "not found" or "does not exist" is our domain or address, never the lead's
# (the general rule behind the qmail, Sendmail, MailChannels and maddy texts above).
@pytest.mark.parametrize("words", [
    "550 Sender domain not found", "550 Sender address domain does not exist", "550 The sender domain doesn't exist",
    "550 Sender address does not exist", "550 Sender domain must exist", "550 Your domain does not exist",
    "550 Unrouteable sender address", "550 HELO hostname unknown",
    "550 Invalid HELO name (See RFC2821 4.1.3)",
])
@pytest.mark.parametrize("layout", ["dsn-5.0.0", "dsn-no-status", "postfix-rcpt"])
def test_words_about_the_sender_are_never_the_address(words, layout):
    raw = {"dsn-5.0.0": lambda: dsn(words, "5.0.0"), "dsn-no-status": lambda: dsn(words[4:], None),
           "postfix-rcpt": lambda: postfix_relayed(words, "RCPT")}[layout]()
    verdict = verdict_of(raw)
    assert not verdict.hard and verdict.owner == SENDER, verdict


def test_a_domain_named_as_not_existing_is_the_leads_only_when_it_is_the_leads():
    # Courier checks the sender's domain and says "Domain does not exist: DOMAIN."
    # (courier/courier/submit.C); relayed in a report with no reply code and no remote
    # host, the name decides: ours is the sender's, the lead's is the address.
    ours = verdict_of(exim_own("Domain does not exist: lauravidal.es."))
    assert not ours.hard and ours.owner == SENDER, ours
    leads_own = verdict_of(exim_own("Domain does not exist: example.org."))
    assert leads_own.hard and leads_own.reason == "hostunknown", leads_own
    assert verdict_of(dsn("Domain example.org does not exist", None)).hard


@pytest.mark.parametrize("reply", ["521 5.5.4 Syntax: BDAT count [LAST]", "521 5.5.1 Unrecognized command"])
def test_a_521_with_a_protocol_status_is_no_host_that_takes_no_mail(reply):
    # RFC 7504's 521 goes with 5.3.2 (or no status); Postfix's smtpd closes a session
    # with 521 and the protocol status of its own error (smtpd/smtpd.c): never a dead
    # domain, in a report that names no stage or at RCPT.
    assert not verdict_of(dsn(reply, "5.0.0")).hard
    assert not verdict_of(postfix_relayed(reply, "RCPT")).hard
    assert verdict_of(dsn("521 5.3.2 mx.example.org does not accept mail", "5.0.0")).reason == "notaccept"
