"""Accents, emoji and scripts without spaces are searchable the way customers write them."""

from __future__ import annotations

from services.search.engines.base import SearchQuery
from tests.conformance.search.messages import background_messages, found_ids, message, store


def test_a_word_typed_without_accents_finds_it_written_with_them(engine):
    store(engine, *background_messages(), message("m-1", "Le café était froid à l'arrivée"))

    assert found_ids(engine, q="cafe") == ["m-1"]
    assert found_ids(engine, q="etait froid") == ["m-1"]


def test_a_word_typed_with_accents_finds_it_written_without_them(engine):
    store(engine, *background_messages(), message("m-1", "The naive question about my resume"))

    assert found_ids(engine, q="naïve résumé") == ["m-1"]


def test_capital_letters_do_not_matter(engine):
    store(engine, *background_messages(), message("m-1", "ÉCOLE Refund"))

    assert found_ids(engine, q="école REFUND") == ["m-1"]


def test_emoji_in_messages_and_queries_do_not_break_search(engine):
    store(engine, *background_messages(), message("m-1", "Thanks for the refund 😀🎉 great service"))

    assert found_ids(engine, q="refund 😀") == ["m-1"]
    assert found_ids(engine, q="great 🎉") == ["m-1"]


def test_chinese_text_is_found_by_a_whole_word_separated_by_spaces(engine):
    store(engine, *background_messages(), message("m-1", "订单 你好世界 退款"), message("m-2", "别的 内容"))

    assert found_ids(engine, q="你好世界") == ["m-1"]


def test_other_scripts_are_found_by_their_words(engine):
    store(
        engine,
        *background_messages(),
        message("greek", "Η παραγγελία μου καθυστερεί", minute=1),
        message("russian", "Мой заказ задерживается", minute=2),
    )

    assert found_ids(engine, q="заказ") == ["russian"]
    assert found_ids(engine, q="παραγγελία") == ["greek"]


def test_messages_with_control_characters_or_broken_unicode_are_still_indexed(engine):
    store(
        engine,
        *background_messages(),
        message("nul", "refund\x00requested by fax\x07", minute=1),
        message("surrogate", "refund \ud83d broken emoji", contact_name="Ada \udc00", minute=2),
    )

    page = engine.search(SearchQuery(q="refund"))

    assert {hit.message_id for hit in page.items} == {"nul", "surrogate"}
    assert all("\ud83d" not in hit.snippet for hit in page.items)
