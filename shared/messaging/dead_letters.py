"""What an admin does with messages that kept failing: look at them, and put them back."""

from __future__ import annotations

from typing import Any

from shared.messaging.bus import MessageBus
from shared.messaging.topology import queue_spec


def list_dead_letters(bus: MessageBus, queue_name: str) -> list[dict[str, Any]]:
    """Every message parked for a queue, with why; they stay parked."""
    seen: list[dict[str, Any]] = []

    def keep(headers: dict, body: Any) -> bool:
        seen.append({"reason": headers.get("x-death-reason"), "error": headers.get("x-error"),
                     "routing_key": headers.get("x-original-routing-key"), "body": body})
        return False

    bus.take_all(queue_spec(queue_name).dead_letter_name, keep)
    return seen


def replay_dead_letters(bus: MessageBus, queue_name: str) -> int:
    """Publish every parked message of a queue again under its original routing key."""

    def replay(headers: dict, body: Any) -> bool:
        bus.republish(body, headers.get("x-original-routing-key") or "")
        return True

    return bus.take_all(queue_spec(queue_name).dead_letter_name, replay)
