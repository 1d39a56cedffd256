"""Shared fixtures. Tests never touch a real home, a real clock or the internet."""

import pytest
from typer.testing import CliRunner

from leadloop.cli import app

# ---- leadloop CLI -------------------------------------------------------------------


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Each test runs in its own directory with no LEADLOOP_* from the environment."""
    for name in ("LEADLOOP_DB", "LEADLOOP_CONFIG", "LEADLOOP_NOW", "LEADLOOP_SMTP_PASSWORD",
                 "LEADLOOP_IMAP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def run():
    """Run leadloop as a user would, through Typer's CliRunner; stdout and stderr apart."""
    runner = CliRunner()

    def invoke(*args, input=None, env=None):
        return runner.invoke(app, [str(a) for a in args], input=input, env=env,
                             catch_exceptions=False)

    return invoke

# ---- end of leadloop CLI fixtures ------------------------------------------------------


# ---- SMTP (interim: a recording aiosmtpd server) ------------------------------------

import socket  # noqa: E402
import threading  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from email import policy  # noqa: E402
from email.parser import BytesParser  # noqa: E402


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list
    data: bytes

    @property
    def message(self):
        return BytesParser(policy=policy.default).parsebytes(self.data)


class RecordingHandler:
    def __init__(self):
        self.lock = threading.Lock()
        self.messages: list[Received] = []

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                          envelope.original_content or envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    def __init__(self):
        from aiosmtpd.controller import Controller

        self.handler = RecordingHandler()
        self.host, self.port = "127.0.0.1", free_port()
        self.controller = Controller(self.handler, hostname=self.host, port=self.port,
                                     server_hostname="mail.test", decode_data=False)

    @property
    def messages(self):
        with self.handler.lock:
            return list(self.handler.messages)

    @property
    def count(self):
        return len(self.messages)

    def clear(self):
        with self.handler.lock:
            self.handler.messages.clear()


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    server.controller.start()
    yield server
    server.controller.stop()
