"""Outbound webhooks: admins subscribe URLs to events; each matching event becomes a delivery to send.

Events external systems can subscribe to (`*` means all of them):
- `message.created`: a message was stored in a conversation (from a customer or an agent);
- `conversation.updated`: anything about a conversation changed;
- `conversation.assigned`: a conversation got an owner;
- `conversation.resolved`: a conversation was resolved.
"""

from __future__ import annotations

import ipaddress
import json
import secrets
import socket
import uuid
from datetime import datetime, timezone
from urllib.parse import urlsplit

from sqlalchemy import delete, insert, select

from gateway.tables import processed, webhook_attempts, webhook_deliveries, webhook_subscriptions
from shared.envelopes import Envelope
from shared.storage import Database
from shared.storage.idempotency import claim_messages
from shared.web.errors import ApiError

EVENTS = ("message.created", "conversation.updated", "conversation.assigned", "conversation.resolved")
CONSUMER = "gateway.webhooks"


def now() -> datetime:
    return datetime.now(timezone.utc)


# Subscriptions that receive deliveries: read for every batch of events, so built once.
_ACTIVE_SUBSCRIPTIONS = (select(webhook_subscriptions.c.id, webhook_subscriptions.c.events)
                         .where(webhook_subscriptions.c.active.is_(True)))

# The webhook events each bus event may stand for; external_events picks among them.
POSSIBLE_EVENTS = {"message.stored": frozenset({"message.created"}),
                   "conversation.updated": frozenset({"conversation.updated", "conversation.assigned",
                                                      "conversation.resolved"})}


def worth_enqueueing(db: Database, bodies: list) -> list[bool]:
    """Which raw bus events some active subscription may want: the others need not even be checked.

    With no subscriptions (most installs), the webhook worker then reads each batch's events no further.
    A body that is not an object is kept, so that checking it dead-letters it as before.
    """
    with db.reading() as session:
        subscribed = {event for row in session.execute(_ACTIVE_SUBSCRIPTIONS) for event in row.events}
    if "*" in subscribed:
        subscribed = set(EVENTS)
    return [not isinstance(body, dict) or not subscribed.isdisjoint(POSSIBLE_EVENTS.get(str(body.get("type")), ()))
            for body in bodies]


def external_events(envelope: Envelope) -> list[tuple[str, dict]]:
    """The webhook events one bus event stands for, with their data."""
    payload = envelope.payload
    if envelope.type == "message.stored":
        return [("message.created", payload)]
    if envelope.type != "conversation.updated":
        return []
    conversation, changes = payload["conversation"], set(payload.get("changes", []))
    events = [("conversation.updated", payload)]
    if "assignee" in changes and conversation.get("assignee_id"):
        events.append(("conversation.assigned", payload))
    if "status" in changes and conversation.get("status") == "resolved":
        events.append(("conversation.resolved", payload))
    return events


def check_target(url: str, *, allow_private: bool) -> None:
    """Refuse URLs that are not http(s), or that point inside our own network unless allowed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ApiError(422, "The webhook URL must be an http(s) URL", details={"url": ["not an http(s) URL"]})
    if allow_private:
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except (socket.gaierror, UnicodeError, ValueError):
        return  # not resolvable now; the sender checks again before every delivery
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            raise ApiError(422, "Webhooks to loopback or private addresses are not allowed here "
                                "(an admin can allow them with SWITCHBOARD_WEBHOOKS_ALLOW_PRIVATE)",
                           details={"url": [f"{parts.hostname} resolves to the non-public address {ip}"]})


def subscribe(db: Database, *, url: str, events: list[str], description: str, allow_private: bool) -> dict:
    """A new subscription; its signing secret is returned here only."""
    check_target(url, allow_private=allow_private)
    row = {"id": str(uuid.uuid4()), "url": url, "events": sorted(set(events)), "description": description,
           "secret": "whsec_" + secrets.token_urlsafe(32), "active": True, "created_at": now()}
    with db.transaction() as session:
        session.execute(insert(webhook_subscriptions).values(**row))
    return public(row) | {"secret": row["secret"]}


def public(row) -> dict:
    data = dict(row._mapping) if hasattr(row, "_mapping") else dict(row)
    return {name: data[name] for name in ("id", "url", "events", "description", "active", "created_at")}


def list_subscriptions(db: Database) -> list[dict]:
    with db.reading() as session:
        rows = session.execute(select(webhook_subscriptions).order_by(webhook_subscriptions.c.created_at)).all()
    return [public(r) for r in rows]


def get_subscription(db: Database, subscription_id: str) -> dict:
    with db.reading() as session:
        row = session.execute(select(webhook_subscriptions)
                              .where(webhook_subscriptions.c.id == subscription_id)).first()
    if row is None:
        raise ApiError(404, "No webhook subscription has this id")
    return public(row)


def unsubscribe(db: Database, subscription_id: str) -> None:
    get_subscription(db, subscription_id)
    with db.transaction() as session:
        session.execute(delete(webhook_subscriptions).where(webhook_subscriptions.c.id == subscription_id))


def delivery_log(db: Database, subscription_id: str, limit: int) -> list[dict]:
    """The latest deliveries of one subscription, newest first, each with its attempts."""
    get_subscription(db, subscription_id)
    d = webhook_deliveries
    with db.reading() as session:
        rows = session.execute(select(d).where(d.c.subscription_id == subscription_id)
                               .order_by(d.c.created_at.desc()).limit(limit)).all()
        attempts = session.execute(select(webhook_attempts).where(
            webhook_attempts.c.delivery_id.in_([r.id for r in rows])).order_by(webhook_attempts.c.id)).all()
    by_delivery: dict[str, list[dict]] = {}
    for a in attempts:
        by_delivery.setdefault(a.delivery_id, []).append(
            {"attempted_at": a.attempted_at, "status_code": a.status_code, "error": a.error})
    return [{"id": r.id, "event_id": r.event_id, "event": r.event_type, "status": r.status, "attempts": r.attempts,
             "next_attempt_at": r.next_attempt_at if r.status == "pending" else None,
             "last_status_code": r.last_status_code, "last_error": r.last_error, "created_at": r.created_at,
             "delivered_at": r.delivered_at, "history": by_delivery.get(r.id, [])} for r in rows]


def enqueue(db: Database, envelopes: list[Envelope]) -> int:
    """Turn a batch of bus events into pending deliveries for every interested subscription, once per event.

    Only events that become deliveries are claimed: one nobody subscribed to leaves nothing
    behind, so while there are no subscriptions the webhook worker writes nothing at all.
    """
    unique = {envelope.id: envelope for envelope in envelopes}  # a redelivery may share the batch
    wanted = [(envelope, events) for envelope in unique.values() if (events := external_events(envelope))]
    if not wanted:
        return 0
    with db.transaction() as session:
        subscriptions = session.execute(_ACTIVE_SUBSCRIPTIONS).all()
        by_envelope = {envelope.id: rows for envelope, events in wanted
                       if (rows := _deliveries(subscriptions, envelope, events))}
        fresh = claim_messages(session, processed, CONSUMER, list(by_envelope))
        deliveries = [row for envelope_id, rows in by_envelope.items() if envelope_id in fresh for row in rows]
        if deliveries:
            session.execute(insert(webhook_deliveries), deliveries)
        return len(deliveries)


def _deliveries(subscriptions: list, envelope: Envelope, events: list[tuple[str, dict]]) -> list[dict]:
    rows = []
    for event, data in events:
        interested = [s for s in subscriptions if event in s.events or "*" in s.events]
        if not interested:
            continue
        event_id = f"{envelope.id}:{event}"
        body = _json_ready({"id": event_id, "type": event, "occurred_at": envelope.occurred_at, "data": data})
        rows += [{"id": str(uuid.uuid4()), "subscription_id": subscription.id, "event_id": event_id,
                  "event_type": event, "payload": body, "status": "pending", "attempts": 0,
                  "next_attempt_at": now(), "created_at": now()} for subscription in interested]
    return rows


def _json_ready(value: dict) -> dict:
    """Payloads as JSON carries them: times in ISO 8601."""
    return json.loads(json.dumps(value, default=lambda o: o.isoformat() if hasattr(o, "isoformat") else str(o)))
