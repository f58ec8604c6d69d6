"""Keeping the index true to the inbox: every stored message, every conversation change, in bulk."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from shared.envelopes import Envelope
from shared.messaging.batch_worker import RetryLater
from services.search.engines.base import MessageDocument, SearchEngine, SearchUnavailable

INDEXED_TYPES = frozenset({"message.stored", "conversation.updated"})


@dataclass(frozen=True)
class ConversationState:
    """What search keeps of a conversation on each of its messages, and the version it had."""

    conversation_id: str
    version: int
    status: str
    assignee_id: str | None
    team_id: str | None
    contact_id: str
    contact_name: str


def state_from_payload(payload: Mapping[str, Any]) -> ConversationState:
    """The conversation's state as a `message.stored` or `conversation.updated` payload tells it."""
    conversation, contact = payload["conversation"], payload["contact"]
    return ConversationState(
        conversation_id=conversation["id"], version=conversation["version"], status=conversation["status"],
        assignee_id=conversation["assignee_id"], team_id=conversation["team_id"],
        contact_id=contact["id"], contact_name=contact["name"])


def document_from_event(payload: Mapping[str, Any], state: ConversationState | None = None) -> MessageDocument:
    """A search document from a `message.stored` payload, with the given (or its own) conversation state."""
    message, conversation = payload["message"], payload["conversation"]
    state = state or state_from_payload(payload)
    return MessageDocument(
        message_id=message["id"], conversation_id=state.conversation_id, contact_id=state.contact_id,
        contact_name=state.contact_name, channel=message["channel"], direction=message["direction"],
        text=message["text"], subject=message["subject"] or conversation["subject"],
        created_at=message["created_at"], assignee_id=state.assignee_id, team_id=state.team_id,
        status=state.status, version=state.version)


def newest_states(payloads: Iterable[Mapping[str, Any]]) -> dict[str, ConversationState]:
    """Per conversation, the highest-version state any of the events carries (arrival order aside)."""
    newest: dict[str, ConversationState] = {}
    for payload in payloads:
        state = state_from_payload(payload)
        known = newest.get(state.conversation_id)
        if known is None or state.version > known.version:
            newest[state.conversation_id] = state
    return newest


def index_events(engine: SearchEngine, envelopes: list[Envelope]) -> None:
    """Index a batch in one commit; redelivered or reordered events never duplicate or roll back."""
    events = [envelope for envelope in envelopes if envelope.type in INDEXED_TYPES]
    newest = newest_states(envelope.payload for envelope in events)
    docs = {}
    for envelope in events:
        if envelope.type == "message.stored":
            doc = document_from_event(envelope.payload, newest[envelope.payload["conversation"]["id"]])
            docs[doc.message_id] = doc
    changed = {envelope.payload["conversation"]["id"] for envelope in events
               if envelope.type == "conversation.updated"}
    try:
        with engine.batch():
            engine.index(list(docs.values()))
            for conversation_id in sorted(changed):
                apply_state(engine, newest[conversation_id])
    except SearchUnavailable as error:
        raise RetryLater(error.reason) from error


def apply_state(engine: SearchEngine, state: ConversationState) -> None:
    """Carry a conversation change (owner, status, merged contact) to its older messages."""
    engine.update_conversation(
        state.conversation_id, version=state.version, status=state.status, assignee_id=state.assignee_id,
        team_id=state.team_id, contact_id=state.contact_id, contact_name=state.contact_name)
