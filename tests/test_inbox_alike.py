"""Reports of many leads failing alike are the sender's problem (SPEC §6 "Outcomes": no
lead may pay for the sender's problem; runner.py's three-alike rule, for the inbox).

When the server leadloop sends through loses its resolver, its way out or its TLS
settings after it accepted the mail, every lead's report reads as that lead's own
trouble: "Host or domain name not found … try again" for each lead's domain, until the
relay gives up. Charged to the leads, three such runs would make them all undeliverable.
The inbox holds such reports back until the reading has seen them all; when
ALIKE_FAILURES leads at as many domains failed in the same words (each lead's names and
the relay's counts masked) and they are at least half of what was sent at that time, no
lead is charged: the messages are offered again and one sentence says whose trouble it
is. Three leads whose own servers are broken among many delivered stay charged, and so
does one company's server down for its three leads.

Reports in Postfix's bounce(8) layout; hosts and addresses are made up."""

from __future__ import annotations

import json

import pytest

from leadloop.alike import ALIKE_FAILURES, Failed, refusal_key, report_key, sender_groups
from test_inbox import Maildir

US = "laura@lauravidal.es"
SENT_AT = "2026-03-02T10:00"
READ_AT = "2026-03-07T10:00"
RESOLVER_DOWN = ("4.4.3", "Host or domain name not found. Name service error for name={domain} type=MX: "
                          "Host not found, try again")
NO_WAY_OUT = ("4.4.1", "connect to mx.{domain}[192.0.2.{n}]:25: Connection timed out")
DOMAINS = ("floristeria-lirio.es", "clinica-lago.es", "asesoria-delta.es", "papeleria-bucle.es",
           "academia-idiomas.es", "bodega-sur.es", "hotel-pausa.es", "surf-ola.es", "taller-luz.es",
           "vinoteca-roble.es")


def postfix_report(address: str, status: str, words: str, number: int, action: str = "failed") -> bytes:
    """Postfix's bounce(8) report of one recipient, as our relay writes it."""
    domain = address.rpartition("@")[2]
    words = words.format(domain=domain, n=number)
    heading = ("I'm sorry to have to inform you that your message could not\n"
               "be delivered to one or more recipients. It's attached below.")
    if action == "delayed":
        heading = ("####################################################################\n"
                   "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n"
                   "####################################################################")
    return f"""Return-Path: <>
From: MAILER-DAEMON@relay.lauravidal.es (Mail Delivery System)
To: {US}
Subject: {"Delayed Mail (still being retried)" if action == "delayed" else "Undelivered Mail Returned to Sender"}
Auto-Submitted: auto-replied
Message-Id: <2026030710{number:04d}.AB{number}@relay.lauravidal.es>
Date: Sat, 07 Mar 2026 09:{number % 60:02d}:00 +0100
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="PF"

--PF
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host relay.lauravidal.es.

{heading}

                   The mail system

<{address}>: {words}

--PF
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; relay.lauravidal.es
X-Postfix-Queue-ID: 4F{number:05X}
Arrival-Date: Mon,  2 Mar 2026 10:00:{number % 60:02d} +0100

Final-Recipient: rfc822; {address}
Original-Recipient: rfc822;{address}
Action: {action}
Status: {status}
Diagnostic-Code: X-Postfix; {words}

--PF
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: Laura Vidal <{US}>
To: {address}
Subject: =?utf-8?q?Informaci=C3=B3n?=

--PF--
""".encode()


def leads(*addresses: str) -> str:
    rows = "".join(f"{a},Persona {i},Taller de acuarela,02/03/2026 08:15\n" for i, a in enumerate(addresses))
    return "email,nombre,producto,fecha\n" + rows


@pytest.fixture
def project(tmp_path, run):
    (tmp_path / "leadloop.toml").write_text(
        f'[sender]\nname = "Laura Vidal"\naddress = "{US}"\n\n[inbox]\nmaildir = "mail"\n', encoding="utf-8")

    def send_to(*addresses: str) -> Maildir:
        (tmp_path / "leads.csv").write_text(leads(*addresses), encoding="utf-8")
        assert run("import", "leads.csv").exit_code == 0
        box = Maildir(tmp_path / "mail")
        sent = run("--now", SENT_AT, "run-daily")
        assert sent.exit_code == 0, sent.stderr
        return box

    return send_to


def read(run) -> dict:
    result = run("--now", READ_AT, "inbox", "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def pack(run, address: str) -> tuple[str, str]:
    """The lead's status and the state of its information pack."""
    shown = json.loads(run("show", address, "--json").stdout)
    return shown["status"], next(m for m in shown["messages"] if m["step"] == 0)["state"]


def addresses(count: int, domains=DOMAINS) -> list[str]:
    return [f"persona{i}@{domains[i]}" for i in range(count)]


@pytest.mark.parametrize("trouble", [RESOLVER_DOWN, NO_WAY_OUT], ids=["resolver-down", "no-way-out"])
def test_most_of_a_batch_failing_alike_is_the_senders_and_charges_no_lead(project, run, trouble):
    everyone = addresses(6)
    box = project(*everyone)
    for number, address in enumerate(everyone[:4], 1):
        box.deliver(postfix_report(address, *trouble, number))
    counts = read(run)
    assert (counts["sender_refused"], counts["failed"], counts["bounces"]) == (4, 0, 0), counts
    # Offered again, as any refusal of the sender (store.reoffer): due at the next run.
    assert [pack(run, a) for a in everyone[:4]] == [("active", "deferred")] * 4
    assert [pack(run, a) for a in everyone[4:]] == [("active", "sent")] * 2
    result = run("--now", READ_AT, "inbox")
    assert result.exit_code == 0
    events = json.loads(run("show", everyone[0], "--json").stdout)["events"]
    assert [e["owner"] for e in events if e["kind"] == "bounce"] == ["sender"]
    assert json.loads(run("show", everyone[0], "--json").stdout)["messages"][0]["owner"] == "sender"


def test_the_sentence_says_whose_trouble_once(project, run, tmp_path):
    everyone = addresses(4)
    box = project(*everyone)
    for number, address in enumerate(everyone, 1):
        box.deliver(postfix_report(address, *RESOLVER_DOWN, number))
    result = run("--now", READ_AT, "inbox")
    assert result.exit_code == 0, result.stderr
    said = result.stdout + result.stderr
    assert said.count("failed alike") == 1, said
    assert "4 leads' messages, at 4 different domains" in said
    assert "Name service error" in said and "no lead was charged" in said


FULL = ("4.2.2", "host mx.{domain}[192.0.2.{n}] said: 452 4.2.2 Mailbox full (in reply to RCPT TO command)")
COMPANY = [f"{name}@bodega-sur.es" for name in ("ana", "luis", "marta")] + ["otra@hotel-pausa.es"]


@pytest.mark.parametrize("sent, reports", [
    # Three leads whose own servers are broken, among ten that got their pack.
    (addresses(10), [RESOLVER_DOWN] * 3),
    # One company's server down: three leads at one domain.
    (COMPANY, [NO_WAY_OUT] * 3),
    # Two alike are not enough.
    (addresses(2), [RESOLVER_DOWN] * 2),
    # Failures in other words are judged apart.
    (addresses(6), [RESOLVER_DOWN, NO_WAY_OUT, RESOLVER_DOWN, NO_WAY_OUT]),
    # A cause named (a full mailbox) is each lead's mailbox's, however many alike.
    (addresses(4), [FULL] * 4),
    # OpenSMTPD's and Exim's expiries only say time ran out: alike for any cause, their
    # likeness says nothing.
    (addresses(4), [("4.4.7", "Envelope expired")] * 4),
    (addresses(4), [("5.0.0", "retry timeout exceeded")] * 4),
], ids=["few-among-many", "one-company", "two", "other-words", "cause-named", "opensmtpd-expiry",
        "exim-expiry"])
def test_failures_that_do_not_show_the_senders_trouble_are_each_leads_own(project, run, sent, reports):
    box = project(*sent)
    for number, (address, trouble) in enumerate(zip(sent, reports), 1):
        box.deliver(postfix_report(address, *trouble, number))
    counts = read(run)
    assert (counts["sender_refused"], counts["failed"]) == (0, len(reports)), counts
    assert [pack(run, a)[1] for a in sent[:len(reports)]] == ["failed"] * len(reports)


OPENSMTPD_DELAY = ("4.0.0", "Hi! This is the MAILER-DAEMON, please DO NOT REPLY to this email. A message is "
                            "delayed for more than 4 hours for the following list of recipients: {domain}: "
                            "Temporary failure in MX lookup")
OPENSMTPD_EXPIRY = ("4.4.7", "Envelope expired")


def bounce_owners(run, address: str) -> list[str]:
    events = json.loads(run("show", address, "--json").stdout)["events"]
    return [e["owner"] for e in events if e["kind"] == "bounce"]


@pytest.mark.parametrize("delay", [RESOLVER_DOWN, OPENSMTPD_DELAY], ids=["postfix", "opensmtpd"])
def test_delay_warnings_alike_are_noted_as_the_senders_and_so_is_the_expiry_after(project, run, delay):
    """Delay warnings are only noted, alike or not; alike, they are noted as the sender's,
    and an expiry after one that names no cause (OpenSMTPD's "Envelope expired") is then
    ours too (_delayed_by_sender): in a later reading, or in the same one."""
    everyone = addresses(6)
    box = project(*everyone)
    for number, address in enumerate(everyone[:4], 1):
        box.deliver(postfix_report(address, *delay, number, action="delayed"))
    result = run("--now", READ_AT, "inbox")
    assert result.exit_code == 0, result.stderr
    assert "4 leads' messages, at 4 different domains, are delayed alike" in result.stdout + result.stderr
    assert [pack(run, a)[1] for a in everyone] == ["sent"] * 6
    assert [bounce_owners(run, a) for a in everyone[:4]] == [["sender"]] * 4
    for number, address in enumerate(everyone[:2], 10):
        box.deliver(postfix_report(address, *OPENSMTPD_EXPIRY, number))
    counts = read(run)
    assert (counts["sender_refused"], counts["failed"]) == (2, 0), counts
    assert [pack(run, a) for a in everyone[:2]] == [("active", "deferred")] * 2
    # Delays and expiries in one reading: each delay is applied before its expiry.
    for number, address in enumerate(everyone[2:4], 20):
        box.deliver(postfix_report(address, *OPENSMTPD_EXPIRY, number))
    assert read(run)["sender_refused"] == 2


def test_delay_warnings_that_name_no_trouble_stay_the_leads(project, run):
    """Exim's delay warnings name no reason: alike whatever the cause, they say nothing."""
    everyone = addresses(4)
    box = project(*everyone)
    exim = ("4.0.0", "No action is required on your part. Delivery attempts will continue for some time, and "
                     "this warning may be repeated at intervals if the message remains undelivered.")
    for number, address in enumerate(everyone, 1):
        box.deliver(postfix_report(address, *exim, number, action="delayed"))
    result = run("--now", READ_AT, "inbox")
    assert "alike" not in result.stdout + result.stderr
    assert [bounce_owners(run, a) for a in everyone] == [["mailbox"]] * 4


DOMAIN_GONE = ("5.4.4", "Host or domain name not found. Name service error for name={domain} type=A: Host not found")


def test_a_domain_that_certainly_exists_said_not_to_exist_is_our_resolvers_doing(project, run):
    """gmail.com does not fail to exist: the server we send through cannot look names up.
    That lead is not bounced, even alone; the others, alike in its batch, next test."""
    box = project("ana.pena@gmail.com", *addresses(3))
    box.deliver(postfix_report("ana.pena@gmail.com", *DOMAIN_GONE, 1))
    result = run("--now", READ_AT, "inbox")
    assert "gmail.com was said not to exist" in result.stdout + result.stderr
    assert pack(run, "ana.pena@gmail.com") == ("active", "deferred")
    assert [pack(run, a) for a in addresses(3)] == [("active", "sent")] * 3


def test_domains_said_not_to_exist_alike_with_one_that_certainly_exists_are_ours(project, run):
    everyone = ["ana.pena@gmail.com", *addresses(3)]
    box = project(*everyone)
    for number, address in enumerate(everyone, 1):
        box.deliver(postfix_report(address, *DOMAIN_GONE, number))
    result = run("--now", READ_AT, "inbox")
    assert "certainly exist" in result.stdout + result.stderr and "DNS resolver" in result.stdout + result.stderr
    assert [pack(run, a) for a in everyone] == [("active", "deferred")] * 4


def test_domains_said_not_to_exist_alike_with_none_known_are_dead_addresses(project, run):
    """A batch imported with typos: every domain said not to exist, alike, none known to
    exist. Each lead's address is dead."""
    everyone = addresses(4)
    box = project(*everyone)
    for number, address in enumerate(everyone, 1):
        box.deliver(postfix_report(address, *DOMAIN_GONE, number))
    counts = read(run)
    assert (counts["bounces"], counts["sender_refused"]) == (4, 0), counts


def test_other_mail_in_between_is_read_in_its_turn_and_nothing_twice(project, run):
    from test_inbox import mail

    everyone = addresses(5)
    box = project(*everyone)
    box.deliver(postfix_report(everyone[0], *RESOLVER_DOWN, 1))
    box.deliver(mail(everyone[4], "Re: Información", "Sí, me interesa. ¿Cuánto cuesta?"))
    for number, address in enumerate(everyone[1:3], 2):
        box.deliver(postfix_report(address, *RESOLVER_DOWN, number))
    counts = read(run)
    assert (counts["replies"], counts["sender_refused"], counts["failed"]) == (1, 3, 0), counts
    assert pack(run, everyone[4]) == ("replied", "sent")
    again = read(run)
    assert (again["replies"], again["sender_refused"], again["failed"]) == (0, 0, 0), again


# The rule itself, pure.

def test_report_key_masks_what_names_each_lead_and_keeps_the_words():
    one = report_key("Host or domain name not found. Name service error for name=ana.es type=MX: "
                     "Host not found, try again")
    other = report_key("Host or domain name not found. Name service error for name=mail.luis.com.mx "
                       "type=MX: Host not found, try again")
    assert one == other
    assert report_key("connect to mx.ana.es[192.0.2.1]:25: Connection timed out") == \
        report_key("connect to aspmx.l.google.com[2001:db8::1b]:25: Connection timed out")
    assert report_key("Server certificate not verified") != report_key("Connection timed out")
    # Status codes stay: 4.4.1 and 4.4.7 are not the same trouble.
    assert report_key("4.4.1 no answer") != report_key("4.4.7 no answer")
    # Where the words name a trouble on the way, the last clause that names one is the key:
    # Sendmail's transcript holds as many earlier tries as each message had.
    assert report_key("----- Transcript of session follows ----- 451 4.4.1 reply: read error from mx.ana.es. "
                      "ana@ana.es... Deferred: Connection timed out with mx.ana.es. Message could not be "
                      "delivered for 5 days") == \
        report_key("----- Transcript of session follows ----- luis@luis.es... Deferred: Connection timed out "
                   "with mx.luis.es. Message could not be delivered for 5 days")
    # Words cut at the reader's limit lose their last, cut, word.
    assert report_key("451 x.es: Name server timeout 451 fotoacademia.e", 20) == \
        report_key("451 bodega-sur.es: Name server timeout 451 fotoacadem", 20)
    # refusal_key (the run's) is unchanged: host names are the server's words there.
    assert refusal_key("550 5.7.1 <ana@ana.es> refused") == refusal_key("550 5.7.1 <luis@luis.es> refused")


def at(index: int, key: str = "k", domain: str | None = None, sent_at: str = "2026-03-02 10:00:00") -> Failed:
    return Failed(key, index, domain or f"d{index}.es", sent_at)


@pytest.mark.parametrize("failed, sent, expected", [
    ([at(1), at(2), at(3)], 3, {0, 1, 2}),
    ([at(1), at(2), at(3)], 6, {0, 1, 2}),           # half of what was sent
    ([at(1), at(2), at(3)], 7, set()),               # under half
    ([at(1), at(2)], 2, set()),                      # fewer than ALIKE_FAILURES
    ([at(1, domain="x.es"), at(2, domain="x.es"), at(3, domain="x.es")], 3, set()),  # one domain
    ([at(1), at(1), at(2)], 3, set()),               # one lead twice
    ([at(1), at(2, "j"), at(3)], 3, set()),          # other words
    ([at(1), None, at(2), at(3)], 3, {0, 2, 3}),     # a report that is no candidate
])
def test_sender_groups(failed, sent, expected):
    assert set(sender_groups(failed, lambda first, last: sent)) == expected


def test_sender_groups_count_what_was_sent_between_the_first_and_the_last():
    failed = [at(1, sent_at="2026-03-02 10:00:00"), at(2, sent_at="2026-03-02 10:05:00"),
              at(3, sent_at="2026-03-02 10:02:00")]
    asked = []
    sender_groups(failed, lambda first, last: asked.append((first, last)) or 3)
    assert asked == [("2026-03-02 10:00:00", "2026-03-02 10:05:00")]
    assert ALIKE_FAILURES == 3


# Held back, never lost: the mailbox failing midway, or leadloop dying, while reports wait.

def three_reports_over_imap(tmp_path, run, imap_server, reached_at, monkeypatch) -> None:
    """test_imap_faults' three leads, their packs sent, and each one's report in the
    folder: the relay's resolver down. `reached_at`: the server, or a proxy before it."""
    from test_imap_faults import ENV, LEAD_ADDRESSES, configure
    from test_inbox import LEADS

    configure(tmp_path, reached_at.host, reached_at.port)
    (tmp_path / "leads.csv").write_text(LEADS, encoding="utf-8")
    monkeypatch.setenv("LEADLOOP_IMAP_PASSWORD", ENV["LEADLOOP_IMAP_PASSWORD"])
    assert run("import", "leads.csv").exit_code == 0
    assert run("--now", SENT_AT, "run-daily").exit_code == 0
    for number, address in enumerate(LEAD_ADDRESSES, 1):
        imap_server.append(postfix_report(address, *RESOLVER_DOWN, number))


def test_reports_held_when_the_mailbox_drops_are_applied_and_never_twice(tmp_path, run, imap_server, monkeypatch):
    from fault_proxy import Fault, FaultProxy
    from test_imap_faults import FETCH_BODY, LEAD_ADDRESSES, cli, status
    from test_inbox import mail

    proxy = FaultProxy(imap_server.host, imap_server.port)
    try:
        three_reports_over_imap(tmp_path, run, imap_server, proxy, monkeypatch)
        imap_server.append(mail(LEAD_ADDRESSES[0], "Re: información", "Llámeme, por favor.").as_bytes())
        proxy.fault = Fault(FETCH_BODY, "drop", skip=3)  # at the reply, after the three reports
        failed = cli(tmp_path, "--now", READ_AT, "inbox")
        assert failed.returncode == 1 and "the messages read before it are kept" in failed.stderr
        # The three reports read before the drop were applied, as the sender's.
        assert [pack(run, a) for a in LEAD_ADDRESSES] == [("active", "deferred")] * 3
        proxy.fault = None
        again = cli(tmp_path, "--now", READ_AT, "inbox", "--json")
        assert again.returncode == 0, again.stderr
        counts = json.loads(again.stdout)
        assert (counts["replies"], counts["sender_refused"], counts["failed"]) == (1, 0, 0), counts
        assert status(run, LEAD_ADDRESSES[0]) == "replied"
    finally:
        proxy.stop()


def test_reports_held_when_leadloop_dies_are_read_again(tmp_path, run, imap_server, monkeypatch):
    """A crash after the held reports but before they were applied: the watermark stayed
    before them, so the next reading finds them, and applies each once."""
    import leadloop.inbox
    from test_imap_faults import LEAD_ADDRESSES
    from test_inbox import mail

    three_reports_over_imap(tmp_path, run, imap_server, imap_server, monkeypatch)
    imap_server.append(mail(LEAD_ADDRESSES[1], "Re: información", "Llámeme, por favor.").as_bytes())
    imap_server.append(mail(LEAD_ADDRESSES[2], "Re: información", "Y a mí también.").as_bytes())
    classify = leadloop.inbox.classify
    calls = []

    def dies_at_the_last(raw, **options):
        calls.append(1)
        if len(calls) == 5:
            raise KeyboardInterrupt  # killed while reading the last message
        return classify(raw, **options)

    monkeypatch.setattr(leadloop.inbox, "classify", dies_at_the_last)
    interrupted = run("--now", READ_AT, "inbox")
    assert interrupted.exit_code == 130, interrupted.stderr  # as a user's Ctrl-C
    monkeypatch.setattr(leadloop.inbox, "classify", classify)
    # The reply after the reports was applied; the reports were not, and wait.
    assert [pack(run, a) for a in LEAD_ADDRESSES] == [("active", "sent"), ("replied", "sent"), ("active", "sent")]
    counts = read(run)
    assert (counts["replies"], counts["sender_refused"], counts["failed"]) == (1, 3, 0), counts
    assert [pack(run, a)[1] for a in LEAD_ADDRESSES] == ["deferred"] * 3
    assert read(run)["sender_refused"] == 0


def test_a_domain_said_not_to_exist_beside_one_that_certainly_exists_is_said_apart(project, run):
    """gmail.com's report is ours; one typing mistake beside it, with no group of three,
    stays a dead address, and the warning speaks only of gmail.com."""
    box = project("ana.pena@gmail.com", "luis@gmial.es", *addresses(4))
    box.deliver(postfix_report("ana.pena@gmail.com", *DOMAIN_GONE, 1))
    box.deliver(postfix_report("luis@gmial.es", *DOMAIN_GONE, 2))
    result = run("--now", READ_AT, "inbox")
    said = result.stdout + result.stderr
    assert "gmail.com was said not to exist" in said and "gmial" not in said
    assert pack(run, "ana.pena@gmail.com") == ("active", "deferred")
    assert pack(run, "luis@gmial.es") == ("bounced", "bounced")


# -- a wave split across readings (an hourly run-daily) ------------------------------------

def read_at(run, when: str) -> dict:
    result = run("--now", when, "inbox", "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_a_wave_read_one_report_at_a_time_is_still_the_senders(project, run):
    """Each reading sees one report; each report's key stays in its bounce event, so the
    third reading finds the group, and the two charged before are charged no more."""
    everyone = addresses(4)
    box = project(*everyone)
    counts = []
    for number, address in enumerate(everyone[:3], 1):
        box.deliver(postfix_report(address, *RESOLVER_DOWN, number))
        counts.append(read_at(run, f"2026-03-07T1{number}:00"))
    assert [(c["failed"], c["sender_refused"]) for c in counts] == [(1, 0), (1, 0), (0, 3)], counts
    assert [pack(run, a) for a in everyone[:3]] == [("active", "deferred")] * 3
    assert pack(run, everyone[3]) == ("active", "sent")
    assert [bounce_owners(run, a) for a in everyone[:3]] == [["sender"]] * 3
    # Read again, nothing more happens: the group is undone once.
    assert read_at(run, "2026-03-07T14:00")["sender_refused"] == 0
    assert [pack(run, a) for a in everyone[:3]] == [("active", "deferred")] * 3


def test_the_sentence_of_a_split_wave_counts_every_lead_of_it(project, run):
    everyone = addresses(4)
    box = project(*everyone)
    box.deliver(postfix_report(everyone[0], *NO_WAY_OUT, 1))
    assert read_at(run, "2026-03-07T10:00")["failed"] == 1
    for number, address in enumerate(everyone[1:3], 2):
        box.deliver(postfix_report(address, *NO_WAY_OUT, number))
    result = run("--now", "2026-03-07T11:00", "inbox")
    assert result.exit_code == 0, result.stderr
    said = result.stdout + result.stderr
    assert said.count("failed alike") == 1 and "3 leads' messages, at 3 different domains" in said, said


def test_an_expiry_applied_before_its_delays_were_seen_alike_is_ours_too(project, run):
    """OpenSMTPD: one lead's delay warning and its bare expiry arrive before the other
    leads' warnings; once those show the trouble is ours, so is that expiry."""
    everyone = addresses(4)
    box = project(*everyone)
    box.deliver(postfix_report(everyone[0], *OPENSMTPD_DELAY, 1, action="delayed"))
    box.deliver(postfix_report(everyone[0], *OPENSMTPD_EXPIRY, 2))
    assert read_at(run, "2026-03-07T10:00")["failed"] == 1
    assert pack(run, everyone[0]) == ("active", "failed")
    for number, address in enumerate(everyone[1:3], 3):
        box.deliver(postfix_report(address, *OPENSMTPD_DELAY, number, action="delayed"))
    assert read_at(run, "2026-03-07T11:00")["sender_refused"] == 1
    assert pack(run, everyone[0]) == ("active", "deferred")
    assert bounce_owners(run, everyone[0]) == ["sender", "sender"]
    assert [bounce_owners(run, a) for a in everyone[1:3]] == [["sender"]] * 2


def test_reports_alike_of_another_week_do_not_join(project, run):
    """A report read more than five days before (Postfix's queue lifetime) is another
    trouble's: it stays its lead's."""
    everyone = addresses(4)
    box = project(*everyone)
    box.deliver(postfix_report(everyone[0], *RESOLVER_DOWN, 1))
    assert read_at(run, "2026-03-03T10:00")["failed"] == 1
    for number, address in enumerate(everyone[1:3], 2):
        box.deliver(postfix_report(address, *RESOLVER_DOWN, number))
    counts = read_at(run, "2026-03-09T10:00")
    assert (counts["failed"], counts["sender_refused"]) == (2, 0), counts
    assert [pack(run, a)[1] for a in everyone[:3]] == ["failed"] * 3


def test_an_erased_leads_earlier_report_is_left_out(project, run):
    everyone = addresses(4)
    box = project(*everyone)
    box.deliver(postfix_report(everyone[0], *RESOLVER_DOWN, 1))
    assert read_at(run, "2026-03-07T10:00")["failed"] == 1
    forgotten = run("--now", "2026-03-07T10:30", "forget", everyone[0])
    assert forgotten.exit_code == 0, forgotten.stderr
    for number, address in enumerate(everyone[1:3], 2):
        box.deliver(postfix_report(address, *RESOLVER_DOWN, number))
    counts = read_at(run, "2026-03-07T11:00")
    # Two leads left: not a group.
    assert (counts["failed"], counts["sender_refused"]) == (2, 0), counts
