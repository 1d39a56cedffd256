"""Closing the loop (SPEC §7) with a real Maildir: replies, auto-replies, bounces and
unsubscribe requests change the leads by themselves, and reading twice changes nothing.
The same classification runs over IMAP in test_inbox_imap.py."""

from __future__ import annotations

import json
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

import pytest

LEADS = """email,nombre,producto,fecha
jose.munoz@example.com,José Muñoz,Curso de fotografía,01/03/2026 18:30
ana.pena@example.org,Ana Peña,Taller de acuarela,02/03/2026 08:15
tom@example.net,Tom Baker,Consultoría de marca,28/02/2026
"""
SENT_AT = "2026-03-02T10:00"
LATER = "2026-03-03T10:00"


class Maildir:
    """A Maildir that mail arrives in, one file per message, as a delivery agent writes it."""

    def __init__(self, path: Path):
        self.path = path
        for sub in ("tmp", "new", "cur"):
            (path / sub).mkdir(parents=True, exist_ok=True)
        self.count = 0

    def deliver(self, raw: bytes | EmailMessage) -> Path:
        self.count += 1
        data = raw if isinstance(raw, bytes) else raw.as_bytes()
        target = self.path / "new" / f"17000000{self.count:02d}.M{self.count}P1.test"
        target.write_bytes(data)
        return target


def mail(sender: str, subject: str, body: str, *, to="laura@lauravidal.es", **headers) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<{abs(hash((sender, subject, body)))}@mail.example.net>"
    message["Return-Path"] = f"<{sender}>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


def dsn(permanent: str, temporary: str, quoted_lead: str) -> bytes:
    """A Postfix-style RFC 3464 report: one recipient failed for good, one delayed, and
    the original message quoted back, naming a third lead."""
    return (
        "Return-Path: <>\r\n"
        "From: MAILER-DAEMON@mx.example.com (Mail Delivery System)\r\n"
        "To: laura@lauravidal.es\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <dsn-1@mx.example.com>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n'
        "\r\n--B\r\nContent-Type: text/plain\r\n\r\n"
        "I'm sorry to have to inform you that your message could not be delivered.\r\n"
        f"<{permanent}>: host mx said: 550 5.1.1 user unknown\r\n"
        "\r\n--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.com\r\n\r\n"
        f"Final-Recipient: rfc822; {permanent}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n\r\n"
        f"Final-Recipient: rfc822; {temporary}\r\nAction: delayed\r\nStatus: 4.4.1\r\n"
        "\r\n--B\r\nContent-Type: message/rfc822\r\n\r\n"
        f"From: Laura Vidal <laura@lauravidal.es>\r\nTo: {quoted_lead}\r\nCc: {quoted_lead}\r\n"
        "Subject: Hola\r\n\r\n"
        f"Write to {quoted_lead} if anything fails.\r\n"
        "\r\n--B--\r\n"
    ).encode()


@pytest.fixture
def project(tmp_path, run):
    (tmp_path / "leadloop.toml").write_text(
        '[sender]\nname = "Laura Vidal"\naddress = "laura@lauravidal.es"\n'
        'unsubscribe = "baja@example.com"\n\n[inbox]\nmaildir = "mail"\n',
        encoding="utf-8",
    )
    (tmp_path / "leads.csv").write_text(LEADS, encoding="utf-8")
    assert run("import", "leads.csv").exit_code == 0
    box = Maildir(tmp_path / "mail")
    sent = run("--now", SENT_AT, "run-daily")
    assert sent.exit_code == 0, sent.stderr
    assert "3 written to the outbox" in sent.stdout
    return box


def leads(run) -> dict:
    return {lead["email"]: lead for lead in json.loads(run("leads", "--json").stdout)}


def status(run, email: str) -> str:
    return leads(run)[email]["status"]


def sent_message_id(run, email: str, step: int = 0) -> str:
    shown = json.loads(run("show", email, "--json").stdout)
    return next(m["message_id"] for m in shown["messages"] if m["step"] == step)


def read(run, *args) -> dict:
    result = run("--now", LATER, "inbox", "--json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_a_threaded_reply_from_another_address_stops_the_sequence(project, run):
    reply = mail("Pepe <pepe.trabajo@empresa.example>", "Re: La información que me pidió",
                 "Sí, me interesa. ¿Tienen plazas en abril?\n\nEl lun, Laura escribió:\n> Hola José")
    reply["In-Reply-To"] = sent_message_id(run, "jose.munoz@example.com")
    project.deliver(reply)
    assert read(run)["replies"] == 1
    assert status(run, "jose.munoz@example.com") == "replied"
    shown = json.loads(run("show", "jose.munoz@example.com", "--json").stdout)
    texts = [e.get("text") for e in shown["events"] if e["kind"] == "reply"]
    assert texts == ["Sí, me interesa. ¿Tienen plazas en abril?"]
    # Three months on, José gets nothing; the others get their follow-up.
    later = run("--now", "2026-06-15T10:00", "due", "--json")
    assert "jose.munoz@example.com" not in {item["email"] for item in json.loads(later.stdout)}


def test_a_reply_matched_by_the_sender_address(project, run):
    project.deliver(mail("ana.pena@example.org", "Pregunta", "¿Cuánto cuesta?"))
    assert read(run)["replies"] == 1
    assert status(run, "ana.pena@example.org") == "replied"


def test_an_out_of_office_is_recorded_but_is_not_a_reply(project, run):
    project.deliver(mail("tom@example.net", "Out of office", "I am away until Monday.",
                         Auto_Submitted="auto-replied"))
    project.deliver(mail("ana.pena@example.org", "Respuesta automática: Hola", "Estoy de vacaciones."))
    summary = read(run)
    assert summary["auto_replies"] == 2 and summary["replies"] == 0
    assert status(run, "tom@example.net") == "active"
    assert status(run, "ana.pena@example.org") == "active"
    shown = json.loads(run("show", "tom@example.net", "--json").stdout)
    assert [e["kind"] for e in shown["events"]][-1] == "auto_reply"


def test_a_dsn_bounces_only_the_recipient_that_failed_for_good(project, run):
    project.deliver(dsn("jose.munoz@example.com", "ana.pena@example.org", "tom@example.net"))
    summary = read(run)
    assert summary["bounces"] == 1 and summary["delays"] == 1 and summary["replies"] == 0
    assert status(run, "jose.munoz@example.com") == "bounced"
    assert status(run, "ana.pena@example.org") == "active"
    assert status(run, "tom@example.net") == "active"


def test_the_message_a_hard_bounce_returns_is_bounced_too(project, run):
    # Issue #28 item 3: the lead and its message agree, as when the server refuses the
    # recipient while sending; the delayed one is not bounced, and stats no longer count
    # the bounced pack as delivered.
    project.deliver(dsn("jose.munoz@example.com", "ana.pena@example.org", "tom@example.net"))
    read(run)
    states = {email: [m["state"] for m in json.loads(run("show", email, "--json").stdout)["messages"]]
              for email in ("jose.munoz@example.com", "ana.pena@example.org")}
    assert states["jose.munoz@example.com"] == ["bounced"]
    assert states["ana.pena@example.org"] != ["bounced"]
    stats = json.loads(run("--now", LATER, "stats", "--json").stdout)
    assert stats["sent_by_step"]["0"] == 2  # tom's, and ana's: a delay warning is only noted
    assert stats["bounce_rate"] == 0.3333


def test_delay_warnings_are_only_noted_never_failures(project, run):
    """SPEC §7: a delay warning is only noted. Three in a row for one lead are not three
    failures: the message stays sent and the lead stays in the sequence."""
    for _ in range(3):
        project.deliver(dsn("jose.munoz@example.com", "ana.pena@example.org", "tom@example.net"))
        assert read(run)["delays"] in (0, 1)
    [message] = json.loads(run("show", "ana.pena@example.org", "--json").stdout)["messages"]
    assert message["state"] == "sent"
    assert status(run, "ana.pena@example.org") == "active"


def test_baja_unsubscribes_and_a_later_import_is_suppressed(project, run, tmp_path):
    project.deliver(mail("tom@example.net", "Re: ¿Aún me recuerda?", "BAJA, por favor."))
    assert read(run)["unsubscribes"] == 1
    assert status(run, "tom@example.net") == "unsubscribed"
    (tmp_path / "again.csv").write_text("email,nombre\ntom@example.net,Tom\n", encoding="utf-8")
    again = run("import", "again.csv")
    assert "1 suppressed" in again.stdout


@pytest.mark.parametrize("subject, body", [
    ("Baja", "Gracias."),
    ("unsubscribe", ""),
    ("Re: Hola", "stop"),
    ("Re: Hola", "Por favor, quiero darme de baja de esta lista."),
])
def test_unsubscribe_words(project, run, subject, body):
    project.deliver(mail("ana.pena@example.org", subject, body))
    assert read(run)["unsubscribes"] == 1
    assert status(run, "ana.pena@example.org") == "unsubscribed"


def test_mail_to_the_unsubscribe_address_unsubscribes(project, run):
    project.deliver(mail("ana.pena@example.org", "Hola", "Gracias por todo.", to="baja@example.com"))
    assert read(run)["unsubscribes"] == 1
    assert status(run, "ana.pena@example.org") == "unsubscribed"


def test_reading_twice_changes_nothing(project, run):
    project.deliver(mail("ana.pena@example.org", "Pregunta", "¿Cuánto cuesta?"))
    project.deliver(dsn("jose.munoz@example.com", "tom@example.net", "tom@example.net"))
    first = read(run)
    before = leads(run)
    events = json.loads(run("show", "ana.pena@example.org", "--json").stdout)["events"]
    second = read(run)
    assert first["replies"] == 1 and first["bounces"] == 1
    assert set(second.values()) == {0}
    assert leads(run) == before
    assert json.loads(run("show", "ana.pena@example.org", "--json").stdout)["events"] == events


def test_a_mail_program_moving_the_file_to_cur_does_not_make_it_new(project, run):
    path = project.deliver(mail("ana.pena@example.org", "Pregunta", "¿Cuánto cuesta?"))
    assert read(run)["replies"] == 1
    path.rename(project.path / "cur" / (path.name + ":2,S"))
    assert read(run)["replies"] == 0


def test_unmatched_and_broken_mail_is_counted_and_the_rest_applied(project, run):
    project.deliver(mail("desconocido@example.com", "Hola", "¿Quién es usted?"))
    project.deliver(b"\x00\xff\xfe not an e-mail at all \xff" * 10)
    project.deliver(mail("ana.pena@example.org", "Re: hola", "Llámeme, por favor."))
    result = run("--now", LATER, "inbox")
    assert result.exit_code == 0, result.stderr
    assert "1 reply," in result.stdout and "unmatched" in result.stdout
    assert status(run, "ana.pena@example.org") == "replied"
    assert status(run, "tom@example.net") == "active"
    assert "Traceback" not in result.stderr


def test_a_reply_over_the_size_limit_is_still_a_reply(project, run):
    """A reply with a large attachment: only its header is read, and it decides."""
    big = mail("Tom Baker <tom.work@empresa.example>", "Re: Consultoría de marca",
               "Adjunto el briefing. Llámenme.")
    big["In-Reply-To"] = sent_message_id(run, "tom@example.net")
    big.add_attachment(b"%PDF-1.4 " + b"x" * (10 * 1024 * 1024 + 1), maintype="application",
                       subtype="pdf", filename="briefing.pdf")
    path = project.deliver(big)
    assert path.stat().st_size > 10 * 1024 * 1024
    summary = read(run)
    assert summary["replies"] == 1 and summary["skipped"] == 0
    assert status(run, "tom@example.net") == "replied"
    shown = json.loads(run("show", "tom@example.net", "--json").stdout)
    reply = [e for e in shown["events"] if e["kind"] == "reply"][0]
    assert reply["subject"] == "Re: Consultoría de marca" and "headers" in reply["note"]


def test_an_out_of_office_over_the_size_limit_is_not_a_reply(project, run):
    big = mail("ana.pena@example.org", "Automatic reply: Hola", "Estoy fuera.",
               X_Auto_Response_Suppress="All")
    big.add_attachment(b"x" * (10 * 1024 * 1024 + 1), maintype="application", subtype="octet-stream",
                       filename="logo.bin")
    project.deliver(big)
    summary = read(run)
    assert summary["auto_replies"] == 1 and summary["replies"] == 0
    assert status(run, "ana.pena@example.org") == "active"


def test_a_customer_mail_opens_a_question(project, run, tmp_path):
    assert run("mark", "ana.pena@example.org", "customer").exit_code == 0
    question = mail("ana.pena@example.org", "Duda con el pedido", "¿Cuándo llega el material?")
    question["Date"] = "Mon, 02 Mar 2026 19:00:00 +0100"  # read the next morning
    project.deliver(question)
    summary = read(run)
    assert summary["questions"] == 1 and summary["replies"] == 0
    assert status(run, "ana.pena@example.org") == "customer"
    listed = json.loads(run("--now", "2026-03-05T10:00", "questions", "--json").stdout)
    assert [(q["email"], q["text"], q["age_hours"], q["late"]) for q in listed] == [
        ("ana.pena@example.org", "¿Cuándo llega el material?", 63.0, True)]
    assert run("--now", "2026-03-05T11:00", "answered", "ana.pena@example.org").exit_code == 0
    assert json.loads(run("questions", "--json").stdout) == []


def test_run_daily_reads_the_inbox_before_sending(project, run):
    project.deliver(mail("tom@example.net", "Re: info", "Ya lo compré en la tienda, gracias."))
    result = run("--now", "2026-06-15T10:00", "run-daily")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("inbox: 1 reply,")
    assert status(run, "tom@example.net") == "replied"
    assert "2 written to the outbox" in result.stdout


def test_forget_erases_the_reply_text(project, run):
    project.deliver(mail("ana.pena@example.org", "Pregunta", "Mi teléfono es 600 000 000"))
    read(run)
    assert run("forget", "ana.pena@example.org").exit_code == 0
    import sqlite3

    with sqlite3.connect(Path("leadloop.db")) as conn:
        details = [row[0] for row in conn.execute("SELECT detail FROM events WHERE detail IS NOT NULL")]
    assert not any("600 000 000" in detail for detail in details)


@pytest.mark.parametrize("config, expected", [
    ('[inbox]\nmaildir = "nowhere"\n', "not a Maildir"),
    ('[inbox]\nmaildir = "mail"\nhost = "imap.example.com"\n', "both maildir and host"),
    ('[inbox]\nhost = "imap.example.com"\npassword = "x"\n', "LEADLOOP_IMAP_PASSWORD"),
])
def test_a_broken_inbox_config_is_one_sentence(tmp_path, run, config, expected):
    (tmp_path / "leadloop.toml").write_text(config, encoding="utf-8")
    result = run("inbox")
    assert result.exit_code in (1, 2)
    assert expected in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_without_an_inbox_the_command_says_how_to_configure_one(tmp_path, run):
    result = run("inbox")
    assert result.exit_code == 2
    assert "[inbox]" in result.stderr


def report(recipient: str, status: str, diagnostic: str, original_id: str, *,
           action: str = "failed", quoted: str = "") -> bytes:
    """An RFC 3464 report about one recipient, returning the original with its Message-ID."""
    return (
        "Return-Path: <>\r\nFrom: Mail Delivery System <MAILER-DAEMON@mx.example.net>\r\n"
        "To: laura@lauravidal.es\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: <report-{abs(hash((recipient, original_id, status)))}@mx.example.net>\r\n"
        'MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n'
        "\r\n--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "\r\n--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: {action}\r\nStatus: {status}\r\n"
        f"Diagnostic-Code: smtp; {diagnostic}\r\n"
        "\r\n--B\r\nContent-Type: message/rfc822\r\n\r\n"
        f"From: Laura Vidal <laura@lauravidal.es>\r\nTo: {recipient}\r\nMessage-ID: {original_id}\r\n"
        f"Subject: Hola\r\n\r\nHola. {quoted}\r\n\r\n--B--\r\n"
    ).encode()


def messages(run, email: str) -> list[dict]:
    return json.loads(run("show", email, "--json").stdout)["messages"]


@pytest.mark.parametrize("status, diagnostic, reason", [
    ("5.2.2", "552 5.2.2 Mailbox full", "mailbox full"),
    ("4.4.7", "Delivery time expired", "expired"),
    ("5.2.3", "552 5.2.3 Message exceeds the recipient's size limit", "message too large"),
])
def test_a_soft_bounce_fails_that_message_and_keeps_the_lead_in_sequence(project, run, status, diagnostic, reason):
    project.deliver(report("jose.munoz@example.com", status, diagnostic,
                           sent_message_id(run, "jose.munoz@example.com")))
    summary = read(run)
    assert summary["bounces"] == 0 and summary["failed"] == 1
    assert leads(run)["jose.munoz@example.com"]["status"] == "active"
    [message] = messages(run, "jose.munoz@example.com")
    assert message["state"] == "failed" and reason in message["error"]
    # Still in sequence: its first follow-up is scheduled.
    assert leads(run)["jose.munoz@example.com"]["next_due_at"] is not None


def test_a_hard_bounce_found_by_the_returned_message_id(project, run):
    """A plain-text report that names nobody: the returned original's Message-ID says whose."""
    original = sent_message_id(run, "ana.pena@example.org")
    project.deliver((
        "From: MAILER-DAEMON@mx.example.net\r\nTo: laura@lauravidal.es\r\nSubject: failure notice\r\n\r\n"
        "Sorry, we were unable to deliver your message to the following address.\r\n"
        "550 5.1.1 User unknown\r\n\r\n--- Below this line is a copy of the message.\r\n\r\n"
        f"From: laura@lauravidal.es\r\nTo: Ana <ana.pena@example.org>\r\nMessage-ID: {original}\r\n"
        "Subject: Hola\r\n\r\nEscriba a tom@example.net si algo falla.\r\n").encode())
    summary = read(run)
    assert summary["bounces"] == 1 and summary["unrecognised"] == 0
    assert leads(run)["ana.pena@example.org"]["status"] == "bounced"
    assert leads(run)["tom@example.net"]["status"] == "active"


def test_three_soft_failures_in_a_row_make_the_lead_undeliverable(project, run):
    lead = "jose.munoz@example.com"
    now = LATER
    for round_ in range(3):
        sent = [m for m in messages(run, lead) if m["state"] == "sent"]
        project.deliver(report(lead, "5.2.2", "552 5.2.2 Mailbox full", sent[-1]["message_id"]))
        result = run("--now", now, "inbox", "--json")
        assert result.exit_code == 0, result.stderr
        expected = "bounced" if round_ == 2 else "active"
        assert leads(run)[lead]["status"] == expected
        if round_ < 2:
            now = leads(run)[lead]["next_due_at"]
            assert run("--now", now, "run-daily").exit_code == 0
    assert [m["state"] for m in messages(run, lead)] == ["failed", "failed", "failed"]
    shown = json.loads(run("show", lead, "--json").stdout)
    assert any("undeliverable" in (e.get("note") or "") for e in shown["events"])


def test_a_delivery_between_soft_failures_restarts_the_count(project, run):
    lead = "jose.munoz@example.com"
    now = LATER
    for round_, bounce in enumerate((True, False, True, True)):
        sent = [m for m in messages(run, lead) if m["state"] == "sent"]
        if bounce:
            project.deliver(report(lead, "5.2.2", "552 5.2.2 Mailbox full", sent[-1]["message_id"]))
            assert run("--now", now, "inbox").exit_code == 0
        now = leads(run)[lead]["next_due_at"]
        assert run("--now", now, "run-daily").exit_code == 0
    assert [m["state"] for m in messages(run, lead)][:4] == ["failed", "sent", "failed", "failed"]
    assert leads(run)[lead]["status"] == "active"


def test_an_unrecognised_bounce_is_counted_kept_for_review_and_never_a_reply(project, run):
    project.deliver(report("nadie@otro.example", "5.1.1", "550 5.1.1 User unknown", "<not-ours@otro.example>",
                           quoted="Escriba a ana.pena@example.org"))
    result = run("--now", LATER, "inbox")
    assert result.exit_code == 0, result.stderr
    assert "1 unrecognised bounce " in result.stdout and "0 replies" in result.stdout
    assert {lead["status"] for lead in leads(run).values()} == {"active"}
    listed = json.loads(run("inbox", "--review", "--json").stdout)
    assert [(r["sender"], r["subject"]) for r in listed] == [
        ("mailer-daemon@mx.example.net", "Undelivered Mail Returned to Sender")]
    assert "no such mailbox" in listed[0]["reason"] and "Escriba" not in json.dumps(listed)
    table = run("inbox", "--review")
    assert table.exit_code == 0 and "Undelivered" in table.stdout and "named no lead" in table.stdout
    daily = run("--now", "2026-03-04T10:00", "run-daily")
    assert daily.exit_code == 0 and "inbox: 0 replies" in daily.stdout


def test_our_own_address_and_quoted_leads_never_bounce(project, run):
    """A report whose text quotes a lead and our own address, about someone else."""
    project.deliver((
        "From: postmaster@mx.example.net\r\nTo: laura@lauravidal.es\r\nSubject: Delivery failure\r\n\r\n"
        "Delivery to the following recipient failed permanently:\r\n\r\n    laura@lauravidal.es\r\n\r\n"
        "Technical details: 550 5.1.1 user unknown\r\n\r\n----- Original message -----\r\n\r\n"
        "From: laura@lauravidal.es\r\nTo: tom@example.net\r\nMessage-ID: <other@elsewhere.example>\r\n"
        "Subject: Hola\r\n\r\nhola\r\n").encode())
    summary = read(run)
    assert summary["bounces"] == 0 and summary["unrecognised"] == 1
    assert {lead["status"] for lead in leads(run).values()} == {"active"}


def test_stats_shows_the_blocked_by_provider_rate_with_a_warning(project, run):
    project.deliver(report("tom@example.net", "5.7.1", "550 5.7.1 Service unavailable; client host blocked using Spamhaus",
                           sent_message_id(run, "tom@example.net")))
    project.deliver(report("ana.pena@example.org", "5.2.2", "552 5.2.2 Mailbox full",
                           sent_message_id(run, "ana.pena@example.org")))
    read(run)
    stats = json.loads(run("stats", "--json").stdout)
    assert stats["blocked"] == 1 and stats["blocked_rate"] == round(1 / 3, 4)
    assert any("blocked-by-provider rate (33.3%) is over 1%" in w for w in stats["warnings"])
    shown = run("stats")
    assert "refused by providers as spam or by policy (5.7.x): 1 (33.3%)" in shown.stdout
    assert "blocked-by-provider rate" in shown.stderr


def test_the_same_refusal_of_the_sender_is_said_once(project, run):
    """Two leads' messages refused for the same cause in one read: two refusals counted,
    one sentence (the marketer has one problem to mend, not one per lead)."""
    diagnostic = "554 5.7.1 Service unavailable; Client host [192.0.2.10] blocked using zen.spamhaus.org"
    for lead in ("jose.munoz@example.com", "ana.pena@example.org"):
        project.deliver(report(lead, "5.7.1", diagnostic, sent_message_id(run, lead)))
    result = run("--now", LATER, "inbox")
    assert result.exit_code == 0, result.stderr
    assert "2 refused because of the sender (offered again)" in result.stdout
    assert result.stderr.count("no lead was charged") == 1, result.stderr


@pytest.mark.parametrize("status, diagnostic", [
    ("5.7.26", "550-5.7.26 This mail is unauthenticated, which poses a security risk to the sender and "
               "Gmail users, and has been blocked. The sender must authenticate with at least one of SPF or DKIM."),
    ("5.7.509", "550 5.7.509 Access denied, sending domain example.com does not pass DMARC verification "
                "and has a DMARC policy of reject."),
    ("5.7.1", "554 5.7.1 Service unavailable; Client host [192.0.2.10] blocked using zen.spamhaus.org"),
    ("5.7.1", "550 5.7.1 Message rejected as spam"),
    ("5.3.4", "552 5.3.4 Message size exceeds fixed limit"),
])
def test_a_report_that_the_sender_was_refused_offers_the_message_again(project, run, status, diagnostic):
    """SPEC §6, §7: a report that the sender or the message was refused is never the
    lead's: that message is due again, never one of the lead's three, and run-daily says
    whose problem it is and what to do."""
    lead = "jose.munoz@example.com"
    now, waits = LATER, []
    for _ in range(3):  # three in a row: still not the lead's
        project.deliver(report(lead, status, diagnostic, sent_message_id(run, lead)))
        summary = json.loads(run("--now", now, "inbox", "--json").stdout)
        assert summary["sender_refused"] == 1 and summary["failed"] == 0 and summary["bounces"] == 0
        [message] = messages(run, lead)
        assert message["state"] == "deferred" and message["owner"] == "sender"
        assert leads(run)[lead]["status"] == "active" and leads(run)[lead]["contacts"] == 0
        # Due again: at once the first time, then after a wait that doubles.
        [due] = [d for d in json.loads(run("--now", now, "due", "--all", "--json").stdout)
                 if d["email"] == lead]
        assert (due["email"], due["step"]) == (lead, 0)
        waits.append((datetime.fromisoformat(due["due_at"]) - datetime.fromisoformat(now + ":00+01:00")).days)
        now = max(now, due["due_at"][:16])
        daily = run("--now", now, "run-daily")
        assert daily.exit_code == 0, daily.stderr
        assert "send: 1 written to the outbox" in daily.stdout
        assert [m["state"] for m in messages(run, lead)] == ["sent"]
    assert waits[0] <= 0 and 1 <= waits[1] < waits[2]
    project.deliver(report(lead, status, diagnostic, sent_message_id(run, lead)))
    daily = run("--now", now, "run-daily")
    assert "1 refused because of the sender (offered again)" in daily.stdout
    assert "The receiving server refuses mail from lauravidal.es" in daily.stderr
    assert "no lead was charged" in daily.stderr
    assert leads(run)[lead]["status"] == "active"
    stats = json.loads(run("stats", "--json").stdout)
    assert stats["failures_by_owner"]["sender"] == 1
