"""The IMAP test server itself (tests/imap_server.py), seen through Python's imaplib."""

from __future__ import annotations

import imaplib
import re
import ssl

import pytest


def plain(username: str, password: str):
    """AUTHENTICATE PLAIN: UTF-8, where imaplib's LOGIN takes only ASCII."""
    return lambda _challenge: f"\0{username}\0{password}".encode()


def test_the_right_non_ascii_password_logs_in(imap_server):
    client = imaplib.IMAP4(imap_server.host, imap_server.port)
    status, _ = client.authenticate("PLAIN", plain(imap_server.username, "imap-Pässwort!"))
    assert status == "OK"
    assert client.select("INBOX") == ("OK", [b"0"])  # no demo data
    client.logout()


def test_a_wrong_password_is_refused(imap_server):
    client = imaplib.IMAP4(imap_server.host, imap_server.port)
    with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
        client.authenticate("PLAIN", plain(imap_server.username, "imap-Passwort!"))
    with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
        client.login(imap_server.username, "wrong")
    client.logout()


def test_appended_messages_come_back_byte_for_byte_with_their_uids(imap_server):
    messages = [
        (b"From: Ana <ana@example.org>\r\nSubject: =?utf-8?q?Re=3A_Informaci=C3=B3n?=\r\n\r\n"
         b"S\xc3\xad, gracias.\r\n"),
        b"From: tom@example.net\r\nSubject: Out of office\r\n\r\nAway.\r\n",
    ]
    for raw in messages:
        imap_server.append(raw)
    client = imap_server.client()
    assert client.select("INBOX", readonly=True) == ("OK", [b"2"])
    uidvalidity = int(client.response("UIDVALIDITY")[1][0])
    status, data = client.uid("FETCH", "1:*", "(UID RFC822)")
    assert status == "OK"
    fetched = [(int(re.search(rb"UID (\d+)", meta)[1]), body) for meta, body in data[::2]]
    assert [body for _, body in fetched] == messages
    uids = [uid for uid, _ in fetched]
    assert uids[0] < uids[1] and imap_server.uids() == uids
    assert uidvalidity > 0
    client.logout()


def test_starttls_with_the_test_ca(imap_tls_server, ca_file):
    client = imaplib.IMAP4(imap_tls_server.host, imap_tls_server.port)
    assert "STARTTLS" in client.capabilities
    client.starttls(ssl_context=ssl.create_default_context(cafile=str(ca_file)))
    assert isinstance(client.sock, ssl.SSLSocket)
    client.authenticate("PLAIN", plain(imap_tls_server.username, imap_tls_server.password))
    imap_tls_server.append(b"Subject: over TLS\r\n\r\nHi.\r\n")
    assert client.select("INBOX") == ("OK", [b"1"])
    client.logout()
