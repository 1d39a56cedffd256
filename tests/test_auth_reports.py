"""Reports about our own domain are the sender's, never a lead's doing (issue #25; SPEC §6,
§7): an authentication failure report (RFC 6591, the DMARC failure reports of RFC 7489
§7.3) is no complaint. Messages written for leadloop from the RFCs' layouts
(tests/fixtures/auth_reports)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from leadloop.classify import classify
from test_inbox import LATER, leads, sent_message_id, status  # noqa: F401  (fixtures)
from test_inbox import project  # noqa: F401

HERE = Path(__file__).parent / "fixtures" / "auth_reports"
COMPLAINTS = Path(__file__).parent / "fixtures" / "complaints"

def _pointed_at(run, raw: bytes, lead: str, placeholder: bytes = b"<info-1@leadloop.test>") -> bytes:
    """The report, about the message leadloop really sent `lead`."""
    return raw.replace(placeholder, sent_message_id(run, lead).encode())


# ---- what a report is ----------------------------------------------------------------


@pytest.mark.parametrize("name, failure, domain, reporter, ids", [
    ("arf-auth-failure-dkim.eml", "bodyhash", "lauravidal.es", "mx.example.net", ("<info-1@leadloop.test>",)),
    ("arf-dmarc-failure.eml", "dmarc", "lauravidal.es", "", ("<info-2@leadloop.test>",)),
    # No Auth-Failure field: its Authentication-Results says what failed.
    ("arf-auth-failure-results-only.eml", "spf dkim", "lauravidal.es", "", ("<forged-1@elsewhere.example>",)),
])
def test_an_auth_failure_report_is_no_complaint(name, failure, domain, reporter, ids):
    incoming = classify((HERE / name).read_bytes())
    assert incoming.kind == "auth_failure"
    assert (incoming.auth_failure, incoming.reported_domain, incoming.reporting_mta) == (failure, domain, reporter)
    assert incoming.original_ids == ids


# ---- through `leadloop inbox` -----------------------------------------------------------


def test_an_auth_failure_report_changes_no_lead_and_is_the_senders_problem(project, run):
    project.deliver(_pointed_at(run, (HERE / "arf-auth-failure-dkim.eml").read_bytes(), "jose.munoz@example.com"))
    project.deliver(_pointed_at(run, (HERE / "arf-dmarc-failure.eml").read_bytes(), "ana.pena@example.org",
                                b"<info-2@leadloop.test>"))
    # Beside them, a real complaint (RFC 5965 abuse) still unsubscribes.
    project.deliver((COMPLAINTS / "jmrp-legacy.eml").read_bytes())
    result = run("--now", LATER, "inbox", "--json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["auth_failures"] == 2 and summary["complaints"] == 1
    assert summary["unrecognised"] == 0 and summary["replies"] == 0 and summary["unmatched"] == 0
    assert status(run, "jose.munoz@example.com") == "active"
    assert status(run, "ana.pena@example.org") == "active"
    assert status(run, "tom@example.net") == "unsubscribed"
    # One sentence each: what failed, for which domain, who says so, what to run.
    problems = result.stderr
    assert "mx.example.net reports that a message leadloop sent from lauravidal.es failed DKIM (the body hash" in problems
    assert "failed DMARC" in problems and "receiver.example.org reports" in problems
    assert problems.count("leadloop check --dns") == 2
    # Recorded on the lead whose message it was, under its own kind.
    shown = json.loads(run("show", "jose.munoz@example.com", "--json").stdout)
    [event] = [e for e in shown["events"] if e["kind"] == "auth_failure"]
    assert event["auth_failure"] == "bodyhash" and event["reported_domain"] == "lauravidal.es"
    assert event["message_id"] == sent_message_id(run, "jose.munoz@example.com")
    assert not any(e["kind"] == "complaint" for e in shown["events"])
    assert "failed DKIM" in run("show", "jose.munoz@example.com").stdout
    # Only Tom's complaint counts in stats.
    stats = json.loads(run("--now", LATER, "stats", "--json").stdout)
    assert stats["complaints"] == 1 and stats["complaint_rate"] == 0.3333


def test_the_summary_line_counts_them(project, run):
    project.deliver(_pointed_at(run, (HERE / "arf-auth-failure-dkim.eml").read_bytes(), "jose.munoz@example.com"))
    result = run("--now", LATER, "inbox")
    assert result.exit_code == 0, result.stderr
    assert "1 authentication failure report (the sender's set-up: `leadloop check --dns`)" in result.stdout
    assert "spam complaint" not in result.stdout and "0 unmatched" in result.stdout
    stats = json.loads(run("--now", LATER, "stats", "--json").stdout)
    assert stats["complaints"] == 0 and stats["complaint_rate"] == 0.0
    assert not any("complaint" in warning for warning in stats["warnings"])


def test_an_auth_failure_about_mail_leadloop_did_not_send_names_no_lead(project, run):
    # Somebody else's mail under the domain (or a forgery): said, counted, kept nowhere.
    project.deliver((HERE / "arf-auth-failure-results-only.eml").read_bytes())
    result = run("--now", LATER, "inbox", "--json")
    summary = json.loads(result.stdout)
    assert summary["auth_failures"] == 1 and summary["unrecognised"] == 0 and summary["complaints"] == 0
    assert "mail.example.com reports that a message from lauravidal.es that leadloop did not send " \
           "failed SPF and DKIM" in result.stderr
    assert {lead["status"] for lead in leads(run).values()} == {"active"}
    assert json.loads(run("inbox", "--review", "--json").stdout) == []
    for email in ("jose.munoz@example.com", "ana.pena@example.org", "tom@example.net"):
        assert not any(e["kind"] == "auth_failure"
                       for e in json.loads(run("show", email, "--json").stdout)["events"])
