"""Our relay's own trouble, seen in many leads' reports (issue #25; SPEC §6 "Outcomes": no
lead pays for the sender's problem). Session 17's lab made Postfix, Sendmail, OpenSMTPD
and Exim, as the server leadloop hands its mail to, lose their resolver, their way out or
their TLS settings after accepting a batch of 5 leads at 5 domains, and kept every report
(tests/fixtures/mail_lab_4/relay-*, README.md there). One report alone reads as that
lead's own trouble; only the batch shows it is ours, so each folder is read here as one
inbox reading, as `leadloop inbox` reads a mailbox, after each batch was imported and
sent by `run-daily` an hour after the last. Each lead must end as the sixth column of
its last final report says: `bounced` for the address, its pack `failed` for the
mailbox, offered again (`deferred`) for the sender. Leads whose reports name no trouble
(Exim's) or whose batch cannot be told from typing mistakes are left out there, with the
decision written in the labels."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from leadloop.classify import classify
from test_inbox import Maildir

LAB = Path(__file__).parent / "fixtures" / "mail_lab_4"
RELAYS = sorted(LAB.glob("relay-*/labels.tsv"))
SENT = datetime(2026, 12, 6, 8, 0)
US = "comercial@estudiofoto.es"
OUTCOMES = {"address": ("bounced", None), "mailbox": (None, "failed"), "sender": ("active", "deferred")}


def as_es(raw: bytes) -> bytes:
    """The lab's RFC 6761 .test names, which leadloop refuses as a lead's, under .es."""
    return re.sub(rb"(?<=[A-Za-z0-9-])\.test\b(?![.-])", b".es", raw, flags=re.I)


def lead_of(raw: bytes) -> str | None:
    incoming = classify(raw)
    named = [failure.address for failure in incoming.failures if failure.address] or list(incoming.original_to)
    return named[0] if named else None


def test_the_relays_batches_are_here():
    assert len(RELAYS) >= 4
    assert sum(line.count("\tsender") for labels in RELAYS for line in labels.read_text().splitlines()) >= 60


@pytest.mark.parametrize("labels", RELAYS, ids=lambda path: path.parent.name)
def test_a_relays_trouble_read_as_one_reading_charges_no_lead(tmp_path, run, labels):
    (tmp_path / "leadloop.toml").write_text(
        f'[sender]\nname = "Estudio Foto"\naddress = "{US}"\n\n[inbox]\nmaildir = "mail"\n', encoding="utf-8")
    box = Maildir(tmp_path / "mail")
    batches: dict[str, list[str]] = {}
    mail, expected = [], {}
    for line in labels.read_text(encoding="utf-8").splitlines():
        name, label, _, _, batch, reading = (line.split("\t") + [""] * 6)[:6]
        if label not in ("hard", "soft", "delay"):
            continue
        raw = as_es((labels.parent / name).read_bytes())
        lead = lead_of(raw)
        assert lead is not None, name
        if all(lead not in leads for leads in batches.values()):
            batches.setdefault(batch, []).append(lead)
        mail.append(raw)
        if label != "delay":  # the last final report decides
            expected[lead] = reading or None
    for hour, leads in enumerate(batches.values()):
        rows = "".join(f"{lead},Persona,Curso de fotografía,06/12/2026 07:00\n" for lead in leads)
        (tmp_path / "leads.csv").write_text("email,nombre,producto,fecha\n" + rows, encoding="utf-8")
        assert run("import", "leads.csv").exit_code == 0
        sent = run("--now", (SENT + timedelta(hours=hour)).isoformat(), "run-daily")
        assert sent.exit_code == 0, sent.stderr
    for raw in mail:
        box.deliver(raw)
    result = run("--now", "2026-12-06T18:00", "inbox")
    assert result.exit_code == 0, result.stderr
    wrong = []
    for lead, owner in sorted(expected.items()):
        if owner is None:
            continue
        shown = json.loads(run("show", lead, "--json").stdout)
        state = next(m for m in shown["messages"] if m["step"] == 0)["state"]
        want_status, want_state = OUTCOMES[owner]
        if (want_status or shown["status"], want_state or state) != (shown["status"], state):
            wrong.append(f"{lead}: {owner} expected, status {shown['status']}, pack {state}")
    assert not wrong, "\n".join(wrong)
    assert sum(owner == "sender" for owner in expected.values()) >= 5
