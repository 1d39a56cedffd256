"""Who the mail is from, and where it goes (issue #27 items 6 and 9): over SMTP the
placeholder sender of example.toml is refused by check, send and run-daily (exit 2, one
sentence, nothing sent); the send prompt shows the server and the From; without [smtp]
the prompt and the summary say the messages are written to the outbox."""

import sqlite3

import pytest

NOW = "2026-03-02T10:00"
LEADS = "email,nombre\nana@tienda.es,Ana Peña\n"
REAL_SENDER = '[sender]\nname = "Laura Vidal"\naddress = "laura@lauravidal.es"\n'


def project(tmp_path, run, config: str):
    (tmp_path / "leadloop.toml").write_text(config, encoding="utf-8")
    (tmp_path / "leads.csv").write_text(LEADS, encoding="utf-8")
    result = run("--now", NOW, "import", "leads.csv")
    assert result.exit_code == 0, result.stderr


def messages(tmp_path) -> list:
    with sqlite3.connect(tmp_path / "leadloop.db") as conn:
        return conn.execute("SELECT * FROM messages").fetchall()


PLACEHOLDERS = [
    "",                                                         # the built-in sender
    '[sender]\nname = "Laura Vidal"\naddress = "info@example.com"\n',
    '[sender]\nname = "Laura Vidal"\naddress = "laura@example.org"\n',
    '[sender]\nname = "Laura Vidal"\naddress = "laura@mail.example.net"\n',
    '[sender]\nname = "leadloop"\naddress = "laura@lauravidal.es"\n',
]


@pytest.mark.parametrize("sender", PLACEHOLDERS)
@pytest.mark.parametrize("command", [["check"], ["send", "--yes"], ["run-daily"],
                                     ["survey", "send", "opinion", "--to", "active", "--yes"]])
def test_the_placeholder_sender_is_refused_over_smtp(tmp_path, run, smtp_server, sender, command):
    project(tmp_path, run, sender + f'\n[smtp]\nhost = "127.0.0.1"\nport = {smtp_server.port}\n'
                                    'security = "none"\n')
    result = run("--now", NOW, *command)
    assert result.exit_code == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert lines[0].startswith("error: leadloop.toml: [sender] is still the placeholder")
    assert "set [sender] name and address" in lines[0]
    assert smtp_server.handler.messages == [] and messages(tmp_path) == []


def test_the_placeholder_sender_writes_to_the_outbox(tmp_path, run):
    project(tmp_path, run, "")
    assert run("--now", NOW, "check").exit_code == 0
    result = run("--now", NOW, "run-daily")
    assert result.exit_code == 0, result.stderr
    assert ("send: 1 written to the outbox (no mail server configured), 0 retried later"
            in result.stdout)
    assert " sent," not in result.stdout


def test_the_send_prompt_names_the_server_and_the_from(tmp_path, run, smtp_server):
    project(tmp_path, run, REAL_SENDER + f'\n[smtp]\nhost = "127.0.0.1"\nport = {smtp_server.port}\n'
                                         'security = "none"\n')
    refused = run("--now", NOW, "send", input="n\n", env={"FORCE_COLOR": "1"})
    assert refused.exit_code == 1
    assert (f"Send 1 message(s) through 127.0.0.1:{smtp_server.port}, from Laura Vidal "
            "<laura@lauravidal.es>?") in refused.stdout
    sent = run("--now", NOW, "send", "--yes")
    assert sent.exit_code == 0 and "send: 1 sent, 0 retried later" in sent.stdout


def test_the_outbox_prompt_says_no_mail_server_is_configured(tmp_path, run):
    project(tmp_path, run, REAL_SENDER)
    refused = run("--now", NOW, "send", input="n\n", env={"FORCE_COLOR": "1"})
    assert refused.exit_code == 1
    assert "Write 1 message(s) to the outbox folder outbox (no mail server configured)?" in refused.stdout
    assert "outbox outbox" not in refused.stdout
