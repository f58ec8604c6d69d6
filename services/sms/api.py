"""The provider's webhooks: customers' texts (`/webhooks/sms/twilio`) and delivery updates (`.../status`)."""

from __future__ import annotations

from flask import Response, current_app, request
from flask_smorest import Blueprint
from twilio.twiml.messaging_response import MessagingResponse

from shared.web.errors import ApiError
from services.sms.adapters.signatures import SIGNATURE_HEADER, check_twilio_signature
from services.sms.domain.delivery import parse_status_form
from services.sms.domain.errors import InvalidSmsForm
from services.sms.domain.inbound import parse_twilio_form
from services.sms.domain.phones import region_of
from services.sms.receiving import NotPublished, receive_text
from services.sms.statuses import record_status

# A Twilio form with a full 1,600-character body and ten media URLs is a few kilobytes.
MAX_FORM_BYTES = 64 * 1024
FORM_TYPE = "application/x-www-form-urlencoded"

blp = Blueprint("sms", __name__, url_prefix="/webhooks/sms", description="SMS: the provider's webhooks")


def _webhook_doc(fields: tuple[str, ...], answer: tuple[int, str]) -> dict:
    """OpenAPI for a Twilio form post: no bearer token, its signature header, and its answers."""
    status, what = answer
    return {
        "security": [],
        "parameters": [{"in": "header", "name": SIGNATURE_HEADER, "required": True, "schema": {"type": "string"},
                        "description": "HMAC of SWITCHBOARD_PUBLIC_URL + path and the form, under the auth token"}],
        "requestBody": {"required": True, "content": {FORM_TYPE: {"schema": {
            "type": "object", "properties": {name: {"type": "string"} for name in fields}}}}},
        "responses": {str(status): {"description": what},
                      "403": {"description": "missing or wrong signature"},
                      "413": {"description": "form too large"}, "415": {"description": "not a form"},
                      "422": {"description": "invalid fields, each named"},
                      "503": {"description": "not accepted now; retrying is safe"}},
    }


def _service():
    return current_app.extensions["switchboard_sms"]


@blp.route("/twilio", methods=["POST"])
@blp.doc(**_webhook_doc(("MessageSid", "From", "To", "Body", "NumMedia", "MediaUrl0", "MediaContentType0"),
                        (200, "empty TwiML: the text is on the broker")))
def inbound_text():
    """Take in a text; empty TwiML once its event is on the broker, 503 if it could not be published."""
    service = _service()
    form = _signed_form(service.runtime.settings)
    text = _parse(parse_twilio_form, form, region_of(service.runtime.settings.sms_number))
    try:
        receive_text(service.runtime, text, wait_seconds=service.publish_wait_seconds)
    except NotPublished:
        raise ApiError(503, "The message broker did not confirm the text in time; retry later",
                       headers={"Retry-After": "5"}) from None
    return Response(str(MessagingResponse()), mimetype="text/xml")


@blp.route("/twilio/status", methods=["POST"])
@blp.doc(**_webhook_doc(("MessageSid", "MessageStatus", "ErrorCode"), (204, "the update was recorded")))
def delivery_status():
    """Move a reply along queued → sent → delivered, or to failed with the carrier's reason."""
    service = _service()
    form = _signed_form(service.runtime.settings)
    record_status(service.runtime, _parse(parse_status_form, form))
    return Response(status=204)


def _signed_form(settings) -> dict[str, str]:
    """The posted form, once it is small enough, a form, and signed for our public URL."""
    request.max_content_length = MAX_FORM_BYTES  # werkzeug answers 413 beyond this
    if request.mimetype != FORM_TYPE:
        raise ApiError(415, f"Expected a {FORM_TYPE} form, as Twilio posts")
    form = request.form
    url = settings.public_url + request.path
    if request.query_string:
        url += "?" + request.query_string.decode("latin-1")
    if not check_twilio_signature(settings.twilio_auth_token or "", url, form,
                                  request.headers.get(SIGNATURE_HEADER)):
        raise ApiError(403, f"{SIGNATURE_HEADER} is missing or does not match this request")
    return form.to_dict()


def _parse(parse, form, *args):
    try:
        return parse(form, *args)
    except InvalidSmsForm as error:
        raise ApiError(422, "Some fields of the form are invalid: " + ", ".join(sorted(error.details)),
                       details=error.details) from None
