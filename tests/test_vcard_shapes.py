"""No value a vCard can hold in the properties leadloop reads (N, FN, ORG, EMAIL, REV,
TEL) or skips (NOTE, CATEGORIES, PHOTO, AGENT …) makes the reader raise: every card is
a row of one-line cells or a rejected row with its reason (issue #25: ORG's list of
lists once raised TypeError). Properties are made of the pieces the format's grammar
has (groups, bare 2.1 types, quoted parameters, ENCODING=b / QUOTED-PRINTABLE, escapes,
separators, folding) and random text."""

import io
import string

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from leadloop.errors import InputError
from leadloop.sources.rows import Batch
from leadloop.sources.vcard import HEADER, VcardSource

NAMES = ["N", "FN", "ORG", "EMAIL", "REV", "TEL", "NOTE", "CATEGORIES", "PHOTO", "LOGO",
         "AGENT", "PROFILE", "NAME", "SOURCE", "ADR", "LABEL", "X-ABLABEL", "VERSION", "KEY"]
PARAMETERS = ["", ";PREF", ";TYPE=pref", ";type=INTERNET;type=pref", ";PREF=1", ";PREF=x",
              ";PREF=²", ";PREF=99999999999", ";ENCODING=b", ";ENCODING=BASE64",
              ";ENCODING=QUOTED-PRINTABLE", ';TYPE="a:b",work', ";VALUE=uri",
              ";VALUE=date-time", ";X509;ENCODING=BASE64", ";LANGUAGE=es", ";", ";=", ';TYPE="']
PARAMETERS += [f";CHARSET={charset};ENCODING=QUOTED-PRINTABLE"
               for charset in ("UTF-8", "nonesuch", "idna", "punycode", "base64")]
PIECES = [";", ",", "\\", "\\,", "\\;", "\\n", "\\\\", "=", "=C3=B1", "=\r\n", "\r\n ",
          "\r\n\t", "\r\n\r\n", ":", "BEGIN:VCARD", "END:VCARD", "\r\nBEGIN:VCARD\r\n",
          "\r\nEND:VCARD\r\n", "ana@example.com", "2026-03-09T10:00:00Z", "20260230", "é",
          "\u2028", "\x85", "\x00", "\x0c", " "]
VALUES = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)),
                  max_size=8).map("".join)
PROPERTY = st.builds(lambda group, name, params, value: f"{group}{name}{params}:{value}",
                     st.sampled_from(["", "item1.", "a-b."]), st.sampled_from(NAMES),
                     st.sampled_from(PARAMETERS), VALUES)
STRAY = st.text(alphabet=string.ascii_letters + string.digits + "+/= \t", max_size=30)
CARD = st.builds(lambda version, lines: "\r\n".join(
                     ["BEGIN:VCARD", f"VERSION:{version}", *lines, "END:VCARD"]),
                 st.sampled_from(["2.1", "3.0", "4.0"]),
                 st.lists(st.one_of(PROPERTY, PROPERTY, PROPERTY, STRAY), max_size=10))


def _read(text: str) -> list[Batch]:
    data = text.encode("utf-8", "surrogatepass")
    source = VcardSource("c.vcf", io.BytesIO(data), None, len(data))
    return list(source.batches())


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(CARD, min_size=1, max_size=3).map("\r\n".join))
@example("BEGIN:VCARD\r\nVERSION:2.1\r\nORG:Company, The;TheDepartment\r\n"
         "EMAIL:a@example.com\r\nEND:VCARD")
@example("BEGIN:VCARD\r\nVERSION:3.0\r\nN:a,b;c,d;e;f;g;h;i\r\nORG:;;;\r\nFN:\r\n"
         "EMAIL;PREF=x:\\\r\nEMAIL;ENCODING=b:!!\r\nREV:\r\nEND:VCARD")
@example("BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=idna;ENCODING=QUOTED-PRINTABLE:xn--\r\n"
         "N;CHARSET=punycode;ENCODING=QUOTED-PRINTABLE:abc\\x\r\nEMAIL:a@example.com\r\nEND:VCARD")
@example("BEGIN:VCARD\r\nVERSION:2.1\r\nN:\r\nN:\r\nEMAIL:\x00\r\nEND:VCARD")  # (once lost unsaid)
def test_no_card_makes_the_reader_raise(text):
    try:
        batches = _read(text)
    except InputError:
        return  # a file-wide fault (no card at all): one sentence, exit 2
    cards = 0
    for batch in batches:
        cards += len(batch.leads) + len(batch.rejects)
        for reject in batch.rejects:
            assert reject.reason and "\n" not in reject.reason
        for lead in batch.leads:
            assert all(cell is None or isinstance(cell, (str, bool)) for cell in lead[1:])
            assert all("\n" not in cell and "\r" not in cell
                       for cell in lead[1:] if isinstance(cell, str))
    assert cards >= 1


def test_every_read_property_in_every_shape_still_imports_the_address():
    """One card per read property and odd value: the card's address is never lost to
    the shape of another property's value."""
    odd = ["Company, The;TheDepartment", "a,b;c,d;;;;;;", ";;;;", "", "\\", "x\\", "\\;\\,",
           "a;b\\;c,d\\,e", "2026-02-30", "99999999T999999Z", "=", "é,ü;ñ"]
    for name in ("N", "FN", "ORG", "REV", "TEL", "CATEGORIES", "NOTE", "X-ABLABEL", "NICKNAME"):
        for value in odd:
            for params in ("", ";ENCODING=QUOTED-PRINTABLE", ";VALUE=text", ";CHARSET=UTF-8"):
                text = (f"BEGIN:VCARD\r\nVERSION:3.0\r\n{name}{params}:{value}\r\n"
                        "EMAIL:ana@example.com\r\nEND:VCARD\r\n")
                batches = _read(text)
                leads = [lead for batch in batches for lead in batch.leads]
                assert [lead[1] for lead in leads] == ["ana@example.com"], (name, params, value)
    assert len(HEADER) == 8
