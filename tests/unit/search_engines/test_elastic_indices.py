"""Indices are created once, rebuilt behind the aliases, and dropped by exact name."""

from __future__ import annotations

import json

import pytest
from elasticsearch import Elasticsearch

from services.search.engines.elastic_indices import (
    drop_indices,
    ensure_indices,
    finish_rebuild,
    rebuild_index,
    start_rebuild,
)
from services.search.engines.elastic_layout import IndexNames

NAMES = IndexNames("acme")


@pytest.fixture
def node(elasticsearch_node):
    url, server = elasticsearch_node("9.0.0")
    client = Elasticsearch(url)
    yield client, server
    client.close()


def call_of(request) -> str:
    return f"{request.method} {request.path.split('?')[0]}"


def calls(server) -> list[str]:
    return [call_of(request) for request in server.requests]


def bodies_of(server, call: str) -> list[dict]:
    return [json.loads(r.body) for r in server.requests if call_of(r) == call]


def test_a_fresh_cluster_gets_the_template_and_one_index_behind_both_aliases(node):
    client, server = node
    server.replies["HEAD /_alias/acme-messages-write"] = (404, None)

    ensure_indices(client, NAMES)

    assert calls(server) == [
        "PUT /_index_template/acme-messages",
        "HEAD /_alias/acme-messages-write",
        "PUT /acme-messages-initial",
    ]
    assert bodies_of(server, "PUT /acme-messages-initial")[0]["aliases"] == {
        "acme-messages": {},
        "acme-messages-write": {"is_write_index": True},
    }


def test_an_existing_installation_only_refreshes_its_template(node):
    client, server = node

    ensure_indices(client, NAMES)

    assert calls(server) == [
        "PUT /_index_template/acme-messages",
        "HEAD /_alias/acme-messages-write",
    ]


def test_a_second_process_creating_the_first_index_at_the_same_time_is_fine(node):
    client, server = node
    server.replies["HEAD /_alias/acme-messages-write"] = (404, None)
    server.replies["PUT /acme-messages-initial"] = (
        400, {"error": {"type": "resource_already_exists_exception"}, "status": 400}
    )

    ensure_indices(client, NAMES)

    assert calls(server)[-1] == "PUT /acme-messages-initial"


def test_a_rebuild_moves_writes_first_copies_then_moves_reads_and_drops_the_old_index(node):
    client, server = node
    both_aliases = {"acme-messages": {}, "acme-messages-write": {}}
    server.replies["GET /_alias/acme-messages,acme-messages-write"] = (
        200, {"acme-messages-initial": {"aliases": both_aliases}}
    )

    new_index = rebuild_index(client, NAMES)

    assert new_index.startswith("acme-messages-20")
    assert calls(server) == [
        "GET /_alias/acme-messages,acme-messages-write",
        f"PUT /{new_index}",
        "POST /_aliases",
        "POST /_reindex",
        "POST /_aliases",
        "DELETE /acme-messages-initial",
    ]
    write_move, read_move = [body["actions"] for body in bodies_of(server, "POST /_aliases")]
    assert write_move == [
        {"remove": {"index": "acme-messages-initial", "alias": "acme-messages-write"}},
        {"add": {"index": new_index, "alias": "acme-messages-write", "is_write_index": True}},
    ]
    assert read_move[-1]["add"]["alias"] == "acme-messages"
    assert read_move[-1]["add"]["index"] == new_index
    copy = bodies_of(server, "POST /_reindex")[0]
    assert copy["dest"] == {"index": new_index, "op_type": "create"}
    assert copy["conflicts"] == "proceed"


def test_dropping_deletes_indices_by_their_exact_names_and_the_template(node):
    client, server = node
    server.replies["GET /acme-messages-*"] = (200, {"acme-messages-b": {}, "acme-messages-a": {}})

    drop_indices(client, NAMES)

    assert calls(server) == [
        "GET /acme-messages-*",
        "DELETE /acme-messages-a,acme-messages-b",
        "DELETE /_index_template/acme-messages",
    ]


def aliases_point_at(server, reading: str, writing: str) -> None:
    server.replies["GET /_alias/acme-messages"] = (200, {reading: {"aliases": {"acme-messages": {}}}})
    server.replies["GET /_alias/acme-messages-write"] = (200, {writing: {"aliases": {"acme-messages-write": {}}}})


def test_a_rebuild_from_the_store_sends_writes_to_a_fresh_index_while_searches_read_the_old(node):
    client, server = node
    aliases_point_at(server, reading="acme-messages-initial", writing="acme-messages-initial")

    target = start_rebuild(client, NAMES)

    assert target.startswith("acme-messages-20")
    assert calls(server)[-2:] == [f"PUT /{target}", "POST /_aliases"]
    assert bodies_of(server, "POST /_aliases")[0]["actions"] == [
        {"remove": {"index": "acme-messages-initial", "alias": "acme-messages-write"}},
        {"add": {"index": target, "alias": "acme-messages-write", "is_write_index": True}},
    ]


def test_an_unfinished_rebuild_is_resumed_into_the_same_index(node):
    client, server = node
    aliases_point_at(server, reading="acme-messages-initial", writing="acme-messages-20260301")

    assert start_rebuild(client, NAMES) == "acme-messages-20260301"
    assert not [call for call in calls(server) if call.startswith(("PUT", "POST"))]


def test_finishing_a_rebuild_swaps_reads_in_one_step_then_drops_the_old_index(node):
    client, server = node
    aliases_point_at(server, reading="acme-messages-initial", writing="acme-messages-20260301")

    finish_rebuild(client, NAMES)

    assert calls(server)[-3:] == ["POST /acme-messages-20260301/_refresh", "POST /_aliases",
                                  "DELETE /acme-messages-initial"]
    assert bodies_of(server, "POST /_aliases")[0]["actions"] == [
        {"remove": {"index": "acme-messages-initial", "alias": "acme-messages"}},
        {"add": {"index": "acme-messages-20260301", "alias": "acme-messages", "is_write_index": False}},
    ]
