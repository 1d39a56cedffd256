"""The leadloop command line: options in, one core call, output out.

Nothing here knows how leads, cadence or sending work; it parses, calls the core, and
prints through output.py. Every expected failure is a LeadloopError, turned into one
line on stderr and the exit code of SPEC §4 by `_errors_to_exit`. Core modules are
imported inside the commands: `leadloop --version` and `--help` stay as fast as Typer
itself (BENCH.md B4).
"""


import functools
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import __version__
from .errors import InputError, LeadloopError, MailboxError

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
            from .config import find_config_path, load_config

            self._config = load_config(find_config_path(self.config_path), db_override=self.db)
        return self._config

    @property
    def store(self):
        if self._store is None:
            from .store import Store

            self._store = Store.open(self.config.database_path, self.config.cadence)
        return self._store

    @property
    def now(self) -> datetime:
        if self._now is None:
            if self.now_text:
                from .clock import parse_instant

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
        from .clock import to_json, zone

        return to_json(value, zone(self.config.cadence.timezone))


def _errors_to_exit(command):
    """Run a command; a LeadloopError becomes one sentence on stderr and its exit code."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except LeadloopError as err:
            from . import output

            if err.exit_code == 0:
                output.note(str(err))
            else:
                output.error(str(err))
            raise typer.Exit(code=err.exit_code) from None
        except KeyboardInterrupt:
            from . import output

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
    from .runlock import settle_abandoned

    settle_abandoned(session.store, session.now)
    return session.store


# -- setting up ------------------------------------------------------------------------


@command()
def init(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="Where to set up (default: here).")] = Path("."),
) -> None:
    """Write leadloop.toml and the default templates into DIR and create the database."""
    from . import output
    from .setup import init_directory

    for path, created in init_directory(directory):
        output.line(f"{'created' if created else 'kept   '} {path}")


@command()
def demo(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="Where to run the demo.")] = Path("leadloop-demo"),
) -> None:
    """Run the method on a sample list across 15 simulated months, into an outbox."""
    from . import output
    from .demo import run_demo

    result = run_demo(directory, on_day=None)
    output.line(f"Simulated {result.first_day} → {result.last_day} in {directory}/ "
                f"({len(result.leads)} sample leads).")
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
    output.line(f"Leads by status: {counts}.")
    output.line(f"Messages in the outbox: {result.outbox_count} (open {directory / 'outbox'} with "
                "any mail client); the erased leads' messages went with them.")
    output.line("")
    from .cli_customers import print_stats

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


# -- leads -----------------------------------------------------------------------------


@command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(
        help="CSV or tab-separated text, .xlsx, .xlsm, .xls or .ods; - for stdin.")],
    encoding: Annotated[Optional[str], typer.Option(help="Force the text's encoding.")] = None,
    delimiter: Annotated[Optional[str], typer.Option(help="Force the delimiter (, ; or tab).")] = None,
    sheet: Annotated[Optional[str], typer.Option(
        help="The workbook's sheet to read (default: the first with an address column).")] = None,
    mapping: Annotated[Optional[list[str]], typer.Option(
        "--map", metavar="COLUMN=FIELD",
        help="Read COLUMN as FIELD (email, name, first_name, last_name, product, source, "
             "requested_at, locale, timezone, referred_by, info_sent_at).")] = None,
    product: Annotated[Optional[str], typer.Option(help="Product for every row.")] = None,
    source: Annotated[Optional[str], typer.Option(help="Source for every row.")] = None,
    month_first: Annotated[bool, typer.Option(help="Dates are month-first (US).")] = False,
    check_dns: Annotated[bool, typer.Option(help="Check each domain accepts mail (slow).")] = False,
    info_sent: Annotated[bool, typer.Option(
        help="The info pack was already sent to these leads (also to those imported before "
             "whose info pack has not gone yet).")] = False,
    info_sent_before: Annotated[Optional[str], typer.Option(
        metavar="DATE", help="The same, only for requests made before DATE (a backlog of old "
                             "requests in a file that also has new ones).")] = None,
    rejects: Annotated[Optional[Path], typer.Option(help="Write rejected rows to this CSV.")] = None,
    force: Annotated[bool, typer.Option(help="Let --rejects replace an existing file.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Import leads from a spreadsheet or an export, as it is; every row is imported or reported.

    Example: leadloop import respuestas.xlsx --rejects rechazadas.csv
    """
    from . import output
    from .importer import run_import

    session = _session(ctx)
    column_map = {}
    for item in mapping or []:
        column, equals, name = item.partition("=")
        if not equals or not column.strip() or not name.strip():
            raise InputError(f'--map "{item}": expected COLUMN=FIELD')
        column_map[column.strip()] = name.strip()
    report, shown, total_rejected = run_import(
        session.store, session.config, file, session.now,
        encoding=encoding, delimiter=delimiter, sheet=sheet, column_map=column_map,
        product=product, source=source, month_first=month_first, check_dns=check_dns,
        info_sent=info_sent, rejects_path=rejects, force=force,
        info_sent_before=_date_option(session, info_sent_before, "--info-sent-before"),
    )
    for reject in shown:
        output.note(f"{file}:{reject.line}: {reject.reason}")
    if total_rejected > len(shown):
        output.note(f"… and {total_rejected - len(shown)} more rejected rows"
                    + (f" (all in {rejects})" if rejects else " (use --rejects FILE to see them all)"))
    if report.stale_info:
        from .backlog import STALE_AFTER
        from .clock import local_day, zone

        cutoff = local_day(session.now - STALE_AFTER, zone(session.config.cadence.timezone))
        output.warning(
            f"{report.stale_info:,} of the new leads asked more than {STALE_AFTER.days} days ago, and "
            "each would get \"the information you asked for\" at the next send, as if they had "
            "just asked. Nothing has been sent yet. If they had the information already, import "
            f"the file again with --info-sent-before {cutoff.isoformat()} (requests before that day) "
            "or --info-sent (all of them): their follow-ups then count from their request.")
    if as_json:
        output.emit_json(report.as_dict())
        return
    if report.requested_at_column is None and (report.new or report.updated or report.unchanged):
        output.line("no request-date column: the leads are dated at the import time")
    output.line(
        f"{report.new} new, {report.updated} updated, {report.unchanged} unchanged, "
        f"{report.suppressed} suppressed, {report.rejected} rejected"
        + (f"; info pack recorded as sent for {report.info_recorded}" if report.info_recorded else "")
    )


@command()
def add(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The lead's e-mail address.")],
    name: Annotated[Optional[str], typer.Option(help="Full name.")] = None,
    product: Annotated[Optional[str], typer.Option(help="What they asked about.")] = None,
    source: Annotated[Optional[str], typer.Option(help="The ad or page they came from.")] = None,
    requested_at: Annotated[Optional[str], typer.Option(help="When they asked (default: now).")] = None,
    locale: Annotated[Optional[str], typer.Option(help="Language of their messages (es, en).")] = None,
    tz: Annotated[Optional[str], typer.Option("--timezone", help="Their IANA timezone.")] = None,
    referred_by: Annotated[Optional[str], typer.Option(help="Address of who referred them.")] = None,
) -> None:
    """Record one inquiry (for a web-form hook)."""
    from . import output
    from .importer import add_lead

    session = _session(ctx)
    outcome = add_lead(
        session.store, session.config, session.now, email=email, name=name, product=product,
        source=source, requested_at=requested_at, locale=locale, timezone_name=tz,
        referred_by=referred_by,
    )
    output.line(outcome)


def _lead_json(session: Session, lead) -> dict:
    import json

    return {
        "email": lead["email"],
        "name": lead["name"],
        "product": lead["product"],
        "source": lead["source"],
        "status": lead["status"],
        "requested_at": session.json_time(lead["requested_at"]),
        "contacts": lead["contacts"],
        "last_contact_at": session.json_time(lead["last_contact_at"]),
        "next_step": lead["next_step"],
        "next_due_at": session.json_time(lead["next_due_at"]),
        "locale": lead["locale"],
        "timezone": lead["timezone"],
        "referred_by": lead["referred_by"],
        "fields": json.loads(lead["fields"]) if lead["fields"] else {},
    }


def _lead_documents(session: Session, rows):
    """lists.lead_rows' tuples → the objects of `leads --json` (the keys of _lead_json)."""
    import json

    from .clock import JsonTimes, zone

    times = JsonTimes(zone(session.config.cadence.timezone))
    loads = json.loads
    for (email, name, product, source, status, requested_at, contacts, last_contact_at,
         next_step, next_due_at, locale, tz, referred_by, fields) in rows:
        yield {
            "email": email, "name": name, "product": product, "source": source,
            "status": status, "requested_at": times(requested_at), "contacts": contacts,
            "last_contact_at": times(last_contact_at), "next_step": next_step,
            "next_due_at": times(next_due_at), "locale": locale, "timezone": tz,
            "referred_by": referred_by, "fields": loads(fields) if fields else {},
        }


def _date_option(session: Session, text: Optional[str], name: str, *, end_of_day: bool = False):
    """--since/--until: an ISO date or date-time in [cadence] timezone. A bare date as
    an end means the whole of that day (--until 2026-03-31 includes the 31st)."""
    if text is None:
        return None
    from .clock import parse_instant

    try:
        value = parse_instant(text, session.config.cadence.timezone)
    except InputError as err:
        raise InputError(f"{name}: {err}") from None
    if end_of_day and len(text.strip()) == 10:
        from .clock import day_bounds, zone

        tz = zone(session.config.cadence.timezone)
        value = day_bounds(value.astimezone(tz).date(), tz)[1]
    return value


def _lead_table_columns():
    from .output import Column

    # Who, where they are, and what comes next stay longest; where they came from first
    # gives way (issue #20: at 80 columns a row is one line).
    return [
        Column("email", min_width=24, ratio=3, priority=9),
        Column("name", min_width=10, ratio=2, priority=6),
        Column("product", min_width=10, ratio=2, priority=5),
        Column("source", min_width=8, ratio=1, priority=1),
        Column("status", min_width=None, priority=8),
        Column("msgs", min_width=None, priority=3, justify="right"),
        Column("asked", min_width=None, priority=2),
        Column("next due", min_width=None, priority=7),
    ]


@command()
def leads(
    ctx: typer.Context,
    status: Annotated[Optional[list[str]], typer.Option(
        help="Only leads with this status (repeat for several).")] = None,
    product: Annotated[Optional[str], typer.Option(
        help="Only leads who asked about this product (case and accents ignored).")] = None,
    source: Annotated[Optional[str], typer.Option(
        help="Only leads from this source (case and accents ignored).")] = None,
    search: Annotated[Optional[str], typer.Option(
        metavar="TEXT", help="Only leads whose address or name contains TEXT.")] = None,
    since: Annotated[Optional[str], typer.Option(
        metavar="DATE", help="Only requests made on or after DATE.")] = None,
    until: Annotated[Optional[str], typer.Option(
        metavar="DATE", help="Only requests made before the end of DATE (or before DATE-TIME).")] = None,
    sort: Annotated[str, typer.Option(
        metavar="KEY", help="added (default), email, name, status, requested, next-due, "
                            "last-contact or contacts.")] = "added",
    reverse: Annotated[bool, typer.Option(help="Sort the other way round.")] = False,
    limit: Annotated[Optional[int], typer.Option(
        min=1, help="At most N leads (on a terminal: instead of one screenful).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (every lead, streamed).")] = False,
) -> None:
    """List leads: on a terminal one screenful and how many there are; piped, every lead
    as tab-separated text; --json, every lead as a JSON array.

    Example: leadloop leads --status active --search munoz --sort requested --reverse
    """
    from . import output
    from .lists import SORTS, LeadFilter, count_leads, lead_rows
    from .store import STATUSES

    for one in status or []:
        if one not in STATUSES:
            raise InputError(f'--status "{one}": one of {", ".join(STATUSES)}')
        if one == "erased":
            raise InputError('--status "erased": erased leads keep no data to list; '
                             "`leadloop stats` counts them")
    if sort not in SORTS:
        raise InputError(f'--sort "{sort}": one of {", ".join(SORTS)}')
    session = _session(ctx)
    chosen = LeadFilter(
        statuses=tuple(status or ()), product=product, source=source, search=search,
        since=_date_option(session, since, "--since"),
        until=_date_option(session, until, "--until", end_of_day=True),
        sort=sort, reverse=reverse)
    conn = _settled_store(session).conn
    if as_json:
        output.stream_json(_lead_documents(session, lead_rows(conn, chosen, limit)))
        return
    from .clock import JsonTimes, zone

    times = JsonTimes(zone(session.config.cadence.timezone))

    def short(value):
        return times(value)[:16].replace("T", " ") if value else "—"

    # Piped: every row (or --limit). On a terminal: a page, and one row more to know
    # whether to say how many there are.
    page = limit if limit is not None or not output.is_terminal() else output.page_size()
    rows = (
        [email, name, product_, source_, status_, contacts,
         short(requested_at)[:10] if requested_at else "—", short(next_due_at)]
        for (email, name, product_, source_, status_, requested_at, contacts, _, _, next_due_at,
             *_) in lead_rows(conn, chosen, None if page is None else page + output.is_terminal())
    )
    shown = output.listing(
        _lead_table_columns(), rows, page=page, noun="leads",
        count=lambda: count_leads(conn, chosen),
        more="More: --limit N, a filter (see --help), `leadloop leads | less -S`, or --json.")
    if not shown and output.is_terminal():
        output.line("No leads match." if chosen.filtered else
                    "No leads yet: `leadloop import FILE` adds them.")


def _short_time(session: Session, value) -> str:
    if value is None:
        return "—"
    return session.json_time(value)[:16].replace("T", " ")


@command()
def show(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The lead's address.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """One lead with its timeline: messages and events."""
    import json

    from . import output

    session = _session(ctx)
    store = _settled_store(session)
    lead = store.lead(email)
    messages = [
        {
            "step": m["step"], "template": m["template"], "state": m["state"],
            "sent_at": session.json_time(m["sent_at"]),
            "attempted_at": session.json_time(m["attempted_at"]),
            "message_id": m["message_id"], "attempts": m["attempts"],
            "retry_at": session.json_time(m["retry_at"]), "error": m["error"],
        }
        for m in store.messages(lead["id"]) if m["kind"] == "sequence"
    ]
    events = [
        {"at": session.json_time(e["at"]), "kind": e["kind"],
         **(json.loads(e["detail"]) if e["detail"] else {})}
        for e in store.events(lead["id"])
    ]
    from .cli_customers import referred_by_lead

    referred = referred_by_lead(session, lead)
    if as_json:
        output.emit_json({**_lead_json(session, lead), "messages": messages, "events": events,
                          "referred": referred})
        return
    document = _lead_json(session, lead)
    for key in ("email", "name", "product", "source", "status", "requested_at", "contacts",
                "next_due_at"):
        output.line(f"{key:>13}: {document[key] if document[key] is not None else '—'}")
    if document["fields"]:
        for key, value in document["fields"].items():
            output.line(f"{key:>13}: {value}")
    output.line("")
    from .timeline import timeline

    story = timeline(lead, [dict(m) for m in store.messages(lead["id"])],
                     [(e["kind"], e["at"], json.loads(e["detail"]) if e["detail"] else {})
                      for e in store.events(lead["id"])])
    shown = output.table("Timeline", [
        output.Column("when", min_width=None, priority=2),
        output.Column("what", min_width=40, priority=3),
        # A Message-ID cut short finds nothing: whole, or (narrow terminal) not at all.
        output.Column("Message-ID", min_width=None, priority=1),
    ], [[_short_time(session, moment.at) if moment.at else "(now)", moment.words,
         moment.message_id or ""] for moment in story])
    if len(shown) < 3 and any(moment.message_id for moment in story):
        output.footer("Message-IDs: a wider terminal shows them, and `--json` always does.")
    if any(m["state"] == "unknown" for m in messages):
        output.warning("a message's outcome is unknown (the run stopped before the server "
                       "answered); it counts as a contact and is not resent")
    if referred:
        output.table("Referred", ["lead", "status", "asked"], [
            [r["name"] or r["email"] or "(erased)", r["status"], _short_time(session, r["requested_at"])]
            for r in referred])


@command()
def mark(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The lead's address.")],
    status: Annotated[str, typer.Argument(
        help="replied, customer, lost, unsubscribed, or active (resume the sequence).")],
    note: Annotated[Optional[str], typer.Option(help="Why, for the timeline.")] = None,
) -> None:
    """Set a lead's status by hand."""
    from . import output

    session = _session(ctx)
    store = session.store
    lead = store.lead(email)
    store.set_status(lead, status, session.now, note)
    after = store.lead_by_id(lead["id"])
    detail = f"; next message due {_short_time(session, after['next_due_at'])}" if after["next_due_at"] else ""
    output.line(f"{after['email']}: {after['status']}{detail}")


@command()
def forget(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The lead's address.")],
) -> None:
    """Erase a lead now (right to erasure); only its suppression entry stays."""
    from . import output
    from .privacy import forget as erase

    session = _session(ctx)
    lead = session.store.lead(email)
    erase(session.store, lead, session.now, session.config.outbox_path)
    output.line(f"erased {email.strip()}: its address is now only a keyed hash that blocks re-import")


@command()
def check(
    ctx: typer.Context,
    connect: Annotated[bool, typer.Option(help="Also log in to the SMTP and IMAP servers.")] = False,
) -> None:
    """Validate the config and render every template leadloop may need; run it before cron."""
    from . import output
    from .check import check_connection, check_templates

    session = _session(ctx)
    rendered, problems, warnings = check_templates(session.config, session.store, session.now)
    for warning in warnings:
        output.warning(warning)
    for problem in problems:
        output.error(problem)
    if problems:
        raise typer.Exit(code=2)
    where = session.config.path or "built-in defaults"
    output.line(f"config {where}: ok; templates: {rendered} renderings ok")
    if connect:
        for result in check_connection(session.config):
            output.line(result)


# -- sending ---------------------------------------------------------------------------


def _due_json(session: Session, lead, step: int, due_at: str, times, scheduled: bool = False) -> dict:
    return {
        "email": lead["email"],
        "name": lead["name"],
        "step": step,
        "template": "info" if step == 0 else "followup",
        "due_at": times(due_at),
        "scheduled": scheduled,
    }


def _message_words(step: int) -> str:
    return "info pack" if step == 0 else f"follow-up {step}"


def _day(day) -> str:
    return day.strftime("%a %Y-%m-%d")


def _backlog_lines(backlog, *, going: int) -> list[str]:
    """What `due`, `send` and `run-daily` say about what waits (issue #20)."""
    if not backlog.waiting:
        return []
    when = (f": at this limit the last of them goes on {_day(backlog.last_day)}"
            if backlog.last_day else "")
    if backlog.by_limit:
        why = f"the daily limit ({backlog.daily_limit:,} a day{', used up today' if not going else ''})"
    else:
        why = "the send window ([cadence] send_days, send_hours)"
    more = "more " if going else ""
    return [f"{backlog.waiting:,} {more}due message(s) wait for {why}{when}. "
            "`leadloop due --all` lists them with the day each is expected to go."]


def _stale_warning(count: int, *, what: str) -> str:
    from .backlog import STALE_AFTER

    return (f"{count:,} {what} answer requests more than {STALE_AFTER.days} days old: each would "
            "get \"the information you asked for\" today. If they had it already, import the file "
            "again with --info-sent (or --info-sent-before DATE): nothing is sent for those.")


@command()
def due(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (streamed).")] = False,
    limit: Annotated[Optional[int], typer.Option(min=1, help="At most N messages.")] = None,
    show_all: Annotated[bool, typer.Option(
        "--all", help="Also what waits for the daily limit and what is scheduled later, "
                      "with the day each is expected to go.")] = False,
) -> None:
    """What `send` would send now, in sending order, and what waits for the daily limit.

    Example: leadloop due --all --limit 50
    """
    import itertools

    from . import output
    from .backlog import Backlog, plan_rows
    from .clock import JsonTimes, to_db, zone

    session = _session(ctx)
    store = _settled_store(session)
    now, stamp = session.now, to_db(session.now)
    tz = zone(session.config.cadence.timezone)
    times = JsonTimes(tz)
    if as_json and not show_all:
        output.stream_json(_due_json(session, item.lead, item.step, item.lead["next_due_at"], times)
                           for item in store.iter_due(now, limit))
        _warn_unknown(store)
        return
    left_today = store.budget_left(now)
    going_ids: set = set()
    counts = [0, 0]  # what `send` takes now: info packs, follow-ups

    def going_now():
        for item in store.iter_due(now):
            going_ids.add(item.lead["id"])
            counts[item.step > 0] += 1
            yield item.lead, None

    going = going_now()
    items = itertools.chain(going, plan_rows(store, now, going_ids, left_today)) if show_all else going
    terminal = output.is_terminal() and not as_json
    page = output.page_size() if terminal and limit is None else None
    shown_at_most = limit if page is None else page + 1
    if shown_at_most is not None:
        items = itertools.islice(items, shown_at_most)
    today = now.astimezone(tz).date()
    if as_json:
        def documents():
            for lead, day in items:
                scheduled = lead["next_due_at"] > stamp
                document = _due_json(session, lead, lead["next_step"], lead["next_due_at"], times,
                                     scheduled=scheduled)
                document["expected_on"] = (day or today).isoformat()
                document["held_back"] = day is not None and not scheduled
                yield document

        output.stream_json(documents())
        _warn_unknown(store)
        return

    def rows():
        for lead, day in items:
            row = [lead["email"], _message_words(lead["next_step"]),
                   times(lead["next_due_at"])[:16].replace("T", " ")]
            if show_all:
                held = day is not None and lead["next_due_at"] <= stamp
                row.append("now" if day is None else _day(day) + (", held" if held else ""))
            yield row

    columns = [output.Column("email", min_width=20, ratio=3, priority=9),
               output.Column("message", min_width=None, priority=5),
               output.Column("due", min_width=None, priority=8)]
    if show_all:
        columns.append(output.Column("goes", min_width=None, priority=7))

    def count_going() -> int:
        for _ in going:  # what `send` takes now, past the page (at most the daily limit)
            pass
        return counts[0] + counts[1]

    def count_all() -> int:
        return store.conn.execute(
            "SELECT count(*) FROM leads WHERE next_due_at IS NOT NULL").fetchone()[0]

    listed = output.listing(columns, rows(), page=page, noun="messages",
                            count=count_all if show_all else count_going,
                            more="More: --limit N, `leadloop due | less -S`, or --json.")
    count_going()
    # Piped, stdout holds the rows alone; the sentences about them go to stderr.
    say = output.line if terminal else output.note
    going_total = counts[0] + counts[1]
    backlog = Backlog.of(store, now, counts[0], counts[1], left_today)
    if not going_total and not listed:
        say("Nothing goes now." if backlog.waiting else "Nothing is due now.")
    for sentence in _backlog_lines(backlog, going=going_total):
        say(sentence)
    if backlog.stale_info:
        output.warning(_stale_warning(backlog.stale_info, what="info packs due now"))
    _warn_unknown(store)


def _warn_unknown(store) -> None:
    from . import output

    unknown = store.unknown_count()
    if unknown:
        output.warning(f"{unknown} message(s) have an unknown outcome from an interrupted run; "
                       "see `leadloop show` (they are never resent automatically)")


@command()
def preview(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The lead's address.")],
    step: Annotated[Optional[int], typer.Option(min=0, help="Step to show (default: the next one).")] = None,
) -> None:
    """The message exactly as it would be sent, headers and body."""
    import sys

    from .render import Renderer
    from .store import new_message_id

    session = _session(ctx)
    lead = session.store.lead(email)
    if step is None:
        step = lead["next_step"]
        if step is None:
            raise InputError(f"{lead['email']} has no message scheduled; use --step N")
    template = "info" if step == 0 else "followup"
    from .web.tokens import links_for

    renderer = Renderer(session.config, links_for(session.config, session.store))
    message = renderer.render(
        lead, step, template, new_message_id(session.config.sender.domain), session.now)
    files = {id(attachment.body): attachment for attachment in message.attachments}
    for chunk in message.chunks:
        attachment = files.get(id(chunk))
        if attachment is None:
            sys.stdout.write(chunk.decode("utf-8").replace("\r\n", "\n"))
        else:  # megabytes of base64 say nothing to a person: the list below does
            sys.stdout.write(f"[{len(chunk):,} characters of base64: {attachment.name}]")
    if message.attachments:
        from . import output
        from .attachments import megabytes

        sys.stdout.flush()
        output.line("")
        count = len(message.attachments)
        output.line(f"Attachments: {count} file{'s' if count > 1 else ''}; "
                    f"the message is {megabytes(message.size)} as sent")
        for attachment in message.attachments:
            output.line(f"  {attachment.path}  {megabytes(attachment.size)}  {attachment.content_type}")
        for warning in renderer.warnings:
            output.warning(warning)


@command()
def send(
    ctx: typer.Context,
    limit: Annotated[Optional[int], typer.Option(min=1, help="At most N messages.")] = None,
    dry_run: Annotated[bool, typer.Option(help="Show what would be sent; send nothing.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Send what is due now."""
    from . import output
    from .runner import send_due

    session = _session(ctx)
    store, config = session.store, session.config
    planned = store.due(session.now, limit)
    if not planned:
        from .backlog import Backlog

        waiting = _backlog_lines(Backlog.of(store, session.now, 0, 0, store.budget_left(session.now)),
                                 going=0)
        output.line("Nothing goes now." if waiting else "Nothing is due now.")
        for sentence in waiting:
            output.line(sentence)
        return
    from .backlog import stale_before

    stale = sum(1 for item in planned
                if item.step == 0 and item.lead["requested_at"] < stale_before(session.now))
    if stale:
        output.warning(_stale_warning(stale, what="of these info packs"))
    where = f"{config.smtp.host}:{config.smtp.port}" if config.smtp else f"the outbox {config.outbox_path}"
    if dry_run:
        from .render import Renderer

        from .errors import MessageError

        renderer = Renderer(config)
        for item in planned:
            try:
                renderer.render(item.lead, item.step, item.template, "<dry-run@leadloop>",
                                session.now)
            except MessageError as err:  # that lead alone, as `send` would
                output.warning(f"would fail: {err}")
                continue
            output.line(f"would send {item.template} (step {item.step}) to {item.lead['email']}")
        for warning in renderer.warnings:
            output.warning(warning)
        output.line(f"This was a dry run: {len(planned)} message(s) to {where}. "
                    "To send, run `leadloop send`.")
        return
    if not yes and output.is_terminal():
        typer.confirm(f"Send {len(planned)} message(s) to {where}?", abort=True)
    with output.progress(len(planned), "sending") as bar:
        report = send_due(store, config, session.clock(), limit=limit,
                          on_progress=lambda done, total: bar.update(done, total))
    _print_send_report(report, quiet=False, store=store, now=session.now)
    if report.failed or report.unknown:
        raise typer.Exit(code=1)


def _print_send_report(report, *, quiet: bool, store=None, now=None) -> None:
    """The summary line of a send; with `store`, what the daily limit held back and the
    day the last of it goes (issue #20)."""
    from . import output

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
            from .backlog import Backlog

            backlog = Backlog.of(store, now, 0, 0, store.budget_left(now))
            if backlog.last_day is not None:
                summary += f" (the last of them goes on {_day(backlog.last_day)}, at this limit)"
    output.line(summary)


@command("inbox")
def inbox(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    review: Annotated[bool, typer.Option(
        "--review", help="List the bounces that named no lead (kept for review); read nothing.")] = False,
) -> None:
    """Read the mailbox: replies stop the sequence, bounces and unsubscribe requests too."""
    from . import output
    from .inbox import read_inbox

    session = _session(ctx)
    if review:
        kept = session.store.bounces_to_review()
        if as_json:
            output.emit_json([{"at": session.json_time(row["at"]),
                               "written_at": session.json_time(row["written_at"]),
                               "sender": row["sender"], "subject": row["subject"], "reason": row["reason"]}
                              for row in kept])
        elif not kept:
            output.line("No unrecognised bounces.")
        else:
            output.table("Bounces that named no lead", ["read", "from", "subject", "reason"], [
                [_short_time(session, row["at"]), row["sender"] or "", row["subject"], row["reason"]]
                for row in kept])
        return
    report = read_inbox(session.store, session.config, session.now)
    for problem in report.problems:
        output.warning(problem)
    if as_json:
        output.emit_json(report.as_dict())
    else:
        output.line(report.line())


@command("run-daily")
def run_daily(
    ctx: typer.Context,
    quiet: Annotated[bool, typer.Option(help="Print only problems.")] = False,
) -> None:
    """The cron entry: read replies, give up the silent, then send what is due."""
    from . import output
    from .privacy import give_up_due
    from .runner import send_due

    session = _session(ctx)
    store, config = session.store, session.config
    if config.inbox is not None:
        from .inbox import read_inbox

        # First, and fatal when it fails: mailing someone whose answer could not be read
        # is exactly what leadloop promises not to do.
        try:
            read = read_inbox(store, config, session.now)
        except MailboxError as err:
            raise MailboxError(f"{err}; nothing was sent") from None
        for problem in read.problems:
            output.warning(problem)
        if not quiet:
            output.line(read.line())
    from .web.spool import apply_spool

    # Inquiries `serve` kept while the database was busy (SPEC §11) are leads first.
    spooled = apply_spool(store, session.now)
    for problem in spooled.problems:
        output.warning(problem)
    if spooled.applied and not quiet:
        output.line(f"spool: {spooled.applied} web inquiries applied")
    given_up = give_up_due(store, session.now, config.outbox_path)
    if not quiet:
        output.line(f"give-up: {given_up.erased} erased, {given_up.lost} marked lost")
    report = send_due(store, config, session.clock())
    _print_send_report(report, quiet=quiet, store=store, now=session.now)
    if report.failed or report.unknown:
        raise typer.Exit(code=1)


@command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on (behind your reverse proxy).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8080,
) -> None:
    """Run the web endpoint: inquiry form and webhook, one-click unsubscribe, survey answer links."""
    from . import output
    from .web.server import run

    session = _session(ctx)
    run(session.config, session.clock(), host, port, on_ready=output.note, on_problem=output.warning)


# Commands about what leads became (stats, questions, export) live in their own module.
from . import cli_customers  # noqa: E402, F401


def main() -> None:
    app(prog_name="leadloop")
