"""Inbox events as search receives them, and a search consumer running for a test."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

from shared.envelopes import Envelope, make_envelope
from shared.messaging import MessageBus
from shared.messaging.batch_worker import BatchWorker
from services.search import indexing
from services.search.engines.base import SearchEngine

START = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


def conversation(conversation_id: str, version: int, *, status: str = "open", assignee_id: str | None = None,
                 team_id: str | None = None) -> dict:
    return {"id": conversation_id, "status": status, "assignee_id": assignee_id, "team_id": team_id,
            "subject": "Order", "version": version}


def message_stored(message_id: str, text: str, *, conversation_id: str = "conv-1", version: int = 1,
                   minute: int = 0, contact_name: str = "Ana Lima", **ownership) -> Envelope:
    return make_envelope("message.stored", {
        "message": {"id": message_id, "channel": "email", "direction": "inbound", "text": text, "subject": "",
                    "created_at": START + timedelta(minutes=minute)},
        "conversation": conversation(conversation_id, version, **ownership),
        "contact": {"id": "contact-1", "name": contact_name}}, source="inbox")


def conversation_updated(conversation_id: str, version: int, *, contact_id: str = "contact-1",
                         contact_name: str = "Ana Lima", **ownership) -> Envelope:
    return make_envelope("conversation.updated", {
        "conversation": conversation(conversation_id, version, **ownership),
        "contact": {"id": contact_id, "name": contact_name}, "changes": ["status"]}, source="inbox")


class RunningIndexer:
    """The search service's consumer on a real queue, for the duration of a `with` block."""

    def __init__(self, bus: MessageBus, engine: SearchEngine):
        self.engine, self.batches = engine, []
        self.worker = BatchWorker(bus, "search.index", self._index, first_pause=0.05, longest_pause=0.2)
        self.stop = threading.Event()

    def _index(self, envelopes: list[Envelope]) -> None:
        self.batches.append(len(envelopes))
        indexing.index_events(self.engine, envelopes)

    def __enter__(self) -> "RunningIndexer":
        self.thread = self.worker.start(self.stop)
        return self

    def __exit__(self, *_) -> None:
        self.stop.set()
        self.thread.join(15)
