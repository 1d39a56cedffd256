"""B11 before and after: `import --orders` of two source trees beside the lead import.

    python bench/b11_ab.py --a /tmp/main/src --b src --rounds 8

Each round runs, in turn, A's `import --orders`, B's, and B's `import` of 100k new
leads (BENCH.md B11's anchor), each into a fresh copy of the same 1M-lead database (the
copy is not timed), and reports the medians and the pair-by-pair ratios of wall and CPU
time (user + system of the process and its reading child), with the load average at the
start and the end. Each tree runs with its own database made once by that tree's own
code (a newer tree's migrations would make the other refuse it). Run with a python that
has leadloop's dependencies (the project's .venv): each tree is put first on PYTHONPATH.

The data are bench/data's (run.py makes them): leads-1m.csv imported into the
databases, orders-100k-of-leads-1m.csv (gen_orders.py), leads-100k-seed2.csv.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
DATA = BENCH / "data"
NOW = "2026-11-02T10:00"


def leadloop(src: Path, *args: str, cwd: Path) -> tuple[float, float, str]:
    """Run `python -m leadloop ARGS` from `src`: (wall s, CPU s, stdout's last line)."""
    env = dict(os.environ, PYTHONPATH=str(src))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "leadloop", "--now", NOW, *args], cwd=cwd, env=env,
                          capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"leadloop {' '.join(args)} failed: {done.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, (done.stdout.strip().splitlines() or [""])[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--a", type=Path, required=True, help="A's src folder (the one before)")
    parser.add_argument("--b", type=Path, required=True, help="B's src folder (the one after)")
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    leads, orders = DATA / "leads-1m.csv", DATA / "orders-100k-of-leads-1m.csv"
    anchor = DATA / "leads-100k-seed2.csv"
    for path in (leads, orders, anchor):
        if not path.exists():
            raise SystemExit(f"{path}: missing; run bench/run.py --only B11 once to make it")
    with tempfile.TemporaryDirectory(prefix="leadloop-b11-") as tmp:
        work = Path(tmp)
        (work / "leadloop.toml").write_text("# B11\n", encoding="utf-8")
        databases = {}
        for label, src in (("a", args.a), ("b", args.b)):
            databases[label] = work / f"{label}.db"
            leadloop(src.resolve(), "--db", str(databases[label]), "import", str(leads), cwd=work)
        runs = [("A import --orders", args.a, "a", ["import", "--orders", str(orders)]),
                ("B import --orders", args.b, "b", ["import", "--orders", str(orders)]),
                ("B import (anchor)", args.b, "b", ["import", str(anchor)])]
        times: dict[str, list[tuple[float, float]]] = {label: [] for label, *_ in runs}
        copy = work / "run.db"
        load_start = os.getloadavg()
        for round_ in range(args.rounds + 1):  # the first round warms up, and is not counted
            for label, src, db, command in runs:
                for suffix in ("-wal", "-shm", ".lock"):
                    Path(f"{copy}{suffix}").unlink(missing_ok=True)
                shutil.copyfile(databases[db], copy)
                wall, cpu, last = leadloop(src.resolve(), "--db", str(copy), *command, cwd=work)
                if round_:
                    times[label].append((wall, cpu))
                else:
                    print(f"{label}: {last}", flush=True)
        load_end = os.getloadavg()
    print(f"load average {', '.join(f'{x:.1f}' for x in load_start)} at the start, "
          f"{', '.join(f'{x:.1f}' for x in load_end)} at the end; {args.rounds} rounds")
    for label, pairs in times.items():
        print(f"{label}: wall {statistics.median(w for w, _ in pairs):.2f} s (fastest "
              f"{min(w for w, _ in pairs):.2f} s), CPU {statistics.median(c for _, c in pairs):.2f} s")
    anchor_times = times["B import (anchor)"]
    for label in ("A import --orders", "B import --orders"):
        walls = [w / aw for (w, _), (aw, _) in zip(times[label], anchor_times)]
        cpus = [c / ac for (_, c), (_, ac) in zip(times[label], anchor_times)]
        # The fastest runs of each are the ones the other processes disturbed least.
        fastest = min(w for w, _ in times[label]) / min(w for w, _ in anchor_times)
        print(f"{label} ÷ the lead import: wall {statistics.median(walls):.2f}× "
              f"({min(walls):.2f}–{max(walls):.2f}; fastest ÷ fastest {fastest:.2f}×), "
              f"CPU {statistics.median(cpus):.2f}×")


if __name__ == "__main__":
    main()
