"""What the marketer reads about a refusal that is the sender's (SPEC §6's third owner).

A sending account's quota or rate is the sender's problem and is worded so: "your
account's daily sending limit", never "mailbox full" (Gmail's "Daily user sending quota
exceeded" was read as a full mailbox because "quota exceeded" names one). A size the provider itself refuses is our message's size. The texts are the
providers' own, as their documentation gives them (cited at each row); addresses are
RFC 2606 names."""

from __future__ import annotations

import json
import sqlite3

import pytest

from leadloop.delivery_status import LABELS, MAILBOX, SENDER, SENDER_REASONS, Verdict, judge
from leadloop.refusals import sender_sentence
from leadloop.timeline import message_moment
from test_inbox import LATER, leads, messages, project, read, report, sent_message_id  # noqa: F401
from test_owners import RefusingHandler, leads_json, refusing  # noqa: F401
from test_owners import project as smtp_project

NOW = "2026-03-02T10:00"
DAILY = "your account's daily sending limit is reached"
RATE = "your account sends faster than its sending rate limit allows"

# (reply, SMTP stage, what the sentence must say, where the words are documented)
SENDING_LIMITS = [
    ("550 5.4.5 Daily user sending quota exceeded. - gsmtp", "DATA", DAILY,
     "Google Workspace Admin Help, Gmail sending limits"),
    ("550 5.4.5 Daily sending quota exceeded. - gsmtp", "DATA", DAILY, "Gmail SMTP errors and codes"),
    ("550 5.4.5 Daily user sending limit exceeded. - gsmtp", "DATA", DAILY, "Gmail SMTP errors and codes"),
    ("454 Throttling failure: Daily message quota exceeded.", "DATA", DAILY,
     "Amazon SES Developer Guide, errors related to the sending quotas"),
    ("454 Throttling failure: Maximum sending rate exceeded.", "DATA", RATE,
     "Amazon SES Developer Guide, errors related to the sending quotas"),
    ("550 5.1.90 Your message can't be sent because you've reached your daily limit for message recipients",
     "RCPT", DAILY, "Microsoft Learn, Exchange Online NDR 5.1.90"),
    ("554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message "
     "due to a permanent exception", "DATA", DAILY, "Microsoft Learn, Exchange Online sending limits"),
    ("554 5.2.2 Submission quota exceeded", "DATA", DAILY, "Microsoft Learn, Exchange Online NDR 5.2.2"),
    ("550 5.2.251 Sender throttled due to continuous mailbox full errors.", "MAIL",
     "throttles your account after repeated errors",
     "Microsoft Learn, continuous error throttling for SMTP AUTH submissions"),
    ("550 5.4.6 Unusual sending activity detected.", "DATA", "blocked your account's sending for unusual activity",
     "Zoho Mail's answer to a blocked outgoing account"),
    ("452 4.5.3 Daily message limit exceeded", "MAIL", DAILY, "Emailit SMTP reference, rate limit errors"),
    ("452 4.4.5 Messages per second limit exceeded", "MAIL", RATE, "Emailit SMTP reference, rate limit errors"),
    ("554 You've reached your daily relay quota - 203.0.113.9", "DATA", DAILY, "a smarthost's daily relay quota"),
]


@pytest.mark.parametrize("reply, stage, meaning, source", SENDING_LIMITS, ids=[r[0][:32] for r in SENDING_LIMITS])
def test_a_sending_limit_is_the_senders_and_says_which(reply, stage, meaning, source):
    verdict = judge(None, reply, command=stage, domain="example.org")
    assert verdict.owner == SENDER and verdict.reason == "speeding", (verdict, source)
    assert "sending limit" in verdict.label and "mailbox" not in verdict.label
    sentence = sender_sentence(verdict, reply, sender="laura@tienda.example", server="smtp.gmail.com:587")
    assert meaning in sentence and "mailbox full" not in sentence.replace(reply, ""), sentence
    # The same words quoted in a report, with no stage: still the sender's limit.
    quoted = judge(None, reply, quoted=True)
    assert (quoted.owner, quoted.reason) == (SENDER, "speeding"), quoted


@pytest.mark.parametrize("reply, stage", [
    # The recipient's quota stays its mailbox's (Gmail SMTP errors and codes; Yahoo's
    # help, "554 delivery error: dd … This account is over quota").
    ("552 5.2.2 The email account that you tried to reach is over quota. - gsmtp", "RCPT"),
    ("452 4.2.2 The email account that you tried to reach is over quota. - gsmtp", "RCPT"),
    ("554 delivery error: dd Sorry, your message to ana@yahoo.example cannot be delivered. "
     "This account is over quota.", "DATA"),
    ("552 5.2.2 Sorry, the recipient has exceeded their quota", None),
    ("550 5.2.2 ana@example.org: you have exceeded your storage quota", None),
])
def test_a_recipients_quota_stays_its_mailboxs(reply, stage):
    verdict = judge(None, reply, command=stage, quoted=stage is None)
    assert (verdict.owner, verdict.reason, verdict.label) == (MAILBOX, "mailboxfull", "mailbox full"), verdict


@pytest.mark.parametrize("remote_host", ["gmail-smtp-in.l.google.com", "aspmx.l.google.com", None])
@pytest.mark.parametrize("reply, stage", [
    # Google's answer about the recipient's own receiving rate (Gmail SMTP errors and
    # codes, 4.2.1 and 5.2.1): the lead's mailbox is over ITS rate (SPEC §6), retried;
    # never our account's sending limit, which would stop the run and tell the marketer so.
    ("450 4.2.1 The user you are trying to contact is receiving mail too quickly. Please resend your message "
     "at a later time.", "RCPT"),
    ("450 4.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional "
     "messages from being delivered. Please resend your message at a later time.", "RCPT"),
    ("550 5.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional "
     "messages from being delivered.", None),
])
def test_a_recipients_receiving_rate_is_its_mailboxs_not_our_limit(reply, stage, remote_host):
    verdict = judge(None, reply, command=stage, quoted=stage is None, remote_host=remote_host)
    assert verdict.owner == MAILBOX and not verdict.hard, verdict
    assert "sending limit" not in verdict.label, verdict


@pytest.mark.parametrize("reason", sorted(SENDER_REASONS))
def test_every_reason_of_the_sender_has_its_own_label_and_meaning(reason):
    """No reason of the sender reads as the lead's mailbox, and each says what it means
    rather than the sentence for a reason nobody named."""
    label = LABELS[reason]
    assert "mailbox" not in label and "recipient" not in label.replace("connections or recipients", "")
    sentence = sender_sentence(Verdict(False, reason, None, SENDER), "550 refused", sender="laura@tienda.example",
                               server="the receiving server")
    assert "not the lead" not in sentence and "mailbox" not in sentence, sentence


@pytest.mark.parametrize("remote_host", ["gmail-smtp-in.l.google.com", None])
@pytest.mark.parametrize("reply", [
    "552-5.2.3 Your message exceeded Google's message size limits. Please visit "
    "https://support.google.com/mail/?p=MaxSizeError to view our size guidelines.",
    "552 5.3.4 Your message exceeded Google's message header size limits.",
])
def test_a_size_the_provider_refuses_is_our_message_too_big(reply, remote_host):
    """Google's size limit is the same for every recipient (Gmail SMTP errors and codes):
    our message's, never the lead's mailbox's, even under RFC 3463's mailbox status 5.2.3."""
    verdict = judge(None, reply, remote_host=remote_host, domain="gmail.example", quoted=True)
    assert (verdict.owner, verdict.reason, verdict.label) == (SENDER, "mesgtoobig", "message too large"), verdict
    sentence = sender_sentence(verdict, reply, sender="laura@tienda.example", server="the receiving server")
    assert "as too large" in sentence and "make the message smaller" in sentence


@pytest.mark.parametrize("reply, remote_host", [
    ("421 4.7.28 Gmail has detected an unusual rate of mail originating from your IP address. To protect our "
     "users from spam, mail sent from your IP address has been rate limited. - gsmtp", None),
    ("421 4.7.0 [TSS04] Messages from 192.0.2.25 temporarily deferred due to unexpected volume or user "
     "complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes", "mta5.am0.yahoodns.net"),
    ("421 4.7.0 [TSS04] Messages from 192.0.2.25 temporarily deferred due to unexpected volume or user "
     "complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes", None),
])
def test_an_unusual_rate_or_complaints_is_the_senders_reputation_not_a_quota(reply, remote_host):
    """Gmail's 4.7.28 (Gmail SMTP errors and codes) and Yahoo's [TSS04] (Yahoo Sender Hub,
    SMTP error codes): limits set by the sender's reputation, which no quota's renewal lifts
    and no other sender address fixes."""
    verdict = judge(None, reply, command="RCPT", remote_host=remote_host)
    assert verdict.owner == SENDER
    sentence = sender_sentence(verdict, reply, sender="laura@tienda.example", server="smtp.gmail.com:587")
    assert "or complaints about it, from your IP address or domain" in sentence, sentence
    assert "only to people who asked" in sentence
    rest = sentence.replace(" ".join(reply.split()), "")
    assert "quota" not in rest and "[sender] address" not in rest, sentence


@pytest.mark.parametrize("reply, stage, meaning", [
    ("550 5.4.5 Daily user sending quota exceeded. - gsmtp", "DATA", DAILY),
    ("454 Throttling failure: Maximum sending rate exceeded.", "MAIL", RATE),
    ("550 5.4.6 Unusual sending activity detected.", "DATA", "blocked your account's sending for unusual activity"),
])
def test_send_stops_at_the_first_sending_limit_and_names_it(tmp_path, run, refusing, reply, stage, meaning):
    """SPEC §6 through `send` against a real SMTP server: the run stops at the first such
    refusal (exit 1, one sentence naming the limit), no lead is charged, and `show` says
    whose problem it is in the same words."""
    smtp_project(tmp_path, refusing, leads=5)
    assert run("import", "leads.csv").exit_code == 0
    refusing.handler.stage, refusing.handler.reply = stage, reply
    result = run("--now", NOW, "send", "--yes")
    assert result.exit_code == 1, result.stdout
    [line] = result.stderr.strip().splitlines()
    assert meaning in line and reply.split(" - ")[0] in line and "no lead was charged" in line, line
    assert "mailbox full" not in line and "Traceback" not in result.stderr
    assert refusing.handler.offered == 1 and refusing.count == 0
    assert all(lead["status"] == "active" and lead["contacts"] == 0 for lead in leads_json(run).values())
    assert len(json.loads(run("--now", NOW, "due", "--json").stdout)) == 5
    # `show`'s timeline line for the held message, from what the run recorded.
    with sqlite3.connect(tmp_path / "leadloop.db") as conn:
        conn.row_factory = sqlite3.Row
        [held] = [dict(row) for row in conn.execute("SELECT * FROM messages WHERE owner = 'sender'")]
    words = message_moment(held).words
    assert words.startswith("info pack not sent: blocked: over your account's sending limit (rate or daily "
                            "quota)"), words
    assert "mailbox full" not in words


def test_the_inbox_reads_a_report_of_the_daily_sending_quota_as_the_senders(project, run):  # noqa: F811
    """SPEC §6, §7 through `inbox` on a Maildir: the report of our own relay's daily quota
    offers the message again, charges no lead, and says which limit in the summary."""
    lead = "jose.munoz@example.com"
    diagnostic = "550-5.4.5 Daily user sending quota exceeded. For more information, go to 550 5.4.5 " \
                 "https://support.google.com/a/answer/166852 - gsmtp"
    project.deliver(report(lead, "5.4.5", diagnostic, sent_message_id(run, lead)))
    result = run("--now", LATER, "inbox")
    assert result.exit_code == 0, result.stderr
    assert "1 refused because of the sender (offered again)" in result.stdout
    assert DAILY in result.stderr and "the message is offered again, no lead was charged" in result.stderr
    assert "mailbox full" not in result.stderr + result.stdout
    [message] = messages(run, lead)
    assert (message["state"], message["owner"]) == ("deferred", "sender")
    assert "mailbox full" not in message["error"] and message["error"].startswith("blocked: over your account's")
    assert leads(run)[lead]["status"] == "active" and leads(run)[lead]["contacts"] == 0
    assert read(run)["failed"] == 0


@pytest.mark.parametrize("diagnostic", [
    "451 4.7.1 You've reached your daily relay quota - 203.0.113.9",
    "421 4.7.0 [TSS04] Messages from 192.0.2.25 temporarily deferred due to unexpected volume or user complaints",
])
def test_a_delay_warning_about_the_senders_limit_is_only_noted(project, run, diagnostic):  # noqa: F811
    """RFC 3464 "Action: delayed": the relay still holds the message and retries it. Offered
    again it could arrive twice (SPEC §6 "At most once"); a delay is only noted (SPEC §7),
    whoever's problem it is."""
    lead = "jose.munoz@example.com"
    project.deliver(report(lead, "4.7.0", diagnostic, sent_message_id(run, lead), action="delayed"))
    summary = read(run)
    assert (summary["delays"], summary["sender_refused"], summary["failed"]) == (1, 0, 0), summary
    [message] = messages(run, lead)
    assert message["state"] == "sent", message
    assert leads(run)[lead]["contacts"] == 1


@pytest.mark.parametrize("status, diagnostic", [
    ("4.2.2", "452 4.2.2 The email account that you tried to reach is over quota. - gsmtp"),
    ("4.2.2", "452 4.2.2 Mailbox full"),
    ("4.2.1", "450 4.2.1 The user you are trying to contact is receiving mail too quickly."),
])
def test_a_delay_warning_about_the_leads_mailbox_is_only_noted(project, run, status, diagnostic):  # noqa: F811
    """The same for the lead's mailbox: a delay warning whose words say the mailbox is full
    was read as a failure of that message and counted towards the lead's three (SPEC §7: a
    delay warning is only noted; the server still holds the message)."""
    lead = "jose.munoz@example.com"
    project.deliver(report(lead, status, diagnostic, sent_message_id(run, lead), action="delayed"))
    summary = read(run)
    assert (summary["delays"], summary["failed"], summary["bounces"]) == (1, 0, 0), summary
    [message] = messages(run, lead)
    assert message["state"] == "sent", message
    assert leads(run)[lead]["status"] == "active"
