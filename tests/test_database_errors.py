"""The database file itself going wrong: damaged, busy, read-only, full, or written by a
newer leadloop (SPEC §4). Each case runs the real CLI in a subprocess on a real SQLite
file and asks for one sentence on stderr that starts with the database's path, the
documented exit code, no traceback, and the state afterwards: nothing lost, nothing
half-written, nothing sent twice.

Root cannot be stopped by file modes, so as root a read-only file or directory is a
read-only bind mount and a full disk is a small tmpfs; without root the modes do, and
the tmpfs cases are skipped (the import's full disk is also reached through SQLite's own
size limit, `PRAGMA max_page_count`, which needs no privilege)."""

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import pytest

NOW = "2026-03-02T10:00"
ROOT = os.geteuid() == 0
CSV_HEADER = "email,name,product,requested_at\n"


def leadloop(*args, db, env=None, prefix=(), cwd=None, timeout=120):
    """leadloop in a subprocess, as cron would run it; `prefix` replaces `-m leadloop`."""
    command = [sys.executable, *(prefix or ("-m", "leadloop")), "--db", str(db), *map(str, args)]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, cwd=cwd,
        env={**os.environ, "LEADLOOP_NOW": NOW, "PYTHONUNBUFFERED": "1", **(env or {})})


def assert_one_sentence(result, code, db, *phrases):
    assert result.returncode == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "Error:" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {db}: "), lines[0]
    for phrase in phrases:
        assert phrase in lines[0], lines[0]


def write_csv(path, first, count, *, day="01/03/2026"):
    rows = "".join(f"lead{n:06d}@example.com,Lead {n},Curso,{day}\n"
                   for n in range(first, first + count))
    path.write_text(CSV_HEADER + rows, encoding="utf-8")
    return path


def make_database(directory, leads=3):
    """A database whose `leads` leads have their info pack due at NOW, checkpointed into
    the main file (no -wal beside it) so that its bytes are all of it."""
    directory.mkdir(parents=True, exist_ok=True)
    db = directory / "leadloop.db"
    result = leadloop("import", write_csv(directory.parent / f"{directory.name}-seed.csv", 0, leads),
                      db=db)
    assert result.returncode == 0, result.stderr
    assert not Path(f"{db}-wal").exists()
    return db


def read_db(db):
    """The database's content, read without writing a byte into it."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {
            "leads": conn.execute("SELECT email, status, next_step FROM leads ORDER BY id").fetchall(),
            "messages": conn.execute("SELECT lead_id, step, state FROM messages ORDER BY id").fetchall(),
            "integrity": conn.execute("PRAGMA integrity_check").fetchone()[0],
            "journal_mode": conn.execute("PRAGMA journal_mode").fetchone()[0],
        }
    finally:
        conn.close()


def fingerprint(path):
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def outbox_messages(db):
    outbox = db.parent / "outbox"
    return sorted(p.name for p in outbox.rglob("*") if p.is_file()) if outbox.exists() else []


# -- a damaged file ---------------------------------------------------------------------


def corrupt_page(db, table="leads"):
    """Overwrite the b-tree header at the start of `table`'s root page with garbage."""
    with sqlite3.connect(db) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    conn.close()
    data = bytearray(db.read_bytes())
    start = (root - 1) * page_size
    data[start:start + 12] = b"\xee" * 12
    db.write_bytes(bytes(data))


COMMANDS = {
    "leads": ["leads"],
    "send": ["send", "--yes"],
    "run-daily": ["run-daily"],
    "import": ["import", "{csv}"],
    "mark": ["mark", "lead000001@example.com", "lost"],
}


def command(name, csv):
    return [arg.replace("{csv}", str(csv)) for arg in COMMANDS[name]]


@pytest.mark.parametrize("name", COMMANDS)
def test_a_damaged_page_is_one_sentence_and_nothing_is_written(tmp_path, name):
    db = make_database(tmp_path / "data")
    corrupt_page(db)
    before = db.read_bytes()
    result = leadloop(*command(name, write_csv(tmp_path / "more.csv", 100, 5)), db=db)
    assert_one_sentence(result, 1, db, "the database is damaged", "malformed", "backup")
    assert db.read_bytes() == before, "nothing may be written into a damaged database"
    assert outbox_messages(db) == []


@pytest.mark.parametrize("name", COMMANDS)
def test_a_file_that_is_not_a_database_is_refused_untouched(tmp_path, name):
    (tmp_path / "data").mkdir()
    db = tmp_path / "data" / "leadloop.db"
    write_csv(db, 0, 40)  # a spreadsheet given as --db by mistake
    before = fingerprint(db)
    result = leadloop(*command(name, write_csv(tmp_path / "more.csv", 100, 5)), db=db)
    assert_one_sentence(result, 1, db, "not a leadloop database", "check --db")
    assert fingerprint(db) == before
    assert outbox_messages(db) == []


# -- busy -----------------------------------------------------------------------------------


@contextmanager
def held(db, kind):
    """Another program holding the database: a writer in WAL mode (readers go on), or a
    rollback-journal writer with the exclusive lock (as a first import holds it: readers
    wait too)."""
    conn = sqlite3.connect(db, isolation_level=None)
    if kind == "exclusive":
        assert conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
        conn.execute("BEGIN EXCLUSIVE")
    else:
        conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE meta SET value = value")  # a write of its own, as such a writer has
    try:
        yield
    finally:
        conn.execute("ROLLBACK")
        conn.close()


QUICK = {"LEADLOOP_BUSY_TIMEOUT": "0.2"}


@pytest.mark.parametrize("kind", ["immediate", "exclusive"])
@pytest.mark.parametrize("name", ["mark", "run-daily", "import", "send"])
def test_a_database_locked_past_the_busy_timeout_is_exit_1_and_nothing_is_lost(tmp_path, kind, name):
    db = make_database(tmp_path / "data")
    more = write_csv(tmp_path / "more.csv", 100, 5)
    before = read_db(db)
    with held(db, kind):
        result = leadloop(*command(name, more), db=db, env=QUICK)
    assert_one_sentence(result, 1, db, "the database is busy", "more than 0.2 s", "try again later")
    after = read_db(db)
    assert after["leads"] == before["leads"] and after["messages"] == []
    assert outbox_messages(db) == []
    # Once the other writer is done, the same command does its work.
    again = leadloop(*command(name, more), db=db)
    assert again.returncode == 0, again.stderr
    assert read_db(db)["journal_mode"] == "wal"


def test_reading_goes_on_while_another_program_writes(tmp_path):
    db = make_database(tmp_path / "data")
    with held(db, "immediate"):
        result = leadloop("leads", "--json", db=db, env=QUICK)
    assert result.returncode == 0, result.stderr
    assert "lead000000@example.com" in result.stdout


@pytest.mark.parametrize("value", ["soon", "-1", "nan", "inf", "1e9"])
def test_a_busy_timeout_that_is_not_a_number_of_seconds_is_refused(tmp_path, value):
    db = make_database(tmp_path / "data")
    result = leadloop("leads", db=db, env={"LEADLOOP_BUSY_TIMEOUT": value})
    assert result.returncode == 2
    assert result.stderr.strip() == (f'error: LEADLOOP_BUSY_TIMEOUT "{value}": a number of '
                                     "seconds from 0 to 86400")


def _write_locked(db) -> bool:
    probe = sqlite3.connect(db, isolation_level=None, timeout=0)
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return True
    finally:
        probe.close()
    return False


def caught_holding_the_database(process, db, journal=False):
    """Stop `process` at a moment it holds the write lock; False if it finished first.

    `journal`: watch for the rollback journal instead of probing with a connection. A
    first import takes the rollback journal only when no other connection is open, so
    a probe's connection at that moment would keep it in WAL, where readers do not wait,
    and change what the test is about."""
    journal_file = Path(f"{db}-journal")
    while process.poll() is None:
        if (journal_file.exists() if journal else True) and _write_locked(db):
            process.send_signal(signal.SIGSTOP)
            if _write_locked(db):
                return True
            process.send_signal(signal.SIGCONT)  # it let go just then: look again
        time.sleep(0.005)
    return False


@pytest.mark.parametrize("first_import", [False, True], ids=["into-leads", "first-import"])
def test_run_daily_while_an_import_holds_the_database(tmp_path, first_import):
    """The cron job starts while a big import is writing: it says so in one sentence and
    exits 1, sends nothing; the import finishes whole, and the next run sends."""
    data = tmp_path / "data"
    data.mkdir()
    db = data / "leadloop.db"
    if first_import:
        assert leadloop("leads", db=db).returncode == 0  # a new database, no leads yet
    else:
        db = make_database(data, leads=2)
    # Inquiries dated next month: none of them is due today.
    big = write_csv(tmp_path / "big.csv", 1000, 50_000, day="01/04/2026")
    importer = subprocess.Popen(
        [sys.executable, "-m", "leadloop", "--db", str(db), "import", str(big)],
        env={**os.environ, "LEADLOOP_NOW": NOW}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        if not caught_holding_the_database(importer, db, journal=first_import):
            pytest.fail("the import finished before it could be caught holding the database")
        result = leadloop("run-daily", db=db, env=QUICK)
    finally:
        importer.send_signal(signal.SIGCONT)
        out, err = importer.communicate(timeout=300)
    if first_import:
        # Nothing is due in an empty list, but the database is the import's until it
        # commits: even reading it has to wait.
        assert_one_sentence(result, 1, db, "the database is busy")
    else:
        assert_one_sentence(result, 1, db, "the database is busy", "try again later")
    assert outbox_messages(db) == []
    assert importer.returncode == 0, err
    state = read_db(db)
    assert len(state["leads"]) == 50_000 + (0 if first_import else 2)
    assert state["integrity"] == "ok" and state["journal_mode"] == "wal"
    after = leadloop("run-daily", db=db)
    assert after.returncode == 0, after.stderr
    assert len(outbox_messages(db)) == (0 if first_import else 2)


# -- read-only ----------------------------------------------------------------------------


def _mount(*args):
    subprocess.run(["mount", *args], check=True, capture_output=True)


@contextmanager
def read_only(*, file=None, directory=None):
    """Make `file` and/or `directory` read-only for leadloop. Root ignores file modes: for
    root, read-only bind mounts (a directory made read-only keeps a writable `file` when
    only the directory was asked for, through a second bind of the same inode)."""
    if not ROOT:
        saved = {p: p.stat().st_mode for p in (file, directory) if p is not None}
        if file is not None:
            file.chmod(0o444)
        if directory is not None:
            directory.chmod(0o555)
        try:
            yield
        finally:
            for path, mode in saved.items():
                path.chmod(mode)
        return
    mounted = []
    try:
        try:
            if directory is not None:
                inside = sorted(directory.iterdir())
                keep = directory.parent / f"{directory.name}-writable"
                keep.mkdir()
                for path in inside:
                    os.link(path, keep / path.name)
                _mount("--bind", str(directory), str(directory))
                mounted.append(directory)
                _mount("-o", "remount,ro,bind", str(directory))
                if file is None:
                    for path in inside:
                        _mount("--bind", str(keep / path.name), str(path))
                        mounted.append(path)
            if file is not None:
                _mount("--bind", str(file), str(file))
                mounted.append(file)
                _mount("-o", "remount,ro,bind", str(file))
        except (subprocess.CalledProcessError, OSError) as err:
            pytest.skip(f"cannot make a read-only bind mount here ({err})")
        yield
    finally:
        for path in reversed(mounted):
            subprocess.run(["umount", str(path)], check=False, capture_output=True)


def test_a_read_only_database_file_can_be_read_but_not_written(tmp_path):
    db = make_database(tmp_path / "data")
    more = write_csv(tmp_path / "more.csv", 100, 5)
    before, content = read_db(db), db.read_bytes()
    with read_only(file=db):
        listed = leadloop("leads", "--json", db=db)
        stats = leadloop("stats", db=db)
        results = {name: leadloop(*command(name, more), db=db)
                   for name in ("run-daily", "mark", "import")}
    assert listed.returncode == 0, listed.stderr
    assert "lead000002@example.com" in listed.stdout
    assert stats.returncode == 0, stats.stderr
    for name, result in results.items():
        assert_one_sentence(result, 1, db, "cannot write the database", "read-only")
    assert outbox_messages(db) == []
    assert db.read_bytes() == content
    assert read_db(db)["leads"] == before["leads"] and read_db(db)["messages"] == []
    # Writable again, nothing was lost: the day's run sends what was due.
    after = leadloop("run-daily", db=db)
    assert after.returncode == 0, after.stderr
    assert len(outbox_messages(db)) == 3


def test_a_read_only_database_a_run_died_in_is_still_listed(tmp_path):
    """`leads`, `show` and `due` settle what a dead run left when they can; on a file
    they cannot write they show it as it is instead of failing."""
    db = make_database(tmp_path / "data")
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO messages (lead_id, step, template, state, message_id, claimed_by, "
            "claimed_at, attempted_at, attempts) VALUES (1, 0, 'info', 'sending', "
            "'<dead@example.com>', 'dead-run', '2026-03-02T08:00:00+00:00', "
            "'2026-03-02T08:00:00+00:00', 1)")
    conn.close()
    with read_only(file=db):
        results = [leadloop(*args, db=db) for args in
                   (["leads", "--json"], ["show", "lead000000@example.com", "--json"], ["due"])]
    for result in results:
        assert result.returncode == 0, result.stderr
    assert '"state": "sending"' in results[1].stdout
    # Writable again, the next command settles it.
    shown = leadloop("show", "lead000000@example.com", "--json", db=db)
    assert '"state": "unknown"' in shown.stdout


@pytest.mark.parametrize("file_too", [False, True], ids=["directory", "directory-and-file"])
def test_a_database_in_a_read_only_directory_says_so(tmp_path, file_too):
    """SQLite must create the -wal and -shm beside a WAL database to open it at all."""
    db = make_database(tmp_path / "data")
    more = write_csv(tmp_path / "more.csv", 100, 5)
    before = fingerprint(db)
    with read_only(directory=db.parent, file=db if file_too else None):
        results = {name: leadloop(*command(name, more), db=db)
                   for name in ("leads", "run-daily", "mark", "import")}
    for name, result in results.items():
        assert_one_sentence(result, 1, db, "cannot open the database: its directory is",
                            "read-only", "leadloop.db-wal")
    assert fingerprint(db) == before
    assert sorted(p.name for p in db.parent.iterdir()) == ["leadloop.db"]


# -- a full disk ------------------------------------------------------------------------------


# leadloop with SQLite's own size limit on every connection it opens: a real "database or
# disk is full" from SQLite, on any machine.
SIZE_LIMITED = ("-c", """
import os, sqlite3, sys
connect = sqlite3.connect
def limited(*args, **kwargs):
    conn = connect(*args, **kwargs)
    conn.execute(f"PRAGMA max_page_count = {int(os.environ['TEST_MAX_PAGES'])}")
    return conn
sqlite3.connect = limited
sys.argv[0] = "leadloop"
from leadloop.cli import main
main()
""")


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MB tmpfs (root only): a disk that really fills up."""
    mountpoint = tmp_path / "disk"
    mountpoint.mkdir()
    try:
        _mount("-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(mountpoint))
    except (subprocess.CalledProcessError, OSError) as err:
        pytest.skip(f"cannot mount a small tmpfs here ({err})")
    yield mountpoint
    subprocess.run(["umount", "-l", str(mountpoint)], check=False, capture_output=True)


def fill(directory):
    """Take every free byte of the file system `directory` is on."""
    with open(directory / "filler", "wb") as filler:
        chunk = b"\0" * 4096
        try:
            while True:
                filler.write(chunk)
                filler.flush()
        except OSError:
            pass
    try:
        with open(directory / "filler", "ab") as filler:
            while True:
                filler.write(b"\0")
                filler.flush()
    except OSError:
        pass


# 60k rows: 2.3 MB, read in the importing process; 110k rows: over 4 MB, read by a
# forked child (forked.py) while the parent writes.
SIZES = {"in-process": 60_000, "forked-reader": 110_000}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("start", ["empty", "with-leads"])
def test_an_import_that_fills_the_database_says_so_and_imports_nothing(tmp_path, size, start):
    data = tmp_path / "data"
    data.mkdir()
    db = data / "leadloop.db"
    if start == "with-leads":
        db = make_database(data, leads=2)
    else:
        assert leadloop("leads", db=db).returncode == 0  # an empty database
    big = write_csv(tmp_path / "big.csv", 1000, SIZES[size])
    before = read_db(db)
    pages = sqlite3.connect(db).execute("PRAGMA page_count").fetchone()[0]
    result = leadloop("import", big, db=db, prefix=SIZE_LIMITED,
                      env={"TEST_MAX_PAGES": str(pages + 200)})
    assert_one_sentence(result, 1, db, "the disk is full", "not written")
    after = read_db(db)
    assert after == before, "an import that failed leaves nothing of itself"
    # The limit lifted, the same file imports whole.
    again = leadloop("import", big, db=db)
    assert again.returncode == 0, again.stderr
    assert len(read_db(db)["leads"]) == len(before["leads"]) + SIZES[size]


@pytest.mark.parametrize("size", SIZES)
def test_an_import_onto_a_full_disk_says_so_and_imports_nothing(tmp_path, small_disk, size):
    db = make_database(small_disk, leads=2)
    big = write_csv(tmp_path / "big.csv", 1000, SIZES[size])
    before = read_db(db)
    result = leadloop("import", big, db=db)
    assert_one_sentence(result, 1, db, "the disk is full", "not written")
    assert read_db(db) == before


def test_a_full_disk_while_sending_never_sends_twice(tmp_path, small_disk, smtp_server):
    """The disk fills up while the server takes the first message: that message's result
    cannot be recorded, so the run stops with one sentence; the next run (space freed)
    reports it `unknown` and never resends it, and sends the others."""
    (tmp_path / "leadloop.toml").write_text(
        '[sender]\nname = "Laura Vidal"\naddress = "laura@lauravidal.es"\n\n[cadence]\ndaily_limit = 1000\n\n'
        f'[smtp]\nhost = "{smtp_server.host}"\nport = {smtp_server.port}\nsecurity = "none"\n'
        "timeout = 5\n", encoding="utf-8")
    env = {"LEADLOOP_CONFIG": str(tmp_path / "leadloop.toml")}
    db = small_disk / "leadloop.db"
    seeded = leadloop("import", write_csv(tmp_path / "seed.csv", 0, 4), db=db, env=env)
    assert seeded.returncode == 0, seeded.stderr

    accept = smtp_server.handler.handle_DATA

    async def fill_the_disk_then_accept(server, session, envelope):
        reply = await accept(server, session, envelope)
        if len(smtp_server.handler.messages) == 1:
            fill(small_disk)
        return reply

    smtp_server.handler.handle_DATA = fill_the_disk_then_accept
    result = leadloop("send", "--yes", db=db, env=env)
    assert_one_sentence(result, 1, db, "the disk is full")
    assert smtp_server.count == 1
    [first] = smtp_server.recipients()

    (small_disk / "filler").unlink()
    again = leadloop("send", "--yes", db=db, env=env)
    assert again.returncode == 0, again.stderr
    assert "unknown outcome" in again.stderr
    received = Counter(smtp_server.recipients())
    assert len(received) == 4 and set(received.values()) == {1}, received
    with sqlite3.connect(db) as conn:
        states = dict(conn.execute(
            "SELECT email, state FROM leads JOIN messages ON messages.lead_id = leads.id"))
    assert states.pop(first) == "unknown"
    assert set(states.values()) == {"sent"}


# -- a newer leadloop's database -------------------------------------------------------------


def from_the_future(db, conn=None):
    """What a newer release leaves: a migration this one does not know, and its table."""
    own = conn is None
    conn = conn or sqlite3.connect(db, isolation_level=None)
    conn.execute("CREATE TABLE m900_things (id INTEGER PRIMARY KEY)")
    conn.execute("INSERT INTO _migrations (name, applied_at) VALUES "
                 "('m900_from_the_future', '2031-01-01T00:00:00+00:00')")
    if own:
        conn.close()


@pytest.mark.parametrize("name", COMMANDS)
def test_a_database_from_a_newer_leadloop_is_refused_untouched(tmp_path, name):
    db = make_database(tmp_path / "data")
    from_the_future(db)
    assert sorted(p.name for p in db.parent.iterdir()) == ["leadloop.db"]
    before = fingerprint(db)
    time.sleep(0.01)  # an mtime written now would differ
    result = leadloop(*command(name, write_csv(tmp_path / "more.csv", 100, 5)), db=db)
    assert_one_sentence(result, 2, db, "written by a newer leadloop", "m900_from_the_future",
                        "nothing was changed")
    assert fingerprint(db) == before
    assert sorted(p.name for p in db.parent.iterdir()) == ["leadloop.db"], "not even a -wal"


def test_a_newer_leadloop_still_running_is_seen_through_its_wal(tmp_path):
    """The newer release's migration is still only in its -wal: the normal open sees it,
    and refuses before writing."""
    db = make_database(tmp_path / "data")
    newer = sqlite3.connect(db, isolation_level=None)
    try:
        from_the_future(db, newer)
        assert Path(f"{db}-wal").exists()
        result = leadloop("mark", "lead000001@example.com", "lost", db=db)
        assert_one_sentence(result, 2, db, "written by a newer leadloop")
        assert newer.execute("SELECT status FROM leads WHERE email = 'lead000001@example.com'"
                             ).fetchone()[0] == "active"
    finally:
        newer.close()


def test_another_programs_database_is_not_written_into(tmp_path):
    db = tmp_path / "other.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    conn.close()
    before = fingerprint(db)
    result = leadloop("leads", db=db)
    assert_one_sentence(result, 2, db, "a SQLite database of another program", "check --db")
    assert fingerprint(db) == before


def test_the_run_lock_in_a_read_only_directory(tmp_path):
    """run-daily's lock beside the database: an existing lock file is enough (flock needs
    no write access); one that cannot be created is one sentence, not a traceback."""
    from leadloop.errors import DatabaseReadOnly
    from leadloop.runner import RunLock

    directory = tmp_path / "data"
    directory.mkdir()
    (directory / "kept.db.lock").touch()
    with read_only(directory=directory):
        kept = RunLock(directory / "kept.db")
        assert kept.acquire()
        kept.release()
        with pytest.raises(DatabaseReadOnly, match=r"new\.db\.lock: cannot create the run lock"):
            RunLock(directory / "new.db").acquire()


def test_a_translated_error_is_still_the_sqlite3_error_it_was(tmp_path):
    """Code that catches sqlite3's error (a checkpoint that may find the database busy)
    keeps catching it; the CLI sees a LeadloopError with the sentence."""
    from leadloop.config import load_config
    from leadloop.errors import DatabaseBusy, LeadloopError
    from leadloop.store import Store

    db = make_database(tmp_path / "data")
    os.environ["LEADLOOP_BUSY_TIMEOUT"] = "0"
    try:
        store = Store.open(db, load_config(None).cadence)
    finally:
        del os.environ["LEADLOOP_BUSY_TIMEOUT"]
    try:
        with held(db, "immediate"), pytest.raises(sqlite3.OperationalError) as caught:
            with store.write():
                pass
    finally:
        store.close()
    assert isinstance(caught.value, DatabaseBusy) and isinstance(caught.value, LeadloopError)
    assert caught.value.exit_code == 1
    assert str(caught.value).startswith(f"{db}: the database is busy")
    assert caught.value.sqlite_errorname == "SQLITE_BUSY"
