"""Logging in with OAuth2 access tokens, XOAUTH2 and OAUTHBEARER (SPEC §6 "Login", issue #19).

Against real servers on 127.0.0.1: aiosmtpd with STARTTLS and AUTH hooks for both
mechanisms (aiosmtpd's `auth_<MECHANISM>` methods on the handler), and pymap with the
same mechanisms (imap_server.BearerTokens). Each server checks the token against the ones
the test issued, as a provider does, keeps the exact SASL strings it was sent, and refuses
a bad token the providers' way: a challenge holding a JSON error, then the failure. The
token comes from a real program run by `token_command`, which counts its runs."""

from __future__ import annotations

import base64
import json
import shlex
import sys

import pytest
from conftest import RecordingHandler, SmtpServer, _server_context
from imap_server import IMAP_USER, OAUTH_ERROR, BearerTokens, ImapServer

NOW = "2026-03-02T10:00"
SMTP_USER = "laura@lauravidal.es"
# Google's tokens are a few hundred bytes (ya29.…); Microsoft's run to two kilobytes, too
# long for the AUTH line (RFC 4954 §4), so they go after a 334.
SHORT_TOKEN = "ya29.a0AfB_byC-test-Token_0123456789abcdefghijklmnopqrstuvwxyz"
LONG_TOKEN = "EwBIBOl3BAAUcDnR9grBJokeAHaUV8R3+rVHX+0" + "A1b2C3d4E5f6G7h8I9j0" * 80 + "=="
GOOGLE_535 = ("535-5.7.8 Username and Password not accepted. For more information, go to\r\n"
              "535 5.7.8  https://support.google.com/mail/?p=BadCredentials")


class OAuthSmtpHandler(RecordingHandler):
    """aiosmtpd's custom AUTH hooks for XOAUTH2 and OAUTHBEARER, with Gmail's answers.

    `forms` says how each login arrived: "initial" (the response on the AUTH line) or
    "334" (AUTH alone, the response after an empty 334). `password_refusal` answers
    every PLAIN/LOGIN with that reply, as a provider that turned passwords off does.
    `drop_once_after`: once that many messages were accepted, the next MAIL closes the
    connection (once), so the client has to connect and log in again."""

    def __init__(self, tokens: BearerTokens, password_refusal: str | None = None):
        super().__init__()
        self.tokens = tokens
        self.forms: list[str] = []
        self.password_refusal = password_refusal
        self.drop_once_after: int | None = None

    async def auth_XOAUTH2(self, server, args):
        return await self._bearer(server, args, "XOAUTH2")

    async def auth_OAUTHBEARER(self, server, args):
        return await self._bearer(server, args, "OAUTHBEARER")

    async def _bearer(self, server, args, mechanism):
        from aiosmtpd.smtp import MISSING, AuthResult

        if len(args) == 1:
            self.forms.append("334")
            response = await server.challenge_auth("", encode_to_b64=False)
            if response is MISSING:
                return AuthResult(success=False, handled=True)
        else:
            self.forms.append("initial")
            response = base64.b64decode(args[1], validate=True)
        checked = self.tokens.check(mechanism, response)
        if checked and checked[0] == self.tokens.user and checked[1] in self.tokens.valid:
            self.auth_attempts.append((mechanism, True))
            return AuthResult(success=True, auth_data=checked[0])
        self.auth_attempts.append((mechanism, False))
        answer = await server.challenge_auth(json.dumps(OAUTH_ERROR))
        if answer is MISSING:
            return AuthResult(success=False, handled=True)
        self.tokens.error_answers.append((mechanism, answer))
        return AuthResult(success=False, handled=False, message=GOOGLE_535)

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        if self.password_refusal:
            from aiosmtpd.smtp import AuthResult

            self.auth_attempts.append((mechanism, False))
            return AuthResult(success=False, handled=False, message=self.password_refusal)
        return super().authenticate(server, session, envelope, mechanism, auth_data)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.drop_once_after is not None and len(self.messages) >= self.drop_once_after:
            self.drop_once_after = None
            server.transport.close()
            return "421 closing"
        return await super().handle_MAIL(server, session, envelope, address, mail_options)


def start_smtp(certificate_authority, tokens: BearerTokens, **kwargs) -> SmtpServer:
    from aiosmtpd.smtp import SMTP

    class ProviderSMTP(SMTP):
        # aiosmtpd reads at most 1001 bytes a line; the providers take the response line
        # of a two-kilobyte token after the 334 (Microsoft documents that form).
        line_length_limit = 16384

    server = SmtpServer(tls_context=_server_context(certificate_authority), auth=True,
                        handler=OAuthSmtpHandler(tokens, **kwargs))
    controller = server.controller
    controller.factory = lambda: ProviderSMTP(controller.handler, **controller.SMTP_kwargs)
    controller.start()
    return server


@pytest.fixture
def smtp_tokens():
    return BearerTokens(SHORT_TOKEN, LONG_TOKEN, "token-1", "token-2", user=SMTP_USER)


@pytest.fixture
def smtp_oauth(certificate_authority, smtp_tokens):
    server = start_smtp(certificate_authority, smtp_tokens)
    yield server
    server.controller.stop()


@pytest.fixture
def imap_tokens():
    return BearerTokens(SHORT_TOKEN, LONG_TOKEN, user=IMAP_USER)


@pytest.fixture
def imap_oauth(certificate_authority, imap_tokens):
    server = ImapServer(certificate_authority, oauth=imap_tokens)
    yield server
    server.stop()


# ---- helpers -----------------------------------------------------------------------------


def token_helper(tmp_path, *outputs: str, exit_code: int = 0, stderr: str = "") -> str:
    """A real token program: prints outputs[n] on its n-th run (the last one after that),
    writes `stderr` to stderr, exits with `exit_code`; `runs` counts its runs."""
    script = tmp_path / "helper" / "token.py"
    script.parent.mkdir(exist_ok=True)
    script.write_text(
        "import pathlib, sys\n"
        f"runs = pathlib.Path({str(tmp_path / 'helper' / 'runs')!r})\n"
        "n = int(runs.read_text()) if runs.exists() else 0\n"
        "runs.write_text(str(n + 1))\n"
        f"outputs = {list(outputs)!r}\n"
        "sys.stdout.write(outputs[min(n, len(outputs) - 1)] if outputs else '')\n"
        f"sys.stderr.write({stderr!r})\n"
        f"sys.exit({exit_code})\n", encoding="utf-8")
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"


def runs(tmp_path) -> int:
    path = tmp_path / "helper" / "runs"
    return int(path.read_text()) if path.exists() else 0


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


def smtp_config(server, ca_file, command: str, auth: str = "xoauth2", security: str = "starttls") -> str:
    return (f'host = "{server.host}"\nport = {server.port}\nsecurity = "{security}"\n'
            f'username = "{SMTP_USER}"\ntimeout = 5\nca_file = "{ca_file}"\n'
            f'auth = "{auth}"\ntoken_command = {json.dumps(command)}\n')


def imap_config(server, ca_file, command: str, auth: str = "xoauth2", security: str = "starttls") -> str:
    return (f'host = "{server.host}"\nport = {server.port}\nsecurity = "{security}"\n'
            f'username = "{IMAP_USER}"\ntimeout = 5\nca_file = "{ca_file}"\n'
            f'auth = "{auth}"\ntoken_command = {json.dumps(command)}\n')


def expected_sasl(auth: str, user: str, token: str, host: str, port: int) -> bytes:
    """The strings as the providers' documents write them, spelt out here on purpose."""
    if auth == "xoauth2":
        # Google and Microsoft: base64("user=" + user + "^Aauth=Bearer " + token + "^A^A")
        return b"user=" + user.encode() + b"\x01auth=Bearer " + token.encode() + b"\x01\x01"
    # RFC 7628 §3.1: gs2-header "n,a=user," kvsep host kvsep port kvsep auth kvsep kvsep
    return (b"n,a=" + user.encode() + b",\x01host=" + host.encode() + b"\x01port=" + str(port).encode()
            + b"\x01auth=Bearer " + token.encode() + b"\x01\x01")


def one_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def due_count(run) -> int:
    result = run("--now", NOW, "due", "--json")
    assert result.exit_code == 0, result.stderr
    return len(json.loads(result.stdout))


def assert_secret_nowhere(tmp_path, result_texts, *secrets: str) -> None:
    """Not in what leadloop printed, nor in any file it wrote: the database, its WAL and
    shared-memory files, the outbox, the config."""
    files = [p for p in tmp_path.rglob("*") if p.is_file() and "helper" not in p.parts]
    assert any(p.name.startswith("leadloop.db") for p in files)
    for secret in secrets:
        for text in result_texts:
            assert secret not in text
        for path in files:
            assert secret.encode() not in path.read_bytes(), path


# ---- SMTP ------------------------------------------------------------------------------------


@pytest.mark.parametrize("auth", ["xoauth2", "oauthbearer"])
@pytest.mark.parametrize("token, form", [(SHORT_TOKEN, "initial"), (LONG_TOKEN, "334")])
def test_smtp_sends_the_exact_sasl_string_and_keeps_the_token_nowhere(
        tmp_path, run, smtp_oauth, smtp_tokens, ca_file, auth, token, form):
    write_config(tmp_path, smtp=smtp_config(smtp_oauth, ca_file, token_helper(tmp_path, token), auth))
    assert run("import", "leads.csv").exit_code == 0
    result = run("--now", NOW, "send", "--yes")
    assert result.exit_code == 0, result.stderr
    assert smtp_oauth.count == 2
    sasl = expected_sasl(auth, SMTP_USER, token, smtp_oauth.host, smtp_oauth.port)
    # One connection for the batch, one login, one run of the token program.
    assert smtp_tokens.seen == [(auth.upper(), sasl)]
    assert smtp_oauth.handler.forms == [form]
    assert runs(tmp_path) == 1
    shown = run("--now", NOW, "show", "ana.pena@example.org")
    assert_secret_nowhere(tmp_path, [result.stdout, result.stderr, shown.stdout], token,
                          base64.b64encode(sasl).decode())


@pytest.mark.parametrize("auth, answer", [
    ("xoauth2", b""),         # Google's XOAUTH2 page: the client sends an empty response
    ("oauthbearer", b"\x01"),  # RFC 7628 §3.2.3: a single %x01
])
def test_smtp_refused_token_answers_the_json_error_and_says_it_in_one_sentence(
        tmp_path, run, smtp_oauth, smtp_tokens, ca_file, auth, answer):
    expired = "ya29.expired-token-0123456789"
    write_config(tmp_path, smtp=smtp_config(smtp_oauth, ca_file, token_helper(tmp_path, expired), auth))
    assert run("import", "leads.csv").exit_code == 0
    result = run("--now", NOW, "send", "--yes")
    assert result.exit_code == 1
    sentence = one_line(result)
    assert f"refused the OAuth2 token of {SMTP_USER}" in sentence
    assert "535 5.7.8 Username and Password not accepted" in sentence
    assert "status 401" in sentence and "scope https://mail.google.com/" in sentence
    assert "token_command" in sentence and sentence.endswith("nothing was sent")
    assert smtp_tokens.error_answers == [(auth.upper(), answer)]
    assert smtp_oauth.count == 0 and due_count(run) == 2
    assert expired not in result.stdout + result.stderr


@pytest.mark.parametrize("outputs, exit_code, expected", [
    (["ya29.never-shown"], 3, "[smtp] token_command failed with exit code 3"),
    ([""], 0, "[smtp] token_command printed no access token"),
    (["\n"], 0, "[smtp] token_command printed no access token"),
    # A space or a line break would end the SASL string or add an SMTP command.
    (["ya29.half token\r\nRSET"], 0, "is not an OAuth2 access token"),
])
def test_a_failing_token_command_stops_the_run_cleanly(
        tmp_path, run, smtp_oauth, ca_file, outputs, exit_code, expected):
    command = token_helper(tmp_path, *outputs, exit_code=exit_code, stderr="refresh_token=1//0g-secret")
    write_config(tmp_path, smtp=smtp_config(smtp_oauth, ca_file, command))
    assert run("import", "leads.csv").exit_code == 0
    result = run("--now", NOW, "send", "--yes")
    assert result.exit_code == 1
    sentence = one_line(result)
    assert expected in sentence and sentence.endswith("nothing was sent")
    assert "1//0g-secret" not in sentence and "never-shown" not in sentence and "half" not in sentence
    assert smtp_oauth.handler.auth_attempts == [] and smtp_oauth.count == 0
    assert due_count(run) == 2  # nothing marked: both wait for the next run
    shown = run("--now", NOW, "show", "ana.pena@example.org", "--json")
    assert [m["state"] for m in json.loads(shown.stdout)["messages"]] in ([], ["due"])


def test_a_reconnect_mid_batch_logs_in_again_with_a_fresh_token(
        tmp_path, run, smtp_oauth, smtp_tokens, ca_file):
    write_config(tmp_path, smtp=smtp_config(smtp_oauth, ca_file,
                                            token_helper(tmp_path, "token-1", "token-2")))
    assert run("import", "leads.csv").exit_code == 0
    smtp_oauth.handler.drop_once_after = 1
    result = run("--now", NOW, "send", "--yes")
    assert result.exit_code == 0, result.stderr
    assert smtp_oauth.count == 2 and runs(tmp_path) == 2
    assert [token for _, token in (smtp_tokens.check(m, s) for m, s in list(smtp_tokens.seen))] == [
        "token-1", "token-2"]


def test_no_token_leaves_without_tls(tmp_path, run, smtp_oauth, ca_file):
    # security = "none" on a port that offers AUTH only after STARTTLS: nothing is sent,
    # the token program does not even run, and the sentence says which security to set.
    write_config(tmp_path, smtp=smtp_config(smtp_oauth, ca_file, token_helper(tmp_path, SHORT_TOKEN),
                                            security="none"))
    assert run("import", "leads.csv").exit_code == 0
    result = run("--now", NOW, "send", "--yes")
    assert result.exit_code == 1
    sentence = one_line(result)
    assert "requires TLS for login" in sentence and "did not send the token" in sentence
    assert 'security = "starttls"' in sentence
    assert runs(tmp_path) == 0 and smtp_oauth.handler.auth_attempts == []


MICROSOFT_139 = ("535 5.7.139 Authentication unsuccessful, basic authentication is disabled. "
                 "[BN9PR03CA0312.namprd03.prod.outlook.com 2026-03-02T09:00:00.000Z 08DC1234]")
GOOGLE_534 = ("534-5.7.9 Application-specific password required. For more information, go to\r\n"
              "534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor")


@pytest.mark.parametrize("refusal", [MICROSOFT_139, GOOGLE_534])
def test_a_password_refused_as_basic_auth_points_to_xoauth2(
        tmp_path, run, certificate_authority, smtp_tokens, ca_file, refusal):
    server = start_smtp(certificate_authority, smtp_tokens, password_refusal=refusal)
    try:
        write_config(tmp_path, smtp=(f'host = "{server.host}"\nport = {server.port}\n'
                                     f'username = "{SMTP_USER}"\nca_file = "{ca_file}"\n'))
        assert run("import", "leads.csv").exit_code == 0
        env = {"LEADLOOP_SMTP_PASSWORD": "an-old-password"}
        for command in (["--now", NOW, "send", "--yes"], ["check", "--connect", "--no-dns"]):
            result = run(*command, env=env)
            assert result.exit_code == 1
            sentence = one_line(result)
            assert f"no longer takes a password for {SMTP_USER}" in sentence
            assert '[smtp] auth = "xoauth2" and token_command' in sentence
            assert refusal.split("\r\n")[0][4:30] in sentence  # the server's own words
        assert server.count == 0 and due_count(run) == 2
    finally:
        server.controller.stop()


def test_smtp_auth_turned_off_for_the_tenant_asks_for_an_administrator(
        tmp_path, run, certificate_authority, smtp_tokens, ca_file):
    # Microsoft 365 with SMTP AUTH off for the mailbox: a token would be refused too.
    refusal = ("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled "
               "for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.")
    server = start_smtp(certificate_authority, smtp_tokens, password_refusal=refusal)
    try:
        write_config(tmp_path, smtp=(f'host = "{server.host}"\nport = {server.port}\n'
                                     f'username = "{SMTP_USER}"\nca_file = "{ca_file}"\n'))
        result = run("check", "--connect", "--no-dns", env={"LEADLOOP_SMTP_PASSWORD": "pw"})
    finally:
        server.controller.stop()
    assert result.exit_code == 1
    sentence = one_line(result)
    assert "SMTP AUTH turned off" in sentence and "administrator" in sentence
    assert 'auth = "xoauth2"' not in sentence


def test_a_plain_refused_password_mentions_the_oauth_the_server_offers(
        tmp_path, run, smtp_oauth, ca_file):
    write_config(tmp_path, smtp=(f'host = "{smtp_oauth.host}"\nport = {smtp_oauth.port}\n'
                                 f'username = "{SMTP_USER}"\nca_file = "{ca_file}"\n'))
    result = run("check", "--connect", "--no-dns", env={"LEADLOOP_SMTP_PASSWORD": "wrong"})
    assert result.exit_code == 1
    sentence = one_line(result)
    assert f"refused the login of {SMTP_USER}" in sentence
    assert "also offers OAuth2" in sentence and 'auth = "xoauth2"' in sentence


# ---- IMAP --------------------------------------------------------------------------------------


@pytest.mark.parametrize("auth", ["xoauth2", "oauthbearer"])
def test_imap_authenticate_sends_the_exact_sasl_string(
        tmp_path, run, imap_oauth, imap_tokens, ca_file, auth):
    write_config(tmp_path, inbox=imap_config(imap_oauth, ca_file, token_helper(tmp_path, LONG_TOKEN), auth))
    result = run("--now", NOW, "inbox")
    assert result.exit_code == 0, result.stderr
    sasl = expected_sasl(auth, IMAP_USER, LONG_TOKEN, imap_oauth.host, imap_oauth.port)
    assert imap_tokens.seen == [(auth.upper(), sasl)]
    assert runs(tmp_path) == 1
    assert_secret_nowhere(tmp_path, [result.stdout, result.stderr], LONG_TOKEN,
                          base64.b64encode(sasl).decode())


@pytest.mark.parametrize("auth, answer", [("xoauth2", b""), ("oauthbearer", b"\x01")])
def test_imap_refused_token_answers_the_json_error_and_run_daily_sends_nothing(
        tmp_path, run, imap_oauth, imap_tokens, ca_file, auth, answer):
    expired = "ya29.expired-imap-token"
    write_config(tmp_path, inbox=imap_config(imap_oauth, ca_file, token_helper(tmp_path, expired), auth))
    assert run("import", "leads.csv").exit_code == 0
    result = run("--now", NOW, "run-daily")
    assert result.exit_code == 1
    sentence = one_line(result)
    assert f"refused the OAuth2 token of {IMAP_USER}" in sentence
    assert "AUTHENTICATIONFAILED" in sentence
    assert "status 401" in sentence and "scope https://mail.google.com/" in sentence
    assert sentence.endswith("nothing was sent")
    assert imap_tokens.error_answers == [(auth.upper(), answer)]
    assert due_count(run) == 2 and not (tmp_path / "outbox" / "new").exists()
    assert expired not in result.stdout + result.stderr


def test_imap_failing_token_command_is_one_sentence(tmp_path, run, imap_oauth, imap_tokens, ca_file):
    write_config(tmp_path, inbox=imap_config(imap_oauth, ca_file,
                                             token_helper(tmp_path, exit_code=1, stderr="invalid_grant")))
    result = run("inbox")
    assert result.exit_code == 1
    assert one_line(result).endswith("[inbox] token_command failed with exit code 1")
    assert imap_tokens.seen == []


def test_imap_token_not_sent_in_clear_to_a_server_that_wants_starttls(
        tmp_path, run, certificate_authority, imap_tokens, ca_file):
    server = ImapServer(certificate_authority, as_remote=True, oauth=imap_tokens)
    try:
        write_config(tmp_path, inbox=imap_config(server, ca_file, token_helper(tmp_path, SHORT_TOKEN),
                                                 security="none"))
        result = run("inbox")
    finally:
        server.stop()
    assert result.exit_code == 1
    sentence = one_line(result)
    assert "requires TLS for login" in sentence and "did not send the token" in sentence
    assert runs(tmp_path) == 0 and imap_tokens.seen == []


def test_imap_application_specific_password_required_points_to_xoauth2(
        tmp_path, run, certificate_authority, imap_tokens, ca_file):
    # Gmail's IMAP answer to a password on an account with 2-Step Verification.
    server = ImapServer(certificate_authority, oauth=imap_tokens, refuse_passwords=(
        "Application-specific password required: "
        "https://support.google.com/accounts/answer/185833 (Failure)"))
    try:
        write_config(tmp_path, inbox=(f'host = "{server.host}"\nport = {server.port}\n'
                                      f'security = "starttls"\nusername = "{IMAP_USER}"\n'
                                      f'ca_file = "{ca_file}"\n'))
        result = run("inbox", env={"LEADLOOP_IMAP_PASSWORD": "an-old-password"})
    finally:
        server.stop()
    assert result.exit_code == 1
    sentence = one_line(result)
    assert f"no longer takes a password for {IMAP_USER}" in sentence
    assert "Application-specific password required" in sentence
    assert '[inbox] auth = "xoauth2" and token_command' in sentence


# ---- both: check --connect, and the config -------------------------------------------------------


def test_check_connect_proves_the_oauth_login_of_both_servers(
        tmp_path, run, smtp_oauth, smtp_tokens, imap_oauth, imap_tokens, ca_file):
    command = token_helper(tmp_path, SHORT_TOKEN)
    write_config(tmp_path, smtp=smtp_config(smtp_oauth, ca_file, command),
                 inbox=imap_config(imap_oauth, ca_file, command, auth="oauthbearer"))
    result = run("check", "--connect", "--no-dns")
    assert result.exit_code == 0, result.stderr
    assert (f"smtp: logged in to {smtp_oauth.host}:{smtp_oauth.port} as {SMTP_USER} with XOAUTH2"
            in result.stdout)
    assert (f"inbox: logged in to {imap_oauth.host}:{imap_oauth.port} as {IMAP_USER} with OAUTHBEARER"
            in result.stdout)
    assert [m for m, _ in smtp_tokens.seen] == ["XOAUTH2"]
    assert [m for m, _ in imap_tokens.seen] == ["OAUTHBEARER"]
    assert runs(tmp_path) == 2  # each login ran the program
    assert smtp_oauth.count == 0
    assert SHORT_TOKEN not in result.stdout + result.stderr


@pytest.mark.parametrize("smtp, message", [
    ('auth = "xoauth2"\nusername = "a@b.example"\n', "needs token_command"),
    ('auth = "xoauth2"\ntoken_command = "oama access a@b.example"\n', "needs username"),
    ('token_command = "oama access a@b.example"\nusername = "a@b.example"\n',
     'token_command is set but auth is "password"'),
    ('auth = "oauth"\n', '[smtp] auth must be "password", "xoauth2" or "oauthbearer"'),
    ('auth = "xoauth2"\nusername = "a@b.example"\ntoken_command = "a\\u0000b"\n', "NUL"),
])
def test_oauth_config_mistakes_are_exit_2_with_the_key_named(tmp_path, run, smtp, message):
    (tmp_path / "leadloop.toml").write_text(f'[smtp]\nhost = "smtp.example.com"\n{smtp}',
                                            encoding="utf-8")
    result = run("check")
    assert result.exit_code == 2
    assert message in one_line(result) and "leadloop.toml: [smtp]" in result.stderr


def test_an_unexpected_failure_mid_login_shows_no_token_in_its_traceback(tmp_path, smtp_oauth, ca_file):
    # A bug after the token was fetched: Typer prints the traceback, but never the local
    # variables of its frames (cli.py: pretty_exceptions_show_locals=False), which hold it.
    import subprocess

    write_config(tmp_path, smtp=smtp_config(smtp_oauth, ca_file, token_helper(tmp_path, SHORT_TOKEN)))
    program = ("import leadloop.oauth as oauth\n"
               "def broken(*args):\n"
               "    raise RuntimeError('a bug in the SASL code')\n"
               "oauth.initial_response = broken\n"
               "from leadloop.cli import main\n"
               "main()\n")
    result = subprocess.run([sys.executable, "-c", program, "check", "--connect", "--no-dns"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and runs(tmp_path) == 1
    assert "a bug in the SASL code" in result.stderr  # the traceback is there ...
    assert SHORT_TOKEN not in result.stdout + result.stderr  # ... the token is not
