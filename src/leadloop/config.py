"""leadloop.toml → immutable records, checked once, with errors that name the key.

Every key has a default (example.toml shows them all), so leadloop runs with no config
file at all. Unknown keys are errors: a misspelt `folowup_after` silently ignored would
change how customers are treated. Secrets never live here: the SMTP and IMAP passwords
come from the environment or a command, and OAuth access tokens from `token_command`,
each fetched only when a connection logs in, and never kept.

Every value is checked before anything runs (SPEC §4: a wrong type or a value out of
range is exit 2, one sentence naming the file and the key), because this file runs from
cron with nobody watching: an address with a line break in it would write a Bcc header
into every message, a timeout of `nan` or a follow-up `99999999 years` away would fail
half-way through a send. `_CHECKS` says, per key, what is allowed; every key has one.

TOML is UTF-8, but Notepad and Excel write what they write: a file with a UTF-16 or
UTF-8 byte order mark is decoded by it, and one that is not UTF-8 is read in the code
page its lines read best in, Windows-1252 (the "ANSI" of a Spanish or English Windows)
unless they say otherwise, like an imported CSV file (sources/codepage.py).
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

from .cadence import Rules, parse_send_days, parse_send_hours
from .clock import parse_duration, zone
from .errors import ConfigError, InputError, TokenError, given
from .lazy_regex import LazyPattern

CONFIG_NAME = "leadloop.toml"
SECURITY_MODES = ("starttls", "ssl", "none")
# "password": SASL PLAIN/LOGIN (IMAP LOGIN); the others log in with an OAuth2 access token
# from `token_command` (SPEC §6 "Login"), for providers that no longer take passwords.
AUTH_MODES = ("password", "xoauth2", "oauthbearer")

# The sections are NamedTuples: as immutable as frozen dataclasses, with the same
# keyword construction, defaults, equality and repr, but made at import without
# generating and compiling six methods a class (~1 ms each, seven classes, on every
# command's start: BENCH.md B2). cadence.Rules and its records are made the same way.


class Sender(NamedTuple):
    name: str = "leadloop"
    address: str = "info@example.com"
    reply_to: str = ""
    contact: str = ""             # how a lead asks for the offer; default: the address
    unsubscribe: str = ""         # mailto address for List-Unsubscribe; default: the address
    unsubscribe_url: str = ""     # https one-click URL (RFC 8058), optional
    dkim_selector: str = ""       # the spelling of [dkim] selector (#24); [dkim] wins

    @property
    def contact_address(self) -> str:
        return self.contact or self.address

    @property
    def unsubscribe_address(self) -> str:
        return self.unsubscribe or self.address

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2] or "localhost"


class Smtp(NamedTuple):
    host: str
    port: int = 587
    security: str = "starttls"
    username: str = ""
    password_command: str = ""
    timeout: float = 30.0
    max_per_second: float = 0.0   # 0: no pacing
    ca_file: str = ""
    auth: str = "password"        # one of AUTH_MODES
    token_command: str = ""       # prints an OAuth2 access token, run at each login


class Inbox(NamedTuple):
    """Where replies arrive: a local Maildir, or an IMAP folder."""
    maildir: Path | None = None
    host: str = ""
    port: int = 993
    security: str = "ssl"
    username: str = ""
    password_command: str = ""
    folder: str = "INBOX"
    processed_folder: str = ""    # empty: never move or delete the user's mail
    timeout: float = 30.0
    ca_file: str = ""
    auth: str = "password"        # one of AUTH_MODES
    token_command: str = ""       # prints an OAuth2 access token, run at each login


class Dkim(NamedTuple):
    """DKIM (RFC 6376, issue #24). `selector` alone names the key a provider signs with,
    for `check --dns` to look up; with `key_file` leadloop signs every message itself
    (for users who send through their own server) and `check --dns` compares the
    published key with it. `domain` is the d= of the signature: the From domain unless set."""
    selector: str = ""
    key_file: Path | None = None
    domain: str = ""

    @property
    def signs(self) -> bool:
        return self.key_file is not None


class Web(NamedTuple):
    """`leadloop serve` (SPEC §11). The webhook token comes from LEADLOOP_WEB_TOKEN or
    `token_command`, never from this file."""
    base_url: str = ""            # the public https address; set: messages carry its links
    token_command: str = ""
    thanks_url: str = ""          # where the form sends people after an inquiry; "": our page
    trusted_proxies: tuple = ()   # addresses (or networks) whose X-Forwarded-For is believed
    rate_limit: int = 10          # form inquiries per client address per hour; 0: no limit
    busy_wait: float = 10.0       # seconds a request waits for a busy database before spooling


class OrderHooks(NamedTuple):
    """The shared secrets of `serve`'s shop webhooks (SPEC §11), each from its
    LEADLOOP_…_SECRET variable or its `*_secret_command`, never from this file. A
    platform with neither has no hook: its route answers 404."""
    shopify_secret_command: str = ""
    woocommerce_secret_command: str = ""
    stripe_secret_command: str = ""


class Config(NamedTuple):
    path: Path | None             # the file read, None for built-in defaults
    database_path: Path
    templates_dir: Path
    default_locale: str
    cadence: Rules
    sender: Sender
    smtp: Smtp | None             # None: write to the outbox Maildir
    inbox: Inbox | None = None    # None: no mailbox to read replies from
    answer_within: object = None  # [customers] answer_within, a relativedelta
    offers: dict = MappingProxyType({})  # read-only: a default shared by every Config
    web: Web = Web()
    dkim: Dkim = Dkim()
    orders: OrderHooks = OrderHooks()
    # Settings that are valid but do nothing where they are (an IMAP login for a Maildir),
    # one sentence each: `check` warns; an earlier release accepted them, so no error.
    ignored: tuple[str, ...] = ()
    # Values an earlier release accepted that are now read leniently, one sentence each
    # (the CLI prints them on stderr): a config that worked keeps working on upgrade.
    warnings: tuple = ()

    @property
    def outbox_path(self) -> Path:
        return self.database_path.parent / "outbox"

    def offer_for(self, product: str | None) -> dict:
        return self.offers.get(product or "", self.offers.get("default", {}))


_DEFAULTS = {
    "database": {"path": "leadloop.db"},
    "templates": {"dir": "templates", "locale": "es"},
    "sender": {
        "name": "leadloop", "address": "info@example.com", "reply_to": "",
        "contact": "", "unsubscribe": "", "unsubscribe_url": "", "dkim_selector": "",
    },
    "dkim": {"selector": "", "key_file": "", "domain": ""},
    "cadence": {
        "send_info": True, "info_delay": "0 days", "info_anytime": True,
        "info_anytime_within": "24 hours", "followup_after": "2 months",
        "followup_spread": "1 month", "max_contacts": 7, "give_up_after": 6,
        "reply_grace": "30 days", "erase_on_give_up": True,
        "send_days": ["mon", "tue", "wed", "thu", "fri"], "send_hours": "09:00-18:00",
        "timezone": "Europe/Madrid", "daily_limit": 100,
    },
    "smtp": {
        "host": "", "port": 587, "security": "starttls", "username": "",
        "password_command": "", "timeout": 30, "max_per_second": 0, "ca_file": "",
        "auth": "password", "token_command": "",
    },
    "inbox": {
        "maildir": "", "host": "", "port": 993, "security": "ssl", "username": "",
        "password_command": "", "folder": "INBOX", "processed_folder": "", "timeout": 30,
        "ca_file": "", "auth": "password", "token_command": "",
    },
    "customers": {"answer_within": "1 day"},
    "web": {
        "base_url": "", "token_command": "", "thanks_url": "", "trusted_proxies": [],
        "rate_limit": 10, "busy_wait": 10,
    },
    "orders": {"shopify_secret_command": "", "woocommerce_secret_command": "",
               "stripe_secret_command": ""},
}
_PASSWORD_ENV = {"smtp": "LEADLOOP_SMTP_PASSWORD", "inbox": "LEADLOOP_IMAP_PASSWORD"}
WEB_TOKEN_ENV = "LEADLOOP_WEB_TOKEN"
# The shops whose webhooks serve verifies, and where each one's secret comes from.
HOOK_SECRET_ENV = {"shopify": "LEADLOOP_SHOPIFY_SECRET", "woocommerce": "LEADLOOP_WOOCOMMERCE_SECRET",
                   "stripe": "LEADLOOP_STRIPE_SECRET"}
# A shared secret shorter than this is guessable; the shops' own are far longer (Shopify's
# app secret 32 hex digits, WooCommerce's generated one 50 characters, Stripe's whsec_…).
SHORTEST_HOOK_SECRET = 8
# A webhook token shorter than this is guessable over the network.
SHORTEST_WEB_TOKEN = 16


def find_config_path(explicit: str | None) -> Path | None:
    """--config / LEADLOOP_CONFIG, else ./leadloop.toml when it exists, else None."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise InputError(f"{path}: config file not found")
        return path
    default = Path(CONFIG_NAME)
    return default if default.is_file() else None


def load_config(path: Path | None, *, db_override: str | None = None,
                for_init: bool = False) -> Config:
    """`for_init`: `init` reads the config it is about to complete (its templates folder
    may not exist yet)."""
    raw: dict = {}
    where = str(path) if path else "built-in config"
    if path is not None:
        try:
            data = path.read_bytes()
        except OSError as err:
            raise InputError(f"{path}: cannot read the config ({err.strerror})") from None
        text = _decode(data, where)
        if _holds_settings(text):
            raw = _parse_toml(text, path)
    base = path.parent if path else Path(".")
    return _build(raw, where, base, db_override, for_init)


def _holds_settings(text: str) -> bool:
    """False for a file of blank lines and comments alone (a folder's config that keeps
    every default): its TOML is the empty table, known without loading the parser, ~2.5 ms
    of every command's start (BENCH.md B2). A line tomllib might refuse (a comment with a
    tab or a control character, a lone carriage return) goes to tomllib for its verdict."""
    for line in text.replace("\r\n", "\n").split("\n"):  # as tomllib.loads reads lines
        line = line.lstrip(" \t")
        if line and (line[0] != "#" or not line.isprintable()):
            return True
    return False


def _parse_toml(text: str, path: Path) -> dict:
    import tomllib  # only for a file with settings: `due` without one need not load it

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML ({err})") from None
    except ValueError:
        # tomllib turns digits into an int() with Python's limit of 4300 digits
        # (sys.get_int_max_str_digits) and lets its ValueError through.
        raise ConfigError(f"{path}: {_too_many_digits(text)}") from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid TOML (values nested too deeply)") from None


# Compiled when a check first uses one: most commands' configs never reach most of these
# (~1 ms of every command's start, BENCH.md B2).
_HUGE_NUMBER = LazyPattern(r"^[ \t]*([^=\s][^=\n]*?)[ \t]*=[ \t]*[+-]?[0-9_]{1000,}", re.MULTILINE)
_TABLE = LazyPattern(r"^[ \t]*\[+[ \t]*([^\]\n]+?)[ \t]*\]+", re.MULTILINE)


def _too_many_digits(text: str) -> str:
    """Which key holds the number tomllib could not read, as one sentence."""
    match = _HUGE_NUMBER.search(text)
    if match is None:  # inside an array or an inline table: the line at least
        digits = re.search(r"[0-9_]{1000,}", text)
        line = text.count("\n", 0, digits.start()) + 1 if digits else None
        return (f"line {line}: " if line else "") + "a number too long to be one (thousands of digits)"
    tables = list(_TABLE.finditer(text, 0, match.start()))
    key = (f"[{tables[-1].group(1)}] " if tables else "") + match.group(1).strip()
    line = text.count("\n", 0, match.start()) + 1
    return f"line {line}: {key} has a number too long to be one (thousands of digits)"


def _decode(data: bytes, where: str) -> str:
    """The config file's text: what its byte order mark says, else UTF-8, else its code
    page (bytes that no code page reads as letters come out as Latin-1's C1 controls,
    which no string value may hold, so they are still refused with the key named)."""
    from .sources.codepage import NotText, small_file_text

    try:
        return small_file_text(data)
    except NotText as err:
        raise ConfigError(f"{where}: {err}") from None


# -- what each value may be --------------------------------------------------------------
#
# A check takes the value and `at` ("leadloop.toml: [smtp] port"), and returns the value
# to use or raises a ConfigError that starts with `at`.

# C0 and C1 controls, DEL, and the Unicode line and paragraph separators: nothing that
# ends up in a header, an SMTP or IMAP command or a terminal may hold them.
_CONTROL = LazyPattern(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_LOCALE = LazyPattern(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")
_HOST_LABEL = LazyPattern(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
# What RFC 3986 allows in a URI; anything else (spaces, quotes, "<", ">") would end the
# <...> of List-Unsubscribe early or add to it.
_URI = LazyPattern(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
LONGEST_TIMEOUT = 3600        # seconds
FASTEST_RATE = 1000           # messages a second


class _Accepted(Exception):
    """A check's answer for a value an earlier release accepted and this one would refuse:
    use `value`, and say `message` as a warning. Only where nothing unsafe follows (never
    for a line break that would end a header: that stays a ConfigError)."""

    def __init__(self, value, message: str):
        super().__init__(message)
        self.value = value


def _string(value, at: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{at} must be a string")
    return value


def _text(value, at: str) -> str:
    """One line of text (a name, a login): no control characters."""
    value = _string(value, at).strip()
    if _CONTROL.search(value):
        raise ConfigError(f"{at} must be one line of text without control characters")
    return value


def _nonempty(check):
    def nonempty(value, at: str):
        value = check(value, at)
        if not value:
            raise ConfigError(f"{at} must not be empty")
        return value
    return nonempty


def _path(value, at: str) -> str:
    value = _string(value, at)
    if _CONTROL.search(value):
        raise ConfigError(f"{at} must be a file path without control characters")
    return value


def _command(value, at: str) -> str:
    """A shell command: line breaks are the shell's business, a NUL byte cannot be run."""
    value = _string(value, at)
    if "\x00" in value:
        raise ConfigError(f"{at} must not contain a NUL character")
    return value


def _address(value, at: str, *, optional: bool = False) -> str:
    """An e-mail address by email-validator's rules (addresses.py), no DNS."""
    from .addresses import normalize_address
    from .errors import InvalidAddress

    value = _string(value, at).strip()
    if not value and optional:
        return value
    try:
        normalize_address(value)
    except InvalidAddress as err:
        # Releases before 2026-11-30 asked only for an "@"; such a value (info@localhost,
        # a domain without a dot) still goes into headers safely when it is one line.
        if "@" in value and not _CONTROL.search(value) and not any(c.isspace() for c in value):
            raise _Accepted(value, f"{at} may not be deliverable ({err}); used as given") from None
        raise ConfigError(f"{at} is not an e-mail address: {err}") from None
    return value


def _optional_address(value, at: str) -> str:
    return _address(value, at, optional=True)


def _contact(value, at: str) -> str:
    """How a lead asks for the offer, in any form (SPEC §1: "solicítela a <contacto>"): an
    address, a phone number, a web or WhatsApp address, or words; render.contact_link makes
    the link. It only ever reaches a message body, so a control character is replaced by a
    space with a warning (earlier releases took any text) rather than refused."""
    value = _string(value, at).strip()
    if _CONTROL.search(value):
        cleaned = " ".join(_CONTROL.sub(" ", value).split())
        raise _Accepted(cleaned, f"{at} holds a line break or control character; read as "
                                 f'"{cleaned}"')
    return value


def _https_url(value, at: str) -> str:
    from urllib.parse import urlsplit

    value = _string(value, at).strip()
    if not value:
        return value
    if not value.startswith("https://") or not _URI.fullmatch(value) or not urlsplit(value).hostname:
        raise ConfigError(f"{at} must be an https:// URL (RFC 3986 characters only)")
    return value


def is_loopback_url(url: str) -> bool:
    """An http(s) URL whose host is this machine: 127.0.0.0/8, ::1, or `localhost` and
    its subdomains (RFC 6761 §6.3 reserves them for loopback)."""
    import ipaddress
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _base_url(value, at: str) -> str:
    """`[web] base_url`: https, as links in mail must be (RFC 8058 §3 wants HTTPS for
    one-click unsubscribe); plain http only on a loopback address, where nothing
    crosses a network and a marketer tries the links before putting serve behind a
    proxy (issue #27 item 20). `check` warns that such links work on this machine only."""
    value = _string(value, at).strip()
    if value.startswith("http://") and _URI.fullmatch(value) and is_loopback_url(value):
        return value
    if value.startswith("http://"):
        raise ConfigError(f"{at} must be an https:// URL; http:// only on this machine "
                          "(127.0.0.1, ::1 or localhost), for trying the links before "
                          "serve is behind a proxy with TLS")
    return _https_url(value, at)


def _web_url(value, at: str) -> str:
    """An absolute http(s) URL, or empty."""
    from urllib.parse import urlsplit

    value = _string(value, at).strip()
    if not value:
        return value
    if (not value.startswith(("https://", "http://")) or not _URI.fullmatch(value)
            or not urlsplit(value).hostname):
        raise ConfigError(f"{at} must be an http:// or https:// URL (RFC 3986 characters only)")
    return value


def _networks(value, at: str) -> tuple:
    """IP addresses or networks ("127.0.0.1", "10.0.0.0/8", "::1")."""
    import ipaddress

    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f'{at} must be a list of addresses like ["127.0.0.1", "::1"]')
    for item in value:
        try:
            ipaddress.ip_network(item.strip(), strict=False)
        except ValueError:
            raise ConfigError(f'{at}: "{item}" is not an IP address or network') from None
    return tuple(item.strip() for item in value)


def _host(value, at: str) -> str:
    """A host name (international names allowed) or an IP address; empty: not set."""
    import ipaddress

    value = _string(value, at).strip()
    if not value:
        return value
    try:
        ipaddress.ip_address(value)
        return value
    except ValueError:
        pass
    try:
        ascii_name = value.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_name = ""
    labels = ascii_name.removesuffix(".").split(".")
    if not ascii_name or len(ascii_name) > 253 or not all(_HOST_LABEL.fullmatch(x) for x in labels):
        raise ConfigError(f"{at} must be a host name or an IP address")
    return value


def _locale(value, at: str) -> str:
    value = _string(value, at).strip()
    if not _LOCALE.fullmatch(value):
        raise ConfigError(f'{at} must be a language code like "es" or "en"')
    return value


def _choice(*allowed: str):
    def choice(value, at: str) -> str:
        if value not in allowed:
            listed = ", ".join(f'"{x}"' for x in allowed[:-1]) + f' or "{allowed[-1]}"'
            raise ConfigError(f"{at} must be {listed}")
        return value
    return choice


def _flag(value, at: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{at} must be true or false")
    return value


def _whole(low: int, high: int, *, capped: bool = False):
    """A whole number in [low, high]. `capped`: earlier releases had no upper bound here,
    so a larger value is capped with a warning instead of refused."""
    def whole(value, at: str) -> int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # 7.0 is seven
        if type(value) is int and low <= value <= high:
            return value
        number = _number(value)
        # Releases before 2026-11-30 took any number at or above the low end and cut off
        # its fraction: such a value is read the same way (and capped), with a warning.
        if number is not None and low <= number and (capped or number < high + 1):
            used = min(int(number), high)
            raise _Accepted(used, f"{at} must be a whole number from {low} to {high}; "
                                  f"{given(repr(value))} is read as {used}")
        raise ConfigError(f"{at} must be a whole number from {low} to {high}")
    return whole


def _number(value) -> float | int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, int):
        return value  # exact however long: float() of a 400-digit whole number overflows
    return value if math.isfinite(value) else None


def _seconds(value, at: str) -> float:
    seconds = _number(value)
    if seconds is not None and seconds > LONGEST_TIMEOUT:  # earlier releases took it
        raise _Accepted(float(LONGEST_TIMEOUT), f"{at} is above {LONGEST_TIMEOUT} seconds; "
                                                f"{LONGEST_TIMEOUT} is used")
    if seconds is None or not 0 < seconds <= LONGEST_TIMEOUT:
        raise ConfigError(f"{at} must be a number of seconds above 0 and at most {LONGEST_TIMEOUT}")
    return seconds


def _rate(value, at: str) -> float:
    rate = _number(value)
    if rate is not None and (0 < rate < 0.001 or rate > FASTEST_RATE):  # earlier releases took it
        used = min(max(rate, 0.001), FASTEST_RATE)
        raise _Accepted(used, f"{at} must be 0 (no pacing) or a number from 0.001 to "
                              f"{FASTEST_RATE}; {used:g} is used")
    # Below one message in 1000 s a run would sleep for hours between two messages.
    if rate is None or not (rate == 0 or 0.001 <= rate <= FASTEST_RATE):
        raise ConfigError(f"{at} must be 0 (no pacing) or a number from 0.001 to {FASTEST_RATE}")
    return rate


def _duration(value, at: str):
    return parse_duration(_string(value, at), where=at)


def _timezone(value, at: str) -> str:
    value = _string(value, at)
    try:
        zone(value)
    except InputError as err:
        raise ConfigError(f"{at}: {err}") from None
    return value


def _days(value, at: str) -> frozenset[int]:
    from .cadence import WEEKDAYS

    if not isinstance(value, list) or not all(isinstance(day, str) for day in value):
        raise ConfigError(f'{at} must be a list of weekdays like ["mon", "tue"]')
    try:
        return parse_send_days(value, where=at)
    except ConfigError:
        # Releases before 2026-11-30 read a day by its first three letters ("tues",
        # "thurs"): those still work, with a warning naming what each was read as.
        # Only a shortening of the day's own name: "monsoon" (which passed as Monday) stays
        # an error, as a typo should.
        names = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        prefixes = [day.strip().lower()[:3] for day in value]
        if not value or not all(
                p in WEEKDAYS and names[WEEKDAYS.index(p)].startswith(day.strip().lower())
                for p, day in zip(prefixes, value)):
            raise
        read = ", ".join(f'"{day}" as {prefix}' for day, prefix in zip(value, prefixes)
                         if day.strip().lower() not in (prefix, names[WEEKDAYS.index(prefix)]))
        raise _Accepted(frozenset(WEEKDAYS.index(p) for p in prefixes),
                        f"{at}: use day names (mon or monday); read {read}") from None


def _hours(value, at: str):
    return parse_send_hours(_string(value, at), where=at)


# A DKIM selector is one or more DNS labels (RFC 6376 §3.1): "google", "s1.2026".
_SELECTOR = LazyPattern(r"(?:[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\.)*"
                       r"[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?")


def _selector(value, at: str) -> str:
    value = _string(value, at).strip()
    if value and not _SELECTOR.fullmatch(value):
        raise ConfigError(f'{at} must be a DKIM selector: DNS labels like "s1" or "google"')
    return value


# The checks that turn a value into another (a duration into a relativedelta, a
# number into a float, …): run on the built-in defaults too (see _default).
_CONVERTING = frozenset({_duration, _days, _hours, _networks, _seconds, _rate})
_SECURITY = _choice(*SECURITY_MODES)
_AUTH = _choice(*AUTH_MODES)
_PORT = _whole(1, 65535)
_CHECKS = {
    "database": {"path": _nonempty(_path)},
    "templates": {"dir": _nonempty(_path), "locale": _locale},
    "sender": {
        "name": _text, "address": _address, "reply_to": _optional_address,
        "contact": _contact, "unsubscribe": _optional_address,
        "unsubscribe_url": _https_url, "dkim_selector": _selector,
    },
    "dkim": {"selector": _selector, "key_file": _path, "domain": _host},
    "cadence": {
        "send_info": _flag, "info_delay": _duration, "info_anytime": _flag,
        "info_anytime_within": _duration, "followup_after": _duration,
        "followup_spread": _duration, "max_contacts": _whole(1, 100, capped=True),
        "give_up_after": _whole(1, 100, capped=True), "reply_grace": _duration, "erase_on_give_up": _flag,
        "send_days": _days, "send_hours": _hours, "timezone": _timezone,
        "daily_limit": _whole(1, 1_000_000, capped=True),
    },
    "smtp": {
        "host": _host, "port": _PORT, "security": _SECURITY, "username": _text,
        "password_command": _command, "timeout": _seconds, "max_per_second": _rate,
        "ca_file": _path, "auth": _AUTH, "token_command": _command,
    },
    "inbox": {
        "maildir": _path, "host": _host, "port": _PORT, "security": _SECURITY,
        "username": _text, "password_command": _command, "folder": _text,
        "processed_folder": _text, "timeout": _seconds, "ca_file": _path,
        "auth": _AUTH, "token_command": _command,
    },
    "customers": {"answer_within": _duration},
    "web": {
        "base_url": _base_url, "token_command": _command, "thanks_url": _web_url,
        "trusted_proxies": _networks, "rate_limit": _whole(0, 1_000_000), "busy_wait": _seconds,
    },
    "orders": {"shopify_secret_command": _command, "woocommerce_secret_command": _command,
               "stripe_secret_command": _command},
}


def _section(raw: dict, name: str, where: str, warnings: list | None = None) -> dict:
    """The section's values, every one checked and converted (durations parsed, …)."""
    given = raw.get(name, {})
    if not isinstance(given, dict):
        raise ConfigError(f"{where}: [{name}] must be a table")
    if name == "web" and "token" in given:
        raise ConfigError(
            f"{where}: [web] token is not read from the config file, where it would sit in "
            f"plain text; set {WEB_TOKEN_ENV} or [web] token_command instead"
        )
    if name == "orders":
        for platform, env in HOOK_SECRET_ENV.items():
            if f"{platform}_secret" in given:
                raise ConfigError(
                    f"{where}: [orders] {platform}_secret is not read from the config file, where "
                    f"it would sit in plain text; set {env} or [orders] {platform}_secret_command "
                    "instead")
    if name in _PASSWORD_ENV and "password" in given:
        raise ConfigError(
            f"{where}: [{name}] password is not read from the config file, where it would sit in "
            f"plain text; set {_PASSWORD_ENV[name]} or [{name}] password_command instead"
        )
    defaults = _DEFAULTS[name]
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        raise ConfigError(f"{where}: unknown key [{name}] {unknown[0]}")
    checks = _CHECKS[name]
    values = {}
    for key, default in defaults.items():
        at = f"{where}: [{name}] {key}"
        try:
            values[key] = checks[key](given[key], at) if key in given else _default(checks[key], default, at)
        except _Accepted as accepted:
            if warnings is None:
                raise ConfigError(str(accepted)) from None
            warnings.append(str(accepted))
            values[key] = accepted.value
    return values


def _default(check, value, at: str):
    """A built-in default as its check would return it. The checks that only validate
    return a good value unchanged, and every default is good (tests/test_config.py checks
    both): they are skipped, which spares every command's start the address validator's
    import and a few dozen checks (BENCH.md B2). The checks that convert still run."""
    return check(value, at) if check in _CONVERTING else value


def _build(raw: dict, where: str, base: Path, db_override: str | None,
           for_init: bool = False) -> Config:
    unknown = sorted(set(raw) - set(_DEFAULTS) - {"offers"})
    if unknown:
        raise ConfigError(f"{where}: unknown section [{unknown[0]}]")
    warnings: list[str] = []
    database = _section(raw, "database", where, warnings)
    templates = _section(raw, "templates", where, warnings)
    sender = Sender(**_section(raw, "sender", where, warnings))
    cadence = _section(raw, "cadence", where, warnings)
    smtp_raw = _section(raw, "smtp", where, warnings)

    start, end = cadence.pop("send_hours")
    rules = Rules(**cadence, send_start=start, send_end=end)

    smtp = None
    if smtp_raw["host"]:
        _check_login("smtp", smtp_raw, where)
        smtp = Smtp(**smtp_raw)

    inbox_raw = _section(raw, "inbox", where, warnings)
    inbox = _inbox(inbox_raw, where, base)
    ignored = _ignored_by_maildir(inbox_raw, where)
    answer_within = _section(raw, "customers", where, warnings)["answer_within"]

    web = Web(**_section(raw, "web", where, warnings))
    dkim = _dkim(_section(raw, "dkim", where, warnings), sender, where, base)
    order_hooks = OrderHooks(**_section(raw, "orders", where, warnings))

    offers = raw.get("offers", {})
    if not isinstance(offers, dict) or not all(isinstance(v, dict) for v in offers.values()):
        raise ConfigError(f'{where}: offers must be tables like [offers."Curso de yoga"]')

    db_path = Path(db_override) if db_override else base / database["path"]
    return Config(
        path=Path(where) if where != "built-in config" else None,
        database_path=db_path,
        templates_dir=(base / templates["dir"] if for_init
                       else _templates_dir(raw, templates, where, base, warnings)),
        default_locale=templates["locale"],
        cadence=rules,
        sender=sender,
        smtp=smtp,
        inbox=inbox,
        answer_within=answer_within,
        offers=offers,
        web=web,
        dkim=dkim,
        orders=order_hooks,
        ignored=ignored,
        warnings=tuple(warnings),
    )


def _dkim(raw: dict, sender: Sender, where: str, base: Path) -> Dkim:
    """[dkim] as SPEC §6 spells it; `[sender] dkim_selector` (the spelling of issue #24)
    is accepted for the selector, and the two must not disagree."""
    selector = raw["selector"] or sender.dkim_selector
    if raw["selector"] and sender.dkim_selector and raw["selector"] != sender.dkim_selector:
        raise ConfigError(f'{where}: [dkim] selector "{raw["selector"]}" and [sender] dkim_selector '
                          f'"{sender.dkim_selector}" disagree; keep [dkim] selector only')
    if raw["key_file"] and not selector:
        raise ConfigError(f"{where}: [dkim] key_file is set but selector is not: messages are "
                          "signed under a selector, the name the public key is published at")
    key_file = base / raw["key_file"] if raw["key_file"] else None
    return Dkim(selector=selector, key_file=key_file, domain=raw["domain"])


def require_project(config: Config) -> None:
    """Only `init` and `demo` create a database (SPEC §4): a command run where there is
    neither a config nor the database (a cron job without its `cd`) would otherwise
    answer "Nothing is due now." from a new, empty database and look healthy."""
    if config.path is not None or config.database_path.exists():
        return
    here = Path.cwd()
    raise InputError(
        f"no {CONFIG_NAME} in {here} and no database at {config.database_path.absolute()}: "
        f"run this in your leadloop folder (cd), point to it with --config PATH or --db PATH, "
        "or start one with `leadloop init`")


def _templates_dir(raw: dict, templates: dict, where: str, base: Path,
                   warnings: list) -> Path:
    """The templates directory; one the config names that does not exist is an error, not
    a silent fall-back to the shipped texts (issue #27 item 7). Without the key (or without
    a config) the shipped texts serve whatever is missing. The default name, "templates",
    which every release's example.toml wrote, only warns when missing: a config copied
    from example.toml without `init` worked before and must keep working."""
    path = base / templates["dir"]
    named = isinstance(raw.get("templates"), dict) and "dir" in raw["templates"]
    if not named or where == "built-in config" or path.is_dir():
        return path
    if templates["dir"] == _DEFAULTS["templates"]["dir"]:
        warnings.append(f'{where}: [templates] dir "{templates["dir"]}" does not exist ({path}); '
                        "the shipped templates are used (`leadloop init` writes editable copies)")
        return path
    raise ConfigError(f'{where}: [templates] dir "{templates["dir"]}" is not a folder '
                      f"({path} does not exist); create it (leadloop init writes one) or "
                      "fix the path")


def _inbox(raw: dict, where: str, base: Path) -> Inbox | None:
    if raw["maildir"] and raw["host"]:
        raise ConfigError(f"{where}: [inbox] has both maildir and host; set one of them")
    if raw["maildir"]:
        return Inbox(maildir=base / raw["maildir"])
    if not raw["host"]:
        return None
    if not raw["folder"]:
        raise ConfigError(f"{where}: [inbox] folder must not be empty")
    _check_login("inbox", raw, where)
    return Inbox(**{**raw, "maildir": None})


def _ignored_by_maildir(raw: dict, where: str) -> tuple[str, ...]:
    """A Maildir is read from the disk: the keys of an IMAP account do nothing there."""
    if not raw["maildir"]:
        return ()
    defaults = _DEFAULTS["inbox"]
    imap_only = [key for key in defaults if key not in ("maildir", "host")
                 and raw[key] != defaults[key]]
    if not imap_only:
        return ()
    keys = " and ".join(", ".join(imap_only).rsplit(", ", 1))
    verb, pronoun = ("has", "it") if len(imap_only) == 1 else ("have", "them")
    return (f"{where}: [inbox] {keys} {verb} no effect with maildir (a Maildir is read from "
            f"the disk, with no login); remove {pronoun}, or set host instead of maildir to "
            "read an IMAP account",)


def _check_login(section: str, raw: dict, where: str) -> None:
    """`auth` and `token_command` agree: OAuth needs a token program and the account's
    name (the SASL strings carry it), and a token program without OAuth is a config that
    would silently log in with a password instead."""
    at = f"{where}: [{section}]"
    if raw["auth"] == "password":
        if raw["token_command"]:
            raise ConfigError(f'{at} token_command is set but auth is "password": set auth = '
                              '"xoauth2" (or "oauthbearer") to log in with its token')
        return
    if not raw["token_command"]:
        raise ConfigError(f'{at} auth = "{raw["auth"]}" needs token_command, a program that '
                          "prints a fresh OAuth2 access token (README: Logging in with OAuth2)")
    if not raw["username"]:
        raise ConfigError(f'{at} auth = "{raw["auth"]}" needs username, the address of the '
                          "account the token is for")


# The example domains of RFC 2606 §3, which no one receives mail for, and the name the
# shipped config gives the sender: a config still holding them was never finished.
PLACEHOLDER_DOMAINS = ("example.com", "example.org", "example.net")
PLACEHOLDER_NAME = "leadloop"


def is_placeholder_sender(sender: Sender) -> bool:
    domain = sender.address.rpartition("@")[2].strip().lower().rstrip(".")
    return (sender.name.strip().lower() == PLACEHOLDER_NAME
            or any(domain == d or domain.endswith("." + d) for d in PLACEHOLDER_DOMAINS))


def require_real_sender(config: Config) -> None:
    """Mail over SMTP with the placeholder sender is refused (SPEC §4 `check`; issue #27
    item 6): leads would get "leadloop <info@example.com>", which no one can answer and
    receivers reject. The outbox (no [smtp]) takes it: the demo uses it."""
    if config.smtp is None or not is_placeholder_sender(config.sender):
        return
    where = config.path or "built-in config"
    sender = config.sender
    raise ConfigError(
        f'{where}: [sender] is still the placeholder "{sender.name} <{sender.address}>" while '
        f"[smtp] sends through {config.smtp.host}; set [sender] name and address to the ones "
        "your leads know you by (or remove [smtp] to write to the outbox)")


def smtp_password(smtp: Smtp) -> str | None:
    """The SMTP password from LEADLOOP_SMTP_PASSWORD or `password_command`, else None."""
    return _password("smtp", smtp.password_command)


def imap_password(inbox: Inbox) -> str | None:
    """The IMAP password from LEADLOOP_IMAP_PASSWORD or `password_command`, else None."""
    return _password("inbox", inbox.password_command)


def _password(section: str, command: str) -> str | None:
    from_env = os.environ.get(_PASSWORD_ENV[section])
    if from_env:
        return from_env
    if not command:
        return None
    return _first_line(_run_secret(command, f"[{section}] password_command", ConfigError))


# What RFC 6750 §2.1 allows in a bearer token (b64token). Anything else, a space or a line
# break above all, would end the SASL string early or add a command to the conversation.
_BEARER_TOKEN = LazyPattern(r"[A-Za-z0-9\-._~+/]+=*")
TOKEN_COMMAND_SECONDS = 60    # a helper may refresh the token over the network first


def access_token(section: str, command: str) -> str:
    """A fresh OAuth2 access token: the first line `token_command` prints (as msmtp's
    passwordeval and mutt's oauth_refresh_command read it). Run at each login, never
    cached: the helper knows when its token expires, leadloop does not.

    The token is a password for an hour: it is returned to the caller and nowhere else,
    and no error names it (TokenError, exit 1: the login cannot happen)."""
    what = f"[{section}] token_command"
    token = _first_line(_run_secret(command, what, TokenError, timeout=TOKEN_COMMAND_SECONDS)).strip()
    if not token:
        raise TokenError(f"{what} printed no access token")
    if not _BEARER_TOKEN.fullmatch(token):
        raise TokenError(f"{what} printed something that is not an OAuth2 access token "
                         "(RFC 6750 allows letters, digits and -._~+/= only); not shown, "
                         "as it may be secret")
    return token


def _run_secret(command: str, what: str, error, timeout: float = 30) -> str:
    """The standard output of a program that prints a secret. Neither its output nor its
    stderr ever reaches an error: either may hold the secret (or a refresh token)."""
    import subprocess

    try:
        result = subprocess.run(command, shell=True, capture_output=True, text=True,
                                timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise error(f"{what} did not finish within {timeout:g} s") from None
    except (OSError, UnicodeDecodeError):
        raise error(f"{what} could not be run") from None
    if result.returncode != 0:
        raise error(f"{what} failed with exit code {result.returncode}")
    return result.stdout


def _first_line(text: str) -> str:
    return text.splitlines()[0] if text else ""


def web_token(web: Web) -> str | None:
    """The webhook's bearer token from LEADLOOP_WEB_TOKEN or `token_command`, else None
    (the webhook then refuses every request). Never shown, nor what the command printed."""
    token = os.environ.get(WEB_TOKEN_ENV)
    if not token and web.token_command:
        token = _first_line(_run_secret(web.token_command, "[web] token_command", ConfigError))
    if not token:
        return None
    token = token.strip()
    if len(token) < SHORTEST_WEB_TOKEN or not token.isascii() or not token.isprintable():
        raise ConfigError(f"{WEB_TOKEN_ENV} (or [web] token_command) must be at least "
                          f"{SHORTEST_WEB_TOKEN} printable ASCII characters")
    return token


def hook_secret(orders: OrderHooks, platform: str) -> str | None:
    """The shared secret of a shop's webhook ("shopify", "woocommerce", "stripe") from
    its LEADLOOP_…_SECRET variable or `[orders] <platform>_secret_command`, else None: that
    hook is off. Never shown, nor what the command printed."""
    env = HOOK_SECRET_ENV[platform]
    secret = os.environ.get(env)
    command = getattr(orders, f"{platform}_secret_command")
    if not secret and command:
        what = f"[orders] {platform}_secret_command"
        secret = _first_line(_run_secret(command, what, ConfigError))
    if not secret:
        return None
    secret = secret.strip()
    if len(secret) < SHORTEST_HOOK_SECRET or not secret.isascii() or not secret.isprintable():
        raise ConfigError(f"{env} (or [orders] {platform}_secret_command) must be at least "
                          f"{SHORTEST_HOOK_SECRET} printable ASCII characters, as the shop shows it")
    return secret
