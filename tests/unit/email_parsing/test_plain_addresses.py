"""Plain address headers are read without the stdlib's parser, and always exactly as it reads them."""

from email import policy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.email.parsing.plain_addresses import read_plain_addresses

SETTINGS = settings(max_examples=2000, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _stdlib(raw: str) -> list[tuple[str, str]]:
    return [(a.display_name, a.addr_spec) for a in policy.default.header_factory("To", raw).addresses]


# Pieces of real and odd address headers; joined at random they make plain and non-plain lists alike.
_WORDS = st.sampled_from([
    "Anna", "O'Brien", "J.", "Müller", "=?utf-8?q?J=C3=BCrgen?=", "(comment)", "x_y", "a/b", "Q", "",
    '"Smith, John"', '" spaced  name "', '"q\\"uote"', '""', "undisclosed-recipients:;", "\\",
])
_ADDRESSES = st.sampled_from([
    "anna@example.com", "Anna.Berg@Sub.Example.COM", "a+tag@x.io", "a..b@x.io", ".a@x.io", "a@b", "a@[1.2.3.4]",
    '"a b"@x.io', "a@-x.io", "a@x_y.io", "not-an-address", "", "a@x.io.", "ü@x.io", "o'brien@x.ie",
])
_MAILBOXES = st.one_of(
    _ADDRESSES,
    st.builds(lambda a: f"<{a}>", _ADDRESSES),
    st.builds(lambda words, gap, a: f"{gap.join(words)}{gap}<{a}>",
              st.lists(_WORDS, max_size=3), st.sampled_from([" ", "  ", "\t", ""]), _ADDRESSES),
)
_HEADERS = st.builds(lambda boxes, sep, edge: edge + sep.join(boxes) + edge,
                     st.lists(_MAILBOXES, min_size=1, max_size=4), st.sampled_from([", ", ",", " , ", ",,", " "]),
                     st.sampled_from(["", " ", ","]))


@SETTINGS
@given(_HEADERS)
def test_a_plain_header_reads_as_the_stdlib_reads_it_and_any_other_is_left_to_the_stdlib(raw):
    plain = read_plain_addresses(raw)
    if plain is not None:
        assert plain == _stdlib(raw)


@pytest.mark.parametrize("raw", [
    "anna@example.com", "<anna@example.com>", "Anna Berg <anna@example.com>", "Anna   Berg\t<Anna@Example.COM>",
    '"Berg, Anna" <anna@example.com>', '"" <a@x.io>', "O'Brien<o@x.ie>", "a@x.io, B <b@x.io>,", '" A " <a@x.io>',
])
def test_common_forms_are_read_without_the_stdlib(raw):
    assert read_plain_addresses(raw) == _stdlib(raw)


@pytest.mark.parametrize("raw", [
    "", "  ", "alerts@x.example (Uptime Monitor)", "undisclosed-recipients:;", '"=?utf-8?Q?J=C3=BCrgen?=" <j@x.de>',
    "=?utf-8?q?J=C3=BCrgen?= <j@x.de>", "John Q. Public <j@x.com>", "Jürgen <j@x.de>", '"a b"@x.io', "a@x.io b@x.io",
    '"q\\"uote" <a@x.io>', "a@[1.2.3.4]", "a@x.io, ",
])
def test_anything_unusual_is_left_to_the_stdlib(raw):
    assert read_plain_addresses(raw) is None
