"""Our relay says it cannot find the lead's domain, at once (Postfix's reject_unknown_recipient_domain:
"450 4.1.2 … Domain not found", its answer both for a name that does not exist and for a
DNS look-up that failed): leadloop asks DNS itself, here Debian's NSD on 127.0.0.1
(tests/dnsserver/nsd.py) serving the leads' domains. A name that does not exist is the
address's, and the lead is bounced at once instead of after five days of retries; a name
that exists means our relay's resolver fails, the sender's: the run stops, nobody is
charged. Without an answer it stays the lead's mailbox's, retried (tests/test_owners.py).

The same in the inbox: reports alike that several leads' domains do not exist are a batch
of typing mistakes, or our relay's resolver failing; one of those domains that takes mail
shows which (inbox._taking_mail), as gmail.com among them already did."""

from __future__ import annotations

import json

import pytest

from test_owners import NOW, leads_json, messages, project, refusing  # noqa: F401 (fixture)

from . import nsd as nsd_server

pytestmark = pytest.mark.dns

# The leads' side of the internet: d0 to d4.example take mail, d9.example does not exist,
# nomail.example exists with neither MX nor address.
ZONES = {"example": "\n".join(f"d{n}.example. MX 10 mx.d{n}.example.\nmx.d{n}.example. A 192.0.2.{n + 1}"
                              for n in range(5)) + '\nnomail.example. TXT "v=spf1 -all"'}


@pytest.fixture(scope="module")
def leads_dns(tmp_path_factory):
    server = nsd_server.started(tmp_path_factory.mktemp("nsd"), ZONES)
    yield server
    server.stop()


@pytest.fixture
def dns_env(leads_dns, monkeypatch):
    monkeypatch.setenv("LEADLOOP_DNS_SERVERS", leads_dns.servers)


def not_found(address: str) -> str:
    return f"450 4.1.2 <{address}>: Recipient address rejected: Domain not found"


def test_a_lead_domain_that_does_not_exist_is_bounced_at_once(tmp_path, run, refusing, dns_env):
    project(tmp_path, refusing, leads=3)
    typo = "lucia@d9.example"
    (tmp_path / "typo.csv").write_text(f"email,name,product,source,requested_at\n{typo},Lucía,Curso,Web,01/03/2026\n",
                                       encoding="utf-8")
    assert run("import", "typo.csv").exit_code == 0
    assert run("import", "leads.csv").exit_code == 0
    refusing.handler.stage, refusing.handler.only, refusing.handler.reply = "RCPT", {typo}, not_found(typo)
    result = run("--now", NOW, "run-daily")
    assert result.exit_code == 0, result.stderr
    assert "3 sent" in result.stdout and "1 bounced" in result.stdout
    assert leads_json(run)[typo]["status"] == "bounced"
    assert messages(run, typo)[0]["owner"] == "address"


def test_a_relay_that_cannot_find_domains_that_exist_is_ours(tmp_path, run, refusing, dns_env):
    """Its resolver is down: every lead's domain "not found". The first answer stops the
    run, and nobody is charged."""
    project(tmp_path, refusing, leads=4)
    assert run("import", "leads.csv").exit_code == 0
    refusing.handler.stage = "RCPT"
    refusing.handler.reply = "450 4.1.2 <lead000@d0.example>: Recipient address rejected: Domain not found"
    result = run("--now", NOW, "run-daily")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "its DNS resolver" in lines[0] and "no lead was charged" in lines[0], lines
    assert refusing.handler.offered == 1
    assert all(lead["status"] == "active" and lead["contacts"] == 0 for lead in leads_json(run).values())
    assert [m["owner"] for m in messages(run, "lead000@d0.example")] == ["sender"]


def test_a_domain_dns_cannot_answer_for_stays_the_mailboxs(tmp_path, run, refusing, dns_env):
    """NSD serves only `example`: it refuses to answer for another name, and leadloop
    cannot tell, so the lead's message is retried as before."""
    project(tmp_path, refusing, leads=2)
    other = "ana@otra.org"
    (tmp_path / "other.csv").write_text(f"email,name,product,source,requested_at\n{other},Ana,Curso,Web,01/03/2026\n",
                                        encoding="utf-8")
    assert run("import", "other.csv").exit_code == 0
    refusing.handler.stage, refusing.handler.only, refusing.handler.reply = "RCPT", {other}, not_found(other)
    result = run("--now", NOW, "run-daily")
    assert result.exit_code == 0, result.stderr
    assert [(m["state"], m["owner"]) for m in messages(run, other)] == [("deferred", "mailbox")]
    assert json.loads(run("show", other, "--json").stdout)["status"] == "active"


@pytest.mark.parametrize("domain", ["d9.example", "nomail.example"], ids=["no-such-name", "no-mail-host"])
def test_a_lead_domain_with_nowhere_to_deliver_is_the_addresss(tmp_path, run, refusing, dns_env, domain):
    project(tmp_path, refusing, leads=1)
    lead = f"lucia@{domain}"
    (tmp_path / "one.csv").write_text(f"email,name,product,source,requested_at\n{lead},Lucía,Curso,Web,01/03/2026\n",
                                      encoding="utf-8")
    assert run("import", "one.csv").exit_code == 0
    refusing.handler.stage, refusing.handler.only, refusing.handler.reply = "RCPT", {lead}, not_found(lead)
    assert run("--now", NOW, "run-daily").exit_code == 0
    assert leads_json(run)[lead]["status"] == "bounced"


# -- the inbox ------------------------------------------------------------------------------

def inbox_project(tmp_path, run, addresses):
    from test_inbox import Maildir

    (tmp_path / "leadloop.toml").write_text(
        '[sender]\nname = "Laura Vidal"\naddress = "laura@lauravidal.es"\n\n[inbox]\nmaildir = "mail"\n',
        encoding="utf-8")
    rows = "".join(f"{a},Persona,Taller,02/03/2026 08:15\n" for a in addresses)
    (tmp_path / "leads.csv").write_text("email,nombre,producto,fecha\n" + rows, encoding="utf-8")
    assert run("import", "leads.csv").exit_code == 0
    box = Maildir(tmp_path / "mail")
    sent = run("--now", "2026-03-02T10:00", "run-daily")
    assert sent.exit_code == 0, sent.stderr
    return box


@pytest.mark.parametrize("domains, ours", [
    ([f"d{n}.example" for n in range(4)], True),             # they take mail: our resolver
    ([f"typo{n}.example" for n in range(4)], False),         # none exists: typing mistakes
], ids=["resolver", "typos"])
def test_domains_said_not_to_exist_alike_are_looked_up(tmp_path, run, dns_env, domains, ours):
    from test_inbox_alike import DOMAIN_GONE, postfix_report

    everyone = [f"persona{n}@{domain}" for n, domain in enumerate(domains)]
    box = inbox_project(tmp_path, run, everyone)
    for number, address in enumerate(everyone, 1):
        box.deliver(postfix_report(address, *DOMAIN_GONE, number))
    result = run("--now", "2026-03-07T10:00", "inbox", "--json")
    assert result.exit_code == 0, result.stderr
    counts = json.loads(result.stdout)
    if ours:
        assert (counts["bounces"], counts["sender_refused"]) == (0, 4), counts
        assert {lead["status"] for lead in leads_json(run).values()} == {"active"}
        said = run("--now", "2026-03-07T11:00", "inbox")
        assert said.exit_code == 0
    else:
        assert (counts["bounces"], counts["sender_refused"]) == (4, 0), counts


def test_a_lead_bounced_before_its_wave_showed_is_restored(tmp_path, run, dns_env):
    """Read one report at a time (an hourly run-daily), the first lead whose domain was
    "not found" is bounced before the others' reports arrive; once they show the relay's
    resolver, that lead is active again, no longer suppressed, its message offered again."""
    from test_inbox_alike import DOMAIN_GONE, postfix_report

    everyone = [f"persona{n}@d{n}.example" for n in range(4)]
    box = inbox_project(tmp_path, run, everyone)
    box.deliver(postfix_report(everyone[0], *DOMAIN_GONE, 1))
    first = json.loads(run("--now", "2026-03-07T10:00", "inbox", "--json").stdout)
    assert first["bounces"] == 1 and leads_json(run)[everyone[0]]["status"] == "bounced"
    for number, address in enumerate(everyone[1:3], 2):
        box.deliver(postfix_report(address, *DOMAIN_GONE, number))
    second = json.loads(run("--now", "2026-03-07T11:00", "inbox", "--json").stdout)
    assert (second["bounces"], second["sender_refused"]) == (0, 3), second
    leads = leads_json(run)
    assert [leads[a]["status"] for a in everyone] == ["active"] * 4
    shown = json.loads(run("show", everyone[0], "--json").stdout)
    assert (shown["messages"][0]["state"], shown["messages"][0]["owner"]) == ("deferred", "sender")
    assert [e["owner"] for e in shown["events"] if e["kind"] == "bounce"] == ["sender"]
    # No longer suppressed: a new inquiry from the same address is the same lead, due.
    (tmp_path / "again.csv").write_text(f"email,nombre,producto,fecha\n{everyone[0]},Persona,Taller,07/03/2026\n",
                                        encoding="utf-8")
    again = run("--now", "2026-03-07T12:00", "import", "again.csv", "--json")
    assert again.exit_code == 0 and json.loads(again.stdout)["suppressed"] == 0, again.stdout
