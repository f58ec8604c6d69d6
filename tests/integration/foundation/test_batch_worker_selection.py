"""A batch consumer that needs only some of its queue's events, on real RabbitMQ: the rest are acknowledged unread."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager

from shared.messaging.batch_worker import BatchWorker
from shared.messaging.dead_letters import list_dead_letters
from tests.support.bus_contract import chat_message, wait_until

QUEUE = "inbox.inbound"
# Fails its schema (no such channel): checking it would dead-letter it.
MALFORMED = {"id": "bad", "type": "inbound.chat", "version": 1, "payload": {"channel": "fax", "text": "ignored"}}


def not_ignored(bodies: list) -> list[bool]:
    return [body["payload"].get("text") != "ignored" for body in bodies]


@contextmanager
def consuming(bus, handled: list, **options):
    worker = BatchWorker(bus, QUEUE, lambda envelopes: handled.extend(e.payload["text"] for e in envelopes),
                         first_pause=0.05, **options)
    stop = threading.Event()
    thread = worker.start(stop)
    try:
        yield
    finally:
        stop.set()
        thread.join(10)


def left_in_queue(bus) -> int:
    return bus.take_all(QUEUE, lambda _headers, _body: True)


def test_events_not_worth_handling_are_acknowledged_without_being_checked(bus):
    handled: list[str] = []
    with consuming(bus, handled, worth_handling=not_ignored):
        bus.publish([chat_message("ignored", "m1"), chat_message("wanted", "m2")])
        bus.republish(MALFORMED, "inbound.chat")
        assert wait_until(lambda: handled == ["wanted"])
        time.sleep(0.3)
    assert handled == ["wanted"]
    assert left_in_queue(bus) == 0
    assert list_dead_letters(bus, QUEUE) == []


def test_when_the_selection_fails_every_event_is_handled_as_usual(bus):
    def broken(bodies):
        raise RuntimeError("the database is down")

    handled: list[str] = []
    with consuming(bus, handled, worth_handling=broken):
        bus.publish([chat_message("ignored", "m1"), chat_message("wanted", "m2")])
        bus.republish(MALFORMED, "inbound.chat")
        assert wait_until(lambda: sorted(handled) == ["ignored", "wanted"])
        assert wait_until(lambda: len(list_dead_letters(bus, QUEUE)) == 1)
    assert left_in_queue(bus) == 0
