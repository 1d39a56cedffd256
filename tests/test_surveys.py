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
    assert "Media: 8.0" in body and "una de las 2 personas" in body
    assert "Muy contenta" not in body  # a comment is shared only when its author agreed
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


# -- reading the answer where the person wrote it; sharing only the tally (issue #27 item 5) --

from leadloop.surveys import answer_of  # noqa: E402


@pytest.mark.parametrize("text, score", [
    ("Un 9. El taller estuvo genial, pero el horario me venía justo.", "9"),
    ("9/10", "9"), ("8 de 10, sin duda", "8"), ("le doy un 8", "8"), ("Nueve", "9"),
    ("diez!", "10"), ("nine", "9"), ("I'd give it an 8", "8"), ("Uno.", "1"),
    ("Hola Laura:\nUn 7, el horario no me venía bien.", "7"), ("7,5", "7.5"),
    ("One of the best courses I took. 9 out of 10.", "9"),
    ("Compré 2 cursos y le doy un 9", "9"),
])
def test_the_score_is_read_wherever_the_first_lines_state_it(text, score):
    assert answer_of(text).answer == score


@pytest.mark.parametrize("text, may_share", [
    ("Un 9. Me encantó. Puede compartirlo.", True),
    ("9. Me encantó.\nPuede compartirlo sin problema.", True),
    ("8 - great course. You may share it.", True),
    ("Un 9. Me encantó. No puede compartirlo, por favor.", False),
    ("8 - great course. Please don't share it.", False),
    ("Un 9. El taller estuvo genial, pero el horario me venía justo.", False),
])
def test_a_comment_is_shared_only_when_its_author_says_so(text, may_share):
    read = answer_of(text)
    assert read.may_share is may_share
    if may_share:  # the words that gave consent are not part of what is shared
        assert read.comment and "compartir" not in read.comment.lower() and "share it" not in read.comment


def test_a_long_answer_without_a_score_is_a_comment_not_a_tally_row():
    read = answer_of("Me gustó mucho el curso de los martes por la tarde")
    assert read.answer is None and read.comment.startswith("Me gustó")
    assert answer_of("Pilates").answer == "Pilates" and answer_of("Pilates").comment is None


def test_share_mails_the_tally_and_only_the_comments_their_authors_let_go(shop, run):
    smtp, imap = shop
    assert run("--now", NOW, "survey", "send", "opinion", "--to", "customer", "--yes").exit_code == 0
    shipped = smtp.messages[0].message.get_body(("plain",)).get_content()
    assert "«puede compartirlo»" in shipped  # the survey says how to agree
    ids = survey_ids(smtp)
    answers = {
        "ana@example.com": "Un 9. El taller estuvo genial, pero el horario me venía justo.",
        "bea@example.com": "Hola Laura:\nLe doy un 8. Me encantó el taller.\nPuede compartirlo.",
        "carla@example.com": "nueve",
    }
    for email, text in answers.items():
        answer = mail(email, "Re: Una pregunta rápida", text)
        answer["In-Reply-To"] = ids[email]
        imap.append(answer.as_bytes())
    assert run("--now", "2026-03-03T10:00", "inbox").exit_code == 0
    tally = json.loads(run("survey", "results", "opinion", "--json").stdout)
    assert [(r["answer"], r["count"]) for r in tally["results"]] == [("8", 1), ("9", 2)]
    assert tally["average"] == 8.67
    shown = " ".join(run("survey", "results", "opinion").stdout.split())
    assert "«Un 9. El taller estuvo genial, pero el horario me venía justo.»" in shown
    assert "«Le doy un 8. Me encantó el taller.» (may be shared)" in shown

    assert run("--now", "2026-03-04T10:00", "survey", "share", "opinion", "--yes").exit_code == 0
    for message in smtp.messages[3:]:
        body = " ".join(message.message.get_body(("plain",)).get_content().split())
        assert "usted fue una de las 3 personas que respondieron" in body
        assert "«Le doy un 8. Me encantó el taller.»" in body
        assert "horario" not in body and "bea@" not in body and "Puede compartirlo" not in body


def test_one_answer_reads_as_one_person(shop, run):
    smtp, imap = shop
    assert run("--now", NOW, "survey", "send", "opinion", "--to", "customer", "--yes").exit_code == 0
    answer = mail("ana@example.com", "Re: Una pregunta rápida", "10")
    answer["In-Reply-To"] = survey_ids(smtp)["ana@example.com"]
    imap.append(answer.as_bytes())
    assert run("--now", "2026-03-03T10:00", "inbox").exit_code == 0
    assert run("--now", "2026-03-04T10:00", "survey", "share", "opinion", "--yes").exit_code == 0
    body = " ".join(smtp.messages[3].message.get_body(("plain",)).get_content().split())
    assert "usted fue la única persona que respondió" in body and "las 1" not in body
