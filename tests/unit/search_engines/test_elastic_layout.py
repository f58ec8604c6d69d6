"""The index template gives every messages index explicit, stemming, accent-folding mappings."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from services.search.engines.elastic_layout import ANALYZER, IndexNames, template_body


@pytest.fixture
def template():
    return template_body(IndexNames("acme"))


def test_the_template_covers_every_messages_index_of_the_installation(template):
    assert template["name"] == "acme-messages"
    assert template["index_patterns"] == ["acme-messages-*"]


def test_message_text_and_subject_use_the_english_stemming_analyser(template):
    properties = template["template"]["mappings"]["properties"]

    assert properties["text"] == {"type": "text", "analyzer": ANALYZER}
    assert properties["subject"]["analyzer"] == ANALYZER
    assert properties["subject"]["fields"]["keyword"]["type"] == "keyword"


def test_the_analyser_stems_english_folds_accents_and_keeps_every_word(template):
    analysis = template["template"]["settings"]["analysis"]
    steps = analysis["analyzer"][ANALYZER]["filter"]

    assert "asciifolding" in steps and "lowercase" in steps
    stemmers = [analysis["filter"][name] for name in steps if name in analysis["filter"]]
    assert {"type": "stemmer", "language": "english"} in stemmers
    assert all(analysis["filter"].get(name, {}).get("type") != "stop" for name in steps)


def test_ids_and_categories_are_exact_keywords_and_time_and_version_are_typed(template):
    properties = template["template"]["mappings"]["properties"]

    for name in ("message_id", "conversation_id", "contact_id", "channel", "direction",
                 "assignee_id", "team_id", "status"):
        assert properties[name] == {"type": "keyword"}, name
    assert properties["created_at"] == {"type": "date"}
    assert properties["version"] == {"type": "long"}


def test_unknown_fields_are_refused_rather_than_guessed(template):
    assert template["template"]["mappings"]["dynamic"] == "strict"


def test_aliases_and_index_names_derive_from_the_prefix():
    names = IndexNames("acme")

    assert (names.read_alias, names.write_alias) == ("acme-messages", "acme-messages-write")
    assert names.first_index == "acme-messages-initial"
    moment = datetime(2025, 3, 3, 9, 5, 7, 123456, tzinfo=timezone.utc)
    assert names.new_index(moment) == "acme-messages-20250303090507123456"


@pytest.mark.parametrize("prefix", ["", "Acme", "-acme", "_acme", "ac me", "acme/x", "a*"])
def test_a_prefix_that_cannot_start_an_index_name_is_refused(prefix):
    with pytest.raises(ValueError):
        IndexNames(prefix)
