"""Messages taken in one batch end where one-by-one handling would put them, stored once each."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from shared.envelopes import make_envelope
from services.inbox import context, ingest
from services.inbox.tables import activity, contacts, conversations, identities, messages
from tests.integration.inbox.conftest import ago, events_written, receive, wire


def inbound(message_id: str, sender: dict, text: str, *, channel: str = "chat", linked=(), thread=None,
            minutes_ago: int = 0):
    return wire(make_envelope(f"inbound.{channel}", {
        "channel": channel, "channel_message_id": message_id, "sender": sender, "sender_name": "",
        "linked_identities": list(linked), "text": text, "thread": thread or {},
        "received_at": ago(minutes=minutes_ago)}, source="test"))


def count_of(service, table, *where) -> int:
    with service.runtime.db.reading() as db:
        return db.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def test_one_customers_messages_in_one_batch_share_one_new_conversation(inbox):
    ada = {"type": "email", "value": "ada@example.com"}
    ingest.store_inbound(inbox.runtime, [inbound("m1", ada, "first", channel="email", minutes_ago=3),
                                         inbound("m2", ada, "second", channel="email", minutes_ago=2),
                                         inbound("m3", {"type": "phone", "value": "+14155550100"}, "other",
                                                 channel="sms", minutes_ago=1)])
    with inbox.runtime.db.reading() as db:
        ada_conversations = db.execute(select(conversations).join(identities, identities.c.contact_id ==
                                                                  conversations.c.contact_id)
                                       .where(identities.c.value == "ada@example.com")).all()
        actions = [r.action for r in db.execute(select(activity.c.action).order_by(activity.c.seq))]
    assert len(ada_conversations) == 1
    assert ada_conversations[0].version == 3  # opened, then touched by each of her two messages
    assert ada_conversations[0].last_message_preview == "second"
    assert count_of(inbox, contacts) == 2
    assert count_of(inbox, messages) == 3
    assert actions == ["conversation_opened", "message_received", "conversation_opened"]


def test_a_batch_joins_an_ongoing_conversation_and_links_new_identities(inbox):
    ada = {"type": "email", "value": "ada@example.com"}
    receive(inbox, ada, "earlier", channel="email")
    phone = {"type": "phone", "value": "+14155550101"}
    ingest.store_inbound(inbox.runtime, [inbound("s1", phone, "by sms", channel="sms", linked=[ada]),
                                         inbound("s2", phone, "again by sms", channel="sms")])
    assert count_of(inbox, conversations) == 1
    assert count_of(inbox, contacts) == 1
    assert count_of(inbox, identities) == 2
    with inbox.runtime.db.reading() as db:
        row = db.execute(select(conversations)).one()
    assert row.channels == ["email", "sms"] and row.last_channel == "sms"


def test_redelivered_and_resent_messages_in_a_batch_are_stored_once(inbox):
    ada = {"type": "chat", "value": "visitor-1"}
    first = inbound("c1", ada, "hello")
    resend = inbound("c1", ada, "hello")  # the channel sent the same message again
    ingest.store_inbound(inbox.runtime, [first, first, resend])
    ingest.store_inbound(inbox.runtime, [first, inbound("c2", ada, "more")])
    assert count_of(inbox, messages) == 2
    assert count_of(inbox, activity) == 2


def test_a_thread_hint_into_another_customers_conversation_is_not_followed(inbox):
    receive(inbox, {"type": "email", "value": "ada@example.com"}, "mine", channel="email")
    with inbox.runtime.db.reading() as db:
        adas = db.execute(select(conversations.c.id)).scalar_one()
    ingest.store_inbound(inbox.runtime, [
        inbound("e1", {"type": "email", "value": "eve@example.com"}, "forwarded", channel="email",
                thread={"conversation_id": adas}),
        inbound("e2", {"type": "email", "value": "ada@example.com"}, "reply", channel="email",
                thread={"conversation_id": adas})])
    assert count_of(inbox, conversations) == 2
    assert count_of(inbox, messages, messages.c.conversation_id == adas) == 2


def test_the_newest_ongoing_conversation_takes_the_message(inbox):
    ada = {"type": "email", "value": "ada@example.com"}
    receive(inbox, ada, "old", channel="email", at=ago(days=2))
    with inbox.runtime.db.transaction() as db:
        db.execute(conversations.update().values(status="resolved"))
    receive(inbox, ada, "new", channel="email", at=ago(days=1))
    ingest.store_inbound(inbox.runtime, [inbound("x1", ada, "follow-up", channel="email")])
    with inbox.runtime.db.reading() as db:
        newest = db.execute(select(conversations).where(conversations.c.status == "open")).one()
    assert newest.last_message_preview == "follow-up"
    assert newest.last_message_at > ago(days=1) + timedelta(hours=23)


def test_events_carry_each_contact_as_the_store_reads_it_afterwards(inbox):
    inbox.runtime.relay.stop()  # keep the events in the outbox to read them
    receive(inbox, {"type": "email", "value": "ada@example.com"}, "earlier", channel="email")
    visitor = {"type": "chat", "value": "visitor-7", "verified": True}
    ingest.store_inbound(inbox.runtime, [
        inbound("n1", visitor, "hello", linked=[{"type": "email", "value": "new@example.com", "verified": True},
                                                {"type": "phone", "value": "+14155550177"}]),
        inbound("n2", visitor, "still me", linked=[{"type": "email", "value": "later@example.com"}]),
        inbound("a1", {"type": "email", "value": "ada@example.com"}, "again", channel="email"),
        inbound("b1", {"type": "phone", "value": "+14155550188"}, "by sms", channel="sms")])
    stored = [e for e in events_written(inbox) if e.type == "message.stored"][1:]
    assert [e.payload["message"]["channel_message_id"] for e in stored] == ["n1", "n2", "a1", "b1"]
    with inbox.runtime.db.reading() as db:
        for event in stored:
            carried = event.payload["contact"]
            assert carried == context.contact_summary(db, carried["id"])
    assert len(stored[1].payload["contact"]["identities"]) == 4  # the visitor's chat, both emails and the phone
