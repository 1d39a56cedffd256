"""Rows of cells → parsed leads or rejects: the rules every source shares.

A source (sources/csv.py for delimited text, sources/workbook.py for spreadsheets) turns
its file into a header and rows of text cells. Here the header becomes a Plan (which
column is the address, the name, the request date …, by the names real exports use) and
every row goes through the same checks, whatever file it came from: addresses, names,
dates, rejects with their line.
"""

from __future__ import annotations

import json
import operator
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import NamedTuple

from ..clock import EARLIEST_YEAR, LATEST_YEAR, UTC, to_db, zone
from ..errors import InputError, InvalidAddress
from ..locales import language_code
# A cell is one line of text: CR, LF, NUL … could otherwise reach a header.
from ..message import clean as one_line

_DATE_CACHE = 20_000
# clock's range of years, as stored text (which sorts as time).
_EARLIEST, _LATEST = f"{EARLIEST_YEAR:04d}", f"{LATEST_YEAR + 1:04d}"
BATCH = 5000
_REPEATED = 1000
# The largest cell a row may hold (SPEC §5): a longer one is a rejected row.
CELL_LIMIT = 64 * 1024

# Column names (compared as slugs: case, accents and punctuation aside), best first: when
# a file has two columns for one field, the better name wins (Mailchimp's OPTIN_TIME over
# CONFIRM_TIME) and the other is kept as a custom field, or as the request date to use
# when the first is empty. They come from the exports small businesses have (tests/
# fixtures/exports/README.md says where each was seen): Google Forms, Meta Lead Ads,
# Mailchimp, HubSpot, Shopify, WooCommerce, Typeform, Google Contacts, Outlook, Brevo,
# and Spanish spreadsheets.
ALIASES = {
    "email": ["email", "e-mail", "correo", "correo electronico", "email address",
              "e-mail address", "direccion de correo electronico", "direccion de correo",
              "direccion de email", "e-mail 1 - value", "email 1", "work_email", "mail",
              "correo-e", "tu email", "tu correo", "your email", "emailid", "email id",
              "email - work", "person - email - work", "email - home",
              # A CRM's list of a contact's addresses (Krayin's "emails", a JSON list:
              # the first address is the lead's, addresses.addresses_within).
              "emails", "e-mails", "email addresses", "correos", "correos electronicos",
              # Outlook writes its CSV header in the language of Office (issue #25):
              # de, fr, it, nl, pt-BR, pt-PT, pl, ca, sv, da, nb. The names are those of
              # Exchange's Outlook CSV contact import, which lists each Office language's
              # names of the same fields (OutlookCsvLanguageSelect, in Exchange Server's
              # Microsoft.Exchange.Transport.Sync.Common.ImportContacts), and of public
              # importers of Outlook's and Apple's exports (tests/test_address_book_columns.py).
              "e-mail-adresse", "e-mail adresse", "adresse de messagerie", "courriel",
              "adresse courriel", "adresse e-mail", "indirizzo posta elettronica",
              "indirizzo e-mail", "posta elettronica", "e-mailadres", "endereco de email",
              "endereco de e-mail", "endereco de correio eletronico",
              "endereco de correio electronico", "adres e-mail", "adreca electronica",
              "adreca de correu electronic", "correu electronic", "e-postadress",
              "e-mailadresse", "e-postadresse",
              # Thunderbird's "Primäre E-Mail-Adresse", "Première adresse électronique".
              "adresse electronique"],
    # A full name; given and family names are joined when there is none. A customer's,
    # client's or display name (often a company's) is the last resort (_PARTY_NAMES).
    "name": ["name", "full name", "nombre completo", "nombre y apellidos",
             "nombre y apellido", "your name", "tu nombre", "client name", "contact name",
             "customer name", "person - name", "nombre del cliente", "nombre del contacto",
             "display name", "anzeigename", "nom a afficher", "nombre para mostrar",
             # A form's question (Typeform, Google Forms, Jotform), as the column's name.
             "what's your name", "what is your name", "your full name", "cual es tu nombre completo",
             "tu nombre completo", "su nombre completo", "nombre y apellidos completos"],
    "first_name": ["first name", "firstname", "given name", "nombre", "fname",
                   "como te llamas", "cual es tu nombre", "cual es su nombre", "tu nombre de pila",
                   "what's your first name", "what is your first name", "your first name",
                   "nombre de pila", "person - first name",
                   # Outlook's, Apple's and Thunderbird's given name in de, fr, nl, it and
                   # pt ("Nome" + "Cognome"/"Sobrenome"), pl, ca ("Nom" + "Cognoms"), sv,
                   # da/nb, as for "email" above.
                   "vorname", "prenom", "voornaam", "nome", "primeiro nome", "nome proprio",
                   "imie", "nom", "fornamn", "fornavn"],
    "last_name": ["last name", "lastname", "family name", "surname", "apellidos", "apellido",
                  "y tus apellidos", "tus apellidos", "cuales son tus apellidos", "sus apellidos",
                  "what's your last name", "what is your last name", "your last name",
                  "lname", "person - last name",
                  "nachname", "familienname", "achternaam", "cognome", "sobrenome",
                  "apelido", "apelidos", "nazwisko", "cognoms", "cognom", "efternamn",
                  "efternavn", "etternavn"],
    "product": ["product", "producto", "servicio"],
    "source": ["source", "origen", "fuente", "anuncio", "campaign", "campana",
               "campaign name", "utm_source", "original source", "lead source", "leadsource"],
    "requested_at": ["requested_at", "fecha de solicitud", "fecha solicitud", "requested",
                     "fecha", "date", "timestamp", "marca temporal", "marca de tiempo",
                     "created_time", "create date", "created date", "created at", "created",
                     "creation date", "date created", "fecha de creacion", "fecha de alta",
                     "fecha de registro", "date registered", "registered", "sign up",
                     "signup date", "date added", "submit date", "submitted at",
                     "submission date", "optin_time", "added_time", "confirm_time",
                     # CRMs' record creation: Salesforce, Zoho, Pipedrive, HubSpot.
                     "createddate", "created time", "person created", "created on",
                     # A sign-up's date, as members' and customers' exports name it (CiviCRM's
                     # "Register date", PrestaShop's "Registration date", Ghost's, listmonk's).
                     "register date", "registration date", "date of registration", "registered at",
                     "registered on", "signed up at", "sign up date",
                     "subscribed at", "subscription date", "date subscribed", "date joined", "joined at",
                     "fecha de inscripcion", "data de cadastro", "data de registo", "data de registro",
                     "date d'inscription", "date d inscription", "data di registrazione", "anmeldedatum",
                     "registrierungsdatum",
                     # A form's entry (Gravity Forms) and an event's order (Eventbrite's attendees).
                     "entry date", "order date"],
    "locale": ["locale", "idioma", "language", "lang"],
    "timezone": ["timezone", "zona horaria", "tz", "time zone"],
    "referred_by": ["referred_by", "referido por", "referred by", "referido"],
    "info_sent_at": ["info_sent_at", "info enviada", "info_sent"],
}
FIELDS = frozenset(ALIASES)
# Given-name column names that a file with no family-name column uses for the whole name
# (Spanish "Nombre", Italian and Portuguese "Nome", Catalan and French "Nom").
_AMBIGUOUS_GIVEN = frozenset({"nombre", "nome", "nom", "como_te_llamas", "cual_es_tu_nombre",
                              "cual_es_su_nombre"})
# A column that is the family name beside another: French Outlook's "Nom" next to
# "Prénom" (where Catalan's "Nom" next to "Cognoms" is the given name).
_FAMILY_BESIDE = {"nom": "prenom"}
# The lead fields RowChecker picks from every row, and those it picks only from files
# that have them ("given_name": a first-name column beside a full-name one;
# "second_email": another address column, for rows whose first is empty; "fallback":
# a second request-date column).
_COMMON = ("email", "name", "product", "source", "requested_at")
_OPTIONAL = ("last_name", "info_sent_at", "locale", "timezone", "referred_by", "given_name",
             "fallback", "second_email", "opt_out")

# Columns in which an export says a person opted out of marketing mail (issue #25):
# slug → the cell values that mean so, None: any value (a date). Such rows are imported
# as `unsubscribed` and never mailed.
_YES = frozenset({"yes", "y", "true", "1", "si", "sí", "x", "verdadero"})
_NO = frozenset({"no", "n", "false", "0", "falso"})
_OPTED_OUT_STATUSES = frozenset({"unsubscribed", "unsubscribe", "opted out", "opted-out", "optout", "opt-out",
                                 "cleaned", "bounced", "blocklisted", "blacklisted", "blocked", "complained",
                                 "unreachable", "inactive", "suppressed", "baja", "dado de baja", "desuscrito"})
OPT_OUT_COLUMNS = {
    "accepts_email_marketing": _NO,  # Shopify's customers export (yes/no)
    "accepts_marketing": _NO,  # Shopify's earlier exports
    "unsubscribed_from_all_email": _YES,  # HubSpot's contacts export
    "hasoptedoutofemail": _YES,  # Salesforce Lead/Contact field
    "email_opt_out": _YES,  # Zoho CRM
    "blacklisted": _YES, "blocklisted": _YES,  # Brevo's contacts export
    "email_blacklisted": _YES, "email_blocklisted": _YES, "emailblacklisted": _YES,
    "unsub_time": None, "clean_time": None,  # Mailchimp's unsubscribed / cleaned exports
    # Consent written the other way round: Ghost's members export, Shopify's orders
    # export, a shop's or a form's newsletter box (PrestaShop's "Newsletter (0/1)").
    "subscribed_to_emails": _NO, "buyer_accepts_marketing": _NO, "email_disabled": _YES,
    "newsletter": _NO, "boletin": _NO, "email_marketing": _NO, "email_consent": _NO,
    # A mailing service's subscriber status (beehiiv's "inactive", Keila's
    # "unsubscribed" and "unreachable", listmonk's "blocklisted"): only the values that say
    # so, never a CRM's lead status ("New", "Lost").
    "status": _OPTED_OUT_STATUSES, "subscriber_status": _OPTED_OUT_STATUSES,
    "subscription_status": _OPTED_OUT_STATUSES, "email_status": _OPTED_OUT_STATUSES,
    "member_status": _OPTED_OUT_STATUSES, "estado": _OPTED_OUT_STATUSES,
    # Pipedrive's "Person - Marketing status", Klaviyo's "Email Marketing Consent".
    "marketing_status": _OPTED_OUT_STATUSES, "person_marketing_status": _OPTED_OUT_STATUSES,
    "email_marketing_consent": _OPTED_OUT_STATUSES,
}
# A form's question asking for marketing mail ("¿Quieres recibir novedades por email?",
# "Acepto recibir comunicaciones comerciales", "I'd like to receive news and offers"),
# answered no/0/false: an opt-out. (An empty answer says nothing; a question about
# another channel, WhatsApp or a call, is none of email's.) Column names as slugs.
_CONSENT_QUESTION = re.compile(
    r"(recibir|receive|receber|recevoir|ricevere|suscribir|subscribe|newsletter|boletin)"
    r"(_\w+)?_(novedades|noticias|newsletter|boletin|ofertas|promociones|comunicaciones|publicidad|news"
    r"|updates|offers|promotions|marketing|novidades|promocoes|nouvelles|actualites|offres|novita|promozioni)")
_OTHER_CHANNEL = re.compile(r"(^|_)(whatsapp|sms|telefono|phone|llamada|call|telegram|postal|correo_postal)(_|$)")
# Mailchimp names its audience exports by who is in them (the zip holds
# subscribed_members_export_…, unsubscribed_members_export_…, cleaned_members_export_…).
_OPTED_OUT_FILES = ("unsubscribed_members_export", "cleaned_members_export")


def slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


_ALIAS_RANK = {slug(alias): (field, rank) for field, names in ALIASES.items()
               for rank, alias in enumerate(names)}
# Names of a customer or client record, which stand for a person or a firm: Zoho Books
# fills "Display Name" from the company or the contact name
# (https://www.zoho.com/ae/books/help/contacts/basic-functions.html); a Wave customer
# "may be a business or an individual", its contact's first and last names beside it
# (https://support.waveapps.com/hc/en-us/articles/208621786-How-to-add-a-customer).
# Given and family names, when the file has them, say who the person is (issue #25).
_PARTY_NAMES = frozenset({"display_name", "customer_name", "client_name",
                          "nombre_del_cliente", "anzeigename", "nom_a_afficher",
                          "nombre_para_mostrar"})
# Given- and family-name columns of a record's contact, bill-to or ship-to person (Wave's
# contact_first_name, WooCommerce's billing_first_name, shipping_last_name), in this
# order of preference, after the unprefixed ones.
_PERSON_PREFIXES = ("contact_", "billing_", "shipping_")
_PREFIX_RANK = 100  # after every unprefixed name of the same field
# Other CRMs' record-creation columns ("Lead Created", "Contact created", "Date of
# creation"): the words that say so, and those that make a column about something else.
_CREATED_WORDS = frozenset({"created", "creation", "createddate", "createdtime", "createdon",
                            "createdat", "createtime", "createdate"})
_NOT_A_DATE_WORDS = frozenset({"by", "id", "user", "owner", "from", "via", "source", "ip"})
_CREATED_RANK = 1000  # after every named request-date column


# The words around an address column's name that say whose or which address it is:
# Roundcube's and Outlook's "Email Home"/"Email Work", Apple's "Arbeit E-Mail", Google's
# "E-mail 1 - Value", Thunderbird's "Primary Email"/"Secondary Email", Outlook's "E-mail 2
# Address". An address column is the first in the file's order (as a vCard's first EMAIL,
# SPEC §5), unless its name marks it preferred (as a vCard's PREF); a second, other or
# secondary one comes after every other.
_PREFERRED_WORDS = frozenset({"primary", "preferred", "main", "principal", "primare",
                              "primaer", "premiere", "preferido", "preferida", "principale",
                              "pref", "default"})
_SECONDARY_WORDS = frozenset({"secondary", "other", "alternate", "alternative", "alt",
                              "additional", "andere", "weitere", "sekundare", "sekundaere",
                              "secondaire", "autre",
                              "altro", "altra", "secundario", "secundaria", "otro", "otra",
                              "outro", "outra", "overige", "ander", "inny", "annan", "anden"})
_WHOSE_WORDS = frozenset({"home", "work", "business", "personal", "private", "office",
                          "arbeit", "privat", "geschaftlich", "buro", "trabajo", "casa",
                          "particular", "profesional", "domicile", "bureau", "travail",
                          "perso", "personnel", "professionnel", "lavoro", "ufficio",
                          "privato", "werk", "prive", "thuis", "praca", "dom", "value",
                          "valor", "valeur", "wert", "waarde", "valore", "internet", "smtp"})


def _email_core(key: str) -> str:
    """A column name's slug as the address rule compares it: "e_mail" is "email"."""
    return key.replace("e_mail", "email")


_EMAIL_NAMES = frozenset(_email_core(slug(alias)) for alias in ALIASES["email"])


def _address_rank(key: str) -> int | None:
    """0 for a preferred address column, 1 for another, 2 for a second or other one;
    None when the name (its whose/which words aside) is not an address column's."""
    words = _email_core(key).split("_")
    core = [word for word in words if not word.isdigit() and word not in _PREFERRED_WORDS
            and word not in _SECONDARY_WORDS and word not in _WHOSE_WORDS]
    if "_".join(core) not in _EMAIL_NAMES:
        return None
    if any(word in _PREFERRED_WORDS for word in words):
        return 0
    if any(word in _SECONDARY_WORDS or word.isdigit() and word not in ("0", "1")
           for word in words):
        return 2
    return 1


# What a column's name carries beside its words: an importer's hints ("Email *",
# "Registration date (yyyy-mm-dd)", Dolibarr's "DateCreation (s.datec)") and camelCase.
_HINTS = re.compile(r"\([^)]*\)|\*")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_NAME_PART = re.compile(r"^\s*name\s*\((first|given|last|family|surname)\)\s*$", re.IGNORECASE)


def _plain_key(column: str) -> str:
    """A column name's slug without its hints, camelCase words apart."""
    return slug(_CAMEL.sub(" ", _HINTS.sub(" ", column)))


def _named_field(key: str) -> tuple[str | None, int]:
    """(lead field, rank) of a column name (a slug), or (None, 0)."""
    found = _ALIAS_RANK.get(key) or _ALIAS_RANK.get(_UTC_SUFFIX.sub("", key))
    if not found or found[0] == "email":
        rank = _address_rank(key)
        if rank is not None:
            return "email", rank
    if found:
        return found
    for order, prefix in enumerate(_PERSON_PREFIXES, 1):
        if key.startswith(prefix):
            field, rank = _ALIAS_RANK.get(key[len(prefix):], (None, 0))
            if field in ("first_name", "last_name"):
                return field, rank + order * _PREFIX_RANK
    for suffix in ("first_name", "last_name"):
        # Anyone's given or family name ("Player First Name"): after every other person's.
        if key.endswith("_" + suffix):
            return suffix, (len(_PERSON_PREFIXES) + 1) * _PREFIX_RANK
    words = set(_UTC_SUFFIX.sub("", key).split("_"))
    if words & _CREATED_WORDS and not words & _NOT_A_DATE_WORDS:
        return "requested_at", _CREATED_RANK
    return None, 0
# "Submit Date (UTC)", "Start Date (GMT)": the column says its times are UTC.
_UTC_SUFFIX = re.compile(r"_(?:utc|gmt)$")
# What a cell must look like for its column to pass for the address column when no
# column is named like one (a form's question, "¿A qué correo te escribimos?").
_LOOKS_LIKE_ADDRESS = re.compile(r"'?[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+")


@dataclass
class Plan:
    """Which column holds what. `where`: lead field → column; `custom`: (column, key) of
    the columns kept as custom fields."""

    header: list[str]
    where: dict[str, int]
    custom: list[tuple[int, str]]
    utc: frozenset[str] = frozenset()  # fields whose column says its times are UTC
    # The opt-out column's values that mean "opted out" (OPT_OUT_COLUMNS), and whether
    # the whole file is of people who opted out (its name says so).
    opt_out_values: frozenset | None = None
    everyone_opted_out: bool = False
    # `where["name"]` is a customer's, client's or display name (_PARTY_NAMES), used only
    # when given and family names are empty.
    display_name: bool = False

    @property
    def dated(self) -> bool:
        """Whether the file has a request-date column (else the import time is used)."""
        return "requested_at" in self.where


def make_plan(label: str, header: list[str], column_map: dict | None = None,
              sample: Callable[[], list[list[str]]] | None = None) -> Plan:
    """A header → its Plan; raises InputError when no column holds addresses. `sample`
    gives the first rows, read only when no column is named like an address column.
    `column_map` may be a function of the header (orders.py picks columns by it); a
    target of None keeps the column a custom field whatever its name (orders.py reads
    PayPal's "Time" and "TimeZone" itself)."""
    if callable(column_map):
        column_map = column_map(header)
    mapped = {}
    for column, target in (column_map or {}).items():
        if target is not None and target not in FIELDS:
            raise InputError(f'--map {column}={target}: "{target}" is not a lead field '
                             f"({', '.join(sorted(FIELDS))})")
        mapped[slug(column)] = target
    missing = set(mapped) - {slug(column) for column in header}
    if missing:
        column = next(c for c in column_map if slug(c) in missing)
        raise InputError(f'--map {column}={column_map[column]}: {label} has no column '
                         f'"{column}" (columns: {_listed(header)})')
    candidates: dict[str, list[tuple[int, int, bool]]] = {}
    custom = []
    keys = {slug(column) for column in header}
    for index, column in enumerate(header):
        key = slug(column)
        if not column.strip():
            continue  # a column with no name (a spreadsheet's stray cell): nobody's field
        utc = bool(_UTC_SUFFIX.search(key))
        if key in mapped:
            target, rank = mapped[key], -1
            if target is None:
                custom.append((index, key))
                continue
        elif _FAMILY_BESIDE.get(key) in keys:
            target, rank = "last_name", 0
        else:
            target, rank = _named_field(key)
            if target is None and (part := _NAME_PART.search(column)):
                # Gravity Forms' "Name (First)", "Name (Last)": the part names the field.
                target, rank = ("first_name" if part[1].lower() in ("first", "given") else "last_name"), 0
            if target is None and (plain := _plain_key(column)) != key:
                target, rank = _named_field(plain)
        if target is None:
            custom.append((index, key or f"column_{index + 1}"))
        else:
            candidates.setdefault(target, []).append((rank, index, utc))
    _one_person(candidates, custom, header)
    where, utc_fields = {}, set()
    for target, found in candidates.items():
        found.sort()
        (_, index, utc), rest = found[0], found[1:]
        where[target] = index
        if utc:
            utc_fields.add(target)
        if target == "email" and rest:
            # Pipedrive's "Email - Work" and "Email - Home": a row may fill either.
            # The other address stays a custom field too.
            where["second_email"] = rest[0][1]
        if target == "requested_at" and rest:
            (_, index, utc), rest = rest[0], rest[1:]
            where["fallback"] = index
            if utc:
                utc_fields.add("fallback")
        custom.extend((index, slug(header[index])) for _, index, _ in rest)
    # A customer's, client's or display name beside given or family names: those win,
    # and it is the name only on rows that have neither; it is kept as a custom field
    # either way.
    # (A bare "Name" beside both is the record's too: Invoice Ninja's client.)
    display_name = ("name" in where and slug(header[where["name"]]) not in mapped
                    and (slug(header[where["name"]]) in _PARTY_NAMES
                         and ("first_name" in where or "last_name" in where)
                         or slug(header[where["name"]]) == "name" and "first_name" in where
                         and "last_name" in where))
    if display_name:
        custom.append((where["name"], slug(header[where["name"]])))
    given = where.pop("first_name", None)
    if given is not None:
        if "name" not in where:
            where["name"] = given  # joined with the family name, if any
        # The given-name column is `first_name` whole ("José Luis"), except a Spanish
        # "Nombre" standing alone, which as often holds the whole name ("José Luis Pérez").
        if ("last_name" in where or where["name"] != given or slug(header[given]) in mapped
                or slug(header[given]) not in _AMBIGUOUS_GIVEN):
            where["given_name"] = given
    if "email" not in where:
        index = _address_column(sample() if sample else [], {i for i, _ in custom})
        if index is None:
            raise InputError(f"{label}: no e-mail column found (columns: {_listed(header)}); "
                             "use --map COLUMN=email")
        where["email"] = index
        custom = [(i, key) for i, key in custom if i != index]
    if "requested_at" not in where and sample:
        # A column whose name is a date's in some tools and a yes/no in others
        # (MailerLite's "Subscribed" holds the day): the request date when the first
        # rows' cells are all dates.
        for index, key in custom:
            if key in _DATE_WHEN_DATES and _all_dates(sample(), index):
                where["requested_at"] = index
                custom = [(i, other) for i, other in custom if i != index]
                break
    opt_out_values = None
    for index, key in custom:
        plain = _plain_key(header[index])
        found = key if key in OPT_OUT_COLUMNS else plain if plain in OPT_OUT_COLUMNS else None
        if found is not None and "opt_out" not in where:
            where["opt_out"], opt_out_values = index, OPT_OUT_COLUMNS[found]
    if "opt_out" not in where:
        for index, key in custom:
            if _CONSENT_QUESTION.search(key) and not _OTHER_CHANNEL.search(key):
                where["opt_out"], opt_out_values = index, _NO
                break
    name = label.replace("\\", "/").rsplit("/", 1)[-1].lower()
    custom.sort()
    return Plan(list(header), where, custom, frozenset(utc_fields), opt_out_values,
                name.startswith(_OPTED_OUT_FILES), display_name)


def _one_person(candidates: dict, custom: list, header: list[str]) -> None:
    """Given and family names from one person's columns: the unprefixed ones if any, else
    the contact's, else the bill-to's, else the ship-to's (_PERSON_PREFIXES); the other
    people's become custom fields, so that a name is never half one person's and half
    another's."""
    names = [entry for target in ("first_name", "last_name")
             for entry in candidates.get(target, [])]
    if not names:
        return
    person = min(max(rank, 0) // _PREFIX_RANK for rank, _, _ in names)
    for target in ("first_name", "last_name"):
        found = candidates.pop(target, [])
        kept = [entry for entry in found if max(entry[0], 0) // _PREFIX_RANK == person]
        custom.extend((index, slug(header[index])) for _, index, _ in found
                      if all(index != other for _, other, _ in kept))
        if kept:
            candidates[target] = kept


# How far down a file its header row is looked for: Invoice Ninja writes three lines
# before it, LinkedIn a "Notes:" paragraph, reports a title row (issue #25).
PREAMBLE_LINES = 20


# A cell that is a number, a date or a time ("2", "0.0.00", "2015-01-31 00:00:00",
# "+34 600 000 001"): a value, which no export writes as a column's name.
_VALUE_CELL = re.compile(r"[-+(]?[0-9][0-9 .,:/()+-]*")


def names_an_address(cells: list[str]) -> bool:
    """Whether a row reads as a header with an address column: a cell named like one
    (ALIASES), and no cell that is itself a value (an address, a number, a date: a row
    of data, such as a CRM's lead whose source is "Email")."""
    return bool(address_columns(cells))


def address_columns(cells: list[str]) -> list[int]:
    """The columns a header row names like address columns; none when the row is no
    header (names_an_address)."""
    found = []
    for index, cell in enumerate(cells):
        text = cell.strip()
        if "@" in text and _LOOKS_LIKE_ADDRESS.fullmatch(text) or _VALUE_CELL.fullmatch(text):
            return []
        if text and len(text) <= 80 and _named_field(slug(text))[0] == "email":
            found.append(index)
    return found


def holds_addresses(rows: list[list[str]], columns: list[int]) -> bool:
    """Whether the rows under a header found below line 1 hold addresses in its address
    columns: at least half of their non-empty cells look like addresses. Cells all
    empty are no proof against it (LinkedIn's connections hide most addresses)."""
    cells = [row[index].strip() for row in rows for index in columns
             if index < len(row) and row[index].strip()]
    return 2 * sum(1 for cell in cells if _LOOKS_LIKE_ADDRESS.fullmatch(cell)) >= len(cells)


def _address_column(rows: list[list[str]], columns: set[int]) -> int | None:
    """The column most of whose non-empty cells look like addresses, if any."""
    best, best_count = None, 0
    for index in sorted(columns):
        cells = [row[index].strip() for row in rows if index < len(row) and row[index].strip()]
        count = sum(1 for cell in cells if _LOOKS_LIKE_ADDRESS.fullmatch(cell))
        if count > best_count and count * 2 >= len(cells):
            best, best_count = index, count
    return best


def _listed(header: list[str], most: int = 12) -> str:
    names = [one_line(name)[:40] for name in header[:most]]
    return ", ".join(names) + (f", … ({len(header)} in all)" if len(header) > most else "")


class ParsedLead(NamedTuple):
    """One valid row. Dates are instants in the store's text form (clock.to_db), custom
    columns one JSON object: plain values, which cost little to carry between processes."""

    line: int
    email: str
    name: str | None
    product: str | None
    source: str | None
    requested_at: str | None
    info_sent_at: str | None
    locale: str | None
    timezone: str | None
    referred_by: str | None
    fields: str | None  # a dict instead with RowChecker(fields_as_dict=True)
    first_name: str | None = None  # the given name, when the file has it on its own
    opted_out: bool = False  # the file says they opted out of marketing mail


@dataclass(slots=True)
class RejectedRow:
    line: int
    reason: str
    values: list[str]


@dataclass(slots=True)
class Batch:
    """Consecutive rows of a file. `leads` are ParsedLead fields as plain tuples: pickling
    a tuple costs a sixth of pickling a named tuple (forked.py carries batches)."""

    leads: list[tuple] = field(default_factory=list)
    rejects: list[RejectedRow] = field(default_factory=list)
    position: int | None = None  # how far into the file (bytes, or a sheet's rows), for a progress bar
    # A row's other address (the next address column's, when both are filled), by the
    # row's index in `leads`: the row is a known lead by either (importer._Upsert).
    others: dict[int, str] = field(default_factory=dict)


def batches_of(rows: Iterable, size: int = BATCH) -> Iterator[Batch]:
    """ParsedLead and RejectedRow items (a test's, or `lead add`'s) → batches."""
    batch = Batch()
    for row in rows:
        if type(row) is RejectedRow:
            batch.rejects.append(row)
        else:
            batch.leads.append(tuple(row))
            if len(batch.leads) >= size:
                yield batch
                batch = Batch()
    yield batch


class BrokenRecord(list):
    """What a reader yields for a record it cannot split into cells (a quote that never
    closes, a cell over CELL_LIMIT): RowChecker rejects it with `reason`. An empty list,
    so that only rows whose width differs from the header's pay for the check."""

    def __init__(self, reason: str, text: str):
        super().__init__()
        self.reason, self.text = reason, text


class RowChecker:
    """Rows of text cells → Batches of ParsedLead tuples and RejectedRows.

    `reader` yields lists of cells and has `line_num`, the lines (or sheet rows) read
    so far after the header: csv.reader's meaning, so that a row's number is where it
    starts. `position()` says how far the source is, for a progress bar."""

    def __init__(self, plan: Plan, *, month_first=False, default_timezone="Europe/Madrid",
                 product=None, source=None, check_dns=False, fields_as_dict=False,
                 sample: Callable[[], list[list[str]]] | None = None):
        self.plan = plan
        # month_first None: the file's own dates say (month_first_shown), from `sample`,
        # its first rows; the date that showed it is kept for the summary.
        self.month_first_shown = None
        if month_first is None:
            self.month_first_shown = month_first_shown(plan, sample)
            month_first = self.month_first_shown is not None
        # `fields` as a dict rather than JSON text: orders.py reads its columns there,
        # and would only decode the text again.
        self._fields_as_dict = fields_as_dict
        self._month_first = month_first
        self._default_tz = default_timezone
        self._product, self._source = product, source
        self._check_dns = check_dns
        self._dates: dict = {}
        self._fast_date = FastDates(default_timezone)

    def batches(self, reader, position: Callable[[], int | None], first_line: int = 1,
                size: int = BATCH) -> Iterator[Batch]:
        return self._rows(reader, position, first_line, size)

    def _rows(self, reader, position, first_line: int, size: int) -> Iterator[Batch]:
        """The hot loop of an import: a million rows pass here, so a row costs a few
        method calls, and anything unusual (control characters, a bad address, a new
        date) takes a slower path."""
        from ..addresses import addresses_within, check_deliverability, normalize_address

        plan = self.plan
        width = len(plan.header)
        # Each lead field's column, or `width`: the empty cell appended to every row.
        where = {name: plan.where.get(name, width) for name in _COMMON + _OPTIONAL}
        custom_columns = plan.custom
        common = operator.itemgetter(*(where[name] for name in _COMMON))
        # Most files have none of these columns: their rows skip that work altogether.
        optional = (operator.itemgetter(*(where[name] for name in _OPTIONAL))
                    if any(where[name] != width for name in _OPTIONAL) else None)
        # A full name beside given and family names: those two are used when it is empty.
        given_column = where["given_name"] != width
        full_name = given_column and where["given_name"] != where["name"]
        display_name = plan.display_name
        # The zone of a column that says "(UTC)" wins over the lead's own.
        requested_zone = "UTC" if "requested_at" in plan.utc else None
        fallback_zone = "UTC" if "fallback" in plan.utc else None
        opt_out_values, everyone_opted_out = plan.opt_out_values, plan.everyone_opted_out
        product_override, source_override = self._product, self._source
        dates, check_dns = self._dates, self._check_dns
        fields_as_dict = self._fields_as_dict
        # One string object per product and source: a batch pickles a repeated object
        # as a reference, and unpickles it once (forked.py).
        repeated: dict = {}
        batch = Batch()
        leads, rejects = batch.leads, batch.rejects
        consumed = first_line  # lines read so far, the header's included
        for cells in reader:
            start = consumed + 1
            consumed = first_line + reader.line_num
            count = len(cells)
            if count != width:
                if type(cells) is BrokenRecord:
                    rejects.append(RejectedRow(start, cells.reason, [cells.text]))
                    continue
                if count > width:
                    if any(cell.strip() for cell in cells[width:]):
                        rejects.append(RejectedRow(
                            start, f"has {count} cells, the header has {width}", cells))
                        continue
                    cells = cells[:width]  # trailing empty cells (a separator at the end)
                else:
                    cells = cells + [""] * (width - count)  # a short row: the rest is empty
            text = "".join(cells)
            if not text.isprintable():
                # Runs of CR, LF, NUL … become one space: a cell is one line of text.
                cells = [one_line(cell) for cell in cells]
                text = "".join(cells)
            if not text or text.isspace():
                continue  # a blank line, or a row of empty cells
            if "'" in text:
                # The apostrophe exporters put before a cell to keep it as text
                # ('+34 600…, '007, '=…) is not part of the value.
                cells = [cell[1:] if cell[:1] == "'" else cell for cell in cells]
            cells.append("")
            email, name, product, source, requested = common(cells)
            last_name = info_sent = locale = tz_name = referred = first_name = other = None
            opted_out = everyone_opted_out
            try:
                if optional is not None:
                    (last_name, info_sent, locale, tz_name, referred, given,
                     fallback, second_email, opt_out) = optional(cells)
                    if not email.strip():
                        email = second_email
                    elif second_email.strip():
                        other = second_email
                    if opt_out := opt_out.strip():
                        opted_out = opted_out or (opt_out.casefold() in opt_out_values
                                                  if opt_out_values is not None else True)
                try:
                    email = normalize_address(email)
                except InvalidAddress:
                    # A display name around it, a list, a CRM's JSON: the first address
                    # the cell holds; a second counts as a second address column's does
                    # (a suppressed one keeps the row out).
                    within = addresses_within(email)
                    if not within:
                        raise
                    email = within[0]
                    if other is None and len(within) > 1:
                        other = within[1]
                if check_dns:
                    check_deliverability(email)
                if optional is not None:
                    referred = referred.strip()
                    referred = normalize_address(referred) if referred else None
                    tz_name = tz_name.strip() or None
                    if tz_name:
                        zone(tz_name)
                    if given_column:
                        first_name = given.strip() or None
                    if display_name:
                        # Given and family names win; the display name only stands in.
                        if first_name or last_name.strip():
                            name = given if given_column else ""
                        else:
                            last_name = None
                    elif full_name:
                        if name.strip():
                            last_name = None  # part of the full name already
                        else:
                            name = given
                requested = requested.strip()
                if requested:
                    key = (requested, requested_zone or tz_name)
                    requested = dates.get(key) or self._date(key)
                elif optional is not None and (fallback := fallback.strip()):
                    # The second request-date column (CONFIRM_TIME when OPTIN_TIME is empty).
                    key = (fallback, fallback_zone or tz_name)
                    requested = dates.get(key) or self._date(key)
                else:
                    requested = None
                if optional is not None:
                    info_sent = info_sent.strip()
                    if info_sent:
                        key = (info_sent, tz_name)
                        info_sent = dates.get(key) or self._date(key)
                    else:
                        info_sent = None
                    locale = language_code(locale)
            except InputError as err:
                rejects.append(RejectedRow(start, str(err), cells[:-1]))
                continue
            name = name.strip()
            if last_name and (last_name := last_name.strip()):
                name = f"{name} {last_name}" if name else last_name
            custom = None
            if custom_columns:
                custom = {key: value for index, key in custom_columns
                          if (value := cells[index].strip())}
                if not fields_as_dict:
                    custom = json.dumps(custom, ensure_ascii=False) if custom else None
            product = product_override or product.strip() or None
            source = source_override or source.strip() or None
            leads.append((  # ParsedLead's fields
                start, email, name or None, repeated.setdefault(product, product),
                repeated.setdefault(source, source), requested, info_sent, locale, tz_name,
                referred, custom, first_name, opted_out,
            ))
            if other is not None:
                try:
                    other = normalize_address(other)
                except InputError:
                    pass  # the row's address is good: a bad second one costs it nothing
                else:
                    if other != email:
                        batch.others[len(leads) - 1] = other
            if len(leads) >= size:
                batch.position = position()
                yield batch
                batch = Batch()
                leads, rejects = batch.leads, batch.rejects
                if len(repeated) > _REPEATED:
                    repeated.clear()
        batch.position = position()
        yield batch

    def _date(self, key: tuple[str, str | None]) -> str:
        """A date cell read once: a file holds few distinct dates (a day or a minute
        repeats across many rows)."""
        text, tz_name = key
        month_first = self._month_first
        try:
            value = (self._fast_date(text, tz_name, month_first)
                     or to_db(_read_date(text, zone(tz_name or self._default_tz), month_first)))
        except (ValueError, OverflowError):
            raise InputError(f'unreadable date "{text}"') from None
        if not _EARLIEST <= value < _LATEST:
            # A typo ("01/01/0202"), and the cadence's arithmetic would overflow near
            # the years 1 and 9999.
            raise InputError(
                f'date "{text}" is out of range (years {EARLIEST_YEAR}–{LATEST_YEAR})')
        if len(self._dates) >= _DATE_CACHE:
            self._dates.clear()
        self._dates[key] = value
        return value


# The naive shapes FastDates reads: a day, then optionally " " or "T" and a time of day.
_FAST_DMY = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4}|[0-9]{2})")
_FAST_YMD = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
# Every valid "hh:mm" → minutes since midnight; day-first dates also take "h:mm" (as
# _DMY does), ISO dates do not (as datetime.fromisoformat does not).
_ISO_CLOCK = {f"{h:02d}:{m:02d}": 60 * h + m for h in range(24) for m in range(60)}
_DMY_CLOCK = {**_ISO_CLOCK, **{f"{h}:{m:02d}": 60 * h + m for h in range(10) for m in range(60)}}
# The rest of clock.to_db's text: minutes since midnight → "hh:mm:", ":ss" → "ss+00:00".
_HH_MM = [f"{h:02d}:{m:02d}:" for h in range(24) for m in range(60)]
_SS = {f":{s:02d}": f"{s:02d}+00:00" for s in range(60)}
_NO_SS = "00+00:00"
# (hour, minute, second) of a day at which _steady_offset compares the zone's offsets.
_CHECKED_WALLS = [(hour, 0, 0) for hour in range(24)] + [(23, 59, 59)]


class FastDates:
    """The common date cells → clock.to_db's text, without a zone conversion per cell.

    The reference, to_db(_read_date(...)), costs ~4.3 µs a cell (a regex, six int(),
    datetime(), replace(tzinfo), astimezone, formatting). Files with minute- or
    second-precision timestamps (web-form exports) make most cells new to CsvSource's
    cache, so a 1M-row import paid that for most rows. Here "dd/mm/yyyy hh:mm[:ss]" (or "yy")
    ("/", "-" or "."; month-first; "T"; ISO "yyyy-mm-dd …") is split into its day and
    its time of day. A day is read once per zone: its fields, and the zone's UTC offset
    if that is the same throughout the local day. A time of day is looked up among the
    valid ones. A new cell is then a few look-ups, a subtraction and a concatenation:
    ~0.7–1 µs.

    Anything else gives None and takes the reference path, which also raises its
    errors: other shapes (an offset, "Z", fractions of a second, an ISO "h:mm"), fields
    out of range (31/02, 24:00), a day on which the offset changes (DST, a skipped day)
    or is not whole minutes (local mean time), the years 1 and 9999 (where the reference
    can overflow). tests/test_date_fast_path.py holds the two equal.
    """

    def __init__(self, default_tz: str, size: int = _DATE_CACHE):
        self._default_tz = default_tz
        self._size = size
        # (day text, zone name or None, month_first) → (UTC offset in minutes, "yyyy-mm-ddT"
        # of the day, the next day and the day before, clock table), or False: none.
        self._days: dict = {}

    def __call__(self, text: str, tz_name: str | None, month_first: bool) -> str | None:
        day_text, sep, clock = text.partition(" ")
        if not sep:
            day_text, sep, clock = text.partition("T")
        key = (day_text, tz_name, month_first)
        day = self._days.get(key)
        if day is None:
            day = self._read_day(key)
        if not day:
            return None
        offset, prefixes, clocks = day
        if not sep:
            minutes, seconds = 0, _NO_SS  # a day alone: its midnight
        elif len(clock) > 6:
            minutes, seconds = clocks.get(clock[:-3]), _SS.get(clock[-3:])
        else:
            minutes, seconds = clocks.get(clock), _NO_SS
        if minutes is None or seconds is None:
            return None
        # |offset| < 1 day: shift is -1, 0 or 1, and prefixes[-1] is the day before.
        shift, minutes = divmod(minutes - offset, 1440)
        return prefixes[shift] + _HH_MM[minutes] + seconds

    def _read_day(self, key) -> tuple | bool:
        text, tz_name, month_first = key
        found = False
        if match := _FAST_YMD.fullmatch(text):
            year, month, day = map(int, match.groups())
            clocks = _ISO_CLOCK
        elif match := _FAST_DMY.fullmatch(text):
            a, b, year = match.groups()
            a, b, year = int(a), int(b), full_year(year)
            month, day = (a, b) if month_first else (b, a)
            clocks = _DMY_CLOCK
        else:
            year = 0  # another shape: the reference's
        if 1 < year < 9999:
            try:
                found = _steady_offset(date(year, month, day), zone(tz_name or self._default_tz))
            except ValueError:  # 31/02, 00/01, 13/13 …
                pass
            if found:
                found = (*found, clocks)
        if len(self._days) >= self._size:
            self._days.clear()
        self._days[key] = found
        return found


def _steady_offset(day: date, tz) -> tuple | bool:
    """(UTC offset in minutes, ("yyyy-mm-ddT" of `day`, of the next day, of the day
    before)) if `tz` gives every wall time of that local day the same offset, else False.

    Checked at each hour and at 23:59:59, with either fold (_read_date uses fold 0; a
    day with a gap or an overlap, a skipped day too, has the folds disagree). A zone
    would have to change its offset and back within one hour to slip through."""
    offsets = {tz.utcoffset(datetime(day.year, day.month, day.day, *wall, fold=fold))
               for wall in _CHECKED_WALLS for fold in (0, 1)}
    if len(offsets) != 1:
        return False
    minutes, rest = divmod(offsets.pop(), timedelta(minutes=1))
    if rest:
        return False
    prefixes = tuple("%04d-%02d-%02dT" % (d.year, d.month, d.day)
                     for d in (day, day + timedelta(days=1), day - timedelta(days=1)))
    return minutes, prefixes


# Times as spreadsheets and web forms write them beside the date: "10:05", "9:05:12",
# "9:05:12.250", "9:05:12 AM", "9:05 p. m.".
_CLOCK_TEXT = (r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,]\d{1,9})?)?"
               r"(?:\s*(?P<half>[aApP])\.?\s?[mM]\.?)?")
# A zone after the time: "UTC", "CET", "Z", "+0100", "-03:00", "GMT+1".
_ZONE_TEXT = r"(?P<zone>[A-Za-z]{1,5}|(?:GMT|UTC)?[+-]\d{1,2}(?::?\d{2})?)"
# Day-first (or with month_first, month-first) dates, the year in four or two digits.
_DMY = re.compile(rf"(?P<a>\d{{1,2}})[/.-](?P<b>\d{{1,2}})[/.-](?P<year>\d{{4}}|\d{{2}})"
                  rf"(?:[ T]{_CLOCK_TEXT})?(?:\s*{_ZONE_TEXT})?")
# Year first beyond what datetime.fromisoformat reads: "2026/03/09 10:05:12 a. m. CET"
# (Google Forms' downloaded responses), "2026-03-09 9:05 PM".
_YMD = re.compile(rf"(?P<year>\d{{4}})[/.-](?P<b>\d{{1,2}})[/.-](?P<a>\d{{1,2}})"
                  rf"(?:[ T]{_CLOCK_TEXT})?(?:\s*{_ZONE_TEXT})?")
# A month by name, day and year: Notion's and Jotform's "March 1, 2024 10:15 AM" and
# "Mar 1, 2024", "1 March 2024", Spanish "1 de marzo de 2024", "01-mar-2024"; English,
# Spanish, Portuguese and French names and their abbreviations, accents stripped.
_MONTH_NAMES = {
    name: number for number, names in enumerate((
        ("january", "jan", "enero", "ene", "janeiro", "janvier", "janv"),
        ("february", "feb", "febrero", "fevereiro", "fev", "fevrier", "fevr"),
        ("march", "mar", "marzo", "marco", "mars"),
        ("april", "apr", "abril", "abr", "avril", "avr"),
        ("may", "mayo", "maio", "mai"),
        ("june", "jun", "junio", "junho", "juin"),
        ("july", "jul", "julio", "julho", "juillet", "juil"),
        ("august", "aug", "agosto", "ago", "aout"),
        ("september", "sep", "sept", "septiembre", "setiembre", "set", "setembro", "septembre"),
        ("october", "oct", "octubre", "outubro", "out", "octobre"),
        ("november", "nov", "noviembre", "novembro", "novembre"),
        ("december", "dec", "diciembre", "dic", "dezembro", "dez", "decembre"),
    ), 1) for name in names}
_NAMED_MONTH_FIRST = re.compile(rf"(?P<month>[^\W\d_]+)\.? (?P<day>\d{{1,2}})(?:st|nd|rd|th)?,? (?P<year>\d{{4}})"
                                rf"(?:,?(?: at)? {_CLOCK_TEXT})?(?:\s*{_ZONE_TEXT})?")
_NAMED_DAY_FIRST = re.compile(rf"(?P<day>\d{{1,2}})(?: de | |-)(?P<month>[^\W\d_]+)\.?,?(?: de | del | |-)"
                              rf"(?P<year>\d{{4}})(?:,?(?: a las)? {_CLOCK_TEXT})?(?:\s*{_ZONE_TEXT})?")
# Zone abbreviations as exports write them (in minutes east of UTC). Only those that
# mean one thing where leadloop's users are (Spain, Latin America, the United States):
# "IST" (India, Ireland, Israel) is not one of them.
ZONE_ABBREVIATIONS = {
    "Z": 0, "UTC": 0, "GMT": 0, "UT": 0, "WET": 0, "WEST": 60, "BST": 60, "CET": 60,
    "CEST": 120, "EET": 120, "EEST": 180, "EST": -300, "EDT": -240, "CST": -360,
    "CDT": -300, "MST": -420, "MDT": -360, "PST": -480, "PDT": -420, "AKST": -540,
    "AKDT": -480, "HST": -600, "ART": -180, "BRT": -180, "UYT": -180, "CLT": -240,
    "CLST": -180, "PYT": -240, "BOT": -240, "VET": -240, "COT": -300, "PET": -300,
    "ECT": -300,
}
_OFFSET = re.compile(r"(?:GMT|UTC)?([+-])(\d{1,2})(?::?(\d{2}))?")


# Column names that hold a date in some tools and a yes/no in others (make_plan).
_DATE_WHEN_DATES = frozenset({"subscribed", "joined", "signup", "sign_up", "signed_up", "optin", "opt_in",
                              "confirmed"})


def _all_dates(rows: list[list[str]], index: int) -> bool:
    """Whether column `index` holds a date in every row of `rows` that fills it, and one
    row at least does."""
    cells = [row[index].strip().lstrip("'") for row in rows if index < len(row) and row[index].strip()]
    for cell in cells:
        try:
            _read_date(cell, UTC, False)
        except (ValueError, OverflowError):
            try:
                _read_date(cell, UTC, True)
            except (ValueError, OverflowError):
                return False
    return bool(cells)


def month_first_shown(plan: Plan, sample: Callable[[], list[list[str]]] | None) -> str | None:
    """A request date among `sample()`'s rows that only a month-first reading makes a date
    ("5/20/2024": no 20th month), when none of them reads only day-first ("20/5/2024"):
    the file's dates are month-first, as US tools write them (an English Google Form,
    Excel in the US). None otherwise: day-first, as Spanish files write them."""
    columns = [plan.where[field] for field in ("requested_at", "fallback") if field in plan.where]
    if not columns or sample is None:
        return None  # (no date to look at: the first rows are not read)
    shown = None
    for row in sample():
        for index in columns:
            if index >= len(row) or not (match := _DMY.match(row[index].strip().lstrip("'"))):
                continue
            first, second = int(match["a"]), int(match["b"])
            if first > 12 >= second:
                return None  # a day first: the file is day-first, whatever else it holds
            if second > 12 >= first and shown is None:
                shown = row[index].strip().lstrip("'")
    return shown


def full_year(digits: str) -> int:
    """A year as written: two digits are 1930–2029, as Excel and LibreOffice read them."""
    year = int(digits)
    if len(digits) == 2:
        year += 2000 if year < 30 else 1900
    return year


def _read_date(text: str, tz, month_first: bool) -> datetime:
    """The reference reading of a date cell (FastDates reads the common shapes faster and
    gives the same instant): day-first dates, ISO 8601, year-first with slashes; a time
    of day, with AM/PM or not; a trailing zone or offset, else the time is local in `tz`.
    Returns UTC; raises ValueError for anything else."""
    if match := _DMY.fullmatch(text):
        a, b = int(match["a"]), int(match["b"])
        day, month = (b, a) if month_first else (a, b)
        return _instant(full_year(match["year"]), month, day, match, tz)
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        if match := _YMD.fullmatch(text):
            return _instant(int(match["year"]), int(match["b"]), int(match["a"]), match, tz)
        if match := _NAMED_MONTH_FIRST.fullmatch(text) or _NAMED_DAY_FIRST.fullmatch(text):
            month = _MONTH_NAMES.get(unicodedata.normalize("NFKD", match["month"].lower())
                                     .encode("ascii", "ignore").decode())
            if month is not None:
                return _instant(int(match["year"]), month, int(match["day"]), match, tz)
        raise
    if value.tzinfo is None:
        # The instant clock.localize would give (a time in a DST gap moves forward,
        # an ambiguous one takes its first occurrence) without the round trip.
        value = value.replace(tzinfo=tz)
    return value.astimezone(UTC)


def _instant(year: int, month: int, day: int, match: re.Match, tz) -> datetime:
    hour = int(match["hour"] or 0)
    if match["half"]:
        if not 1 <= hour <= 12:
            raise ValueError(f"hour {hour} with AM/PM")
        hour = hour % 12 + (12 if match["half"] in "pP" else 0)
    value = datetime(year, month, day, hour, int(match["minute"] or 0),
                     int(match["second"] or 0))
    if match["zone"]:
        tz = _fixed_zone(match["zone"])
    return value.replace(tzinfo=tz).astimezone(UTC)


def _fixed_zone(text: str):
    minutes = ZONE_ABBREVIATIONS.get(text.upper())
    if minutes is None:
        offset = _OFFSET.fullmatch(text.upper())
        if not offset:
            raise ValueError(f"unknown zone {text}")
        sign, hours, rest = offset.groups()
        minutes = (int(hours) * 60 + int(rest or 0)) * (-1 if sign == "-" else 1)
    return timezone(timedelta(minutes=minutes))
