"""What a user typed becomes plain words; impossible queries are refused up front."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from services.search.engines.base import UNSET, InvalidQuery, SearchQuery
from services.search.engines.search_input import (
    MAX_LIMIT,
    MAX_QUERY_WORDS,
    check_search_query,
    conversation_changes,
    split_query_words,
)


def test_words_are_split_on_any_whitespace():
    assert split_query_words(" refund\tpolicy\n\u3000now ") == ["refund", "policy", "now"]


def test_repeated_words_are_kept_once_whatever_their_case():
    assert split_query_words("Refund refund REFUND policy") == ["Refund", "policy"]


def test_only_the_first_words_of_a_huge_query_are_kept():
    words = split_query_words(" ".join(f"w{n}" for n in range(5_000)))

    assert words == [f"w{n}" for n in range(MAX_QUERY_WORDS)]


def test_control_characters_and_lone_surrogates_separate_words():
    assert split_query_words("refund\x00policy\x07now\ud800later") == [
        "refund", "policy", "now", "later"
    ]


def test_operators_stay_inside_their_words():
    assert split_query_words('"a" -b (c) NEAR*') == ['"a"', "-b", "(c)", "NEAR*"]


def test_an_empty_or_blank_query_has_no_words():
    assert split_query_words("") == [] and split_query_words(" \n ") == []


@pytest.mark.parametrize("limit", [1, 20, MAX_LIMIT])
def test_a_page_size_in_range_is_accepted(limit):
    check_search_query(SearchQuery(limit=limit))


@pytest.mark.parametrize("limit", [0, -5, MAX_LIMIT + 1, True, 2.5, "10"])
def test_a_page_size_out_of_range_or_not_an_integer_is_refused(limit):
    with pytest.raises(InvalidQuery):
        check_search_query(SearchQuery(limit=limit))


def test_dates_must_carry_a_time_zone():
    aware = datetime(2025, 1, 1, tzinfo=timezone.utc)
    check_search_query(SearchQuery(created_from=aware, created_to=aware))

    with pytest.raises(InvalidQuery, match="created_to"):
        check_search_query(SearchQuery(created_to=datetime(2025, 1, 1)))


def test_a_conversation_update_sets_only_what_it_was_given():
    assert conversation_changes("resolved", UNSET, UNSET, None, None) == {"status": "resolved"}


def test_none_for_the_assignee_or_team_means_nobody():
    assert conversation_changes(None, None, None, None, None) == {
        "assignee_id": None,
        "team_id": None,
    }


def test_a_contact_merge_sets_the_surviving_contact_and_its_name():
    assert conversation_changes(None, UNSET, UNSET, "contact-ada", "Ada") == {
        "contact_id": "contact-ada",
        "contact_name": "Ada",
    }
