"""The routing service's composition root."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from flask_smorest import Api

from shared.config import Settings
from shared.messaging.batch_worker import BatchWorker
from shared.runtime import ServiceRuntime, build_runtime
from services.routing import api, assignment, directory, tables
from services.routing.escalation import EscalationClock

NAME = "routing"


@dataclass
class RoutingService:
    runtime: ServiceRuntime

    def register(self, app: Flask, flask_api: Api) -> None:
        app.extensions["switchboard_routing"] = self
        flask_api.register_blueprint(api.blp)

    def workers(self) -> list[BatchWorker | EscalationClock]:
        """The consumer of routing's queue (what waits is decided in one transaction), and the escalation clock."""
        return [BatchWorker(self.runtime.bus, "routing.conversations",
                            lambda envelopes: assignment.handle_routing_events(self.runtime, envelopes)),
                EscalationClock(self.runtime)]


def bootstrap(settings: Settings, *, migrate: bool = True) -> RoutingService:
    runtime = build_runtime(NAME, settings, tables.metadata, Path(__file__).parent / "migrations",
                            outbox=tables.outbox, processed=tables.processed, migrate=migrate)
    directory.ensure_default_team(runtime)
    return RoutingService(runtime)
