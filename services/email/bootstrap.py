"""The email service's composition root: its tables, the relay, the SMTP server, the webhook and workers."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Sequence

from flask import Flask
from flask_smorest import Api

from shared.config import Settings
from shared.messaging import Worker
from shared.messaging.batch_worker import OFF_PATH_GATHERING_SECONDS, BatchWorker
from shared.runtime import ServiceRuntime, build_runtime
from services.email import api, inbound, outbound, tables, thread_keys
from services.email.inbound_io import GroupedIO, InboundIO
from services.email.relay import SmtpRelay
from services.email.smtp_server import SmtpServer

NAME = "email"


@dataclass
class EmailService:
    runtime: ServiceRuntime
    # Waits between relay attempts grow from this (doubling), as the Worker retries a temporary failure.
    retry_backoff_seconds: float = 2.0

    def register(self, app: Flask, flask_api: Api) -> None:
        app.extensions["switchboard_email"] = self
        flask_api.register_blueprint(api.blp)

    def workers(self) -> list[Worker | BatchWorker]:
        """Agents' email replies out through the relay; stored emails' Message-IDs learnt for threading."""
        rt = self.runtime
        return [Worker(rt.bus, "email.replies", lambda envelope: outbound.deliver_reply(rt, self.relay, envelope),
                       attempts=outbound.SEND_ATTEMPTS, backoff_seconds=self.retry_backoff_seconds),
                BatchWorker(rt.bus, "email.threads", lambda envelopes: thread_keys.learn_from_stored(rt, envelopes),
                            max_wait=OFF_PATH_GATHERING_SECONDS, max_delay=OFF_PATH_GATHERING_SECONDS,
                            worth_handling=thread_keys.about_email)]

    def relay(self) -> SmtpRelay | None:
        url = self.runtime.settings.smtp_relay_url
        return SmtpRelay.from_url(url) if url else None

    def take_in(self, raw: bytes, recipients: Sequence[str], mail_from: str,
                io: InboundIO | None = None) -> inbound.Outcome:
        return inbound.take_in(self.runtime, raw, source="smtp", recipients=recipients, mail_from=mail_from, io=io)

    def start_smtp(self, host: str, port: int) -> SmtpServer:
        """Listen for inbound mail (port 0: any free port, see `.port`); its sessions' lookups and publishes gather."""
        io = GroupedIO(self.runtime)
        return SmtpServer(partial(self.take_in, io=io), self.runtime.settings.email_address, host=host, port=port,
                          on_stop=io.stop).start()


def bootstrap(settings: Settings, *, migrate: bool = True, retry_backoff_seconds: float = 2.0) -> EmailService:
    runtime = build_runtime(NAME, settings, tables.metadata, Path(__file__).parent / "migrations",
                            outbox=tables.outbox, processed=tables.processed, migrate=migrate)
    return EmailService(runtime, retry_backoff_seconds)
