"""The fast address path decides exactly as email-validator does (SPEC §5).

The fast path may only accept addresses email-validator accepts, normalised
identically; everything else must reach email-validator so that rejections
and their reasons are its own. Hypothesis builds near-miss addresses from
the characters and shapes where the two could disagree.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadloop.addresses import _plain, normalize_address, validated_address
from leadloop.errors import InvalidAddress

LOCAL_CHARS = "aAzZ09._+-!#$%&'*/=?^`{|}~\"() ,;:<>[]\\é\u00a0\t"
DOMAIN_CHARS = "aAzZ09-._é[]:"
TLDS = ["com", "ES", "org", "co", "c", "c0m", "123", "x1", "local", "localhost", "test",
        "invalid", "onion", "arpa", "example", "xn--p1ai", "a" * 63, "a" * 64, ""]


def verdict(function, candidate):
    try:
        return function(candidate)
    except InvalidAddress as err:
        return ("invalid", str(err))


local_parts = st.one_of(
    st.text(alphabet=LOCAL_CHARS, min_size=0, max_size=12),
    st.lists(st.text(alphabet="aZ9_+-", min_size=0, max_size=8), min_size=1, max_size=4).map(".".join),
    st.integers(min_value=60, max_value=70).map(lambda n: "a" * n),
)
labels = st.one_of(
    st.text(alphabet=DOMAIN_CHARS, min_size=0, max_size=10),
    st.sampled_from(["gmail", "xn--bcher-kva", "ab--cd", "a-b", "-ab", "ab-", "1", "a" * 63, "a" * 64]),
)
domains = st.builds(
    lambda parts, tld: ".".join([*parts, tld]),
    st.lists(labels, min_size=0, max_size=4),
    st.sampled_from(TLDS),
)
addresses = st.one_of(
    st.builds(lambda local, at, domain, pad: f"{pad}{local}{at}{domain}{pad}",
              local_parts, st.sampled_from(["@", "@", "@", "@@", "", " @"]), domains,
              st.sampled_from(["", " ", "\t", "\u00a0"])),
    st.text(max_size=30),
)


@settings(max_examples=2500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(addresses)
def test_fast_path_agrees_with_email_validator(candidate):
    assert verdict(normalize_address, candidate) == verdict(validated_address, candidate.strip())


@settings(max_examples=600, deadline=None)
@given(st.builds(lambda local, domain: f"{local}@{domain}",
                 st.lists(st.text(alphabet="abcXYZ019_+-", min_size=1, max_size=10), min_size=1, max_size=3).map(".".join),
                 st.builds(lambda parts, tld: ".".join([*parts, tld]),
                           st.lists(st.from_regex(r"[a-zA-Z0-9]([a-zA-Z0-9-]{0,8}[a-zA-Z0-9])?", fullmatch=True),
                                    min_size=1, max_size=3),
                           st.from_regex(r"[a-zA-Z]{2,8}", fullmatch=True))))
def test_fast_path_takes_the_common_shapes(candidate):
    """The fast path must actually be used for ordinary addresses, or the import is slow."""
    expected = verdict(validated_address, candidate)
    if "--" in candidate.partition("@")[2] or candidate.rpartition(".")[2].lower() in {"test", "local", "onion", "arpa"}:
        return
    assert _plain(candidate) == expected


@pytest.mark.parametrize("candidate", [
    "a" * 64 + "@example.com",
    "a" * 65 + "@example.com",
    "ana@" + "a" * 63 + ".com",
    "ana@" + "a" * 64 + ".com",
    "a@" + ".".join(["a" * 60] * 4) + ".com",
    "a" * 64 + "@" + ".".join(["b" * 61] * 3) + ".com",
    " Ana.Pérez@Example.COM ",
    "ANA+ads@GMAIL.com",
    "ana@xn--bcher-kva.com",
    "ana@mail.test",
    "ana@localhost",
    "ana..b@example.com",
])
def test_edge_lengths_and_shapes(candidate):
    assert verdict(normalize_address, candidate) == verdict(validated_address, candidate.strip())
