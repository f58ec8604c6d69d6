"""The search service's composition root: the engine chosen by SWITCHBOARD_SEARCH_URL, its consumer."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from flask_smorest import Api

from shared.config import Settings
from shared.messaging import MessageBus
from shared.messaging.batch_worker import BatchWorker
from services.search import api, indexing
from services.search.engines.base import SearchEngine
from services.search.engines.factory import create_search_engine

# Indexing gathers events up to this long before a bulk write: few, larger commits (each one costs
# the index a flush and, in time, a merge), and a new message is still searchable well within 1 s.
INDEXING_DELAY = 0.25


@dataclass
class _Runtime:
    """Search keeps no tables of its own: the index is its state, and versions make it idempotent."""

    settings: Settings
    bus: MessageBus
    engine: SearchEngine

    def close(self) -> None:
        self.bus.close()
        self.engine.close()


@dataclass
class SearchService:
    runtime: _Runtime

    @property
    def engine(self) -> SearchEngine:
        return self.runtime.engine

    def register(self, app: Flask, flask_api: Api) -> None:
        app.extensions["switchboard_search"] = self
        flask_api.register_blueprint(api.blp)

    def workers(self) -> list[BatchWorker]:
        """One consumer indexing `search.index` in bulk; while the engine is down, events wait in the queue."""
        return [BatchWorker(self.runtime.bus, "search.index",
                            lambda envelopes: indexing.index_events(self.engine, envelopes),
                            max_wait=INDEXING_DELAY, max_delay=INDEXING_DELAY)]

    def extra_checks(self):
        return [("search", self.engine.check_health)]


def bootstrap(settings: Settings, *, migrate: bool = True) -> SearchService:
    engine = create_search_engine(
        settings.search_url, embedded_path=settings.search_index_path, sqlite_path=settings.search_path)
    return SearchService(_Runtime(settings, MessageBus(settings.broker_url), engine))
