"""The pure rules of `check --dns` (deliverability/rules.py), the config keys of DKIM, and
that nothing of it loads where it is not used. The same rules against a real DNS server:
tests/dnsserver/test_dns_check.py."""

from __future__ import annotations

import subprocess
import sys

import pytest

from leadloop.deliverability import rules
from leadloop.deliverability.lookup import parse_servers
from leadloop.deliverability.providers import provider_for
from leadloop.deliverability.report import organizational_domain
from leadloop.errors import ConfigError

# -- start-up stays light (BENCH B2, B4) ------------------------------------------------------

HEAVY = ("dns", "spf", "dkim", "publicsuffixlist", "leadloop.deliverability")


@pytest.mark.parametrize("args", [["--version"], ["due", "--json"]])
def test_version_and_due_import_nothing_of_the_dns_checks(tmp_path, args):
    (tmp_path / "leadloop.toml").write_text('[dkim]\nselector = "s1"\nkey_file = "dkim.pem"\n')
    code = ("import sys, runpy; sys.argv = ['leadloop'] + sys.argv[1:]\n"
            "try:\n    runpy.run_module('leadloop', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY[:4]!r} "
            "or m.startswith('leadloop.deliverability')), file=sys.stderr)")
    loaded = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                            cwd=tmp_path)
    assert loaded.stderr.strip().splitlines()[-1] == "[]", loaded.stderr


# -- LEADLOOP_DNS_SERVERS ----------------------------------------------------------------------

def test_dns_servers_take_ports_and_ipv6():
    assert parse_servers("127.0.0.1:5353, [::1]:53,192.0.2.53") == [
        ("127.0.0.1", 5353), ("::1", 53), ("192.0.2.53", 53)]


@pytest.mark.parametrize("value", ["ns1.example:53", "127.0.0.1:0", "127.0.0.1:x", "", " , "])
def test_dns_servers_that_are_not_host_port_are_refused(value):
    with pytest.raises(ConfigError, match="LEADLOOP_DNS_SERVERS"):
        parse_servers(value)


# -- SPF -----------------------------------------------------------------------------------------

def test_spf_records_are_only_those_starting_v_spf1():
    assert rules.spf_records(["google-site-verification=x", "v=spf1 -all", "v=spf10 x",
                              "V=SPF1 mx ~all"]) == ["v=spf1 -all", "V=SPF1 mx ~all"]


@pytest.mark.parametrize("record, problem", [
    ("v=spf1 include:_spf.google.com ~all", None),
    ("v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a mx:mail.example -all", None),
    ("v=spf1 redirect=_spf.example", None),
    ("v=spf1 include _spf.google.com ~all", '"include" is not an SPF mechanism'),
    ("v=spf1 ip4:192.0.2.300 ~all", "not an IP address"),
    ("v=spf1 ip4:2001:db8::1 ~all", "other IP version"),
    ("v=spf1 redirect=a.example redirect=b.example", "appears twice"),
    ("v=spf1 ~al", "not an SPF mechanism"),
])
def test_spf_syntax(record, problem):
    found = rules.spf_syntax_error(record)
    assert (found is None) if problem is None else (problem in found)


def _txt_of(zone: dict):
    return lambda name: zone.get(name, [])


def test_lookups_are_counted_through_nested_includes():
    zone = {"a.example": ["v=spf1 include:b.example mx ~all"],
            "b.example": ["v=spf1 a exists:%{i}.x.example ip4:192.0.2.1 -all"]}
    count, included, problem = rules.count_lookups(
        "v=spf1 ip4:198.51.100.1 include:a.example ptr ~all", _txt_of(zone))
    assert (count, included, problem) == (6, {"a.example", "b.example"}, None)


def test_an_include_loop_is_counted_once_and_ends():
    zone = {"a.example": ["v=spf1 include:b.example ~all"], "b.example": ["v=spf1 include:a.example ~all"]}
    count, _, _ = rules.count_lookups("v=spf1 include:a.example ~all", _txt_of(zone))
    assert count == 3


def test_an_include_without_a_record_is_a_permanent_error():
    _, _, problem = rules.count_lookups("v=spf1 include:gone.example ~all", _txt_of({}))
    assert "include:gone.example has no SPF record" in problem
    findings = rules.spf_findings("t.example", ["v=spf1 include:gone.example ~all"], lookups=1,
                                  nested_problem=problem, cannot_tell="x")
    assert findings[0].status == rules.WRONG
    assert findings[0].fix == 't.example. TXT "v=spf1 ~all"'


def test_the_suggested_record_keeps_addresses_and_never_widens():
    assert rules.suggested_spf(["v=spf1 ip4:192.0.2.1 include:old.example +all"], include="_spf.google.com") \
        == "v=spf1 ip4:192.0.2.1 include:old.example include:_spf.google.com ~all"
    assert rules.suggested_spf(["v=spf1 a mx include:x.example ip6:2001:db8::1 -all"],
                               include="spf.brevo.com", only_needed=True) \
        == "v=spf1 ip6:2001:db8::1 include:spf.brevo.com -all"
    assert rules.suggested_spf([], addresses=("198.51.100.7", "2001:db8::25")) \
        == "v=spf1 ip4:198.51.100.7 ip6:2001:db8::25 ~all"


def test_a_long_record_is_split_into_strings_of_255():
    line = rules.txt_record("t.example", "v=spf1 " + "ip4:192.0.2.1 " * 30 + "-all")
    strings = line.split(" TXT ", 1)[1]
    assert strings.count('" "') == 1 and all(len(part) <= 257 for part in strings.split(" \""))


def test_spf_that_allows_the_server_is_ok_and_one_that_does_not_is_wrong():
    ok = rules.spf_findings("t.example", ["v=spf1 ip4:198.51.100.7 -all"], lookups=0,
                            evaluation=[("198.51.100.7", "pass")])
    assert ok[0].status == rules.OK and not ok[0].fix
    wrong = rules.spf_findings("t.example", ["v=spf1 mx -all"], lookups=1,
                               evaluation=[("198.51.100.7", "fail")])
    assert wrong[0].status == rules.WRONG
    assert wrong[0].fix == 't.example. TXT "v=spf1 mx ip4:198.51.100.7 -all"'


def test_spf_without_a_known_server_says_it_cannot_tell():
    found = rules.spf_findings("t.example", ["v=spf1 mx -all"], lookups=1,
                               cannot_tell="there is no [smtp] host")
    assert found[0].status == rules.WARNING and "cannot tell" in found[0].detail


# -- providers and domains ---------------------------------------------------------------------

@pytest.mark.parametrize("host, name", [
    ("smtp.gmail.com", "Google"), ("SMTP.Office365.com", "Microsoft"),
    ("email-smtp.eu-west-1.amazonaws.com", "Amazon SES"), ("smtp-relay.brevo.com", "Brevo"),
    ("smtp.eu.mailgun.org", "Mailgun"), ("smtp.ionos.es", "IONOS"), ("ssl0.ovh.net", "OVH"),
    ("mail.tienda.example", None), ("127.0.0.1", None), (None, None),
])
def test_providers_are_known_by_their_smtp_host(host, name):
    provider = provider_for(host)
    assert (provider is None) if name is None else name in provider.name


def test_the_organizational_domain_comes_from_the_public_suffix_list():
    assert organizational_domain("news.tienda.co.uk") == "tienda.co.uk"
    assert organizational_domain("mail.tienda.es") == "tienda.es"
    assert organizational_domain("x.tienda.example") == "tienda.example"


# -- DKIM ----------------------------------------------------------------------------------------

def test_dkim_keys_that_cannot_be_used():
    revoked = rules.dkim_findings("t.example", "s1", ["v=DKIM1; k=rsa; p="])
    assert revoked[0].status == rules.WRONG and "revoked" in revoked[0].detail
    garbage = rules.dkim_findings("t.example", "s1", ["v=DKIM1; p=bm90IGEga2V5"])
    assert garbage[0].status == rules.WRONG and "does not parse" in garbage[0].detail
    unknown = rules.dkim_findings("t.example", "s1", ["v=DKIM1; k=dsa; p=AAAA"])
    assert "k=dsa" in unknown[0].detail
    assert rules.dkim_findings("t.example", "s1", [])[0].status == rules.MISSING
    ed = rules.dkim_findings("t.example", "s1", ["v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="])
    assert ed[0].status == rules.OK


# -- DMARC and alignment -------------------------------------------------------------------------

def test_dmarc_records():
    assert rules.dmarc_findings("t.example", "t.example", ["v=DMARC1; p=reject"], report_to="a@t.example")[0] \
        .status == rules.OK
    two = rules.dmarc_findings("t.example", "t.example", ["v=DMARC1; p=none", "v=DMARC1; p=reject"],
                               report_to="a@t.example")
    assert two[0].status == rules.WRONG
    bad = rules.dmarc_findings("t.example", "t.example", ["v=DMARC1; rua=mailto:a@t.example"],
                               report_to="a@t.example")
    assert bad[0].status == rules.WRONG and "p=" in bad[0].detail
    none = rules.dmarc_findings("news.t.example", "t.example", ["v=DMARC1; p=none; rua=mailto:x@t.example"],
                                report_to="a@t.example")
    assert none[0].status == rules.WARNING
    assert none[0].fix == '_dmarc.t.example. TXT "v=DMARC1; p=quarantine; rua=mailto:x@t.example"'


def test_alignment_relaxed_and_strict():
    org = organizational_domain
    relaxed = rules.alignment_finding("t.example", spf_domain="t.example", spf_passes=False,
                                      dkim_domain="mail.t.example", dkim_valid=True, org_of=org,
                                      dmarc_txts=["v=DMARC1; p=reject"])
    assert relaxed.status == rules.OK
    strict = rules.alignment_finding("t.example", spf_domain="t.example", spf_passes=False,
                                     dkim_domain="mail.t.example", dkim_valid=True, org_of=org,
                                     dmarc_txts=["v=DMARC1; p=reject; adkim=s"])
    assert strict.status == rules.WRONG


def test_free_mail_from_through_another_server():
    from leadloop.deliverability.providers import FREE_MAIL

    google = FREE_MAIL["gmail.com"]
    assert rules.free_mail_finding("gmail.com", google, provider_for("smtp.gmail.com")).status == rules.OK
    wrong = rules.free_mail_finding("gmail.com", google, provider_for("smtp-relay.brevo.com"))
    assert wrong.status == rules.WRONG and "through Brevo" in wrong.detail
    assert rules.free_mail_finding("proton.me", None, None).status == rules.WRONG
    assert rules.free_mail_finding("tienda.example", False, None) is None


def test_null_mx_and_no_mx():
    assert rules.mx_findings("t.example", "replies", [(0, ".")], [])[0].status == rules.WRONG
    assert rules.mx_findings("t.example", "replies", [], ["192.0.2.1"])[0].status == rules.WARNING
    missing = rules.mx_findings("t.example", "replies", [], [], provider_for("smtp.gmail.com"))
    assert missing[0].status == rules.MISSING and missing[0].fix == "t.example. MX 1 smtp.google.com."


# -- config ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("toml, words", [
    ('[dkim]\nkey_file = "dkim.pem"\n', "selector is not"),
    ('[dkim]\nselector = "bad selector"\n', "must be a DKIM selector"),
    ('[dkim]\nselector = "s1"\n[sender]\ndkim_selector = "s2"\n', "disagree"),
    ('[dkim]\nselector = 7\n', "must be a string"),
    ('[dkim]\nsigner = "x"\n', "unknown key [dkim] signer"),
])
def test_dkim_config_mistakes_are_exit_2(tmp_path, run, toml, words):
    (tmp_path / "leadloop.toml").write_text(toml)
    result = run("check")
    assert result.exit_code == 2
    assert words in result.stderr and "Traceback" not in result.stderr


def test_the_issue_spelling_sender_dkim_selector_is_accepted(tmp_path):
    from leadloop.config import load_config

    (tmp_path / "leadloop.toml").write_text('[sender]\ndkim_selector = "google"\n')
    config = load_config(tmp_path / "leadloop.toml")
    assert config.dkim.selector == "google" and not config.dkim.signs


def test_json_without_dns_is_a_usage_error(tmp_path, run):
    (tmp_path / "leadloop.toml").write_text("")
    result = run("check", "--json")
    assert result.exit_code == 2 and "--dns" in result.stderr


# -- DKIM signing ----------------------------------------------------------------------------------

def test_openssl_signs_the_same_bytes_as_dkimpy_and_verifies(tmp_path):
    """RSASSA-PKCS1-v1_5 is deterministic: OpenSSL's signature must equal dkimpy's own."""
    import hashlib

    import dkim
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from leadloop.deliverability.signing import Signer, load_private_key, public_record
    from leadloop.message import build

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (tmp_path / "dkim.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption()))
    signer = Signer("s1", "tienda.example", tmp_path / "dkim.pem")
    fast = dkim.RSASSA_PKCS1_v1_5_sign
    assert fast.openssl
    _, parsed = load_private_key(tmp_path / "dkim.pem")
    for text in (b"", b"hola", b"x" * 1000):
        assert fast(hashlib.sha256(text), parsed) == fast.pure(hashlib.sha256(text), parsed)
    from datetime import datetime, timezone

    outgoing = build(from_name="Tienda Núñez", from_address="info@tienda.example", to_name="Ana",
                     to_address="ana@example.org", subject="Información", message_id="<1@tienda.example>",
                     date=datetime(2026, 3, 2, 10, tzinfo=timezone.utc), text="Hola Ana,\n\n-- \nTienda\n",
                     list_unsubscribe="<https://tienda.example/baja/x>", one_click=True)
    signed = signer.sign(outgoing)
    record = public_record(parsed).encode()
    assert dkim.verify(signed.data, dnsfunc=lambda name, timeout=5: record)
    assert signed.chunks[0].endswith(outgoing.chunks[0]) and signed.recipient == outgoing.recipient
