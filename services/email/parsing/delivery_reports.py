"""Read a bounce (an RFC 3464 delivery status report): which of our mails failed, and why.

The report carries the returned mail's headers (text/rfc822-headers) or the whole mail
(message/rfc822); its Message-ID names the reply that could not be delivered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import policy
from email.message import Message
from email.parser import BytesParser, HeaderParser

from services.email.parsing.headers import get_ids, get_raw
from services.email.parsing.inbound import too_nested
from services.email.parsing.mime_parts import get_bytes, get_content_type, walk_leaves

_RETURNED_TYPES = ("text/rfc822-headers", "message/rfc822")
MAX_REASON_CHARS = 500


@dataclass(frozen=True)
class DeliveryFailure:
    """One of our mails could not be delivered: its Message-ID (without brackets) and the reason given."""

    original_message_id: str
    reason: str


def read_delivery_failure(raw: bytes) -> DeliveryFailure | None:
    """The failure a delivery report tells of; None for anything else (a delay, a report without the mail's id)."""
    if too_nested(raw):
        return None  # too nested to walk safely; parse_email has said so already
    try:
        report = BytesParser(policy=policy.compat32).parsebytes(raw)
        if get_content_type(report) != "multipart/report":
            return None
        leaves = walk_leaves(report, [])
        status = next((part for part in leaves if get_content_type(part) == "message/delivery-status"), None)
        failed = [fields for fields in _recipient_fields(status) if _value(fields, "action").lower() == "failed"]
        original = next((found for part in leaves if (found := _returned_message_id(part))), None)
    except Exception:  # a report we cannot read is treated as any other automatic mail
        return None
    if not failed or original is None:
        return None
    return DeliveryFailure(original, _reason(failed[0]))


def _recipient_fields(status: Message | None) -> list[Message]:
    """The per-recipient blocks of a message/delivery-status part (the first block is about the MTA)."""
    if status is None:
        return []
    blocks = status.get_payload()
    if isinstance(blocks, list):
        return [block for block in blocks if isinstance(block, Message)][1:]
    return [HeaderParser(policy=policy.compat32).parsestr(block) for block in re.split(r"\r?\n\r?\n", blocks)[1:]]


def _returned_message_id(part: Message) -> str | None:
    """The Message-ID of the returned mail, from its headers or the whole mail."""
    content_type = get_content_type(part)
    if content_type not in _RETURNED_TYPES:
        return None
    if content_type == "message/rfc822" and part.is_multipart():
        returned = part.get_payload(0)
    else:
        returned = BytesParser(policy=policy.compat32).parsebytes(get_bytes(part), headersonly=True)
    return next(iter(get_ids(returned, "Message-ID")), None)


def _reason(fields: Message) -> str:
    """The remote server's own words when given, else the status code, with the failed recipient."""
    diagnostic = _value(fields, "diagnostic-code").partition(";")[2].strip() or _value(fields, "diagnostic-code")
    status = _value(fields, "status")
    recipient = _value(fields, "final-recipient").partition(";")[2].strip()
    said = diagnostic or (f"status {status}" if status else "no reason given")
    to = f" to {recipient}" if recipient else ""
    return f"the mail{to} bounced: {said}"[:MAX_REASON_CHARS]


def _value(fields: Message, name: str) -> str:
    """One field's value with folded lines joined."""
    return " ".join((get_raw(fields, name) or "").split())
