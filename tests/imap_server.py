"""A real IMAP server for tests: pymap's in-memory ("dict") backend on 127.0.0.1, on a
thread with its own event loop, with one user whose password is not ASCII and an empty
INBOX (no --demo-data). `imap_tls_server` also offers STARTTLS, with a certificate from
the tests' CA; pymap takes connections from localhost for secure ones, so it offers
AUTH=PLAIN before STARTTLS too. `imap_remote_server` treats every client as remote, as a
server reached over a network does: before STARTTLS it advertises LOGINDISABLED and no
AUTH=, so a test can show that a client refuses to log in in clear.

imaplib's LOGIN sends only ASCII (pymap itself takes UTF-8 there), so the helpers log in
with AUTHENTICATE PLAIN, as leadloop does when the server offers it.

`ImapServer(..., oauth=BearerTokens(...))` also offers AUTHENTICATE XOAUTH2 and
OAUTHBEARER, as Gmail and Outlook do. pysasl (pymap's SASL layer) parses XOAUTH2 but
leaves the token to "external verification", which the dict backend does not do, and has
no OAUTHBEARER: `_BearerMechanism` parses both strings exactly as Google's page and RFC
7628 §3.1 write them, keeps every one it saw, checks the token against the ones the test
issued (what a provider's token endpoint does), and refuses a bad one the providers' way:
a challenge holding a JSON error, whose answer it keeps, then NO."""

from __future__ import annotations

import asyncio
import imaplib
import json
import re
import socket
import ssl
import threading
from argparse import Namespace
from functools import cached_property

import pytest

IMAP_USER = "marketer@example.com"
IMAP_PASSWORD = "imap-Pässwort!"
# What Gmail sends in its XOAUTH2 error challenge (developers.google.com/gmail/imap/xoauth2-protocol).
OAUTH_ERROR = {"status": "401", "schemes": "bearer", "scope": "https://mail.google.com/"}


class BearerTokens:
    """The server side of OAuth2 for a test: the tokens it takes, what it was sent."""

    def __init__(self, *tokens: str, user: str = IMAP_USER):
        self.valid = set(tokens)
        self.user = user
        self.seen: list[tuple[str, bytes]] = []      # (mechanism, the decoded SASL string)
        self.error_answers: list[tuple[str, bytes]] = []  # what answered the JSON error

    def check(self, mechanism: str, response: bytes) -> tuple[str, str] | None:
        """(user, token) when the string is well-formed, else None."""
        self.seen.append((mechanism, response))
        text = response.decode("utf-8", "replace")
        if mechanism == "XOAUTH2":
            match = re.fullmatch(r"user=([^\x01]*)\x01auth=Bearer ([^\x01]+)\x01\x01", text)
            return match.groups() if match else None
        match = re.fullmatch(r"n,a=([^,]*),\x01((?:[a-z]+=[^\x01]*\x01)+)\x01", text)
        if not match:
            return None
        pairs = dict(pair.split("=", 1) for pair in match.group(2).split("\x01") if pair)
        user = match.group(1).replace("=2C", ",").replace("=3D", "=")
        token = pairs.get("auth", "").removeprefix("Bearer ")
        return (user, token) if token else None


class ImapServer:
    def __init__(self, certificate_authority=None, *, as_remote: bool = False,
                 oauth: BearerTokens | None = None, refuse_passwords: str | None = None):
        self.host, self.port = "127.0.0.1", None
        self.as_remote = as_remote
        self.oauth = oauth
        # A refusal text for every password login, as a provider that turned them off gives.
        self.refuse_passwords = refuse_passwords
        self.username, self.password = IMAP_USER, IMAP_PASSWORD
        self._server_tls = self._client_tls = None
        if certificate_authority is not None:
            self._server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            certificate = certificate_authority.issue_cert("127.0.0.1", "localhost")
            certificate.configure_cert(self._server_tls)
            self._client_tls = ssl.create_default_context()
            certificate_authority.configure_trust(self._client_tls)
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"pymap-{id(self)}", daemon=True)
        self._thread.start()
        if not self._ready.wait(10) or self._failure:
            raise RuntimeError("pymap did not start") from self._failure

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except Exception as error:  # noqa: BLE001 - raised again in the test's thread
            self._failure = error
        finally:
            self._ready.set()

    async def _serve(self) -> None:
        # pymap is imported here, not with conftest, so that runs without IMAP tests
        # do not pay its ~0.1 s.
        from proxyprotocol.reader import ProxyProtocolReader
        from pymap.backend.dict import Config, Identity, Login
        from pymap.concurrent import Subsystem
        from pymap.exceptions import InvalidAuth
        from pymap.imap import IMAPServer
        from pymap.user import Passwords, UserMetadata
        from pysasl import SASLAuth
        from pysasl.hashing import BuiltinHash

        test_server = self

        class LocalConfig(Config):
            @property
            def greeting(self) -> bytes:
                return b"Server ready localhost"  # pymap's own asks DNS for our name

            @cached_property
            def tls_auth(self):  # pysasl scans every installed package's entry points
                auth = super().tls_auth  # for it, ~5 ms on each connection
                if test_server.oauth is None:
                    return auth
                return SASLAuth([*auth.server_mechanisms, _BearerMechanism("XOAUTH2", test_server.oauth),
                                 _BearerMechanism("OAUTHBEARER", test_server.oauth)])

        class LocalLogin(Login):
            async def authenticate(self, credentials):
                if isinstance(credentials, _BearerCredentials):
                    if credentials.user is None:
                        raise InvalidAuth("SASL authentication failed")
                    return Identity(credentials.user, self, None, set())
                if test_server.refuse_passwords:
                    raise InvalidAuth(test_server.refuse_passwords)
                return await super().authenticate(credentials)

        args = Namespace(host=self.host, port=0, debug=False, cert=None, key=None,
                         tls=self._server_tls is not None, passlib_cfg=None,
                         proxy_protocol=None, demo_data=False,
                         demo_user=IMAP_USER, demo_password=IMAP_PASSWORD)
        config = LocalConfig.from_args(
            args,
            # pbkdf2's default 500,000 rounds cost 0.25 s a login, and the default thread
            # pool for hashing would outlive the server. (pysasl's Cleartext cannot
            # compare non-ASCII passwords.)
            hash_context=BuiltinHash(rounds=1), cpu_subsystem=Subsystem.for_asyncio(),
            invalid_user_sleep=0,
            # An unused context rather than None, which would load CERT_FILE from the
            # environment.
            ssl_context=self._server_tls or ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER))
        config.apply_context()
        login = LocalLogin(config)
        hashed = await Passwords(config).hash_password(IMAP_PASSWORD)
        await login.demo_user_identity.set(UserMetadata(config, IMAP_USER, password=hashed))
        # IMAPService.start without its fixed port: on port 0 the kernel picks a free
        # one, no race with a probe.
        imap = IMAPServer(login, config)
        if self.as_remote:
            serve = imap

            async def imap(reader, writer, sock_info):  # noqa: F811 - the wrapped server
                await serve(reader, writer, _Remote(sock_info))
        callback = ProxyProtocolReader(config.proxy_protocol).get_callback(imap)
        self._loop, self._stopping = asyncio.get_running_loop(), asyncio.Event()
        async with await asyncio.start_server(callback, self.host, 0) as server:
            self.port = server.sockets[0].getsockname()[1]
            self._ready.set()
            await self._stopping.wait()

    def client(self) -> imaplib.IMAP4:
        """A logged-in client, for putting mail in and looking at it."""
        client = imaplib.IMAP4(self.host, self.port, timeout=10)
        # imaplib sends a literal and its CRLF apart: with Nagle's algorithm each
        # APPEND or AUTHENTICATE waits ~40 ms for a delayed ACK.
        client.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self._client_tls:
            client.starttls(ssl_context=self._client_tls)
        secret = f"\0{self.username}\0{self.password}".encode()
        client.authenticate("PLAIN", lambda _: secret)
        return client

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        client = self.client()
        try:
            status, _ = client.append(folder, None, None, raw)
            assert status == "OK"
        finally:
            client.logout()

    def uids(self, folder: str = "INBOX") -> list[int]:
        client = self.client()
        try:
            client.select(folder, readonly=True)
            _, data = client.uid("SEARCH", None, "ALL")
            return [int(uid) for uid in data[0].split()]
        finally:
            client.logout()

    def flags(self, folder: str = "INBOX") -> list[bytes]:
        client = self.client()
        try:
            client.select(folder, readonly=True)
            _, data = client.fetch("1:*", "(FLAGS)")
            return [item for item in data if item]
        finally:
            client.logout()

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._stopping.set)
        self._thread.join(10)
        if self._failure:
            raise self._failure


class _BearerCredentials:
    """What a bearer-token login proved: the user, or None when the token was refused."""

    def __init__(self, user: str | None):
        self.user = user

    @property
    def authcid(self) -> str:
        return self.user or ""

    @property
    def authzid(self) -> str:
        return self.user or ""

    def verify(self, identity) -> bool:
        return self.user is not None


def _bearer_mechanism_class():
    from pysasl.mechanism import ServerChallenge, ServerMechanism

    class BearerMechanism(ServerMechanism):
        """XOAUTH2 or OAUTHBEARER on the server side (see the module's docstring)."""

        def __init__(self, name: str, tokens: BearerTokens):
            super().__init__(name)
            self.tokens = tokens

        def server_attempt(self, responses):
            name = self.name.decode()
            if not responses:
                raise ServerChallenge(b"")  # no initial response: ask for it
            checked = self.tokens.check(name, responses[0].response)
            if checked and checked[0] == self.tokens.user and checked[1] in self.tokens.valid:
                return _BearerCredentials(checked[0]), None
            if len(responses) == 1:
                raise ServerChallenge(json.dumps(OAUTH_ERROR).encode())
            self.tokens.error_answers.append((name, responses[1].response))
            return _BearerCredentials(None), None

    return BearerMechanism


def _BearerMechanism(name: str, tokens: BearerTokens):
    return _bearer_mechanism_class()(name, tokens)


class _Remote:
    """pymap's view of a connection, except that it never comes from localhost."""

    from_localhost = False

    def __init__(self, sock_info):
        self._sock_info = sock_info

    def __getattr__(self, name):
        return getattr(self._sock_info, name)

    def __str__(self) -> str:
        return str(self._sock_info)


@pytest.fixture
def imap_server():
    server = ImapServer()
    yield server
    server.stop()


@pytest.fixture
def imap_tls_server(certificate_authority):
    server = ImapServer(certificate_authority)
    yield server
    server.stop()


@pytest.fixture
def imap_remote_server(certificate_authority):
    """STARTTLS with the tests' CA, and LOGINDISABLED (no AUTH=) until it is used."""
    server = ImapServer(certificate_authority, as_remote=True)
    yield server
    server.stop()
