"""The agents' unified inbox API (`/api/v1/conversations`, `/api/v1/events`)."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate, validates_schema, ValidationError

from shared.web.sse import event_stream, last_event_id
from shared.web.auth import current_principal, require_scope
from services.inbox import detail, domain, listing, replies

blp = Blueprint("inbox", __name__, url_prefix="/api/v1", description="The agents' unified inbox")


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class ListQuery(_Strict):
    assignee = fields.String(load_default=None)
    team_id = fields.String(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(domain.STATUSES))
    channel = fields.String(load_default=None, validate=validate.OneOf(("email", "sms", "chat")))
    priority = fields.String(load_default=None, validate=validate.OneOf(tuple(domain.PRIORITY_RANK)))
    label = fields.String(load_default=None)
    cursor = fields.String(load_default=None)
    limit = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))


class ReplyIn(_Strict):
    text = fields.String(required=True, validate=validate.Length(min=1, max=50_000))
    channel = fields.String(load_default=None, validate=validate.OneOf(("email", "sms", "chat")))


class NoteIn(_Strict):
    text = fields.String(required=True, validate=validate.Length(min=1, max=50_000))


class PatchIn(_Strict):
    status = fields.String(validate=validate.OneOf(domain.STATUSES))
    snoozed_until = fields.AwareDateTime()
    priority = fields.String(validate=validate.OneOf(tuple(domain.PRIORITY_RANK)))
    labels = fields.List(fields.String(validate=validate.Length(min=1, max=100)), validate=validate.Length(max=50))
    assignee_id = fields.String(allow_none=True)
    assignee_name = fields.String()
    team_id = fields.String(allow_none=True)
    team_name = fields.String()

    @validates_schema
    def _snooze_needs_time(self, data, **_):
        if data.get("status") == "snoozed" and not data.get("snoozed_until"):
            raise ValidationError("snoozing needs a wake-up time", "snoozed_until")


def _rt():
    return current_app.extensions["switchboard_inbox"].runtime


@blp.route("/conversations")
class Conversations(MethodView):
    @blp.arguments(ListQuery, location="query")
    def get(self, filters):
        """The inbox: most urgent and longest waiting first, with cursor pagination."""
        principal = require_scope("conversations:read")
        return listing.list_conversations(_rt(), principal, filters)


@blp.route("/conversations/<conversation_id>")
class Conversation(MethodView):
    def get(self, conversation_id):
        """A conversation with every message on every channel, and the customer's context."""
        principal = require_scope("conversations:read")
        return detail.get_conversation(_rt(), principal, conversation_id)

    @blp.arguments(PatchIn)
    def patch(self, changes, conversation_id):
        """Change status, priority, labels, or transfer it; history and context stay."""
        principal = require_scope("conversations:write")
        replies.change_conversation(_rt(), principal, conversation_id, changes)
        return detail.get_conversation(_rt(), principal, conversation_id)


@blp.route("/conversations/<conversation_id>/messages")
class ConversationMessages(MethodView):
    @blp.arguments(ReplyIn)
    def post(self, data, conversation_id):
        """Reply to the customer; by default on the channel they last wrote on."""
        principal = require_scope("conversations:write")
        message = replies.reply(_rt(), principal, conversation_id, text=data["text"], channel=data["channel"])
        return detail.public_message(message), 201


@blp.route("/conversations/<conversation_id>/notes")
class ConversationNotes(MethodView):
    @blp.arguments(NoteIn)
    def post(self, data, conversation_id):
        """An internal note, never sent to the customer."""
        principal = require_scope("conversations:write")
        return replies.add_note(_rt(), principal, conversation_id, data["text"]), 201


@blp.route("/events")
def agent_events():
    """Server-Sent Events for the agent: assignments, new messages, status changes."""
    principal = require_scope("conversations:read")
    service = current_app.extensions["switchboard_inbox"]
    return event_stream(lambda seq: detail.events_after(service.runtime, principal, seq), service.notifier,
                        after=last_event_id())

