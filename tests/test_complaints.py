"""Complaints (issue #25 item 6; SPEC §7, §8): a provider's feedback-loop report (ARF,
RFC 5965) unsubscribes the person who marked our message as spam and counts in stats'
complaint rate, with a warning from 0.1 %. Fixtures: tests/fixtures/complaints (written
for leadloop from the documented layouts)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from leadloop.classify import classify
from test_inbox import LATER, leads, read, sent_message_id, status  # noqa: F401  (fixtures)
from test_inbox import project  # noqa: F401

HERE = Path(__file__).parent / "fixtures" / "complaints"


@pytest.mark.parametrize("name, feedback_type, complainers, ids", [
    ("arf-rfc5965.eml", "abuse", ("jose.munoz@example.com",), ("<info-1@leadloop.test>",)),
    ("arf-not-spam.eml", "not-spam", ("jose.munoz@example.com",), ("<info-1@leadloop.test>",)),
    ("arf-yahoo-redacted.eml", "abuse", ("redacted@yahoo.com",), ("<info-1@leadloop.test>",)),
    ("arf-microsoft-jmrp.eml", "abuse", ("ana.pena@example.org",), ("<info-2@leadloop.test>",)),
    ("jmrp-legacy.eml", "abuse", ("tom@example.net",), ("<not-findable@elsewhere.example>",)),
    ("arf-mailru.eml", "abuse", ("jose.munoz@example.com",), ("<info-1@leadloop.test>",)),
])
def test_a_feedback_report_is_a_complaint_never_a_bounce_or_a_reply(name, feedback_type, complainers, ids):
    incoming = classify((HERE / name).read_bytes())
    assert incoming.kind == "complaint"
    assert incoming.feedback_type == feedback_type
    assert incoming.complainers == complainers and incoming.original_ids == ids


def _as_sent(project, run, name: str, email: str) -> bytes:
    """The fixture, pointing at the message leadloop really sent `email`."""
    raw = (HERE / name).read_bytes()
    return raw.replace(b"<info-1@leadloop.test>", sent_message_id(run, email).encode()) \
              .replace(b"<info-2@leadloop.test>", sent_message_id(run, email).encode())


def test_a_complaint_found_by_message_id_unsubscribes_and_counts(project, run):
    # Yahoo redacts the address: the original's Message-ID finds José.
    project.deliver(_as_sent(project, run, "arf-yahoo-redacted.eml", "jose.munoz@example.com"))
    summary = read(run)
    assert summary["complaints"] == 1 and summary["unrecognised"] == 0 and summary["replies"] == 0
    assert status(run, "jose.munoz@example.com") == "unsubscribed"
    assert status(run, "ana.pena@example.org") == "active"
    events = json.loads(run("show", "jose.munoz@example.com", "--json").stdout)["events"]
    assert any(e["kind"] == "complaint" for e in events)
    stats = json.loads(run("--now", LATER, "stats", "--json").stdout)
    assert stats["complaints"] == 1 and stats["complaint_rate"] == 0.3333
    assert any("spam complaint rate" in w and "0.3%" in w for w in stats["warnings"])
    text = run("--now", LATER, "stats")
    assert "spam complaints: 1 (33.3%)" in text.stdout


def test_a_complaint_found_by_address_unsubscribes(project, run):
    project.deliver((HERE / "jmrp-legacy.eml").read_bytes())
    assert read(run)["complaints"] == 1
    assert status(run, "tom@example.net") == "unsubscribed"


def test_not_spam_withdraws_and_unsubscribes_nobody(project, run):
    project.deliver(_as_sent(project, run, "arf-not-spam.eml", "jose.munoz@example.com"))
    summary = read(run)
    assert summary["complaints"] == 0
    assert status(run, "jose.munoz@example.com") == "active"


def test_a_complaint_about_mail_we_did_not_send_is_kept_for_review(project, run):
    raw = (HERE / "arf-rfc5965.eml").read_bytes().replace(b"jose.munoz@example.com", b"nadie@example.net")
    project.deliver(raw)
    summary = read(run)
    assert summary["complaints"] == 0 and summary["unrecognised"] == 1 and summary["replies"] == 0
    assert {lead["status"] for lead in leads(run).values()} == {"active"}
    listed = json.loads(run("inbox", "--review", "--json").stdout)
    assert "spam complaint" in listed[0]["reason"]


def test_a_broken_feedback_report_loses_nothing(project, run):
    # A report whose fields part is garbage and whose original is missing: no crash, no
    # lead changed, kept for review.
    raw = (b"From: fbl@mail.example.net\r\nTo: laura@example.com\r\nSubject: report\r\n"
           b"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=feedback-report; "
           b"boundary=\"b\"\r\n\r\n--b\r\nContent-Type: message/feedback-report\r\n\r\n"
           b"\xff\xfe not fields at all\r\n--b--\r\n")
    project.deliver(raw)
    summary = read(run)
    assert summary["unrecognised"] == 1 and summary["complaints"] == 0
    assert {lead["status"] for lead in leads(run).values()} == {"active"}


def test_a_small_complaint_rate_gives_no_warning(tmp_path, run):
    from datetime import datetime, timezone

    from leadloop.config import load_config
    from leadloop.stats import compute
    from leadloop.store import Store

    store = Store.open(tmp_path / "rate.db", load_config(None).cadence)
    at = "2026-03-02T10:00:00+00:00"
    with store.write():
        for n in range(2000):
            lead_id = store.conn.execute(
                "INSERT INTO leads (email, requested_at, status, status_at, created_at, updated_at) "
                "VALUES (?, ?, 'active', ?, ?, ?)", (f"p{n}@example.org", at, at, at, at)).lastrowid
            store.conn.execute(
                "INSERT INTO messages (lead_id, kind, step, template, state, message_id, attempted_at, sent_at) "
                "VALUES (?, 'sequence', 0, 'info', 'sent', ?, ?, ?)", (lead_id, f"<{n}@t>", at, at))
            if n < 1:
                store.event(lead_id, datetime(2026, 3, 3, tzinfo=timezone.utc), "complaint", {})
    stats = compute(store)
    assert stats.document["complaint_rate"] == 0.0005
    assert not any("complaint" in w for w in stats.warnings)
    with store.write():
        store.event(2, datetime(2026, 3, 3, tzinfo=timezone.utc), "complaint", {})
    stats = compute(store)
    assert stats.document["complaint_rate"] == 0.001
    assert any("complaint rate (0.10%) has reached 0.1%" in w for w in stats.warnings)
    store.close()
