"""One lead with one information pack sent, and the inbox read after a report arrives:
the set-up of the tests that check what a server's report does to its lead."""

from __future__ import annotations

import json

import pytest

from test_inbox import Maildir

US = "laura@lauravidal.es"
ANA = "ana.pena@example.org"


@pytest.fixture
def project(tmp_path, run):
    (tmp_path / "leadloop.toml").write_text(
        f'[sender]\nname = "Laura Vidal"\naddress = "{US}"\nunsubscribe = "baja@example.com"\n\n'
        '[inbox]\nmaildir = "mail"\n', encoding="utf-8")
    (tmp_path / "leads.csv").write_text(
        f"email,nombre,producto,fecha\n{ANA},Ana Peña,Taller de acuarela,02/03/2026 08:15\n", encoding="utf-8")
    assert run("import", "leads.csv").exit_code == 0
    box = Maildir(tmp_path / "mail")
    sent = run("--now", "2026-03-02T10:00", "run-daily")
    assert sent.exit_code == 0, sent.stderr
    return box


def sent_id(run) -> str:
    """The Message-ID of the information pack sent to ANA."""
    shown = json.loads(run("show", ANA, "--json").stdout)
    return next(m["message_id"] for m in shown["messages"] if m["step"] == 0)


def inbox_after(run, project, raw: bytes) -> tuple[dict, str]:
    """`leadloop inbox --json`'s counts and ANA's status once `raw` has arrived."""
    project.deliver(raw)
    result = run("--now", "2026-03-03T10:00", "inbox", "--json")
    assert result.exit_code == 0, result.stderr
    status = next(lead["status"] for lead in json.loads(run("leads", "--json").stdout))
    return json.loads(result.stdout), status


def pack_state(run) -> str:
    """The state of the information pack sent to ANA (sent, failed, bounced…)."""
    shown = json.loads(run("show", ANA, "--json").stdout)
    return next(m for m in shown["messages"] if m["step"] == 0)["state"]
