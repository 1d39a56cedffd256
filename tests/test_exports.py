"""The exports people really have import as they are (SPEC §5): no --map, no --encoding.

tests/fixtures/exports/ holds one file per tool, in that tool's own layout (encoding,
BOM, delimiter, quoting, line ends, column names, date format), with invented people;
its README says where each layout comes from.
"""

import json
import shutil
from pathlib import Path

import pytest

EXPORTS = Path(__file__).parent / "fixtures" / "exports"
NOW = "2026-06-01T12:00"
IMPORT_TIME = "2026-06-01T12:00:00+02:00"
JOSE = ("jose.munoz@example.com", "José Muñoz Peña")
MARIA = ("maria.ibanez@example.org", "María Ibáñez")
TO_THE_SECOND = ("2026-03-09T10:05:12+01:00", "2026-03-10T18:40:03+01:00")
TO_THE_MINUTE = ("2026-03-09T10:05:00+01:00", "2026-03-10T18:40:00+01:00")
UNDATED = (IMPORT_TIME, IMPORT_TIME)
BY_DAY = ("2026-03-09T00:00:00+01:00", "2026-03-10T00:00:00+01:00")  # a vCard's REV


@pytest.fixture(autouse=True, params=["read-in-process", "read-in-a-child"])
def reader(request, monkeypatch):
    """Each test twice: read in the importing process, and in a forked child (forked.py)."""
    from leadloop import importer

    if request.param == "read-in-a-child":
        monkeypatch.setattr(importer, "PARALLEL_FROM_BYTES", 0)
    return request.param

# file, options, the request dates of José and María, the column read as the date
CORPUS = [
    ("google-forms-es-sheet.csv", [], TO_THE_SECOND, "Marca temporal"),
    ("google-forms-en-sheet.csv", ["--month-first"], TO_THE_SECOND, "Timestamp"),
    ("google-forms-es-download.csv", [], TO_THE_SECOND, "Marca temporal"),
    ("google-forms-en-download.csv", [], TO_THE_SECOND, "Timestamp"),
    ("meta-lead-ads.csv", [], TO_THE_SECOND, "created_time"),
    ("mailchimp-subscribed.csv", [], TO_THE_SECOND, "OPTIN_TIME"),
    ("hubspot-contacts.csv", [], TO_THE_MINUTE, "Create Date"),
    ("shopify-customers.csv", [], UNDATED, None),
    ("woocommerce-customers.csv", [], TO_THE_SECOND, "Sign Up"),
    ("typeform-responses.csv", [], TO_THE_SECOND, "Submit Date (UTC)"),
    ("google-contacts.csv", [], UNDATED, None),
    ("google-contacts-legacy.csv", [], UNDATED, None),
    ("outlook-contacts.csv", [], UNDATED, None),
    ("outlook-contacts-de.csv", [], UNDATED, None),
    ("outlook-contacts-fr.csv", [], UNDATED, None),
    ("brevo-contacts.csv", [], TO_THE_SECOND, "ADDED_TIME"),
    ("brevo-contacts-en.csv", [], TO_THE_SECOND, "ADDED_TIME"),
    ("excel-es-windows.csv", [], TO_THE_MINUTE, "Fecha de solicitud"),
    ("excel-unicode-text.txt", [], TO_THE_MINUTE, "Fecha"),
    ("libreoffice-es.csv", [], TO_THE_MINUTE, "Fecha"),
    ("salesforce-leads.csv", [], TO_THE_SECOND, "CreatedDate"),
    ("zoho-books-contacts.csv", [], TO_THE_SECOND, "Created Time"),
    ("pipedrive-people.csv", [], TO_THE_SECOND, "Person created"),
    ("mailchimp-unsubscribed.csv", [], TO_THE_SECOND, "OPTIN_TIME"),
    ("mailchimp-cleaned.csv", [], TO_THE_SECOND, "OPTIN_TIME"),
    ("hubspot-contacts-unsubscribed.csv", [], TO_THE_MINUTE, "Create Date"),
    ("brevo-contacts-blocklisted.csv", [], TO_THE_SECOND, "ADDED_TIME"),
    ("outlook-2.1.vcf", [], BY_DAY, "REV"),
    ("iphone-3.0.vcf", [], BY_DAY, "REV"),
    ("rfc6350-4.0.vcf", [], BY_DAY, "REV"),
    ("outlook-2003-2.1.vcf", [], BY_DAY, "REV"),
    ("ios5-3.0.vcf", [], UNDATED, None),
    ("lotus-notes-3.0.vcf", [], BY_DAY, "REV"),
    ("android-2.1.vcf", [], UNDATED, None),
    ("wave-customers.csv", [], UNDATED, None),
    ("invoice-ninja-contacts.csv", [], UNDATED, None),
    ("linkedin-connections.csv", [], UNDATED, None),
    ("report-with-title.xlsx", [], TO_THE_SECOND, "Fecha"),
    ("sheet.csv", [], TO_THE_SECOND, "Marca temporal"),
    ("sheet.xlsx", [], TO_THE_SECOND, "Marca temporal"),
    ("sheet.xlsm", [], TO_THE_SECOND, "Marca temporal"),
    ("sheet.ods", [], TO_THE_SECOND, "Marca temporal"),
    ("sheet.xls", [], TO_THE_SECOND, "Marca temporal"),
]


# Files whose header row comes after a preamble: the lines above it.
SKIPPED = {"invoice-ninja-contacts.csv": 3, "linkedin-connections.csv": 3,
           "report-with-title.xlsx": 2}
# Files that say someone opted out of marketing mail: how many.
OPTED_OUT = {"shopify-customers.csv": 1, "mailchimp-unsubscribed.csv": 2,
             "mailchimp-cleaned.csv": 2, "hubspot-contacts-unsubscribed.csv": 1,
             "brevo-contacts-blocklisted.csv": 1}


WINDOWS_1252 = {"excel-es-windows.csv", "outlook-2003-2.1.vcf", "outlook-contacts-de.csv",
                "outlook-contacts-fr.csv", "outlook-contacts.csv"}


def leads(run):
    return {lead["email"]: lead for lead in json.loads(run("leads", "--json").stdout)}


@pytest.mark.parametrize("name, options, dates, column", CORPUS, ids=[c[0] for c in CORPUS])
def test_every_export_imports_as_it_is(tmp_path, run, name, options, dates, column):
    shutil.copy(EXPORTS / name, tmp_path / name)
    result = run("--now", NOW, "import", name, *options, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "new": 2, "updated": 0, "unchanged": 0, "suppressed": 0, "rejected": 0,
        "requested_at_column": column, "info_recorded": 0, "skipped_lines": SKIPPED.get(name, 0),
        "opted_out": OPTED_OUT.get(name, 0), "dates_month_first": False,
        # Files in Windows' code page (the rest are Unicode) say which they were read in.
        "code_page": "cp1252" if name in WINDOWS_1252 else None,
        # Asked in March, imported in June: over 30 days old, and said so (issue #20),
        # unless they opted out and get nothing.
        "stale_info": 0 if dates is UNDATED else 2 - OPTED_OUT.get(name, 0)}
    stored = leads(run)
    assert {email: (stored[email]["name"], stored[email]["requested_at"])
            for email in stored} == {JOSE[0]: (JOSE[1], dates[0]), MARIA[0]: (MARIA[1], dates[1])}


def test_the_corpus_has_at_least_fifteen_formats():
    tools = {name.split("-")[0] if not name.startswith("sheet") else name for name, *_ in CORPUS}
    assert len(CORPUS) >= 15 and len(tools) >= 15


def test_workbooks_import_the_same_leads_as_their_csv(tmp_path, run, monkeypatch):
    results = {}
    for name in ("sheet.csv", "sheet.xlsx", "sheet.ods", "sheet.xls"):
        monkeypatch.setenv("LEADLOOP_DB", str(tmp_path / f"{name}.db"))
        shutil.copy(EXPORTS / name, tmp_path / name)
        assert run("--now", NOW, "import", name).exit_code == 0
        results[name] = {email: {k: v for k, v in lead.items() if k not in ("id", "next_due_at")}
                         for email, lead in leads(run).items()}
    assert results["sheet.xlsx"] == results["sheet.csv"]
    assert results["sheet.ods"] == results["sheet.csv"]
    assert results["sheet.xls"] == results["sheet.csv"]
    assert results["sheet.csv"][JOSE[0]]["product"] == "Fotografía"


def test_the_summary_says_when_the_import_time_dates_the_leads(tmp_path, run):
    shutil.copy(EXPORTS / "shopify-customers.csv", tmp_path / "s.csv")
    result = run("--now", NOW, "import", "s.csv")
    assert result.stdout.splitlines() == [
        "no request-date column: the leads are dated at the import time",
        "2 new, 0 updated, 0 unchanged, 0 suppressed, 0 rejected; 1 opted out of "
        "marketing mail in the file: unsubscribed, never mailed"]
    stored = leads(run)
    # María's "Accepts Email Marketing" is "no" (issue #25 item 11).
    assert (stored[JOSE[0]]["status"], stored[MARIA[0]]["status"]) == ("active", "unsubscribed")
    # The ' Shopify writes before numbers to keep them as text is not part of them.
    assert stored[JOSE[0]]["fields"]["customer_id"] == "7210448301122"
    assert stored[JOSE[0]]["fields"]["default_address_zip"] == "28013"


def test_mailchimp_takes_the_confirmation_time_when_the_opt_in_time_is_empty(tmp_path, run):
    shutil.copy(EXPORTS / "mailchimp-subscribed.csv", tmp_path / "m.csv")
    assert run("--now", NOW, "import", "m.csv").exit_code == 0
    maria = leads(run)[MARIA[0]]
    assert maria["requested_at"] == "2026-03-10T18:40:03+01:00"
