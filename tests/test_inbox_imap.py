"""The inbox over IMAP, against a real server (pymap on 127.0.0.1): the acceptance of
SPEC §7 — threaded replies, DSNs, reading twice, a wrong password — plus STARTTLS, a
UIDVALIDITY change and the processed folder."""

from __future__ import annotations

import json

import pytest
from imap_server import IMAP_PASSWORD, ImapServer
from test_inbox import LATER, LEADS, SENT_AT, dsn, leads, mail, sent_message_id, status


def configure(tmp_path, server, extra: str = "", security: str = "none") -> None:
    (tmp_path / "leadloop.toml").write_text(
        '[sender]\nname = "Laura Vidal"\naddress = "laura@lauravidal.es"\n\n'
        f'[inbox]\nhost = "{server.host}"\nport = {server.port}\nsecurity = "{security}"\n'
        f'username = "{server.username}"\n{extra}',
        encoding="utf-8",
    )


@pytest.fixture
def project(tmp_path, run, imap_server, monkeypatch):
    monkeypatch.setenv("LEADLOOP_IMAP_PASSWORD", IMAP_PASSWORD)
    configure(tmp_path, imap_server)
    (tmp_path / "leads.csv").write_text(LEADS, encoding="utf-8")
    assert run("import", "leads.csv").exit_code == 0
    sent = run("--now", SENT_AT, "run-daily")
    assert sent.exit_code == 0, sent.stderr
    assert "3 written to the outbox" in sent.stdout
    return imap_server


def read(run) -> dict:
    result = run("--now", LATER, "inbox", "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_a_threaded_reply_from_another_address_stops_the_sequence(project, run):
    reply = mail("pepe.trabajo@empresa.example", "Re: información", "Llámeme el lunes.")
    reply["In-Reply-To"] = sent_message_id(run, "jose.munoz@example.com")
    project.append(reply.as_bytes())
    assert read(run)["replies"] == 1
    assert status(run, "jose.munoz@example.com") == "replied"
    later = run("--now", "2026-06-15T10:00", "run-daily")
    assert later.exit_code == 0, later.stderr
    assert "2 written to the outbox" in later.stdout
    shown = json.loads(run("show", "jose.munoz@example.com", "--json").stdout)
    assert [m["step"] for m in shown["messages"]] == [0]


def test_a_dsn_bounces_only_the_recipient_that_failed_for_good(project, run):
    project.append(dsn("jose.munoz@example.com", "ana.pena@example.org", "tom@example.net"))
    summary = read(run)
    assert summary["bounces"] == 1 and summary["delays"] == 1
    assert [status(run, e) for e in ("jose.munoz@example.com", "ana.pena@example.org", "tom@example.net")] \
        == ["bounced", "active", "active"]


def test_reading_twice_changes_nothing_and_leaves_the_mail_as_it_was(project, run):
    project.append(mail("ana.pena@example.org", "Pregunta", "¿Cuánto cuesta?").as_bytes())
    project.append(mail("tom@example.net", "Out of office", "Away.", Auto_Submitted="auto-replied").as_bytes())
    flags = project.flags()
    first = read(run)
    before = leads(run)
    second = read(run)
    assert first["replies"] == 1 and first["auto_replies"] == 1
    assert set(second.values()) == {0}
    assert leads(run) == before
    assert project.flags() == flags and len(project.uids()) == 2  # not even \Seen


def test_a_new_uidvalidity_reads_again_without_acting_twice(project, run, tmp_path, monkeypatch):
    reply = mail("ana.pena@example.org", "Pregunta", "¿Cuánto cuesta?").as_bytes()
    project.append(reply)
    assert read(run)["replies"] == 1
    # The server is rebuilt (new UIDVALIDITY) and holds the same message, and a new one.
    rebuilt = ImapServer()
    try:
        configure(tmp_path, rebuilt)
        rebuilt.append(reply)
        rebuilt.append(mail("tom@example.net", "Baja", "").as_bytes())
        summary = read(run)
        assert summary["replies"] == 0 and summary["unsubscribes"] == 1
        shown = json.loads(run("show", "ana.pena@example.org", "--json").stdout)
        assert [e["kind"] for e in shown["events"]].count("reply") == 1
    finally:
        rebuilt.stop()


def test_handled_mail_moves_to_the_processed_folder_when_one_is_set(project, run, tmp_path):
    configure(tmp_path, project, 'processed_folder = "leadloop"\n')
    project.append(mail("ana.pena@example.org", "Pregunta", "¿Cuánto cuesta?").as_bytes())
    assert read(run)["replies"] == 1
    assert project.uids() == [] and len(project.uids("leadloop")) == 1


def test_a_wrong_password_is_one_sentence_and_changes_nothing(project, run, monkeypatch):
    project.append(mail("ana.pena@example.org", "Pregunta", "¿Cuánto cuesta?").as_bytes())
    monkeypatch.setenv("LEADLOOP_IMAP_PASSWORD", "wrong")
    before = leads(run)
    result = run("--now", LATER, "inbox")
    assert result.exit_code == 1
    assert "refused the login" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "wrong" not in result.stderr
    assert leads(run) == before
    daily = run("--now", "2026-06-15T10:00", "run-daily")
    assert daily.exit_code == 1 and "sent" not in daily.stdout


def test_starttls_with_a_private_ca_and_check_connect(tmp_path, run, imap_tls_server, ca_file, monkeypatch):
    monkeypatch.setenv("LEADLOOP_IMAP_PASSWORD", IMAP_PASSWORD)
    configure(tmp_path, imap_tls_server, f'ca_file = "{ca_file}"\n', security="starttls")
    result = run("check", "--connect", "--no-dns")
    assert result.exit_code == 0, result.stderr
    assert f"inbox: logged in to 127.0.0.1:{imap_tls_server.port}" in result.stdout
    assert run("inbox").exit_code == 0


def test_an_untrusted_certificate_is_refused(tmp_path, run, imap_tls_server, monkeypatch):
    monkeypatch.setenv("LEADLOOP_IMAP_PASSWORD", IMAP_PASSWORD)
    configure(tmp_path, imap_tls_server, security="starttls")
    result = run("inbox")
    assert result.exit_code == 1
    assert "not trusted" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_reply_over_the_size_limit_is_read_by_its_headers(project, run):
    reply = mail("Tom Baker <tom.work@empresa.example>", "Re: Consultoría de marca", "Adjunto el briefing.")
    reply["In-Reply-To"] = sent_message_id(run, "tom@example.net")
    reply.add_attachment(b"x" * (10 * 1024 * 1024 + 1), maintype="application", subtype="pdf",
                         filename="briefing.pdf")
    project.append(reply.as_bytes())
    summary = read(run)
    assert summary["replies"] == 1 and summary["skipped"] == 0
    assert status(run, "tom@example.net") == "replied"
    assert read(run)["replies"] == 0  # known by its Message-ID: read once


def test_an_auth_failure_report_over_the_size_limit_is_read_from_its_start(project, run):
    """The server sends only the report's first bytes (a partial fetch, RFC 3501 §6.4.5):
    its feedback part says auth-failure, the returned message's header names the lead."""
    from test_auth_reports import AUTH_FAILURE_FIELDS, large_report

    jose = sent_message_id(run, "jose.munoz@example.com")
    project.append(large_report(AUTH_FAILURE_FIELDS, jose, "jose.munoz@example.com"))
    summary = read(run)
    assert summary["auth_failures"] == 1 and summary["complaints"] == 0 and summary["unrecognised"] == 0
    assert status(run, "jose.munoz@example.com") == "active"
    shown = json.loads(run("show", "jose.munoz@example.com", "--json").stdout)
    [event] = [e for e in shown["events"] if e["kind"] == "auth_failure"]
    assert event["message_id"] == jose and "at its start decided" in event["note"]
    assert read(run)["auth_failures"] == 0  # known by its Message-ID: read once


def test_large_delivery_reports_are_read_from_their_start(project, run):
    """The same first bytes by a partial fetch: a 5.1.1, a 4.2.2 (mailbox full) and a
    5.7.1 (SPF) report, each returning our information pack whole."""
    from test_large_bounces import REPORT_DECIDED, bounce_events, large_dsn

    project.append(large_dsn("jose.munoz@example.com", "5.1.1", "550 5.1.1 User unknown",
                             sent_message_id(run, "jose.munoz@example.com")))
    project.append(large_dsn("ana.pena@example.org", "4.2.2", "452 4.2.2 Mailbox full",
                             sent_message_id(run, "ana.pena@example.org")))
    project.append(large_dsn("tom@example.net", "5.7.1", "550 5.7.1 SPF check failed: lauravidal.es does "
                             "not designate 192.0.2.10 as permitted sender", sent_message_id(run, "tom@example.net")))
    summary = read(run)
    assert (summary["bounces"], summary["failed"], summary["sender_refused"], summary["unrecognised"]) == \
        (1, 1, 1, 0)
    assert status(run, "jose.munoz@example.com") == "bounced"
    states = {e: [m["state"] for m in json.loads(run("show", e, "--json").stdout)["messages"]]
              for e in ("ana.pena@example.org", "tom@example.net")}
    assert states == {"ana.pena@example.org": ["failed"], "tom@example.net": ["deferred"]}
    assert [e["note"] for e in bounce_events(run, "jose.munoz@example.com")] == [REPORT_DECIDED]
    assert read(run)["bounces"] == 0  # known: read once
