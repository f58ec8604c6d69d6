"""Giving conversations owners: route what has none, keep loads true, hand out the waiting queue."""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from shared.envelopes import Envelope, make_envelope
from shared.runtime import ServiceRuntime
from shared.storage.idempotency import claim_message
from services.routing.directory import now
from services.routing.domain import Agent, Decision, RoutedMessage, Rule, Team, decide, waiting_order_key
from services.routing.tables import agents, assignments, decisions, memberships, rules, teams, waiting

CONSUMER = "routing.conversations"
SOURCE = "routing"
# How much of an agent's capacity one conversation takes, by channel: a chat needs more attention.
CHANNEL_WEIGHTS = {"chat": 1.0, "sms": 0.5, "email": 0.5}
HAND_OUT_BATCH = 200


def handle_routing_event(rt: ServiceRuntime, envelope: Envelope) -> None:
    with rt.db.transaction() as db:
        if not claim_message(db, rt.processed, CONSUMER, envelope.id):
            return
        if envelope.type == "message.received":
            route_if_unowned(rt, db, envelope)
        elif envelope.type == "conversation.updated":
            freed = sync_assignment(db, envelope.payload)
            if freed:
                hand_out_waiting(rt, db)


def routed_message(payload: dict) -> RoutedMessage:
    """What the rules look at, from a `message.received` payload."""
    message, conversation, contact = payload["message"], payload["conversation"], payload["contact"]
    return RoutedMessage(
        channel=message["channel"], text=message["text"], subject=message["subject"] or conversation["subject"],
        sender=message["sender"], contact={**contact["attributes"], "lifecycle_stage": contact["lifecycle_stage"]},
        labels=tuple(conversation["labels"]), priority=conversation["priority"],
        last_agent_id=conversation.get("last_agent_id"))


def route_if_unowned(rt: ServiceRuntime, db: Session, envelope: Envelope) -> None:
    """Route a conversation that has no owner and is not already waiting."""
    conversation = envelope.payload["conversation"]
    cid = conversation["id"]
    if conversation["status"] == "resolved" or conversation["assignee_id"]:
        return
    if db.execute(select(assignments.c.agent_id).where(assignments.c.conversation_id == cid)).first():
        return
    if db.execute(select(waiting.c.conversation_id).where(waiting.c.conversation_id == cid)).first():
        return
    request = {"conversation_id": cid, "payload": _routing_payload(envelope.payload)}
    route(rt, db, request, caused_by=envelope)


def _routing_payload(payload: dict) -> dict:
    """The parts of the event kept to route it again later (JSON-ready)."""
    return {"message": {**payload["message"], "created_at": str(payload["message"]["created_at"])},
            "conversation": {**payload["conversation"], "waiting_since": str(payload["conversation"]["waiting_since"])},
            "contact": payload["contact"]}


def route(rt: ServiceRuntime, db: Session, request: dict, caused_by: Envelope | None = None) -> Decision:
    """Decide now, record why, and publish the decision (an agent, or a place in the waiting queue)."""
    message = routed_message(request["payload"])
    decision = decide_now(db, message)
    cid = request["conversation_id"]
    if decision.agent_id:
        db.execute(insert(assignments).values(conversation_id=cid, agent_id=decision.agent_id,
                                              team_id=decision.team_id, channel=message.channel,
                                              weight=CHANNEL_WEIGHTS.get(message.channel, 1.0), assigned_at=now()))
        db.execute(update(agents).where(agents.c.id == decision.agent_id).values(last_assigned_at=now()))
        db.execute(delete(waiting).where(waiting.c.conversation_id == cid))
    elif db.execute(select(waiting.c.conversation_id).where(waiting.c.conversation_id == cid)).first():
        return decision  # still nobody free: it keeps its place, and nobody needs telling again
    else:
        db.execute(insert(waiting).values(
            conversation_id=cid, team_id=decision.team_id, priority=decision.priority,
            key_account=message.contact.get("lifecycle_stage") == "key_account",
            waiting_since=now(), escalated=False, request=request))
    _publish(rt, db, cid, decision, caused_by)
    return decision


def decide_now(db: Session, message: RoutedMessage) -> Decision:
    """Run the rules and the team's strategy against the agents' current loads."""
    all_teams = {r.id: Team(id=r.id, name=r.name, strategy=r.strategy) for r in db.execute(select(teams)).all()}
    default = db.execute(select(teams.c.id).where(teams.c.is_default.is_(True))).scalar()
    return decide(message, load_rules(db), all_teams, load_agents(db), default_team_id=default,
                  channel_weights=CHANNEL_WEIGHTS)


def load_rules(db: Session) -> list[Rule]:
    rows = db.execute(select(rules).where(rules.c.deleted.is_(False)).order_by(rules.c.position, rules.c.id)).all()
    return [Rule(id=r.id, name=r.name, position=r.position, enabled=r.enabled, conditions=r.conditions,
                 actions=tuple(r.actions), stop=r.stop, version=r.version) for r in rows]


def load_agents(db: Session) -> list[Agent]:
    """Every agent with their current load; their rows are locked so two routers cannot overfill one."""
    query = select(agents).order_by(agents.c.id)
    if db.bind.dialect.name == "postgresql":
        query = query.with_for_update()
    rows = db.execute(query).all()
    team_ids, loads, counts = defaultdict(set), defaultdict(float), defaultdict(int)
    for agent_id, team_id in db.execute(select(memberships.c.agent_id, memberships.c.team_id)).all():
        team_ids[agent_id].add(team_id)
    for agent_id, weight in db.execute(select(assignments.c.agent_id, assignments.c.weight)).all():
        loads[agent_id] += weight
        counts[agent_id] += 1
    return [Agent(id=r.id, name=r.name, team_ids=frozenset(team_ids[r.id]), skills=frozenset(r.skills),
                  capacity=r.capacity, presence=r.presence, load=loads[r.id], open_count=counts[r.id],
                  last_assigned_at=r.last_assigned_at) for r in rows]


def _publish(rt: ServiceRuntime, db: Session, cid: str, decision: Decision, caused_by: Envelope | None) -> None:
    agent_name = db.execute(select(agents.c.name).where(agents.c.id == decision.agent_id)).scalar() or ""
    team_name = db.execute(select(teams.c.name).where(teams.c.id == decision.team_id)).scalar() or ""
    db.execute(insert(decisions).values(id=str(uuid.uuid4()), conversation_id=cid, agent_id=decision.agent_id,
                                        team_id=decision.team_id, explanation=decision.explanation, created_at=now()))
    rt.outbox.add(db, make_envelope("conversation.assigned", {
        "conversation_id": cid, "team_id": decision.team_id, "team_name": team_name, "agent_id": decision.agent_id,
        "agent_name": agent_name, "priority": decision.priority, "labels": list(decision.labels),
        "waiting": decision.waiting, "explanation": decision.explanation}, source=SOURCE, caused_by=caused_by))


def sync_assignment(db: Session, payload: dict) -> bool:
    """Follow what agents did in the inbox (resolve, transfer, unassign); True if capacity was freed."""
    conversation = payload["conversation"]
    cid, owner = conversation["id"], conversation["assignee_id"]
    held = db.execute(select(assignments).where(assignments.c.conversation_id == cid)).first()
    if conversation["status"] == "resolved":
        db.execute(delete(waiting).where(waiting.c.conversation_id == cid))
        return db.execute(delete(assignments).where(assignments.c.conversation_id == cid)).rowcount > 0
    if held and owner and held.agent_id != owner:  # transferred by hand: the load moves with it
        db.execute(update(assignments).where(assignments.c.conversation_id == cid).values(
            agent_id=owner, team_id=conversation["team_id"]))
        return True
    if held and not owner:
        db.execute(delete(assignments).where(assignments.c.conversation_id == cid))
        return True
    return False


def hand_out_waiting(rt: ServiceRuntime, db: Session) -> int:
    """Offer waiting conversations, most urgent first, to agents who now have room."""
    rows = db.execute(select(waiting).limit(HAND_OUT_BATCH * 5)).all()
    rows.sort(key=lambda r: waiting_order_key(r.priority, r.key_account, r.waiting_since))
    handed = 0
    for row in rows[:HAND_OUT_BATCH]:
        if route(rt, db, row.request).agent_id:
            handed += 1
    return handed


def hand_out_now(rt: ServiceRuntime) -> int:
    """Hand out the waiting queue in its own transaction (after an agent comes online)."""
    with rt.db.transaction() as db:
        return hand_out_waiting(rt, db)
