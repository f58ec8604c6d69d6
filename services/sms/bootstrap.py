"""The SMS service's composition root: the one place its real adapters are wired."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from flask_smorest import Api

from shared.config import Settings
from shared.messaging import Worker
from shared.runtime import ServiceRuntime, build_runtime
from services.sms import api, sending, tables
from services.sms.adapters.twilio_client import TwilioMessagesClient

NAME = "sms"
# A worker holds its broker connection while it sends, so provider waits stay short.
MAX_PROVIDER_WAIT_SECONDS = 10.0


@dataclass
class SmsService:
    runtime: ServiceRuntime
    make_sender: sending.SenderFactory | None
    # How long the inbound webhook waits for the broker to confirm a text before answering 503.
    publish_wait_seconds: float = 5.0

    def register(self, app: Flask, flask_api: Api) -> None:
        app.extensions["switchboard_sms"] = self
        flask_api.register_blueprint(api.blp)

    def workers(self) -> list[Worker]:
        """Agents' SMS replies, sent through the provider."""
        return [Worker(self.runtime.bus, "sms.replies",
                       lambda envelope: sending.deliver_reply(self.runtime, self.make_sender, envelope))]


def twilio_sender(settings: Settings) -> sending.SenderFactory | None:
    """A fresh Messages API client per reply (closed after it), or None when Twilio is not configured."""
    sid, token = settings.twilio_account_sid, settings.twilio_auth_token
    if not (sid and token):
        return None
    return lambda: TwilioMessagesClient(settings.twilio_api_base, sid, token,
                                        max_wait_seconds=MAX_PROVIDER_WAIT_SECONDS)


def bootstrap(settings: Settings, *, migrate: bool = True) -> SmsService:
    runtime = build_runtime(NAME, settings, tables.metadata, Path(__file__).parent / "migrations",
                            outbox=tables.outbox, processed=tables.processed, migrate=migrate)
    return SmsService(runtime, twilio_sender(settings))
