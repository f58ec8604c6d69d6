"""Keeping the index true to the inbox: every stored message, every conversation change."""

from __future__ import annotations

from shared.envelopes import Envelope
from services.search.engines.base import MessageDocument, SearchEngine


def document_from_event(payload: dict) -> MessageDocument:
    """A search document from a `message.stored` payload; the conversation's version orders updates."""
    message, conversation, contact = payload["message"], payload["conversation"], payload["contact"]
    return MessageDocument(
        message_id=message["id"], conversation_id=conversation["id"], contact_id=contact["id"],
        contact_name=contact["name"], channel=message["channel"], direction=message["direction"],
        text=message["text"], subject=message["subject"] or conversation["subject"], created_at=message["created_at"],
        assignee_id=conversation["assignee_id"], team_id=conversation["team_id"], status=conversation["status"],
        version=conversation["version"])


def handle_index_event(engine: SearchEngine, envelope: Envelope) -> None:
    """Index idempotently: a redelivered or older event never duplicates or rolls back a document."""
    payload = envelope.payload
    if envelope.type == "message.stored":
        engine.index([document_from_event(payload)])
    elif envelope.type == "conversation.updated":
        conversation, contact = payload["conversation"], payload["contact"]
        engine.update_conversation(conversation["id"], version=conversation["version"], status=conversation["status"],
                                   assignee_id=conversation["assignee_id"], team_id=conversation["team_id"],
                                   contact_id=contact["id"], contact_name=contact["name"])
