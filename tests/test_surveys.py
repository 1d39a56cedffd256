"""Surveys (SPEC §9) end to end: sent over SMTP (aiosmtpd), answered over IMAP (pymap),
tallied, and the tally shared with exactly those who answered."""

from __future__ import annotations

import json

import pytest
from imap_server import IMAP_PASSWORD
from test_inbox import mail

LEADS = """email,nombre,producto
ana@example.com,Ana Peña,Curso de yoga
bea@example.com,Bea Núñez,Curso de yoga
carla@example.com,Carla Ruiz,Curso de yoga
dani@example.com,Dani Gil,Curso de yoga
"""
NOW = "2026-03-02T10:00"


@pytest.fixture
def shop(tmp_path, run, smtp_server, imap_server, monkeypatch):
    monkeypatch.setenv("LEADLOOP_IMAP_PASSWORD", IMAP_PASSWORD)
    (tmp_path / "leadloop.toml").write_text(
        '[sender]\nname = "Laura"\naddress = "laura@lauravidal.es"\n\n'
        f'[smtp]\nhost = "{smtp_server.host}"\nport = {smtp_server.port}\nsecurity = "none"\n\n'
        f'[inbox]\nhost = "{imap_server.host}"\nport = {imap_server.port}\nsecurity = "none"\n'
        f'username = "{imap_server.username}"\n',
        encoding="utf-8")
    (tmp_path / "leads.csv").write_text(LEADS, encoding="utf-8")
    assert run("import", "leads.csv", "--info-sent").exit_code == 0
    for email in ("ana@example.com", "bea@example.com", "carla@example.com"):
        assert run("mark", email, "customer").exit_code == 0
    return smtp_server, imap_server


def survey_ids(smtp_server) -> dict:
    return {m.rcpt_tos[0]: m.message["Message-ID"] for m in smtp_server.messages}


def test_survey_to_three_customers_two_answers_tally_and_share(shop, run):
    smtp, imap = shop
    sent = run("--now", NOW, "survey", "send", "opinion", "--to", "customer", "--yes")
    assert sent.exit_code == 0, sent.stderr
    assert "3 sent" in sent.stdout
    assert sorted(survey_ids(smtp)) == ["ana@example.com", "bea@example.com", "carla@example.com"]
    assert "recomendar" in smtp.messages[0].message.get_body(("plain",)).get_content()
    again = run("--now", NOW, "survey", "send", "opinion", "--to", "customer", "--yes")
    assert again.exit_code == 0 and "Nobody left" in again.stdout and len(smtp.messages) == 3

    ids = survey_ids(smtp)
    for email, text in (("ana@example.com", "9\n\nMuy contenta con el curso."), ("bea@example.com", "7")):
        answer = mail(email, "Re: Una pregunta rápida", text)
        answer["In-Reply-To"] = ids[email]
        imap.append(answer.as_bytes())
    read = run("--now", "2026-03-03T10:00", "inbox", "--json")
    assert read.exit_code == 0, read.stderr
    summary = json.loads(read.stdout)
    assert summary["survey_answers"] == 2 and summary["questions"] == 0 and summary["replies"] == 0

    tally = json.loads(run("survey", "results", "opinion", "--json").stdout)
    assert tally["sent"] == 3 and tally["answered"] == 2 and tally["average"] == 8.0
    assert [(r["answer"], r["count"]) for r in tally["results"]] == [("7", 1), ("9", 1)]
    shown = run("survey", "results", "opinion")
    assert "█" in shown.stdout and "2 answers to 3 sent" in shown.stdout

    shared = run("--now", "2026-03-04T10:00", "survey", "share", "opinion", "--yes")
    assert shared.exit_code == 0, shared.stderr
    results = smtp.messages[3:]
    assert sorted(m.rcpt_tos[0] for m in results) == ["ana@example.com", "bea@example.com"]
    body = results[0].message.get_body(("plain",)).get_content()
    assert "Media: 8.0" in body and "2 personas" in body
    assert "Nobody left" in run("--now", "2026-03-04T10:00", "survey", "share", "opinion", "--yes").stdout
    assert json.loads(run("leads", "--json", "--status", "customer").stdout).__len__() == 3


def test_a_survey_skips_unsubscribed_and_respects_the_status(shop, run):
    smtp, _ = shop
    assert run("mark", "carla@example.com", "unsubscribed").exit_code == 0
    sent = run("--now", NOW, "survey", "send", "opinion", "--to", "customer", "--yes")
    assert sent.exit_code == 0, sent.stderr
    assert sorted(survey_ids(smtp)) == ["ana@example.com", "bea@example.com"]


@pytest.mark.parametrize("args, expected", [
    (["send", "nonexistent", "--yes"], 'no "nonexistent" template'),
    (["send", "Bad Name!", "--yes"], "cannot name a survey"),
    (["send", "opinion", "--to", "vip", "--yes"], '--to "vip"'),
    (["share", "opinion", "--yes"], "nobody has answered"),
])
def test_survey_mistakes_are_one_sentence(shop, run, args, expected):
    smtp, _ = shop
    result = run("--now", NOW, "survey", *args)
    assert result.exit_code == 2
    assert expected in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert smtp.messages == []


def test_forgetting_a_respondent_keeps_the_score_and_drops_the_words(shop, run, tmp_path):
    smtp, imap = shop
    assert run("--now", NOW, "survey", "send", "opinion", "--yes").exit_code == 0
    ids = survey_ids(smtp)
    for email, text in (("ana@example.com", "10"), ("bea@example.com", "Me encantó, pero caro")):
        answer = mail(email, "Re: pregunta", text)
        answer["In-Reply-To"] = ids[email]
        imap.append(answer.as_bytes())
    assert run("--now", "2026-03-03T10:00", "inbox").exit_code == 0
    assert run("forget", "ana@example.com").exit_code == 0
    assert run("forget", "bea@example.com").exit_code == 0
    tally = json.loads(run("survey", "results", "opinion", "--json").stdout)
    assert [(r["answer"], r["count"]) for r in tally["results"]] == [("10", 1)]


@pytest.mark.bare_folder
def test_check_renders_the_survey_templates_too(tmp_path, run):
    assert run("init").exit_code == 0
    assert run("check").exit_code == 0
    (tmp_path / "templates" / "es" / "encuesta.txt").write_text("Subject: Hola\n\n{{ nombre_mal }}\n",
                                                                encoding="utf-8")
    result = run("check")
    assert result.exit_code == 2
    assert "encuesta.txt:3" in result.stderr and "nombre_mal" in result.stderr
