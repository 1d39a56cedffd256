"""Erasure leaves no personal data in the database file; the suppression entry blocks
re-import without storing the address."""

import json
from datetime import datetime, timedelta
from pathlib import Path


def database_bytes(directory: Path) -> bytes:
    return b"".join(
        path.read_bytes() for path in directory.iterdir() if path.name.startswith("leadloop.db")
    )


def test_forget_removes_every_trace_from_the_database_file(tmp_path, run):
    address = "rosalia.quintana@example.com"
    assert run("--now", "2026-03-02T10:00", "add", address, "--name", "Rosalía Quintana",
               "--product", "Curso de yoga").exit_code == 0
    assert run("--now", "2026-03-02T10:00", "run-daily").exit_code == 0
    assert run("--now", "2026-03-03T10:00", "mark", address, "replied", "--note",
               "Rosalía dice que le interesa").exit_code == 0
    assert address.encode() in database_bytes(tmp_path)
    result = run("--now", "2026-03-04T10:00", "forget", address)
    assert result.exit_code == 0, result.stderr
    data = database_bytes(tmp_path)
    for secret in (address, "Rosalía", "rosalia", "Quintana", "le interesa"):
        assert secret.encode() not in data, secret
        assert secret.encode("utf-16-le") not in data, secret
    assert json.loads(run("leads", "--json").stdout) == []
    shown = run("show", address)
    assert shown.exit_code == 2


def test_forget_deletes_the_outbox_copies_wherever_a_mail_client_moved_them(tmp_path, run):
    for address in ("ana@example.com", "bea@example.com"):
        assert run("--now", "2026-01-05T10:00", "add", address).exit_code == 0
    assert run("--now", "2026-01-05T10:00", "send", "--yes").exit_code == 0
    outbox = tmp_path / "outbox"
    files = sorted((outbox / "new").iterdir())
    assert len(files) == 2
    # A mail client reads one (new/ → cur/, flags appended); an older leadloop named
    # files without the digest: both are found.
    ana = next(f for f in files if b"ana@example.com" in f.read_bytes())
    bea = next(f for f in files if f != ana)
    ana.rename(outbox / "cur" / (ana.name + ":2,S"))
    bea.rename(outbox / "new" / "1767600000000000000.0123456789ab.leadloop")
    assert run("forget", "ana@example.com").exit_code == 0
    assert list((outbox / "cur").iterdir()) == []
    assert run("forget", "bea@example.com").exit_code == 0
    assert list((outbox / "new").iterdir()) == []


def test_given_up_lead_is_erased_by_run_daily_and_stays_out(tmp_path, run):
    address = "silent@example.com"
    assert run("--now", "2026-01-05T10:00", "add", address, "--name", "Nadie").exit_code == 0
    # Jump from one scheduled message to the next, then past the reply grace.
    now = datetime(2026, 1, 5, 10, 0)
    for _ in range(20):
        assert run("--now", now.isoformat(), "run-daily", "--quiet").exit_code == 0
        scheduled = json.loads(run("--now", now.isoformat(), "due", "--all", "--json").stdout)
        if scheduled:
            now = datetime.fromisoformat(scheduled[0]["due_at"]).replace(tzinfo=None)
        else:
            now += timedelta(days=31)
    # Six messages went out; erasure took them out of the outbox as well (SPEC §10).
    stats = json.loads(run("--now", now.isoformat(), "stats", "--json").stdout)
    assert sum(stats["sent_by_step"].values()) == 6 and stats["erased"] == 1
    assert list((tmp_path / "outbox" / "new").iterdir()) == []
    assert address.encode() not in database_bytes(tmp_path)
    (tmp_path / "again.csv").write_text(f"email,requested_at\n{address},2026-01-05\n", encoding="utf-8")
    result = run("--now", "2027-06-01T10:00", "import", "again.csv")
    assert "1 suppressed" in result.stdout
