"""What the inbox is told about a reply sent by SMS: the outcome of sending it, and each status after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from shared.envelopes import Envelope, make_envelope
from services.sms.receiving import SOURCE


@dataclass(frozen=True)
class Outcome:
    """What became of one reply: our delivery status, and what the agent should see."""

    status: str
    reason: str | None = None
    provider_sid: str | None = None
    provider_status: str | None = None
    segments: int | None = None
    error_code: int | None = None


def delivery_event(message_id: str, outcome: Outcome, *, caused_by: Envelope | None = None) -> Envelope:
    """A `delivery.updated` event; its details are what the agent sees beside the reply."""
    details = {"segments": outcome.segments, "provider_status": outcome.provider_status,
               "error_code": outcome.error_code}
    return make_envelope("delivery.updated", {
        "message_id": message_id, "channel": "sms", "status": outcome.status, "reason": outcome.reason,
        "provider_message_id": outcome.provider_sid,
        "details": {key: value for key, value in details.items() if value is not None},
        "occurred_at": datetime.now(timezone.utc)}, source=SOURCE, caused_by=caused_by)
