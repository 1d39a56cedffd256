"""The plumbing every command module shares: the Typer app and its global options, the
Session they resolve to, the one place a LeadloopError becomes a line on stderr and the
exit code of SPEC §4 (`_errors_to_exit`), and the printing helpers more than one command
group uses.

Command modules import from here and never from each other. Core modules are imported
inside the functions: `leadloop --version` and `--help` stay as fast as Typer itself
(BENCH.md B4).
"""


import functools
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Annotated, Optional

import typer

from .. import __version__
from ..errors import InputError, LeadloopError


app = typer.Typer(
    name="leadloop",
    help="Patient, polite follow-up of information requests: import, due, send, run-daily.",
    # Plain Click help: Rich's boxes cost 200 ms before the first line of `--help`
    # (BENCH.md B4). Rich still draws leadloop's own tables, bars and progress.
    rich_markup_mode=None,
    no_args_is_help=True,
    add_completion=False,
    # Locals in a traceback could show a password (SMTP login); never print them.
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@dataclass
class Session:
    """What the global options resolve to, loaded lazily by the commands that need it."""

    db: Optional[str]
    config_path: Optional[str]
    now_text: Optional[str]
    _config: object = None
    _store: object = None
    _now: Optional[datetime] = None
    closers: list = field(default_factory=list)

    @property
    def config(self):
        if self._config is None:
            from ..config import find_config_path, load_config

            self._config = load_config(find_config_path(self.config_path), db_override=self.db)
        return self._config

    @property
    def store(self):
        if self._store is None:
            from ..store import Store

            self._store = Store.open(self.config.database_path, self.config.cadence)
        return self._store

    @property
    def now(self) -> datetime:
        if self._now is None:
            if self.now_text:
                from ..clock import parse_instant

                try:
                    self._now = parse_instant(self.now_text, self.config.cadence.timezone)
                except InputError as err:
                    raise InputError(f"--now: {err}") from None
            else:
                self._now = datetime.now(timezone.utc).replace(microsecond=0)
        return self._now

    def clock(self):
        """`--now` when given (a simulation stands still), else the real clock."""
        fixed = self.now
        if self.now_text:
            return lambda: fixed
        return lambda: datetime.now(timezone.utc).replace(microsecond=0)

    def json_time(self, value) -> Optional[str]:
        from ..clock import to_json, zone

        return to_json(value, zone(self.config.cadence.timezone))


def _errors_to_exit(command):
    """Run a command; a LeadloopError becomes one sentence on stderr and its exit code."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except LeadloopError as err:
            from .. import output

            if err.exit_code == 0:
                output.note(str(err))
            else:
                output.error(str(err))
            raise typer.Exit(code=err.exit_code) from None
        except KeyboardInterrupt:
            from .. import output

            output.error("interrupted")
            raise typer.Exit(code=130) from None

    return wrapper


def command(*args, **kwargs):
    def register(function):
        return app.command(*args, **kwargs)(_errors_to_exit(function))

    return register


def _version(value: bool) -> None:
    if value:
        typer.echo(f"leadloop {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[Optional[str], typer.Option(
        "--db", envvar="LEADLOOP_DB", metavar="PATH",
        help="Database file (default: [database].path of the config, else ./leadloop.db).")] = None,
    config: Annotated[Optional[str], typer.Option(
        "--config", envvar="LEADLOOP_CONFIG", metavar="PATH",
        help="Config file (default: ./leadloop.toml when it exists, else built-in defaults).")] = None,
    now: Annotated[Optional[str], typer.Option(
        "--now", envvar="LEADLOOP_NOW", metavar="DATETIME",
        help="The clock every command uses (ISO 8601), for simulations and backfills.")] = None,
    version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
) -> None:
    ctx.obj = Session(db=db, config_path=config, now_text=now)


def _session(ctx: typer.Context) -> Session:
    return ctx.obj


def _settled_store(session: Session):
    """The store, with what a dead run left recovered (runlock.settle_abandoned)."""
    from ..runlock import settle_abandoned

    settle_abandoned(session.store, session.now)
    return session.store


# -- printing helpers more than one command group uses ----------------------------------


def _short_time(session: Session, value) -> str:
    if value is None:
        return "—"
    return session.json_time(value)[:16].replace("T", " ")


def _day(day) -> str:
    return day.strftime("%a %Y-%m-%d")


def _print_send_report(report, *, quiet: bool, store=None, now=None) -> None:
    """The summary line of a send; with `store`, what the daily limit held back and the
    day the last of it goes (issue #20)."""
    from .. import output

    if report.recovered_unknown:
        output.warning(f"{report.recovered_unknown} message(s) from an interrupted run have an "
                       "unknown outcome; they count as contacts and are not resent")
    for warning in report.warnings:
        output.warning(warning)
    for problem in report.problems:
        output.warning(problem)
    if quiet:
        return
    summary = (f"send: {report.sent} sent, {report.deferred} retried later, {report.bounced} bounced, "
               f"{report.unknown} unknown, {report.failed} failed")
    if store is not None:
        summary += f", {report.held_back:,} held back by the daily limit"
        if report.held_back:
            from ..backlog import Backlog

            backlog = Backlog.of(store, now, 0, 0, store.budget_left(now))
            if backlog.last_day is not None:
                summary += f" (the last of them goes on {_day(backlog.last_day)}, at this limit)"
    output.line(summary)


def print_stats(doc: dict, since: str | None = None) -> None:
    from .. import output

    funnel = doc["funnel"]
    inquiries = funnel["inquiries"] or 1
    output.bars("Funnel" + (f" (inquiries since {since})" if since else ""), [
        (stage.replace("_", " "), count, f"{count} ({count / inquiries:.0%})")
        for stage, count in funnel.items()])
    output.line("")
    output.bars("Messages sent by step (replies, customers)", [
        (f"step {row['step']}", row["sent"],
         f"{row['sent']} sent · {row['replies']} replied ({_percent(row['reply_rate'])}) · "
         f"{row['customers']} bought")
        for row in doc["by_step"]])
    output.line("")
    output.bars("Contacts customers received before buying", [
        (f"{contacts} contact{'s' if contacts != '1' else ''}", count, str(count))
        for contacts, count in doc["contacts_before_buying"].items()])
    output.line("")
    statuses = ", ".join(f"{status} {count}" for status, count in doc["leads_by_status"].items() if count)
    output.line(f"Leads: {doc['leads']} ({statuses or 'none'})")
    output.line(f"List health: bounces {_percent(doc['bounce_rate'])}, unsubscribes "
                f"{_percent(doc['unsubscribe_rate'])}, spam complaints {_percent(doc['complaint_rate'])} "
                f"of {doc['mailed']} mailed; "
                f"blocked by providers {_percent(doc['blocked_rate'])} of messages sent "
                f"({doc['blocked']}); {doc['erased']} erased")
    questions = doc["questions"]
    median = questions["median_hours_to_answer"]
    output.line(f"Customer questions: {questions['open']} open, {questions['answered']} answered"
                + (f", median answer time {median} h" if median is not None else ""))
    if doc["referrals"]:
        output.line("")
        output.table("Referrers", ["referrer", "referred", "became customers"],
                     [[r["referrer"], r["referred"], r["customers"]] for r in doc["referrals"]])


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.1%}"


def main() -> None:
    app(prog_name="leadloop")
