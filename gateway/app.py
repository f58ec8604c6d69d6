"""The gateway: one HTTP entry on SWITCHBOARD_HTTP_PORT for every service.

Embedded mode: every service's blueprints live in this one app. Distributed mode
(SWITCHBOARD_<SERVICE>_SERVICE_URL set): the same paths are forwarded to each service over HTTP.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, g, request

from gateway.proxy import ServiceProxy
from gateway.routes import service_for
from shared.config import Settings
from shared.process import SERVICE_NAMES, add_readiness, load_service, prepare
from shared.web.app import create_base_app


def create_embedded_app(settings: Settings, services: list[Any]) -> Flask:
    """All services in one app (`make run`, tests)."""
    app, api = create_base_app("switchboard", settings)
    for service in services:
        service.register(app, api)
    add_readiness(app, services)
    return app


def create_proxy_app(settings: Settings) -> Flask:
    """The distributed gateway: it forwards by the route table and answers the rest itself."""
    app, _ = create_base_app("switchboard.gateway", settings)
    proxy = ServiceProxy(dict(settings.service_urls))

    @app.before_request
    def forward():
        service = service_for(request.path)
        if service is not None:
            return proxy.forward(service, g.request_id)
        return None

    @app.get("/readyz")
    def readyz():
        return {"status": "ready", "services": sorted(settings.service_urls)}

    return app


def create_app(settings: Settings | None = None) -> Flask:
    """For gunicorn: `gunicorn 'gateway.app:create_app()'`."""
    settings = prepare(settings, "gateway")
    if settings.service_urls:
        return create_proxy_app(settings)
    return create_embedded_app(settings, [load_service(name, settings) for name in SERVICE_NAMES])
