"""Acceptance of issue #15 on 562 real bounces from 70 mail servers (sisimai's
set-of-emails; ../shared/corpora/bounces/README.md), with sisimai's own verdicts.

Each sample is read as the inbox reads it, against a real SQLite store in which the
expected recipient is a lead with a sent message — whose Message-ID is the returned
original's, when the sample has one — and so are the addresses a careless reader could
take for a failed recipient: our own (the original's sender) and every other address
quoted in the returned original. Each sample runs in its own transaction, rolled back.
"""

from __future__ import annotations

import json
import os
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from leadloop.addresses import normalize_address
from leadloop.classify import Unreadable, classify
from leadloop.config import load_config
from leadloop.errors import InvalidAddress
from leadloop.inbox import InboxReport, apply_incoming
from leadloop.store import Store

from corpora import corpus, skip_without

HERE = corpus("bounces")
pytestmark = skip_without("bounces")
EXPECTED = (json.loads((HERE / "expected.json").read_text(encoding="utf-8"))["expectations"]
            if (HERE / "expected.json").is_file() else [])
NOW = datetime(2026, 3, 3, 10, 0, tzinfo=timezone.utc)
SENT = "2026-03-02T10:00:00+00:00"
_ADDRESS = re.compile(rb"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


class Rollback(Exception):
    pass


def normal(address: str | bytes | None) -> str | None:
    if isinstance(address, bytes):
        address = address.decode("ascii", "replace")
    try:
        return normalize_address(address.strip().strip("<>.")) if address else None
    except InvalidAddress:
        return None


def quoted_addresses(raw: bytes) -> set[str]:
    """Every address that appears only in the returned original (a message/rfc822 or
    text/rfc822-headers part, or what follows the first header block of a plain-text
    report), never in the report itself: a reader must never take one for a failed
    recipient."""
    import email
    import email.policy

    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    report, original = [], []
    for part in msg.walk():
        kind = part.get_content_type()
        if kind in ("message/rfc822", "text/rfc822-headers"):
            original.append(part.as_bytes())
        elif not part.is_multipart() and part.get_content_maintype() in ("text", "message"):
            body = part.get_payload(decode=True) or b""
            cut = min((i for i in (body.find(b"\nReceived:"), body.find(b"\nReturn-Path:"))
                       if i >= 0), default=-1)
            report.append(body if cut < 0 else body[:cut])
            if cut >= 0:
                original.append(body[cut:])
    named = {normal(m) for chunk in report for m in _ADDRESS.findall(chunk)}
    return {a for chunk in original for a in (normal(m) for m in _ADDRESS.findall(chunk))
            if a and a not in named}


def seed(store: Store, address: str, message_id: str | None) -> int:
    conn = store.conn
    row = conn.execute("SELECT id FROM leads WHERE email = ?", (address,)).fetchone()
    if row is None:
        lead_id = conn.execute(
            "INSERT INTO leads (email, requested_at, status, status_at, created_at, updated_at) "
            "VALUES (?, ?, 'active', ?, ?, ?)", (address, SENT, SENT, SENT, SENT)).lastrowid
    else:
        lead_id = row[0]
    if message_id is None or conn.execute("SELECT 1 FROM messages WHERE message_id = ?",
                                          (message_id,)).fetchone():
        message_id = f"<{os.urandom(8).hex()}@leadloop.test>"
    step = conn.execute("SELECT count(*) FROM messages WHERE lead_id = ?", (lead_id,)).fetchone()[0]
    conn.execute(
        "INSERT INTO messages (lead_id, kind, step, template, state, message_id, attempted_at, sent_at) "
        "VALUES (?, 'sequence', ?, 'info', 'sent', ?, ?, ?)", (lead_id, step, message_id, SENT, SENT))
    return lead_id


# Overfitting guard (issue #15): the rules were developed looking only at the other
# formats' disagreements; every fifth lhost format, in name order, was held out and its
# figures are printed apart. (Measured blind, they were 22/29 hard and 30/30 soft; the
# readers' own sentences of McAfee, InterScan, MessageLabs, Outlook and AOL were ported
# after looking at them, so the figure printed now is no longer a blind one.)
_LHOST_FORMATS = sorted({e["file"].rsplit("-", 1)[0] for e in EXPECTED if e["file"].startswith("lhost-")})
HELD_OUT = frozenset(name for index, name in enumerate(_LHOST_FORMATS) if index % 5 == 4)


def run_corpus(store: Store, *, anchor_message_id: bool) -> dict:
    by_file: dict[str, list[dict]] = {}
    for entry in EXPECTED:
        by_file.setdefault(entry["file"], []).append(entry)
    outcome = {"hard": 0, "hard_ok": 0, "soft": 0, "soft_ok": 0, "wrongly_bounced": [], "crashes": [],
               "missed": [], "formats": set(), "held_out": {"hard": 0, "hard_ok": 0, "soft": 0, "soft_ok": 0}}
    for name, entries in sorted(by_file.items()):
        raw = (HERE / name).read_bytes()
        outcome["formats"].add(name.rsplit("-", 1)[0])
        recipients = {normal(e["recipient"]) for e in entries}
        sender = normal(entries[0]["sender"])
        innocent = (quoted_addresses(raw) | ({sender} if sender else set())) - recipients
        own = frozenset({sender} if sender else set())
        try:
            with store.write():
                for entry in entries:
                    seed(store, normal(entry["recipient"]),
                         entry["original_message_id"] if anchor_message_id else None)
                for address in innocent:
                    seed(store, address, None)
                try:
                    incoming = classify(raw, own=own)
                except Unreadable:
                    incoming = None
                if incoming is not None:
                    apply_incoming(store, incoming, NOW, InboxReport(), own)
                statuses = {row["email"]: row["status"] for row in store.conn.execute(
                    "SELECT email, status FROM leads")}
                raise Rollback
        except Rollback:
            pass
        except Exception as err:  # the test's "no crash"
            outcome["crashes"].append(f"{name}: {type(err).__name__}: {err}")
            continue
        for entry in entries:
            bounced = statuses.get(normal(entry["recipient"])) == "bounced"
            key = "hard" if entry["hard"] else "soft"
            outcome[key] += 1
            held = outcome["held_out"] if name.rsplit("-", 1)[0] in HELD_OUT else {key: 0, key + "_ok": 0}
            held[key] += 1
            if bounced == entry["hard"]:
                outcome[key + "_ok"] += 1
                held[key + "_ok"] += 1
            else:
                outcome["missed"].append(f"{name} {entry['recipient']} ({entry['reason']}, hard={entry['hard']})")
        outcome["wrongly_bounced"] += [f"{name}: {a}" for a in innocent if statuses.get(a) == "bounced"]
    return outcome


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("corpus") / "leadloop.db"
    opened = Store.open(path, load_config(None).cadence)
    yield opened
    opened.close()


def test_the_corpus_is_large_and_varied():
    assert len(EXPECTED) >= 100
    assert len({e["file"] for e in EXPECTED}) >= 100
    assert len({e["file"].rsplit("-", 1)[0] for e in EXPECTED}) >= 40
    assert sum(e["hard"] for e in EXPECTED) >= 100 and sum(not e["hard"] for e in EXPECTED) >= 100


@pytest.mark.parametrize("anchor", [True, False], ids=["with-message-id", "address-only"])
def test_bounces_read_as_sisimai_reads_them(store, anchor):
    outcome = run_corpus(store, anchor_message_id=anchor)
    hard_rate = outcome["hard_ok"] / outcome["hard"]
    soft_rate = outcome["soft_ok"] / outcome["soft"]
    print(f"\n{'Message-ID anchored' if anchor else 'addresses only'}: "
          f"{outcome['hard_ok']}/{outcome['hard']} hard bounces → bounced ({hard_rate:.1%}), "
          f"{outcome['soft_ok']}/{outcome['soft']} soft failures left in sequence ({soft_rate:.1%}), "
          f"{len(outcome['formats'])} formats")
    held = outcome["held_out"]
    print(f"  of which the {len(HELD_OUT)} held-out formats: {held['hard_ok']}/{held['hard']} hard, "
          f"{held['soft_ok']}/{held['soft']} soft")
    for line in outcome["missed"]:
        print("  differs from sisimai:", line)
    assert outcome["crashes"] == []
    assert outcome["wrongly_bounced"] == []
    # The trades the lead accepted are made, each as listed (no other soft sample lost
    # is hidden behind the lowered floor).
    bounced_by_policy = {line.split(" ", 1)[0] for line in outcome["missed"] if line.endswith("hard=False)")}
    assert set(HARD_BY_POLICY) <= bounced_by_policy
    kept_by_policy = {line.split(" ", 1)[0] for line in outcome["missed"] if line.endswith("hard=True)")}
    assert set(SOFT_BY_POLICY) <= kept_by_policy
    assert hard_rate >= HARD_FLOOR and soft_rate >= SOFT_FLOOR


# Issue #15's acceptance: at least 95% of hard bounces bounced, at least 95% of soft
# failures left in sequence, by the Message-ID anchor and by address alone.
HARD_FLOOR = 0.95
# Soft in sisimai's labels, hard by the lead's policy on issue #25, where sisimai knows
# nothing the report does not say: the soft floor is lowered by exactly their number.
HARD_BY_POLICY = {
    # Gmail's "Address not found … the domain couldn't be found", an NXDOMAIN answer for
    # the recipient's domain, under the canned 4.0.0 with Action: failed (sisimai follows
    # the 4.0.0: networkerror). The words beat a vague 4.0.0 (heldout4 findemdev/200).
    "lhost-gsuite-04.eml": "NXDOMAIN under 4.0.0", "lhost-gsuite-05.eml": "NXDOMAIN under 4.0.0",
    "lhost-gsuite-15.eml": "NXDOMAIN under 4.0.0",
    # Gmail's own sentence for a missing account, "The email account that you tried to
    # reach does not exist", relayed with 5.0.0 and no SMTP stage (sisimai: filtered,
    # for want of RCPT): a catalog's sentence needs no stage.
    "rfc3464-42.eml": "Gmail's no-such-account sentence, no stage",
    # A bare "User unknown" with no SMTP stage stated and a status that says nothing more
    # (5.0.0 or none): the address, by the lead's decision on issue #25 item 1. sisimai
    # reads each as a filter's (its internal 5.0.910) for want of a stated RCPT; none of
    # these reports names a stage or a filter's words: Postfix relaying "said: 550
    # <ADDRESS>: User unknown" with no "(in reply to … command)", X1's "ADDRESS [User
    # unknown]" (twice), Yahoo's "550: : User unknown", RFC 3464's example "550 user
    # unknown" under 5.0.0.
    "lhost-postfix-07.eml": "bare User unknown, no stage", "lhost-x1-01.eml": "bare User unknown, no stage",
    "lhost-x1-02.eml": "bare User unknown, no stage", "lhost-yahoo-06.eml": "bare User unknown, no stage",
    "rfc3464-35.eml": "bare user unknown under 5.0.0, no stage",
    # Gmail's "the domain … couldn't be found" under the canned 4.0.0 with Action: failed,
    # for a domain with a null MX (RFC 7505: it accepts no mail) or with no MX, A or AAAA
    # record at all (NOERROR with no data: nowhere to deliver, RFC 5321 §5.1): the words
    # beat a vague 4.0.0, as for NXDOMAIN above (session 9).
    "lhost-gsuite-03.eml": "null MX under 4.0.0", "lhost-gsuite-10.eml": "null MX under 4.0.0",
    "lhost-gsuite-13.eml": "no MX, A or AAAA under 4.0.0",
    # RFC 5321's bare "Requested action not taken: mailbox unavailable" with no stage and
    # no status (Zoho's report): the address, by the lead's policy after session 9's
    # blind sets (sisimai: filtered, for want of RCPT).
    "lhost-zoho-03.eml": "bare mailbox unavailable, no stage",
    # Exchange 2003's "Recipient Not Found" with no stage and no status: the grammar's
    # reading of a dead address, the class of the bare "User unknown" above (session 9).
    "lhost-exchange2003-04.eml": "Exchange 2003's Recipient Not Found, no stage",
}
SOFT_FLOOR = 0.95 - len(HARD_BY_POLICY) / 400  # (400 soft samples)
# Hard in sisimai's labels, soft by the lead's policy: Postfix's generic `reject`
# restriction, "554 5.7.1 … Recipient address rejected: Access denied" (postconf(5)),
# is how a server that does not relay for us ends its recipient restrictions; only
# Exchange Online's 5.4.1 says so of a missing recipient (session 9). The hard floor
# holds with them.
SOFT_BY_POLICY = {"lhost-exim-30.eml": "Postfix's generic reject under 5.7.1"}
