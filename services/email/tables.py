"""The email service's own tables: thread keys, outbound sends, attachments, and mail kept aside for admins."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Integer, LargeBinary, MetaData, String, Table, Text

from shared.storage import outbox_table, processed_table
from shared.storage.types import UtcDateTime

metadata = MetaData()

# Which conversation an email belongs to, by its Message-ID (ours and customers'), so replies thread.
thread_keys = Table(
    "email_thread_keys",
    metadata,
    Column("message_id", String(512), primary_key=True),
    Column("conversation_id", String(36), nullable=False, index=True),
    Column("direction", String(8), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# One row per agent reply the email channel handled: how far it got, and the Message-ID it went out with.
sends = Table(
    "email_sends",
    metadata,
    Column("reply_id", String(36), primary_key=True),
    Column("conversation_id", String(36), nullable=False),
    Column("email_message_id", String(512), nullable=False, index=True),  # a bounce names it
    Column("status", String(16), nullable=False),
    Column("reason", Text, nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("updated_at", UtcDateTime, nullable=False),
)

# Mail that could not become a customer message, kept whole with the reason, for an admin to look at.
quarantine = Table(
    "email_quarantine",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("raw_sha256", String(64), nullable=False, unique=True),
    Column("reason", Text, nullable=False),
    Column("source", String(16), nullable=False),
    Column("mail_from", String(320), nullable=True),
    Column("size", Integer, nullable=False),
    Column("raw", LargeBinary, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
)

# Customers' attachments, served to agents by id; content above the size limit is not kept (`too_large`).
attachments = Table(
    "email_attachments",
    metadata,
    Column("id", String(36), primary_key=True),
    # sha256 of the email's Message-ID: a retried delivery of the same mail finds its stored attachments.
    Column("message_sha256", String(64), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("filename", Text, nullable=False),
    Column("content_type", String(255), nullable=False),
    Column("size", Integer, nullable=False),
    Column("too_large", Boolean, nullable=False),
    Column("content", LargeBinary, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
)

outbox = outbox_table(metadata, "email")
processed = processed_table(metadata, "email")
