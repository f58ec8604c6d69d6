"""The inbound SMTP server as its own process in the distributed mode (`switchboard smtp`)."""

from __future__ import annotations

import signal
import threading

import structlog

from shared.config import Settings
from shared.process import prepare
from services.email.bootstrap import bootstrap

log = structlog.get_logger(__name__)


def serve_forever(*, host: str = "0.0.0.0", settings: Settings | None = None) -> None:
    """Listen on SWITCHBOARD_SMTP_PORT until SIGTERM/SIGINT."""
    settings = prepare(settings, "email-smtp")
    service = bootstrap(settings)
    server = service.start_smtp(host, settings.smtp_port)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    server.stop()
    service.runtime.close()
