"""Hand-written fast paths give exactly what the straightforward code gives."""

from __future__ import annotations

import email
import email.policy
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from leadloop.clock import to_db, zone
from leadloop import header_memo
from leadloop.delivery_status import fold
from leadloop.message import _CONTROL, clean

ZONES = ["Europe/Madrid", "America/Mexico_City", "Australia/Lord_Howe", "UTC"]


@settings(max_examples=500)
@given(st.text())
def test_clean_equals_the_substitution(text):
    assert clean(text) == _CONTROL.sub(" ", text).strip()


# Accented and non-Latin letters, combining marks alone, typographic apostrophes and every
# kind of white space beside ASCII: where NFKD and the marks' removal could differ.
FOLDABLE = st.text(st.one_of(st.characters(max_codepoint=0x7f), st.characters(max_codepoint=0x3100),
                             st.sampled_from("\u2019\u02bc\u0301\u0308\u00a0\u2028\u3000\x1c\x85\u0130\u212a\ufb01\u212b\ud55c")))


@settings(max_examples=1000)
@given(st.one_of(FOLDABLE, st.text()))
def test_fold_equals_nfkd_without_marks(text):
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.replace("\u2019", "'").replace("\u02bc", "'")
    assert fold(text) == re.sub(r"\s+", " ", plain).strip()


# Fields the header classes parse (addresses, dates, MIME parameters), encoded words, the
# same Content-Type in two parts, and broken ones that leave defects behind.
_FIELDS = (b"From: =?utf-8?q?Jos=C3=A9?= <jose@example.es>, <bad@@x>\r\nTo: undisclosed-recipients:;\r\n"
           b"Date: Tue, 3 Mar 2026 10:00:00 +0100\r\nSubject: =?iso-8859-1?q?Ca=F1a?= \xff raw\r\n"
           b"Message-ID: <a@b>\r\nReply-To: <a@b>\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=\"b\"; charset*=utf-8''%C3%A9\r\n\r\n"
           b"--b\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nhi\r\n"
           b"--b\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Disposition: attachment; filename=\r\n\r\n"
           b"x\r\n--b\r\nContent-Type: text/;;\r\nDate: not a date\r\n\r\ny\r\n--b--\r\n")


def _read(header):
    return (header.name, str(header), type(header).__mro__[1:], [(type(d), str(d)) for d in header.defects],
            dict(getattr(header, "params", {})), getattr(header, "addresses", None),
            getattr(header, "datetime", None))


def _each_field(message, *, plain_where_unreadable=False):
    """Every field as the message's policy reads it. The default policy itself fails on
    some real fields (CPython's parser raises IndexError on Courier's "From:
    mailer-daemon@", an address with no domain); header_memo reads those as plain text,
    and `plain_where_unreadable` reads them so for the default policy too."""
    read = []
    for name, value in message.raw_items():
        try:
            read.append((name, _read(message.policy.header_fetch_parse(name, value))))
        except Exception:  # noqa: BLE001 (the email package's parsers raise a zoo)
            if not plain_where_unreadable:
                raise
            # (A name no class is registered for: the registry's unstructured class.)
            read.append((name, _read(message.policy.header_factory["x-unregistered"](name, value))))
    return read


def test_header_memo_reads_every_field_as_the_default_policy():
    fixtures = Path(__file__).parent / "fixtures"
    for raw in [_FIELDS] + [path.read_bytes() for path in sorted(fixtures.rglob("*.eml"))]:
        plain = email.message_from_bytes(raw, policy=email.policy.default)
        kept = email.message_from_bytes(raw, policy=header_memo.policy())
        for one, other in zip(plain.walk(), kept.walk(), strict=True):
            assert _each_field(one, plain_where_unreadable=True) == _each_field(other) == \
                _each_field(other)  # read again: the kept ones
            assert (one.get_content_type(), one.get_params(), one.get_content_disposition(), one.get_filename()) == \
                (other.get_content_type(), other.get_params(), other.get_content_disposition(), other.get_filename())


# Within years a moment can be moved to UTC: datetime(1, 1, 1) east of Greenwich, as
# hypothesis once drew, overflows datetime itself on both sides of the comparison.
@settings(max_examples=500)
@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1),
                    timezones=st.sampled_from(ZONES).map(zone)))
def test_to_db_equals_isoformat_in_utc(moment):
    assert to_db(moment) == moment.astimezone(UTC).isoformat(timespec="seconds")


def _rules(send_days, start_hour, end_hour, delay_hours, info_anytime=False):
    from datetime import time

    from dateutil.relativedelta import relativedelta

    from leadloop.cadence import Rules

    return Rules(
        followup_after=relativedelta(months=2), followup_spread=relativedelta(months=1),
        info_delay=relativedelta(hours=delay_hours) if delay_hours else relativedelta(),
        reply_grace=relativedelta(days=30), send_days=frozenset(send_days),
        send_start=time(start_hour), send_end=time(end_hour) if end_hour is not None else None,
        info_anytime=info_anytime,
    )


# Inquiries near the zones' DST changes and midnight are where the two could disagree.
NEAR_CHANGES = st.one_of(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1)),
    st.builds(lambda year, month, day, minute: datetime(year, month, day)
              + timedelta(minutes=minute),
              st.integers(2020, 2030), st.sampled_from([3, 4, 9, 10, 11]),
              st.integers(1, 28), st.integers(0, 48 * 60)),
)


@settings(max_examples=800, deadline=None)
@given(
    moment=NEAR_CHANGES,
    tz_name=st.sampled_from(ZONES + ["America/Santiago", "Pacific/Apia", "Asia/Kathmandu"]),
    send_days=st.sets(st.integers(0, 6), min_size=1),
    start_hour=st.integers(0, 23),
    end_hour=st.one_of(st.none(), st.integers(0, 23)),
    delay_hours=st.sampled_from([0, 0, 0, 5]),
    info_anytime=st.booleans(),
)
def test_info_dues_equals_info_due(moment, tz_name, send_days, start_hour, end_hour, delay_hours,
                                   info_anytime):
    from leadloop.cadence import InfoDues, info_due

    rules = _rules(send_days, start_hour, end_hour, delay_hours, info_anytime)
    tz = zone(tz_name)
    requested_at = moment.replace(tzinfo=UTC, microsecond=0)
    assert InfoDues(rules, tz)(to_db(requested_at)) == to_db(info_due(requested_at, rules, tz))


def test_info_dues_answers_many_inquiries_from_one_table():
    """Inquiries of one UTC day share the table of windows, in and out of them."""
    from leadloop.cadence import InfoDues, info_due

    rules = _rules(range(5), 9, 18, 0)
    tz = zone("Europe/Madrid")
    dues = InfoDues(rules, tz)
    start = datetime(2026, 3, 27, tzinfo=UTC)  # a Friday before the change to summer time
    for minutes in range(0, 4 * 24 * 60, 7):
        requested_at = start + timedelta(minutes=minutes)
        assert dues(to_db(requested_at)) == to_db(info_due(requested_at, rules, tz))


@settings(max_examples=1500, deadline=None)
@given(
    text=st.lists(st.sampled_from(list(",;\t\r\n a\x00é ") + ["abcdef", "\r\n"]), max_size=40).map("".join),
    delimiter=st.sampled_from([",", ";", "\t"]),
    limit=st.sampled_from([5, 65536]),
)
def test_unquoted_reader_equals_the_quoted_reader(text, delimiter, limit):
    """On a file without quotes: records, fields, line counts and the rows rejected for
    a cell over the limit alike."""
    import io

    from leadloop.sources.csv import QuotedReader, UnquotedReader
    from leadloop.sources.rows import BrokenRecord

    def read(make):
        reader = make(io.StringIO(text, newline=""))
        return [((record.reason, record.text) if type(record) is BrokenRecord else record,
                 reader.line_num) for record in reader]

    assert read(lambda lines: UnquotedReader(lines, delimiter, limit)) == read(
        lambda lines: QuotedReader(lines, delimiter, limit))


@settings(max_examples=1500, deadline=None)
@given(
    text=st.lists(st.sampled_from(list(',;\r\n a"') + ['""', '"a,b"', "\r\n"]), max_size=40).map("".join),
    delimiter=st.sampled_from([",", ";"]),
)
def test_the_quoted_reader_equals_csv_reader_on_well_formed_files(text, delimiter):
    """Where csv.reader in strict mode reads the whole file, the quoted reader gives the
    same records and line counts; elsewhere every line is in exactly one record."""
    import csv
    import io

    from leadloop.sources.csv import QuotedReader
    from leadloop.sources.rows import BrokenRecord

    reader = QuotedReader(io.StringIO(text, newline=""), delimiter)
    ours = [(record if type(record) is not BrokenRecord else "broken", reader.line_num)
            for record in reader]
    strict = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        expected = [(record, strict.line_num) for record in strict]
    except csv.Error:
        expected = None
    if expected is not None:
        assert ours == expected
    lines = io.StringIO(text, newline="").readlines()
    assert (ours[-1][1] if ours else 0) == len(lines)
