"""The walking skeleton, end to end through the CLI: CSV → info pack → follow-up,
against a real SMTP server on 127.0.0.1 and a real SQLite file."""

import json
from datetime import datetime

import pytest

from leadloop.clock import zone

MADRID = zone("Europe/Madrid")

LEADS_CSV = """email,name,product,source,requested_at
jose.munoz@example.com,José Muñoz,Curso de fotografía,Anuncio Facebook,01/03/2026 18:30
ana.pena@example.org,Ana Peña,Taller de acuarela,Web,02/03/2026 08:15
tom@example.net,Tom Baker,Consultoría de marca,Boletín,2026-02-28
"""


@pytest.fixture
def project(tmp_path, smtp_server, run):
    """A directory with a config pointing at the test SMTP server and three leads."""
    (tmp_path / "leadloop.toml").write_text(
        '[sender]\nname = "Laura Vidal"\naddress = "laura@lauravidal.es"\n'
        'contact = "ofertas@example.com"\n\n'
        f'[smtp]\nhost = "{smtp_server.host}"\nport = {smtp_server.port}\nsecurity = "none"\n',
        encoding="utf-8",
    )
    (tmp_path / "leads.csv").write_text(LEADS_CSV, encoding="utf-8")
    result = run("import", "leads.csv")
    assert result.exit_code == 0, result.stderr
    assert "3 new" in result.stdout
    return tmp_path


def test_run_daily_delivers_three_info_packs(project, smtp_server, run):
    result = run("--now", "2026-03-02T10:00", "run-daily")
    assert result.exit_code == 0, result.stderr
    assert "3 sent" in result.stdout
    assert smtp_server.count == 3
    by_recipient = {m.rcpt_tos[0]: m for m in smtp_server.messages}
    assert set(by_recipient) == {"jose.munoz@example.com", "ana.pena@example.org", "tom@example.net"}
    jose = by_recipient["jose.munoz@example.com"].message
    assert jose["From"].addresses[0].addr_spec == "laura@lauravidal.es"
    assert jose["To"].addresses[0].display_name == "José Muñoz"
    assert jose["Subject"]
    assert jose["Date"].datetime is not None
    assert jose["List-Unsubscribe"].startswith("<mailto:")
    body = jose.get_body(("plain",)).get_content()
    assert "Curso de fotografía" in body and "información" in body
    assert str(jose["Subject"]) == "La información que me pidió sobre Curso de fotografía"
    message_ids = {m.message["Message-ID"] for m in smtp_server.messages}
    assert len(message_ids) == 3 and all(mid.endswith("@lauravidal.es>") for mid in message_ids)


def test_second_run_with_the_same_clock_sends_nothing(project, smtp_server, run):
    assert run("--now", "2026-03-02T10:00", "run-daily").exit_code == 0
    again = run("--now", "2026-03-02T10:00", "run-daily")
    assert again.exit_code == 0
    assert "0 sent" in again.stdout
    assert smtp_server.count == 3


def test_followup_comes_two_to_three_months_after_the_info_pack(project, smtp_server, run):
    assert run("--now", "2026-03-02T10:00", "run-daily").exit_code == 0
    smtp_server.clear()
    assert json.loads(run("--now", "2026-04-01", "due", "--json").stdout) == []
    followups = {}
    day = datetime(2026, 5, 1, 10, 0)
    while day < datetime(2026, 6, 10) and len(followups) < 3:
        result = run("--now", day.isoformat(), "run-daily")
        assert result.exit_code == 0, result.stderr
        for record in smtp_server.messages:
            followups.setdefault(record.rcpt_tos[0], (day, record.message))
        day = day.replace(day=day.day + 1) if day.day < 28 else day.replace(month=day.month + 1, day=1)
    assert len(followups) == 3
    for address, (when, message) in followups.items():
        assert datetime(2026, 5, 2) <= when <= datetime(2026, 6, 3)
        assert "¿Aún me recuerda?" in message.get_body(("plain",)).get_content()
    jose = followups["jose.munoz@example.com"][1].get_body(("plain",)).get_content()
    assert "Curso de fotografía" in jose


def test_replied_lead_receives_nothing_more_until_resumed(project, smtp_server, run):
    assert run("--now", "2026-03-02T10:00", "run-daily").exit_code == 0
    marked = run("--now", "2026-03-05T10:00", "mark", "ana.pena@example.org", "replied")
    assert marked.exit_code == 0, marked.stderr
    leads = {lead["email"]: lead for lead in json.loads(run("leads", "--json").stdout)}
    assert leads["ana.pena@example.org"]["status"] == "replied"
    assert leads["ana.pena@example.org"]["next_due_at"] is None
    smtp_server.clear()
    assert run("--now", "2026-06-10T10:00", "run-daily").exit_code == 0
    assert "ana.pena@example.org" not in {m.rcpt_tos[0] for m in smtp_server.messages}
    assert smtp_server.count == 2
    resumed = run("--now", "2026-06-10T11:00", "mark", "ana.pena@example.org", "active")
    assert resumed.exit_code == 0
    ana = json.loads(run("show", "ana.pena@example.org", "--json").stdout)
    due_at = datetime.fromisoformat(ana["next_due_at"])
    assert datetime(2026, 8, 10, tzinfo=MADRID) <= due_at <= datetime(2026, 9, 11, tzinfo=MADRID)


def test_show_lists_messages_with_state_time_and_message_id(project, smtp_server, run):
    assert run("--now", "2026-03-02T10:00", "run-daily").exit_code == 0
    shown = run("show", "JOSE.MUNOZ@example.com", "--json")
    assert shown.exit_code == 0, shown.stderr
    lead = json.loads(shown.stdout)
    assert lead["email"] == "jose.munoz@example.com"
    assert lead["contacts"] == 1
    [message] = lead["messages"]
    assert message["step"] == 0 and message["template"] == "info" and message["state"] == "sent"
    assert message["sent_at"].startswith("2026-03-02T10:00:00+01:00")
    received = {m.message["Message-ID"] for m in smtp_server.messages}
    assert message["message_id"] in received


@pytest.mark.parametrize("command", [["show", "nobody@example.com"],
                                     ["mark", "nobody@example.com", "customer"]])
def test_unknown_address_is_exit_2_with_one_sentence(project, run, command):
    result = run(*command)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "nobody@example.com" in result.stderr
    assert "Traceback" not in result.stderr


def test_due_lists_what_send_would_send_in_order(project, run):
    due = json.loads(run("--now", "2026-03-02T10:00", "due", "--json").stdout)
    assert [item["step"] for item in due] == [0, 0, 0]
    # Info packs go at any hour (info_anytime): each is due at its inquiry, oldest first.
    assert [item["email"] for item in due] == [
        "tom@example.net", "jose.munoz@example.com", "ana.pena@example.org"]
    assert [item["due_at"] for item in due] == [
        "2026-02-28T00:00:00+01:00", "2026-03-01T18:30:00+01:00", "2026-03-02T08:15:00+01:00"]
    assert {"email", "step", "template", "due_at"} <= set(due[0])


def test_without_info_anytime_info_packs_wait_for_the_window_in_order(project, run):
    config = project / "leadloop.toml"
    config.write_text(config.read_text() + "\n[cadence]\ninfo_anytime = false\n")
    due = json.loads(run("--now", "2026-03-02T08:59", "due", "--json").stdout)
    assert due == []
    due = json.loads(run("--now", "2026-03-02T10:00", "due", "--json").stdout)
    # All three open at Monday 09:00; equal due times keep the import order.
    assert [item["email"] for item in due] == [
        "jose.munoz@example.com", "ana.pena@example.org", "tom@example.net"]
    assert {item["due_at"] for item in due} == {"2026-03-02T09:00:00+01:00"}


def test_outbox_is_used_without_smtp(tmp_path, run):
    (tmp_path / "leads.csv").write_text(LEADS_CSV, encoding="utf-8")
    assert run("import", "leads.csv").exit_code == 0
    result = run("--now", "2026-03-02T10:00", "send", "--yes")
    assert result.exit_code == 0, result.stderr
    delivered = list((tmp_path / "outbox" / "new").iterdir())
    assert len(delivered) == 3
    assert oct((tmp_path / "outbox").stat().st_mode & 0o777) == "0o700"
    assert oct((tmp_path / "leadloop.db").stat().st_mode & 0o777) == "0o600"
