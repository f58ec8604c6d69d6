"""Routing's decisions taken in one batch end as they would one by one, in order, each once."""

from __future__ import annotations

from sqlalchemy import select

from shared.envelopes import make_envelope
from services.inbox import updates
from services.inbox.tables import activity, conversations
from tests.integration.inbox.conftest import receive, wire


def decision(cid: str, agent: str | None, *, waiting: bool = False, labels=(), priority: str = "normal"):
    return wire(make_envelope("conversation.assigned", {
        "conversation_id": cid, "agent_id": agent, "agent_name": f"Agent {agent}" if agent else "",
        "team_id": "team-1", "team_name": "Support", "priority": priority, "labels": list(labels),
        "waiting": waiting, "explanation": {"why": "test"}}, source="routing"))


def conversation_ids(service) -> list[str]:
    with service.runtime.db.reading() as db:
        return list(db.execute(select(conversations.c.id).order_by(conversations.c.created_at)).scalars())


def test_a_batch_of_decisions_applies_each_in_order_and_once(inbox):
    for n in range(3):
        receive(inbox, {"type": "chat", "value": f"visitor-{n}"}, f"hello {n}")
    first, second, third = conversation_ids(inbox)
    agent = wire(make_envelope("agent.updated", {"id": "a2", "name": "Bo", "role": "agent", "team_ids": ["team-1"],
                                                 "active": True}, source="routing"))
    repeated = decision(first, "a1", labels=["billing"])
    updates.handle_updates(inbox.runtime, [
        repeated, decision(second, None, waiting=True), agent, decision(second, "a2", priority="high"),
        decision(third, "a1"), decision(third, None, waiting=True), repeated])
    with inbox.runtime.db.reading() as db:
        rows = {r.id: r for r in db.execute(select(conversations))}
        actions = [(r.conversation_id, r.action) for r in db.execute(
            select(activity.c.conversation_id, activity.c.action).where(activity.c.actor == "routing")
            .order_by(activity.c.seq))]
    assert (rows[first].assignee_id, rows[first].labels, rows[first].version) == ("a1", ["billing"], 3)
    assert (rows[second].assignee_id, rows[second].priority, rows[second].version) == ("a2", "high", 4)
    # A "waiting" that arrives after an owner was given must not take the owner away.
    assert (rows[third].assignee_id, rows[third].version) == ("a1", 3)
    assert actions == [(first, "assigned"), (second, "waiting_for_agent"), (second, "assigned"), (third, "assigned")]
    assert rows[second].team_name == "Support"


def test_a_decision_for_a_resolved_or_unknown_conversation_changes_nothing(inbox):
    receive(inbox, {"type": "chat", "value": "visitor"}, "hello")
    (cid,) = conversation_ids(inbox)
    with inbox.runtime.db.transaction() as db:
        db.execute(conversations.update().values(status="resolved"))
    updates.handle_updates(inbox.runtime, [decision(cid, "a1"), decision("no-such-conversation", "a1")])
    with inbox.runtime.db.reading() as db:
        row = db.execute(select(conversations)).one()
        assert db.execute(select(activity).where(activity.c.actor == "routing")).first() is None
    assert row.assignee_id is None
