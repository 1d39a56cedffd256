"""The config loader and example.toml must agree, and bad configs fail with the key named."""

import tomllib
from pathlib import Path

import pytest

from leadloop.config import _DEFAULTS, load_config
from leadloop.errors import ConfigError

EXAMPLE = Path(__file__).parent.parent / "example.toml"


def test_example_toml_lists_every_key_with_its_default():
    example = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    for section, defaults in _DEFAULTS.items():
        assert example[section] == defaults, f"[{section}] of example.toml differs from the defaults"


def test_example_toml_loads_like_no_config_at_all():
    assert load_config(EXAMPLE).cadence == load_config(None).cadence


def test_built_in_defaults_are_what_their_checks_make_of_them():
    """Defaults skip the checks that only validate (config._default, BENCH.md B2): each
    such check must return its default unchanged, and the whole config read from a file
    that spells every default out must equal the built-in one."""
    from leadloop.config import _CHECKS, _CONVERTING

    for section, defaults in _DEFAULTS.items():
        for key, default in defaults.items():
            check = _CHECKS[section][key]
            made = check(default, f"[{section}] {key}")
            if check not in _CONVERTING:
                assert made == default and type(made) is type(default), (section, key)
    spelled, built_in = load_config(EXAMPLE), load_config(None)
    for name in ("sender", "smtp", "inbox", "web", "cadence", "answer_within", "offers",
                 "default_locale"):
        assert getattr(spelled, name) == getattr(built_in, name), name


@pytest.mark.parametrize("text, message", [
    ("[cadence]\nfolowup_after = '2 months'\n", "unknown key [cadence] folowup_after"),
    ("[cadence]\nfollowup_after = 'soon'\n", "[cadence] followup_after"),
    ("[cadence]\nmax_contacts = 'seven'\n", "[cadence] max_contacts must be a whole number"),
    ("[cadence]\nsend_days = ['funday']\n", "funday"),
    ("[cadence]\nsend_hours = '18:00-09:00'\n", "ends before it starts"),
    ("[cadence]\ntimezone = 'Mars/Olympus'\n", "Mars/Olympus"),
    ("[smtp]\nhost = 'mail'\npassword = 'hunter2'\n", "LEADLOOP_SMTP_PASSWORD"),
    ("[smtp]\nhost = 'mail'\nsecurity = 'tls'\n", "security"),
    ("[smtpp]\nhost = 'mail'\n", "unknown section [smtpp]"),
    ("[sender]\naddress = 'nobody'\n", "[sender] address"),
    ("[cadence\n", "not valid TOML"),
])
def test_bad_config_names_the_file_and_key(tmp_path, text, message):
    path = tmp_path / "leadloop.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(str(path))
    assert message in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_paths_are_relative_to_the_config_file(tmp_path):
    path = tmp_path / "leadloop.toml"
    path.write_text("[database]\npath = 'data/leads.db'\n", encoding="utf-8")
    config = load_config(path)
    assert config.database_path == tmp_path / "data" / "leads.db"
    assert config.outbox_path == tmp_path / "data" / "outbox"
    assert config.templates_dir == tmp_path / "templates"


# ---- a file of comments alone is read without the TOML parser (BENCH.md B2) -------------

from hypothesis import example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from leadloop.config import _holds_settings  # noqa: E402

# Lines built from the characters where a comment-only file and tomllib could part ways.
_LINE_PIECES = st.sampled_from(["", " ", "\t", "#", "# ok", "#\t", "# \x7f", "# \x01", "\r", "\r\n",
                                "\n", "a = 1", "[cadence]", "# Peña", "#\u00a0", "\ufeff", "\u2028",
                                " #", "\f", "x"])


@settings(max_examples=2000, deadline=None)
@given(st.lists(_LINE_PIECES, max_size=8).map("".join))
@example("# leadloop's benchmarks\n")
@example("# only a comment, no newline at the end\r")
def test_a_file_without_settings_is_what_tomllib_reads_as_empty(text):
    """Whenever the shortcut skips the parser, tomllib would have read the empty table
    (never a file it refuses, nor one with a key)."""
    if not _holds_settings(text):
        assert tomllib.loads(text) == {}


def test_a_config_of_comments_alone_is_the_defaults_from_that_file(tmp_path):
    path = tmp_path / "leadloop.toml"
    path.write_text("# leadloop: every default\r\n\n   # indented, ñ\n", encoding="utf-8")
    config = load_config(path)
    assert config.path == path and config.cadence == load_config(None).cadence
    for text in ("# a comment with a\x01control character\n", "# lone\rcarriage return\n"):
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError, match="not valid TOML"):
            load_config(path)


# ---- every value checked, through the CLI (issue #16) ---------------------------------

import json  # noqa: E402
import math  # noqa: E402
import sqlite3  # noqa: E402
from email import policy  # noqa: E402
from email.parser import BytesParser  # noqa: E402

GOOD = '[sender]\nname = "Laura Vidal"\naddress = "laura@lauravidal.es"\n'
LEADS = "email,nombre,producto\nana@example.com,Ana Peña,Curso de yoga\n"
NOW = "2026-03-02T10:00"


@pytest.fixture
def project(tmp_path, run):
    """A list with one lead whose info pack is due; the tests then break the config."""
    (tmp_path / "leadloop.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "leads.csv").write_text(LEADS, encoding="utf-8")
    assert run("--now", NOW, "import", "leads.csv").exit_code == 0
    return tmp_path


def state(project: Path) -> tuple:
    """What a refused run must leave as it was: the leads, the messages, the outbox."""
    with sqlite3.connect(project / "leadloop.db") as conn:
        leads = conn.execute("SELECT email, status, next_step, next_due_at FROM leads").fetchall()
        messages = conn.execute("SELECT * FROM messages").fetchall()
    outbox = sorted(p.name for p in (project / "outbox").rglob("*") if p.is_file()) \
        if (project / "outbox").exists() else []
    return leads, messages, outbox


def refused(run, project: Path, toml: str) -> str:
    """Run run-daily with `toml` as the config: exit 2, one sentence, nothing changed."""
    (project / "leadloop.toml").write_text(toml, encoding="utf-8")
    before = state(project)
    result = run("--now", NOW, "run-daily")
    assert result.exit_code == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert lines[0].startswith("error: leadloop.toml: "), lines[0]
    assert state(project) == before
    return lines[0]


BAD_VALUES = [
    # addresses are addresses: a line break would write a header into every message
    ("sender", "address", r'"x@y\r\nBcc: z@evil.test"', "is not an e-mail address"),
    ("sender", "address", '"laura@lauravidal.es\\nBcc: z@evil.test"', "is not an e-mail address"),
    ("sender", "address", '"Laura <laura@lauravidal.es>"', "is not an e-mail address"),
    ("sender", "reply_to", r'"ventas@example.com\r\nBcc: z@evil.test"', "is not an e-mail address"),
    ("sender", "unsubscribe", '"baja"', "is not an e-mail address"),
    ("sender", "address", "5", "must be a string"),
    ("sender", "name", r'"Laura\r\nBcc: z@evil.test"', "without control characters"),
    ("sender", "name", r'"Laura\u0085Vidal"', "without control characters"),
    ("sender", "name", r'"Laura\u001b[31m"', "without control characters"),
    ("sender", "unsubscribe_url", '"http://shop.example/u"', "https:// URL"),
    ("sender", "unsubscribe_url", '"https://shop.example/u>, <https://evil.test/x"', "https:// URL"),
    ("sender", "unsubscribe_url", '"https://"', "https:// URL"),
    # numbers are finite, whole where counted, and in range
    ("cadence", "daily_limit", "inf", "must be a whole number from 1 to 1000000"),
    ("cadence", "daily_limit", "nan", "must be a whole number from 1 to 1000000"),
    ("cadence", "daily_limit", "-inf", "must be a whole number"),
    ("cadence", "daily_limit", "0", "must be a whole number"),
    ("cadence", "daily_limit", '"100"', "must be a whole number"),
    ("cadence", "daily_limit", "true", "must be a whole number"),
    ("cadence", "max_contacts", "0", "must be a whole number from 1 to 100"),
    ("cadence", "max_contacts", "nan", "must be a whole number"),
    ("cadence", "give_up_after", "inf", "must be a whole number"),
    ("cadence", "send_info", '"yes"', "must be true or false"),
    ("cadence", "erase_on_give_up", "1", "must be true or false"),
    # durations parse and stay inside the dates the clock can hold
    ("cadence", "followup_after", '"99999999 years"', "longer than 10 years"),
    ("cadence", "followup_after", '"9999999999999999999999999 days"', "longer than 10 years"),
    ("cadence", "followup_spread", '"121 months"', "longer than 10 years"),
    ("cadence", "reply_grace", '"10 years, 1 day"', "longer than 10 years"),
    ("cadence", "info_delay", '"-1 days"', "is not a duration"),
    ("cadence", "info_delay", "3", "must be a string"),
    ("customers", "answer_within", '"100 years"', "longer than 10 years"),
    # the send window parses: wall-clock times, real days
    ("cadence", "send_hours", '"09:00+01:00 - 18:00+01:00"', 'is not a range like "09:00-18:00"'),
    ("cadence", "send_hours", '"25:00-26:00"', 'is not a range like "09:00-18:00"'),
    ("cadence", "send_hours", '"9-18"', 'is not a range like "09:00-18:00"'),
    ("cadence", "send_hours", "9", "must be a string"),
    ("cadence", "send_days", '["monsoon"]', "is not a weekday"),
    ("cadence", "send_days", '"mon"', "must be a list of weekdays"),
    ("cadence", "send_days", "[1, 2]", "must be a list of weekdays"),
    ("cadence", "send_days", "[]", "at least one day"),
    ("cadence", "timezone", '"../../etc/passwd"', "unknown timezone"),
    ("templates", "locale", '"../../elsewhere/en"', 'must be a language code like "es"'),
    ("templates", "dir", "5", "must be a string"),
    ("database", "path", '""', "must not be empty"),
    ("database", "path", r'"lead\u0000loop.db"', "without control characters"),
]
SERVER_VALUES = [
    ("port", "0", "must be a whole number from 1 to 65535"),
    ("port", "65536", "must be a whole number from 1 to 65535"),
    ("port", "nan", "must be a whole number"),
    ("port", '"587"', "must be a whole number"),
    ("timeout", "-1", "must be a number of seconds above 0 and at most 3600"),
    ("timeout", "0", "must be a number of seconds above 0"),
    ("timeout", "nan", "must be a number of seconds"),
    ("timeout", "inf", "must be a number of seconds"),
    ("timeout", '"30"', "must be a number of seconds"),
    ("security", '"tls"', 'must be "starttls", "ssl" or "none"'),
    ("host", r'"mail.example.com\r\nRCPT TO:<z@evil.test>"', "must be a host name or an IP address"),
    ("host", '"mail example.com"', "must be a host name or an IP address"),
    ("host", '"-mail.example.com"', "must be a host name or an IP address"),
    ("username", r'"laura\r\nRCPT TO:<z@evil.test>"', "without control characters"),
    ("password_command", r'"pass\u0000show"', "NUL"),
    ("ca_file", r'"ca\npem"', "without control characters"),
]


@pytest.mark.parametrize("section, key, value, reason", BAD_VALUES,
                         ids=[f"{s}.{k}={v}" for s, k, v, _ in BAD_VALUES])
def test_a_wrong_value_is_one_sentence_naming_the_key_and_nothing_is_sent(
        run, project, section, key, value, reason):
    sender = {"name": '"Laura Vidal"', "address": '"laura@lauravidal.es"'}
    if section == "sender":
        sender[key] = value
    toml = "[sender]\n" + "".join(f"{k} = {v}\n" for k, v in sender.items())
    if section != "sender":
        toml += f"\n[{section}]\n{key} = {value}\n"
    line = refused(run, project, toml)
    assert f"leadloop.toml: [{section}] {key} " in line or f"leadloop.toml: [{section}] {key}:" in line
    assert reason in line


@pytest.mark.parametrize("section", ["smtp", "inbox"])
@pytest.mark.parametrize("key, value, reason", SERVER_VALUES,
                         ids=[f"{k}={v}" for k, v, _ in SERVER_VALUES])
def test_a_wrong_server_value_is_one_sentence(run, project, section, key, value, reason):
    host = "" if key == "host" else 'host = "mail.example.com"\n'
    line = refused(run, project, GOOD + f"\n[{section}]\n{host}{key} = {value}\n")
    assert f"leadloop.toml: [{section}] {key} " in line
    assert reason in line


def test_the_bcc_address_never_reaches_the_outbox(run, project):
    """The reported case: the header it would have written, and the run that follows."""
    refused(run, project, '[sender]\nname = "Laura"\naddress = "x@y\\r\\nBcc: z@evil.test"\n')
    (project / "leadloop.toml").write_text(GOOD, encoding="utf-8")
    sent = run("--now", NOW, "run-daily")
    assert sent.exit_code == 0, sent.stderr
    [path] = [p for p in (project / "outbox").rglob("*") if p.is_file()]
    message = BytesParser(policy=policy.strict).parsebytes(path.read_bytes())
    assert "Bcc" not in message and message["From"].addresses[0].addr_spec == "laura@lauravidal.es"


NUMERIC_KEYS = [(section, key) for section, defaults in _DEFAULTS.items()
                for key, default in defaults.items()
                if isinstance(default, (int, float)) and not isinstance(default, bool)]


@pytest.mark.parametrize("section, key", NUMERIC_KEYS, ids=[f"{s}.{k}" for s, k in NUMERIC_KEYS])
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-1", "1e400", '"3"'])
def test_every_number_in_the_config_is_checked(tmp_path, section, key, value):
    path = tmp_path / "leadloop.toml"
    path.write_text(f"[{section}]\n{key} = {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}: [{section}] {key} must be ")


def test_values_at_the_edges_are_accepted(tmp_path):
    path = tmp_path / "leadloop.toml"
    path.write_text(
        '[sender]\nname = "Tienda \\"La Peña\\" — Ñandú"\naddress = "laura@bücher.example"\n'
        'unsubscribe_url = "https://shop.example/u?l=es&x=%20"\n'
        '[cadence]\nfollowup_after = "10 years"\nreply_grace = "120 months"\ndaily_limit = 7.0\n'
        'send_days = ["Monday", "TUE", "sun"]\nsend_hours = "00:00-24:00"\n'
        '[smtp]\nhost = "correo.bücher.example"\nport = 65535\ntimeout = 0.5\nmax_per_second = 0.001\n'
        '[inbox]\nhost = "::1"\nport = 1\ntimeout = 3600\n', encoding="utf-8")
    config = load_config(path)
    assert config.cadence.daily_limit == 7 and isinstance(config.cadence.daily_limit, int)
    assert config.cadence.send_days == frozenset({0, 1, 6})
    assert config.smtp.timeout == 0.5 and config.inbox.port == 1
    assert config.sender.name == 'Tienda "La Peña" — Ñandú'


# ---- the file as editors save it -------------------------------------------------------

CONFIG_TEXT = '# configuración\n[sender]\nname = "Tienda Peña"\naddress = "laura@lauravidal.es"\n'


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le-bom", "utf-16-be-bom",
                                      "utf-32", "cp1252", "mac_roman"])
def test_a_config_saved_by_notepad_or_excel_is_read(run, project, encoding):
    if encoding.endswith("-bom"):
        codec = encoding.removesuffix("-bom")
        bom = "\ufeff".encode(codec)
        data = bom + CONFIG_TEXT.encode(codec)
    else:
        data = CONFIG_TEXT.encode(encoding)
    (project / "leadloop.toml").write_bytes(data)
    sent = run("--now", NOW, "run-daily")
    assert sent.exit_code == 0, sent.stderr
    [path] = [p for p in (project / "outbox").rglob("*") if p.is_file()]
    message = BytesParser(policy=policy.strict).parsebytes(path.read_bytes())
    assert message["From"].addresses[0].display_name == "Tienda Peña"


def test_utf16_without_a_byte_order_mark_is_one_sentence(run, project):
    (project / "leadloop.toml").write_bytes(CONFIG_TEXT.encode("utf-16-le"))
    before = state(project)
    result = run("--now", NOW, "run-daily")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "error: leadloop.toml: not UTF-8 text (it has NUL bytes, as UTF-16 without a byte order "
        "mark has); save it as UTF-8"]
    assert state(project) == before


def test_a_broken_utf16_file_and_deep_nesting_are_one_sentence(run, project):
    (project / "leadloop.toml").write_bytes(b"\xff\xfe" + CONFIG_TEXT.encode("utf-16-le") + b"\x00")
    result = run("--now", NOW, "run-daily")
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "error: leadloop.toml: starts with a UTF-16 byte order mark but is not UTF-16 text; "
        "save it as UTF-8"]
    line = refused(run, project, "a = " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert line == "error: leadloop.toml: not valid TOML (values nested too deeply)"
