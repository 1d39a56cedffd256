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


@pytest.mark.parametrize("text, message", [
    ("[cadence]\nfolowup_after = '2 months'\n", "unknown key [cadence] folowup_after"),
    ("[cadence]\nfollowup_after = 'soon'\n", "[cadence] followup_after"),
    ("[cadence]\nmax_contacts = 'seven'\n", "[cadence] max_contacts must be a number"),
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
