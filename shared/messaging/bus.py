"""The messaging layer's one entry: declare the topology, publish with confirms, consume.

The same code runs on `memory://` (one process, for `make run` and unit tests) and on
RabbitMQ (`amqp://`), where publishing is persistent, confirmed and `mandatory`, so a
message nobody would receive is an error instead of silently lost. On RabbitMQ envelopes
go out through confirming_publisher, with a whole batch's confirms in flight at once.
"""

from __future__ import annotations

import json
import socket
import threading
from typing import Any, Callable, Iterable, Mapping

from kombu import Connection, Exchange, Producer, Queue

from shared.envelopes import Envelope, dump_envelope
from shared.messaging.confirming_publisher import ConfirmingPublisher, NoQueueBound, Outgoing
from shared.messaging.topology import DEAD_LETTER_EXCHANGE, EXCHANGE, QUEUES, QueueSpec

PUBLISH_RETRY = {"max_retries": 3, "interval_start": 0.2, "interval_step": 0.5, "interval_max": 2}


class BrokerUnavailable(Exception):
    """The broker could not take the message; the caller should answer 'try again later'."""


class Unroutable(BrokerUnavailable):
    """A message had no queue to go to: one was deleted, or never declared on this broker."""


def _exchanges() -> tuple[Exchange, Exchange]:
    return (
        Exchange(EXCHANGE, type="topic", durable=True),
        Exchange(DEAD_LETTER_EXCHANGE, type="direct", durable=True),
    )


def _queues(spec: QueueSpec) -> tuple[Queue, Queue]:
    exchange, dead = _exchanges()
    from kombu import binding

    live = Queue(spec.name, bindings=[binding(exchange, routing_key=key) for key in spec.bindings], durable=True)
    dead_letters = Queue(spec.dead_letter_name, exchange=dead, routing_key=spec.name, durable=True)
    return live, dead_letters


class MessageBus:
    """One broker connection per thread; publishers and consumers get their own."""

    def __init__(self, url: str):
        self.url = url
        self._local = threading.local()
        self._open: set[Connection | ConfirmingPublisher] = set()  # every thread's publishers, closed by close()
        self._open_lock = threading.Lock()

    @property
    def is_memory(self) -> bool:
        return self.url.startswith("memory://")

    def connect(self) -> Connection:
        """A new connection (confirms on for AMQP; fast polling for the in-memory broker)."""
        options = {"polling_interval": 0.01} if self.is_memory else {"confirm_publish": True}
        return Connection(self.url, transport_options=options, heartbeat=0 if self.is_memory else 30)

    def declare(self) -> None:
        """Declare the exchange, every queue, its bindings and its dead-letter queue (idempotent)."""
        with self.connect() as conn:
            channel = conn.default_channel
            for exchange in _exchanges():
                exchange(channel).declare()
            for spec in QUEUES.values():
                for queue in _queues(spec):
                    queue(channel).declare()

    def purge_all(self) -> None:
        """Empty every queue and dead-letter queue (tests; resetting a demo)."""
        with self.connect() as conn:
            for spec in QUEUES.values():
                for queue in _queues(spec):
                    queue(conn.default_channel).purge()

    def publish(self, envelopes: Iterable[Envelope]) -> None:
        """Publish persistent, confirmed envelopes; raise BrokerUnavailable if the broker says no."""
        self.publish_dumped(dump_envelope(envelope) for envelope in envelopes)

    def publish_dumped(self, bodies: Iterable[Mapping[str, Any]]) -> None:
        """Publish envelopes already dumped to JSON-ready data (as the outbox keeps them).

        On RabbitMQ the whole batch is in flight at once and this returns when every message
        is confirmed; if any is refused or unroutable, none should be taken as published.
        """
        try:
            if self.is_memory:
                self._publish_with_kombu(bodies)
            else:
                self._confirming_publisher().publish([Outgoing.of(body) for body in bodies])
        except NoQueueBound as error:
            raise Unroutable(str(error)) from error
        except Exception as error:  # kombu/pika raise many kinds; all mean "not accepted"
            raise BrokerUnavailable(str(error) or type(error).__name__) from error

    def _publish_with_kombu(self, bodies: Iterable[Mapping[str, Any]]) -> None:
        try:
            producer = self._producer()
            for body in bodies:
                producer.publish(body, exchange=EXCHANGE, routing_key=body["type"], serializer="json",
                                 delivery_mode=2, message_id=body["id"], retry=True, retry_policy=PUBLISH_RETRY)
        except Exception:
            self._drop_producer()
            raise

    def republish(self, body: Any, routing_key: str) -> None:
        """Publish a raw envelope body again (dead-letter replay)."""
        self._producer().publish(body, exchange=EXCHANGE, routing_key=routing_key, serializer="json",
                                 delivery_mode=2, retry=True, retry_policy=PUBLISH_RETRY)

    def publish_dead_letter(self, queue_name: str, body: Any, headers: Mapping[str, Any]) -> None:
        """Park a message that keeps failing in `<queue>.dead`, with why in its headers."""
        self._producer().publish(
            body,
            exchange=DEAD_LETTER_EXCHANGE,
            routing_key=queue_name,
            serializer="json",
            delivery_mode=2,
            headers=dict(headers),
            retry=True,
            retry_policy=PUBLISH_RETRY,
        )

    def _producer(self) -> Producer:
        producer = getattr(self._local, "producer", None)
        if producer is None:
            conn = self.connect()
            producer = Producer(conn.default_channel, on_return=_refuse_unroutable)
            self._local.conn, self._local.producer = conn, producer
            self._track(conn)
        return producer

    def _confirming_publisher(self) -> ConfirmingPublisher:
        publisher = getattr(self._local, "publisher", None)
        if publisher is None:
            publisher = self._local.publisher = ConfirmingPublisher(self.url)
            self._track(publisher)
        return publisher

    def _track(self, connection: Connection | ConfirmingPublisher) -> None:
        with self._open_lock:
            self._open.add(connection)

    def _drop_producer(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.producer = self._local.conn = None
        if conn is not None:
            self._release(conn)

    def _release(self, connection: Connection | ConfirmingPublisher) -> None:
        with self._open_lock:
            self._open.discard(connection)
        try:
            connection.close()
        except Exception:  # closing a broken connection may raise; it is gone either way
            pass

    def close(self) -> None:
        """Close every publishing connection this bus opened, in any thread."""
        with self._open_lock:
            connections = list(self._open)
        for conn in connections:
            self._release(conn)
        self._local = threading.local()

    def check(self) -> None:
        """Raise BrokerUnavailable unless the broker answers now (readiness)."""
        try:
            with self.connect() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
        except Exception as error:
            raise BrokerUnavailable(str(error)) from error

    def consume(self, queue_name: str, on_message: Callable[[Any, Any], None], stop: threading.Event, prefetch: int = 32) -> None:
        """Deliver messages of one queue to `on_message(body, message)` until `stop` is set."""
        live, _ = _queues(QUEUES[queue_name])
        with self.connect() as conn:
            with conn.Consumer([live], callbacks=[on_message], accept=["json"], prefetch_count=prefetch):
                while not stop.is_set():
                    try:
                        conn.drain_events(timeout=0.5)
                    except socket.timeout:
                        continue

    def take_all(self, queue_name: str, handle: Callable[[dict, Any], bool]) -> int:
        """Offer every waiting message of a queue to `handle(headers, body)`; ack those it accepts.

        The ones it declines are put back once all were seen (so none is offered twice).
        """
        taken, declined = 0, []
        with self.connect() as conn:
            queue = Queue(queue_name, durable=True)(conn.default_channel)
            while (message := queue.get(no_ack=False, accept=["json"])) is not None:
                if handle(dict(message.headers or {}), _decode(message)):
                    message.ack()
                    taken += 1
                else:
                    declined.append(message)
            for message in declined:
                message.requeue()
        return taken


def _decode(message) -> Any:
    return message.payload if message.content_type == "application/json" else json.loads(message.body)


def _refuse_unroutable(exception, exchange, routing_key, message):
    raise BrokerUnavailable(f"no queue is bound for {routing_key!r}: {exception}")
