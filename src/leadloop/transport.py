"""Where messages go: the outbox Maildir, or an SMTP server over one reused connection.

Each `send()` returns an Outcome, never raises for one recipient's trouble. It raises
DeliveryError only when the whole run must stop: the server cannot be reached, our login
is refused, or a refusal is the sender's (SenderRefused: relay, authentication, a
blocklist, a quota, spam, size; delivery_status.owner_of, SPEC §6 "Outcomes").

The SMTP transaction is driven step by step (MAIL, RCPT, DATA, content) instead of
`smtplib.sendmail()`, because at-most-once needs to know *where* a failure happened: a
connection lost before the content was sent means the message certainly did not go and
may be retried; lost after the content and before the reply, it may have gone, and the
outcome is `unknown` (never resent).
"""

from __future__ import annotations

import base64
import os
import re
import smtplib
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from . import oauth
from .config import Smtp, access_token, smtp_password
from .errors import DeliveryError, SenderRefused, TokenError
from .message import Outgoing

SENT, DEFERRED, BOUNCED, FAILED, UNKNOWN = "sent", "deferred", "bounced", "failed", "unknown"
# `ready` said no before DATA (runner.py: the lead left the sequence): nothing went.
NOT_STARTED_STATE = "not started"
_LEADING_DOT = re.compile(rb"(?m)^\.")
_NO_REPLY = ("the server answered the message with {}, not an SMTP delivery reply; "
             "it may have been delivered")


@dataclass(frozen=True, slots=True)
class Outcome:
    state: str          # one of SENT, DEFERRED, BOUNCED, FAILED, UNKNOWN
    detail: str = ""
    owner: str | None = None    # a refusal's owner (delivery_status.OWNERS)
    failure: str | None = None  # a refusal's reason (delivery_status.LABELS' keys)


NOT_STARTED = Outcome(NOT_STARTED_STATE, "the message was withdrawn before DATA")
_DATA_ACCEPTED = object()  # the envelope's answer: 354, send the content


def _once(ready: Callable[[], bool]) -> Callable[[], bool]:
    """`ready` asked once however often the transaction is tried (a reconnect retries it)."""
    answer: list[bool] = []

    def asked() -> bool:
        if not answer:
            answer.append(ready())
        return answer[0]
    return asked


class OutboxTransport:
    """A Maildir that any mail client opens: what would have been sent, byte for byte."""

    name = "outbox"

    def __init__(self, path: Path):
        self.path = Path(path)

    def open(self) -> None:
        # Owner-only (SPEC §10): intermediate directories of mkdir(parents=True) would
        # get the default mode, so the outbox itself is made first.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for directory in (self.path, self.path / "tmp", self.path / "new", self.path / "cur"):
            directory.mkdir(exist_ok=True, mode=0o700)

    def send(self, message: Outgoing) -> Outcome:
        # Maildir delivery: write in tmp/, then an atomic rename into new/. A crash
        # leaves at most a file in tmp/, which readers ignore.
        name = outbox_name(message.message_id)
        temporary = self.path / "tmp" / name
        fd = os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "wb") as handle:
            for chunk in message.chunks:  # attachments are shared: never joined (message.py)
                handle.write(chunk)
        os.rename(temporary, self.path / "new" / name)
        return Outcome(SENT)

    def close(self) -> None:
        pass


def outbox_name(message_id: str) -> str:
    """A Maildir file name that carries a digest of the Message-ID, so that erasing a
    lead finds its messages in the outbox without reading every file (SPEC §10)."""
    return f"{time.time_ns()}.{message_digest(message_id)}.leadloop"


def message_digest(message_id: str) -> str:
    import hashlib

    return hashlib.sha256(message_id.encode()).hexdigest()[:24]


def _reply_text(code: int, message: bytes | str) -> str:
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    return f"{code} {' '.join(message.split())}"


def _is_final(code: int) -> bool:
    """A completion reply (RFC 5321 §4.2: 2yz, 4yz, 5yz), what MAIL and RCPT expect.
    smtplib gives -1 for a line without a code."""
    return 200 <= code < 300 or 400 <= code < 600


def _judge_refusal(code: int, text: str, command: str, recipient: str):
    """The same rule as the inbox's (delivery_status, SPEC §7): the enhanced status and
    the server's words decide, so a bare 550 or 554 is judged by what it says; and, as
    there, "user unknown" proves a dead address only in answer to RCPT (after DATA it is
    a content filter's verdict). Here the command is known, not guessed from a report,
    and so is the server: the one leadloop sends through (_as_our_relays)."""
    from .delivery_status import judge

    domain = recipient.rpartition("@")[2].lower()
    return _as_our_relays(judge(None, text, reply_code=code, command=command, domain=domain),
                          text, command, domain)


# Postfix's reject_unverified_recipient (ADDRESS_VERIFICATION_README, smtpd_check.c): the
# probe's result quoted after "undeliverable address:" when it answers with a 5xx, after
# "unverified address:" with a 4xx, which is its default (unverified_recipient_reject_code
# = 450) even for an address its probe found to bounce: then the quote is the lead's
# server's own permanent refusal ("host … said: 550 5.1.1 … User unknown").
_PROBED = re.compile(r"recipient address rejected: (undeliverable|unverified) address: (.+)", re.I | re.S)
_PROBE_REFUSED = re.compile(r"\bsaid: (5\d\d)\b")
# Postfix's reject_non_fqdn_recipient: an address without a domain that can exist (RFC 5321).
_NOT_FQDN = "recipient address rejected: need fully-qualified address"
# OpenSMTPD when no `match` rule takes the envelope (smtpd.conf(5)): relaying refused to
# this client or sender. A user unknown at a domain it serves is its 524 5.2.4.
_NO_MATCH_RULE = re.compile(r"550 invalid recipient: <[^<>]*>", re.I)
# mox on a port without login, for a domain it does not host (smtpserver/server.go,
# ErrDomainNotFound): "550 5.1.1 not accepting email for domain", relaying refused under
# a dead mailbox's status.
_NOT_ITS_DOMAIN = re.compile(r"\bnot accepting e-?mail for (?:this |that |the )?domain\b", re.I)
# RFC 3463: X.3.x is the mail system's own status, X.7.x security or policy. Answered by
# the server leadloop sends through, the system and the policy are that server's (its
# disk, its tables, its policy service; our client, login or rate), never the lead's
# mailbox's, unless its words name that mailbox. Not X.3.4, a size: judged as such.
_OURS_BY_STATUS = re.compile(r"[45]\.(?:3\.[0-35-9]\d*|7\.\d+)")
# A server that says its own failure: Exim's panic (log.c: "Unexpected failure, please
# try later", then it closes the connection), Haraka's plugin that did not answer in time
# (plugins.js: "plugin timeout"), and, after DATA, Exim's ACL defer without a
# message of the admin's (smtp_in.c: "Temporary local problem - please try later": a
# virus scanner or spam filter that does not answer). At RCPT the latter also covers a
# verification deferred by the lead's domain's DNS: left to the lead's mailbox there.
_OWN_FAILURE = re.compile(r"\bunexpected failure\b|\bplugin timeout\b", re.I)
_OWN_FAILURE_AFTER_DATA = re.compile(r"\btemporary local problem\b", re.I)
# The admin's or the panel's words for our sender address or our sending rate (Exim has
# no built-in check of either: the spec's ratelimit example says "Sender rate exceeds …";
# DirectAdmin's per-user limit, "User account … has sent too many emails"; HestiaCP's
# "Email account … is sending too many emails - rate overlimit = …"; cPanel's "has
# exceeded the max emails per hour").
_OUR_SENDER = re.compile(r"\bsender (?:address )?(?:<[^<>]*> )?(?:is )?not (?:allowed|permitted|authori[sz]ed)\b",
                         re.I)
_OUR_RATE = re.compile(r"\bsender rate\b|\b(?:has sent|is sending) too many (?:e-?mails|messages)\b"
                       r"|\brate overlimit\b|\bmax(?:imum)? (?:e-?mails|messages) per (?:hour|day)\b", re.I)
_LENGTH_OVER = re.compile(r"\bmessage (?:length|size)\b[^.]*\bexceeds?\b", re.I)
# (Not "account": at the server we send through, that is most often ours, suspended.)
_MAILBOX_WORDS = re.compile(r"\b(?:mailbox|quota|over ?quota|user unknown|no such user)\b", re.I)


# Our relay could not find the lead's domain, and says so under a temporary code:
# Postfix's reject_unknown_recipient_domain answers "450 4.1.2 … Domain not found" both
# for a name that does not exist (unknown_address_reject_code, 450 by default) and for a
# DNS look-up that failed (smtpd_check.c), and its address verification the same for a
# resolver that is down ("Host or domain name not found … try again").
_DOMAIN_NOT_FOUND = re.compile(r"recipient address rejected: (?:domain not found|unverified address: "
                               r"host or domain name not found)", re.I)


def _domain_looked_up(verdict, domain: str):
    """Whose failure "domain not found" is, asking DNS ourselves (deliverability.lookup,
    LEADLOOP_DNS_SERVERS or the system resolver): a domain with nowhere to deliver (no
    such name, or neither MX nor address) is the address's, and the lead is bounced now,
    not after five days of retries; a domain that takes mail means our relay's resolver
    fails, the sender's. Unanswered, it stays the mailbox's."""
    from .deliverability.lookup import Lookup
    from .delivery_status import ADDRESS, SENDER
    from .errors import LeadloopError

    try:
        takes_mail = Lookup().takes_mail(domain)
    except LeadloopError:
        return verdict
    if takes_mail:
        return replace(verdict, hard=False, owner=SENDER, reason="networkerror")
    return replace(verdict, hard=True, owner=ADDRESS, reason="hostunknown")


def _as_our_relays(verdict, text: str, command: str, domain: str):
    """A verdict on an answer of the server leadloop sends through (SPEC §6 "Outcomes"),
    which judges its own state and our client, and the lead's address only when it says
    so: what the inbox's reading of the same words, made for the lead's server, misses."""
    from .delivery_status import ADDRESS, MAILBOX, SENDER, judge

    if command == "RCPT" and (_NO_MATCH_RULE.fullmatch(text) or _NOT_ITS_DOMAIN.search(text)):
        return replace(verdict, hard=False, owner=SENDER, reason="norelaying")
    if _OWN_FAILURE.search(text) or command == "DATA" and (
            _OWN_FAILURE_AFTER_DATA.search(text) or not text[3:].strip()):
        # (After DATA, a reply with no words at all names nothing of the lead's either:
        # chasquid's "451 " when its own post-DATA hook fails.)
        return replace(verdict, hard=False, owner=SENDER, reason="systemerror")
    if verdict.owner != SENDER and _OUR_SENDER.search(text):
        return replace(verdict, hard=False, owner=SENDER, reason="rejected")
    if verdict.owner != SENDER and _OUR_RATE.search(text):
        return replace(verdict, hard=False, owner=SENDER, reason="speeding")
    if command == "RCPT" and verdict.owner == MAILBOX:
        if text.startswith("501"):
            # RFC 5321 §4.3.2: RCPT's 501 is a syntax error in its arguments, and leadloop
            # gives no argument but the address (Exim: "domain missing or malformed").
            return replace(verdict, hard=True, owner=ADDRESS, reason="userunknown")
        probed = _PROBED.search(text)
        if probed:
            wording, quote = probed.group(1).lower(), probed.group(2)
            said = _PROBE_REFUSED.search(quote)
            code = 550 if wording == "undeliverable" else int(said.group(1)) if said else None
            if code is not None:
                quoted = judge(None, quote, reply_code=code, command="RCPT", domain=domain)
                if quoted.owner == ADDRESS:
                    return quoted
        # (Exim's "Restricted characters in address" is read by judge itself, as the
        # inbox reads it: delivery_status._ADMIN_WORDS.)
        if _NOT_FQDN in text.lower() and text.startswith("5"):
            return replace(verdict, hard=True, owner=ADDRESS, reason="userunknown")
    if verdict.owner == MAILBOX and not _MAILBOX_WORDS.search(text):
        status = verdict.status or ""
        if _OURS_BY_STATUS.fullmatch(status):
            reason = "systemerror" if status[2] == "3" else "policyviolation"
            return replace(verdict, hard=False, owner=SENDER, reason=reason)
        if command == "DATA" and (status[1:] == ".2.3" or _LENGTH_OVER.search(text)):
            # X.2.3 is a mailbox's length limit (RFC 3463), but after the content it is the
            # limit of the server that took the content, ours: Sendmail's MaxMessageSize
            # ("Message exceeds maximum fixed size"), Dovecot submission's
            # submission_max_mail_size ("Message size exceeds administrative limit"),
            # Courier's sizelimit, which says so under no status ("523 Message length (N
            # bytes) exceeds administrative limit"). Left the mailbox's, every lead's pack
            # would fail after its five days of retries.
            return replace(verdict, hard=False, owner=SENDER, reason="mesgtoobig")
    return verdict


class SmtpTransport:
    name = "smtp"

    def __init__(self, config: Smtp):
        self.config = config
        self.where = f"{config.host}:{config.port}"
        self.client: smtplib.SMTP | None = None
        self._last_send = 0.0
        self._opened = False
        self._closed_with = ""  # "COMMAND 421 …": the server closed the connection at that command

    # -- connection -----------------------------------------------------------------

    def _tls_context(self) -> ssl.SSLContext:
        try:
            return ssl.create_default_context(cafile=self.config.ca_file or None)
        except (OSError, ssl.SSLError) as err:
            raise DeliveryError(f"[smtp] ca_file {self.config.ca_file}: cannot load it ({err})") from None

    def open(self) -> None:
        config = self.config
        client = None
        try:
            if config.security == "ssl":
                client = smtplib.SMTP_SSL(
                    config.host, config.port, timeout=config.timeout, context=self._tls_context()
                )
            else:
                client = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
            client.ehlo()
            if config.security == "starttls":
                if not client.has_extn("starttls"):
                    client.close()
                    raise DeliveryError(
                        f"{self.where}: the server does not offer STARTTLS, and [smtp] security "
                        'is "starttls"'
                    )
                client.starttls(context=self._tls_context())
                client.ehlo()
            if config.username and config.auth != "password":
                # Each connection, a reconnect mid-batch too, runs token_command again.
                _oauth_login(client, self.where, config)
            elif config.username:
                password = smtp_password(config)
                if password is None:
                    client.close()
                    raise DeliveryError(
                        f"{self.where}: no password for {config.username}: set "
                        "LEADLOOP_SMTP_PASSWORD or [smtp] password_command"
                    )
                _login(client, self.where, config.username, password, config.security)
        except TokenError as err:
            _discard(client)
            raise DeliveryError(f"{err}; {self._stopped()}") from None
        except DeliveryError as err:
            raise DeliveryError(f"{err}; {self._stopped()}") from None
        except ssl.SSLCertVerificationError as err:
            _discard(client)
            raise DeliveryError(
                f"{self.where}: the server's certificate is not trusted ({err.verify_message}); "
                "set [smtp] ca_file for a private CA"
            ) from None
        except (OSError, smtplib.SMTPException) as err:
            _discard(client)
            reason = _unreachable(err, config, greeted=client is not None)
            raise DeliveryError(f"{self.where}: {reason}; {self._stopped()}") from None
        self.client = client
        self._opened = True

    def _stopped(self) -> str:
        # open() runs again mid-batch after a lost connection: what went before stays sent.
        if self._opened:
            return "the run stopped, and the messages not sent yet wait for the next run"
        return "nothing was sent"

    def close(self) -> None:
        if self.client is not None:
            try:
                self.client.quit()
            except (OSError, smtplib.SMTPException):
                self.client.close()
            self.client = None

    def _reconnect(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
        self.open()

    # -- one message ----------------------------------------------------------------------

    # send() asks `ready` once MAIL is written, before reading its reply, and sends no DATA
    # unless it answered True: runner.py commits the message's `sending` meanwhile.
    asks_ready_before_data = True

    def send(self, message: Outgoing, ready: Callable[[], bool] | None = None) -> Outcome:
        """The message's SMTP transaction. `ready`, when given, is asked (once, however
        often the transaction is tried) after MAIL is written and before DATA; False means
        the message must not go: the transaction is reset and NOT_STARTED returned."""
        self._pace()
        if ready is not None:
            ready = _once(ready)
        if self.client is None:
            self._reconnect()
        outcome = self._transaction(message, ready)
        if outcome is None:
            # The connection was gone before the content left (421, dropped, timed out):
            # reconnect once and try again; a second loss leaves it for a later run. A
            # server that closes again at MAIL, before any recipient is named, refuses to
            # take mail at all (OpenSMTPD's "421 4.3.0 Temporary Error" when its queue
            # cannot be written): the sender's (SPEC §6), so the run stops and nobody is
            # charged. Elsewhere one recipient could be the cause: that lead's, retried.
            self._reconnect()
            self._closed_with = ""
            outcome = self._transaction(message, ready)
            if outcome is None and self._closed_with.startswith("MAIL "):
                raise DeliveryError(f"{self.where}: it closed the connection twice when asked to take "
                                    f"a message ({self._closed_with[5:]}); {self._stopped()}")
            outcome = outcome or Outcome(
                DEFERRED, "connection lost before the message was sent", "mailbox", "temporary")
        return outcome

    def _pace(self) -> None:
        if self.config.max_per_second > 0:
            gap = 1.0 / self.config.max_per_second
            wait = self._last_send + gap - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._last_send = time.monotonic()

    def _transaction(self, message: Outgoing, ready=None) -> Outcome | None:
        """SMTP MAIL/RCPT/DATA; None when the connection was lost before the content went.

        A reply that is not an SMTP reply (no code from 2xx to 5xx, or the wrong code for
        the step) means the conversation is out of step: the connection is dropped. Before
        the content that is a lost connection (retried); after it the server may have
        taken the message, so the outcome is `unknown` (SPEC §6), never `failed`."""
        client = self.client
        options = ""
        if message.smtputf8:
            if not client.has_extn("smtputf8"):
                if not message.sender.isascii():
                    raise DeliveryError(
                        f"{self.where}: the server does not offer SMTPUTF8 (RFC 6531), which "
                        f"the sender {message.sender} needs; the run stopped"
                    )
                return Outcome(FAILED, f"the server does not offer SMTPUTF8 (RFC 6531), which "
                                       f"the address {message.recipient} needs; not sent")
            # RFC 6531 §3.4; 8BITMIME as well for the UTF-8 head, as smtplib's send_message().
            options = " SMTPUTF8" + (" BODY=8BITMIME" if client.has_extn("8bitmime") else "")
        client.command_encoding = "utf-8" if message.smtputf8 else "ascii"
        try:
            if client.has_extn("pipelining"):
                early = self._envelope_pipelined(client, message, options, ready)
            else:
                early = self._envelope(client, message, options, ready)
        except (OSError, smtplib.SMTPException):
            # Lost, or a reply smtplib cannot read (a line too long): nothing went.
            return self._drop()
        if early is not _DATA_ACCEPTED:
            return early
        if len(message.chunks) > 1 and not self._send_leading_chunks(message):
            return self._drop()  # lost before the end of the content: nothing was delivered
        try:
            payload = _LEADING_DOT.sub(b"..", message.chunks[-1])
            if not payload.endswith(b"\r\n"):
                payload += b"\r\n"
            client.send(payload + b".\r\n")
            code, reply = client.getreply()
        except smtplib.SMTPResponseException:  # smtplib's own "Line too long": no reply
            self._drop()
            return Outcome(UNKNOWN, _NO_REPLY.format("a line too long to be a reply"))
        except (OSError, smtplib.SMTPException) as err:
            self._drop()
            return Outcome(UNKNOWN, f"connection lost after the message was sent ({_describe(err)})")
        if 200 <= code < 300:
            return Outcome(SENT)
        if not 400 <= code < 600:
            self._drop()
            # smtplib keeps only the tail of a line without a code: the code is what we know.
            return Outcome(UNKNOWN, _NO_REPLY.format(
                f"code {code}" if code > 0 else "a line with no reply code"))
        if code == 421:
            self.client = None
        return self._refused(code, reply, "DATA", message)

    def _envelope(self, client, message: Outgoing, options: str, ready):
        """MAIL, RCPT and DATA one at a time, each waiting for its reply: _DATA_ACCEPTED
        when the server waits for the content, else what _transaction returns."""
        # Addresses were validated on the way in: no need for smtplib's re-parsing
        # quoteaddr() (two address parses a message, a fifth of a send's CPU).
        client.putcmd("MAIL", f"FROM:<{message.sender}>{options}")
        # While the server reads MAIL (an envelope without DATA delivers nothing).
        go = ready is None or ready()
        code, reply = client.getreply()
        if not go:
            return self._withdraw(code)
        if code == 421:
            return self._closing(code, reply, "MAIL", message)
        if not _is_final(code):
            return self._drop()
        if code >= 400:
            self._rset()
            # Our own sender refused: no recipient is at fault, the run must stop.
            raise self._sender_refused(code, reply, "MAIL", message)
        code, reply = client.docmd("RCPT", f"TO:<{message.recipient}>")
        if code == 421:
            return self._closing(code, reply, "RCPT", message)
        if not _is_final(code):
            return self._drop()
        if code >= 400:
            self._rset()
            return self._refused(code, reply, "RCPT", message)
        code, reply = client.docmd("DATA")
        return self._data_reply(code, reply, message)

    def _envelope_pipelined(self, client, message: Outgoing, options: str, ready):
        """RFC 2920 (PIPELINING, offered by the server): MAIL and RCPT in one write, then
        DATA, the last command of the group, once `ready` allows (or RSET instead); then
        the three replies, each judged as the reply to its own command, as _envelope
        judges them. Two round trips a message instead of four."""
        client.send(f"MAIL FROM:<{message.sender}>{options}\r\nRCPT TO:<{message.recipient}>\r\n"
                    .encode(client.command_encoding))
        go = ready is None or ready()
        client.send(b"DATA\r\n" if go else b"RSET\r\n")
        mail_code, mail_reply = client.getreply()
        if not go and mail_code == 421:
            return self._withdraw(mail_code)
        if mail_code == 421:
            return self._closing(mail_code, mail_reply, "MAIL", message)
        if not _is_final(mail_code):
            return self._drop()
        code, reply = client.getreply()
        if code == 421:
            return self._closing(code, reply, "RCPT", message)
        if not _is_final(code):
            return self._drop()
        rcpt_code, rcpt_reply = code, reply
        code, reply = client.getreply()  # DATA's, or RSET's
        if code == 421:
            return self._closing(code, reply, "DATA", message)
        if not go:
            return self._withdraw(code)
        if code == 354 and (mail_code >= 400 or rcpt_code >= 400):
            # RFC 2920 §3.1: DATA accepted although no recipient was; a lone dot ends it,
            # and delivers to nobody.
            client.send(b".\r\n")
            client.getreply()
        if mail_code >= 400:
            self._rset()
            raise self._sender_refused(mail_code, mail_reply, "MAIL", message)
        if rcpt_code >= 400:
            self._rset()
            return self._refused(rcpt_code, rcpt_reply, "RCPT", message)
        return self._data_reply(code, reply, message)

    def _withdraw(self, code: int) -> Outcome:
        """`ready` said no: reset the transaction (or drop a connection out of step)."""
        if 200 <= code < 300:
            self._rset()
        else:
            self._drop()
        return NOT_STARTED

    def _data_reply(self, code: int, reply, message: Outgoing):
        if code == 354:
            return _DATA_ACCEPTED
        if code == 421 or not 400 <= code < 600:
            return self._drop()
        self._rset()
        return self._refused(code, reply, "DATA", message)

    def _send_leading_chunks(self, message: Outgoing) -> bool:
        """Every chunk of a message with attachments but the last; False when the
        connection was lost meanwhile. The server cannot have taken the message then:
        only the last chunk carries the end of data (a lone "." line, which dot-stuffing
        keeps out of the content), so the message may go again. With a brochure of some
        megabytes this is where a connection is most likely to break."""
        encoded = {id(attachment.body) for attachment in message.attachments}
        try:
            for chunk in message.chunks[:-1]:
                # Base64 lines never begin with a dot: megabytes not scanned per message.
                self.client.send(chunk if id(chunk) in encoded else _LEADING_DOT.sub(b"..", chunk))
        except (OSError, smtplib.SMTPException):
            return False
        return True

    def _closing(self, code: int, reply, command: str, message: Outgoing) -> None:
        """421: the server closes the connection. Usually "busy, try again" (reconnect);
        when its words name the sender (Gmail's "unusual rate of unsolicited mail", Yahoo's
        [TSS04] "user complaints"), the sender's refusal, which a reconnect would only repeat."""
        from .delivery_status import names_sender

        self._drop()
        text = _reply_text(code, reply)
        self._closed_with = f"{command} {text}"
        if names_sender(text) or _OWN_FAILURE.search(text):
            raise self._sender_refused(code, reply, command, message)
        return None

    def _drop(self) -> None:
        """The conversation cannot go on: close the connection; the next send reconnects."""
        if self.client is not None:
            self.client.close()
            self.client = None
        return None

    def _refused(self, code: int, reply, command: str, message: Outgoing) -> Outcome:
        """Whose refusal (SPEC §6): the address's bounces the lead; the mailbox's (full,
        disabled, greylisted, any 4xx for that recipient) is retried with growing waits;
        the sender's stops the run with the message still due (SenderRefused)."""
        from .delivery_status import ADDRESS, MAILBOX, SENDER

        text = _reply_text(code, reply)
        verdict = _judge_refusal(code, text, command, message.recipient)
        if verdict.owner == MAILBOX and _DOMAIN_NOT_FOUND.search(text):
            verdict = _domain_looked_up(verdict, message.recipient.rpartition("@")[2])
        if verdict.owner == SENDER:
            raise self._sender_refused(code, reply, command, message, verdict)
        if verdict.owner == ADDRESS:
            return Outcome(BOUNCED, text, ADDRESS, verdict.reason)
        return Outcome(DEFERRED, text, verdict.owner, verdict.reason)

    def _sender_refused(self, code: int, reply, command: str, message: Outgoing,
                        verdict=None) -> SenderRefused:
        from .refusals import sender_sentence

        text = _reply_text(code, reply)
        if verdict is None:
            verdict = _judge_refusal(code, text, command, message.recipient)
        # The server that answered is ours (the submission server or relay), whatever the
        # recipient's domain: it is the one named.
        sentence = sender_sentence(verdict, text, sender=message.sender, server=self.where,
                                   logged_in=bool(self.config.username))
        refused = SenderRefused(f"{sentence}; no lead was charged, and the messages wait for "
                                "the next run", verdict.reason, text)
        refused.command = command
        return refused

    def _rset(self) -> None:
        try:
            self.client.rset()
        except (OSError, smtplib.SMTPException):
            self.client = None


def _login(client: smtplib.SMTP, where: str, username: str, password: str, security: str) -> None:
    """AUTH PLAIN (else LOGIN) in UTF-8, as RFC 4616 defines it.

    smtplib's own login() encodes credentials as ASCII, so a password such as "s3cr€t"
    fails inside the library, with a traceback quoting where the character sat.

    A server that takes passwords only over TLS says so in one of two ways: it
    announces no AUTH until STARTTLS (Postfix's smtpd_tls_auth_only, RFC 3207 §4.2),
    or it answers AUTH with 530 "Must issue a STARTTLS command first" (RFC 3207 §4)
    or 538 "Encryption required" (RFC 4954 §6). Either way the sentence says which
    `security` to set rather than blaming the password or the mechanisms."""
    offered = (client.esmtp_features.get("auth") or "").upper().split()
    user, secret = username.encode("utf-8"), password.encode("utf-8")
    if "PLAIN" in offered:
        token = base64.b64encode(b"\0" + user + b"\0" + secret).decode("ascii")
        code, reply = client.docmd("AUTH", f"PLAIN {token}")
    elif "LOGIN" in offered:
        code, reply = client.docmd("AUTH", "LOGIN " + base64.b64encode(user).decode("ascii"))
        if code == 334:
            code, reply = client.docmd(base64.b64encode(secret).decode("ascii"))
    else:
        client.close()
        needs_tls = _needs_tls(client, where, security)
        if not offered and needs_tls and client.has_extn("starttls"):
            raise DeliveryError(f"{needs_tls} (it offers no AUTH before STARTTLS), so leadloop "
                                f"did not send the password; set {_tls_setting(client)}")
        if not offered:
            raise DeliveryError(
                f"{where}: the server offers no login (no AUTH) on this connection, and [smtp] "
                "username is set; if it takes mail without a login, leave username empty"
            )
        raise DeliveryError(
            f"{where}: the server offers no login method leadloop knows (PLAIN, LOGIN; it offers "
            f"{', '.join(offered)})"
        )
    if code != 235:
        client.close()
        text = _reply_text(code, reply)
        needs_tls = _needs_tls(client, where, security)
        if (code in (530, 538) or "5.7.11" in text) and needs_tls:
            raise DeliveryError(f"{needs_tls} ({text}); set {_tls_setting(client)}")
        no_passwords = oauth.password_refusal(where, "smtp", username, text)
        if no_passwords:
            raise DeliveryError(no_passwords)
        hint = ""
        other = oauth.offers_oauth(offered)
        if other:
            hint = (f"; the server also offers OAuth2 ({other}): if this account takes no "
                    f'passwords any more, set [smtp] auth = "{other.lower()}" and token_command')
        raise DeliveryError(f"{where}: the server refused the login of {username} ({text}){hint}")


# RFC 5321 §4.5.3.1.4: a command line is at most 512 octets, CRLF included. RFC 4954 §4:
# an AUTH whose initial response would pass it MUST be sent without, the response
# following the server's 334. Access tokens run from a few hundred bytes (Google) to two
# kilobytes (Microsoft, which documents exactly this two-step form for SMTP).
_COMMAND_LINE_OCTETS = 512


def _oauth_login(client: smtplib.SMTP, where: str, config: Smtp) -> None:
    """AUTH XOAUTH2 or OAUTHBEARER with a fresh token from `token_command` (oauth.py).

    The token goes only where a password would: never without TLS unless security =
    "none" is explicit, never to a server that does not offer the mechanism."""
    mechanism = oauth.MECHANISM[config.auth]
    offered = (client.esmtp_features.get("auth") or "").upper().split()
    if mechanism not in offered:
        client.close()
        needs_tls = _needs_tls(client, where, config.security)
        if not offered and needs_tls and client.has_extn("starttls"):
            raise DeliveryError(f"{needs_tls} (it offers no AUTH before STARTTLS), so leadloop "
                                f"did not send the token; set {_tls_setting(client)}")
        if not offered:
            raise DeliveryError(f"{where}: the server offers no login (no AUTH) on this "
                                f"connection, so it cannot take the OAuth2 token of {config.username}")
        other = oauth.offers_oauth(offered)
        instead = f'; set [smtp] auth = "{other.lower()}"' if other else ""
        raise DeliveryError(f"{where}: the server does not offer {mechanism} (it offers "
                            f"{', '.join(offered)}){instead}")
    token = access_token("smtp", config.token_command)
    response = base64.b64encode(oauth.initial_response(
        config.auth, config.username, token, config.host, config.port)).decode("ascii")
    if len(f"AUTH {mechanism} {response}\r\n") <= _COMMAND_LINE_OCTETS:
        code, reply = client.docmd("AUTH", f"{mechanism} {response}")
    else:
        code, reply = client.docmd("AUTH", mechanism)
        if code == 334:
            code, reply = client.docmd(response)
    details = {}
    if code == 334:
        # The refusal's JSON error, which wants an answer before the final reply.
        details = oauth.error_details(_base64_text(reply))
        code, reply = client.docmd(base64.b64encode(oauth.error_answer(config.auth)).decode("ascii"))
        if code == 334:
            code, reply = client.docmd("*")  # RFC 4954 §4: the client cancels
    if code == 235:
        return
    client.close()
    text = oauth.scrub(_reply_text(code, reply), token, response)
    needs_tls = _needs_tls(client, where, config.security)
    if (code in (530, 538) or "5.7.11" in text) and needs_tls:
        raise DeliveryError(f"{needs_tls} ({text}); set {_tls_setting(client)}")
    raise DeliveryError(oauth.refusal(where, "smtp", config.username, text, details))


def _base64_text(reply: bytes) -> bytes:
    try:
        return base64.b64decode(b"".join(reply.split()), validate=False)
    except ValueError:
        return b""


def _needs_tls(client: smtplib.SMTP, where: str, security: str) -> str | None:
    """The start of the sentence for a server that takes passwords only over TLS, on a
    connection without it; None when TLS is already on (then TLS is not what is missing)."""
    if security != "none":
        return None
    return f"{where}: the server requires TLS for login"


def _tls_setting(client: smtplib.SMTP) -> str:
    if client.has_extn("starttls"):
        return '[smtp] security = "starttls" (it offers STARTTLS on this port)'
    return '[smtp] security = "ssl" and the port it takes TLS on (usually 465)'


def _unreachable(err: BaseException, config: Smtp, greeted: bool) -> str:
    """Why the connection or the login could not be completed, pointing at the setting
    that is most likely wrong when TLS is expected on one side only."""
    if isinstance(err, ssl.SSLError) and err.reason == "WRONG_VERSION_NUMBER":
        return (f"the server did not answer in TLS ({_describe(err)}); for a port that starts in "
                'plain text, such as 587, set [smtp] security = "starttls"')
    # smtplib reports a read that timed out as a closed connection; the cause tells.
    if isinstance(err, TimeoutError) or isinstance(err.__context__, TimeoutError):
        text = f"the server did not answer within {config.timeout:g} s"
        if config.security != "ssl" and not greeted:
            # A port that expects TLS from the first byte waits for our handshake in
            # silence, as we wait for its greeting.
            text += ' (if the port expects TLS at once, such as 465, set [smtp] security = "ssl")'
        return text
    if isinstance(err, smtplib.SMTPResponseException):
        # It answered, with a refusal: its words, never smtplib's (code, b'…') pair.
        text = _reply_text(err.smtp_code, err.smtp_error)
        if not greeted:
            if _CONNECTION_LIMIT.search(text):
                return (f"the mail server turned the connection away ({text}): it limits how many "
                        "connections this machine may open, or how often; run again later")
            return f"the mail server turned the connection away ({text}); try again later, or ask its administrator"
        step = "the greeting (EHLO)" if isinstance(err, smtplib.SMTPHeloError) else "STARTTLS"
        return f"the mail server refused {step} ({text}); try again later, or ask its administrator"
    return f"cannot reach the mail server ({_describe(err)})"


_CONNECTION_LIMIT = re.compile(r"too many|rate|limit", re.I)


def _discard(client: smtplib.SMTP | None) -> None:
    if client is not None:
        try:
            client.close()
        except OSError:
            pass


def _describe(err: BaseException) -> str:
    if isinstance(err, socket.timeout):
        return "timed out"
    text = getattr(err, "strerror", None) or str(err) or type(err).__name__
    return text


def transport_for(config) -> OutboxTransport | SmtpTransport:
    if config.smtp is None:
        return OutboxTransport(config.outbox_path)
    return SmtpTransport(config.smtp)
