"""Where incoming mail is read from: a local Maildir or an IMAP folder (SPEC §7).

Both hand out (key, bytes) pairs and never change the user's mail: the Maildir is only
read, and the IMAP folder is opened read-only (EXAMINE, BODY.PEEK: not even the \\Seen
flag moves) unless a `processed_folder` asks leadloop to move what it has handled.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import imaplib
import os
import re
import socket
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from . import oauth
from .config import Inbox, access_token, imap_password
from .errors import MailboxError, TokenError

MAX_MESSAGE_BYTES = 10 * 1024 * 1024  # larger is an attachment dump, not a reply
_FETCH_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
_FETCH_UID = re.compile(rb"UID (\d+)")
# UIDs, UIDVALIDITY and sizes are 32-bit numbers (RFC 3501 §9, nz-number and number). A
# server sending more is broken: int() refuses thousands of digits, SQLite over 64 bits.
_LARGEST_IMAP_NUMBER = 2**32 - 1


# Of a message over the limit, what is read: its header, and the start of its body, where a
# feedback report (RFC 5965 §2) says what it is before the message it returns.
MAX_HEADER_BYTES = 256 * 1024


@dataclass
class Mail:
    key: str            # what inbox_seen remembers
    raw: bytes | None   # None: not even its header could be read
    size: int
    handle: object = None  # the source's own reference, for done()
    known: bool = False    # handled before (read again after a UIDVALIDITY change)
    truncated: bool = False  # over MAX_MESSAGE_BYTES: `raw` is only its header
    start: bytes = b""       # and this its first MAX_HEADER_BYTES, header included


def header_of(head: bytes) -> bytes:
    """The header block at the start of a message's bytes (up to the blank line)."""
    for separator in (b"\r\n\r\n", b"\n\n"):
        end = head.find(separator)
        if end >= 0:
            return head[:end + len(separator)]
    return head


def content_key(raw: bytes) -> str:
    """The same message read again (a rescan after UIDVALIDITY changed, a copy in another
    folder) has the same key: its Message-ID, else its bytes."""
    match = re.search(rb"^Message-ID:[ \t]*(<[^<>\s]+>)", raw[:65536], re.I | re.M)
    basis = match.group(1) if match else raw
    return "msg:" + hashlib.sha256(basis).hexdigest()[:32]


def open_mailbox(inbox: Inbox):
    if inbox.maildir is not None:
        return MaildirSource(inbox.maildir)
    return ImapSource(inbox)


class MaildirSource:
    """A Maildir (new/ and cur/) read in file-name order; files are keyed by their unique
    name, which stays the same when a mail program moves them to cur/ or flags them."""

    mailbox_name = None
    uidvalidity = 0

    def __init__(self, path: Path):
        self.path = Path(path)
        self.label = str(path)

    def __enter__(self):
        if not (self.path / "new").is_dir() or not (self.path / "cur").is_dir():
            raise MailboxError(f"[inbox] maildir {self.path}: not a Maildir (it needs new/ and cur/)")
        return self

    def __exit__(self, *exc):
        return False

    def messages(self, seen: Callable[[str], bool], after_uid: int = 0) -> Iterator[Mail]:
        names = []
        for sub in ("new", "cur"):
            for name in os.listdir(self.path / sub):
                if not name.startswith("."):
                    names.append((name.split(":", 1)[0], sub, name))
        for unique, sub, name in sorted(names):
            key = "maildir:" + unique
            if seen(key):
                continue
            path = self.path / sub / name
            start = b""
            try:
                size = path.stat().st_size
                if size <= MAX_MESSAGE_BYTES:
                    raw = path.read_bytes()
                else:
                    # Too large to read whole (an attachment): its header decides, or a
                    # report's first part.
                    with open(path, "rb") as handle:
                        start = handle.read(MAX_HEADER_BYTES)
                    raw = header_of(start)
            except FileNotFoundError:
                continue  # moved by a mail program since the listing: read next time
            except OSError as err:
                raise MailboxError(f"{path}: cannot read it ({err.strerror})") from None
            yield Mail(key, raw, size, truncated=size > MAX_MESSAGE_BYTES, start=start)

    def done(self, mail: Mail) -> None:
        """Maildir messages are never moved."""


class ImapSource:
    def __init__(self, inbox: Inbox):
        self.inbox = inbox
        self.label = f"{inbox.host}:{inbox.port}"
        self.mailbox_name = f"imap://{inbox.username}@{inbox.host}:{inbox.port}/{inbox.folder}"
        self.client: imaplib.IMAP4 | None = None
        self.capabilities: set[str] = set()
        self.uidvalidity = 0

    def __enter__(self):
        inbox = self.inbox
        where = f"IMAP {self.label}"
        doing = "connecting"
        try:
            if inbox.security == "ssl":
                self.client = client = imaplib.IMAP4_SSL(
                    inbox.host, inbox.port, ssl_context=self._tls_context(), timeout=inbox.timeout)
            else:
                self.client = client = imaplib.IMAP4(inbox.host, inbox.port, timeout=inbox.timeout)
                if inbox.security == "starttls":
                    if "STARTTLS" not in client.capabilities:
                        raise MailboxError(f'{where}: the server does not offer STARTTLS, and [inbox] '
                                           'security is "starttls"')
                    doing = "starting TLS"
                    client.starttls(ssl_context=self._tls_context())
            # imaplib writes a literal and its CRLF apart; without this each AUTHENTICATE
            # waits ~40 ms for a delayed ACK.
            client.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            doing = "logging in"
            self._login()
            # Servers announce more (MOVE, UIDPLUS) once logged in; imaplib keeps the first list.
            _, data = client.capability()
            self.capabilities = set((data[-1] or b"").decode("ascii", "replace").upper().split())
            doing = f"opening the folder {inbox.folder!r}"
            self._select()
        except MailboxError:
            self._abandon()
            raise
        except ssl.SSLCertVerificationError as err:
            self._abandon()
            raise MailboxError(f"{where}: the server's certificate is not trusted "
                               f"({err.verify_message}); set [inbox] ca_file for a private CA") from None
        except (OSError, imaplib.IMAP4.error) as err:
            self._abandon()
            raise self._failure(err, doing) from None
        return self

    def __exit__(self, *exc):
        self._close()
        return False

    def _close(self) -> None:
        """LOGOUT, once the work is done (a server that hangs here costs one timeout)."""
        if self.client is None:
            return
        try:
            self.client.logout()
        except (OSError, imaplib.IMAP4.error):
            pass
        self.client = None

    def _abandon(self) -> None:
        """Close the socket without a word: after a failure the server may be gone or hung,
        and a polite LOGOUT would wait another full timeout for it."""
        if self.client is None:
            return
        try:
            self.client.shutdown()
        except OSError:
            pass
        self.client = None

    def _failure(self, err: Exception, doing: str) -> MailboxError:
        """One sentence for a server that dropped, hung or refused while leadloop was `doing`."""
        where, security = f"IMAP {self.label}", self.inbox.security
        if isinstance(err, TimeoutError):
            text = f"the server did not answer within {self.inbox.timeout:g} s while {doing}"
            if doing == "connecting" and security != "ssl":
                # A port that expects TLS from the first byte waits for our handshake in
                # silence, as we wait for its greeting.
                text += ' (if the port expects TLS at once, such as 993, set [inbox] security = "ssl")'
        elif isinstance(err, ssl.SSLError) and err.reason == "WRONG_VERSION_NUMBER":
            text = (f"the server did not answer in TLS while {doing} ({_describe(err)}); for a port "
                    'that starts in plain text, such as 143, set [inbox] security = "starttls"')
        elif doing == "connecting" and isinstance(err, OSError) and not isinstance(err, ssl.SSLError):
            text = f"cannot reach the server ({_describe(err)})"
        elif isinstance(err, imaplib.IMAP4.abort) and "unexpected response" in str(err):
            text = (f"the server's answer is not IMAP while {doing} ({_describe(err)}); "
                    "check [inbox] host and port")
        elif isinstance(err, (imaplib.IMAP4.abort, ConnectionError, ssl.SSLError)):
            text = f"the connection was lost while {doing} ({_describe(err)})"
        else:
            text = f"the server refused a command while {doing} ({_describe(err)})"
        return MailboxError(f"{where}: {text}")

    def _tls_context(self) -> ssl.SSLContext:
        try:
            return ssl.create_default_context(cafile=self.inbox.ca_file or None)
        except (OSError, ssl.SSLError) as err:
            raise MailboxError(f"[inbox] ca_file {self.inbox.ca_file}: cannot load it ({err})") from None

    def _login(self) -> None:
        """AUTHENTICATE PLAIN when the server offers it, else LOGIN, unless LOGINDISABLED.

        PLAIN first because it is the mechanism IMAP4rev2 servers must offer (RFC 9051
        §6.2.2) and it carries UTF-8, where imaplib's LOGIN sends only ASCII; and only when
        AUTH=PLAIN is advertised (RFC 3501 §6.2.2). A server that advertises LOGINDISABLED
        has said it will not take a password on this connection, and a client MUST NOT
        send LOGIN then (RFC 3501 §6.2.3, §7.2.1): the password would travel in clear
        for nothing. A refusal with [PRIVACYREQUIRED] (RFC 5530) says the same after
        the fact. Both get a sentence that says which `security` to set."""
        inbox, client = self.inbox, self.client
        where = f"IMAP {self.label}"
        if not inbox.username:
            raise MailboxError("[inbox] username is empty: leadloop cannot log in to the IMAP server")
        if inbox.auth != "password":
            self._oauth_login()
            return
        password = imap_password(inbox)
        if password is None:
            raise MailboxError(f"{where}: no password for {inbox.username}: set "
                               "LEADLOOP_IMAP_PASSWORD or [inbox] password_command")
        offered = set(client.capabilities)
        try:
            if "AUTH=PLAIN" in offered:
                secret = f"\0{inbox.username}\0{password}".encode()
                client.authenticate("PLAIN", lambda _challenge: secret)
            elif "LOGINDISABLED" in offered:
                raise MailboxError(self._needs_tls(offered, sent=False) or (
                    f"{where}: the server takes neither AUTHENTICATE PLAIN nor LOGIN, the ways "
                    f"leadloop logs in (it offers {_mechanisms(offered)})"))
            else:
                client.login(inbox.username, password)
        except imaplib.IMAP4.abort:
            raise  # the connection is gone: __enter__ says so
        except UnicodeEncodeError:
            raise MailboxError(f"{where}: the server offers only LOGIN, which cannot carry the "
                               "non-ASCII characters of this username or password, so leadloop "
                               "did not send them") from None
        except imaplib.IMAP4.error as err:
            code = _response_code(str(err))
            if code == "PRIVACYREQUIRED":
                raise MailboxError(self._needs_tls(offered, sent=True) or (
                    f"{where}: the server refused the login as not secure enough "
                    f"({_describe(err)})")) from None
            if code == "UNAVAILABLE":
                raise MailboxError(f"{where}: the server cannot log anyone in just now "
                                   f"({_describe(err)}); try again later") from None
            no_passwords = oauth.password_refusal(where, "inbox", inbox.username, _describe(err))
            if no_passwords:
                raise MailboxError(no_passwords) from None
            hint = ""
            other = oauth.offers_oauth({c[5:] for c in offered if c.startswith("AUTH=")})
            if other:
                hint = (f"; the server also offers OAuth2 ({other}): if this account takes no "
                        f'passwords any more, set [inbox] auth = "{other.lower()}" and token_command')
            raise MailboxError(f"{where}: the server refused the login of {inbox.username} "
                               f"({_describe(err)}); check the username and "
                               f"LEADLOOP_IMAP_PASSWORD{hint}") from None

    def _oauth_login(self) -> None:
        """AUTHENTICATE XOAUTH2 or OAUTHBEARER with a fresh token from `token_command`
        (oauth.py), the initial response on the command line when the server offers
        SASL-IR (RFC 4959; the form Microsoft documents), else after its first "+".

        As with passwords, the token goes only to a server that offers the mechanism,
        and never without TLS unless security = "none" is explicit."""
        inbox, client = self.inbox, self.client
        where = f"IMAP {self.label}"
        mechanism = oauth.MECHANISM[inbox.auth]
        offered = set(client.capabilities)
        if f"AUTH={mechanism}" not in offered:
            needs_tls = None
            if "STARTTLS" in offered or "LOGINDISABLED" in offered:
                needs_tls = self._needs_tls(offered, sent=False, secret="token")
            other = oauth.offers_oauth({c[5:] for c in offered if c.startswith("AUTH=")})
            instead = f'; set [inbox] auth = "{other.lower()}"' if other else ""
            raise MailboxError(needs_tls or (
                f"{where}: the server does not offer AUTHENTICATE {mechanism} (it offers "
                f"{_mechanisms(offered)}){instead}"))
        try:
            token = access_token("inbox", inbox.token_command)
        except TokenError as err:
            raise MailboxError(str(err)) from None
        response = oauth.initial_response(inbox.auth, inbox.username, token, inbox.host, inbox.port)
        encoded = base64.b64encode(response).decode("ascii")
        with_command = "SASL-IR" in offered
        exchange = oauth.Exchange(inbox.auth, response, sent=with_command)
        try:
            if with_command:
                _authenticate_with_initial_response(client, mechanism, encoded, exchange.answer)
            else:
                client.authenticate(mechanism, exchange.answer)
        except imaplib.IMAP4.abort:
            raise  # the connection is gone: __enter__ says so
        except binascii.Error:
            raise MailboxError(f"{where}: the server's AUTHENTICATE challenge is not base64; "
                               "leadloop cannot answer it") from None
        except imaplib.IMAP4.error as err:
            text = oauth.scrub(_describe(err), token, encoded)
            code = _response_code(text)
            if code == "PRIVACYREQUIRED":
                raise MailboxError(self._needs_tls(offered, sent=True) or (
                    f"{where}: the server refused the login as not secure enough ({text})")) from None
            if code == "UNAVAILABLE":
                raise MailboxError(f"{where}: the server cannot log anyone in just now "
                                   f"({text}); try again later") from None
            raise MailboxError(oauth.refusal(where, "inbox", inbox.username, text,
                                             exchange.details)) from None

    def _needs_tls(self, offered: set[str], sent: bool, secret: str = "password") -> str | None:
        """The sentence for a server that takes passwords only over TLS, on a connection
        without it; None when TLS is already on (then TLS is not what is missing)."""
        if self.inbox.security != "none":
            return None
        if "STARTTLS" in offered:
            setting = '[inbox] security = "starttls" (it offers STARTTLS on this port)'
        else:
            setting = '[inbox] security = "ssl" and the port it takes TLS on (usually 993)'
        why = "it refused a login without it" if sent else f"so leadloop did not send the {secret}"
        return f"IMAP {self.label}: the server requires TLS for login, {why}; set {setting}"

    def _select(self) -> None:
        client, inbox = self.client, self.inbox
        status, _ = client.select(_quote(inbox.folder), readonly=not inbox.processed_folder)
        if status != "OK":
            raise MailboxError(f"IMAP {self.label}: there is no folder {inbox.folder!r}")
        status, data = client.response("UIDVALIDITY")
        if not data or data[0] is None:
            status, data = client.status(_quote(inbox.folder), "(UIDVALIDITY)")
            match = re.search(rb"UIDVALIDITY (\d+)", data[0] or b"")
        else:
            match = re.fullmatch(rb"\s*(\d+)\s*", data[0])
        self.uidvalidity = self._number(match.group(1), "UIDVALIDITY") if match else 0
        if inbox.processed_folder:
            client.create(_quote(inbox.processed_folder))  # "already exists" is fine

    def messages(self, seen: Callable[[str], bool], after_uid: int = 0) -> Iterator[Mail]:
        sizes = self._exchange("listing the folder", self._sizes, after_uid)
        for uid, size in sorted(sizes.items()):
            truncated = size > MAX_MESSAGE_BYTES
            # Too large to read whole (an attachment): its header decides, or a report's
            # first part; the same first bytes as from a Maildir (RFC 3501 §6.4.5's partial
            # fetch), of which the header.
            raw = self._exchange(f"fetching message UID {uid}", self._fetch, uid,
                                 f"BODY.PEEK[]<0.{MAX_HEADER_BYTES}>" if truncated else "BODY.PEEK[]")
            if raw is None:
                continue  # expunged meanwhile
            start, raw = (raw, header_of(raw)) if truncated else (b"", raw)
            key = content_key(raw)
            if seen(key):
                yield Mail(key, None, size, uid, known=True)
                continue
            yield Mail(key, raw, size, uid, truncated=truncated, start=start)

    def _exchange(self, doing: str, function, *args):
        """Run one exchange with the server while reading the folder; a drop, a hang (the
        timeout ends it) or a refusal becomes one sentence. Each message handled before
        was applied in its own transaction (inbox.py), so it says what is kept."""
        try:
            return function(*args)
        except (OSError, imaplib.IMAP4.error) as err:
            self._abandon()
            failure = self._failure(err, doing)
            raise MailboxError(f"{failure}; the messages read before it are kept, the rest are "
                               "read next time") from None

    def _sizes(self, after_uid: int) -> dict[int, int]:
        """UID → size of every message after `after_uid`, in one command."""
        status, data = self.client.uid("FETCH", f"{after_uid + 1}:*", "(RFC822.SIZE)")
        if status != "OK":
            raise MailboxError(f"IMAP {self.label}: cannot list the folder")
        sizes = {}
        for item in data:
            line = item[0] if isinstance(item, tuple) else item
            uid = _FETCH_UID.search(line or b"")
            size = _FETCH_SIZE.search(line or b"")
            # "n:*" always matches the highest UID, even one below n.
            if uid and size:
                number = self._number(uid.group(1), "UID")
                if number > after_uid:
                    sizes[number] = self._number(size.group(1), "message size")
        return sizes

    def _number(self, digits: bytes, what: str) -> int:
        if len(digits.lstrip(b"0")) > 10 or int(digits) > _LARGEST_IMAP_NUMBER:
            raise MailboxError(
                f"IMAP {self.label}: the server sent a {what} of {len(digits)} digits, beyond "
                "IMAP's 32-bit numbers (RFC 3501); the rest of the folder was not read")
        return int(digits)

    def _fetch(self, uid: int, item: str = "BODY.PEEK[]") -> bytes | None:
        status, data = self.client.uid("FETCH", str(uid), f"({item})")
        if status != "OK":
            raise MailboxError(f"IMAP {self.label}: cannot fetch message UID {uid}")
        # One UID asked, so the one literal in the answer is its body (servers put the
        # UID item before or after it).
        for item in data:
            if isinstance(item, tuple):
                return item[1]
        return None

    def done(self, mail: Mail) -> None:
        """Move a handled message to `processed_folder`, when one is configured."""
        target = self.inbox.processed_folder
        if not target or mail.handle is None:
            return
        self._exchange(f"moving message UID {mail.handle} to {target!r}",
                       self._move, str(mail.handle), target)

    def _move(self, uid: str, target: str) -> None:
        client = self.client
        if "MOVE" in self.capabilities:
            client.uid("MOVE", uid, _quote(target))
            return
        client.uid("COPY", uid, _quote(target))
        client.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)")
        if "UIDPLUS" in self.capabilities:
            client.uid("EXPUNGE", uid)  # only this message, not others the user deleted
        else:
            client.expunge()


def _authenticate_with_initial_response(client: imaplib.IMAP4, mechanism: str, response: str,
                                        answer: Callable[[bytes], bytes | None]) -> None:
    """imaplib's authenticate() with the initial response as an argument of the command
    (SASL-IR, RFC 4959), which imaplib has no public way to send: the same internals
    (`literal` holding the challenge handler, `_simple_command`), one round trip fewer."""
    client.literal = imaplib._Authenticator(answer).process
    status, data = client._simple_command("AUTHENTICATE", mechanism, response)
    if status != "OK":
        raise client.error(data[-1].decode("utf-8", "replace"))
    client.state = "AUTH"


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _describe(err: Exception) -> str:
    if isinstance(err, TimeoutError):
        return "timed out"
    text = getattr(err, "strerror", None) if isinstance(err, OSError) else None
    text = (text or str(err)).strip() or type(err).__name__
    # imaplib hands some server texts over as bytes: b'[CODE] text'.
    text = re.sub(r"""^b(['"])(.*)\1$""", r"\2", text)
    return " ".join(text.split())[:200]


def _response_code(text: str) -> str | None:
    """The response code of a tagged NO or BAD (RFC 3501 §7.1, RFC 5530), upper-cased."""
    match = re.search(r"\[([A-Za-z-]+)", text)
    return match.group(1).upper() if match else None


def _mechanisms(offered: set[str]) -> str:
    names = sorted(c[5:] for c in offered if c.startswith("AUTH="))
    return "AUTHENTICATE " + ", ".join(names) if names else "no login method"
