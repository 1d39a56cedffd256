"""A real IMAP server for tests: pymap's in-memory backend on 127.0.0.1, in its own
process, with one user whose password is not ASCII. `imap_tls_server` offers STARTTLS
with a certificate from the tests' CA and refuses to log in before it."""

from __future__ import annotations

import imaplib
import os
import socket
import subprocess
import sys
import time

import pytest

IMAP_USER = "marketer@example.com"
IMAP_PASSWORD = "imap-Pässwort!"


class ImapServer:
    def __init__(self, cert_file=None):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.host = "127.0.0.1"
        self.username, self.password = IMAP_USER, IMAP_PASSWORD
        tls = ["--cert", str(cert_file), "--key", str(cert_file)] if cert_file else ["--no-tls"]
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from pymap.main import main; main()", "--host", self.host, "--port", str(self.port), *tls,
             "dict", "--demo-user", IMAP_USER, "--demo-password", IMAP_PASSWORD],
            # FQDN: pymap would otherwise ask DNS for the host name of its greeting.
            env={**os.environ, "FQDN": "localhost"},
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        self._wait_until_listening()

    def _wait_until_listening(self) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"pymap exited: {self.process.stderr.read().decode()[-500:]}")
            try:
                with socket.create_connection((self.host, self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("pymap did not start")

    def client(self) -> imaplib.IMAP4:
        """A logged-in client (plain servers only), for putting mail in and looking at it."""
        client = imaplib.IMAP4(self.host, self.port)
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
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process.stderr.close()


@pytest.fixture
def imap_server():
    server = ImapServer()
    yield server
    server.stop()


@pytest.fixture
def imap_tls_server(certificate_authority, tmp_path_factory):
    cert = tmp_path_factory.mktemp("imap-cert") / "server.pem"
    certificate_authority.issue_cert("127.0.0.1", "localhost").private_key_and_cert_chain_pem.write_to_path(str(cert))
    server = ImapServer(cert_file=cert)
    yield server
    server.stop()
