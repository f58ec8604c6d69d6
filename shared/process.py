"""Starting Switchboard's services: one service per process, or all of them in one (embedded)."""

from __future__ import annotations

import importlib
import signal
import threading
from typing import Any, Callable

import structlog
from flask import Flask

from shared.config import Settings, load_settings, with_secret_key
from shared.logs import configure_logging
from shared.messaging import MessageBus
from shared.web.app import create_base_app
from shared.web.errors import error_response

log = structlog.get_logger(__name__)

# Every service, in the order they start; each package has `bootstrap.bootstrap(settings)`.
SERVICE_NAMES = ("routing", "inbox", "webchat", "search", "email", "sms")


def prepare(settings: Settings | None, service: str) -> Settings:
    """Settings read, checked and completed; JSON logs on; the broker topology declared."""
    settings = with_secret_key(settings or load_settings())
    configure_logging(settings.log_level, service)
    MessageBus(settings.broker_url).declare()
    return settings


def load_service(name: str, settings: Settings) -> Any:
    return importlib.import_module(f"services.{name}.bootstrap").bootstrap(settings)


def service_app(name: str, bootstrap: Callable[[Settings], Any], settings: Settings | None = None) -> Flask:
    """One service's HTTP app (what gunicorn runs in the distributed mode)."""
    settings = prepare(settings, name)
    service = bootstrap(settings)
    app, api = create_base_app(f"switchboard.{name}", settings)
    service.register(app, api)
    add_readiness(app, [service])
    return app


def add_readiness(app: Flask, services: list[Any]) -> None:
    """`GET /readyz`: 200 when the broker, database and search answer, else 503 naming what is down."""

    @app.get("/readyz")
    def readyz():
        problems = {}
        for service in services:
            for part, check in _checks(service):
                try:
                    check()
                except Exception as error:  # any failure means "not ready"
                    problems[part] = str(error)[:200]
        if problems:
            return error_response(503, "unavailable", "Some dependencies are down", problems)
        return {"status": "ready"}


def _checks(service: Any) -> list[tuple[str, Callable[[], None]]]:
    checks = [("broker", service.runtime.bus.check)]
    if hasattr(service.runtime, "db"):
        checks.append(("database", service.runtime.db.check))
    return checks + list(getattr(service, "extra_checks", lambda: [])())


def run_workers(services: list[Any], stop: threading.Event) -> list[threading.Thread]:
    """Start every consumer of the given services in daemon threads."""
    return [worker.start(stop) for service in services for worker in service.workers()]


def wake_relays(services: list[Any]) -> None:
    """Publish anything a previous run left in the services' outboxes."""
    for service in services:
        if hasattr(service.runtime, "relay"):
            service.runtime.relay.wake()


def consume_forever(names: list[str], settings: Settings | None = None) -> None:
    """A consumer process: run the services' queue consumers until SIGTERM/SIGINT."""
    settings = prepare(settings, "+".join(names))
    services = [load_service(name, settings) for name in names]
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    threads = run_workers(services, stop)
    wake_relays(services)
    log.info("consumers_started", services=names, queues=len(threads))
    stop.wait()
    for thread in threads:
        thread.join(timeout=5)
