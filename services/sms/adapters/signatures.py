"""Checking that a webhook really comes from Twilio (X-Twilio-Signature)."""

from collections.abc import Mapping

from twilio.request_validator import RequestValidator

SIGNATURE_HEADER = "X-Twilio-Signature"


def check_twilio_signature(
    auth_token: str, url: str, form: Mapping[str, str], signature: str | None
) -> bool:
    """Tell whether the signature matches the full URL and form under our auth token."""
    # With no token every signature would be computable by anyone, so nothing passes.
    if not auth_token or not signature:
        return False
    return RequestValidator(auth_token).validate(url, form, signature)
