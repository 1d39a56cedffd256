"""B6 and B7 of BENCH.md: `leadloop serve` under load, on 127.0.0.1 only.

B6, speed to lead: web inquiries POSTed to a running `leadloop serve` at 20 a second for
60 s, open loop (each at its own moment, whatever the answers before it), while a
2,000-message `leadloop send` of the same database runs against the same SMTP server.
Measured per inquiry: from just before its POST to the moment the SMTP server accepts
its info pack (the end of DATA, timed in the server's process). Also checked: every
inquiry became a lead, got exactly one info pack, and the send delivered its 2,000.
The limit is one SQLite insert plus one SMTP transaction, measured here too.

B7, intake: POST /api/inquiries, one inquiry each, 8 concurrent keep-alive clients,
10,000 requests, on a database of 1M leads, against a bare Starlette endpoint doing one
SQLite INSERT (uvicorn, one process, as serve runs), alternating A B A B; serve also
sends every accepted inquiry's info pack meanwhile, as it does in use.

    python bench/web.py b6 [--seconds 60 --rate 20 --send 2000]
    python bench/web.py b7 [--requests 10000 --clients 8 --rounds 3 --rows 1000000]

Run with the python of an environment where leadloop is installed (bench/run.sh builds
one). Figures are printed and written into RESULTS.md between the B6/B7 markers.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BENCH = Path(__file__).resolve().parent
TOKEN = "bench-token-0123456789abcdef"
MARK_START, MARK_END = "<!-- web: start -->", "<!-- web: end -->"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- a timing SMTP sink, in its own process --------------------------------------------------

def sink_main() -> None:
    from aiosmtpd.controller import Controller

    accepted: dict[str, list[float]] = {}
    lock = threading.Lock()

    class Timing:
        async def handle_DATA(self, server, session, envelope):
            now = time.time()
            with lock:
                for rcpt in envelope.rcpt_tos:
                    accepted.setdefault(rcpt, []).append(now)
            return "250 OK"

    port = free_port()
    controller = Controller(Timing(), hostname="127.0.0.1", port=port, server_hostname="bench.localhost")
    controller.start()
    print(port, flush=True)
    for line in sys.stdin:
        if line.strip() == "dump":
            with lock:
                print(json.dumps(accepted), flush=True)
    controller.stop()


class Sink:
    def __init__(self):
        self.process = subprocess.Popen([sys.executable, __file__, "sink"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)
        self.port = int(self.process.stdout.readline())

    def dump(self) -> dict[str, list[float]]:
        self.process.stdin.write("dump\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def stop(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)


# -- helpers -----------------------------------------------------------------------------------

def leadloop(*args, cwd: Path, check=True, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "leadloop", *args], cwd=cwd, check=check,
                          capture_output=True, text=True, **kwargs)


def write_config(directory: Path, smtp_port: int, daily_limit: int = 1_000_000,
                 send_info: bool = True) -> None:
    (directory / "leadloop.toml").write_text(
        # Not on example.com: `send` refuses a placeholder sender over SMTP (issue #27 item 6).
        '[sender]\nname = "Laura Vidal"\naddress = "laura@academia-vidal.es"\n\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\nsecurity = "none"\n\n'
        f'[cadence]\ndaily_limit = {daily_limit}\nsend_info = {"true" if send_info else "false"}\n\n'
        '[web]\nbase_url = "https://leads.example.com"\nrate_limit = 0\n', encoding="utf-8")


class Serve:
    def __init__(self, directory: Path, args: list[str] | None = None):
        self.port = free_port()
        env = {**os.environ, "LEADLOOP_WEB_TOKEN": TOKEN}
        self.log = open(directory / "serve.log", "wb")
        command = args or [sys.executable, "-m", "leadloop", "serve", "--port", str(self.port)]
        self.process = subprocess.Popen([c.replace("{port}", str(self.port)) for c in command],
                                        cwd=directory, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if self.process.poll() is not None:
                    raise SystemExit(f"serve died: {(directory / 'serve.log').read_text()}")
                time.sleep(0.1)
        raise SystemExit("serve did not start")

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def post(connection: http.client.HTTPConnection, body: bytes) -> int:
    connection.request("POST", "/api/inquiries", body=body, headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"})
    response = connection.getresponse()
    response.read()
    return response.status


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def machine() -> str:
    return (f"{os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}")


# -- B6 ------------------------------------------------------------------------------------------

def limit_insert_and_smtp(directory: Path, smtp_port: int, rounds: int = 300) -> float:
    """One SQLite insert (committed) plus one SMTP transaction on an open connection: ms."""
    import smtplib

    conn = sqlite3.connect(directory / "limit.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("CREATE TABLE IF NOT EXISTS leads (id INTEGER PRIMARY KEY, email TEXT UNIQUE, at TEXT)")
    smtp = smtplib.SMTP("127.0.0.1", smtp_port)
    times = []
    data = b"Subject: info\r\nFrom: bench@example.com\r\nTo: x@example.org\r\n\r\nHello\r\n"
    for n in range(rounds):
        start = time.perf_counter()
        conn.execute("INSERT INTO leads (email, at) VALUES (?, ?)", (f"limit{n}@example.org", "now"))
        smtp.sendmail("bench@example.com", [f"limit{n}@example.org"], data)
        times.append(time.perf_counter() - start)
    smtp.quit()
    conn.close()
    return statistics.median(times) * 1000


def b6(args) -> dict:
    work = Path(tempfile.mkdtemp(prefix="leadloop-b6-"))
    sink = Sink()
    try:
        write_config(work, sink.port)
        with open(work / "send.csv", "w", encoding="utf-8") as handle:
            handle.write("email,name,product,source\n")
            for n in range(args.send):
                handle.write(f"send{n}@example.net,Persona {n},Curso de inglés,Radio\n")
        leadloop("import", "send.csv", cwd=work)
        limit_ms = limit_insert_and_smtp(work, sink.port)
        serve = Serve(work)
        total = int(args.seconds * args.rate)
        addresses = [f"web{n}@example.org" for n in range(total)]
        posted_at: dict[str, float] = {}
        statuses: dict[str, int] = {}
        local = threading.local()

        def one(address: str) -> None:
            connection = getattr(local, "connection", None)
            if connection is None:
                connection = local.connection = http.client.HTTPConnection("127.0.0.1", serve.port, timeout=120)
            body = json.dumps({"email": address, "name": "Web Lead", "product": "Curso de inglés"}).encode()
            posted_at[address] = time.time()
            try:
                statuses[address] = post(connection, body)
            except (OSError, http.client.HTTPException):
                local.connection = None
                statuses[address] = -1

        print(f"B6: {total} inquiries at {args.rate}/s while `send` delivers {args.send} messages", flush=True)
        sender = subprocess.Popen([sys.executable, "-m", "leadloop", "send", "--yes"], cwd=work,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        send_started = time.time()
        send_end = {}

        def wait_for_send():
            send_end["out"] = sender.communicate(timeout=600)
            send_end["at"] = time.time()

        waiter = threading.Thread(target=wait_for_send)
        waiter.start()
        start = time.monotonic()
        with ThreadPoolExecutor(max_workers=32) as pool:
            for n, address in enumerate(addresses):
                delay = start + n / args.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                pool.submit(one, address)
        waiter.join()
        out, err = send_end["out"]
        send_ended = send_end["at"]
        # Wait for the last info packs (bounded), then read what the server accepted.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            accepted = sink.dump()
            if all(address in accepted for address in addresses):
                break
            time.sleep(0.5)
        serve.stop()
        latencies = [accepted[a][0] - posted_at[a] for a in addresses if a in accepted]
        during = [accepted[a][0] - posted_at[a] for a in addresses
                  if a in accepted and posted_at[a] <= send_ended]
        with sqlite3.connect(work / "leadloop.db") as conn:
            stored = {row[0] for row in conn.execute("SELECT email FROM leads WHERE email LIKE 'web%'")}
        sent_batch = sum(len(v) for k, v in accepted.items() if k.startswith("send"))
        result = {
            "inquiries": total, "rate": args.rate, "seconds": args.seconds,
            "accepted_2xx": sum(1 for s in statuses.values() if 200 <= s < 300),
            "leads": len(stored & set(addresses)),
            "lost": sum(1 for a in addresses if a not in accepted),
            "twice": sum(1 for a in addresses if len(accepted.get(a, [])) > 1),
            "send_delivered": sent_batch, "send_seconds": round(send_ended - send_started, 2),
            "send_exit": sender.returncode,
            "p50": percentile(latencies, 50), "p95": percentile(latencies, 95),
            "p99": percentile(latencies, 99), "max": max(latencies),
            "during_send": len(during),
            "during_p95": percentile(during, 95) if during else None,
            "during_p99": percentile(during, 99) if during else None,
            "during_max": max(during) if during else None,
            "limit_ms": limit_ms,
        }
        print(json.dumps(result, indent=1), flush=True)
        if sender.returncode != 0:
            print(err, file=sys.stderr)
        return result
    finally:
        sink.stop()
        shutil.rmtree(work, ignore_errors=True)


# -- B7 ------------------------------------------------------------------------------------------

BARE_APP = '''
import sqlite3, threading, json
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

local = threading.local()

def db():
    conn = getattr(local, "conn", None)
    if conn is None:
        conn = local.conn = sqlite3.connect("leadloop.db", isolation_level=None, timeout=30)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    return conn

async def inquiries(request):
    item = json.loads(await request.body())
    def insert():
        db().execute(
            "INSERT INTO leads (email, name, requested_at, status, status_at, contacts, created_at, "
            "updated_at) VALUES (?, ?, '2026-03-02T10:00:00+00:00', 'active', '2026-03-02T10:00:00+00:00', "
            "0, '2026-03-02T10:00:00+00:00', '2026-03-02T10:00:00+00:00')", (item["email"], item.get("name")))
    from starlette.concurrency import run_in_threadpool
    await run_in_threadpool(insert)
    return JSONResponse({"leads": [{"email": item["email"], "outcome": "added"}]}, status_code=201)

app = Starlette(routes=[Route("/api/inquiries", inquiries, methods=["POST"])])
'''


def drive(port: int, requests: int, clients: int, prefix: str) -> tuple[float, list[float]]:
    """`requests` POSTs from `clients` keep-alive clients; (seconds, latencies in s)."""
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(requests))
    errors = []

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine = []
        for n in counter:
            body = json.dumps({"email": f"{prefix}{n}@example.org", "name": "Web Lead"}).encode()
            start = time.perf_counter()
            status = post(connection, body)
            mine.append(time.perf_counter() - start)
            if status not in (201, 202):
                errors.append(status)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    if errors:
        raise SystemExit(f"{len(errors)} requests failed: {errors[:5]}")
    return seconds, latencies


def b7(args) -> dict:
    work = Path(tempfile.mkdtemp(prefix="leadloop-b7-"))
    sink = Sink()
    try:
        write_config(work, sink.port, send_info=not args.intake_only)
        source = BENCH / "data" / f"leads-{args.rows}.csv"
        if not source.exists():
            source.parent.mkdir(exist_ok=True)
            subprocess.run([sys.executable, str(BENCH / "gen_leads.py"), str(args.rows), str(source)], check=True)
        template = work / "template.db"
        leadloop("--db", str(template), "--now", "2023-12-31T10:00", "import", str(source),
                 cwd=work)
        with sqlite3.connect(template) as conn:
            stored = conn.execute("SELECT count(*) FROM leads").fetchone()[0]
        (work / "bare.py").write_text(BARE_APP, encoding="utf-8")
        rows = {"leadloop": [], "bare": []}
        for round_number in range(args.rounds + 1):
            for label in ("leadloop", "bare"):
                for suffix in ("", "-wal", "-shm"):
                    (work / f"leadloop.db{suffix}").unlink(missing_ok=True)
                shutil.copyfile(template, work / "leadloop.db")
                if label == "leadloop":
                    server = Serve(work)
                else:
                    server = Serve(work, [sys.executable, "-m", "uvicorn", "bare:app", "--port", "{port}",
                                          "--log-level", "warning", "--no-access-log", "--http", "h11"])
                rss_start = server.rss_mb()
                seconds, latencies = drive(server.port, args.requests, args.clients, f"r{round_number}{label}")
                rss_end = server.rss_mb()
                server.stop()
                entry = {"rps": args.requests / seconds, "p50": percentile(latencies, 50) * 1000,
                         "p99": percentile(latencies, 99) * 1000, "rss_start": rss_start, "rss_end": rss_end}
                print(f"  round {round_number + 1} {label}: {entry['rps']:.0f} req/s, p99 "
                      f"{entry['p99']:.1f} ms, RSS {rss_start:.0f} → {rss_end:.0f} MB", flush=True)
                if round_number:
                    rows[label].append(entry)
        ratios = [a["rps"] / b["rps"] for a, b in zip(rows["leadloop"], rows["bare"])]
        result = {
            "requests": args.requests, "clients": args.clients, "rows": stored,
            "leadloop_rps": statistics.median(r["rps"] for r in rows["leadloop"]),
            "bare_rps": statistics.median(r["rps"] for r in rows["bare"]),
            "ratio": statistics.median(ratios),
            "leadloop_p99": statistics.median(r["p99"] for r in rows["leadloop"]),
            "bare_p99": statistics.median(r["p99"] for r in rows["bare"]),
            "leadloop_p50": statistics.median(r["p50"] for r in rows["leadloop"]),
            "rss": [(round(r["rss_start"]), round(r["rss_end"])) for r in rows["leadloop"]],
        }
        print(json.dumps(result, indent=1), flush=True)
        return result
    finally:
        sink.stop()
        shutil.rmtree(work, ignore_errors=True)


def b6_met(r: dict) -> bool:
    """BENCH.md B6: p95 ≤ 10 s, p99 ≤ 1 s while the batch runs, none lost, none twice."""
    return (r["p95"] <= 10 and r["p99"] <= 1 and (r["during_p99"] or 0) <= 1
            and not r["lost"] and not r["twice"] and r["send_exit"] == 0)


def record_b6(r: dict) -> None:
    day, met = time.strftime("%Y-%m-%d"), b6_met(r)
    record("B6", f"""### B6 speed to lead

Measured {day} on {machine()}: {r['inquiries']} inquiries POSTed to `/api/inquiries` at
{r['rate']:g}/s for {r['seconds']:g} s (open loop), while `leadloop send --yes` delivered
{r['send_delivered']} messages of the same database to the same aiosmtpd (it ran
{r['send_seconds']} s, exit {r['send_exit']}). From just before each POST to the SMTP
server's acceptance of its info pack:

| p50 | p95 | p99 | max | lost | twice | target |
|---|---|---|---|---|---|---|
| {r['p50']:.2f} s | {r['p95']:.2f} s | {r['p99']:.2f} s | {r['max']:.2f} s | {r['lost']} | {r['twice']} | p95 ≤ 10 s, p99 ≤ 1 s (also of those POSTed while the send ran), none lost, none twice: **{'met' if met else 'missed'}** |

{r['accepted_2xx']} of {r['inquiries']} POSTs were answered 2xx and {r['leads']} became leads.
The {r['during_send']} inquiries POSTed while the send ran went beside it (serve does not
wait for a batch's run lock since issue #28): their p95 was {r['during_p95'] or 0:.2f} s,
p99 {r['during_p99'] or 0:.2f} s, the longest {r['during_max'] or 0:.2f} s. The limit, one
committed SQLite insert plus one SMTP transaction on an open connection, takes
{r['limit_ms']:.1f} ms here; the anchor, a cron `run-daily` every 15 minutes, 7.5 minutes on
average. Reproduce: `python bench/web.py b6`.""")


def record(name: str, text: str) -> None:
    """Put `text` into RESULTS.md as the section of `name`, between the web markers."""
    path = BENCH / "RESULTS.md"
    current = path.read_text(encoding="utf-8")
    sections: dict[str, str] = {}
    if MARK_START in current:
        head, _, rest = current.partition(MARK_START)
        block, _, tail = rest.partition(MARK_END)
        for part in block.split("\n### ")[1:]:
            sections[part.split(" ", 1)[0]] = "### " + part.strip("\n")
    else:
        head, tail = current.rstrip("\n") + "\n\n", "\n"
    sections[name] = text.strip("\n")
    block = "\n\n".join(sections[key] for key in sorted(sections))
    path.write_text(f"{head}{MARK_START}\n## `leadloop serve` (B6, B7: `bench/web.py`)\n\n{block}\n\n"
                    f"{MARK_END}{tail}", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("which", choices=["b6", "b7", "sink"])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--send", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--intake-only", action="store_true",
                        help="B7 with send_info = false: serve writes leads and sends nothing")
    args = parser.parse_args()
    if args.which == "sink":
        sink_main()
        return
    day = time.strftime("%Y-%m-%d")
    if args.which == "b6":
        record_b6(b6(args))
    else:
        r = b7(args)
        met = r["ratio"] >= 0.5 and r["leadloop_p99"] <= 50
        name = "B7-intake-only" if args.intake_only else "B7"
        what = ("With `send_info = false`: serve only writes the leads (what the bare endpoint does, "
                "with leadloop's checks and rules), and sends nothing." if args.intake_only else
                "`leadloop serve` also sent each new lead's info pack to aiosmtpd meanwhile, as in use.")
        record(name, f"""### {name} intake

Measured {day} on {machine()}: {r['requests']} POSTs to `/api/inquiries` (one inquiry
each) from {r['clients']} concurrent keep-alive clients on the same machine, on a database
of {r['rows']:,} leads (bench/gen_leads.py, imported), alternating with a bare Starlette endpoint doing one
SQLite INSERT under uvicorn (one process each); medians of {args.rounds} rounds after a
warm-up. {what}

| | leadloop serve | bare endpoint | ratio | target |
|---|---|---|---|---|
| requests/s | {r['leadloop_rps']:.0f} | {r['bare_rps']:.0f} | {r['ratio']:.2f}× | ≥ 0.5× |
| p99 latency | {r['leadloop_p99']:.1f} ms | {r['bare_p99']:.1f} ms | | ≤ 50 ms |

Result: **{'met' if met else 'missed'}**. serve's resident memory at the start and end of
each round (MB): {', '.join(f'{a} → {b}' for a, b in r['rss'])}. Reproduce:
`python bench/web.py b7{' --intake-only' if args.intake_only else ''}`.""")


if __name__ == "__main__":
    main()
