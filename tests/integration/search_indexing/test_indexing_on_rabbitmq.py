"""Search indexes the inbox's events from the real RabbitMQ: in bulk, idempotently, and
without losing anything while its engine is down."""

from __future__ import annotations

import json
import sqlite3

import pytest

from shared.messaging.dead_letters import list_dead_letters
from services.search.engines.base import SearchQuery
from services.search.engines.elastic import ElasticsearchEngine
from services.search.engines.embedded import EmbeddedSearchEngine
from tests.integration.search_indexing.events import (
    RunningIndexer,
    conversation_updated,
    message_stored,
)
from tests.support.http import wait_until
from tests.unit.search_engines.recording_server import RecordingServer, start_recording_server


@pytest.fixture
def engine(tmp_path):
    engine = EmbeddedSearchEngine(str(tmp_path / "search.db"), busy_timeout_ms=50)
    yield engine
    engine.close()


@pytest.fixture
def elasticsearch_node():
    """A local HTTP server answering like Elasticsearch 9 and recording what it is sent."""
    server = RecordingServer("9.1.0")
    http_server = start_recording_server(server)
    yield f"http://127.0.0.1:{http_server.server_address[1]}", server
    http_server.shutdown()
    http_server.server_close()


def total(engine, **filters) -> int:
    return engine.search(SearchQuery(**filters)).total


def waiting_in_queue(bus) -> int:
    """How many messages wait in search.index (they are put back)."""
    seen = []
    bus.take_all("search.index", lambda headers, body: seen.append(body) is None and False)
    return len(seen)


def test_events_published_together_are_indexed_in_bulk(bus, engine):
    bus.publish([message_stored(f"m-{n}", f"parcel number {n} is late", minute=n) for n in range(300)])
    with RunningIndexer(bus, engine) as indexer:
        assert wait_until(lambda: total(engine, q="parcel") == 300)
    assert max(indexer.batches) > 1, "every message was written on its own"
    assert sum(indexer.batches) == 300


def test_redelivered_and_reordered_events_neither_duplicate_nor_roll_back(bus, engine):
    first = message_stored("m-1", "my refund never came", version=1)
    assigned = conversation_updated("conv-1", 3, status="pending", assignee_id="agent-a", team_id="team-1")
    stale = conversation_updated("conv-1", 2, status="open", assignee_id="agent-b", team_id="team-2")
    with RunningIndexer(bus, engine):
        bus.publish([first, assigned])
        assert wait_until(lambda: total(engine, q="refund", assignee_id="agent-a") == 1)
        bus.publish([first, stale, message_stored("m-2", "any news on my refund?", version=2, minute=1)])
        assert wait_until(lambda: total(engine, q="refund") == 2)
    assert total(engine, q="refund", assignee_id="agent-a", status="pending") == 2
    assert total(engine, q="refund", assignee_id="agent-b") == 0


def test_a_contact_merge_reaches_every_message_of_the_conversation(bus, engine):
    with RunningIndexer(bus, engine):
        bus.publish([message_stored("m-1", "hello", version=1), message_stored("m-2", "again", version=2, minute=1),
                     conversation_updated("conv-1", 3, contact_id="contact-9", contact_name="Ana Merged")])
        assert wait_until(lambda: total(engine, contact_id="contact-9") == 2)
    assert {hit.contact_name for hit in engine.search(SearchQuery()).items} == {"Ana Merged"}


def test_a_malformed_event_is_dead_lettered_without_holding_back_the_rest(bus, engine):
    bus.republish({"not": "an envelope"}, "message.stored")
    bus.publish([message_stored("m-1", "invoice attached")])
    with RunningIndexer(bus, engine):
        assert wait_until(lambda: total(engine, q="invoice") == 1)
        assert wait_until(lambda: len(list_dead_letters(bus, "search.index")) == 1)
    assert list_dead_letters(bus, "search.index")[0]["reason"] == "invalid envelope"


def test_while_the_embedded_engine_is_locked_events_wait_then_catch_up(bus, engine, tmp_path):
    holder = sqlite3.connect(tmp_path / "search.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    bus.publish([message_stored(f"m-{n}", "delivery address wrong", minute=n) for n in range(5)])
    with RunningIndexer(bus, engine) as indexer:
        assert wait_until(lambda: len(indexer.batches) >= 3), "the indexer did not keep retrying"
        assert total(engine, q="delivery") == 0
        holder.execute("ROLLBACK")
        holder.close()
        assert wait_until(lambda: total(engine, q="delivery") == 5)
    assert list_dead_letters(bus, "search.index") == []
    assert waiting_in_queue(bus) == 0


def test_while_elasticsearch_is_unreachable_events_stay_in_rabbitmq(bus, closed_port_url):
    engine = ElasticsearchEngine(closed_port_url)
    bus.publish([message_stored(f"m-{n}", "cannot log in", minute=n) for n in range(4)])
    with RunningIndexer(bus, engine) as indexer:
        assert wait_until(lambda: len(indexer.batches) >= 3), "the indexer did not keep retrying"
    engine.close()
    assert list_dead_letters(bus, "search.index") == []
    assert waiting_in_queue(bus) == 4


def test_when_elasticsearch_recovers_from_503_the_waiting_events_are_bulk_indexed(bus, elasticsearch_node):
    url, node = elasticsearch_node
    node.replies["PUT /_bulk"] = (503, {"error": {"type": "cluster_block_exception"}, "status": 503})
    engine = ElasticsearchEngine(url, prefix="acme")
    bus.publish([message_stored(f"m-{n}", "card declined", minute=n) for n in range(3)])
    with RunningIndexer(bus, engine) as indexer:
        assert wait_until(lambda: len(indexer.batches) >= 2), "the indexer did not retry"
        del node.replies["PUT /_bulk"]
        assert wait_until(lambda: _bulk_ids(node) == {"m-0", "m-1", "m-2"})
    engine.close()
    assert list_dead_letters(bus, "search.index") == []
    assert waiting_in_queue(bus) == 0


def _bulk_ids(node: RecordingServer) -> set[str]:
    """The ids of the bulk requests the node accepted."""
    ids = set()
    for request in list(node.requests):
        if request.method == "PUT" and request.path.startswith("/_bulk") and request.status == 200:
            for line in request.body.splitlines()[::2]:
                action = json.loads(line)["update"]
                assert action["_index"] == "acme-messages-write"
                ids.add(action["_id"])
    return ids


def test_documents_elasticsearch_refuses_for_good_are_dead_lettered_one_by_one(bus, elasticsearch_node):
    url, node = elasticsearch_node
    refused = {"update": {"_id": "m-0", "status": 400, "error": {"type": "document_parsing_exception"}}}
    node.replies["PUT /_bulk"] = (200, {"errors": True, "took": 1, "items": [refused]})
    engine = ElasticsearchEngine(url, prefix="acme")
    bus.publish([message_stored(f"m-{n}", "weird bytes", minute=n) for n in range(2)])
    with RunningIndexer(bus, engine):
        assert wait_until(lambda: len(list_dead_letters(bus, "search.index")) == 2, timeout=30)
    engine.close()
    dead = list_dead_letters(bus, "search.index")
    assert {item["reason"] for item in dead} == {"handler failed"}
    assert "document_parsing_exception" in dead[0]["error"]
    assert waiting_in_queue(bus) == 0
