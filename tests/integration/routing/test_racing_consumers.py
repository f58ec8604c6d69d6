"""Two routing consumers racing on real RabbitMQ and PostgreSQL never overfill an agent or assign twice."""

from __future__ import annotations

import random
import threading
from collections import Counter

from sqlalchemy import func, select

from shared.messaging import MessageBus, Worker
from services.routing import assignment, directory
from services.routing.tables import assignments, decisions, outbox, processed, waiting
from tests.integration.routing.events import conversation_resolved, message_received
from tests.support.http import wait_until

CAPACITIES = {"Ana": 2.0, "Bo": 3.0, "Cy": 1.0, "Di": 2.5, "Ed": 1.5}
CHANNELS = ("chat", "email", "sms")


class CountingConsumer:
    """One routing consumer in a thread, counting the messages it handled."""

    def __init__(self, service):
        self.handled = 0
        rt = service.runtime

        def handle(envelope):
            assignment.handle_routing_event(rt, envelope)
            self.handled += 1

        self.worker = Worker(rt.bus, "routing.conversations", handle, sleep=lambda _: None)
        self.stop = threading.Event()
        self.thread = self.worker.start(self.stop)

    def close(self):
        self.stop.set()
        self.thread.join(timeout=10)


def test_two_consumers_never_overfill_an_agent_nor_assign_a_conversation_twice(two_routers):
    first, second = two_routers
    rt = first.runtime
    agent_ids = {}
    for name, capacity in CAPACITIES.items():
        made = directory.create_agent(rt, {"name": name, "email": f"{name.lower()}@example.com", "password": "x" * 12,
                                           "role": "agent", "teams": [directory.ensure_default_team(rt)],
                                           "skills": [], "capacity": capacity, "presence": "online"})
        agent_ids[made["id"]] = capacity
    shuffle = random.Random(6)
    cids = [f"conv-{n:03d}" for n in range(120)]
    channel = {cid: CHANNELS[n % 3] for n, cid in enumerate(cids)}
    # Each conversation is announced twice (two customer messages), and some events are redelivered.
    events = [message_received(cid, channel=channel[cid]) for cid in cids for _ in range(2)]
    events += shuffle.sample(events, 30)
    shuffle.shuffle(events)
    bus = MessageBus(rt.settings.broker_url)
    consumers = [CountingConsumer(first), CountingConsumer(second)]
    try:
        bus.publish(events)
        distinct = len({e.id for e in events})
        assert wait_until(lambda: _count(rt, processed) == distinct, timeout=60)
        assert _count(rt, assignments) + _count(rt, waiting) == len(cids)
        _assert_safe(rt, agent_ids)

        # Agents resolve what they hold while more events arrive: the freed room is handed out by both.
        held = _held(rt)
        resolutions = [conversation_resolved(cid, channel=channel[cid], assignee_id=agent) for cid, agent in held]
        bus.publish(resolutions)
        assert wait_until(lambda: _count(rt, processed) == distinct + len(resolutions), timeout=60)
        _assert_safe(rt, agent_ids)
        assert _count(rt, assignments) > 0 and not {cid for cid, _ in held} & {cid for cid, _ in _held(rt)}
    finally:
        for consumer in consumers:
            consumer.close()
        bus.close()
    assert all(consumer.handled > 0 for consumer in consumers), "both consumers must have taken part"
    assert wait_until(lambda: _count(rt, outbox) == 0, timeout=30)
    _assert_each_conversation_announced_to_one_agent_at_most(rt)


def _count(rt, table) -> int:
    with rt.db.reading() as db:
        return db.execute(select(func.count()).select_from(table)).scalar()


def _held(rt) -> list[tuple[str, str]]:
    with rt.db.reading() as db:
        return [tuple(r) for r in db.execute(select(assignments.c.conversation_id, assignments.c.agent_id)).all()]


def _assert_safe(rt, capacities: dict[str, float]) -> None:
    with rt.db.reading() as db:
        loads = dict(db.execute(select(assignments.c.agent_id, func.sum(assignments.c.weight))
                                .group_by(assignments.c.agent_id)).all())
        both = db.execute(select(func.count()).select_from(assignments.join(
            waiting, waiting.c.conversation_id == assignments.c.conversation_id))).scalar()
    assert all(loads.get(agent, 0) <= capacity for agent, capacity in capacities.items()), loads
    assert both == 0, "a conversation is both held and waiting"


def _assert_each_conversation_announced_to_one_agent_at_most(rt) -> None:
    """Every decision giving an agent a conversation was published once; none went to two agents."""
    with rt.db.reading() as db:
        given = Counter(db.execute(select(decisions.c.conversation_id).where(decisions.c.agent_id.is_not(None)))
                        .scalars())
    assert given and max(given.values()) == 1
    announced = Counter()

    def take(_headers, body):
        if body["type"] == "conversation.assigned" and body["payload"]["agent_id"]:
            announced[body["payload"]["conversation_id"]] += 1
        return True

    bus = MessageBus(rt.settings.broker_url)
    bus.take_all("inbox.updates", take)
    bus.close()
    assert announced == given
