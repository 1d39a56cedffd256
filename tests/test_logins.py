"""Logging in to servers that take passwords only over TLS (issue #16, "Logins").

With `security = "none"` leadloop may log in without TLS, but only where the server lets
it: an IMAP server that advertises LOGINDISABLED never gets a LOGIN (RFC 3501 §6.2.3,
§7.2.1), and an SMTP server that announces AUTH only after STARTTLS never gets a password
either. In both cases the one sentence says the server requires TLS and which `security`
to set, instead of blaming the password or the login methods. Real servers on 127.0.0.1
(pymap, aiosmtpd) behind a relay that records every byte leadloop sent; leadloop runs as
a separate process."""

from __future__ import annotations

import json
import socket
import threading

import pytest
from cli_process import leadloop, one_sentence
from conftest import SMTP_PASSWORD, SMTP_USER, SmtpServer, _server_context
from fault_proxy import FaultProxy
from imap_server import IMAP_PASSWORD

NOW = "2026-03-02T10:00"
# ASCII on purpose: imaplib refuses to send a non-ASCII LOGIN at all, which would hide a
# client that sends LOGIN in clear.
CLEAR_PASSWORD = "plain-ascii-Secret-42"
IMAP_USER = "marketer@example.com"


def write_config(tmp_path, *, smtp: str = "", inbox: str = "") -> None:
    text = '[sender]\nname = "Laura Vidal"\naddress = "laura@lauravidal.es"\n'
    if smtp:
        text += f"\n[smtp]\n{smtp}"
    if inbox:
        text += f"\n[inbox]\n{inbox}"
    (tmp_path / "leadloop.toml").write_text(text, encoding="utf-8")
    (tmp_path / "leads.csv").write_text(
        "email,name,product,requested_at\n"
        "ana.pena@example.org,Ana Peña,Curso,01/03/2026\n"
        "tom@example.net,Tom Smith,Curso,01/03/2026\n", encoding="utf-8")


def imap_config(server, security: str, extra: str = "") -> str:
    return (f'host = "{server.host}"\nport = {server.port}\nsecurity = "{security}"\n'
            f'username = "{IMAP_USER}"\ntimeout = 5\n{extra}')


def smtp_config(server, security: str, extra: str = "") -> str:
    return (f'host = "{server.host}"\nport = {server.port}\nsecurity = "{security}"\n'
            f'username = "{SMTP_USER}"\ntimeout = 5\n{extra}')



def due(tmp_path) -> list:
    result = leadloop("--now", NOW, "due", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def outbox_count(tmp_path) -> int:
    new = tmp_path / "outbox" / "new"
    return len(list(new.iterdir())) if new.is_dir() else 0


@pytest.fixture
def recorded_remote_imap(imap_remote_server):
    """pymap as a server reached over a network (LOGINDISABLED before STARTTLS), behind a
    relay that keeps every byte the client sends."""
    relay = FaultProxy(imap_remote_server.host, imap_remote_server.port)
    yield relay
    relay.stop()


# ---- IMAP ---------------------------------------------------------------------------------


def test_imap_logindisabled_gets_no_login_and_one_sentence_naming_starttls(tmp_path, recorded_remote_imap):
    write_config(tmp_path, inbox=imap_config(recorded_remote_imap, "none"))
    env = {"LEADLOOP_IMAP_PASSWORD": CLEAR_PASSWORD}
    for command in (["inbox"], ["check", "--connect", "--no-dns"]):
        result = leadloop(*command, env=env, cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        sentence = one_sentence(result)
        assert "requires TLS for login" in sentence
        assert 'security = "starttls"' in sentence
        assert "did not send the password" in sentence
        assert "LEADLOOP_IMAP_PASSWORD" not in sentence  # the password is not what is wrong
    assert recorded_remote_imap.client_bytes  # leadloop did talk to the server ...
    assert not recorded_remote_imap.sent(CLEAR_PASSWORD)  # ... but never sent the password
    assert not recorded_remote_imap.sent(b" LOGIN ")
    assert not recorded_remote_imap.sent(b" AUTHENTICATE ")


def test_run_daily_stops_before_sending_when_the_inbox_needs_tls(tmp_path, recorded_remote_imap):
    write_config(tmp_path, inbox=imap_config(recorded_remote_imap, "none"))
    assert leadloop("import", "leads.csv", cwd=tmp_path).returncode == 0
    result = leadloop("--now", NOW, "run-daily", env={"LEADLOOP_IMAP_PASSWORD": CLEAR_PASSWORD},
                      cwd=tmp_path)
    assert result.returncode == 1
    sentence = one_sentence(result)
    assert "requires TLS for login" in sentence and sentence.endswith("nothing was sent")
    assert outbox_count(tmp_path) == 0 and len(due(tmp_path)) == 2
    assert not recorded_remote_imap.sent(CLEAR_PASSWORD)


def test_the_setting_the_sentence_names_works(tmp_path, imap_remote_server, ca_file):
    write_config(tmp_path, inbox=imap_config(imap_remote_server, "starttls", f'ca_file = "{ca_file}"\n'))
    result = leadloop("check", "--connect", "--no-dns", env={"LEADLOOP_IMAP_PASSWORD": IMAP_PASSWORD}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"inbox: logged in to 127.0.0.1:{imap_remote_server.port}" in result.stdout


class ScriptedImap:
    """Just enough IMAP for a login: a greeting with the given capabilities, then `answer`
    to LOGIN or AUTHENTICATE. For servers pymap cannot play (one that offers LOGIN and
    then refuses it for want of TLS, as RFC 5530's PRIVACYREQUIRED says)."""

    def __init__(self, capabilities: str, answer: str):
        self.capabilities, self.answer = capabilities, answer
        self.received = bytearray()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.host, self.port = "127.0.0.1", self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with conn, conn.makefile("rb") as lines:
                conn.sendall(f"* OK [CAPABILITY {self.capabilities}] ready\r\n".encode())
                for line in lines:
                    self.received += line
                    tag, _, command = line.decode("ascii", "replace").partition(" ")
                    verb = command.split(" ", 1)[0].upper().strip()
                    if verb == "CAPABILITY":
                        conn.sendall(f"* CAPABILITY {self.capabilities}\r\n{tag} OK done\r\n".encode())
                    elif verb in ("LOGIN", "AUTHENTICATE"):
                        conn.sendall(f"{tag} {self.answer}\r\n".encode())
                    elif verb == "LOGOUT":
                        conn.sendall(f"* BYE\r\n{tag} OK bye\r\n".encode())
                        break
                    else:
                        conn.sendall(f"{tag} BAD not here\r\n".encode())

    def stop(self) -> None:
        self._listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        self._listener.close()
        self._thread.join(5)


@pytest.mark.parametrize("capabilities, expected", [
    ("IMAP4rev1 STARTTLS", 'security = "starttls"'),
    ("IMAP4rev1", 'security = "ssl"'),
])
def test_imap_privacyrequired_after_login_points_to_tls(tmp_path, capabilities, expected):
    server = ScriptedImap(capabilities, "NO [PRIVACYREQUIRED] Plaintext authentication disallowed")
    try:
        write_config(tmp_path, inbox=imap_config(server, "none"))
        result = leadloop("inbox", env={"LEADLOOP_IMAP_PASSWORD": CLEAR_PASSWORD}, cwd=tmp_path)
    finally:
        server.stop()
    assert result.returncode == 1
    sentence = one_sentence(result)
    assert "requires TLS for login, it refused a login without it" in sentence and expected in sentence
    assert "check the username" not in sentence


def test_imap_logindisabled_without_starttls_points_to_implicit_tls(tmp_path):
    server = ScriptedImap("IMAP4rev1 LOGINDISABLED AUTH=XOAUTH2", "NO never")
    try:
        write_config(tmp_path, inbox=imap_config(server, "none"))
        result = leadloop("inbox", env={"LEADLOOP_IMAP_PASSWORD": CLEAR_PASSWORD}, cwd=tmp_path)
    finally:
        server.stop()
    assert result.returncode == 1
    sentence = one_sentence(result)
    # No STARTTLS here: the way to TLS is implicit TLS on its own port.
    assert 'security = "ssl"' in sentence and "993" in sentence
    assert CLEAR_PASSWORD.encode() not in server.received and b"LOGIN" not in server.received


def test_imap_wrong_password_quotes_the_server_and_names_the_variable(tmp_path, imap_tls_server, ca_file):
    write_config(tmp_path, inbox=imap_config(imap_tls_server, "starttls", f'ca_file = "{ca_file}"\n'))
    result = leadloop("inbox", env={"LEADLOOP_IMAP_PASSWORD": "wrong-one"}, cwd=tmp_path)
    assert result.returncode == 1
    sentence = one_sentence(result)
    assert "refused the login of marketer@example.com" in sentence
    assert "LEADLOOP_IMAP_PASSWORD" in sentence and "wrong-one" not in sentence


def test_imap_ssl_against_a_plain_text_port_points_to_starttls(tmp_path, imap_tls_server, ca_file):
    write_config(tmp_path, inbox=imap_config(imap_tls_server, "ssl", f'ca_file = "{ca_file}"\n'))
    result = leadloop("inbox", env={"LEADLOOP_IMAP_PASSWORD": IMAP_PASSWORD}, cwd=tmp_path)
    assert result.returncode == 1
    assert 'security = "starttls"' in one_sentence(result)


# ---- SMTP ---------------------------------------------------------------------------------


def test_smtp_without_auth_before_starttls_gets_no_password_and_is_told_starttls(tmp_path, smtp_tls_server):
    # Postfix's submission service with smtpd_tls_auth_only: AUTH appears only after STARTTLS.
    write_config(tmp_path, smtp=smtp_config(smtp_tls_server, "none"))
    assert leadloop("import", "leads.csv", cwd=tmp_path).returncode == 0
    env = {"LEADLOOP_SMTP_PASSWORD": SMTP_PASSWORD}
    for command in (["--now", NOW, "send", "--yes"], ["check", "--connect", "--no-dns"]):
        result = leadloop(*command, env=env, cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        sentence = one_sentence(result)
        assert "requires TLS for login" in sentence and "did not send the password" in sentence
        assert 'security = "starttls"' in sentence
        assert "login method" not in sentence
    assert smtp_tls_server.auth_attempts == [] and smtp_tls_server.count == 0
    assert len(due(tmp_path)) == 2


def test_smtp_530_to_auth_in_clear_points_to_starttls(tmp_path, certificate_authority):
    # AUTH is announced in clear, then answered "530 Must issue a STARTTLS command first".
    server = SmtpServer(tls_context=_server_context(certificate_authority), auth=True,
                        auth_require_tls=False)
    server.controller.start()
    try:
        write_config(tmp_path, smtp=smtp_config(server, "none"))
        assert leadloop("import", "leads.csv", cwd=tmp_path).returncode == 0
        result = leadloop("--now", NOW, "send", "--yes", env={"LEADLOOP_SMTP_PASSWORD": SMTP_PASSWORD},
                          cwd=tmp_path)
    finally:
        server.controller.stop()
    assert result.returncode == 1
    sentence = one_sentence(result)
    assert "requires TLS for login (530" in sentence and 'security = "starttls"' in sentence
    assert "refused the login" not in sentence and sentence.endswith("nothing was sent")
    assert server.count == 0 and len(due(tmp_path)) == 2


def test_smtp_without_auth_or_starttls_says_no_login_is_offered(tmp_path, smtp_server):
    write_config(tmp_path, smtp=smtp_config(smtp_server, "none"))
    result = leadloop("check", "--connect", "--no-dns", env={"LEADLOOP_SMTP_PASSWORD": SMTP_PASSWORD}, cwd=tmp_path)
    assert result.returncode == 1
    sentence = one_sentence(result)
    assert "offers no login" in sentence and "leave username empty" in sentence


def test_smtp_ssl_against_a_starttls_port_points_to_starttls(tmp_path, smtp_tls_server, ca_file):
    write_config(tmp_path, smtp=smtp_config(smtp_tls_server, "ssl", f'ca_file = "{ca_file}"\n'))
    result = leadloop("check", "--connect", "--no-dns", env={"LEADLOOP_SMTP_PASSWORD": SMTP_PASSWORD}, cwd=tmp_path)
    assert result.returncode == 1
    assert 'security = "starttls"' in one_sentence(result)


def test_smtp_starttls_against_an_implicit_tls_port_ends_at_the_timeout_and_points_to_ssl(
        tmp_path, smtp_ssl_server, ca_file):
    # The port waits for a TLS handshake, leadloop for a greeting: only the timeout ends it.
    write_config(tmp_path, smtp=smtp_config(smtp_ssl_server, "starttls", f'ca_file = "{ca_file}"\n')
                 .replace("timeout = 5", "timeout = 1"))
    result = leadloop("check", "--connect", "--no-dns", env={"LEADLOOP_SMTP_PASSWORD": SMTP_PASSWORD}, cwd=tmp_path)
    assert result.returncode == 1
    sentence = one_sentence(result)
    assert "did not answer within 1 s" in sentence and 'security = "ssl"' in sentence
    assert smtp_ssl_server.auth_attempts == []


def test_smtp_wrong_password_still_blames_the_password(tmp_path, smtp_tls_server, ca_file):
    write_config(tmp_path, smtp=smtp_config(smtp_tls_server, "starttls", f'ca_file = "{ca_file}"\n'))
    result = leadloop("check", "--connect", "--no-dns", env={"LEADLOOP_SMTP_PASSWORD": "wrong"}, cwd=tmp_path)
    assert result.returncode == 1
    sentence = one_sentence(result)
    assert "refused the login of leadloop" in sentence and "TLS" not in sentence
