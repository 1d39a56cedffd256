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
