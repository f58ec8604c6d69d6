"""Automatic replies (out-of-office, Auto-Submitted) are filed in their conversation but are no customer request."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from shared.envelopes import make_envelope
from services.inbox import detail, ingest
from services.inbox.replies import change_conversation
from services.inbox.tables import conversations
from tests.integration.inbox.conftest import ADMIN, events_written, receive, wire

CUSTOMER = {"type": "email", "value": "bo@example.com"}


def receive_auto_reply(service, conversation_id: str) -> str:
    """The email channel's `inbound.email` for a vacation reply threaded into the conversation."""
    envelope = make_envelope("inbound.email", {
        "channel": "email", "channel_message_id": "ooo-1@example.com", "sender": CUSTOMER,
        "text": "I am away until Monday.", "subject": "Automatic reply: Re: Kettle",
        "thread": {"message_id": "ooo-1@example.com", "conversation_id": conversation_id},
        "metadata": {"auto_reply": True, "auto_reply_reason": "Auto-Submitted: auto-replied"},
        "received_at": datetime.now(timezone.utc)}, source="test")
    ingest.handle_inbound(service.runtime, wire(envelope))
    return "ooo-1@example.com"


@pytest.mark.parametrize("status", ["pending", "resolved"])
def test_an_auto_reply_is_stored_without_reopening_or_routing_the_conversation(inbox, status):
    inbox.runtime.relay.stop()  # keep the events in the outbox to read them
    receive(inbox, CUSTOMER, "Is my kettle covered?", channel="email")
    with inbox.runtime.db.reading() as db:
        conversation_id = db.execute(select(conversations.c.id)).scalar_one()
    change_conversation(inbox.runtime, ADMIN, conversation_id, {"status": status})
    before = detail.get_conversation(inbox.runtime, ADMIN, conversation_id)

    auto_reply_id = receive_auto_reply(inbox, conversation_id)

    after = detail.get_conversation(inbox.runtime, ADMIN, conversation_id)
    assert after["status"] == status
    assert after["waiting_since"] == before["waiting_since"]
    assert after["last_message"] == before["last_message"]
    assert after["messages"][-1]["metadata"]["auto_reply"] is True
    assert after["activity"][-1]["action"] == "auto_reply_received"
    about_it = [e.type for e in events_written(inbox)
                if e.type.startswith("message.") and e.payload["message"]["channel_message_id"] == auto_reply_id]
    assert about_it == ["message.stored"]  # indexed for search and threading, never routed
