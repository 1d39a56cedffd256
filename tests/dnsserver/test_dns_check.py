"""`leadloop check --dns` against a real authoritative DNS server (Debian's NSD, tests/dnsserver/nsd.py)
on 127.0.0.1, with a zone for a good domain and one for each way a domain goes wrong
(issue #24): each broken zone gives its finding and a fix that, published in the zone
(the zone file rewritten, NSD reloaded), turns it to ok.

Skipped, with the reason, where NSD is not installed; with LEADLOOP_DNS=required (as
.ci/run sets after tests/dnsserver/setup.sh installs it) a missing NSD fails instead, so the
tier cannot vanish unnoticed. The providers' own records (_spf.google.com, ...) are
zones of this server too: the internet is faked, nothing else is."""

from __future__ import annotations

import base64
import json
import os
import random
import re
import socket

import pytest

from . import nsd as nsd_server

pytestmark = pytest.mark.dns


def _key_pair():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    spki = key.public_key().public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)
    return pem, "v=DKIM1; k=rsa; p=" + base64.b64encode(spki).decode()


def _weak_record() -> str:
    """A 512-bit RSA public key record (cryptography will not make such a key: the modulus
    of one is enough, as only its size is judged)."""
    from leadloop.deliverability.signing import public_record

    modulus = random.Random(24).getrandbits(512) | (1 << 511) | 1
    return public_record({"modulus": modulus, "publicExponent": 65537})


def _txt(text: str) -> str:
    return " ".join(f'"{text[i:i + 255]}"' for i in range(0, len(text), 255))


PROVIDER_PEM, PROVIDER_KEY = _key_pair()   # the key Google or Microsoft would hold
OWN_PEM, OWN_KEY = _key_pair()             # [dkim] key_file of a user with her own server
OTHER_PEM, OTHER_KEY = _key_pair()


def _good(domain: str, spf: str = "v=spf1 include:_spf.google.com ~all",
          dkim: str = "google._domainkey", key: str = PROVIDER_KEY, dmarc: str = "p=quarantine",
          mx: bool = True) -> list[str]:
    records = []
    if spf:
        records.append(f"{domain}. TXT {_txt(spf)}")
    if dkim:
        records.append(f"{dkim}.{domain}. TXT {_txt(key)}")
    if dmarc:
        records.append(f'_dmarc.{domain}. TXT "v=DMARC1; {dmarc}; rua=mailto:info@{domain}"')
    if mx:
        records += [f"{domain}. MX 10 mx.{domain}.", f"mx.{domain}. A 192.0.2.53"]
    return records


OWN = dict(dkim="s2026._domainkey", key=OWN_KEY)
ZONES = {
    # The providers' side of the internet, as their documentation describes it.
    "_spf.google.com": ['_spf.google.com. TXT "v=spf1 ip4:192.0.2.0/25 ~all"'],
    "spf.protection.outlook.com": ['spf.protection.outlook.com. TXT "v=spf1 ip4:192.0.2.128/25 -all"'],
    "contoso.onmicrosoft.com": [
        f"selector1-cname-example._domainkey.contoso.onmicrosoft.com. TXT {_txt(PROVIDER_KEY)}",
        f"selector2-cname-example._domainkey.contoso.onmicrosoft.com. TXT {_txt(PROVIDER_KEY)}"],
    "lookups.example": [f'l{i}.lookups.example. TXT "v=spf1 ip4:198.51.100.{i} -all"' for i in range(1, 9)],
    # The sender's side: one good domain, and one for each way to go wrong.
    "good.example": _good("good.example"),
    "nospf.example": _good("nospf.example", spf=""),
    "twospf.example": _good("twospf.example") + ['twospf.example. TXT "v=spf1 ip4:203.0.113.9 -all"'],
    "eleven.example": _good("eleven.example", spf="v=spf1 a mx include:_spf.google.com "
                            + " ".join(f"include:l{i}.lookups.example" for i in range(1, 9)) + " ~all"),
    "plusall.example": _good("plusall.example", spf="v=spf1 include:_spf.google.com +all"),
    "noinclude.example": _good("noinclude.example", spf="v=spf1 ip4:203.0.113.5 ~all"),
    "nodmarc.example": _good("nodmarc.example", dmarc=""),
    "remember.example": _good("remember.example", dmarc=""),
    "merge.example": _good("merge.example") + ['merge.example. TXT "v=spf1 ip4:203.0.113.9 -all"'],
    "signed.example": _good("signed.example", spf="v=spf1 ip4:198.51.100.30 -all", **OWN),
    "reply.example": _good("reply.example", spf="", dkim="", dmarc="", mx=False),
    "pnone.example": _good("pnone.example", dmarc="p=none"),
    "nomx.example": _good("nomx.example", mx=False),
    "weakkey.example": _good("weakkey.example", spf="v=spf1 ip4:198.51.100.7 -all",
                             dkim="s2026._domainkey", key=_weak_record())
    + ["mail.weakkey.example. A 198.51.100.7"],
    "mismatch.example": _good("mismatch.example", spf="v=spf1 ip4:198.51.100.8 -all",
                              dkim="s2026._domainkey", key=OTHER_KEY)
    + ["mail.mismatch.example. A 198.51.100.8"],
    "ownserver.example": _good("ownserver.example", spf="v=spf1 mx ~all", **OWN)
    + ["mail.ownserver.example. A 198.51.100.25"],
    "nokey.example": _good("nokey.example", spf="v=spf1 ip4:198.51.100.9 -all", dkim="")
    + ["mail.nokey.example. A 198.51.100.9"],
    "cname.example": _good("cname.example", spf="v=spf1 include:spf.protection.outlook.com -all",
                           dkim="") + [
        "selector1._domainkey.cname.example. CNAME selector1-cname-example._domainkey.contoso.onmicrosoft.com.",
        "selector2._domainkey.cname.example. CNAME selector2-cname-example._domainkey.contoso.onmicrosoft.com."],
}


@pytest.fixture(scope="module")
def nsd(tmp_path_factory):
    server = nsd_server.started(tmp_path_factory.mktemp("nsd"),
                                {zone: "\n".join(records) for zone, records in ZONES.items()})
    server.records = {zone: list(records) for zone, records in ZONES.items()}
    yield server
    server.stop()


@pytest.fixture
def dns_env(nsd, monkeypatch):
    monkeypatch.setenv("LEADLOOP_DNS_SERVERS", nsd.servers)
    return nsd


def configure(tmp_path, address: str, smtp_host: str = "smtp.gmail.com", *, own_key: bytes | None = None,
              selector: str = "", reply_to: str = "") -> None:
    lines = ["[sender]", 'name = "Tienda"', f'address = "{address}"']
    if reply_to:
        lines.append(f'reply_to = "{reply_to}"')
    lines += ["[smtp]", f'host = "{smtp_host}"']
    if selector or own_key:
        lines += ["[dkim]", f'selector = "{selector or "s2026"}"']
    if own_key:
        (tmp_path / "dkim.pem").write_bytes(own_key)
        lines.append('key_file = "dkim.pem"')
    (tmp_path / "leadloop.toml").write_text("\n".join(lines) + "\n")


def check_json(run):
    result = run("check", "--dns", "--json")
    assert "Traceback" not in result.stderr
    return result.exit_code, json.loads(result.stdout)


def publish(nsd, fix: str) -> None:
    """Publish a fix as printed (`name. TYPE data`) in place of what it replaces."""
    owner, kind, data = re.match(r"(\S+)\s+(TXT|MX|CNAME)\s+(.*)", fix).groups()
    zone = next(z for z in sorted(nsd.records, key=len, reverse=True)
                if owner.rstrip(".") == z or owner.rstrip(".").endswith("." + z))
    spf = kind == "TXT" and data.startswith('"v=spf1')

    def replaced(record: str) -> bool:
        name, rtype, rdata = record.split(" ", 2)
        if name != owner:
            return False
        if kind == "TXT" and rtype in ("TXT", "CNAME"):
            return not spf or rdata.startswith('"v=spf1')
        return rtype == kind
    nsd.records[zone] = [r for r in nsd.records[zone] if not replaced(r)] + [fix]
    nsd.publish(zone, "\n".join(nsd.records[zone]))


def test_the_good_domain_passes_every_check(dns_env, run, tmp_path):
    configure(tmp_path, "info@good.example")
    code, findings = check_json(run)
    assert code == 0
    assert {f["check"] for f in findings} == {"spf", "dkim", "dmarc", "alignment", "mx"}
    assert all(f["status"] == "ok" and f["fix"] == "" for f in findings), findings
    assert all(set(f) >= {"check", "domain", "status", "detail", "fix"} for f in findings)
    text = run("check", "--dns")
    assert text.exit_code == 0
    assert re.search(r"^ok +spf +good\.example: .*includes _spf\.google\.com", text.stdout, re.M)


BROKEN = [
    # (domain, config, check, status, words in the detail)
    ("nospf.example", {}, "spf", "missing", "no SPF record"),
    ("twospf.example", {}, "spf", "wrong", "2 SPF records"),
    ("eleven.example", {}, "spf", "wrong", "needs 11 DNS look-ups"),
    ("plusall.example", {}, "spf", "wrong", "+all"),
    ("noinclude.example", {}, "spf", "wrong", "does not include _spf.google.com"),
    ("nodmarc.example", {}, "dmarc", "missing", "no DMARC record"),
    ("pnone.example", {}, "dmarc", "warning", "p=none"),
    ("nomx.example", {}, "mx", "missing", "no MX record"),
    ("weakkey.example", {"smtp_host": "mail.weakkey.example", "own_key": OWN_PEM}, "dkim", "wrong",
     "512 bits"),
    ("mismatch.example", {"smtp_host": "mail.mismatch.example", "own_key": OWN_PEM}, "dkim", "wrong",
     "not the public half of [dkim] key_file"),
    ("nokey.example", {"smtp_host": "mail.nokey.example", "own_key": OWN_PEM}, "dkim", "missing",
     "no DKIM key at s2026._domainkey.nokey.example"),
    ("ownserver.example", {"smtp_host": "mail.ownserver.example", "own_key": OWN_PEM}, "spf", "wrong",
     "198.51.100.25 (softfail)"),
]


@pytest.mark.parametrize("domain, settings, check, status, words", BROKEN,
                         ids=[case[0].split(".")[0] for case in BROKEN])
def test_each_broken_zone_gives_its_finding_and_the_fix_turns_it_ok(
        dns_env, run, tmp_path, domain, settings, check, status, words):
    configure(tmp_path, f"info@{domain}", **settings)
    code, findings = check_json(run)
    found = [f for f in findings if f["check"] == check and f["status"] == status]
    assert found, findings
    assert words in found[0]["detail"]
    assert code == (1 if status in ("missing", "wrong") else 0)
    others = [f for f in findings if f["check"] != check and f["check"] != "alignment"]
    assert all(f["status"] == "ok" for f in others), others
    fix = found[0]["fix"]
    assert fix.split()[0].rstrip(".").endswith(domain) and fix.split()[1] in ("TXT", "MX"), fix
    publish(dns_env, fix)
    code, findings = check_json(run)
    assert [f["status"] for f in findings if f["check"] == check] == ["ok"], findings
    assert code == 0, findings


def test_the_fix_for_a_second_spf_record_is_one_record_holding_both(dns_env, run, tmp_path):
    configure(tmp_path, "info@merge.example")
    code, findings = check_json(run)
    spf = [f for f in findings if f["check"] == "spf"][0]
    assert spf["fix"] == 'merge.example. TXT "v=spf1 include:_spf.google.com ip4:203.0.113.9 ~all"'
    assert code == 1


def test_microsoft_selector_cnames_are_followed(dns_env, run, tmp_path):
    configure(tmp_path, "info@cname.example", "smtp.office365.com")
    code, findings = check_json(run)
    dkim = [f for f in findings if f["check"] == "dkim"]
    assert [f["status"] for f in dkim] == ["ok", "ok"]
    assert "CNAME to selector1-cname-example._domainkey.contoso.onmicrosoft.com" in dkim[0]["detail"]
    assert code == 0


def test_from_a_free_mailbox_through_another_server_is_an_error(dns_env, run, tmp_path):
    configure(tmp_path, "ana.tienda@gmail.com", "mail.ownserver.example")
    code, findings = check_json(run)
    assert code == 1
    assert findings[0]["check"] == "free-mail" and findings[0]["status"] == "wrong"
    assert "gmail.com" in findings[0]["detail"] and "own domain" in findings[0]["fix"]
    # The fix is a config change: through Gmail's own server it is fine.
    configure(tmp_path, "ana.tienda@gmail.com", "smtp.gmail.com")
    code, findings = check_json(run)
    assert code == 0 and findings[0]["status"] == "ok"


def test_the_reply_domain_is_checked_for_mx(dns_env, run, tmp_path):
    configure(tmp_path, "info@good.example", reply_to="ventas@reply.example")
    code, findings = check_json(run)
    mx = {f["domain"]: f for f in findings if f["check"] == "mx"}
    assert mx["reply.example"]["status"] == "missing" and "replies" in mx["reply.example"]["detail"]
    assert mx["good.example"]["status"] == "ok"
    assert "unsubscribe requests" in mx["good.example"]["detail"]
    assert code == 1


def test_a_name_the_server_refuses_is_one_sentence(dns_env, run, tmp_path):
    configure(tmp_path, "info@good.example", reply_to="ventas@not-served.example")
    result = run("check", "--dns")
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert "MX not-served.example: the check cannot tell" in result.stderr


def test_dns_that_does_not_answer_is_one_sentence(run, tmp_path, monkeypatch):
    configure(tmp_path, "info@good.example")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:  # bound, never answers
        silent.bind(("127.0.0.1", 0))
        monkeypatch.setenv("LEADLOOP_DNS_SERVERS", f"127.0.0.1:{silent.getsockname()[1]}")
        result = run("check", "--dns", "--json")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 2  # "config ... ok" and the one error sentence
    assert "DNS did not answer within 3 s asking 127.0.0.1:" in result.stderr


@pytest.mark.parametrize("value", ["nonsense", "127.0.0.1:99999", "dns.example:53", ","])
def test_a_malformed_dns_servers_setting_is_exit_2(run, tmp_path, monkeypatch, value):
    configure(tmp_path, "info@good.example")
    monkeypatch.setenv("LEADLOOP_DNS_SERVERS", value)
    result = run("check", "--dns")
    assert result.exit_code == 2
    assert "LEADLOOP_DNS_SERVERS" in result.stderr and "Traceback" not in result.stderr


def test_check_dns_stores_its_result_and_run_daily_warns_once_a_day(dns_env, run, tmp_path, monkeypatch):
    configure(tmp_path, "info@remember.example")
    code, _ = check_json(run)
    assert code == 1
    monkeypatch.setenv("LEADLOOP_DNS_SERVERS", "127.0.0.1:9")  # run-daily must not look anything up
    first = run("--now", "2026-03-02T10:00", "run-daily")
    assert "check --dns" in first.stderr and "dmarc remember.example: missing" in first.stderr
    again = run("--now", "2026-03-02T16:00", "run-daily")
    assert "check --dns" not in again.stderr
    next_day = run("--now", "2026-03-03T10:00", "run-daily")
    assert "check --dns" in next_day.stderr
    # Fixed and checked again: no more reminders.
    publish(dns_env, '_dmarc.remember.example. TXT "v=DMARC1; p=reject"')
    monkeypatch.setenv("LEADLOOP_DNS_SERVERS", dns_env.servers)
    assert check_json(run)[0] == 0
    monkeypatch.setenv("LEADLOOP_DNS_SERVERS", "127.0.0.1:9")
    assert "check --dns" not in run("--now", "2026-03-04T10:00", "run-daily").stderr


# -- DKIM signing, verified by a verifier that is not the signer's code path ---------------

def _txt_from(nsd):
    """dkimpy's dnsfunc: the TXT record straight from NSD (dnspython's query, not leadloop's)."""
    import dns.message
    import dns.query

    def dnsfunc(name, timeout=5):
        name = name.decode() if isinstance(name, bytes) else name
        answer = dns.query.udp(dns.message.make_query(name, "TXT"), "127.0.0.1", port=nsd.port,
                               timeout=timeout)
        for rrset in answer.answer:
            for rdata in rrset:
                return b"".join(rdata.strings)
        return None
    return dnsfunc


def signing_project(tmp_path, server, key: bytes | None = OWN_PEM, key_file="dkim.pem"):
    lines = ["[sender]", 'name = "Tienda"', 'address = "info@signed.example"',
             'unsubscribe_url = "https://signed.example/baja"',
             "[smtp]", f'host = "{server.host}"', f"port = {server.port}", 'security = "none"',
             "[dkim]", 'selector = "s2026"', f'key_file = "{key_file}"']
    (tmp_path / "leadloop.toml").write_text("\n".join(lines) + "\n")
    if key is not None:
        (tmp_path / key_file).write_bytes(key)
    (tmp_path / "leads.csv").write_text("email,name,requested_at\n" + "".join(
        f"lead{n}@example.com,Lead Núñez {n},01/03/2026\n" for n in range(3)), encoding="utf-8")


def test_every_message_is_dkim_signed_and_verifies_against_the_published_key(
        nsd, run, tmp_path, smtp_server):
    import dkim

    signing_project(tmp_path, smtp_server)
    assert run("import", "leads.csv").exit_code == 0
    result = run("--now", "2026-03-02T10:00", "send", "--yes")
    assert result.exit_code == 0, result.stderr
    assert smtp_server.count == 3
    for received in smtp_server.messages:
        assert received.data.startswith(b"DKIM-Signature: ")
        assert dkim.verify(received.data, dnsfunc=_txt_from(nsd)), received.data[:600]
        tags = dkim.util.parse_tag_value(received.message["DKIM-Signature"].encode().replace(b"\r\n", b""))
        assert tags[b"c"] == b"relaxed/relaxed" and tags[b"d"] == b"signed.example"
        assert tags[b"s"] == b"s2026"
        signed = [h.strip().lower() for h in tags[b"h"].split(b":")]
        assert {b"from", b"to", b"subject", b"date", b"message-id", b"list-unsubscribe",
                b"list-unsubscribe-post"} <= set(signed)
        # The verifier is real: a changed subject no longer verifies.
        forged = received.data.replace(b"Subject: ", b"Subject: RE: ", 1)
        assert not dkim.verify(forged, dnsfunc=_txt_from(nsd))
    # And the published key is the one check --dns confirms.
    os.environ["LEADLOOP_DNS_SERVERS"] = nsd.servers
    try:
        code, findings = check_json(run)
    finally:
        del os.environ["LEADLOOP_DNS_SERVERS"]
    assert [f["status"] for f in findings if f["check"] == "dkim"] == ["ok"]
    assert "public half of [dkim] key_file" in [f for f in findings if f["check"] == "dkim"][0]["detail"]


@pytest.mark.parametrize("key", [None, b"-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n",
                                 b"not a key at all"], ids=["missing", "garbage", "not-pem"])
def test_a_key_file_that_cannot_sign_stops_the_send_before_anything_goes(
        run, tmp_path, smtp_server, key):
    signing_project(tmp_path, smtp_server, key=key)
    assert run("import", "leads.csv").exit_code == 0
    result = run("--now", "2026-03-02T10:00", "send", "--yes")
    assert result.exit_code == 2
    assert "[dkim] key_file" in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1
    assert smtp_server.count == 0
    assert len(json.loads(run("--now", "2026-03-02T10:00", "due", "--json").stdout)) == 3


def test_check_connect_includes_the_dns_checks_unless_no_dns(dns_env, run, tmp_path, smtp_server):
    (tmp_path / "leadloop.toml").write_text(
        '[sender]\nname = "Tienda"\naddress = "info@good.example"\nreply_to = "ventas@reply.example"\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {smtp_server.port}\nsecurity = "none"\n')
    result = run("check", "--connect")
    assert "smtp: logged in to 127.0.0.1" in result.stdout
    # A server on this machine: which address receivers see cannot be told from here.
    assert re.search(r"^warning +spf +good\.example: .*127\.0\.0\.1 is on this machine", result.stdout, re.M)
    assert re.search(r"^missing +mx +reply\.example", result.stdout, re.M)
    assert result.exit_code == 1
    logins_only = run("check", "--connect", "--no-dns")
    assert logins_only.exit_code == 0 and "spf" not in logins_only.stdout
