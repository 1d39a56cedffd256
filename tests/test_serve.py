"""`leadloop serve` (SPEC §11) as a real process on 127.0.0.1, on a real SQLite file, its
info packs delivered to a real SMTP server (aiosmtpd), spoken to over real HTTP."""

import json
import re
import sqlite3
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from web_server import (BASE_URL, WEB_TOKEN, WebServer, leads, link_path, wait_for,
                        write_project)

SATURDAY_NIGHT = "2026-03-07T23:30"  # Europe/Madrid; outside the default send window


@pytest.fixture
def serve(tmp_path, smtp_server):
    """serve(web=…, cadence=…, now=…) → a started WebServer; stopped after the test."""
    started = []

    def start(*, web: str = "", cadence: str = "", now: str | None = SATURDAY_NIGHT, env=None):
        write_project(tmp_path, smtp_server, web=web, cadence=cadence)
        server = WebServer(tmp_path, now=now, env=env).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def messages_to(smtp_server, address):
    return [m for m in smtp_server.messages if m.rcpt_tos == [address]]


def barrier(server, smtp_server, address="barrier@example.org"):
    """An inquiry whose info pack arrives only after everything accepted before it was
    handled by the sender (it sends in the order inquiries were accepted)."""
    assert server.post_form("/inquiry", {"email": address}).status == 303
    wait_for(lambda: messages_to(smtp_server, address), what=f"the info pack of {address}")


# -- the form ----------------------------------------------------------------------------


def test_a_saturday_night_form_inquiry_gets_its_info_pack_at_once_exactly_once(serve, smtp_server, tmp_path):
    server = serve()
    answer = server.post_form("/inquiry", {"email": "Ana.Pena@Example.COM", "name": "Ana Peña",
                                           "product": "Curso de yoga", "lang": "es",
                                           "telefono": "600 000 000"})
    assert answer.status == 303 and answer.headers["location"] == "thanks?lang=es"
    received = wait_for(lambda: messages_to(smtp_server, "ana.pena@example.com"),
                        what="the info pack")
    message = received[0].message
    assert message["Subject"] == "La información que me pidió sobre Curso de yoga"
    https, mailto = [part.strip() for part in message["List-Unsubscribe"].split(",")]
    assert https.startswith(f"<{BASE_URL}/u/") and mailto.startswith("<mailto:")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The server has the message; serve records its answer just after (runner._Recorder).
    lead = wait_for(lambda: (row := leads(tmp_path)["ana.pena@example.com"])["contacts"] and row,
                    what="the info pack recorded as sent")
    assert (lead["name"], lead["product"], lead["locale"], lead["status"], lead["contacts"]) == (
        "Ana Peña", "Curso de yoga", "es", "active", 1)
    assert json.loads(lead["fields"]) == {"telefono": "600 000 000"}
    # The same person asks again: still one info pack.
    assert server.post_form("/inquiry", {"email": "ana.pena@example.com"}).status == 303
    barrier(server, smtp_server)
    assert len(messages_to(smtp_server, "ana.pena@example.com")) == 1
    page = server.get("/thanks?lang=es")
    assert page.status == 200 and "¡Gracias!" in page.text


def test_the_form_page_in_both_languages(serve):
    server = serve()
    spanish = server.get("/form")
    assert spanish.status == 200 and 'lang="es"' in spanish.text and "Correo electrónico" in spanish.text
    english = server.get("/form", headers={"Accept-Language": "en-GB,en;q=0.9,es;q=0.5"})
    assert 'lang="en"' in english.text and "E-mail address" in english.text
    assert 'lang="en"' in server.get("/form?lang=en").text
    fixed = server.get("/form?product=Curso%20de%20%3Cb%3Eyoga%3C/b%3E&source=Facebook")
    assert 'type="hidden" name="product" value="Curso de &lt;b&gt;yoga&lt;/b&gt;"' in fixed.text
    assert 'name="source" value="Facebook"' in fixed.text
    assert 'name="website"' in fixed.text  # the honeypot
    # Embeddable in any site's page; scripts never run.
    csp = spanish.headers["content-security-policy"]
    assert "frame-ancestors *" in csp and "default-src 'none'" in csp and "script-src" not in csp
    assert "x-frame-options" not in spanish.headers


def test_thanks_url_is_where_the_form_sends_people(serve):
    server = serve(web='thanks_url = "https://www.example.com/gracias"\n')
    answer = server.post_form("/inquiry", {"email": "ana@example.com"})
    assert answer.status == 303 and answer.headers["location"] == "https://www.example.com/gracias"
    # The page's CSP lets the form's redirect go there (form-action covers redirects).
    assert "form-action 'self' https://www.example.com" in server.get("/form").headers[
        "content-security-policy"]


def test_a_bad_address_gets_the_form_back_with_the_error_escaped(serve, tmp_path):
    server = serve()
    answer = server.post_form("/inquiry", {"email": "ana@", "name": '<script>alert("x")</script>',
                                           "lang": "en"})
    assert answer.status == 422
    assert "This e-mail address is not valid" in answer.text
    assert "<script>alert" not in answer.text
    assert 'value="&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"' in answer.text
    assert 'value="ana@"' in answer.text
    assert leads(tmp_path) == {}


def test_markup_in_fields_is_kept_as_text(serve, smtp_server, tmp_path):
    server = serve()
    name = '<img src=x onerror=alert(1)> "Ana"\r\nBcc: victim@example.net'
    assert server.post_form("/inquiry", {"email": "ana@example.com", "name": name}).status == 303
    received = wait_for(lambda: messages_to(smtp_server, "ana@example.com"), what="the info pack")
    message = received[0].message
    assert message["Bcc"] is None and received[0].rcpt_tos == ["ana@example.com"]
    stored = leads(tmp_path)["ana@example.com"]["name"]
    assert "\n" not in stored and "\r" not in stored and stored.startswith("<img src=x")
    # The HTML alternative shows it as text.
    assert "<img src=x" not in message.get_body(("html",)).get_content()


def test_the_honeypot_looks_like_success_and_keeps_nothing(serve, smtp_server, tmp_path):
    server = serve()
    answer = server.post_form("/inquiry", {"email": "bot@example.com", "website": "http://spam.test"})
    assert answer.status == 303 and answer.headers["location"] == "thanks?lang=es"
    barrier(server, smtp_server)
    assert "bot@example.com" not in leads(tmp_path)
    assert messages_to(smtp_server, "bot@example.com") == []


def test_the_rate_limit_counts_each_client_address(serve, tmp_path):
    server = serve(web="rate_limit = 2\n")
    for n in range(2):
        assert server.post_form("/inquiry", {"email": f"a{n}@example.com"}).status == 303
    refused = server.post_form("/inquiry", {"email": "a2@example.com"})
    assert refused.status == 429 and refused.headers["retry-after"] == "3600"
    assert "a2@example.com" not in leads(tmp_path)
    # X-Forwarded-For from an untrusted peer is ignored: still the same client.
    spoofed = server.post_form("/inquiry", {"email": "a3@example.com"},
                               headers={"X-Forwarded-For": "198.51.100.7"})
    assert spoofed.status == 429


def test_x_forwarded_for_is_trusted_from_trusted_proxies(serve, tmp_path):
    server = serve(web='rate_limit = 1\ntrusted_proxies = ["127.0.0.1", "::1"]\n')
    for n in range(3):
        answer = server.post_form("/inquiry", {"email": f"b{n}@example.com"},
                                  headers={"X-Forwarded-For": f"198.51.100.{n + 1}"})
        assert answer.status == 303
    again = server.post_form("/inquiry", {"email": "b9@example.com"},
                             headers={"X-Forwarded-For": "198.51.100.1"})
    assert again.status == 429
    assert set(leads(tmp_path)) == {"b0@example.com", "b1@example.com", "b2@example.com"}


def test_an_oversized_or_unreadable_form_keeps_nothing(serve, tmp_path):
    server = serve()
    big = server.post_form("/inquiry", {"email": "ana@example.com", "name": "x" * 20_000})
    assert big.status == 413
    multipart = server.request("POST", "/inquiry", b"--x\r\n", {
        "Content-Type": "multipart/form-data; boundary=x"})
    assert multipart.status == 415
    latin1 = server.request("POST", "/inquiry", b"email=ana@example.com&name=Pe\xf1a", {
        "Content-Type": "application/x-www-form-urlencoded"})
    assert latin1.status == 400
    long_name = server.post_form("/inquiry", {"email": "ana@example.com", "name": "x" * 300})
    assert long_name.status == 422
    assert leads(tmp_path) == {}


# -- the webhook -------------------------------------------------------------------------


def test_the_webhook_takes_one_inquiry_or_a_list(serve, smtp_server, tmp_path):
    server = serve()
    one = server.post_json({"email": "luis@example.com", "name": "Luis", "locale": "English",
                            "fields": {"empresa": "Acme"}})
    assert one.status == 201
    assert one.json() == {"leads": [{"email": "luis@example.com", "outcome": "added", "status": "active"}]}
    many = server.post_json([{"email": "marta@example.com", "requested_at": "2026-03-07T20:00"},
                             {"email": "LUIS@example.com", "name": "Luis Gil"}])
    assert many.status == 201
    assert [(x["email"], x["outcome"]) for x in many.json()["leads"]] == [
        ("marta@example.com", "added"), ("luis@example.com", "updated")]
    wait_for(lambda: messages_to(smtp_server, "marta@example.com"), what="marta's info pack")
    wait_for(lambda: messages_to(smtp_server, "luis@example.com"), what="luis's info pack")
    assert messages_to(smtp_server, "luis@example.com")[0].message["Subject"].startswith(
        "The information you asked")
    stored = leads(tmp_path)
    assert stored["luis@example.com"]["name"] == "Luis Gil"
    assert json.loads(stored["luis@example.com"]["fields"]) == {"empresa": "Acme"}
    assert stored["marta@example.com"]["requested_at"] == "2026-03-07T19:00:00+00:00"


def test_the_webhook_refuses_a_missing_or_wrong_token(serve, tmp_path):
    server = serve()
    for token in (None, "wrong-token-0123456789abcdef", WEB_TOKEN + "x", WEB_TOKEN[:-1], ""):
        answer = server.post_json({"email": "luis@example.com"}, token=token)
        assert answer.status == 401, token
        assert answer.headers["content-type"] == "application/json"
        assert answer.headers["www-authenticate"] == "Bearer"
        assert answer.json() == {"error": "missing or wrong bearer token"}
    basic = server.post_json({"email": "luis@example.com"}, token=None,
                             headers={"Authorization": f"Basic {WEB_TOKEN}"})
    assert basic.status == 401
    assert leads(tmp_path) == {}


def test_without_a_configured_token_the_webhook_is_off(serve, tmp_path):
    server = serve(env={"LEADLOOP_WEB_TOKEN": ""})
    assert server.post_json({"email": "luis@example.com"}).status == 401
    assert "webhook off" in server.output()
    assert leads(tmp_path) == {}


MALFORMED = [
    (b'{"email": "luis@example.com"', 422, "not JSON"),
    (b"\xff\xfe", 422, "not JSON"),
    (b"[" * 50_000 + b"]" * 50_000, 413, "over"),
    (b"[" * 30_000 + b"]" * 30_000, 422, ""),
    (b"[]", 422, "one inquiry or a list"),
    (b'"luis@example.com"', 422, "JSON object"),
    (json.dumps([{"email": f"x{n}@example.com"} for n in range(101)]).encode(), 422, "1 to 100"),
    (b'{"email": "luis@example.com", "emial": "x"}', 422, "emial"),
    (b'{"email": "luis@example.com", "name": 7}', 422, "name"),
    (b'{"email": "luis@example.com", "timezone": "Mars/Olympus"}', 422, "timezone"),
    (b'{"email": "luis@example.com", "locale": "klingon-ish"}', 422, "locale"),
    (b'[{"email": "not-an-address"}, "luis@example.com"]', 422, "not-an-address"),
]


def test_malformed_webhook_bodies_are_refused_and_keep_nothing(serve, tmp_path):
    server = serve()
    for body, status, words in MALFORMED:
        answer = server.post_json(None, raw=body)
        assert answer.status == status, (body[:60], answer.text)
        document = answer.json()
        assert words in document["error"] or any(words in str(e) for e in document.get("errors", []))
    assert leads(tmp_path) == {}


def test_the_webhook_wants_json(serve, tmp_path):
    server = serve()
    answer = server.request("POST", "/api/inquiries", b"email=luis@example.com", {
        "Content-Type": "application/x-www-form-urlencoded", "Authorization": f"Bearer {WEB_TOKEN}"})
    assert answer.status == 415 and "application/json" in answer.json()["error"]
    assert leads(tmp_path) == {}


def test_a_lying_content_length_is_refused_before_the_body_is_read(serve, tmp_path):
    server = serve()
    answer = server.request("POST", "/api/inquiries", b"{}", {
        "Content-Type": "application/json", "Authorization": f"Bearer {WEB_TOKEN}",
        "Content-Length": "10000000"}, timeout=10)
    assert answer.status == 413


def test_suppressed_addresses_are_accepted_but_never_mailed(serve, smtp_server, run, tmp_path):
    write_project(tmp_path, smtp_server)
    assert run("add", "gone@example.com", "--requested-at", SATURDAY_NIGHT).exit_code == 0
    assert run("mark", "gone@example.com", "unsubscribed").exit_code == 0
    server = serve()
    answer = server.post_json({"email": "gone@example.com"})
    assert answer.status == 201
    assert answer.json()["leads"][0]["outcome"] == "suppressed"
    barrier(server, smtp_server)
    assert messages_to(smtp_server, "gone@example.com") == []


def test_the_daily_limit_holds_for_web_info_packs(serve, smtp_server, tmp_path):
    server = serve(cadence="daily_limit = 2\n")
    for n in range(3):
        assert server.post_json({"email": f"c{n}@example.com"}).status == 201
    wait_for(lambda: smtp_server.count == 2, what="two info packs")
    # The third stays due for the next day's run.
    assert server.post_json({"email": "c9@example.com"}).status == 201
    due = subprocess.run([sys.executable, "-m", "leadloop", "--now", SATURDAY_NIGHT, "due", "--json"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert smtp_server.count == 2
    assert json.loads(due.stdout) == []  # the day's budget is spent
    tomorrow = subprocess.run([sys.executable, "-m", "leadloop", "--now", "2026-03-08T08:00", "due",
                               "--json"], cwd=tmp_path, capture_output=True, text=True)
    assert {item["email"] for item in json.loads(tomorrow.stdout)} >= {"c2@example.com", "c9@example.com"}


# -- one-click links -----------------------------------------------------------------------


def _unsubscribe_path(received) -> str:
    https = received.message["List-Unsubscribe"].split(",")[0].strip()
    return link_path(https[1:-1])


def test_one_click_unsubscribe_post_acts_get_only_asks(serve, smtp_server, tmp_path, run):
    server = serve()
    assert server.post_json({"email": "ana@example.com", "locale": "en"}).status == 201
    received = wait_for(lambda: messages_to(smtp_server, "ana@example.com"), what="the info pack")[0]
    path = _unsubscribe_path(received)
    for method in ("GET", "HEAD", "GET"):
        page = server.request(method, path)
        assert page.status == 200
        assert leads(tmp_path)["ana@example.com"]["status"] == "active"
    page = server.get(path)
    assert "Unsubscribe me" in page.text and "<form method=\"post\">" in page.text
    assert "ana@example.com" not in page.text
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    # What Gmail and Yahoo do (RFC 8058): a POST with List-Unsubscribe=One-Click.
    done = server.request("POST", path, b"List-Unsubscribe=One-Click",
                          {"Content-Type": "application/x-www-form-urlencoded"})
    assert done.status == 200 and "you will receive no more messages" in done.text
    assert leads(tmp_path)["ana@example.com"]["status"] == "unsubscribed"
    assert server.request("POST", path, b"List-Unsubscribe=One-Click").status == 200  # again: fine
    show = json.loads(run("show", "ana@example.com", "--json").stdout)
    assert any(e.get("note") == "one-click unsubscribe" for e in show["events"])
    # Never imported or mailed again.
    assert server.post_json({"email": "ana@example.com"}).json()["leads"][0]["outcome"] == "suppressed"


def test_a_tampered_or_foreign_token_changes_nothing(serve, smtp_server, tmp_path):
    server = serve()
    assert server.post_json({"email": "ana@example.com"}).status == 201
    received = wait_for(lambda: messages_to(smtp_server, "ana@example.com"), what="the info pack")[0]
    path = _unsubscribe_path(received)
    token = path.rsplit("/", 1)[1]
    local, mac = token.split(".")
    tampered = [
        f"/u/{local}.{mac[:-1]}{'A' if mac[-1] != 'A' else 'B'}",
        f"/u/{local[:-1]}{'0' if local[-1] != '0' else '1'}.{mac}",
        f"/u/{local}",
        "/u/..%2F..%2Fetc%2Fpasswd",
        f"/u/{local}.{mac}%00",
        f"/u/{'a' * 5000}",
    ]
    for bad in tampered:
        answer = server.request("POST", bad, b"List-Unsubscribe=One-Click")
        assert answer.status in (404, 414), (bad, answer.status)
        assert "ana" not in answer.text
    assert leads(tmp_path)["ana@example.com"]["status"] == "active"


def test_an_erased_leads_link_says_nothing_is_kept(serve, smtp_server, tmp_path, run):
    server = serve()
    assert server.post_json({"email": "ana@example.com"}).status == 201
    received = wait_for(lambda: messages_to(smtp_server, "ana@example.com"), what="the info pack")[0]
    assert run("forget", "ana@example.com").exit_code == 0
    path = _unsubscribe_path(received)
    for method in ("GET", "POST"):
        page = server.request(method, path)
        assert page.status == 200 and "No guardamos ningún dato suyo" in page.text


def test_a_survey_answered_by_link_shows_in_the_results(serve, smtp_server, tmp_path, run):
    write_project(tmp_path, smtp_server)
    for address in ("ana@example.com", "luis@example.com"):
        assert run("add", address, "--locale", "en").exit_code == 0
        assert run("mark", address, "customer").exit_code == 0
    assert run("--now", "2026-03-02T10:00", "survey", "send", "opinion", "--to", "customer",
               "--yes").exit_code == 0
    server = serve()
    links = {}
    for received in smtp_server.messages:
        text = received.message.get_body(("plain",)).get_content()
        links[received.rcpt_tos[0]] = dict(re.findall(r"^[ ]+(\d+)[ ]+(https://\S+)\s*$", text, re.M))
    ana_nine = link_path(links["ana@example.com"]["9"])
    page = server.get(ana_nine)
    assert page.status == 200 and "Your answer: 9" in page.text and "Send my answer" in page.text
    assert json.loads(run("survey", "results", "opinion", "--json").stdout)["answered"] == 0
    assert server.request("POST", ana_nine).status == 200
    assert server.request("POST", link_path(links["luis@example.com"]["7"])).status == 200
    results = json.loads(run("survey", "results", "opinion", "--json").stdout)
    assert results["answered"] == 2
    assert {(r["answer"], r["count"]) for r in results["results"]} == {("9", 1), ("7", 1)}
    # An answer the link could not have carried is refused; an info pack's link is no survey.
    assert server.get(ana_nine.rsplit("/", 1)[0] + "/%0A%1B").status == 422
    token = ana_nine.split("/")[2]
    assert server.request("POST", f"/a/{token[:-2]}xx/9").status == 404


# -- busy database, spool, health --------------------------------------------------------


def _hold_write_lock(path):
    conn = sqlite3.connect(path, isolation_level=None, timeout=60)
    conn.execute("BEGIN IMMEDIATE")
    return conn


def test_a_busy_database_spools_the_inquiry_and_serve_applies_it_later(serve, smtp_server, tmp_path):
    server = serve()
    blocker = _hold_write_lock(tmp_path / "leadloop.db")
    try:
        answer = server.post_json({"email": "ana@example.com"})
        assert answer.status == 202
        assert answer.json() == {"leads": [{"email": "ana@example.com", "outcome": "queued",
                                            "status": None}]}
        assert server.post_form("/inquiry", {"email": "luis@example.com"}).status == 303
        spool = tmp_path / "leadloop.db.spool"
        assert len(list(spool.glob("*.json"))) == 2
        assert server.get("/health").json() == {"status": "ok", "spooled": 2}
        assert leads(tmp_path) == {}
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    wait_for(lambda: messages_to(smtp_server, "ana@example.com"), what="ana's info pack")
    wait_for(lambda: messages_to(smtp_server, "luis@example.com"), what="luis's info pack")
    assert set(leads(tmp_path)) == {"ana@example.com", "luis@example.com"}
    assert list(spool.glob("*.json")) == []


def test_when_even_the_spool_fails_the_client_gets_503(serve, smtp_server, tmp_path):
    server = serve()
    (tmp_path / "leadloop.db.spool").write_text("not a directory")
    blocker = _hold_write_lock(tmp_path / "leadloop.db")
    try:
        answer = server.post_json({"email": "ana@example.com"})
        assert answer.status == 503 and answer.headers["retry-after"] == "60"
        form = server.post_form("/inquiry", {"email": "luis@example.com"})
        assert form.status == 503 and "Inténtelo de nuevo" in form.text
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    barrier(server, smtp_server)
    assert set(leads(tmp_path)) == {"barrier@example.org"}
    assert "cannot keep an inquiry" in server.output()


@pytest.mark.bare_folder
def test_run_daily_applies_the_spool(tmp_path, smtp_server, run):
    from leadloop.web.intake import Inquiry
    from leadloop.web.spool import spool

    write_project(tmp_path, smtp_server)
    assert run("init").exit_code == 0
    spool(tmp_path / "leadloop.db.spool",
          [Inquiry(email="ana@example.com", requested_at="2026-03-07T22:30:00+00:00", name="Ana")])
    result = run("--now", "2026-03-09T10:00", "run-daily")
    assert result.exit_code == 0, result.stderr
    assert "spool: 1 web inquiry applied" in result.stdout
    assert messages_to(smtp_server, "ana@example.com")
    assert leads(tmp_path)["ana@example.com"]["requested_at"] == "2026-03-07T22:30:00+00:00"
    assert list((tmp_path / "leadloop.db.spool").glob("*.json")) == []


def test_health_and_unknown_pages(serve):
    server = serve()
    health = server.get("/health")
    assert health.status == 200 and health.json()["status"] == "ok"
    missing = server.get("/nothing-here")
    assert missing.status == 404 and "x-content-type-options" in missing.headers
    assert server.get("/inquiry").status == 405


def test_a_port_in_use_is_one_sentence_exit_1(tmp_path, smtp_server, run):
    import socket

    write_project(tmp_path, smtp_server)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = run("serve", "--port", port)
    assert result.exit_code == 1
    assert "cannot listen there" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_broken_form_template_stops_serve_at_start(tmp_path, smtp_server, run):
    write_project(tmp_path, smtp_server)
    (tmp_path / "templates" / "web").mkdir(parents=True)
    (tmp_path / "templates" / "web" / "form.html").write_text("<p>{{ text.nothing_here }}</p>")
    result = run("serve", "--port", 0)
    assert result.exit_code == 2
    assert "form.html" in result.stderr and "Traceback" not in result.stderr


def test_version_and_the_cli_do_not_load_the_web_framework():
    code = ("import sys; from leadloop import cli, render, runner; from leadloop import links; from leadloop.web import spool; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('starlette', 'uvicorn')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"


# -- at scale ---------------------------------------------------------------------------


def test_300_concurrent_form_posts_during_a_200k_row_import(serve, smtp_server, tmp_path):
    server = serve(web="rate_limit = 0\nbusy_wait = 30\n", cadence="daily_limit = 1000000\n",
                   now=None)
    with open(tmp_path / "big.csv", "w", encoding="utf-8") as handle:
        handle.write("email,name,product,source,requested_at\n")
        for n in range(200_000):
            handle.write(f"big{n}@example.net,Persona {n},Curso,Anuncio,01/03/2026 10:00\n")
    importer = subprocess.Popen([sys.executable, "-m", "leadloop", "--now", "2026-03-02T10:00", "import",
                                 "big.csv"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    addresses = [f"web{n}@example.org" for n in range(300)]
    started = threading.Event()

    def import_holds_the_database():
        assert importer.poll() is None, "the import ended before the inquiries were sent"
        probe = sqlite3.connect(tmp_path / "leadloop.db", timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True  # the import's transaction has the write lock
        finally:
            probe.close()

    wait_for(import_holds_the_database, what="the import to take the database")

    def post(address):
        started.wait()
        return server.post_form("/inquiry", {"email": address, "name": "Web"}).status

    with ThreadPoolExecutor(max_workers=30) as pool:
        futures = [pool.submit(post, address) for address in addresses]
        started.set()
        statuses = [future.result() for future in futures]
    out, err = importer.communicate(timeout=600)
    assert importer.returncode == 0, err
    assert b"200000 new" in out
    assert statuses == [303] * 300
    wait_for(lambda: sum(1 for m in smtp_server.messages if m.rcpt_tos[0] in set(addresses)) >= 300,
             timeout=300, what="300 info packs")
    barrier(server, smtp_server)
    counts = {}
    for received in smtp_server.messages:
        counts[received.rcpt_tos[0]] = counts.get(received.rcpt_tos[0], 0) + 1
    assert all(counts.get(address) == 1 for address in addresses)
    # Delivered is not yet recorded: serve's recorder thread writes the answers just after.
    def all_recorded():
        rows = leads(tmp_path)
        return rows if all(rows[address]["contacts"] == 1 for address in addresses) else None

    stored = wait_for(all_recorded, what="the 300 info packs recorded as sent")
    assert len(stored) == 200_000 + 300 + 1


def test_a_refusal_of_the_sender_holds_serves_sending_and_keeps_the_inquiry(serve, smtp_server, tmp_path, run):
    """SPEC §6, §11 (issue #23 item 5): the inquiry is kept, its pack stays due and is
    charged to no lead; /health says sending is held and why; an inquiry arriving during
    the hold is not offered to the refusing server; the next run-daily sends both, once."""
    refusal = "550 5.7.26 This mail is unauthenticated, which poses a security risk"
    smtp_server.data_replies = {"ana@example.com": refusal, "luis@example.com": refusal}
    server = serve()
    assert server.post_form("/inquiry", {"email": "ana@example.com"}).status == 303
    health = wait_for(lambda: (doc := server.get("/health").json()).get("sending") == "held" and doc,
                      what="sending held")
    assert health["status"] == "ok" and "5.7.26" in health["held_because"]
    assert "publish SPF and DKIM records" in health["held_because"]
    assert server.post_form("/inquiry", {"email": "luis@example.com"}).status == 303
    wait_for(lambda: "luis@example.com" in leads(tmp_path), what="the second inquiry written")
    assert len(smtp_server.messages) == 1, "nothing more offered while sending is held"
    for address in ("ana@example.com", "luis@example.com"):
        row = leads(tmp_path)[address]
        assert (row["status"], row["contacts"], row["next_step"]) == ("active", 0, 0)
    smtp_server.data_replies = {}
    smtp_server.clear()
    result = run("--now", SATURDAY_NIGHT, "run-daily")
    assert result.exit_code == 0, result.stderr
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == ["ana@example.com", "luis@example.com"]
