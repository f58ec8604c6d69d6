"""The SMS service alone on real PostgreSQL and RabbitMQ, served over real HTTP."""

from __future__ import annotations

import dataclasses
import secrets
import threading
from contextlib import contextmanager
from typing import Iterator

import pytest
import requests
from twilio.request_validator import RequestValidator

from shared.config import Settings
from shared.messaging import MessageBus
from shared.web.app import create_base_app
from services.sms.bootstrap import SmsService, bootstrap
from tests.support.http import serving
from tests.support.twilio_provider import FakeTwilioProvider

PUBLIC_URL = "https://switchboard.example.com"  # what Twilio signs; we sit behind a proxy
INBOX_NUMBER = "+14155550100"
CUSTOMER = "+14155550123"


@dataclasses.dataclass
class RunningSms:
    service: SmsService
    url: str
    auth_token: str

    def post_text(self, form: dict) -> requests.Response:
        """Post a form to the inbound webhook, signed for the public URL as Twilio would."""
        return self.post_signed("/webhooks/sms/twilio", form)

    def post_signed(self, path: str, form: dict) -> requests.Response:
        signature = RequestValidator(self.auth_token).compute_signature(PUBLIC_URL + path, form)
        return requests.post(self.url + path, data=form, headers={"X-Twilio-Signature": signature}, timeout=30)


def text_form(body: str = "Where is my parcel?", sid: str | None = None) -> dict:
    return {"MessageSid": sid or "SM" + secrets.token_hex(16), "From": CUSTOMER, "To": INBOX_NUMBER,
            "Body": body, "NumMedia": "0"}


def drain(bus: MessageBus, queue: str) -> list[dict]:
    """Take every envelope waiting in a queue."""
    bodies: list[dict] = []
    bus.take_all(queue, lambda _headers, body: bodies.append(body) or True)
    return bodies


@pytest.fixture
def provider():
    with FakeTwilioProvider() as provider:
        yield provider


@pytest.fixture
def settings(postgres_url, amqp_url, provider, tmp_path) -> Settings:
    MessageBus(amqp_url).declare()
    return Settings(database_url=postgres_url, broker_url=amqp_url, data_dir=str(tmp_path), public_url=PUBLIC_URL,
                    secret_key="test-secret-key-that-is-long-enough-for-hs256",
                    twilio_account_sid=provider.account_sid, twilio_auth_token=provider.auth_token,
                    twilio_api_base=provider.api_base, sms_number=INBOX_NUMBER)


@contextmanager
def running_sms(settings: Settings, **options) -> Iterator[RunningSms]:
    """The SMS service's HTTP app on a free local port (no gateway in front)."""
    service = bootstrap(settings)
    for name, value in options.items():
        setattr(service, name, value)
    app, api = create_base_app("switchboard.sms", settings)
    service.register(app, api)
    try:
        with serving(app) as url:
            yield RunningSms(service, url, settings.twilio_auth_token or "")
    finally:
        _stop_relay(service)
        service.runtime.close()


def _stop_relay(service: SmsService) -> None:
    """Let the outbox relay finish its round first, so no database connection outlives the test."""
    service.runtime.relay.stop()
    name = f"outbox-{service.runtime.outbox.table.name}"
    for relay in [t for t in threading.enumerate() if t.name == name]:
        relay.join(timeout=20)
