"""Applying what other services decided: routing's assignments, escalations, agents and teams; delivery reports."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

from sqlalchemy import bindparam, insert, select, update

from shared.envelopes import Envelope, make_envelope
from shared.runtime import ServiceRuntime
from shared.storage.idempotency import claim_message, claim_messages
from services.inbox import context, domain, summaries
from services.inbox.agents import apply_agent, remember_team
from services.inbox.events import SOURCE, conversation_row, notify_agents, now, record_activity
from services.inbox.tables import activity, agent_events, conversations, messages

CONSUMER = "inbox.updates"


def handle_update(rt: ServiceRuntime, envelope: Envelope) -> None:
    """Dispatch by event type (the `inbox.updates` queue carries them all)."""
    handler = {"conversation.assigned": apply_assignment, "delivery.updated": apply_delivery,
               "agent.updated": apply_agent, "conversation.escalated": apply_escalation,
               "team.updated": apply_team}.get(envelope.type)
    if handler is not None:
        handler(rt, envelope)


def handle_updates(rt: ServiceRuntime, envelopes: list[Envelope]) -> None:
    """Apply a batch in one transaction; routing's assignments, most of the traffic, are applied together."""
    with rt.db.transaction():
        for assignments, run in itertools.groupby(envelopes, key=lambda e: e.type == "conversation.assigned"):
            if assignments:
                apply_assignments(rt, list(run))
            else:
                for envelope in run:
                    handle_update(rt, envelope)


def apply_assignment(rt: ServiceRuntime, envelope: Envelope) -> None:
    apply_assignments(rt, [envelope])


def apply_assignments(rt: ServiceRuntime, envelopes: list[Envelope]) -> None:
    """Give conversations the team and agent routing chose, with routing's explanation, in order."""
    with rt.db.transaction() as db:
        fresh = claim_messages(db, rt.processed, CONSUMER, [e.id for e in envelopes])
        decisions = [e for e in {e.id: e for e in envelopes}.values() if e.id in fresh]
        if not decisions:
            return
        rows = {r["id"]: dict(r) for r in db.execute(select(conversations).where(conversations.c.id.in_(
            sorted({e.payload["conversation_id"] for e in decisions})))).mappings()}
        moment = now()
        applied = [(envelope, row, dict(row)) for envelope in decisions
                   if (row := rows.get(envelope.payload["conversation_id"])) and _assign(row, envelope.payload, moment)]
        if not applied:
            return
        for team_id, name in {e.payload["team_id"]: e.payload["team_name"] for e, _, _ in applied}.items():
            remember_team(db, team_id, name)
        db.execute(update(conversations).where(conversations.c.id == bindparam("target"))
                   .values({name: bindparam(name) for name in ASSIGNED}),
                   [{"target": row["id"], **{name: row[name] for name in ASSIGNED}}
                    for row in {row["id"]: row for _, row, _ in applied}.values()])
        _record_assignments(rt, db, applied, moment)


# The conversation columns an assignment changes (see _assign).
ASSIGNED = ("assignee_id", "assignee_name", "team_id", "team_name", "labels", "priority", "priority_rank", "routing",
            "version", "updated_at")


def _assign(row: dict, decision: dict, moment) -> bool:
    """Apply one decision to the conversation in memory; False when it no longer applies."""
    requeued = row["assignee_id"] is not None and decision["explanation"].get("requeued_from") == row["assignee_id"]
    if row["status"] == "resolved" or (row["assignee_id"] and decision["waiting"] and not requeued):
        return False  # settled meanwhile, or a stale "waiting" must not take an owner away
    priority = decision["priority"] if decision["priority"] in domain.PRIORITY_RANK else row["priority"]
    row.update(assignee_id=decision["agent_id"], assignee_name=decision["agent_name"], team_id=decision["team_id"],
               team_name=decision["team_name"], labels=list(dict.fromkeys([*row["labels"], *decision["labels"]])),
               priority=priority, priority_rank=domain.PRIORITY_RANK[priority], routing=decision["explanation"],
               version=row["version"] + 1, updated_at=moment)
    return True


def _record_assignments(rt: ServiceRuntime, db, applied: list, moment) -> None:
    """Activity, agents' stream entries and `conversation.updated` for each applied decision (snapshots in order)."""
    contacts = summaries.contact_summaries(db, {snapshot["contact_id"] for _, _, snapshot in applied})
    activities, entries, events = [], [], []
    for envelope, _, snapshot in applied:
        decision, cid = envelope.payload, snapshot["id"]
        details = {"agent_id": decision["agent_id"], "team_id": decision["team_id"],
                   "priority": snapshot["priority"], "labels": snapshot["labels"]}
        action = "waiting_for_agent" if decision["waiting"] else "assigned"
        activities.append({"conversation_id": cid, "actor": "routing", "action": action, "details": details,
                           "created_at": moment})
        entries.append({"type": "conversation.assigned", "conversation_id": cid, "assignee_id": snapshot["assignee_id"],
                        "team_id": snapshot["team_id"], "created_at": moment,
                        "data": {"conversation_id": cid, "agent_id": decision["agent_id"],
                                 "team_id": decision["team_id"], "waiting": decision["waiting"],
                                 "preview": snapshot["last_message_preview"]}})
        events.append(make_envelope("conversation.updated", {
            "conversation": context.conversation_summary(SimpleNamespace(**snapshot)),
            "contact": contacts[snapshot["contact_id"]], "changes": ["assignee", "team", "priority", "labels"]},
            source=SOURCE, caused_by=envelope))
    db.execute(insert(activity), activities)
    db.execute(insert(agent_events), entries)
    rt.outbox.add(db, *events)


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
