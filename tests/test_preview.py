"""`preview` shows the message as a mail client does (issue #27 item 8): headers
decoded, the text part decoded, a note of the HTML alternative, the attachments with
their sizes; `--raw` keeps the bytes as sent."""

NOW = "2026-03-02T10:00"
INFO = ("Subject: La información sobre {{ product }}\n"
        "Attachment: folletos/Catálogo 2026.pdf\n\n"
        "Hola, {{ first_name }}:\n\nAquí tiene el catálogo de {{ product }}.\n")


def project(tmp_path, run):
    (tmp_path / "leadloop.toml").write_text(
        '[sender]\nname = "Laura Vidal Núñez"\naddress = "laura@lauravidal.es"\n', encoding="utf-8")
    templates = tmp_path / "templates"
    (templates / "es").mkdir(parents=True)
    (templates / "folletos").mkdir()
    (templates / "es" / "info.txt").write_text(INFO, encoding="utf-8")
    (templates / "es" / "info.html").write_text("Subject: x\n\n<p>Hola, {{ first_name }}.</p>\n",
                                                encoding="utf-8")
    (templates / "folletos" / "Catálogo 2026.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 200)
    assert run("add", "maria@tienda.es", "--name", "María Núñez", "--product", "Curso de fotografía",
               "--requested-at", NOW).exit_code == 0


def test_preview_reads_like_a_mail_client(tmp_path, run):
    project(tmp_path, run)
    result = run("--now", NOW, "preview", "maria@tienda.es")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "From: Laura Vidal Núñez <laura@lauravidal.es>"
    assert lines[1] == "To: María Núñez <maria@tienda.es>"
    assert lines[2] == "Subject: La información sobre Curso de fotografía"
    assert "Hola, María:" in lines and "Aquí tiene el catálogo de Curso de fotografía." in lines
    assert "=?utf-8?" not in result.stdout and "=C3=" not in result.stdout
    assert "Content-Type" not in result.stdout and "base64" not in result.stdout
    assert "This message also has an HTML version" in result.stdout
    assert "Catálogo 2026.pdf  51 kB  application/pdf" in result.stdout


def test_preview_raw_keeps_the_bytes_as_sent(tmp_path, run):
    project(tmp_path, run)
    result = run("--now", NOW, "preview", "--raw", "maria@tienda.es")
    assert result.exit_code == 0, result.stderr
    assert "Subject: =?utf-8?" in result.stdout and "Content-Transfer-Encoding" in result.stdout
    assert "multipart/alternative" in result.stdout
