"""The inbound SMTP server (aiosmtpd) on SWITCHBOARD_SMTP_PORT.

It takes mail only for the inbox address (and its plus-addresses), so it is no open
relay; it answers 250 only once the mail is published with confirms (or kept aside), and
451 when that cannot be done now, so the sending server tries again later.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Callable, Sequence

import structlog
from aiosmtpd.controller import Controller

from services.email.inbound import MAX_MESSAGE_BYTES, Outcome
from services.email.smtp_session import InboxSmtp

log = structlog.get_logger(__name__)

TakeIn = Callable[[bytes, Sequence[str], str], Outcome]  # (raw, recipients, mail_from) -> outcome
# Mails taken in at once: enough to keep the database and the broker busy while others are parsed.
WORKERS = 16


def is_inbox_recipient(address: str, inbox_address: str) -> bool:
    """The inbox address itself, or a plus-address of it (`support+c-<token>@...`)."""
    local, _, domain = address.strip().strip("<>").rpartition("@")
    inbox_local, _, inbox_domain = inbox_address.rpartition("@")
    return domain.lower() == inbox_domain.lower() and local.lower().split("+", 1)[0] == inbox_local.lower()


class InboxHandler:
    """aiosmtpd hooks: refuse other recipients, hand each mail to `take_in` off the event loop.

    `take_in` runs in `workers`, so the loop keeps reading other sessions' mail meanwhile and
    several mails are parsed, looked up and waiting for their confirms at once.
    """

    def __init__(self, take_in: TakeIn, inbox_address: str, workers: Executor | None = None):
        self.take_in, self.inbox_address, self.workers = take_in, inbox_address, workers

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if not is_inbox_recipient(address, self.inbox_address):
            return f"550 5.7.1 Relaying denied: this server only takes mail for <{self.inbox_address}>"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        raw, recipients = envelope.original_content or b"", list(envelope.rcpt_tos)
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self.workers, self.take_in, raw, recipients, envelope.mail_from or "")
        except Exception as error:  # broker or database down: nothing was accepted
            log.warning("smtp_temporary_failure", error=repr(error))
            return "451 4.3.0 The inbox cannot take mail right now; please try again later"
        return "250 2.0.0 Message accepted"


class AnyPortController(Controller):
    """aiosmtpd's threaded controller, able to listen on port 0 (any free port, read back from `.port`)."""

    def factory(self) -> InboxSmtp:
        return InboxSmtp(self.handler, **self.SMTP_kwargs)

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpServer:
    """The running server; `port` is the bound port (useful when 0 was asked for).

    At most `workers` mails are taken in at once; more sessions wait for a free worker.
    `on_stop` runs once the server no longer takes mail (e.g. to stop a shared publisher).
    """

    def __init__(self, take_in: TakeIn, inbox_address: str, *, host: str, port: int,
                 max_message_bytes: int = MAX_MESSAGE_BYTES, workers: int = WORKERS,
                 on_stop: Callable[[], None] | None = None):
        self._workers = ThreadPoolExecutor(workers, thread_name_prefix="smtp-take-in")
        self._on_stop = on_stop
        self._controller = AnyPortController(InboxHandler(take_in, inbox_address, self._workers), hostname=host,
                                             port=port, data_size_limit=max_message_bytes, enable_SMTPUTF8=True,
                                             server_hostname=inbox_address.rpartition("@")[2])

    @property
    def port(self) -> int:
        return self._controller.port

    def start(self) -> "SmtpServer":
        self._controller.start()
        log.info("smtp_listening", host=self._controller.hostname, port=self.port)
        return self

    def stop(self) -> None:
        self._controller.stop()
        self._workers.shutdown(wait=True)
        if self._on_stop is not None:
            self._on_stop()
