"""Customers' attachments: kept in the email service (up to a size limit) and served to agents by id."""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from datetime import datetime, timezone
from typing import Mapping

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from services.email.parsing import ParsedEmail
from services.email.tables import attachments

URL_PREFIX = "/api/v1/email/attachments/"
FALLBACK_TYPE = "application/octet-stream"
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}")
_UNSAFE_IN_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|;]+')
MAX_FILENAME_CHARS = 200


def keep_attachments(db: Session, parsed: ParsedEmail) -> list[dict]:
    """Store the mail's attachments once (a retried delivery finds them again); their InboundMessage entries.

    Runs in the caller's transaction, before the mail is published, so every URL the inbox
    receives already works.
    """
    if not parsed.attachments:
        return []
    digest = hashlib.sha256(parsed.message_id.encode("utf-8", "surrogatepass")).hexdigest()
    stored = [row._mapping for row in _stored(db, digest)]
    if not stored:
        stored = [{"id": str(uuid.uuid4()), "message_sha256": digest, "position": position,
                   "filename": safe_filename(a.filename), "content_type": media_type(a.content_type), "size": a.size,
                   "too_large": a.content is None, "content": a.content, "created_at": datetime.now(timezone.utc)}
                  for position, a in enumerate(parsed.attachments)]
        db.execute(insert(attachments), stored)
    return [inbound_entry(row) for row in stored]


def _stored(db: Session, digest: str) -> list:
    return db.execute(select(attachments.c.id, attachments.c.filename, attachments.c.content_type,
                             attachments.c.size, attachments.c.too_large)
                      .where(attachments.c.message_sha256 == digest).order_by(attachments.c.position)).all()


def inbound_entry(row: Mapping) -> dict:
    """An attachment as the InboundMessage carries it: a URL only when the content was kept."""
    return {"filename": row["filename"], "content_type": row["content_type"], "size": row["size"],
            "too_large": row["too_large"], "url": None if row["too_large"] else f"{URL_PREFIX}{row['id']}"}


def find_attachment(db: Session, attachment_id: str):
    """The stored attachment (with its content), or None."""
    try:
        uuid.UUID(attachment_id)
    except ValueError:
        return None
    return db.execute(select(attachments).where(attachments.c.id == attachment_id)).first()


def safe_filename(name: str | None) -> str:
    """The sender's name for the file without path parts, control or quoting characters; never empty."""
    cleaned = _UNSAFE_IN_NAME.sub("_", unicodedata.normalize("NFC", name or "")).strip(" ._")
    return cleaned[-MAX_FILENAME_CHARS:] or "attachment"


def media_type(declared: str) -> str:
    """The declared type if it is a plain `type/subtype`; anything else is served as octet-stream."""
    declared = (declared or "").strip().lower()
    return declared if _MEDIA_TYPE.fullmatch(declared) else FALLBACK_TYPE
