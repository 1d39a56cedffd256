"""Marketing opt-outs written in an export (issue #25 item 11): those rows are imported
as `unsubscribed`, suppressed, never mailed, and the summary counts them."""

import json

import pytest

NOW = "2026-06-01T12:00"


def run_import(tmp_path, run, name, text):
    (tmp_path / name).write_text(text, encoding="utf-8")
    result = run("--now", NOW, "import", name, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def statuses(run):
    return {lead["email"]: lead["status"] for lead in json.loads(run("leads", "--json").stdout)}


def due(run):
    return {item["email"] for item in json.loads(run("--now", NOW, "due", "--json").stdout)}


@pytest.mark.parametrize("column, out, stays", [
    ("Accepts Email Marketing", "no", "yes"),
    ("Accepts Marketing", "No", ""),
    ("Unsubscribed from all email", "true", "false"),
    ("HasOptedOutOfEmail", "1", "0"),
    ("Email Opt Out", "true", ""),
    ("BLACKLISTED", "Yes", "No"),
    ("Blocklisted", "sí", ""),
    ("UNSUB_TIME", "2026-04-02 08:15:00", ""),
    ("CLEAN_TIME", "2026-04-02 08:15:00", ""),
    # Consent written the other way round (Ghost, Shopify's orders, PrestaShop).
    ("subscribed_to_emails", "false", "true"),
    ("Buyer Accepts Marketing", "no", "yes"),
    ("Newsletter (0/1)", "0", "1"),
    ("boletin", "false", "true"),
    # A mailing service's subscriber status (beehiiv, Keila, listmonk).
    ("status", "inactive", "active"),
    ("Status", "unsubscribed", ""),
    ("status", "blocklisted", "enabled"),
])
def test_an_opt_out_column_unsubscribes_its_rows(tmp_path, run, column, out, stays):
    report = run_import(tmp_path, run, "f.csv", f"email,{column}\nana@example.com,{out}\n"
                                                f"bea@example.com,{stays}\n")
    assert (report["new"], report["opted_out"]) == (2, 1)
    assert statuses(run) == {"ana@example.com": "unsubscribed", "bea@example.com": "active"}
    assert due(run) == {"bea@example.com"}


def test_mailchimps_unsubscribed_export_is_known_by_its_name(tmp_path, run):
    report = run_import(tmp_path, run, "unsubscribed_members_export_1a2b3c.csv",
                        "Email Address,First Name\nana@example.com,Ana\nbea@example.com,Bea\n")
    assert report["opted_out"] == 2
    assert set(statuses(run).values()) == {"unsubscribed"} and due(run) == set()


def test_a_known_lead_that_opted_out_is_unsubscribed_and_stays_so(tmp_path, run):
    assert run("--now", NOW, "add", "ana@example.com").exit_code == 0
    assert run("--now", NOW, "add", "cli@example.com").exit_code == 0
    assert run("--now", NOW, "mark", "cli@example.com", "customer").exit_code == 0
    text = "email,Accepts Email Marketing\nana@example.com,no\ncli@example.com,no\n"
    report = run_import(tmp_path, run, "shop.csv", text)
    assert report["opted_out"] == 2
    assert statuses(run) == {"ana@example.com": "unsubscribed", "cli@example.com": "customer"}
    show = run("--now", NOW, "show", "ana@example.com").stdout
    assert "unsubscribed (opted out of marketing mail in the file)" in show
    # The customer keeps its status, and its address is suppressed: never mailed.
    assert due(run) == set()
    again = run_import(tmp_path, run, "shop.csv", text)
    assert again["opted_out"] == 0 and again["suppressed"] == 1
    # A suppressed address does not come back with a later inquiry either.
    assert run("--now", NOW, "add", "ana@example.com", "--requested-at", NOW).exit_code == 0
    assert statuses(run)["ana@example.com"] == "unsubscribed"


def test_the_summary_line_counts_them(tmp_path, run):
    (tmp_path / "f.csv").write_text("email,Accepts Email Marketing\nana@example.com,no\n",
                                    encoding="utf-8")
    result = run("--now", NOW, "import", "f.csv")
    assert result.stdout.strip().splitlines()[-1] == (
        "1 new, 0 updated, 0 unchanged, 0 suppressed, 0 rejected; 1 opted out of marketing "
        "mail in the file: unsubscribed, never mailed")


def test_a_crms_lead_status_is_no_opt_out(tmp_path, run):
    report = run_import(tmp_path, run, "crm.csv", "email,Status\nana@example.com,Lost\nbea@example.com,New\n")
    assert (report["new"], report["opted_out"]) == (2, 0)
