"""Templates → messages: Jinja in its sandbox, StrictUndefined, headers built safely.

A template is an e-mail: header lines, a blank line, the body (SPEC §6). Each header
value and the body are compiled as separate Jinja templates, so whatever a value holds
it cannot add a header line; message.py then cleans and encodes every header value.
Sources are padded with newlines so Jinja's line numbers are the file's line numbers,
and errors read "templates/es/followup.txt:4: 'oferta' is undefined".

Lookup: `<dir>/<locale>/<name>.txt` in the configured templates directory, then the
templates shipped with leadloop; the lead's language, then the default locale. Follow-up
N uses `followup-N` when it exists, else `followup`. An `.html` file beside the text
adds an HTML alternative (autoescaped; the text part is always there).

A lead's locale is data (issue #16): it is read as a language code (locales.py) and
only ever *chosen among* the locale directories that exist in those two places, never
joined into a path, so "../../elsewhere/en" cannot pick a file outside them. Dates are
formatted in the language of the template chosen, which is the message's language.

One lead never stops the others (SPEC §6): when a message fails to render for a lead
while the same template renders for a sample lead (check.py's), the fault is the
lead's, and it is a MessageError naming the address; a template that fails for the
sample too is a TemplateError, which stops the run before anything is sent.

`Attachment: PATH` lines (issue #18) are header lines of the text template that attach a
file instead of becoming headers; attachments.py finds, guards and encodes the files.
The sample lead shares the lead's product, so a brochure missing for a product
(`folletos/{{ product }}.pdf`) stops the run for every lead: an information pack is not
sent without the brochure it announces, and the marketer hears of it before anything
goes. A path that leaves the templates directory is judged against a sample lead with
no product: the template's fault when it leaves for that sample too (`../x.pdf`), else
the lead's data at work (a product such as "../../etc/passwd"), and that message alone
fails. A message over MAX_BYTES fails like a template error; over WARN_BYTES it goes,
and `warnings` says so once per template and set of files.

A Jinja comment (`{# … #}`, over one line or several) may stand among the header lines,
where it is skipped: the shipped `info` templates show in one how to attach a file.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from jinja2 import pass_context

from .attachments import MAX_BYTES, WARN_BYTES, Attachments, Outside, megabytes
from .clock import from_db, to_db, zone
from .config import Config
from .errors import InputError, LeadloopError, MessageError, TemplateError
from .locales import language_code
from .message import Attachment, Outgoing, build, clean
from .resources import builtin_path

SUFFIX_TEXT = ".txt"
SUFFIX_HTML = ".html"


ATTACHMENT = "attachment"  # the header line that attaches a file, in any case


@dataclass(frozen=True)
class CompiledTemplate:
    path: Path
    headers: list[tuple[str, object]]  # (header name, compiled value template)
    body: object
    attachments: tuple[tuple[int, object], ...] = ()  # (line, compiled path template)

    def render(self, context: dict) -> tuple[dict[str, str], str]:
        try:
            headers = {name: part.render(context) for name, part in self.headers}
            return headers, self.body.render(context)
        except Exception as err:  # Jinja raises many kinds; each becomes one sentence.
            raise TemplateError(_describe(err, self.path)) from None

    def attachment_paths(self, context: dict) -> list[tuple[str, str]]:
        """(where, path) of each Attachment line, rendered; a line that renders empty
        (`{% if … %}` that chose nothing) attaches nothing."""
        paths = []
        try:
            for line, part in self.attachments:
                rendered = clean(part.render(context))
                if rendered:
                    paths.append((f"{self.path}:{line}", rendered))
        except Exception as err:
            raise TemplateError(_describe(err, self.path)) from None
        return paths


def _describe(err: Exception, path: Path) -> str:
    line = getattr(err, "lineno", None)
    if line is None:
        # Jinja rewrites tracebacks so the template's own frame carries the file's line.
        tb = err.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == str(path):
                line = tb.tb_lineno
            tb = tb.tb_next
    message = getattr(err, "message", None) or str(err)
    return f"{path}:{line}: {message}" if line else f"{path}: {message}"


def sample_lead(locale: str | None, product: str | None, now: datetime) -> dict:
    """A lead with every built-in field filled: what `check` renders every template with."""
    return {
        "id": 0, "email": "ana.ejemplo@example.com", "name": "Ana Ejemplo Núñez",
        "product": product, "source": "Anuncio", "locale": locale, "timezone": None,
        "fields": None, "requested_at": to_db(now), "referred_by": None, "first_name": None,
    }


def first_name(name: str | None, given: str | None = None) -> str:
    """The lead's given name as stored (a given-name column, `add --first-name`, the
    form's `first_name`), else read from the full name: a compound given name whole
    ("José Luis", given_names.py), any other the first word."""
    if given and given.strip():
        return given.strip()
    from .given_names import given_name

    return given_name(name)


def _stored_first_name(lead) -> str | None:
    """`first_name` of a store row or of a lead dict that may predate the column."""
    try:
        return lead["first_name"]
    except (KeyError, IndexError):
        return None


_PHONE = re.compile(r"\+?[\d\s().\-/]+")
_WHATSAPP_HOSTS = ("wa.me/", "api.whatsapp.com/", "whatsapp.com/")


def contact_href(contact: str) -> str:
    """The link a mail client follows for `[sender] contact`, "" for words (no link):
    mailto: for an address (RFC 6068), tel: for a phone number in its global form
    (RFC 3966: "+34 600 12 34 56" → tel:+34600123456), https: for a web or WhatsApp
    address (wa.me, WhatsApp's click-to-chat links). Links already written with one of
    those schemes are kept."""
    text = contact.strip()
    lower = text.lower()
    if not text or any(c.isspace() for c in text.strip()) and not _PHONE.fullmatch(text):
        return ""
    if lower.startswith(("mailto:", "tel:", "https://", "http://")):
        return text if _URI_SAFE.fullmatch(text) else ""
    if lower.startswith(("www.",) + _WHATSAPP_HOSTS):
        return "https://" + text if _URI_SAFE.fullmatch(text) else ""
    if _PHONE.fullmatch(text):
        digits = re.sub(r"\D", "", text)
        if len(digits) >= 6:
            return "tel:" + ("+" if text.startswith("+") else "") + digits
        return ""
    if "@" in text and "/" not in text:
        return "mailto:" + text
    return ""


# What RFC 3986 allows in a URI, so a link of the config's never breaks the attribute.
_URI_SAFE = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")


@functools.lru_cache(maxsize=16)
def contact_link(contact: str):
    """`{{ contact|link }}` in an HTML template: an <a> to `contact_href`, or the words
    escaped. The text shown drops a mailto:/tel: prefix, which a reader does not need.
    Cached: every message of a run links the same `[sender] contact`."""
    from markupsafe import Markup, escape

    href = contact_href(contact)
    shown = contact_text(contact)
    if not href:
        return escape(shown)
    return Markup('<a href="{}">{}</a>').format(href, shown)


def contact_text(contact: str) -> str:
    """`{{ contact|link }}` in a text template: the contact as a reader writes it."""
    shown = contact.strip()
    for scheme in ("mailto:", "tel:"):
        if shown.lower().startswith(scheme):
            return shown[len(scheme):]
    return shown


def _no_answer_links(answer) -> str:
    """`answer_url(N)` without `[web] base_url`: no link (templates test it with `if`)."""
    return ""


class Renderer:
    def __init__(self, config: Config, links=None):
        """`links` (links.Links) gives each message its one-click unsubscribe and
        survey answer URLs (SPEC §11); without it there are none."""
        from jinja2 import StrictUndefined
        from jinja2.sandbox import SandboxedEnvironment

        self.config = config
        self.links = links
        self.search_path = [config.templates_dir, builtin_path("templates")]
        self.env = SandboxedEnvironment(
            undefined=StrictUndefined, keep_trailing_newline=False, autoescape=False
        )
        self.html_env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=True)
        for env in (self.env, self.html_env):
            env.filters["date"] = _format_date
            env.filters["ago"] = _format_ago
            env.filters["plural"] = _format_plural
        self.env.filters["link"] = contact_text
        self.html_env.filters["link"] = contact_link
        self._compiled: dict[Path, CompiledTemplate] = {}
        self._lookup: dict[tuple, tuple[Path, Path | None]] = {}
        self._locale_directories: frozenset[str] | None = None
        self._sound: dict[tuple, LeadloopError | None] = {}
        self.attachments = Attachments(config.templates_dir)
        self._warnings: dict[tuple, str] = {}

    @property
    def warnings(self) -> list[str]:
        """What went but deserves a look (a message over WARN_BYTES), once each."""
        return list(self._warnings.values())

    # -- lookup -----------------------------------------------------------------

    def _find(self, relative: str) -> Path | None:
        for directory in self.search_path:
            candidate = directory / relative
            if candidate.is_file():
                return candidate
        return None

    @property
    def locale_directories(self) -> frozenset[str]:
        """The names of the locale directories that exist: the only locales that count."""
        if self._locale_directories is None:
            names = set()
            for directory in self.search_path:
                try:
                    names.update(entry.name for entry in directory.iterdir() if entry.is_dir())
                except OSError:
                    continue  # no templates directory of one's own: the shipped ones serve
            self._locale_directories = frozenset(names)
        return self._locale_directories

    def locate(self, locale: str | None, template: str, step: int) -> tuple[Path, Path | None]:
        key = (locale, template, step)
        if key in self._lookup:
            return self._lookup[key]
        names = [f"{template}-{step}", template] if template == "followup" else [template]
        existing = self.locale_directories
        locales = dict.fromkeys(
            x for x in (locale, self.config.default_locale, "es") if x and x in existing)
        for loc in locales:
            for name in names:
                text = self._find(f"{loc}/{name}{SUFFIX_TEXT}")
                if text is not None:
                    # Only the HTML beside this very text file: a customised text must not
                    # travel with the built-in HTML of different words.
                    html = text.with_suffix(SUFFIX_HTML)
                    found = (text, html if html.is_file() else None)
                    self._lookup[key] = found
                    return found
        raise TemplateError(
            f'no "{template}" template for locale "{locale or self.config.default_locale}" '
            f"in {self.config.templates_dir} or the built-in templates"
        )

    def compile(self, path: Path, *, html: bool = False) -> CompiledTemplate:
        if path in self._compiled:
            return self._compiled[path]
        env = self.html_env if html else self.env
        try:
            source = template_text(path.read_bytes(), path)
        except OSError as err:
            raise TemplateError(f"{path}: cannot read the template ({err})") from None
        source = source.replace("\r\n", "\n")
        lines = source.split("\n")
        headers, attachments = [], []
        try:
            env.parse(source, filename=str(path))  # whole-file syntax errors, with the right line
            number = 0
            while True:
                if number >= len(lines) or (number == 0 and not lines[0]):
                    raise TemplateError(
                        f"{path}:1: a template needs header lines, a blank line, then the body")
                line = lines[number]
                if not line:
                    break  # the blank line: the body follows
                if line.lstrip().startswith("{#"):
                    number = _after_comment(lines, number, path)
                    continue
                name, colon, value = line.partition(":")
                if not colon or not name.strip() or " " in name.strip():
                    raise TemplateError(f'{path}:{number + 1}: "{line}" is not a header line like "Subject: …"')
                part = self._part(env, "\n" * number + value.strip(), path)
                if name.strip().lower() != ATTACHMENT:
                    headers.append((name.strip(), part))
                elif html:
                    raise TemplateError(
                        f"{path}:{number + 1}: Attachment: lines belong in the text template "
                        f"{path.with_suffix(SUFFIX_TEXT).name}; the .html twin only gives the HTML alternative")
                else:
                    attachments.append((number + 1, part))
                number += 1
            compiled_body = self._part(env, "\n" * (number + 1) + "\n".join(lines[number + 1:]), path)
        except TemplateError:
            raise
        except Exception as err:
            raise TemplateError(_describe(err, path)) from None
        if not html and "Subject" not in {name for name, _ in headers}:
            raise TemplateError(f"{path}:1: a template needs a Subject: line")
        compiled = CompiledTemplate(path, headers, compiled_body, tuple(attachments))
        self._compiled[path] = compiled
        return compiled

    @staticmethod
    def _part(env, source: str, path: Path):
        code = env.compile(source, name=path.name, filename=str(path))
        # A plain copy of the environment's globals (range, dict, …; leadloop adds none),
        # not make_globals()' ChainMap over them: Jinja copies the globals into every
        # render's context, and copying a ChainMap key by key was a fifth of rendering a
        # message (four renders each, BENCH.md B3).
        return env.template_class.from_code(env, code, dict(env.globals), None)

    # -- rendering --------------------------------------------------------------------

    def context(self, lead, step: int, now: datetime, language: str | None = None) -> dict:
        config = self.config
        fields = json.loads(lead["fields"]) if lead["fields"] else {}
        tz = zone(lead["timezone"] or config.cadence.timezone)
        sender = config.sender
        context = dict(fields)  # custom columns first, so built-in names win
        context.update(
            fields=fields,
            name=lead["name"] or "",
            first_name=first_name(lead["name"], _stored_first_name(lead)),
            email=lead["email"],
            product=lead["product"] or "",
            source=lead["source"] or "",
            requested_at=from_db(lead["requested_at"]).astimezone(tz),
            # The language the message is written in (its template's directory):
            # dates and "hace 3 meses" follow it.
            locale=language or lead["locale"] or config.default_locale,
            step=step,
            sender=sender,
            contact=sender.contact_address,
            offer=config.offer_for(lead["product"]),
            unsubscribe=sender.unsubscribe_address,
            unsubscribe_url=sender.unsubscribe_url,
            answer_url=_no_answer_links,
            now=now.astimezone(tz),
        )
        return context

    def language(self, lead) -> str | None:
        """The lead's language code; MessageError when its stored locale is not one (a
        database from before import refused such values)."""
        if not lead["locale"]:
            return None
        try:
            return language_code(lead["locale"])
        except InputError as err:
            raise MessageError(f"{lead['email']}: its locale cannot choose templates: {err}") from None

    def render(self, lead, step: int, template: str, message_id: str, now: datetime,
               extra: dict | None = None) -> Outgoing:
        text_path, html_path = self.locate(self.language(lead), template, step)
        try:
            return self._render(lead, step, text_path, html_path, message_id, now, extra)
        except MessageError:
            raise
        except Outside as err:
            # Judged with no product at all: the lead's product is lead data, and a
            # product such as "../../etc/passwd" must not stop everyone else's mail.
            fault = self._sample_fault(None, step, text_path, html_path, now, extra)
            if isinstance(fault, Outside):
                raise TemplateError(str(fault)) from None  # the template's own path leaves
            raise MessageError(f"{lead['email']}: {err}") from None
        except LeadloopError as err:
            fault = self._sample_fault(lead["product"], step, text_path, html_path, now, extra)
            if fault is not None:
                raise fault from None  # the template's fault, which every lead meets
            raise MessageError(f"{lead['email']}: {err}") from None

    def _sample_fault(self, product, step, text_path, html_path, now, extra) -> LeadloopError | None:
        """What goes wrong rendering these templates for a sample lead of this product,
        None when they render: asked only once a real lead's render failed."""
        key = (text_path, html_path, step, product)
        if key not in self._sound:
            sample = sample_lead(text_path.parent.name, product, now)
            try:
                self._render(sample, step, text_path, html_path, "<sample@leadloop>", now, extra)
                self._sound[key] = None
            except LeadloopError as err:
                self._sound[key] = err
        return self._sound[key]

    def _render(self, lead, step: int, text_path: Path, html_path: Path | None,
                message_id: str, now: datetime, extra: dict | None) -> Outgoing:
        context = self.context(lead, step, now, text_path.parent.name)
        sender = self.config.sender
        unsubscribe_url = sender.unsubscribe_url
        if self.links is not None:
            # This message's own signed links (links.py), e.g. https://…/u/TOKEN.
            unsubscribe_url = self.links.unsubscribe_url(message_id) or unsubscribe_url
            context["answer_url"] = functools.partial(self.links.answer_url, message_id)
        context["unsubscribe_url"] = unsubscribe_url
        if extra:
            context.update(extra)
        compiled = self.compile(text_path)
        headers, text = compiled.render(context)
        html = None
        if html_path is not None:
            _, html = self.compile(html_path, html=True).render(context)
        files = self._attach(compiled, context) if compiled.attachments else ()
        mailto = f"<mailto:{sender.unsubscribe_address}?subject=unsubscribe>"
        # RFC 8058 one-click: the https URL first, the mailto for clients without it.
        list_unsubscribe = f"<{unsubscribe_url}>, {mailto}" if unsubscribe_url else mailto
        subject = headers.pop("Subject")
        outgoing = build(
            from_name=sender.name,
            from_address=sender.address,
            to_name=lead["name"],
            to_address=lead["email"],
            subject=subject,
            date=now.astimezone(zone(self.config.cadence.timezone)),
            message_id=message_id,
            text=text.strip("\n") + "\n",
            html=html.strip("\n") + "\n" if html is not None else None,
            reply_to=sender.reply_to or None,
            list_unsubscribe=list_unsubscribe,
            one_click=bool(unsubscribe_url),
            extra_headers=headers,
            attachments=files,
        )
        if files:
            self._weigh(outgoing, text_path)
        return outgoing

    def _attach(self, compiled: CompiledTemplate, context: dict) -> tuple[Attachment, ...]:
        """The files the template's Attachment lines name, each once (two lines that
        come to the same file attach it once, under the first line's name)."""
        files: dict[Path, Attachment] = {}
        for where, path in compiled.attachment_paths(context):
            attachment = self.attachments.load(path, where)
            files.setdefault(self.attachments.file_of(path), attachment)
        return tuple(files.values())

    def _weigh(self, outgoing: Outgoing, text_path: Path) -> None:
        """The size limits of SPEC §6, on the message as sent."""
        size = outgoing.size
        if size <= WARN_BYTES:
            return
        files = ", ".join(f"{a.path} {megabytes(a.size)}" for a in outgoing.attachments)
        if size > MAX_BYTES:
            raise TemplateError(
                f"{text_path}: the message is {megabytes(size)} with its attachments ({files}); "
                f"over {megabytes(MAX_BYTES)} most providers refuse it: make the files smaller "
                "or send a link instead")
        key = (text_path, tuple(a.path for a in outgoing.attachments))
        self._warnings.setdefault(key, (
            f"{text_path}: the message is {megabytes(size)} with its attachments ({files}); "
            f"over {megabytes(WARN_BYTES)} some providers refuse it, and many over 20–25 MB"))


def template_text(data: bytes, path: Path) -> str:
    """A template's text as its editor saved it, as the config file's is read
    (codepage.small_file_text): a "¿Aún me recuerda?" saved as Notepad's "ANSI" or
    TextEdit's Mac Roman must reach the lead as written, not stop every run."""
    from .sources.codepage import NotText, small_file_text

    try:
        return small_file_text(data)
    except NotText as err:
        raise TemplateError(f"{path}: {err}") from None


def _after_comment(lines: list[str], number: int, path: Path) -> int:
    """The line after a Jinja comment that starts at line `number` of the header block."""
    start = lines[number].index("{#") + 2
    for end in range(number, len(lines)):
        closing = lines[end].find("#}", start if end == number else 0)
        if closing >= 0:
            if lines[end][closing + 2:].strip():
                raise TemplateError(f"{path}:{end + 1}: among the header lines, a comment must "
                                    "end its line (nothing after #})")
            return end + 1
    raise TemplateError(f"{path}:{number + 1}: a comment that is never closed (no #}})")


def _babel_locale(context) -> str:
    return context.get("locale") or "es"


@functools.lru_cache(maxsize=64)
def _parsed_locale(code: str):
    """Babel's Locale for a code, parsed once a run: given the code, every format_* call
    parses it again (a tenth of rendering a message, BENCH.md B3)."""
    from .cldr import load_babel

    load_babel()
    from babel import Locale

    return Locale.parse(code)


@pass_context
def _format_date(context, value: datetime, format: str = "long") -> str:
    """`{{ requested_at|date }}` → "14 de febrero de 2011" in the lead's language."""
    day = value.date() if isinstance(value, datetime) else value
    if isinstance(day, date) and isinstance(format, str):
        return _date_text(day, format, _babel_locale(context))
    from .cldr import load_babel

    load_babel()
    from babel.dates import format_date

    return format_date(value, format=format, locale=_babel_locale(context))


@functools.lru_cache(maxsize=4096)
def _date_text(day: date, format: str, locale: str) -> str:
    """Babel's format_date reads only the date of a datetime: a batch's leads, asked on
    the same few days, share the text (a fifth of rendering an info pack, BENCH.md B3)."""
    from .cldr import load_babel

    load_babel()
    from babel.dates import format_date

    return format_date(day, format=format, locale=_parsed_locale(locale))


@pass_context
def _format_ago(context, value: datetime) -> str:
    """`{{ requested_at|ago }}` → "hace 3 meses" / "3 months ago"."""
    from .cldr import load_babel

    load_babel()
    from babel.dates import format_timedelta

    return format_timedelta(
        value - context["now"], add_direction=True, locale=_parsed_locale(_babel_locale(context)),
        threshold=1.1,
    )


@pass_context
def _format_plural(context, value: int, one: str, other: str | None = None) -> str:
    """`{{ answered|plural("persona", "personas") }}` → "1 persona", "3 personas", by the
    plural rules of the lead's language (issue #27 item 11)."""
    from .plurals import count

    return count(value, one, other, locale=_babel_locale(context))
