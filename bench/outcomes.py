"""What the inbox does to the leads, message by message, against a folder's labels.

    python bench/outcomes.py FOLDER [FOLDER…]

bench/bounces.py scores the reading (classify's verdict); this scores the outcome, the
way `leadloop inbox` reaches it: each message is applied to a real SQLite store in which
the lead it concerns has a sent message, and so has every other address the message
names (a careless reader could take one of them for the failed recipient or the
writer). The lead is the returned original's To for a report (its Message-ID the sent
message's), the From for a reply or an auto-reply (its In-Reply-To the sent message's).
Each message is applied in its own transaction, rolled back. Made for mail whose lead is
plain (one recipient, as a lab makes it): a report about several recipients, about an
alias's forward target, or copied into a list archive (whose returned To is the list)
counts as "other-lead" or "no-lead" even where the inbox does right (`--lead-only` seeds the
lead alone, as a real store holds it when a report names a forward's target). A message is right when
its label's outcome happened to the lead and nothing happened to anybody else:

    hard        the lead is `bounced`
    soft        the lead's message failed, or was offered again (the sender's problem),
                and the lead is not `bounced`
    delay       the delay was only noted: the message still `sent`, the lead unchanged
    auto_reply  recorded as an auto-reply, the lead's status unchanged
    reply       the lead is `replied`

Labels as bench/bounces.py reads them (`file<TAB>label`, further columns ignored).
The folders stay outside the repository. Mail made in a lab under RFC 6761's `.test`
names (leadloop refuses such an address, as it must for a lead) is read with `.test`
turned into `--test-tld` (e.g. `es`) wherever it ends a domain.
"""

from __future__ import annotations

import argparse
import collections
import email
import email.policy
import email.utils
import os
import re
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from leadloop.addresses import normalize_address
from leadloop.classify import Unreadable, classify
from leadloop.config import load_config
from leadloop.errors import InvalidAddress
from leadloop.inbox import InboxReport, apply_incoming
from leadloop.store import Store

KINDS = ("hard", "soft", "delay", "auto_reply", "reply")
NOW = datetime(2026, 12, 31, 10, 0, tzinfo=timezone.utc)
SENT = "2026-12-01T10:00:00+00:00"
# (Bytes over 0x7f: a Unicode address of an SMTPUTF8 message, RFC 6532, in UTF-8.)
_ADDRESS = re.compile(rb"[A-Za-z0-9._%+\x80-\xff-]+@[A-Za-z0-9\x80-\xff-]+(?:\.[A-Za-z0-9\x80-\xff-]+)+")
_FIELD = re.compile(rb"^(to|message-id|from)[ \t]*:[ \t]*(.*(?:\r?\n[ \t]+.*)*)", re.I | re.M)


class Rollback(Exception):
    pass


def normal(address) -> str | None:
    if isinstance(address, bytes):
        address = address.decode("utf-8", "replace")
    try:
        return normalize_address(address.strip().strip("<>.")) if address else None
    except InvalidAddress:
        return None


def returned_fields(raw: bytes) -> dict[str, bytes]:
    """The first To, Message-ID and From below the report's own header: the returned
    original's (a message/rfc822 or text/rfc822-headers part, or a plain report's copy)."""
    split = re.search(rb"\r?\n\r?\n", raw)
    body = raw[split.end():] if split else b""
    found: dict[str, bytes] = {}
    for match in _FIELD.finditer(body):
        found.setdefault(match[1].lower().decode(), match[2])
    return found


def the_lead(raw: bytes, label: str) -> tuple[str | None, str | None, frozenset[str]]:
    """(the lead's address, the sent message's Message-ID, our addresses)."""
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    top_to = {normal(a) for _, a in email.utils.getaddresses(msg.get_all("To", []))} - {None}
    if label in ("reply", "auto_reply"):
        lead = normal(email.utils.parseaddr(str(msg.get("From", "")))[1])
        ids = re.findall(r"<[^<>\s]+>", str(msg.get("In-Reply-To", "")) + " " + str(msg.get("References", "")))
        # (A reply to all is addressed to its writer too: never our own address.)
        return lead, (ids[0] if ids else None), frozenset(top_to - {lead})
    fields = returned_fields(raw)
    to = _ADDRESS.search(fields.get("to", b""))
    ident = re.search(rb"<[^<>\s]+>", fields.get("message-id", b""))
    sender = _ADDRESS.search(fields.get("from", b""))
    own = set(top_to) | ({normal(sender[0])} if sender else set())
    return (normal(to[0]) if to else None), (ident[0].decode() if ident else None), frozenset(own - {None})


def seed(store: Store, address: str, message_id: str | None) -> int:
    conn = store.conn
    lead_id = conn.execute(
        "INSERT INTO leads (email, requested_at, status, status_at, created_at, updated_at) "
        "VALUES (?, ?, 'active', ?, ?, ?)", (address, SENT, SENT, SENT, SENT)).lastrowid
    conn.execute(
        "INSERT INTO messages (lead_id, kind, step, template, state, message_id, attempted_at, sent_at) "
        "VALUES (?, 'sequence', 0, 'info', 'sent', ?, ?, ?)",
        (lead_id, message_id or f"<{os.urandom(8).hex()}@leadloop.test>", SENT, SENT))
    return lead_id


def outcome(store: Store, raw: bytes, label: str, innocents: bool = True) -> tuple[str, str]:
    lead, message_id, own = the_lead(raw, label)
    if lead is None:
        return "no-lead", "the message names no lead to seed"
    others = ({normal(m) for m in _ADDRESS.findall(raw)} - {lead, None} - own) if innocents else set()
    report = InboxReport()
    try:
        with store.write():
            lead_id = seed(store, lead, message_id)
            for address in others:
                seed(store, address, None)
            try:
                incoming = classify(raw, own=own)
            except Unreadable as err:
                raise Rollback(("unreadable", str(err)))
            apply_incoming(store, incoming, NOW, report, own)
            status = store.conn.execute("SELECT status FROM leads WHERE id = ?", (lead_id,)).fetchone()[0]
            state = store.conn.execute("SELECT state FROM messages WHERE lead_id = ?", (lead_id,)).fetchone()[0]
            touched = [row[0] for row in store.conn.execute(
                "SELECT email FROM leads WHERE id != ? AND status != 'active'", (lead_id,))]
            raise Rollback(_judge(report, status, state, touched))
    except Rollback as result:
        return result.args[0]


def _judge(report: InboxReport, status: str, state: str, touched: list[str]) -> tuple[str, str]:
    why = f"status {status}, message {state}, " + ", ".join(
        f"{k} {v}" for k, v in report.as_dict().items() if v)
    if touched:
        return "other-lead", why + "; also changed: " + ", ".join(sorted(touched))
    if status == "bounced":
        return "hard", why
    if status == "replied":
        return "reply", why
    if report.delays:
        return "delay", why
    if report.failed or report.sender_refused or state != "sent":
        return "soft", why
    if report.auto_replies:
        return "auto_reply", why
    if report.unrecognised:
        return "unrecognised", why
    return "nothing", why


def under_tld(raw: bytes, tld: str) -> bytes:
    """A lab's RFC 6761 `.test` domains read as under `tld`, wherever `.test` ends one."""
    return re.sub(rb"(?<=[A-Za-z0-9-])\.test\b(?![.-])", b"." + tld.encode(), raw, flags=re.I)


def score(store: Store, folder: Path, test_tld: str | None = None, innocents: bool = True) -> collections.Counter:
    if not (folder / "labels.tsv").is_file():
        print(f"{folder}: no labels.tsv here, skipped", file=sys.stderr)
        return collections.Counter()
    labels = dict(line.split("\t")[:2] for line in (folder / "labels.tsv").read_text().splitlines()
                  if "\t" in line)
    counts, wrong = collections.Counter(), []
    for name, want in sorted(labels.items()):
        if want not in KINDS:
            continue
        raw = (folder / name).read_bytes()
        if test_tld:
            raw = under_tld(raw, test_tld)
        got, why = outcome(store, raw, want, innocents)
        counts[want] += 1
        if got == want:
            counts[want + "_ok"] += 1
        else:
            # (Apart since session 15: a failure is one of the lead's three, a delay is not.)
            wrong.append(f"  {name}: expected {want}, happened {got} ({why})")
    print(folder)
    for kind in KINDS:
        if counts[kind]:
            print(f"  {kind}: {counts[kind + '_ok']}/{counts[kind]} ({counts[kind + '_ok'] / counts[kind]:.0%})")
    print("\n".join(wrong))
    return counts


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--test-tld", metavar="TLD", help="read the .test domains as under this TLD")
    parser.add_argument("--lead-only", action="store_true",
                        help="seed the lead alone, not every address the message names: what a real store holds "
                             "when a report names an alias's forward target, which is nobody's lead")
    parser.add_argument("folders", nargs="+", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "leadloop.db", load_config(None).cadence)
        try:
            for path in args.folders:
                score(store, path, args.test_tld, not args.lead_only)
        finally:
            store.close()
