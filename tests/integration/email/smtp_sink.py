"""A real SMTP server (aiosmtpd) standing in for the outbound relay: it keeps what it is sent.

Its answers to DATA can be scripted (`answers`), to play a relay that is busy (4xx) or
refuses (5xx); `credentials` makes it require AUTH.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Callable

from aiosmtpd.smtp import AuthResult

from services.email.smtp_server import AnyPortController


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class SinkHandler:
    answers: list[str] = field(default_factory=list)  # answered to DATA in turn; then 250
    received: list[Received] = field(default_factory=list)
    attempts: int = 0
    on_receipt: Callable[[EmailMessage], None] | None = None  # runs before the sender hears 250

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        if self.answers:
            return self.answers.pop(0)
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        if self.on_receipt:
            self.on_receipt(message)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 2.0.0 Queued"


class SmtpSink:
    def __init__(self, *, answers: list[str] | None = None, credentials: tuple[str, str] | None = None):
        self.handler = SinkHandler(answers=list(answers or []))
        options = {}
        if credentials:
            options = {"authenticator": _only(credentials), "auth_require_tls": False, "auth_required": True}
        self._controller = SinkController(self.handler, hostname="127.0.0.1", port=0, **options)

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self._controller.port}"

    def __enter__(self) -> "SmtpSink":
        self._controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self._controller.stop()


class SinkController(AnyPortController):
    def factory(self):
        # AUTH without TLS is what a test relay on loopback does; aiosmtpd rightly warns about it elsewhere.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS", UserWarning)
            return super().factory()


def _only(credentials: tuple[str, str]):
    def authenticate(server, session, envelope, mechanism, auth_data):
        login = (auth_data.login.decode(), auth_data.password.decode())
        return AuthResult(success=login == credentials)
    return authenticate
