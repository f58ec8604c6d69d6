"""Taking in a customer's message: drop duplicates, find the contact, thread it, store it, tell others."""

from __future__ import annotations

import uuid

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from shared.envelopes import Envelope
from shared.runtime import ServiceRuntime
from shared.storage.idempotency import claim_message
from services.inbox import domain
from services.inbox.contacts import attach_identities, create_contact, owner_of
from services.inbox.events import message_events, notify_agents, now, record_activity
from services.inbox.tables import conversations, messages

CONSUMER = "inbox.inbound"


def handle_inbound(rt: ServiceRuntime, envelope: Envelope) -> None:
    """Store one inbound message exactly once, in the contact's ongoing conversation or a new one."""
    msg = envelope.payload
    with rt.db.transaction() as db:
        if not claim_message(db, rt.processed, CONSUMER, envelope.id) or _already_stored(db, msg):
            return
        contact_id = resolve_contact(db, msg)
        conversation_id, opened = thread_message(db, contact_id, msg)
        stored = _store_message(db, conversation_id, msg)
        # An automatic reply (out-of-office, Auto-Submitted) is kept for the record, but it is not the
        # customer asking again: it leaves an existing conversation as it was and never goes to routing.
        automatic = bool(msg["metadata"].get("auto_reply"))
        if opened or not automatic:
            _touch_conversation(db, conversation_id, msg, stored)
        conversation = db.execute(select(conversations).where(conversations.c.id == conversation_id)).one()
        action = "conversation_opened" if opened else "auto_reply_received" if automatic else "message_received"
        record_activity(db, conversation_id, "customer", action, channel=msg["channel"], message_id=stored["id"])
        notify_agents(db, "message.created", conversation, message_id=stored["id"], direction="inbound",
                      channel=msg["channel"], preview=domain.preview(stored["text"]))
        message_events(rt, db, stored, conversation_id, caused_by=envelope, routed=not automatic)


def _already_stored(db: Session, msg: dict) -> bool:
    """The same channel message id again (a resend by the provider) is not a second message."""
    return db.execute(select(messages.c.id).where(messages.c.channel == msg["channel"],
                                                  messages.c.channel_message_id == msg["channel_message_id"])).first() is not None


def resolve_contact(db: Session, msg: dict) -> str:
    """The one contact behind the sender's identities (locked against a merge); a new one for a stranger."""
    given = [msg["sender"], *msg["linked_identities"]]
    contact_id = next((owner for ident in given if (owner := owner_of(db, ident["type"], ident["value"]))), None)
    if contact_id is None:
        contact_id = create_contact(db, msg["sender_name"] or msg["sender"]["value"])
    attach_identities(db, contact_id, given)
    return contact_id


def thread_message(db: Session, contact_id: str, msg: dict) -> tuple[str, bool]:
    """The conversation the channel threaded it into, else the contact's ongoing one, else a new one.

    A channel's hint (`thread.conversation_id`, e.g. from email reply headers) is followed only
    into a conversation of the same contact, so a forwarded thread never opens someone else's.
    """
    hinted = msg["thread"].get("conversation_id")
    if isinstance(hinted, str) and db.execute(select(conversations.c.id).where(
            conversations.c.id == hinted, conversations.c.contact_id == contact_id)).first():
        return hinted, False
    ongoing = db.execute(select(conversations.c.id).where(
        conversations.c.contact_id == contact_id, conversations.c.status.in_(domain.ONGOING_STATUSES))
        .order_by(conversations.c.last_message_at.desc()).limit(1)).scalar()
    if ongoing:
        return ongoing, False
    conversation_id = str(uuid.uuid4())
    db.execute(insert(conversations).values(
        id=conversation_id, contact_id=contact_id, status="open", priority="normal", priority_rank=2,
        subject=msg["subject"], channels=[msg["channel"]], labels=[], last_channel=msg["channel"],
        last_message_at=msg["received_at"], waiting_since=msg["received_at"], routing={}, version=1,
        created_at=now(), updated_at=now()))
    return conversation_id, True


def _store_message(db: Session, conversation_id: str, msg: dict) -> dict:
    stored = {"id": str(uuid.uuid4()), "conversation_id": conversation_id, "channel": msg["channel"],
              "direction": "inbound", "channel_message_id": msg["channel_message_id"],
              "sender": msg["sender"]["value"], "sender_name": msg["sender_name"], "text": msg["text"],
              "html": msg["html"], "subject": msg["subject"], "attachments": msg["attachments"],
              "thread": msg["thread"], "metadata": msg["metadata"], "status": "received",
              "created_at": msg["received_at"]}
    db.execute(insert(messages).values(**stored))
    return stored


def _touch_conversation(db: Session, conversation_id: str, msg: dict, stored: dict) -> None:
    """A customer wrote: the conversation is open again, waiting for an answer, on this channel."""
    row = db.execute(select(conversations).where(conversations.c.id == conversation_id)).one()
    db.execute(update(conversations).where(conversations.c.id == conversation_id).values(
        status="open", snoozed_until=None, last_channel=msg["channel"],
        channels=domain.merged_channels(list(row.channels), msg["channel"]),
        subject=row.subject or msg["subject"], last_message_preview=domain.preview(stored["text"]),
        last_message_at=max(row.last_message_at, msg["received_at"]),
        waiting_since=row.waiting_since or msg["received_at"], version=row.version + 1, updated_at=now()))
