"""The routing service's own tables: teams, agents, rules (versioned), assignments, the waiting queue, transfers."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Float, ForeignKey, Integer, MetaData, String, Table, Text, true

from shared.storage import outbox_table, processed_table
from shared.storage.types import UtcDateTime

metadata = MetaData()

teams = Table(
    "routing_teams", metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("strategy", String(20), nullable=False, default="round_robin"),
    Column("is_default", Boolean, nullable=False, default=False),
    # Seconds a conversation may wait for an agent before it is escalated; None = never.
    Column("max_wait_seconds", Integer, nullable=True),
    # What happens to an agent's open conversations when they go offline: "keep" or "requeue".
    Column("offline_policy", String(10), nullable=False, default="keep"),
    Column("created_at", UtcDateTime, nullable=False),
)

agents = Table(
    "routing_agents", metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("email", String(320), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("role", String(10), nullable=False, default="agent"),
    Column("skills", JSON, nullable=False, default=list),
    Column("capacity", Float, nullable=False, default=5),
    Column("presence", String(10), nullable=False, default="offline"),
    Column("last_assigned_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    # A deactivated agent cannot log in and gets no conversations; their history keeps their name.
    Column("active", Boolean, nullable=False, default=True, server_default=true()),
)

memberships = Table(
    "routing_memberships", metadata,
    Column("agent_id", String(36), ForeignKey("routing_agents.id"), primary_key=True),
    Column("team_id", String(36), ForeignKey("routing_teams.id"), primary_key=True),
)

rules = Table(
    "routing_rules", metadata,
    Column("id", String(36), primary_key=True),
    Column("version", Integer, nullable=False, default=1),
    Column("name", String(200), nullable=False),
    Column("position", Integer, nullable=False),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("conditions", JSON, nullable=False),
    Column("actions", JSON, nullable=False),
    Column("stop", Boolean, nullable=False, default=False),
    Column("deleted", Boolean, nullable=False, default=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# Every version of every rule, as it was, so each decision can say which one it used.
rule_versions = Table(
    "routing_rule_versions", metadata,
    Column("rule_id", String(36), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("body", JSON, nullable=False),
    Column("changed_by", String(200), nullable=False),
    Column("changed_at", UtcDateTime, nullable=False),
)

# Who holds which conversation now; the load each adds to its agent (by channel weight).
assignments = Table(
    "routing_assignments", metadata,
    Column("conversation_id", String(36), primary_key=True),
    Column("agent_id", String(36), ForeignKey("routing_agents.id"), nullable=False, index=True),
    Column("team_id", String(36), nullable=True),
    Column("channel", String(10), nullable=False),
    Column("weight", Float, nullable=False),
    Column("assigned_at", UtcDateTime, nullable=False),
    # What decide() needs to route it again if the agent goes offline and their team re-queues.
    Column("request", JSON, nullable=True),
)

# Conversations nobody could take yet, handed out as capacity frees up.
waiting = Table(
    "routing_waiting", metadata,
    Column("conversation_id", String(36), primary_key=True),
    Column("team_id", String(36), nullable=True, index=True),
    Column("priority", String(10), nullable=False),
    Column("key_account", Boolean, nullable=False, default=False),
    Column("waiting_since", UtcDateTime, nullable=False),
    Column("escalated", Boolean, nullable=False, default=False),
    Column("request", JSON, nullable=False),  # what decide() needs to route it again
)

# The team an agent transferred a conversation to: routing keeps it in that team from then on.
team_transfers = Table(
    "routing_team_transfers", metadata,
    Column("conversation_id", String(36), primary_key=True),
    Column("team_id", String(36), ForeignKey("routing_teams.id"), nullable=False),
    Column("transferred_at", UtcDateTime, nullable=False),
)

# Each decision and why, readable on the conversation.
decisions = Table(
    "routing_decisions", metadata,
    Column("id", String(36), primary_key=True),
    Column("conversation_id", String(36), nullable=False, index=True),
    Column("agent_id", String(36), nullable=True),
    Column("team_id", String(36), nullable=True),
    Column("explanation", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

outbox = outbox_table(metadata, "routing")
processed = processed_table(metadata, "routing")
