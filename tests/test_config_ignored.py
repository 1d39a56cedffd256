"""Settings that are valid but do nothing where they are: `check` says so, as a warning
(an earlier release accepted them, so never an error). Issue #28 item 8."""

from __future__ import annotations

import pytest

SENDER = '[sender]\nname = "Laura"\naddress = "laura@example.com"\n\n'


@pytest.mark.parametrize("login, named", [
    ('auth = "xoauth2"\ntoken_command = "print-token"\n', "[inbox] auth and token_command have"),
    ('token_command = "print-token"\n', "[inbox] token_command has"),
    ('auth = "oauthbearer"\n', "[inbox] auth has"),
])
def test_an_imap_login_set_for_a_maildir_inbox_is_a_warning_in_check(tmp_path, run, login, named):
    (tmp_path / "leadloop.toml").write_text(SENDER + f'[inbox]\nmaildir = "mail"\n{login}',
                                            encoding="utf-8")
    assert run("init").exit_code == 0
    result = run("check")
    assert result.exit_code == 0, result.stderr
    assert named in result.stderr and "no effect with maildir" in result.stderr
    assert "Traceback" not in result.stderr
    # Still accepted everywhere else: the Maildir is read as before.
    (tmp_path / "mail" / "new").mkdir(parents=True)
    (tmp_path / "mail" / "cur").mkdir()
    (tmp_path / "mail" / "tmp").mkdir()
    assert run("inbox").exit_code == 0


def test_a_plain_maildir_inbox_gets_no_such_warning(tmp_path, run):
    (tmp_path / "leadloop.toml").write_text(SENDER + '[inbox]\nmaildir = "mail"\n', encoding="utf-8")
    assert run("init").exit_code == 0
    result = run("check")
    assert result.exit_code == 0 and "no effect" not in result.stderr


def test_an_imap_inbox_with_a_token_program_gets_no_such_warning(tmp_path, run):
    (tmp_path / "leadloop.toml").write_text(
        SENDER + '[inbox]\nhost = "127.0.0.1"\nusername = "laura@example.com"\nauth = "xoauth2"\n'
        'token_command = "print-token"\n', encoding="utf-8")
    assert run("init").exit_code == 0
    result = run("check")
    assert result.exit_code == 0 and "no effect" not in result.stderr
