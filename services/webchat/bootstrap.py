"""The web chat service's composition root: the one place its real adapters are wired."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from flask_cors import CORS
from flask_smorest import Api

from shared.config import Settings
from shared.messaging import Worker
from shared.runtime import ServiceRuntime, build_runtime
from shared.web.sse import Notifier
from services.webchat import api, handlers, tables
from services.webchat.session_cache import SessionCache

NAME = "webchat"


@dataclass
class WebchatService:
    runtime: ServiceRuntime
    notifier: Notifier
    sessions: SessionCache = field(default_factory=SessionCache)

    def register(self, app: Flask, flask_api: Api) -> None:
        app.extensions["switchboard_webchat"] = self
        flask_api.register_blueprint(api.blp)
        # The widget runs on customers' own sites, so the chat API answers cross-origin calls (no cookies).
        CORS(app, resources={r"/chat/v1/*": {"origins": "*", "allow_headers": ["Authorization", "Content-Type"],
                                             "expose_headers": ["Retry-After", "X-Request-ID"],
                                             "send_wildcard": True}})

    def workers(self) -> list[Worker]:
        """Agents' chat replies, delivered into the visitors' transcripts."""
        return [Worker(self.runtime.bus, "webchat.replies",
                       lambda envelope: handlers.deliver_reply(self.runtime, self.notifier, envelope))]


def bootstrap(settings: Settings, *, migrate: bool = True) -> WebchatService:
    runtime = build_runtime(NAME, settings, tables.metadata, Path(__file__).parent / "migrations",
                            outbox=tables.outbox, processed=tables.processed, migrate=migrate)
    return WebchatService(runtime, Notifier())
