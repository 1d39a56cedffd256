"""Erasure leaves no personal data in the database file; the suppression entry blocks
re-import without storing the address."""

import json
from datetime import datetime, timedelta
from pathlib import Path


def database_bytes(directory: Path) -> bytes:
    return b"".join(
        path.read_bytes() for path in directory.iterdir()
        if path.name.startswith("leadloop.db") and path.is_file()
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


# -- serve's spool (issue #28 item 1) ----------------------------------------------------


def _spool(tmp_path, *people):
    """A spool file as serve writes it when the database is busy: one per call."""
    from leadloop.web.intake import Inquiry
    from leadloop.web.spool import spool

    return spool(tmp_path / "leadloop.db.spool", [
        Inquiry(email=email, requested_at=at, name=name) for email, name, at in people])


def _outbox_text(tmp_path) -> str:
    outbox = tmp_path / "outbox"
    return "".join(path.read_text(errors="replace") for path in outbox.rglob("*") if path.is_file())


def test_forget_erases_an_inquiry_waiting_in_the_spool_and_it_never_comes_back(tmp_path, run):
    assert run("init").exit_code == 0
    ana = ("ana.spool@example.com", "Ana Espera", "2026-03-07T22:30:00+00:00")
    bea = ("bea.spool@example.com", "Bea Sigue", "2026-03-07T22:31:00+00:00")
    both = _spool(tmp_path, ana, bea)
    alone = _spool(tmp_path, ana)
    result = run("--now", "2026-03-08T09:00", "forget", "Ana.Spool@example.com")
    assert result.exit_code == 0, result.stderr
    assert "2 inquiries waiting in serve's spool" in result.stdout
    assert not alone.exists()
    kept = json.loads(both.read_text(encoding="utf-8"))
    assert [item["email"] for item in kept] == ["bea.spool@example.com"]
    spool_bytes = b"".join(p.read_bytes() for p in (tmp_path / "leadloop.db.spool").iterdir())
    assert b"ana.spool" not in spool_bytes and b"Espera" not in spool_bytes
    applied = run("--now", "2026-03-09T10:00", "run-daily")
    assert applied.exit_code == 0, applied.stderr
    assert [lead["email"] for lead in json.loads(run("leads", "--json").stdout)] == [
        "bea.spool@example.com"]
    sent = _outbox_text(tmp_path)
    assert "bea.spool@example.com" in sent and "ana.spool@example.com" not in sent


def test_forget_of_a_lead_also_erases_its_spooled_inquiry(tmp_path, run):
    assert run("init").exit_code == 0
    assert run("--now", "2026-03-02T10:00", "add", "ana@example.com", "--name", "Ana").exit_code == 0
    waiting = _spool(tmp_path, ("ana@example.com", "Ana Otra Vez", "2026-03-03T10:00:00+00:00"))
    result = run("--now", "2026-03-04T10:00", "forget", "ana@example.com")
    assert result.exit_code == 0, result.stderr
    assert "1 inquiry waiting in serve's spool" in result.stdout and not waiting.exists()
    assert b"Otra Vez" not in database_bytes(tmp_path)


def test_forget_of_an_address_nowhere_is_still_an_error(tmp_path, run):
    assert run("init").exit_code == 0
    _spool(tmp_path, ("bea@example.com", "Bea", "2026-03-03T10:00:00+00:00"))
    result = run("forget", "nadie@example.com")
    assert result.exit_code == 2 and "no lead" in result.stderr and "Traceback" not in result.stderr
    assert len(list((tmp_path / "leadloop.db.spool").glob("*.json"))) == 1


def test_a_spooled_inquiry_for_an_erased_or_suppressed_address_is_dropped_when_applied(tmp_path, run):
    assert run("init").exit_code == 0
    for address in ("ana@example.com", "luis@example.com"):
        assert run("--now", "2026-03-02T10:00", "add", address).exit_code == 0
    assert run("--now", "2026-03-02T11:00", "send", "--yes").exit_code == 0
    assert run("--now", "2026-03-03T10:00", "mark", "luis@example.com", "unsubscribed").exit_code == 0
    assert run("--now", "2026-03-04T10:00", "forget", "ana@example.com").exit_code == 0
    # Written by a serve that accepted them before the erasure and the unsubscribe.
    _spool(tmp_path, ("ana@example.com", "Ana", "2026-03-02T12:00:00+00:00"),
           ("luis@example.com", "Luis", "2026-03-02T12:00:00+00:00"))
    before = _outbox_text(tmp_path).count("Message-ID")
    result = run("--now", "2026-03-05T10:00", "run-daily")
    assert result.exit_code == 0, result.stderr
    assert list((tmp_path / "leadloop.db.spool").glob("*.json")) == []
    leads = {lead["email"]: lead["status"] for lead in json.loads(run("leads", "--json").stdout)}
    assert leads == {"luis@example.com": "unsubscribed"}
    assert _outbox_text(tmp_path).count("Message-ID") == before


def test_a_spool_that_cannot_be_rewritten_is_one_sentence_and_the_lead_is_still_erased(
        tmp_path, run, monkeypatch):
    import errno
    import os

    import leadloop.inquiry_spool

    assert run("init").exit_code == 0
    assert run("--now", "2026-03-02T10:00", "add", "ana@example.com").exit_code == 0
    _spool(tmp_path, ("ana@example.com", "Ana", "2026-03-03T10:00:00+00:00"),
           ("bea@example.com", "Bea", "2026-03-03T10:00:00+00:00"))

    def read_only(*args):  # as on a file system remounted read-only (root passes chmod)
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(leadloop.inquiry_spool.os, "rename", read_only)
    result = run("--now", "2026-03-04T10:00", "forget", "ana@example.com")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "could not be removed (Read-only file system)" in result.stderr
    assert run("show", "ana@example.com").exit_code == 2  # erased all the same
