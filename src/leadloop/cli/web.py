"""The web endpoint: `serve` runs it (the server itself lives in leadloop/web/)."""


from typing import Annotated

import typer

from .app import _session, command


@command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on (behind your reverse proxy).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8080,
) -> None:
    """Run the web endpoint: inquiry form, webhook, one-click links.

    The one-click links are unsubscribe and survey answers.
    """
    from .. import output
    from ..web.server import run

    session = _session(ctx)
    run(session.config, session.clock(), host, port, on_ready=output.note, on_problem=output.warning,
        on_request=output.log_line, on_stopped=output.note)
