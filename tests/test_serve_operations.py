"""Running `leadloop serve` as an operator does (issue #27 items 17–19): stopping it
with Ctrl-C or systemd's SIGTERM, reading its request log, and a one-click link opened
again. A real serve process, real HTTP, a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import json
import signal
import socket
import time

import pytest
from web_server import WEB_TOKEN, WebServer, leads, link_path, wait_for, write_project

SATURDAY_NIGHT = "2026-03-07T23:30"


@pytest.fixture
def server(tmp_path, smtp_server):
    write_project(tmp_path, smtp_server)
    started = WebServer(tmp_path, now=SATURDAY_NIGHT).start()
    yield started
    started.stop()


def unsubscribe_path(smtp_server, address: str) -> str:
    received = wait_for(lambda: [m for m in smtp_server.messages if m.rcpt_tos == [address]],
                        what=f"the info pack of {address}")[0]
    return link_path(received.message["List-Unsubscribe"].split(",")[0].strip()[1:-1])


def stop_with(server: WebServer, sig: int) -> int:
    server.process.send_signal(sig)
    return server.process.wait(timeout=60)


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
        return True
    except OSError:
        return False


# -- 17: stopping ------------------------------------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_and_sigterm_are_a_normal_stop(server, sig):
    assert server.get("/health").status == 200
    assert stop_with(server, sig) == 0
    said = server.output()
    assert said.rstrip().splitlines()[-1].startswith("stopped"), said
    assert "error" not in said and "interrupted" not in said and "Traceback" not in said


def test_the_request_in_flight_is_answered_before_it_stops(server, smtp_server, tmp_path):
    body = json.dumps({"email": "luis@example.com", "name": "Luis"}).encode()
    connection = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    connection.sendall(b"POST /api/inquiries HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                       b"Content-Type: application/json\r\n"
                       + f"Authorization: Bearer {WEB_TOKEN}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                       + body[:10])
    time.sleep(0.3)  # the server has read the head and waits for the body
    server.process.send_signal(signal.SIGTERM)
    # Once it stops listening it has taken the signal; the request is still under way.
    wait_for(lambda: not listening(server.port), what="serve to stop listening")
    connection.sendall(body[10:])
    answer = b""
    while chunk := connection.recv(65536):
        answer += chunk
    connection.close()
    assert answer.startswith(b"HTTP/1.1 201"), answer[:200]
    assert server.process.wait(timeout=60) == 0
    assert "luis@example.com" in leads(tmp_path)
    # Its info pack went before serve exited.
    assert [m.rcpt_tos for m in smtp_server.messages] == [["luis@example.com"]]
    assert server.output().rstrip().splitlines()[-1].startswith("stopped")


# -- 18: the request log -----------------------------------------------------------------


def test_one_log_line_per_request_without_tokens_addresses_or_queries(server, smtp_server):
    assert server.post_form("/inquiry", {"email": "ana.secret@example.com", "name": "Ana"}).status == 303
    path = unsubscribe_path(smtp_server, "ana.secret@example.com")
    token = path.rsplit("/", 1)[1]
    assert server.get(path).status == 200
    assert server.get("/form?email=ana.secret%40example.com&product=Yoga").status == 200
    assert server.post_json({"email": "luis.secret@example.com"}).status == 201
    assert server.get("/ana.secret@example.com/x").status == 404
    assert server.get(f"/wrong/{token}").status == 404
    assert server.get("/a/" + token + "/luis.secret@example.com").status in (404, 422)
    assert server.get("/health").status == 200
    assert stop_with(server, signal.SIGTERM) == 0
    said = server.output()
    for secret in (token, token.split(".")[0], "secret", "%40", "Yoga"):
        assert secret not in said, (secret, said)
    log = [line for line in said.splitlines() if line[:4].isdigit() and line.endswith(" ms")]
    assert not any("@" in line or "127.0.0.1" in line for line in log), log
    methods_paths_status = [line.split(" ", 1)[1].rsplit(" ", 2)[0] for line in log]
    while methods_paths_status[0] == "GET /health 200":  # WebServer.start() asking if it is up
        methods_paths_status.pop(0)
    assert methods_paths_status == [
        "POST /inquiry 303", "GET /u/<token> 200", "GET /form 200", "POST /api/inquiries 201",
        "GET /… 404", "GET /wrong/… 404", methods_paths_status[6], "GET /health 200"], said
    assert methods_paths_status[6].startswith("GET /a/<token>/<answer> ")


# -- 19: a link opened again -------------------------------------------------------------


@pytest.mark.parametrize("locale, done, already, button", [
    ("es", "Hecho: no recibirá más mensajes", "Su baja ya está hecha", "Darme de baja"),
    ("en", "Done: you will receive no more messages", "You are already unsubscribed", "Unsubscribe me"),
])
def test_an_unsubscribe_link_opened_again_says_it_is_done(server, smtp_server, tmp_path,
                                                          locale, done, already, button):
    assert server.post_json({"email": "ana@example.com", "locale": locale}).status == 201
    path = unsubscribe_path(smtp_server, "ana@example.com")
    first = server.get(path)
    assert button in first.text and "<form" in first.text
    assert done in server.request("POST", path, b"List-Unsubscribe=One-Click").text
    again = server.get(path)
    assert again.status == 200
    assert already in again.text
    assert button not in again.text and "<form" not in again.text
    assert leads(tmp_path)["ana@example.com"]["status"] == "unsubscribed"


# -- 21: a webhook list with some bad items -------------------------------------------------


def test_a_list_with_bad_items_keeps_the_good_ones_and_says_which_failed(server, smtp_server, tmp_path):
    items = [{"email": f"lead{n}@example.com", "name": f"Lead {n}"} for n in range(100)]
    items[7] = {"email": "not-an-address"}
    items[42] = "just a string"
    items[99] = {"email": "x@example.com", "emial": "typo"}
    answer = server.post_json(items)
    assert answer.status == 207, answer.text
    document = answer.json()
    assert [error["index"] for error in document["errors"]] == [7, 42, 99]
    assert document["errors"][0]["field"] == "email"
    assert document["errors"][2]["field"] == "emial"
    accepted = document["leads"]
    assert len(accepted) == 97 and {lead["outcome"] for lead in accepted} == {"added"}
    assert accepted[0] == {"index": 0, "email": "lead0@example.com", "outcome": "added",
                           "status": "active"}
    assert [lead["index"] for lead in accepted] == [n for n in range(100) if n not in (7, 42, 99)]
    stored = leads(tmp_path)
    assert len(stored) == 97 and "lead7@example.com" not in stored and "x@example.com" not in stored
    wait_for(lambda: len(smtp_server.messages) == 97, what="97 info packs")
    # Sent again as a whole (a retrying service): the good ones are unchanged, nothing twice.
    again = server.post_json(items)
    assert again.status == 207
    assert {lead["outcome"] for lead in again.json()["leads"]} == {"unchanged"}


def test_a_list_with_no_good_item_is_422_and_keeps_nothing(server, tmp_path):
    answer = server.post_json([{"email": "not-an-address"}, {"email": "also@"}])
    assert answer.status == 422
    assert [error["index"] for error in answer.json()["errors"]] == [0, 1]
    assert leads(tmp_path) == {}
