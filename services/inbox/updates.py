"""Applying what other services decided: routing's assignments, escalations, agents and teams; delivery reports."""

from __future__ import annotations

from sqlalchemy import select, update

from shared.envelopes import Envelope
from shared.runtime import ServiceRuntime
from shared.storage.idempotency import claim_message
from services.inbox import domain
from services.inbox.agents import apply_agent, remember_team
from services.inbox.events import conversation_row, conversation_updated, notify_agents, now, record_activity
from services.inbox.tables import conversations, messages

CONSUMER = "inbox.updates"


def handle_update(rt: ServiceRuntime, envelope: Envelope) -> None:
    """Dispatch by event type (the `inbox.updates` queue carries them all)."""
    handler = {"conversation.assigned": apply_assignment, "delivery.updated": apply_delivery,
               "agent.updated": apply_agent, "conversation.escalated": apply_escalation,
               "team.updated": apply_team}.get(envelope.type)
    if handler is not None:
        handler(rt, envelope)


def apply_assignment(rt: ServiceRuntime, envelope: Envelope) -> None:
    """Give the conversation the team and agent routing chose, with routing's explanation."""
    decision = envelope.payload
    with rt.db.transaction() as db:
        if not claim_message(db, rt.processed, CONSUMER, envelope.id):
            return
        row = conversation_row(db, decision["conversation_id"])
        requeued = row.assignee_id is not None and decision["explanation"].get("requeued_from") == row.assignee_id
        if row.status == "resolved" or (row.assignee_id and decision["waiting"] and not requeued):
            return  # settled meanwhile, or a stale "waiting" must not take an owner away
        remember_team(db, decision["team_id"], decision["team_name"])
        labels = list(dict.fromkeys([*row.labels, *decision["labels"]]))
        priority = decision["priority"] if decision["priority"] in domain.PRIORITY_RANK else row.priority
        db.execute(update(conversations).where(conversations.c.id == row.id).values(
            assignee_id=decision["agent_id"], assignee_name=decision["agent_name"], team_id=decision["team_id"],
            team_name=decision["team_name"], labels=labels, priority=priority,
            priority_rank=domain.PRIORITY_RANK[priority], routing=decision["explanation"],
            version=row.version + 1, updated_at=now()))
        action = "waiting_for_agent" if decision["waiting"] else "assigned"
        record_activity(db, row.id, "routing", action, agent_id=decision["agent_id"], team_id=decision["team_id"],
                        priority=priority, labels=labels)
        notify_agents(db, "conversation.assigned", conversation_row(db, row.id), agent_id=decision["agent_id"],
                      team_id=decision["team_id"], waiting=decision["waiting"], preview=row.last_message_preview)
        conversation_updated(rt, db, row.id, ["assignee", "team", "priority", "labels"], caused_by=envelope)


def apply_escalation(rt: ServiceRuntime, envelope: Envelope) -> None:
    """A conversation waited too long for an agent: say so in its activity and to the agents who see it.

    The raised priority itself arrives with routing's `conversation.assigned`, which follows.
    """
    escalation = envelope.payload
    with rt.db.transaction() as db:
        if not claim_message(db, rt.processed, CONSUMER, envelope.id):
            return
        row = db.execute(select(conversations).where(conversations.c.id == escalation["conversation_id"])).first()
        if row is None:
            return
        details = {k: escalation[k] for k in ("team_id", "priority", "previous_priority", "waited_seconds",
                                               "limit_seconds")}
        record_activity(db, row.id, "routing", "escalated", **details)
        notify_agents(db, "conversation.escalated", row, **details)


def apply_team(rt: ServiceRuntime, envelope: Envelope) -> None:
    """A team was renamed: its conversations show the new name."""
    team = envelope.payload
    with rt.db.transaction() as db:
        if not claim_message(db, rt.processed, CONSUMER, envelope.id):
            return
        remember_team(db, team["id"], team["name"])
        db.execute(update(conversations).where(conversations.c.team_id == team["id"]).values(team_name=team["name"]))


def apply_delivery(rt: ServiceRuntime, envelope: Envelope) -> None:
    """Move a reply's delivery status forward (queued → sent → delivered, or failed with a reason)."""
    report = envelope.payload
    with rt.db.transaction() as db:
        if not claim_message(db, rt.processed, CONSUMER, envelope.id):
            return
        message = db.execute(select(messages).where(messages.c.id == report["message_id"])).first()
        if message is None:
            return
        status = domain.next_delivery_status(message.status, report["status"])
        if status == message.status and not (status == report["status"] and report["details"]):
            return  # nothing new (a same-status report may still bring details, like SMS segments)
        metadata = dict(message.metadata) | {k: v for k, v in report["details"].items()}
        if report["provider_message_id"]:
            metadata["provider_message_id"] = report["provider_message_id"]
        db.execute(update(messages).where(messages.c.id == message.id).values(
            status=status, status_reason=report["reason"], metadata=metadata))
        conversation = conversation_row(db, message.conversation_id)
        if status == "failed":
            record_activity(db, conversation.id, "system", "delivery_failed", message_id=message.id,
                            reason=report["reason"])
        notify_agents(db, "message.status", conversation, message_id=message.id, status=status,
                      reason=report["reason"])
