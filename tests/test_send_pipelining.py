"""The SMTP conversation of `send` (BENCH.md B3): PIPELINING where the server offers it
(RFC 2920), and the order that keeps sending at most once (SPEC §6) — a message's row is
`sending`, committed, before its DATA command, and a message withdrawn before DATA is
never delivered. Against aiosmtpd on 127.0.0.1 (conftest.RecordingHandler), offering
PIPELINING or not; the refusals judged per command in both ways are in test_delivery.py."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest

from test_delivery import NOW, due_count, import_leads, states, write_project


@pytest.fixture(params=[False, True], ids=["one-by-one", "pipelining"])
def server(request, smtp_server):
    smtp_server.pipelining = request.param
    return smtp_server


def test_commands_go_together_only_where_the_server_offers_pipelining(tmp_path, run, server):
    write_project(tmp_path, server, leads=4)
    import_leads(run)
    result = run("--now", NOW, "send", "--yes")
    assert result.exit_code == 0, result.stderr
    assert "4 sent" in result.stdout
    assert sorted(server.recipients()) == [f"lead{n:03d}@example.com" for n in range(4)]
    # RFC 2920: MAIL and RCPT in one write where PIPELINING is offered; never otherwise
    # (RFC 5321 §4.1.1: a client without it waits for each reply).
    assert server.pipelined == [server.pipelining] * 4
    assert all(states(run, f"lead{n:03d}@example.com") == ["sent"] for n in range(4))


def test_pipelined_messages_with_accents_and_attachments_arrive_whole(tmp_path, run, smtp_pipelining_server):
    server = smtp_pipelining_server
    write_project(tmp_path, server, leads=0)
    (tmp_path / "leads.csv").write_text(
        "email,name,product,requested_at\n"
        "ana@example.com,Ana Peña Núñez,Curso,01/03/2026\n"
        "josé@example.com,José Muñoz,Curso,01/03/2026\n", encoding="utf-8")
    templates = tmp_path / "templates" / "es"
    templates.mkdir(parents=True)
    (templates / "info.txt").write_text(
        "Subject: La información que me pidió sobre {{ product }}, {{ name }}\n"
        "Attachment: folleto.pdf\n\n"
        "Hola {{ first_name }}:\n.\n..una línea que empieza con un punto\n", encoding="utf-8")
    (tmp_path / "templates" / "folleto.pdf").write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 40)
    import_leads(run)
    result = run("--now", NOW, "send", "--yes")
    assert result.exit_code == 0, result.stderr
    assert server.pipelined == [True, True]
    by_recipient = {m.rcpt_tos[0]: m for m in server.messages}
    assert set(by_recipient) == {"ana@example.com", "josé@example.com"}
    # SMTPUTF8 for the Unicode local part, as without pipelining (RFC 6531 §3.4).
    assert "SMTPUTF8" in by_recipient["josé@example.com"].mail_options
    message = by_recipient["ana@example.com"].message
    assert str(message["Subject"]) == "La información que me pidió sobre Curso, Ana Peña Núñez"
    text, brochure = [part for part in message.walk() if not part.is_multipart()]
    assert text.get_content().replace("\r\n", "\n") == "Hola Ana:\n.\n..una línea que empieza con un punto\n"
    assert brochure.get_payload(decode=True) == b"%PDF-1.4\n" + bytes(range(256)) * 40


def _mark_second_lead_after_the_first(tmp_path, now_text):
    """on_progress for send_due: after the first message, another process marks lead001
    a customer, as `leadloop mark` would while the batch runs."""
    from leadloop.clock import parse_instant
    from leadloop.config import load_config
    from leadloop.store import Store

    config = load_config(tmp_path / "leadloop.toml")
    now = parse_instant(now_text, "Europe/Madrid")

    def on_progress(done, total):
        if done == 1:
            other = Store.open(tmp_path / "leadloop.db", config.cadence)
            try:
                other.set_status(other.lead("lead001@example.com"), "customer", now)
            finally:
                other.close()
    return config, now, on_progress


def test_a_lead_marked_during_the_batch_gets_no_data_and_the_others_go(tmp_path, run, server):
    """The claim was taken before the lead was marked; the `sending` mark, asked for once
    MAIL is on the wire, finds it gone: the transaction is reset without DATA, and the
    next message goes on the same connection."""
    from leadloop.runner import send_due
    from leadloop.store import Store

    write_project(tmp_path, server, leads=3)
    import_leads(run)
    config, now, on_progress = _mark_second_lead_after_the_first(tmp_path, NOW)
    store = Store.open(tmp_path / "leadloop.db", config.cadence)
    try:
        report = send_due(store, config, lambda: now, on_progress=on_progress)
    finally:
        store.close()
    assert (report.sent, report.cancelled, report.unknown) == (2, 1, 0)
    assert server.recipients() == ["lead000@example.com", "lead002@example.com"]
    assert states(run, "lead001@example.com") == []
    assert json.loads(run("show", "lead001@example.com", "--json").stdout)["status"] == "customer"


def _leadloop(*args, cwd):
    return subprocess.Popen([sys.executable, "-m", "leadloop", *args], cwd=cwd,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_killed_between_the_sending_mark_and_data_the_message_is_unknown_never_resent(
        tmp_path, run, server):
    """SPEC §6: once the row is `sending` the server may get the message, so a run killed
    then leaves it `unknown`, never sent again; here the kill lands while the server holds
    its reply to MAIL, after the mark and before DATA."""
    write_project(tmp_path, server, leads=2)
    import_leads(run)
    hold = threading.Event()
    server.hold_mail = hold
    victim = _leadloop("--now", NOW, "send", "--yes", cwd=tmp_path)
    try:
        assert server.mail_held.wait(60), "the send never reached MAIL"
        for _ in range(3000):  # the mark is committed while the server reads MAIL
            if states(run, "lead000@example.com") == ["sending"]:
                break
            time.sleep(0.01)
        assert states(run, "lead000@example.com") == ["sending"]
        victim.send_signal(signal.SIGKILL)
        victim.communicate(timeout=30)
    finally:
        hold.set()
        if victim.poll() is None:
            victim.kill()
            victim.communicate()
    assert server.count == 0  # no DATA went
    server.hold_mail = None
    assert states(run, "lead000@example.com") == ["unknown"]
    result = run("--now", NOW, "send", "--yes")
    assert result.exit_code == 0, result.stderr
    assert server.recipients() == ["lead001@example.com"]
    assert due_count(run) == 0
    assert Counter(states(run, "lead000@example.com")) == Counter(["unknown"])


class _LenientServer:
    """A raw SMTP server on 127.0.0.1 that offers PIPELINING and answers DATA with 354
    even when it refused every recipient: RFC 2920 §3.1 warns that a server may, and
    asks the client to end such a DATA with a lone dot. aiosmtpd answers 503 instead, so
    this case needs a server of its own. `contents[i]` is what came between 354 and the
    dot of transaction i, with its accepted recipients."""

    def __init__(self, refused: set[str]):
        import asyncio

        self.refused, self.contents = refused, []
        self.loop = asyncio.new_event_loop()
        started = threading.Event()

        async def serve():
            self.server = await asyncio.start_server(self._session, "127.0.0.1", 0)
            self.port = self.server.sockets[0].getsockname()[1]
            started.set()
            try:
                await self.server.serve_forever()
            except asyncio.CancelledError:  # stop()
                pass

        self.thread = threading.Thread(target=lambda: self.loop.run_until_complete(serve()),
                                       daemon=True)
        self.thread.start()
        assert started.wait(10)
        self.host = "127.0.0.1"

    async def _session(self, reader, writer):
        writer.write(b"220 lenient.test ESMTP\r\n")
        accepted = []
        while line := await reader.readline():
            verb = line[:4].upper()
            if verb == b"EHLO":
                writer.write(b"250-lenient.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
            elif verb == b"RCPT":
                address = line.decode().split("<", 1)[1].split(">", 1)[0]
                if address in self.refused:
                    writer.write(b"550 5.1.1 <" + address.encode() + b">: user unknown\r\n")
                else:
                    accepted.append(address)
                    writer.write(b"250 OK\r\n")
            elif verb == b"DATA":
                writer.write(b"354 go ahead\r\n")
                content = b""
                while (data := await reader.readline()) not in (b".\r\n", b""):
                    content += data
                self.contents.append((list(accepted), content))
                writer.write(b"250 OK\r\n" if accepted else b"554 5.5.1 no valid recipients\r\n")
                accepted = []
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                break
            else:  # MAIL, RSET, NOOP
                if verb == b"RSET":
                    accepted = []
                writer.write(b"250 OK\r\n")
            await writer.drain()
        writer.close()

    def stop(self):
        self.loop.call_soon_threadsafe(self.server.close)
        self.thread.join(10)


def test_data_accepted_after_a_refused_recipient_gets_a_lone_dot_and_the_refusal_is_rcpts(tmp_path, run):
    """RFC 2920 §3.1: pipelined, a server may take DATA though it refused the only
    recipient; the client ends it with a lone dot (nothing delivered), and the refusal
    judged is RCPT's: a dead address bounces the lead; the next message goes on."""
    server = _LenientServer({"lead000@example.com"})
    try:
        write_project(tmp_path, server, leads=2)
        import_leads(run)
        result = run("--now", NOW, "send", "--yes")
    finally:
        server.stop()
    assert result.exit_code == 0, result.stderr
    assert "1 sent" in result.stdout and "1 bounced" in result.stdout
    assert [accepted for accepted, _ in server.contents] == [[], ["lead001@example.com"]]
    assert server.contents[0][1] == b""  # the lone dot: no content went with the refusal
    assert b"Subject:" in server.contents[1][1]
    assert states(run, "lead000@example.com") == ["bounced"]
    shown = json.loads(run("show", "lead000@example.com", "--json").stdout)
    assert shown["status"] == "bounced" and shown["messages"][0]["owner"] == "address"
    assert states(run, "lead001@example.com") == ["sent"]
