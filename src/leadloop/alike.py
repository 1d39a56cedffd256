"""Failures alike for different leads: the sender's problem, whatever their words (SPEC §6).

One lead's mailbox can be full, its server down, its domain's DNS broken. When the leads
fail one after another in the same words, the trouble is where they meet: the server we
send through (its resolver, its way out, its TLS settings). SPEC §6 charges that to no
lead. The run sees it as refusals in a row (runner.py's streak); the inbox sees it as
reports of many leads' messages failing alike (inbox.py holds them back until the reading
has seen them all). Both compare the words with what names one recipient or one
transaction masked: `refusal_key` for a server's answer, `report_key` for a report, which
also masks the host names and dates a relay writes of each lead's domain.

Pure: words in, keys and groups out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

# After this many failures alike, each for a different lead, the failure is the sender's
# (listmonk's max_send_errors pause, in the small).
ALIKE_FAILURES = 3

_VARYING = re.compile(r"<[^>]*>|[^\s<>()\[\]\"',;:]+@[^\s<>()\[\]\"',;:]+|\b[0-9a-f]{8,}\b|\d{5,}"
                      r"|\[[0-9a-f.:]+\]", re.I)

# What a relay's report names of each lead: the domain and its hosts ("name=ana.es
# type=MX", "connect to mx.ana.es[192.0.2.1]:25"), the times and dates of the message,
# the counts of its tries.
_DAY = r"(?:mon|tue|wed|thu|fri|sat|sun)"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
_IN_A_REPORT = re.compile(
    rf"\b(?:{_DAY},?\s+)?\d{{1,2}}\s+{_MONTH}\w*\s+\d{{2,4}}\b"   # RFC 5322 dates
    r"|\b\d{1,2}:\d\d(?::\d\d)?\b"                                # times
    r"|\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]\b"  # host and domain names
    r"|\b\d+(?:\.\d+){3}\b|\b[0-9a-f]*:[0-9a-f:]*:[0-9a-f]+\b"     # IPv4, IPv6 addresses
    r"|(?<![.\d])\d+(?![.\d])",                                    # counts, ports (not 4.4.1)
    re.I)


def refusal_key(words: str) -> str:
    """A server's answer with the parts that name one recipient or one transaction
    (addresses, queue ids, long numbers) masked: two leads refused alike have the same key."""
    return _VARYING.sub("…", " ".join(words.lower().split()))


# Words that name a trouble on the way to a server: its name lookup, the connection, TLS.
# Not "retry timeout", the expiry's words.
TROUBLE_WORDS = re.compile(
    r"\b(?:dns|mxs?|lookup|name ?servers?|connect(?:ion|ed)?|network|timed out|(?<!retry )time-?out|unreachable"
    r"|no route|tls|ssl|starttls|certificates?|handshake)\b", re.I)
# A clause of a report's words: between stops, colons and brackets.
_CLAUSE = re.compile(r"[^.;:()\[\]]+")


def report_key(words: str, cut_at: int | None = None) -> str:
    """A report's words as refusal_key masks them, and the host names, addresses, dates
    and counts a relay writes of each lead's domain masked too: two leads' reports of one
    trouble of the relay's have the same key. When the words name a trouble on the way
    (TROUBLE_WORDS), the last clause that names one is the key: a whole report's text
    ("Deferred: Connection timed out with …" in Sendmail's transcript) holds as many
    earlier tries as each message had. `cut_at`: the length at which the reader cut long
    words (bounces.MAX_DIAGNOSTIC); words that long lose their last, cut, word, which
    each lead's names, of different lengths, cut at a different place."""
    if cut_at is not None and len(words) >= cut_at:
        words = words.rpartition(" ")[0]
    masked = _IN_A_REPORT.sub("…", refusal_key(words))
    troubles = [clause.strip() for clause in _CLAUSE.findall(masked) if TROUBLE_WORDS.search(clause)]
    return troubles[-1] if troubles else masked


@dataclass(frozen=True, slots=True)
class Failed:
    """One report's failure of one lead's message, as the inbox found it."""
    key: str        # report_key of its words
    lead_id: int
    domain: str     # the lead's address's domain, lower case
    sent_at: str    # when the failed message was handed to the server (the store's text form)
    dead_domain: bool = False  # the report says the lead's domain does not exist


def sender_groups(failed: Sequence[Failed | None], sent_between: Callable[[str, str], int],
                  known: Collection[str] = frozenset(),
                  taking_mail: Callable[[list[str]], Collection[str]] | None = None) -> set[int]:
    """Which failures are the sender's, by their indexes.

    A group is the failures of one key. It is the sender's when it has ALIKE_FAILURES
    leads at as many domains (on one domain, one company's server down explains it), and
    it is at least half of the messages handed to the server from its first message to
    its last (`sent_between(first, last)`): a relay that cannot reach anybody fails
    nearly all it was given, while three leads whose own servers are broken are three of
    many that arrived. None in `failed`: a report that is no candidate.

    Domains said not to exist are a dead address each (a batch imported with typos fails
    so), unless one of them certainly exists (`known`: Gmail's, Outlook's…; or, in a
    group of ALIKE_FAILURES domains with none known, one that `taking_mail(domains)`, the
    caller's own DNS, finds taking mail): then the server we send through cannot look
    names up, that report is ours, and so is its group by the rule above."""
    groups: dict[str, list[int]] = {}
    for index, item in enumerate(failed):
        if item is not None:
            groups.setdefault(item.key, []).append(index)
    sender: set[int] = set()
    for indexes in groups.values():
        items = [failed[i] for i in indexes]
        leads = {item.lead_id for item in items}
        domains = {item.domain for item in items}
        dead = any(item.dead_domain for item in items)
        if dead:
            sure = domains & set(known)
            if not sure and taking_mail is not None and len(domains) >= ALIKE_FAILURES:
                sure = set(taking_mail(sorted(domains)))
            sender.update(i for i in indexes if failed[i].domain in sure)
            if not sure:
                continue
        if len(leads) < ALIKE_FAILURES or len(domains) < ALIKE_FAILURES:
            continue
        first = min(item.sent_at for item in items)
        last = max(item.sent_at for item in items)
        if 2 * len(leads) >= sent_between(first, last):
            sender.update(indexes)
    return sender
