"""The confirming publisher on the real RabbitMQ: whole batches confirmed, or an error and nothing taken for sent."""

import threading

import pytest
from kombu import Connection, Exchange, Queue

from shared.envelopes import dump_envelope, load_envelope
from shared.messaging import BrokerUnavailable, MessageBus
from shared.messaging.confirming_publisher import ConfirmingPublisher, Outgoing, PublishFailed
from shared.messaging.topology import EXCHANGE
from tests.support.broker_tools import close_broker_connections, open_broker_connections, waiting_messages
from tests.support.bus_contract import chat_message, wait_until


@pytest.fixture
def publisher(amqp_url):
    publisher = ConfirmingPublisher(amqp_url)
    yield publisher
    publisher.close()


def chat_bodies(count: int) -> list[dict]:
    return [dump_envelope(chat_message(f"message {n}", f"m{n}")) for n in range(count)]


def test_a_whole_batch_reaches_the_bound_queue_decodable_by_kombu(bus, publisher, amqp_url):
    bodies = chat_bodies(300)
    publisher.publish([Outgoing.of(body) for body in bodies])
    received = waiting_messages(amqp_url, "inbox.inbound")
    assert [message.payload for message in received] == bodies
    assert [load_envelope(message.payload).payload["text"] for message in received[:2]] == ["message 0", "message 1"]
    first = received[0]
    assert first.properties["delivery_mode"] == 2
    assert first.properties["message_id"] == bodies[0]["id"]
    assert (first.content_type, first.content_encoding) == ("application/json", "utf-8")


def test_the_bus_publishes_the_same_bytes_as_kombu_does(bus, amqp_url):
    envelope = chat_message("same bytes")
    bus.publish([envelope])
    with Connection(amqp_url) as conn:
        conn.Producer().publish(dump_envelope(envelope), exchange=EXCHANGE, routing_key=envelope.routing_key,
                                serializer="json", delivery_mode=2, message_id=envelope.id)
    ours, kombus = waiting_messages(amqp_url, "inbox.inbound")
    assert ours.body == kombus.body
    assert ours.properties == kombus.properties
    assert ours.headers == kombus.headers


def test_one_unroutable_message_fails_the_whole_batch(bus, publisher):
    outgoing = [Outgoing.of(body) for body in chat_bodies(5)]
    outgoing.insert(2, Outgoing(routing_key="nobody.listens", message_id="x", body={"id": "x"}))
    with pytest.raises(PublishFailed, match="nobody.listens"):
        publisher.publish(outgoing)


def test_the_bus_reports_an_unroutable_body_as_broker_unavailable(bus):
    orphan = dict(chat_bodies(1)[0], type="nobody.listens")
    with pytest.raises(BrokerUnavailable):
        bus.publish_dumped([orphan])


def test_a_message_the_broker_refuses_fails_the_batch(bus, publisher, amqp_url):
    exchange = Exchange(EXCHANGE, type="topic", durable=True)
    with Connection(amqp_url) as conn:  # a queue that takes one message and refuses more
        Queue("tests.full", exchange=exchange, routing_key="tests.full", durable=True,
              queue_arguments={"x-max-length": 1, "x-overflow": "reject-publish"})(conn.default_channel).declare()
    full = [Outgoing(routing_key="tests.full", message_id=str(n), body={"n": n}) for n in range(3)]
    with pytest.raises(PublishFailed, match="nack"):
        publisher.publish(full)


def test_a_missing_exchange_fails_and_the_next_batch_gets_a_fresh_channel(amqp_url, publisher):
    with pytest.raises(PublishFailed):
        publisher.publish([Outgoing.of(chat_bodies(1)[0])])
    MessageBus(amqp_url).declare()
    publisher.publish([Outgoing.of(chat_bodies(1)[0])])
    assert len(waiting_messages(amqp_url, "inbox.inbound")) == 1


def test_a_connection_the_broker_dropped_is_reopened(bus, publisher, amqp_url):
    publisher.publish([Outgoing.of(body) for body in chat_bodies(2)])
    close_broker_connections(amqp_url)
    publisher.publish([Outgoing.of(body) for body in chat_bodies(3)])
    assert len(waiting_messages(amqp_url, "inbox.inbound")) == 5


def test_an_unreachable_broker_fails_the_batch():
    publisher = ConfirmingPublisher("amqp://guest:guest@127.0.0.1:1//")
    try:
        with pytest.raises(PublishFailed):
            publisher.publish([Outgoing.of(chat_bodies(1)[0])])
    finally:
        publisher.close()


def test_closing_the_bus_closes_the_publisher_of_every_thread(amqp_url):
    bus = MessageBus(amqp_url)
    bus.declare()
    thread = threading.Thread(target=lambda: bus.publish([chat_message("from a thread")]))
    thread.start()
    thread.join(10)
    bus.publish([chat_message("from the test")])
    assert open_broker_connections(amqp_url) == 2
    bus.close()  # from another thread than the one that opened the first publisher
    assert wait_until(lambda: open_broker_connections(amqp_url) == 0)
    assert len(waiting_messages(amqp_url, "inbox.inbound")) == 2
