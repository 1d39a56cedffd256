"""Before and after: `leadloop inbox` over a Maildir of messages too large to read whole
(over MAX_MESSAGE_BYTES; issue #25, branch bigbounce), two source trees alternated.

    python bench/large_mail.py --a src --b /tmp/main-src/src --label-a bigbounce --label-b main

Two Maildirs, each of --messages files: people's replies with a large attachment (no
report: their headers decide, as before) and RFC 3464 reports that return the
information pack whole (read from their first 256 KB since bigbounce). Each file is a
real message up to its attachment, then a hole up to 11 MB (a sparse file: the inbox
reads only the first 256 KB of a message that large, and the disk is shared). Each run
is `inbox --json` on a fresh copy of the same database (the copy is not timed), with the
same python and PYTHONPATH set to the tree: A B A B … after a warm-up round; medians,
and the median of the pair-by-pair ratios of wall and CPU time (bench/run.py's).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import alternate, cpu_ratio, ratio, timed  # noqa: E402  (bench/run.py)

SENT_AT = "2026-03-02T10:00"
LATER = "2026-03-03T10:00"
SIZE = 11 * 1024 * 1024
START = 256 * 1024


def leadloop(tree: Path, folder: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run([sys.executable, "-m", "leadloop", *args], cwd=folder, env=env,
                          capture_output=True, text=True, check=True)


def attachment_start() -> str:
    """The first lines of a base64 PDF, more than the inbox reads."""
    line = "JVBERi0xLjQKJeLjz9MKMSAwIG9iago8PC9UeXBlL0NhdGFsb2cvUGFnZXMgMiAwIFI+PgplbmRv\r\n"
    return line * (START // len(line) + 64)


def reply(number: int, lead: str, original_id: str) -> str:
    return (
        f"Return-Path: <{lead}>\r\nFrom: <{lead}>\r\nTo: laura@lauravidal.es\r\n"
        "Subject: Re: La información que me pidió\r\nDate: Tue, 03 Mar 2026 08:00:00 +0000\r\n"
        f"Message-ID: <reply-{number}@mail.example.net>\r\nIn-Reply-To: {original_id}\r\n"
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="R"\r\n\r\n'
        "--R\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nAdjunto el briefing. Llámenme.\r\n"
        '--R\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n'
        'Content-Disposition: attachment; filename="briefing.pdf"\r\n\r\n' + attachment_start())


def report(number: int, lead: str, original_id: str) -> str:
    return (
        "Return-Path: <>\r\nFrom: Mail Delivery System <MAILER-DAEMON@mx.example.net>\r\n"
        "To: laura@lauravidal.es\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        f"Date: Tue, 03 Mar 2026 08:00:00 +0000\r\nMessage-ID: <report-{number}@mx.example.net>\r\n"
        'MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n'
        "\r\n--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "\r\n--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n\r\n"
        f"Final-Recipient: rfc822; {lead}\r\nAction: failed\r\nStatus: 4.2.2\r\n"
        "Diagnostic-Code: smtp; 452 4.2.2 Mailbox full\r\n"
        "\r\n--B\r\nContent-Type: message/rfc822\r\n\r\n"
        f"From: Laura Vidal <laura@lauravidal.es>\r\nTo: <{lead}>\r\nMessage-ID: {original_id}\r\n"
        'Subject: La información que me pidió\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="I"\r\n\r\n'
        "--I\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHola, aquí tiene el folleto.\r\n"
        "--I\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
        'Content-Disposition: attachment; filename="folleto.pdf"\r\n\r\n' + attachment_start())


def prepare(work: Path, tree: Path, messages: int) -> dict[str, Path]:
    """A project that sent the info pack to `messages` leads, and a Maildir of each kind."""
    project = work / "project"
    project.mkdir()
    rows = "".join(f"lead{n}@example.com,Lead {n},Curso de fotografía,01/03/2026\n" for n in range(messages))
    (project / "leads.csv").write_text("email,nombre,producto,fecha\n" + rows, encoding="utf-8")
    (project / "leadloop.toml").write_text(
        '[sender]\nname = "Laura Vidal"\naddress = "laura@lauravidal.es"\n\n[cadence]\ndaily_limit = 1000000\n\n'
        '[inbox]\nmaildir = "mail"\n',
        encoding="utf-8")
    for sub in ("tmp", "new", "cur"):
        (project / "mail" / sub).mkdir(parents=True)  # empty: run-daily reads it before sending
    leadloop(tree, project, "import", "leads.csv")
    leadloop(tree, project, "--now", SENT_AT, "run-daily")
    sent = {}
    for n in range(messages):
        shown = json.loads(leadloop(tree, project, "show", f"lead{n}@example.com", "--json").stdout)
        sent[n] = shown["messages"][0]["message_id"]
    boxes = {}
    for kind, write in (("replies", reply), ("reports", report)):
        box = work / kind
        for sub in ("tmp", "new", "cur"):
            (box / sub).mkdir(parents=True)
        for n in range(messages):
            path = box / "new" / f"17000000{n:04d}.M{n}P1.bench"
            path.write_bytes(write(n, f"lead{n}@example.com", sent[n]).encode())
            os.truncate(path, SIZE)
        boxes[kind] = box
    return {"project": project, **boxes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--a", type=Path, required=True, help="source tree A (its src folder)")
    parser.add_argument("--b", type=Path, required=True, help="source tree B (its src folder)")
    parser.add_argument("--label-a", default="A")
    parser.add_argument("--label-b", default="B")
    parser.add_argument("--pairs", type=int, default=10)
    parser.add_argument("--messages", type=int, default=40)
    parser.add_argument("--kinds", default="replies,reports", help="which Maildirs: replies, reports")
    args = parser.parse_args()
    trees = {"A": args.a.resolve(), "B": args.b.resolve()}
    with tempfile.TemporaryDirectory(prefix="leadloop-large-") as temp:
        work = Path(temp)
        made = prepare(work, trees["B"], args.messages)
        for kind in args.kinds.split(","):
            def fresh(kind=kind) -> Path:
                folder = work / f"run-{kind}"
                shutil.rmtree(folder, ignore_errors=True)
                shutil.copytree(made["project"], folder)
                shutil.rmtree(folder / "mail")
                (folder / "mail").symlink_to(made[kind])
                return folder

            def once(tree: Path):
                return timed([sys.executable, "-m", "leadloop", "--now", LATER, "inbox", "--json"], cwd=fresh(),
                             env={**os.environ, "PYTHONPATH": str(tree)})

            print(f"{kind}: {args.messages} messages of {SIZE // 2**20} MB", flush=True)
            for label, tree in ((args.label_a, trees["A"]), (args.label_b, trees["B"])):
                summary = json.loads(leadloop(tree, fresh(), "--now", LATER, "inbox", "--json").stdout)
                print(f"  {label}: " + ", ".join(f"{k} {v}" for k, v in summary.items() if v), flush=True)
            a, b = alternate(args.pairs, [(args.label_a, lambda: once(trees["A"])),
                                          (args.label_b, lambda: once(trees["B"]))])
            cpus = [x.cpu_seconds / y.cpu_seconds for x, y in zip(a.runs, b.runs)]
            print(f"| {kind} | {args.label_a} {a.median:.3f} s (CPU {a.cpu_median:.3f}) "
                  f"| {args.label_b} {b.median:.3f} s (CPU {b.cpu_median:.3f}) "
                  f"| {ratio(a, b):.3f}× | CPU {cpu_ratio(a, b):.3f}× "
                  f"({min(cpus):.3f}–{max(cpus):.3f}) |", flush=True)


if __name__ == "__main__":
    main()
