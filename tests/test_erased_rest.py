"""What erasure still took from stats (SPEC §8, §9, §10): forgetting a bounced or
unsubscribed lead lowered the bounce and unsubscribe rates, forgetting a lead whose
message the provider refused because of the sender lowered the blocked rate, and erasing
a referred lead while its referrer stays dropped the referral. Every figure of
`stats --json` but the counts of statuses and erased leads is the same before and after
`forget` and the give-up sweep; `show` of the referrer still lists whom it referred.
Through the CLI, on real SQLite files and a real Maildir."""

import json
from datetime import datetime

from test_erased_funnel import stats, sweep
from test_inbox import Maildir, mail, report

# Ana sends Bea (who buys) and Fran; Carl's address is dead, Dora asks to stop, Eva's
# provider refuses our mail as spam, Fran never answers.
LEADS = ("email,name,product,requested_at,referred_by\n"
         "ana@example.com,Ana Ros,Curso de yoga,2026-03-02 10:00,\n"
         "bea@example.com,Bea Gil,Curso de yoga,2026-03-02 10:00,ana@example.com\n"
         "carl@example.net,Carl Díaz,Curso de yoga,2026-03-02 10:00,\n"
         "dora@example.org,Dora Sanz,Curso de yoga,2026-03-02 10:00,\n"
         "eva@example.org,Eva Mora,Curso de yoga,2026-03-02 10:00,\n"
         "fran@example.com,Fran Luna,Curso de yoga,2026-03-02 10:00,ana@example.com\n")
SENT = "2026-03-02T10:00"
READ = "2026-03-04T10:00"
# The counts of statuses now, which erasure moves by definition (SPEC §2).
ERASURE_COUNTS = ("leads_by_status", "erased")


def figures(document: dict) -> dict:
    """Every figure of `stats --json` but the counts of statuses and erased leads: the
    warnings too, which follow the rates."""
    kept = {key: value for key, value in document.items() if key not in ERASURE_COUNTS}
    kept["funnel"] = {key: value for key, value in document["funnel"].items() if key != "erased"}
    return kept


def sent_id(run, email: str) -> str:
    shown = json.loads(run("show", email, "--json").stdout)
    return next(m["message_id"] for m in shown["messages"] if m["step"] == 0)


def history(run, tmp_path) -> Maildir:
    (tmp_path / "leadloop.toml").write_text(
        '[sender]\nname = "Laura Vidal"\naddress = "laura@lauravidal.es"\n\n'
        '[inbox]\nmaildir = "mail"\n', encoding="utf-8")
    box = Maildir(tmp_path / "mail")
    (tmp_path / "leads.csv").write_text(LEADS, encoding="utf-8")
    assert run("--now", SENT, "import", "leads.csv").exit_code == 0
    assert run("--now", SENT, "run-daily", "--quiet").exit_code == 0
    box.deliver(report("carl@example.net", "5.1.1", "550 5.1.1 user unknown", sent_id(run, "carl@example.net")))
    box.deliver(mail("dora@example.org", "Baja", "Gracias."))
    box.deliver(report("eva@example.org", "5.7.1", "550 5.7.1 Message rejected as spam",
                       sent_id(run, "eva@example.org")))
    read = run("--now", READ, "inbox", "--json")
    assert read.exit_code == 0, read.stderr
    assert run("--now", READ, "mark", "ana@example.com", "replied").exit_code == 0
    assert run("--now", READ, "mark", "bea@example.com", "customer").exit_code == 0
    return box


def forget(run, now, *emails):
    for email in emails:
        result = run("--now", now, "forget", email)
        assert result.exit_code == 0, result.stderr


def referred(run, email: str) -> list[tuple]:
    shown = json.loads(run("show", email, "--json").stdout)
    return [(r["email"], r["name"], r["status"]) for r in shown["referred"]]


def test_forgetting_bounced_unsubscribed_blocked_and_referred_leads_keeps_every_figure(run, tmp_path):
    history(run, tmp_path)
    before = stats(run, READ)
    # Eva's message, refused because of the sender, is due again: she is not yet mailed.
    assert (before["mailed"], before["bounced"], before["unsubscribed"], before["blocked"]) == (5, 1, 1, 1)
    assert before["bounce_rate"] == before["unsubscribe_rate"] == 0.2
    assert before["blocked_rate"] == round(1 / 6, 4)
    assert before["failures_by_owner"] == {"address": 1, "mailbox": 0, "sender": 1}
    assert before["referrals"] == [{"referrer": "ana@example.com", "referred": 2, "customers": 1}]
    assert any("bounce rate (20.0%) is over 2%" in w for w in before["warnings"])

    forget(run, READ, "carl@example.net", "dora@example.org", "eva@example.org", "bea@example.com")
    after = stats(run, READ)
    assert figures(after) == figures(before)
    assert after["erased"] == 4 and after["leads_by_status"]["bounced"] == 0
    # Bea is kept as Ana's referral by the two row ids: named by nobody.
    assert "bea@" not in json.dumps(after) and "Bea" not in json.dumps(after)
    assert referred(run, "ana@example.com") == [(None, None, "erased"), ("fran@example.com", "Fran Luna", "active")]
    # On a terminal too: the counts beside the rates are the ones the rates are of.
    lines = run("--now", READ, "stats").stdout
    assert "addresses that bounced: 1 (20.0%)" in lines and "unsubscribed: 1 (20.0%)" in lines
    assert "refused by providers as spam or by policy (5.7.x): 1 (16.7%)" in lines
    assert "ana@example.com" in lines
    shown = run("show", "ana@example.com").stdout
    assert "(erased)" in shown and "Bea" not in shown

    # Only a link between two leads is kept: an address that never asked, in the erased
    # person's row, is that person's data and goes with the rest.
    (tmp_path / "more.csv").write_text(
        "email,name,requested_at,referred_by\ngil@example.com,Gil,2026-03-02 10:00,zoe@example.com\n",
        encoding="utf-8")
    assert run("--now", READ, "import", "more.csv").exit_code == 0
    assert {"referrer": "zoe@example.com", "referred": 1, "customers": 0} in stats(run, READ)["referrals"]
    forget(run, READ, "gil@example.com")
    assert "zoe@" not in json.dumps(stats(run, READ)) and "zoe@" not in run("export").stdout


def test_the_give_up_sweep_erasing_a_referred_lead_keeps_its_referrer_s_count(run, tmp_path):
    """Fran, whom Ana sent, gets the whole sequence and is erased when given up; the run
    that erases him changes only the erased counts, and Ana, who stays, still has him."""
    history(run, tmp_path)
    forget(run, READ, "eva@example.org")  # her message would be offered again
    before, after, stamp = sweep(run, datetime(2026, 3, 4, 10, 0))
    assert figures(after) == figures(before)
    assert after["leads_by_status"]["erased"] == 2 and after["leads_by_status"]["active"] == 0
    assert after["referrals"] == [{"referrer": "ana@example.com", "referred": 2, "customers": 1}]
    assert (after["bounced"], after["unsubscribed"]) == (1, 1)
    assert referred(run, "ana@example.com") == [("bea@example.com", "Bea Gil", "customer"), (None, None, "erased")]
    # Then Ana is forgotten too: her referrals stay hers, unnamed, as when she goes first.
    before = stats(run, stamp)
    forget(run, stamp, "ana@example.com")
    after = stats(run, stamp)
    assert after["referrals"] == [{"referrer": None, "referred": 2, "customers": 1}]
    before["referrals"][0]["referrer"] = None
    assert figures(after) == figures(before)

