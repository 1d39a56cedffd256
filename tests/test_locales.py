"""A lead's locale is data: what people write becomes a language code at import and
`add`, anything else is refused, and no stored value ever picks a file outside the
templates directories (issue #16)."""

import json
import sqlite3

import pytest

from leadloop.errors import InputError
from leadloop.locales import language_code

NOW = "2026-03-02T10:00"


@pytest.mark.parametrize("written, code", [
    ("es", "es"), ("ES", "es"), ("es-ES", "es"), ("es_ES", "es"), ("es_ES.UTF-8", "es"),
    ("es-419", "es"), ("Español", "es"), ("español", "es"), ("ESPAÑOL", "es"), ("espanol", "es"),
    ("Spanish", "es"), ("castellano", "es"), ("Español (España)", "es"), ("spa", "es"),
    ("English", "en"), ("inglés", "en"), ("ingles", "en"), ("en-US", "en"), ("eng", "en"),
    ("Englisch", "en"), ("anglais", "en"), ("pt-BR", "pt"), ("Portuguese (Brazil)", "pt"),
    ("português", "pt"), ("Français", "fr"), ("francés", "fr"), ("Deutsch", "de"),
    ("alemán", "de"), ("Italiano", "it"), ("català", "ca"), ("Catalán", "ca"),
    ("valenciano", "ca"), ("euskera", "eu"), ("gallego", "gl"), ("Nederlands", "nl"),
    ("русский", "ru"), ("日本語", "ja"), ("iw", "he"), ("  en  ", "en"),
])
def test_what_people_write_becomes_a_language_code(written, code):
    assert language_code(written) == code


@pytest.mark.parametrize("written", ["", "   "])
def test_an_empty_cell_is_no_locale(written):
    assert language_code(written) is None


@pytest.mark.parametrize("written", [
    "zz", "xx-YY", "Klingon", "../../elsewhere/en", "en/../../etc", "/etc/passwd", "es;DROP",
    "Makua",  # two languages' name: refused, not guessed
    "e", "español de verdad", "{{ 7*7 }}", "es\x00", "..",
])
def test_what_is_not_a_language_is_refused_with_a_sentence(written):
    with pytest.raises(InputError) as caught:
        language_code(written)
    message = str(caught.value)
    assert "\n" not in message and message.startswith('language "')


def leads(run):
    return {lead["email"]: lead for lead in json.loads(run("leads", "--json").stdout)}


def test_import_maps_the_language_column_and_rejects_what_is_not_a_language(tmp_path, run):
    (tmp_path / "leads.csv").write_text(
        "email,nombre,idioma\n"
        "ana@example.com,Ana,Español\n"
        "bea@example.com,Bea,inglés\n"
        "cris@example.com,Cris,pt-BR\n"
        "dani@example.com,Dani,../../elsewhere/en\n"
        "eva@example.com,Eva,Klingon\n"
        "fede@example.com,Fede,\n", encoding="utf-8")
    result = run("import", "leads.csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip().splitlines() == [
        "no request-date column: the leads are dated at the import time",
        "4 new, 0 updated, 0 unchanged, 0 suppressed, 2 rejected"]
    assert result.stderr.splitlines() == [
        'leads.csv:5: language "../../elsewhere/en" is not a language leadloop knows; '
        'write a code such as "es" or "en"',
        'leads.csv:6: language "Klingon" is not a language leadloop knows; '
        'write a code such as "es" or "en"',
    ]
    stored = {email: lead["locale"] for email, lead in leads(run).items()}
    assert stored == {"ana@example.com": "es", "bea@example.com": "en",
                      "cris@example.com": "pt", "fede@example.com": None}


def test_add_maps_the_locale_and_refuses_what_is_not_a_language(run):
    assert run("add", "ana@example.com", "--locale", "English").exit_code == 0
    assert leads(run)["ana@example.com"]["locale"] == "en"
    for bad in ("zz", "../../elsewhere/en"):
        result = run("add", "bea@example.com", "--locale", bad)
        assert result.exit_code == 2
        assert result.stderr.startswith(f'error: --locale: language "{bad}" is not a language')
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert "bea@example.com" not in leads(run)


def plant_outside(tmp_path):
    """An info.txt outside every templates directory, as an attacker would leave one."""
    elsewhere = tmp_path / "elsewhere" / "en"
    elsewhere.mkdir(parents=True)
    (elsewhere / "info.txt").write_text("Subject: PLANTED\n\nPLANTED BODY\n", encoding="utf-8")


def outbox_texts(tmp_path):
    return [path.read_bytes() for path in (tmp_path / "outbox" / "new").iterdir()]


@pytest.mark.parametrize("locale", ["../../elsewhere/en", "../elsewhere/en",
                                    "templates/../../elsewhere/en"])
def test_a_stored_locale_never_picks_a_file_outside_the_templates(tmp_path, run, locale):
    plant_outside(tmp_path)
    project = tmp_path / "project"
    (project / "templates" / "es").mkdir(parents=True)
    (project / "templates" / "es" / "info.txt").write_text(
        "Subject: Hola {{ first_name }}\n\nInformación.\n", encoding="utf-8")
    (project / "leadloop.toml").write_text(
        '[sender]\nname = "Laura"\naddress = "laura@lauravidal.es"\n', encoding="utf-8")
    config = ["--config", project / "leadloop.toml", "--db", project / "leadloop.db"]
    assert run(*config, "add", "ana@example.com", "--requested-at", NOW).exit_code == 0
    assert run(*config, "add", "bea@example.com", "--requested-at", NOW).exit_code == 0
    # A database from before import refused such values.
    with sqlite3.connect(project / "leadloop.db") as db:
        db.execute("UPDATE leads SET locale = ? WHERE email = 'ana@example.com'", (locale,))
    result = run(*config, "--now", NOW, "send", "--yes")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f'warning: ana@example.com: its locale cannot choose templates: language "{locale}" '
        'is not a language leadloop knows; write a code such as "es" or "en"']
    assert "1 written to the outbox" in result.stdout and "1 failed" in result.stdout
    sent = [path.read_bytes() for path in (project / "outbox" / "new").iterdir()]
    assert len(sent) == 1 and b"bea@example.com" in sent[0] and b"PLANTED" not in sent[0]
    ana = json.loads(run(*config, "show", "ana@example.com", "--json").stdout)
    assert [m["state"] for m in ana["messages"]] == ["failed"]
    assert "ana@example.com" in ana["messages"][0]["error"]


def test_only_existing_locale_directories_count(tmp_path, run):
    """A lead in a real language with no templates of its own gets the default locale's;
    a locale directory exists only if it is a directory inside a templates directory."""
    plant_outside(tmp_path)
    (tmp_path / "templates" / "fr").mkdir(parents=True)  # empty: no info.txt
    assert run("add", "ana@example.com", "--locale", "fr", "--requested-at", NOW).exit_code == 0
    result = run("--now", NOW, "send", "--yes")
    assert result.exit_code == 0, result.stderr
    [sent] = outbox_texts(tmp_path)
    assert b"PLANTED" not in sent
    assert "Subject: " in sent.decode()


def test_dates_follow_the_language_the_message_is_written_in(tmp_path, run):
    """A French lead with only Spanish templates gets Spanish dates, not French ones."""
    (tmp_path / "templates" / "es").mkdir(parents=True)
    (tmp_path / "templates" / "es" / "info.txt").write_text(
        "Subject: Su solicitud\n\nEl {{ requested_at|date }} nos escribió.\n", encoding="utf-8")
    assert run("add", "ana@example.com", "--locale", "fr", "--requested-at", NOW).exit_code == 0
    assert run("--now", NOW, "send", "--yes").exit_code == 0
    [sent] = outbox_texts(tmp_path)
    assert b"2 de marzo de 2026" in sent


def test_check_names_stored_locales_that_are_not_languages(tmp_path, run):
    assert run("add", "ana@example.com").exit_code == 0
    with sqlite3.connect(tmp_path / "leadloop.db") as db:
        db.execute("UPDATE leads SET locale = 'Klingon'")
    result = run("check")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: leads with the locale 'Klingon' get no message: language \"Klingon\" is not a "
        'language leadloop knows; write a code such as "es" or "en"']
