"""Reports about the sender's own domain, which arrive in the inbox (SPEC §6's third
owner): nobody's reply, bounce or complaint.

- Authentication failure reports (RFC 6591; RFC 7489 §7.3's DMARC failure reports): ARF
  reports of Feedback-Type `auth-failure`, read by complaints.py; `failure_sentence`
  says what they mean.

Pure: no store, no terminal.
"""

from __future__ import annotations

# What each RFC 6591 §3.2.2 Auth-Failure value (and RFC 7489 §7.3's "dmarc") says failed.
_FAILURES = {
    "spf": "SPF", "dmarc": "DMARC", "dkim": "DKIM", "adsp": "DKIM ADSP",
    "bodyhash": "DKIM (the body hash did not match: the message changed after signing)",
    "signature": "DKIM (the signature did not verify)", "revoked": "DKIM (the key is revoked)",
}


def failed_methods(failure: str) -> str:
    """What an auth-failure report says failed, in words ("SPF and DKIM")."""
    methods = [_FAILURES.get(word, word) for word in failure.split()]
    return " and ".join(dict.fromkeys(methods)) if methods else "authentication"


def failure_sentence(failure: str, domain: str, reporter: str, *, ours: bool) -> str:
    """One sentence for an authentication failure report: what failed, from which domain,
    who says so, and what to run. `ours`: the report returns a message leadloop sent;
    else it is mail sent elsewhere under the domain, forwarded, or forged."""
    what = failed_methods(failure)
    where = f" from {domain}" if domain else ""
    who = reporter or "a receiving server"
    if ours:
        return (f"{who} reports that a message leadloop sent{where} failed {what} (an authentication "
                "failure report): the sender's set-up, not the lead's, and no complaint; check it with "
                "`leadloop check --dns`")
    return (f"{who} reports that a message{where} that leadloop did not send failed {what} (an "
            "authentication failure report: mail sent elsewhere under the domain, forwarded or forged); "
            "if it was yours, check the domain with `leadloop check --dns`")
