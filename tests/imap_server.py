"""A real IMAP server for tests: pymap's in-memory ("dict") backend on 127.0.0.1, on a
thread with its own event loop, with one user whose password is not ASCII and an empty
INBOX (no --demo-data). `imap_tls_server` also offers STARTTLS, with a certificate from
the tests' CA; pymap takes connections from localhost for secure ones, so it offers
AUTH=PLAIN before STARTTLS too. `imap_remote_server` treats every client as remote, as a
server reached over a network does: before STARTTLS it advertises LOGINDISABLED and no
AUTH=, so a test can show that a client refuses to log in in clear.

imaplib's LOGIN sends only ASCII (pymap itself takes UTF-8 there), so the helpers log in
with AUTHENTICATE PLAIN, as leadloop does when the server offers it."""

from __future__ import annotations

import asyncio
import imaplib
import socket
import ssl
import threading
from argparse import Namespace
from functools import cached_property

import pytest

IMAP_USER = "marketer@example.com"
IMAP_PASSWORD = "imap-Pässwort!"


class ImapServer:
    def __init__(self, certificate_authority=None, *, as_remote: bool = False):
        self.host, self.port = "127.0.0.1", None
        self.as_remote = as_remote
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
        from pymap.backend.dict import Config, Login
        from pymap.concurrent import Subsystem
        from pymap.imap import IMAPServer
        from pymap.user import Passwords, UserMetadata
        from pysasl.hashing import BuiltinHash

        class LocalConfig(Config):
            @property
            def greeting(self) -> bytes:
                return b"Server ready localhost"  # pymap's own asks DNS for our name

            @cached_property
            def tls_auth(self):  # pysasl scans every installed package's entry points
                return super().tls_auth  # for it, ~5 ms on each connection

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
        login = Login(config)
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
