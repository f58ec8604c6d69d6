"""A consumer loop: one handler per queue, ack after the handler committed, retry, dead-letter."""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

import structlog
from marshmallow import ValidationError

from shared.envelopes import Envelope, load_envelope
from shared.messaging.bus import MessageBus

log = structlog.get_logger(__name__)


class PermanentFailure(Exception):
    """The handler knows retrying cannot help (bad data); the message goes straight to dead letters."""


class Worker:
    """Runs `handler(envelope)` for every message of `queue_name`.

    The handler commits its own work; the message is acknowledged only after it returns,
    so a crash means redelivery, and handlers must be idempotent. A failing message is
    retried with exponential backoff, then parked in `<queue>.dead` with the reason.
    """

    def __init__(
        self,
        bus: MessageBus,
        queue_name: str,
        handler: Callable[[Envelope], None],
        *,
        attempts: int = 5,
        backoff_seconds: float = 0.1,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.bus, self.queue_name, self.handler = bus, queue_name, handler
        self.attempts, self.backoff_seconds, self.sleep = attempts, backoff_seconds, sleep

    def on_message(self, body: Any, message: Any) -> None:
        """Handle one delivery: ack on success, dead-letter after the last failed attempt."""
        try:
            envelope = load_envelope(body)
        except (ValidationError, TypeError) as error:
            self._dead_letter(body, message, "invalid envelope", error, attempts=0)
            return
        error = self._handle_with_retries(envelope)
        if error is None:
            message.ack()
        else:
            self._dead_letter(body, message, "handler failed", error, attempts=self.attempts)

    def _handle_with_retries(self, envelope: Envelope) -> Exception | None:
        for attempt in range(1, self.attempts + 1):
            try:
                self.handler(envelope)
                return None
            except PermanentFailure as error:
                return error
            except Exception as error:  # any failure is retried, then dead-lettered
                log.warning("handler_failed", queue=self.queue_name, event_id=envelope.id,
                            event_type=envelope.type, attempt=attempt, error=repr(error))
                if attempt == self.attempts:
                    return error
                self.sleep(self.backoff_seconds * 2 ** (attempt - 1))
        return None

    def _dead_letter(self, body: Any, message: Any, reason: str, error: Exception, attempts: int) -> None:
        headers = {
            "x-death-reason": reason,
            "x-error": repr(error)[:1000],
            "x-attempts": attempts,
            "x-original-routing-key": message.delivery_info.get("routing_key", ""),
            "x-failed-at": time.time(),
        }
        self.bus.publish_dead_letter(self.queue_name, body, headers)
        message.ack()
        log.error("dead_lettered", queue=self.queue_name, reason=reason, error=repr(error))

    def run(self, stop: threading.Event) -> None:
        """Consume until `stop` is set, reconnecting when the broker goes away."""
        while not stop.is_set():
            try:
                self.bus.consume(self.queue_name, self.on_message, stop)
            except Exception as error:  # connection lost: wait, then reconnect
                log.warning("consumer_disconnected", queue=self.queue_name, error=repr(error))
                stop.wait(1.0)

    def start(self, stop: threading.Event) -> threading.Thread:
        """Run in a daemon thread (the embedded mode runs every consumer in one process)."""
        thread = threading.Thread(target=self.run, args=(stop,), name=f"consumer-{self.queue_name}", daemon=True)
        thread.start()
        return thread
