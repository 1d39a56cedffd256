"""Lost or wrong mail (issue #16), against a real SMTP server on 127.0.0.1: one lead's
trouble stays with that lead, international addresses go out as SMTP allows, a server
that answers garbage after the content leaves the outcome `unknown`, and a send killed
mid-DATA reads `unknown` everywhere at once."""

import json
import time
import sqlite3

import pytest
from cli_checks import import_csv, one_line, show, states

NOW = "2026-03-02T10:00"


def write_config(tmp_path, server=None, extra=""):
    smtp = ""
    if server is not None:
        smtp = (f'\n[smtp]\nhost = "{server.host}"\nport = {server.port}\nsecurity = "none"\n'
                "timeout = 5\n")
    (tmp_path / "leadloop.toml").write_text(
        '[sender]\nname = "Laura Vidal"\naddress = "laura@lauravidal.es"\n'
        f"\n[cadence]\ndaily_limit = 1000\n{extra}" + smtp, encoding="utf-8")


def write_template(tmp_path, relative, text):
    path = tmp_path / "templates" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# -- one lead never stops the others (SPEC §6) ------------------------------------------


def test_a_lead_whose_data_the_template_cannot_use_fails_alone(tmp_path, run, smtp_server):
    write_config(tmp_path, smtp_server)
    write_template(tmp_path, "es/info.txt",
                   "Subject: Hola {{ first_name }}\n\nInformación sobre {{ product }}.\n"
                   "{% if plazos is defined %}{{ (precio|int) // (plazos|int) }} € al mes"
                   "{% endif %}\n")
    import_csv(run, tmp_path,
               "email,nombre,producto,fecha,precio,plazos\n"
               "ana@example.com,Ana,Curso,01/03/2026,300,3\n"
               "bea@example.com,Bea,Curso,01/03/2026,300,0\n"
               "cris@example.com,Cris,Curso,01/03/2026,,\n")
    result = run("--now", NOW, "run-daily")
    assert result.exit_code == 1, "sends failed in this run"
    line = one_line(result)
    assert line.startswith("warning: bea@example.com: ")
    assert "templates/es/info.txt" in line and "division" in line
    assert "send: 2 sent" in result.stdout and "1 failed" in result.stdout
    assert sorted(smtp_server.recipients()) == ["ana@example.com", "cris@example.com"]
    assert b"100 =E2=82=AC al mes" in smtp_server.messages[0].data or \
        b"100 =E2=82=AC al mes" in smtp_server.messages[1].data
    bea = show(run, "bea@example.com")
    assert [m["state"] for m in bea["messages"]] == ["failed"]
    assert bea["messages"][0]["error"].startswith("bea@example.com: ")
    assert bea["status"] == "active"
    # Reported once: the next run neither resends nor fails it again.
    again = run("--now", NOW, "run-daily")
    assert again.exit_code == 0, again.stderr
    assert smtp_server.count == 2


def test_a_stored_locale_that_is_not_a_language_fails_alone(tmp_path, run, smtp_server):
    """`idioma = Español` stopped everyone before #16; import now maps it, and a value
    already stored from before (here written straight into the database) fails alone."""
    write_config(tmp_path, smtp_server)
    import_csv(run, tmp_path,
               "email,nombre,idioma,fecha\n"
               "ana@example.com,Ana,Español,01/03/2026\n"
               "bea@example.com,Bea,es,01/03/2026\n"
               "cris@example.com,Cris,English,01/03/2026\n")
    with sqlite3.connect(tmp_path / "leadloop.db") as db:
        db.execute("UPDATE leads SET locale = 'zz' WHERE email = 'bea@example.com'")
    result = run("--now", NOW, "send", "--yes")
    assert result.exit_code == 1
    assert one_line(result).startswith(
        'warning: bea@example.com: its locale cannot choose templates: language "zz"')
    assert sorted(smtp_server.recipients()) == ["ana@example.com", "cris@example.com"]
    by_address = {m.rcpt_tos[0]: m.message for m in smtp_server.messages}
    assert by_address["ana@example.com"]["Subject"] != by_address["cris@example.com"]["Subject"]
    assert states(run, "bea@example.com") == ["failed"]


def test_a_template_that_fails_for_everyone_still_stops_the_run(tmp_path, run, smtp_server):
    write_config(tmp_path, smtp_server)
    write_template(tmp_path, "es/info.txt",
                   "Subject: Hola\n\n{% if plazos is defined %}{{ 1 // (plazos|int) }}{% endif %}"
                   "{{ oferta_especial }}\n")
    import_csv(run, tmp_path,
               "email,fecha,plazos\nana@example.com,01/03/2026,0\nbea@example.com,01/03/2026,2\n")
    result = run("--now", NOW, "run-daily")
    assert result.exit_code == 2
    line = one_line(result)
    assert "templates/es/info.txt:3" in line and "oferta_especial" in line, "the template's fault"
    assert smtp_server.count == 0
    assert states(run, "ana@example.com") == [] and states(run, "bea@example.com") == []
    assert len(json.loads(run("--now", NOW, "due", "--json").stdout)) == 2


def test_dry_run_names_the_lead_that_would_fail_and_lists_the_others(tmp_path, run, smtp_server):
    write_config(tmp_path, smtp_server)
    import_csv(run, tmp_path, "email,fecha\nana@example.com,01/03/2026\nbea@example.com,01/03/2026\n")
    with sqlite3.connect(tmp_path / "leadloop.db") as db:
        db.execute("UPDATE leads SET locale = 'Klingon' WHERE email = 'ana@example.com'")
    result = run("--now", NOW, "send", "--dry-run")
    assert result.exit_code == 0
    assert one_line(result).startswith("warning: would fail: ana@example.com: ")
    assert "would send info (step 0) to bea@example.com" in result.stdout
    assert smtp_server.count == 0 and states(run, "ana@example.com") == []


# -- international addresses (SPEC §5) ---------------------------------------------------

INTERNATIONAL = ("email,nombre,fecha\n"
                 "josé@cliente.example,José Núñez,01/03/2026\n"
                 "luis@bücher.example,Luis,01/03/2026\n"
                 "ana@example.com,Ana,01/03/2026\n")


def utf8_message(data: bytes):
    """RFC 6532: the head is UTF-8 (the stdlib's BytesParser would read it as ASCII)."""
    from email import policy
    from email.parser import Parser

    return Parser(policy=policy.default).parsestr(data.decode("utf-8"))


def by_recipient(server):
    return {m.rcpt_tos[0]: m for m in server.messages}


def test_international_addresses_over_a_server_that_offers_smtputf8(tmp_path, run, smtp_server):
    write_config(tmp_path, smtp_server)
    import_csv(run, tmp_path, INTERNATIONAL)
    result = run("--now", NOW, "run-daily")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "" and "send: 3 sent" in result.stdout
    received = by_recipient(smtp_server)
    assert sorted(received) == ["ana@example.com", "josé@cliente.example",
                                "luis@xn--bcher-kva.example"]
    # The Unicode local part goes with SMTPUTF8 and a UTF-8 head (RFC 6531, 6532) ...
    jose = received["josé@cliente.example"]
    assert "SMTPUTF8" in [option.upper() for option in smtp_server.handler_options(jose)]
    assert "To: =?utf-8?b?Sm9zw6kgTsO6w7Fleg==?= <josé@cliente.example>\r\n".encode() in jose.data
    [to] = utf8_message(jose.data)["To"].addresses
    assert (to.addr_spec, to.display_name) == ("josé@cliente.example", "José Núñez")
    # ... a Unicode domain in its ASCII form, envelope and header alike, with no SMTPUTF8.
    luis = received["luis@xn--bcher-kva.example"]
    assert smtp_server.handler_options(luis) == []
    assert b"To: Luis <luis@xn--bcher-kva.example>\r\n" in luis.data
    assert luis.data.isascii() and received["ana@example.com"].data.isascii()
    for address in ("josé@cliente.example", "luis@bücher.example", "ana@example.com"):
        assert states(run, address) == ["sent"]


def test_without_smtputf8_only_the_unicode_local_part_fails(tmp_path, run, smtp_ascii_server):
    smtp_server = smtp_ascii_server
    write_config(tmp_path, smtp_server)
    import_csv(run, tmp_path, INTERNATIONAL)
    result = run("--now", NOW, "run-daily")
    assert result.exit_code == 1, "a send failed in this run"
    assert one_line(result) == (
        "warning: josé@cliente.example: the server does not offer SMTPUTF8 (RFC 6531), "
        "which the address josé@cliente.example needs; not sent")
    assert "send: 2 sent" in result.stdout and "1 failed" in result.stdout
    assert sorted(smtp_server.recipients()) == ["ana@example.com", "luis@xn--bcher-kva.example"]
    jose = show(run, "josé@cliente.example")
    assert [m["state"] for m in jose["messages"]] == ["failed"]
    assert "SMTPUTF8" in jose["messages"][0]["error"]
    assert jose["status"] == "active", "the address is fine; this server cannot take it"
    again = run("--now", NOW, "run-daily")
    assert again.exit_code == 0 and smtp_server.count == 2


def test_international_addresses_in_the_outbox(tmp_path, run):
    write_config(tmp_path)
    import_csv(run, tmp_path, INTERNATIONAL)
    result = run("--now", NOW, "run-daily")
    assert result.exit_code == 0, result.stderr
    files = list((tmp_path / "outbox" / "new").iterdir())
    messages = [utf8_message(f.read_bytes()) for f in files]
    assert sorted(m["To"].addresses[0].addr_spec for m in messages) == [
        "ana@example.com", "josé@cliente.example", "luis@xn--bcher-kva.example"]
    assert sum(not f.read_bytes().isascii() for f in files) == 1, "only josé's head is UTF-8"


# -- a garbage answer after DATA (SPEC §6) ------------------------------------------------


@pytest.mark.parametrize("answer", ["hello", "354 go ahead", "\x00\x01", "250" + "x" * 9000])
def test_a_garbage_answer_to_the_content_is_unknown_not_failed(tmp_path, run, smtp_server, answer):
    write_config(tmp_path, smtp_server)
    import_csv(run, tmp_path, "email,fecha\nana@example.com,01/03/2026\nbea@example.com,01/03/2026\n"
                              "cris@example.com,01/03/2026\n")
    smtp_server.data_replies = {"bea@example.com": answer}
    result = run("--now", NOW, "run-daily")
    assert result.exit_code == 1
    line = one_line(result)
    assert line.startswith("warning: bea@example.com: ") and "may have been delivered" in line
    assert "2 sent" in result.stdout and "1 unknown" in result.stdout and "0 failed" in result.stdout
    assert smtp_server.count == 3, "the server has the content: it may have delivered it"
    bea = show(run, "bea@example.com")
    assert [m["state"] for m in bea["messages"]] == ["unknown"]
    assert bea["contacts"] == 1 and bea["status"] == "active"
    # Never resent automatically; the next run says nothing is wrong with the others.
    smtp_server.data_replies = {}
    again = run("--now", NOW, "run-daily")
    assert again.exit_code == 0 and smtp_server.count == 3
    assert [l["email"] for l in json.loads(run("--now", NOW, "due", "--json").stdout)] == []


@pytest.mark.parametrize("answer", ["hello", "354 what?"])
def test_a_garbage_answer_before_the_content_leaves_the_message_to_retry(tmp_path, run, smtp_server,
                                                                         answer):
    write_config(tmp_path, smtp_server)
    import_csv(run, tmp_path, "email,fecha\nana@example.com,01/03/2026\nbea@example.com,01/03/2026\n")
    smtp_server.rcpt_replies = {"bea@example.com": answer}
    result = run("--now", NOW, "run-daily")
    assert result.exit_code == 0, result.stderr
    assert "1 sent, 1 retried later" in result.stdout
    assert smtp_server.recipients() == ["ana@example.com"]
    assert states(run, "bea@example.com") == ["deferred"]


# -- kill -9 mid-DATA ---------------------------------------------------------------------


def test_right_after_a_kill_mid_data_show_and_due_say_unknown(tmp_path, run, smtp_server):
    import os
    import signal
    import subprocess
    import sys
    import threading

    write_config(tmp_path, smtp_server)
    import_csv(run, tmp_path, "email,fecha\nana@example.com,01/03/2026\nbea@example.com,01/03/2026\n"
                              "cris@example.com,01/03/2026\n")
    hold = threading.Event()
    smtp_server.hold_data = {"bea@example.com": hold}
    victim = subprocess.Popen([sys.executable, "-m", "leadloop", "--now", NOW, "send", "--yes"],
                              cwd=tmp_path, env={**os.environ, "PYTHONUNBUFFERED": "1"},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert smtp_server.data_held.wait(60), "the send never reached bea's DATA"
        # While the run lives, its message really is in flight, and is left alone.
        assert states(run, "bea@example.com") == ["sending"]
        # ana's answer is written with bea's `sending` mark, before bea's DATA
        # (runner._Recorder); the wait stays, harmless. The kill must catch bea alone
        # in flight.
        for _ in range(3000):
            if states(run, "ana@example.com") == ["sent"]:
                break
            time.sleep(0.01)
        assert states(run, "ana@example.com") == ["sent"]
        victim.send_signal(signal.SIGKILL)
        victim.communicate(timeout=30)
        assert victim.returncode == -signal.SIGKILL

        shown = run("--now", NOW, "show", "bea@example.com", "--json")
        assert shown.exit_code == 0 and shown.stderr == ""
        bea = json.loads(shown.stdout)
        assert [m["state"] for m in bea["messages"]] == ["unknown"]
        assert bea["contacts"] == 1 and bea["next_step"] == 1
        due = run("--now", NOW, "due", "--json")
        assert due.exit_code == 0
        assert [item["email"] for item in json.loads(due.stdout)] == ["cris@example.com"]
        assert one_line(due).startswith("warning: 1 message has an unknown outcome")
        listed = {l["email"]: l for l in json.loads(run("--now", NOW, "leads", "--json").stdout)}
        assert listed["bea@example.com"]["contacts"] == 1

        # `send` agrees with `due`: cris goes, bea is not sent again.
        result = run("--now", NOW, "send", "--yes")
        assert result.exit_code == 0, result.stderr
        assert "send: 1 sent" in result.stdout
        assert sorted(smtp_server.recipients()) == [
            "ana@example.com", "bea@example.com", "cris@example.com"]
    finally:
        hold.set()
        if victim.poll() is None:
            victim.kill()
            victim.communicate()


# -- a server that answers, with a refusal, before the login ----------------------------------

class _Refusing:
    """A server on 127.0.0.1 that greets with `greeting`, or refuses STARTTLS with
    `starttls` (as Sendmail does when its queue disk is short: "452 4.4.5 Insufficient
    disk space"), for every connection."""

    def __init__(self, greeting="220 relay ESMTP", starttls=None):
        import socket
        import threading

        self.greeting, self.starttls = greeting, starttls
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.host, self.port = "127.0.0.1", self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with conn:
                lines = conn.makefile("rb")
                conn.sendall(self.greeting.encode() + b"\r\n")
                if not self.greeting.startswith("220"):
                    continue
                while line := lines.readline():
                    verb = line[:8].upper()
                    if verb.startswith(b"EHLO"):
                        conn.sendall(b"250-relay\r\n250 STARTTLS\r\n")
                    elif verb.startswith(b"STARTTLS"):
                        conn.sendall(self.starttls.encode() + b"\r\n")
                    else:
                        conn.sendall(b"221 bye\r\n")
                        break

    def close(self):
        self.listener.close()


@pytest.mark.parametrize("server, said", [
    (dict(greeting="421 4.7.0 mail.example Error: too many connections from 192.0.2.25"),
     "the mail server turned the connection away (421 4.7.0 mail.example Error: too many connections from "
     "192.0.2.25): it limits how many connections this machine may open, or how often; run again later"),
    (dict(starttls="452 4.4.5 Insufficient disk space; try again later"),
     "the mail server refused STARTTLS (452 4.4.5 Insufficient disk space; try again later); try again later, "
     "or ask its administrator"),
], ids=["greeting", "starttls"])
def test_a_refusal_before_the_login_is_said_in_the_servers_words(tmp_path, run, server, said):
    refusing = _Refusing(**server)
    try:
        (tmp_path / "leadloop.toml").write_text(
            '[sender]\nname = "Laura Vidal"\naddress = "laura@lauravidal.es"\n'
            f'[smtp]\nhost = "{refusing.host}"\nport = {refusing.port}\nsecurity = "starttls"\ntimeout = 5\n',
            encoding="utf-8")
        import_csv(run, tmp_path, "email,fecha\nana@example.com,01/03/2026\n")
        result = run("--now", NOW, "run-daily")
    finally:
        refusing.close()
    assert result.exit_code == 1
    assert said in one_line(result), result.stderr
    assert "b'" not in result.stderr and "Traceback" not in result.stderr
    assert states(run, "ana@example.com") == []
