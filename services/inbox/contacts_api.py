"""The contacts API (`/api/v1/contacts`): for agents, admins and external systems."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from shared.web.auth import current_principal
from services.inbox import contacts, domain
from services.inbox.api import caller, runtime

blp = Blueprint("inbox_contacts", __name__, url_prefix="/api/v1", description="Contacts: one customer, many identities")


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class IdentityIn(_Strict):
    type = fields.String(required=True, validate=validate.OneOf(("email", "phone", "chat")))
    value = fields.String(required=True, validate=validate.Length(min=1, max=320))
    verified = fields.Boolean(load_default=False)

    @validates_schema
    def _normalise(self, data, **_):
        try:
            data["value"] = domain.normalise_identity(data["type"], data["value"])
        except ValueError as error:
            raise ValidationError(str(error), "value") from None


class ContactIn(_Strict):
    name = fields.String(load_default="", validate=validate.Length(max=200))
    identities = fields.List(fields.Nested(IdentityIn), required=True, validate=validate.Length(min=1, max=20))
    attributes = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=100)), load_default=dict)


class MergeIn(_Strict):
    other_id = fields.String(required=True, validate=validate.Length(min=1, max=36))


@blp.before_request
def _authenticate_first():
    current_principal()


@blp.route("/contacts")
class Contacts(MethodView):
    @blp.arguments(ContactIn)
    def post(self, data):
        """Create a contact, or update the one that holds any of these identities (201 or 200)."""
        principal = caller("contacts:write")
        contact, created = contacts.upsert_contact(runtime(), principal, data)
        return contact, 201 if created else 200


@blp.route("/contacts/<contact_id>")
class Contact(MethodView):
    def get(self, contact_id):
        """A contact with identities, attributes, lifecycle stage, conversations and merges."""
        return contacts.get_contact(runtime(), contact_id, caller("contacts:read"))


@blp.route("/contacts/<contact_id>/merge", methods=["POST"])
@blp.arguments(MergeIn)
def merge(data, contact_id):
    """Fold another contact into this one: both histories and identities, one contact afterwards."""
    principal = caller("contacts:write")
    return contacts.merge_contacts(runtime(), principal, contact_id, data["other_id"])
