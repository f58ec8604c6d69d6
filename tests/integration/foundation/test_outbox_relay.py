"""The outbox relay on PostgreSQL and RabbitMQ: rows leave the table only once the broker confirmed them."""

import threading

import pytest
from kombu import Connection
from sqlalchemy import func, select

from shared.envelopes import dump_envelope, make_envelope
from shared.messaging import BrokerUnavailable
from shared.storage import Database, OutboxRelay
from tests.support.broker_tools import close_broker_connections, waiting_messages
from tests.support.bus_contract import chat_message, wait_until
from tests.support.outboxes import fresh_outbox


@pytest.fixture
def db(postgres_url):
    db = Database(postgres_url)
    yield db
    db.dispose()


@pytest.fixture
def outbox(db):
    return fresh_outbox(db)


@pytest.fixture
def relay(db, outbox, bus):
    relay = OutboxRelay(db, outbox.table, bus, batch_size=50)
    yield relay
    relay.stop()


def add(db, outbox, *envelopes):
    with db.transaction(notify=False) as session:
        outbox.add(session, *envelopes)


def rows_left(db, outbox) -> int:
    with db.reading() as session:
        return session.execute(select(func.count()).select_from(outbox.table)).scalar()


def test_envelopes_added_together_are_stored_in_their_order(db, outbox):
    envelopes = [chat_message(f"message {n}", f"m{n}") for n in range(7)]
    add(db, outbox, *envelopes)
    add(db, outbox)  # nothing to add is fine
    with db.reading() as session:
        stored = session.execute(select(outbox.table.c.envelope).order_by(outbox.table.c.id)).scalars().all()
    assert stored == [dump_envelope(envelope) for envelope in envelopes]


def test_the_relay_publishes_every_row_in_batches_and_deletes_them(db, outbox, relay, amqp_url):
    envelopes = [chat_message(f"message {n}", f"m{n}") for n in range(120)]
    add(db, outbox, *envelopes)
    assert [relay.relay_once() for _ in range(4)] == [50, 50, 20, 0]
    assert rows_left(db, outbox) == 0
    received = waiting_messages(amqp_url, "inbox.inbound")
    assert [message.payload for message in received] == [dump_envelope(envelope) for envelope in envelopes]
    assert received[0].properties["message_id"] == envelopes[0].id


def test_a_batch_with_an_unroutable_event_stays_in_the_outbox(db, outbox, relay, bus, amqp_url):
    reply = make_envelope("reply.requested.chat", {
        "message_id": "m", "conversation_id": "c", "channel": "chat", "to": {"type": "chat", "value": "s"},
        "text": "hi", "created_at": "2026-01-01T00:00:00+00:00"}, source="tests")
    with Connection(amqp_url) as conn:  # nobody consumes chat replies any more
        conn.default_channel.queue_delete("webchat.replies")
    add(db, outbox, chat_message("before"), reply, chat_message("after"))
    with pytest.raises(BrokerUnavailable):
        relay.relay_once()
    assert rows_left(db, outbox) == 3
    bus.declare()  # the queue is back: the next round publishes all three
    assert relay.relay_once() == 3
    assert rows_left(db, outbox) == 0


def test_the_relay_reconnects_after_the_broker_dropped_its_connection(db, outbox, relay, amqp_url):
    add(db, outbox, chat_message("first"))
    assert relay.relay_once() == 1
    close_broker_connections(amqp_url)
    add(db, outbox, chat_message("second"))
    assert relay.relay_once() == 1
    assert [message.payload["payload"]["text"] for message in waiting_messages(amqp_url, "inbox.inbound")] == [
        "first", "second"]


def test_rows_another_relay_holds_are_skipped(db, outbox, relay):
    add(db, outbox, *[chat_message(f"message {n}", f"m{n}") for n in range(3)])
    with db.engine.connect() as other_relay, other_relay.begin():
        held = other_relay.execute(select(outbox.table.c.id).limit(2).with_for_update()).scalars().all()
        assert relay.relay_once() == 1
    assert len(held) == 2 and rows_left(db, outbox) == 2


def test_a_commit_wakes_the_relay_thread(db, outbox, relay, amqp_url):
    with db.transaction() as session:
        outbox.add(session, chat_message("woken"))
    assert wait_until(lambda: rows_left(db, outbox) == 0)
    assert [message.payload["payload"]["text"] for message in waiting_messages(amqp_url, "inbox.inbound")] == ["woken"]


def added_row(db, outbox, envelope) -> int:
    with db.transaction(notify=False) as session:
        outbox.add(session, envelope)
        return session.execute(select(func.max(outbox.table.c.id))).scalar()


def test_a_caller_can_wait_until_its_row_is_on_the_broker(db, outbox, relay, amqp_url):
    row_id = added_row(db, outbox, chat_message("where is my parcel", "m1"))

    assert relay.wait_published(row_id, timeout=10)

    assert rows_left(db, outbox) == 0
    assert [m.payload["payload"]["text"] for m in waiting_messages(amqp_url, "inbox.inbound")] == ["where is my parcel"]


def test_waiting_for_a_row_that_cannot_be_published_gives_up_at_the_timeout(db, outbox, relay, amqp_url):
    with Connection(amqp_url) as conn:  # the event's queue is gone: the broker refuses it
        conn.default_channel.queue_delete("inbox.inbound")
    row_id = added_row(db, outbox, chat_message("hello", "m1"))

    assert not relay.wait_published(row_id, timeout=0.3, recheck_seconds=0.05)
    assert rows_left(db, outbox) == 1


def test_a_row_another_process_relayed_is_noticed_at_the_next_recheck(db, outbox, bus):
    here = OutboxRelay(db, outbox.table, bus, poll_seconds=60)
    here._ensure_started = lambda: None  # this process's relay thread never runs: another process relays
    elsewhere = OutboxRelay(db, outbox.table, bus)
    row_id = added_row(db, outbox, chat_message("hello", "m1"))
    threading.Timer(0.2, elsewhere.relay_once).start()

    assert here.wait_published(row_id, timeout=5, recheck_seconds=0.05)
    assert rows_left(db, outbox) == 0


def test_a_row_watched_before_its_commit_is_waited_for_without_reading_the_table(db, outbox, relay):
    with db.transaction() as session:  # committing wakes the relay, as any service's write does
        outbox.add(session, chat_message("hello", "m1"))
        row_id = session.execute(select(func.max(outbox.table.c.id))).scalar()
        relay.watch(row_id)
    relay._still_pending = lambda _row_id: pytest.fail("the table was read")

    assert relay.wait_published(row_id, timeout=10, recheck_seconds=10)


def test_the_relay_declares_a_deleted_queue_again_and_publishes_what_waited(db, outbox, relay, amqp_url):
    with Connection(amqp_url) as conn:  # an operator deleted the inbox's queue
        conn.default_channel.queue_delete("inbox.inbound")
    with db.transaction() as session:  # committing wakes the relay
        outbox.add(session, chat_message("still here", "m1"))

    assert wait_until(lambda: rows_left(db, outbox) == 0, timeout=15)
    assert [m.payload["payload"]["text"] for m in waiting_messages(amqp_url, "inbox.inbound")] == ["still here"]
