"""Admins' own refusal words, made into real Postfix reports (issue #25).

    python bench/wild.py FOLDER…                   # FOLDER/reports/postfix/: *.eml, labels.tsv
    python bench/wild.py --exim PATH FOLDER…       # FOLDER/reports/exim/, Exim as the relay
    python bench/bounces.py FOLDER/reports/postfix…  # then measured as any other folder

Each FOLDER holds a `wild.jsonl`: one refusal text an administrator wrote into a real
server's configuration, per line, with the condition it answers and so whose failure it is:

    {"id": "exim-017", "stage": "RCPT", "code": 550, "status": null,
     "wire": "Unknown user ana.lopez@clinica.test", "owner": "address", …}

`stage` is the command the lead's server refuses (MAIL, RCPT, DATA or EOD, the final dot),
`wire` the words after the code (and the enhanced status, when `status` is given), lines
joined by "\\n"; `owner` is address, mailbox, sender or skip.

What the inbox reads is a report our own relay writes, so the words go through a real one:
Debian's Postfix (`postfix`, run as root from a temporary directory, as
tests/realservers/servers.py does) takes one message per record and relays it to a server
on 127.0.0.1 that answers with that record's words at its command; Postfix tries once
(`maximal_queue_lifetime = 0`) and returns its own report (RFC 3464, with its own quoting,
folding and status) to a sink that writes it to FOLDER/reports/postfix/. With `--exim PATH`
Debian's Exim 4 does the same (`exim -C … -odi` per record, no retry rules, so that a
temporary refusal is returned at once, as after its retry time; PATH may be a binary
unpacked from the .deb beside an installed Postfix, with libidn12). The labels follow: a
permanent refusal of the address is `hard`, any other refusal `soft`, and the owner column
is the record's (a temporary refusal is never the address's: the server asks to try again).
The folders stay outside the repository, like bounces.py's.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import smtplib
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

POSTFIX = "/usr/sbin/postfix"
HOST = "127.0.0.1"
_LEAD = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.test\b", re.ASCII)
_SENDER = re.compile(rb"<bounce-(\d+)@tienda\.test>", re.IGNORECASE)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _wire(record: dict) -> bytes:
    code, status = int(record["code"]), record.get("status")
    lines = str(record["wire"]).split("\n")
    out = []
    for i, line in enumerate(lines):
        dash = " " if i == len(lines) - 1 else "-"
        out.append(f"{code}{dash}{status + ' ' if status else ''}{line}\r\n")
    return "".join(out).encode("utf-8")


class _LeadsServer(socketserver.ThreadingTCPServer):
    """The leads' server: yes to everything, except each record's refusal at its command.
    The record is the one whose number the envelope sender carries (bounce-N@)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, records: list[dict], refusing: dict | None = None):
        # `refusing`: the one record a server of its own refuses before MAIL FROM names it
        # (at the greeting or EHLO), reached through its lead's domain.
        self.records, self.refusing = records, refusing
        super().__init__((HOST, 0), _Session)


_BEFORE_MAIL = ("CONNECT", "HELO")


class _Session(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        send = self.wfile.write
        record = self.server.refusing
        refused = not self._answer(record, "CONNECT", b"220 leads.test ESMTP\r\n")
        while not (refused and int(record["code"]) == 421) and (line := self.rfile.readline()):
            verb = line[:4].upper()
            if refused and verb != b"QUIT" and not (verb in (b"EHLO", b"HELO") and record["stage"].upper() == "HELO"):
                # RFC 5321 §3.1: after a refusal at the greeting the server waits for QUIT,
                # answering 503 to anything else; a HELO refused is refused again.
                send(b"503 5.5.1 Bad sequence of commands\r\n")
            elif verb in (b"EHLO", b"HELO"):
                refused = not self._answer(record, "HELO", b"250-leads.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
            elif verb == b"MAIL":
                found = _SENDER.search(line)
                record = self.server.records[int(found.group(1))] if found else None
                if not self._answer(record, "MAIL", b"250 2.1.0 Ok\r\n"):
                    return
            elif verb == b"RCPT":
                if not self._answer(record, "RCPT", b"250 2.1.5 Ok\r\n"):
                    return
            elif verb == b"DATA":
                if not self._answer(record, "DATA", b"354 go on\r\n"):
                    return
                if record is not None and record["stage"].upper() == "DATA":
                    continue
                while (body := self.rfile.readline()) and body not in (b".\r\n", b".\n"):
                    pass
                if not self._answer(record, "EOD", b"250 2.0.0 queued\r\n"):
                    return
            elif verb == b"QUIT":
                send(b"221 bye\r\n")
                return
            else:
                send(b"250 Ok\r\n")

    def _answer(self, record: dict | None, command: str, otherwise: bytes) -> bool:
        if record is not None and record["stage"].upper() == command:
            self.wfile.write(_wire(record))
            return int(record["code"]) != 421 and command not in _BEFORE_MAIL
        self.wfile.write(otherwise)
        return True


class _Sink(socketserver.ThreadingTCPServer):
    """Where Postfix returns its reports: each is written as it came, by its record."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, out: Path):
        self.out, self.got = out, set()
        super().__init__((HOST, 0), _SinkSession)


class _SinkSession(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        send = self.wfile.write
        send(b"220 sink ESMTP\r\n")
        numbers: list[int] = []
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                send(b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
            elif verb == b"RCPT":
                if found := _SENDER.search(line):
                    numbers.append(int(found.group(1)))
                send(b"250 Ok\r\n")
            elif verb == b"DATA":
                send(b"354 go on\r\n")
                body = []
                while (row := self.rfile.readline()) and row not in (b".\r\n", b".\n"):
                    body.append(row[1:] if row.startswith(b"..") else row)
                for number in numbers:
                    (self.server.out / f"{number:04d}.eml").write_bytes(b"".join(body))
                    self.server.got.add(number)
                numbers = []
                send(b"250 Ok\r\n")
            elif verb == b"QUIT":
                send(b"221 bye\r\n")
                return
            else:
                send(b"250 Ok\r\n")


def _postfix(root: Path, listen: int, leads: int, sink: int, routes: dict[str, int]) -> subprocess.Popen:
    config = root / "postfix"
    config.mkdir()
    (root / "spool").mkdir()
    (root / "data").mkdir()
    user = pwd.getpwnam("postfix")
    os.chown(root / "data", user.pw_uid, user.pw_gid)
    (config / "transport").write_text(f"tienda.test smtp:[{HOST}]:{sink}\n" + "".join(
        f"{domain} smtp:[{HOST}]:{port}\n" for domain, port in routes.items()))
    (config / "main.cf").write_text(f"""\
compatibility_level = 3.6
queue_directory = {root}/spool
data_directory = {root}/data
maillog_file = {root}/postfix.log
maillog_file_prefixes = {root}
myhostname = mail.tienda.test
mydomain = tienda.test
mydestination =
inet_interfaces = {HOST}
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost = [{HOST}]:{leads}
transport_maps = texthash:{config}/transport
smtp_dns_support_level = disabled
smtp_tls_security_level = none
maximal_queue_lifetime = 0
bounce_queue_lifetime = 0
alias_maps =
alias_database =
local_recipient_maps =
biff = no
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_recipient_restrictions = permit_mynetworks, reject
""")
    services = "\n".join(f"{name:<10} unix  {private}  -  n  {wakeup}  {limit}  {command}" for
                         name, private, wakeup, limit, command in [
        ("pickup", "n", "60", "1", "pickup"), ("cleanup", "n", "-", "0", "cleanup"),
        ("qmgr", "n", "300", "1", "qmgr"), ("rewrite", "-", "-", "-", "trivial-rewrite"),
        ("bounce", "-", "-", "0", "bounce"), ("defer", "-", "-", "0", "bounce"),
        ("trace", "-", "-", "0", "bounce"), ("verify", "-", "-", "1", "verify"),
        ("flush", "n", "1000?", "0", "flush"), ("proxymap", "-", "-", "-", "proxymap"),
        ("smtp", "-", "-", "-", "smtp"), ("relay", "-", "-", "-", "smtp"),
        ("showq", "n", "-", "-", "showq"), ("error", "-", "-", "-", "error"),
        ("retry", "-", "-", "-", "error"), ("discard", "-", "-", "-", "discard"),
        ("anvil", "-", "-", "1", "anvil"), ("scache", "-", "-", "1", "scache")])
    (config / "master.cf").write_text(f"{HOST}:{listen} inet n - n - - smtpd\n{services}\n"
                                      "postlog    unix-dgram n  -  n  -  1  postlogd\n")
    process = subprocess.Popen([POSTFIX, "-c", str(config), "start-fg"],
                               stdout=subprocess.DEVNULL, stderr=open(root / "postfix.err", "wb"))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, listen), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"Postfix did not start: {(root / 'postfix.err').read_text(errors='replace')[-500:]}")


def _label(record: dict) -> tuple[str, str]:
    owner = record["owner"]
    if owner == "skip":
        return "skip", "skip"
    if int(record["code"]) < 500:
        return "soft", "mailbox" if owner == "address" else owner
    return ("hard" if owner == "address" else "soft"), owner


def _message(number: int, lead: str) -> bytes:
    return (f"From: Tienda <info@tienda.test>\r\nTo: {lead}\r\n"
            f"Subject: =?utf-8?q?La_informaci=C3=B3n_que_pidi=C3=B3?=\r\n"
            f"Message-ID: <wild-{number}@tienda.test>\r\nDate: Sun, 06 Dec 2026 10:00:00 +0000\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n"
            "Hola:\r\n\r\nAquí tiene la información que nos pidió.\r\n").encode("utf-8")


_EXIM_CONFIG = """\
exim_path = {exim}
keep_environment =
primary_hostname = mail.tienda.test
qualify_domain = tienda.test
spool_directory = {root}/spool
log_file_path = {root}/log/%slog
exim_user = {user}
exim_group = {user}
host_lookup =
rfc1413_hosts =
timeout_frozen_after = 0s
acl_smtp_rcpt = accept
begin routers
sink:
  driver = manualroute
  domains = tienda.test
  route_list = * {host}
  self = send
  transport = to_sink
leads:
  driver = manualroute
  route_list = * {host}
  self = send
  transport = to_leads
begin transports
to_sink:
  driver = smtp
  port = {sink}
  allow_localhost
to_leads:
  driver = smtp
  port = ${{lookup{{$domain}}lsearch{{{root}/routes}}{{$value}}{{{leads}}}}}
  allow_localhost
begin retry
"""


def _lead(number: int, record: dict) -> str:
    """The lead the words name, if any (never our own address, which they may name too);
    a domain of its own for a refusal before MAIL FROM, which is routed by its domain."""
    if record["stage"].upper() in _BEFORE_MAIL:
        return f"lead{number}@before-mail{number}.test"
    for found in _LEAD.finditer(str(record.get("wire", ""))):
        if not found.group(0).lower().endswith("@tienda.test"):
            return found.group(0)
    return f"lead{number}@clinica{number}.test"


def _through_postfix(root: Path, records: list[dict], leads: int, sink: "_Sink", routes: dict[str, int]) -> None:
    listen = _free_port()
    process = _postfix(root, listen, leads, sink.server_address[1], routes)
    try:
        with smtplib.SMTP(HOST, listen, timeout=30) as relay:
            for number, record in enumerate(records):
                lead = _lead(number, record)
                relay.sendmail(f"bounce-{number}@tienda.test", [lead], _message(number, lead))
        _wait(sink, len(records))
    finally:
        subprocess.run([POSTFIX, "-c", str(root / "postfix"), "stop"], capture_output=True, timeout=60)
        process.wait(timeout=30)


def _through_exim(root: Path, records: list[dict], leads: int, sink: "_Sink", exim: str,
                  routes: dict[str, int]) -> None:
    # Exim's own user, as Debian's package makes it; Exim drops to it for deliveries.
    user = next((name for name in ("Debian-exim", "exim") if _has_user(name)), None)
    if user is None:
        raise SystemExit("no Debian-exim user: useradd -r -M -s /usr/sbin/nologin Debian-exim")
    for sub in ("spool", "log"):
        (root / sub).mkdir()
        shutil.chown(root / sub, user, user)
    (root / "routes").write_text("".join(f"{domain}: {port}\n" for domain, port in routes.items()))
    config = root / "exim.conf"
    config.write_text(_EXIM_CONFIG.format(exim=exim, root=root, user=user, host=HOST,
                                          sink=sink.server_address[1], leads=leads))
    for number, record in enumerate(records):
        lead = _lead(number, record)
        subprocess.run([exim, "-C", str(config), "-odi", "-f", f"bounce-{number}@tienda.test", "--", lead],
                       input=_message(number, lead).replace(b"\r\n", b"\n"), capture_output=True, timeout=60)
    _wait(sink, len(records))


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def _wait(sink: _Sink, count: int) -> None:
    deadline = time.monotonic() + 120
    while len(sink.got) < count and time.monotonic() < deadline:
        time.sleep(0.5)


def make(folder: Path, exim: str | None = None) -> int:
    records = [json.loads(line) for path in sorted(folder.rglob("wild.jsonl"))
               for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    # A text with no reply code (a bounce written after the message was taken) is no SMTP
    # answer to replay.
    unplayable = [r for r in records if not str(r.get("code") or "").isdigit()]
    records = [r for r in records if r not in unplayable]
    relay = "exim" if exim else "postfix"
    out = folder / "reports" / relay
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    leads, sink = _LeadsServer(records), _Sink(out)
    servers = [leads, sink]
    routes = {}
    for number, record in enumerate(records):
        if record["stage"].upper() in _BEFORE_MAIL:
            servers.append(_LeadsServer(records, refusing=record))
            routes[_lead(number, record).split("@")[1]] = servers[-1].server_address[1]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    root = Path(tempfile.mkdtemp(prefix=f"leadloop-wild-{relay}-"))
    root.chmod(0o755)
    try:
        if exim:
            _through_exim(root, records, leads.server_address[1], sink, exim, routes)
        else:
            _through_postfix(root, records, leads.server_address[1], sink, routes)
    finally:
        for server in servers:
            server.shutdown()
    rows = []
    for number, record in enumerate(records):
        if number in sink.got:
            label, owner = _label(record)
            rows.append(f"{number:04d}.eml\t{label}\t{record.get('id', '')}\t{owner}\n")
    (out / "labels.tsv").write_text("".join(rows), encoding="utf-8")
    missing = len(records) - len(sink.got)
    print(f"{out}: {len(sink.got)} reports from {len(records)} records"
          + (f", {len(unplayable)} without a reply code left out" if unplayable else "")
          + (f" ({missing} never came back: see the logs in {root})" if missing else ""))
    if not missing:
        shutil.rmtree(root, ignore_errors=True)
    return 1 if missing else 0


def main(args: list[str]) -> int:
    exim = None
    if args[:1] == ["--exim"] and len(args) > 1:
        exim, args = args[1], args[2:]
    if not args:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    return max(make(Path(folder), exim) for folder in args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
