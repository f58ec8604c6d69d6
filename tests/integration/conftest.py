"""Fixtures shared by the integration tests that talk to the real RabbitMQ."""

from __future__ import annotations

import pytest

from shared.messaging import MessageBus


@pytest.fixture
def bus(amqp_url):
    """A bus on the test's own vhost, with every queue declared; closed afterwards."""
    bus = MessageBus(amqp_url)
    bus.declare()
    yield bus
    bus.close()
