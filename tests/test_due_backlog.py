"""`due`'s backlog on a big queue (branch duefast): what waits, how many are stale and the
day the last goes are counted on indexes alone and forecast without converting every
day between zones, and say what they said before. The references below are the
former ways, kept here: one statement reading every due info pack's request date, and
each day's bounds and window asked of clock.day_bounds and cadence.day_window."""

import sqlite3
from datetime import date, datetime, time, timedelta, timezone

import pytest

from leadloop import backlog
from leadloop.backlog import (Pass, drained_on, due_counts, roll_over, sending_days, stale_before,
                              windowed_before)
from leadloop.cadence import day_window
from leadloop.clock import day_bounds, local_day, to_db, zone
from leadloop.config import load_config
from leadloop.store import Store


def reference_counts(conn, now, rules):
    windowed = windowed_before(now, rules) if rules is not None else ""
    counts = {0: (0, 0, 0), 1: (0, 0, 0)}
    for followups, count, stale, old in conn.execute(
            "SELECT next_step > 0, count(*), "
            "sum(CASE WHEN next_step = 0 AND requested_at < ? THEN 1 ELSE 0 END), "
            "sum(CASE WHEN next_step = 0 AND requested_at < ? THEN 1 ELSE 0 END) "
            "FROM leads WHERE next_due_at IS NOT NULL AND next_due_at <= ? GROUP BY next_step > 0",
            (stale_before(now), windowed, to_db(now))):
        counts[followups] = (count, stale or 0, old or 0)
    return counts[0][0], counts[1][0], counts[0][1], counts[0][2]


def reference_days(now, rules, left_today, how_many):
    tz = zone(rules.timezone)
    today = local_day(now, tz)
    window = day_window(today, rules, tz)
    open_today = window is not None and now < window[1]
    passes = []
    if left_today > 0 and (open_today or rules.info_anytime):
        passes.append(Pass(today, day_bounds(today, tz)[1], left_today, open_today))
    day = today + timedelta(days=1)
    while len(passes) < how_many and day <= today + timedelta(days=3660):
        opens = day_window(day, rules, tz) is not None
        if opens or rules.info_anytime:
            passes.append(Pass(day, day_bounds(day, tz)[1], rules.daily_limit, opens))
        day += timedelta(days=1)
    return passes


# Zones whose clocks change at midnight (Havana, Santiago, Asuncion), by half an hour
# (Lord Howe), or not at all (UTC), and the default one.
ZONES = ("Europe/Madrid", "America/Havana", "America/Santiago", "America/Asuncion",
         "Australia/Lord_Howe", "UTC")


@pytest.mark.parametrize("zone_name", ZONES)
@pytest.mark.parametrize("info_anytime", (True, False))
@pytest.mark.parametrize("hours", (None, (0, 1), (2, 3)))
def test_the_forecast_days_are_each_days_own_bounds_and_window(zone_name, info_anytime, hours):
    rules = load_config(None).cadence._replace(timezone=zone_name, info_anytime=info_anytime,
                                              daily_limit=7)
    if hours:  # every day, in the hour some zones' clocks skip once a year
        rules = rules._replace(send_days=frozenset(range(7)), send_start=time(hours[0]),
                               send_end=time(hours[1]))
    for now in (datetime(2026, 3, 6, 22, 0, tzinfo=timezone.utc),
                datetime(2026, 10, 24, 3, 30, tzinfo=timezone.utc)):
        expected = reference_days(now, rules, 3, 1500)
        passes = sending_days(now, rules, 3)
        assert [next(passes) for _ in expected] == expected


def test_no_send_day_forecasts_info_packs_for_ten_years_as_before():
    rules = load_config(None).cadence._replace(send_days=frozenset(), timezone="America/Havana")
    now = datetime(2026, 3, 6, 22, 0, tzinfo=timezone.utc)
    assert list(sending_days(now, rules, 0)) == reference_days(now, rules, 0, 10_000)


def reference_last_day(now, rules, left_today, info, windowed, followups):
    left = info + windowed + followups
    for _, day, taken in roll_over([(now, info, "waiting")], [(now, followups, "waiting")],
                                   sending_days(now, rules, left_today), [(now, windowed, "waiting")]):
        left -= taken
        if left == 0:
            return day
    return None


@pytest.mark.parametrize("zone_name", ZONES)
def test_the_last_day_of_a_backlog_is_roll_overs_counted_a_week_at_a_time(zone_name):
    defaults = load_config(None).cadence._replace(timezone=zone_name)
    variants = [defaults, defaults._replace(info_anytime=False),
                defaults._replace(send_days=frozenset({5, 6}), daily_limit=3),
                defaults._replace(send_days=frozenset({2}), info_anytime=False, daily_limit=7),
                defaults._replace(send_days=frozenset(), daily_limit=50)]
    # Windows that are the hour (or half hour) clocks skip, at midnight or at two: closed
    # on that day, whose windows all move on by the gap (clock.localize).
    variants += [defaults._replace(send_days=frozenset(range(7)), send_start=time(start),
                                   send_end=time(start + hours, minutes), daily_limit=2,
                                   info_anytime=info_anytime)
                 for start, hours, minutes, info_anytime in ((0, 1, 0, True), (2, 1, 0, False),
                                                             (2, 0, 30, True))]
    backlogs = [(1, 0, 0), (0, 1, 0), (0, 0, 1), (250, 0, 0), (0, 300, 45), (999, 1000, 1001),
                (12_345, 0, 0), (0, 0, 12_345), (7, 8_000, 3_000)]
    for now in (datetime(2026, 3, 27, 23, 30, tzinfo=timezone.utc),
                datetime(2026, 10, 2, 12, 0, tzinfo=timezone.utc)):
        for rules in variants:
            for left_today in (0, 2):
                for waiting in backlogs:
                    assert drained_on(now, rules, left_today, *waiting) == \
                        reference_last_day(now, rules, left_today, *waiting), (rules, left_today, waiting)


CSV_HEAD = "email,nombre,fecha\n"


def leads_csv(count: int, first: date, step_hours: int) -> str:
    start = datetime(first.year, first.month, first.day, 6, 17)
    rows = []
    for n in range(count):
        at = start + timedelta(hours=step_hours * n, minutes=7 * n)
        rows.append(f"persona{n}@ejemplo.es,Persona {n},{at:%d/%m/%Y %H:%M}")
    return CSV_HEAD + "\n".join(rows) + "\n"


def ok(result):
    assert result.exit_code == 0, result.stdout + result.stderr
    return result


@pytest.fixture
def queue(run, tmp_path):
    """A folder whose database holds info packs due long ago and lately, some due later
    than their request (info packs wait for the window: info_anytime off), follow-ups due
    and scheduled later: 600 leads at 9 a day."""
    ok(run("init", "."))
    config = tmp_path / "leadloop.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "daily_limit = 100 ", "daily_limit = 9 ").replace(
        "info_anytime = true ", "info_anytime = false "), encoding="utf-8")
    (tmp_path / "leads.csv").write_text(leads_csv(600, date(2025, 9, 1), 19), encoding="utf-8")
    ok(run("--now", "2026-01-12T10:00", "import", "leads.csv"))
    for day in ("2026-01-12", "2026-01-13", "2026-02-02", "2026-03-20", "2026-04-01"):
        ok(run("--now", f"{day}T10:00", "send", "--yes"))
    return tmp_path


NOWS = ("2026-01-10T23:00", "2026-02-14T03:00", "2026-04-01T10:00", "2026-04-04T12:00",
        "2026-05-20T07:00", "2026-07-01T19:30", "2026-10-20T10:00")


@pytest.mark.bare_folder
@pytest.mark.parametrize("walked", (10_000, 200, 40, 1))
def test_the_counts_are_those_of_every_due_leads_request_date(queue, monkeypatch, walked):
    # `walked`: how many info packs due long ago are counted as such before the rest of
    # the index is counted instead: each way gives the same.
    monkeypatch.setattr(backlog, "_WALKED", walked)
    config = load_config(queue / "leadloop.toml")
    store = Store.open(config.database_path, config.cadence)
    variants = [None, config.cadence, config.cadence._replace(info_anytime=True),
                config.cadence._replace(info_anytime=True, info_anytime_within=None),
                config.cadence._replace(info_anytime=True,
                                        info_anytime_within=load_config(None).cadence.followup_after)]
    seen = set()
    for text in NOWS:
        now = datetime.fromisoformat(text).replace(tzinfo=timezone.utc)
        for rules in variants:
            counts = due_counts(store.conn, now, rules)
            expected = reference_counts(store.conn, now, rules)
            assert (counts.info, counts.followups, counts.stale_info, counts.windowed_info) == expected
            seen.add(tuple(bool(n) for n in expected))
    # The queue is what it says: each kind and part is there at some moment.
    assert (True, True, True, True) in seen
    scheduled = store.conn.execute("SELECT count(*) FROM leads WHERE next_step = 0 "
                                   "AND next_due_at > requested_at").fetchone()[0]
    assert scheduled > 100
    store.conn.close()


# What `due --limit 1` printed on main d75a1f9 (before this branch) on the same queue:
# stdout, and stderr with its lines joined.
BEFORE = {
    '2026-01-10T23:00': (
        'email\tmessage\tdue\n',
        'Nothing goes now. 119 due messages wait for the send window ([cadence] '
        'send_days, send_hours): at this limit the last of them goes on Thu 2026-01-29. '
        '`leadloop due --all` lists them with the day each is expected to go. warning: 83 '
        'info packs due now answer requests more than 30 days old: each would get "the '
        'information you asked for" today. If they had it already, import the file again '
        'with --info-sent (or --info-sent-before DATE): nothing is sent for those.'),
    '2026-02-14T03:00': (
        'email\tmessage\tdue\n',
        'Nothing goes now. 163 due messages wait for the send window ([cadence] '
        'send_days, send_hours): at this limit the last of them goes on Thu 2026-03-12. '
        '`leadloop due --all` lists them with the day each is expected to go. warning: '
        '126 info packs due now answer requests more than 30 days old: each would get '
        '"the information you asked for" today. If they had it already, import the file '
        'again with --info-sent (or --info-sent-before DATE): nothing is sent for those.'),
    '2026-04-01T10:00': (
        'email\tmessage\tdue\n',
        'Nothing goes now. 233 due messages wait for the daily limit (9 a day, used up '
        'today): at this limit the last of them goes on Mon 2026-05-18. `leadloop due '
        '--all` lists them with the day each is expected to go. warning: 184 info packs '
        'due now answer requests more than 30 days old: each would get "the information '
        'you asked for" today. If they had it already, import the file again with '
        '--info-sent (or --info-sent-before DATE): nothing is sent for those.'),
    '2026-04-04T12:00': (
        'email\tmessage\tdue\n',
        'Nothing goes now. 239 due messages wait for the send window ([cadence] '
        'send_days, send_hours): at this limit the last of them goes on Thu 2026-05-21. '
        '`leadloop due --all` lists them with the day each is expected to go. warning: '
        '188 info packs due now answer requests more than 30 days old: each would get '
        '"the information you asked for" today. If they had it already, import the file '
        'again with --info-sent (or --info-sent-before DATE): nothing is sent for those.'),
    '2026-05-20T07:00': (
        'email\tmessage\tdue\n',
        'Nothing goes now. 310 due messages wait for the send window ([cadence] '
        'send_days, send_hours): at this limit the last of them goes on Fri 2026-07-17. '
        '`leadloop due --all` lists them with the day each is expected to go. warning: '
        '246 info packs due now answer requests more than 30 days old: each would get '
        '"the information you asked for" today. If they had it already, import the file '
        'again with --info-sent (or --info-sent-before DATE): nothing is sent for those.'),
    '2026-07-01T19:30': (
        'email\tmessage\tdue\n',
        'Nothing goes now. 382 due messages wait for the send window ([cadence] '
        'send_days, send_hours): at this limit the last of them goes on Mon 2026-09-14. '
        '`leadloop due --all` lists them with the day each is expected to go. warning: '
        '299 info packs due now answer requests more than 30 days old: each would get '
        '"the information you asked for" today. If they had it already, import the file '
        'again with --info-sent (or --info-sent-before DATE): nothing is sent for those.'),
    '2026-10-20T10:00': (
        'email\tmessage\tdue\npersona45@ejemplo.es\tinfo pack\t2025-10-07 09:00\n',
        '511 more due messages wait for the daily limit (9 a day): at this limit the last '
        'of them goes on Wed 2027-01-20. `leadloop due --all` lists them with the day '
        'each is expected to go. warning: 438 info packs due now answer requests more '
        'than 30 days old: each would get "the information you asked for" today. If they '
        'had it already, import the file again with --info-sent (or --info-sent-before '
        'DATE): nothing is sent for those.'),
}


@pytest.mark.bare_folder
@pytest.mark.parametrize("now", sorted(BEFORE))
def test_due_says_what_it_said_before(run, queue, now):
    result = ok(run("--now", now, "due", "--limit", "1"))
    assert (result.stdout, " ".join(result.stderr.split())) == BEFORE[now]


@pytest.mark.bare_folder
def test_a_database_of_the_release_before_gets_its_delayed_info_packs_indexed(run, queue):
    # As main d75a1f9 left it: m015 not applied.
    conn = sqlite3.connect(queue / "leadloop.db")
    conn.execute("DROP INDEX leads_info_delayed")
    conn.execute("DELETE FROM _migrations WHERE name = 'm015_duefast_info_delayed'")
    conn.commit()
    conn.close()
    now = "2026-10-20T10:00"
    result = ok(run("--now", now, "due", "--limit", "1"))
    assert (result.stdout, " ".join(result.stderr.split())) == BEFORE[now]
    conn = sqlite3.connect(queue / "leadloop.db")
    delayed = conn.execute("SELECT count(*) FROM leads INDEXED BY leads_info_delayed "
                           "WHERE next_step = 0 AND next_due_at > requested_at").fetchone()[0]
    conn.close()
    assert delayed > 100
