"""Whose failure is it? (SPEC §6 "Outcomes", issue #23.) Every refusal of the corpus in
tests/fixtures/refusals/ is given by a real aiosmtpd server at the stage the provider
gives it, through `run-daily`: the sender's is charged to no lead, stops the run within
three messages, says so in one sentence, and every information pack goes exactly once
when the server takes mail again; the mailbox's is retried, the address's bounces."""

import json
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from conftest import RecordingHandler, SmtpServer

NOW = "2026-03-02T10:00"
CORPUS = tomllib.loads((Path(__file__).parent / "fixtures" / "refusals" / "refusals.toml")
                       .read_text(encoding="utf-8"))["refusal"]


class RefusingHandler(RecordingHandler):
    """Answers every MAIL, RCPT or DATA (at `stage`) with `reply`, or only `only`'s;
    counts what it was offered (MAIL commands)."""

    def __init__(self):
        super().__init__()
        self.stage, self.reply, self.only = None, None, None
        self.offered = 0

    def _answer(self, stage, recipient=None):
        if self.stage != stage or (self.only and recipient not in self.only):
            return None
        code, rest = self.reply[:3], self.reply[4:]
        if self.reply[3] == "-" and f"\n{code} " not in self.reply:  # Gmail's, its last line left out
            return f"{self.reply}\r\n{code} {rest.split()[0]} gsmtp"
        return self.reply

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.offered += 1
        answer = self._answer("MAIL")
        if answer:  # (after a 421 leadloop closes the connection itself)
            return answer
        return await super().handle_MAIL(server, session, envelope, address, mail_options)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        answer = self._answer("RCPT", address)
        if answer:  # (after a 421 leadloop closes the connection itself)
            return answer
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    async def handle_DATA(self, server, session, envelope):
        recipient = envelope.rcpt_tos[0] if envelope.rcpt_tos else None
        answer = self._answer("DATA", recipient)
        if answer:
            return answer
        return await super().handle_DATA(server, session, envelope)

    def fix(self):
        self.stage = self.reply = self.only = None


@pytest.fixture
def refusing():
    handler = RefusingHandler()
    server = SmtpServer(handler=handler)
    server.controller.start()
    yield server
    server.controller.stop()


def project(tmp_path, server, leads=10, username="", cadence=""):
    (tmp_path / "leadloop.toml").write_text(
        '[sender]\nname = "Laura Vidal"\naddress = "laura@tienda.example"\n\n'
        f"[cadence]\ndaily_limit = 1000\n{cadence}\n"
        f'[smtp]\nhost = "{server.host}"\nport = {server.port}\nsecurity = "none"\n'
        f'username = "{username}"\ntimeout = 5\n', encoding="utf-8")
    rows = "".join(f"lead{n:03d}@d{n}.example,Lead {n},Curso,Web,01/03/2026\n" for n in range(leads))
    (tmp_path / "leads.csv").write_text("email,name,product,source,requested_at\n" + rows,
                                        encoding="utf-8")


def leads_json(run):
    return {lead["email"]: lead for lead in json.loads(run("leads", "--json").stdout)}


def messages(run, address):
    return json.loads(run("show", address, "--json").stdout)["messages"]


SENDER_CASES = [r for r in CORPUS if r["owner"] == "sender"]


@pytest.mark.parametrize("case", SENDER_CASES, ids=[f"{r['source']}-{r['reply'][:24]}" for r in SENDER_CASES])
def test_a_refusal_of_the_sender_charges_no_lead_and_stops_the_run(tmp_path, run, refusing, case):
    project(tmp_path, refusing, leads=5)
    assert run("import", "leads.csv").exit_code == 0
    refusing.handler.stage, refusing.handler.reply = case["stage"], case["reply"]
    result = run("--now", NOW, "run-daily")
    assert result.exit_code == 1, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    # The server's words, what they mean, what to do; and that no lead pays for it.
    assert case["reply"][:3] in lines[0] and "refuses mail from tienda.example" in lines[0]
    assert "no lead was charged" in lines[0] and "Traceback" not in result.stderr
    assert refusing.handler.offered <= 3
    assert refusing.count == 0 or case["stage"] == "DATA"
    leads = leads_json(run)
    assert all(lead["status"] == "active" and lead["contacts"] == 0 for lead in leads.values())
    assert len(json.loads(run("--now", NOW, "due", "--json").stdout)) == 5
    # The server takes mail again: every information pack goes, once.
    refusing.handler.fix()
    refusing.clear()
    again = run("--now", NOW, "run-daily")
    assert again.exit_code == 0, again.stderr
    assert Counter(refusing.recipients()) == Counter({address: 1 for address in leads})
    assert run("--now", NOW, "run-daily").exit_code == 0
    assert refusing.count == 5


def test_the_show_says_whose_problem_it_is(tmp_path, run, refusing):
    from leadloop.timeline import message_moment

    project(tmp_path, refusing, leads=2)
    run("import", "leads.csv")
    refusing.handler.stage = "DATA"
    refusing.handler.reply = "550 5.7.26 This mail is unauthenticated, which poses a security risk"
    assert run("--now", NOW, "run-daily").exit_code == 1
    shown = run("--now", NOW, "show", "lead000@d0.example")
    assert "info pack not sent: sender authentication" in shown.stdout
    [message] = messages(run, "lead000@d0.example")
    assert message["owner"] == "sender" and message["error"].startswith("550 5.7.26 This mail")
    words = message_moment({**message, "kind": "sequence", "failure": "authfailure"}).words
    assert words == ("info pack not sent: sender authentication failed (SPF/DKIM/DMARC), 5.7.26 "
                     "(the sender's problem); will be offered again")


def test_a_failed_check_of_our_own_address_says_what_to_fix(tmp_path, run, refusing):
    """Exim's sender verification at RCPT: "Unrouteable address" names our address,
    and the sentence says which address to make receive mail (issue #25)."""
    project(tmp_path, refusing, leads=2)
    run("import", "leads.csv")
    refusing.handler.stage = "RCPT"
    refusing.handler.reply = ("550-Verification failed for <laura@tienda.example>\r\n"
                              "550-Unrouteable address\r\n550 Sender verify failed")
    result = run("--now", NOW, "run-daily")
    assert result.exit_code == 1
    assert "could not verify the sender address laura@tienda.example" in result.stderr
    assert "make sure laura@tienda.example exists and accepts mail" in result.stderr
    assert {lead["status"] for lead in leads_json(run).values()} == {"active"}


def test_three_refusals_alike_whatever_their_words_stop_the_run(tmp_path, run, refusing):
    """No telling words (a bare 554): three leads refused alike means the problem is ours."""
    project(tmp_path, refusing, leads=10)
    run("import", "leads.csv")
    refusing.handler.stage, refusing.handler.reply = "RCPT", "554 Transaction failed"
    result = run("--now", NOW, "run-daily")
    assert result.exit_code == 1
    assert refusing.handler.offered == 3
    assert "3 leads in a row alike (554 Transaction failed)" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert all(lead["contacts"] == 0 and lead["status"] == "active" for lead in leads_json(run).values())
    assert all(m["state"] == "deferred" and m["attempts"] == 0
               for n in range(3) for m in messages(run, f"lead{n:03d}@d{n}.example"))
    refusing.handler.fix()
    assert run("--now", NOW, "run-daily").exit_code == 0
    assert sorted(Counter(refusing.recipients()).values()) == [1] * 10


def test_two_refusals_alike_then_a_delivery_are_the_leads_own(tmp_path, run, refusing):
    project(tmp_path, refusing, leads=4)
    run("import", "leads.csv")
    refusing.handler.stage, refusing.handler.reply = "RCPT", "554 Transaction failed"
    refusing.handler.only = {"lead000@d0.example", "lead001@d1.example"}
    result = run("--now", NOW, "run-daily")
    assert result.exit_code == 0, result.stderr
    assert sorted(refusing.recipients()) == ["lead002@d2.example", "lead003@d3.example"]
    assert [m["owner"] for m in messages(run, "lead000@d0.example")] == ["mailbox"]


def test_one_full_mailbox_among_ten(tmp_path, run, refusing):
    project(tmp_path, refusing, leads=10)
    run("import", "leads.csv")
    full = "lead004@d4.example"
    refusing.handler.stage, refusing.handler.only = "RCPT", {full}
    refusing.handler.reply = "552 5.2.2 The email account that you tried to reach is over quota. - gsmtp"
    result = run("--now", NOW, "run-daily")
    assert result.exit_code == 0, result.stderr
    assert "1 retried later" in result.stdout
    assert len(refusing.recipients()) == 9 and full not in refusing.recipients()
    assert leads_json(run)[full]["status"] == "active"
    refusing.handler.fix()
    assert run("--now", NOW, "run-daily").exit_code == 0
    assert full not in refusing.recipients(), "the retry waits for its backoff"
    later = run("--now", "2026-03-02T11:00", "run-daily")
    assert later.exit_code == 0
    assert Counter(refusing.recipients())[full] == 1 and refusing.count == 10
    # Follow-ups count from the information pack that arrived.
    shown = json.loads(run("--now", "2026-03-02T11:00", "show", full, "--json").stdout)
    assert shown["messages"][0]["state"] == "sent"
    assert shown["messages"][0]["sent_at"].startswith("2026-03-02T11:00")


def test_a_full_mailbox_is_retried_for_at_least_five_days(tmp_path, run, refusing):
    # Every retry at the moment `due` gives, even outside the send window: the request
    # counts as recent throughout (info_anytime_within), so the window never holds it.
    project(tmp_path, refusing, leads=1, cadence='info_anytime_within = "1 year"\n')
    run("import", "leads.csv")
    refusing.handler.stage, refusing.handler.reply = "RCPT", "552 5.2.2 Mailbox full"
    now, first, runs = NOW, None, 0
    while True:
        result = run("--now", now, "run-daily")
        runs += 1
        message = messages(run, "lead000@d0.example")[0]
        first = first or message["attempted_at"]
        if message["state"] != "deferred":
            assert result.exit_code == 1 and "gave up after" in result.stderr  # sends failed
            break
        assert result.exit_code == 0, result.stderr
        assert runs < 20
        now = json.loads(run("--now", now, "due", "--all", "--json").stdout)[0]["due_at"]
    from datetime import datetime
    waited = datetime.fromisoformat(message["attempted_at"]) - datetime.fromisoformat(first)
    assert message["state"] == "failed" and waited.days >= 5
    assert leads_json(run)["lead000@d0.example"]["status"] == "active"


def test_postfix_asking_for_a_login_names_the_setting(tmp_path, run, refusing):
    """#28 item 7: `530 5.7.0 Authentication required` at MAIL FROM with no username."""
    project(tmp_path, refusing, leads=2)
    run("import", "leads.csv")
    refusing.handler.stage, refusing.handler.reply = "MAIL", "530 5.7.0 Authentication required"
    result = run("--now", NOW, "send", "--yes")
    assert result.exit_code == 1
    assert "requires a login" in result.stderr and "set [smtp] username" in result.stderr
    assert "STARTTLS" not in result.stderr


@pytest.mark.parametrize("case", [r for r in CORPUS if r["owner"] != "sender"],
                         ids=[f"{r['source']}-{r['reply'][:24]}" for r in CORPUS if r["owner"] != "sender"])
def test_the_leads_own_refusals_are_charged_to_that_lead_alone(tmp_path, run, refusing, case):
    project(tmp_path, refusing, leads=3)
    run("import", "leads.csv")
    refused = "lead001@d1.example"
    refusing.handler.stage, refusing.handler.reply, refusing.handler.only = (
        case["stage"], case["reply"], {refused})
    result = run("--now", NOW, "run-daily")
    assert result.exit_code == 0, result.stderr
    assert sorted(refusing.recipients()) == ["lead000@d0.example", "lead002@d2.example"]
    [message] = messages(run, refused)
    assert message["owner"] == case["owner"]
    expected = {"address": ("bounced", "bounced"), "mailbox": ("deferred", "active")}[case["owner"]]
    assert (message["state"], leads_json(run)[refused]["status"]) == expected


def test_the_summary_says_how_many_wait_because_of_the_sender(tmp_path, run, refusing):
    project(tmp_path, refusing, leads=5)
    run("import", "leads.csv")
    refusing.handler.stage, refusing.handler.only = "RCPT", {"lead002@d2.example"}
    refusing.handler.reply = "554 5.7.1 <lead002@d2.example>: Relay access denied"
    result = run("--now", NOW, "run-daily")
    assert result.exit_code == 1
    assert "send: 2 sent, 0 retried later, 0 bounced, 0 unknown, 0 failed, 3 wait because of the sender" \
        in result.stdout
    assert "Relay access denied" in result.stderr and "[smtp] username" in result.stderr
    stats = json.loads(run("stats", "--json").stdout)
    assert stats["failures_by_owner"] == {"address": 0, "mailbox": 0, "sender": 1}
    assert "failures by owner: 0 the address (bounced), 0 the lead's mailbox (retried), 1 the sender" \
        in run("stats").stdout


def test_the_sentence_names_the_provider_by_its_submission_host():
    from leadloop.delivery_status import judge
    from leadloop.refusals import sender_sentence

    reply = "550-5.7.26 This mail is unauthenticated, which poses a security risk"
    verdict = judge(None, reply, command="DATA")
    assert sender_sentence(verdict, reply, sender="laura@tienda.example", server="smtp.gmail.com:587") == (
        "Gmail refuses mail from tienda.example as not authenticated by SPF, DKIM or DMARC (550-5.7.26 This "
        "mail is unauthenticated, which poses a security risk): publish SPF and DKIM records for "
        "tienda.example (leadloop check --dns shows which)")


def test_dead_addresses_in_a_row_on_one_domain_are_each_their_leads(tmp_path, run, refusing):
    """Three dead Gmail addresses in a row are plausible: on one domain, refusals of the
    address alike do not make the sender's problem; across domains they would."""
    project(tmp_path, refusing, leads=5)
    rows = "".join(f"dead{n}@gmail.example,Dead {n},Curso,Web,01/03/2026\n" for n in range(3))
    (tmp_path / "dead.csv").write_text("email,name,product,source,requested_at\n" + rows, encoding="utf-8")
    run("import", "dead.csv")
    run("import", "leads.csv")
    refusing.handler.stage = "RCPT"
    refusing.handler.only = {f"dead{n}@gmail.example" for n in range(3)}
    refusing.handler.reply = "550 5.1.1 The email account that you tried to reach does not exist. - gsmtp"
    result = run("--now", NOW, "run-daily")
    assert result.exit_code == 0, result.stderr
    assert "5 sent, 0 retried later, 3 bounced" in result.stdout
    leads = leads_json(run)
    assert [leads[f"dead{n}@gmail.example"]["status"] for n in range(3)] == ["bounced"] * 3


def test_a_server_that_closes_the_connection_again_at_mail_stops_the_run(tmp_path, run, refusing):
    """A 421 is "try again": leadloop reconnects once. Closed again at MAIL, before any
    recipient is named, the server we send through takes no mail at all (OpenSMTPD's
    "421 4.3.0 Temporary Error" when its queue cannot be written): the run stops,
    nothing went, no lead is charged, and everything goes once the server is well."""
    project(tmp_path, refusing, leads=3)
    run("import", "leads.csv")
    refusing.handler.stage, refusing.handler.reply = "MAIL", "421 4.3.0 Temporary Error"
    result = run("--now", NOW, "run-daily")
    assert result.exit_code == 1, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "closed the connection twice when asked to take a message (421 4.3.0 Temporary Error)" in lines[0]
    assert refusing.handler.offered == 2 and refusing.count == 0
    assert all(lead["status"] == "active" and lead["contacts"] == 0 for lead in leads_json(run).values())
    assert len(json.loads(run("--now", NOW, "due", "--json").stdout)) == 3
    refusing.handler.fix()
    assert run("--now", NOW, "run-daily").exit_code == 0
    assert Counter(refusing.recipients()) == Counter({address: 1 for address in leads_json(run)})


DAY_2, DAY_3 = "2026-03-03T10:00", "2026-03-04T10:00"


def test_a_refusal_of_one_recipient_alone_stops_no_other_lead_for_long(tmp_path, run, refusing):
    """SPEC §6, "one lead never stops the others": a relay's policy on one lead's domain
    ("Delivery to disposable address domains is not allowed", an OpenSMTPD admin's filter)
    reads as the sender's and stops the first run. The next run offers that message
    after the others; the server takes them and refuses it again alike: it is that
    lead's failure, and the runs after it are free."""
    project(tmp_path, refusing, leads=4)
    run("import", "leads.csv")
    refused = "lead001@d1.example"
    refusing.handler.stage, refusing.handler.only = "RCPT", {refused}
    refusing.handler.reply = "550 5.7.1 Delivery to disposable address domains is not allowed"
    first = run("--now", NOW, "run-daily")
    assert first.exit_code == 1 and "3 wait because of the sender" in first.stdout
    second = run("--now", DAY_2, "run-daily")
    assert "2 sent" in second.stdout and "1 failed" in second.stdout, second.stdout
    assert f"{refused}: 550 5.7.1 Delivery to disposable" in second.stderr
    assert sorted(refusing.recipients()) == ["lead000@d0.example", "lead002@d2.example", "lead003@d3.example"]
    [message] = messages(run, refused)
    assert (message["state"], message["owner"]) == ("failed", "mailbox")
    assert leads_json(run)[refused]["status"] == "active"
    third = run("--now", DAY_3, "run-daily")
    assert third.exit_code == 0 and refusing.handler.offered == 5


@pytest.mark.parametrize("reply", [
    "550 5.7.1 Service unavailable; Client host [192.0.2.25] blocked using zen.spamhaus.org",
    "550 5.7.1 Daily sending quota exceeded",
    "451 4.7.1 <lead001@d1.example>: Recipient address rejected: Try again later",
], ids=["everyone", "a-limit", "temporary"])
def test_a_refusal_of_the_sender_stays_the_senders_the_next_day(tmp_path, run, refusing, reply):
    """Refused for everyone (nothing goes the next day either), for a limit the last
    messages of any run meet, or for now: never charged to the lead, however often."""
    project(tmp_path, refusing, leads=3)
    run("import", "leads.csv")
    refusing.handler.stage, refusing.handler.reply = "RCPT", reply
    if reply.startswith("550 5.7.1 Daily") or reply.startswith("451"):
        refusing.handler.only = {"lead001@d1.example"}
    for now in (NOW, DAY_2, DAY_3):
        result = run("--now", now, "run-daily")
        assert result.exit_code == 1 and "wait because of the sender" in result.stdout, result.stdout
        assert "failed" not in result.stderr
    leads = leads_json(run)
    assert all(lead["status"] == "active" for lead in leads.values())
    kept = [m for address in leads for m in messages(run, address) if m["state"] != "sent"]
    assert kept and {(m["state"], m["owner"]) for m in kept} == {("deferred", "sender")}
