"""Delivery updates for replies we sent, read from the provider's status callback.

Twilio's MessageStatus is mapped onto Switchboard's four delivery states:

| Twilio                                      | Switchboard |
|---------------------------------------------|-------------|
| accepted, scheduled, queued, sending        | queued      |
| sent, partially_delivered                   | sent        |
| delivered, read                             | delivered   |
| undelivered, failed, canceled               | failed      |

The provider's own word stays in `provider_status`, so an agent can still tell a
carrier's `undelivered` from Twilio's `failed`. Inbound states (receiving, received)
are not delivery updates and are refused.
"""

import dataclasses
import re
from collections.abc import Mapping

from services.sms.domain.form_fields import FieldErrors, check_message_sid, check_required, get_text

QUEUED, SENT, DELIVERED, FAILED = "queued", "sent", "delivered", "failed"

STATUS_MAP = {
    **dict.fromkeys(("accepted", "scheduled", "queued", "sending"), QUEUED),
    # A partly delivered multi-part message is not known to have reached the customer.
    **dict.fromkeys(("sent", "partially_delivered"), SENT),
    **dict.fromkeys(("delivered", "read"), DELIVERED),
    **dict.fromkeys(("undelivered", "failed", "canceled"), FAILED),
}

_ERROR_CODE = re.compile(r"[0-9]{1,9}")


@dataclasses.dataclass(frozen=True)
class DeliveryUpdate:
    """What the provider now says about one message we sent."""

    message_sid: str
    status: str
    provider_status: str
    error_code: int | None

    @classmethod
    def of(cls, message_sid: str, provider_status: str, error_code: int | None) -> "DeliveryUpdate":
        """The update for a status the provider reported (one already checked to be a delivery status)."""
        return cls(message_sid, STATUS_MAP[provider_status], provider_status, error_code)


def parse_status_form(form: Mapping[str, str]) -> DeliveryUpdate:
    """Read and check a Twilio status callback; raises InvalidSmsForm naming each bad field."""
    errors = FieldErrors()
    sid = errors.read("MessageSid", check_message_sid, get_text(form, "MessageSid"))
    # Older callbacks carry the same value as SmsStatus only.
    raw_status = get_text(form, "MessageStatus") or get_text(form, "SmsStatus")
    provider_status = errors.read("MessageStatus", _check_status, raw_status)
    error_code = errors.read("ErrorCode", _check_error_code, get_text(form, "ErrorCode"))
    errors.check_none()
    return DeliveryUpdate.of(sid, provider_status, error_code)


def _check_status(value: str) -> str:
    """Accept only the statuses an outbound message can have."""
    status = check_required(value).lower()
    if status not in STATUS_MAP:
        raise ValueError(f"{status!r} is not a delivery status")
    return status


def _check_error_code(value: str) -> int | None:
    """Read the provider's numeric error code; absent or blank means none."""
    if not value.strip():
        return None
    if not _ERROR_CODE.fullmatch(value.strip()):
        raise ValueError("must be a numeric error code")
    return int(value)
