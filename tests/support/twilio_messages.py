"""How the local Twilio provider judges and describes a message, as Twilio's API does."""

import email.utils
import re

import phonenumbers

from services.sms.domain.segments import count_segments

MAX_BODY_CHARACTERS = 1600
_SHORT_CODE = re.compile(r"[0-9]{5,6}")
_ALPHANUMERIC_SENDER = re.compile(r"(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}")


def check_message_form(form: dict[str, str], unsubscribed: set[str]) -> tuple[int, str] | None:
    """Return Twilio's error code and message for a bad send, or None when it is fine."""
    to, sender, body = form.get("To", ""), form.get("From", ""), form.get("Body", "")
    if not to:
        return 21604, "A 'To' phone number is required."
    if not _is_e164(to):
        return 21211, f"Invalid 'To' Phone Number: {to}"
    if not sender:
        return 21603, "A 'From' phone number is required."
    if not (_is_e164(sender) or _SHORT_CODE.fullmatch(sender)
            or _ALPHANUMERIC_SENDER.fullmatch(sender)):
        return 21212, f"Invalid From Number (caller ID): {sender}"
    if not body and not form.get("MediaUrl"):
        return 21602, "Message body is required."
    if len(body) > MAX_BODY_CHARACTERS:
        return 21617, "The concatenated message body exceeds the 1600 character limit."
    if to in unsubscribed:
        return 21610, "Attempt to send to unsubscribed recipient"
    return None


def message_resource(account_sid: str, sid: str, form: dict[str, str]) -> dict:
    """Describe a newly queued message the way Twilio's 201 answer does."""
    now = email.utils.formatdate(usegmt=True)
    uri = f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}"
    return {
        "account_sid": account_sid, "api_version": "2010-04-01", "body": form.get("Body", ""),
        "date_created": now, "date_sent": None, "date_updated": now,
        "direction": "outbound-api", "error_code": None, "error_message": None,
        "from": form.get("From"), "messaging_service_sid": None, "num_media": "0",
        "num_segments": str(count_segments(form.get("Body", ""))), "price": None,
        "price_unit": "USD", "sid": sid, "status": "queued", "to": form.get("To"),
        "subresource_uris": {"media": f"{uri}/Media.json"}, "uri": f"{uri}.json",
    }


def _is_e164(value: str) -> bool:
    """A '+' followed by a number phonenumbers accepts as valid."""
    if not value.startswith("+"):
        return False
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(value, None))
    except phonenumbers.NumberParseException:
        return False
