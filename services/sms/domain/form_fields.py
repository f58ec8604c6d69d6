"""Reading a provider's form post field by field, collecting every problem at once."""

import re
from collections.abc import Callable, Mapping
from typing import TypeVar

from services.sms.domain.errors import InvalidSmsForm

T = TypeVar("T")

# Twilio message ids: two upper-case letters (SM, MM) and 32 hex digits.
_MESSAGE_SID = re.compile(r"[A-Z]{2}[0-9a-fA-F]{32}")
_COUNT = re.compile(r"[0-9]{1,6}")


class FieldErrors:
    """Collects one message per bad field so a sender learns of all of them together."""

    def __init__(self) -> None:
        self.details: dict[str, str] = {}

    def read(self, field: str, check: Callable[..., T], *args: object) -> T | None:
        """Run a check for one field; on ValueError note it and carry on."""
        try:
            return check(*args)
        except ValueError as error:
            self.details[field] = str(error)
            return None

    def check_none(self) -> None:
        """Raise InvalidSmsForm when any field was bad."""
        if self.details:
            raise InvalidSmsForm(self.details)


def get_text(form: Mapping[str, str], field: str) -> str:
    """Read a field as text, treating a missing one as empty."""
    value = form.get(field)
    return value if isinstance(value, str) else ""


def check_required(value: str) -> str:
    """Return the trimmed value, refusing a blank one."""
    if not value.strip():
        raise ValueError("is required")
    return value.strip()


def check_message_sid(value: str) -> str:
    """Refuse anything not shaped like a provider message id."""
    sid = check_required(value)
    if not _MESSAGE_SID.fullmatch(sid):
        raise ValueError("is not a message id (two letters and 32 hex digits)")
    return sid


def check_count(value: str, maximum: int) -> int:
    """Read a small non-negative whole number as the provider writes it."""
    if not _COUNT.fullmatch(value.strip()):
        raise ValueError("must be a whole number")
    count = int(value)
    if count > maximum:
        raise ValueError(f"must be at most {maximum}")
    return count
