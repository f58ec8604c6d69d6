"""Subjects of one thread compare equal whatever prefixes clients add."""

import pytest

from services.email.parsing import normalise_subject, strip_reply_prefixes
from services.email.parsing.subjects import reply_subject


@pytest.mark.parametrize("subject", [
    "Order 10452", "Re: Order 10452", "RE: Re: order  10452", "AW: WG: Order 10452", "Fwd: Re[2]: Order 10452",
    "Sv: Order 10452", "  re :  Order 10452 ", "Antw: FW: order 10452", "Re：Order 10452",
])
def test_prefixed_subjects_normalise_to_the_same_value(subject):
    assert normalise_subject(subject) == "order 10452"


def test_words_that_merely_start_like_a_prefix_are_kept():
    assert strip_reply_prefixes("Reply: needed") == "Reply: needed"
    assert strip_reply_prefixes("Awesome: tent") == "Awesome: tent"


@pytest.mark.parametrize("subject, expected", [
    ("Order 10452", "Re: Order 10452"), ("Re: Re: Order", "Re: Order"), ("AW: Rechnung", "Re: Rechnung"),
    ("", "Re:"), ("Re:", "Re:"),
])
def test_a_reply_subject_carries_exactly_one_re(subject, expected):
    assert reply_subject(subject) == expected
