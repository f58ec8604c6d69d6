"""The one versioned envelope on Switchboard's bus and the schema of every event it carries.

Every message on RabbitMQ is an envelope: id, type, schema version, time, correlation and
causation ids, source, and a payload checked by the schema registered for (type, version).
Producers validate before publishing; consumers validate on receipt. Payloads tolerate
fields they do not know, so a newer producer can add fields without breaking older consumers.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any, Mapping

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

CHANNELS = ("email", "sms", "chat")
DELIVERY_STATUSES = ("queued", "sent", "delivered", "failed")


class _Payload(Schema):
    class Meta:
        unknown = EXCLUDE


class IdentitySchema(_Payload):
    type = fields.String(required=True, validate=validate.OneOf(("email", "phone", "chat")))
    value = fields.String(required=True, validate=validate.Length(min=1, max=320))
    verified = fields.Boolean(load_default=False)


class AttachmentSchema(_Payload):
    filename = fields.String(load_default="")
    content_type = fields.String(load_default="application/octet-stream")
    size = fields.Integer(load_default=0)
    url = fields.String(allow_none=True, load_default=None)
    # The content was over the channel's size limit and was not kept (so there is no url).
    too_large = fields.Boolean(load_default=False)


class InboundMessageSchema(_Payload):
    """A customer's message as a channel accepted it (`inbound.<channel>`)."""

    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    channel_message_id = fields.String(required=True, validate=validate.Length(min=1, max=998))
    sender = fields.Nested(IdentitySchema, required=True)
    sender_name = fields.String(load_default="")
    # Further identities the customer gave (a chat visitor's email), linked to the same contact.
    linked_identities = fields.List(fields.Nested(IdentitySchema), load_default=list)
    text = fields.String(load_default="")
    html = fields.String(allow_none=True, load_default=None)
    subject = fields.String(load_default="")
    attachments = fields.List(fields.Nested(AttachmentSchema), load_default=list)
    # Channel threading facts: email Message-ID/In-Reply-To/References, the chat session id.
    thread = fields.Dict(keys=fields.String(), load_default=dict)
    # Channel facts agents may want to see (auto-reply flags, SMS segments, ...).
    metadata = fields.Dict(keys=fields.String(), load_default=dict)
    received_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


class OutboundMessageSchema(_Payload):
    """An agent's reply for one channel to deliver (`reply.requested.<channel>`)."""

    message_id = fields.String(required=True)
    conversation_id = fields.String(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    to = fields.Nested(IdentitySchema, required=True)
    to_name = fields.String(load_default="")
    text = fields.String(required=True)
    html = fields.String(allow_none=True, load_default=None)
    subject = fields.String(load_default="")
    author_id = fields.String(allow_none=True, load_default=None)
    author_name = fields.String(load_default="")
    thread = fields.Dict(keys=fields.String(), load_default=dict)
    created_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


class DeliveryStatusSchema(_Payload):
    """What a channel learnt about delivering a reply (`delivery.updated`)."""

    message_id = fields.String(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    status = fields.String(required=True, validate=validate.OneOf(DELIVERY_STATUSES))
    reason = fields.String(allow_none=True, load_default=None)
    provider_message_id = fields.String(allow_none=True, load_default=None)
    details = fields.Dict(keys=fields.String(), load_default=dict)
    occurred_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


class ContactSummarySchema(_Payload):
    id = fields.String(required=True)
    name = fields.String(load_default="")
    attributes = fields.Dict(keys=fields.String(), load_default=dict)
    lifecycle_stage = fields.String(load_default="prospect")
    identities = fields.List(fields.Nested(IdentitySchema), load_default=list)


class ConversationSummarySchema(_Payload):
    id = fields.String(required=True)
    status = fields.String(required=True)
    priority = fields.String(load_default="normal")
    channels = fields.List(fields.String(), load_default=list)
    labels = fields.List(fields.String(), load_default=list)
    assignee_id = fields.String(allow_none=True, load_default=None)
    team_id = fields.String(allow_none=True, load_default=None)
    last_agent_id = fields.String(allow_none=True, load_default=None)
    subject = fields.String(load_default="")
    waiting_since = fields.AwareDateTime(allow_none=True, load_default=None)
    version = fields.Integer(required=True)


class StoredMessageSchema(_Payload):
    id = fields.String(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    direction = fields.String(required=True, validate=validate.OneOf(("inbound", "outbound")))
    text = fields.String(load_default="")
    subject = fields.String(load_default="")
    sender = fields.String(load_default="")
    # The channel's own id of the message (an email's Message-ID), so channels can learn their threads.
    channel_message_id = fields.String(allow_none=True, load_default=None)
    created_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


class MessageStoredSchema(_Payload):
    """A message is in its conversation, with the context routing and search need."""

    message = fields.Nested(StoredMessageSchema, required=True)
    conversation = fields.Nested(ConversationSummarySchema, required=True)
    contact = fields.Nested(ContactSummarySchema, required=True)


class ConversationUpdatedSchema(_Payload):
    """A conversation changed (status, owner, priority, labels, contact)."""

    conversation = fields.Nested(ConversationSummarySchema, required=True)
    contact = fields.Nested(ContactSummarySchema, required=True)
    changes = fields.List(fields.String(), load_default=list)


class AssignmentDecisionSchema(_Payload):
    """Routing's decision for a conversation (`conversation.assigned`)."""

    conversation_id = fields.String(required=True)
    team_id = fields.String(allow_none=True, load_default=None)
    team_name = fields.String(load_default="")
    agent_id = fields.String(allow_none=True, load_default=None)
    agent_name = fields.String(load_default="")
    priority = fields.String(load_default="normal")
    labels = fields.List(fields.String(), load_default=list)
    waiting = fields.Boolean(load_default=False)
    explanation = fields.Dict(keys=fields.String(), load_default=dict)
    conversation_version = fields.Integer(load_default=0)


class AgentUpdatedSchema(_Payload):
    """An agent as routing knows them now (`agent.updated`): others keep a copy for names and teams."""

    id = fields.String(required=True)
    name = fields.String(required=True)
    email = fields.String(load_default="")
    role = fields.String(load_default="agent")
    team_ids = fields.List(fields.String(), load_default=list)
    presence = fields.String(load_default="offline")
    active = fields.Boolean(load_default=True)


class TeamUpdatedSchema(_Payload):
    """A team as routing knows it now (`team.updated`): others keep its name."""

    id = fields.String(required=True)
    name = fields.String(required=True)


class ConversationEscalatedSchema(_Payload):
    """A conversation waited for an agent longer than its team allows (`conversation.escalated`)."""

    conversation_id = fields.String(required=True)
    team_id = fields.String(allow_none=True, load_default=None)
    priority = fields.String(required=True)
    previous_priority = fields.String(required=True)
    waited_seconds = fields.Float(required=True)
    limit_seconds = fields.Integer(required=True)


# (type, version) -> payload schema. Channel-addressed types share one schema per prefix.
PAYLOAD_SCHEMAS: dict[tuple[str, int], type[Schema]] = {
    ("inbound", 1): InboundMessageSchema,
    ("reply.requested", 1): OutboundMessageSchema,
    ("delivery.updated", 1): DeliveryStatusSchema,
    ("message.received", 1): MessageStoredSchema,
    ("message.stored", 1): MessageStoredSchema,
    ("conversation.updated", 1): ConversationUpdatedSchema,
    ("conversation.assigned", 1): AssignmentDecisionSchema,
    ("agent.updated", 1): AgentUpdatedSchema,
    ("conversation.escalated", 1): ConversationEscalatedSchema,
    ("team.updated", 1): TeamUpdatedSchema,
}


class EnvelopeSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True)
    type = fields.String(required=True)
    version = fields.Integer(required=True)
    occurred_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)
    correlation_id = fields.String(required=True)
    causation_id = fields.String(allow_none=True, load_default=None)
    source = fields.String(required=True)
    payload = fields.Dict(required=True)


@dataclass(frozen=True)
class Envelope:
    id: str
    type: str
    version: int
    occurred_at: datetime
    correlation_id: str
    causation_id: str | None
    source: str
    payload: dict[str, Any]

    @property
    def routing_key(self) -> str:
        return self.type


@functools.cache
def _schema(schema_class: type[Schema]) -> Schema:
    """One instance per schema: building one copies its fields, which costs more than using it."""
    return schema_class()


def payload_schema(event_type: str, version: int) -> Schema:
    """The schema for a type; `inbound.email` and `reply.requested.sms` use their prefix's schema."""
    for key in (event_type, event_type.rsplit(".", 1)[0]):
        schema = PAYLOAD_SCHEMAS.get((key, version))
        if schema is not None:
            return _schema(schema)
    raise ValidationError({"type": [f"unknown event type {event_type!r} version {version}"]})


def make_envelope(
    event_type: str,
    payload: Mapping[str, Any],
    *,
    source: str,
    caused_by: Envelope | None = None,
    version: int = 1,
) -> Envelope:
    """Build a checked envelope; raises ValidationError if the payload does not fit its schema."""
    schema = payload_schema(event_type, version)
    clean = schema.dump(schema.load(dict(payload)))
    envelope_id = str(uuid.uuid4())
    return Envelope(
        id=envelope_id,
        type=event_type,
        version=version,
        occurred_at=datetime.now(timezone.utc),
        correlation_id=caused_by.correlation_id if caused_by else envelope_id,
        causation_id=caused_by.id if caused_by else None,
        source=source,
        payload=clean,
    )


def also_as(envelope: Envelope, event_type: str) -> Envelope:
    """The same checked payload as another event of the same schema, with an id of its own.

    `message.received` carries exactly what `message.stored` does; checking it twice would
    only cost the inbox time on every customer message.
    """
    if payload_schema(event_type, envelope.version) is not payload_schema(envelope.type, envelope.version):
        raise ValueError(f"{event_type!r} and {envelope.type!r} do not share a payload schema")
    return replace(envelope, id=str(uuid.uuid4()), type=event_type)


def dump_envelope(envelope: Envelope) -> dict[str, Any]:
    """The envelope as JSON-ready data."""
    return _schema(EnvelopeSchema).dump(envelope.__dict__)


def load_envelope(body: Mapping[str, Any]) -> Envelope:
    """Check a received envelope and its payload; raises ValidationError when either is bad."""
    data = _schema(EnvelopeSchema).load(dict(body))
    data["payload"] = payload_schema(data["type"], data["version"]).load(data["payload"])
    return Envelope(**data)
