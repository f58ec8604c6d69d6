"""The contract's one error shape: `{"error": {"code", "message", "details"}}` with the right status."""

from __future__ import annotations

from typing import Any, Mapping

from flask import Flask, jsonify
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from shared.messaging import BrokerUnavailable
from shared.storage import DatabaseUnavailable

# Status codes a client sees for the standard HTTP errors, by their code name.
CODES = {
    400: "malformed", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "invalid_fields",
    429: "rate_limited", 500: "internal_error", 503: "unavailable",
}


class ApiError(Exception):
    """Raise from any view or handler to answer with the contract's error format."""

    def __init__(self, status: int, message: str, *, code: str | None = None,
                 details: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status, self.message = status, message
        self.code = code or CODES.get(status, "error")
        self.details = dict(details or {})
        self.headers = dict(headers or {})


def error_response(status: int, code: str, message: str, details: Mapping[str, Any] | None = None, headers=None):
    response = jsonify({"error": {"code": code, "message": message, "details": dict(details or {})}})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def flatten_validation(messages: Any, prefix: str = "") -> dict[str, Any]:
    """Turn webargs' `{"json": {"field": [...]}}` into `{"field": [...]}` naming each bad field."""
    if not isinstance(messages, dict):
        return {prefix or "_": messages}
    flat: dict[str, Any] = {}
    for key, value in messages.items():
        name = str(key) if key not in ("json", "query", "form", "view_args", "headers", "files") else ""
        path = ".".join(p for p in (prefix, name) if p)
        if isinstance(value, dict):
            flat.update(flatten_validation(value, path))
        else:
            flat[path or "_"] = value
    return flat


def handle_http_exception(error: HTTPException):
    """Every HTTP error (including flask-smorest's validation 422) in the contract's shape."""
    data = getattr(error, "data", None) or {}
    status = error.code or 500
    details = flatten_validation(data.get("messages") or data.get("errors") or {})
    if status == 422 and not details:
        details = {"_": ["invalid request"]}
    message = data.get("message") or _message_for(status, details, error)
    headers = dict(data.get("headers") or {})
    headers.update(dict(error.get_headers()) if status == 405 else {})
    headers.pop("Content-Type", None)
    return error_response(status, CODES.get(status, "error"), message, details, headers)


def _message_for(status: int, details: dict, error: HTTPException) -> str:
    if status == 422:
        return "Some fields are invalid: " + ", ".join(sorted(details))
    if status == 400 and details:
        return "The request is malformed: " + "; ".join(f"{k}: {v}" for k, v in details.items())
    return error.description or error.name


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(ApiError, lambda e: error_response(e.status, e.code, e.message, e.details, e.headers))
    app.register_error_handler(ValidationError, lambda e: error_response(
        422, "invalid_fields", "Some fields are invalid", flatten_validation(e.messages)))
    app.register_error_handler(BrokerUnavailable, lambda e: _unavailable("the message broker", e))
    app.register_error_handler(DatabaseUnavailable, lambda e: _unavailable("the database", e))


def _unavailable(what: str, error: Exception):
    return error_response(503, "unavailable", f"{what} is not reachable right now; nothing was accepted, retry later",
                          {"reason": str(error)[:300]}, {"Retry-After": "5"})
