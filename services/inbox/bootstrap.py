"""The inbox service's composition root."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from flask_smorest import Api

from shared.config import Settings
from shared.messaging import Worker
from shared.runtime import ServiceRuntime, build_runtime
from shared.web.sse import Notifier
from services.inbox import api, contacts_api, export, ingest, snooze, tables, updates

NAME = "inbox"
# How often snoozed conversations are checked for their wake-up time.
SNOOZE_SWEEP_SECONDS = 1.0


@dataclass
class InboxService:
    runtime: ServiceRuntime
    notifier: Notifier

    def register(self, app: Flask, flask_api: Api) -> None:
        app.extensions["switchboard_inbox"] = self
        flask_api.register_blueprint(api.blp)
        flask_api.register_blueprint(contacts_api.blp)
        flask_api.register_blueprint(export.blp)  # GET /api/v1/internal/export/messages (search reindex)

    def workers(self) -> list[Worker | snooze.PeriodicTask]:
        """The queue consumers, and the sweep that wakes snoozed conversations."""
        bus = self.runtime.bus
        return [Worker(bus, "inbox.inbound", lambda envelope: ingest.handle_inbound(self.runtime, envelope)),
                Worker(bus, "inbox.updates", lambda envelope: updates.handle_update(self.runtime, envelope)),
                snooze.PeriodicTask("inbox-snooze-sweep", lambda: snooze.wake_due(self.runtime), SNOOZE_SWEEP_SECONDS)]


def bootstrap(settings: Settings, *, migrate: bool = True) -> InboxService:
    runtime = build_runtime(NAME, settings, tables.metadata, Path(__file__).parent / "migrations",
                            outbox=tables.outbox, processed=tables.processed, migrate=migrate)
    notifier = Notifier()
    runtime.db.on_commit(notifier.notify)  # agents' streams in this process wake at once
    return InboxService(runtime, notifier)
