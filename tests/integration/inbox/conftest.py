"""The inbox service alone on a real database, its handlers called as its consumers call them."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from itertools import count

import pytest
from sqlalchemy import select

from shared.config import Settings
from shared.envelopes import dump_envelope, load_envelope, make_envelope
from shared.messaging import MessageBus
from shared.web.auth import Principal
from services.inbox import ingest, updates
from services.inbox.bootstrap import bootstrap
from services.inbox.tables import outbox

ADMIN = Principal(kind="admin", id="admin", name="Admin", role="admin")
_sequence = count()


@pytest.fixture(params=["postgresql", "sqlite"])
def inbox(request, tmp_path):
    """The inbox on PostgreSQL and on SQLite (the embedded default), with an in-memory bus."""
    url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else f"sqlite:///{tmp_path}/inbox.db"
    MessageBus("memory://").purge_all()
    service = bootstrap(Settings(database_url=url, secret_key="test-secret-key-that-is-long-enough-for-hs256",
                                 admin_token="test-admin-token"))
    yield service
    close(service)


@pytest.fixture
def pg_inbox(postgres_url):
    """The inbox on PostgreSQL only (row locks and real concurrency)."""
    MessageBus("memory://").purge_all()
    service = bootstrap(Settings(database_url=postgres_url, secret_key="test-secret-key-that-is-long-enough-for-hs256"))
    yield service
    close(service)


def close(service) -> None:
    """Stop the service and wait for its outbox relay, so no connection outlives the test database."""
    service.runtime.relay.stop()
    for thread in threading.enumerate():
        if thread.name == "outbox-inbox_outbox":
            thread.join(5)
    service.runtime.close()


def wire(envelope):
    """The envelope as a consumer receives it (through JSON, checked by its schema)."""
    return load_envelope(dump_envelope(envelope))


def events_written(service) -> list:
    """The events waiting in the inbox's outbox, oldest first (stop the relay to keep them there)."""
    with service.runtime.db.reading() as db:
        return [load_envelope(row.envelope) for row in db.execute(select(outbox).order_by(outbox.c.id))]


def receive(service, sender: dict, text: str = "hello", *, channel: str = "chat", at: datetime | None = None,
            linked: list[dict] | None = None, name: str = "") -> str:
    """Hand the inbox one customer message, as the channel's consumer would; the message's channel id."""
    message_id = f"{channel}-{next(_sequence)}"
    envelope = make_envelope(f"inbound.{channel}", {
        "channel": channel, "channel_message_id": message_id, "sender": sender, "sender_name": name,
        "linked_identities": linked or [], "text": text, "received_at": at or datetime.now(timezone.utc)},
        source="test")
    ingest.handle_inbound(service.runtime, wire(envelope))
    return message_id


def publish_agent(service, agent_id: str, name: str, team_ids: list[str], *, role: str = "agent",
                  active: bool = True):
    """Routing's `agent.updated`, applied as the inbox's consumer applies it."""
    envelope = make_envelope("agent.updated", {"id": agent_id, "name": name, "role": role, "team_ids": team_ids,
                                               "active": active}, source="routing")
    updates.handle_update(service.runtime, wire(envelope))
    return envelope


def assign(service, conversation_id: str, *, agent_id: str | None, team_id: str | None, agent_name: str = "",
           team_name: str = "") -> None:
    envelope = make_envelope("conversation.assigned", {
        "conversation_id": conversation_id, "agent_id": agent_id, "agent_name": agent_name, "team_id": team_id,
        "team_name": team_name}, source="routing")
    updates.handle_update(service.runtime, wire(envelope))


def ago(**delta) -> datetime:
    return datetime.now(timezone.utc) - timedelta(**delta)
