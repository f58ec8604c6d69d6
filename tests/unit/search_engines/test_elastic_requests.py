"""Searches and writes become the Elasticsearch requests that keep their promises."""

from __future__ import annotations

from datetime import datetime, timezone

from services.search.engines.base import MessageDocument, SearchQuery
from services.search.engines.elastic_layout import IndexNames
from services.search.engines.elastic_requests import (
    KEEP_NEWEST,
    conversation_change,
    hit_of,
    search_request,
    upsert_action,
    with_newest_states,
)
from tests.conformance.search.messages import message

NAMES = IndexNames("acme")
NOON = datetime(2025, 3, 3, 12, 0, tzinfo=timezone.utc)


def test_words_are_matched_all_together_with_no_operator_but_whitespace():
    request = search_request(NAMES, SearchQuery(q="ignored"), ["refund", "-policy"], None)

    text_query = request["query"]["bool"]["must"][0]["simple_query_string"]
    assert text_query["query"] == "refund -policy"
    assert (text_query["default_operator"], text_query["flags"]) == ("and", "WHITESPACE")
    assert request["index"] == "acme-messages"


def test_a_ranked_search_sorts_by_score_then_newest_then_id_and_highlights():
    request = search_request(NAMES, SearchQuery(limit=10), ["refund"], [1.5, 99, "m-1"])

    assert request["sort"] == [{"_score": "desc"}, {"created_at": "desc"}, {"message_id": "asc"}]
    assert request["search_after"] == [1.5, 99, "m-1"]
    assert request["size"] == 11 and request["track_total_hits"] is True
    assert request["highlight"]["pre_tags"] == ["<mark>"]
    assert request["highlight"]["encoder"] == "html"


def test_a_listing_without_words_matches_all_newest_first_without_highlights():
    request = search_request(NAMES, SearchQuery(), [], None)

    assert request["query"]["bool"]["must"] == [{"match_all": {}}]
    assert request["sort"] == [{"created_at": "desc"}, {"message_id": "asc"}]
    assert "highlight" not in request and "search_after" not in request


def test_filters_and_the_time_window_become_exact_filters():
    query = SearchQuery(channel="sms", status="open", created_from=NOON, created_to=NOON)

    filters = search_request(NAMES, query, [], None)["query"]["bool"]["filter"]

    assert {"term": {"channel": "sms"}} in filters and {"term": {"status": "open"}} in filters
    window = {"gte": "2025-03-03T12:00:00+00:00", "lt": "2025-03-03T12:00:00+00:00"}
    assert {"range": {"created_at": window}} in filters


def test_an_agent_sees_their_teams_or_their_assignments():
    query = SearchQuery(visible_team_ids=frozenset({"t2", "t1"}), visible_assignee_id="agent-lin")

    filters = search_request(NAMES, query, [], None)["query"]["bool"]["filter"]

    assert filters == [{"bool": {"minimum_should_match": 1, "should": [
        {"terms": {"team_id": ["t1", "t2"]}}, {"term": {"assignee_id": "agent-lin"}},
    ]}}]


def test_an_upsert_keeps_the_newest_version_by_script():
    doc = MessageDocument(
        message_id="m-1", conversation_id="c", contact_id="k", contact_name="Ada",
        channel="chat", direction="inbound", text="hi", subject="", created_at=NOON,
        assignee_id=None, team_id=None, status="open", version=4,
    )

    action = upsert_action(NAMES, doc)

    assert (action["_op_type"], action["_id"]) == ("update", "m-1")
    assert action["_index"] == "acme-messages-write"
    assert action["_source"]["scripted_upsert"] is True
    assert action["_source"]["script"]["source"] == KEEP_NEWEST
    assert action["_source"]["script"]["params"]["doc"]["version"] == 4


def test_a_conversation_change_targets_only_its_older_messages():
    request = conversation_change("conv-1", 7, {"assignee_id": None})

    assert request["query"]["bool"]["filter"] == [
        {"term": {"conversation_id": "conv-1"}}, {"range": {"version": {"lt": 7}}},
    ]
    assert request["script"]["params"] == {"version": 7, "changes": {"assignee_id": None}}


def _raw_hit(highlight=None, text="Refund <b>now</b>"):
    source = {"message_id": "m-1", "conversation_id": "c", "contact_id": "k",
              "contact_name": "Ada", "channel": "sms", "created_at": NOON.isoformat(), "text": text}
    return {"_source": source, "highlight": highlight or {}, "sort": [1.0, 1, "m-1"]}


def test_a_hit_prefers_the_highlighted_text_then_the_subject():
    both = {"text": ["<mark>a</mark>"], "subject": ["<mark>b</mark>"]}

    assert hit_of(_raw_hit(both)).snippet == "<mark>a</mark>"
    assert hit_of(_raw_hit({"subject": ["<mark>b</mark>"]})).snippet == "<mark>b</mark>"


def test_a_hit_without_highlights_shows_the_escaped_text():
    hit = hit_of(_raw_hit())

    assert hit.snippet == "Refund &lt;b&gt;now&lt;/b&gt;"
    assert hit.created_at == NOON and hit.channel == "sms"


def test_a_late_message_takes_its_conversations_newest_stored_state():
    stored = {"aggregations": {"conversations": {"buckets": [{"key": "conv-1", "newest": {"hits": {"hits": [
        {"_source": {"status": "pending", "assignee_id": "agent-lin", "team_id": "team-2",
                     "contact_id": "contact-9", "contact_name": "Ada King", "version": 5}}]}}}]}}}
    late = message("m-2", "hello", version=3)

    [caught_up] = with_newest_states([late], stored)

    assert (caught_up.status, caught_up.assignee_id, caught_up.version) == ("pending", "agent-lin", 5)
    assert (caught_up.contact_id, caught_up.contact_name, caught_up.text) == ("contact-9", "Ada King", "hello")


def test_within_a_batch_the_newest_version_of_a_message_wins_and_lends_its_state():
    docs = with_newest_states([message("m-1", "newest", version=3, status="resolved"),
                               message("m-1", "older", version=2), message("m-2", "other", version=1)], {})

    assert [(d.message_id, d.text, d.version, d.status) for d in docs] == [
        ("m-1", "newest", 3, "resolved"), ("m-2", "other", 3, "resolved")]
