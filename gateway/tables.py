"""The gateway's own tables: API keys, idempotent request results, webhook subscriptions and deliveries."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, Integer, LargeBinary, MetaData, String, Table, Text

from shared.storage import processed_table
from shared.storage.types import UtcDateTime

metadata = MetaData()

# Keys for external systems; only a SHA-256 of each key is kept (the key is shown once, at creation).
api_keys = Table(
    "gateway_api_keys",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("prefix", String(16), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("scopes", JSON, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_used_at", UtcDateTime, nullable=True),
    Column("revoked_at", UtcDateTime, nullable=True),
)

# The first answer to each (caller, Idempotency-Key); status NULL while that request is still running.
idempotency_records = Table(
    "gateway_idempotency_records",
    metadata,
    Column("owner", String(100), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("status", Integer, nullable=True),
    Column("headers", JSON, nullable=False, default=dict),
    Column("body", LargeBinary, nullable=True),
    Column("created_at", UtcDateTime, nullable=False, index=True),
)

webhook_subscriptions = Table(
    "gateway_webhook_subscriptions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("url", String(2000), nullable=False),
    Column("events", JSON, nullable=False),
    Column("description", String(500), nullable=False, default=""),
    # Signs every delivery (HMAC-SHA256); kept readable because the gateway must sign with it.
    Column("secret", String(100), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UtcDateTime, nullable=False),
)

# One row per (subscription, event); `next_attempt_at` doubles as a lease while a sender works on it.
webhook_deliveries = Table(
    "gateway_webhook_deliveries",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("subscription_id", String(36), ForeignKey("gateway_webhook_subscriptions.id", ondelete="CASCADE"),
           nullable=False),
    Column("event_id", String(64), nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("status", String(16), nullable=False),  # pending | delivered | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime, nullable=True),
    Column("last_status_code", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("delivered_at", UtcDateTime, nullable=True),
    Index("ix_gateway_webhook_deliveries_due", "status", "next_attempt_at"),
    Index("uq_gateway_webhook_deliveries_event", "subscription_id", "event_id", unique=True),
)

# Every attempt, for the delivery log admins read.
webhook_attempts = Table(
    "gateway_webhook_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("delivery_id", String(36), ForeignKey("gateway_webhook_deliveries.id", ondelete="CASCADE"),
           nullable=False, index=True),
    Column("attempted_at", UtcDateTime, nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("error", Text, nullable=True),
)

processed = processed_table(metadata, "gateway")
