"""One conversation as an agent opens it: every message on every channel, in order, with its context."""

from __future__ import annotations

from typing import Mapping

from sqlalchemy import or_, select

from shared.runtime import ServiceRuntime
from shared.web.auth import Principal
from services.inbox.context import context_bundle, list_item
from services.inbox.replies import get_visible_conversation
from services.inbox.tables import activity, agent_events, messages


def get_conversation(rt: ServiceRuntime, principal: Principal, conversation_id: str) -> dict:
    with rt.db.reading() as db:
        row = get_visible_conversation(db, principal, conversation_id)
        rows = db.execute(select(messages).where(messages.c.conversation_id == row.id).order_by(messages.c.seq)).all()
        steps = db.execute(select(activity).where(activity.c.conversation_id == row.id).order_by(activity.c.seq)).all()
        context = context_bundle(db, row)
        return list_item(row, context["contact"]["name"]) | {
            "messages": [public_message(m._mapping) for m in rows],
            "context": context,
            "routing": row.routing,
            "activity": [{"actor": a.actor, "action": a.action, "details": a.details, "at": a.created_at} for a in steps],
        }


def public_message(m: Mapping) -> dict:
    """A message as agents see it (the delivery status tells whether a reply reached the customer)."""
    fields = ("id", "conversation_id", "channel", "direction", "text", "html", "subject", "sender", "sender_name",
              "author_id", "attachments", "status", "status_reason", "metadata", "created_at")
    return {name: m.get(name) for name in fields}


def events_after(rt: ServiceRuntime, principal: Principal, seq: int, limit: int = 100) -> list[tuple[int, str, dict]]:
    """The agent's stream: events of conversations they are assigned to or whose team they are in."""
    query = select(agent_events).where(agent_events.c.seq > seq).order_by(agent_events.c.seq).limit(limit)
    if not principal.is_admin:
        query = query.where(or_(agent_events.c.assignee_id == principal.id,
                                agent_events.c.team_id.in_(sorted(principal.team_ids))))
    with rt.db.reading() as db:
        rows = db.execute(query).all()
    return [(r.seq, r.type, r.data | {"at": r.created_at.isoformat()}) for r in rows]
