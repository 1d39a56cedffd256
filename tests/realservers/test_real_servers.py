"""The login and TLS cases against the servers leadloop's users really have: Debian's
Postfix (submission with STARTTLS required and AUTH only after it; SASL by Dovecot) and
Dovecot IMAP (LOGINDISABLED before STARTTLS), with passwords and with OAuth2 tokens
(Dovecot's oauth2 passdb, asking servers.TokenEndpoint). leadloop runs as a separate
process: `check --connect`, `send`, `inbox` and `run-daily`.

Marked `realservers`; skipped, with the reason, where postfix and dovecot-imapd are not
installed (`sudo bash tests/realservers/setup.sh` installs them) or not run as root.
With LEADLOOP_REALSERVERS=required (as .ci/run sets after installing them) a missing
server fails instead of skipping, so the tier cannot vanish unnoticed."""

from __future__ import annotations

import imaplib
import json
import os
import re
import ssl
import time

import pytest
from cli_process import leadloop, one_sentence
from conftest import SmtpServer
from servers import IMAP_HOST, PASSWORD, SMTP_HOST, USER, RealServers, missing
from test_inbox import mail
from test_oauth import expected_sasl, runs, token_helper

pytestmark = pytest.mark.realservers

NOW = "2026-03-02T10:00"
FOLLOW_UPS_DUE = "2026-06-15T10:00"
LEADS = ("email,name,product,requested_at\n"
         "ana.pena@example.org,Ana Peña,Curso,01/03/2026\n"
         "tom@example.net,Tom Smith,Curso,01/03/2026\n")
ENV = {"LEADLOOP_IMAP_PASSWORD": PASSWORD, "LEADLOOP_SMTP_PASSWORD": PASSWORD}


@pytest.fixture(scope="session")
def real_servers(certificate_authority):
    reason = missing()
    if reason:
        if os.environ.get("LEADLOOP_REALSERVERS") == "required":
            pytest.fail(f"LEADLOOP_REALSERVERS=required, but {reason}")
        pytest.skip(reason)
    sink = SmtpServer()  # where Postfix relays what it accepted
    sink.controller.start()
    try:
        for attempt in (1, 2):
            # The ports are picked free, then bound by the servers a moment later: another
            # process of the machine may take one in between (Dovecot then exits 89, as
            # once in CI). A second set of ports, once, rather than a failed tier.
            servers = RealServers(certificate_authority, sink.port)
            servers.sink = sink
            try:
                servers.start()
                break
            except RuntimeError:
                servers.stop()
                if attempt == 2:
                    raise
        try:
            yield servers
        finally:
            servers.stop()
    finally:
        sink.controller.stop()


@pytest.fixture
def servers(real_servers):
    """The session's servers, with an empty INBOX and an empty sink."""
    real_servers.sink.clear()
    client = imap_client(real_servers)
    try:
        _, count = client.select("INBOX")
        if int(count[0]):  # Dovecot refuses 1:* in an empty folder
            client.store("1:*", "+FLAGS.SILENT", r"(\Deleted)")
            client.expunge()
    finally:
        client.logout()
    return real_servers


def imap_client(servers: RealServers) -> imaplib.IMAP4:
    client = imaplib.IMAP4(IMAP_HOST, servers.imap_port, timeout=10)
    client.starttls(ssl_context=ssl.create_default_context(cafile=str(servers.ca_file)))
    secret = f"\0{USER}\0{PASSWORD}".encode()
    client.authenticate("PLAIN", lambda _: secret)
    return client


def append(servers: RealServers, raw: bytes) -> None:
    client = imap_client(servers)
    try:
        status, _ = client.append("INBOX", None, None, raw)
        assert status == "OK"
    finally:
        client.logout()


def configure(tmp_path, servers: RealServers, *, inbox: tuple[str, int] | None = None,
              smtp: tuple[str, int] | None = None, login: str = "") -> None:
    """`login`: extra lines for both sections (auth, token_command)."""
    text = '[sender]\nname = "Laura Vidal"\naddress = "laura@lauravidal.es"\n'
    if smtp:
        security, port = smtp
        text += (f'\n[smtp]\nhost = "{SMTP_HOST}"\nport = {port}\nsecurity = "{security}"\n'
                 f'username = "{USER}"\ntimeout = 10\nca_file = "{servers.ca_file}"\n{login}')
    if inbox:
        security, port = inbox
        text += (f'\n[inbox]\nhost = "{IMAP_HOST}"\nport = {port}\nsecurity = "{security}"\n'
                 f'username = "{USER}"\ntimeout = 10\nca_file = "{servers.ca_file}"\n{login}')
    (tmp_path / "leadloop.toml").write_text(text, encoding="utf-8")
    (tmp_path / "leads.csv").write_text(LEADS, encoding="utf-8")
    assert leadloop("import", "leads.csv", cwd=tmp_path).returncode == 0


def cli(tmp_path, *args, env=None):
    return leadloop(*args, env={**ENV, **(env or {})}, cwd=tmp_path)


def relayed(servers: RealServers, count: int) -> list:
    """Wait (at most 60 s) until Postfix has relayed `count` messages to the sink."""
    deadline = time.monotonic() + 60
    while servers.sink.count < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return servers.sink.messages


def due(tmp_path, now=NOW) -> int:
    return len(json.loads(cli(tmp_path, "--now", now, "due", "--json").stdout))


def status(tmp_path, address: str) -> str:
    return json.loads(cli(tmp_path, "show", address, "--json").stdout)["status"]


# ---- Dovecot --------------------------------------------------------------------------------


def test_dovecot_advertises_logindisabled_and_never_gets_the_password(tmp_path, servers):
    configure(tmp_path, servers, inbox=("none", servers.imap_port))
    for command in (["inbox"], ["check", "--connect", "--no-dns"]):
        result = cli(tmp_path, *command)
        assert result.returncode == 1
        sentence = one_sentence(result)
        assert "requires TLS for login, so leadloop did not send the password" in sentence
        assert 'security = "starttls"' in sentence
    # Dovecot's own account of both connections (its log process writes a moment later):
    # closed with no login even tried.
    deadline = time.monotonic() + 10
    while True:
        closed = [line for line in servers.dovecot_log().splitlines()
                  if "imap-login:" in line and "Disconnected" in line and "user=<>" in line]
        if len(closed) >= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert len(closed) >= 2 and all("no auth attempts" in line for line in closed[-2:]), closed


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_dovecot_login_with_tls_reads_a_reply(tmp_path, servers, security):
    port = servers.imap_port if security == "starttls" else servers.imaps_port
    configure(tmp_path, servers, inbox=(security, port))
    checked = cli(tmp_path, "check", "--connect", "--no-dns")
    assert checked.returncode == 0, checked.stderr
    assert f"inbox: logged in to {IMAP_HOST}:{port}, folder ok" in checked.stdout
    append(servers, mail("ana.pena@example.org", "Re: Curso", "¿Cuánto cuesta?").as_bytes())
    result = cli(tmp_path, "--now", NOW, "inbox", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["replies"] == 1
    assert status(tmp_path, "ana.pena@example.org") == "replied"


# ---- Postfix --------------------------------------------------------------------------------


def test_postfix_submission_without_starttls_never_gets_the_password(tmp_path, servers):
    configure(tmp_path, servers, smtp=("none", servers.submission_port))
    for command in (["--now", NOW, "send", "--yes"], ["check", "--connect", "--no-dns"]):
        result = cli(tmp_path, *command)
        assert result.returncode == 1
        sentence = one_sentence(result)
        assert "requires TLS for login (it offers no AUTH before STARTTLS)" in sentence
        assert 'security = "starttls"' in sentence and sentence.endswith("nothing was sent")
        assert "login method" not in sentence
    assert due(tmp_path) == 2 and servers.sink.count == 0
    assert "sasl_username" not in servers.postfix_log()


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_postfix_login_with_tls_sends(tmp_path, servers, security):
    port = servers.submission_port if security == "starttls" else servers.submissions_port
    configure(tmp_path, servers, smtp=(security, port))
    checked = cli(tmp_path, "check", "--connect", "--no-dns")
    assert checked.returncode == 0, checked.stderr
    assert f"smtp: logged in to {SMTP_HOST}:{port}" in checked.stdout
    result = cli(tmp_path, "--now", NOW, "send", "--yes")
    assert result.returncode == 0, result.stderr
    assert "2 sent" in result.stdout
    messages = relayed(servers, 2)
    assert sorted(m.rcpt_tos[0] for m in messages) == ["ana.pena@example.org", "tom@example.net"]
    assert all(m.message["From"].addresses[0].addr_spec == "laura@lauravidal.es" for m in messages)
    assert f"sasl_method=PLAIN, sasl_username={USER}" in servers.postfix_log()
    assert due(tmp_path) == 0
    # Postfix offers PIPELINING (RFC 2920), so these went with MAIL and RCPT in one
    # write (transport.py), and Postfix found nothing improper in how.
    assert offers_pipelining(servers)
    assert "improper command pipelining" not in servers.postfix_log()


def offers_pipelining(servers: RealServers) -> bool:
    import smtplib

    with smtplib.SMTP(SMTP_HOST, servers.submission_port, timeout=10) as client:
        client.starttls(context=ssl.create_default_context(cafile=str(servers.ca_file)))
        client.ehlo()
        return client.has_extn("pipelining")


def test_run_daily_reads_dovecot_then_sends_through_postfix(tmp_path, servers):
    configure(tmp_path, servers, inbox=("starttls", servers.imap_port),
              smtp=("starttls", servers.submission_port))
    first = cli(tmp_path, "--now", NOW, "run-daily")
    assert first.returncode == 0, first.stderr
    assert "2 sent" in first.stdout and len(relayed(servers, 2)) == 2
    append(servers, mail("ana.pena@example.org", "Re: Curso", "Ya me inscribí, gracias.").as_bytes())
    later = cli(tmp_path, "--now", FOLLOW_UPS_DUE, "run-daily")
    assert later.returncode == 0, later.stderr
    assert "inbox: 1 reply," in later.stdout and "1 sent" in later.stdout
    messages = relayed(servers, 3)
    assert [m.rcpt_tos[0] for m in messages].count("ana.pena@example.org") == 1
    assert [m.rcpt_tos[0] for m in messages].count("tom@example.net") == 2


# ---- OAuth2: Dovecot's oauth2 passdb asks the test's token endpoint ----------------------------


@pytest.mark.parametrize("auth", ["xoauth2", "oauthbearer"])
def test_oauth_login_to_dovecot_and_postfix_reads_and_sends(tmp_path, servers, auth):
    # A Microsoft-sized token: after the 334 for Postfix; on the AUTHENTICATE line for
    # Dovecot, which offers SASL-IR (RFC 4959).
    token = f"{auth}-" + "Ab3_-.~+/" * 180 + "=="
    servers.tokens.valid.add(token)
    login = f'auth = "{auth}"\ntoken_command = {json.dumps(token_helper(tmp_path, token))}\n'
    configure(tmp_path, servers, inbox=("starttls", servers.imap_port),
              smtp=("starttls", servers.submission_port), login=login)
    checked = cli(tmp_path, "check", "--connect", "--no-dns", env={"LEADLOOP_IMAP_PASSWORD": "",
                                                        "LEADLOOP_SMTP_PASSWORD": ""})
    assert checked.returncode == 0, checked.stderr
    assert f"with {auth.upper()}" in checked.stdout and runs(tmp_path) == 2
    # Dovecot checked the token with the endpoint: it was exactly what the program printed.
    assert servers.tokens.asked.count(token) == 2
    append(servers, mail("ana.pena@example.org", "Re: Curso", "¿Cuánto cuesta?").as_bytes())
    result = cli(tmp_path, "--now", NOW, "run-daily", env={"LEADLOOP_IMAP_PASSWORD": "",
                                                           "LEADLOOP_SMTP_PASSWORD": ""})
    assert result.returncode == 0, result.stderr
    assert "inbox: 1 reply," in result.stdout and "1 sent" in result.stdout
    assert [m.rcpt_tos[0] for m in relayed(servers, 1)] == ["tom@example.net"]
    assert f"sasl_method={auth.upper()}, sasl_username={USER}" in servers.postfix_log()
    assert token not in result.stdout + result.stderr + checked.stdout + checked.stderr


def test_oauth_sasl_strings_are_what_dovecot_parses(tmp_path, servers):
    # The same strings the pymap and aiosmtpd tests check byte for byte; here Dovecot's
    # own parser (mech-oauth2.c) takes them.
    token = "exact-token-" + "x" * 40
    servers.tokens.valid.add(token)
    for auth in ("xoauth2", "oauthbearer"):
        sasl = expected_sasl(auth, USER, token, IMAP_HOST, servers.imap_port)
        client = imaplib.IMAP4(IMAP_HOST, servers.imap_port, timeout=10)
        try:
            client.starttls(ssl_context=ssl.create_default_context(cafile=str(servers.ca_file)))
            # leadloop sends its token on the AUTHENTICATE line where this is offered.
            assert "SASL-IR" in client.capabilities
            status_, _ = client.authenticate(auth.upper(), lambda _, sasl=sasl: sasl)
            assert status_ == "OK"
        finally:
            client.logout()


# ---- wrong passwords and tokens, last: Dovecot then delays every login from 127.0.0.1 for a few
# seconds (its auth penalty, which no setting turns off), Postfix's SASL included --------


def test_dovecot_refuses_a_wrong_password_and_the_sentence_says_so(tmp_path, servers):
    configure(tmp_path, servers, inbox=("starttls", servers.imap_port))
    result = cli(tmp_path, "inbox", env={"LEADLOOP_IMAP_PASSWORD": "not-the-password"})
    assert result.returncode == 1
    sentence = one_sentence(result)
    assert f"refused the login of {USER}" in sentence and "AUTHENTICATIONFAILED" in sentence
    assert "LEADLOOP_IMAP_PASSWORD" in sentence and "not-the-password" not in sentence


def test_postfix_refuses_a_wrong_password_and_nothing_is_sent(tmp_path, servers):
    configure(tmp_path, servers, smtp=("starttls", servers.submission_port))
    result = cli(tmp_path, "--now", NOW, "send", "--yes", env={"LEADLOOP_SMTP_PASSWORD": "nope"})
    assert result.returncode == 1
    sentence = one_sentence(result)
    assert re.search(rf"refused the login of {re.escape(USER)} \(535 5\.7\.8 ", sentence), sentence
    assert sentence.endswith("nothing was sent") and "nope" not in sentence
    assert due(tmp_path) == 2 and servers.sink.count == 0


@pytest.mark.parametrize("auth", ["xoauth2", "oauthbearer"])
def test_dovecot_and_postfix_refuse_an_unknown_token_with_their_json_error(tmp_path, servers, auth):
    token = f"revoked-{auth}-token"
    login = f'auth = "{auth}"\ntoken_command = {json.dumps(token_helper(tmp_path, token))}\n'
    configure(tmp_path, servers, inbox=("starttls", servers.imap_port),
              smtp=("starttls", servers.submission_port), login=login)
    imap = cli(tmp_path, "inbox")
    assert imap.returncode == 1
    sentence = one_sentence(imap)
    assert f"refused the OAuth2 token of {USER}" in sentence and "token_command" in sentence
    smtp = cli(tmp_path, "--now", NOW, "send", "--yes")
    assert smtp.returncode == 1
    sentence = one_sentence(smtp)
    assert f"refused the OAuth2 token of {USER} (535" in sentence and sentence.endswith("nothing was sent")
    assert due(tmp_path) == 2 and servers.sink.count == 0
    # Dovecot refuses with its JSON error challenge (XOAUTH2: status 401, scope mail;
    # OAUTHBEARER: status invalid_token); leadloop answered it, or no final reply came.
    expected = "OAuth2 error status 401, scope mail" if auth == "xoauth2" else "OAuth2 error status invalid_token"
    assert expected in one_sentence(imap) and expected in sentence
    assert token not in imap.stderr + smtp.stderr
