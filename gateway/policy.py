"""What the gateway checks before any service sees a request: body size, API keys, scopes, rate limits."""

from __future__ import annotations

import io

from flask import g, request

from gateway import keys
from gateway.ratelimit import RateLimits
from gateway.scopes import required_scope
from shared.storage import Database
from shared.web.app import MAX_REQUEST_BYTES
from shared.web.errors import ApiError

# JSON and form bodies are small; only raw emails (with attachments) may be large.
BODY_LIMIT_BYTES = 1024 * 1024
LARGE_BODY_PREFIXES = ("/webhooks/email/",)
# Probes are never rate limited or authenticated.
UNMETERED_PATHS = frozenset({"/healthz", "/readyz"})


def limit_body_size() -> None:
    """413 for a body over this path's limit, whether it announces its length or not (chunked).

    A chunked body is read here, up to one byte past the limit, and handed on with a plain
    Content-Length, so no service ever sees a truncated body.
    """
    limit = MAX_REQUEST_BYTES if request.path.startswith(LARGE_BODY_PREFIXES) else BODY_LIMIT_BYTES
    too_large = ApiError(413, f"The request body is over {limit} bytes", details={"limit_bytes": limit})
    environ = request.environ
    if request.content_length is None and environ.get("wsgi.input_terminated"):
        body = _read_at_most(environ["wsgi.input"], limit + 1)
        if len(body) > limit:
            raise too_large
        environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
    if request.content_length is not None and request.content_length > limit:
        raise too_large
    request.max_content_length = limit


def _read_at_most(stream, size: int) -> bytes:
    """Read until the end of the stream or `size` bytes (a single read may return less)."""
    parts, total = [], 0
    while total < size and (part := stream.read(min(65536, size - total))):
        parts.append(part)
        total += len(part)
    return b"".join(parts)


class Gatekeeper:
    """Authenticates API keys (the services handle agents' and the admin's tokens) and meters callers."""

    def __init__(self, db: Database, limits: RateLimits):
        self.db, self.limits = db, limits

    def check(self) -> None:
        if request.path in UNMETERED_PATHS:
            return
        api_key = _api_key()
        if api_key is None:
            self.limits.charge_address(request.remote_addr or "unknown")
            return
        principal = keys.authenticate(self.db, api_key)
        if principal is None:
            self.limits.charge_address(request.remote_addr or "unknown")  # guessing keys costs the guesser
            raise ApiError(401, "This API key is unknown or revoked", headers={"WWW-Authenticate": "Bearer"})
        self.limits.charge_key(principal.id)
        g.principal, g.api_key = principal, api_key
        scope = required_scope(request.method, request.path)
        if scope is not None and scope not in principal.scopes and not principal.is_admin:
            raise ApiError(403, f"This API key lacks the `{scope}` scope", details={"required_scope": scope})


def _api_key() -> str | None:
    scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token.startswith(keys.KEY_PREFIX) else None
