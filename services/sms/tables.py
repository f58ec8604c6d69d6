"""The SMS service's own tables: texts taken in, replies sent, and who asked us to stop."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, Text

from shared.storage import outbox_table, processed_table
from shared.storage.types import UtcDateTime

metadata = MetaData()

# One row per provider MessageSid, so a resent webhook is taken in once; `outbox_id` is the
# row that carries its `inbound.sms` event until the relay has published it.
inbound_texts = Table(
    "sms_inbound_texts",
    metadata,
    Column("message_sid", String(64), primary_key=True),
    Column("from_number", String(32), nullable=False),
    Column("outbox_id", BigInteger().with_variant(Integer, "sqlite"), nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
)

# One row per agent reply (our message id), written before the provider is called, so a
# redelivered reply is never sent twice; `provider_sid` ties status callbacks back to it.
outbound_texts = Table(
    "sms_outbound_texts",
    metadata,
    Column("message_id", String(64), primary_key=True),
    Column("to_number", String(320), nullable=False),  # as the inbox gave it, even if not a number
    Column("state", String(16), nullable=False),  # sending, accepted, failed
    Column("provider_sid", String(64), nullable=True, unique=True),
    Column("provider_status", String(32), nullable=True),
    Column("segments", Integer, nullable=True),
    Column("error_code", Integer, nullable=True),
    Column("reason", Text, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# Status callbacks that came before their reply's MessageSid was recorded (the provider's
# answer to the send and its first callback can cross); applied when the SID is recorded.
early_statuses = Table(
    "sms_early_statuses",
    metadata,
    Column("provider_sid", String(64), primary_key=True),
    Column("provider_status", String(32), primary_key=True),
    Column("error_code", Integer, nullable=True),
    Column("received_at", UtcDateTime, nullable=False, index=True),
)

# Numbers that texted STOP (and not START since): they get no replies.
opt_outs = Table(
    "sms_opt_outs",
    metadata,
    Column("number", String(32), primary_key=True),
    Column("keyword", String(32), nullable=False),
    Column("opted_out_at", UtcDateTime, nullable=False),
)

outbox = outbox_table(metadata, "sms")
processed = processed_table(metadata, "sms")
