"""The gateway's own admin API: API keys and webhook subscriptions with their delivery log."""

from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from gateway import keys, webhooks
from shared.web.auth import ALL_SCOPES, require_admin

blp = Blueprint("gateway", __name__, url_prefix="/api/v1", description="API keys and outbound webhooks (admins)")


def _gateway():
    return current_app.extensions["switchboard_gateway"]


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class NewApiKey(_Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    scopes = fields.List(fields.String(validate=validate.OneOf(sorted(ALL_SCOPES))), required=True,
                         validate=validate.Length(min=1, max=len(ALL_SCOPES)))


class ApiKeyOut(Schema):
    id = fields.String()
    name = fields.String()
    prefix = fields.String(metadata={"description": "the key's first characters, to recognise it"})
    scopes = fields.List(fields.String())
    created_by = fields.String()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)


class CreatedApiKey(ApiKeyOut):
    key = fields.String(metadata={"description": "the secret key; shown only in this answer"})


class ApiKeyList(Schema):
    items = fields.List(fields.Nested(ApiKeyOut))


class NewSubscription(_Strict):
    url = fields.Url(required=True, schemes={"http", "https"}, require_tld=False, validate=validate.Length(max=2000))
    events = fields.List(fields.String(validate=validate.OneOf(["*", *webhooks.EVENTS])), required=True,
                         validate=validate.Length(min=1, max=len(webhooks.EVENTS) + 1))
    description = fields.String(load_default="", validate=validate.Length(max=500))


class SubscriptionOut(Schema):
    id = fields.String()
    url = fields.String()
    events = fields.List(fields.String())
    description = fields.String()
    active = fields.Boolean()
    created_at = fields.DateTime()


class CreatedSubscription(SubscriptionOut):
    secret = fields.String(metadata={"description": "signs every delivery (HMAC-SHA256); shown only here"})


class SubscriptionList(Schema):
    items = fields.List(fields.Nested(SubscriptionOut))


class Attempt(Schema):
    attempted_at = fields.DateTime()
    status_code = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)


class Delivery(Schema):
    id = fields.String()
    event_id = fields.String()
    event = fields.String()
    status = fields.String(metadata={"description": "pending, delivered or failed"})
    attempts = fields.Integer()
    next_attempt_at = fields.DateTime(allow_none=True)
    last_status_code = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    delivered_at = fields.DateTime(allow_none=True)
    history = fields.List(fields.Nested(Attempt))


class DeliveryList(Schema):
    items = fields.List(fields.Nested(Delivery))


class DeliveryArgs(_Strict):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


@blp.route("/api-keys", methods=["POST"])
@blp.arguments(NewApiKey)
@blp.response(201, CreatedApiKey)
def create_api_key(data):
    """Create an API key with scopes; the key is in this answer and nowhere else, ever."""
    admin = require_admin()
    return keys.create_key(_gateway().runtime.db, name=data["name"], scopes=data["scopes"],
                           created_by=f"{admin.kind}:{admin.id}")


@blp.route("/api-keys", methods=["GET"])
@blp.response(200, ApiKeyList)
def list_api_keys():
    require_admin()
    return {"items": keys.list_keys(_gateway().runtime.db)}


@blp.route("/api-keys/<key_id>", methods=["GET"])
@blp.response(200, ApiKeyOut)
def get_api_key(key_id):
    require_admin()
    return keys.get_key(_gateway().runtime.db, key_id)


@blp.route("/api-keys/<key_id>", methods=["DELETE"])
@blp.response(204)
def revoke_api_key(key_id):
    """Revoke a key: every later request with it gets 401."""
    require_admin()
    keys.revoke_key(_gateway().runtime.db, key_id)


@blp.route("/webhooks", methods=["POST"])
@blp.arguments(NewSubscription)
@blp.response(201, CreatedSubscription)
def create_subscription(data):
    """Subscribe a URL to events (`*` for all); deliveries are signed with the returned secret."""
    require_admin()
    gateway = _gateway()
    return webhooks.subscribe(gateway.runtime.db, url=data["url"], events=data["events"],
                              description=data["description"], allow_private=gateway.settings.webhooks_allow_private)


@blp.route("/webhooks", methods=["GET"])
@blp.response(200, SubscriptionList)
def list_subscriptions():
    require_admin()
    return {"items": webhooks.list_subscriptions(_gateway().runtime.db)}


@blp.route("/webhooks/<subscription_id>", methods=["GET"])
@blp.response(200, SubscriptionOut)
def get_subscription(subscription_id):
    require_admin()
    return webhooks.get_subscription(_gateway().runtime.db, subscription_id)


@blp.route("/webhooks/<subscription_id>", methods=["DELETE"])
@blp.response(204)
def delete_subscription(subscription_id):
    require_admin()
    webhooks.unsubscribe(_gateway().runtime.db, subscription_id)


@blp.route("/webhooks/<subscription_id>/deliveries", methods=["GET"])
@blp.arguments(DeliveryArgs, location="query")
@blp.response(200, DeliveryList)
def list_deliveries(args, subscription_id):
    """The delivery log: newest first, with every attempt's answer or error."""
    require_admin()
    return {"items": webhooks.delivery_log(_gateway().runtime.db, subscription_id, args["limit"])}
