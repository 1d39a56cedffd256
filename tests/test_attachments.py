"""Attachments in the information pack (issue #18, SPEC §6), against a real SMTP server
on 127.0.0.1 and through the CLI: the bytes and the file name arrive exactly, the text
and HTML stay intact, a path from lead data never leaves the templates directory (that
lead alone fails), a missing file stops the run before anything goes, the size limits
hold, `check` and `preview` show the files, and each file is read and encoded once."""

import json
import os
import socket
import threading
from datetime import datetime, timezone
from email import message_from_bytes, policy
from email.parser import BytesParser

import pytest

from leadloop.attachments import MAX_BYTES, WARN_BYTES, Attachments, Outside, content_type
from leadloop.errors import TemplateError
from leadloop.message import Attachment, attachment_head, base64_lines, build, encoded_size
from cli_checks import import_csv, one_line, show, states

NOW = "2026-03-02T10:00"
BROCHURE = "Catálogo de cursos 2026.pdf"
INFO = ("Subject: La información sobre {{ product }}\n"
        "Attachment: folletos/" + BROCHURE + "\n\n"
        "Hola {{ first_name }}:\n\nAquí tiene el catálogo de {{ product }}.\n.\nUn saludo.\n")
INFO_HTML = "Subject: x\n\n<p>Hola {{ first_name }}: el catálogo de <b>{{ product }}</b>.</p>\n"


def write_config(tmp_path, server=None):
    smtp = ""
    if server is not None:
        smtp = (f'\n[smtp]\nhost = "{server.host}"\nport = {server.port}\nsecurity = "none"\n'
                "timeout = 5\n")
    (tmp_path / "leadloop.toml").write_text(
        '[sender]\nname = "Laura Vidal"\naddress = "laura@lauravidal.es"\n'
        "\n[cadence]\ndaily_limit = 1000\n" + smtp, encoding="utf-8")


def write(tmp_path, relative, content):
    path = tmp_path / "templates" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def pdf(size: int, seed: int = 1) -> bytes:
    """Bytes that look like a PDF and hold every byte value (a dot at a line start, CR, LF)."""
    import random

    body = random.Random(seed).randbytes(size - 9)
    return b"%PDF-1.7\n" + body


def attachments_of(message):
    return list(message.iter_attachments())


# -- what arrives ----------------------------------------------------------------------


def test_the_delivered_file_is_the_same_bytes_with_its_name_and_the_text_and_html_intact(
        tmp_path, run, smtp_server):
    write_config(tmp_path, smtp_server)
    brochure = pdf(300_000)
    write(tmp_path, f"folletos/{BROCHURE}", brochure)
    write(tmp_path, "es/info.txt", INFO)
    write(tmp_path, "es/info.html", INFO_HTML)
    assert run("add", "ana@example.com", "--name", "Ana Peña", "--product", "Yoga",
               "--requested-at", NOW).exit_code == 0
    result = run("--now", NOW, "send", "--yes")
    assert result.exit_code == 0, result.stderr
    [received] = smtp_server.messages
    message = received.message
    assert message.defects == []
    assert message.get_content_type() == "multipart/mixed"
    assert [part.get_content_type() for part in message.walk()] == [
        "multipart/mixed", "multipart/alternative", "text/plain", "text/html", "application/pdf"]
    [attached] = attachments_of(message)
    assert attached.get_content() == brochure
    assert attached.get_filename() == BROCHURE
    assert attached.get_content_disposition() == "attachment"
    assert attached["Content-Disposition"].defects == ()
    assert message_from_bytes(received.data).get_payload()[1].get_filename() == BROCHURE, \
        "the legacy (compat32) parser reads the name too"

    # The text and HTML are what the same template without the Attachment line makes.
    write(tmp_path, "es/info.txt", INFO.replace(f"Attachment: folletos/{BROCHURE}\n", ""))
    plain = BytesParser(policy=policy.default).parsebytes(
        run("--now", NOW, "preview", "--raw", "ana@example.com", "--step", "0").stdout.encode())
    assert plain.get_content_type() == "multipart/alternative"
    for kind in ("plain", "html"):  # preview shows lines with \n, as a terminal does
        assert (message.get_body((kind,)).get_content().replace("\r\n", "\n")
                == plain.get_body((kind,)).get_content())
    assert "\n.\nUn saludo." in message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert str(message["Subject"]) == "La información sobre Yoga"
    assert "Attachment" not in message, "the template line attaches; it is no header"


@pytest.mark.parametrize("name", [
    BROCHURE,
    "Precios 2026.pdf",
    "Programa del curso de fotografía digital, iluminación de estudio y retoque (otoño 2026).pdf",
    "日本語のパンフレット.pdf",
    'Guía "rápida" \\ 2026.pdf',
    "100%; =?utf-8?q?no?= ñ.pdf",
    "🎉 promoción.pdf",
])
def test_file_names_parse_back_exactly(name):
    data = pdf(1000)
    attachment = Attachment(f"folletos/{name}", name, "application/pdf", len(data),
                            attachment_head(name, "application/pdf"), base64_lines(data))
    built = build(from_name="Laura", from_address="laura@lauravidal.es", to_name="Ana",
                  to_address="ana@example.com", subject="Hola",
                  date=datetime(2026, 3, 2, tzinfo=timezone.utc), message_id="<m@example.com>",
                  text="Hola\n", html="<p>Hola</p>\n", attachments=(attachment,))
    message = BytesParser(policy=policy.default).parsebytes(built.data)
    [attached] = attachments_of(message)
    assert attached.get_filename() == name
    assert attached["Content-Disposition"].defects == ()
    assert attached["Content-Type"].params["name"] == name, "Outlook's Content-Type name"
    assert attached.get_content() == data
    assert message_from_bytes(built.data).get_payload()[1].get_filename() == name
    assert all(len(line) <= 78 for line in attachment.head.split(b"\r\n"))
    assert built.data.isascii()


def test_content_type_comes_from_the_extension():
    assert content_type("Catálogo.pdf") == "application/pdf"
    assert content_type("FOLLETO.PDF") == "application/pdf"
    assert content_type("precios.xlsx") == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert content_type("foto.jpg") == "image/jpeg"
    assert content_type("fuentes.tar.gz") == "application/gzip"
    assert content_type("sin-extension") == "application/octet-stream"


def test_two_hundred_messages_carry_the_same_correct_bytes(tmp_path, run, smtp_server):
    write_config(tmp_path, smtp_server)
    brochure = pdf(120_000, seed=7)
    write(tmp_path, f"folletos/{BROCHURE}", brochure)
    write(tmp_path, "es/info.txt", INFO)
    import_csv(run, tmp_path, "email,nombre,producto,fecha\n" + "".join(
        f"cliente{n}@example.com,Cliente {n},Yoga,01/03/2026\n" for n in range(200)))
    result = run("--now", NOW, "send", "--yes")
    assert result.exit_code == 0, result.stderr
    assert "200 sent" in result.stdout
    assert sorted(smtp_server.recipients()) == sorted(f"cliente{n}@example.com" for n in range(200))
    for received in smtp_server.messages:
        [attached] = attachments_of(received.message)
        assert attached.get_content() == brochure and attached.get_filename() == BROCHURE


def test_each_file_is_read_and_encoded_once_per_run(tmp_path):
    from leadloop.clock import to_db
    from leadloop.config import load_config
    from leadloop.render import Renderer

    write_config(tmp_path)
    write(tmp_path, f"folletos/{BROCHURE}", pdf(200_000))
    write(tmp_path, "folletos/Yoga.pdf", pdf(1000, seed=2))
    write(tmp_path, "es/info.txt", INFO.replace(
        "\n\n", "\nAttachment: folletos/{{ product }}.pdf\n\n", 1))
    renderer = Renderer(load_config(tmp_path / "leadloop.toml"))
    now = datetime(2026, 3, 2, 10, tzinfo=timezone.utc)
    messages = [renderer.render(
        {"id": n, "email": f"c{n}@example.com", "name": f"C {n}", "product": "Yoga",
         "source": None, "locale": None, "timezone": None, "fields": None,
         "requested_at": to_db(now), "referred_by": None},
        0, "info", f"<m{n}@example.com>", now) for n in range(2000)]
    assert renderer.attachments.reads == 2, "two files, each read once for 2,000 messages"
    first = messages[0]
    assert [a.name for a in first.attachments] == [BROCHURE, "Yoga.pdf"]
    for message in messages:
        assert [a.body for a in message.attachments] == [a.body for a in first.attachments]
        assert all(mine is theirs for mine, theirs in zip(message.attachments, first.attachments))
        assert any(chunk is first.attachments[0].body for chunk in message.chunks), "shared, not copied"


def test_a_file_replaced_during_a_run_is_read_again(tmp_path):
    (tmp_path / "templates").mkdir()
    path = tmp_path / "templates" / "precios.pdf"
    path.write_bytes(b"old prices")
    cache = Attachments(tmp_path / "templates")
    first = cache.load("precios.pdf", "here:1")
    assert cache.load("precios.pdf", "here:1") is first and cache.reads == 1
    path.write_bytes(b"the new prices")
    second = cache.load("precios.pdf", "here:1")
    assert cache.reads == 2 and second.size == len(b"the new prices")
    assert second.body == base64_lines(b"the new prices")


def test_the_outbox_holds_the_attachment(tmp_path, run):
    write_config(tmp_path)
    brochure = pdf(50_000)
    write(tmp_path, f"folletos/{BROCHURE}", brochure)
    write(tmp_path, "es/info.txt", INFO)
    assert run("add", "ana@example.com", "--product", "Yoga", "--requested-at", NOW).exit_code == 0
    assert run("--now", NOW, "send", "--yes").exit_code == 0
    [stored] = list((tmp_path / "outbox" / "new").iterdir())
    message = BytesParser(policy=policy.default).parsebytes(stored.read_bytes())
    [attached] = attachments_of(message)
    assert attached.get_content() == brochure and attached.get_filename() == BROCHURE


def test_a_line_that_renders_empty_attaches_nothing(tmp_path, run, smtp_server):
    write_config(tmp_path, smtp_server)
    write(tmp_path, "folletos/Yoga.pdf", pdf(2000))
    write(tmp_path, "es/info.txt",
          "Subject: Hola\n"
          "Attachment: {% if product == 'Yoga' %}folletos/Yoga.pdf{% endif %}\n\nHola.\n")
    import_csv(run, tmp_path, "email,producto,fecha\nana@example.com,Yoga,01/03/2026\n"
                              "bea@example.com,Pilates,01/03/2026\n")
    assert run("check").exit_code == 0
    assert run("--now", NOW, "send", "--yes").exit_code == 0
    by_address = {m.rcpt_tos[0]: m.message for m in smtp_server.messages}
    assert [a.get_filename() for a in attachments_of(by_address["ana@example.com"])] == ["Yoga.pdf"]
    assert by_address["bea@example.com"].get_content_type() == "text/plain"


def test_the_same_file_named_twice_is_attached_once(tmp_path, run, smtp_server):
    write_config(tmp_path, smtp_server)
    write(tmp_path, "folletos/Yoga.pdf", pdf(2000))
    write(tmp_path, "es/info.txt", "Subject: Hola\nAttachment: folletos/Yoga.pdf\n"
                                   "Attachment: folletos/{{ product }}.pdf\n\nHola.\n")
    assert run("add", "ana@example.com", "--product", "Yoga", "--requested-at", NOW).exit_code == 0
    assert run("--now", NOW, "send", "--yes").exit_code == 0
    assert [a.get_filename() for a in attachments_of(smtp_server.messages[0].message)] == ["Yoga.pdf"]


# -- paths never leave the templates directory ------------------------------------------


@pytest.mark.parametrize("template_line, product", [
    ("Attachment: folletos/{{ product }}.pdf", "../../../etc/passwd"),
    ("Attachment: {{ product }}", "../../../../../../../../etc/passwd"),
    ("Attachment: {{ product }}", "/etc/passwd"),
    ("Attachment: {{ product }}", "../secret.pdf"),
    ("Attachment: folletos/{{ product }}.pdf", "Enlace"),  # a link that points outside
])
def test_a_path_from_lead_data_never_leaves_the_templates_directory_and_that_lead_alone_fails(
        tmp_path, run, smtp_server, template_line, product):
    write_config(tmp_path, smtp_server)
    secret = b"root:x:0:0:the secret\n"
    (tmp_path / "secret.pdf").write_bytes(secret)
    write(tmp_path, "folletos/Yoga.pdf", pdf(3000))
    write(tmp_path, "Yoga", pdf(3000))
    (tmp_path / "templates" / "folletos" / "Enlace.pdf").symlink_to(tmp_path / "secret.pdf")
    write(tmp_path, "es/info.txt", f"Subject: Hola\n{template_line}\n\nHola.\n")
    import_csv(run, tmp_path, "email,producto,fecha\n"
                              f'ana@example.com,Yoga,01/03/2026\neve@example.com,"{product}",01/03/2026\n'
                              "cris@example.com,Yoga,01/03/2026\n")
    result = run("--now", NOW, "send", "--yes")
    assert result.exit_code == 1, "a message failed in this run"
    line = one_line(result)
    assert line.startswith("warning: eve@example.com: ") and "outside the templates directory" in line
    assert sorted(smtp_server.recipients()) == ["ana@example.com", "cris@example.com"]
    for received in smtp_server.messages:
        assert b"the secret" not in received.data and b"cm9vdDp4" not in received.data
        assert len(attachments_of(received.message)) == 1
    assert states(run, "eve@example.com") == ["failed"]
    assert show(run, "eve@example.com")["messages"][0]["error"].startswith("eve@example.com: ")
    check = run("check")
    assert check.exit_code == 2
    assert f"leads with the product {product!r} get no message" in check.stderr


def test_a_template_path_that_leaves_the_directory_stops_the_run(tmp_path, run, smtp_server):
    write_config(tmp_path, smtp_server)
    (tmp_path / "secret.pdf").write_bytes(b"secret")
    write(tmp_path, "es/info.txt", "Subject: Hola\nAttachment: ../secret.pdf\n\nHola.\n")
    import_csv(run, tmp_path, "email,fecha\nana@example.com,01/03/2026\nbea@example.com,01/03/2026\n")
    result = run("--now", NOW, "send", "--yes")
    assert result.exit_code == 2
    line = one_line(result)
    assert "templates/es/info.txt:2" in line and "outside the templates directory" in line
    assert "@example.com" not in line, "the template's fault, not a lead's"
    assert smtp_server.count == 0
    assert len(json.loads(run("--now", NOW, "due", "--json").stdout)) == 2


# -- a missing file stops everything before anything goes ---------------------------------


def test_a_missing_file_stops_the_run_with_exit_2_before_anything_is_sent(tmp_path, run, smtp_server):
    write_config(tmp_path, smtp_server)
    write(tmp_path, "es/info.txt", INFO)
    import_csv(run, tmp_path, "email,producto,fecha\nana@example.com,Yoga,01/03/2026\n"
                              "bea@example.com,Yoga,01/03/2026\n")
    for command in (["send", "--yes"], ["run-daily"]):
        result = run("--now", NOW, *command)
        assert result.exit_code == 2
        line = one_line(result)
        assert "templates/es/info.txt:2" in line and BROCHURE in line and "there is no file" in line
        assert smtp_server.count == 0
    assert states(run, "ana@example.com") == [] and states(run, "bea@example.com") == []
    assert len(json.loads(run("--now", NOW, "due", "--json").stdout)) == 2
    check = run("check")
    assert check.exit_code == 2 and BROCHURE in check.stderr


def test_a_brochure_missing_for_one_product_stops_the_run_and_check_names_it(tmp_path, run, smtp_server):
    write_config(tmp_path, smtp_server)
    write(tmp_path, "folletos/Yoga.pdf", pdf(3000))
    write(tmp_path, "es/info.txt", "Subject: Hola\nAttachment: folletos/{{ product }}.pdf\n\nHola.\n")
    write(tmp_path, "en/info.txt", "Subject: Hello\nAttachment: folletos/{{ product }}.pdf\n\nHi.\n")
    import_csv(run, tmp_path, "email,producto,idioma,fecha\n"
                              "ana@example.com,Yoga,es,01/03/2026\n"
                              "bea@example.com,Pilates,en,01/03/2026\n")
    result = run("--now", NOW, "send", "--yes")
    assert result.exit_code == 2
    assert "folletos/Pilates.pdf" in one_line(result)
    assert smtp_server.count == 0, "not even Yoga's info pack went"
    check = run("check")
    assert check.exit_code == 2
    problems = check.stderr.strip().splitlines()
    assert any("templates/es/info.txt:2" in p and "Pilates.pdf" in p for p in problems)
    assert any("templates/en/info.txt:2" in p and "Pilates.pdf" in p for p in problems)
    assert not any("Yoga.pdf" in p for p in problems)
    write(tmp_path, "folletos/Pilates.pdf", pdf(3000, seed=3))
    assert run("check").exit_code == 0
    assert run("--now", NOW, "send", "--yes").exit_code == 0 and smtp_server.count == 2


@pytest.mark.parametrize("kind", ["directory", "fifo"])
def test_a_file_that_cannot_be_read_is_found_by_check_and_stops_send(tmp_path, run, smtp_server, kind):
    write_config(tmp_path, smtp_server)
    target = tmp_path / "templates" / "folletos" / BROCHURE
    target.parent.mkdir(parents=True)
    if kind == "directory":
        target.mkdir()
    else:
        os.mkfifo(target)  # opening it would wait for ever
    write(tmp_path, "es/info.txt", INFO)
    assert run("add", "ana@example.com", "--product", "Yoga", "--requested-at", NOW).exit_code == 0
    check = run("check")
    assert check.exit_code == 2
    assert BROCHURE in check.stderr
    assert ("is a directory" if kind == "directory" else "not a regular file") in check.stderr
    assert run("--now", NOW, "send", "--yes").exit_code == 2 and smtp_server.count == 0


# -- size limits -----------------------------------------------------------------------


def test_a_message_over_10_mb_goes_with_a_warning(tmp_path, run, smtp_server):
    write_config(tmp_path, smtp_server)
    brochure = pdf(8_000_000)  # 10.8 MB once encoded
    assert WARN_BYTES < encoded_size(len(brochure)) < MAX_BYTES
    write(tmp_path, f"folletos/{BROCHURE}", brochure)
    write(tmp_path, "es/info.txt", INFO)
    import_csv(run, tmp_path, "email,producto,fecha\nana@example.com,Yoga,01/03/2026\n"
                              "bea@example.com,Yoga,01/03/2026\n")
    check = run("check")
    assert check.exit_code == 0
    assert check.stderr.startswith("warning: templates/es/info.txt: the message is 10.")
    assert "MB with its attachments" in check.stderr and "over 10.0 MB" in check.stderr
    result = run("--now", NOW, "send", "--yes")
    assert result.exit_code == 0
    assert one_line(result).startswith("warning: templates/es/info.txt: the message is 10."), \
        "once, not per message"
    assert smtp_server.count == 2
    assert attachments_of(smtp_server.messages[0].message)[0].get_content() == brochure


@pytest.mark.parametrize("sizes", [[15_000_000], [6_000_000, 9_000_000]])
def test_a_message_over_20_mb_is_an_error_and_nothing_is_sent(tmp_path, run, smtp_server, sizes):
    write_config(tmp_path, smtp_server)
    lines = ""
    for n, size in enumerate(sizes):
        (tmp_path / "templates" / "folletos").mkdir(parents=True, exist_ok=True)
        with open(tmp_path / "templates" / "folletos" / f"parte{n}.pdf", "wb") as handle:
            handle.truncate(size)  # sparse: a big file without writing it
        lines += f"Attachment: folletos/parte{n}.pdf\n"
    write(tmp_path, "es/info.txt", f"Subject: Hola\n{lines}\nHola.\n")
    import_csv(run, tmp_path, "email,fecha\nana@example.com,01/03/2026\nbea@example.com,01/03/2026\n")
    check = run("check")
    assert check.exit_code == 2 and "error:" in check.stderr and "over 20.0 MB" in check.stderr
    result = run("--now", NOW, "send", "--yes")
    assert result.exit_code == 2
    assert "over 20.0 MB" in one_line(result) and "templates/es/info.txt" in result.stderr
    assert smtp_server.count == 0
    assert states(run, "ana@example.com") == []


# -- preview and check -----------------------------------------------------------------


def test_preview_lists_the_attachments_with_their_sizes(tmp_path, run):
    write_config(tmp_path)
    write(tmp_path, f"folletos/{BROCHURE}", pdf(300_000))
    write(tmp_path, "folletos/precios.xlsx", pdf(12_000, seed=5))
    write(tmp_path, "es/info.txt", INFO.replace("\n\n", "\nAttachment: folletos/precios.xlsx\n\n", 1))
    assert run("add", "ana@example.com", "--product", "Yoga", "--requested-at", NOW).exit_code == 0
    result = run("--now", NOW, "preview", "--raw", "ana@example.com")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert f"folletos/{BROCHURE}  300 kB  application/pdf" in out
    assert "folletos/precios.xlsx  12 kB  application/vnd.openxmlformats" in out
    assert f"characters of base64: {BROCHURE}]" in out
    assert "filename*=utf-8''Cat%C3%A1logo%20de%20cursos%202026.pdf" in out
    assert max(len(line) for line in out.splitlines()) < 200, "no megabytes of base64 on the screen"
    assert "Aqu=C3=AD tiene el cat=C3=A1logo de Yoga" in out


def test_check_renders_attachments_for_every_locale_and_product(tmp_path, run):
    write_config(tmp_path)
    write(tmp_path, "folletos/Yoga.pdf", pdf(1000))
    write(tmp_path, "folletos/notas.txt", "Not a template: a price list in text.\n")
    write(tmp_path, "es/info.txt", "Subject: Hola\nAttachment: folletos/{{ product or 'Yoga' }}.pdf\n\nHola.\n")
    write(tmp_path, "es/followup.txt", "Subject: Hola\nAttachment: folletos/notas.txt\n\nHola.\n")
    assert run("add", "ana@example.com", "--product", "Yoga").exit_code == 0
    result = run("check")
    assert result.exit_code == 0, result.stderr
    assert run("add", "bea@example.com", "--product", "Tai chi", "--locale", "en").exit_code == 0
    result = run("check")
    assert result.exit_code == 2
    assert "folletos/Tai chi.pdf" in result.stderr and "templates/es/info.txt:2" in result.stderr


# -- Jinja comments among the header lines ---------------------------------------------


def test_comments_among_the_header_lines_are_skipped(tmp_path, run, smtp_server):
    write_config(tmp_path, smtp_server)
    write(tmp_path, "folletos/Yoga.pdf", pdf(2000))
    write(tmp_path, "es/info.txt",
          "Subject: Hola {{ first_name }}\n"
          "{# one line #}\n"
          "{#- a comment over several lines, with a blank one:\n\n"
          "Attachment: folletos/nada.pdf\n"
          "   -#}   \n"
          "Attachment: folletos/Yoga.pdf {# a note #}\n"
          "\n"
          "Hola {# body comment #}{{ first_name }}.\n")
    assert run("add", "ana@example.com", "--name", "Ana", "--requested-at", NOW).exit_code == 0
    assert run("check").exit_code == 0
    assert run("--now", NOW, "send", "--yes").exit_code == 0
    message = smtp_server.messages[0].message
    assert str(message["Subject"]) == "Hola Ana"
    assert [a.get_filename() for a in attachments_of(message)] == ["Yoga.pdf"]
    assert message.get_body(("plain",)).get_content().strip() == "Hola Ana."


@pytest.mark.parametrize("head, line, words", [
    ("Subject: Hola\n{# never closed\nX: y\n", 2, "comment"),
    ("Subject: Hola\n{# closed #} X-Extra: y\n", 2, "must end its line"),
])
def test_a_bad_comment_among_the_header_lines_names_its_line(tmp_path, run, head, line, words):
    write_config(tmp_path)
    write(tmp_path, "es/info.txt", head + "\nHola.\n")
    result = run("check")
    assert result.exit_code == 2
    assert f"templates/es/info.txt:{line}" in result.stderr and words in result.stderr


@pytest.mark.bare_folder
def test_the_shipped_info_templates_show_how_to_attach_in_a_comment(tmp_path, run):
    from leadloop.resources import builtin_path

    for locale in ("es", "en"):
        text = (builtin_path("templates") / locale / "info.txt").read_text(encoding="utf-8")
        head = text.split("\n\n", 1)[0]
        assert "{#" in head and "Attachment: " in head and "{{ product }}.pdf" in head
    write_config(tmp_path)
    assert run("init", ".").exit_code == 0
    assert run("add", "ana@example.com", "--product", "Yoga", "--requested-at", NOW).exit_code == 0
    assert run("check").exit_code == 0
    shown = run("--now", NOW, "preview", "--raw", "ana@example.com").stdout
    assert "Attachment" not in shown and "{#" not in shown and "Content-Type: multipart/alternative" in shown


def test_an_attachment_line_in_the_html_twin_is_an_error(tmp_path, run):
    write_config(tmp_path)
    write(tmp_path, "folletos/Yoga.pdf", pdf(1000))
    write(tmp_path, "es/info.txt", "Subject: Hola\n\nHola.\n")
    write(tmp_path, "es/info.html", "Subject: Hola\nAttachment: folletos/Yoga.pdf\n\n<p>Hola.</p>\n")
    result = run("check")
    assert result.exit_code == 2
    assert "templates/es/info.html:2" in result.stderr and "info.txt" in result.stderr


def test_outside_is_refused_by_the_cache_itself(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "outside.pdf").write_bytes(b"x")
    cache = Attachments(tmp_path / "templates")
    for path in ("../outside.pdf", str(tmp_path / "outside.pdf"), "a/../../outside.pdf"):
        with pytest.raises(Outside):
            cache.load(path, "t:1")
    with pytest.raises(TemplateError, match="there is no file"):
        cache.load("a/../nothing.pdf", "t:1")


# -- a connection lost while a big message is on its way ---------------------------------


class DroppingServer:
    """An SMTP server that takes MAIL, RCPT and DATA, reads a little of the content and
    hangs up: the connection breaks while leadloop is still sending the attachment."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.host, self.port = self.sock.getsockname()
        self.connections = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                reader = conn.makefile("rb")
                conn.sendall(b"220 drop.test ESMTP\r\n")
                while line := reader.readline():
                    verb = line[:4].upper()
                    if verb in (b"EHLO", b"HELO"):
                        conn.sendall(b"250 drop.test\r\n")
                    elif verb == b"DATA":
                        conn.sendall(b"354 go ahead\r\n")
                        reader.read(4096)
                        break  # hang up mid-content, unread data behind: a reset
                    elif verb == b"QUIT":
                        conn.sendall(b"221 bye\r\n")
                        break
                    else:
                        conn.sendall(b"250 OK\r\n")

    def close(self):
        self.sock.close()


def test_a_connection_lost_while_the_attachment_goes_leaves_the_message_to_retry(tmp_path, run):
    server = DroppingServer()
    try:
        write_config(tmp_path, server)
        write(tmp_path, f"folletos/{BROCHURE}", pdf(6_000_000))
        write(tmp_path, "es/info.txt", INFO)
        assert run("add", "ana@example.com", "--product", "Yoga", "--requested-at", NOW).exit_code == 0
        result = run("--now", NOW, "send", "--yes")
        assert "1 retried later" in result.stdout, result.stdout + result.stderr
        [message] = show(run, "ana@example.com")["messages"]
        assert message["state"] == "deferred", "the end of data never went: it cannot have arrived"
        assert server.connections == 2, "reconnected once, as for any connection lost before the content"
    finally:
        server.close()
