"""Cursors walk through every result once, in order, whatever the page size."""

from __future__ import annotations

import base64
import json

import pytest

from services.search.engines.base import InvalidQuery, SearchQuery
from tests.conformance.search.messages import all_pages, background_messages, message, store


def ids_of(pages) -> list[str]:
    return [hit.message_id for page in pages for hit in page.items]


def test_walking_every_page_yields_each_message_once_newest_first(engine):
    store(engine, *(message(f"m-{n:02}", "status update", minute=n) for n in range(23)))

    pages = all_pages(engine, limit=5)

    assert [len(page.items) for page in pages] == [5, 5, 5, 5, 3]
    assert ids_of(pages) == [f"m-{n:02}" for n in reversed(range(23))]
    assert {page.total for page in pages} == {23}
    assert pages[-1].next_cursor is None


def test_walking_ranked_pages_yields_each_match_once_in_rank_order(engine):
    docs = [message(f"m-{n:02}", "refund " * (1 + n % 4) + "please", minute=n) for n in range(17)]
    store(engine, *background_messages(), *docs)

    pages = all_pages(engine, q="refund", limit=4)
    single_page = engine.search(SearchQuery(q="refund", limit=50))

    assert ids_of(pages) == [hit.message_id for hit in single_page.items]
    assert sorted(ids_of(pages)) == sorted(doc.message_id for doc in docs)
    assert {page.total for page in pages} == {17}


def test_messages_written_at_the_same_instant_are_neither_skipped_nor_repeated(engine):
    store(engine, *(message(f"m-{n:02}", "same moment", minute=0) for n in range(12)))

    pages = all_pages(engine, limit=5)

    assert ids_of(pages) == [f"m-{n:02}" for n in range(12)]


def test_a_page_exactly_as_long_as_the_rest_has_no_next_cursor(engine):
    store(engine, *(message(f"m-{n}", "hello", minute=n) for n in range(4)))

    first = engine.search(SearchQuery(limit=2))
    second = engine.search(SearchQuery(limit=2, cursor=first.next_cursor))

    assert first.next_cursor is not None
    assert len(second.items) == 2 and second.next_cursor is None


def test_cursors_are_url_safe_text(engine):
    refunds = [message(f"m-{n}", "refund", minute=n) for n in range(3)]
    store(engine, *background_messages(), *refunds)

    cursors = [
        engine.search(SearchQuery(limit=1)).next_cursor,
        engine.search(SearchQuery(q="refund", limit=1)).next_cursor,
    ]

    for cursor in cursors:
        assert cursor and all(ch.isalnum() or ch in "-_" for ch in cursor)


def _encoded(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor",
        "%%%",
        _encoded({"after": 1}),
        _encoded([1, 2, 3, 4]),
        _encoded(["late", "m-1"]),
        _encoded([True, "m-1"]),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ],
)
def test_a_cursor_this_search_did_not_make_is_refused(engine, cursor):
    store(engine, message("m-1", "hello"))

    with pytest.raises(InvalidQuery):
        engine.search(SearchQuery(cursor=cursor, limit=1))


def test_a_cursor_of_a_ranked_search_is_refused_by_an_unranked_one(engine):
    refunds = [message(f"m-{n}", "refund", minute=n) for n in range(3)]
    store(engine, *background_messages(), *refunds)
    ranked_cursor = engine.search(SearchQuery(q="refund", limit=1)).next_cursor

    with pytest.raises(InvalidQuery):
        engine.search(SearchQuery(cursor=ranked_cursor, limit=1))


@pytest.mark.parametrize("limit", [0, -1, 101, 10_000])
def test_a_page_size_out_of_range_is_refused(engine, limit):
    with pytest.raises(InvalidQuery):
        engine.search(SearchQuery(limit=limit))
