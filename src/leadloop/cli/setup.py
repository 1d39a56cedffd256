"""Setting up: `init` writes a project, `demo` runs the method on sample leads."""


from pathlib import Path
from typing import Annotated

import typer

from .app import command, print_stats


@command()
def init(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="Where to set up (default: here).")] = Path("."),
) -> None:
    """Write leadloop.toml, the templates and the database into DIR."""
    from .. import output
    from ..setup import init_directory

    for path, created in init_directory(directory):
        output.line(f"{'created' if created else 'kept   '} {path}")


@command()
def demo(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="Where to run the demo.")] = Path("leadloop-demo"),
) -> None:
    """Run the method on a sample list across 15 simulated months.

    Everything goes to an outbox in DIR; nothing leaves the machine.
    """
    from .. import output
    from ..demo import run_demo
    from ..plurals import count

    result = run_demo(directory, on_day=None)
    output.line(f"Simulated {result.first_day} → {result.last_day} in {directory}/ "
                f"({count(len(result.leads), 'sample lead')}).")
    output.line("")
    rows = []
    for lead in result.leads:
        rows.append([lead.email, lead.status, str(len(lead.sent)), _dates(day for _, day in lead.sent)])
    output.table("Who got what, and when (the info pack first, then each follow-up)",
                 [output.Column("lead", min_width=16, ratio=2, priority=3),
                  output.Column("status", min_width=None, priority=2),
                  output.Column("msgs", min_width=None, priority=1, justify="right"),
                  output.Column("sent on", min_width=20, ratio=3, priority=4)], rows)
    output.line("")
    counts = ", ".join(f"{status} {count}" for status, count in result.by_status.items())
    # The stats below count every lead, the buyer who never asked among them: said here, so
    # that 10 sample leads and "Leads by status now: 11" do not read as a contradiction.
    walk_ins = result.stats["leads"] - len(result.leads)
    output.line(f"The {count(len(result.leads), 'sample lead')} by status: {counts}"
                + (f"; the figures below also count {count(walk_ins, 'buyer')} who never asked first."
                   if walk_ins > 0 else "."))
    output.line(f"Messages in the outbox: {result.outbox_count} (open {directory / 'outbox'} with "
                "any mail client); the erased leads' messages went with them.")
    output.line("")
    print_stats(result.stats)
    output.line("")
    output.line(f"Try: cd {directory} && leadloop --now {result.last_day} stats")


def _dates(days) -> str:
    """ "2026-01-05, 03-24, 06-17, 2027-01-20": the year written when it changes."""
    parts, year = [], None
    for day in days:
        text = str(day)
        parts.append(text if text[:4] != year else text[5:])
        year = text[:4]
    return ", ".join(parts)
