"""Contacts as the inbox's events carry them, read for many contacts at once (batches of messages)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.inbox import domain
from services.inbox.tables import contacts, conversations, identities, messages


def contact_summaries(db: Session, contact_ids: set[str]) -> dict[str, dict]:
    """Each contact with identities, attributes and lifecycle stage (as `context.contact_summary`)."""
    wanted = sorted(contact_ids)
    found = {c: [] for c in contact_ids}
    for row in db.execute(select(identities.c.contact_id, identities.c.type, identities.c.value,
                                 identities.c.verified).where(identities.c.contact_id.in_(wanted))
                          .order_by(identities.c.created_at, identities.c.id)):
        found[row.contact_id].append({"type": row.type, "value": row.value, "verified": row.verified})
    resolved = (select(func.count()).where(conversations.c.contact_id == contacts.c.id,
                                           conversations.c.status == "resolved").scalar_subquery())
    rows = db.execute(select(contacts.c.id, contacts.c.name, contacts.c.attributes, resolved.label("resolved"))
                      .where(contacts.c.id.in_(wanted))).all()
    return {r.id: summary(r.id, r.name, r.attributes, r.resolved, found[r.id]) for r in rows}


def summary(contact_id: str, name: str, attributes: dict, resolved: int, identities: list[dict]) -> dict:
    """A contact as events and the context show it; `resolved` counts its resolved conversations."""
    return {"id": contact_id, "name": name, "attributes": attributes,
            "lifecycle_stage": domain.lifecycle_stage(resolved, attributes), "identities": identities}


def last_agent_ids(db: Session, contact_ids: set[str]) -> dict[str, str]:
    """The agent who most recently answered each contact, on any conversation and channel."""
    latest = (select(conversations.c.contact_id, func.max(messages.c.seq).label("seq"))
              .join(conversations, conversations.c.id == messages.c.conversation_id)
              .where(conversations.c.contact_id.in_(sorted(contact_ids)), messages.c.direction == "outbound",
                     messages.c.author_id.is_not(None))
              .group_by(conversations.c.contact_id).subquery())
    return dict(db.execute(select(latest.c.contact_id, messages.c.author_id)
                           .join(messages, messages.c.seq == latest.c.seq)).all())
