"""Reports about the sender's own domain, which arrive in the inbox once the domain
publishes DMARC or TLS-RPT (SPEC §6's third owner): nobody's reply, bounce or complaint.

- DMARC aggregate reports (RFC 7489 §7.2.1.1): the subject "Report Domain: DOMAIN
  Submitter: RECEIVER Report-ID: ID", the XML report attached gzip'ed (or zipped, or
  bare: application/gzip, application/zip, application/xml…) under the file name
  "receiver!policy-domain!begin-timestamp!end-timestamp[!unique-id].ext".
- SMTP TLS reports (RFC 8460 §5.3): `multipart/report; report-type=tlsrpt`, the
  TLS-Report-Domain and TLS-Report-Submitter header fields, the same subject, and an
  application/tlsrpt+gzip or application/tlsrpt+json part named as above.
- Authentication failure reports (RFC 6591; RFC 7489 §7.3's DMARC failure reports): ARF
  reports of Feedback-Type `auth-failure`, read by complaints.py; `failure_sentence`
  says what they mean.

Pure: a parsed message in, a verdict out.
"""

from __future__ import annotations

import re
from email.message import Message

from .bounces import own_parts

# RFC 7489 §7.2.1.1's dmarc-subject (RFC 8460 §5.3 uses the same): matched from the
# subject's start, so a person's "Re:" or "Fwd:" of one is that person's message. Case
# and spacing loosened: receivers write "Report domain:" and "Report-Id:", and a
# submitter with spaces ("Yahoo! Inc.").
_REPORT_SUBJECT = re.compile(r"\s*report\s+domain\s*:\s*\S+\s+submitter\s*:\s*\S.*?\breport[- ]?id\s*:", re.I)
# The file name of RFC 7489 §7.2.1.1 (and RFC 8460 §5.3): receiver!policy-domain!begin!end
# [!unique-id], then .xml, .gz, .zip, .xml.gz (what receivers send) or RFC 8460's .json[.gz].
_REPORT_FILE = re.compile(
    r"[^!\s/\\]+![^!\s/\\]+!\d+!\d+(?:![^!\s/\\]+?)?(?:\.xml|\.json)?\.(?:xml|json|gz|gzip|zip)$", re.I)
# Media types the reports' data comes in; a file named as above in one of them is a report.
_REPORT_MEDIA = ("application/gzip", "application/x-gzip", "application/zip", "application/x-zip-compressed",
                 "application/xml", "text/xml", "application/octet-stream", "application/tlsrpt+gzip",
                 "application/tlsrpt+json")
_SIGN_FIELDS = frozenset({"content-type", "tls-report-domain", "tls-report-submitter"})

# What each RFC 6591 §3.2.2 Auth-Failure value (and RFC 7489 §7.3's "dmarc") says failed.
_FAILURES = {
    "spf": "SPF", "dmarc": "DMARC", "dkim": "DKIM", "adsp": "DKIM ADSP",
    "bodyhash": "DKIM (the body hash did not match: the message changed after signing)",
    "signature": "DKIM (the signature did not verify)", "revoked": "DKIM (the key is revoked)",
}


def report_kind(msg: Message, subject: str) -> str | None:
    """"tls" for an SMTP TLS report, "dmarc" for a DMARC aggregate report, else None."""
    # The raw header lines: parsing Content-Type through the email policy costs more than
    # this test, and most mail is neither (as complaints.looks_like_complaint).
    raw: dict[str, str] = {}
    for name, value in msg.raw_items():
        name = name.lower()
        if name in _SIGN_FIELDS and name not in raw:
            raw[name] = str(value)
    content_type = raw.get("content-type", "").lower()
    if "tlsrpt" in content_type and msg.get_content_type() == "multipart/report" and \
            (msg.get_param("report-type") or "").lower() == "tlsrpt":
        return "tls"
    if "tls-report-domain" in raw and "tls-report-submitter" in raw:
        return "tls"
    if _REPORT_SUBJECT.match(subject):
        return "dmarc"
    content_type = content_type.lstrip()
    # (Not in a delivery or feedback report's multipart/report: a DMARC report is none.)
    if content_type.startswith(("multipart/", "application/")) and not content_type.startswith("multipart/report"):
        # The message's own parts: a report a person forwards as an attachment is that
        # person's message.
        for part in own_parts(msg):
            raw_type = next((str(v) for k, v in part.raw_items() if k.lower() == "content-type"), "").lower()
            if "application/" not in raw_type and "text/xml" not in raw_type:
                continue  # (the raw header first: parsing each part's type costs the inbox time)
            kind = part.get_content_type()
            # (RFC 7489's own example folds the name across lines: its spaces are no part of it.)
            if kind in _REPORT_MEDIA and _REPORT_FILE.match("".join((part.get_filename() or "").split())):
                return "tls" if kind.startswith("application/tlsrpt") else "dmarc"
    return None


def failed_methods(failure: str) -> str:
    """What an auth-failure report says failed, in words ("SPF and DKIM")."""
    methods = [_FAILURES.get(word, word) for word in failure.split()]
    return " and ".join(dict.fromkeys(methods)) if methods else "authentication"


def failure_sentence(failure: str, domain: str, reporter: str, *, ours: bool, erased: bool = False) -> str:
    """One sentence for an authentication failure report: what failed, from which domain,
    who says so, and what to run. `ours`: the report returns a message leadloop sent;
    `erased`: one it sent to a lead erased since; else it is mail sent elsewhere under the
    domain, forwarded, or forged."""
    what = failed_methods(failure)
    where = f" from {domain}" if domain else ""
    who = reporter or "a receiving server"
    if erased:
        return (f"{who} reports that a message leadloop sent{where} to a lead erased since failed {what} "
                "(an authentication failure report): the sender's set-up, no complaint, and nothing "
                "recorded, since nothing is kept of the lead; check it with `leadloop check --dns`")
    if ours:
        return (f"{who} reports that a message leadloop sent{where} failed {what} (an authentication "
                "failure report): the sender's set-up, not the lead's, and no complaint; check it with "
                "`leadloop check --dns`")
    return (f"{who} reports that a message{where} that leadloop did not send failed {what} (an "
            "authentication failure report: mail sent elsewhere under the domain, forwarded or forged); "
            "if it was yours, check the domain with `leadloop check --dns`")
