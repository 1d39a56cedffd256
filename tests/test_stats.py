"""Stats, customers' questions, referrals and export (SPEC §8, §9), through the CLI on a
history lived through run-daily: leads that bought after contact 1, 3 and 6, a reply, a
bounce and an unsubscribe read from a Maildir, a give-up and a right-to-erasure."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest
from test_inbox import Maildir, dsn, mail

LEADS = """email,nombre,producto,fecha,referido por
a@example.com,Ana,Curso,05/01/2026,
b@example.com,Bea,Curso,05/01/2026,a@example.com
c@example.com,Carla,Curso,05/01/2026,a@example.com
d@example.com,Dani,Curso,05/01/2026,b@example.com
e@example.com,Eva,Curso,05/01/2026,
f@example.com,Fran,Curso,05/01/2026,
g@example.com,Gema,Curso,05/01/2026,
h@example.com,Hugo,Curso,05/01/2026,
"""


def contacts(run) -> dict:
    return {lead["email"]: lead["contacts"] for lead in json.loads(run("leads", "--json").stdout)}


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """Lives the history once for the module (run-daily every two weeks for 16 months)."""
    from typer.testing import CliRunner

    from leadloop.cli import app

    directory = tmp_path_factory.mktemp("history")
    runner = CliRunner()

    def run(*args):
        result = runner.invoke(app, ["--db", str(directory / "leadloop.db"),
                                     "--config", str(directory / "leadloop.toml"), *map(str, args)],
                               catch_exceptions=False)
        return result

    (directory / "leadloop.toml").write_text(
        '[sender]\nname = "Laura"\naddress = "laura@lauravidal.es"\n\n[inbox]\nmaildir = "mail"\n',
        encoding="utf-8")
    (directory / "leads.csv").write_text(LEADS, encoding="utf-8")
    box = Maildir(directory / "mail")
    assert run("import", directory / "leads.csv").exit_code == 0
    done = set()
    day = date(2026, 1, 5)
    while day < date(2027, 5, 1):
        now = f"{day.isoformat()}T10:00"
        result = run("--now", now, "run-daily")
        assert result.exit_code == 0, result.stderr
        seen = contacts(run)
        plans = {
            ("a@example.com", 1): lambda: run("--now", now, "mark", "a@example.com", "customer"),
            ("b@example.com", 3): lambda: run("--now", now, "mark", "b@example.com", "customer"),
            ("c@example.com", 6): lambda: run("--now", now, "mark", "c@example.com", "customer"),
            ("d@example.com", 2): lambda: box.deliver(mail("d@example.com", "Re: Curso", "¿Precio?")),
            ("e@example.com", 1): lambda: box.deliver(dsn("e@example.com", "nadie@example.net", "f@example.com")),
            ("f@example.com", 2): lambda: box.deliver(mail("f@example.com", "Baja", "")),
            ("h@example.com", 1): lambda: run("--now", now, "forget", "h@example.com"),
        }
        for (email, at), act in plans.items():
            if email not in done and seen.get(email) == at:
                act()
                done.add(email)
        day += timedelta(days=14)
    assert done == {email for email, _ in plans}
    return run


def test_stats_json_counts_the_history_exactly(history):
    result = history("--now", "2027-05-03T10:00", "stats", "--json")
    assert result.exit_code == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["leads_by_status"] == {"active": 0, "replied": 1, "customer": 3, "lost": 0,
                                        "unsubscribed": 1, "bounced": 1, "erased": 2}
    # e@'s information pack bounced (read by the inbox): no contact, but e@ was mailed and
    # counts in the bounce rate (issue #28 item 3).
    assert stats["sent_by_step"] == {"0": 7, "1": 5, "2": 3, "3": 2, "4": 2, "5": 2}
    assert stats["contacts_before_buying"] == {"1": 1, "3": 1, "6": 1}
    assert [(row["contacts"], row["reached"], row["customers"]) for row in stats["conversion_by_contacts"]] \
        == [(1, 7, 1), (2, 5, 0), (3, 3, 1), (4, 2, 0), (5, 2, 0), (6, 2, 1)]
    assert stats["funnel"] == {"inquiries": 8, "info_sent": 7, "followed_up": 5, "replied": 4, "customers": 3,
                               "erased": 2}
    replies = {row["step"]: row["replies"] for row in stats["by_step"]}
    assert replies == {0: 1, 1: 1, 2: 1, 3: 0, 4: 0, 5: 1}
    assert stats["bounce_rate"] == 0.125 and stats["unsubscribe_rate"] == 0.125
    assert stats["erased"] == 2
    assert any("bounce rate" in warning for warning in stats["warnings"])
    assert stats["referrals"][0] == {"referrer": "a@example.com", "referred": 2, "customers": 2}


def test_stats_on_a_terminal_draws_bars_and_warns(history):
    result = history("--now", "2027-05-03T10:00", "stats")
    assert result.exit_code == 0, result.stderr
    assert "█" in result.stdout and "Contacts customers received before buying" in result.stdout
    assert "bounce rate (12.5%) is over 2%" in result.stderr


def test_stats_since_a_date_after_every_inquiry_is_empty(history):
    stats = json.loads(history("--now", "2027-05-03T10:00", "stats", "--json", "--since", "2026-02-01").stdout)
    assert stats["leads"] == 0 and stats["sent_by_step"] == {}


def test_show_lists_whom_a_lead_referred_and_how_they_ended(history):
    shown = json.loads(history("show", "a@example.com", "--json").stdout)
    assert [(r["email"], r["status"]) for r in shown["referred"]] == [
        ("b@example.com", "customer"), ("c@example.com", "customer")]


def test_a_bad_since_is_one_sentence(run):
    result = run("stats", "--since", "yesterday")
    assert result.exit_code == 2 and "--since" in result.stderr


def test_questions_open_age_and_close(tmp_path, run):
    (tmp_path / "l.csv").write_text("email,nombre\nana@example.com,Ana\n", encoding="utf-8")
    assert run("import", "l.csv").exit_code == 0
    assert run("mark", "ana@example.com", "customer").exit_code == 0
    assert run("--now", "2026-03-02T10:00", "question", "ana@example.com", "¿Me hacen factura?").exit_code == 0
    listed = json.loads(run("--now", "2026-03-04T10:00", "questions", "--json").stdout)
    assert [(q["email"], q["age_hours"], q["late"], q["text"]) for q in listed] == [
        ("ana@example.com", 48.0, True, "¿Me hacen factura?")]
    shown = run("--now", "2026-03-02T14:00", "questions")
    assert "4 h" in shown.stdout and "Ana" in shown.stdout
    closed = run("--now", "2026-03-04T12:00", "answered", "ana@example.com")
    assert closed.exit_code == 0 and "1 question of ana@example.com closed" in closed.stdout
    assert json.loads(run("questions", "--json").stdout) == []
    again = run("answered", "ana@example.com")
    assert again.exit_code == 2 and "no open question" in again.stderr
    stats = json.loads(run("stats", "--json").stdout)
    assert stats["questions"] == {"open": 0, "answered": 1, "median_hours_to_answer": 50.0}


def test_export_neutralises_formulas_and_keeps_custom_fields(tmp_path, run):
    (tmp_path / "l.csv").write_text(
        'email,nombre,ciudad\nana@example.com,"=HYPERLINK(""http://x"")",Cádiz\nbea@example.com,Bea,@Sevilla\n',
        encoding="utf-8")
    assert run("import", "l.csv").exit_code == 0
    assert run("forget", "bea@example.com").exit_code == 0
    result = run("export", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["email"], r["name"], r["ciudad"]) for r in rows] == [
        ("ana@example.com", "'=HYPERLINK(\"http://x\")", "Cádiz")]
    as_json = json.loads(run("export", "--format", "json").stdout)
    assert as_json[0]["name"] == '=HYPERLINK("http://x")' and as_json[0]["fields"] == {"ciudad": "Cádiz"}
    assert run("export", "--format", "xml").exit_code == 2
    written = run("export", "-o", tmp_path / "out.csv")
    assert written.exit_code == 0 and (tmp_path / "out.csv").read_text(encoding="utf-8").startswith("email,")


def test_a_hand_marked_customer_is_not_called_a_reply_and_empty_rates_say_so(tmp_path, run):
    """Issue #27 item 12: one customer marked by hand read as "replied 1 (14%)", and with
    nothing sent, "blocked by providers 0.0% of messages sent (0)" read like an error."""
    (tmp_path / "leads.csv").write_text(
        "email,nombre,fecha\nana@example.com,Ana,01/03/2026\nbea@example.com,Bea,01/03/2026\n",
        encoding="utf-8")
    assert run("import", "leads.csv").exit_code == 0
    before = run("--now", "2026-03-01T12:00", "stats")
    assert before.exit_code == 0, before.stderr
    assert "0.0%" not in before.stdout
    assert "addresses that bounced: none yet (no leads mailed)" in before.stdout
    assert "refused by providers as spam or by policy (5.7.x): none yet (no messages sent)" in before.stdout

    assert run("--now", "2026-03-02T10:00", "send", "--yes").exit_code == 0
    assert run("--now", "2026-03-03T10:00", "mark", "ana@example.com", "customer").exit_code == 0
    after = run("--now", "2026-03-03T10:00", "stats")
    lines = after.stdout.splitlines()
    assert not any(line.strip().startswith("replied ") for line in lines), after.stdout
    assert any("answered or bought" in line and "1 (50%)" in line for line in lines), after.stdout
    assert any(line.strip().startswith("bought") and "1 (50%)" in line for line in lines)
    assert "info pack" in after.stdout and "1 contact" in after.stdout and "1 customer" in after.stdout
    assert "addresses that bounced: 0 (0.0%)" in after.stdout
    assert "refused by providers as spam or by policy (5.7.x): 0 (0.0%)" in after.stdout
    document = json.loads(run("--now", "2026-03-03T10:00", "stats", "--json").stdout)
    # The JSON keeps its field names (scripts read them).
    assert document["funnel"]["replied"] == 1 and document["funnel"]["customers"] == 1
    assert document["blocked_rate"] == 0.0 and document["leads_by_status"]["customer"] == 1
