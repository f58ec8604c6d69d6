"""Whatever a user types is searched as plain words: no syntax, no errors."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.search.engines.base import SearchPage, SearchQuery
from tests.conformance.search.messages import background_messages, found_ids, message, store


@pytest.fixture
def refund_inbox(engine):
    store(
        engine,
        *background_messages(),
        message("policy", "Your refund and policy questions answered", minute=1),
        message("plain", "I want a refund", minute=2),
    )
    return engine


@pytest.mark.parametrize(
    "q",
    ['"refund"', '"refund', "refund)", "(refund", "refund*", "-refund", "+refund", "~refund",
     "refund\\", "[refund]", "{refund}", "refund:", "|refund", "refund!", "'refund'"],
)
def test_operator_characters_around_a_word_are_ignored(refund_inbox, q):
    assert found_ids(refund_inbox, q=q) == ["plain", "policy"]


def test_a_minus_sign_does_not_exclude_a_word(refund_inbox):
    assert found_ids(refund_inbox, q="refund -policy") == ["policy"]


def test_boolean_words_are_words_not_operators(refund_inbox):
    assert found_ids(refund_inbox, q="refund AND policy") == ["policy"]
    assert found_ids(refund_inbox, q="refund OR xylophone") == []
    assert found_ids(refund_inbox, q="NOT refund") == []


@pytest.mark.parametrize(
    "q",
    [
        "NEAR(refund policy)",
        "refund NEAR/2 policy",
        "subject:refund",
        "text:refund OR 1=1",
        "'; DROP TABLE messages; --",
        '" OR ""="',
        "*",
        "-",
        "()",
        '"',
        '""',
        "\\",
        "AND",
        "OR OR OR",
        "refund\x00policy",
        "\u200b\u200d",
        "🙂",
        "a" * 10_000,
        "refund " * 2_000,
        " ".join(f"w{n}" for n in range(2_000)),
    ],
)
def test_query_syntax_and_huge_queries_never_raise(refund_inbox, q):
    page = refund_inbox.search(SearchQuery(q=q))

    assert isinstance(page, SearchPage)
    assert page.total >= len(page.items)


def test_a_repeated_word_finds_what_the_word_finds(refund_inbox):
    assert found_ids(refund_inbox, q="refund " * 2_000) == ["plain", "policy"]


def test_the_messages_table_survives_a_query_that_looks_like_sql(refund_inbox):
    refund_inbox.search(SearchQuery(q="'; DROP TABLE messages; --"))

    assert found_ids(refund_inbox, q="refund") == ["plain", "policy"]


@settings(
    max_examples=60,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(q=st.text(max_size=80))
def test_any_text_at_all_is_answered_with_a_page(refund_inbox, q):
    page = refund_inbox.search(SearchQuery(q=q, limit=5))

    assert page.total >= len(page.items)
    assert all(hit.snippet.count("<mark>") == hit.snippet.count("</mark>") for hit in page.items)
