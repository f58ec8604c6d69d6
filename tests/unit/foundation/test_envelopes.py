"""Every event on the bus travels in one versioned envelope, checked on both ends."""

import json
from datetime import datetime, timezone

import pytest
from marshmallow import ValidationError

from shared.envelopes import also_as, dump_envelope, load_envelope, make_envelope

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
CHAT = {"channel": "chat", "channel_message_id": "m1", "sender": {"type": "chat", "value": "s1"},
        "text": "Where is my order?", "received_at": NOW}


def test_an_envelope_survives_the_wire_unchanged():
    envelope = make_envelope("inbound.chat", CHAT, source="webchat")
    received = load_envelope(json.loads(json.dumps(dump_envelope(envelope))))
    assert received.id == envelope.id and received.type == "inbound.chat" and received.version == 1
    assert received.payload["text"] == "Where is my order?"
    assert received.payload["received_at"] == NOW


def test_a_caused_event_keeps_the_correlation_id_and_names_its_cause():
    first = make_envelope("inbound.chat", CHAT, source="webchat")
    second = make_envelope("delivery.updated", {"message_id": "x", "channel": "chat", "status": "delivered",
                                                "occurred_at": NOW}, source="webchat", caused_by=first)
    assert second.correlation_id == first.correlation_id
    assert second.causation_id == first.id


def test_a_payload_that_does_not_fit_its_schema_is_refused_before_publishing():
    with pytest.raises(ValidationError) as error:
        make_envelope("inbound.chat", {**CHAT, "channel": "fax"}, source="webchat")
    assert "channel" in error.value.messages


def test_an_unknown_event_type_is_refused():
    with pytest.raises(ValidationError):
        make_envelope("message.teleported", {}, source="tests")


def test_a_newer_producer_may_add_payload_fields():
    body = dump_envelope(make_envelope("inbound.chat", CHAT, source="webchat"))
    body["payload"]["mood"] = "impatient"
    assert "mood" not in load_envelope(body).payload


def test_an_envelope_missing_its_id_is_refused():
    body = dump_envelope(make_envelope("inbound.chat", CHAT, source="webchat"))
    del body["id"]
    with pytest.raises(ValidationError):
        load_envelope(body)


STORED = {"message": {"id": "m1", "channel": "chat", "direction": "inbound", "text": "Where is my order?",
                      "created_at": NOW},
          "conversation": {"id": "c1", "status": "open", "version": 1},
          "contact": {"id": "p1", "identities": [{"type": "chat", "value": "s1", "verified": True}]}}


def test_an_event_of_the_same_schema_reuses_the_checked_payload_under_an_id_of_its_own():
    inbound = make_envelope("inbound.chat", CHAT, source="webchat")
    stored = make_envelope("message.stored", STORED, source="inbox", caused_by=inbound)
    received = also_as(stored, "message.received")
    assert received.type == "message.received" and received.id != stored.id
    assert (received.correlation_id, received.causation_id) == (inbound.correlation_id, inbound.id)
    assert load_envelope(json.loads(json.dumps(dump_envelope(received)))).payload == \
        load_envelope(json.loads(json.dumps(dump_envelope(stored)))).payload


def test_an_event_of_another_schema_cannot_borrow_a_payload():
    stored = make_envelope("message.stored", STORED, source="inbox")
    with pytest.raises(ValueError):
        also_as(stored, "conversation.updated")
