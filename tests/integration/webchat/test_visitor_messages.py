"""A visitor's messages on real PostgreSQL and RabbitMQ, over real HTTP: each stored and published once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from shared.config import Settings
from shared.messaging import MessageBus
from shared.process import service_app
from services.webchat.bootstrap import bootstrap
from services.webchat.tables import chat_messages
from tests.support.http import Client, serving, wait_until


@pytest.fixture
def chat(postgres_url, amqp_url, tmp_path):
    """The web chat service alone, served on a free port; its runtime for looking inside."""
    MessageBus(amqp_url).declare()
    settings = Settings(database_url=postgres_url, broker_url=amqp_url, data_dir=str(tmp_path),
                        secret_key="test-secret-key-that-is-long-enough-for-hs256")
    app = service_app("webchat", bootstrap, settings)
    service = app.extensions["switchboard_webchat"]
    with serving(app) as url:
        yield url, service.runtime
    service.runtime.close()


def visitor(url: str) -> tuple[Client, str]:
    started = Client(url).post("/chat/v1/sessions", json={"name": "Ana"})
    assert started.status_code == 201, started.text
    return Client(url, started.json()["token"]), f"/chat/v1/sessions/{started.json()['session_id']}/messages"


def published_texts(runtime, texts: list[str]) -> list[str]:
    """`texts` with the texts of the events waiting for the inbox added."""
    runtime.bus.take_all("inbox.inbound", lambda _headers, body: texts.append(body["payload"]["text"]) or True)
    return texts


def stored(runtime) -> int:
    with runtime.db.reading() as db:
        return db.execute(select(func.count()).select_from(chat_messages)).scalar()


def test_a_resend_returns_the_first_copy_and_publishes_nothing_new(chat):
    url, runtime = chat
    customer, path = visitor(url)
    first = customer.post(path, json={"text": "Where is my parcel?", "client_message_id": "c-1"})
    again = customer.post(path, json={"text": "Where is my parcel?", "client_message_id": "c-1"})
    assert (first.status_code, again.status_code) == (201, 200), again.text
    assert again.json() == first.json()
    assert stored(runtime) == 1
    published: list[str] = []
    assert wait_until(lambda: published_texts(runtime, published) == ["Where is my parcel?"])


def test_the_same_message_sent_at_once_many_times_is_stored_once(chat):
    url, runtime = chat
    customer, path = visitor(url)
    send = lambda _: customer.post(path, json={"text": "Hello?", "client_message_id": "same"})  # noqa: E731
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(send, range(6)))
    assert sorted(a.status_code for a in answers) == [200] * 5 + [201]
    assert len({a.json()["id"] for a in answers}) == 1
    assert stored(runtime) == 1


def test_messages_without_a_client_id_are_each_kept(chat):
    url, runtime = chat
    customer, path = visitor(url)
    answers = [customer.post(path, json={"text": text}) for text in ("Hello", "Hello")]
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json()["id"] != answers[1].json()["id"]
    assert stored(runtime) == 2
