"""The customer-side chat API (`/chat/v1`), the widget and the demo page."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, request, send_from_directory
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from shared.web.sse import event_stream, last_event_id
from shared.web.errors import ApiError
from services.webchat import handlers

STATIC = Path(__file__).parent / "static"
blp = Blueprint("webchat", __name__, url_prefix="/chat", description="Web chat: the customer side")


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class SessionIn(_Strict):
    name = fields.String(load_default="", validate=validate.Length(max=200))
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=320))
    user_hash = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=128))


class SessionOut(Schema):
    session_id = fields.String()
    token = fields.String()
    email_verified = fields.Boolean()


class MessageIn(_Strict):
    text = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    client_message_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=64))


class ChatMessageOut(Schema):
    id = fields.String()
    text = fields.String()
    direction = fields.String()
    author_name = fields.String()
    client_message_id = fields.String(allow_none=True)
    created_at = fields.String()


class MessageListOut(Schema):
    items = fields.List(fields.Nested(ChatMessageOut))


class AfterQuery(_Strict):
    after = fields.String(load_default=None)
    token = fields.String(load_default=None)


def _service():
    return current_app.extensions["switchboard_webchat"]


def _session(session_id: str):
    token = _bearer_or_query_token()
    service = _service()
    return handlers.get_session(service.runtime, service.sessions, session_id, token)


def _bearer_or_query_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.args.get("token") or None


@blp.route("/v1/sessions")
class Sessions(MethodView):
    @blp.arguments(SessionIn)
    @blp.response(201, SessionOut)
    def post(self, data):
        """Start a chat; the token is shown only now."""
        name = (data["name"] or "").strip()
        service = _service()
        session, token = handlers.start_session(service.runtime, service.sessions, name=name, email=data["email"],
                                                user_hash=data["user_hash"])
        return {"session_id": session.id, "token": token, "email_verified": session.email_verified}


@blp.route("/v1/sessions/<session_id>/messages")
class SessionMessages(MethodView):
    @blp.arguments(AfterQuery, location="query")
    @blp.response(200, MessageListOut)
    def get(self, query, session_id):
        """The visitor's own transcript, after a message id."""
        _session(session_id)
        return {"items": handlers.list_messages(_service().runtime, session_id, after=query["after"])}

    @blp.arguments(MessageIn)
    @blp.response(201, ChatMessageOut)
    def post(self, data, session_id):
        """Send a message; a resend with the same client_message_id returns the first copy."""
        session = _session(session_id)
        text = data["text"].strip()
        if not text:
            raise ApiError(422, "The message is empty", details={"text": ["must not be blank"]})
        service = _service()
        message, created = handlers.post_visitor_message(service.runtime, service.notifier, session, text=text,
                                                         client_message_id=data["client_message_id"])
        return message, 201 if created else 200


@blp.route("/v1/sessions/<session_id>/events")
@blp.doc(responses={"200": {"description": "text/event-stream of `message` events"}})
def session_events(session_id):
    """Stream the session's messages (agent replies included) as Server-Sent Events."""
    _session(session_id)
    service = _service()

    def fetch(after: int):
        return [(seq, "message", handlers.public_message(row))
                for seq, row in handlers.messages_after_seq(service.runtime, session_id, after)]

    return event_stream(fetch, service.notifier, after=last_event_id())


@blp.route("/widget.js")
@blp.doc(security=[])
def widget():
    """The embeddable widget."""
    return send_from_directory(STATIC, "widget.js", mimetype="text/javascript", max_age=300)


@blp.route("/widget.css")
@blp.doc(security=[])
def widget_css():
    return send_from_directory(STATIC, "widget.css", mimetype="text/css", max_age=300)


@blp.route("/demo")
@blp.doc(security=[])
def demo():
    """A page with the widget, to talk to the inbox as a customer would."""
    return send_from_directory(STATIC, "demo.html", mimetype="text/html")
