"""Who is calling: the admin token, an agent's login token (JWT), or an API key.

Every service checks tokens itself with the shared secret, so no call needs a round-trip
to the service that issued it.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Callable

import jwt
from flask import current_app, g, request

from shared.config import Settings
from shared.web.errors import ApiError

AUDIENCE = "switchboard"
ALL_SCOPES = frozenset({"conversations:read", "conversations:write", "contacts:read", "contacts:write", "search", "admin"})


@dataclass(frozen=True)
class Principal:
    kind: str  # "admin" | "agent" | "api_key"
    id: str
    name: str = ""
    role: str = "agent"
    team_ids: frozenset[str] = frozenset()
    scopes: frozenset[str] = field(default_factory=lambda: ALL_SCOPES)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin" or "admin" in self.scopes

    @property
    def agent_id(self) -> str | None:
        return self.id if self.kind == "agent" else None


def issue_agent_token(settings: Settings, *, agent_id: str, name: str, role: str, team_ids: list[str]) -> str:
    """A signed, expiring token for an agent who logged in."""
    now = datetime.now(timezone.utc)
    claims = {"sub": agent_id, "name": name, "role": role, "teams": sorted(team_ids), "aud": AUDIENCE,
              "iat": now, "exp": now + timedelta(seconds=settings.token_ttl_seconds)}
    return jwt.encode(claims, settings.secret_key, algorithm="HS256")


def read_principal(settings: Settings, authorization: str | None, *, api_key_lookup=None) -> Principal:
    """The caller behind an `Authorization: Bearer` header; ApiError(401) when there is none or it is bad."""
    token = _bearer(authorization)
    if settings.admin_token and hmac.compare_digest(token.encode(), settings.admin_token.encode()):
        return Principal(kind="admin", id="admin", name="Admin", role="admin")
    if token.startswith("sbk_") and api_key_lookup is not None:
        principal = api_key_lookup(token)
        if principal is not None:
            return principal
        raise ApiError(401, "This API key is unknown or revoked")
    return _agent_from_jwt(settings, token)


def _bearer(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "Send `Authorization: Bearer <token>`", headers={"WWW-Authenticate": "Bearer"})
    return token.strip()


def _agent_from_jwt(settings: Settings, token: str) -> Principal:
    try:
        principal, expires_at = _verified_agent_token(settings.secret_key, token)
    except jwt.ExpiredSignatureError:
        raise _expired() from None
    except jwt.PyJWTError:
        raise ApiError(401, "The token is not valid", headers={"WWW-Authenticate": "Bearer"}) from None
    if expires_at <= time.time():  # checked again on every use: a remembered token still expires
        raise _expired()
    return principal


def _expired() -> ApiError:
    return ApiError(401, "The token has expired; log in again", headers={"WWW-Authenticate": "Bearer"})


# Agents send the same token with every request: its signature is checked once, then remembered.
@lru_cache(maxsize=4096)
def _verified_agent_token(secret_key: str, token: str) -> tuple[Principal, float]:
    """The agent a token names and when it expires; raises jwt.PyJWTError unless it is genuine and current."""
    claims = jwt.decode(token, secret_key, algorithms=["HS256"], audience=AUDIENCE,
                        options={"require": ["exp", "sub", "aud"]})
    scopes = ALL_SCOPES if claims.get("role") == "admin" else ALL_SCOPES - {"admin"}
    principal = Principal(kind="agent", id=claims["sub"], name=claims.get("name", ""),
                          role=claims.get("role", "agent"), team_ids=frozenset(claims.get("teams", [])), scopes=scopes)
    return principal, float(claims["exp"])


# Set by the gateway in the embedded mode (or a service that can check API keys).
API_KEY_LOOKUP_EXTENSION = "switchboard_api_key_lookup"

# In the distributed mode the gateway checks API keys and vouches for the caller in this header:
# a short-lived token signed with the deployment's secret and bound to the very key sent with it,
# so a header forged outside, or copied onto another request, is worth nothing.
GATEWAY_PRINCIPAL_HEADER = "X-Switchboard-Principal"
GATEWAY_AUDIENCE = "switchboard-gateway"
GATEWAY_TOKEN_SECONDS = 60


def key_fingerprint(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def sign_gateway_principal(settings: Settings, principal: Principal, api_key: str) -> str:
    """What the gateway puts in GATEWAY_PRINCIPAL_HEADER for a request it authenticated by `api_key`."""
    now = datetime.now(timezone.utc)
    claims = {"sub": principal.id, "name": principal.name, "kind": principal.kind, "role": principal.role,
              "scopes": sorted(principal.scopes), "key": key_fingerprint(api_key), "aud": GATEWAY_AUDIENCE,
              "iat": now, "exp": now + timedelta(seconds=GATEWAY_TOKEN_SECONDS)}
    return jwt.encode(claims, settings.secret_key, algorithm="HS256")


def gateway_principal(settings: Settings, api_key: str, header: str | None) -> Principal | None:
    """The caller the gateway vouched for with `header`, if it is genuine and bound to `api_key`."""
    if not header:
        return None
    try:
        claims = jwt.decode(header, settings.secret_key, algorithms=["HS256"], audience=GATEWAY_AUDIENCE,
                            options={"require": ["exp", "sub", "aud", "key"]})
    except jwt.PyJWTError:
        return None
    if not hmac.compare_digest(str(claims["key"]), key_fingerprint(api_key)):
        return None
    return Principal(kind=claims.get("kind", "api_key"), id=claims["sub"], name=claims.get("name", ""),
                     role=claims.get("role", "api_key"), scopes=frozenset(claims.get("scopes", [])) & ALL_SCOPES)


def current_principal() -> Principal:
    """The authenticated caller of this request (computed once per request)."""
    if "principal" not in g:
        settings: Settings = current_app.extensions["switchboard_settings"]
        lookup: Callable | None = current_app.extensions.get(API_KEY_LOOKUP_EXTENSION)
        if lookup is None:  # a service on its own: API keys count only as the gateway vouches for them
            header = request.headers.get(GATEWAY_PRINCIPAL_HEADER)
            lookup = lambda key: gateway_principal(settings, key, header)  # noqa: E731
        g.principal = read_principal(settings, request.headers.get("Authorization"), api_key_lookup=lookup)
    return g.principal


def require_scope(scope: str) -> Principal:
    """The caller, if they hold `scope` (admins hold every scope); otherwise 403."""
    principal = current_principal()
    if scope not in principal.scopes and not principal.is_admin:
        raise ApiError(403, f"This needs the `{scope}` scope")
    return principal


def require_admin() -> Principal:
    principal = current_principal()
    if not principal.is_admin:
        raise ApiError(403, "Only admins may do this")
    return principal
