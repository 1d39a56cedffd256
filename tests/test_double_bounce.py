"""A report whose returned message is itself a report (a double bounce) speaks only of
its own recipients.

Sendmail's "Postmaster notify" returns the message it could not deliver, and when that
message was an earlier report (sendmail.cf's DoubleBounceAddress, RFC 3464 §2's
multipart/report with the returned message as its third part), the earlier report's
recipients, statuses and words are the returned content, not this report's. Before,
the earlier report's 5.1.2 "Host unknown" was read as a second, hard failure of this
one. A report forwarded as an attachment (no fields of its own) is still read whole.
Written from sendmail 8's layouts; hosts and addresses are made up (RFC 2606)."""

from __future__ import annotations

from leadloop.classify import classify

OLD = "cliente@tienda-cerrada.example"
NOW = "ana.pena@example.org"


def report(recipient: str, status: str, diagnostic: str, subject: str, returned: str, boundary: str) -> str:
    return "\r\n".join([
        "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.lauravidal.example>",
        "To: postmaster@mx.lauravidal.example", f"Subject: {subject}",
        f"Message-Id: <{boundary}@mx.lauravidal.example>", "MIME-Version: 1.0",
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"',
        "Auto-Submitted: auto-generated (postmaster-notification)", "",
        f"--{boundary}", "",
        "   ----- The following addresses had permanent fatal errors -----", f"<{recipient}>",
        f"    (reason: {diagnostic})", "",
        f"--{boundary}", "Content-Type: message/delivery-status", "",
        "Reporting-MTA: dns; mx.lauravidal.example", "",
        f"Final-Recipient: RFC822; {recipient}", "Action: failed", f"Status: {status}",
        f"Diagnostic-Code: SMTP; {diagnostic}", "",
        f"--{boundary}", "Content-Type: message/rfc822", "", returned, f"--{boundary}--", ""])


ORIGINAL = "\r\n".join(["From: Laura Vidal <laura@lauravidal.example>", f"To: {NOW}",
                        "Subject: Hola de nuevo", "Message-ID: <m1@lauravidal.example>", "", "¿Aún me recuerda?", ""])


def test_the_returned_report_is_not_read_as_this_reports_failure():
    earlier = report(OLD, "5.1.2", "550 Host unknown", "Postmaster notify: see transcript for details",
                     ORIGINAL, "old1")
    raw = report(NOW, "4.4.7", "451 4.4.7 Message could not be delivered for 5 days",
                 "Postmaster notify: see transcript for details", earlier, "new1").encode()
    incoming = classify(raw)
    assert incoming.kind == "bounce"
    assert {f.address: f.hard for f in incoming.failures} == {NOW: False}


def test_a_report_forwarded_as_an_attachment_is_still_read():
    forwarded = report(OLD, "5.1.2", "550 Host unknown", "Undelivered Mail Returned to Sender", ORIGINAL, "old2")
    raw = "\r\n".join([
        "From: Laura Vidal <laura@lauravidal.example>", "To: laura@lauravidal.example",
        "Subject: FW: Undelivered Mail Returned to Sender", "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="fw"', "", "--fw", "Content-Type: text/plain", "",
        "Reenviado por la regla del buzón.", "--fw", "Content-Type: message/rfc822", "", forwarded, "--fw--", ""])
    incoming = classify(raw.encode(), own=frozenset({"laura@lauravidal.example"}))
    assert incoming.kind == "bounce"
    assert {f.address: f.hard for f in incoming.failures} == {OLD: True}
