"""Fixtures of the foundation's unit tests: the embedded in-memory broker."""

import pytest

from shared.messaging import MessageBus


@pytest.fixture
def bus():
    """The in-memory broker, declared and empty, closed after the test."""
    bus = MessageBus("memory://")
    bus.declare()
    bus.purge_all()
    yield bus
    bus.purge_all()
    bus.close()
