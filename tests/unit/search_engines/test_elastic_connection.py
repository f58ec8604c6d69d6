"""The engine talks to 8.x and 9.x servers with headers each accepts, and reports outages."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from services.search.engines.base import MessageDocument, SearchQuery, SearchUnavailable
from services.search.engines.elastic import ElasticsearchEngine
from services.search.engines.elastic_connection import compatible_with_8, get_server_major

JSON_8 = "application/vnd.elasticsearch+json; compatible-with=8"
NDJSON_8 = "application/vnd.elasticsearch+x-ndjson; compatible-with=8"
JSON_9 = "application/vnd.elasticsearch+json; compatible-with=9"


def a_message() -> MessageDocument:
    return MessageDocument(
        message_id="m-1", conversation_id="conv-1", contact_id="contact-ada",
        contact_name="Ada", channel="email", direction="inbound", text="refund please",
        subject="", created_at=datetime(2025, 3, 3, tzinfo=timezone.utc),
        assignee_id=None, team_id="team-billing", status="open", version=1,
    )


def client_requests(server):
    """Requests made by the Elasticsearch client, after the version probe."""
    assert server.requests[0].method == "GET" and server.requests[0].path == "/"
    return server.requests[1:]


def test_an_8x_server_receives_compatible_with_8_on_every_request(elasticsearch_node):
    url, server = elasticsearch_node("8.15.2")
    engine = ElasticsearchEngine(url, prefix="sbunit")

    engine.search(SearchQuery(q="refund"))
    engine.index([a_message()])
    engine.close()

    sent = client_requests(server)
    paths = {r.path.split("?")[0] for r in sent}
    assert paths >= {"/_index_template/sbunit-messages", "/sbunit-messages/_search", "/_bulk"}
    assert {r.accept for r in sent} == {JSON_8}
    assert {r.content_type for r in sent if r.body} == {JSON_8, NDJSON_8}


def test_a_9x_server_receives_the_clients_own_compatible_with_9(elasticsearch_node):
    url, server = elasticsearch_node("9.1.4")
    engine = ElasticsearchEngine(url, prefix="sbunit")

    engine.search(SearchQuery(q="refund"))
    engine.close()

    assert {r.accept for r in client_requests(server)} == {JSON_9}


def test_the_first_use_installs_the_template_and_sends_a_plain_word_search(elasticsearch_node):
    url, server = elasticsearch_node("9.0.0")
    engine = ElasticsearchEngine(url, prefix="sbunit")

    engine.search(SearchQuery(q='refund "AND" -x', channel="sms"))
    engine.close()

    by_path = {r.path: r for r in client_requests(server)}
    template = json.loads(by_path["/_index_template/sbunit-messages"].body)
    assert template["index_patterns"] == ["sbunit-messages-*"]
    search = json.loads(by_path["/sbunit-messages/_search"].body)
    text_query = search["query"]["bool"]["must"][0]["simple_query_string"]
    assert text_query["query"] == 'refund "AND" -x'
    assert (text_query["default_operator"], text_query["flags"]) == ("and", "WHITESPACE")
    assert {"term": {"channel": "sms"}} in search["query"]["bool"]["filter"]


@pytest.mark.parametrize("version_number", ["7.17.9", "10.0.0", "banana"])
def test_a_server_of_another_kind_or_version_is_reported_unavailable(
    elasticsearch_node, version_number
):
    url, _ = elasticsearch_node(version_number)

    with pytest.raises(SearchUnavailable):
        ElasticsearchEngine(url).check_health()


def test_a_server_that_does_not_say_it_is_elasticsearch_is_reported_unavailable(
    elasticsearch_node,
):
    url, _ = elasticsearch_node("9.0.0", product_header=False)

    with pytest.raises(SearchUnavailable):
        ElasticsearchEngine(url).search(SearchQuery())


def test_nothing_listening_is_reported_unavailable_on_every_call(closed_port_url):
    engine = ElasticsearchEngine(closed_port_url)

    calls = [
        engine.check_health,
        lambda: engine.search(SearchQuery(q="refund")),
        lambda: engine.index([a_message()]),
        lambda: engine.delete(["m-1"]),
    ]
    for call in calls:
        with pytest.raises(SearchUnavailable) as raised:
            call()
        assert closed_port_url in raised.value.reason


def test_creating_an_engine_does_not_connect_until_its_first_use(elasticsearch_node):
    url, server = elasticsearch_node("9.0.0")

    engine = ElasticsearchEngine(url, prefix="sbunit")
    assert server.requests == []

    engine.check_health()
    engine.close()
    assert [r.path for r in server.requests][:1] == ["/"]


def test_the_server_major_is_read_from_the_root_endpoint(elasticsearch_node):
    url, _ = elasticsearch_node("8.19.1")

    assert get_server_major(url) == 8
    assert get_server_major(url + "/") == 8


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"Accept": "application/json"}, {"accept": JSON_8}),
        ({"accept": "application/json", "content-type": "application/x-ndjson"},
         {"accept": JSON_8, "content-type": NDJSON_8}),
        (None, {"accept": JSON_8}),
        ({"accept": "text/plain", "x-id": "7"}, {"accept": "text/plain", "x-id": "7"}),
        ({"accept": JSON_8}, {"accept": JSON_8}),
    ],
)
def test_json_media_types_are_rewritten_to_compatible_with_8(given, expected):
    assert compatible_with_8(given) == expected
