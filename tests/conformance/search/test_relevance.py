"""Search finds what an agent means and puts the best match first."""

from __future__ import annotations

from services.search.engines.base import SearchQuery
from tests.conformance.search.messages import background_messages, found_ids, message, store


def test_a_message_naming_the_word_in_subject_and_text_ranks_above_a_single_mention(engine):
    store(
        engine,
        *background_messages(),
        message("once", "Where is my order? Also a refund maybe", subject="Order status", minute=5),
        message("twice", "I would like a refund for my order", subject="Refund request", minute=1),
    )

    assert found_ids(engine, q="refund") == ["twice", "once"]


def test_plural_and_singular_forms_find_each_other(engine):
    store(
        engine,
        *background_messages(),
        message("singular", "I asked for a refund last week", minute=1),
        message("plural", "Are refunds processed on weekends", minute=2),
    )

    assert set(found_ids(engine, q="refunds")) == {"singular", "plural"}
    assert set(found_ids(engine, q="refund")) == {"singular", "plural"}


def test_every_word_of_the_query_must_appear(engine):
    store(
        engine,
        *background_messages(),
        message("both", "The refund for my broken kettle", minute=1),
        message("only-refund", "The refund for my order", minute=2),
        message("only-kettle", "My kettle is broken", minute=3),
    )

    assert found_ids(engine, q="refund kettle") == ["both"]


def test_words_may_match_across_subject_and_text(engine):
    store(
        engine,
        *background_messages(),
        message("split", "It stopped heating after a week", subject="Kettle broken", minute=1),
    )

    assert found_ids(engine, q="kettle heating") == ["split"]


def test_an_empty_query_lists_newest_messages_first(engine):
    store(
        engine,
        message("early", "first", minute=1),
        message("late", "third", minute=30),
        message("middle", "second", minute=10),
    )

    assert found_ids(engine) == ["late", "middle", "early"]
    assert found_ids(engine, q="   ") == ["late", "middle", "early"]


def test_equally_relevant_messages_come_newest_first(engine):
    store(
        engine,
        *background_messages(),
        message("older", "Payment failed again", minute=1),
        message("newer", "Payment failed again", minute=2),
    )

    assert found_ids(engine, q="payment") == ["newer", "older"]


def test_a_search_reports_the_total_and_the_fields_of_each_hit(engine):
    doc = message("m-1", "Kettle leaks water", channel="sms", contact_name="Grace Hopper")
    store(engine, *background_messages(), doc)

    page = engine.search(SearchQuery(q="kettle"))

    assert page.total == 1 and page.next_cursor is None
    hit = page.items[0]
    assert (hit.message_id, hit.conversation_id) == ("m-1", "conv-1")
    assert (hit.contact_id, hit.contact_name) == ("contact-ada", "Grace Hopper")
    assert (hit.channel, hit.created_at) == ("sms", doc.created_at)


def test_a_word_found_nowhere_finds_nothing(engine):
    store(engine, *background_messages())

    page = engine.search(SearchQuery(q="xylophone"))

    assert page.items == [] and page.total == 0 and page.next_cursor is None
