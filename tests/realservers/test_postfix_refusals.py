"""Postfix itself refusing the sender (issue #23): relay denied, a sender the login does
not own (smtpd_sender_login_maps with reject_sender_login_mismatch), a message over
message_size_limit. Each is the sender's problem: no lead is charged, the run stops at
the first message with one sentence, and once leadloop is pointed at a port that takes
its mail, every information pack goes exactly once. Marked `realservers` (see
test_real_servers.py for the servers and when they are skipped)."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from cli_process import leadloop, one_sentence
from servers import USER
from test_real_servers import ENV, LEADS, NOW, configure, relayed, real_servers, servers  # noqa: F401

pytestmark = pytest.mark.realservers


def cli(tmp_path, *args):
    return leadloop(*args, env=ENV, cwd=tmp_path)


@pytest.mark.parametrize("port, security, username, words", [
    ("relay_port", "none", "", "Relay access denied"),
    ("login_mismatch_port", "starttls", USER, f"Sender address rejected: not owned by user {USER}"),
    ("size_port", "starttls", USER, "552 5.3.4 Error: message file too big"),
])
def test_postfix_refusing_the_sender_charges_no_lead(tmp_path, servers, port, security, username,  # noqa: F811
                                                     words):
    configure(tmp_path, servers, smtp=(security, getattr(servers, port)))
    config = tmp_path / "leadloop.toml"
    if not username:
        config.write_text(config.read_text().replace(f'username = "{USER}"', 'username = ""'))
    result = cli(tmp_path, "--now", NOW, "run-daily")
    assert result.returncode == 1, result.stdout
    sentence = one_sentence(result)
    assert words in sentence and "refuses mail from lauravidal.es" in sentence
    assert "no lead was charged" in sentence
    assert "2 wait because of the sender" in result.stdout
    leads = json.loads(cli(tmp_path, "leads", "--json").stdout)
    assert [(lead["status"], lead["contacts"]) for lead in leads] == [("active", 0)] * 2
    assert len(json.loads(cli(tmp_path, "--now", NOW, "due", "--json").stdout)) == 2
    # "Fixed": the submission port with a login, as the sentence asks.
    config.write_text(config.read_text()
                      .replace(f"port = {getattr(servers, port)}", f"port = {servers.submission_port}")
                      .replace('security = "none"', 'security = "starttls"')
                      .replace('username = ""', f'username = "{USER}"'))
    fixed = cli(tmp_path, "--now", NOW, "run-daily")
    assert fixed.returncode == 0, fixed.stderr
    received = relayed(servers, 2)
    assert Counter(m.rcpt_tos[0] for m in received) == Counter(
        {"ana.pena@example.org": 1, "tom@example.net": 1})
    assert cli(tmp_path, "--now", NOW, "run-daily").returncode == 0
    assert len(relayed(servers, 2)) == 2
