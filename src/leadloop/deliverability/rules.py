"""Pure rules: fetched DNS records in, findings out. No DNS here (report.py fetches),
so each rule is tested with strings.

A finding is `ok`, `warning` (mail goes, but look), `missing` or `wrong` (mail will be
refused or filed as spam: `check --dns` exits 1). Every problem carries the record to
publish, ready to paste into a DNS zone (`tienda.example. TXT "v=spf1 … ~all"`), or
where no record can fix it (a free-mail From), the change to make.

Sources: SPF RFC 7208; DKIM RFC 6376 and RFC 8301 §3.2 (keys under 1024 bits must not
be trusted); DMARC RFC 7489 (§3.1 alignment, §6.6.3 the organizational domain's record);
Gmail's sender guidelines (https://support.google.com/a/answer/81126: SPF or DKIM for
all, SPF, DKIM and DMARC with at least p=none for bulk senders, aligned From); Yahoo's
(https://senders.yahooinc.com/best-practices/).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from dataclasses import asdict, dataclass

OK, WARNING, MISSING, WRONG = "ok", "warning", "missing", "wrong"
FAILING = (MISSING, WRONG)
LOOKUP_LIMIT = 10        # RFC 7208 §4.6.4
SHORTEST_KEY_BITS = 1024  # RFC 8301 §3.2


@dataclass(frozen=True)
class Finding:
    check: str      # spf, dkim, dmarc, alignment, free-mail, mx
    domain: str
    status: str     # OK, WARNING, MISSING or WRONG
    detail: str
    fix: str = ""   # the record to publish (or the change to make); "" when ok

    @property
    def failing(self) -> bool:
        return self.status in FAILING

    def as_json(self) -> dict:
        return asdict(self)


def txt_record(name: str, text: str) -> str:
    """A TXT record as a zone file line, in strings of at most 255 bytes (RFC 1035 §3.3.14)."""
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    pieces = [text[i:i + 255] for i in range(0, len(text), 255)] or [""]
    return f'{name}. TXT ' + " ".join(f'"{piece}"' for piece in pieces)


# -- SPF (RFC 7208) -------------------------------------------------------------------------

_SPF_START = re.compile(r"v=spf1(?:\s|$)", re.IGNORECASE)
_DOMAIN_SPEC = r"[!-~]+"  # macro-string: any visible character (§7.1); checked loosely
_MECHANISM = re.compile(
    r"[+\-~?]?(?:all"
    r"|include:" + _DOMAIN_SPEC +
    r"|a(?::" + _DOMAIN_SPEC + r")?|mx(?::" + _DOMAIN_SPEC + r")?"
    r"|ptr(?::" + _DOMAIN_SPEC + r")?|exists:" + _DOMAIN_SPEC +
    r"|ip4:[!-~]+|ip6:[!-~]+)", re.IGNORECASE)  # the address is ipaddress's to judge
_MODIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_\-.]*=[!-~]*")
_QUERYING = ("include", "a", "mx", "ptr", "exists")


def spf_records(txts: list[str]) -> list[str]:
    """The TXT records that are SPF records (§4.5: those that begin "v=spf1")."""
    return [text.strip() for text in txts if _SPF_START.match(text.strip())]


def spf_terms(record: str) -> list[str]:
    return record.split()[1:]


def spf_syntax_error(record: str) -> str | None:
    """Why the record does not parse (a permerror, §4.6), or None."""
    seen_modifiers = set()
    for term in spf_terms(record):
        if _MODIFIER.fullmatch(term) and not _MECHANISM.fullmatch(term):
            name = term.split("=", 1)[0].lower()
            if name in ("redirect", "exp") and name in seen_modifiers:
                return f'"{name}=" appears twice'
            seen_modifiers.add(name)
            continue
        if not _MECHANISM.fullmatch(term):
            return f'"{term}" is not an SPF mechanism'
        kind, _, value = term.lstrip("+-~?").partition(":")
        if kind.lower() in ("ip4", "ip6"):
            try:
                network = ipaddress.ip_network(value, strict=False)
            except ValueError:
                return f'"{term}" is not an IP address or network'
            if (network.version == 4) != (kind.lower() == "ip4"):
                return f'"{term}" has an address of the other IP version'
    return None


def _mechanism(term: str) -> tuple[str, str, str]:
    """(qualifier, name, value) of a term: ("~", "all", ""), ("+", "include", "x.example")."""
    qualifier = term[0] if term[0] in "+-~?" else "+"
    body = term.lstrip("+-~?")
    if "=" in body and ":" not in body.split("=", 1)[0]:
        name, _, value = body.partition("=")
        return "", name.lower(), value
    name, _, value = body.partition(":")
    return qualifier, name.split("/")[0].lower(), value


def count_lookups(record: str, txt_of, _seen=None) -> tuple[int, set[str], str | None]:
    """(DNS-querying terms counted through nested includes and redirects (§4.6.4), every
    domain included on the way, the first problem found in a nested record or None).
    `txt_of(domain)` returns the TXT records of a domain."""
    seen = set() if _seen is None else _seen
    count, included, problem = 0, set(), None
    for term in spf_terms(record):
        qualifier, name, value = _mechanism(term)
        if name in _QUERYING or name == "redirect":
            count += 1
        if name not in ("include", "redirect") or "%" in value:
            continue  # a macro is expanded per message: it cannot be followed here
        target = value.lower().rstrip(".")
        included.add(target)
        if target in seen:
            continue  # a loop, or the same include twice: counted, not followed again
        seen.add(target)
        nested = spf_records(txt_of(target))
        if len(nested) != 1:
            problem = problem or (f"{name}:{target} has {'no' if not nested else len(nested)} "
                                  "SPF record" + ("s" if nested else "") + ", a permanent error "
                                  "for receivers (RFC 7208 §5.2)")
            continue
        inner_count, inner_included, inner_problem = count_lookups(nested[0], txt_of, seen)
        count += inner_count
        included |= inner_included
        problem = problem or inner_problem
    return count, included, problem


def _all_term(record: str) -> str | None:
    for term in spf_terms(record):
        qualifier, name, _ = _mechanism(term)
        if name == "all":
            return qualifier
    return None


def suggested_spf(records: list[str], *, include: str = "", addresses: tuple[str, ...] = (),
                  only_needed: bool = False) -> str:
    """One SPF record: the terms of those published (merged when there are several),
    without a +all, with the provider's include and the server's addresses added, ending
    in ~all (or the -all already there). `only_needed` keeps only addresses and the
    provider's include, for a record over the look-up limit."""
    terms, endings, redirect = [], set(), None
    for record in records:
        for term in spf_terms(record):
            qualifier, name, _ = _mechanism(term)
            if name == "all":
                endings.add(qualifier)
                continue
            if name == "redirect":
                redirect = term
                continue
            if only_needed and name not in ("ip4", "ip6"):
                continue
            if term.lower() not in (t.lower() for t in terms):
                terms.append(term)
    for address in addresses:
        term = ("ip6:" if ":" in address else "ip4:") + address
        if term not in terms:
            terms.append(term)
    if include and f"include:{include}" not in (t.lower() for t in terms):
        terms.append(f"include:{include}")
    # -all only where every record said so: merging never makes a record stricter.
    ending = "-all" if endings == {"-"} else "~all"
    if redirect and not include and not addresses:
        return " ".join(["v=spf1", *terms, redirect])
    return " ".join(["v=spf1", *terms, ending])


def spf_findings(domain: str, txts: list[str], *, lookups: int = 0, included: frozenset = frozenset(),
                 nested_problem: str | None = None, provider=None, evaluation=None,
                 cannot_tell: str = "") -> list[Finding]:
    """SPF for the envelope sender's domain.

    `provider`: the Provider the SMTP host belongs to (its include must be in the record,
    at any depth); `evaluation`: for the user's own server, [(address, result)] from
    evaluating the record as receivers do (pyspf); `cannot_tell`: why neither applies."""
    records = spf_records(txts)
    include = provider.spf_include if provider else ""
    addresses = tuple(address for address, result in (evaluation or []) if result != "pass")
    if not records:
        fix = suggested_spf([], include=include, addresses=addresses) if (include or addresses) else \
            "v=spf1 a mx ~all"
        how = "" if (include or addresses) else (" (the record below allows this domain's own "
                                                  "servers: add those that send your mail)")
        return [Finding("spf", domain, MISSING, "no SPF record: receivers cannot tell which "
                        "servers may send for this domain, and Gmail and Yahoo refuse or file "
                        "such mail as spam" + how, txt_record(domain, fix))]
    if len(records) > 1:
        return [Finding("spf", domain, WRONG, f"{len(records)} SPF records: receivers treat more "
                        "than one as a permanent error, as if there were none (RFC 7208 §4.5); "
                        "publish one that holds them all, and delete the others",
                        txt_record(domain, suggested_spf(records, include=include, addresses=addresses)))]
    record = records[0]
    error = spf_syntax_error(record)
    if error:
        return [Finding("spf", domain, WRONG, f"the SPF record does not parse: {error}; receivers "
                        "treat it as a permanent error (RFC 7208 §4.6)",
                        txt_record(domain, suggested_spf([], include=include, addresses=addresses)
                                   if include or addresses else "v=spf1 a mx ~all"))]
    findings = []
    if nested_problem:
        findings.append(Finding("spf", domain, WRONG, nested_problem,
                                txt_record(domain, suggested_spf(records, include=include,
                                                                 addresses=addresses, only_needed=True))))
    if lookups > LOOKUP_LIMIT:
        findings.append(Finding(
            "spf", domain, WRONG,
            f"the SPF record needs {lookups} DNS look-ups counting its includes; receivers stop "
            f"at {LOOKUP_LIMIT} with a permanent error (RFC 7208 §4.6.4): remove the includes of "
            "services that no longer send for you",
            txt_record(domain, suggested_spf(records, include=include, addresses=addresses,
                                             only_needed=True))))
    if _all_term(record) == "+":
        findings.append(Finding("spf", domain, WRONG, "the SPF record ends in +all: it lets every "
                                "server on the internet send as this domain, and receivers distrust it",
                                txt_record(domain, suggested_spf(records, include=include,
                                                                 addresses=addresses))))
    if findings:
        return findings
    counted = f"{lookups} of {LOOKUP_LIMIT} DNS look-ups"
    if provider:
        if include.lower() in included:
            return [Finding("spf", domain, OK, f"one SPF record, {counted}; it includes "
                            f"{include} ({provider.name})")]
        return [Finding("spf", domain, WRONG, f"the SPF record does not include {include}, which "
                        f"{provider.name} asks for ({provider.docs}): receivers will find its "
                        "servers not allowed to send for this domain",
                        txt_record(domain, suggested_spf(records, include=include)))]
    if evaluation:
        refused = [f"{address} ({result})" for address, result in evaluation if result != "pass"]
        if refused:
            return [Finding("spf", domain, WRONG, "the SPF record does not allow the SMTP server's "
                            f"address{'es' if len(refused) > 1 else ''} {', '.join(refused)}, "
                            "evaluated as receivers do",
                            txt_record(domain, suggested_spf(records, addresses=addresses)))]
        allowed = ", ".join(address for address, _ in evaluation)
        return [Finding("spf", domain, OK, f"one SPF record, {counted}; it allows the SMTP "
                        f"server ({allowed})")]
    return [Finding("spf", domain, WARNING, f"one SPF record, {counted}; cannot tell whether it "
                    f"allows the server that sends: {cannot_tell}")]


# -- DKIM (RFC 6376) -------------------------------------------------------------------------

def dkim_tags(record: str) -> dict[str, str]:
    """The tag=value pairs of a DKIM key record (RFC 6376 §3.6.1), whitespace removed."""
    tags = {}
    for part in record.split(";"):
        name, sep, value = part.partition("=")
        if sep:
            tags[name.strip().lower()] = re.sub(r"\s+", "", value)
    return tags


def public_key_bits(p_value: str) -> int:
    """The size of an RSA public key in a DKIM record's p= (base64 SubjectPublicKeyInfo,
    or a bare RSAPublicKey as some tools publish). ValueError when it does not parse."""
    from dkim.crypto import UnparsableKeyError, parse_public_key

    try:
        der = base64.b64decode(p_value, validate=True)
        return parse_public_key(der)["modulus"].bit_length()
    except (binascii.Error, UnparsableKeyError, KeyError, IndexError, TypeError) as err:
        raise ValueError(str(err) or "not a key") from None


def public_key_modulus(p_value: str) -> int | None:
    from dkim.crypto import UnparsableKeyError, parse_public_key

    try:
        return parse_public_key(base64.b64decode(p_value, validate=True))["modulus"]
    except (binascii.Error, UnparsableKeyError, KeyError, IndexError, TypeError):
        return None


def dkim_findings(domain: str, selector: str, txts: list[str], *, cname: str | None = None,
                  own_record: str = "", own_modulus: int | None = None, provider=None) -> list[Finding]:
    """The key published at `selector._domainkey.domain`. `own_record`/`own_modulus`: the
    record for, and the modulus of, [dkim] key_file when leadloop signs itself."""
    name = f"{selector}._domainkey.{domain}"
    where = f"{name}" + (f" (CNAME to {cname})" if cname else "")
    records = [t for t in txts if "p=" in t.replace(" ", "")]
    fix = txt_record(name, own_record) if own_record else (
        f"publish the DKIM key {provider.name} gives you at {name} ({provider.docs})" if provider
        else f"publish your provider's DKIM key at {name} (in its domain-authentication settings)")
    if not records:
        return [Finding("dkim", domain, MISSING, f"no DKIM key at {where}: messages signed with "
                        f"selector {selector} cannot be verified", fix)]
    if len(records) > 1:
        return [Finding("dkim", domain, WRONG, f"{len(records)} DKIM keys at {where}: verifiers "
                        "may pick either; publish one", fix)]
    tags = dkim_tags(records[0])
    if tags.get("v", "DKIM1") != "DKIM1":
        return [Finding("dkim", domain, WRONG, f"the record at {where} starts v={tags['v']}, not "
                        "v=DKIM1 (RFC 6376 §3.6.1)", fix)]
    if not tags.get("p"):
        return [Finding("dkim", domain, WRONG, f"the key at {where} is revoked (empty p=)", fix)]
    kind = tags.get("k", "rsa").lower()
    if kind == "ed25519":
        return [Finding("dkim", domain, OK, f"an Ed25519 key at {where} (RFC 8463)")]
    if kind != "rsa":
        return [Finding("dkim", domain, WRONG, f"the key at {where} has k={kind}, which verifiers "
                        "do not know", fix)]
    try:
        bits = public_key_bits(tags["p"])
    except ValueError:
        return [Finding("dkim", domain, WRONG, f"the key at {where} does not parse as an RSA "
                        "public key", fix)]
    if bits < SHORTEST_KEY_BITS:
        weak_fix = fix if own_record and own_modulus and own_modulus.bit_length() >= SHORTEST_KEY_BITS \
            else (f"generate a 2048-bit key (openssl genrsa -out dkim.pem 2048), set [dkim] key_file "
                  f"to it and run check --dns again for the record to publish at {name}"
                  if own_record or not provider else
                  f"ask {provider.name} for a 2048-bit key and publish it at {name}")
        return [Finding("dkim", domain, WRONG, f"the key at {where} has {bits} bits: verifiers "
                        f"ignore keys under {SHORTEST_KEY_BITS} bits (RFC 8301 §3.2), as if the "
                        "message were not signed", weak_fix)]
    if own_modulus is not None and public_key_modulus(tags["p"]) != own_modulus:
        return [Finding("dkim", domain, WRONG, f"the key at {where} is not the public half of "
                        "[dkim] key_file: every signature leadloop makes will fail", fix)]
    matched = ", the public half of [dkim] key_file" if own_modulus is not None else ""
    return [Finding("dkim", domain, OK, f"a {bits}-bit key at {where}{matched}")]


def dkim_not_found(domain: str, tried: list[str], provider=None) -> Finding:
    """No selector configured and none of the usual ones has a key: cannot tell."""
    who = f"{provider.name}'s usual selectors" if provider else "the usual selectors"
    return Finding("dkim", domain, WARNING,
                   f"no DKIM key under {who} ({', '.join(tried) or 'none known'}); if your "
                   "provider signs with another selector, set [dkim] selector to it so this "
                   "check can verify the key",
                   (f"publish the DKIM key {provider.name} gives you ({provider.docs}) and set "
                    "[dkim] selector") if provider else
                   "publish your provider's DKIM key and set [dkim] selector to its selector")


# -- DMARC (RFC 7489) ------------------------------------------------------------------------

def dmarc_tags(record: str) -> dict[str, str]:
    tags = {}
    for part in record.split(";"):
        name, sep, value = part.partition("=")
        if sep:
            tags[name.strip().lower()] = value.strip()
    return tags


def dmarc_findings(domain: str, found_at: str, txts: list[str], *, report_to: str) -> list[Finding]:
    """The DMARC record that applies to mail From `domain`: at _dmarc.domain, else at
    _dmarc of its organizational domain (`found_at`, RFC 7489 §6.6.3)."""
    records = [t for t in txts if re.match(r"v\s*=\s*DMARC1\s*(;|$)", t.strip())]
    fix = txt_record(f"_dmarc.{found_at}", f"v=DMARC1; p=quarantine; rua=mailto:{report_to}")
    if not records:
        return [Finding("dmarc", domain, MISSING, f"no DMARC record at _dmarc.{found_at}: Gmail "
                        "and Yahoo require one from bulk senders, and Microsoft from high-volume "
                        "senders (p=none at least)", fix)]
    if len(records) > 1:
        return [Finding("dmarc", domain, WRONG, f"{len(records)} DMARC records at _dmarc.{found_at}: "
                        "receivers then apply none (RFC 7489 §6.6.3); publish one", fix)]
    tags = dmarc_tags(records[0])
    policy = tags.get("p", "").lower()
    if policy not in ("none", "quarantine", "reject"):
        return [Finding("dmarc", domain, WRONG, f"the DMARC record at _dmarc.{found_at} has no valid "
                        "p= (none, quarantine or reject): receivers ignore it", fix)]
    if policy == "none":
        return [Finding("dmarc", domain, WARNING, f"DMARC at _dmarc.{found_at} with p=none: Gmail's "
                        "minimum, accepted, but it asks receivers to do nothing with mail that "
                        "fails; once the reports show your mail passes, move to p=quarantine",
                        txt_record(f"_dmarc.{found_at}", records[0].replace(
                            tags.get("p", "none"), "quarantine", 1)
                            if re.search(r"p\s*=\s*none", records[0], re.I) else
                            f"v=DMARC1; p=quarantine; rua=mailto:{report_to}"))]
    return [Finding("dmarc", domain, OK, f"DMARC at _dmarc.{found_at} with p={policy}")]


def strict(txts: list[str], tag: str) -> bool:
    for text in txts:
        if text.strip().startswith("v=DMARC1"):
            return dmarc_tags(text).get(tag, "r").lower() == "s"
    return False


def aligned(one: str, other: str, org_of, strict_mode: bool) -> bool:
    """RFC 7489 §3.1: the same domain (strict), or the same organizational domain (relaxed)."""
    one, other = one.lower().rstrip("."), other.lower().rstrip(".")
    # The same name needs no Public Suffix List (loading it costs ~0.2 s: BENCH B10).
    return one == other or (not strict_mode and org_of(one) == org_of(other))


def alignment_finding(from_domain: str, *, spf_domain: str, spf_passes: bool, dkim_domain: str,
                      dkim_valid: bool, org_of, dmarc_txts: list[str]) -> Finding:
    """DMARC passes when SPF passes for an aligned envelope domain or DKIM verifies for an
    aligned d= (RFC 7489 §3.1, §4.2)."""
    spf_ok = spf_passes and aligned(spf_domain, from_domain, org_of, strict(dmarc_txts, "aspf"))
    dkim_ok = dkim_valid and aligned(dkim_domain, from_domain, org_of, strict(dmarc_txts, "adkim"))
    if spf_ok and dkim_ok:
        return Finding("alignment", from_domain, OK, f"SPF ({spf_domain}) and DKIM (d={dkim_domain}) "
                       "both align with the From domain")
    if spf_ok or dkim_ok:
        which, other = ("SPF", "DKIM") if spf_ok else ("DKIM", "SPF")
        return Finding("alignment", from_domain, OK, f"{which} aligns with the From domain "
                       f"(enough for DMARC); {other} does not, or could not be verified")
    return Finding("alignment", from_domain, WRONG,
                   "neither SPF nor DKIM will pass for a domain aligned with the From domain, so "
                   "DMARC fails and receivers that enforce it refuse the mail",
                   "fix the SPF and DKIM findings above")


# -- From a free mailbox --------------------------------------------------------------------

def free_mail_finding(from_domain: str, owner, provider) -> Finding | None:
    """From gmail.com (or another free mailbox) through a server that is not its own: the
    domain's DMARC policy makes receivers refuse it (https://support.google.com/a/answer/81126)."""
    if owner is False:
        return None
    if owner is not None and provider is owner:
        return Finding("free-mail", from_domain, OK, f"From {from_domain} through {owner.name}'s "
                       "own server: it signs and authorizes that mail itself")
    through = f"through {provider.name}" if provider else "through a server that is not its own"
    return Finding("free-mail", from_domain, WRONG,
                   f"From an address at {from_domain} {through}: {from_domain} publishes a DMARC "
                   "policy that makes receivers refuse or file such mail as spam",
                   "send From an address at your own domain (and publish its records), or "
                   f"through {from_domain}'s own SMTP server" + (
                       f" ({owner.smtp_hosts[0]})" if owner else ""))


# -- MX: can answers come back? --------------------------------------------------------------

def mx_findings(domain: str, what: str, mx: list[tuple[int, str]], addresses: list[str],
                provider=None) -> list[Finding]:
    if len(mx) == 1 and mx[0][1] in ("", "."):
        return [Finding("mx", domain, WRONG, f"{domain} publishes a null MX (RFC 7505): it "
                        f"accepts no mail, so {what} cannot arrive",
                        f"{domain}. MX {provider.mx if provider and provider.mx else '10 mail.' + domain + '.'}")]
    if mx:
        hosts = ", ".join(host for _, host in mx[:3])
        return [Finding("mx", domain, OK, f"{what} arrive: MX {hosts}")]
    fix = f"{domain}. MX {provider.mx}" if provider and provider.mx else f"{domain}. MX 10 mail.{domain}."
    host = "" if provider and provider.mx else f" (in the record below, put your mail host for mail.{domain})"
    if addresses:
        return [Finding("mx", domain, WARNING, f"no MX record: {what} go to the address of "
                        f"{domain} itself (RFC 5321 §5.1), which many senders refuse to do{host}", fix)]
    return [Finding("mx", domain, MISSING, f"no MX record and no address: {what} cannot "
                    f"arrive{host}", fix)]
