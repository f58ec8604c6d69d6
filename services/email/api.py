"""Email over HTTP: raw MIME from providers (`/webhooks/email/mime`), customers' attachments for agents,
and mail kept aside, for admins."""

from __future__ import annotations

import io

from flask import Response, current_app, request, send_file
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from shared.web.auth import require_admin, require_scope
from shared.web.errors import ApiError
from services.email import attachments, inbound, quarantine

blp = Blueprint("email", __name__, description="Email: raw MIME in, and mail kept aside for admins")
MIME_TYPE = "message/rfc822"


class TakenIn(Schema):
    status = fields.String(metadata={"description": "`accepted` (published for the inbox) or `quarantined`"})
    message_id = fields.String(allow_none=True)
    quarantine_id = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)


class QuarantinedItem(Schema):
    id = fields.String()
    reason = fields.String()
    source = fields.String()
    mail_from = fields.String(allow_none=True)
    size = fields.Integer()
    received_at = fields.DateTime()


class QuarantinedList(Schema):
    items = fields.List(fields.Nested(QuarantinedItem))
    total = fields.Integer()


class ListQuery(Schema):
    class Meta:
        unknown = RAISE

    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


def _runtime():
    return current_app.extensions["switchboard_email"].runtime


@blp.route("/webhooks/email/mime", methods=["POST"])
@blp.doc(security=[], requestBody={"content": {MIME_TYPE: {"schema": {"type": "string", "format": "binary"}}}})
@blp.response(202, TakenIn)
def post_mime():
    """Take in one raw RFC 5322 message; 202 once it is published (or kept aside), 503 if it cannot be now."""
    if request.mimetype != MIME_TYPE:
        raise ApiError(415, f"Send the raw message with `Content-Type: {MIME_TYPE}`",
                       details={"content_type": [request.mimetype or "missing"]})
    if (request.content_length or 0) > inbound.MAX_MESSAGE_BYTES:
        raise _too_large()
    raw = request.get_data(cache=False)
    if len(raw) > inbound.MAX_MESSAGE_BYTES:
        raise _too_large()
    if not raw.strip():
        raise ApiError(400, "The message is empty", details={"body": ["a raw RFC 5322 message is needed"]})
    outcome = inbound.take_in(_runtime(), raw, source="webhook")
    return {"status": "accepted" if outcome.accepted else "quarantined", "message_id": outcome.message_id,
            "quarantine_id": outcome.quarantine_id, "reason": outcome.reason}


def _too_large() -> ApiError:
    return ApiError(413, f"The message is larger than {inbound.MAX_MESSAGE_BYTES} bytes",
                    details={"body": [f"at most {inbound.MAX_MESSAGE_BYTES} bytes"]})


@blp.route("/api/v1/email/quarantine")
class QuarantinedMail(MethodView):
    @blp.arguments(ListQuery, location="query")
    @blp.response(200, QuarantinedList)
    def get(self, query):
        """Mail that could not become a customer message, newest first, with the reason (admins)."""
        require_admin()
        items, total = quarantine.list_quarantined(_runtime(), limit=query["limit"])
        return {"items": items, "total": total}


@blp.route("/api/v1/email/quarantine/<item_id>/raw")
@blp.doc(responses={"200": {"description": "the mail exactly as it arrived", "content": {MIME_TYPE: {}}}})
def get_quarantined_raw(item_id):
    """One kept-aside mail exactly as it arrived (admins)."""
    require_admin()
    raw = quarantine.get_raw(_runtime(), item_id)
    if raw is None:
        raise ApiError(404, "No such mail kept aside")
    return Response(raw, mimetype=MIME_TYPE)


@blp.route("/api/v1/email/attachments/<attachment_id>")
@blp.doc(responses={"200": {"description": "the file, as a download", "content": {"*/*": {}}}})
def get_attachment(attachment_id):
    """One customer attachment as a download (callers who may read conversations: agents, admins)."""
    require_scope("conversations:read")
    with _runtime().db.reading() as db:
        found = attachments.find_attachment(db, attachment_id)
    if found is None or found.content is None:  # content over the size limit was never kept
        raise ApiError(404, "No such attachment")
    answer = send_file(io.BytesIO(found.content), mimetype=found.content_type, as_attachment=True,
                       download_name=found.filename, etag=False, conditional=False, max_age=0)
    answer.headers["X-Content-Type-Options"] = "nosniff"
    answer.headers["Content-Security-Policy"] = "sandbox"
    answer.headers["Cache-Control"] = "private, no-store"
    return answer
