"""Signed one-click links in every message with `[web] base_url` (SPEC §11)."""

import pytest
import sqlite3

from leadloop.links import find_message, link_key, make_token

NOW = "2026-03-02T10:00"


def _project(tmp_path, smtp_server, base_url='base_url = "https://leads.example.com/"\n'):
    (tmp_path / "leadloop.toml").write_text(
        '[sender]\nname = "Laura"\naddress = "laura@shop.lauravidal.es"\n\n'
        f'[smtp]\nhost = "{smtp_server.host}"\nport = {smtp_server.port}\nsecurity = "none"\n\n'
        f'[web]\n{base_url}', encoding="utf-8")


def _secret(tmp_path) -> str:
    with sqlite3.connect(tmp_path / "leadloop.db") as conn:
        return conn.execute("SELECT value FROM meta WHERE key = 'secret'").fetchone()[0]


def test_every_message_carries_its_own_one_click_link(tmp_path, run, smtp_server):
    _project(tmp_path, smtp_server)
    for address in ("ana@example.com", "luis@example.com"):
        assert run("add", address, "--requested-at", NOW).exit_code == 0
    assert run("--now", NOW, "send", "--yes").exit_code == 0
    links = []
    for received in smtp_server.messages:
        message = received.message
        https, mailto = [part.strip() for part in message["List-Unsubscribe"].split(",")]
        assert https.startswith("<https://leads.example.com/u/") and https.endswith(">")
        assert mailto == "<mailto:laura@shop.lauravidal.es?subject=unsubscribe>"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        token = https[len("<https://leads.example.com/u/"):-1]
        # The link says nothing of the address, and the body links the same page.
        assert "ana" not in token and "luis" not in token and "example" not in token
        assert f"/u/{token}" in message.get_body(("plain",)).get_content()
        links.append((token, message["Message-ID"], received.rcpt_tos[0]))
    assert links[0][0] != links[1][0]
    key = link_key(_secret(tmp_path))
    with sqlite3.connect(tmp_path / "leadloop.db") as conn:
        conn.row_factory = sqlite3.Row
        for token, message_id, address in links:
            row = find_message(conn, key, token)
            assert row["message_id"] == message_id and row["lead_email"] == address
            # One character changed, or a key of another database: nothing.
            flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
            assert find_message(conn, key, flipped) is None
            assert find_message(conn, link_key("00" * 32), token) is None
            assert find_message(conn, key, token + "x") is None
            assert find_message(conn, key, "../" + token) is None


def test_without_base_url_only_the_mailto(tmp_path, run, smtp_server):
    _project(tmp_path, smtp_server, base_url="")
    assert run("add", "ana@example.com", "--requested-at", NOW).exit_code == 0
    assert run("--now", NOW, "send", "--yes").exit_code == 0
    message = smtp_server.messages[0].message
    assert message["List-Unsubscribe"] == "<mailto:laura@shop.lauravidal.es?subject=unsubscribe>"
    assert message["List-Unsubscribe-Post"] is None
    assert "/u/" not in message.get_body(("plain",)).get_content()


def test_the_shipped_survey_links_each_answer(tmp_path, run, smtp_server):
    _project(tmp_path, smtp_server)
    assert run("add", "ana@example.com", "--requested-at", NOW, "--locale", "en").exit_code == 0
    assert run("mark", "ana@example.com", "customer").exit_code == 0
    assert run("--now", NOW, "survey", "send", "opinion", "--to", "customer", "--yes").exit_code == 0
    message = smtp_server.messages[0].message
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    token = make_token(link_key(_secret(tmp_path)), message["Message-ID"])
    for answer in range(11):
        assert f"https://leads.example.com/a/{token}/{answer}" in text
        assert f'href="https://leads.example.com/a/{token}/{answer}"' in html
    assert "reply to this e-mail with the number" in text


@pytest.mark.bare_folder
def test_check_renders_the_linked_branches(tmp_path, run, smtp_server):
    _project(tmp_path, smtp_server)
    run("init")
    result = run("check")
    assert result.exit_code == 0, result.stderr


# -- [web] base_url on this machine (issue #27 item 20) -----------------------------------

import pytest  # noqa: E402
from cli_checks import one_line  # noqa: E402


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080", "http://localhost:8080/",
                                 "http://[::1]:8080", "http://127.3.2.1", "http://leads.localhost:8080"])
def test_http_is_accepted_on_a_loopback_address_with_a_warning_from_check(tmp_path, run, smtp_server, url):
    _project(tmp_path, smtp_server, base_url=f'base_url = "{url}"\n')
    checked = run("check")
    assert checked.exit_code == 0, checked.stderr
    assert "work only here" in checked.stderr


@pytest.mark.parametrize("url", ["http://leads.example.com", "http://10.0.0.1:8080",
                                 "http://127.0.0.1.example.com", "ftp://127.0.0.1/"])
def test_http_elsewhere_is_still_refused(tmp_path, run, smtp_server, url):
    _project(tmp_path, smtp_server, base_url=f'base_url = "{url}"\n')
    refused = run("check")
    assert refused.exit_code == 2
    assert "[web] base_url must be an https:// URL" in one_line(refused)


def test_links_to_a_local_serve_work_end_to_end(tmp_path, run, smtp_server):
    from web_server import WebServer, leads

    server = WebServer(tmp_path)
    _project(tmp_path, smtp_server, base_url=f'base_url = "http://127.0.0.1:{server.port}"\n')
    assert run("add", "ana@example.com", "--requested-at", NOW, "--locale", "en").exit_code == 0
    assert run("--now", NOW, "send", "--yes").exit_code == 0
    link = smtp_server.messages[0].message["List-Unsubscribe"].split(",")[0].strip()[1:-1]
    assert link.startswith(f"http://127.0.0.1:{server.port}/u/")
    server.start()
    try:
        path = link[len(server.url):]
        assert "Unsubscribe me" in server.get(path).text
        assert server.request("POST", path, b"List-Unsubscribe=One-Click").status == 200
    finally:
        server.stop()
    assert leads(tmp_path)["ana@example.com"]["status"] == "unsubscribed"
