"""The messaging behaviour suite on the real RabbitMQ, plus what only a real broker can show."""

import threading

import pytest

from shared.envelopes import make_envelope
from shared.messaging import BrokerUnavailable, MessageBus
from tests.support.bus_contract import BEHAVIOURS, RunningWorker, chat_message, wait_until


@pytest.mark.parametrize("behaviour", BEHAVIOURS, ids=lambda b: b.__name__.removeprefix("check_"))
def test_messaging_behaves_the_same_on_rabbitmq(bus, behaviour):
    behaviour(bus)


def test_a_message_whose_consumer_dies_before_acking_is_delivered_again(bus):
    bus.publish([chat_message("survives a crash")])
    first_delivery = threading.Event()

    def die_without_ack(body, message):
        first_delivery.set()
        raise SystemExit  # the consumer's connection goes away with the message unacknowledged

    stop = threading.Event()
    crashed = threading.Thread(target=lambda: _swallow(lambda: bus.consume("inbox.inbound", die_without_ack, stop)))
    crashed.start()
    assert first_delivery.wait(10)
    crashed.join(10)

    seen = []
    with RunningWorker(bus, "inbox.inbound", seen.append):
        assert wait_until(lambda: len(seen) == 1)
    assert seen[0].payload["text"] == "survives a crash"


def _swallow(call):
    try:
        call()
    except SystemExit:
        pass


def test_publishing_with_a_routing_key_nobody_consumes_is_refused(bus):
    orphan = make_envelope("reply.requested.chat", {
        "message_id": "m", "conversation_id": "c", "channel": "chat", "to": {"type": "chat", "value": "s"},
        "text": "hi", "created_at": "2026-01-01T00:00:00+00:00"}, source="tests")
    bus.declare()
    with MessageBus(bus.url).connect() as conn:  # remove the only queue bound to that key
        conn.default_channel.queue_delete("webchat.replies")
    with pytest.raises(BrokerUnavailable):
        bus.publish([orphan])


def test_an_unreachable_broker_is_reported_as_unavailable():
    with pytest.raises(BrokerUnavailable):
        MessageBus("amqp://guest:guest@127.0.0.1:1//").check()
