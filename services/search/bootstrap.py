"""The search service's composition root: the engine chosen by SWITCHBOARD_SEARCH_URL, its consumer."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from flask_smorest import Api

from shared.config import Settings
from shared.messaging import MessageBus, Worker
from services.search import api, indexing
from services.search.engines.base import SearchEngine
from services.search.engines.factory import create_search_engine


@dataclass
class _Runtime:
    """Search keeps no tables of its own: the index is its state, and versions make it idempotent."""

    settings: Settings
    bus: MessageBus

    def close(self) -> None:
        self.bus.close()


@dataclass
class SearchService:
    runtime: _Runtime
    engine: SearchEngine

    def register(self, app: Flask, flask_api: Api) -> None:
        app.extensions["switchboard_search"] = self
        flask_api.register_blueprint(api.blp)

    def workers(self) -> list[Worker]:
        return [Worker(self.runtime.bus, "search.index",
                       lambda envelope: indexing.handle_index_event(self.engine, envelope))]

    def extra_checks(self):
        return [("search", self.engine.check_health)]


def bootstrap(settings: Settings, *, migrate: bool = True) -> SearchService:
    engine = create_search_engine(settings.search_url, embedded_path=settings.search_path)
    return SearchService(_Runtime(settings, MessageBus(settings.broker_url)), engine)
