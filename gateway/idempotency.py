"""Idempotency-Key on POSTs: a retried request gets the first answer instead of acting twice.

Records are kept per caller (an API key, agent or admin, or the bearer token for the chat API),
so one caller's key never reveals another's answer. Requests without credentials are not
covered: they have no caller to keep the key under.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

from flask import Response, g, request
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from gateway.tables import idempotency_records
from shared.storage import Database
from shared.web.auth import current_principal
from shared.web.errors import ApiError

HEADER = "Idempotency-Key"
KEEP_FOR = timedelta(hours=24)
MAX_KEY_LENGTH = 255
# Answers worth replaying: everything except the ones that say "try again" (and our own 409/422 below).
_NOT_KEPT = {409, 429}
_KEPT_HEADERS = ("Content-Type", "Location", "Retry-After")


def now() -> datetime:
    return datetime.now(timezone.utc)


class IdempotencyStore:
    def __init__(self, db: Database):
        self.db = db

    def before_request(self) -> Response | None:
        """Replay the stored answer, refuse a reused key, or reserve the key for this request."""
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None:
            return None
        owner = _owner()
        if owner is None:
            return None
        if not key.strip() or len(key) > MAX_KEY_LENGTH:
            raise ApiError(400, f"{HEADER} must be 1 to {MAX_KEY_LENGTH} characters")
        fingerprint = _fingerprint()
        record = self._reserve(owner, key, fingerprint)
        if record is None:
            g.idempotency = (owner, key)
            return None
        if record.fingerprint != fingerprint:
            raise ApiError(422, f"This {HEADER} was already used for a different request",
                           code="idempotency_key_reused", details={HEADER: ["used for a different request"]})
        if record.status is None:
            raise ApiError(409, f"A request with this {HEADER} is still being processed; retry shortly",
                           headers={"Retry-After": "1"})
        response = Response(record.body, status=record.status, headers=record.headers)
        response.headers["Idempotent-Replayed"] = "true"
        return response

    def after_request(self, response: Response) -> Response:
        """Keep the answer to a reserved request (or free the key when retrying is the right move)."""
        reserved = g.pop("idempotency", None)
        if reserved is None:
            return response
        owner, key = reserved
        where = (idempotency_records.c.owner == owner, idempotency_records.c.key == key)
        with self.db.transaction(notify=False) as session:
            if response.status_code >= 500 or response.status_code in _NOT_KEPT or response.is_streamed:
                session.execute(delete(idempotency_records).where(*where))
            else:
                headers = {h: response.headers[h] for h in _KEPT_HEADERS if h in response.headers}
                session.execute(update(idempotency_records).where(*where).values(
                    status=response.status_code, headers=headers, body=response.get_data()))
        return response

    def _reserve(self, owner: str, key: str, fingerprint: str):
        """None when this request now holds the key; else the record someone left before."""
        where = (idempotency_records.c.owner == owner, idempotency_records.c.key == key)
        try:
            with self.db.transaction(notify=False) as session:
                session.execute(delete(idempotency_records).where(idempotency_records.c.created_at < now() - KEEP_FOR))
                session.execute(insert(idempotency_records).values(owner=owner, key=key, fingerprint=fingerprint,
                                                                   headers={}, created_at=now()))
            return None
        except IntegrityError:
            with self.db.reading() as session:
                return session.execute(select(idempotency_records).where(*where)).first()


def _owner() -> str | None:
    """Whose key this is: the authenticated principal on the agents' API, else the bearer token."""
    authorization = request.headers.get("Authorization")
    if not authorization:
        return None
    if request.path.startswith("/api/v1/"):
        principal = current_principal()
        return f"{principal.kind}:{principal.id}"
    return "token:" + hashlib.sha256(authorization.encode()).hexdigest()


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for part in (request.method, request.path, request.query_string.decode(), request.content_type or ""):
        digest.update(part.encode() + b"\0")
    digest.update(request.get_data())
    return digest.hexdigest()
