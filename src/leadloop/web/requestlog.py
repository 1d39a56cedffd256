"""One line on stderr per request `serve` answers, as uvicorn's access log has it
(issue #27 item 18), without what uvicorn's would show: the tokens in one-click links,
query strings (`?email=…` from a form page's link), the client's address and bodies.

    2026-03-07T22:30:01Z POST /inquiry 303 4 ms
    2026-03-07T22:30:09Z GET /u/<token> 200 2 ms

A path is written as it is only when it is one of serve's own fixed routes; a link's
token (and a survey answer, which is words a person chose) becomes a placeholder, and
any other path (a 404) keeps only a first segment made of plain letters, digits, dots
and dashes, so an address or a token under a wrong prefix never reaches the log.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import datetime, timezone

FIXED_ROUTES = frozenset({"/", "/form", "/inquiry", "/thanks", "/api/inquiries", "/api/orders",
                          "/health", "/hooks/shopify", "/hooks/woocommerce", "/hooks/stripe"})
# Link routes: the first segment names the route, what follows is secret or personal.
LINK_ROUTES = {"u": "/u/<token>", "a": "/a/<token>/<answer>"}
_PLAIN_SEGMENT = re.compile(r"[A-Za-z0-9._-]{1,32}")


def loggable_path(path: str) -> str:
    if path in FIXED_ROUTES:
        return path
    first, _, rest = path.lstrip("/").partition("/")
    if first in LINK_ROUTES:
        return LINK_ROUTES[first]
    if _PLAIN_SEGMENT.fullmatch(first) and "@" not in first:
        return "/" + first + ("/…" if rest else "")
    return "/…"


class RequestLog:
    """Pure ASGI, around everything else: it sees the status actually sent (Starlette's
    own 404 and 405 included) and the time until the last byte of the body."""

    def __init__(self, app, write: Callable[[str], None]):
        self.app, self.write = app, write

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = [500]  # what the client gets when the app fails before answering

        async def recorded(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recorded)
        finally:
            took = (time.perf_counter() - started) * 1000
            at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            self.write(f"{at} {scope.get('method', '?')} {loggable_path(scope.get('path', ''))} "
                       f"{status[0]} {took:.0f} ms")
