"""Routing on PostgreSQL and RabbitMQ: the waiting queue's order, escalation, and what others are told."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select, update

from shared.envelopes import dump_envelope, load_envelope
from shared.messaging import MessageBus
from services.routing import directory
from services.routing.assignment import handle_routing_event, now
from services.routing.escalation import EscalationClock, escalate_overdue
from services.routing.tables import assignments, teams, waiting
from tests.integration.routing.events import conversation_resolved, message_received
from tests.support.http import wait_until


def feed(rt, envelope) -> None:
    """Hand routing one event as its consumer receives it (through JSON)."""
    handle_routing_event(rt, load_envelope(dump_envelope(envelope)))


def published(rt, event_type: str) -> list[dict]:
    """The payloads of `event_type` routing published to the inbox so far (the relay runs in the background)."""
    seen = []

    def take(_headers, body):
        if body["type"] == event_type:
            seen.append(body["payload"])
        return True

    bus = MessageBus(rt.settings.broker_url)
    bus.take_all("inbox.updates", take)
    bus.close()
    return seen


def new_agent(rt, name: str, capacity: float, presence: str = "online") -> dict:
    return directory.create_agent(rt, {"name": name, "email": f"{name.lower()}@example.com", "password": "x" * 12,
                                       "role": "agent", "teams": [directory.ensure_default_team(rt)], "skills": [],
                                       "capacity": capacity, "presence": presence})


def test_the_queue_hands_out_by_priority_then_key_account_then_waiting_time(routing):
    rt = routing.runtime
    ana = new_agent(rt, "Ana", capacity=1)
    feed(rt, message_received("busy"))
    for cid, priority, stage in [("normal-old", "normal", "returning"), ("normal-key", "normal", "key_account"),
                                 ("urgent", "urgent", "prospect"), ("low-key", "low", "key_account"),
                                 ("normal-new", "normal", "new")]:
        feed(rt, message_received(cid, priority=priority, stage=stage))
    handed = []
    holder = "busy"
    for _ in range(5):
        feed(rt, conversation_resolved(holder, assignee_id=ana["id"]))
        holder = _holder(rt, ana["id"])
        handed.append(holder)
    assert handed == ["urgent", "normal-key", "normal-old", "normal-new", "low-key"]


def _holder(rt, agent_id):
    with rt.db.reading() as db:
        return db.execute(select(assignments.c.conversation_id).where(assignments.c.agent_id == agent_id)).scalar()


def test_escalation_raises_priority_once_and_tells_the_inbox(routing):
    rt = routing.runtime
    with rt.db.transaction() as db:
        db.execute(update(teams).where(teams.c.is_default.is_(True)).values(max_wait_seconds=300))
    feed(rt, message_received("slow", priority="high"))
    feed(rt, message_received("fresh"))
    with rt.db.transaction() as db:
        db.execute(update(waiting).where(waiting.c.conversation_id == "fresh").values(waiting_since=now()))
    assert escalate_overdue(rt, now() + timedelta(seconds=200)) == []
    later = now() + timedelta(seconds=301)
    with rt.db.transaction() as db:
        db.execute(update(waiting).where(waiting.c.conversation_id == "fresh").values(waiting_since=later))
    assert escalate_overdue(rt, later) == ["slow"]
    assert escalate_overdue(rt, later + timedelta(seconds=60)) == [], "escalated once; the fresh one is in time"
    escalated: list[dict] = []
    assert wait_until(lambda: escalated.extend(published(rt, "conversation.escalated")) or escalated)
    assert [e["conversation_id"] for e in escalated] == ["slow"]
    assert (escalated[0]["previous_priority"], escalated[0]["priority"], escalated[0]["limit_seconds"]) == \
        ("high", "urgent", 300)


def test_the_escalation_clock_runs_beside_the_consumer(routing):
    rt = routing.runtime
    assert any(isinstance(w, EscalationClock) for w in routing.workers())
    with rt.db.transaction() as db:
        db.execute(update(teams).where(teams.c.is_default.is_(True)).values(max_wait_seconds=1))
    feed(rt, message_received("forgotten"))
    with rt.db.transaction() as db:
        db.execute(update(waiting).values(waiting_since=now() - timedelta(minutes=5)))
    stop = threading.Event()
    thread = EscalationClock(rt, every_seconds=0.05).start(stop)
    try:
        assert wait_until(lambda: _is_escalated(rt, "forgotten"))
    finally:
        stop.set()
        thread.join(5)


def _is_escalated(rt, cid) -> bool:
    with rt.db.reading() as db:
        return bool(db.execute(select(waiting.c.escalated).where(waiting.c.conversation_id == cid)).scalar())


def test_every_agent_change_is_published_for_the_inbox(routing):
    rt = routing.runtime
    ana = new_agent(rt, "Ana", capacity=2, presence="offline")
    directory.set_presence(rt, ana["id"], "online")
    support = directory.ensure_default_team(rt)
    other = directory.create_team(rt, {"name": "Billing", "assignment": {"strategy": "least_busy"}})
    directory.update_agent(rt, ana["id"], {"name": "Ana Lima", "teams": [support, other["id"]]})
    seen: list[dict] = []
    assert wait_until(lambda: seen.extend(published(rt, "agent.updated")) or len(seen) == 3)
    assert [(a["name"], a["presence"], len(a["team_ids"])) for a in seen] == \
        [("Ana", "offline", 1), ("Ana", "online", 1), ("Ana Lima", "online", 2)]
    assert all(a["id"] == ana["id"] and a["email"] == "ana@example.com" for a in seen)


def test_an_agent_going_offline_in_a_requeue_team_puts_their_conversations_back_in_the_queue(routing):
    rt = routing.runtime
    with rt.db.transaction() as db:
        db.execute(update(teams).where(teams.c.is_default.is_(True)).values(offline_policy="requeue"))
    ana = new_agent(rt, "Ana", capacity=3)
    feed(rt, message_received("mine", channel="email"))
    assert _holder(rt, ana["id"]) == "mine"
    directory.set_presence(rt, ana["id"], "offline")
    assert _holder(rt, ana["id"]) is None and _waiting_ids(rt) == ["mine"]
    decisions: list[dict] = []
    assert wait_until(lambda: decisions.extend(published(rt, "conversation.assigned")) or len(decisions) == 2)
    assert decisions[1]["waiting"] is True and decisions[1]["explanation"]["requeued_from"] == ana["id"]
    bo = new_agent(rt, "Bo", capacity=1)
    assert _holder(rt, bo["id"]) == "mine" and _waiting_ids(rt) == []


def _waiting_ids(rt) -> list[str]:
    with rt.db.reading() as db:
        return list(db.execute(select(waiting.c.conversation_id)).scalars())


def test_a_reopened_conversation_counts_in_its_owners_load(routing):
    rt = routing.runtime
    ana = new_agent(rt, "Ana", capacity=1)
    reopened = message_received("reopened")
    reopened.payload["conversation"]["assignee_id"] = ana["id"]
    feed(rt, reopened)
    assert _holder(rt, ana["id"]) == "reopened"
    feed(rt, message_received("next"))
    assert _waiting_ids(rt) == ["next"], "Ana's one place is taken by the conversation she already has"
