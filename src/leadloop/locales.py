"""What people write in a language column → the language code leadloop stores.

A lead's locale picks its templates' directory (`templates/es/…`), so it is data that
must be a language and nothing else: never a path, never free text that happens to
name a directory. Spreadsheets hold "es", "ES", "es-ES", "es_ES.UTF-8", "pt-BR",
"Español", "español", "Spanish", "inglés", "Français"; each becomes its language
code ("es", "en", "pt", "fr"). Anything else is refused with a sentence saying why.

The knowledge is CLDR's, through Babel (already what formats the templates' dates):
a code counts when Babel has locale data for its language (CLDR's aliases read the
ISO 639-2 codes "spa", "eng", "ger" and the retired "iw", "in"); a name counts when
it is how CLDR writes a language in English, in the languages of the people leadloop
is made for (Spanish, Catalan, Galician, Basque, Portuguese, French, Italian, German,
Dutch), or in the language itself ("Deutsch", "русский"). Names are compared without
case or accents ("ingles", "FRANCAIS"), and CLDR's "Language (Region)" form is read
as its language. A name two languages share ("Makua") is refused, not guessed.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from .cldr import load_babel
from .errors import InputError

# A BCP 47 tag or a POSIX locale: language, optional script, optional region, and the
# ".UTF-8" / "@euro" tails that `locale -a` prints ("es_ES.UTF-8@euro").
_TAG = re.compile(
    r"(?P<language>[A-Za-z]{2,3})"
    r"(?:[-_][A-Za-z]{4})?"
    r"(?:[-_](?:[A-Za-z]{2}|[0-9]{3}))?"
    r"(?:\.[A-Za-z0-9-]+)?(?:@[A-Za-z0-9]+)?"
)
# The languages whose names for languages are read, besides each language's own name.
NAME_LANGUAGES = ("en", "es", "ca", "gl", "eu", "pt", "fr", "it", "de", "nl")
# ISO 639-2 names the two languages by both words ("Spanish; Castilian", "Catalan;
# Valencian"); CLDR keeps only the first, and Spanish spreadsheets often hold the second.
_OTHER_NAMES = {"castilian": "es", "castellano": "es", "valencian": "ca", "valenciano": "ca"}
_AMBIGUOUS = ""


def language_code(value: str) -> str | None:
    """The language code `value` means, None for an empty value; InputError otherwise."""
    text = " ".join(value.split())
    if not text:
        return None
    return _language_code(text)


@functools.lru_cache(maxsize=1024)
def _language_code(text: str) -> str:
    # A file repeats a few values over many rows: each is worked out once.
    tag = _TAG.fullmatch(text)
    if tag is not None:
        code = tag.group("language").lower()
        code = _aliases().get(code, code)
        if code in _known_codes():
            return code
    code = _by_name(text)
    if code is None and text.endswith(")") and " (" in text:
        code = _by_name(text[: text.index(" (")])
    if code:
        return code
    shown = text if len(text) <= 40 else text[:37] + "..."
    if code == _AMBIGUOUS:
        raise InputError(f'language "{shown}" names more than one language; write its code')
    raise InputError(
        f'language "{shown}" is not a language leadloop knows; write a code such as "es" or "en"'
    )


def _by_name(text: str) -> str | None:
    key = _fold(text)
    found = _names().get(key)
    # Each language's own name costs a second to gather (every locale's data): only a
    # name the common languages do not know pays for it.
    return found if found is not None else _own_names().get(key)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@functools.cache
def _known_codes() -> frozenset[str]:
    load_babel()
    from babel.localedata import locale_identifiers

    return frozenset(
        identifier.split("_")[0] for identifier in locale_identifiers()
        if identifier.split("_")[0] not in ("root", "und")
    )


@functools.cache
def _aliases() -> dict[str, str]:
    load_babel()
    from babel.core import get_global

    return {old: new.split("_")[0] for old, new in get_global("language_aliases").items()}


def _index(pairs) -> dict[str, str]:
    """Folded language name → code, or _AMBIGUOUS when two languages share the name."""
    known = _known_codes()
    names: dict[str, str] = {}
    for name, code in pairs:
        code = code.split("_")[0]  # "español de España" is Spanish
        if code not in known:
            continue
        key = _fold(name)
        if names.setdefault(key, code) != code:
            names[key] = _AMBIGUOUS
    return names


@functools.cache
def _names() -> dict[str, str]:
    load_babel()
    from babel import Locale

    pairs = [(name, code) for language in NAME_LANGUAGES
             for code, name in Locale(language).languages.items()]
    return {**_index(pairs), **_OTHER_NAMES}


@functools.cache
def _own_names() -> dict[str, str]:
    load_babel()
    from babel import Locale, UnknownLocaleError

    pairs = []
    for code in sorted(_known_codes()):
        try:
            own = Locale(code).languages.get(code)
        except (UnknownLocaleError, ValueError):
            continue
        if own:
            pairs.append((own, code))
    return _index(pairs)
