"""Mail kept aside for an admin: never dropped, stored once with the reason it could not be taken in."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timezone

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.runtime import ServiceRuntime
from services.email.tables import quarantine

LISTED_COLUMNS = (quarantine.c.id, quarantine.c.reason, quarantine.c.source, quarantine.c.mail_from,
                  quarantine.c.size, quarantine.c.received_at)


def quarantine_mail(rt: ServiceRuntime, raw: bytes, *, reason: str, source: str,
                    mail_from: str | None = None) -> str:
    """Store the raw mail with the reason; the same bytes again return the first copy's id."""
    digest = hashlib.sha256(raw).hexdigest()
    row = {"id": str(uuid.uuid4()), "raw_sha256": digest, "reason": reason[:2000], "source": source,
           "mail_from": (mail_from or "")[:320] or None, "size": len(raw), "raw": raw,
           "received_at": datetime.now(timezone.utc)}
    try:
        with rt.db.transaction() as db:
            if (existing := _id_of(db, digest)) is not None:
                return existing
            db.execute(insert(quarantine).values(**row))
    except IntegrityError:  # the same mail raced in twice: the first copy stands
        with rt.db.reading() as db:
            return _id_of(db, digest)
    return row["id"]


def _id_of(db: Session, digest: str) -> str | None:
    return db.execute(select(quarantine.c.id).where(quarantine.c.raw_sha256 == digest)).scalar()


def list_quarantined(rt: ServiceRuntime, *, limit: int = 100) -> tuple[list[dict], int]:
    """The newest mail kept aside (without the raw bytes), and how many there are in all."""
    with rt.db.reading() as db:
        rows = db.execute(select(*LISTED_COLUMNS).order_by(quarantine.c.received_at.desc()).limit(limit)).all()
        total = db.execute(select(func.count()).select_from(quarantine)).scalar()
    return [dict(row._mapping) for row in rows], total


def get_raw(rt: ServiceRuntime, item_id: str) -> bytes | None:
    """The mail exactly as it arrived, for an admin to inspect."""
    with rt.db.reading() as db:
        return db.execute(select(quarantine.c.raw).where(quarantine.c.id == item_id)).scalar()
