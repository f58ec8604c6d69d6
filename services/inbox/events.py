"""What the inbox tells others when a conversation changes: bus events and agents' stream entries."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from shared.envelopes import Envelope, also_as, make_envelope
from shared.runtime import ServiceRuntime
from services.inbox import context
from services.inbox.tables import activity, agent_events, conversations

SOURCE = "inbox"


def now() -> datetime:
    return datetime.now(timezone.utc)


def actor_of(principal) -> str:
    """How the activity log names a caller: `agent:<id>`, `admin:admin`, `api_key:<id>`."""
    return f"{principal.kind}:{principal.id}"


def record_activity(db: Session, conversation_id: str, actor: str, action: str, **details) -> None:
    """Keep who did what to a conversation, and when."""
    db.execute(insert(activity).values(conversation_id=conversation_id, actor=actor, action=action,
                                       details=details, created_at=now()))


def notify_agents(db: Session, event_type: str, conversation, **data) -> None:
    """An entry for the event streams of the agents who may see this conversation."""
    db.execute(insert(agent_events).values(
        type=event_type, conversation_id=conversation.id, assignee_id=conversation.assignee_id,
        team_id=conversation.team_id, data={"conversation_id": conversation.id, **data}, created_at=now()))


def conversation_row(db: Session, conversation_id: str):
    return db.execute(select(conversations).where(conversations.c.id == conversation_id)).one()


def conversation_updated(rt: ServiceRuntime, db: Session, conversation_id: str, changes: list[str],
                         caused_by: Envelope | None = None, row=None) -> None:
    """Publish `conversation.updated` with the state just written (in the same transaction; `row` if at hand)."""
    row = row if row is not None else conversation_row(db, conversation_id)
    rt.outbox.add(db, make_envelope("conversation.updated", {
        "conversation": context.conversation_summary(row), "contact": context.contact_summary(db, row.contact_id),
        "changes": changes}, source=SOURCE, caused_by=caused_by))


def message_events(rt: ServiceRuntime, db: Session, message: dict, conversation_id: str,
                   caused_by: Envelope | None = None, routed: bool = True) -> None:
    """`message.stored` for search, and `message.received` for routing when a customer wrote (if `routed`)."""
    row = conversation_row(db, conversation_id)
    summary = context.conversation_summary(row)
    summary["last_agent_id"] = context.last_agent_id(db, row.contact_id)
    payload = {"message": {k: message[k] for k in ("id", "channel", "direction", "text", "subject", "created_at")}
               | {"sender": message.get("sender", ""), "channel_message_id": message.get("channel_message_id")},
               "conversation": summary, "contact": context.contact_summary(db, row.contact_id)}
    rt.outbox.add(db, *stored_message_events(payload, caused_by, routed=routed and message["direction"] == "inbound"))


def stored_message_events(payload: dict, caused_by: Envelope | None, *, routed: bool) -> list[Envelope]:
    """`message.stored`, and when routing should see it, `message.received` with the same checked payload."""
    stored = make_envelope("message.stored", payload, source=SOURCE, caused_by=caused_by)
    return [stored, also_as(stored, "message.received")] if routed else [stored]
