"""The inbox service's composition root."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from flask_smorest import Api

from shared.config import Settings
from shared.messaging.batch_worker import BatchWorker
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

    def workers(self) -> list[BatchWorker | snooze.PeriodicTask]:
        """The queue consumers, and the sweep that wakes snoozed conversations."""
        bus = self.runtime.bus
        return [BatchWorker(bus, "inbox.inbound", lambda envelopes: ingest.store_inbound(self.runtime, envelopes)),
                BatchWorker(bus, "inbox.updates", lambda envelopes: updates.handle_updates(self.runtime, envelopes)),
                snooze.PeriodicTask("inbox-snooze-sweep", lambda: snooze.wake_due(self.runtime), SNOOZE_SWEEP_SECONDS)]


def bootstrap(settings: Settings, *, migrate: bool = True) -> InboxService:
    runtime = build_runtime(NAME, settings, tables.metadata, Path(__file__).parent / "migrations",
                            outbox=tables.outbox, processed=tables.processed, migrate=migrate)
    notifier = Notifier()
    runtime.db.on_commit(notifier.notify)  # agents' streams in this process wake at once
    return InboxService(runtime, notifier)
