"""The gateway: one HTTP entry on SWITCHBOARD_HTTP_PORT for every service.

Embedded mode: every service's blueprints live in this one app. Distributed mode
(SWITCHBOARD_<SERVICE>_SERVICE_URL set): the same paths are forwarded to each service over HTTP.
Either way the gateway first checks the body size, API keys and their scopes, rate limits and
Idempotency-Key, and serves its own admin API (API keys, webhooks), /openapi.json and /docs.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, g, jsonify, request

from gateway.bootstrap import bootstrap
from gateway.openapi import MergedSpec
from gateway.proxy import ServiceProxy
from gateway.routes import service_for
from shared.config import Settings
from shared.process import SERVICE_NAMES, add_readiness, load_service, prepare
from shared.web.app import create_base_app
from shared.web.auth import GATEWAY_PRINCIPAL_HEADER, sign_gateway_principal


def create_embedded_app(settings: Settings, services: list[Any]) -> Flask:
    """All services in one app (`make run`, tests); `services` includes the gateway's own."""
    app, api = create_base_app("switchboard", settings)
    for service in services:
        service.register(app, api)
    add_readiness(app, services)
    return app


def create_proxy_app(settings: Settings) -> Flask:
    """The distributed gateway: it forwards by the route table and answers the rest itself."""
    app, api = create_base_app("switchboard.gateway", settings)
    gateway = bootstrap(settings)
    gateway.register(app, api)
    proxy = ServiceProxy(dict(settings.service_urls))

    @app.before_request
    def forward():  # registered after the gateway's checks, so it runs after them
        service = service_for(request.path)
        if service is None:
            return None
        vouch = {}
        if "api_key" in g:  # the services cannot check API keys; the gateway signs who the caller is
            vouch[GATEWAY_PRINCIPAL_HEADER] = sign_gateway_principal(settings, g.principal, g.api_key)
        return proxy.forward(service, g.request_id, vouch)

    spec = MergedSpec(lambda: api.spec.to_dict(), dict(settings.service_urls))
    app.view_functions["api-docs.openapi_json"] = lambda: jsonify(spec.document())
    add_readiness(app, [gateway])
    return app


def create_app(settings: Settings | None = None) -> Flask:
    """For gunicorn: `gunicorn 'gateway.app:create_app()'`."""
    settings = prepare(settings, "gateway")
    if settings.service_urls:
        return create_proxy_app(settings)
    services = [load_service(name, settings) for name in SERVICE_NAMES]
    return create_embedded_app(settings, [*services, bootstrap(settings)])
