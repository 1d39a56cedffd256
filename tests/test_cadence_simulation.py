"""Months of the method through the core (store + runner + cadence), with a recording
transport: daily limits, windows, caps, give-up and erasure hold over a long run."""

import random
from collections import Counter
from datetime import datetime, time, timedelta

import pytest

from leadloop.cadence import window_open
from leadloop.clock import UTC, localize, to_db, zone
from leadloop.config import load_config
from leadloop.sources.rows import ParsedLead
from leadloop.importer import import_rows
from leadloop.privacy import give_up_due
from leadloop.runner import send_due
from leadloop.store import Store
from leadloop.transport import SENT, Outcome

MADRID = zone("Europe/Madrid")


class RecordingTransport:
    name = "record"

    def __init__(self, clock):
        self.clock = clock
        self.sent: list[tuple[str, datetime]] = []

    def open(self):
        pass

    def close(self):
        pass

    def send(self, message):
        self.sent.append((message.recipient, self.clock()))
        return Outcome(SENT)


def lead(email, requested_at, timezone=None):
    return ParsedLead(line=1, email=email, name="Ana", product="Curso", source=None,
                      requested_at=to_db(requested_at), info_sent_at=None, locale=None,
                      timezone=timezone, referred_by=None, fields=None)


def open_store(tmp_path, extra=""):
    path = tmp_path / "leadloop.toml"
    path.write_text(extra, encoding="utf-8")
    config = load_config(path)
    return Store.open(config.database_path, config.cadence), config


def local(day, hour):
    return localize(datetime.combine(day, time(hour)), MADRID).astimezone(UTC)


def test_a_thousand_leads_over_two_years(tmp_path):
    store, config = open_store(tmp_path)
    rng = random.Random(7)
    start = datetime(2026, 1, 5).date()
    rows = []
    for n in range(1000):
        tz = "America/Mexico_City" if n % 10 == 0 else None
        requested = local(start, 8) - timedelta(hours=rng.randrange(0, 24 * 30))
        rows.append(lead(f"lead{n}@example.com", requested, tz))
    import_rows(store, rows, local(start, 8))
    # A tenth of the leads answer after a given contact.
    answers_after = {f"lead{n}@example.com": rng.randrange(1, 6) for n in rng.sample(range(1000), 100)}
    replied_at: dict[str, datetime] = {}
    now_box = [local(start, 8)]
    transport = RecordingTransport(lambda: now_box[0])
    day = start
    while day < start + timedelta(days=730):
        for hour in (7, 10, 20):
            now = now_box[0] = local(day, hour)
            give_up_due(store, now)
            send_due(store, config, lambda: now, transport=transport)
            for email, after in answers_after.items():
                if email in replied_at:
                    continue
                row = store.conn.execute("SELECT * FROM leads WHERE email = ?", (email,)).fetchone()
                if row["contacts"] >= after:
                    store.set_status(row, "replied", now)
                    replied_at[email] = now
        day += timedelta(days=1)

    per_lead = Counter(email for email, _ in transport.sent)
    assert max(per_lead.values()) <= config.cadence.max_contacts
    per_day = Counter(when.astimezone(MADRID).date() for _, when in transport.sent)
    assert max(per_day.values()) <= config.cadence.daily_limit
    seen: set[str] = set()
    for email, when in transport.sent:
        n = int(email[4:].split("@")[0])
        tz = zone("America/Mexico_City") if n % 10 == 0 else MADRID
        if email not in seen:  # the info pack goes at any hour (info_anytime)
            seen.add(email)
            continue
        assert window_open(when, config.cadence, tz), (email, when)
        if email in replied_at:
            assert when <= replied_at[email], "contacted after the reply"
    never_answered = {f"lead{n}@example.com" for n in range(1000)} - set(answers_after)
    for email in never_answered:
        assert per_lead[email] == 6
    remaining = {row["email"] for row in store.conn.execute("SELECT email FROM leads")}
    assert not (never_answered & remaining), "leads that never answered must be erased"
    statuses = Counter(row[0] for row in store.conn.execute("SELECT status FROM leads"))
    assert statuses == {"erased": 900, "replied": 100}


def test_followups_keep_two_to_three_months_apart(tmp_path):
    store, config = open_store(tmp_path)
    start = datetime(2026, 3, 2).date()
    import_rows(store, [lead("ana@example.com", local(start, 9))], local(start, 9))
    now_box = [local(start, 10)]
    transport = RecordingTransport(lambda: now_box[0])
    day = start
    while day < start + timedelta(days=600):
        for hour in range(9, 18):
            now_box[0] = local(day, hour)
            send_due(store, config, lambda: now_box[0], transport=transport)
        give_up_due(store, local(day, 18))
        day += timedelta(days=1)
    times = [when for _, when in transport.sent]
    assert len(times) == 6
    for earlier, later in zip(times, times[1:]):
        gap = later - earlier
        assert timedelta(days=59) <= gap <= timedelta(days=93), gap
        local_time = later.astimezone(MADRID)
        assert local_time.weekday() < 5 and 9 <= local_time.hour < 18
    [status] = store.conn.execute("SELECT status FROM leads").fetchone()
    assert status == "erased"


def test_a_lead_resumed_after_the_third_contact_gets_at_most_seven(tmp_path):
    store, config = open_store(tmp_path)
    start = datetime(2026, 3, 2).date()
    import_rows(store, [lead("ana@example.com", local(start, 9))], local(start, 9))
    lead_id = store.lead("ana@example.com")["id"]
    transport = RecordingTransport(lambda: None)
    day, resumed = start, False
    while day < start + timedelta(days=1200):
        now = local(day, 10)
        transport.clock = lambda: now
        send_due(store, config, lambda: now, transport=transport)
        row = store.lead_by_id(lead_id)
        if row["contacts"] == 3 and not resumed:
            store.set_status(row, "replied", now)
            store.set_status(store.lead_by_id(lead_id), "active", now + timedelta(days=1))
            resumed = True
        give_up_due(store, now)
        day += timedelta(days=1)
    assert len(transport.sent) == 7
    assert store.lead_by_id(lead_id)["status"] == "erased"


def test_daily_limit_sends_info_packs_first_and_rolls_the_rest_over(tmp_path):
    store, config = open_store(tmp_path)
    monday = datetime(2026, 3, 2).date()
    # 30 leads whose follow-up is due today: info pack sent three months ago.
    long_ago = to_db(local(monday, 9) - timedelta(days=100))
    old = [lead(f"old{n}@example.com", local(monday, 9) - timedelta(days=100))
           ._replace(info_sent_at=long_ago) for n in range(30)]
    import_rows(store, old, local(monday, 8))
    fresh = [lead(f"new{n}@example.com", local(monday, 8)) for n in range(120)]
    import_rows(store, fresh, local(monday, 8))
    assert len(store.due(local(monday, 10), daily_limit=False)) == 150

    today = RecordingTransport(lambda: local(monday, 10))
    send_due(store, config, lambda: local(monday, 10), transport=today)
    assert len(today.sent) == 100
    assert all(email.startswith("new") for email, _ in today.sent)
    again = RecordingTransport(lambda: local(monday, 15))
    send_due(store, config, lambda: local(monday, 15), transport=again)
    assert again.sent == []

    tuesday = monday + timedelta(days=1)
    tomorrow = RecordingTransport(lambda: local(tuesday, 10))
    send_due(store, config, lambda: local(tuesday, 10), transport=tomorrow)
    assert len(tomorrow.sent) == 50
    assert [e for e, _ in tomorrow.sent[:20]] == [f"new{n}@example.com" for n in range(100, 120)]


@pytest.mark.parametrize("inquiry_days_after, imported", [(-10, False), (10, True)])
def test_an_erased_address_comes_back_only_with_a_later_inquiry(tmp_path, inquiry_days_after, imported):
    from leadloop.privacy import forget

    store, _ = open_store(tmp_path)
    erased_at = local(datetime(2026, 6, 1).date(), 10)
    import_rows(store, [lead("ana@example.com", local(datetime(2026, 1, 5).date(), 9))], erased_at)
    forget(store, store.lead("ana@example.com"), erased_at)
    report = import_rows(
        store, [lead("ana@example.com", erased_at + timedelta(days=inquiry_days_after))],
        erased_at + timedelta(days=20))
    assert (report.new, report.suppressed) == ((1, 0) if imported else (0, 1))


def test_without_erasure_a_silent_lead_is_marked_lost_and_keeps_its_data(tmp_path):
    store, config = open_store(tmp_path, "[cadence]\nerase_on_give_up = false\n")
    start = datetime(2026, 3, 2).date()
    import_rows(store, [lead("ana@example.com", local(start, 9))], local(start, 9))
    transport = RecordingTransport(lambda: None)
    day = start
    while day < start + timedelta(days=800):
        now = local(day, 10)
        send_due(store, config, lambda: now, transport=transport)
        give_up_due(store, now)
        day += timedelta(days=1)
    row = store.lead("ana@example.com")
    assert (row["status"], row["name"], len(transport.sent)) == ("lost", "Ana", 6)
