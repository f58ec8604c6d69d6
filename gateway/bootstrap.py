"""The gateway's composition root: its database, the webhook consumer and sender, its request policy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask, send_from_directory
from flask_smorest import Api
from werkzeug.middleware.proxy_fix import ProxyFix

from gateway import api, keys, webhooks
from gateway.delivery import RetryPolicy, WebhookSender
from gateway.idempotency import IdempotencyStore
from gateway.policy import Gatekeeper, limit_body_size
from gateway.ratelimit import RateLimits
from gateway.tables import metadata
from shared.config import Settings
from shared.envelopes import Envelope
from shared.messaging import MessageBus
from shared.messaging.batch_worker import OFF_PATH_GATHERING_SECONDS, BatchWorker
from shared.storage import Database
from shared.storage.migrations import upgrade
from shared.web.auth import API_KEY_LOOKUP_EXTENSION

NAME = "gateway"
WEBHOOK_QUEUE = "gateway.webhooks"
STATIC = Path(__file__).parent / "static"


@dataclass
class GatewayRuntime:
    name: str
    settings: Settings
    db: Database
    bus: MessageBus

    def close(self) -> None:
        self.bus.close()
        self.db.dispose()


@dataclass
class GatewayService:
    runtime: GatewayRuntime
    gatekeeper: Gatekeeper
    idempotency: IdempotencyStore
    sender: WebhookSender

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    def register(self, app: Flask, flask_api: Api) -> None:
        """The gateway's checks on every request, its admin API and the API docs page."""
        app.extensions["switchboard_gateway"] = self
        if self.settings.trusted_proxy_hops:  # so limits and logs see the client, not the load balancer
            app.wsgi_app = ProxyFix(app.wsgi_app, x_for=self.settings.trusted_proxy_hops)
        app.extensions[API_KEY_LOOKUP_EXTENSION] = lambda key: keys.authenticate(self.runtime.db, key)
        app.before_request(limit_body_size)
        app.before_request(self.gatekeeper.check)
        app.before_request(self.idempotency.before_request)
        app.after_request(self.idempotency.after_request)
        flask_api.register_blueprint(api.blp)
        app.add_url_rule("/docs", "api_docs_page", lambda: send_from_directory(STATIC, "docs.html"))

    def workers(self) -> list:
        """The consumer that turns events into webhook deliveries, and the sender that posts them."""
        return [BatchWorker(self.runtime.bus, WEBHOOK_QUEUE, self.enqueue, max_wait=OFF_PATH_GATHERING_SECONDS,
                            max_delay=OFF_PATH_GATHERING_SECONDS,
                            worth_handling=lambda bodies: webhooks.worth_enqueueing(self.runtime.db, bodies)),
                self.sender]

    def enqueue(self, envelopes: list[Envelope]) -> None:
        """Turn a batch of events into deliveries in one transaction; wake the sender once they are committed."""
        if webhooks.enqueue(self.runtime.db, envelopes):
            self.sender.wakeup.set()


def bootstrap(settings: Settings, *, retry: RetryPolicy = RetryPolicy(), poll_seconds: float = 1.0) -> GatewayService:
    limits = RateLimits(settings.rate_limit_per_key, settings.rate_limit_per_ip)  # a bad setting fails first
    db = Database(settings.database_url)
    upgrade(db, NAME, Path(__file__).parent / "migrations", metadata)
    runtime = GatewayRuntime(NAME, settings, db, MessageBus(settings.broker_url))
    sender = WebhookSender(db, allow_private=settings.webhooks_allow_private, policy=retry, poll_seconds=poll_seconds)
    return GatewayService(runtime, Gatekeeper(db, limits), IdempotencyStore(db), sender)
