"""DNS look-ups for `check --dns`, through dnspython.

Servers come from LEADLOOP_DNS_SERVERS (`host:port,host:port`, IP addresses; the port
defaults to 53) when it is set, for tests against a local server and for split-horizon
networks where the system resolver sees a different internal view; else from the system
resolver (/etc/resolv.conf). Every look-up gives up after a few seconds: `check --dns`
runs before cron is trusted, and a hung resolver must be a sentence, not a hang.

A name that does not exist and a name without records of that type are both "nothing
published" (an empty list); a server that does not answer, or answers with an error,
is DnsUnreachable: the check cannot tell, and says so instead of guessing.
"""

from __future__ import annotations

import ipaddress
import os

import dns.exception
import dns.name
import dns.nameserver
import dns.rdatatype
import dns.resolver

from ..errors import ConfigError, LeadloopError

SERVERS_ENV = "LEADLOOP_DNS_SERVERS"
TIMEOUT = 3.0  # seconds for one look-up, all servers and retries included


class DnsUnreachable(LeadloopError):
    """DNS could not be asked: the check cannot tell anything (exit 1)."""

    exit_code = 1


def parse_servers(text: str) -> list[tuple[str, int]]:
    """`127.0.0.1:5353,[::1]:53,192.0.2.53` → [(address, port), ...]."""
    servers = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        host, port = item, "53"
        if item.startswith("["):
            host, _, rest = item[1:].partition("]")
            port = rest.removeprefix(":") or "53"
        elif item.count(":") == 1:
            host, port = item.split(":")
        try:
            ipaddress.ip_address(host)
            number = int(port)
            if not 0 < number < 65536:
                raise ValueError
        except ValueError:
            raise ConfigError(f'{SERVERS_ENV}: "{item}" is not host:port with an IP address '
                              'and a port (like "127.0.0.1:5353" or "[::1]:53")') from None
        servers.append((host, number))
    if not servers:
        raise ConfigError(f'{SERVERS_ENV} is set but names no server (like "127.0.0.1:5353")')
    return servers


class Lookup:
    """Cached look-ups of the record types the checks need."""

    def __init__(self, servers: list[tuple[str, int]] | None = None, timeout: float = TIMEOUT):
        if servers is None and os.environ.get(SERVERS_ENV):
            servers = parse_servers(os.environ[SERVERS_ENV])
        if servers:
            resolver = dns.resolver.Resolver(configure=False)
            resolver.nameservers = [dns.nameserver.Do53Nameserver(host, port) for host, port in servers]
            self.where = ", ".join(f"{host}:{port}" for host, port in servers) + f" from {SERVERS_ENV}"
            self.hint = f"check that server, or {SERVERS_ENV}"
        else:
            try:
                resolver = dns.resolver.Resolver()
            except dns.resolver.NoResolverConfiguration:
                raise DnsUnreachable("DNS cannot be asked: this machine has no resolver configured "
                                     f"(/etc/resolv.conf); set {SERVERS_ENV}") from None
            self.where = "the system resolver"
            self.hint = f"check the network, or name a DNS server in {SERVERS_ENV} (host:port)"
        resolver.timeout = resolver.lifetime = timeout
        self.resolver = resolver
        self.queries = 0
        self._cache: dict[tuple[str, str], list] = {}

    def _answer(self, name: str, rdtype: str) -> list:
        key = (name.lower().rstrip("."), rdtype)
        if key in self._cache:
            return self._cache[key]
        self.queries += 1
        try:
            answer = list(self.resolver.resolve(key[0] + ".", rdtype, search=False))
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            answer = []
        except dns.resolver.LifetimeTimeout:
            raise DnsUnreachable(f"DNS did not answer within {self.resolver.lifetime:g} s "
                                 f"asking {self.where} for {rdtype} {key[0]}: {self.hint}") from None
        except dns.resolver.NoNameservers:
            raise DnsUnreachable(f"DNS answered with an error asking {self.where} for {rdtype} "
                                 f"{key[0]}: the check cannot tell; try again later, or {self.hint}") from None
        except (dns.exception.DNSException, OSError) as err:
            raise DnsUnreachable(f"DNS cannot be asked ({self.where}) for {rdtype} {key[0]}: "
                                 f"{err}; {self.hint}") from None
        self._cache[key] = answer
        return answer

    def takes_mail(self, name: str) -> bool:
        """Whether a domain has somewhere to deliver mail (RFC 5321 §5.1): an MX other
        than a null MX (RFC 7505), else an address record, the implicit MX. A name that
        does not exist, or has neither, has none: what a relay says when it answers that
        the domain was "not found". DnsUnreachable when DNS cannot tell."""
        exchanges = self.mx(name)
        if exchanges:
            return any(host != "." for _, host in exchanges)
        return bool(self.addresses(name))

    def txt(self, name: str, _hops: int = 0) -> list[str]:
        """Every TXT record at name, its strings joined (RFC 7208 §3.3). A CNAME is
        followed (Microsoft's and SendGrid's DKIM selectors are CNAMEs into their own
        domains), as a recursive resolver would when the server answering does not."""
        answer = self._answer(name, "TXT")
        if not answer and _hops < 8:
            target = self.cname(name)
            if target:
                return self.txt(target, _hops + 1)
        return [b"".join(rdata.strings).decode("utf-8", "replace") for rdata in answer]

    def mx(self, name: str) -> list[tuple[int, str]]:
        """(preference, host) of each MX; a null MX (RFC 7505) has the host "."."""
        return sorted((rdata.preference, "." if rdata.exchange == dns.name.root
                       else rdata.exchange.to_text(omit_final_dot=True))
                      for rdata in self._answer(name, "MX"))

    def addresses(self, name: str) -> list[str]:
        return ([rdata.address for rdata in self._answer(name, "A")]
                + [rdata.address for rdata in self._answer(name, "AAAA")])

    def cname(self, name: str) -> str | None:
        answer = self._answer(name, "CNAME")
        return answer[0].target.to_text(omit_final_dot=True) if answer else None

    def for_pyspf(self, name: str, qtype: str, *args, **kwargs) -> list:
        """pyspf's DNS driver interface (spf.DNSLookup): [((name, type), data), ...], the
        same shapes its own dnspython driver returns, through this resolver and cache."""
        if qtype in ("A", "AAAA"):
            return [((name, qtype), rdata.address) for rdata in self._answer(name, qtype)]
        if qtype == "MX":
            return [((name, qtype), (rdata.preference, rdata.exchange)) for rdata in self._answer(name, qtype)]
        if qtype == "PTR":
            return [((name, qtype), rdata.target.to_text(True)) for rdata in self._answer(name, qtype)]
        if qtype in ("TXT", "SPF"):
            if qtype == "SPF":
                return []  # type 99 is obsolete (RFC 7208 §3.1): TXT only
            return [((name, qtype), rdata.strings) for rdata in self._answer(name, qtype)]
        return []
