"""Commands about what leads became: stats, customers' questions, export, surveys.

The same rules as every command module: parse, one core call, print through output.py.
"""


import sys
from typing import Annotated, Optional

import typer

from ..errors import InputError
from .app import (_confirm_send, _destination, _errors_to_exit, _print_send_report, _session, app,
                  command, print_stats)


@command()
def stats(
    ctx: typer.Context,
    since: Annotated[Optional[str], typer.Option(
        metavar="DATE", help="Only leads whose inquiry came on or after DATE.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The funnel, answers and purchases by step, and list health.

    Also how many contacts customers received before buying.
    """
    from .. import output
    from ..clock import parse_instant
    from ..stats import compute

    session = _session(ctx)
    start = None
    if since:
        try:
            start = parse_instant(since, session.config.cadence.timezone)
        except InputError as err:
            raise InputError(f"--since: {err}") from None
    result = compute(session.store, since=start)
    doc = result.document
    for warning in result.warnings:
        output.warning(warning)
    if as_json:
        output.emit_json({**doc, "warnings": result.warnings})
        return
    print_stats(doc, since, session.config.default_locale)


@command()
def question(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The customer's address.")],
    text: Annotated[str, typer.Argument(help="What they asked.")],
) -> None:
    """Note a customer's question that came by phone or in person."""
    from .. import output
    from ..questions import open_question

    session = _session(ctx)
    lead = session.store.lead(email)
    open_question(session.store, lead, text, session.now)
    output.line(f"question from {lead['email']} noted; `leadloop answered {lead['email']}` closes it")


@command()
def questions(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (streamed).")] = False,
    limit: Annotated[Optional[int], typer.Option(
        min=1, help="At most N questions (on a terminal: instead of one screenful).")] = None,
) -> None:
    """Open customer questions, oldest first, with their age."""
    import itertools

    from .. import output
    from ..cadence import add
    from ..clock import from_db, zone
    from ..questions import count_open, open_questions

    session = _session(ctx)
    now, tz = session.now, zone(session.config.cadence.timezone)

    def items():
        for row in itertools.islice(open_questions(session.store), limit):
            opened = from_db(row["opened_at"])
            late = add(opened, session.config.answer_within, tz) < now
            yield {"email": row["email"], "name": row["name"], "opened_at": session.json_time(opened),
                   "age_hours": round((now - opened).total_seconds() / 3600, 1), "late": late,
                   "text": row["text"]}

    if as_json:
        output.stream_json(items())
        return
    terminal = output.is_terminal()
    page = limit if limit is not None or not terminal else output.page_size()
    rows = ([output.Styled(_age(item["age_hours"]), "bold red" if item["late"] else ""),
             f"{item['name']} <{item['email']}>" if item["name"] else item["email"], item["text"] or ""]
            for item in items())
    listed = output.listing(
        [output.Column("age", min_width=None, priority=3),
         output.Column("customer", min_width=14, ratio=1, priority=2),
         output.Column("question", min_width=20, ratio=3, priority=1)],
        rows, page=page, noun="open questions", count=lambda: count_open(session.store),
        more="More: --limit N, `leadloop questions | less -S`, or --json.")
    if not listed and terminal:
        output.line("no open questions")


def _age(hours: float) -> str:
    if hours < 1:
        return f"{int(hours * 60)} min"
    if hours < 48:
        return f"{hours:.0f} h"
    return f"{hours / 24:.0f} days"


@command()
def answered(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The customer whose questions you answered.")],
) -> None:
    """Close a customer's open questions."""
    from .. import output
    from ..questions import answer

    session = _session(ctx)
    lead = session.store.lead(email)
    closed = answer(session.store, lead, session.now)
    from ..plurals import count

    output.line(f"{count(closed, 'question')} of {lead['email']} closed")


@command()
def export(
    ctx: typer.Context,
    fmt: Annotated[Optional[str], typer.Option(
        "--format", help="csv, json or xlsx (default: xlsx when FILE ends in .xlsx, else csv).")] = None,
    output_path: Annotated[Optional[str], typer.Option(
        "--output", "-o", metavar="FILE",
        help="Write to FILE instead of stdout; FILE.xlsx is a workbook for Excel or LibreOffice.")] = None,
    force: Annotated[bool, typer.Option(help="Let -o replace an existing file.")] = False,
) -> None:
    """Export the leads that still have personal data.

    For a spreadsheet (-o leads.xlsx) or another tool (CSV, JSON).
    """
    import sys

    from .. import output
    from ..clock import zone
    from ..export import export as write_export
    from ..export import export_xlsx
    from ..outfiles import database_files, written

    if fmt is None:
        fmt = "xlsx" if output_path and output_path.lower().endswith(".xlsx") else "csv"
    if fmt not in ("csv", "json", "xlsx"):
        raise InputError(f'--format "{fmt}": csv, json or xlsx')
    if fmt == "xlsx" and output_path is None:
        raise InputError("--format xlsx writes a workbook, not text: name the file with -o FILE.xlsx")
    session = _session(ctx)
    tz = zone(session.config.cadence.timezone)
    if output_path is None:
        write_export(session.store, sys.stdout, tz, fmt, write_json=output.stream_json)
        return
    with written(output_path, what="export", force=force, binary=fmt == "xlsx",
                 protected=database_files(session.config.database_path)) as handle:
        if fmt == "xlsx":
            count = export_xlsx(session.store, handle, tz)
        else:
            count = write_export(session.store, handle, tz, fmt, write_json=output.stream_json)
    from ..plurals import count as plural

    output.note(f"{plural(count, 'lead')} written to {output_path}")


# -- surveys ---------------------------------------------------------------------------

survey_app = typer.Typer(help="One-question surveys: send, tally the answers, share them.",
                         no_args_is_help=True, rich_markup_mode=None)
app.add_typer(survey_app, name="survey")


def survey_command(name: str):
    def register(function):
        return survey_app.command(name)(_errors_to_exit(function))

    return register


NOT_FINAL = ("active", "replied", "customer", "lost")


@survey_command("send")
def survey_send(
    ctx: typer.Context,
    template: Annotated[str, typer.Argument(help="The survey's template name (templates/LOCALE/NAME.txt).")],
    to: Annotated[str, typer.Option("--to", metavar="STATUS", help="Leads with this status.")] = "customer",
    dry_run: Annotated[bool, typer.Option(help="Show who would get it; send nothing.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Send a one-question survey, at most once per lead.

    Answers come back through `inbox`.
    """
    from ..plurals import count
    from ..render import Renderer
    from ..surveys import check_name, recipients, survey_kind

    session = _session(ctx)
    store, config = session.store, session.config
    name = check_name(template)
    renderer = Renderer(config)
    renderer.locate(config.default_locale, name, 0)  # a missing template is an error now
    _send_once(session, recipients(store, to), kind=survey_kind(name), template=name, statuses=(to,),
               extra=None, what=lambda n: f'survey "{name}" to {count(n, to + " lead")}', dry_run=dry_run, yes=yes)


@survey_command("results")
def survey_results(
    ctx: typer.Context,
    template: Annotated[str, typer.Argument(help="The survey's template name.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (answers streamed).")] = False,
    limit: Annotated[Optional[int], typer.Option(
        min=1, help="At most N answers (on a terminal: instead of one screenful).")] = None,
) -> None:
    """Tally the answers to a survey."""
    import itertools
    import json

    from .. import output
    from ..surveys import check_name, comments_of, tally_results, tally_summary

    session = _session(ctx)
    name = check_name(template)
    summary = tally_summary(session.store, name)
    results = itertools.islice(tally_results(session.store, name, summary["answered"]), limit)
    if as_json:
        # {"survey": …, "results": [one answer a line]}: as many distinct answers as
        # people wrote, never all in memory.
        head = json.dumps({**summary, "results": []}, ensure_ascii=False)
        with output.json_array(_Prefixed(head[:-3])) as array:
            for row in results:
                array.add(row)
        sys.stdout.write("}\n")
        return
    page = limit if limit is not None or not output.is_terminal() else output.page_size()
    first = list(itertools.islice(results, page + 1 if page is not None else None))
    from ..plurals import count

    output.bars(f'Survey "{name}": {count(summary["answered"], "answer")} to {summary["sent"]:,} sent', [
        (row["answer"], row["count"], f"{row['count']} ({row['share']:.0%})") for row in first[:page]])
    if page is not None and len(first) > page:
        output.footer(f"Showing the {page} answers given most (numbers first). More: --limit N or --json.")
    if summary["average"] is not None:
        output.line(f"average: {summary['average']}")
    comments = comments_of(session.store, name, limit=page)
    if comments:
        # For the marketer's eyes: `survey share` mails only those their authors let go.
        output.line("")
        output.line(f"Comments (the latest {len(comments)}; shared only where it says so):")
        for comment, may_share in comments:
            output.line(f"  «{comment}»" + ("  (may be shared)" if may_share else ""))


class _Prefixed:
    """stdout, with `prefix` written before the first write (a JSON object's head)."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    def write(self, text: str) -> None:
        if self.prefix is not None:
            sys.stdout.write(self.prefix)
            self.prefix = None
        sys.stdout.write(text)

    def flush(self) -> None:
        pass


@survey_command("share")
def survey_share(
    ctx: typer.Context,
    template: Annotated[str, typer.Argument(help="The survey's template name.")],
    dry_run: Annotated[bool, typer.Option(help="Show who would get it; send nothing.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Mail the tally to those who answered.

    The template is NAME-results, else survey-results.
    """
    from ..plurals import count
    from ..render import Renderer
    from ..surveys import check_name, respondents, results_kind, results_template, tally

    session = _session(ctx)
    store, config = session.store, session.config
    name = check_name(template)
    result = tally(store, name)
    if not result["answered"]:
        raise InputError(f'nobody has answered survey "{name}" yet; nothing to share')
    leads = respondents(store, name)
    result_template = results_template(Renderer(config), name, config.default_locale)
    _send_once(session, leads, kind=results_kind(name), template=result_template, statuses=NOT_FINAL,
               extra=result, what=lambda n: f'the results of "{name}" to {count(n, "lead")} who answered',
               dry_run=dry_run, yes=yes)


def _send_once(session, candidates, *, kind, template, statuses, extra, what, dry_run, yes) -> None:
    """Plan, confirm and send a one-off message; `what(n)` says what goes to n leads."""
    from .. import output
    from ..render import Renderer
    from ..plurals import count
    from ..runner import send_once
    from ..surveys import not_yet_sent

    from ..config import require_real_sender

    config = session.config
    require_real_sender(config)
    # For the plan only: send_once decides again, under the run lock.
    leads = not_yet_sent(session.store, candidates, kind)
    skipped = len(candidates) - len(leads)
    what = what(len(leads))
    where = _destination(config)
    if skipped:
        output.note(f"{count(skipped, 'lead')} already had it")
    if not leads:
        output.line("Nobody left to send it to.")
        return
    if dry_run:
        renderer = Renderer(config)
        for lead in leads:
            renderer.render(lead, 0, template, "<dry-run@leadloop>", session.now, extra)
            output.line(f"would send {template} to {lead['email']}")
        output.line(f"This was a dry run: {what}, to {where}.")
        return
    if not yes and output.is_terminal():
        _confirm_send(config, len(leads), what)
    with output.progress(len(leads), "sending") as bar:
        report = send_once(session.store, config, session.clock(), leads, kind=kind, template=template,
                           statuses=statuses, extra=extra,
                           on_progress=lambda done, total: bar.update(done, total))
    _print_send_report(report, quiet=False, outbox=config.smtp is None)
    if report.held_back:
        output.warning(f"{report.held_back} held back by [cadence] daily_limit; run the same command "
                       "again tomorrow to send them")
    if report.failed or report.unknown:
        raise typer.Exit(code=1)
