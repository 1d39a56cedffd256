"""Leads: `import` and `add` bring them in, `leads` and `show` list and read them,
`mark` and `forget` change them."""


from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import InputError
from .app import Session, _session, _settled_store, _short_time, command


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
    month_first: Annotated[Optional[bool], typer.Option(
        "--month-first/--no-month-first",
        help="Dates are month-first (US), or day-first; default: day-first, unless a date "
             "of the file reads only month-first (5/20/2026).")] = None,
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
    orders: Annotated[bool, typer.Option(
        "--orders", help="FILE holds orders or payments (a shop's, Stripe's, PayPal's, a course "
                         "platform's export): paid buyers become customers.")] = False,
) -> None:
    """Import leads from a spreadsheet or an export, as it is.

    Every row is imported or reported.

    Example: leadloop import respuestas.xlsx --rejects rechazadas.csv
    """
    from .. import output
    from ..importer import run_import

    session = _session(ctx)
    column_map = {}
    for item in mapping or []:
        column, equals, name = item.partition("=")
        if not equals or not column.strip() or not name.strip():
            raise InputError(f'--map "{item}": expected COLUMN=FIELD')
        column_map[column.strip()] = name.strip()
    if orders:
        if info_sent or info_sent_before:
            raise InputError("--info-sent is about leads' info packs; an orders import has none")
        _import_orders(session, file, column_map, rejects, force, as_json, encoding=encoding,
                       delimiter=delimiter, sheet=sheet, product=product, source=source,
                       month_first=bool(month_first), check_dns=check_dns)
        return
    with output.progress(None, "importing") as bar:
        report, shown, total_rejected = run_import(
            session.store, session.config, file, session.now,
            encoding=encoding, delimiter=delimiter, sheet=sheet, column_map=column_map,
            product=product, source=source, month_first=month_first, check_dns=check_dns,
            info_sent=info_sent, rejects_path=rejects, force=force,
            info_sent_before=_date_option(session, info_sent_before, "--info-sent-before"),
            on_progress=bar.update,
        )
    for reject in shown:
        output.note(f"{file}:{reject.line}: {reject.reason}")
    if total_rejected > len(shown):
        from ..plurals import count

        output.note(f"… and {count(total_rejected - len(shown), 'more rejected row')}"
                    + (f" (all in {rejects})" if rejects else " (use --rejects FILE to see them all)"))
    if report.stale_info:
        from ..backlog import STALE_AFTER
        from ..clock import local_day, zone

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
    if report.skipped_lines:
        output.line(f"the header is on line {report.skipped_lines + 1}: "
                    f"{report.skipped_lines} line{'s' if report.skipped_lines != 1 else ''} "
                    "above it skipped")
    if report.requested_at_column is None and (report.new or report.updated or report.unchanged):
        output.line("no request-date column: the leads are dated at the import time")
    _say_code_page(report.code_page)
    if report.month_first_shown:
        output.line(f'dates read month-first (US), as "{report.month_first_shown}" shows; '
                    "--no-month-first reads them day-first")
    output.line(
        f"{report.new} new, {report.updated} updated, {report.unchanged} unchanged, "
        f"{report.suppressed} suppressed, {report.rejected} rejected"
        + (f"; info pack recorded as sent for {report.info_recorded}" if report.info_recorded else "")
        + (f"; {report.opted_out} opted out of marketing mail in the file: unsubscribed, "
           "never mailed" if report.opted_out else "")
    )


def _say_code_page(code_page: tuple[str, str | None] | None) -> None:
    """The code page leadloop chose for a file that is not UTF-8, unless Windows-1252."""
    if code_page and code_page[0] not in ("cp1252", "latin-1"):
        from .. import output
        from ..sources.codepage import LABELS

        name, shown = code_page
        output.line(f"the file is not UTF-8: read as {LABELS[name]}"
                    + (f', as "{shown}" shows' if shown else "") + "; --encoding names another")


def _import_orders(session, file, column_map, rejects, force, as_json, **options) -> None:
    from .. import output
    from ..orders import import_orders
    from ..plurals import count

    shown: list[tuple[int, str]] = []

    def on_reject(line: int, reason: str) -> None:
        if len(shown) < 20:
            shown.append((line, reason))

    report = import_orders(session.store, session.config, file, session.now,
                           column_map=column_map, rejects_path=rejects, force=force,
                           on_reject=on_reject, **options)
    for line, reason in shown:
        output.note(f"{file}:{line}: {reason}")
    if report.rejected > len(shown):
        output.note(f"… and {count(report.rejected - len(shown), 'more rejected row')}"
                    + (f" (all in {rejects})" if rejects else " (use --rejects FILE to see them all)"))
    if as_json:
        output.emit_json(report.as_dict())
        return
    _say_code_page(report.code_page)
    skipped = sum(report.skipped.values())
    why = ", ".join(f"{number} {reason}" for reason, number in sorted(
        report.skipped.items(), key=lambda item: -item[1]))
    output.line(
        f"{count(report.customers, 'lead')} became {'a customer' if report.customers == 1 else 'customers'}, "
        f"{count(report.new_buyers, 'new buyer')} (customers, never followed up), "
        f"{count(report.repeat, 'more order')} of customers, {report.known} already imported, "
        f"{report.suppressed} of unsubscribed, bounced or erased addresses (kept so), "
        f"{skipped} skipped" + (f" ({why})" if why else "") + f", {report.rejected} rejected")


@command()
def add(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The lead's e-mail address.")],
    name: Annotated[Optional[str], typer.Option(help="Full name.")] = None,
    first_name: Annotated[Optional[str], typer.Option(
        help="Given name, whole (José Luis); default: read from --name.")] = None,
    product: Annotated[Optional[str], typer.Option(help="What they asked about.")] = None,
    source: Annotated[Optional[str], typer.Option(help="The ad or page they came from.")] = None,
    requested_at: Annotated[Optional[str], typer.Option(help="When they asked (default: now).")] = None,
    locale: Annotated[Optional[str], typer.Option(help="Language of their messages (es, en).")] = None,
    tz: Annotated[Optional[str], typer.Option("--timezone", help="Their IANA timezone.")] = None,
    referred_by: Annotated[Optional[str], typer.Option(help="Address of who referred them.")] = None,
) -> None:
    """Record one inquiry (for a web-form hook)."""
    from .. import output
    from ..importer import add_lead

    session = _session(ctx)
    outcome = add_lead(
        session.store, session.config, session.now, email=email, name=name, product=product,
        source=source, requested_at=requested_at, locale=locale, timezone_name=tz,
        referred_by=referred_by, first_name=first_name,
    )
    output.line(outcome)


def _lead_json(session: Session, lead) -> dict:
    import json

    return {
        "email": lead["email"],
        "name": lead["name"],
        "first_name": lead["first_name"],
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

    from ..clock import JsonTimes, zone

    times = JsonTimes(zone(session.config.cadence.timezone))
    loads = json.loads
    for (email, name, first_name, product, source, status, requested_at, contacts,
         last_contact_at, next_step, next_due_at, locale, tz, referred_by, fields) in rows:
        yield {
            "email": email, "name": name, "first_name": first_name, "product": product,
            "source": source, "status": status, "requested_at": times(requested_at), "contacts": contacts,
            "last_contact_at": times(last_contact_at), "next_step": next_step,
            "next_due_at": times(next_due_at), "locale": locale, "timezone": tz,
            "referred_by": referred_by, "fields": loads(fields) if fields else {},
        }


def _date_option(session: Session, text: Optional[str], name: str, *, end_of_day: bool = False):
    """--since/--until: an ISO date or date-time in [cadence] timezone. A bare date as
    an end means the whole of that day (--until 2026-03-31 includes the 31st)."""
    if text is None:
        return None
    from ..clock import parse_instant

    try:
        value = parse_instant(text, session.config.cadence.timezone)
    except InputError as err:
        raise InputError(f"{name}: {err}") from None
    if end_of_day and len(text.strip()) == 10:
        from ..clock import day_bounds, zone

        tz = zone(session.config.cadence.timezone)
        value = day_bounds(value.astimezone(tz).date(), tz)[1]
    return value


def _lead_table_columns():
    from ..output import Column

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
    """List leads, with their status and what is next for each.

    On a terminal one screenful and how many there are; piped, every lead as
    tab-separated text; --json, every lead as a JSON array.

    Example: leadloop leads --status active --search munoz --sort requested --reverse
    """
    from .. import output
    from ..lists import SORTS, LeadFilter, count_leads, lead_rows
    from ..store import STATUSES

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
    from ..clock import JsonTimes, zone

    times = JsonTimes(zone(session.config.cadence.timezone))

    def short(value):
        return times(value)[:16].replace("T", " ") if value else "—"

    # Piped: every row (or --limit). On a terminal: a page, and one row more to know
    # whether to say how many there are.
    page = limit if limit is not None or not output.is_terminal() else output.page_size()
    rows = (
        [email, name, product_, source_, status_, contacts,
         short(requested_at)[:10] if requested_at else "—", short(next_due_at)]
        for (email, name, _, product_, source_, status_, requested_at, contacts, _, _, next_due_at,
             *_) in lead_rows(conn, chosen, None if page is None else page + output.is_terminal())
    )
    shown = output.listing(
        _lead_table_columns(), rows, page=page, noun="leads",
        count=lambda: count_leads(conn, chosen),
        more="More: --limit N, a filter (see --help), `leadloop leads | less -S`, or --json.")
    if not shown and output.is_terminal():
        output.line("No leads match." if chosen.filtered else
                    "No leads yet: `leadloop import FILE` adds them.")


@command()
def show(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The lead's address.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """One lead with its timeline: messages and events."""
    from .. import output

    session = _session(ctx)
    store = _settled_store(session)
    lead = store.lead(email)
    messages = [
        {
            "step": m["step"], "template": m["template"], "state": m["state"],
            "sent_at": session.json_time(m["sent_at"]),
            "attempted_at": session.json_time(m["attempted_at"]),
            "message_id": m["message_id"], "attempts": m["attempts"],
            "retry_at": session.json_time(m["retry_at"]), "error": m["error"], "owner": m["owner"],
        }
        for m in store.messages(lead["id"]) if m["kind"] == "sequence"
    ]
    story_events = store.timeline_events(lead["id"])  # its orders among them
    events = [{"at": session.json_time(at), "kind": kind, **detail}
              for kind, at, detail in story_events]
    referred = referred_by_lead(session, lead)
    # Its referrer was erased: the link stays, the referrer's address does not (SPEC §10).
    referrer_erased = lead["referrer_erased_id"] is not None and lead["referred_by"] is None
    if as_json:
        output.emit_json({**_lead_json(session, lead), "referred_by_erased": referrer_erased,
                          "messages": messages, "events": events, "referred": referred})
        return
    document = _lead_json(session, lead)
    for key in ("email", "name", "product", "source", "status", "requested_at", "contacts",
                "next_due_at"):
        value = document[key] if document[key] is not None else "—"
        if key == "name":
            value = _name_shown(document["name"], document["first_name"])
        output.line(f"{key:>13}: {value}")
    if referrer_erased:
        output.line(f"{'referred_by':>13}: referred by a lead who was erased")
    elif document["referred_by"]:
        output.line(f"{'referred_by':>13}: {document['referred_by']}")
    if document["fields"]:
        for key, value in document["fields"].items():
            output.line(f"{key:>13}: {value}")
    output.line("")
    from ..timeline import timeline

    story = timeline(lead, [dict(m) for m in store.messages(lead["id"])], story_events,
                     locale=lead["locale"] or session.config.default_locale)
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


def _name_shown(name: str | None, first_name: str | None) -> str:
    """The name, and the given name messages greet the lead by when it is not the one
    the name itself would give ("Dña. Rosa Gil (first name: Rosa María)"): a
    given-name column or `add --first-name` said otherwise (render.first_name)."""
    from ..given_names import given_name

    shown = name if name is not None else "—"
    if first_name and first_name.strip() and first_name.strip() != given_name(name):
        shown += f" (first name: {first_name.strip()})"
    return shown


@command()
def mark(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The lead's address.")],
    status: Annotated[str, typer.Argument(
        help="replied, customer, lost, unsubscribed, or active (resume the sequence).")],
    note: Annotated[Optional[str], typer.Option(help="Why, for the timeline.")] = None,
) -> None:
    """Set a lead's status by hand."""
    from .. import output

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
    """Erase a lead now (right to erasure).

    Only its suppression entry stays, so the address is never imported again.
    """
    from .. import output
    from ..inquiry_spool import spool_dir
    from ..privacy import forget_address

    session = _session(ctx)
    spooled = forget_address(session.store, email, session.now, session.config.outbox_path,
                             spool_dir(session.store.path))
    also = (f" (with {spooled} inquir{'y' if spooled == 1 else 'ies'} waiting in serve's spool)"
            if spooled else "")
    output.line(f"erased {email.strip()}{also}: its address is now only a keyed hash that "
                "blocks re-import")


def referred_by_lead(session, lead) -> list[dict]:
    """Whom this lead referred, and how each ended (for `show`)."""
    from ..referrals import referred_leads

    return [{"email": row["email"], "name": row["name"], "status": row["status"],
             "requested_at": session.json_time(row["requested_at"])}
            for row in referred_leads(session.store, lead)]
