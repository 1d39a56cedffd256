"""Debian's NSD, an authoritative DNS server nobody on this project wrote, run for the
DNS tests on 127.0.0.1 and a free port from a temporary directory: leadloop reaches it
through LEADLOOP_DNS_SERVERS, as a user on a split-horizon network would reach hers.

Zones are plain zone files (RFC 1035 §5). `publish(zone, records)` rewrites one with a
higher SOA serial and sends NSD SIGHUP, which rereads changed zone files, then waits
until NSD serves the new serial: "publish the fix" in a test is what it is for a user.
NSD needs no root when it keeps the user it was started by (`username: ""`).
`tests/dnsserver/setup.sh` installs it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

NSD = shutil.which("nsd") or "/usr/sbin/nsd"
HOST = "127.0.0.1"
START_DEADLINE = 30  # seconds


def missing() -> str | None:
    """Why NSD cannot run here, or None."""
    if not os.access(NSD, os.X_OK):
        return "nsd not installed: run `sudo bash tests/dnsserver/setup.sh` to install Debian's nsd"
    return None


def started(directory: Path, zones: dict[str, str]) -> "Nsd":
    """A running server for a test module's fixture; where NSD is missing the module is
    skipped with the reason, or fails under LEADLOOP_DNS=required (as .ci/run sets), so
    that the tier cannot vanish unnoticed."""
    import pytest

    reason = missing()
    if reason:
        if os.environ.get("LEADLOOP_DNS") == "required":
            pytest.fail(f"LEADLOOP_DNS=required, but {reason}")
        pytest.skip(reason)
    server = Nsd(directory, zones)
    server.start()
    return server


def free_port() -> int:
    # UDP and TCP both: NSD listens on each.
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind((HOST, 0))
            port = udp.getsockname()[1]
            with socket.socket() as tcp:
                try:
                    tcp.bind((HOST, port))
                except OSError:
                    continue
        return port


class Nsd:
    def __init__(self, directory: Path, zones: dict[str, str]):
        self.directory = Path(directory)
        self.port = free_port()
        self.serials = {zone: 1 for zone in zones}
        self.process: subprocess.Popen | None = None
        for zone, records in zones.items():
            self._write(zone, records)
        config = [
            "server:",
            f"  ip-address: {HOST}", f"  port: {self.port}", '  username: ""', '  chroot: ""',
            f'  zonesdir: "{self.directory}"', f'  pidfile: "{self.directory}/nsd.pid"',
            '  database: ""', f'  zonelistfile: "{self.directory}/zone.list"',
            f'  xfrdfile: "{self.directory}/xfrd.state"', f'  xfrdir: "{self.directory}"',
            f'  logfile: "{self.directory}/nsd.log"', "  server-count: 1", "  verbosity: 1",
            "  reuseport: no", "remote-control:", "  control-enable: no",
        ]
        for zone in zones:
            config += ["zone:", f"  name: {zone}", f"  zonefile: {zone}.zone"]
        self.config = self.directory / "nsd.conf"
        self.config.write_text("\n".join(config) + "\n")

    @property
    def servers(self) -> str:
        """The value of LEADLOOP_DNS_SERVERS that reaches this server."""
        return f"{HOST}:{self.port}"

    def _write(self, zone: str, records: str) -> None:
        head = (f"$ORIGIN {zone}.\n$TTL 60\n"
                f"@ IN SOA ns1.{zone}. hostmaster.{zone}. {self.serials[zone]} 3600 600 86400 60\n"
                f"@ IN NS ns1.{zone}.\n")
        (self.directory / f"{zone}.zone").write_text(head + records.strip() + "\n")

    def start(self) -> None:
        log = self.directory / "run.log"
        self.process = subprocess.Popen([NSD, "-d", "-c", str(self.config)], stdout=log.open("w"),
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        for zone in self.serials:
            self._wait_serial(zone)

    def publish(self, zone: str, records: str) -> None:
        """Replace the zone's records, as a user does in her provider's DNS panel."""
        self.serials[zone] += 1
        self._write(zone, records)
        self.process.send_signal(signal.SIGHUP)
        self._wait_serial(zone)

    def _wait_serial(self, zone: str) -> None:
        import dns.message
        import dns.query

        deadline = time.monotonic() + START_DEADLINE
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nsd exited with {self.process.returncode}: "
                                   f"{(self.directory / 'run.log').read_text()[-2000:]}"
                                   f"{self._log()}")
            try:
                answer = dns.query.udp(dns.message.make_query(zone, "SOA"), HOST, timeout=0.5,
                                       port=self.port)
                if answer.answer and answer.answer[0][0].serial == self.serials[zone]:
                    return
            except Exception:  # not listening yet, or still loading
                pass
            time.sleep(0.05)
        raise RuntimeError(f"nsd did not serve {zone} serial {self.serials[zone]}: {self._log()}")

    def _log(self) -> str:
        path = self.directory / "nsd.log"
        return path.read_text()[-2000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
