"""Server-Sent Events: a stream of `id:`/`event:`/`data:` blocks, resumable with Last-Event-ID."""

from __future__ import annotations

import json
import threading
import time
from typing import Callable, Iterable, Iterator

from flask import Response, request, stream_with_context

HEARTBEAT_SECONDS = 15.0


class Notifier:
    """Wakes streams in this process the moment something new is committed (others poll)."""

    def __init__(self):
        self._condition = threading.Condition()
        self._generation = 0

    def notify(self) -> None:
        with self._condition:
            self._generation += 1
            self._condition.notify_all()

    def wait(self, seen_generation: int, timeout: float) -> int:
        with self._condition:
            if self._generation == seen_generation:
                self._condition.wait(timeout)
            return self._generation


def last_event_id() -> int:
    """Where a reconnecting client left off (Last-Event-ID header or `last_event_id` query)."""
    raw = request.headers.get("Last-Event-ID") or request.args.get("last_event_id") or "0"
    return int(raw) if raw.isdigit() else 0


def format_event(event_id: int, event: str, data: dict) -> str:
    return f"id: {event_id}\nevent: {event}\ndata: {json.dumps(data, default=str)}\n\n"


def event_stream(
    fetch: Callable[[int], Iterable[tuple[int, str, dict]]],
    notifier: Notifier,
    *,
    after: int,
    poll_seconds: float = 0.5,
    max_seconds: float = 300.0,
) -> Response:
    """Stream what `fetch(after_id)` returns, waking on `notifier` or every `poll_seconds`.

    Streams end after `max_seconds`; EventSource reconnects with Last-Event-ID, so a client
    never misses an event while no worker thread is held forever.
    """

    def generate() -> Iterator[str]:
        cursor, generation = after, -1
        started = last_beat = time.monotonic()
        yield "retry: 1000\n\n"
        while time.monotonic() - started < max_seconds:
            for event_id, event, data in fetch(cursor):
                cursor = max(cursor, event_id)
                yield format_event(event_id, event, data)
            if time.monotonic() - last_beat > HEARTBEAT_SECONDS:
                last_beat = time.monotonic()
                yield ": keep-alive\n\n"
            generation = notifier.wait(generation, poll_seconds)

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return Response(stream_with_context(generate()), mimetype="text/event-stream", headers=headers)
