"""The messaging layer's behaviour, written once and run on `memory://` and on real RabbitMQ."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

from shared.envelopes import make_envelope
from shared.messaging import MessageBus, PermanentFailure, Worker
from shared.messaging.dead_letters import list_dead_letters, replay_dead_letters


def chat_message(text: str = "hello", message_id: str = "m1"):
    return make_envelope("inbound.chat", {
        "channel": "chat", "channel_message_id": message_id, "sender": {"type": "chat", "value": "s1"},
        "text": text, "received_at": datetime.now(timezone.utc)}, source="tests")


def wait_until(predicate, timeout: float = 10.0) -> bool:
    """Poll until `predicate()` holds; the tests assert on the result, never on the time taken."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


class RunningWorker:
    """A worker consuming in a thread for the duration of a `with` block."""

    def __init__(self, bus: MessageBus, queue: str, handler, **options):
        self.worker = Worker(bus, queue, handler, sleep=lambda _: None, **options)
        self.stop = threading.Event()

    def __enter__(self):
        self.thread = self.worker.start(self.stop)
        return self.worker

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=5)


def check_published_envelope_reaches_its_consumer_once(bus: MessageBus) -> None:
    seen = []
    with RunningWorker(bus, "inbox.inbound", seen.append):
        bus.publish([chat_message("hi there")])
        assert wait_until(lambda: len(seen) == 1)
        time.sleep(0.3)
    assert [e.payload["text"] for e in seen] == ["hi there"]
    assert seen[0].type == "inbound.chat" and seen[0].source == "tests"


def check_failing_handler_is_retried_until_it_succeeds(bus: MessageBus) -> None:
    calls = []

    def flaky(envelope):
        calls.append(envelope.id)
        if len(calls) < 3:
            raise RuntimeError("database briefly locked")

    with RunningWorker(bus, "inbox.inbound", flaky, attempts=5):
        bus.publish([chat_message()])
        assert wait_until(lambda: len(calls) == 3)
    assert list_dead_letters(bus, "inbox.inbound") == []


def check_message_that_keeps_failing_is_dead_lettered_and_can_be_replayed(bus: MessageBus) -> None:
    def broken(envelope):
        raise ValueError("cannot thread this")

    with RunningWorker(bus, "inbox.inbound", broken, attempts=2):
        bus.publish([chat_message("poison")])
        assert wait_until(lambda: len(list_dead_letters(bus, "inbox.inbound")) == 1)
    parked = list_dead_letters(bus, "inbox.inbound")
    assert parked[0]["reason"] == "handler failed"
    assert "cannot thread this" in parked[0]["error"]
    assert parked[0]["routing_key"] == "inbound.chat"
    assert parked[0]["body"]["payload"]["text"] == "poison"

    healed = []
    assert replay_dead_letters(bus, "inbox.inbound") == 1
    with RunningWorker(bus, "inbox.inbound", healed.append):
        assert wait_until(lambda: len(healed) == 1)
    assert healed[0].payload["text"] == "poison"
    assert list_dead_letters(bus, "inbox.inbound") == []


def check_permanent_failure_skips_retries(bus: MessageBus) -> None:
    calls = []

    def refuse(envelope):
        calls.append(1)
        raise PermanentFailure("not a message we can ever store")

    with RunningWorker(bus, "inbox.inbound", refuse, attempts=5):
        bus.publish([chat_message()])
        assert wait_until(lambda: len(list_dead_letters(bus, "inbox.inbound")) == 1)
    assert calls == [1]


def check_envelope_that_fails_its_schema_is_dead_lettered(bus: MessageBus) -> None:
    seen = []
    with RunningWorker(bus, "inbox.inbound", seen.append):
        bus.republish({"id": "x", "type": "inbound.chat", "version": 1, "payload": {"channel": "fax"}}, "inbound.chat")
        assert wait_until(lambda: len(list_dead_letters(bus, "inbox.inbound")) == 1)
    assert seen == []
    assert list_dead_letters(bus, "inbox.inbound")[0]["reason"] == "invalid envelope"


def check_routing_keys_reach_only_the_queues_bound_to_them(bus: MessageBus) -> None:
    inbound, replies = [], []
    with RunningWorker(bus, "inbox.inbound", inbound.append), RunningWorker(bus, "webchat.replies", replies.append):
        bus.publish([chat_message("for the inbox")])
        assert wait_until(lambda: len(inbound) == 1)
        time.sleep(0.3)
    assert replies == []


BEHAVIOURS = [
    check_published_envelope_reaches_its_consumer_once,
    check_failing_handler_is_retried_until_it_succeeds,
    check_message_that_keeps_failing_is_dead_lettered_and_can_be_replayed,
    check_permanent_failure_skips_retries,
    check_envelope_that_fails_its_schema_is_dead_lettered,
    check_routing_keys_reach_only_the_queues_bound_to_them,
]
