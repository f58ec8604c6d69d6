"""What agents do to a conversation: reply on a channel, write notes, change status, transfer."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from shared.envelopes import make_envelope
from shared.runtime import ServiceRuntime
from shared.web.auth import Principal
from shared.web.errors import ApiError
from services.inbox import domain
from services.inbox.agents import get_agent, get_team_name, is_member
from services.inbox.context import visible_to
from services.inbox.events import (SOURCE, actor_of, conversation_row, conversation_updated, message_events,
                                   notify_agents, now, record_activity)
from services.inbox.tables import conversations, identities, messages, notes


def get_visible_conversation(db: Session, principal: Principal, conversation_id: str):
    """The conversation if this caller may see it; 404 otherwise (its existence is not revealed)."""
    row = db.execute(select(conversations).where(conversations.c.id == conversation_id,
                                                 visible_to(principal))).first()
    if row is None:
        raise ApiError(404, "No such conversation")
    return row


def reply(rt: ServiceRuntime, principal: Principal, conversation_id: str, *, text: str, channel: str | None) -> dict:
    """Store an agent's reply as `queued` and ask its channel to deliver it, in one transaction."""
    with rt.db.transaction() as db:
        row = get_visible_conversation(db, principal, conversation_id)
        recipient = _recipient(db, row, channel)
        message = {"id": str(uuid.uuid4()), "conversation_id": row.id, "channel": recipient["channel"],
                   "direction": "outbound", "channel_message_id": None, "sender": principal.id,
                   "sender_name": principal.name, "author_id": principal.agent_id, "text": text, "html": None,
                   "subject": _reply_subject(row.subject), "attachments": [], "thread": recipient["thread"],
                   "metadata": {}, "status": "queued", "created_at": now()}
        db.execute(insert(messages).values(**message))
        db.execute(update(conversations).where(conversations.c.id == row.id).values(
            waiting_since=None, last_message_preview=domain.preview(text), last_message_at=message["created_at"],
            version=row.version + 1, updated_at=now()))
        rt.outbox.add(db, make_envelope(f"reply.requested.{recipient['channel']}", {
            "message_id": message["id"], "conversation_id": row.id, "channel": recipient["channel"],
            "to": recipient["identity"], "to_name": recipient["name"], "text": text, "subject": message["subject"],
            "author_id": principal.agent_id, "author_name": principal.name, "thread": recipient["thread"],
            "created_at": message["created_at"]}, source=SOURCE))
        message_events(rt, db, message, row.id)
        record_activity(db, row.id, actor_of(principal), "replied", channel=recipient["channel"],
                        message_id=message["id"])
        notify_agents(db, "message.created", conversation_row(db, row.id), message_id=message["id"],
                      direction="outbound", channel=recipient["channel"], preview=domain.preview(text))
    return message


def _recipient(db: Session, row, requested: str | None) -> dict:
    """Where the reply goes: the customer's identity for the channel, and the thread to continue."""
    held = db.execute(select(identities).where(identities.c.contact_id == row.contact_id)
                      .order_by(identities.c.created_at.desc())).all()
    reachable = {ch for ch, kind in domain.CHANNEL_IDENTITY.items() if any(i.type == kind for i in held)}
    channel = domain.reply_channel(requested, row.last_channel, reachable)
    if channel is None:
        raise ApiError(422, f"The customer has no identity to reach them on {requested or row.last_channel}",
                       details={"channel": [f"reachable on: {', '.join(sorted(reachable)) or 'nothing'}"]})
    last_inbound = db.execute(select(messages).where(
        messages.c.conversation_id == row.id, messages.c.channel == channel, messages.c.direction == "inbound")
        .order_by(messages.c.seq.desc()).limit(1)).first()
    kind = domain.CHANNEL_IDENTITY[channel]
    value = last_inbound.sender if last_inbound else next(i.value for i in held if i.type == kind)
    return {"channel": channel, "identity": {"type": kind, "value": value},
            "name": last_inbound.sender_name if last_inbound else "",
            "thread": dict(last_inbound.thread) if last_inbound else {}}


def _reply_subject(subject: str) -> str:
    return subject if not subject or subject.lower().startswith("re:") else f"Re: {subject}"


def add_note(rt: ServiceRuntime, principal: Principal, conversation_id: str, text: str) -> dict:
    """An internal note: seen by agents in the context, never sent to the customer."""
    with rt.db.transaction() as db:
        row = get_visible_conversation(db, principal, conversation_id)
        note = _insert_note(db, principal, row, text)
        record_activity(db, row.id, actor_of(principal), "note_added", note_id=note["id"])
        notify_agents(db, "note.created", row, note_id=note["id"])
    return note


def _insert_note(db: Session, principal: Principal, row, text: str) -> dict:
    note = {"id": str(uuid.uuid4()), "conversation_id": row.id, "contact_id": row.contact_id,
            "author_id": principal.agent_id, "author_name": principal.name, "text": text, "created_at": now()}
    db.execute(insert(notes).values(**note))
    return note


def change_conversation(rt: ServiceRuntime, principal: Principal, conversation_id: str, changes: dict) -> None:
    """Status, priority, labels, or a transfer to another agent or team with a handoff note.

    A transfer moves the owner only: messages, notes and context stay with the conversation,
    so the new owner sees everything the previous one did.
    """
    with rt.db.transaction() as db:
        row = get_visible_conversation(db, principal, conversation_id)
        values = _changed_values(row, changes) | _transfer_values(db, row, changes)
        handoff = changes.get("note")
        if not values and not handoff:
            return
        note = _insert_note(db, principal, row, handoff) if handoff else None
        db.execute(update(conversations).where(conversations.c.id == row.id)
                   .values(**values, version=row.version + 1, updated_at=now()))
        changed = {k: {"from": _jsonable(getattr(row, k)), "to": _jsonable(v)} for k, v in values.items()
                   if getattr(row, k) != v and not k.endswith("_name") and k not in ("priority_rank", "resolved_at")}
        transferred = "assignee_id" in values or "team_id" in values
        record_activity(db, row.id, actor_of(principal), "transferred" if transferred else "changed", changes=changed,
                        note_id=note["id"] if note else None)
        after = conversation_row(db, row.id)
        notify_agents(db, "conversation.assigned" if transferred else "conversation.updated", after,
                      changes=sorted(changed), by=principal.name, note=handoff)
        conversation_updated(rt, db, row.id, sorted(changed))


def _changed_values(row, changes: dict) -> dict:
    values: dict = {}
    if "status" in changes and (changes["status"] != row.status or changes["status"] == "snoozed"):
        values["status"] = changes["status"]
        values["resolved_at"] = now() if changes["status"] == "resolved" else None
        values["snoozed_until"] = changes.get("snoozed_until") if changes["status"] == "snoozed" else None
    if "priority" in changes and changes["priority"] != row.priority:
        values |= {"priority": changes["priority"], "priority_rank": domain.PRIORITY_RANK[changes["priority"]]}
    if "labels" in changes and list(dict.fromkeys(changes["labels"])) != list(row.labels):
        values["labels"] = list(dict.fromkeys(changes["labels"]))
    return values


def _transfer_values(db: Session, row, changes: dict) -> dict:
    """A new owner: the agent (whose team follows when they are not in the current one) and/or the team
    (whose members take it over when the current assignee is not one of them)."""
    values: dict = {}
    if "assignee_id" in changes and changes["assignee_id"] != row.assignee_id:
        agent = get_agent(db, changes["assignee_id"]) if changes["assignee_id"] else None
        values |= {"assignee_id": agent.id if agent else None, "assignee_name": agent.name if agent else ""}
        if agent and "team_id" not in changes and row.team_id not in agent.team_ids and agent.team_ids:
            changes = {**changes, "team_id": agent.team_ids[0]}
    if "team_id" in changes and changes["team_id"] != row.team_id:
        team_id = changes["team_id"]
        values |= {"team_id": team_id, "team_name": get_team_name(db, team_id) if team_id else ""}
        if "assignee_id" not in changes and row.assignee_id and not is_member(db, row.assignee_id, team_id):
            values |= {"assignee_id": None, "assignee_name": ""}  # the new team's members pick it up
    return values


def _jsonable(value):
    return value.isoformat() if isinstance(value, datetime) else value
