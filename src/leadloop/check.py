"""`leadloop check`: find every problem cron would hit, before cron hits it.

The config was already validated by loading it. Here every template leadloop may need
(info and each follow-up step, for every locale and product in the database) is
rendered with a sample lead, so an undefined variable or a syntax error shows up with
its file and line now rather than at 09:00 on a Monday. Rendering attaches the files the
templates name, so a brochure that is missing, unreadable or too big for some product
or locale is found here too (issue #18), and so is a product that would lead an
attachment path out of the templates directory. `connect` also logs in to the mail
servers, sending and changing nothing.
"""

from __future__ import annotations

from datetime import datetime

from .config import Config
from .errors import InputError, LeadloopError, MessageError
from .locales import language_code
from .render import Renderer, sample_lead


def check_templates(config: Config, store, now: datetime) -> tuple[int, list[str], list[str]]:
    """(combinations rendered, problems found, warnings: what would go but deserves a look)."""
    locales = {config.default_locale}
    # The products leads have: a brochure per product (`folletos/{{ product }}.pdf`) is
    # checked for those, and for "no product" only when a lead has none (or there are no
    # leads yet), so a template that needs a product is not faulted for a lead that
    # does not exist.
    products: set[str | None] = set()
    problems: list[str] = []
    for locale, product in store.conn.execute(
        "SELECT DISTINCT locale, product FROM leads WHERE email IS NOT NULL"
    ):
        try:
            locales.add(language_code(locale or "") or config.default_locale)
        except InputError as err:
            # Stored before import refused such values; `send` fails these leads alone.
            problem = f"leads with the locale {locale!r} get no message: {err}"
            if problem not in problems:
                problems.append(problem)
        products.add(product)
    if not products:
        products.add(None)
    from .links import links_for

    # With [web] base_url, templates take their `if unsubscribe_url` branches: check those.
    renderer = Renderer(config, links_for(config, store))
    steps = [("info", 0)] if config.cadence.send_info else []
    steps += [("followup", step) for step in range(1, config.cadence.max_contacts)]
    rendered = 0
    for locale in sorted(locales):
        for product in sorted(products, key=lambda p: p or ""):
            for template, step in steps:
                sample = sample_lead(locale, product, now)
                try:
                    renderer.render(sample, step, template, "<check@leadloop>", now)
                    rendered += 1
                except MessageError as err:
                    # The sample has this product's data only: the product is at fault
                    # (it leads an attachment path out of the templates directory).
                    reason = str(err).removeprefix(f"{sample['email']}: ")
                    problem = f"leads with the product {product!r} get no message: {reason}"
                    if problem not in problems:
                        problems.append(problem)
                except LeadloopError as err:
                    if str(err) not in problems:
                        problems.append(str(err))
    # Surveys and their results: every other template the marketer keeps beside them.
    for locale, name in _other_templates(config):
        extra = SAMPLE_TALLY if name.endswith("results") else None
        try:
            renderer.render(sample_lead(locale, None, now), 0, name, "<check@leadloop>", now, extra)
            rendered += 1
        except LeadloopError as err:
            if str(err) not in problems:
                problems.append(str(err))
    warnings = list(renderer.warnings)
    from .config import is_loopback_url

    if config.web.base_url and is_loopback_url(config.web.base_url):
        warnings.append(f"[web] base_url {config.web.base_url} is this machine: the links in "
                        "messages work only here; set the public https address before mailing leads")
    return rendered, problems, warnings


SAMPLE_TALLY = {"survey": "opinion", "sent": 3, "answered": 2, "average": 8.0,
                "results": [{"answer": "7", "count": 1, "share": 0.5},
                            {"answer": "9", "count": 1, "share": 0.5}],
                "comments": ["Me encantó el taller."]}


def _other_templates(config: Config) -> list[tuple[str, str]]:
    """(locale, name) of the survey templates in the templates directory: only in the
    directories named by a language code, so a folder of attachments (`folletos/`, with a
    price list in .txt, say) is not read as templates."""
    found = []
    directory = config.templates_dir
    if not directory.is_dir():
        return found
    for path in sorted(directory.glob("*/*.txt")):
        name = path.stem
        if name == "info" or name.startswith("followup") or not _is_locale(path.parent.name):
            continue
        found.append((path.parent.name, name))
    return found


def _is_locale(name: str) -> bool:
    try:
        return language_code(name) == name
    except InputError:
        return False


def check_connection(config: Config) -> list[str]:
    """Log in to the SMTP and IMAP servers, sending and changing nothing."""
    lines = []
    if config.smtp is None:
        lines.append("no [smtp] host: messages go to the outbox")
    else:
        from .transport import SmtpTransport

        transport = SmtpTransport(config.smtp)
        transport.open()
        transport.close()
        lines.append(f"smtp: logged in to {config.smtp.host}:{config.smtp.port}{_how(config.smtp)}")
    if config.inbox is None:
        lines.append("no [inbox]: replies are marked by hand")
    else:
        from .mailbox import open_mailbox

        with open_mailbox(config.inbox) as source:
            where = (f"logged in to {source.label}{_how(config.inbox)}" if source.mailbox_name
                     else f"maildir {source.label}")
            lines.append(f"inbox: {where}, folder ok")
    return lines


def _how(server) -> str:
    """How the login was proved, when it was not with a password."""
    from .oauth import MECHANISM

    mechanism = MECHANISM.get(server.auth)
    return f" as {server.username} with {mechanism} (a token from token_command)" if mechanism else ""
