"""Measure B1–B6 and B8–B11 of BENCH.md (and B3a, sending with attachments; B4C, the
start-up of every command), each beside its anchor in the same run, and write RESULTS.md.

Run through bench/run.sh, which builds bench/.venv with leadloop and the anchors
(sqlite-utils, mailmerge, aiosmtpd, csvkit; XlsxWriter writes B8's workbook). B6 is
bench/web.py's, run from here. Whole processes are timed; each benchmark
alternates leadloop and its anchor (A B A B …) after a warm-up, and the figures are
medians of times and of the pair-by-pair ratios, because this machine is shared and
noisy. Peak memory comes from /usr/bin/time. The SMTP server is aiosmtpd on 127.0.0.1,
counting what it receives; a run that does not deliver exactly what it should is an error.
B3a, whose messages weigh megabytes, uses smtp_sink.py's raw server instead (see there).

`--baseline PATH` adds another leadloop executable (say, one installed from `main`) to
B3 and B3a, alternated with this checkout's: how a change moves the send path, measured
pair by pair on the same server in the same minutes. Rows of benchmarks not run this
time are kept from the previous RESULTS.md, with the date they were measured.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DATA = BENCH / "data"
BIN = Path(sys.executable).parent
NOW = "2026-11-02T10:00"        # a Monday inside the default send window
BEFORE_ALL = "2023-12-31T10:00"  # before every generated inquiry: nothing is due
LOAD_AT_START = (0.0, 0.0, 0.0)   # os.getloadavg() when the run began, for RESULTS.md


@dataclass
class Run:
    seconds: float
    peak_mb: float
    tree_peak_mb: float = 0.0
    cpu_seconds: float = 0.0  # user + system of the whole process: less at the mercy of load


@dataclass
class Series:
    label: str
    runs: list[Run] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def cpu_median(self) -> float:
        return statistics.median(r.cpu_seconds for r in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(r.peak_mb for r in self.runs)

    @property
    def tree_peak_mb(self) -> float:
        return max(r.tree_peak_mb for r in self.runs)


def timed(command: list[str], *, cwd: Path, env: dict | None = None) -> Run:
    """Wall time of the whole process, and its peak resident memory: the most any one
    of its processes held (what /usr/bin/time reports), and the most all of them held
    at once (sampled every 0.1 s; leadloop's import reads a big file in a second process)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        before = _children_cpu()
        start = time.perf_counter()
        process = subprocess.Popen(["/usr/bin/time", "-f", TIME_FORMAT, "-o", report.name, *command],
                                   cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        tree_peak_kb = [0]
        sampler = threading.Thread(target=_sample_tree_rss, args=(process, tree_peak_kb), daemon=True)
        sampler.start()
        _, stderr = process.communicate()
        seconds = time.perf_counter() - start
        cpu = _children_cpu() - before
        sampler.join()
        if process.returncode != 0:
            raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{stderr.decode()[-2000:]}")
        peak_kb, _ = _time_report(report.read())
    return Run(seconds, peak_kb / 1024, max(peak_kb, tree_peak_kb[0]) / 1024, cpu)


def _children_cpu() -> float:
    """User + system CPU seconds of the processes this one has waited for, to the
    microsecond: /usr/bin/time prints them to the hundredth, too coarse for a start-up of
    ~70 ms (one hundredth moves a ratio by 0.14). Measured between one command's start and
    its end, with nothing else run meanwhile, the difference is that command's (and
    /usr/bin/time's own, well under a millisecond)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# /usr/bin/time's report: peak resident KB, then user and system CPU seconds.
TIME_FORMAT = "%M %U %S"


def _time_report(text: str) -> tuple[int, float]:
    peak_kb, user, system = text.split()[-3:]
    return int(peak_kb), float(user) + float(system)


def _sample_tree_rss(process: subprocess.Popen, peak_kb: list[int]) -> None:
    """The largest sum of VmRSS over the processes under `process` (not /usr/bin/time)."""
    while process.poll() is None:
        parents: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    pass
        tree, frontier = set(), {process.pid}
        while frontier:
            frontier = {pid for pid, parent in parents.items() if parent in frontier} - tree
            tree |= frontier
        total = 0
        for pid in tree:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except OSError:
                pass
        peak_kb[0] = max(peak_kb[0], total)
        time.sleep(0.1)


def alternate(pairs: int, contenders: list[tuple[str, callable]], warmup: bool = True) -> list[Series]:
    """Run each contender in turn, `pairs` times (after one warm-up round)."""
    series = [Series(label) for label, _ in contenders]
    for round_number in range(pairs + (1 if warmup else 0)):
        for entry, (_, run_once) in zip(series, contenders):
            run = run_once()
            if warmup and round_number == 0:
                continue
            entry.runs.append(run)
        print(f"  round {round_number + 1}: "
              + ", ".join(f"{s.label} {s.runs[-1].seconds:.3f}s" for s in series if s.runs), flush=True)
    return series


def ratio(a: Series, b: Series) -> float:
    """Median of the pair-by-pair ratios a/b."""
    return statistics.median(x.seconds / y.seconds for x, y in zip(a.runs, b.runs))


def cpu_ratio(a: Series, b: Series) -> float:
    """Median of the pair-by-pair ratios a/b of CPU time (user + system)."""
    return statistics.median(x.cpu_seconds / max(y.cpu_seconds, 1e-3) for x, y in zip(a.runs, b.runs))


# -- data -------------------------------------------------------------------------------

def project_folder(work: Path) -> None:
    """Make `work` a leadloop folder: only `init`, `demo` or a folder with leadloop.toml
    may create a database (SPEC §4, issue #27 item 7), and B1, B2, B5, B8 and B9 import
    into a new --db from here. The defaults are what is measured: the file says nothing."""
    (work / "leadloop.toml").write_text("# leadloop's benchmarks: a project folder with the defaults\n",
                                        encoding="utf-8")


def leads_file(rows: int) -> Path:
    name = {100_000: "leads-100k.csv", 1_000_000: "leads-1m.csv"}.get(rows, f"leads-{rows}.csv")
    path = DATA / name
    if not path.exists():
        DATA.mkdir(exist_ok=True)
        subprocess.run([sys.executable, str(BENCH / "gen_leads.py"), str(rows), str(path)], check=True)
    return path


# -- SMTP sink --------------------------------------------------------------------------

class Sink:
    """aiosmtpd on 127.0.0.1 that counts and discards, in its own process (as a real
    server would be: it must not share a core's interpreter lock with the client).
    `raw`: smtp_sink.py's block-reading server, for messages of megabytes. `pipelining`:
    aiosmtpd offering PIPELINING (RFC 2920), as Postfix and the big providers do (B3P)."""

    def __init__(self, raw: bool = False, pipelining: bool = False):
        self.process = subprocess.Popen([sys.executable, str(BENCH / "smtp_sink.py")] + (["--raw"] if raw else [])
                                        + (["--pipelining"] if pipelining else []),
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.port = int(self.process.stdout.readline())

    def take(self) -> int:
        """What arrived since the last call."""
        self.process.stdin.write("take\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def stop(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)


# -- the benchmarks ---------------------------------------------------------------------

def b1_import(pairs: int, rows: int, work: Path, results: dict) -> Path:
    print(f"B1: import {rows:,} rows, leadloop beside sqlite-utils insert --csv", flush=True)
    source = leads_file(rows)
    ours, theirs = work / "b1.db", work / "b1-sqlite-utils.db"

    def clean(path: Path) -> None:
        for suffix in ("", "-wal", "-shm", ".lock"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    def leadloop_import() -> Run:
        clean(ours)
        return timed([str(BIN / "leadloop"), "--db", str(ours), "--now", NOW, "import", str(source)], cwd=work)

    def sqlite_utils_insert() -> Run:
        clean(theirs)
        return timed([str(BIN / "sqlite-utils"), "insert", str(theirs), "leads", str(source), "--csv"], cwd=work)

    # The file was just read (or generated): a warm-up round would only cost a minute.
    ours_series, anchor = alternate(pairs, [("leadloop", leadloop_import),
                                            ("sqlite-utils", sqlite_utils_insert)], warmup=False)
    with sqlite3.connect(ours) as conn:
        imported = conn.execute("SELECT count(*) FROM leads").fetchone()[0]
    results["B1"] = {
        "rows": rows, "imported": imported,
        "leadloop_s": ours_series.median, "anchor_s": anchor.median,
        "rows_per_s": rows / ours_series.median, "anchor_rows_per_s": rows / anchor.median,
        "ratio": ratio(ours_series, anchor), "peak_mb": ours_series.peak_mb,
        "tree_peak_mb": ours_series.tree_peak_mb,
    }
    return ours


def b2_due(pairs: int, db: Path, work: Path, results: dict) -> None:
    print("B2: due --json --limit 100 on the imported database, beside leadloop --version", flush=True)
    due = [str(BIN / "leadloop"), "--db", str(db), "--now", NOW, "due", "--json", "--limit", "100"]
    version = [str(BIN / "leadloop"), "--version"]
    # Another command's start-up on the same database, beside it: `show` of one lead.
    with sqlite3.connect(db) as conn:
        address = conn.execute("SELECT email FROM leads ORDER BY id LIMIT 1").fetchone()[0]
    show = [str(BIN / "leadloop"), "--db", str(db), "--now", NOW, "show", address, "--json"]
    ours, anchor, shown = alternate(pairs, [("due", lambda: timed(due, cwd=work)),
                                            ("--version", lambda: timed(version, cwd=work)),
                                            ("show --json", lambda: timed(show, cwd=work))])
    results["B2"] = {"leadloop_s": ours.median, "anchor_s": anchor.median, "ratio": ratio(ours, anchor),
                     "cpu_ratio": cpu_ratio(ours, anchor), "show_s": shown.median,
                     "show_ratio": ratio(shown, anchor), "show_cpu_ratio": cpu_ratio(shown, anchor)}


def timed_on_terminal(command: list[str], *, cwd: Path, rows: int = 24, columns: int = 80) -> Run:
    """Wall time of a whole process whose stdout and stderr are a real pseudo-terminal of
    rows x columns (what a person's shell gives), read to the end as a terminal would."""
    import fcntl
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "FORCE_COLOR", "NO_COLOR")}
    env["TERM"] = "xterm-256color"
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        before = _children_cpu()
        start = time.perf_counter()
        process = subprocess.Popen(["/usr/bin/time", "-f", TIME_FORMAT, "-o", report.name, *command],
                                   cwd=cwd, env=env, stdin=follower, stdout=follower, stderr=follower)
        os.close(follower)
        screen = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            screen.append(chunk)
        process.wait()
        seconds = time.perf_counter() - start
        cpu = _children_cpu() - before
        os.close(leader)
        if process.returncode != 0:
            raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n"
                             f"{b''.join(screen).decode(errors='replace')[-2000:]}")
        peak_kb, _ = _time_report(report.read())
    return Run(seconds, peak_kb / 1024, peak_kb / 1024, cpu)


def b9_lists(pairs: int, db: Path, work: Path, results: dict, page_only: bool = False) -> None:
    """B9; with `page_only` (`--only B9P`) the first page alone, the part a busy machine
    can still measure in a few minutes."""
    print("B9: leads --json beside export --format json; leads on a terminal beside --version", flush=True)
    base = [str(BIN / "leadloop"), "--db", str(db), "--now", NOW]
    leads_json, export_json = [*base, "leads", "--json"], [*base, "export", "--format", "json"]
    lists = {}
    if not page_only:
        ours, anchor = alternate(pairs, [("leads --json", lambda: timed(leads_json, cwd=work)),
                                         ("export --format json", lambda: timed(export_json, cwd=work))])
        lists = {"leadloop_s": ours.median, "anchor_s": anchor.median, "ratio": ratio(ours, anchor),
                 "peak_mb": ours.peak_mb, "anchor_peak_mb": anchor.peak_mb}
    # The first page: a screenful of 80x24 in a pseudo-terminal, with its footer (which
    # counts every lead), beside --version on the same terminal.
    page, version = alternate(pairs * 2, [
        ("leads (terminal)", lambda: timed_on_terminal([*base, "leads"], cwd=work)),
        ("--version (terminal)", lambda: timed_on_terminal([str(BIN / "leadloop"), "--version"], cwd=work)),
    ])
    results["B9P" if page_only else "B9"] = {
        **lists,
        "page_s": page.median, "version_s": version.median, "page_ratio": ratio(page, version),
        "page_cpu_s": page.cpu_median, "version_cpu_s": version.cpu_median,
        "page_cpu_ratio": cpu_ratio(page, version), "pairs": len(page.runs),
    }


def b5_idle(pairs: int, db: Path, work: Path, results: dict) -> None:
    print("B5: run-daily with nothing due on the imported database", flush=True)
    idle = [str(BIN / "leadloop"), "--db", str(db), "--now", BEFORE_ALL, "run-daily", "--quiet"]
    version = [str(BIN / "leadloop"), "--version"]
    ours, anchor = alternate(pairs, [("run-daily", lambda: timed(idle, cwd=work)),
                                     ("--version", lambda: timed(version, cwd=work))])
    results["B5"] = {"leadloop_s": ours.median, "anchor_s": anchor.median, "ratio": ratio(ours, anchor)}


def b4_startup(pairs: int, work: Path, results: dict) -> None:
    print("B4: start-up, beside python -c 'import typer, rich' and the anchors' --version", flush=True)
    contenders = [
        ("leadloop --version", [str(BIN / "leadloop"), "--version"]),
        ("import typer, rich", [sys.executable, "-c", "import typer, rich"]),
        ("leadloop --help", [str(BIN / "leadloop"), "--help"]),
        ("sqlite-utils --version", [str(BIN / "sqlite-utils"), "--version"]),
        ("mailmerge --version", [str(BIN / "mailmerge"), "--version"]),
    ]
    series = alternate(pairs * 2, [(label, lambda c=command: timed(c, cwd=work))
                                   for label, command in contenders])
    by_label = {s.label: s for s in series}
    results["B4"] = {
        "medians": {s.label: s.median for s in series},
        "ratio_version": ratio(by_label["leadloop --version"], by_label["import typer, rich"]),
        "ratio_help": ratio(by_label["leadloop --help"], by_label["import typer, rich"]),
    }


# B4C: the start-up of every command that a cron job or a person runs again and again,
# each beside `leadloop --version` in the same rounds, in a folder `init` made (its
# leadloop.toml spells out every key, as a user's does) with 1,000 leads: small enough that
# each command's figure is its start (imports, the config, opening the store), not its data.
# The guard is the most each may take, by CPU time, as a multiple of --version: B2's 1.3×
# for `due --json`; for the others the most they took in two runs when the row was added
# (issue #28 item 14, load average 4-6), plus ~15 % for the machine's noise, so that a
# module that creeps onto a command's path shows here. Commands that change the database are measured where running them
# again changes nothing (`import` of rows already there).
COMMAND_STARTUPS = [
    # (label, arguments after `leadloop --now NOW`, guard)
    ("due --json --limit 100", ["due", "--json", "--limit", "100"], 1.3),
    ("due --limit 100 (piped)", ["due", "--limit", "100"], 2.6),
    ("leads --json --limit 20", ["leads", "--json", "--limit", "20"], 1.7),
    ("leads --limit 20 (piped)", ["leads", "--limit", "20"], 1.6),
    ("show ADDRESS --json", ["show", "{address}", "--json"], 1.9),
    ("show ADDRESS", ["show", "{address}"], 2.2),
    ("stats --json", ["stats", "--json"], 1.9),
    ("stats", ["stats"], 2.8),
    ("questions", ["questions"], 1.7),
    ("export --format json", ["export", "--format", "json"], 1.8),
    ("import (1 row, already there)", ["import", "{one_row}"], 2.5),
    ("preview ADDRESS", ["preview", "{address}"], 3.7),
    ("send --dry-run", ["send", "--dry-run"], 4.0),
    ("check", ["check"], 4.0),
    ("run-daily --quiet (nothing due)", ["run-daily", "--quiet"], 2.6),
]


def b4c_commands(pairs: int, work: Path, results: dict) -> None:
    print("B4C: every command's start-up in an `init` folder of 1,000 leads, beside --version", flush=True)
    folder = work / "b4c"
    folder.mkdir()
    leadloop = str(BIN / "leadloop")
    subprocess.run([leadloop, "init", "."], cwd=folder, check=True, capture_output=True)
    source = leads_file(1000)
    one_row = folder / "one-row.csv"
    one_row.write_text("".join(source.read_text(encoding="utf-8").splitlines(keepends=True)[:2]),
                       encoding="utf-8")
    for file in (source, one_row):
        subprocess.run([leadloop, "--now", NOW, "import", str(file)], cwd=folder, check=True,
                       capture_output=True)
    with sqlite3.connect(folder / "leadloop.db") as conn:
        address = conn.execute("SELECT email FROM leads ORDER BY id LIMIT 1").fetchone()[0]
    # --now before every inquiry for run-daily: an idle run, as B5's, that sends nothing.
    contenders = [("--version", lambda: timed([leadloop, "--version"], cwd=folder))]
    for label, arguments, _ in COMMAND_STARTUPS:
        now = BEFORE_ALL if arguments[0] == "run-daily" else NOW
        command = [leadloop, "--now", now] + [a.format(address=address, one_row=one_row) for a in arguments]
        contenders.append((label, lambda c=command: timed(c, cwd=folder)))
    version, *commands = alternate(pairs * 2, contenders)
    results["B4C"] = {
        "version_s": version.median, "version_cpu_s": version.cpu_median, "pairs": len(version.runs),
        "rows": [{"label": series.label, "guard": guard, "s": series.median, "cpu_s": series.cpu_median,
                  "ratio": ratio(series, version), "cpu_ratio": cpu_ratio(series, version)}
                 for series, (_, _, guard) in zip(commands, COMMAND_STARTUPS)],
    }


B3_TEMPLATE = """TO: {{email}}
SUBJECT: ¿Aún me recuerda, {{name}}?
FROM: Laura Vidal <laura@academia-vidal.es>

¡Hola de nuevo, {{name}}!

Hace un tiempo me pidió información sobre {{product}}. ¿Aún me recuerda?
Si sigue interesado, responda a este correo y le cuento la oferta de este mes.

Laura
"""


# B3's info pack for leadloop: mailmerge's message above, in a leadloop template, so that
# both send the same message (BENCH.md: "same server, same message"). Until 2026-12-05
# leadloop sent its shipped info pack instead, text and HTML: 2.0 kB and 55 lines against
# 0.4 kB and 10, and aiosmtpd, which reads the content line by line, spent 0.54 ms of CPU
# a message on it against 0.34 ms on the smtplib loop's, on the same two cores.
B3_INFO = """Subject: ¿Aún me recuerda, {{ name }}?

¡Hola de nuevo, {{ name }}!

Hace un tiempo me pidió información sobre {{ product }}. ¿Aún me recuerda?
Si sigue interesado, responda a este correo y le cuento la oferta de este mes.

Laura
"""


def send_project(directory: Path, messages: int, port: int, leadloop: Path) -> Path:
    """A project in `directory` with `messages` leads whose info pack is due, its config
    pointing at the sink on `port`: the database every send run starts from (copied).
    The sender is not on example.com, which leadloop refuses to send from over SMTP
    (issue #27 item 6), and the import is dated like the send, so that the requests
    are a day old, not months (an old request's info pack waits for the window). The
    info pack is B3_INFO, the message mailmerge sends."""
    directory.mkdir(exist_ok=True)
    (directory / "templates" / "es").mkdir(parents=True, exist_ok=True)
    (directory / "templates" / "es" / "info.txt").write_text(B3_INFO, encoding="utf-8")
    csv_path = directory / "leads.csv"
    with open(csv_path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["email", "name", "product", "source", "requested_at"])
        for n in range(messages):
            writer.writerow([f"cliente.{n}@example.com", f"José Núñez {n}", "Curso de fotografía",
                             "Anuncio", "01/11/2026 09:00"])
    (directory / "leadloop.toml").write_text(
        '[sender]\nname = "Laura Vidal"\naddress = "laura@academia-vidal.es"\n\n'
        f'[cadence]\ndaily_limit = {messages * 10}\n'
        'send_days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]\nsend_hours = "00:00-24:00"\n\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n',
        encoding="utf-8")
    prepared = directory / "prepared.db"
    subprocess.run([str(leadloop), "--db", str(prepared), "--now", NOW, "import", str(csv_path)],
                   cwd=directory, check=True, stdout=subprocess.DEVNULL)
    return prepared


def leadloop_sender(leadloop: Path, prepared: Path, directory: Path, sink: "Sink", messages: int,
                    who: str):
    """A contender that sends every due message of a fresh copy of `prepared`."""
    live = directory / f"live-{who}.db"

    def send() -> Run:
        for suffix in ("-wal", "-shm", ".lock"):
            Path(f"{live}{suffix}").unlink(missing_ok=True)
        shutil.copy(prepared, live)
        sink.take()
        run = timed([str(leadloop), "--db", str(live), "--now", NOW, "send", "--yes"], cwd=directory)
        received = sink.take()
        if received != messages:
            raise SystemExit(f"{who} delivered {received} messages, not {messages}")
        return run

    return send


def b3_send(pairs: int, messages: int, work: Path, results: dict, baseline: Path | None = None,
            pipelining: bool = False) -> None:
    """B3; with `pipelining` (B3P) the same against a sink that offers PIPELINING, which
    leadloop uses (two round trips a message) and mailmerge and the smtplib loop do not."""
    key = "B3P" if pipelining else "B3"
    print(f"{key}: send {messages:,} messages over SMTP, beside mailmerge and a raw smtplib loop"
          + (" (the server offers PIPELINING)" if pipelining else ""), flush=True)
    sink = Sink(pipelining=pipelining)
    try:
        b3 = work / key.lower()
        prepared = send_project(b3, messages, sink.port, BIN / "leadloop")
        leadloop_send = leadloop_sender(BIN / "leadloop", prepared, b3, sink, messages, "leadloop")

        (b3 / "message.txt").write_text(B3_TEMPLATE, encoding="utf-8")
        (b3 / "mailmerge_server.conf").write_text(
            f"[smtp_server]\nhost = 127.0.0.1\nport = {sink.port}\nsecurity = Never\n", encoding="utf-8")

        def mailmerge_send() -> Run:
            sink.take()
            run = timed([str(BIN / "mailmerge"), "--template", "message.txt", "--database", "leads.csv",
                         "--config", "mailmerge_server.conf", "--no-dry-run", "--no-limit",
                         "--output-format", "raw"], cwd=b3)
            return checked(run, "mailmerge")

        raw_loop = b3 / "raw_loop.py"
        raw_loop.write_text(RAW_LOOP, encoding="utf-8")

        def smtplib_loop() -> Run:
            sink.take()
            run = timed([sys.executable, str(raw_loop), str(sink.port), str(messages)], cwd=b3)
            return checked(run, "smtplib")

        def checked(run: Run, who: str) -> Run:
            received = sink.take()
            if received != messages:
                raise SystemExit(f"B3: {who} delivered {received} messages, not {messages}")
            return run

        contenders = [("leadloop", leadloop_send), ("mailmerge", mailmerge_send), ("smtplib", smtplib_loop)]
        if baseline is not None:
            # Its own folder and database, made by itself: an older leadloop refuses a
            # database with a newer one's migrations.
            base_dir = work / f"{key.lower()}-baseline"
            base_prepared = send_project(base_dir, messages, sink.port, baseline)
            contenders.insert(1, ("baseline", leadloop_sender(baseline, base_prepared, base_dir, sink,
                                                               messages, "baseline")))
        series = {s.label: s for s in alternate(pairs, contenders)}
    finally:
        sink.stop()
    ours, mailmerge, limit = series["leadloop"], series["mailmerge"], series["smtplib"]
    results[key] = {
        "messages": messages,
        "leadloop_s": ours.median, "mailmerge_s": mailmerge.median, "smtplib_s": limit.median,
        "leadloop_per_s": messages / ours.median, "mailmerge_per_s": messages / mailmerge.median,
        "smtplib_per_s": messages / limit.median,
        "vs_mailmerge": ratio(mailmerge, ours), "vs_smtplib": ratio(limit, ours),
    }
    if baseline is not None:
        results[key].update(baseline_s=series["baseline"].median,
                            vs_baseline=ratio(ours, series["baseline"]))


def b3a_attachments(pairs: int, messages: int, sizes_mb: list[float], work: Path, results: dict,
                    baseline: Path | None = None) -> None:
    """B3a: info packs that carry the same brochure. The brochure is read and encoded
    once per run and its bytes shared by every message (issue #18), so sending 2,000
    of them should cost about what moving their bytes costs: beside leadloop sending the
    same messages without the brochure, and a loop that only writes pre-built messages
    of the same size on one connection (the limit)."""
    print(f"B3a: send {messages:,} info packs with a brochure of {sizes_mb} MB, on the raw sink", flush=True)
    import random

    sink = Sink(raw=True)
    try:
        plain_dir = work / "b3a-plain"
        plain = send_project(plain_dir, messages, sink.port, BIN / "leadloop")
        rows = []
        for size_mb in sizes_mb:
            directory = work / f"b3a-{size_mb:g}mb"
            prepared = send_project(directory, messages, sink.port, BIN / "leadloop")
            brochure = random.Random(1).randbytes(int(size_mb * 1_000_000))
            (directory / "templates" / "folletos").mkdir(parents=True, exist_ok=True)
            (directory / "templates" / "folletos" / "Catálogo de cursos 2026.pdf").write_bytes(brochure)
            (directory / "templates" / "es").mkdir(exist_ok=True)
            (directory / "templates" / "es" / "info.txt").write_text(B3A_TEMPLATE, encoding="utf-8")
            message_bytes = _message_size(directory, prepared)
            raw_loop = directory / "raw_loop.py"
            raw_loop.write_text(RAW_LOOP_SIZED, encoding="utf-8")

            def limit_loop(port=sink.port, size=message_bytes, script=raw_loop) -> Run:
                sink.take()
                run = timed([sys.executable, str(script), str(port), str(messages), str(size)], cwd=work)
                if sink.take() != messages:
                    raise SystemExit("B3a: the raw loop did not deliver every message")
                return run

            contenders = [
                ("with brochure", leadloop_sender(BIN / "leadloop", prepared, directory, sink, messages, "with")),
                ("without", leadloop_sender(BIN / "leadloop", plain, plain_dir, sink, messages, "without")),
                ("raw loop", limit_loop),
            ]
            if baseline is not None:
                base_dir = work / f"b3a-baseline-{size_mb:g}mb"
                contenders.append(("baseline, without", leadloop_sender(
                    baseline, send_project(base_dir, messages, sink.port, baseline), base_dir, sink,
                    messages, "baseline")))
            series = {s.label: s for s in alternate(pairs, contenders)}
            row = {
                "size_mb": size_mb, "message_bytes": message_bytes,
                "with_s": series["with brochure"].median, "without_s": series["without"].median,
                "limit_s": series["raw loop"].median,
                "with_peak_mb": series["with brochure"].peak_mb,
                "without_peak_mb": series["without"].peak_mb,
                "vs_without": ratio(series["with brochure"], series["without"]),
                "vs_limit": ratio(series["with brochure"], series["raw loop"]),
            }
            if baseline is not None:
                row["without_vs_baseline"] = ratio(series["without"], series["baseline, without"])
            rows.append(row)
    finally:
        sink.stop()
    results["B3a"] = {"messages": messages, "rows": rows}


def _message_size(directory: Path, prepared: Path) -> int:
    """The bytes of one info pack as sent: rendered here by the leadloop being measured
    (bench/.venv's), from the same templates and database."""
    from datetime import datetime, timezone

    from leadloop.config import load_config
    from leadloop.render import Renderer
    from leadloop.store import Store

    config = load_config(directory / "leadloop.toml", db_override=str(prepared))
    store = Store.open(prepared, config.cadence)
    try:
        lead = store.lead("cliente.0@example.com")
        return Renderer(config).render(lead, 0, "info", "<size@example.com>",
                                       datetime(2026, 11, 2, 10, tzinfo=timezone.utc)).size
    finally:
        store.close()


B3A_TEMPLATE = """Subject: La información que me pidió sobre {{ product }}
Attachment: folletos/Catálogo de cursos 2026.pdf

Hola {{ first_name }}:

Muchas gracias por su interés en {{ product }}. Le adjunto el catálogo de cursos.

Saludos cordiales,
{{ sender.name }}
"""

RAW_LOOP_SIZED = '''"""The limit of B3a: one connection, messages of the same size built before sending
starts and written as they are (no dot-stuffing: base64 needs none)."""
import base64, os, smtplib, sys
port, count, size = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
head = b"From: Laura Vidal <laura@academia-vidal.es>\\r\\nTo: <cliente.NUMBER@example.com>\\r\\nSubject: x\\r\\n\\r\\n"
body = base64.encodebytes(os.urandom(size * 3 // 4)).replace(b"\\n", b"\\r\\n")[:max(0, size - len(head))]
with smtplib.SMTP("127.0.0.1", port) as smtp:
    for n in range(count):
        smtp.docmd("MAIL", "FROM:<laura@academia-vidal.es>")
        smtp.docmd("RCPT", f"TO:<cliente.{n}@example.com>")
        smtp.docmd("DATA")
        smtp.send(head.replace(b"NUMBER", str(n).encode()))
        smtp.send(body)
        smtp.send(b"\\r\\n.\\r\\n")
        smtp.getreply()
'''


RAW_LOOP = '''"""The limit of B3: one connection, the bytes built before sending starts."""
import smtplib, sys
from email.message import EmailMessage
port, count = int(sys.argv[1]), int(sys.argv[2])
m = EmailMessage()
m["From"] = "Laura Vidal <laura@academia-vidal.es>"
m["To"] = "José Núñez NUMBER <cliente.NUMBER@example.com>"
m["Subject"] = "¿Aún me recuerda?"
m.set_content("¡Hola de nuevo! Hace un tiempo me pidió información sobre Curso de fotografía.")
model = m.as_bytes()
messages = [(f"cliente.{n}@example.com", model.replace(b"NUMBER", str(n).encode())) for n in range(count)]
with smtplib.SMTP("127.0.0.1", port) as smtp:
    for to, data in messages:
        smtp.sendmail("laura@academia-vidal.es", [to], data)
'''


# -- B8: workbooks -------------------------------------------------------------------------

def xlsx_file(rows: int) -> Path:
    """leads_file(rows) as an .xlsx workbook as Excel keeps it: the texts as texts (accents
    intact) and requested_at as typed date cells (a date, or a date and time), written by
    XlsxWriter (the bench environment's, not a leadloop dependency)."""
    import xlsxwriter
    from datetime import datetime

    source = leads_file(rows)
    path = source.with_suffix(".xlsx")
    if path.exists():
        return path
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("Leads")
    day, moment = workbook.add_format({"num_format": "dd/mm/yyyy"}), workbook.add_format(
        {"num_format": "dd/mm/yyyy hh:mm"})
    with open(source, newline="", encoding="utf-8") as handle:
        for number, row in enumerate(csv.reader(handle)):
            if number == 0:
                sheet.write_row(0, 0, row)
                continue
            sheet.write_row(number, 0, row[:4])
            text = row[4]
            if " " in text:
                sheet.write_datetime(number, 4, datetime.strptime(text, "%d/%m/%Y %H:%M"), moment)
            else:
                sheet.write_datetime(number, 4, datetime.strptime(text, "%d/%m/%Y"), day)
    workbook.close()
    return path


def b8_workbook(pairs: int, rows: int, work: Path, results: dict) -> None:
    print(f"B8: import a {rows:,}-row .xlsx, beside in2csv (csvkit) and the same rows as CSV", flush=True)
    workbook, text = xlsx_file(rows), leads_file(rows)
    ours, ours_csv = work / "b8.db", work / "b8-csv.db"

    def clean(path: Path) -> None:
        for suffix in ("", "-wal", "-shm", ".lock", ".senders"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    def import_into(db: Path, source: Path):
        def run_once() -> Run:
            clean(db)
            return timed([str(BIN / "leadloop"), "--db", str(db), "--now", NOW, "import", str(source)],
                         cwd=work)
        return run_once

    series = {s.label: s for s in alternate(pairs, [
        ("xlsx import", import_into(ours, workbook)),
        ("in2csv", lambda: timed([str(BIN / "in2csv"), str(workbook)], cwd=work)),
        ("csv import", import_into(ours_csv, text)),
    ])}
    with sqlite3.connect(ours) as a, sqlite3.connect(ours_csv) as b:
        from_xlsx = a.execute("SELECT count(*) FROM leads").fetchone()[0]
        from_csv = b.execute("SELECT count(*) FROM leads").fetchone()[0]
    if from_xlsx != from_csv:
        raise SystemExit(f"B8: the workbook gave {from_xlsx} leads, the CSV {from_csv}")
    xlsx, anchor, plain = series["xlsx import"], series["in2csv"], series["csv import"]
    results["B8"] = {
        "rows": rows, "imported": from_xlsx, "leadloop_s": xlsx.median, "anchor_s": anchor.median,
        "csv_s": plain.median, "ratio": ratio(xlsx, anchor), "vs_csv": ratio(xlsx, plain),
        "peak_mb": xlsx.peak_mb,
    }


# -- B6: speed to lead while a batch runs (bench/web.py's) ---------------------------------

def b6_speed_to_lead(seconds: float, rate: float, messages: int, results: dict) -> None:
    """web.py's B6, run from here so that one `run.sh` measures every target; its section
    between the web markers is rewritten as `python bench/web.py b6` would."""
    sys.path.insert(0, str(BENCH))
    import web

    r = web.b6(argparse.Namespace(seconds=seconds, rate=rate, send=messages))
    web.record_b6(r)
    results["B6"] = r


# -- report -----------------------------------------------------------------------------

def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    version = subprocess.run([str(BIN / "leadloop"), "--version"], capture_output=True, text=True).stdout.strip()
    return (f"{os.cpu_count()} cores ({model}), {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, {version}")


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def orders_file(rows: int, leads: Path) -> Path:
    """B11's export: gen_orders.py's 100k orders, buyers drawn from the file the database
    was imported from."""
    path = DATA / f"orders-{rows // 1000}k-of-{leads.stem}.csv"
    if not path.exists():
        subprocess.run([sys.executable, str(BENCH / "gen_orders.py"), str(rows), str(leads), str(path)],
                       check=True)
    return path


def new_leads_file(rows: int) -> Path:
    """B11's anchor: leads none of which is in the database (another seed's names)."""
    path = DATA / f"leads-{rows // 1000}k-seed2.csv"
    if not path.exists():
        DATA.mkdir(exist_ok=True)
        subprocess.run([sys.executable, str(BENCH / "gen_leads.py"), str(rows), str(path), "--seed", "2"],
                       check=True)
    return path


def b11_orders(pairs: int, db: Path, leads: Path, work: Path, results: dict, rows: int = 100_000) -> None:
    """`import --orders` of 100k orders beside `import` of 100k new leads, each into its own
    fresh copy of the same database (the copy is not timed)."""
    print(f"B11: import --orders of {rows:,} orders beside import of {rows:,} leads, on B1's database",
          flush=True)
    orders, anchor_leads = orders_file(rows, leads), new_leads_file(rows)
    copy = work / "b11.db"

    def fresh() -> None:
        for suffix in ("-wal", "-shm", ".lock"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(db, copy)

    def import_orders() -> Run:
        fresh()
        return timed([str(BIN / "leadloop"), "--db", str(copy), "--now", NOW, "import", "--orders",
                      str(orders)], cwd=work)

    def import_leads() -> Run:
        fresh()
        return timed([str(BIN / "leadloop"), "--db", str(copy), "--now", NOW, "import",
                      str(anchor_leads)], cwd=work)

    ours, anchor = alternate(pairs, [("import --orders", import_orders), ("import", import_leads)])
    results["B11"] = {"rows": rows, "leadloop_s": ours.median, "anchor_s": anchor.median,
                      "cpu_s": ours.cpu_median, "anchor_cpu_s": anchor.cpu_median,
                      "ratio": ratio(ours, anchor), "cpu_ratio": cpu_ratio(ours, anchor),
                      "peak_mb": ours.tree_peak_mb, "anchor_peak_mb": anchor.tree_peak_mb,
                      "pairs": len(ours.runs)}


def b10_dns(pairs: int, work: Path, results: dict) -> None:
    """`check --dns --json` for a good domain on a local NSD (tests/dnsserver/nsd.py),
    beside `dig` asking the same questions in one shell loop."""
    print("B10: check --dns --json against a local NSD, beside a dig loop of the same look-ups", flush=True)
    sys.path.insert(0, str(BENCH.parent / "tests"))
    from dnsserver import nsd as nsd_server
    from dnsserver.test_dns_check import ZONES

    reason = nsd_server.missing()
    if reason or not shutil.which("dig"):
        print(f"  skipped: {reason or 'dig not installed'} (tests/dnsserver/setup.sh)")
        return
    zones = {zone: "\n".join(ZONES[zone]) for zone in ("_spf.google.com", "good.example")}
    directory = work / "nsd"
    directory.mkdir()
    server = nsd_server.Nsd(directory, zones)
    server.start()
    try:
        project = work / "b10"
        project.mkdir()
        # A sender with a name: "leadloop" is the placeholder, refused over SMTP (#27 item 6).
        (project / "leadloop.toml").write_text('[sender]\nname = "Tienda"\naddress = "info@good.example"\n'
                                               '[smtp]\nhost = "smtp.gmail.com"\n')
        env = {**os.environ, "LEADLOOP_DNS_SERVERS": server.servers}
        check = [str(BIN / "leadloop"), "check", "--dns", "--json"]
        subprocess.run([str(BIN / "leadloop"), "init", "."], cwd=project, env=env,
                       capture_output=True)  # a database, as a user's
        # The look-ups leadloop makes, read from its own cache, asked again by dig.
        sys.path.insert(0, str(BENCH.parent / "src"))
        os.environ["LEADLOOP_DNS_SERVERS"] = server.servers
        from leadloop.config import load_config
        from leadloop.deliverability.lookup import Lookup
        from leadloop.deliverability.report import check_deliverability

        lookup = Lookup()
        check_deliverability(load_config(project / "leadloop.toml"), lookup)
        del os.environ["LEADLOOP_DNS_SERVERS"]
        questions = list(lookup._cache)
        loop = "; ".join(f"dig +short +time=3 @127.0.0.1 -p {server.port} {name} {kind} >/dev/null"
                         for name, kind in questions)
        # `check` alone (config and templates) shows what the DNS part itself adds.
        ours, anchor, templates = alternate(pairs, [
            ("check --dns --json", lambda: timed(check, cwd=project, env=env)),
            ("dig loop", lambda: timed(["bash", "-c", loop], cwd=project)),
            ("check", lambda: timed(check[:2], cwd=project, env=env))])
    finally:
        server.stop()
    results["B10"] = {"leadloop_s": ours.median, "anchor_s": anchor.median, "ratio": ratio(ours, anchor),
                      "lookups": len(questions), "templates_s": templates.median}


def write_results(results: dict, args, elapsed: float) -> None:
    lines = [
        "# Benchmark results",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on {machine()}, by `bench/run.sh"
        f"{' ' + ' '.join(sys.argv[1:]) if sys.argv[1:] else ''}` in {elapsed / 60:.1f} minutes.",
        f"Medians of {args.runs} alternating runs after a warm-up (B1: {args.b1_runs} runs, no warm-up); "
        "ratios are medians of the pair-by-pair ratios. Targets are BENCH.md's.",
        "The machine is shared: its load average (1, 5, 15 minutes) was "
        + " at the start, ".join(", ".join(f"{x:.1f}" for x in load) for load in (LOAD_AT_START, os.getloadavg()))
        + f" at the end, on {os.cpu_count()} cores. Where it was high, CPU time (user + system) "
        "is given beside wall time: it is less at the mercy of the other processes.",
        "",
        "| # | benchmark | leadloop | anchor | ratio | target | |",
        "|---|---|---|---|---|---|---|",
    ]
    if "B1" in results:
        r = results["B1"]
        lines.append(
            f"| B1 | import {r['rows']:,} rows ({r['imported']:,} valid) | {r['leadloop_s']:.1f} s = "
            f"{r['rows_per_s'] / 1000:.0f}k rows/s, peak {r['peak_mb']:.0f} MB "
            f"({r['tree_peak_mb']:.0f} MB both processes) | sqlite-utils insert --csv "
            f"{r['anchor_s']:.1f} s = {r['anchor_rows_per_s'] / 1000:.0f}k rows/s | {r['ratio']:.2f}× "
            f"| ≥ 125k rows/s, ≤ 0.2×, ≤ 120 MB | "
            f"{verdict(r['rows_per_s'] >= 125_000 and r['ratio'] <= 0.2 and r['tree_peak_mb'] <= 120)} |")
    if "B2" in results:
        r = results["B2"]
        lines.append(f"| B2 | `due --json --limit 100` on {results['leads_in_db']:,} leads "
                     f"| {r['leadloop_s'] * 1000:.0f} ms | `leadloop --version` {r['anchor_s'] * 1000:.0f} ms "
                     f"| {r['ratio']:.2f}× (CPU time {r['cpu_ratio']:.2f}×) | ≤ 1.3× | {verdict(r['ratio'] <= 1.3)} |")
        if "show_s" in r:
            lines.append(f"| B2 | `show ADDRESS --json`, beside the same `--version` | {r['show_s'] * 1000:.0f} ms "
                         f"| `leadloop --version` {r['anchor_s'] * 1000:.0f} ms | {r['show_ratio']:.2f}× "
                         f"(CPU time {r['show_cpu_ratio']:.2f}×) | — | |")
    for key, server in (("B3", ""), ("B3P", ", the server offering PIPELINING")):
        if key not in results:
            continue
        r = results[key]
        lines.append(
            f"| {key} | `send --yes`, {r['messages']:,} messages over SMTP{server} | {r['leadloop_s']:.2f} s = "
            f"{r['leadloop_per_s']:.0f} msg/s | mailmerge {r['mailmerge_per_s']:.0f} msg/s; smtplib loop "
            f"{r['smtplib_per_s']:.0f} msg/s | {r['vs_mailmerge']:.2f}× mailmerge, "
            f"{r['vs_smtplib']:.2f}× smtplib | ≥ 1,000 msg/s, ≥ 1.8×, ≥ 0.6× | "
            f"{verdict(r['leadloop_per_s'] >= 1000 and r['vs_mailmerge'] >= 1.8 and r['vs_smtplib'] >= 0.6)} |")
        if "vs_baseline" in r:
            lines.append(
                f"| {key} | the same, beside `--baseline` | {r['leadloop_s']:.2f} s | baseline "
                f"{r['baseline_s']:.2f} s | {r['vs_baseline']:.2f}× the baseline's time | ≤ 1.10× | "
                f"{verdict(r['vs_baseline'] <= 1.10)} |")
    if "B3a" in results:
        for r in results["B3a"]["rows"]:
            m = results["B3a"]["messages"]
            lines.append(
                f"| B3a | `send --yes`, {m:,} info packs with the same {r['size_mb']:g} MB brochure "
                f"({r['message_bytes'] / 1e6:.2f} MB a message), raw sink | {r['with_s']:.2f} s = "
                f"{m / r['with_s']:.0f} msg/s, {m * r['message_bytes'] / r['with_s'] / 1e6:.0f} MB/s, "
                f"peak {r['with_peak_mb']:.0f} MB | without the brochure {r['without_s']:.2f} s "
                f"(peak {r['without_peak_mb']:.0f} MB); raw loop, same bytes {r['limit_s']:.2f} s "
                f"| {r['vs_limit']:.2f}× the raw loop, {r['vs_without']:.2f}× without"
                + (f"; without: {r['without_vs_baseline']:.2f}× baseline" if "without_vs_baseline" in r else "")
                + " | — | |")
    if "B4" in results:
        r = results["B4"]
        m = r["medians"]
        lines.append(
            f"| B4 | `leadloop --version` / `--help` | {m['leadloop --version'] * 1000:.0f} / "
            f"{m['leadloop --help'] * 1000:.0f} ms | `import typer, rich` {m['import typer, rich'] * 1000:.0f} ms; "
            f"sqlite-utils {m['sqlite-utils --version'] * 1000:.0f} ms; mailmerge "
            f"{m['mailmerge --version'] * 1000:.0f} ms | {r['ratio_version']:.2f}× / {r['ratio_help']:.2f}× "
            f"| ≤ 1.5× | {verdict(r['ratio_version'] <= 1.5 and r['ratio_help'] <= 1.5)} |")
    if "B4C" in results:
        r = results["B4C"]
        for row in r["rows"]:
            lines.append(
                f"| B4C | `{row['label']}`, a folder `init` made, 1,000 leads | {row['s'] * 1000:.0f} ms "
                f"(CPU {row['cpu_s'] * 1000:.0f} ms) | `--version` {r['version_s'] * 1000:.0f} ms "
                f"(CPU {r['version_cpu_s'] * 1000:.0f} ms), {r['pairs']} pairs | {row['ratio']:.2f}× "
                f"(CPU time {row['cpu_ratio']:.2f}×) | CPU ≤ {row['guard']:g}× | "
                f"{verdict(row['cpu_ratio'] <= row['guard'])} |")
    if "B5" in results:
        r = results["B5"]
        lines.append(f"| B5 | idle `run-daily` on {results['leads_in_db']:,} leads "
                     f"| {r['leadloop_s'] * 1000:.0f} ms | `leadloop --version` {r['anchor_s'] * 1000:.0f} ms "
                     f"| {r['ratio']:.2f}× | ≤ 0.5 s | {verdict(r['leadloop_s'] <= 0.5)} |")
    if "B6" in results:
        r = results["B6"]
        import web

        lines.append(
            f"| B6 | speed to lead: {r['inquiries']:,} web inquiries at {r['rate']:g}/s, a "
            f"{r['send_delivered']:,}-message `send` running beside serve for {r['send_seconds']:.1f} s "
            f"| p50 {r['p50']:.2f} s, p95 {r['p95']:.2f} s, p99 {r['p99']:.2f} s; POSTed during the "
            f"send ({r['during_send']}): p99 {r['during_p99'] or 0:.2f} s; {r['lost']} lost, "
            f"{r['twice']} twice | one insert + one SMTP transaction {r['limit_ms']:.1f} ms; cron "
            f"every 15 min: 7.5 min on average | — | p95 ≤ 10 s, p99 ≤ 1 s while the batch runs | "
            f"{verdict(web.b6_met(r))} |")
    if "B8" in results:
        r = results["B8"]
        lines.append(
            f"| B8 | import a {r['rows']:,}-row .xlsx (typed dates, accents; {r['imported']:,} "
            f"valid) | {r['leadloop_s']:.2f} s, peak {r['peak_mb']:.0f} MB | in2csv (csvkit) "
            f"{r['anchor_s']:.1f} s; the same rows as CSV through `leadloop import` "
            f"{r['csv_s']:.2f} s | {r['ratio']:.2f}× in2csv, {r['vs_csv']:.2f}× the CSV | "
            f"≤ 0.25×, ≤ 2× | {verdict(r['ratio'] <= 0.25 and r['vs_csv'] <= 2)} |")
    if "B9" in results:
        r = results["B9"]
        lines.append(
            f"| B9 | `leads --json` on {results['leads_in_db']:,} leads; `leads` on an 80x24 terminal "
            f"(first page) | {r['leadloop_s']:.1f} s, peak {r['peak_mb']:.0f} MB; first page "
            f"{r['page_s'] * 1000:.0f} ms (CPU {r['page_cpu_s'] * 1000:.0f} ms) | `export --format json` "
            f"{r['anchor_s']:.1f} s, peak {r['anchor_peak_mb']:.0f} MB; `--version` on the same terminal "
            f"{r['version_s'] * 1000:.0f} ms (CPU {r['version_cpu_s'] * 1000:.0f} ms), {r['pairs']} pairs "
            f"| {r['ratio']:.2f}× / {r['page_ratio']:.2f}× (CPU time {r['page_cpu_ratio']:.2f}×) "
            f"| ≤ 1.5×, ≤ 100 MB; ≤ 1.5× | "
            f"{verdict(r['ratio'] <= 1.5 and r['peak_mb'] <= 100 and r['page_ratio'] <= 1.5)} |")
    if "B9P" in results:
        r = results["B9P"]
        lines.append(
            f"| B9 (first page) | `leads` on an 80x24 terminal, {results['leads_in_db']:,} leads "
            f"| {r['page_s'] * 1000:.0f} ms (CPU {r['page_cpu_s'] * 1000:.0f} ms) | `--version` on the "
            f"same terminal {r['version_s'] * 1000:.0f} ms (CPU {r['version_cpu_s'] * 1000:.0f} ms), "
            f"{r['pairs']} pairs | {r['page_ratio']:.2f}× (CPU time {r['page_cpu_ratio']:.2f}×) | ≤ 1.5× "
            f"| {verdict(r['page_ratio'] <= 1.5)} (CPU time: {verdict(r['page_cpu_ratio'] <= 1.5)}) |")
    if "B10" in results:
        r = results["B10"]
        lines.append(f"| B10 | `check --dns --json`, good zone on a local NSD ({r['lookups']} look-ups) "
                     f"| {r['leadloop_s'] * 1000:.0f} ms (`check` without --dns: "
                     f"{r['templates_s'] * 1000:.0f} ms) | the same look-ups by `dig` in a shell loop "
                     f"{r['anchor_s'] * 1000:.0f} ms | {r['ratio']:.2f}× | < 1 s, ≤ 3× | "
                     f"{verdict(r['leadloop_s'] < 1 and r['ratio'] <= 3)} |")
    if "B11" in results:
        r = results["B11"]
        lines.append(
            f"| B11 | `import --orders` of {r['rows']:,} orders (gen_orders.py) on {results['leads_in_db']:,} "
            f"leads | {r['leadloop_s']:.2f} s (CPU {r['cpu_s']:.2f} s), peak {r['peak_mb']:.0f} MB "
            f"| `import` of {r['rows']:,} new leads into the same database {r['anchor_s']:.2f} s "
            f"(CPU {r['anchor_cpu_s']:.2f} s), peak {r['anchor_peak_mb']:.0f} MB; {r['pairs']} pairs "
            f"| {r['ratio']:.2f}× (CPU time {r['cpu_ratio']:.2f}×) | ≤ 1.2× "
            f"| {verdict(r['ratio'] <= 1.2)} (CPU time: {verdict(r['cpu_ratio'] <= 1.2)}) |")
    lines += _kept_rows(results)
    notes = BENCH / "NOTES.md"
    lines += ["", "## Reproduce", "", "```sh", "bash bench/run.sh            # full run, 1M rows (about 10 minutes)",
              "bash bench/run.sh --quick    # 100k rows, 3 runs: a check in two minutes", "```", ""]
    if notes.exists():
        lines += [notes.read_text(encoding="utf-8").rstrip(), ""]
    # `leadloop serve`'s section (B6, B7) is bench/web.py's: kept as it was.
    previous = BENCH / "RESULTS.md"
    if previous.exists():
        text = previous.read_text(encoding="utf-8")
        start, end = text.find("<!-- web: start -->"), text.find("<!-- web: end -->")
        if 0 <= start < end:
            lines += [text[start:end + len("<!-- web: end -->")], ""]
        # bench/ab.py's before-and-after sections, one per `--only`: kept too.
        for match in re.finditer(r"<!-- ab [^>]*: start -->.*?<!-- ab [^>]*: end -->", text, re.S):
            lines += [match.group(0), ""]
    (BENCH / "RESULTS.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(line for line in lines if line.startswith("|")))


def _kept_rows(results: dict) -> list[str]:
    """Rows of the previous RESULTS.md for benchmarks this run did not measure, marked
    with the date they were measured (a B3-only run must not erase B1's figures)."""
    previous = BENCH / "RESULTS.md"
    if not previous.exists():
        return []
    # ab.py's sections are kept whole by write_results, not as rows of this table.
    text = re.sub(r"<!-- ab [^>]*: start -->.*?<!-- ab [^>]*: end -->", "",
                  previous.read_text(encoding="utf-8"), flags=re.S)
    measured = next((line.split()[1] for line in text.splitlines() if line.startswith("Measured ")), "before")
    kept = []
    for line in text.splitlines():
        if not line.startswith("| B"):
            continue
        name = line.split("|")[1].split()[0]
        if name in results:
            continue
        kept.append(line if "(measured " in line else line.replace(f"| {name} |", f"| {name} (measured {measured}) |", 1))
    return kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="alternating runs per benchmark (default 5)")
    parser.add_argument("--b1-runs", type=int, default=5, help="runs of the B1 import pair (default 5)")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows for B1, B2 and B5")
    parser.add_argument("--messages", type=int, default=2000, help="messages for B3")
    parser.add_argument("--only", default="B1,B2,B3,B3a,B4,B4C,B5,B6,B8,B9,B10,B11",
                        help="comma-separated subset (B9P: B9's first page alone; B4C: every "
                             "command's start-up; B3P: B3 against a server offering PIPELINING)")
    parser.add_argument("--b8-rows", type=int, default=100_000, help="rows of the B8 workbook")
    parser.add_argument("--b6-seconds", type=float, default=60, help="B6: seconds of inquiries")
    parser.add_argument("--b6-rate", type=float, default=20, help="B6: inquiries a second")
    parser.add_argument("--brochures", default="1,2", help="B3a: brochure sizes in MB (default 1,2)")
    parser.add_argument("--baseline", type=Path, default=None, metavar="PATH",
                        help="another leadloop executable to alternate with this one in B3 and B3a")
    parser.add_argument("--quick", action="store_true", help="100k rows, 3 runs each")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.runs, args.b1_runs = 100_000, 3, 3
    only = set(args.only.upper().split(","))
    global LOAD_AT_START
    LOAD_AT_START = os.getloadavg()
    started = time.perf_counter()
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="leadloop-bench-") as tmp:
        work = Path(tmp)
        project_folder(work)
        db = None
        if "B1" in only:
            db = b1_import(args.b1_runs, args.rows, work, results)
            results["leads_in_db"] = results["B1"]["imported"]
        elif only & {"B2", "B5", "B9", "B9P", "B11"}:
            db = work / "b1.db"  # the same database, without timing B1 against its anchor
            subprocess.run([str(BIN / "leadloop"), "--db", str(db), "--now", NOW, "import",
                            str(leads_file(args.rows))], cwd=work, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            with sqlite3.connect(db) as conn:
                results["leads_in_db"] = conn.execute("SELECT count(*) FROM leads").fetchone()[0]
        if "B2" in only:
            b2_due(args.runs, db, work, results)
        if "B5" in only:
            b5_idle(args.runs, db, work, results)
        if "B9" in only:
            b9_lists(args.runs, db, work, results)
        elif "B9P" in only:
            b9_lists(args.runs, db, work, results, page_only=True)
        if "B4" in only:
            b4_startup(args.runs, work, results)
        if "B4C" in only:
            b4c_commands(args.runs, work, results)
        if "B3" in only:
            b3_send(args.runs, args.messages, work, results, args.baseline)
        if "B3P" in only:
            b3_send(args.runs, args.messages, work, results, args.baseline, pipelining=True)
        if "B8" in only:
            b8_workbook(args.runs, args.b8_rows, work, results)
        if "B6" in only:
            b6_speed_to_lead(args.b6_seconds, args.b6_rate, args.messages, results)
        if "B10" in only:
            b10_dns(args.runs, work, results)
        if "B11" in only:
            # After B2, B5 and B9, which read the database as B1 left it.
            b11_orders(args.runs, db, leads_file(args.rows), work, results)
        if "B3A" in only:
            b3a_attachments(args.runs, args.messages, [float(x) for x in args.brochures.split(",")],
                            work, results, args.baseline)
    write_results(results, args, time.perf_counter() - started)


if __name__ == "__main__":
    main()
