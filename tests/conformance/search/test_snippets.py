"""Each hit shows where the words matched, safely escaped for an HTML page."""

from __future__ import annotations

from services.search.engines.base import SearchQuery
from tests.conformance.search.messages import background_messages, message, store


def first_snippet(engine, q: str = "") -> str:
    return engine.search(SearchQuery(q=q)).items[0].snippet


def test_the_snippet_marks_the_matched_word(engine):
    store(engine, *background_messages(), message("m-1", "Please send my refund today"))

    assert "<mark>refund</mark>" in first_snippet(engine, "refund")


def test_the_snippet_marks_a_stemmed_match_as_written(engine):
    store(engine, *background_messages(), message("m-1", "Where are my refunds"))

    assert "<mark>refunds</mark>" in first_snippet(engine, "refund")


def test_the_snippet_escapes_html_written_by_the_customer(engine):
    store(engine, *background_messages(), message("m-1", "refund <script>alert(1)</script> now"))

    snippet = first_snippet(engine, "refund")

    assert "<script>" not in snippet
    assert "&lt;script&gt;" in snippet
    assert snippet.count("<mark>") == snippet.count("</mark>") == 1


def test_a_customer_cannot_forge_a_highlight(engine):
    store(engine, *background_messages(), message("m-1", "refund \ue000<mark>boom</mark>\ue001"))

    snippet = first_snippet(engine, "refund")

    assert snippet.count("<mark>") == 1
    assert "&lt;mark&gt;boom" in snippet


def test_a_listing_without_words_shows_the_escaped_start_of_the_message(engine):
    store(engine, message("m-1", "Hello <b>team</b> & friends"))

    snippet = first_snippet(engine)

    assert "<mark>" not in snippet
    assert snippet.startswith("Hello &lt;b&gt;team")
    assert "&amp;" in snippet


def test_a_long_message_gets_a_short_snippet(engine):
    store(engine, *background_messages(), message("m-1", "blah " * 400 + "refund " + "blah " * 400))

    snippet = first_snippet(engine, "refund")

    assert "<mark>refund</mark>" in snippet
    assert len(snippet) < 400
