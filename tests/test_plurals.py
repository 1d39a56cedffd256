"""Counts the marketer reads are in the right number (issue #27 item 11): the same
commands run over one item and over several, and nothing says "1 replies"."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from test_inbox import Maildir, mail

from leadloop.plurals import count, noun

SENT_AT = "2026-03-02T10:00"
LATER = "2026-03-03T10:00"

# "1 replies", "1 info packs", "1 customer questions": a 1 followed by a plural noun.
# Words that end in s and are not plurals (verbs after a count) are allowed.
ONE_PLURAL = re.compile(r"(?<![\d.,])\b1 (?:[a-z-]+ ){0,2}?([a-z-]+s)\b")
NOT_PLURALS = {"is", "was", "has", "waits", "answers", "goes", "its", "as", "does"}


def plural_mistakes(text: str) -> list[str]:
    return [match.group(0) for match in ONE_PLURAL.finditer(text)
            if match.group(1) not in NOT_PLURALS]


def test_babel_rules_by_language():
    assert count(1, "info pack") == "1 info pack"
    assert count(2, "reply", "replies") == "2 replies"
    assert count(0, "reply", "replies") == "0 replies"
    assert count(1_204, "lead") == "1,204 leads"
    assert count(1, "persona", locale="es") == "1 persona"
    assert count(0, "persona", locale="es") == "0 personas"
    # French says "one" for 0 and 1 (CLDR): the rule is Babel's, not "n == 1".
    assert count(0, "personne", locale="fr") == "0 personne"
    assert noun(3, "osoba", "osób", locale="pl", few="osoby") == "osoby"
    assert noun(5, "osoba", "osób", locale="pl", few="osoby") == "osób"
    assert count(1, "thing", locale="xx-unknown") == "1 thing"


@settings(max_examples=500, deadline=None)
@given(st.integers(min_value=-10**12, max_value=10**12))
@example(1)
@example(-1)
@example(0)
def test_english_whole_numbers_are_counted_as_babel_counts_them(number):
    """The CLI's English counts skip Babel (plurals.category, BENCH.md B4C): the same
    category as Babel's CLDR rule for every whole number."""
    from leadloop.plurals import _rule, category

    assert category(number) == _rule("en")(abs(number))


def test_english_counts_load_no_babel():
    import subprocess
    import sys

    code = ("import sys\nfrom leadloop.plurals import count\n"
            "print(count(1, 'message'), count(3, 'message'), 'babel' in sys.modules)")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert shown.stdout.split() == ["1", "message", "3", "messages", "False"], shown.stderr


def test_a_template_counts_in_the_leads_language(tmp_path, run):
    (tmp_path / "leadloop.toml").write_text(
        '[sender]\nname = "Laura"\naddress = "laura@example.com"\n', encoding="utf-8")
    (tmp_path / "templates" / "es").mkdir(parents=True)
    (tmp_path / "templates" / "es" / "info.txt").write_text(
        "Subject: Hola\n\nUsted y {{ 1|plural('persona', 'personas') }} mas; "
        "{{ 3|plural('persona', 'personas') }}.\n", encoding="utf-8")
    (tmp_path / "leads.csv").write_text("email,nombre\nana@example.com,Ana\n", encoding="utf-8")
    assert run("import", "leads.csv").exit_code == 0
    shown = run("--now", SENT_AT, "preview", "ana@example.com")
    assert shown.exit_code == 0, shown.stderr
    assert "1 persona mas; 3 personas." in shown.stdout


def _history(tmp_path, run, size: int) -> str:
    """Everything a marketer reads while `size` leads go through a first round: import
    (with `size` rejected rows), a dry run, the send, the inbox with `size` replies,
    auto-replies and customer questions, answering, export and stats."""
    (tmp_path / "leadloop.toml").write_text(
        '[sender]\nname = "Laura"\naddress = "laura@example.com"\n\n[inbox]\nmaildir = "mail"\n',
        encoding="utf-8")
    rows = [f"lead{n}@example.com,Lead {n},Curso,01/03/2026" for n in range(size)]
    rows += [f"not-an-address-{n},Nadie,Curso,01/03/2026" for n in range(size)]
    rows += [f"buyer{n}@example.com,Buyer {n},Curso,01/03/2026" for n in range(size)]
    (tmp_path / "leads.csv").write_text("email,nombre,producto,fecha\n" + "\n".join(rows) + "\n",
                                        encoding="utf-8")
    box = Maildir(tmp_path / "mail")
    said = []

    def step(*args, codes=(0,)):
        result = run(*args)
        assert result.exit_code in codes, result.stderr
        said.append(result.stdout + result.stderr)
        return result

    step("import", "leads.csv")
    step("--now", SENT_AT, "send", "--dry-run")
    step("--now", SENT_AT, "check")
    step("--now", SENT_AT, "run-daily")
    for n in range(size):
        step("--now", SENT_AT, "mark", f"buyer{n}@example.com", "customer")
    for n in range(size):
        box.deliver(mail(f"lead{n}@example.com", "Re: info", "Me interesa."))
        box.deliver(mail(f"buyer{n}@example.com", "Duda", "¿Cuándo empieza?"))
    step("--now", LATER, "inbox")
    step("--now", LATER, "questions")
    for n in range(size):
        step("--now", LATER, "answered", f"buyer{n}@example.com")
    step("--now", LATER, "export", "-o", "leads-export.csv")
    step("--now", LATER, "stats")
    return "\n".join(said)


@pytest.mark.parametrize("size", [1, 3])
def test_no_count_of_one_is_followed_by_a_plural(tmp_path, run, size):
    text = _history(tmp_path, run, size)
    assert not plural_mistakes(text), text
    if size == 1:
        assert "1 reply," in text and "1 customer question" in text
        assert "1 question of buyer0@example.com closed" in text
    else:
        assert "3 replies," in text and "3 customer questions" in text
    assert f"{2 * size} leads written" in text
