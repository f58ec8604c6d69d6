"""Turning a parsed email into the canonical InboundMessage payload (pure: no I/O)."""

from __future__ import annotations

from datetime import datetime
from typing import Sequence

from services.email.parsing import ParsedEmail


class NotACustomerMessage(Exception):
    """The email parsed, but cannot become a customer's message; it is kept aside with this reason."""


def check_customer_message(parsed: ParsedEmail, inbox_address: str) -> None:
    """Refuse mail with no sender to answer, and our own mail coming back (a loop)."""
    if not parsed.from_address or "@" not in parsed.from_address:
        raise NotACustomerMessage("no sender address")
    if len(parsed.from_address) > 320:
        raise NotACustomerMessage("the sender address is longer than an address can be")
    if parsed.from_address.lower() == inbox_address.lower():
        raise NotACustomerMessage("sent from the inbox's own address (a mail loop)")


def thread_ids(parsed: ParsedEmail) -> list[str]:
    """The ids a reply points at, most specific first: In-Reply-To, then References newest first."""
    return list(dict.fromkeys(i for i in (parsed.in_reply_to, *reversed(parsed.references)) if i))


def inbound_payload(parsed: ParsedEmail, *, conversation_id: str | None, received_at: datetime,
                    attachments: Sequence[dict] = ()) -> dict:
    """The `inbound.email` payload: the new part as text, the rest kept beside it, the stored attachments."""
    thread = {"message_id": parsed.message_id, "in_reply_to": parsed.in_reply_to,
              "references": list(parsed.references)}
    if conversation_id:
        thread["conversation_id"] = conversation_id
    metadata = {
        "quoted_text": parsed.quoted_text, "signature": parsed.signature,
        "to": list(parsed.to), "cc": list(parsed.cc),
        "date": parsed.date.isoformat() if parsed.date else None,
        "message_id_synthetic": parsed.message_id_synthetic, "warnings": list(parsed.warnings),
    }
    if parsed.is_auto_reply:
        metadata |= {"auto_reply": True, "auto_reply_reason": parsed.auto_reply_reason}
    return {
        "channel": "email", "channel_message_id": parsed.message_id,
        "sender": {"type": "email", "value": parsed.from_address.lower(), "verified": False},
        "sender_name": parsed.from_name, "text": parsed.new_text or parsed.text, "html": parsed.html,
        "subject": parsed.subject, "thread": thread, "metadata": metadata, "received_at": received_at,
        "attachments": list(attachments),
    }
