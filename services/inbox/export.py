"""Every stored message in storage order, for admins' tools (search's `switchboard search reindex`).

The inbox owns its tables; other services read them only through this endpoint. Each item
has the shape of a `message.stored` payload (message, conversation, contact), with the
conversation and contact as they are now, so a consumer can treat it like the event.
"""

from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate
from sqlalchemy import func, select

from shared.web.auth import require_admin
from shared.web.errors import ApiError
from services.inbox.context import conversation_summary
from services.inbox.tables import contacts, conversations, messages

blp = Blueprint("inbox_export", __name__, url_prefix="/api/v1/internal/export",
                description="Bulk export of the inbox's messages (admins only)")

_MESSAGE_FIELDS = ("id", "channel", "direction", "text", "subject", "sender", "created_at")


class ExportQuery(Schema):
    class Meta:
        unknown = RAISE

    after = fields.String(load_default=None, validate=validate.Length(max=20),
                          metadata={"description": "the next_cursor of the previous page"})
    limit = fields.Integer(load_default=500, validate=validate.Range(min=1, max=1000))


@blp.route("/messages")
@blp.arguments(ExportQuery, location="query", unknown=RAISE)
def export_messages(args):
    """One page of messages with their conversation and contact, oldest first; `total` counts them all."""
    require_admin()
    after = _position(args["after"])
    runtime = current_app.extensions["switchboard_inbox"].runtime
    with runtime.db.reading() as db:
        rows = db.execute(select(messages).where(messages.c.seq > after)
                          .order_by(messages.c.seq).limit(args["limit"])).all()
        owners = _conversations_of(db, {row.conversation_id for row in rows})
        total = db.execute(select(func.count()).select_from(messages)).scalar_one()
    items = [{"message": {name: getattr(row, name) for name in _MESSAGE_FIELDS}, **owners[row.conversation_id]}
             for row in rows]
    next_cursor = str(rows[-1].seq) if len(rows) == args["limit"] else None
    return {"items": items, "next_cursor": next_cursor, "total": total}


def _position(after: str | None) -> int:
    if after is None:
        return 0
    if not (after.isascii() and after.isdigit()):
        raise ApiError(400, "after must be a next_cursor this endpoint returned", details={"after": ["not a cursor"]})
    return int(after)


def _conversations_of(db, conversation_ids: set[str]) -> dict[str, dict]:
    """Each conversation's summary and its contact's id and name, by conversation id."""
    rows = db.execute(select(conversations, contacts.c.name.label("contact_name"))
                      .join(contacts, contacts.c.id == conversations.c.contact_id)
                      .where(conversations.c.id.in_(sorted(conversation_ids)))).all()
    return {row.id: {"conversation": conversation_summary(row),
                     "contact": {"id": row.contact_id, "name": row.contact_name}} for row in rows}
