"""The Flask app every Switchboard HTTP service starts from: errors, request ids, OpenAPI."""

from __future__ import annotations

import re
import time
import uuid
from datetime import date, datetime

import orjson
import structlog
from flask import Flask, g, request
from flask.json.provider import DefaultJSONProvider
from flask_smorest import Api

from shared.config import Settings
from shared.web.errors import handle_http_exception, register_error_handlers

log = structlog.get_logger("switchboard.http")

MAX_REQUEST_BYTES = 30 * 1024 * 1024  # a raw email with attachments fits; anything larger is 413


class SwitchboardJSONProvider(DefaultJSONProvider):
    """Answers written by orjson, several times quicker than the standard library on every response.

    Keys stay sorted and dates are ISO 8601 (Flask's default is the HTTP date format, which
    loses microseconds). What orjson refuses (an integer beyond 64 bits in a contact's
    attributes, say) is written by the standard library instead.
    """

    _OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS

    def dumps(self, obj, **kwargs) -> str:
        options = self._OPTIONS | (orjson.OPT_INDENT_2 if kwargs.get("indent") else 0)
        try:
            return orjson.dumps(obj, default=self.default, option=options).decode()
        except orjson.JSONEncodeError:
            return super().dumps(obj, **kwargs)

    @staticmethod
    def default(o):
        if isinstance(o, (datetime, date)):
            return o.isoformat()
        return DefaultJSONProvider.default(o)


class SwitchboardApi(Api):
    """flask-smorest's Api, answering every error in the contract's shape."""

    def handle_http_exception(self, error):
        return handle_http_exception(error)


def create_base_app(name: str, settings: Settings) -> tuple[Flask, SwitchboardApi]:
    """A Flask app with Switchboard's error format, request ids, size limit and OpenAPI spec."""
    app = Flask(name)
    app.json = SwitchboardJSONProvider(app)
    app.config.update(
        API_TITLE="Switchboard",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        JSON_SORT_KEYS=False,
    )
    app.extensions["switchboard_settings"] = settings
    api = SwitchboardApi(app, spec_kwargs={"components": {"securitySchemes": {
        "bearer": {"type": "http", "scheme": "bearer"}}}, "security": [{"bearer": []}]})
    register_error_handlers(app)
    app.before_request(_start_request)
    app.after_request(_finish_request)

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    return app, api


# A request id from outside is kept (so a trace spans the gateway and every service) if it looks like one.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def _start_request() -> None:
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    g.started = time.perf_counter()
    structlog.contextvars.bind_contextvars(request_id=g.request_id)


def _finish_request(response):
    response.headers["X-Request-ID"] = g.get("request_id", "")
    if not request.path.endswith("/events"):
        log.info("request", method=request.method, path=request.path, status=response.status_code,
                 ms=round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 2))
    structlog.contextvars.unbind_contextvars("request_id")
    return response
