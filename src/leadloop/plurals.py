"""A count and its noun in the right number: "1 info pack", "2 info packs", "1 persona",
"0 personas" (issue #27 item 11).

The choice of form follows CLDR's plural rules through Babel
(https://babel.pocoo.org/en/latest/api/core.html#babel.core.Locale.plural_form), so the
same helper is right for every language leadloop speaks: English and Spanish say "one"
only for 1, French also for 0, and languages with more forms ("few", "many") fall back
to the form given for "other" unless the caller passes them.

Babel is imported on the first count in a language other than English, never at
start-up: `leadloop --version` and `due --json` print no counts, and the CLI's own
sentences (English) count without it (BENCH.md B2, B4).
"""


from functools import lru_cache


@lru_cache(maxsize=None)
def _rule(locale: str):
    from .cldr import load_babel

    load_babel()
    from babel.core import Locale, UnknownLocaleError

    try:
        return Locale.parse(locale.replace("-", "_")).plural_form
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en").plural_form


def category(number: int | float, locale: str = "en") -> str:
    """CLDR's plural category of `number` in `locale`: "zero", "one", "two", "few",
    "many" or "other"."""
    if locale == "en" and type(number) is int:
        # English, the CLI's language, for a whole number: CLDR's rule is "one: i = 1 and
        # v = 0" (unicode.org/cldr/charts/latest/supplemental/language_plural_rules.html).
        # Said without loading Babel and its locale data, which cost `due`, `send` and
        # `stats` on a pipe ~15 ms to write "message" or "messages" (bench/run.py B4C).
        return "one" if abs(number) == 1 else "other"
    return _rule(locale)(abs(number))


def noun(number: int | float, one: str, other: str | None = None, *, locale: str = "en",
         **forms: str) -> str:
    """The word alone: `one` when CLDR says "one", else `other` (default: `one` + "s"),
    or a form given by keyword (few=…, many=…) for the languages that have it."""
    kind = category(number, locale)
    if kind == "one":
        return one
    return forms.get(kind) or other or one + "s"


def count(number: int | float, one: str, other: str | None = None, *, locale: str = "en",
          **forms: str) -> str:
    """ "1 reply", "1,204 replies": the number (grouped by thousands) and its noun."""
    shown = f"{number:,}" if isinstance(number, int) else str(number)
    return f"{shown} {noun(number, one, other, locale=locale, **forms)}"
