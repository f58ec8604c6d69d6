"""Starting Switchboard for a test: embedded in this process, or distributed on this test's own vhost and database."""

from __future__ import annotations

import dataclasses

import pytest

from shared import embedded
from shared.messaging import MessageBus
from tests.support.processes import DISTRIBUTED_ADMIN, DISTRIBUTED_SECRET, DistributedSwitchboard


@pytest.fixture
def start_embedded(embedded_settings):
    """`start_embedded(demo=..., **settings)` starts every service in this process; stopped when the test ends."""
    started: list[embedded.EmbeddedSwitchboard] = []

    def start(*, demo: bool = True, **settings) -> embedded.EmbeddedSwitchboard:
        MessageBus("memory://").purge_all()
        running = embedded.start(dataclasses.replace(embedded_settings, **settings), demo=demo)
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()


@pytest.fixture
def distributed_environment(amqp_url, postgres_url, tmp_path) -> dict:
    """The settings every process shares."""
    return {"SWITCHBOARD_BROKER_URL": amqp_url, "SWITCHBOARD_DATABASE_URL": postgres_url,
            "SWITCHBOARD_DATA_DIR": str(tmp_path), "SWITCHBOARD_ADMIN_TOKEN": DISTRIBUTED_ADMIN,
            "SWITCHBOARD_SECRET_KEY": DISTRIBUTED_SECRET, "SWITCHBOARD_LOG_LEVEL": "INFO"}


@pytest.fixture
def start_distributed(distributed_environment, tmp_path):
    """`start_distributed(**settings)` starts every process; all are stopped when the test ends."""
    started: list[DistributedSwitchboard] = []

    def start(**settings: str) -> DistributedSwitchboard:
        running = DistributedSwitchboard({**distributed_environment, **settings}, tmp_path)
        started.append(running)
        try:
            return running.start()
        except Exception:
            print(running.logs())
            raise

    yield start
    for running in started:
        running.stop()
