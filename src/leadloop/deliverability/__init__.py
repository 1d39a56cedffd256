"""Can the sender's domain be delivered at all? (issue #24, SPEC §4 `check --dns`, §6 "Signing")

Since February 2024 Gmail and Yahoo refuse, or file as spam, mail from domains that do
not authenticate it, and Microsoft has done the same for high-volume senders since May
2025. This package looks the sender's records up before the first message goes and
says, for each problem, the record to publish:

- `lookup.py`: DNS through dnspython, a few seconds at most, from LEADLOOP_DNS_SERVERS
  when set (tests, split-horizon networks) or the system resolver;
- `providers.py`: what each mail provider's own documentation asks to publish;
- `rules.py`: pure functions from fetched records to findings, unit-testable without DNS;
- `report.py`: fetches what the rules need for a config and runs them;
- `signing.py`: DKIM signing with dkimpy for users who send through their own server.

Nothing here is imported by `--version`, `due`, or `send` without [dkim] key_file:
dnspython, pyspf and dkimpy load only for `check --dns`/`--connect` or for signing
(BENCH B2, B4).
"""
