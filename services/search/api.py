"""The search API: every message ever exchanged, most relevant first, only what the caller may see."""

from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from shared.web.auth import require_scope
from shared.web.errors import ApiError
from services.search.engines.base import InvalidQuery, SearchQuery, SearchUnavailable

blp = Blueprint("search", __name__, url_prefix="/api/v1", description="Search over all message history")


class SearchArgs(Schema):
    class Meta:
        unknown = RAISE

    q = fields.String(load_default="", validate=validate.Length(max=1000))
    channel = fields.String(load_default=None, validate=validate.OneOf(("email", "sms", "chat")))
    contact_id = fields.String(load_default=None)
    conversation_id = fields.String(load_default=None)
    assignee_id = fields.String(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(("open", "pending", "snoozed", "resolved")))
    from_ = fields.AwareDateTime(data_key="from", load_default=None, format="iso")
    to = fields.AwareDateTime(load_default=None, format="iso")
    cursor = fields.String(load_default=None, validate=validate.Length(max=2000))
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class ContactOut(Schema):
    id = fields.String()
    name = fields.String()


class SearchHitOut(Schema):
    message_id = fields.String()
    conversation_id = fields.String()
    contact = fields.Nested(ContactOut)
    channel = fields.String()
    created_at = fields.AwareDateTime(format="iso")
    snippet = fields.String(metadata={"description": "HTML-escaped text with the matched words in <mark>"})


class SearchPageOut(Schema):
    items = fields.List(fields.Nested(SearchHitOut))
    total = fields.Integer(metadata={"description": "how many messages match, over all pages"})
    next_cursor = fields.String(allow_none=True)


@blp.route("/search")
@blp.arguments(SearchArgs, location="query", unknown=RAISE)
@blp.response(200, SearchPageOut)
def search(args):
    """Full text over all messages with filters, most relevant first; `from`/`to` bound the message time.

    Agents find only the conversations of their teams and those assigned to them;
    `assignee_id=me` means the caller.
    """
    principal = require_scope("search")
    agent_only = not principal.is_admin and principal.kind == "agent"
    assignee_id = principal.id if args["assignee_id"] == "me" else args["assignee_id"]
    query = SearchQuery(
        q=args["q"], channel=args["channel"], contact_id=args["contact_id"], conversation_id=args["conversation_id"],
        assignee_id=assignee_id, status=args["status"], created_from=args["from_"], created_to=args["to"],
        visible_team_ids=principal.team_ids if agent_only else None,
        visible_assignee_id=principal.id if agent_only else None, cursor=args["cursor"], limit=args["limit"])
    engine = current_app.extensions["switchboard_search"].engine
    try:
        page = engine.search(query)
    except InvalidQuery as error:
        raise ApiError(400, error.reason, details={"cursor": [error.reason]}) from None
    except SearchUnavailable as error:
        raise ApiError(503, "Search is unavailable right now; retry later", details={"reason": error.reason},
                       headers={"Retry-After": "5"}) from None
    items = [hit.__dict__ | {"contact": {"id": hit.contact_id, "name": hit.contact_name}} for hit in page.items]
    return {"items": items, "total": page.total, "next_cursor": page.next_cursor}
