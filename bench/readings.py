"""Whose failure each lead's report was, when a folder is read as one inbox reading.

    python bench/readings.py [--test-tld es] [--every N] FOLDER [FOLDER…]

bench/outcomes.py applies each message alone; some rules need the reading whole: the
inbox's counterpart of the run's three-alike rule (alike.py) holds back reports of many
leads failing alike and judges them together. Here every lead a folder's reports return
is seeded with its sent message, the leads of one batch (labels.tsv's fifth column, a
lab's name for the leads of one run) sent at the same time and each batch an hour after
the last, and the folder is read by `read_inbox` as one Maildir. Then each lead's
outcome is compared with the owner its last final report was labelled with (fourth
column: `address`, `mailbox` or `sender`; a report labelled `hard` is the address's):

    address   the lead is `bounced`
    mailbox   its message `failed`, the lead not `bounced`
    sender    its message offered again (`deferred`, the sender's), the lead unchanged
    delay     (only delay warnings) its message still `sent`, the lead unchanged

`--every N` reads the inbox after every N messages instead, in the order they arrived, as
an hourly `run-daily` could split one outage's wave of reports: the rule must then group a
reading's reports with the earlier ones alike.

Labels without an owner are left out, and so are leads the reports do not name. The
folders stay outside the repository; `.test` domains are read under `--test-tld`, as in
bench/outcomes.py.
"""

from __future__ import annotations

import argparse
import collections
import shutil
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from outcomes import NOW, the_lead, under_tld

from leadloop.config import load_config
from leadloop.inbox import read_inbox
from leadloop.store import Store

SENT = NOW - timedelta(days=20)


def expected(label: str, owner: str) -> str | None:
    if label == "hard":
        return "address"
    if label == "delay":
        return "delay"
    if label == "soft" and owner in ("mailbox", "sender"):
        return owner
    return None


def reading(folder: Path, test_tld: str | None, every: int = 0) -> collections.Counter:
    rows = [line.split("\t") for line in (folder / "labels.tsv").read_text().splitlines() if "\t" in line]
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        box = work / "mail"
        for sub in ("new", "cur", "tmp"):
            (box / sub).mkdir(parents=True)
        (work / "leadloop.toml").write_text(
            '[sender]\nname = "Laura"\naddress = "laura@estudiofoto.es"\n\n[inbox]\nmaildir = "mail"\n')
        config = load_config(work / "leadloop.toml")
        store = Store.open(work / "leadloop.db", config.cadence)
        want: dict[str, str] = {}
        batches: dict[str, int] = {}
        left_out: set[str] = set()
        staged: list[tuple[str, bytes]] = []  # the Maildir's files, in the order they arrived
        try:
            for number, row in enumerate(rows):
                name, label = row[0], row[1]
                owner = row[3].strip() if len(row) > 3 else ""
                batch = row[4].strip() if len(row) > 4 else ""
                raw = (folder / name).read_bytes()
                if test_tld:
                    raw = under_tld(raw, test_tld)
                staged.append((f"{number:06d}.lab:2,", raw))
                lead, message_id, _ = the_lead(raw, label)
                outcome = expected(label, owner)
                if lead is None:
                    continue
                if outcome is None:  # a final report with no owner: the lead is left out
                    if label in ("hard", "soft"):
                        left_out.add(lead)
                    continue
                if lead not in want:
                    sent = (SENT + timedelta(hours=batches.setdefault(batch, len(batches)))).isoformat()
                    with store.write():
                        lead_id = store.conn.execute(
                            "INSERT INTO leads (email, requested_at, status, status_at, created_at, updated_at) "
                            "VALUES (?, ?, 'active', ?, ?, ?)", (lead, sent, sent, sent, sent)).lastrowid
                        store.conn.execute(
                            "INSERT INTO messages (lead_id, kind, step, template, state, message_id, "
                            "attempted_at, sent_at) VALUES (?, 'sequence', 0, 'info', 'sent', ?, ?, ?)",
                            (lead_id, message_id or f"<{number}@leadloop.test>", sent, sent))
                # A lead's last final report decides; a delay only where nothing else came.
                if outcome != "delay" or want.get(lead, "delay") == "delay":
                    want[lead] = outcome
            step = every or len(staged) or 1
            for start in range(0, len(staged), step):
                for name, raw in staged[start:start + step]:
                    (box / "new" / name).write_bytes(raw)
                read_inbox(store, config, NOW)
            counts, wrong = collections.Counter(), []
            for lead, outcome in sorted(want.items()):
                if lead in left_out:
                    continue
                status, state, owner = store.conn.execute(
                    "SELECT l.status, m.state, m.owner FROM leads l JOIN messages m ON m.lead_id = l.id "
                    "WHERE l.email = ?", (lead,)).fetchone()
                got = ("address" if status == "bounced" else "mailbox" if state == "failed"
                       else "sender" if state == "deferred" else "delay" if state == "sent" else state)
                counts[outcome] += 1
                if got == outcome:
                    counts[outcome + "_ok"] += 1
                else:
                    wrong.append(f"  {lead}: expected {outcome}, happened {got} (status {status}, message {state})")
        finally:
            store.close()
            shutil.rmtree(box, ignore_errors=True)
    print(folder)
    for kind in ("address", "mailbox", "sender", "delay"):
        if counts[kind]:
            print(f"  {kind}: {counts[kind + '_ok']}/{counts[kind]}")
    print("\n".join(wrong))
    return counts


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--test-tld", metavar="TLD", help="read the .test domains as under this TLD")
    parser.add_argument("--every", metavar="N", type=int, default=0,
                        help="read the inbox after every N messages (default: once, at the end)")
    parser.add_argument("folders", nargs="+", type=Path)
    args = parser.parse_args()
    for path in args.folders:
        if not (path / "labels.tsv").is_file():
            print(f"{path}: no labels.tsv here, skipped", file=sys.stderr)
            continue
        reading(path, args.test_tld, args.every)
