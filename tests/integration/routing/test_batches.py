"""A batch of events is routed as one-by-one handling would route it: loads kept, each conversation once."""

from __future__ import annotations

from sqlalchemy import func, select

from shared.envelopes import dump_envelope, load_envelope
from services.routing import directory
from services.routing.assignment import handle_routing_events
from services.routing.tables import assignments, decisions, waiting
from tests.integration.routing.events import conversation_resolved, message_received


def wire(envelope):
    return load_envelope(dump_envelope(envelope))


def agent(rt, name: str, capacity: float) -> str:
    return directory.create_agent(rt, {"name": name, "email": f"{name.lower()}@example.com", "password": "x" * 12,
                                       "role": "agent", "teams": [directory.ensure_default_team(rt)], "skills": [],
                                       "capacity": capacity, "presence": "online"})["id"]


def test_a_batch_fills_agents_to_capacity_routes_each_conversation_once_and_queues_the_rest(routing):
    rt = routing.runtime
    ana, bo = agent(rt, "Ana", capacity=1), agent(rt, "Bo", capacity=2)
    first = message_received("c1")
    handle_routing_events(rt, [wire(first), wire(message_received("c1")), wire(message_received("c2")),
                               wire(message_received("c3")), wire(message_received("c4")), wire(first),
                               wire(message_received("c2"))])
    with rt.db.reading() as db:
        held = dict(db.execute(select(assignments.c.conversation_id, assignments.c.agent_id)).all())
        queued = set(db.execute(select(waiting.c.conversation_id)).scalars())
        decided = db.execute(select(func.count()).select_from(decisions)).scalar_one()
    assert sorted(held.values()) == sorted([ana, bo, bo])  # nobody past their capacity
    assert queued == {"c1", "c2", "c3", "c4"} - set(held)
    assert decided == 4  # one decision per conversation, however many messages it had

    # A resolution in the middle of a batch frees room that the rest of the batch uses at once.
    (freed,) = [cid for cid, owner in held.items() if owner == ana]
    (still_waiting,) = queued
    handle_routing_events(rt, [wire(conversation_resolved(freed, assignee_id=ana)), wire(message_received("c5"))])
    with rt.db.reading() as db:
        held = dict(db.execute(select(assignments.c.conversation_id, assignments.c.agent_id)).all())
        queued = set(db.execute(select(waiting.c.conversation_id)).scalars())
    assert held[still_waiting] == ana and freed not in held
    assert queued == {"c5"}


def test_a_conversation_queued_earlier_in_the_batch_is_adopted_by_the_agent_who_took_it(routing):
    rt = routing.runtime
    ana = agent(rt, "Ana", capacity=0)  # nobody has room: the first message queues the conversation
    taken = wire(message_received("c9"))
    taken.payload["conversation"]["assignee_id"] = ana  # Ana took it by hand before her next message
    handle_routing_events(rt, [wire(message_received("c9")), taken])
    with rt.db.reading() as db:
        held = dict(db.execute(select(assignments.c.conversation_id, assignments.c.agent_id)).all())
        queued = set(db.execute(select(waiting.c.conversation_id)).scalars())
    assert held == {"c9": ana} and queued == set()
