"""A consumer that hands a queue's messages to its handler in batches (one commit or bulk write for many).

Messages are collected until the batch is full, no further message arrives within
`max_wait` seconds, or `max_delay` seconds have passed since the first. With the defaults,
a batch is simply what already waits: a lone message is handled at once, and batches grow
by themselves when messages arrive faster than they are handled. The batch is acknowledged after the handler
returns. When the handler raises RetryLater (a dependency is down) the batch stays
unacknowledged in the broker and is retried, with a growing pause, until it succeeds or
the worker stops (then it is requeued): an outage delays messages but never loses or
dead-letters them. Any other failure falls back to one message at a time, so that one
bad message is dead-lettered without holding back the others.

A consumer that needs only some of its queue's events can say so with `worth_handling`, which
looks at the raw bodies before they are checked: the others are acknowledged as they come,
without the cost of checking an event nobody here will use.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any, Callable

import structlog
from marshmallow import ValidationError

from shared.envelopes import Envelope, load_envelope
from shared.messaging.bus import MessageBus, _queues
from shared.messaging.topology import queue_spec

log = structlog.get_logger(__name__)

Delivery = tuple[Any, Any]  # (body, kombu message)
# Given a batch's raw bodies, which of them the handler needs (the rest are acknowledged unread).
Selection = Callable[[list[Any]], list[bool]]
# Consumers off a customer's way to an agent (webhooks, email thread keys) gather events this
# long into one batch (as max_wait and max_delay): at moderate rates, a few large batches cost
# far less than one small batch per event.
OFF_PATH_GATHERING_SECONDS = 0.25


class RetryLater(Exception):
    """A dependency the handler needs is down; the same batch should be tried again later."""


class BatchWorker:
    """Runs `handler(envelopes)` over batches of one queue; the handler must be idempotent."""

    def __init__(self, bus: MessageBus, queue_name: str, handler: Callable[[list[Envelope]], None], *,
                 max_batch: int = 500, max_wait: float = 0.002, max_delay: float | None = None, attempts: int = 5,
                 first_pause: float = 0.2, longest_pause: float = 5.0, worth_handling: Selection | None = None):
        self.bus, self.queue_name, self.handler, self.worth_handling = bus, queue_name, handler, worth_handling
        self.max_batch, self.max_wait, self.max_delay, self.attempts = max_batch, max_wait, max_delay, attempts
        self.first_pause, self.longest_pause = first_pause, longest_pause

    def start(self, stop: threading.Event) -> threading.Thread:
        """Run in a daemon thread until `stop` is set."""
        thread = threading.Thread(target=self.run, args=(stop,), name=f"batches-{self.queue_name}", daemon=True)
        thread.start()
        return thread

    def run(self, stop: threading.Event) -> None:
        """Consume until `stop` is set, reconnecting when the broker goes away."""
        while not stop.is_set():
            try:
                self._consume(stop)
            except Exception as error:  # connection lost: unacked messages go back to the queue
                log.warning("consumer_disconnected", queue=self.queue_name, error=repr(error))
                stop.wait(1.0)

    def _consume(self, stop: threading.Event) -> None:
        live, _ = _queues(queue_spec(self.queue_name))
        batch: list[Delivery] = []
        with self.bus.connect() as conn:
            with conn.Consumer([live], callbacks=[lambda body, message: batch.append((body, message))],
                               accept=["json"], prefetch_count=self.max_batch):
                while not stop.is_set():
                    self._collect(conn, batch)
                    if batch:
                        self._handle(conn, batch, stop)
                        batch.clear()

    def _collect(self, conn: Any, batch: list[Delivery]) -> None:
        """Wait for a first message, then take more until the batch is full, the queue pauses for
        `max_wait`, or `max_delay` has passed since the first."""
        conn.heartbeat_check()
        try:
            conn.drain_events(timeout=0.5)
        except socket.timeout:
            return
        deadline = time.monotonic() + (self.max_delay if self.max_delay is not None else float("inf"))
        while len(batch) < self.max_batch and (left := deadline - time.monotonic()) > 0:
            try:
                conn.drain_events(timeout=min(self.max_wait, left))
            except socket.timeout:
                return

    def _handle(self, conn: Any, batch: list[Delivery], stop: threading.Event) -> None:
        envelopes, deliveries = [], []
        for body, message in self._wanted(batch):
            try:
                envelopes.append(load_envelope(body))
                deliveries.append((body, message))
            except (ValidationError, TypeError) as error:
                self._dead_letter(body, message, "invalid envelope", error, attempts=0)
        try:
            done = self._until_available(conn, envelopes, stop)
        except Exception as error:  # some message of the batch is bad: find it
            log.warning("batch_failed", queue=self.queue_name, size=len(envelopes), error=repr(error))
            for envelope, delivery in zip(envelopes, deliveries):
                if not self._handle_alone(conn, envelope, delivery, stop):
                    return  # stopping: the rest stay unacknowledged and are delivered again
            return
        _settle([message for _, message in deliveries], done)

    def _wanted(self, batch: list[Delivery]) -> list[Delivery]:
        """The deliveries worth handling; the others are acknowledged now. When unsure, all of them."""
        if self.worth_handling is None:
            return batch
        try:
            wanted = self.worth_handling([body for body, _ in batch])
        except Exception as error:  # e.g. the database is down: the handler will wait for it
            log.warning("selection_failed", queue=self.queue_name, error=repr(error))
            return batch
        for (_, message), keep in zip(batch, wanted):
            if not keep:
                message.ack()
        return [delivery for delivery, keep in zip(batch, wanted) if keep]

    def _handle_alone(self, conn: Any, envelope: Envelope, delivery: Delivery, stop: threading.Event) -> bool:
        """Handle one message, dead-lettering it after `attempts` failures; False if stopped."""
        body, message = delivery
        for attempt in range(1, self.attempts + 1):
            try:
                done = self._until_available(conn, [envelope], stop)
            except Exception as error:  # retried, then dead-lettered
                if attempt == self.attempts:
                    self._dead_letter(body, message, "handler failed", error, attempts=attempt)
                    return True
                if stop.wait(self.first_pause * 2 ** (attempt - 1)):
                    return False
                continue
            _settle([message], done)
            return done
        return True

    def _until_available(self, conn: Any, envelopes: list[Envelope], stop: threading.Event) -> bool:
        """Call the handler until it stops asking to retry later; False if stopped first."""
        pause = self.first_pause
        while True:
            try:
                self.handler(envelopes)
                return True
            except RetryLater as error:
                log.warning("batch_waiting", queue=self.queue_name, size=len(envelopes), reason=str(error),
                            retry_in=pause)
            if stop.wait(pause):
                return False
            conn.heartbeat_check()
            pause = min(pause * 2, self.longest_pause)

    def _dead_letter(self, body: Any, message: Any, reason: str, error: Exception, attempts: int) -> None:
        self.bus.publish_dead_letter(self.queue_name, body, {
            "x-death-reason": reason,
            "x-error": repr(error)[:1000],
            "x-attempts": attempts,
            "x-original-routing-key": message.delivery_info.get("routing_key", ""),
            "x-failed-at": time.time(),
        })
        message.ack()
        log.error("dead_lettered", queue=self.queue_name, reason=reason, error=repr(error))


def _settle(messages: list[Any], done: bool) -> None:
    """Acknowledge handled messages; give unhandled ones back to the queue."""
    for message in messages:
        if done:
            message.ack()
        else:
            message.requeue()
