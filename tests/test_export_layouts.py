"""Exports as the tools' own documentation lays them out (issue #25, session 20's blind set
of documented layouts): months by name, a file's month-first dates, consent and status
columns of mailing services and CRMs, a form's name parts. Every file here is written for
this test in the layout the tool documents; the people are invented."""

import json

import pytest

NOW = "2026-06-01T12:00"


def imported(tmp_path, run, name, text, *options):
    (tmp_path / name).write_text(text, encoding="utf-8")
    result = run("--now", NOW, "import", name, "--json", *options)
    assert result.exit_code == 0, result.stderr
    stored = {lead["email"]: lead for lead in json.loads(run("leads", "--json").stdout)}
    return json.loads(result.stdout), stored


@pytest.mark.parametrize("cell, day", [
    ('"March 1, 2026"', "2026-03-01"),            # Notion's date property
    ('"March 1, 2026 10:15 AM"', "2026-03-01"),   # Notion's created time
    ('"Apr 12, 2026"', "2026-04-12"),              # Jotform's submission date
    ("5 March 2026 18:42", "2026-03-05"),
    ("1 de marzo de 2026", "2026-03-01"),
    ("12 abr 2026", "2026-04-12"),
    ("01-mar-2026", "2026-03-01"),
])
def test_a_month_by_name_is_a_date(tmp_path, run, cell, day):
    report, stored = imported(tmp_path, run, "f.csv", f"Email,Fecha de alta\nana@example.com,{cell}\n")
    assert report["rejected"] == 0
    assert stored["ana@example.com"]["requested_at"][:10] == day


def test_a_month_name_nobody_writes_is_still_an_unreadable_date(tmp_path, run):
    report, _ = imported(tmp_path, run, "f.csv", 'Email,Fecha\nana@example.com,"Foo 1, 2026"\n')
    assert report["rejected"] == 1


# An English Google Form's responses: "Timestamp" in M/d/yyyy.
GOOGLE_FORM_EN = ("Timestamp,Email Address,First name,Last name\n"
                  "3/1/2026 10:15:00,ana@example.com,Ana,Gil\n"
                  "4/12/2026 9:03:55,bea@example.com,Bea,Ruiz\n"
                  "5/20/2026 21:30:12,carla@example.com,Carla,Díaz\n")


def test_a_file_whose_dates_read_only_month_first_is_read_month_first(tmp_path, run):
    report, stored = imported(tmp_path, run, "f.csv", GOOGLE_FORM_EN)
    assert report["rejected"] == 0 and report["dates_month_first"] is True
    assert stored["ana@example.com"]["requested_at"][:10] == "2026-03-01"  # not 3 January
    assert stored["bea@example.com"]["requested_at"][:10] == "2026-04-12"  # not 4 December
    # The summary says so, and how to read them day-first.
    (tmp_path / "g.csv").write_text(GOOGLE_FORM_EN.replace("@example.com", "@example.org"), encoding="utf-8")
    said = run("--now", NOW, "import", "g.csv")
    assert 'dates read month-first (US), as "5/20/2026 21:30:12" shows' in said.stdout


def test_day_first_stays_unless_the_dates_say_otherwise(tmp_path, run):
    # A day first anywhere: the file is day-first, and a date that cannot be is rejected.
    report, stored = imported(tmp_path, run, "f.csv", "email,fecha\nana@example.com,20/5/2026\n"
                                                      "bea@example.com,5/20/2026\ncarla@example.com,3/4/2026\n")
    assert report["rejected"] == 1 and report["dates_month_first"] is False
    assert stored["carla@example.com"]["requested_at"][:10] == "2026-04-03"
    # Nothing to tell: day-first, as Spanish files are.
    report, stored = imported(tmp_path, run, "g.csv", "email,fecha\ndani@example.com,3/4/2026\n")
    assert stored["dani@example.com"]["requested_at"][:10] == "2026-04-03"
    # --no-month-first decides for the user: the month-first file's last row is rejected.
    report, _ = imported(tmp_path, run, "h.csv", GOOGLE_FORM_EN.replace("@example.com", "@example.net"),
                         "--no-month-first")
    assert report["rejected"] == 1 and report["dates_month_first"] is False


@pytest.mark.parametrize("header, out, stays", [
    ("email_disabled", "true", "false"),                          # Substack's email list
    ("Person - Marketing status", "Unsubscribed", "Subscribed"),  # Pipedrive's people
    ("Email Marketing Consent", "UNSUBSCRIBED", "SUBSCRIBED"),    # Klaviyo's list export
    ("Estado", "Baja", "Activo"),                                 # a Notion leads table in Spanish
])
def test_mailing_and_crm_consent_columns_unsubscribe(tmp_path, run, header, out, stays):
    report, stored = imported(tmp_path, run, "f.csv", f"Email,{header}\nana@example.com,{out}\n"
                                                      f"bea@example.com,{stays}\n")
    assert report["opted_out"] == 1
    assert (stored["ana@example.com"]["status"], stored["bea@example.com"]["status"]) == ("unsubscribed", "active")


def test_gravity_forms_name_parts_and_entry_date(tmp_path, run):
    text = ('\ufeff"Name (First)","Name (Last)","Email","Entry Id","Entry Date"\n'
            '"José Luis","García Pérez","jl@example.com","101","2026-03-01 10:15:00"\n')
    report, stored = imported(tmp_path, run, "f.csv", text)
    assert report["requested_at_column"] == "Entry Date"
    assert (stored["jl@example.com"]["name"], stored["jl@example.com"]["first_name"]) == (
        "José Luis García Pérez", "José Luis")


def test_an_events_attendees_are_dated_by_their_order(tmp_path, run):
    report, _ = imported(tmp_path, run, "f.csv", "Order #,Order Date,First Name,Last Name,Email\n"
                                                 "880,2026-03-01 10:15:00,Ana,Gil,ana@example.com\n")
    assert report["requested_at_column"] == "Order Date"


def test_a_column_that_is_a_date_in_some_tools_is_the_request_date_when_it_holds_dates(tmp_path, run):
    # MailerLite's subscribers export: "Subscriber" is the address, "Subscribed" the day.
    report, stored = imported(tmp_path, run, "f.csv", "Subscriber,Name,Last name,Subscribed,Groups\n"
                                                      "ana@example.com,Ana,Gil,2026-03-01 10:15:00,Newsletter\n")
    assert report["requested_at_column"] == "Subscribed"
    assert stored["ana@example.com"]["requested_at"][:10] == "2026-03-01"
    # Elsewhere the same name is a yes/no: a field of the lead's, never a rejected row.
    report, stored = imported(tmp_path, run, "g.csv", "email,Subscribed,Signed up\nbea@example.com,yes,no\n")
    assert (report["requested_at_column"], report["rejected"]) == (None, 0)
    assert stored["bea@example.com"]["fields"] == {"subscribed": "yes", "signed_up": "no"}
    report, _ = imported(tmp_path, run, "h.csv", "email,Signed up\ncarla@example.com,2026-03-02\n")
    assert report["requested_at_column"] == "Signed up"


def test_a_forms_name_questions_are_the_name(tmp_path, run):
    # Typeform's responses: each question is a column, as the form asked it.
    text = ("#,¿Cómo te llamas?,¿Y tus apellidos?,¿Cuál es tu email?,Submit Date (UTC)\n"
            "k2m9,José Luis,García Pérez,jl@example.com,2026-03-01 10:15:00\n")
    _, stored = imported(tmp_path, run, "f.csv", text)
    assert (stored["jl@example.com"]["name"], stored["jl@example.com"]["first_name"]) == (
        "José Luis García Pérez", "José Luis")
    # Asked alone, the answer is as often the whole name: kept whole, as "Nombre" alone is.
    _, stored = imported(tmp_path, run, "g.csv", "¿Cómo te llamas?,Email\nMaría del Mar Ruiz,mar@example.com\n")
    assert stored["mar@example.com"]["name"] == "María del Mar Ruiz"
    _, stored = imported(tmp_path, run, "h.csv", "What's your name?,Email\nAna Gil,ana@example.com\n")
    assert stored["ana@example.com"]["name"] == "Ana Gil"


@pytest.mark.parametrize("question, out, stays", [
    ("¿Quieres recibir novedades por email?", "0", "1"),   # Typeform's yes/no question
    ("Acepto recibir comunicaciones comerciales", "No", "Sí"),
    ("I'd like to receive news and offers", "false", "true"),
])
def test_a_forms_marketing_question_answered_no_is_an_opt_out(tmp_path, run, question, out, stays):
    report, stored = imported(tmp_path, run, "f.csv", f'Email,"{question}"\nana@example.com,{out}\n'
                                                      f"bea@example.com,{stays}\ncarla@example.com,\n")
    assert report["opted_out"] == 1
    assert [stored[a]["status"] for a in ("ana@example.com", "bea@example.com", "carla@example.com")] == [
        "unsubscribed", "active", "active"]  # (an empty answer says nothing)


def test_a_question_about_another_channel_is_no_opt_out_of_email(tmp_path, run):
    report, _ = imported(tmp_path, run, "f.csv", 'Email,"¿Quieres recibir novedades por WhatsApp?"\n'
                                                 "ana@example.com,No\n")
    assert report["opted_out"] == 0
