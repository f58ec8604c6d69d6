"""Giving conversations owners: route what has none, keep loads true, hand out the waiting queue.

Every transaction here that may give out or take back capacity first takes routing's lock
(`serialize_routing`), so two routing consumers never both see room that only one may take.
"""

from __future__ import annotations

import itertools
import uuid
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

from sqlalchemy import bindparam, delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from shared.envelopes import Envelope, make_envelope
from shared.runtime import ServiceRuntime
from shared.storage.idempotency import claim_messages
from services.routing.domain import Agent, Decision, RoutedMessage, Rule, Team, decide, waiting_order_key
from services.routing.tables import (agents, assignments, decisions, memberships, rules, team_transfers, teams,
                                     waiting)

CONSUMER = "routing.conversations"
SOURCE = "routing"
# How much of an agent's capacity one conversation takes, by channel: a chat needs more attention.
CHANNEL_WEIGHTS = {"chat": 1.0, "sms": 0.5, "email": 0.5}
HAND_OUT_BATCH = 200
# Any fixed number: the PostgreSQL advisory lock every routing change takes (see serialize_routing).
ROUTING_LOCK_KEY = 0x5B0A_4D10


def now() -> datetime:
    return datetime.now(timezone.utc)


def serialize_routing(db: Session) -> None:
    """Hold routing's lock until this transaction ends, so loads read now stay true until commit.

    SQLite already runs one writer at a time (BEGIN IMMEDIATE); on PostgreSQL a transaction-level
    advisory lock does the same for routing alone.
    """
    if db.bind.dialect.name == "postgresql" and not db.info.get("routing_locked"):
        db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ROUTING_LOCK_KEY})
        db.info["routing_locked"] = True  # held until this session's transaction ends


def handle_routing_event(rt: ServiceRuntime, envelope: Envelope) -> None:
    handle_routing_events(rt, [envelope])


def handle_routing_events(rt: ServiceRuntime, envelopes: list[Envelope]) -> None:
    """A batch in one transaction under routing's lock: claimed at once, then followed in order."""
    with rt.db.transaction() as db:
        fresh = claim_messages(db, rt.processed, CONSUMER, [e.id for e in envelopes])
        if not fresh:
            return
        serialize_routing(db)
        unique = {e.id: e for e in envelopes if e.id in fresh}.values()
        for customers_wrote, run in itertools.groupby(unique, key=lambda e: e.type == "message.received"):
            if customers_wrote:
                _route_run(rt, db, list(run))
            else:
                for envelope in run:
                    if envelope.type == "conversation.updated":
                        follow_update(rt, db, envelope)


@dataclass
class _Run:
    """What routing needs about a run of customers' messages, read once and kept true while the run
    routes them: conversations held and waiting, team transfers, agents with their loads."""

    rt: ServiceRuntime
    held: set[str]
    waiting: set[str]
    transfers: dict[str, str]
    agents: dict[str, Agent] | None = None
    # What the run decided, written in bulk when it ends (see _write_run).
    inserts: dict[str, tuple] = field(default_factory=dict)
    assigned_at: dict[str, datetime] = field(default_factory=dict)
    unqueued: set[str] = field(default_factory=set)
    events: list[Envelope] = field(default_factory=list)

    def insert(self, table, row: dict) -> None:
        self.inserts.setdefault(table.name, (table, []))[1].append(row)


def _route_run(rt: ServiceRuntime, db: Session, envelopes: list[Envelope]) -> None:
    """Route the messages of a run in order, with the run's state in memory (a few statements per run)."""
    cids = sorted({e.payload["conversation"]["id"] for e in envelopes})
    held = db.execute(select(assignments.c.conversation_id).where(assignments.c.conversation_id.in_(cids)))
    queued = db.execute(select(waiting.c.conversation_id).where(waiting.c.conversation_id.in_(cids)))
    transfers = db.execute(select(team_transfers.c.conversation_id, team_transfers.c.team_id)
                           .where(team_transfers.c.conversation_id.in_(cids)))
    db.info["routing_run"] = _Run(rt=rt, held=set(held.scalars()), waiting=set(queued.scalars()),
                                  transfers=dict(transfers.all()))
    try:
        for envelope in envelopes:
            route_if_unowned(rt, db, envelope)
        _write_run(db)
    finally:
        db.info["routing_run"] = None


def _write_run(db: Session) -> None:
    """Write what the run decided so far: a few statements for the whole run."""
    run = _run(db)
    if run.unqueued:
        db.execute(delete(waiting).where(waiting.c.conversation_id.in_(sorted(run.unqueued))))
    for table, rows in run.inserts.values():
        db.execute(insert(table), rows)
    if run.assigned_at:
        db.execute(update(agents).where(agents.c.id == bindparam("target")).values(last_assigned_at=bindparam("at")),
                   [{"target": agent_id, "at": at} for agent_id, at in run.assigned_at.items()])
    run.rt.outbox.add(db, *run.events)
    run.inserts, run.assigned_at, run.unqueued, run.events = {}, {}, set(), []


def _run(db: Session) -> _Run | None:
    return db.info.get("routing_run")


def follow_update(rt: ServiceRuntime, db: Session, envelope: Envelope) -> None:
    """Follow what an agent did in the inbox; a conversation they sent to a team is routed within it now."""
    payload = envelope.payload
    transfer = _team_transfer_request(db, payload)  # read before sync_assignment drops the stored request
    freed = sync_assignment(db, payload)
    if transfer:
        cid = transfer["conversation_id"]
        freed |= db.execute(delete(assignments).where(assignments.c.conversation_id == cid)).rowcount > 0
        db.execute(delete(waiting).where(waiting.c.conversation_id == cid))  # it may wait in the old team's queue
        route(rt, db, transfer, caused_by=envelope)
    if freed:
        hand_out_waiting(rt, db)


def _team_transfer_request(db: Session, payload: dict) -> dict | None:
    """What to route when an agent sent the conversation to a team and nobody in particular: else None.

    The customer's message routing kept for it is routed again; a conversation routing never held
    is routed by what the conversation itself says (its last channel).
    """
    conversation = payload["conversation"]
    if ("team_id" not in payload.get("changes", ()) or conversation["assignee_id"] or not conversation["team_id"]
            or conversation["status"] == "resolved"
            or db.execute(select(teams.c.id).where(teams.c.id == conversation["team_id"])).first() is None):
        return None
    cid = conversation["id"]
    stored = (db.execute(select(waiting.c.request).where(waiting.c.conversation_id == cid)).scalar()
              or db.execute(select(assignments.c.request).where(assignments.c.conversation_id == cid)).scalar())
    message = stored["payload"]["message"] if stored else {
        "id": None, "channel": (conversation["channels"] or ["email"])[-1], "direction": "inbound", "text": "",
        "subject": "", "sender": "", "created_at": now().isoformat()}
    since = conversation["waiting_since"]
    return {"conversation_id": cid, "payload": {
        "message": message, "contact": payload["contact"],
        "conversation": {**conversation, "waiting_since": since.isoformat() if since else None}}}


def routed_message(payload: dict) -> RoutedMessage:
    """What the rules look at, from a `message.received` payload."""
    message, conversation, contact = payload["message"], payload["conversation"], payload["contact"]
    return RoutedMessage(
        channel=message["channel"], text=message["text"], subject=message["subject"] or conversation["subject"],
        sender=message["sender"], contact={**contact["attributes"], "lifecycle_stage": contact["lifecycle_stage"]},
        labels=tuple(conversation["labels"]), priority=conversation["priority"],
        last_agent_id=conversation.get("last_agent_id"))


def route_if_unowned(rt: ServiceRuntime, db: Session, envelope: Envelope) -> None:
    """Route a conversation that has no owner and is not already waiting.

    One that has an owner routing does not count (reopened by the customer, or taken by hand before
    routing saw it) is counted in that agent's load from now on.
    """
    conversation = envelope.payload["conversation"]
    cid = conversation["id"]
    if conversation["status"] == "resolved" or _is_held(db, cid):
        return
    if conversation["assignee_id"]:
        _adopt(db, cid, conversation["assignee_id"], conversation)
        return
    if _is_waiting(db, cid):
        return
    route(rt, db, {"conversation_id": cid, "payload": _routing_payload(envelope.payload)}, caused_by=envelope)


def _is_held(db: Session, cid: str) -> bool:
    if (run := _run(db)) is not None:
        return cid in run.held
    return db.execute(select(assignments.c.agent_id).where(assignments.c.conversation_id == cid)).first() is not None


def _is_waiting(db: Session, cid: str) -> bool:
    if (run := _run(db)) is not None:
        return cid in run.waiting
    return db.execute(select(waiting.c.conversation_id).where(waiting.c.conversation_id == cid)).first() is not None


def _routing_payload(payload: dict) -> dict:
    """The parts of the event kept to route it again later (JSON-ready)."""
    return {"message": {**payload["message"], "created_at": str(payload["message"]["created_at"])},
            "conversation": {**payload["conversation"], "waiting_since": str(payload["conversation"]["waiting_since"])},
            "contact": payload["contact"]}


def route(rt: ServiceRuntime, db: Session, request: dict, caused_by: Envelope | None = None,
          context: dict | None = None) -> Decision:
    """Decide now, record why, and publish the decision (an agent, or a place in the waiting queue).

    `context` joins the explanation (why the conversation is being routed again, say).
    """
    at = now()
    cid = request["conversation_id"]
    message = routed_message(request["payload"])
    run = _run(db)
    transferred_to = run.transfers.get(cid) if run else db.execute(
        select(team_transfers.c.team_id).where(team_transfers.c.conversation_id == cid)).scalar()
    decision = decide_now(db, message, forced_team_id=transferred_to)
    if context:
        decision = replace(decision, explanation={**decision.explanation, **context})
    if decision.agent_id:
        held = {"conversation_id": cid, "agent_id": decision.agent_id, "team_id": decision.team_id,
                "channel": message.channel, "weight": channel_weight(message.channel), "assigned_at": at,
                "request": request}
        if run is None:
            db.execute(insert(assignments).values(**held))
            db.execute(update(agents).where(agents.c.id == decision.agent_id).values(last_assigned_at=at))
            db.execute(delete(waiting).where(waiting.c.conversation_id == cid))
        else:
            run.insert(assignments, held)
            run.assigned_at[decision.agent_id] = at
            if cid in run.waiting:
                run.unqueued.add(cid)
            run.held.add(cid)
            run.waiting.discard(cid)
            if run.agents is not None and (agent := run.agents.get(decision.agent_id)):
                run.agents[agent.id] = replace(agent, load=agent.load + channel_weight(message.channel),
                                               open_count=agent.open_count + 1, last_assigned_at=at)
    elif _is_waiting(db, cid):
        return decision  # still nobody free: it keeps its place, and nobody needs telling again
    else:
        queued = {"conversation_id": cid, "team_id": decision.team_id, "priority": decision.priority,
                  "key_account": is_key_account(message.contact), "waiting_since": at, "escalated": False,
                  "request": request}
        if run is None:
            db.execute(insert(waiting).values(**queued))
        else:
            run.insert(waiting, queued)
            run.waiting.add(cid)
    _record_and_publish(rt, db, request, decision, caused_by, at)
    return decision


def channel_weight(channel: str) -> float:
    return CHANNEL_WEIGHTS.get(channel, 1.0)


def is_key_account(contact: dict) -> bool:
    """Key accounts wait less: their lifecycle stage says so, or a `key_account` attribute does."""
    flag = contact.get("key_account")
    return contact.get("lifecycle_stage") == "key_account" or flag is True or str(flag).lower() == "true"


def decide_now(db: Session, message: RoutedMessage, forced_team_id: str | None = None) -> Decision:
    """Run the rules and the team's strategy against the agents' current loads (within a team an agent chose)."""
    setup = _setup(db)
    return decide(message, setup.rules, setup.teams, _agents_now(db), default_team_id=setup.default_team_id,
                  channel_weights=CHANNEL_WEIGHTS, forced_team_id=forced_team_id)


@dataclass(frozen=True)
class _Setup:
    """What admins configured: teams, the default team, rules, memberships, names. Loads and presence are read fresh."""

    teams: dict[str, Team]
    default_team_id: str | None
    rules: list[Rule]
    team_ids: dict[str, frozenset[str]]
    agent_names: dict[str, str]


# The reads every routing batch starts with, built once: SQLAlchemy keeps the cache key of a
# statement object it has seen, which saves rebuilding it for every batch.
_TEAMS = select(teams)
_MEMBERSHIPS = select(memberships.c.agent_id, memberships.c.team_id)
_AGENT_NAMES = select(agents.c.id, agents.c.name)
_LIVE_RULES = select(rules).where(rules.c.deleted.is_(False)).order_by(rules.c.position, rules.c.id)
_ACTIVE_AGENTS = select(agents).where(agents.c.active.is_(True)).order_by(agents.c.id)
_LOADS = select(assignments.c.agent_id, func.sum(assignments.c.weight), func.count()).group_by(assignments.c.agent_id)


def _setup(db: Session) -> _Setup:
    """Read once per transaction: a batch of routing decisions shares it (admins' changes land between batches)."""
    setup = db.info.get("routing_setup")
    if setup is None:
        team_rows = db.execute(_TEAMS).all()
        team_ids = defaultdict(set)
        for agent_id, team_id in db.execute(_MEMBERSHIPS).all():
            team_ids[agent_id].add(team_id)
        setup = db.info["routing_setup"] = _Setup(
            teams={r.id: Team(id=r.id, name=r.name, strategy=r.strategy) for r in team_rows},
            default_team_id=next((r.id for r in team_rows if r.is_default), None), rules=load_rules(db),
            team_ids={agent_id: frozenset(ids) for agent_id, ids in team_ids.items()},
            agent_names=dict(db.execute(_AGENT_NAMES).all()))
    return setup


def load_rules(db: Session) -> list[Rule]:
    rows = db.execute(_LIVE_RULES).all()
    return [Rule(id=r.id, name=r.name, position=r.position, enabled=r.enabled, conditions=r.conditions,
                 actions=tuple(r.actions), stop=r.stop, version=r.version) for r in rows]


def _agents_now(db: Session) -> list[Agent]:
    """Active agents with their loads: read once per run of messages (then kept in step), else fresh."""
    run = _run(db)
    if run is None:
        return load_agents(db)
    if run.agents is None:
        run.agents = {agent.id: agent for agent in load_agents(db)}
    return list(run.agents.values())


def load_agents(db: Session) -> list[Agent]:
    """Every active agent with their current load (call under serialize_routing when the answer is acted on)."""
    rows = db.execute(_ACTIVE_AGENTS).all()
    team_ids, loads, counts = _setup(db).team_ids, defaultdict(float), defaultdict(int)
    for agent_id, load, held in db.execute(_LOADS).all():
        loads[agent_id], counts[agent_id] = float(load), held
    return [Agent(id=r.id, name=r.name, team_ids=team_ids.get(r.id, frozenset()), skills=frozenset(r.skills),
                  capacity=r.capacity, presence=r.presence, load=loads[r.id], open_count=counts[r.id],
                  last_assigned_at=r.last_assigned_at) for r in rows]


def _record_and_publish(rt: ServiceRuntime, db: Session, request: dict, decision: Decision,
                        caused_by: Envelope | None, at: datetime) -> None:
    cid = request["conversation_id"]
    recorded = {"id": str(uuid.uuid4()), "conversation_id": cid, "agent_id": decision.agent_id,
                "team_id": decision.team_id, "explanation": decision.explanation, "created_at": at}
    if (run := _run(db)) is not None:
        run.insert(decisions, recorded)
    else:
        db.execute(insert(decisions).values(**recorded))
    publish_decision(rt, db, request, decision.team_id, decision.agent_id, decision.priority,
                     list(decision.labels), decision.explanation, caused_by)


def publish_decision(rt: ServiceRuntime, db: Session, request: dict, team_id: str | None, agent_id: str | None,
                     priority: str, labels: list[str], explanation: dict, caused_by: Envelope | None = None) -> None:
    """`conversation.assigned`: the inbox gives the conversation this owner (none = waiting) and explanation."""
    setup = _setup(db)
    agent_name = setup.agent_names.get(agent_id, "")
    team_name = team.name if (team := setup.teams.get(team_id)) else ""
    event = make_envelope("conversation.assigned", {
        "conversation_id": request["conversation_id"], "team_id": team_id, "team_name": team_name,
        "agent_id": agent_id, "agent_name": agent_name, "priority": priority, "labels": labels,
        "waiting": agent_id is None, "explanation": explanation}, source=SOURCE, caused_by=caused_by)
    if (run := _run(db)) is not None:
        run.events.append(event)
    else:
        rt.outbox.add(db, event)


def sync_assignment(db: Session, payload: dict) -> bool:
    """Follow what agents did in the inbox (resolve, transfer, unassign); True if capacity was freed.

    Only an agent's own change of owner (`assignee_id` or `team_id` among the changes) moves ownership
    here: the inbox's echo of routing's own decisions may arrive after newer ones and must not undo them.
    A team an agent chose is remembered, so later routing keeps the conversation in it.
    """
    conversation, changes = payload["conversation"], payload.get("changes", ())
    cid, owner = conversation["id"], conversation["assignee_id"]
    if conversation["status"] == "resolved":
        db.execute(delete(waiting).where(waiting.c.conversation_id == cid))
        db.execute(delete(team_transfers).where(team_transfers.c.conversation_id == cid))
        return db.execute(delete(assignments).where(assignments.c.conversation_id == cid)).rowcount > 0
    if "team_id" in changes:
        _remember_team_transfer(db, cid, conversation["team_id"])
    if "assignee_id" not in changes:
        if owner and "team_id" in changes:  # the owner stays, now for their new team
            db.execute(update(assignments).where(assignments.c.conversation_id == cid, assignments.c.agent_id == owner)
                       .values(team_id=conversation["team_id"]))
        return False
    held = db.execute(select(assignments).where(assignments.c.conversation_id == cid)).first()
    if owner is None:
        return db.execute(delete(assignments).where(assignments.c.conversation_id == cid)).rowcount > 0
    if held:
        if held.agent_id == owner:
            return False
        db.execute(update(assignments).where(assignments.c.conversation_id == cid).values(
            agent_id=owner, team_id=conversation["team_id"]))
        return True
    _adopt(db, cid, owner, conversation)
    return False


def _remember_team_transfer(db: Session, cid: str, team_id: str | None) -> None:
    db.execute(delete(team_transfers).where(team_transfers.c.conversation_id == cid))
    if team_id and db.execute(select(teams.c.id).where(teams.c.id == team_id)).first():
        db.execute(insert(team_transfers).values(conversation_id=cid, team_id=team_id, transferred_at=now()))


def _adopt(db: Session, cid: str, owner: str, conversation: dict) -> None:
    """An agent holds a conversation routing did not give them: it leaves the queue and counts in their load."""
    if db.execute(select(agents.c.id).where(agents.c.id == owner)).first() is None:
        return  # not an agent routing knows: nothing to count
    if _run(db) is not None:
        _write_run(db)  # the queue row it may take over is perhaps still only in the run
    queued = db.execute(select(waiting.c.request).where(waiting.c.conversation_id == cid)).scalar()
    channel = queued["payload"]["message"]["channel"] if queued else (conversation["channels"] or ["email"])[-1]
    db.execute(delete(waiting).where(waiting.c.conversation_id == cid))
    db.execute(insert(assignments).values(conversation_id=cid, agent_id=owner, team_id=conversation["team_id"],
                                          channel=channel, weight=channel_weight(channel), assigned_at=now(),
                                          request=queued))
    if (run := _run(db)) is not None:
        run.held.add(cid)
        run.waiting.discard(cid)
        run.agents = None  # the owner's load changed: read the agents again when next needed


def hand_out_waiting(rt: ServiceRuntime, db: Session) -> int:
    """Offer waiting conversations, most urgent first, to agents who now have room."""
    rows = db.execute(select(waiting).limit(HAND_OUT_BATCH * 5)).all()
    rows.sort(key=lambda r: waiting_order_key(r.priority, r.key_account, r.waiting_since))
    handed = 0
    for row in rows[:HAND_OUT_BATCH]:
        if not _anyone_has_room(db):
            break
        if route(rt, db, row.request).agent_id:
            handed += 1
    return handed


def _anyone_has_room(db: Session) -> bool:
    """Whether any online agent could take even the lightest conversation (saves futile decisions)."""
    lightest = min(CHANNEL_WEIGHTS.values())
    return any(a.presence == "online" and a.load + lightest <= a.capacity for a in load_agents(db))


def requeue_for_offline_agent(rt: ServiceRuntime, db: Session, agent_id: str) -> int:
    """Route again the conversations of an agent gone offline, where their team says to re-queue."""
    held = db.execute(select(assignments.c.conversation_id, assignments.c.request)
                      .join(teams, teams.c.id == assignments.c.team_id)
                      .where(assignments.c.agent_id == agent_id, teams.c.offline_policy == "requeue",
                             assignments.c.request.is_not(None))
                      .order_by(assignments.c.assigned_at)).all()
    for row in held:
        db.execute(delete(assignments).where(assignments.c.conversation_id == row.conversation_id))
        request = row.request
        request["payload"]["conversation"] |= {"assignee_id": None, "last_agent_id": None}
        route(rt, db, request, context={"requeued_from": agent_id})
    return len(held)
