"""The routing service on real PostgreSQL and RabbitMQ."""

from __future__ import annotations

import threading

import pytest

from shared.config import Settings
from shared.messaging import MessageBus
from services.routing.bootstrap import bootstrap


@pytest.fixture
def pg_settings(amqp_url, postgres_url) -> Settings:
    MessageBus(amqp_url).declare()
    return Settings(broker_url=amqp_url, database_url=postgres_url, secret_key="test-secret-key-" + "x" * 32)


def close(*services) -> None:
    """Stop the services and wait for their outbox relays, so no connection outlives the test database."""
    for service in services:
        service.runtime.relay.stop()
    for thread in threading.enumerate():
        if thread.name == "outbox-routing_outbox":
            thread.join(5)
    for service in services:
        service.runtime.close()


@pytest.fixture
def two_routers(pg_settings):
    """Two routing services sharing one database and broker, as two consumer processes would."""
    services = [bootstrap(pg_settings), bootstrap(pg_settings)]
    yield services
    close(*services)


@pytest.fixture
def routing(pg_settings):
    """One routing service on PostgreSQL and RabbitMQ."""
    service = bootstrap(pg_settings)
    yield service
    close(service)
