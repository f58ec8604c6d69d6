"""Pure rules of the inbox: statuses, priorities, lifecycle stages, identities, which channel a reply takes."""

from __future__ import annotations

import phonenumbers

PRIORITY_RANK = {"low": 1, "normal": 2, "high": 3, "urgent": 4}
STATUSES = ("open", "pending", "snoozed", "resolved")
# A conversation in one of these is still going on: new messages join it.
ONGOING_STATUSES = ("open", "pending", "snoozed")
# Which kind of identity a reply on each channel is addressed to.
CHANNEL_IDENTITY = {"email": "email", "sms": "phone", "chat": "chat"}
PREVIEW_LENGTH = 280


def lifecycle_stage(resolved_conversations: int, attributes: dict) -> str:
    """prospect, new, returning, long-standing or key account: derived from history, shown in context."""
    if is_key_account(attributes):
        return "key_account"
    if resolved_conversations == 0:
        return "prospect"
    if resolved_conversations == 1:
        return "new"
    if resolved_conversations < 5:
        return "returning"
    return "long_standing"


def preview(text: str) -> str:
    """The start of a message, on one line, for conversation lists."""
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW_LENGTH else flat[: PREVIEW_LENGTH - 1] + "…"


def reply_channel(requested: str | None, last_channel: str, reachable: set[str]) -> str | None:
    """The channel a reply goes out on: the one asked for, else where the customer last wrote."""
    channel = requested or last_channel
    return channel if channel in reachable else None


def merged_channels(channels: list[str], channel: str) -> list[str]:
    return channels if channel in channels else [*channels, channel]


def next_delivery_status(current: str, reported: str) -> str:
    """Delivery only moves forward (queued → sent → delivered); a failure is final."""
    order = {"queued": 0, "sent": 1, "delivered": 2}
    if current == "failed":
        return current
    if reported == "failed":
        return reported
    return reported if order.get(reported, -1) > order.get(current, -1) else current


def is_key_account(attributes: dict) -> bool:
    value = attributes.get("key_account")
    return value is True or str(value).lower() in ("true", "1", "yes")


def normalise_identity(kind: str, value: str) -> str:
    """The one spelling an identity is stored under; ValueError says why a value cannot be one."""
    value = value.strip()
    if kind == "email":
        local, at, domain_part = value.rpartition("@")
        if not at or not local or "." not in domain_part or any(ch.isspace() for ch in value):
            raise ValueError("not an email address")
        return value.lower()
    if kind == "phone":
        try:
            number = phonenumbers.parse(value, None)
        except phonenumbers.NumberParseException:
            raise ValueError("not a phone number in international form (+<country code>...)") from None
        if not phonenumbers.is_valid_number(number):
            raise ValueError("not a valid phone number")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if not value:
        raise ValueError("empty")
    return value
