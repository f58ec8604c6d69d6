"""The gateway's webhook process (distributed mode): `python -m gateway.worker`.

It consumes the events external systems may subscribe to and sends the deliveries; run as
many as you like (deliveries are claimed with row locks).
"""

from __future__ import annotations

import signal
import threading

import structlog

from gateway.bootstrap import bootstrap
from shared.process import prepare

log = structlog.get_logger(__name__)


def main() -> None:
    gateway = bootstrap(prepare(None, "gateway-webhooks"))
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    threads = [worker.start(stop) for worker in gateway.workers()]
    log.info("webhook_workers_started")
    stop.wait()
    for thread in threads:
        thread.join(timeout=5)
    gateway.runtime.close()


if __name__ == "__main__":
    main()
