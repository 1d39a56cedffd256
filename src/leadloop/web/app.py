"""The HTTP side of `leadloop serve` (SPEC §11), on Starlette.

Routes:
  GET  /form                 the inquiry form (es/en), for linking or embedding
  POST /inquiry              the form's POST: honeypot, per-client rate limit, 303 to the
                             thank-you page (or `[web] thanks_url`); a bad address gets the
                             form back with the error (422)
  GET  /thanks               the thank-you page
  POST /api/inquiries        JSON, one inquiry or a list, `Authorization: Bearer TOKEN`:
                             201 (202 when spooled) with each one's outcome; 207 when some
                             items of a list were refused and the rest kept; 401, 413, 415,
                             422 (none accepted) with a JSON error; 503 when not even the
                             spool can keep it
  GET  /u/TOKEN              one-click unsubscribe: a page with a button, changes nothing
  POST /u/TOKEN              unsubscribes at once (RFC 8058; mail providers POST here)
  GET  /a/TOKEN/ANSWER       a survey answer: a page with a button, changes nothing
  POST /a/TOKEN/ANSWER       records the answer
  GET  /health               200 while the database can be read, else 503; says when a
                             refusal of the sender holds the sending of info packs
  POST /hooks/shopify        a shop's purchase, verified as the shop signs it (hooks.py):
  POST /hooks/woocommerce    200 with what changed, or why nothing did; 401 bad or missing
  POST /hooks/stripe         signature; 400 a payload no shop sends (not a JSON object,
                             no id, an impossible amount or currency); 404 when that
                             shop's secret is not configured; 413; 503 only when the
                             database stays busy (the shop retries); 500 anything else,
                             logged (record() says why 4xx is not used more)
  POST /api/orders           JSON, one order or a list, the bearer token of
                             /api/inquiries: 200, 400, 401, 413, 415, 422, 503, 500

GET never changes anything: mail scanners and link previews open every link. Every
response carries the security headers below; pages are escaped templates (pages.py);
bodies over a few kilobytes are refused before they are read whole. Database work runs
on service.py's threads; this module only speaks HTTP.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import time
from collections import OrderedDict, deque
from urllib.parse import parse_qsl, urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from .intake import InquiryError, parse_inquiry
from .pages import TEXT, Pages
from .service import Service, SpoolFailed
from ..links import find_message, link_key

FORM_BODY_LIMIT = 16 * 1024
API_BODY_LIMIT = 64 * 1024
# A shop's order payload carries every line item with its taxes, discounts and
# properties: an order of a few dozen items passes 64 kB, and a shop retries a 413 for
# days before it turns the webhook off.
HOOK_BODY_LIMIT = 512 * 1024
LINK_BODY_LIMIT = 4 * 1024
MOST_INQUIRIES = 100
LONGEST_ANSWER = 40
HONEYPOT = "website"
# Pages that any site may show in a frame: the form is meant to be embedded, and all it
# can do is ask for information, which any site can already POST here.
EMBEDDABLE = ("/form", "/inquiry", "/thanks")
RATE_WINDOW = 3600.0
MOST_CLIENTS_TRACKED = 100_000


class TooLarge(Exception):
    pass


async def read_body(request: Request, limit: int) -> bytes:
    """The request's body, or TooLarge as soon as it passes `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                raise TooLarge
        except ValueError:
            raise TooLarge from None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise TooLarge
    return bytes(body)


class RateLimit:
    """At most `per_hour` form inquiries per client address in any hour (a sliding
    window), 0 for none. In memory: one serve process is the only one counting."""

    def __init__(self, per_hour: int):
        self.per_hour = per_hour
        self.seen: OrderedDict[str, deque] = OrderedDict()

    def allow(self, client: str) -> bool:
        if not self.per_hour:
            return True
        now = time.monotonic()
        times = self.seen.pop(client, None) or deque()
        while times and now - times[0] > RATE_WINDOW:
            times.popleft()
        allowed = len(times) < self.per_hour
        if allowed:
            times.append(now)
        self.seen[client] = times  # most recent last
        if len(self.seen) > MOST_CLIENTS_TRACKED:
            self.seen.popitem(last=False)
        return allowed


def _csp(path: str, form_targets: str) -> str:
    frames = "*" if path in EMBEDDABLE else "'none'"
    return ("default-src 'none'; style-src 'unsafe-inline' https:; img-src 'self' https: data:; "
            f"font-src https: data:; form-action 'self'{form_targets}; base-uri 'none'; "
            f"frame-ancestors {frames}")


class SecurityHeaders:
    """Adds the usual security headers to every response (pure ASGI, so it also covers
    Starlette's own 404 and 405 answers)."""

    def __init__(self, app, form_targets: str):
        self.app, self.form_targets = app, form_targets

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")

        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                extra = [
                    (b"content-security-policy", _csp(path, self.form_targets).encode()),
                    (b"x-content-type-options", b"nosniff"),
                    # Links carry tokens in their path: never hand them on as a Referer.
                    (b"referrer-policy", b"no-referrer"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                ]
                if path not in EMBEDDABLE:
                    extra.append((b"x-frame-options", b"DENY"))
                if b"cache-control" not in names:
                    extra.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers + extra}
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(config, service: Service, web_token: str | None, clock,
               hook_secrets: dict[str, str] | None = None):
    """The Starlette application, over a started `service`. `hook_secrets`: platform →
    shared secret of the shop webhooks that are on."""
    hook_secrets = hook_secrets or {}
    pages = Pages(config)
    limit = RateLimit(config.web.rate_limit)
    key_box: list[bytes] = []

    async def on_reader(function):
        return await asyncio.wrap_future(service.reader.submit(function))

    async def on_writer(function):
        return await asyncio.wrap_future(service.writer.submit(function))

    async def link_key_of() -> bytes:
        if not key_box:
            key_box.append(await on_reader(lambda store: link_key(store.meta("secret"))))
        return key_box[0]

    def html(lang, title, message, status, button=None, headers=None, **values):
        return HTMLResponse(pages.page(lang, title, message, button, **values), status_code=status,
                            headers=headers)

    def client_of(request: Request) -> str:
        # With trusted_proxies, ProxyHeadersMiddleware (server.py) has already put the
        # address X-Forwarded-For names here; from anyone else the header is ignored.
        return request.client.host if request.client else "?"

    # -- the form --------------------------------------------------------------------

    def form_page(request: Request, lang: str, values: dict, errors: dict, status: int):
        fixed_product = bool(request.query_params.get("product"))
        fixed_source = bool(request.query_params.get("source"))
        shown = {key: values.get(key) or "" for key in ("email", "name", "product", "source")}
        errors = {"email": "", "name": "", "other": "", **errors}
        return HTMLResponse(pages.form(lang, shown, errors, fixed_product=fixed_product,
                                       fixed_source=fixed_source), status_code=status)

    async def form(request: Request):
        lang = pages.language(request.query_params.get("lang"),
                              accept=request.headers.get("accept-language"))
        values = {key: request.query_params.get(key, "")[:200] for key in ("product", "source")}
        return form_page(request, lang, values, {}, 200)

    def thanks_redirect(lang: str):
        target = config.web.thanks_url or f"thanks?lang={lang}"
        return RedirectResponse(target, status_code=303)

    async def thanks(request: Request):
        lang = pages.language(request.query_params.get("lang"),
                              accept=request.headers.get("accept-language"))
        return html(lang, "thanks_title", "thanks", 200)

    async def inquiry(request: Request):
        accept_language = request.headers.get("accept-language")
        lang = pages.language(accept=accept_language)
        try:
            body = await read_body(request, FORM_BODY_LIMIT)
        except TooLarge:
            return html(lang, "too_large_title", "too_large", 413)
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            return html(lang, "bad_request_title", "bad_request", 415)
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=60)
        except (UnicodeDecodeError, ValueError):
            return html(lang, "bad_request_title", "bad_request", 400)
        values: dict = {}
        for name, value in pairs:
            values.setdefault(name, value)  # a repeated field counts once
        lang = pages.language(values.pop("lang", None), accept=accept_language)
        if not limit.allow(client_of(request)):
            return html(lang, "limited_title", "limited", 429, headers={"Retry-After": "3600"})
        if values.pop(HONEYPOT, ""):
            return thanks_redirect(lang)  # a bot: it sees success, nothing is kept
        try:
            inquiry = parse_inquiry(values, clock(), config, strict=False, locale=lang)
        except InquiryError as err:
            text = TEXT[lang]
            errors = ({"email": text["bad_email"]} if err.field == "email" else
                      {"name" if err.field == "name" else "other":
                       text["bad_field"].format(detail=f"{err.field}: {err.reason}")})
            return form_page(request, lang, values, errors, 422)
        try:
            await asyncio.wrap_future(service.writer.accept([inquiry]))
        except SpoolFailed:
            return html(lang, "unavailable_title", "unavailable", 503, headers={"Retry-After": "60"})
        return thanks_redirect(lang)

    # -- the webhook -----------------------------------------------------------------------

    def api_error(status: int, message: str, **more):
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse({"error": message, **more}, status_code=status, headers=headers)

    async def api_body(request: Request):
        """(body, None) of a JSON request with the bearer web token, or (None, the answer
        that refuses it): /api/inquiries and /api/orders take the same requests."""
        given = request.headers.get("authorization", "")
        scheme, _, credentials = given.partition(" ")
        if (web_token is None or scheme.lower() != "bearer"
                or not hmac.compare_digest(credentials.strip().encode(), web_token.encode())):
            return None, api_error(401, "missing or wrong bearer token")
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            return None, api_error(415, "send application/json")
        try:
            return await read_body(request, API_BODY_LIMIT), None
        except TooLarge:
            return None, api_error(413, f"the body is over {API_BODY_LIMIT} bytes")

    async def api_inquiries(request: Request):
        body, refused = await api_body(request)
        if refused is not None:
            return refused
        try:
            document = json.loads(body)
        except (ValueError, RecursionError) as err:
            return api_error(422, f"the body is not JSON ({str(err)[:100]})")
        items = document if isinstance(document, list) else [document]
        if not items or len(items) > MOST_INQUIRIES:
            return api_error(422, f"send one inquiry or a list of 1 to {MOST_INQUIRIES}")
        received_at, inquiries, indexes, errors = clock(), [], [], []
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                errors.append({"index": index, "field": None, "error": "an inquiry is a JSON object"})
                continue
            try:
                inquiries.append(parse_inquiry(item, received_at, config, strict=True))
                indexes.append(index)
            except InquiryError as err:
                errors.append({"index": index, "field": err.field, "error": err.reason})
        if not inquiries:
            return api_error(422, "no inquiry was accepted: " + errors[0]["error"], errors=errors)
        try:
            outcomes = await asyncio.wrap_future(service.writer.accept(inquiries))
        except SpoolFailed as err:
            return JSONResponse({"error": str(err)}, status_code=503, headers={"Retry-After": "60"})
        if errors:
            # Some of a list were bad: the good ones are kept, as `import` keeps the good rows
            # of a file (issue #27 item 21), and each item's result is told, by its index in
            # the list, with 207 (RFC 4918's Multi-Status: the items fared differently).
            accepted = [{"index": index, **o.as_json()} for index, o in zip(indexes, outcomes)]
            return JSONResponse({"leads": accepted, "errors": errors}, status_code=207)
        queued = any(o.outcome == "queued" for o in outcomes)
        return JSONResponse({"leads": [o.as_json() for o in outcomes]}, status_code=202 if queued else 201)

    # -- purchases (hooks.py) ----------------------------------------------------------------

    async def record(source: str, heard) -> JSONResponse:
        """What the writer made of a verified request. Shopify, Stripe and WooCommerce treat
        every answer but 2xx alike, 4xx as much as 5xx: Shopify retries 8 times over 4
        hours and may then delete the subscription (shopify.dev/changelog/updates-to-
        webhook-retry-mechanism), Stripe retries for up to three days and may disable the
        endpoint (docs.stripe.com/webhooks), WooCommerce does not retry but disables the
        webhook after 5 failures in a row (woocommerce_max_webhook_delivery_failures,
        docs/building-a-woo-store/webhooks.md). So a shop's ordinary order that cannot
        make a customer is 200 "ignored" (hooks.py); a 4xx, checked before anything is
        written, says a person must look at a request no working shop sends (the delivery
        log shows the sentence); only a busy database is 503 with Retry-After, where a
        retry is the cure; anything else is 500 and in serve's log. Nothing is written
        in any of these cases: the writer's transaction rolls back."""
        from . import hooks
        from ..errors import DatabaseBusy, LeadloopError

        if heard.ignored is not None:
            return JSONResponse({"ignored": heard.ignored})
        now = clock()
        try:
            done = await on_writer(lambda store: hooks.apply_heard(store, source, heard, now))
        except DatabaseBusy:
            # Busy past [web] busy_wait (a large import, a send): the shop sends it again.
            return JSONResponse({"error": "the database is busy; try again later"}, status_code=503,
                                headers={"Retry-After": "60"})
        except LeadloopError as err:
            # A database that is read-only, full or damaged: the marketer must act (one
            # sentence in the log); a bug is no LeadloopError: server_error answers it and
            # uvicorn logs its traceback.
            service.writer.on_problem(f"{request_path(source)}: the purchase was not recorded: {err}")
            return JSONResponse({"error": "the purchase could not be recorded; the server's "
                                          "log says why"}, status_code=500)
        return JSONResponse(done)

    def request_path(source: str) -> str:
        return "/api/orders" if source == "api" else f"/hooks/{source}"

    async def shop_hook(request: Request):
        from . import hooks

        platform = request.url.path.rpartition("/")[2]
        secret = hook_secrets.get(platform)
        if secret is None:  # not configured: for this marketer the route does not exist
            return await not_found(request, None)
        try:
            body = await read_body(request, HOOK_BODY_LIMIT)
        except TooLarge:
            return api_error(413, f"the body is over {HOOK_BODY_LIMIT} bytes")
        headers = request.headers
        try:
            if platform == "shopify":
                hooks.verify_base64_hmac(body, headers.get("x-shopify-hmac-sha256"), secret,
                                         "X-Shopify-Hmac-Sha256")
                heard = hooks.read_shopify(body, headers.get("x-shopify-topic", "").strip(), clock())
            elif platform == "woocommerce":
                if not headers.get("x-wc-webhook-signature") and hooks.is_woocommerce_ping(body):
                    return JSONResponse({"ignored": "WooCommerce's ping: the webhook is reachable"})
                hooks.verify_base64_hmac(body, headers.get("x-wc-webhook-signature"), secret,
                                         "X-WC-Webhook-Signature")
                heard = hooks.read_woocommerce(body, headers.get("x-wc-webhook-topic", "").strip(),
                                               clock())
            else:
                now = clock()
                hooks.verify_stripe(body, headers.get("stripe-signature"), secret, now)
                heard = hooks.read_stripe(body, now)
        except hooks.HookError as err:
            return JSONResponse({"error": str(err)}, status_code=err.status)
        return await record(platform, heard)

    async def api_orders(request: Request):
        from . import hooks

        body, refused = await api_body(request)
        if refused is not None:
            return refused
        try:
            document = json.loads(body)
        except (ValueError, RecursionError) as err:
            return api_error(400, f"the body is not JSON ({str(err)[:100]})")
        try:
            orders = hooks.read_api_orders(document, clock(), config.cadence.timezone)
        except hooks.OrderError as err:
            return api_error(422, f"no order was recorded: order {err.index}: {err}",
                             errors=[{"index": err.index, "field": err.field, "error": err.reason}])
        return await record("api", hooks.Heard(orders=orders))

    # -- one-click links -------------------------------------------------------------------

    def lead_language(row) -> str:
        return pages.language(row["lead_locale"] if row is not None else None)

    async def link_row(request: Request, token: str, act=None):
        """(the message a link's token names, None), or (None, the 413 page) when a POST
        body is over the limit. `act(store, row)` runs in a write on the writer thread,
        only for a message whose lead still has its data; else the reader looks it up."""
        key = await link_key_of()
        if request.method == "POST":
            try:
                await read_body(request, LINK_BODY_LIMIT)  # RFC 8058: List-Unsubscribe=One-Click
            except TooLarge:
                return None, html(pages.default, "too_large_title", "too_large", 413)
        if act is None:
            return await on_reader(lambda store: find_message(store.conn, key, token)), None

        def write(store):
            row = find_message(store.conn, key, token)
            if row is not None and row["lead_email"] is not None:
                with store.write():
                    act(store, row)
            return row

        return await on_writer(write), None

    def unknown_link_page(row, lang: str):
        """The page for a token that names no message, or a lead erased since: None otherwise."""
        if row is None:
            return html(lang, "invalid_title", "invalid", 404)
        if row["lead_email"] is None:
            return html(lang, "erased_title", "erased", 200)
        return None

    async def unsubscribe(request: Request):
        sender = config.sender.name
        act = None
        if request.method == "POST":
            now = clock()

            def act(store, row):
                lead = store.lead_by_id(row["lead_id"])
                if lead["email"] is not None and lead["status"] not in ("unsubscribed", "bounced"):
                    store.change_status(lead, "unsubscribed", now, "one-click unsubscribe")

        row, refused = await link_row(request, request.path_params["token"], act)
        if refused is not None:
            return refused
        lang = lead_language(row)
        if (page := unknown_link_page(row, lang)) is not None:
            return page
        if request.method == "POST":
            return html(lang, "unsubscribe_title", "unsubscribed", 200, sender=sender)
        if row["lead_status"] in ("unsubscribed", "bounced"):
            # Opened again after unsubscribing: say it is done, offer no button (issue #27
            # item 19). A bounced address gets no mail either.
            return html(lang, "unsubscribe_title", "already_unsubscribed", 200, sender=sender)
        return html(lang, "unsubscribe_title", "unsubscribe_ask", 200, button="unsubscribe_button",
                    sender=sender)

    async def answer(request: Request):
        token, answer_text = request.path_params["token"], request.path_params["answer"]
        answer_text = " ".join(answer_text.split())
        valid = 0 < len(answer_text) <= LONGEST_ANSWER and answer_text.isprintable()
        act = None
        if request.method == "POST" and valid:
            now = clock()

            def act(store, row):
                from ..surveys import record_answer

                if row["kind"].startswith("survey:"):
                    record_answer(store, row["lead_id"], row["kind"].partition(":")[2],
                                  answer_text, now)

        row, refused = await link_row(request, token, act)
        if refused is not None:
            return refused
        lang = lead_language(row)
        if (page := unknown_link_page(row, lang)) is not None:
            return page
        if not row["kind"].startswith("survey:"):
            return html(lang, "invalid_title", "not_survey", 404)
        if not valid:
            return html(lang, "answer_title", "bad_answer", 422)
        if request.method == "POST":
            return html(lang, "answer_title", "answered", 200, answer=answer_text)
        return html(lang, "answer_title", "answer_ask", 200, button="answer_button", answer=answer_text)

    # -- health ------------------------------------------------------------------------------

    async def health(request: Request):
        try:
            await on_reader(lambda store: store.conn.execute("SELECT count(*) FROM _migrations").fetchone())
        except Exception:
            return JSONResponse({"status": "unavailable"}, status_code=503)
        from .spool import spooled

        document = {"status": "ok", "spooled": len(spooled(service.spool_dir))}
        if service.sender.held:  # SPEC §6: a refusal of the sender holds serve's sending
            document.update(sending="held", held_because=service.sender.held)
        return JSONResponse(document)

    async def not_found(request: Request, exc):
        lang = pages.language(accept=request.headers.get("accept-language"))
        return html(lang, "not_found_title", "not_found", 404)

    async def server_error(request: Request, exc):
        # A bug, logged by uvicorn with its traceback; the client is told to try again.
        if request.url.path.startswith(("/api/", "/hooks/")):
            return JSONResponse({"error": "the server failed; try again later"}, status_code=500)
        lang = pages.language(accept=request.headers.get("accept-language"))
        return html(lang, "unavailable_title", "unavailable", 500)

    app = Starlette(
        routes=[
            Route("/form", form, methods=["GET"]),
            Route("/inquiry", inquiry, methods=["POST"]),
            Route("/thanks", thanks, methods=["GET"]),
            Route("/api/inquiries", api_inquiries, methods=["POST"]),
            Route("/u/{token}", unsubscribe, methods=["GET", "POST"]),
            Route("/a/{token}/{answer}", answer, methods=["GET", "POST"]),
            Route("/health", health, methods=["GET"]),
            Route("/hooks/shopify", shop_hook, methods=["POST"]),
            Route("/hooks/woocommerce", shop_hook, methods=["POST"]),
            Route("/hooks/stripe", shop_hook, methods=["POST"]),
            Route("/api/orders", api_orders, methods=["POST"]),
        ],
        exception_handlers={404: not_found, Exception: server_error},
    )
    targets = ""
    if config.web.thanks_url:
        parts = urlsplit(config.web.thanks_url)
        targets = f" {parts.scheme}://{parts.netloc}"
    wrapped = SecurityHeaders(app, targets)
    if config.web.trusted_proxies:
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        wrapped = ProxyHeadersMiddleware(wrapped, trusted_hosts=list(config.web.trusted_proxies))
    return wrapped
