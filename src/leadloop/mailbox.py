"""Where incoming mail is read from: a local Maildir or an IMAP folder (SPEC §7).

Both hand out (key, bytes) pairs and never change the user's mail: the Maildir is only
read, and the IMAP folder is opened read-only (EXAMINE, BODY.PEEK: not even the \\Seen
flag moves) unless a `processed_folder` asks leadloop to move what it has handled.
"""

from __future__ import annotations

import hashlib
import imaplib
import os
import re
import socket
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .config import Inbox, imap_password
from .errors import MailboxError

MAX_MESSAGE_BYTES = 10 * 1024 * 1024  # larger is an attachment dump, not a reply
_FETCH_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
_FETCH_UID = re.compile(rb"UID (\d+)")


MAX_HEADER_BYTES = 256 * 1024  # of a message over the limit, what is read to find its header


@dataclass
class Mail:
    key: str            # what inbox_seen remembers
    raw: bytes | None   # None: not even its header could be read
    size: int
    handle: object = None  # the source's own reference, for done()
    known: bool = False    # handled before (read again after a UIDVALIDITY change)
    truncated: bool = False  # over MAX_MESSAGE_BYTES: `raw` is only its header


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
            try:
                size = path.stat().st_size
                if size <= MAX_MESSAGE_BYTES:
                    raw = path.read_bytes()
                else:
                    # Too large to read whole (an attachment): its header decides.
                    with open(path, "rb") as handle:
                        raw = header_of(handle.read(MAX_HEADER_BYTES))
            except FileNotFoundError:
                continue  # moved by a mail program since the listing: read next time
            except OSError as err:
                raise MailboxError(f"{path}: cannot read it ({err.strerror})") from None
            yield Mail(key, raw, size, truncated=size > MAX_MESSAGE_BYTES)

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
        try:
            if inbox.security == "ssl":
                client = imaplib.IMAP4_SSL(inbox.host, inbox.port, ssl_context=self._tls_context(),
                                           timeout=inbox.timeout)
            else:
                client = imaplib.IMAP4(inbox.host, inbox.port, timeout=inbox.timeout)
                if inbox.security == "starttls":
                    if "STARTTLS" not in client.capabilities:
                        client.shutdown()
                        raise MailboxError(f'{where}: the server does not offer STARTTLS, and [inbox] '
                                           'security is "starttls"')
                    client.starttls(ssl_context=self._tls_context())
            # imaplib writes a literal and its CRLF apart; without this each AUTHENTICATE
            # waits ~40 ms for a delayed ACK.
            client.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.client = client
            self._login()
            # Servers announce more (MOVE, UIDPLUS) once logged in; imaplib keeps the first list.
            _, data = client.capability()
            self.capabilities = set((data[-1] or b"").decode("ascii", "replace").upper().split())
            self._select()
        except MailboxError:
            self._close()
            raise
        except ssl.SSLCertVerificationError as err:
            self._close()
            raise MailboxError(f"{where}: the server's certificate is not trusted "
                               f"({err.verify_message}); set [inbox] ca_file for a private CA") from None
        except (OSError, imaplib.IMAP4.error) as err:
            self._close()
            raise MailboxError(f"{where}: cannot read the mailbox ({_describe(err)})") from None
        return self

    def __exit__(self, *exc):
        self._close()
        return False

    def _close(self) -> None:
        if self.client is None:
            return
        try:
            self.client.logout()
        except (OSError, imaplib.IMAP4.error):
            pass
        self.client = None

    def _tls_context(self) -> ssl.SSLContext:
        try:
            return ssl.create_default_context(cafile=self.inbox.ca_file or None)
        except (OSError, ssl.SSLError) as err:
            raise MailboxError(f"[inbox] ca_file {self.inbox.ca_file}: cannot load it ({err})") from None

    def _login(self) -> None:
        inbox, client = self.inbox, self.client
        where = f"IMAP {self.label}"
        if not inbox.username:
            raise MailboxError("[inbox] username is empty: leadloop cannot log in to the IMAP server")
        password = imap_password(inbox)
        if password is None:
            raise MailboxError(f"{where}: no password for {inbox.username}: set "
                               "LEADLOOP_IMAP_PASSWORD or [inbox] password_command")
        try:
            if "AUTH=PLAIN" in client.capabilities:
                # AUTHENTICATE PLAIN carries UTF-8; imaplib's LOGIN only ASCII.
                secret = f"\0{inbox.username}\0{password}".encode()
                client.authenticate("PLAIN", lambda _challenge: secret)
            else:
                client.login(inbox.username, password)
        except (imaplib.IMAP4.error, UnicodeEncodeError):
            raise MailboxError(f"{where}: the server refused the login of {inbox.username} "
                               "(check the username and LEADLOOP_IMAP_PASSWORD)") from None

    def _select(self) -> None:
        client, inbox = self.client, self.inbox
        status, _ = client.select(_quote(inbox.folder), readonly=not inbox.processed_folder)
        if status != "OK":
            raise MailboxError(f"IMAP {self.label}: there is no folder {inbox.folder!r}")
        status, data = client.response("UIDVALIDITY")
        if not data or data[0] is None:
            status, data = client.status(_quote(inbox.folder), "(UIDVALIDITY)")
            match = re.search(rb"UIDVALIDITY (\d+)", data[0] or b"")
            self.uidvalidity = int(match.group(1)) if match else 0
        else:
            self.uidvalidity = int(data[0])
        if inbox.processed_folder:
            client.create(_quote(inbox.processed_folder))  # "already exists" is fine

    def messages(self, seen: Callable[[str], bool], after_uid: int = 0) -> Iterator[Mail]:
        for uid, size in sorted(self._sizes(after_uid).items()):
            truncated = size > MAX_MESSAGE_BYTES
            # Too large to read whole (an attachment): its header decides.
            raw = self._fetch(uid, "BODY.PEEK[HEADER]" if truncated else "BODY.PEEK[]")
            if raw is None:
                continue  # expunged meanwhile
            key = content_key(raw)
            if seen(key):
                yield Mail(key, None, size, uid, known=True)
                continue
            yield Mail(key, raw, size, uid, truncated=truncated)

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
            if uid and size and int(uid.group(1)) > after_uid:
                sizes[int(uid.group(1))] = int(size.group(1))
        return sizes

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
        client, uid = self.client, str(mail.handle)
        if "MOVE" in self.capabilities:
            client.uid("MOVE", uid, _quote(target))
            return
        client.uid("COPY", uid, _quote(target))
        client.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)")
        if "UIDPLUS" in self.capabilities:
            client.uid("EXPUNGE", uid)  # only this message, not others the user deleted
        else:
            client.expunge()


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _describe(err: Exception) -> str:
    text = str(err).strip() or type(err).__name__
    return text[:200]
