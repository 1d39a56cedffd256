"""The pages of `leadloop serve` in a real browser: Debian's chromium, driven by
Playwright through `executable_path` (Playwright's own browser download cannot work
here). Skipped, saying why, where chromium or Playwright is missing."""

import json
import re
import shutil

import pytest
from web_server import BASE_URL, WebServer, leads, link_path, wait_for, write_project

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
if not shutil.which("chromium") and not __import__("os").path.exists(CHROMIUM):
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="es-ES")
    opened = context.new_page()
    opened.set_default_timeout(30_000)
    yield opened
    context.close()


@pytest.fixture
def server(tmp_path, smtp_server):
    write_project(tmp_path, smtp_server)
    started = WebServer(tmp_path, now="2026-03-07T23:30").start()
    yield started
    started.stop()


def test_a_person_fills_in_the_form_and_gets_the_info_pack(page, server, smtp_server, tmp_path):
    page.goto(f"{server.url}/form?product=Curso%20de%20yoga&source=Web")
    assert page.locator("h1").inner_text() == "Pida información"
    trap = page.locator("#website").bounding_box()  # the honeypot is off-screen: not for people
    assert trap["x"] + trap["width"] <= 0
    page.fill("#email", "ana@")
    page.fill("#name", "Ana <b>Peña</b>")
    # The browser's own check stops an address without a domain: nothing is sent.
    page.click("button[type=submit]")
    assert page.url.endswith("/form?product=Curso%20de%20yoga&source=Web")
    page.fill("#email", "Ana.Pena@example.com")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/thanks\?lang=es$"))
    assert page.locator("h1").inner_text() == "¡Gracias!"
    received = wait_for(lambda: [m for m in smtp_server.messages if m.rcpt_tos == ["ana.pena@example.com"]],
                        what="the info pack")
    assert len(received) == 1
    lead = leads(tmp_path)["ana.pena@example.com"]
    assert (lead["name"], lead["product"], lead["source"], lead["locale"]) == (
        "Ana <b>Peña</b>", "Curso de yoga", "Web", "es")


def test_the_server_shows_an_address_it_refuses_on_the_form(page, server, tmp_path):
    page.goto(f"{server.url}/form?lang=en")
    # An address the browser's own check lets through but email-validator does not.
    page.fill("#email", "ana@localhost")
    page.fill("#name", "<script>document.title='pwned'</script>")
    page.click("button[type=submit]")
    page.wait_for_selector(".error")
    assert "This e-mail address is not valid" in page.locator(".error").inner_text()
    assert page.input_value("#name") == "<script>document.title='pwned'</script>"
    assert page.title() == "Ask for information"
    assert leads(tmp_path) == {}


def test_a_person_clicks_unsubscribe(page, server, smtp_server, tmp_path):
    assert server.post_json({"email": "ana@example.com", "locale": "en"}).status == 201
    received = wait_for(lambda: smtp_server.messages, what="the info pack")[0]
    url = received.message["List-Unsubscribe"].split(",")[0].strip()[1:-1]
    page.goto(server.url + link_path(url))
    assert page.locator("h1").inner_text() == "Unsubscribe"
    assert leads(tmp_path)["ana@example.com"]["status"] == "active"  # opening changed nothing
    page.click("text=Unsubscribe me")
    page.wait_for_selector("text=you will receive no more messages")
    assert leads(tmp_path)["ana@example.com"]["status"] == "unsubscribed"
    # The link opened again, days later: it says it is done, with no button (issue #27 item 19).
    page.goto(server.url + link_path(url))
    assert "You are already unsubscribed" in page.locator("body").inner_text()
    assert page.locator("button").count() == 0


def test_a_person_answers_a_survey_by_clicking(page, tmp_path, smtp_server, run):
    write_project(tmp_path, smtp_server)
    assert run("add", "ana@example.com").exit_code == 0
    assert run("mark", "ana@example.com", "customer").exit_code == 0
    assert run("--now", "2026-03-02T10:00", "survey", "send", "opinion", "--to", "customer",
               "--yes").exit_code == 0
    html = smtp_server.messages[0].message.get_body(("html",)).get_content()
    server = WebServer(tmp_path).start()
    try:
        # The message's HTML, as a mail client shows it, with its links on this server.
        page.set_content(html.replace(BASE_URL, server.url))
        page.click("a:text-is('8')")
        page.wait_for_selector("text=Su respuesta: 8")
        assert json.loads(run("survey", "results", "opinion", "--json").stdout)["answered"] == 0
        page.click("text=Enviar mi respuesta")
        page.wait_for_selector("text=Hemos anotado su respuesta: 8")
    finally:
        server.stop()
    results = json.loads(run("survey", "results", "opinion", "--json").stdout)
    assert results["answered"] == 1 and results["results"][0]["answer"] == "8"
