"""API keys for external systems: created by admins with scopes, stored hashed, shown once, revocable."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update

from gateway.tables import api_keys
from shared.storage import Database
from shared.web.auth import Principal, key_fingerprint
from shared.web.errors import ApiError

KEY_PREFIX = "sbk_"
# last_used_at is refreshed at most this often, so a busy key does not write on every request.
LAST_USED_RESOLUTION = timedelta(seconds=60)


def now() -> datetime:
    return datetime.now(timezone.utc)


def create_key(db: Database, *, name: str, scopes: list[str], created_by: str) -> dict:
    """A new key; the returned `key` is the only time anyone sees it."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = {"id": str(uuid.uuid4()), "name": name, "prefix": key[:12], "key_hash": key_fingerprint(key),
           "scopes": sorted(set(scopes)), "created_by": created_by, "created_at": now(),
           "last_used_at": None, "revoked_at": None}
    with db.transaction() as session:
        session.execute(api_keys.insert().values(**row))
    return public(row) | {"key": key}


def public(row) -> dict:
    """A key as admins see it: never its hash."""
    data = dict(row._mapping) if hasattr(row, "_mapping") else dict(row)
    return {name: data[name] for name in ("id", "name", "prefix", "scopes", "created_by", "created_at",
                                          "last_used_at", "revoked_at")}


def list_keys(db: Database) -> list[dict]:
    with db.reading() as session:
        return [public(r) for r in session.execute(select(api_keys).order_by(api_keys.c.created_at)).all()]


def get_key(db: Database, key_id: str) -> dict:
    with db.reading() as session:
        row = session.execute(select(api_keys).where(api_keys.c.id == key_id)).first()
    if row is None:
        raise ApiError(404, "No API key has this id")
    return public(row)


def revoke_key(db: Database, key_id: str) -> None:
    """From now on the key is refused (revoking twice is harmless)."""
    get_key(db, key_id)
    with db.transaction() as session:
        session.execute(update(api_keys).where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
                        .values(revoked_at=now()))


def authenticate(db: Database, key: str) -> Principal | None:
    """The principal behind a live key, recording when it was last used; None if unknown or revoked."""
    with db.reading() as session:
        row = session.execute(select(api_keys).where(api_keys.c.key_hash == key_fingerprint(key),
                                                     api_keys.c.revoked_at.is_(None))).first()
    if row is None:
        return None
    moment = now()
    if row.last_used_at is None or moment - row.last_used_at > LAST_USED_RESOLUTION:
        with db.transaction(notify=False) as session:
            session.execute(update(api_keys).where(api_keys.c.id == row.id).values(last_used_at=moment))
    return Principal(kind="api_key", id=row.id, name=row.name, role="api_key", scopes=frozenset(row.scopes))
