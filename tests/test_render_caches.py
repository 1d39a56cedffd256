"""What a batch shares is worked out once (BENCH.md B3): dates formatted by Babel, the
encoded Subject, From and Date headers, Jinja's globals. These tests send one batch of
leads that differ in exactly what those caches are keyed on — request date, language,
product, name — and check each message against what Babel and the standard library
make of its own values, so a cache that answered one lead with another's text fails."""

from email import policy
from email.parser import BytesParser
from email.utils import format_datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_timedelta

from leadloop.clock import parse_instant

NOW = "2026-03-02T10:00"
MADRID = ZoneInfo("Europe/Madrid")  # the default [cadence] timezone

LEADS = [  # email, name, product, request date (day-first), locale
    ("ana@example.com", "Ana Peña", "Curso de inglés", "01/03/2026", "es"),
    ("bea@example.com", "Bea Ruiz", "Curso de inglés", "14/02/2026", "es"),
    ("carl@example.com", "Carl Smith", "Curso de inglés", "01/03/2026", "en"),
    ("dana@example.com", "Dana Wu", "Guitar lessons", "14/02/2026", "en"),
    ("eva@example.com", "Eva Núñez Ibáñez", "Reforma de cocina con un nombre de producto largo que "
     "pasa de una línea", "20/12/2025", "es"),
]


def _write(tmp_path):
    for locale, words in (("es", "Su solicitud del"), ("en", "Your request of")):
        folder = tmp_path / "templates" / locale
        folder.mkdir(parents=True)
        (folder / "info.txt").write_text(
            f"Subject: {words} {{{{ requested_at|date }}}}: {{{{ product }}}}\n\n"
            "long={{ requested_at|date }}\nshort={{ requested_at|date('short') }}\n"
            "ago={{ requested_at|ago }}\nname={{ name }}\n", encoding="utf-8")
    (tmp_path / "leads.csv").write_text(
        "email,name,product,requested_at,locale\n"
        + "".join(",".join(row) + "\n" for row in LEADS), encoding="utf-8")


def _sent(tmp_path):
    parser = BytesParser(policy=policy.default)
    messages = [parser.parsebytes(path.read_bytes()) for path in (tmp_path / "outbox" / "new").iterdir()]
    return {message["To"].addresses[0].addr_spec: message for message in messages}


def test_a_batch_of_leads_each_gets_its_own_dates_subject_and_names(tmp_path, run):
    _write(tmp_path)
    assert run("import", "leads.csv").exit_code == 0
    result = run("--now", NOW, "send", "--yes")
    assert result.exit_code == 0, result.stderr
    sent = _sent(tmp_path)
    assert set(sent) == {row[0] for row in LEADS}
    now = parse_instant(NOW, "Europe/Madrid")
    dates = set()
    for email, name, product, day, locale in LEADS:
        message = sent[email]
        requested = parse_instant("-".join(reversed(day.split("/"))), "Europe/Madrid")
        local = requested.astimezone(MADRID)
        long = format_date(local, format="long", locale=locale)
        words = "Su solicitud del" if locale == "es" else "Your request of"
        assert str(message["Subject"]) == f"{words} {long}: {product}"
        assert message["To"].addresses[0].display_name == name
        dates.add(str(message["Date"]))
        body = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
        ago = format_timedelta(local - now.astimezone(MADRID), add_direction=True, locale=locale,
                               threshold=1.1)
        assert body == (f"long={long}\nshort={format_date(local, format='short', locale=locale)}\n"
                        f"ago={ago}\nname={name}\n"), email
    assert dates == {format_datetime(now.astimezone(MADRID))}
    # The same date in two languages, and two dates in one: none answered for another.
    assert "1 de marzo de 2026" in str(sent["ana@example.com"]["Subject"])
    assert "14 de febrero de 2026" in str(sent["bea@example.com"]["Subject"])
    assert "March 1, 2026" in str(sent["carl@example.com"]["Subject"])


def test_the_date_header_follows_each_run(tmp_path, run):
    _write(tmp_path)
    assert run("import", "leads.csv").exit_code == 0
    assert run("--now", NOW, "send", "--yes", "--limit", "2").exit_code == 0
    assert run("--now", "2026-03-03T11:30", "send", "--yes").exit_code == 0
    headers = {str(message["Date"]) for message in _sent(tmp_path).values()}
    assert headers == {format_datetime(parse_instant(moment, "Europe/Madrid").astimezone(MADRID))
                       for moment in (NOW, "2026-03-03T11:30")}


def test_the_date_header_of_the_same_instant_in_another_zone_has_its_own_offset(tmp_path, run):
    """Equal instants in two zones are equal datetimes: the Date header is not one
    zone's text answered for the other (RFC 5322 §3.3: local time and its offset)."""
    _write(tmp_path)
    assert run("import", "leads.csv").exit_code == 0
    assert run("--now", "2026-03-02T16:00", "send", "--yes", "--limit", "1").exit_code == 0
    (tmp_path / "leadloop.toml").write_text('[cadence]\ntimezone = "America/New_York"\n',
                                            encoding="utf-8")
    result = run("--now", "2026-03-02T10:00-05:00", "send", "--yes", "--limit", "1")
    assert result.exit_code == 0 and "send: 1 written" in result.stdout, result.stdout
    headers = sorted(str(message["Date"]) for message in _sent(tmp_path).values())
    assert headers == ["Mon, 02 Mar 2026 10:00:00 -0500", "Mon, 02 Mar 2026 16:00:00 +0100"]
