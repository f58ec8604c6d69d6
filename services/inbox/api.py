"""The agents' unified inbox API (`/api/v1/conversations`, `/api/v1/events`)."""

from __future__ import annotations

from datetime import datetime, timezone

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate, validates_schema, ValidationError

from shared.web.sse import event_stream, last_event_id
from shared.web.auth import Principal, current_principal, require_scope
from shared.web.errors import ApiError
from services.inbox import agents, detail, domain, listing, replies

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
    assignee_id = fields.String(allow_none=True, validate=validate.Length(max=36))
    team_id = fields.String(allow_none=True, validate=validate.Length(max=36))
    # A handoff note for whoever takes the conversation over (kept with the internal notes).
    note = fields.String(validate=validate.Length(min=1, max=50_000))

    @validates_schema
    def _snooze_needs_a_future_time(self, data, **_):
        snoozing, until = data.get("status") == "snoozed", data.get("snoozed_until")
        if snoozing and not until:
            raise ValidationError("snoozing needs a wake-up time", "snoozed_until")
        if until and not snoozing:
            raise ValidationError("a wake-up time goes with status `snoozed`", "snoozed_until")
        if until and until <= datetime.now(timezone.utc):
            raise ValidationError("the wake-up time must be in the future", "snoozed_until")


def runtime():
    return current_app.extensions["switchboard_inbox"].runtime


@blp.before_request
def _authenticate_first():
    """Who is calling is settled before the body is read: 401 comes before 422."""
    current_principal()


def caller(scope: str) -> Principal:
    """The caller, if they hold `scope`, with the teams and role routing last published for them."""
    return agents.cached_principal(runtime(), require_scope(scope))


@blp.route("/conversations")
class Conversations(MethodView):
    @blp.arguments(ListQuery(), location="query")  # an instance, so no request builds the schema anew
    def get(self, filters):
        """The inbox: most urgent and longest waiting first, with cursor pagination."""
        principal = caller("conversations:read")
        return listing.list_conversations(runtime(), principal, filters)


@blp.route("/conversations/<conversation_id>")
class Conversation(MethodView):
    def get(self, conversation_id):
        """A conversation with every message on every channel, and the customer's context."""
        principal = caller("conversations:read")
        return detail.get_conversation(runtime(), principal, conversation_id)

    @blp.arguments(PatchIn)
    def patch(self, changes, conversation_id):
        """Change status, priority, labels, or transfer it; history and context stay."""
        principal = caller("conversations:write")
        replies.change_conversation(runtime(), principal, conversation_id, changes)
        try:
            return detail.get_conversation(runtime(), principal, conversation_id)
        except ApiError as error:  # transferred out of the caller's sight: say so, show no more
            if error.status != 404:
                raise
            return {"id": conversation_id, "transferred_away": True}


@blp.route("/conversations/<conversation_id>/messages")
class ConversationMessages(MethodView):
    @blp.arguments(ReplyIn)
    def post(self, data, conversation_id):
        """Reply to the customer; by default on the channel they last wrote on."""
        principal = caller("conversations:write")
        message = replies.reply(runtime(), principal, conversation_id, text=data["text"], channel=data["channel"])
        return detail.public_message(message), 201


@blp.route("/conversations/<conversation_id>/notes")
class ConversationNotes(MethodView):
    @blp.arguments(NoteIn)
    def post(self, data, conversation_id):
        """An internal note, never sent to the customer."""
        principal = caller("conversations:write")
        return replies.add_note(runtime(), principal, conversation_id, data["text"]), 201


@blp.route("/events")
def agent_events():
    """Server-Sent Events for the agent: assignments, new messages, status changes."""
    principal = caller("conversations:read")
    service = current_app.extensions["switchboard_inbox"]
    return event_stream(lambda seq: detail.events_after(service.runtime, principal, seq), service.notifier,
                        after=last_event_id())

