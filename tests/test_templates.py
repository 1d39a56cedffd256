"""Templates: lookup, safe rendering, errors that name the file, and refusal to send."""

import json

import pytest

NOW = "2026-03-02T10:00"


@pytest.fixture
def project(tmp_path, smtp_server, run):
    (tmp_path / "leadloop.toml").write_text(
        '[sender]\nname = "Laura Vidal"\naddress = "laura@lauravidal.es"\n\n'
        f'[smtp]\nhost = "{smtp_server.host}"\nport = {smtp_server.port}\nsecurity = "none"\n',
        encoding="utf-8")
    return tmp_path


def write_template(project, relative, text):
    path = project / "templates" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_undefined_variable_stops_send_before_anything_goes(project, run, smtp_server):
    write_template(project, "es/info.txt", "Subject: Hola\n\nHola {{ name }},\n\n{{ oferta }}\n")
    assert run("add", "ana@example.com", "--name", "Ana", "--requested-at", NOW).exit_code == 0
    assert run("add", "bea@example.com", "--name", "Bea", "--requested-at", NOW).exit_code == 0
    result = run("--now", NOW, "send", "--yes")
    assert result.exit_code == 2
    assert "templates/es/info.txt:5" in result.stderr and "oferta" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert smtp_server.count == 0
    assert len(json.loads(run("--now", NOW, "due", "--json").stdout)) == 2
    daily = run("--now", NOW, "run-daily")
    assert daily.exit_code == 2 and smtp_server.count == 0


def test_syntax_error_names_file_and_line(project, run):
    write_template(project, "es/followup.txt", "Subject: Hola\n\nHola {{ name }\n")
    result = run("check")
    assert result.exit_code == 2
    assert "templates/es/followup.txt:3" in result.stderr


def test_check_renders_every_locale_and_product(project, run):
    assert run("add", "ana@example.com", "--locale", "en", "--product", "Yoga").exit_code == 0
    result = run("check")
    assert result.exit_code == 0, result.stderr
    assert "renderings ok" in result.stdout or "rendering ok" in result.stdout
    write_template(project, "en/followup-3.txt", "Subject: {{ product.upper() }}\n\n{{ nope }}\n")
    broken = run("check")
    assert broken.exit_code == 2
    assert "en/followup-3.txt:3" in broken.stderr and "nope" in broken.stderr


def test_check_connect_logs_in(project, run):
    result = run("check", "--connect", "--no-dns")
    assert result.exit_code == 0, result.stderr
    assert "logged in" in result.stdout


def test_followup_n_overrides_the_generic_followup(project, run):
    write_template(project, "es/followup-2.txt", "Subject: Segundo recordatorio\n\nHola otra vez.\n")
    assert run("add", "ana@example.com").exit_code == 0
    first = run("--now", NOW, "preview", "--raw", "ana@example.com", "--step", "1").stdout
    second = run("--now", NOW, "preview", "ana@example.com", "--step", "2").stdout
    assert "Subject: =?utf-8?b?wr9Bw7puIG1lIHJlY3VlcmRhPw==?=" in first  # ¿Aún me recuerda?
    assert "Subject: Segundo recordatorio" in second


@pytest.mark.parametrize("name", [
    "Ana\r\nBcc: x@evil.test",
    "=?UTF-8?Q?=0A?=Bcc: x@evil.test",
    "Ana " + "Muñoz" * 100,
    "{{ 7*7 }}",
    "{{ ''.__class__ }}",
])
def test_hostile_names_are_data(project, run, smtp_server, name):
    from leadloop.sources.rows import ParsedLead  # noqa: F401  (import path is the product's)

    csv_text = 'email,name,requested_at\nana@example.com,"' + name.replace('"', '""') + f'",{NOW}\n'
    (project / "hostile.csv").write_text(csv_text, encoding="utf-8")
    assert run("import", "hostile.csv").exit_code == 0
    write_template(project, "es/info.txt", "Subject: Para {{ name }}\n\nHola {{ name }}.\n")
    assert run("--now", NOW, "send", "--yes").exit_code == 0
    [received] = smtp_server.messages
    assert received.rcpt_tos == ["ana@example.com"]
    message = received.message
    assert [k.lower() for k in message.keys()] == [
        "from", "to", "subject", "date", "message-id", "list-unsubscribe", "mime-version",
        "content-type", "content-transfer-encoding"]
    expected = " ".join(name.replace("\r\n", " ").split())
    assert " ".join(str(message["Subject"]).split()) == f"Para {expected}"
    assert expected in " ".join(message.get_content().split())
    assert "49" not in message.get_content() or "7*7" in message.get_content()


def test_reply_to_and_one_click_unsubscribe_when_configured(tmp_path, run, smtp_server):
    (tmp_path / "leadloop.toml").write_text(
        '[sender]\nname = "Laura"\naddress = "laura@shop.lauravidal.es"\nreply_to = "ventas@example.com"\n'
        'unsubscribe = "baja@example.com"\nunsubscribe_url = "https://example.com/baja"\n\n'
        f'[smtp]\nhost = "{smtp_server.host}"\nport = {smtp_server.port}\nsecurity = "none"\n',
        encoding="utf-8")
    assert run("add", "ana@example.com", "--requested-at", NOW).exit_code == 0
    assert run("--now", NOW, "send", "--yes").exit_code == 0
    message = smtp_server.messages[0].message
    assert message["Reply-To"].addresses[0].addr_spec == "ventas@example.com"
    assert message["List-Unsubscribe"] == (
        "<https://example.com/baja>, <mailto:baja@example.com?subject=unsubscribe>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"].endswith("@shop.lauravidal.es>")
    assert smtp_server.messages[0].mail_from == "laura@shop.lauravidal.es"


# ---- templates as editors save them ----------------------------------------------------

INFO = "Subject: ¿Aún me recuerda?\n\nHola, {{ first_name }}: aquí tiene la información del año.\n"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp1252", "mac_roman"])
def test_a_template_saved_as_notepad_or_textedit_save_it_reads_as_written(project, run, encoding):
    """Notepad's "ANSI" and "Unicode", TextEdit's "Western (Mac OS Roman)": the lead reads
    what the marketer wrote, and no run stops over it."""
    path = project / "templates" / "es" / "info.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(INFO.encode(encoding))
    assert run("add", "ana@example.com", "--name", "Íñigo Núñez", "--requested-at", NOW).exit_code == 0
    shown = run("--now", NOW, "preview", "ana@example.com")
    assert shown.exit_code == 0, shown.stderr
    assert "¿Aún me recuerda?" in shown.stdout
    assert "Hola, Íñigo: aquí tiene la información del año." in shown.stdout
    assert run("check").exit_code == 0


def test_a_template_in_utf16_without_its_mark_is_one_sentence(project, run):
    write_template(project, "es/info.txt", "")
    (project / "templates" / "es" / "info.txt").write_bytes(INFO.encode("utf-16-le"))
    result = run("check")
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "templates/es/info.txt: not UTF-8 text" in result.stderr
