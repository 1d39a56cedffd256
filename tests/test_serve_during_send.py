"""Speed to lead while a batch runs (issue #28 item 4): `leadloop serve` sends an
inquiry's info pack while a batch `send` is under way, each message once, within one
daily_limit, and a kill -9 of either leaves the other's rows alone (runlock.py). Real
processes on 127.0.0.1: serve, `leadloop send`, aiosmtpd, one SQLite file. Order is read
from the SMTP server's record and the database, never from the clock."""

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections import Counter

import pytest
from cli_checks import import_csv
from web_server import WebServer, wait_for, write_project

NOW = "2026-03-02T10:00"  # a Monday morning in Madrid: the send window is open
BATCH = [f"lead{n:02d}@example.com" for n in range(30)]
HELD = "lead10@example.com"  # the batch's message the SMTP server holds mid-DATA


@pytest.fixture
def project(tmp_path, smtp_server, run):
    write_project(tmp_path, smtp_server, cadence="daily_limit = 1000\n")
    import_csv(run, tmp_path, "email,fecha\n" + "".join(f"{a},01/03/2026\n" for a in BATCH))
    servers = []

    def serve():
        server = WebServer(tmp_path, now=NOW).start()
        servers.append(server)
        return server

    yield serve
    for server in servers:
        server.stop()


def start_send(tmp_path):
    return subprocess.Popen([sys.executable, "-m", "leadloop", "--now", NOW, "send", "--yes"],
                            cwd=tmp_path, env={**os.environ, "PYTHONUNBUFFERED": "1"},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def message_states(tmp_path, address):
    """Straight from the file: no command that might settle abandoned rows."""
    with sqlite3.connect(tmp_path / "leadloop.db") as conn:
        return [row[0] for row in conn.execute(
            "SELECT messages.state FROM messages JOIN leads ON leads.id = messages.lead_id "
            "WHERE leads.email = ? ORDER BY messages.id", (address,))]


def delivered(smtp_server, address):
    return address in smtp_server.recipients()


def test_an_inquiry_during_a_long_send_is_delivered_before_the_send_ends(
        project, smtp_server, tmp_path):
    server = project()
    hold = threading.Event()
    smtp_server.hold_data = {HELD: hold}
    batch = start_send(tmp_path)
    try:
        assert smtp_server.data_held.wait(60), "the batch never reached its held message"
        assert server.post_json({"email": "web@example.com"}).status == 201
        wait_for(lambda: delivered(smtp_server, "web@example.com"), what="the info pack")
        # The batch has not ended: it is still waiting for the server's answer to HELD,
        # whose row serve's run left in flight.
        assert batch.poll() is None
        assert message_states(tmp_path, HELD) == ["sending"]
    finally:
        hold.set()
    out, err = batch.communicate(timeout=120)
    assert batch.returncode == 0, err
    order = smtp_server.recipients()
    assert Counter(order) == Counter(BATCH + ["web@example.com"])  # each exactly once
    assert order.index("web@example.com") < order.index(BATCH[-1])
    wait_for(lambda: message_states(tmp_path, "web@example.com") == ["sent"], what="serve's record")


def test_a_batch_killed_mid_send_is_recovered_by_serve_and_serve_goes_on(
        project, smtp_server, tmp_path, run):
    server = project()
    hold = threading.Event()
    smtp_server.hold_data = {HELD: hold}
    batch = start_send(tmp_path)
    try:
        assert smtp_server.data_held.wait(60), "the batch never reached its held message"
        wait_for(lambda: message_states(tmp_path, BATCH[9]) == ["sent"], what="the batch's records")
        batch.send_signal(signal.SIGKILL)
        batch.communicate(timeout=30)
    finally:
        hold.set()
    assert server.post_json({"email": "web@example.com"}).status == 201
    wait_for(lambda: message_states(tmp_path, "web@example.com") == ["sent"], what="the info pack")
    # serve's run found no live run beside it: the dead batch's rows are settled, the one
    # in the server's hands `unknown`, the claimed ones given back.
    assert message_states(tmp_path, HELD) == ["unknown"]
    assert message_states(tmp_path, BATCH[-1]) == []
    result = run("--now", NOW, "send", "--yes")
    assert result.exit_code == 0, result.stderr
    assert Counter(smtp_server.recipients()) == Counter(BATCH + ["web@example.com"])


def test_serve_killed_mid_info_pack_leaves_the_batch_alone_and_reads_unknown(
        project, smtp_server, tmp_path, run):
    server = project()
    hold = threading.Event()
    smtp_server.hold_data = {"web@example.com": hold}
    try:
        assert server.post_json({"email": "web@example.com"}).status == 201
        assert smtp_server.data_held.wait(60), "serve never reached the info pack's DATA"
        # While serve lives, a batch sends everything else and leaves serve's row alone.
        result = run("--now", NOW, "send", "--yes")
        assert result.exit_code == 0, result.stderr
        assert sorted(smtp_server.recipients()) == sorted(BATCH + ["web@example.com"])
        assert message_states(tmp_path, "web@example.com") == ["sending"]
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=30)
    finally:
        hold.set()
    shown = run("--now", NOW, "show", "web@example.com", "--json")
    assert shown.exit_code == 0
    assert message_states(tmp_path, "web@example.com") == ["unknown"]
    assert run("--now", NOW, "send", "--yes").exit_code == 0
    assert Counter(smtp_server.recipients()) == Counter(BATCH + ["web@example.com"])
