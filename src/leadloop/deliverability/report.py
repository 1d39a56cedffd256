"""Fetch what rules.py needs for a config, and run the rules: `check --dns`.

The domains are the sender's: From (`[sender] address`), the envelope sender (leadloop's
MAIL FROM is the same address, transport.py), the reply domain (`reply_to`, else the
address) and the unsubscribe address's domain. SPF is judged for the envelope domain,
DKIM and DMARC for the From domain, MX where answers must come back.
"""

from __future__ import annotations

import ipaddress

from . import rules
from .lookup import Lookup
from .providers import COMMON_SELECTORS, FREE_MAIL, provider_for

# Where a server's address is not the one receivers see: it relays from another.
_LOCAL_NETWORKS = tuple(ipaddress.ip_network(n) for n in (
    "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16",
    "100.64.0.0/10", "::1/128", "fc00::/7", "fe80::/10"))


def ascii_domain(address_or_domain: str) -> str:
    domain = address_or_domain.rpartition("@")[2].lower().rstrip(".")
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain


def organizational_domain(domain: str) -> str:
    """RFC 7489 §3.2 with the Public Suffix List that publicsuffixlist bundles (offline)."""
    from publicsuffixlist import PublicSuffixList

    global _PSL
    if _PSL is None:
        _PSL = PublicSuffixList()
    return _PSL.privatesuffix(domain) or domain


_PSL = None


def _is_local(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in _LOCAL_NETWORKS if network.version == ip.version)


def _spf_evaluation(lookup: Lookup, addresses: list[str], sender: str, helo: str) -> list[tuple[str, str]]:
    """Each address's SPF result, evaluated by pyspf as a receiver would (RFC 7208 §4),
    its look-ups through our resolver (pyspf's DNS driver hook, spf.DNSLookup)."""
    import spf

    saved = spf.DNSLookup
    spf.DNSLookup = lookup.for_pyspf
    try:
        return [(address, spf.check2(i=address, s=sender, h=helo)[0]) for address in addresses]
    finally:
        spf.DNSLookup = saved


def check_deliverability(config, lookup: Lookup | None = None) -> list[rules.Finding]:
    lookup = lookup or Lookup()
    sender = config.sender
    from_domain = ascii_domain(sender.address)
    envelope_domain = from_domain
    smtp_host = config.smtp.host if config.smtp else None
    provider = provider_for(smtp_host)
    findings: list[rules.Finding] = []
    owner = FREE_MAIL.get(from_domain, False)
    free = rules.free_mail_finding(from_domain, owner, provider)
    if free is not None:
        findings.append(free)
    else:
        spf = _spf(lookup, config, envelope_domain, smtp_host, provider)
        findings += spf
        dkim, dkim_domain = _dkim(lookup, config, from_domain, provider)
        findings += dkim
        dmarc_txts = lookup.txt(f"_dmarc.{from_domain}")
        found_at = from_domain
        if not _has_dmarc(dmarc_txts):
            # RFC 7489 §6.6.3: then the organizational domain's record applies (and is
            # where to publish one); the Public Suffix List is loaded only for this.
            org = organizational_domain(from_domain)
            if org != from_domain:
                dmarc_txts = lookup.txt(f"_dmarc.{org}")
            found_at = org
        findings += rules.dmarc_findings(from_domain, found_at, dmarc_txts, report_to=sender.address)
        unknown = any(f.status == rules.WARNING for f in spf + dkim if f.check in ("spf", "dkim"))
        alignment = rules.alignment_finding(
            from_domain, spf_domain=envelope_domain, spf_passes=all(f.status == rules.OK for f in spf),
            dkim_domain=dkim_domain, dkim_valid=any(f.status == rules.OK for f in dkim),
            org_of=organizational_domain, dmarc_txts=dmarc_txts)
        if alignment.failing and unknown:
            alignment = rules.Finding("alignment", from_domain, rules.WARNING,
                                      "cannot tell whether SPF or DKIM aligns with the From "
                                      "domain (see the warnings above)")
        findings.append(alignment)
    # Where answers must come back: the reply domain, and the unsubscribe address's.
    receivers: dict[str, list[str]] = {}
    receivers.setdefault(ascii_domain(sender.reply_to or sender.address), []).append("replies")
    receivers.setdefault(ascii_domain(sender.unsubscribe_address), []).append("unsubscribe requests")
    for domain, what in receivers.items():
        if domain in FREE_MAIL:
            continue  # a mailbox provider: it receives
        findings += rules.mx_findings(domain, " and ".join(what), lookup.mx(domain),
                                      lookup.addresses(domain), provider)
    return findings


def _has_dmarc(txts: list[str]) -> bool:
    return any(t.strip().startswith("v=DMARC1") for t in txts)


def _spf(lookup: Lookup, config, domain: str, smtp_host: str | None, provider) -> list[rules.Finding]:
    txts = lookup.txt(domain)
    records = rules.spf_records(txts)
    lookups, included, problem = 0, set(), None
    if len(records) == 1 and not rules.spf_syntax_error(records[0]):
        lookups, included, problem = rules.count_lookups(records[0], lookup.txt)
    evaluation, cannot_tell = None, ""
    if provider is None:
        if not smtp_host:
            cannot_tell = ("there is no [smtp] host: messages go to the outbox, and the server "
                           "that will send them is not known")
        else:
            try:
                addresses = [str(ipaddress.ip_address(smtp_host))]
            except ValueError:
                addresses = lookup.addresses(smtp_host)
            public = [address for address in addresses if not _is_local(address)]
            if not addresses:
                cannot_tell = f"{smtp_host} has no address in DNS"
            elif not public:
                cannot_tell = (f"{smtp_host} is on this machine or a private network "
                               f"({', '.join(addresses)}); receivers see the public address it "
                               "relays from: run this check where that is known, or look the "
                               "record up against it")
            else:
                evaluation = (_spf_evaluation(lookup, public, config.sender.address, smtp_host)
                              if len(records) == 1 and lookups <= rules.LOOKUP_LIMIT
                              else [(address, "none") for address in public])
    return rules.spf_findings(domain, txts, lookups=lookups, included=frozenset(included),
                              nested_problem=problem, provider=provider, evaluation=evaluation,
                              cannot_tell=cannot_tell)


def _dkim(lookup: Lookup, config, from_domain: str, provider) -> tuple[list[rules.Finding], str]:
    dkim = config.dkim
    domain = ascii_domain(dkim.domain) if dkim.domain else from_domain
    own_record, own_modulus = "", None
    if dkim.signs:
        from .signing import load_private_key, public_record

        _, key = load_private_key(dkim.key_file)
        own_record, own_modulus = public_record(key), key["modulus"]
    if dkim.selector:
        name = f"{dkim.selector}._domainkey.{domain}"
        return rules.dkim_findings(domain, dkim.selector, lookup.txt(name), cname=lookup.cname(name),
                                   own_record=own_record, own_modulus=own_modulus,
                                   provider=provider), domain
    selectors = provider.dkim_selectors if provider and provider.dkim_selectors else COMMON_SELECTORS
    findings = []
    for selector in selectors:
        name = f"{selector}._domainkey.{domain}"
        txts = lookup.txt(name)
        if any("p=" in t.replace(" ", "") for t in txts):
            findings += rules.dkim_findings(domain, selector, txts, cname=lookup.cname(name),
                                            provider=provider)
    return findings or [rules.dkim_not_found(domain, list(selectors), provider)], domain
