"""Sending: `check` before it, `due` and `preview` to see what goes, `send`, `inbox`
for what comes back, and `run-daily`, the cron entry that does all three in order."""


from typing import Annotated, Optional

import typer

from ..errors import InputError, MailboxError
from .app import (Session, _confirm_send, _day, _destination, _print_send_report, _session,
                  _settled_store, _short_time, _summary_on_sender_refusal, command)


# `check` is the pre-flight of sending (the config, every template, with --connect the
# SMTP and IMAP logins); `leadloop --help` lists it just before `due`.
@command()
def check(
    ctx: typer.Context,
    connect: Annotated[bool, typer.Option(help="Also log in to the SMTP and IMAP servers (and --dns).")] = False,
    dns: Annotated[Optional[bool], typer.Option(
        "--dns/--no-dns", help="Check the sender's SPF, DKIM, DMARC and MX records (--connect does too).",
        show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the --dns findings as JSON.")] = False,
) -> None:
    """Validate the config, templates and (--dns) the sender's domain.

    Renders every template leadloop may need with a sample lead; --connect also logs in
    to the SMTP and IMAP servers. Run it before trusting cron.

    Example: leadloop check --dns
    """
    from .. import output
    from ..check import check_connection, check_templates
    from ..config import require_real_sender

    session = _session(ctx)
    require_real_sender(session.config)
    dns = connect if dns is None else dns  # SPEC §4: --dns is part of --connect
    if as_json and not dns:
        raise InputError("--json prints the findings of --dns: use check --dns --json")
    say = output.note if as_json else output.line  # with --json, stdout is the JSON alone
    rendered, problems, warnings = check_templates(session.config, session.store, session.now)
    for warning in [*session.config.ignored, *warnings]:
        output.warning(warning)
    for problem in problems:
        output.error(problem)
    if problems:
        raise typer.Exit(code=2)
    where = session.config.path or "built-in defaults"
    from ..plurals import count

    say(f"config {where}: ok; templates: {count(rendered, 'rendering')} ok")
    if connect:
        for result in check_connection(session.config):
            say(result)
    if dns:
        _check_dns(session, as_json)


def _check_dns(session: Session, as_json: bool) -> None:
    """`check --dns`: one line per finding, the record to publish under each problem;
    exit 1 when one of them gets mail refused or filed as spam (issue #24)."""
    from .. import output
    from ..deliverability.memory import remember
    from ..deliverability.report import check_deliverability

    findings = check_deliverability(session.config)
    remember(session.store, findings, session.now)
    if as_json:
        output.emit_json([finding.as_json() for finding in findings])
    else:
        for finding in findings:
            output.line(f"{finding.status:<8} {finding.check:<10} {finding.domain}: {finding.detail}")
            if finding.fix:
                output.line(f"{'':<8} {'':<10} fix: {finding.fix}")
    if any(finding.failing for finding in findings):
        if not as_json:
            output.error("mail from this sender would be refused or filed as spam: publish the "
                         "records above, then run `leadloop check --dns` again")
        raise typer.Exit(code=1)


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
    from ..plurals import count, noun

    waiting = count(backlog.waiting, "more due message" if going else "due message")
    return [f"{waiting} {noun(backlog.waiting, 'waits', 'wait')} for {why}{when}. "
            "`leadloop due --all` lists them with the day each is expected to go."]


def _stale_warning(number: int, *, what: str) -> str:
    """`what` has {packs} where "info pack(s)" goes: "{packs} due now", "of these {packs}"."""
    from ..backlog import STALE_AFTER
    from ..plurals import count, noun

    packs = noun(number, "info pack")
    answers = noun(number, "answers a request", "answer requests")
    return (f"{number:,} {what.format(packs=packs)} {answers} more than {STALE_AFTER.days} days old: each would "
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
    """What `send` would send now, and what waits for the daily limit.

    In sending order.

    Example: leadloop due --all --limit 50
    """
    from ..clock import JsonTimes, to_db, zone

    session = _session(ctx)
    store = _settled_store(session)
    now, stamp = session.now, to_db(session.now)
    tz = zone(session.config.cadence.timezone)
    times = JsonTimes(tz)
    if as_json and not show_all:
        # What scripts and cron call: neither the terminal side (output.py) nor the
        # backlog's planning is loaded (BENCH.md B2; tests/test_fast_paths.py).
        from ..json_stream import stream_json

        stream_json(_due_json(session, item.lead, item.step, item.lead["next_due_at"], times)
                    for item in store.iter_due(now, limit))
        _warn_unknown(store)
        return
    import itertools

    from .. import output
    from ..backlog import Backlog, plan_rows

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
        output.warning(_stale_warning(backlog.stale_info, what="{packs} due now"))
    _warn_unknown(store)


def _warn_unknown(store) -> None:
    unknown = store.unknown_count()
    if unknown:
        from .. import output
        from ..plurals import count, noun

        output.warning(f"{count(unknown, 'message')} {noun(unknown, 'has', 'have')} an unknown "
                       "outcome from an interrupted run; "
                       f"see `leadloop show` ({noun(unknown, 'it is', 'they are')} never resent "
                       "automatically)")


@command()
def preview(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The lead's address.")],
    step: Annotated[Optional[int], typer.Option(min=0, help="Step to show (default: the next one).")] = None,
    raw: Annotated[bool, typer.Option(
        "--raw", help="The message's bytes as sent (MIME, encoded headers) instead.")] = False,
) -> None:
    """Show a lead's next message as a mail client would.

    --raw shows it exactly as sent: MIME, encoded headers.
    """
    import sys

    from ..render import Renderer
    from ..store import new_message_id

    session = _session(ctx)
    lead = session.store.lead(email)
    if step is None:
        step = lead["next_step"]
        if step is None:
            raise InputError(f"{lead['email']} has no message scheduled; use --step N")
    template = "info" if step == 0 else "followup"
    from ..links import links_for

    renderer = Renderer(session.config, links_for(session.config, session.store))
    message = renderer.render(
        lead, step, template, new_message_id(session.config.sender.domain), session.now)
    if not raw:
        _print_readable(message)
        from .. import output

        for warning in renderer.warnings:
            output.warning(warning)
        return
    files = {id(attachment.body): attachment for attachment in message.attachments}
    for chunk in message.chunks:
        attachment = files.get(id(chunk))
        if attachment is None:
            sys.stdout.write(chunk.decode("utf-8").replace("\r\n", "\n"))
        else:  # megabytes of base64 say nothing to a person: the list below does
            sys.stdout.write(f"[{len(chunk):,} characters of base64: {attachment.name}]")
    if message.attachments:
        from .. import output
        from ..attachments import megabytes

        sys.stdout.flush()
        output.line("")
        count = len(message.attachments)
        from ..plurals import count as plural

        output.line(f"Attachments: {plural(count, 'file')}; "
                    f"the message is {megabytes(message.size)} as sent")
        for attachment in message.attachments:
            output.line(f"  {attachment.path}  {megabytes(attachment.size)}  {attachment.content_type}")
        for warning in renderer.warnings:
            output.warning(warning)


def _print_readable(message) -> None:
    """Headers decoded, the text part, a note of the HTML alternative, the attachments."""
    from .. import output
    from ..attachments import megabytes
    from ..message import readable

    shown = readable(message.data)
    for name, value in shown.headers:
        output.line(f"{name}: {value}")
    output.line("")
    for text_line in shown.text.rstrip("\n").split("\n"):
        output.line(text_line)
    output.line("")
    if shown.has_html:
        output.line("[This message also has an HTML version; `leadloop preview --raw` shows it.]")
    if shown.attachments:
        count = len(shown.attachments)
        output.line(f"Attachments: {count} file{'s' if count > 1 else ''}; "
                    f"the message is {megabytes(message.size)} as sent")
        for name, content_type, size in shown.attachments:
            output.line(f"  {name}  {megabytes(size)}  {content_type}")


@command()
def send(
    ctx: typer.Context,
    limit: Annotated[Optional[int], typer.Option(min=1, help="At most N messages.")] = None,
    dry_run: Annotated[bool, typer.Option(help="Show what would be sent; send nothing.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Send what is due now."""
    from .. import output
    from ..plurals import count
    from ..runner import send_due

    from ..config import require_real_sender

    session = _session(ctx)
    require_real_sender(session.config)
    store, config = session.store, session.config
    planned = store.due(session.now, limit)
    if not planned:
        from ..backlog import Backlog

        waiting = _backlog_lines(Backlog.of(store, session.now, 0, 0, store.budget_left(session.now)),
                                 going=0)
        output.line("Nothing goes now." if waiting else "Nothing is due now.")
        for sentence in waiting:
            output.line(sentence)
        return
    from ..backlog import stale_before

    stale = sum(1 for item in planned
                if item.step == 0 and item.lead["requested_at"] < stale_before(session.now))
    if stale:
        output.warning(_stale_warning(stale, what="of these {packs}"))
    where = _destination(config)
    if dry_run:
        from ..render import Renderer

        from ..errors import MessageError

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
        output.line(f"This was a dry run: {count(len(planned), 'message')} to {where}. "
                    "To send, run `leadloop send`.")
        return
    if not yes and output.is_terminal():
        _confirm_send(config, len(planned))
    with _summary_on_sender_refusal(False), output.progress(len(planned), "sending") as bar:
        report = send_due(store, config, session.clock(), limit=limit,
                          on_progress=lambda done, total: bar.update(done, total))
    _print_send_report(report, quiet=False, store=store, now=session.now, outbox=config.smtp is None)
    if report.failed or report.unknown:
        raise typer.Exit(code=1)


@command("inbox")
def inbox(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    review: Annotated[bool, typer.Option(
        "--review", help="List the bounces that named no lead (kept for review); read nothing.")] = False,
) -> None:
    """Read replies, bounces and unsubscribe requests from the inbox.

    Each of them stops that lead's sequence.
    """
    from .. import output
    from ..inbox import read_inbox

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
    """The cron entry: read replies, give up the silent, send the due."""
    from .. import output
    from ..privacy import give_up_due
    from ..runner import send_due

    from ..config import require_real_sender

    session = _session(ctx)
    require_real_sender(session.config)
    store, config = session.store, session.config
    if config.inbox is not None:
        from ..inbox import read_inbox

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
    from ..web.spool import apply_spool

    # Inquiries `serve` kept while the database was busy (SPEC §11) are leads first.
    spooled = apply_spool(store, session.now)
    for problem in spooled.problems:
        output.warning(problem)
    if spooled.applied and not quiet:
        from ..plurals import count

        output.line(f"spool: {count(spooled.applied, 'web inquiry', 'web inquiries')} applied")
    given_up = give_up_due(store, session.now, config.outbox_path)
    if not quiet:
        output.line(f"give-up: {given_up.erased} erased, {given_up.lost} marked lost")
    from ..deliverability.memory import reminder

    # No DNS look-up here (cron must not depend on it): what `check --dns` found last.
    dns_problem = reminder(store, session.now)
    if dns_problem:
        output.warning(dns_problem)
    with _summary_on_sender_refusal(quiet):
        report = send_due(store, config, session.clock())
    _print_send_report(report, quiet=quiet, store=store, now=session.now, outbox=config.smtp is None)
    if report.failed or report.unknown:
        raise typer.Exit(code=1)
