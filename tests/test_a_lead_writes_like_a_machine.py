"""A lead's own message is that lead's answer, however much it looks like a machine's
(SPEC §7: a reply stops the sequence the moment someone answers).

A person can write from an address a mail system also uses (a small shop's
postmaster@), paste a report they got into their own words, or forward one in a way no
rule knows. When such a message names no recipient leadloop sent to, it was kept for
review and the lead went on getting follow-ups. The inbox now asks who wrote it: a
message from a lead's own address that fails no lead is that lead's answer. A report
from a mail system, or one that names a lead we sent to, is still a report (the traps).
Addresses and hosts are made up (RFC 2606)."""

from __future__ import annotations

import json

import pytest

from test_inbox import Maildir

US = "laura@lauravidal.es"
SHOP = "postmaster@ferreteria-luna.example"   # a lead whose only address is the shop's postmaster
ANA = "ana.pena@example.org"
OTHER = "socio@otra.example"                  # no lead: the address Ana's own mail failed to reach

LEADS = f"""email,nombre,producto,fecha
{SHOP},Ferretería Luna,Curso de fotografía,01/03/2026 18:30
{ANA},Ana Peña,Taller de acuarela,02/03/2026 08:15
"""

POSTFIX_REPORT = (
    "This is the mail system at host mx.otra.example.\n\n"
    "I'm sorry to have to inform you that your message could not\n"
    "be delivered to one or more recipients. It's attached below.\n\n"
    "                   The mail system\n\n"
    f"<{OTHER}>: host mx.otra.example[192.0.2.7] said: 550 5.1.1\n"
    f"    <{OTHER}>: Recipient address rejected: User unknown in virtual mailbox\n"
    "    table (in reply to RCPT TO command)\n")


@pytest.fixture
def project(tmp_path, run):
    (tmp_path / "leadloop.toml").write_text(
        f'[sender]\nname = "Laura Vidal"\naddress = "{US}"\nunsubscribe = "baja@example.com"\n\n'
        '[inbox]\nmaildir = "mail"\n', encoding="utf-8")
    (tmp_path / "leads.csv").write_text(LEADS, encoding="utf-8")
    assert run("import", "leads.csv").exit_code == 0
    box = Maildir(tmp_path / "mail")
    sent = run("--now", "2026-03-02T10:00", "run-daily")
    assert sent.exit_code == 0, sent.stderr
    return box


def sent_id(run, email: str) -> str:
    shown = json.loads(run("show", email, "--json").stdout)
    return next(m["message_id"] for m in shown["messages"] if m["step"] == 0)


def raw(sender: str, subject: str, text: str, *, in_reply_to: str = "", return_path: str | None = None) -> bytes:
    head = ([f"Return-Path: {return_path}"] if return_path is not None else []) + [
        f"From: {sender}", f"To: Laura Vidal <{US}>", f"Subject: {subject}",
        "Date: Tue, 03 Mar 2026 09:12:00 +0100", f"Message-ID: <{abs(hash((sender, subject)))}@mail.example.net>",
        *([f"In-Reply-To: {in_reply_to}"] if in_reply_to else []),
        "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"]
    return ("\r\n".join(head) + "\r\n\r\n" + text.replace("\n", "\r\n")).encode()


def inbox(run) -> dict:
    result = run("--now", "2026-03-03T10:00", "inbox", "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def statuses(run) -> dict:
    return {lead["email"]: lead["status"] for lead in json.loads(run("leads", "--json").stdout)}


@pytest.mark.parametrize("subject", ["Re: La información que me pidió", "Pregunta", "Mail delivery"])
@pytest.mark.parametrize("threaded", [True, False])
def test_a_lead_at_a_postmaster_address_answers(project, run, subject, threaded):
    project.deliver(raw(f"Ferretería Luna <{SHOP}>", subject, "Sí, me interesa. ¿Tienen plazas en abril?\n",
                        in_reply_to=sent_id(run, SHOP) if threaded else "", return_path=f"<{SHOP}>"))
    counts = inbox(run)
    assert counts["replies"] == 1 and counts["unrecognised"] == 0, counts
    assert statuses(run) == {SHOP: "replied", ANA: "active"}


@pytest.mark.parametrize("subject", ["Re: La información que me pidió", "Undelivered Mail Returned to Sender",
                                     "META: [Fwd: Delivery Status Notification]"])
def test_a_lead_who_pastes_a_report_about_someone_else_answers(project, run, subject):
    text = ("Hola Laura, le pasé su información a mi socio y me devolvió esto. ¿Me lo reenvía a mí?\n\n"
            + POSTFIX_REPORT)
    project.deliver(raw(f"Ana Peña <{ANA}>", subject, text))
    counts = inbox(run)
    assert counts["replies"] == 1 and counts["unrecognised"] == 0, counts
    assert statuses(run) == {SHOP: "active", ANA: "replied"}
    assert inbox(run)["replies"] == 0  # read again: nothing changes
    shown = json.loads(run("show", ANA, "--json").stdout)
    replies = [event for event in shown["events"] if event["kind"] == "reply"]
    assert len(replies) == 1
    # What she wrote is what the marketer reads (with the report she pasted).
    assert replies[0]["text"].startswith("Hola Laura, le pasé su información a mi socio")


def test_a_report_from_a_mail_system_naming_no_lead_is_still_kept_for_review(project, run):
    project.deliver(raw("MAILER-DAEMON@mx.otra.example (Mail Delivery System)", "Undelivered Mail Returned to Sender",
                        POSTFIX_REPORT, return_path="<>"))
    counts = inbox(run)
    assert counts["unrecognised"] == 1 and counts["replies"] == 0, counts
    assert statuses(run) == {SHOP: "active", ANA: "active"}


def test_a_report_that_names_a_lead_is_still_that_leads_failure(project, run):
    report = POSTFIX_REPORT.replace(OTHER, ANA)
    project.deliver(raw(f"Ferretería Luna <{SHOP}>", "Undelivered Mail Returned to Sender", report, return_path="<>"))
    counts = inbox(run)
    assert counts["bounces"] == 1 and counts["replies"] == 0, counts
    assert statuses(run) == {SHOP: "active", ANA: "bounced"}
