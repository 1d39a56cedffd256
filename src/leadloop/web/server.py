"""`leadloop serve`: the service's threads, the Starlette app, uvicorn on one socket.

One process, one worker: the rate limit and the writer's group commit live in it, and
SQLite takes one writer at a time anyway. The socket is bound here, before uvicorn
starts, so a port in use is one clear sentence (exit 1), not a log line. SIGTERM
(systemd's stop) and SIGINT (Ctrl-C) are both a normal stop: uvicorn finishes the
requests under way; then the writer hands what it accepted to the sender, which
finishes the burst it is sending, and serve says "stopped" and exits 0.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from datetime import datetime

from ..config import HOOK_SECRET_ENV, Config, hook_secret, web_token
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


def _server_class():
    """uvicorn's Server, except that a signal is the normal way to stop (issue #27 item
    17): uvicorn re-raises the SIGINT or SIGTERM it caught once it has shut down, which
    made Ctrl-C an "interrupted" error (exit 130) and SIGTERM a silent death by signal.
    Here both stop it as uvicorn does (the requests under way are finished) and `run`
    returns normally."""
    import contextlib
    import signal
    import threading

    import uvicorn
    from uvicorn.server import HANDLED_SIGNALS

    class Server(uvicorn.Server):
        stopped_by: int | None = None

        def handle_exit(self, sig, frame) -> None:
            self.stopped_by = sig
            super().handle_exit(sig, frame)

        @contextlib.contextmanager
        def capture_signals(self):
            if threading.current_thread() is not threading.main_thread():
                yield
                return
            original = {sig: signal.signal(sig, self.handle_exit) for sig in HANDLED_SIGNALS}
            try:
                yield
            finally:
                for sig, handler in original.items():
                    signal.signal(sig, handler)

    return Server


def run(config: Config, clock: Callable[[], datetime], host: str, port: int, *,
        on_ready: Callable[[str], None], on_problem: Callable[[str], None],
        on_request: Callable[[str], None] | None = None,
        on_stopped: Callable[[str], None] | None = None) -> None:
    """Serve until SIGINT or SIGTERM. `on_request` gets one log line per request
    (requestlog.py), `on_stopped` a sentence once everything under way is finished."""
    import uvicorn

    from .app import create_app
    from .service import Service

    token = web_token(config.web)
    hook_secrets = {platform: secret for platform in HOOK_SECRET_ENV
                    if (secret := hook_secret(config.orders, platform)) is not None}
    service = Service(config, clock, on_problem)
    service.start()
    try:
        sock = bind(host, port)
        app = create_app(config, service, token, clock, hook_secrets)
        if on_request is not None:
            from .requestlog import RequestLog

            app = RequestLog(app, on_request)
        server = _server_class()(uvicorn.Config(
            app, log_level="warning", access_log=False, server_header=False,
            proxy_headers=False, lifespan="off", http="h11", timeout_keep_alive=5,
            timeout_graceful_shutdown=10))
        where = f"http://{host}:{sock.getsockname()[1]}"
        on_ready(f"serving on {where} (database {config.database_path}); "
                 + ("webhook on" if token else "webhook off: no LEADLOOP_WEB_TOKEN or [web] token_command")
                 + (f"; shop hooks on: {', '.join(sorted(hook_secrets))}" if hook_secrets else ""))
        server.run(sockets=[sock])
    finally:
        service.stop()
    if on_stopped is None:
        return
    if server.stopped_by is None:
        on_stopped("stopped")
    elif server.force_exit:  # a second Ctrl-C: uvicorn stops without waiting
        on_stopped(f"stopped at once (a second {signal_name(server.stopped_by)}): requests "
                   "under way were cut off")
    else:
        on_stopped(f"stopped ({signal_name(server.stopped_by)}) after answering the requests "
                   "under way")


def signal_name(number: int) -> str:
    import signal

    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
