"""Reading the inbox: contact and conversation summaries, the context bundle, agent visibility."""

from __future__ import annotations

from sqlalchemy import false, or_, select, true
from sqlalchemy.orm import Session

from shared.web.auth import Principal
from services.inbox import domain, summaries
from services.inbox.tables import conversations, messages, notes


def visible_to(principal: Principal):
    """The SQL condition for conversations this caller may see: admins all; agents their teams' and their own."""
    if sees_everything(principal):
        return true()
    return visible_to_agent(principal.agent_id, sorted(principal.team_ids) or None)


def sees_everything(principal: Principal) -> bool:
    return principal.is_admin or principal.kind == "api_key"


def visible_to_agent(agent_id, team_ids):
    """An agent's conversations and their teams' (`team_ids` None: no team); values or bind parameters."""
    team_filter = conversations.c.team_id.in_(team_ids) if team_ids is not None else false()
    return or_(conversations.c.assignee_id == agent_id, team_filter)


def contact_summary(db: Session, contact_id: str) -> dict:
    """A contact with identities, attributes and lifecycle stage."""
    return summaries.contact_summaries(db, {contact_id})[contact_id]


def conversation_summary(row) -> dict:
    """What the bus and the list carry about a conversation."""
    return {"id": row.id, "status": row.status, "priority": row.priority, "channels": list(row.channels),
            "labels": list(row.labels), "assignee_id": row.assignee_id, "team_id": row.team_id,
            "subject": row.subject, "waiting_since": row.waiting_since, "version": row.version,
            "last_agent_id": None}


def last_agent(db: Session, contact_id: str) -> dict | None:
    """The agent who most recently answered this contact, on any conversation and channel."""
    row = db.execute(select(messages.c.author_id, messages.c.sender_name)
                     .join(conversations, conversations.c.id == messages.c.conversation_id)
                     .where(conversations.c.contact_id == contact_id, messages.c.direction == "outbound",
                            messages.c.author_id.is_not(None))
                     .order_by(messages.c.seq.desc()).limit(1)).first()
    return {"id": row.author_id, "name": row.sender_name} if row else None


def last_agent_id(db: Session, contact_id: str) -> str | None:
    helper = last_agent(db, contact_id)
    return helper["id"] if helper else None


# Each conversation's first message, read in the same query as the conversations (not one query each).
_FIRST_TEXT = (select(messages.c.text).where(messages.c.conversation_id == conversations.c.id)
               .order_by(messages.c.seq).limit(1).scalar_subquery().label("first_text"))


def previous_conversations(db: Session, contact_id: str, current_id: str | None) -> list[dict]:
    """The contact's other conversations, newest first, with what tells them apart at a glance."""
    query = select(conversations, _FIRST_TEXT).where(conversations.c.contact_id == contact_id)
    if current_id:
        query = query.where(conversations.c.id != current_id)
    rows = db.execute(query.order_by(conversations.c.created_at.desc()).limit(50)).all()
    return [{"id": r.id, "status": r.status, "channels": list(r.channels), "subject": r.subject,
             "first_line": _first_line(r.first_text), "assignee": _person(r.assignee_id, r.assignee_name),
             "team": _person(r.team_id, r.team_name), "created_at": r.created_at,
             "last_message_at": r.last_message_at, "resolved_at": r.resolved_at} for r in rows]


def _first_line(text: str | None) -> str:
    return domain.preview((text or "").strip().split("\n", 1)[0])


def contact_notes(db: Session, contact_id: str) -> list[dict]:
    rows = db.execute(select(notes).where(notes.c.contact_id == contact_id).order_by(notes.c.created_at)).all()
    return [{"id": n.id, "conversation_id": n.conversation_id, "text": n.text,
             "author": _person(n.author_id, n.author_name), "created_at": n.created_at} for n in rows]


def _person(person_id: str | None, name: str) -> dict | None:
    return {"id": person_id, "name": name} if person_id else None


def context_bundle(db: Session, conversation) -> dict:
    """Everything an agent needs to answer without asking the customer anything twice."""
    return {"contact": contact_summary(db, conversation.contact_id),
            "previous_conversations": previous_conversations(db, conversation.contact_id, conversation.id),
            "last_agent": last_agent(db, conversation.contact_id),
            "notes": contact_notes(db, conversation.contact_id)}


def list_item(row, contact_name: str) -> dict:
    """A conversation as the unified inbox lists it."""
    return {"id": row.id, "status": row.status, "priority": row.priority, "channel": row.last_channel,
            "channels": list(row.channels), "contact": {"id": row.contact_id, "name": contact_name},
            "assignee": _person(row.assignee_id, row.assignee_name), "team": _person(row.team_id, row.team_name),
            "labels": list(row.labels), "subject": row.subject,
            "last_message": {"preview": row.last_message_preview, "at": row.last_message_at},
            "waiting_since": row.waiting_since, "sla_due_at": None, "snoozed_until": row.snoozed_until,
            "created_at": row.created_at, "updated_at": row.updated_at}
