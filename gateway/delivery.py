"""Sending webhook deliveries: signed JSON, retried with exponential backoff, every attempt logged.

Each request carries:
- `X-Switchboard-Event`: the event type; `X-Switchboard-Delivery`: the delivery id (the same on retries);
- `X-Switchboard-Timestamp`: Unix seconds when it was signed;
- `X-Switchboard-Signature`: `sha256=` + hex HMAC-SHA256 of `<timestamp>.<body>` under the subscription's secret.
Receivers recompute the HMAC over the raw body and reject old timestamps to stop replays.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import requests
import structlog
from requests_hardened import Config, Manager
from sqlalchemy import insert, select, update

from gateway.tables import webhook_attempts, webhook_deliveries, webhook_subscriptions
from shared.storage import Database

log = structlog.get_logger(__name__)


def now() -> datetime:
    return datetime.now(timezone.utc)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def encode(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, default=str).encode()


@dataclass(frozen=True)
class RetryPolicy:
    """Attempt n failed: wait base × 2^(n-1) seconds (at most `max_delay`); give up after `attempts`."""

    attempts: int = 8
    base_seconds: float = 10.0
    max_delay_seconds: float = 3600.0
    # A claimed delivery is someone else's to retry only after this long (the sender crashed).
    lease_seconds: float = 120.0

    def delay(self, attempt: int) -> float:
        return min(self.base_seconds * 2 ** (attempt - 1), self.max_delay_seconds)


class WebhookSender:
    """Claims due deliveries, posts them, and records the outcome; many senders may run at once."""

    def __init__(self, db: Database, *, allow_private: bool, policy: RetryPolicy = RetryPolicy(),
                 poll_seconds: float = 1.0, batch_size: int = 20):
        self.db, self.policy = db, policy
        self.poll_seconds, self.batch_size = poll_seconds, batch_size
        self.wakeup = threading.Event()
        # requests-hardened refuses private, loopback and link-local targets before connecting, and redirects.
        self.http = Manager(Config(ip_filter_enable=not allow_private, ip_filter_allow_loopback_ips=False,
                                   never_redirect=True, default_timeout=(5, 10),
                                   user_agent_override="Switchboard-Webhooks/1"))

    def start(self, stop: threading.Event) -> threading.Thread:
        thread = threading.Thread(target=self.run, args=(stop,), name="webhook-sender", daemon=True)
        thread.start()
        return thread

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                while self.send_due() and not stop.is_set():
                    pass
            except Exception as error:  # the database may be briefly away; try again next round
                log.warning("webhook_sender_error", error=repr(error))
            self.wakeup.wait(self.poll_seconds)
            self.wakeup.clear()

    def send_due(self) -> int:
        """Send one batch of due deliveries; return how many were attempted."""
        claimed = self._claim()
        for delivery in claimed:
            self._attempt(delivery)
        return len(claimed)

    def _claim(self) -> list:
        d, s = webhook_deliveries, webhook_subscriptions
        moment = now()
        with self.db.transaction(notify=False) as session:
            query = (select(d.c.id, d.c.event_type, d.c.payload, d.c.attempts, s.c.url, s.c.secret)
                     .join(s, s.c.id == d.c.subscription_id)
                     .where(d.c.status == "pending", d.c.next_attempt_at <= moment)
                     .order_by(d.c.next_attempt_at).limit(self.batch_size))
            if not self.db.is_sqlite:
                query = query.with_for_update(of=d, skip_locked=True)
            rows = session.execute(query).all()
            if rows:
                session.execute(update(d).where(d.c.id.in_([r.id for r in rows]))
                                .values(next_attempt_at=moment + timedelta(seconds=self.policy.lease_seconds)))
        return rows

    def _attempt(self, delivery) -> None:
        body = encode(delivery.payload)
        timestamp = int(time.time())
        headers = {"Content-Type": "application/json", "X-Switchboard-Event": delivery.event_type,
                   "X-Switchboard-Delivery": delivery.id, "X-Switchboard-Timestamp": str(timestamp),
                   "X-Switchboard-Signature": sign(delivery.secret, timestamp, body)}
        status_code, error = None, None
        try:
            with self.http.get_session() as session:
                response = session.post(delivery.url, data=body, headers=headers)
                status_code = response.status_code
                response.close()
            if not 200 <= status_code < 300:
                error = f"the receiver answered {status_code}"
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"[:1000]
        self._record(delivery, status_code, error)

    def _record(self, delivery, status_code: int | None, error: str | None) -> None:
        d = webhook_deliveries
        attempts, moment = delivery.attempts + 1, now()
        if error is None:
            values = {"status": "delivered", "delivered_at": moment, "next_attempt_at": None}
        elif attempts >= self.policy.attempts:
            values = {"status": "failed", "next_attempt_at": None}
        else:
            values = {"next_attempt_at": moment + timedelta(seconds=self.policy.delay(attempts))}
        with self.db.transaction(notify=False) as session:
            session.execute(update(d).where(d.c.id == delivery.id).values(
                attempts=attempts, last_status_code=status_code, last_error=error, **values))
            session.execute(insert(webhook_attempts).values(delivery_id=delivery.id, attempted_at=moment,
                                                            status_code=status_code, error=error))
        log.info("webhook_attempt", delivery_id=delivery.id, event=delivery.event_type, status_code=status_code,
                 error=error, attempt=attempts, outcome=values.get("status", "retry"))
