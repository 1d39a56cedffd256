"""`leadloop serve` as a real process on 127.0.0.1, and an HTTP client for it.

The server is started the way a user starts it (`python -m leadloop … serve --port N`),
on the test's own database and config, and stopped with SIGTERM as systemd would.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

WEB_TOKEN = "test-token-0123456789abcdef"
BASE_URL = "https://leads.example.test"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self):
        return json.loads(self.body)


class WebServer:
    def __init__(self, directory: Path, *, now: str | None = None, env: dict | None = None):
        self.directory = directory
        self.now = now
        self.env = {**os.environ, "LEADLOOP_WEB_TOKEN": WEB_TOKEN, **(env or {})}
        for name in ("LEADLOOP_DB", "LEADLOOP_CONFIG", "LEADLOOP_NOW"):
            self.env.pop(name, None)
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log = directory / "serve.log"

    def start(self, timeout: float = 60) -> "WebServer":
        args = [sys.executable, "-m", "leadloop"]
        if self.now:
            args += ["--now", self.now]
        args += ["serve", "--port", str(self.port)]
        self.log_file = open(self.log, "wb")
        self.process = subprocess.Popen(args, cwd=self.directory, env=self.env,
                                        stdout=self.log_file, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve exited with {self.process.returncode}: {self.output()}")
            try:
                if self.get("/health").status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"serve did not answer within {timeout} s: {self.output()}")

    def stop(self) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_file.close()
        return self.process.returncode

    def output(self) -> str:
        try:
            self.log_file.flush()
        except (AttributeError, ValueError):
            pass
        return self.log.read_text(encoding="utf-8", errors="replace")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict | None = None, timeout: float = 60) -> Answer:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()},
                          response.read())
        finally:
            connection.close()

    def get(self, path: str, headers: dict | None = None) -> Answer:
        return self.request("GET", path, headers=headers)

    def post_form(self, path: str, fields: dict, headers: dict | None = None) -> Answer:
        return self.request("POST", path, urlencode(fields).encode(), {
            "Content-Type": "application/x-www-form-urlencoded", **(headers or {})})

    def post_json(self, document, token: str | None = WEB_TOKEN, headers: dict | None = None,
                  raw: bytes | None = None) -> Answer:
        sent = {"Content-Type": "application/json", **(headers or {})}
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        body = raw if raw is not None else json.dumps(document).encode()
        return self.request("POST", "/api/inquiries", body, sent)


def write_project(directory: Path, smtp_server, *, web: str = "", cadence: str = "") -> None:
    (directory / "leadloop.toml").write_text(
        '[sender]\nname = "Laura Vidal"\naddress = "laura@shop.lauravidal.es"\n\n'
        f'[smtp]\nhost = "{smtp_server.host}"\nport = {smtp_server.port}\nsecurity = "none"\n\n'
        f'[cadence]\n{cadence}\n'
        f'[web]\nbase_url = "{BASE_URL}"\n'
        + ("" if "busy_wait" in web else "busy_wait = 1\n") + web, encoding="utf-8")


def leads(directory: Path) -> dict:
    """address → row of the leads table, read straight from the database file."""
    with sqlite3.connect(directory / "leadloop.db") as conn:
        conn.row_factory = sqlite3.Row
        return {row["email"]: dict(row) for row in conn.execute("SELECT * FROM leads")
                if row["email"]}


def wait_for(predicate, timeout: float = 60, what: str = "the condition"):
    """Poll until `predicate()` is truthy (events, not time, decide: the timeout only
    stops a test that would otherwise hang)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def link_path(url: str) -> str:
    assert url.startswith(BASE_URL), url
    return url[len(BASE_URL):]
