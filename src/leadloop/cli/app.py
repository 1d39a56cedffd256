"""The plumbing every command module shares: the Typer app and its global options, the
Session they resolve to, the one place a LeadloopError becomes a line on stderr and the
exit code of SPEC §4 (`_errors_to_exit`), and the printing helpers more than one command
group uses.

Command modules import from here and never from each other. Core modules are imported
inside the functions: `leadloop --version` and `--help` stay as fast as Typer itself
(BENCH.md B4).
"""


import contextlib
import functools
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from .. import __version__
from ..errors import InputError, LeadloopError


# Options of the whole program that a user may also type after the command's name
# (issue #27 item 16): `leadloop send --now 2026-03-02T10:00` as well as
# `leadloop --now 2026-03-02T10:00 send`. Each takes a value.
GLOBAL_OPTIONS = ("--db", "--config", "--now")


def globals_first(args: list[str]) -> list[str]:
    """`args` with the global options found after the command moved just before it, so
    that Click's group parses them (and one given after the command wins over one given
    before, as the later of two options does). Nothing after `--` is touched."""
    head: list[str] = []
    moved: list[str] = []
    position = 0
    while position < len(args):  # up to the command's name
        token = args[position]
        if token == "--" or not token.startswith("-"):
            break
        head.append(token)
        if token in GLOBAL_OPTIONS and position + 1 < len(args):
            head.append(args[position + 1])
            position += 1
        position += 1
    tail: list[str] = []
    while position < len(args):
        token = args[position]
        if token == "--":
            tail.extend(args[position:])
            break
        name = token.partition("=")[0]
        if name in GLOBAL_OPTIONS:
            if "=" in token:
                moved.append(token)
            elif position + 1 == len(args):
                raise _MissingValue(name)
            else:
                moved.extend(args[position:position + 2])
                position += 1
        else:
            tail.append(token)
        position += 1
    return head + moved + tail


class _MissingValue(Exception):
    pass


class _GlobalOptionsAnywhere(TyperGroup):
    def parse_args(self, ctx, args):
        try:
            args = globals_first(list(args))
        except _MissingValue as err:
            raise typer.BadParameter("the option needs a value after it", ctx=ctx,
                                     param_hint=f"'{err}'") from None
        return super().parse_args(ctx, args)


app = typer.Typer(
    name="leadloop",
    cls=_GlobalOptionsAnywhere,
    help="Patient, polite follow-up of information requests; try `leadloop demo`.",
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
            if self._config.warnings:
                from .. import output

                for warning in self._config.warnings:
                    output.warning(warning)
        return self._config

    @property
    def store(self):
        if self._store is None:
            from ..config import require_project
            from ..store import Store

            require_project(self.config)
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


def _destination(config) -> str:
    """Where a send goes, for its prompt and dry-run line: the mail server and the From it
    sends as (a placeholder sender shows here), or the outbox."""
    if config.smtp is None:
        return f"the outbox folder {config.outbox_path} (no mail server configured)"
    sender = config.sender
    return f"{config.smtp.host}:{config.smtp.port}, from {sender.name} <{sender.address}>"


def _confirm_send(config, count: int, what: str | None = None) -> None:
    """The send prompt: "Send 6 message(s) through mail.example:587, from Laura <…>?" or,
    with no [smtp], "Write 6 message(s) to the outbox (…; no mail server configured)?"."""
    from ..plurals import count as plural

    what = what or plural(count, "message")
    if config.smtp is None:
        typer.confirm(f"Write {what} to {_destination(config)}?", abort=True)
    else:
        typer.confirm(f"Send {what} through {_destination(config)}?", abort=True)


def _print_send_report(report, *, quiet: bool, store=None, now=None, outbox: bool = False) -> None:
    """The summary line of a send; with `store`, what the daily limit held back and the
    day the last of it goes (issue #20)."""
    from .. import output

    if report.recovered_unknown:
        from ..plurals import count, noun

        unknown = report.recovered_unknown
        output.warning(f"{count(unknown, 'message')} from an interrupted run "
                       f"{noun(unknown, 'has', 'have')} an unknown outcome; "
                       + noun(unknown, "it counts as a contact and is not resent",
                              "they count as contacts and are not resent"))
    for warning in report.warnings:
        output.warning(warning)
    for problem in report.problems:
        output.warning(problem)
    if quiet:
        return
    # Without [smtp] nothing left the machine: say where the messages are (issue #27 item 9).
    sent = (f"{report.sent} written to the outbox (no mail server configured)" if outbox
            else f"{report.sent} sent")
    summary = (f"send: {sent}, {report.deferred} retried later, {report.bounced} bounced, "
               f"{report.unknown} unknown, {report.failed} failed")
    if report.held_for_sender:
        summary += f", {report.held_for_sender:,} wait because of the sender (not charged to the leads)"
    if store is not None:
        summary += f", {report.held_back:,} held back by the daily limit"
        if report.held_back:
            from ..backlog import Backlog

            backlog = Backlog.of(store, now, 0, 0, store.budget_left(now))
            if backlog.last_day is not None:
                summary += f" (the last of them goes on {_day(backlog.last_day)}, at this limit)"
    output.line(summary)


# What each funnel stage counts, in the words of a marketer (issue #27 item 12): a
# customer marked by hand has not necessarily written, so "replied" said too little.
FUNNEL_LABELS = {
    "inquiries": "asked for information",
    "info_sent": "got the info pack",
    "followed_up": "got a follow-up",
    "replied": "answered or bought",
    "customers": "bought",
    # Not a stage: those of the inquiries erased since, each still counted above.
    "erased": "erased since (counted above)",
}


@contextlib.contextmanager
def _summary_on_sender_refusal(quiet: bool):
    """A run stopped by a refusal of the sender (SPEC §6) still says what it did and how
    many messages wait; the refusal's one sentence follows on stderr."""
    from ..errors import SenderRefused

    try:
        yield
    except SenderRefused as err:
        if err.report is not None:
            _print_send_report(err.report, quiet=quiet)
        raise


def print_stats(doc: dict, since: str | None = None, locale: str = "en") -> None:
    from .. import output
    from ..plurals import count as plural

    funnel = doc["funnel"]
    inquiries = funnel["inquiries"] or 1
    output.bars("Funnel: leads at each stage" + (f" (inquiries since {since})" if since else "")
                + ", % of those who asked", [
        (FUNNEL_LABELS.get(stage, stage.replace("_", " ")), count, f"{count} ({count / inquiries:.0%})")
        for stage, count in funnel.items()])
    output.line("")
    output.bars("Messages sent by step, and the leads who answered or bought after that step", [
        (_step_name(row["step"]), row["sent"],
         f"{row['sent']} sent · {row['replies']} answered or bought ({_percent(row['reply_rate'])}) · "
         f"{row['customers']} bought")
        for row in doc["by_step"]])
    output.line("")
    output.bars("Contacts customers received before buying", [
        (plural(int(contacts), "contact"), count, plural(count, "customer"))
        for contacts, count in doc["contacts_before_buying"].items()])
    output.line("")
    statuses = ", ".join(f"{status} {count}" for status, count in doc["leads_by_status"].items() if count)
    output.line(f"Leads by status now: {doc['leads']} ({statuses or 'none'})")
    # The bounce, unsubscribe and complaint rates are of the leads mailed (issue #28 item 3),
    # an erased lead counted by what it was.
    output.line(f"List health, of {plural(doc['mailed'], 'lead')} mailed:")
    output.line(f"  addresses that bounced: {_share(doc['bounced'], doc['bounce_rate'])}")
    output.line(f"  unsubscribed: {_share(doc['unsubscribed'], doc['unsubscribe_rate'])}")
    output.line(f"  spam complaints: {_share(doc['complaints'], doc['complaint_rate'])}")
    output.line("  messages refused by providers as spam or by policy (5.7.x): "
                + _share(doc["blocked"], doc["blocked_rate"], of="messages sent"))
    output.line(f"  erased (given up, or forgotten on request): {doc['erased']}")
    owners = doc.get("failures_by_owner") or {}
    if any(owners.values()):
        output.line(f"  failures by owner: {owners['address']} the address (bounced), {owners['mailbox']} "
                    f"the lead's mailbox (retried), {owners['sender']} the sender (charged to no lead)")
    questions = doc["questions"]
    median = questions["median_hours_to_answer"]
    output.line(f"Customer questions: {questions['open']} open, {questions['answered']} answered"
                + (f", median answer time {median} h" if median is not None else ""))
    orders = doc.get("orders") or {}
    if orders.get("orders"):
        _print_orders(orders, locale)
    if doc["referrals"]:
        output.line("")
        output.table("Referrers", ["referrer", "referred", "became customers"],
                     [[r["referrer"] or "(a lead who was erased)", r["referred"], r["customers"]]
                      for r in doc["referrals"]])


def _print_orders(orders: dict, locale: str) -> None:
    from .. import output
    from ..orders import format_amount
    from ..plurals import count as plural

    output.line("")
    median = orders["median_days_to_purchase"]
    output.line(f"Orders: {plural(orders['orders'], 'order')} from {plural(orders['buyers'], 'buyer')} "
                f"({orders['new_buyers']} never asked first)"
                + (f"; {orders['refunded_orders']} refunded" if orders.get("refunded_orders") else "")
                + (f"; median {median} days from inquiry to purchase" if median is not None else ""))
    output.bars("Buyers by contacts received before their order, % of the leads who got that many", [
        (plural(row["contacts"], "contact"), row["buyers"],
         f"{plural(row['buyers'], 'buyer')} ({_percent(row['conversion_rate'])})")
        for row in orders["conversion_by_contacts_before_order"]])
    if orders["revenue_by_step"]:
        output.table("Revenue by the last step before the order", ["step", "revenue"], [
            [_step_name(int(row["step"])) if row["step"].isdigit() else
             {"none": "before any message", "new buyer": "buyers who never asked"}.get(row["step"], row["step"]),
             format_amount(row["amount_minor"], row["currency"], locale)]
            for row in orders["revenue_by_step"]])


def _step_name(step: int) -> str:
    return "info pack" if step == 0 else f"follow-up {step}"


def _share(number: int, rate: float | None, of: str = "leads mailed") -> str:
    """ "3 (1.2%)"; with nothing to count from, "none yet (no {of})" rather than a
    "0.0%" that reads like a measurement."""
    if rate is None:
        return f"none yet (no {of})"
    return f"{number} ({rate:.1%})"


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.1%}"


def main() -> None:
    app(prog_name="leadloop")
