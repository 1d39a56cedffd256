"""Reports about our own domain are the sender's, never a lead's doing (issue #25; SPEC §6,
§7): an authentication failure report (RFC 6591, the DMARC failure reports of RFC 7489
§7.3) is no complaint, and DMARC aggregate (RFC 7489 §7.2.1.1) and SMTP TLS reports (RFC
8460 §5.3) are neither replies, bounces nor complaints. Messages written for leadloop
from the RFCs' layouts (tests/fixtures/auth_reports, and the builders below)."""

from __future__ import annotations

import base64
import gzip
import io
import json
import sqlite3
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest

from leadloop.classify import classify
from leadloop.mailbox import MAX_HEADER_BYTES, MAX_MESSAGE_BYTES
from test_inbox import LATER, dsn, leads, mail, read, sent_message_id, status  # noqa: F401  (fixtures)
from test_inbox import project  # noqa: F401

HERE = Path(__file__).parent / "fixtures" / "auth_reports"
COMPLAINTS = Path(__file__).parent / "fixtures" / "complaints"

AGGREGATE_XML = b"""<?xml version="1.0" encoding="UTF-8" ?>
<feedback>
  <report_metadata><org_name>receiver.example</org_name><email>noreply-dmarc@receiver.example</email>
    <report_id>2026.03.02.1</report_id><date_range><begin>1772409600</begin><end>1772495999</end></date_range>
  </report_metadata>
  <policy_published><domain>lauravidal.es</domain><adkim>r</adkim><aspf>r</aspf><p>none</p></policy_published>
  <record><row><source_ip>192.0.2.1</source_ip><count>3</count>
    <policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row>
    <identifiers><header_from>lauravidal.es</header_from></identifiers>
    <auth_results><dkim><domain>lauravidal.es</domain><result>pass</result></dkim>
      <spf><domain>lauravidal.es</domain><result>fail</result></spf></auth_results></record>
</feedback>
"""
TLS_JSON = (b'{"organization-name":"sender.example","date-range":{"start-datetime":"2026-03-02T00:00:00Z",'
            b'"end-datetime":"2026-03-02T23:59:59Z"},"contact-info":"tlsrpt@sender.example",'
            b'"report-id":"2026-03-02T00:00:00Z_lauravidal.es","policies":[{"policy":{"policy-type":"sts",'
            b'"policy-domain":"lauravidal.es"},"summary":{"total-successful-session-count":3,'
            b'"total-failure-session-count":0}}]}')


def _b64(data: bytes) -> str:
    return "\r\n".join(base64.encodebytes(data).decode("ascii").split())


def _rfc_example(headers: str, content_type: str, text: str, data_type: str, file_name: str,
                 data: bytes) -> bytes:
    """The layout of RFC 7489 §7.2.1.1's example, which RFC 8460 §5.3's repeats: the
    headers, a text part and the compressed report as a base64 attachment."""
    boundary = "----=_NextPart_000_024E_01CC9B0A.AFE54C00"
    return (
        f"{headers}MIME-Version: 1.0\r\nContent-Type: {content_type};\r\n"
        f'    boundary="{boundary}"\r\nContent-Language: en-us\r\n\r\n'
        "This is a multipart message in MIME format.\r\n\r\n"
        f'--{boundary}\r\nContent-Type: text/plain; charset="us-ascii"\r\n'
        f"Content-Transfer-Encoding: 7bit\r\n\r\n{text}\r\n\r\n"
        f"--{boundary}\r\nContent-Type: {data_type}\r\nContent-Transfer-Encoding: base64\r\n"
        f'Content-Disposition: attachment;\r\n    filename="{file_name}"\r\n\r\n'
        f"{_b64(data)}\r\n\r\n--{boundary}--\r\n"
    ).encode()


def aggregate_rfc7489() -> bytes:
    """RFC 7489 §7.2.1.1's example: the dmarc-subject folded over three lines, a
    multipart/alternative with a text part and the gzip'ed XML, its file name folded."""
    return _rfc_example(
        "From: dmarc-reporting@mail-receiver.example\r\n"
        "Date: Tue, 03 Mar 2026 06:54:30 +0000\r\n"
        "To: dmarc-feedback@lauravidal.es\r\n"
        "Subject: Report Domain: lauravidal.es\r\n"
        "    Submitter: mail-receiver.example\r\n"
        "    Report-ID: <2026.03.02.1>\r\n"
        "Message-ID: <rua-1@mail-receiver.example>\r\n",
        "multipart/alternative", "This is an aggregate report from mail-receiver.example.",
        "application/gzip", "mail-receiver.example!lauravidal.es!\r\n              1772409600!1772495999.gz",
        gzip.compress(AGGREGATE_XML))


def _zipped(name: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, AGGREGATE_XML)
    return buffer.getvalue()


def aggregate_zip_alone() -> bytes:
    """The report as the whole message: one application/zip body, the subject in lower
    case and its Report-ID without angle brackets, as large receivers write it."""
    name = "receiver.example!lauravidal.es!1772409600!1772495999"
    return (
        "From: noreply-dmarc-support@receiver.example\r\n"
        "To: dmarc@lauravidal.es\r\n"
        "Subject: Report domain: lauravidal.es Submitter: receiver.example Report-ID: 5826497391020\r\n"
        "Date: Tue, 03 Mar 2026 07:10:00 +0000\r\n"
        "Message-ID: <rua-2@receiver.example>\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: application/zip; name="{name}.zip"\r\n'
        f'Content-Disposition: attachment; filename="{name}.zip"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
        f"{_b64(_zipped(name + '.xml'))}\r\n"
    ).encode()


def aggregate_named_file_only(name="reports.example.com!lauravidal.es!1772409600!1772495999!77.zip",
                              subtype="x-zip-compressed") -> bytes:
    """A receiver whose subject is its own: the attachment's RFC 7489 file name says it."""
    message = EmailMessage()
    message["From"] = "DMARC Reports <dmarc@reports.example.com>"
    message["To"] = "dmarc@lauravidal.es"
    message["Subject"] = "DMARC aggregate report for lauravidal.es"
    message["Message-ID"] = "<rua-3@reports.example.com>"
    message.set_content("Attached: the DMARC aggregate report for 2 March 2026.")
    data = gzip.compress(AGGREGATE_XML) if name.endswith(".gz") else _zipped("report.xml")
    message.add_attachment(data, maintype="application", subtype=subtype, filename=name)
    return message.as_bytes()


def aggregate_xml_gz() -> bytes:
    return aggregate_named_file_only("mx.example.com!lauravidal.es!1772409600!1772495999.xml.gz", "gzip")


def tls_rfc8460() -> bytes:
    """RFC 8460 §5.3's example: multipart/report; report-type="tlsrpt", the
    TLS-Report-Domain and TLS-Report-Submitter fields, an application/tlsrpt+gzip part."""
    return _rfc_example(
        "From: tlsrpt@mail.sender.example\r\n"
        "Date: Tue, 03 Mar 2026 08:54:30 +0000\r\n"
        "To: mts-sts-tlsrpt@lauravidal.es\r\n"
        "Subject: Report Domain: lauravidal.es\r\n"
        "     Submitter: mail.sender.example\r\n"
        "     Report-ID: <735ff.e317+bf22029@mail.sender.example>\r\n"
        "TLS-Report-Domain: lauravidal.es\r\n"
        "TLS-Report-Submitter: mail.sender.example\r\n"
        "Message-ID: <tlsrpt-1@mail.sender.example>\r\n",
        'multipart/report; report-type="tlsrpt"', "This is an aggregate TLS report from mail.sender.example",
        "application/tlsrpt+gzip", "mail.sender.example!lauravidal.es!1772409600!1772495999.json.gz",
        gzip.compress(TLS_JSON))


def tls_fields_only() -> bytes:
    """A TLS report sent as multipart/mixed with a bare JSON part: RFC 8460's header
    fields still say what it is."""
    message = EmailMessage()
    message["From"] = "TLS Reports <tls-reports@sender.example.net>"
    message["To"] = "tlsrpt@lauravidal.es"
    message["Subject"] = "SMTP TLS report for lauravidal.es"
    message["TLS-Report-Domain"] = "lauravidal.es"
    message["TLS-Report-Submitter"] = "sender.example.net"
    message.set_content("TLS report attached.")
    message.add_attachment(TLS_JSON, maintype="application", subtype="tlsrpt+json", filename="report.json")
    return message.as_bytes()


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


@pytest.mark.parametrize("build, kind", [
    (aggregate_rfc7489, "dmarc"), (aggregate_zip_alone, "dmarc"), (aggregate_named_file_only, "dmarc"),
    (aggregate_xml_gz, "dmarc"),
    (tls_rfc8460, "tls"), (tls_fields_only, "tls"),
])
def test_dmarc_aggregate_and_tls_reports_are_reports_about_the_domain(build, kind):
    incoming = classify(build())
    assert (incoming.kind, incoming.domain_report) == ("domain_report", kind)
    # Over the size limit only the headers are read; RFC 8460's fields and the subject
    # still tell.
    raw = build()
    head = raw[:raw.index(b"\r\n\r\n") if b"\r\n\r\n" in raw else raw.index(b"\n\n")]
    if build not in (aggregate_named_file_only, aggregate_xml_gz):
        assert classify(head, headers_only=True).kind == "domain_report"


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
    project.deliver(aggregate_rfc7489())
    project.deliver(tls_rfc8460())
    result = run("--now", LATER, "inbox")
    assert result.exit_code == 0, result.stderr
    assert "1 authentication failure report (the sender's set-up: `leadloop check --dns`)" in result.stdout
    assert "2 DMARC or TLS reports about your domain (left alone)" in result.stdout
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


def test_dmarc_and_tls_reports_are_counted_and_left_alone(project, run):
    for build in (aggregate_rfc7489, aggregate_zip_alone, aggregate_named_file_only, tls_rfc8460,
                  tls_fields_only):
        project.deliver(build())
    # Beside them, what stays as it was: people's messages whose subject says "Report"
    # (one with a file attached, one answering a report: the person's own message), and
    # a delivery report.
    workshop = mail("ana.pena@example.org", "Report on the workshop", "Le mando el informe. ¿Hablamos el lunes?")
    workshop.add_attachment(b"%PDF-1.4 informe", maintype="application", subtype="pdf", filename="informe.pdf")
    project.deliver(workshop)
    project.deliver(mail("tom@example.net", "Re: Report Domain: lauravidal.es Submitter: receiver.example "
                         "Report-ID: <1>", "I got this from our mail server, what does it mean?"))
    project.deliver(dsn("jose.munoz@example.com", "ana.pena@example.org", "tom@example.net"))
    summary = read(run)
    assert summary["domain_reports"] == 5
    assert summary["replies"] == 2 and summary["bounces"] == 1 and summary["delays"] == 1
    assert summary["unmatched"] == 0 and summary["unrecognised"] == 0
    assert summary["complaints"] == 0 and summary["auto_replies"] == 0 and summary["auth_failures"] == 0
    assert status(run, "ana.pena@example.org") == "replied"
    assert status(run, "tom@example.net") == "replied"
    assert status(run, "jose.munoz@example.com") == "bounced"
    assert json.loads(run("inbox", "--review", "--json").stdout) == []


# ---- a report too large to read whole (issue #25) ------------------------------------------


def large_report(feedback_fields: str, original_id: str, recipient: str, *,
                 text: str = "This is an authentication failure report for a message received "
                             "from IP 192.0.2.1.") -> bytes:
    """An ARF report (RFC 5965 §2: a text part, the feedback fields, the returned message)
    that returns our information pack whole, its PDF brochure too: over the size limit."""
    raw = (
        "From: <arf-daemon@mx.example.net>\r\n"
        "To: <laura@lauravidal.es>\r\n"
        "Subject: Report: La información que me pidió\r\n"
        "Date: Tue, 03 Mar 2026 08:00:00 +0000\r\n"
        f"Message-ID: <large-{abs(hash((feedback_fields, original_id, recipient, text)))}@mx.example.net>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=feedback-report; boundary="outer"\r\n\r\n'
        f'--outer\r\nContent-Type: text/plain; charset="US-ASCII"\r\n\r\n{text}\r\n\r\n'
        f"--outer\r\nContent-Type: message/feedback-report\r\n\r\n{feedback_fields}"
        f"Original-Rcpt-To: <{recipient}>\r\n\r\n"
        "--outer\r\nContent-Type: message/rfc822\r\n\r\n"
    ).encode() + info_pack(original_id, recipient) + b"\r\n--outer--\r\n"
    assert len(raw) > MAX_MESSAGE_BYTES
    return raw


def info_pack(original_id: str, recipient: str) -> bytes:
    """Our information pack as a report returns it whole, header and PDF brochure: over
    the size limit by itself."""
    brochure = base64.encodebytes(b"%PDF-1.4 " + b"x" * (MAX_MESSAGE_BYTES * 3 // 4)).replace(b"\n", b"\r\n")
    return (
        f"From: Laura Vidal <laura@lauravidal.es>\r\nTo: <{recipient}>\r\n"
        "Subject: La información que me pidió\r\n"
        f"Date: Mon, 02 Mar 2026 10:00:00 +0000\r\nMessage-ID: {original_id}\r\n"
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="inner"\r\n\r\n'
        "--inner\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHola, aquí tiene el folleto.\r\n"
        "--inner\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
        'Content-Disposition: attachment; filename="folleto.pdf"\r\n\r\n'
    ).encode() + brochure + b"\r\n--inner--\r\n"


AUTH_FAILURE_FIELDS = ("Feedback-Type: auth-failure\r\nUser-Agent: SomeDKIMFilter/1.0\r\nVersion: 1\r\n"
                       "Reporting-MTA: dns; mx.example.net\r\nReported-Domain: lauravidal.es\r\n"
                       "Auth-Failure: bodyhash\r\n")
ABUSE_FIELDS = "Feedback-Type: abuse\r\nUser-Agent: SomeGenerator/1.0\r\nVersion: 1\r\n"


def test_an_auth_failure_report_too_large_to_read_whole_is_still_no_complaint(project, run):
    """Read from its first bytes: the feedback part says auth-failure, and the returned
    message's header, which follows it, finds the lead."""
    jose = sent_message_id(run, "jose.munoz@example.com")
    project.deliver(large_report(AUTH_FAILURE_FIELDS, jose, "jose.munoz@example.com"))
    result = run("--now", LATER, "inbox", "--json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["auth_failures"] == 1
    assert summary["complaints"] == 0 and summary["unrecognised"] == 0 and summary["skipped"] == 0
    assert "mx.example.net reports that a message leadloop sent from lauravidal.es failed DKIM" in result.stderr
    assert status(run, "jose.munoz@example.com") == "active"
    assert json.loads(run("inbox", "--review", "--json").stdout) == []
    shown = json.loads(run("show", "jose.munoz@example.com", "--json").stdout)
    [event] = [e for e in shown["events"] if e["kind"] == "auth_failure"]
    assert event["message_id"] == jose and event["auth_failure"] == "bodyhash"
    assert event["note"] == "too large to read whole: the report's fields at its start decided"
    stats = json.loads(run("--now", LATER, "stats", "--json").stdout)
    assert stats["complaints"] == 0


def test_an_abuse_report_too_large_to_read_whole_stays_a_complaint(project, run):
    """A true complaint that large unsubscribes the lead its returned message names; one
    whose first part is longer than what is read stays a complaint by its headers."""
    project.deliver(large_report(ABUSE_FIELDS, sent_message_id(run, "tom@example.net"), "tom@example.net"))
    project.deliver(large_report(AUTH_FAILURE_FIELDS, sent_message_id(run, "ana.pena@example.org"),
                                 "ana.pena@example.org", text="Long words. " * (MAX_HEADER_BYTES // 10)))
    summary = read(run)
    assert summary["complaints"] == 1 and summary["auth_failures"] == 0 and summary["unrecognised"] == 1
    assert status(run, "tom@example.net") == "unsubscribed"
    assert status(run, "ana.pena@example.org") == "active"
    shown = json.loads(run("show", "tom@example.net", "--json").stdout)
    [event] = [e for e in shown["events"] if e["kind"] == "complaint"]
    assert event["feedback_type"] == "abuse" and "at its start decided" in event["note"]
    [review] = json.loads(run("inbox", "--review", "--json").stdout)
    assert "spam complaint (abuse)" in review["reason"]


def test_a_cut_inside_the_fields_takes_no_piece_of_an_address():
    """The last line read may end in the middle of an address: it is left out."""
    raw = (HERE / "arf-dmarc-failure.eml").read_bytes()
    cut = raw.index(b"ana.pena@example.or") + len(b"ana.pena@example.or")
    head = raw[:raw.index(b"\n\n") + 2]
    incoming = classify(head, headers_only=True, start=raw[:cut])
    assert (incoming.kind, incoming.auth_failure, incoming.complainers) == ("auth_failure", "", ())
    assert incoming.truncated


# ---- a report about a lead erased since -------------------------------------------------


def without_original_id(raw: bytes) -> bytes:
    """The report, its returned message's header without a Message-ID (some receivers
    send only a few of its fields): the recipient's address is what is left."""
    return raw.replace(b"Message-ID: <info-2@leadloop.test>\n", b"")


def test_an_auth_failure_about_a_lead_erased_since_says_so(project, run, tmp_path):
    """By the returned message's Message-ID, whose row stays; without one, by the keyed
    hash of its recipient's address that the suppressions keep (SPEC §10), whether the
    lead was erased as it was or after its address bounced."""
    dmarc = (HERE / "arf-dmarc-failure.eml").read_bytes()
    project.deliver(dsn("tom@example.net", "ana.pena@example.org", "jose.munoz@example.com"))
    assert read(run)["bounces"] == 1 and status(run, "tom@example.net") == "bounced"
    project.deliver(_pointed_at(run, (HERE / "arf-auth-failure-dkim.eml").read_bytes(), "jose.munoz@example.com"))
    project.deliver(without_original_id(dmarc))
    project.deliver(without_original_id(dmarc).replace(b"ana.pena@example.org", b"tom@example.net")
                    .replace(b"receiver.example.org", b"other.example.org"))
    for email in ("jose.munoz@example.com", "ana.pena@example.org", "tom@example.net"):
        assert run("--now", LATER, "forget", email).exit_code == 0
    # Beside them, a report about somebody leadloop never wrote to is still not ours.
    project.deliver(without_original_id(dmarc).replace(b"ana.pena@example.org", b"nadie@example.org"))
    result = run("--now", "2026-03-04T10:00", "inbox", "--json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["auth_failures"] == 4
    assert summary["complaints"] == 0 and summary["unrecognised"] == 0 and summary["unmatched"] == 0
    problems = result.stderr
    erased = "reports that a message leadloop sent from lauravidal.es to a lead erased since failed"
    assert f"mx.example.net {erased} DKIM" in problems
    assert f"receiver.example.org {erased} DMARC" in problems
    assert f"other.example.org {erased} DMARC" in problems
    assert "receiver.example.org reports that a message from lauravidal.es that leadloop did not send" in problems
    assert "ana.pena" not in problems and "jose.munoz" not in problems and "tom@" not in problems
    # Nothing recorded on the erased rows, nothing left for review.
    assert json.loads(run("inbox", "--review", "--json").stdout) == []
    conn = sqlite3.connect(tmp_path / "leadloop.db")
    assert conn.execute("SELECT count(*) FROM events WHERE kind = 'auth_failure'").fetchone() == (0,)
    conn.close()
