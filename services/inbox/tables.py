"""The inbox's own tables: contacts and identities, conversations, messages, notes, activity, agent events,
and copies of routing's agents and team names (kept from routing's events, never read from its tables)."""

from __future__ import annotations

from sqlalchemy import (JSON, BigInteger, Boolean, Column, ForeignKey, Index, Integer, MetaData, String, Table, Text,
                        UniqueConstraint, text)

from shared.storage import outbox_table, processed_table
from shared.storage.types import UtcDateTime

metadata = MetaData()
_serial = BigInteger().with_variant(Integer, "sqlite")

contacts = Table(
    "inbox_contacts", metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False, default=""),
    Column("attributes", JSON, nullable=False, default=dict),
    Column("merged_into", String(36), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

identities = Table(
    "inbox_identities", metadata,
    Column("id", String(36), primary_key=True),
    Column("contact_id", String(36), ForeignKey("inbox_contacts.id"), nullable=False, index=True),
    Column("type", String(10), nullable=False),  # email | phone | chat
    Column("value", String(320), nullable=False),
    Column("verified", Boolean, nullable=False, default=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("type", "value", name="uq_inbox_identities_type_value"),
)

conversations = Table(
    "inbox_conversations", metadata,
    Column("id", String(36), primary_key=True),
    Column("contact_id", String(36), ForeignKey("inbox_contacts.id"), nullable=False, index=True),
    Column("status", String(10), nullable=False),  # open | pending | snoozed | resolved
    Column("priority", String(10), nullable=False, default="normal"),
    Column("priority_rank", Integer, nullable=False, default=2),  # urgent 4 .. low 1, for sorting
    Column("subject", String(998), nullable=False, default=""),
    Column("channels", JSON, nullable=False, default=list),
    Column("labels", JSON, nullable=False, default=list),
    Column("last_channel", String(10), nullable=False),  # the channel the customer last wrote on
    Column("assignee_id", String(36), nullable=True, index=True),
    Column("assignee_name", String(200), nullable=False, default=""),
    Column("team_id", String(36), nullable=True, index=True),
    Column("team_name", String(200), nullable=False, default=""),
    Column("last_message_preview", String(300), nullable=False, default=""),
    Column("last_message_at", UtcDateTime, nullable=False),
    Column("waiting_since", UtcDateTime, nullable=True),
    Column("snoozed_until", UtcDateTime, nullable=True),
    Column("routing", JSON, nullable=False, default=dict),  # the last routing decision and why
    Column("version", Integer, nullable=False, default=1),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("resolved_at", UtcDateTime, nullable=True),
)
Index("ix_inbox_conversations_list", conversations.c.status, conversations.c.priority_rank, conversations.c.waiting_since)
# An agent's list in its order (services/inbox/listing.py SORT_KEYS), so a page stops after its rows.
Index("ix_inbox_conversations_assignee_order", conversations.c.assignee_id, text("priority_rank DESC"),
      text("(CASE WHEN waiting_since IS NULL THEN 0 ELSE 1 END) DESC"),
      text("coalesce(waiting_since, last_message_at)"), conversations.c.id)

messages = Table(
    "inbox_messages", metadata,
    Column("seq", _serial, primary_key=True, autoincrement=True),
    Column("id", String(36), nullable=False, unique=True),
    Column("conversation_id", String(36), ForeignKey("inbox_conversations.id"), nullable=False, index=True),
    Column("channel", String(10), nullable=False),
    Column("direction", String(10), nullable=False),  # inbound | outbound
    Column("channel_message_id", String(998), nullable=True),
    Column("sender", String(320), nullable=False, default=""),
    Column("sender_name", String(200), nullable=False, default=""),
    Column("author_id", String(36), nullable=True),
    Column("text", Text, nullable=False, default=""),
    Column("html", Text, nullable=True),
    Column("subject", String(998), nullable=False, default=""),
    Column("attachments", JSON, nullable=False, default=list),
    Column("thread", JSON, nullable=False, default=dict),
    Column("metadata", JSON, nullable=False, default=dict),
    Column("status", String(10), nullable=False),  # received | queued | sent | delivered | failed
    Column("status_reason", Text, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("channel", "channel_message_id", name="uq_inbox_messages_channel_id"),
)

notes = Table(
    "inbox_notes", metadata,
    Column("id", String(36), primary_key=True),
    Column("conversation_id", String(36), ForeignKey("inbox_conversations.id"), nullable=False, index=True),
    Column("contact_id", String(36), nullable=False, index=True),
    Column("author_id", String(36), nullable=True),
    Column("author_name", String(200), nullable=False, default=""),
    Column("text", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

activity = Table(
    "inbox_activity", metadata,
    Column("seq", _serial, primary_key=True, autoincrement=True),
    Column("conversation_id", String(36), ForeignKey("inbox_conversations.id"), nullable=False, index=True),
    Column("actor", String(200), nullable=False),  # "agent:<id>", "routing", "customer", "system"
    Column("action", String(50), nullable=False),
    Column("details", JSON, nullable=False, default=dict),
    Column("created_at", UtcDateTime, nullable=False),
)

# What each agent's event stream shows; `seq` is the SSE event id. Visible to the assignee,
# to the team's members, and to admins.
agent_events = Table(
    "inbox_agent_events", metadata,
    Column("seq", _serial, primary_key=True, autoincrement=True),
    Column("type", String(50), nullable=False),
    Column("conversation_id", String(36), nullable=True),
    Column("assignee_id", String(36), nullable=True),
    Column("team_id", String(36), nullable=True),
    Column("data", JSON, nullable=False, default=dict),
    Column("created_at", UtcDateTime, nullable=False),
)

# Who merged which contact into which, and when (the merged contact keeps `merged_into`).
contact_merges = Table(
    "inbox_contact_merges", metadata,
    Column("id", String(36), primary_key=True),
    Column("survivor_id", String(36), nullable=False, index=True),
    Column("merged_id", String(36), nullable=False, index=True),
    Column("merged_by", String(200), nullable=False),  # "agent:<id>", "admin", "api_key:<id>"
    Column("merged_by_name", String(200), nullable=False, default=""),
    Column("details", JSON, nullable=False, default=dict),
    Column("created_at", UtcDateTime, nullable=False),
)

# Routing's agents as its `agent.updated` events describe them: names and teams for visibility.
agents = Table(
    "inbox_agents", metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False, default=""),
    Column("email", String(320), nullable=False, default=""),
    Column("role", String(10), nullable=False, default="agent"),
    Column("team_ids", JSON, nullable=False, default=list),
    Column("active", Boolean, nullable=False, default=True),
    Column("as_of", UtcDateTime, nullable=False),  # when routing published this state
)

# Team names as routing's assignments name them, so a transfer to a team can show its name.
teams = Table(
    "inbox_teams", metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False, default=""),
)

outbox = outbox_table(metadata, "inbox")
processed = processed_table(metadata, "inbox")
