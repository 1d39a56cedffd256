"""Complaints: a mailbox provider's feedback loop reporting that a person marked our
message as spam (SPEC §7, §8; issue #25 item 6).

The report is an Abuse Reporting Format message (RFC 5965): `multipart/report;
report-type=feedback-report` with a human-readable part, a `message/feedback-report`
part of fields (Feedback-Type, User-Agent, Version, Original-Rcpt-To, Original-Mail-From,
Arrival-Date, Source-IP…) and the original message or its headers. Yahoo's Complaint
Feedback Loop, Microsoft's JMRP (Junk Mail Reporting Program), mail.ru's and AOL's
loops send it; providers usually redact the complainer's address, so the original's
Message-ID is what finds the lead. Microsoft's older JMRP reports are a plain
`multipart/mixed` whose attached original carries `X-HmXmrOriginalRecipient`, the
complainer's address (Microsoft's JMRP documentation, sendersupport.olc.protection.outlook.com).

The same format carries RFC 6591's authentication failure reports (Feedback-Type
`auth-failure`; the DMARC failure reports of RFC 7489 §7.3): nobody complained, the
receiving server says our message failed SPF, DKIM or DMARC. `read` keeps what such a
report says failed, for whom and who says so; the inbox treats it as the sender's problem
(domain_reports.py), never as a complaint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser

_ANGLE_ID = re.compile(r"<[^<>\s@]+@[^<>\s]+>")
_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_REPORT_OR_MIXED = re.compile(r"\s*multipart/(report|mixed)\b", re.I)
# RFC 5965 §7.3's registry: "not-spam" says the person took it back; every other type
# (abuse, fraud, virus, other, and the drafts' "opt-out") is a complaint.
NOT_A_COMPLAINT = frozenset({"not-spam"})
# RFC 6591 §3.1: a report that the message failed authentication. Nobody complained.
AUTH_FAILURE = "auth-failure"
# RFC 8601's Authentication-Results, where a report gives no Auth-Failure field: the
# methods it says failed.
_FAILED_METHOD = re.compile(r"\b(spf|dkim|dmarc)\s*=\s*(?:fail|softfail|permerror)\b", re.I)


@dataclass(frozen=True, slots=True)
class Complaint:
    feedback_type: str                 # RFC 5965's Feedback-Type, lower case ("abuse")
    complainers: tuple[str, ...]       # the addresses that complained, when not redacted
    original_ids: tuple[str, ...]      # the Message-ID of the message complained about
    # An auth-failure report (RFC 6591 §3.2): what failed (its Auth-Failure field, else the
    # methods its Authentication-Results says failed: "bodyhash", "spf", "dkim dmarc"…),
    # the domain it is about (Reported-Domain) and the server that says so (Reporting-MTA).
    auth_failure: str = ""
    reported_domain: str = ""
    reporting_mta: str = ""


def looks_like_complaint(msg: Message) -> bool:
    """An ARF report (RFC 5965 §2: the report-type, or its feedback-report part), or a
    JMRP report in Microsoft's older form."""
    # The raw header first: parsing Content-Type through the email policy costs more than
    # the rest of this test, and most mail is neither a report nor mixed.
    raw = next((str(value) for name, value in msg.raw_items() if name.lower() == "content-type"), "")
    if not _REPORT_OR_MIXED.match(raw):
        return False
    kind = msg.get_content_type()
    if kind == "multipart/report":
        return (msg.get_param("report-type") or "").lower() == "feedback-report"
    if kind != "multipart/mixed":
        return False  # (a reply's text or alternative parts: no need to walk them)
    for part in msg.walk():
        if part.get_content_type() == "message/feedback-report":
            return True
    return _jmrp_original(msg) is not None


def read(msg: Message) -> Complaint:
    fields = _feedback_fields(msg)
    feedback_type = str((fields.get("feedback-type") if fields is not None else None) or "abuse").strip().lower()
    complainers = [a.lower() for value in (fields.get_all("original-rcpt-to") or [] if fields is not None else [])
                   for a in _ADDRESS.findall(str(value))]
    original = _original_headers(msg)
    ids: list[str] = []
    if original is not None:
        ids += _ANGLE_ID.findall(str(original.get("message-id") or ""))
        for name in ("x-hmxmroriginalrecipient", "to"):
            complainers += [a.lower() for a in _ADDRESS.findall(str(original.get(name) or ""))]
    failure = domain = reporter = ""
    if feedback_type == AUTH_FAILURE and fields is not None:
        failure = " ".join(dict.fromkeys(
            word for word in map(_field_word, fields.get_all("auth-failure") or []) if word))
        if not failure:
            results = " ".join(str(value) for value in fields.get_all("authentication-results") or [])
            failure = " ".join(dict.fromkeys(m.lower() for m in _FAILED_METHOD.findall(results)))
        domain = _field_word(fields.get("reported-domain"))
        # "dns; mx.example.net" (RFC 5965 §3.2, as RFC 3464's Reporting-MTA)
        reporter = _field_word(str(fields.get("reporting-mta") or "").rpartition(";")[2])
    return Complaint(feedback_type, tuple(dict.fromkeys(complainers)), tuple(dict.fromkeys(ids)),
                     failure, domain, reporter)


def read_start(msg: Message) -> Complaint | None:
    """`read` for a report cut after its first bytes (too large to read whole): None
    unless its feedback part, with the Feedback-Type, is among them."""
    fields = _feedback_fields(msg)
    if fields is None or not str(fields.get("feedback-type") or "").strip():
        return None
    return read(msg)


def _field_word(value) -> str:
    """A field's first word, lower case: a domain or a host, never more of a stranger's text."""
    words = str(value or "").split()
    return words[0].strip("<>;,").lower()[:253] if words else ""


def _feedback_fields(msg: Message):
    for part in msg.walk():
        if part.get_content_type() != "message/feedback-report":
            continue
        payload = part.get_payload()
        if isinstance(payload, list) and payload:
            return payload[0]  # the email package reads the fields as one header block
        text = part.get_payload(decode=True) or b""
        return HeaderParser().parsestr(text.decode("utf-8", "replace"))
    return None


def _original_headers(msg: Message):
    """The message complained about: the report's message/rfc822 or text/rfc822-headers
    part (RFC 5965 §2 c)."""
    for part in msg.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822":
            payload = part.get_payload()
            if isinstance(payload, list) and payload:
                return payload[0]
        if kind == "text/rfc822-headers":
            text = part.get_payload(decode=True) or b""
            return HeaderParser().parsestr(text.decode("utf-8", "replace"))
    return None


def _jmrp_original(msg: Message):
    if not msg.is_multipart():
        return None
    original = _original_headers(msg)
    if original is not None and original.get("x-hmxmroriginalrecipient"):
        return original
    return None
