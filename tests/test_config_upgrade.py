"""A config an earlier release accepted keeps working: it loads, perhaps with a warning,
and never stops a run (issue #27 item 2). Refusals that protect the mail (a line break
that would write a Bcc header) stay errors: tests/test_config.py."""

from pathlib import Path

import pytest

from leadloop.config import load_config

EARLIER = sorted((Path(__file__).parent / "fixtures" / "configs").glob("example-*.toml"))
NOW = "2026-03-02T10:00"


@pytest.mark.parametrize("path", EARLIER, ids=[p.stem for p in EARLIER])
def test_every_earlier_example_toml_still_loads(path):
    load_config(path)


@pytest.mark.parametrize("path", EARLIER, ids=[p.stem for p in EARLIER])
def test_every_earlier_example_toml_runs_a_day(run, tmp_path, path):
    (tmp_path / "leadloop.toml").write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "leads.csv").write_text("email,nombre\nana@tienda.es,Ana\n", encoding="utf-8")
    assert run("--now", NOW, "import", "leads.csv").exit_code == 0
    result = run("--now", NOW, "run-daily")
    assert result.exit_code == 0, result.stderr
    assert "1 written to the outbox" in result.stdout or "1 sent" in result.stdout


# Values written for earlier releases (they asked only for an "@" in an address, took any
# text as the contact, read a day by its first three letters and cut a count's fraction).
WORKED_BEFORE = [
    ('[sender]\ncontact = "+34 600 12 34 56"\n', None),
    ('[sender]\ncontact = "wa.me/34600123456"\n', None),
    ('[sender]\ncontact = "https://tienda.test/contacto"\n', None),
    ('[sender]\ncontact = "pregunte por Laura en la tienda"\n', None),
    ('[sender]\ncontact = "Laura\\nVidal"\n', "[sender] contact holds a line break"),
    ('[sender]\nreply_to = "ventas@localhost"\n', "[sender] reply_to may not be deliverable"),
    ('[cadence]\nsend_days = ["mon", "tues", "wednes", "thurs", "fri"]\n',
     '[cadence] send_days: use day names (mon or monday); read "tues" as tue'),
    ("[cadence]\ndaily_limit = 2.5\n", "[cadence] daily_limit must be a whole number from 1 to "
                                       "1000000; 2.5 is read as 2"),
    ("[cadence]\ndaily_limit = 5000000\n", "5000000 is read as 1000000"),
    ("[cadence]\nmax_contacts = 200\n", "200 is read as 100"),
    ('[smtp]\nhost = "mail.tienda.test"\nport = 587.0\ntimeout = 7200\n',
     "[smtp] timeout is above 3600 seconds; 3600 is used"),
    ('[smtp]\nhost = "mail.tienda.test"\nport = 587.5\n', "587.5 is read as 587"),
]


@pytest.mark.parametrize("toml, warning", WORKED_BEFORE, ids=[t for t, _ in WORKED_BEFORE])
def test_a_value_an_earlier_release_accepted_loads_with_a_warning(run, tmp_path, toml, warning):
    (tmp_path / "leadloop.toml").write_text(toml, encoding="utf-8")
    (tmp_path / "leads.csv").write_text("email,nombre\nana@tienda.es,Ana\n", encoding="utf-8")
    result = run("--now", NOW, "import", "leads.csv")
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr
    if warning is None:
        assert "warning: leadloop.toml" not in result.stderr
    else:
        said = " ".join(result.stderr.split())
        assert said.startswith("warning: leadloop.toml: [") and warning in said, said


def test_a_line_break_in_the_contact_is_read_as_a_space(tmp_path):
    path = tmp_path / "leadloop.toml"
    path.write_text('[sender]\ncontact = "Laura\\r\\nVidal"\n', encoding="utf-8")
    assert load_config(path).sender.contact == "Laura Vidal"


def test_monsoon_is_still_not_a_weekday(tmp_path):
    from leadloop.errors import ConfigError

    path = tmp_path / "leadloop.toml"
    path.write_text('[cadence]\nsend_days = ["monsoon"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="is not a weekday"):
        load_config(path)
