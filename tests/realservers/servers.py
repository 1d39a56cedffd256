"""Debian's Postfix and Dovecot, configured from scratch in a temporary directory and run
for the length of a test session: the servers leadloop's users really log in to.

- Dovecot IMAP on 127.0.0.2: a plain-text port with STARTTLS and an implicit-TLS port,
  `disable_plaintext_auth = yes` (its default), users from a passwd-file. Dovecot trusts
  a connection whose local and remote addresses are equal (127.0.0.1 to 127.0.0.1) as
  if it were secure; listening on 127.0.0.2 (still the loopback interface, reached from
  127.0.0.1) makes it treat leadloop as it treats a client on the network, so it
  advertises LOGINDISABLED until STARTTLS.
- Postfix on 127.0.0.1: a submission port that requires STARTTLS and offers AUTH only
  after it (smtpd_tls_security_level = encrypt, smtpd_tls_auth_only), and an implicit-TLS
  submissions port; SASL through Dovecot's auth socket, the usual pairing; what it
  accepts is relayed to an aiosmtpd sink on 127.0.0.1, so a test sees what went out.
- Certificates from the tests' private CA (trustme); leadloop trusts it via ca_file.
- OAuth2 (XOAUTH2, OAUTHBEARER) for both, through Dovecot's oauth2 passdb, which asks a
  token endpoint whether a bearer token is valid (RFC 7662 introspection, POST). The
  endpoint is `TokenEndpoint`, on 127.0.0.1 in the test process: it answers for the
  tokens a test issued, as a provider's would. Passwords still go to the passwd-file.

Nothing is installed or changed outside the temporary directory: the servers run with
`-c` configuration paths, not /etc, and are stopped (and their directory removed) when
the session ends. Both need root (Postfix's master and Dovecot's login chroots).
`tests/realservers/setup.sh` installs the packages.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

POSTFIX = "/usr/sbin/postfix"
DOVECOT = "/usr/sbin/dovecot"
USER = "marketer@example.com"
PASSWORD = "imap-Pässwort!"  # not ASCII: SASL PLAIN and AUTHENTICATE PLAIN carry UTF-8
IMAP_HOST = "127.0.0.2"
SMTP_HOST = "127.0.0.1"
START_DEADLINE = 60  # seconds for a server to start listening


def missing() -> str | None:
    """Why the real servers cannot run here, or None."""
    absent = [path for path in (POSTFIX, DOVECOT) if not os.access(path, os.X_OK)]
    if absent:
        return (f"{' and '.join(absent)} not installed: run `sudo bash tests/realservers/setup.sh` "
                "to install Debian's postfix and dovecot-imapd")
    if os.geteuid() != 0:
        return "Postfix and Dovecot need root to start (run the real-server tests as root)"
    for user in ("postfix", "dovecot", "dovenull", "nobody"):
        try:
            pwd.getpwnam(user)
        except KeyError:
            return f"user {user} is missing: reinstall with tests/realservers/setup.sh"
    return None


def free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def wait_listening(host: str, port: int, process: subprocess.Popen | None, log: Path) -> None:
    deadline = time.monotonic() + START_DEADLINE
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            # (A server that fails before it logs says why on stderr: the .err beside.)
            raise RuntimeError(f"server exited with {process.returncode}: {_tail(log)} "
                               f"{_tail(log.with_suffix('.err'))}")
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {host}:{port} after {START_DEADLINE} s: {_tail(log)}")


def _tail(path: Path) -> str:
    try:
        return " | ".join(path.read_text(errors="replace").splitlines()[-8:])
    except OSError:
        return "(no log)"


class TokenEndpoint:
    """RFC 7662 token introspection for Dovecot: POST token=… → {"active": true,
    "username": …} for a token in `valid`, {"active": false} for any other."""

    def __init__(self, user: str = USER):
        self.valid: set[str] = set()
        self.asked: list[str] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode("ascii", "replace"))
                token = (form.get("token") or [""])[0]
                endpoint.asked.append(token)
                answer = {"active": True, "username": user} if token in endpoint.valid else {"active": False}
                body = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # no access log on the test's stderr
                pass

        self.server = ThreadingHTTPServer((SMTP_HOST, 0), Handler)
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(10)


class RealServers:
    def __init__(self, certificate_authority, sink_port: int):
        self.root = Path(tempfile.mkdtemp(prefix="leadloop-realservers-"))
        # Postfix's smtpd (user postfix) reaches Dovecot's auth socket in here, and
        # Dovecot's processes (dovenull, nobody) their own directories.
        self.root.chmod(0o755)
        self.sink_port = sink_port
        self.imap_port = free_port(IMAP_HOST)
        self.imaps_port = free_port(IMAP_HOST)
        self.submission_port = free_port(SMTP_HOST)
        self.submissions_port = free_port(SMTP_HOST)
        # Ports where Postfix itself refuses the sender (issue #23): relaying for a client
        # that did not log in, a sender the login does not own, a message over the limit.
        self.relay_port = free_port(SMTP_HOST)
        self.login_mismatch_port = free_port(SMTP_HOST)
        self.size_port = free_port(SMTP_HOST)
        self.ca_file = self.root / "ca.pem"
        self.tokens = TokenEndpoint()
        self.dovecot: subprocess.Popen | None = None
        self.postfix: subprocess.Popen | None = None
        self._certificates(certificate_authority)
        self._configure_dovecot()
        self._configure_postfix()

    # -- configuration ------------------------------------------------------------------

    def _certificates(self, certificate_authority) -> None:
        certificate = certificate_authority.issue_cert(IMAP_HOST, SMTP_HOST, "localhost")
        certificate.private_key_pem.write_to_path(str(self.root / "server.key"))
        certificate.cert_chain_pems[0].write_to_path(str(self.root / "server.pem"))
        (self.root / "server.key").chmod(0o600)
        certificate_authority.cert_pem.write_to_path(str(self.ca_file))

    def _configure_dovecot(self) -> None:
        root = self.root
        home = root / "home" / USER
        home.mkdir(parents=True)
        nobody = pwd.getpwnam("nobody")
        os.chown(home, nobody.pw_uid, nobody.pw_gid)
        (root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n", encoding="utf-8")
        (root / "dovecot.conf").write_text(f"""\
base_dir = {root}/dovecot
state_dir = {root}/dovecot-state
log_path = {root}/dovecot.log
protocols = imap
listen = {IMAP_HOST}
ssl = yes
ssl_cert = <{root}/server.pem
ssl_key = <{root}/server.key
disable_plaintext_auth = yes
auth_mechanisms = plain login xoauth2 oauthbearer
auth_failure_delay = 0
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {root}/dovecot-oauth2.conf.ext
}}
passdb {{
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={root}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    address = {IMAP_HOST}
    port = {self.imap_port}
  }}
  inet_listener imaps {{
    address = {IMAP_HOST}
    port = {self.imaps_port}
    ssl = yes
  }}
}}
service auth {{
  unix_listener auth-postfix {{
    mode = 0600
    user = postfix
  }}
}}
""", encoding="utf-8")

        (root / "dovecot-oauth2.conf.ext").write_text(f"""\
introspection_mode = post
introspection_url = http://{SMTP_HOST}:{self.tokens.port}/introspect
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
""", encoding="utf-8")

    def _configure_postfix(self) -> None:
        root = self.root
        config = root / "postfix"
        config.mkdir()
        (root / "postfix-spool").mkdir()
        (root / "postfix-data").mkdir()
        postfix_user = pwd.getpwnam("postfix")
        os.chown(root / "postfix-data", postfix_user.pw_uid, postfix_user.pw_gid)
        (config / "main.cf").write_text(f"""\
compatibility_level = 3.6
queue_directory = {root}/postfix-spool
data_directory = {root}/postfix-data
maillog_file = {root}/postfix.log
maillog_file_prefixes = {root}
myhostname = mail.leadloop.test
mydomain = leadloop.test
mydestination =
inet_interfaces = {SMTP_HOST}
inet_protocols = ipv4
relayhost = [{SMTP_HOST}]:{self.sink_port}
smtp_dns_support_level = disabled
smtp_tls_security_level = none
alias_maps =
alias_database =
local_recipient_maps =
biff = no
smtpd_tls_cert_file = {root}/server.pem
smtpd_tls_key_file = {root}/server.key
smtpd_sasl_type = dovecot
smtpd_sasl_path = {root}/dovecot/auth-postfix
smtpd_sasl_auth_enable = yes
smtpd_relay_restrictions = permit_sasl_authenticated, reject
smtpd_recipient_restrictions = permit_sasl_authenticated, reject
""", encoding="utf-8")
        services = "\n".join(f"{name:<10} unix  {private}  -  n  {wakeup}  {limit}  {command}" for
                             name, private, wakeup, limit, command in [
            ("pickup", "n", "60", "1", "pickup"), ("cleanup", "n", "-", "0", "cleanup"),
            ("qmgr", "n", "300", "1", "qmgr"), ("tlsmgr", "-", "1000?", "1", "tlsmgr"),
            ("rewrite", "-", "-", "-", "trivial-rewrite"), ("bounce", "-", "-", "0", "bounce"),
            ("defer", "-", "-", "0", "bounce"), ("trace", "-", "-", "0", "bounce"),
            ("verify", "-", "-", "1", "verify"), ("flush", "n", "1000?", "0", "flush"),
            ("proxymap", "-", "-", "-", "proxymap"), ("proxywrite", "-", "-", "1", "proxymap"),
            ("smtp", "-", "-", "-", "smtp"), ("relay", "-", "-", "-", "smtp"),
            ("showq", "n", "-", "-", "showq"), ("error", "-", "-", "-", "error"),
            ("retry", "-", "-", "-", "error"), ("discard", "-", "-", "-", "discard"),
            ("local", "n", "-", "-", "local"), ("virtual", "n", "-", "-", "virtual"),
            ("lmtp", "-", "-", "-", "lmtp"), ("anvil", "-", "-", "1", "anvil"),
            ("scache", "-", "-", "1", "scache")])
        (config / "master.cf").write_text(f"""\
{SMTP_HOST}:{self.submission_port} inet n - n - - smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_tls_auth_only=yes
{SMTP_HOST}:{self.submissions_port} inet n - n - - smtpd
  -o syslog_name=postfix/submissions
  -o smtpd_tls_wrappermode=yes
{SMTP_HOST}:{self.relay_port} inet n - n - - smtpd
  -o syslog_name=postfix/relay
  -o smtpd_sasl_auth_enable=no
  -o mynetworks=192.0.2.1/32
  -o smtpd_relay_restrictions=permit_mynetworks,reject_unauth_destination
  -o smtpd_recipient_restrictions=
{SMTP_HOST}:{self.login_mismatch_port} inet n - n - - smtpd
  -o syslog_name=postfix/mismatch
  -o smtpd_tls_security_level=encrypt
  -o smtpd_tls_auth_only=yes
  -o smtpd_sender_login_maps=static:someone.else@example.com
  -o smtpd_sender_restrictions=reject_sender_login_mismatch
{SMTP_HOST}:{self.size_port} inet n - n - - smtpd
  -o syslog_name=postfix/size
  -o smtpd_tls_security_level=encrypt
  -o smtpd_tls_auth_only=yes
  -o message_size_limit=1024
{services}
postlog    unix-dgram n  -  n  -  1  postlogd
""", encoding="utf-8")

    # -- life -----------------------------------------------------------------------------

    def start(self) -> None:
        try:
            self.dovecot = subprocess.Popen(
                [DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
                stdout=subprocess.DEVNULL, stderr=open(self.root / "dovecot.err", "wb"))
            wait_listening(IMAP_HOST, self.imap_port, self.dovecot, self.root / "dovecot.log")
            wait_listening(IMAP_HOST, self.imaps_port, self.dovecot, self.root / "dovecot.log")
            # start-fg keeps Postfix's master under this process, so it is reaped here.
            self.postfix = subprocess.Popen(
                [POSTFIX, "-c", str(self.root / "postfix"), "start-fg"],
                stdout=subprocess.DEVNULL, stderr=open(self.root / "postfix.err", "wb"))
            wait_listening(SMTP_HOST, self.submission_port, self.postfix, self.root / "postfix.log")
            wait_listening(SMTP_HOST, self.submissions_port, self.postfix, self.root / "postfix.log")
            for port in (self.relay_port, self.login_mismatch_port, self.size_port):
                wait_listening(SMTP_HOST, port, self.postfix, self.root / "postfix.log")
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self.postfix is not None:
            subprocess.run([POSTFIX, "-c", str(self.root / "postfix"), "stop"],
                           capture_output=True, timeout=60)
            _end(self.postfix)
            self.postfix = None
        if self.dovecot is not None:
            self.dovecot.terminate()  # Dovecot's master stops its children on SIGTERM
            _end(self.dovecot)
            self.dovecot = None
        self.tokens.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    # -- what the tests look at ------------------------------------------------------------

    def dovecot_log(self) -> str:
        return (self.root / "dovecot.log").read_text(errors="replace")

    def postfix_log(self) -> str:
        return (self.root / "postfix.log").read_text(errors="replace")


def _end(process: subprocess.Popen) -> None:
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=30)
