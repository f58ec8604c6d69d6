"""A whole Switchboard in this process (embedded mode) behind the gateway, over real HTTP."""

from dataclasses import replace

import pytest

from shared import embedded
from shared.messaging import MessageBus
from tests.support.http import Client

ADMIN = "test-admin-token"


@pytest.fixture
def start_switchboard(embedded_settings):
    """Start Switchboard with some settings changed; it is stopped after the test."""
    running = []

    def start(**changes):
        MessageBus("memory://").purge_all()
        running.append(embedded.start(replace(embedded_settings, **changes), port=0))
        return running[-1]

    yield start
    for switchboard in running:
        switchboard.stop()


@pytest.fixture
def switchboard(start_switchboard):
    return start_switchboard()


@pytest.fixture
def admin(switchboard) -> Client:
    return Client(switchboard.url, ADMIN)


def new_key(admin: Client, *scopes: str, name: str = "integration") -> str:
    answer = admin.post("/api/v1/api-keys", json={"name": name, "scopes": list(scopes)})
    assert answer.status_code == 201, answer.text
    return answer.json()["key"]
