"""The search service on its own, over real HTTP, fed by the real RabbitMQ."""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

import pytest

from shared.config import Settings
from shared.messaging import MessageBus
from shared.process import service_app
from shared.web.auth import issue_agent_token
from services.search.bootstrap import bootstrap
from tests.support.http import Client, serving
from tests.unit.search_engines.conftest import closed_port_url  # noqa: F401  (a fixture)


@dataclass
class RunningSearch:
    url: str
    settings: Settings
    bus: MessageBus

    def admin(self) -> Client:
        return Client(self.url, self.settings.admin_token)

    def agent(self, agent_id: str, team_ids: list[str]) -> Client:
        token = issue_agent_token(self.settings, agent_id=agent_id, name=agent_id, role="agent", team_ids=team_ids)
        return Client(self.url, token)


def start_search(settings: Settings):
    """Serve the search service and run its consumer until the generator is closed."""
    app = service_app("search", bootstrap, settings)
    service = app.extensions["switchboard_search"]
    stop = threading.Event()
    threads = [worker.start(stop) for worker in service.workers()]
    bus = MessageBus(settings.broker_url)
    with serving(app) as url:
        yield RunningSearch(url, settings, bus)
    stop.set()
    for thread in threads:
        thread.join(15)
    bus.close()
    service.runtime.close()


@pytest.fixture
def search_settings(embedded_settings, amqp_url) -> Settings:
    return replace(embedded_settings, broker_url=amqp_url)


@pytest.fixture
def running_search(search_settings):
    yield from start_search(search_settings)


@pytest.fixture
def search_without_engine(search_settings, closed_port_url):
    """The search service configured for an Elasticsearch node that is down."""
    yield from start_search(replace(search_settings, search_url=closed_port_url))
