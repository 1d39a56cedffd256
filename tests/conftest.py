"""Shared fixtures. Tests never touch a real home, a real clock or the internet."""

import pytest
from typer.testing import CliRunner

from leadloop.cli import app

# ---- leadloop CLI -------------------------------------------------------------------


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch, request):
    """Each test runs in its own directory with no LEADLOOP_* from the environment."""
    for name in ("LEADLOOP_DB", "LEADLOOP_CONFIG", "LEADLOOP_NOW", "LEADLOOP_SMTP_PASSWORD",
                 "LEADLOOP_IMAP_PASSWORD", "LEADLOOP_WEB_TOKEN", "LEADLOOP_DNS_SERVERS",
                 "LEADLOOP_SHOPIFY_SECRET", "LEADLOOP_WOOCOMMERCE_SECRET", "LEADLOOP_STRIPE_SECRET"):
        monkeypatch.delenv(name, raising=False)
    # DNS look-ups (`check --dns`, `--connect`) go to a port where nothing answers unless a
    # test points them at its own server (tests/dnsserver): never to the internet.
    monkeypatch.setenv("LEADLOOP_DNS_SERVERS", "127.0.0.1:9")
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.chdir(tmp_path)
    # A leadloop folder, as a user has after `leadloop init`: only init and demo create a
    # database where there is neither a config nor one (SPEC §4). Tests of that rule, and
    # tests that run `init` here themselves, are marked `bare_folder`.
    if request.node.get_closest_marker("bare_folder") is None:
        (tmp_path / "leadloop.toml").write_text("", encoding="utf-8")


@pytest.fixture
def run():
    """Run leadloop as a user would, through Typer's CliRunner; stdout and stderr apart."""
    runner = CliRunner()

    def invoke(*args, input=None, env=None):
        return runner.invoke(app, [str(a) for a in args], input=input, env=env,
                             catch_exceptions=False)

    return invoke

# ---- end of leadloop CLI fixtures ------------------------------------------------------


# ---- SMTP: real aiosmtpd servers on 127.0.0.1 ----------------------------------------

import socket  # noqa: E402
import ssl  # noqa: E402
import threading  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from email import policy  # noqa: E402
from email.parser import BytesParser  # noqa: E402

SMTP_USER = "leadloop"
SMTP_PASSWORD = "s3cr€t-Pässwörd!"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list
    data: bytes
    mail_options: list = None

    @property
    def message(self):
        return BytesParser(policy=policy.default).parsebytes(self.data)


class RecordingHandler:
    """Keeps every accepted message; tests can script refusals and dropped connections.

    rcpt_replies: recipient → reply given at RCPT (e.g. "451 4.2.0 later", "550 5.1.1 no").
    mail_from_reply: a reply given at MAIL FROM instead of accepting it.
    drop_after: once this many messages were accepted, the next MAIL closes the
      connection without a reply, and the server stays down (new connections are closed
      at once) until `recover()`.
    data_replies: recipient → what the server answers at the end of that message's DATA
      (kept anyway), verbatim: a reply, or garbage such as "hello".
    hold_data: recipient → a threading.Event; that message's end of DATA is answered only
      once the event is set (`data_held` is set when the server is holding it).
    hold_mail: a threading.Event; every MAIL is answered only once it is set (`mail_held`
      is set when the server is holding one).
    pipelining: EHLO offers PIPELINING (RFC 2920), as Postfix does. aiosmtpd reads one
      command at a time from its stream, so commands sent together are answered in order.
      `pipelined` says, for each MAIL, whether its RCPT came in the same write (offering
      PIPELINING, the server waits up to a second for it before answering MAIL, so a
      client that waits for MAIL's reply first shows as False).
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.messages: list[Received] = []
        self.rcpt_replies: dict[str, str] = {}
        self.mail_from_reply: str | None = None
        self.drop_after: int | None = None
        self.down = False
        self.auth_attempts: list[tuple[str, bool]] = []
        self.data_replies: dict[str, str] = {}
        self.hold_data: dict[str, threading.Event] = {}
        self.data_held = threading.Event()
        self.hold_mail: threading.Event | None = None
        self.mail_held = threading.Event()
        self.pipelining = False
        self.pipelined: list[bool] = []

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        if self.down:
            server.transport.close()
            return []
        session.host_name = hostname
        if self.pipelining:
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        import asyncio

        # What the client wrote after MAIL, not yet read by aiosmtpd (asyncio's
        # StreamReader buffer; a test-only peek). Offered PIPELINING, the client may send
        # RCPT with MAIL; else it must wait for MAIL's reply, so RCPT cannot be there yet.
        for _ in range(100 if self.pipelining else 0):
            if b"RCPT" in bytes(server._reader._buffer):
                break
            await asyncio.sleep(0.01)
        self.pipelined.append(b"RCPT" in bytes(server._reader._buffer))
        if self.hold_mail is not None:
            self.mail_held.set()
            while not self.hold_mail.is_set():
                await asyncio.sleep(0.01)
        if self.drop_after is not None and len(self.messages) >= self.drop_after:
            self.down = True
            server.transport.close()
            return "421 closing"
        if self.mail_from_reply:
            return self.mail_from_reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.rcpt_replies.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        with self.lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                          envelope.original_content or envelope.content,
                                          list(envelope.mail_options)))
        recipient = envelope.rcpt_tos[0] if envelope.rcpt_tos else None
        held = self.hold_data.get(recipient)
        if held is not None:
            self.data_held.set()
            while not held.is_set():
                await asyncio.sleep(0.01)
        return self.data_replies.get(recipient, "250 OK")

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult, LoginPassword

        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login.decode() == SMTP_USER
              and auth_data.password.decode() == SMTP_PASSWORD)
        self.auth_attempts.append((mechanism, ok))
        return AuthResult(success=ok, handled=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    def __init__(self, *, tls_context=None, auth=False, starttls=True, ssl_context=None,
                 smtputf8=True, auth_require_tls=None, handler=None):
        from aiosmtpd.controller import Controller

        # A RecordingHandler subclass may add AUTH mechanisms (aiosmtpd's auth_NAME hooks).
        self.handler = handler or RecordingHandler()
        self.host, self.port = "127.0.0.1", free_port()
        kwargs = {}
        if auth:
            # auth_require_tls=False with STARTTLS required: AUTH is announced in clear and
            # answered "530 Must issue a STARTTLS command first" (RFC 3207 §4).
            kwargs.update(authenticator=self.handler.authenticate, auth_required=True,
                          auth_require_tls=starttls if auth_require_tls is None else auth_require_tls)
        if tls_context is not None and starttls:
            kwargs.update(tls_context=tls_context, require_starttls=True)
        if ssl_context is not None:
            kwargs["ssl_context"] = ssl_context  # implicit TLS (SMTPS) from the first byte
        # RFC 6531 (internationalised addresses): aiosmtpd's Controller offers it by default.
        kwargs["enable_SMTPUTF8"] = smtputf8
        self.controller = Controller(self.handler, hostname=self.host, port=self.port,
                                     server_hostname="mail.test", decode_data=False, **kwargs)

    def __getattr__(self, name):
        return getattr(self.handler, name)

    def __setattr__(self, name, value):
        if name in ("rcpt_replies", "mail_from_reply", "drop_after", "down", "data_replies",
                    "hold_data", "hold_mail", "pipelining"):
            setattr(self.handler, name, value)
        else:
            super().__setattr__(name, value)

    @property
    def messages(self):
        with self.handler.lock:
            return list(self.handler.messages)

    @property
    def count(self):
        return len(self.messages)

    def recipients(self):
        return [m.rcpt_tos[0] for m in self.messages]

    def handler_options(self, received):
        """The MAIL FROM parameters (SMTPUTF8, BODY=…) the message was sent with."""
        return received.mail_options

    def clear(self):
        with self.handler.lock:
            self.handler.messages.clear()

    def recover(self):
        self.handler.down = False
        self.handler.drop_after = None


@pytest.fixture
def smtp_server():
    """Plain SMTP, no TLS, no AUTH."""
    server = SmtpServer()
    server.controller.start()
    yield server
    server.controller.stop()


@pytest.fixture
def smtp_pipelining_server():
    """Plain SMTP that offers PIPELINING (RFC 2920), as Postfix and the big providers do."""
    server = SmtpServer()
    server.pipelining = True
    server.controller.start()
    yield server
    server.controller.stop()


@pytest.fixture
def smtp_ascii_server():
    """Plain SMTP that does not offer SMTPUTF8 (RFC 6531), as many servers still do not."""
    server = SmtpServer(smtputf8=False)
    server.controller.start()
    yield server
    server.controller.stop()


@pytest.fixture(scope="session")
def certificate_authority():
    import trustme

    return trustme.CA()


@pytest.fixture
def ca_file(tmp_path, certificate_authority):
    path = tmp_path / "ca.pem"
    certificate_authority.cert_pem.write_to_path(str(path))
    return path


def _server_context(certificate_authority):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate_authority.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


@pytest.fixture
def smtp_tls_server(certificate_authority):
    """STARTTLS required, AUTH (PLAIN, LOGIN) only after it; a certificate from a test CA."""
    server = SmtpServer(tls_context=_server_context(certificate_authority), auth=True)
    server.controller.start()
    yield server
    server.controller.stop()


@pytest.fixture
def smtp_ssl_server(certificate_authority):
    """Implicit TLS (SMTPS) with AUTH."""
    server = SmtpServer(auth=True, starttls=False, ssl_context=_server_context(certificate_authority))
    server.controller.start()
    yield server
    server.controller.stop()


@pytest.fixture
def smtp_no_starttls_server():
    """Offers AUTH on a plain connection and no STARTTLS at all."""
    server = SmtpServer(auth=True, starttls=False)
    server.controller.start()
    yield server
    server.controller.stop()


# ---- IMAP: pymap on 127.0.0.1 (tests/imap_server.py) -----------------------------------

from imap_server import imap_remote_server, imap_server, imap_tls_server  # noqa: E402, F401
