"""Outbound webhooks against a real local receiver: signed JSON, retries with backoff, a delivery log."""

import hashlib
import hmac
import threading
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, insert, select

from gateway import webhooks
from gateway.bootstrap import bootstrap
from gateway.delivery import RetryPolicy
from gateway.tables import processed, webhook_subscriptions
from shared.config import Settings
from shared.envelopes import make_envelope
from shared.messaging import MessageBus
from tests.integration.gateway.conftest import ADMIN
from tests.integration.gateway.receiver import JsonReceiver
from tests.support.http import Client, wait_until


def verify(post, secret: str) -> bool:
    """What a receiver does: recompute the HMAC over timestamp and raw body."""
    timestamp = post.headers["X-Switchboard-Timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + post.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(post.headers["X-Switchboard-Signature"], "sha256=" + expected)


def stored_message_event(text: str = "Where is my parcel?"):
    now = datetime.now(timezone.utc)
    return make_envelope("message.stored", {
        "message": {"id": "m-1", "channel": "chat", "direction": "inbound", "text": text, "created_at": now},
        "conversation": {"id": "c-1", "status": "open", "version": 1}, "contact": {"id": "k-1", "name": "Ana"}},
        source="tests")


def test_subscribers_get_signed_events_as_conversations_change(start_switchboard):
    switchboard = start_switchboard(webhooks_allow_private=True)
    admin = Client(switchboard.url, ADMIN)
    with JsonReceiver() as receiver:
        created = admin.post("/api/v1/webhooks", json={"url": receiver.url("/switchboard"),
                                                       "events": ["message.created", "conversation.resolved"]})
        assert created.status_code == 201, created.text
        secret = created.json()["secret"]
        assert "secret" not in admin.get(f"/api/v1/webhooks/{created.json()['id']}").json()

        session = Client(switchboard.url).post("/chat/v1/sessions", json={"name": "Ana"}).json()
        Client(switchboard.url, session["token"]).post(f"/chat/v1/sessions/{session['session_id']}/messages",
                                                       json={"text": "Where is my parcel?"})
        assert wait_until(lambda: len(receiver.posts) == 1, timeout=20)
        message = receiver.posts[0]
        assert message.path == "/switchboard" and verify(message, secret)
        assert message.headers["X-Switchboard-Event"] == "message.created"
        assert message.json["type"] == "message.created"
        assert message.json["data"]["message"]["text"] == "Where is my parcel?"
        assert not verify(message, "whsec_someone-else")

        conversation_id = message.json["data"]["conversation"]["id"]
        assert admin.request("PATCH", f"/api/v1/conversations/{conversation_id}",
                             json={"status": "resolved"}).status_code == 200
        assert wait_until(lambda: len(receiver.posts) == 2, timeout=20)
        resolved = receiver.posts[1]
        assert resolved.json["type"] == "conversation.resolved" and verify(resolved, secret)
        assert resolved.json["data"]["conversation"]["status"] == "resolved"

        log = admin.get(f"/api/v1/webhooks/{created.json()['id']}/deliveries").json()["items"]
        assert {(d["event"], d["status"], d["attempts"]) for d in log} == {
            ("message.created", "delivered", 1), ("conversation.resolved", "delivered", 1)}
        assert [a["status_code"] for a in log[0]["history"]] == [204]


def test_webhooks_to_private_addresses_are_refused_unless_an_admin_allows_them(start_switchboard):
    switchboard = start_switchboard()
    admin = Client(switchboard.url, ADMIN)
    for url in ("http://127.0.0.1:9/hook", "http://localhost/hook", "http://192.168.1.10/hook"):
        refused = admin.post("/api/v1/webhooks", json={"url": url, "events": ["*"]})
        assert refused.status_code == 422 and "url" in refused.json()["error"]["details"], url
    for bad in ({"url": "ftp://example.com/x", "events": ["*"]}, {"url": "https://example.com", "events": ["nope"]},
                {"url": "https://example.com", "events": []}):
        assert admin.post("/api/v1/webhooks", json=bad).status_code == 422, bad
    assert Client(switchboard.url).post("/api/v1/webhooks", json={"url": "https://example.com",
                                                                  "events": ["*"]}).status_code == 401
    assert admin.get("/api/v1/webhooks").json()["items"] == []


@pytest.fixture
def gateway_on_rabbitmq(amqp_url, postgres_url, tmp_path):
    """The gateway's webhook consumer and sender on real RabbitMQ and PostgreSQL, retrying quickly."""
    settings = Settings(broker_url=amqp_url, database_url=postgres_url, data_dir=str(tmp_path),
                        secret_key="webhook-test-secret-key-long-enough-hs256", webhooks_allow_private=True)
    MessageBus(amqp_url).declare()
    started = []

    def start(**changes):
        gateway = bootstrap(replace(settings, **changes), retry=RetryPolicy(attempts=3, base_seconds=0.05),
                            poll_seconds=0.05)
        stop = threading.Event()
        threads = [worker.start(stop) for worker in gateway.workers()]
        started.append((gateway, stop, threads))
        return gateway

    yield start
    for gateway, stop, threads in started:
        stop.set()
        for thread in threads:
            thread.join(timeout=5)
        gateway.runtime.close()


def test_failed_deliveries_are_retried_with_backoff_and_logged(gateway_on_rabbitmq):
    gateway = gateway_on_rabbitmq()
    db = gateway.runtime.db
    with JsonReceiver(answers=[500, 503]) as receiver:
        subscription = webhooks.subscribe(db, url=receiver.url(), events=["*"], description="", allow_private=True)
        event = stored_message_event()
        gateway.runtime.bus.publish([event, event])  # a redelivered event must not be sent twice

        log = lambda: webhooks.delivery_log(db, subscription["id"], 10)  # noqa: E731
        assert wait_until(lambda: log() and log()[0]["status"] == "delivered", timeout=20), log()
        assert len(receiver.posts) == 3 and len(log()) == 1
        assert len({p.headers["X-Switchboard-Delivery"] for p in receiver.posts}) == 1
        assert len({p.body for p in receiver.posts}) == 1, "every retry carries the same event"
        assert all(verify(p, subscription["secret"]) for p in receiver.posts)
        assert [a["status_code"] for a in log()[0]["history"]] == [500, 503, 204]
        assert log()[0]["attempts"] == 3 and log()[0]["last_error"] is None


def test_a_delivery_that_keeps_failing_is_given_up_with_the_reason(gateway_on_rabbitmq):
    gateway = gateway_on_rabbitmq()
    db = gateway.runtime.db
    with JsonReceiver(answers=[500] * 10) as receiver:
        subscription = webhooks.subscribe(db, url=receiver.url(), events=["message.created"], description="",
                                          allow_private=True)
        gateway.runtime.bus.publish([stored_message_event()])
        log = lambda: webhooks.delivery_log(db, subscription["id"], 10)  # noqa: E731
        assert wait_until(lambda: log() and log()[0]["status"] == "failed", timeout=20), log()
        assert log()[0]["attempts"] == 3 and len(receiver.posts) == 3
        assert "500" in log()[0]["last_error"]


def test_the_sender_refuses_private_targets_even_if_one_got_into_the_table(gateway_on_rabbitmq):
    gateway = gateway_on_rabbitmq(webhooks_allow_private=False)
    db = gateway.runtime.db
    with JsonReceiver() as receiver:
        with db.transaction() as session:  # as if DNS had changed since the subscription was checked
            session.execute(insert(webhook_subscriptions).values(
                id="s-private", url=receiver.url(), events=["*"], description="", secret="whsec_x", active=True,
                created_at=datetime.now(timezone.utc)))
        gateway.runtime.bus.publish([stored_message_event()])
        log = lambda: webhooks.delivery_log(db, "s-private", 10)  # noqa: E731
        assert wait_until(lambda: log() and log()[0]["status"] == "failed", timeout=20), log()
        assert receiver.posts == []
        assert "InvalidIPAddress" in log()[0]["last_error"]


@pytest.fixture
def db(postgres_url):
    """The gateway's database, for calling webhooks.enqueue as its consumer does (no workers running)."""
    gateway = bootstrap(Settings(database_url=postgres_url, broker_url="memory://",
                                 secret_key="webhook-test-secret-key-long-enough-hs256", webhooks_allow_private=True))
    yield gateway.runtime.db
    gateway.runtime.close()


def test_a_batch_of_events_becomes_one_delivery_per_event_and_interested_subscription(db):
    every = webhooks.subscribe(db, url="http://127.0.0.1:9/all", events=["*"], description="",
                               allow_private=True)
    messages = webhooks.subscribe(db, url="http://127.0.0.1:9/messages", events=["message.created"],
                                  description="", allow_private=True)
    webhooks.subscribe(db, url="http://127.0.0.1:9/resolved", events=["conversation.resolved"],
                       description="", allow_private=True)
    first, second = stored_message_event("first"), stored_message_event("second")

    # A redelivered event may arrive in the same batch as its first copy, or in a later one.
    assert webhooks.enqueue(db, [first, second, first]) == 4
    assert webhooks.enqueue(db, [second]) == 0

    assert len(webhooks.delivery_log(db, every["id"], 10)) == 2
    assert len(webhooks.delivery_log(db, messages["id"], 10)) == 2


def test_events_nobody_subscribed_to_leave_nothing_behind(db):
    webhooks.subscribe(db, url="http://127.0.0.1:9/resolved", events=["conversation.resolved"],
                       description="", allow_private=True)
    assert webhooks.enqueue(db, [stored_message_event("first"), stored_message_event("second")]) == 0
    assert claimed(db) == 0

    webhooks.subscribe(db, url="http://127.0.0.1:9/messages", events=["message.created"], description="",
                       allow_private=True)
    assert webhooks.enqueue(db, [stored_message_event("third")]) == 1
    assert claimed(db) == 1


def claimed(db) -> int:
    with db.reading() as session:
        return session.execute(select(func.count()).select_from(processed)).scalar()


def test_only_events_some_subscription_may_want_are_read_further(db):
    bodies = [{"type": "message.stored"}, {"type": "conversation.updated"}, {"type": "agent.updated"}, "not an object"]
    assert webhooks.worth_enqueueing(db, bodies) == [False, False, False, True]
    webhooks.subscribe(db, url="http://127.0.0.1:9/resolved", events=["conversation.resolved"],
                       description="", allow_private=True)
    assert webhooks.worth_enqueueing(db, bodies) == [False, True, False, True]
    webhooks.subscribe(db, url="http://127.0.0.1:9/all", events=["*"], description="", allow_private=True)
    assert webhooks.worth_enqueueing(db, bodies) == [True, True, False, True]


def test_every_webhook_event_of_a_bus_event_is_among_those_the_selection_expects():
    resolved = make_envelope("conversation.updated", {
        "conversation": {"id": "c-1", "status": "resolved", "assignee_id": "a-1", "version": 2},
        "contact": {"id": "k-1"}, "changes": ["assignee", "status"]}, source="tests")
    for envelope in (stored_message_event(), resolved):
        events = {event for event, _ in webhooks.external_events(envelope)}
        assert events and events <= webhooks.POSSIBLE_EVENTS[envelope.type]
    assert len(webhooks.external_events(resolved)) == 3
