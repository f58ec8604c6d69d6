"""The web chat service's own tables: visitors' sessions and their transcripts."""

from __future__ import annotations

from sqlalchemy import (JSON, BigInteger, Boolean, Column, ForeignKey, Integer, MetaData, String, Table,
                        Text, UniqueConstraint)

from shared.storage import outbox_table, processed_table
from shared.storage.types import UtcDateTime

metadata = MetaData()

sessions = Table(
    "webchat_sessions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("token_hash", String(64), nullable=False),
    Column("name", String(200), nullable=False, default=""),
    Column("email", String(320), nullable=True),
    Column("email_verified", Boolean, nullable=False, default=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# Everything said in a session, visitor and agents alike; `seq` orders it and is the SSE event id.
chat_messages = Table(
    "webchat_messages",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("id", String(36), nullable=False, unique=True),
    Column("session_id", String(36), ForeignKey("webchat_sessions.id"), nullable=False, index=True),
    Column("direction", String(8), nullable=False),
    Column("text", Text, nullable=False),
    Column("author_name", String(200), nullable=False, default=""),
    Column("client_message_id", String(64), nullable=True),
    Column("attachments", JSON, nullable=False, default=list),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("session_id", "client_message_id", name="uq_webchat_messages_client_id"),
)

outbox = outbox_table(metadata, "webchat")
processed = processed_table(metadata, "webchat")
