"""Before and after: two leadloop builds, A and B, measured alternately (A B A B …) in
B1, B2, B3, B4 and B5 of BENCH.md (and DUE, `due --limit 1` beside B2's `due --json`),
each build with its own database and project folder
(a database made by a newer build may carry migrations an older one refuses).

    python bench/ab.py --a /tmp/head/bin/leadloop --b /tmp/base/bin/leadloop \
        --label-a main --label-b 8f2a294 --only B3,B2,B4,B1,B5 --rows 1000000

Run it with a python that has aiosmtpd (B3's sink).
Each figure is a median of whole-process times, and every A/B ratio is the median of
the pair-by-pair ratios, wall time and CPU time (user + system, to the microsecond: run._children_cpu)
side by side: on a shared machine CPU time moves less. The table goes to stdout and to
RESULTS.md between `ab` markers named by `--only`, which run.py keeps.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (bench/run.py: timed, alternate, ratios, the sink, the data)
from run import (BEFORE_ALL, NOW, Sink, alternate, cpu_ratio, leads_file, leadloop_sender, ratio,  # noqa: E402
                 send_project, timed, timed_on_terminal)


def rows_of(label, a, b, unit="s"):
    """One table row: medians of A and B, and A/B (wall, CPU)."""
    scale = 1000 if unit == "ms" else 1
    return (f"| {label} | {a.median * scale:.{0 if unit == 'ms' else 2}f} {unit} "
            f"(CPU {a.cpu_median * scale:.{0 if unit == 'ms' else 2}f}) "
            f"| {b.median * scale:.{0 if unit == 'ms' else 2}f} {unit} "
            f"(CPU {b.cpu_median * scale:.{0 if unit == 'ms' else 2}f}) "
            f"| {ratio(a, b):.3f}× | {cpu_ratio(a, b):.3f}× |")


def clean(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", ".lock", ".senders"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--a", type=Path, required=True, help="leadloop executable A (the new one)")
    parser.add_argument("--b", type=Path, required=True, help="leadloop executable B (the old one)")
    parser.add_argument("--label-a", default="A")
    parser.add_argument("--label-b", default="B")
    parser.add_argument("--only", default="B3,B2,B4,B1,B5")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of B1's file and B2/B5's database")
    parser.add_argument("--b1-rows", type=int, default=None, help="rows for B1 alone (default --rows)")
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    only = set(args.only.upper().split(","))
    builds = {"A": args.a.resolve(), "B": args.b.resolve()}
    load_start = os.getloadavg()
    started = time.perf_counter()
    lines = []
    with tempfile.TemporaryDirectory(prefix="leadloop-ab-") as tmp:
        work = Path(tmp)
        run.project_folder(work)
        for key, pipelining in (("B3", False), ("B3P", True)):
            if key not in only:
                continue
            offered = " (the server offers PIPELINING)" if pipelining else ""
            print(f"{key}: send --yes of {args.messages:,} messages, A and B alternated{offered}", flush=True)
            sink = Sink(pipelining=pipelining)
            try:
                senders = []
                for who, leadloop in builds.items():
                    directory = work / f"{key.lower()}-{who}"
                    prepared = send_project(directory, args.messages, sink.port, leadloop)
                    senders.append((who, leadloop_sender(leadloop, prepared, directory, sink,
                                                         args.messages, who)))
                a, b = alternate(args.runs, senders)
            finally:
                sink.stop()
            lines.append(rows_of(f"{key} `send --yes`, {args.messages:,} messages{offered} "
                                 f"({args.messages / a.median:.0f} / {args.messages / b.median:.0f} msg/s)",
                                 a, b))
        if "B1" in only:
            rows = args.b1_rows or args.rows
            print(f"B1: import {rows:,} rows, A and B alternated", flush=True)
            source = leads_file(rows)

            def importer(who):
                db = work / f"b1-{who}.db"

                def once():
                    clean(db)
                    return timed([str(builds[who]), "--db", str(db), "--now", NOW, "import", str(source)],
                                 cwd=work)
                return once

            a, b = alternate(args.runs, [("A", importer("A")), ("B", importer("B"))], warmup=False)
            lines.append(rows_of(f"B1 import {rows:,} rows ({rows / a.median / 1000:.0f}k / "
                                 f"{rows / b.median / 1000:.0f}k rows/s; peak {a.peak_mb:.0f} / "
                                 f"{b.peak_mb:.0f} MB, both processes {a.tree_peak_mb:.0f} / "
                                 f"{b.tree_peak_mb:.0f} MB)", a, b))
        databases = {}
        if only & {"B2", "B5", "DUE"}:
            for who, leadloop in builds.items():
                db = work / f"big-{who}.db"
                clean(db)
                subprocess.run([str(leadloop), "--db", str(db), "--now", NOW, "import",
                                str(leads_file(args.rows))], cwd=work, check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                databases[who] = db
        if "B2" in only:
            print("B2: due --json --limit 100 and --version, A and B alternated", flush=True)
            contenders = []
            for who, leadloop in builds.items():
                due = [str(leadloop), "--db", str(databases[who]), "--now", NOW, "due", "--json", "--limit", "100"]
                contenders += [(f"due {who}", lambda c=due: timed(c, cwd=work)),
                               (f"--version {who}", lambda c=[str(leadloop), "--version"]: timed(c, cwd=work))]
            due_a, version_a, due_b, version_b = alternate(args.runs * 2, contenders)
            lines.append(rows_of(f"B2 `due --json --limit 100`, {args.rows:,}-row import", due_a, due_b, "ms"))
            lines.append(f"| B2 due ÷ --version of the same build (target ≤ 1.3×) | {ratio(due_a, version_a):.2f}× "
                         f"(CPU {cpu_ratio(due_a, version_a):.2f}×) | {ratio(due_b, version_b):.2f}× "
                         f"(CPU {cpu_ratio(due_b, version_b):.2f}×) | | |")
        if "DUE" in only:
            # Not one of BENCH.md's: the listing, whose sentences count what waits for the
            # daily limit and forecast when the last of it goes (on B2's database: 995k).
            print("due --limit 1 and due --json --limit 100, A and B alternated", flush=True)
            contenders = []
            for who, leadloop in builds.items():
                base = [str(leadloop), "--db", str(databases[who]), "--now", NOW, "due"]
                contenders += [(f"due {who}", lambda c=base + ["--limit", "1"]: timed_on_terminal(c, cwd=work)),
                               (f"json {who}", lambda c=base + ["--json", "--limit", "100"]: timed(c, cwd=work))]
            listing_a, json_a, listing_b, json_b = alternate(args.runs * 2, contenders)
            lines.append(rows_of(f"`due --limit 1` on a terminal, {args.rows:,}-row import", listing_a, listing_b, "ms"))
            lines.append(f"| `due --limit 1` ÷ B2's `due --json --limit 100` of the same build "
                         f"| {ratio(listing_a, json_a):.2f}× (CPU {cpu_ratio(listing_a, json_a):.2f}×) "
                         f"| {ratio(listing_b, json_b):.2f}× (CPU {cpu_ratio(listing_b, json_b):.2f}×) | | |")
        if "B5" in only:
            print("B5: idle run-daily, A and B alternated", flush=True)
            contenders = [(who, lambda c=[str(leadloop), "--db", str(databases[who]), "--now", BEFORE_ALL,
                                          "run-daily", "--quiet"]: timed(c, cwd=work))
                          for who, leadloop in builds.items()]
            a, b = alternate(args.runs, contenders)
            lines.append(rows_of(f"B5 idle `run-daily`, {args.rows:,}-row import (target ≤ 0.5 s)", a, b, "ms"))
        if "CHECK" in only:
            # Not one of BENCH.md's: `check` renders every template once (Babel's dates
            # included), the start-up of every command that renders mail.
            print("check (no --dns) in a folder made by `init`, A and B alternated", flush=True)
            contenders = []
            for who, leadloop in builds.items():
                folder = work / f"check-{who}"
                folder.mkdir()
                subprocess.run([str(leadloop), "init", "."], cwd=folder, check=True, capture_output=True)
                contenders.append((who, lambda c=[str(leadloop), "check"], f=folder: timed(c, cwd=f)))
            a, b = alternate(args.runs * 2, contenders)
            lines.append(rows_of("`check` (config and every template rendered once), a folder `init` made",
                                 a, b, "ms"))
        if "B4" in only:
            print("B4: --version, --help and `import typer, rich`, A and B alternated", flush=True)
            contenders = []
            for who, leadloop in builds.items():
                python = leadloop.parent / "python"
                contenders += [(f"--version {who}", lambda c=[str(leadloop), "--version"]: timed(c, cwd=work)),
                               (f"--help {who}", lambda c=[str(leadloop), "--help"]: timed(c, cwd=work)),
                               (f"typer+rich {who}", lambda c=[str(python), "-c", "import typer, rich"]:
                                timed(c, cwd=work))]
            version_a, help_a, tr_a, version_b, help_b, tr_b = alternate(args.runs * 2, contenders)
            lines.append(rows_of("B4 `--version`", version_a, version_b, "ms"))
            lines.append(rows_of("B4 `--help`", help_a, help_b, "ms"))
            lines.append(rows_of("B4 `python -c 'import typer, rich'` (the anchor)", tr_a, tr_b, "ms"))
            lines.append(f"| B4 ÷ the anchor, --version / --help (target ≤ 1.5×) | "
                         f"{ratio(version_a, tr_a):.2f}× / {ratio(help_a, tr_a):.2f}× | "
                         f"{ratio(version_b, tr_b):.2f}× / {ratio(help_b, tr_b):.2f}× | | |")
    load_end = os.getloadavg()
    header = [
        "<!-- ab: start -->",
        f"## Before and after: {args.label_a} (A) beside {args.label_b} (B)",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} UTC by `bench/ab.py --only {args.only} --rows {args.rows}"
        f"{f' --b1-rows {args.b1_rows}' if args.b1_rows else ''} --runs {args.runs}` in "
        f"{(time.perf_counter() - started) / 60:.1f} minutes on {run.machine()}. "
        f"Load average {', '.join(f'{x:.1f}' for x in load_start)} at the start, "
        f"{', '.join(f'{x:.1f}' for x in load_end)} at the end. Medians of {args.runs} rounds "
        "(B2, B4, CHECK: twice as many) alternating A and B after a warm-up (B1: none); ratios are "
        "medians of the pair-by-pair ratios A ÷ B, above 1 means A is slower.",
        "",
        f"| benchmark | A: {args.label_a} | B: {args.label_b} | A ÷ B, wall | A ÷ B, CPU |",
        "|---|---|---|---|---|",
    ]
    section = "\n".join(header + lines + ["<!-- ab: end -->"])
    results = run.BENCH / "RESULTS.md"
    opening, closing = f"<!-- ab {args.only}: start -->", f"<!-- ab {args.only}: end -->"
    section = section.replace("<!-- ab: start -->", opening).replace("<!-- ab: end -->", closing)
    print(section)
    text = results.read_text(encoding="utf-8") if results.exists() else ""
    start, end = text.find(opening), text.find(closing)
    if 0 <= start < end:
        text = text[:start] + section + text[end + len(closing):]
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    results.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
