"""The embedded mode: every service, its consumers and the gateway in one process (`make run`)."""

from __future__ import annotations

import signal
import threading
from dataclasses import dataclass, field
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from shared.config import Settings
from shared.process import SERVICE_NAMES, load_service, prepare, run_workers, wake_relays


@dataclass
class EmbeddedSwitchboard:
    """A running Switchboard in this process; `stop()` ends it."""

    settings: Settings
    services: dict[str, Any]
    server: BaseWSGIServer
    smtp: Any = None  # the inbound SMTP server; `smtp.port` is the port it listens on
    stop_event: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"http://{self.server.host}:{self.server.port}"

    def stop(self) -> None:
        self.stop_event.set()
        self.server.shutdown()
        if self.smtp is not None:
            self.smtp.stop()
        for service in self.services.values():
            service.runtime.close()


def start(settings: Settings | None = None, *, host: str = "127.0.0.1", port: int | None = None,
          demo: bool = False) -> EmbeddedSwitchboard:
    """Start every service, its consumers and the HTTP gateway in background threads."""
    from gateway.app import create_embedded_app
    from gateway.bootstrap import bootstrap as bootstrap_gateway

    settings = prepare(settings, "switchboard")
    services = {name: load_service(name, settings) for name in SERVICE_NAMES}
    services["gateway"] = bootstrap_gateway(settings)  # API keys, limits, webhooks: also a consumer
    if demo:
        from shared.demo import ensure_demo_agent

        ensure_demo_agent(services["routing"])
    app = create_embedded_app(settings, list(services.values()))
    server = make_server(host, settings.http_port if port is None else port, app, threaded=True)
    smtp = services["email"].start_smtp(host, settings.smtp_port)
    running = EmbeddedSwitchboard(settings, services, server, smtp)
    run_workers(list(services.values()), running.stop_event)
    wake_relays(list(services.values()))
    threading.Thread(target=server.serve_forever, name="http", daemon=True).start()
    return running


def serve(*, host: str = "127.0.0.1", demo: bool = True) -> None:
    """Run until Ctrl-C, telling the newcomer where to go."""
    running = start(host=host, demo=demo)
    url = running.url.replace("127.0.0.1", "localhost")
    print(f"\nSwitchboard is running (embedded mode).\n"
          f"  Chat as a customer:  {url}/chat/demo\n"
          f"  Email the inbox:     {running.settings.email_address} over SMTP on port {running.smtp.port}\n"
          f"  Inbox API:           {url}/api/v1/conversations  (log in: POST {url}/api/v1/auth/login)\n"
          f"  Demo agent:          agent@switchboard.local / switchboard-demo\n"
          f"  API description:     {url}/openapi.json\n"
          f"Stop with Ctrl-C.\n", flush=True)
    stopped = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopped.set())
    stopped.wait()
    running.stop()
