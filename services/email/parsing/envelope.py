"""Read who sent a message, to whom, when, and which thread it belongs to."""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from email.message import Message

from services.email.parsing import limits
from services.email.parsing.headers import get_addresses, get_date, get_ids, get_message_id, get_text

# Where the sender is looked for when From is missing, in order of trust.
_SENDER_HEADERS = ("From", "Sender", "Reply-To", "Return-Path")


@dataclass(frozen=True)
class Envelope:
    """The addressing and threading headers of one message."""

    message_id: str
    message_id_synthetic: bool
    in_reply_to: str | None
    references: tuple[str, ...]
    subject: str
    from_name: str
    from_address: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    reply_to: tuple[str, ...]
    date: datetime | None


def read_envelope(msg: Message, raw: bytes, warnings: list[str]) -> Envelope:
    """Read the envelope headers, filling gaps with safe defaults and noting each gap."""
    message_id = get_message_id(msg)
    if message_id is None:
        warnings.append("Message-ID missing or unusable; a synthetic id was derived from the raw bytes")
    from_name, from_address = _find_sender(msg, warnings)
    in_reply_to = get_ids(msg, "In-Reply-To")
    return Envelope(
        message_id=message_id or synthetic_message_id(raw),
        message_id_synthetic=message_id is None,
        in_reply_to=in_reply_to[0] if in_reply_to else None,
        references=get_ids(msg, "References"),
        subject=get_text(msg, "Subject", warnings) or "",
        from_name=from_name,
        from_address=from_address,
        to=_addresses(msg, "To", warnings),
        cc=_addresses(msg, "Cc", warnings),
        reply_to=_addresses(msg, "Reply-To", warnings),
        date=get_date(msg, warnings),
    )


def synthetic_message_id(raw: bytes) -> str:
    """Derive a stable id from the bytes, so a resent copy of the same message is recognised."""
    return f"sha256-{hashlib.sha256(raw).hexdigest()}@{limits.SYNTHETIC_ID_DOMAIN}"


def _find_sender(msg: Message, warnings: list[str]) -> tuple[str, str]:
    """Take the first usable address from From, then the headers that stand in for it."""
    for name in _SENDER_HEADERS:
        found = get_addresses(msg, name, warnings)
        if found:
            if name != "From":
                warnings.append(f"From missing or unusable; sender taken from {name}")
            return found[0]
    warnings.append("no sender address found")
    return "", ""


def _addresses(msg: Message, name: str, warnings: list[str]) -> tuple[str, ...]:
    """Return the distinct addresses of one header."""
    return tuple(dict.fromkeys(address for _, address in get_addresses(msg, name, warnings)))
