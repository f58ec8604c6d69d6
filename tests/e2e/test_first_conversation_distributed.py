"""The same first conversation with every service in its own process, on RabbitMQ and PostgreSQL.

The processes are started with the commands the containers run (deploy/processes.md), and
the test talks only to the gateway, as users do.
"""

from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine, func, select

from services.inbox.tables import messages
from shared.envelopes import make_envelope
from shared.messaging import MessageBus
from tests.support.http import Client, SseListener, wait_until
from tests.support.processes import DISTRIBUTED_ADMIN

ADMIN = DISTRIBUTED_ADMIN


@pytest.fixture
def switchboard(start_distributed):
    return start_distributed()


def online_agent(base_url: str) -> Client:
    admin = Client(base_url, ADMIN)
    team = next(t for t in admin.get("/api/v1/teams").json()["items"] if t["is_default"])
    created = admin.post("/api/v1/agents", json={"name": "Sam", "email": "sam@example.com", "password": "s3cret-pass",
                                                 "teams": [team["id"]], "capacity": 5})
    assert created.status_code == 201, created.text
    agent = Client(base_url).login("sam@example.com", "s3cret-pass")
    assert agent.request("PUT", "/api/v1/agents/me/presence", json={"status": "online"}).status_code == 200
    return agent


def test_a_chat_travels_through_separate_processes_and_back(switchboard):
    agent = online_agent(switchboard.url)
    start = Client(switchboard.url).post("/chat/v1/sessions", json={"name": "Ana"}).json()
    customer = Client(switchboard.url, start["token"])
    live = SseListener(f"{switchboard.url}/chat/v1/sessions/{start['session_id']}/events?token={start['token']}")
    assert customer.post(f"/chat/v1/sessions/{start['session_id']}/messages",
                         json={"text": "Can I change my delivery address?"}).status_code == 201

    mine = lambda: agent.get("/api/v1/conversations?assignee=me").json()["items"]  # noqa: E731
    assert wait_until(lambda: len(mine()) == 1, timeout=20), switchboard.logs()
    conversation_id = mine()[0]["id"]
    assert agent.post(f"/api/v1/conversations/{conversation_id}/messages",
                      json={"text": "Yes, until it ships."}).status_code == 201

    assert wait_until(lambda: any(e["data"]["text"] == "Yes, until it ships." for e in live.events), timeout=20)
    live.close()
    found = lambda: agent.get("/api/v1/search", params={"q": "delivery address"}).json()  # noqa: E731
    assert wait_until(lambda: found()["total"] == 1, timeout=20)


def test_every_chat_message_is_stored_exactly_once_when_the_inbox_consumer_is_killed(switchboard,
                                                                                    distributed_environment):
    bus = MessageBus(distributed_environment["SWITCHBOARD_BROKER_URL"])
    engine = create_engine(distributed_environment["SWITCHBOARD_DATABASE_URL"])

    def stored() -> int:
        with engine.connect() as db:
            return db.execute(select(func.count()).select_from(messages)).scalar()

    inbox_consumer = switchboard.consumers["inbox"]
    inbox_consumer.stop()
    total = 600
    bus.publish(make_envelope("inbound.chat", {
        "channel": "chat", "channel_message_id": f"m-{i}", "sender": {"type": "chat", "value": f"visitor-{i % 40}"},
        "text": f"message {i}", "received_at": datetime.now(timezone.utc)}, source="tests") for i in range(total))

    inbox_consumer.start()
    assert wait_until(lambda: stored() > 0, timeout=30), switchboard.logs()
    inbox_consumer.kill()  # SIGKILL while it holds unacknowledged deliveries
    at_kill = stored()
    inbox_consumer.start()
    assert wait_until(lambda: stored() == total, timeout=60), switchboard.logs()

    with engine.connect() as db:
        ids = db.execute(select(messages.c.channel_message_id)).scalars().all()
    assert sorted(ids) == sorted(f"m-{i}" for i in range(total))
    assert 0 < at_kill < total, "the consumer was not killed mid-way; the test proved nothing"
    bus.close()
    engine.dispose()
