"""The leadloop command line: options in, one core call, output out.

Nothing here knows how leads, cadence or sending work; it parses, calls the core, and
prints through output.py. Every expected failure is a LeadloopError, turned into one
line on stderr and the exit code of SPEC §4 by `app._errors_to_exit`. Core modules are
imported inside the commands: `leadloop --version` and `--help` stay as fast as Typer
itself (BENCH.md B4).

app.py holds the Typer app and what every command shares (the session, the error
mapping, printing helpers used by more than one group); each other module is one
command group and imports only app.py, never another command module. Importing them
here registers their commands, in this order, which is the order of `leadloop --help`.
"""


from . import setup, leads, sending, web, customers  # noqa: F401  (they register on import)
from .app import app, main

__all__ = ["app", "main"]
