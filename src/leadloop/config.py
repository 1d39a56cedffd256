"""leadloop.toml → frozen dataclasses, checked once, with errors that name the key.

Every key has a default (example.toml shows them all), so leadloop runs with no config
file at all. Unknown keys are errors: a misspelt `folowup_after` silently ignored would
change how customers are treated. Secrets never live here: the SMTP and IMAP passwords
come from the environment or a command, fetched only when a connection needs it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .cadence import Rules, parse_send_days, parse_send_hours
from .clock import parse_duration, zone
from .errors import ConfigError, InputError

CONFIG_NAME = "leadloop.toml"
SECURITY_MODES = ("starttls", "ssl", "none")


@dataclass(frozen=True)
class Sender:
    name: str = "leadloop"
    address: str = "info@example.com"
    reply_to: str = ""
    contact: str = ""             # how a lead asks for the offer; default: the address
    unsubscribe: str = ""         # mailto address for List-Unsubscribe; default: the address
    unsubscribe_url: str = ""     # https one-click URL (RFC 8058), optional

    @property
    def contact_address(self) -> str:
        return self.contact or self.address

    @property
    def unsubscribe_address(self) -> str:
        return self.unsubscribe or self.address

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2] or "localhost"


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int = 587
    security: str = "starttls"
    username: str = ""
    password_command: str = ""
    timeout: float = 30.0
    max_per_second: float = 0.0   # 0: no pacing
    ca_file: str = ""


@dataclass(frozen=True)
class Inbox:
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


@dataclass(frozen=True)
class Config:
    path: Path | None             # the file read, None for built-in defaults
    database_path: Path
    templates_dir: Path
    default_locale: str
    cadence: Rules
    sender: Sender
    smtp: Smtp | None             # None: write to the outbox Maildir
    inbox: Inbox | None = None    # None: no mailbox to read replies from
    answer_within: object = None  # [customers] answer_within, a relativedelta
    offers: dict = field(default_factory=dict)

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
        "contact": "", "unsubscribe": "", "unsubscribe_url": "",
    },
    "cadence": {
        "send_info": True, "info_delay": "0 days", "followup_after": "2 months",
        "followup_spread": "1 month", "max_contacts": 7, "give_up_after": 6,
        "reply_grace": "30 days", "erase_on_give_up": True,
        "send_days": ["mon", "tue", "wed", "thu", "fri"], "send_hours": "09:00-18:00",
        "timezone": "Europe/Madrid", "daily_limit": 100,
    },
    "smtp": {
        "host": "", "port": 587, "security": "starttls", "username": "",
        "password_command": "", "timeout": 30, "max_per_second": 0, "ca_file": "",
    },
    "inbox": {
        "maildir": "", "host": "", "port": 993, "security": "ssl", "username": "",
        "password_command": "", "folder": "INBOX", "processed_folder": "", "timeout": 30,
        "ca_file": "",
    },
    "customers": {"answer_within": "1 day"},
}
_PASSWORD_ENV = {"smtp": "LEADLOOP_SMTP_PASSWORD", "inbox": "LEADLOOP_IMAP_PASSWORD"}


def find_config_path(explicit: str | None) -> Path | None:
    """--config / LEADLOOP_CONFIG, else ./leadloop.toml when it exists, else None."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise InputError(f"{path}: config file not found")
        return path
    default = Path(CONFIG_NAME)
    return default if default.is_file() else None


def load_config(path: Path | None, *, db_override: str | None = None) -> Config:
    raw: dict = {}
    where = str(path) if path else "built-in config"
    if path is not None:
        import tomllib  # only with a file: `due` without one need not load the parser

        try:
            with open(path, "rb") as handle:
                raw = tomllib.load(handle)
        except OSError as err:
            raise InputError(f"{path}: cannot read the config ({err.strerror})") from None
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(f"{path}: not valid TOML ({err})") from None
    base = path.parent if path else Path(".")
    return _build(raw, where, base, db_override)


def _section(raw: dict, name: str, where: str) -> dict:
    given = raw.get(name, {})
    if not isinstance(given, dict):
        raise ConfigError(f"{where}: [{name}] must be a table")
    if name in _PASSWORD_ENV and "password" in given:
        raise ConfigError(
            f"{where}: [{name}] password is not read from the config file, where it would sit in "
            f"plain text; set {_PASSWORD_ENV[name]} or [{name}] password_command instead"
        )
    defaults = _DEFAULTS[name]
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        raise ConfigError(f"{where}: unknown key [{name}] {unknown[0]}")
    merged = dict(defaults)
    for key, value in given.items():
        expected = type(defaults[key])
        if expected is float or (expected is int and not isinstance(defaults[key], bool)):
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        else:
            ok = isinstance(value, expected)
        if not ok:
            kind = {str: "a string", bool: "true or false", int: "a number",
                    float: "a number", list: "a list"}[expected]
            raise ConfigError(f"{where}: [{name}] {key} must be {kind}")
        merged[key] = value
    return merged


def _build(raw: dict, where: str, base: Path, db_override: str | None) -> Config:
    unknown = sorted(set(raw) - set(_DEFAULTS) - {"offers"})
    if unknown:
        raise ConfigError(f"{where}: unknown section [{unknown[0]}]")
    database = _section(raw, "database", where)
    templates = _section(raw, "templates", where)
    sender_raw = _section(raw, "sender", where)
    cadence_raw = _section(raw, "cadence", where)
    smtp_raw = _section(raw, "smtp", where)

    def duration(key: str):
        return parse_duration(cadence_raw[key], where=f"{where}: [cadence] {key}")

    def positive(key: str, minimum: int = 0) -> int:
        value = cadence_raw[key]
        if value < minimum:
            raise ConfigError(f"{where}: [cadence] {key} must be at least {minimum}")
        return int(value)

    try:
        zone(cadence_raw["timezone"])
    except InputError as err:
        raise ConfigError(f"{where}: [cadence] timezone: {err}") from None
    start, end = parse_send_hours(cadence_raw["send_hours"], where=f"{where}: [cadence] send_hours")
    rules = Rules(
        followup_after=duration("followup_after"),
        followup_spread=duration("followup_spread"),
        info_delay=duration("info_delay"),
        reply_grace=duration("reply_grace"),
        send_info=cadence_raw["send_info"],
        max_contacts=positive("max_contacts", 1),
        give_up_after=positive("give_up_after", 1),
        erase_on_give_up=cadence_raw["erase_on_give_up"],
        send_days=parse_send_days(cadence_raw["send_days"], where=f"{where}: [cadence] send_days"),
        send_start=start,
        send_end=end,
        timezone=cadence_raw["timezone"],
        daily_limit=positive("daily_limit", 1),
    )

    sender = Sender(**{key: str(value).strip() for key, value in sender_raw.items()})
    if "@" not in sender.address:
        raise ConfigError(f'{where}: [sender] address "{sender.address}" is not an e-mail address')
    for key in ("reply_to", "unsubscribe"):
        value = getattr(sender, key)
        if value and "@" not in value:
            raise ConfigError(f'{where}: [sender] {key} "{value}" is not an e-mail address')
    if sender.unsubscribe_url and not sender.unsubscribe_url.startswith("https://"):
        raise ConfigError(f"{where}: [sender] unsubscribe_url must start with https://")

    smtp = None
    if smtp_raw["host"]:
        _check_server(smtp_raw, "smtp", where)
        smtp = Smtp(**{**smtp_raw, "port": int(smtp_raw["port"]),
                       "timeout": float(smtp_raw["timeout"]),
                       "max_per_second": float(smtp_raw["max_per_second"])})

    inbox = _inbox(_section(raw, "inbox", where), where, base)
    customers = _section(raw, "customers", where)
    answer_within = parse_duration(customers["answer_within"], where=f"{where}: [customers] answer_within")

    offers = raw.get("offers", {})
    if not isinstance(offers, dict) or not all(isinstance(v, dict) for v in offers.values()):
        raise ConfigError(f'{where}: offers must be tables like [offers."Curso de yoga"]')

    db_path = Path(db_override) if db_override else base / database["path"]
    return Config(
        path=Path(where) if where != "built-in config" else None,
        database_path=db_path,
        templates_dir=base / templates["dir"],
        default_locale=templates["locale"],
        cadence=rules,
        sender=sender,
        smtp=smtp,
        inbox=inbox,
        answer_within=answer_within,
        offers=offers,
    )


def _check_server(raw: dict, section: str, where: str) -> None:
    if raw["security"] not in SECURITY_MODES:
        raise ConfigError(f'{where}: [{section}] security must be "starttls", "ssl" or "none"')
    if not 0 < raw["port"] < 65536:
        raise ConfigError(f"{where}: [{section}] port must be between 1 and 65535")


def _inbox(raw: dict, where: str, base: Path) -> Inbox | None:
    if raw["maildir"] and raw["host"]:
        raise ConfigError(f"{where}: [inbox] has both maildir and host; set one of them")
    if raw["maildir"]:
        return Inbox(maildir=base / raw["maildir"])
    if not raw["host"]:
        return None
    _check_server(raw, "inbox", where)
    if not raw["folder"]:
        raise ConfigError(f"{where}: [inbox] folder must not be empty")
    return Inbox(**{**raw, "maildir": None, "port": int(raw["port"]),
                    "timeout": float(raw["timeout"])})


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
    import subprocess

    try:
        result = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        raise ConfigError(f"[{section}] password_command could not be run") from None
    if result.returncode != 0:
        # stderr of the command is not shown: it may echo the secret.
        raise ConfigError(f"[{section}] password_command failed with exit code {result.returncode}")
    return result.stdout.splitlines()[0] if result.stdout else ""
