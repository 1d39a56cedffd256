"""`leadloop serve`: the service's threads, the Starlette app, uvicorn on one socket.

One process, one worker: the rate limit and the writer's group commit live in it, and
SQLite takes one writer at a time anyway. The socket is bound here, before uvicorn
starts, so a port in use is one clear sentence (exit 1), not a log line. uvicorn
answers SIGTERM (systemd's stop) by finishing the requests under way; then the writer
hands what it accepted to the sender, which finishes the burst it is sending.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from datetime import datetime

from ..config import Config, web_token
from ..errors import LeadloopError


class ServeError(LeadloopError):
    exit_code = 1


def bind(host: str, port: int) -> socket.socket:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as err:
        raise ServeError(f"--host {host}: not an address to listen on ({err.strerror})") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as err:
        sock.close()
        raise ServeError(f"{host}:{port}: cannot listen there ({err.strerror})") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def run(config: Config, clock: Callable[[], datetime], host: str, port: int, *,
        on_ready: Callable[[str], None], on_problem: Callable[[str], None]) -> None:
    import uvicorn

    from .app import create_app
    from .service import Service

    token = web_token(config.web)
    service = Service(config, clock, on_problem)
    service.start()
    try:
        sock = bind(host, port)
        app = create_app(config, service, token, clock)
        server = uvicorn.Server(uvicorn.Config(
            app, log_level="warning", access_log=False, server_header=False,
            proxy_headers=False, lifespan="off", http="h11", timeout_keep_alive=5,
            timeout_graceful_shutdown=10))
        where = f"http://{host}:{sock.getsockname()[1]}"
        on_ready(f"serving on {where} (database {config.database_path}); "
                 + ("webhook on" if token else "webhook off: no LEADLOOP_WEB_TOKEN or [web] token_command"))
        server.run(sockets=[sock])
    finally:
        service.stop()
