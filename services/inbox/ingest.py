"""Taking in customers' messages: drop duplicates, find the contact, thread, store, tell others.

Messages are taken in batches, in one transaction with a fixed number of statements per
batch: the rows a batch needs are read at once, the messages are applied one after the
other in memory (so two messages of one customer in the same batch share a conversation),
and everything is written in bulk. A lone message is a batch of one.
"""

from __future__ import annotations

import uuid
from types import SimpleNamespace

from sqlalchemy import bindparam, insert, or_, select, update
from sqlalchemy.orm import Session

from shared.envelopes import Envelope
from shared.runtime import ServiceRuntime
from shared.storage.idempotency import claim_messages
from services.inbox import context, domain, summaries
from services.inbox.contact_book import ContactBook
from services.inbox.events import now, stored_message_events
from services.inbox.tables import activity, agent_events, conversations, messages

CONSUMER = "inbox.inbound"
# The conversation columns a customer's message changes (see _touch).
TOUCHED = ("status", "snoozed_until", "last_channel", "channels", "subject", "last_message_preview",
           "last_message_at", "waiting_since", "version", "updated_at")


def handle_inbound(rt: ServiceRuntime, envelope: Envelope) -> None:
    """Store one inbound message exactly once (a batch of one)."""
    store_inbound(rt, [envelope])


def store_inbound(rt: ServiceRuntime, envelopes: list[Envelope]) -> None:
    """Store each message once, in its contact's ongoing conversation or a new one, and publish what follows."""
    with rt.db.transaction() as db:
        fresh = _not_stored(db, _claim(db, rt.processed, envelopes))
        if not fresh:
            return
        book = ContactBook.load(db, [_identities(e.payload) for e in fresh])
        batch = _Batch(db, book, fresh)
        for envelope in fresh:
            batch.take(envelope)
        batch.write(rt)


def _claim(db: Session, processed, envelopes: list[Envelope]) -> list[Envelope]:
    """The envelopes this consumer has not handled before (each once), now marked as handled."""
    fresh = claim_messages(db, processed, CONSUMER, [e.id for e in envelopes])
    return list({e.id: e for e in envelopes if e.id in fresh}.values())


def _not_stored(db: Session, envelopes: list[Envelope]) -> list[Envelope]:
    """Drop a channel message already stored or repeated in the batch (a provider's resend is not a second message)."""
    if not envelopes:
        return []
    ids = {e.payload["channel_message_id"] for e in envelopes}
    stored = {tuple(row) for row in db.execute(select(messages.c.channel, messages.c.channel_message_id)
                                               .where(messages.c.channel_message_id.in_(sorted(ids))))}
    fresh = []
    for envelope in envelopes:
        key = (envelope.payload["channel"], envelope.payload["channel_message_id"])
        if key not in stored:
            stored.add(key)
            fresh.append(envelope)
    return fresh


def _identities(msg: dict) -> list[dict]:
    return [msg["sender"], *msg["linked_identities"]]


class _Batch:
    """The conversations a batch touches, held in memory while its messages are applied in order."""

    def __init__(self, db: Session, book: ContactBook, envelopes: list[Envelope]):
        self.db, self.book, self.moment = db, book, now()
        hinted = {h for e in envelopes if isinstance(h := e.payload["thread"].get("conversation_id"), str)}
        rows = db.execute(select(conversations).where(or_(
            conversations.c.id.in_(sorted(hinted)),
            conversations.c.contact_id.in_(sorted(book.survivor_ids())) & conversations.c.status.in_(
                domain.ONGOING_STATUSES)))).mappings()
        self.conversations = {row["id"]: dict(row) for row in rows}
        self.new_ids: list[str] = []
        self.changed: set[str] = set()
        self.stored: list[dict] = []
        self.applied: list[tuple[Envelope, dict, str, dict, bool]] = []  # envelope, stored, action, snapshot, routed

    def take(self, envelope: Envelope) -> None:
        """Apply one message: its contact, its conversation, the stored message, the conversation's new state."""
        msg = envelope.payload
        contact_id = self.book.resolve(_identities(msg), msg["sender_name"] or msg["sender"]["value"])
        conversation, opened = self._thread(contact_id, msg)
        stored = {"id": str(uuid.uuid4()), "conversation_id": conversation["id"], "channel": msg["channel"],
                  "direction": "inbound", "channel_message_id": msg["channel_message_id"],
                  "sender": msg["sender"]["value"], "sender_name": msg["sender_name"], "text": msg["text"],
                  "html": msg["html"], "subject": msg["subject"], "attachments": msg["attachments"],
                  "thread": msg["thread"], "metadata": msg["metadata"], "status": "received",
                  "created_at": msg["received_at"]}
        self.stored.append(stored)
        # An automatic reply (out-of-office, Auto-Submitted) is kept for the record, but it is not the
        # customer asking again: it leaves an existing conversation as it was and never goes to routing.
        automatic = bool(msg["metadata"].get("auto_reply"))
        if opened or not automatic:
            self._touch(conversation, msg, stored)
        action = "conversation_opened" if opened else "auto_reply_received" if automatic else "message_received"
        self.applied.append((envelope, stored, action, dict(conversation), not automatic))

    def _thread(self, contact_id: str, msg: dict) -> tuple[dict, bool]:
        """The conversation the channel threaded it into, else the contact's ongoing one, else a new one.

        A channel's hint (`thread.conversation_id`, e.g. from email reply headers) is followed only
        into a conversation of the same contact, so a forwarded thread never opens someone else's.
        """
        hinted = self.conversations.get(msg["thread"].get("conversation_id"))
        if hinted is not None and hinted["contact_id"] == contact_id:
            return hinted, False
        ongoing = [c for c in self.conversations.values()
                   if c["contact_id"] == contact_id and c["status"] in domain.ONGOING_STATUSES]
        if ongoing:
            return max(ongoing, key=lambda c: c["last_message_at"]), False
        conversation = {
            "id": str(uuid.uuid4()), "contact_id": contact_id, "status": "open", "priority": "normal",
            "priority_rank": 2, "subject": msg["subject"], "channels": [msg["channel"]], "labels": [],
            "last_channel": msg["channel"], "assignee_id": None, "assignee_name": "", "team_id": None,
            "team_name": "", "last_message_preview": "", "last_message_at": msg["received_at"],
            "waiting_since": msg["received_at"], "snoozed_until": None, "routing": {}, "version": 1,
            "created_at": self.moment, "updated_at": self.moment, "resolved_at": None}
        self.conversations[conversation["id"]] = conversation
        self.new_ids.append(conversation["id"])
        return conversation, True

    def _touch(self, conversation: dict, msg: dict, stored: dict) -> None:
        """A customer wrote: the conversation is open again, waiting for an answer, on this channel."""
        conversation.update(
            status="open", snoozed_until=None, last_channel=msg["channel"],
            channels=domain.merged_channels(list(conversation["channels"]), msg["channel"]),
            subject=conversation["subject"] or msg["subject"], last_message_preview=domain.preview(stored["text"]),
            last_message_at=max(conversation["last_message_at"], msg["received_at"]),
            waiting_since=conversation["waiting_since"] or msg["received_at"],
            version=conversation["version"] + 1, updated_at=self.moment)
        self.changed.add(conversation["id"])

    def write(self, rt: ServiceRuntime) -> None:
        """Everything the batch decided, in bulk: contacts, conversations, messages, activity, events."""
        db = self.db
        self.book.write(db, self.moment)
        if self.new_ids:
            db.execute(insert(conversations), [self.conversations[i] for i in self.new_ids])
        existing = [self.conversations[i] for i in self.changed.difference(self.new_ids)]
        if existing:
            db.execute(update(conversations).where(conversations.c.id == bindparam("target"))
                       .values({name: bindparam(name) for name in TOUCHED}),
                       [{"target": c["id"], **{name: c[name] for name in TOUCHED}} for c in existing])
        db.execute(insert(messages), self.stored)
        # Contacts this batch created have no history to read (a new customer's first message).
        contacts = self.book.new_contact_summaries()
        known = {self.conversations[s["conversation_id"]]["contact_id"] for s in self.stored} - contacts.keys()
        helpers = {}
        if known:
            contacts |= summaries.contact_summaries(db, known)
            helpers = summaries.last_agent_ids(db, known)
        activities, agent_entries, envelopes = [], [], []
        for envelope, stored, action, snapshot, routed in self.applied:
            cid = snapshot["id"]
            activities.append({"conversation_id": cid, "actor": "customer", "action": action,
                               "details": {"channel": stored["channel"], "message_id": stored["id"]},
                               "created_at": self.moment})
            agent_entries.append({"type": "message.created", "conversation_id": cid,
                                  "assignee_id": snapshot["assignee_id"], "team_id": snapshot["team_id"],
                                  "data": {"conversation_id": cid, "message_id": stored["id"], "direction": "inbound",
                                           "channel": stored["channel"], "preview": domain.preview(stored["text"])},
                                  "created_at": self.moment})
            summary = context.conversation_summary(SimpleNamespace(**snapshot))
            summary["last_agent_id"] = helpers.get(snapshot["contact_id"])
            payload = {"message": {k: stored[k] for k in ("id", "channel", "direction", "text", "subject",
                                                          "created_at", "sender", "channel_message_id")},
                       "conversation": summary, "contact": contacts[snapshot["contact_id"]]}
            envelopes += stored_message_events(payload, envelope, routed=routed)
        db.execute(insert(activity), activities)
        db.execute(insert(agent_events), agent_entries)
        rt.outbox.add(db, *envelopes)

