"""Taking in one raw email (from SMTP or the webhook): parse, thread, publish, or keep it aside."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Sequence

import structlog

from shared.envelopes import make_envelope
from shared.runtime import ServiceRuntime
from services.email import attachments, outbound, quarantine
from services.email.inbound_io import DirectIO, InboundIO
from services.email.inbound_message import NotACustomerMessage, check_customer_message, inbound_payload, thread_ids
from services.email.parsing import (
    ParsedEmail, UnparseableEmail, find_conversation_token, parse_email, read_delivery_failure,
)

log = structlog.get_logger(__name__)
SOURCE = "email"
MAX_MESSAGE_BYTES = 25 * 1024 * 1024  # what common providers accept; SMTP answers 552 beyond it
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Outcome:
    """What became of a mail: published for the inbox, or kept aside for an admin (with why)."""

    accepted: bool
    message_id: str | None = None
    quarantine_id: str | None = None
    reason: str | None = None


def take_in(rt: ServiceRuntime, raw: bytes, *, source: str, recipients: Sequence[str] = (),
            mail_from: str | None = None, io: InboundIO | None = None) -> Outcome:
    """Publish the mail as `inbound.email` with confirms, or keep it aside.

    `io` looks up threads and publishes (by default one mail at a time; the SMTP server
    gathers its sessions'). BrokerUnavailable / DatabaseUnavailable propagate: nothing was
    accepted, and the sender is told to retry (SMTP 451, HTTP 503).
    """
    io = io or DirectIO(rt)
    try:
        parsed = parse_email(raw, max_attachment_bytes=MAX_ATTACHMENT_BYTES)
        check_customer_message(parsed, rt.settings.email_address)
    except (UnparseableEmail, NotACustomerMessage) as error:
        return _quarantine(rt, raw, str(error), source, mail_from)
    except Exception as error:  # a parser bug must not lose the mail either
        log.exception("email_parse_crashed")
        return _quarantine(rt, raw, f"parser error: {error!r}"[:500], source, mail_from)
    if parsed.is_auto_reply and (failure := read_delivery_failure(raw)) and outbound.record_bounce(rt, failure):
        return Outcome(True, message_id=parsed.message_id, reason=f"bounce of our reply: {failure.reason}")
    conversation_id = find_thread(io, parsed, recipients, rt.settings.email_address)
    if parsed.is_auto_reply and conversation_id is None:
        return _quarantine(rt, raw, f"automatic reply ({parsed.auto_reply_reason}) to no known conversation",
                           source, mail_from)
    payload = inbound_payload(parsed, conversation_id=conversation_id, received_at=datetime.now(timezone.utc),
                              attachments=_keep_attachments(rt, parsed))
    io.publish(make_envelope("inbound.email", payload, source=SOURCE))
    return Outcome(True, message_id=parsed.message_id)


def find_thread(io: InboundIO, parsed: ParsedEmail, recipients: Sequence[str], inbox_address: str) -> str | None:
    """The conversation the reply headers point at, else the one a tokened reply address names."""
    found = io.find_conversation(thread_ids(parsed))
    return found or find_conversation_token([*recipients, *parsed.to, *parsed.cc], inbox_address)


def _keep_attachments(rt: ServiceRuntime, parsed: ParsedEmail) -> list[dict]:
    if not parsed.attachments:
        return []
    with rt.db.transaction(notify=False) as db:
        return attachments.keep_attachments(db, parsed)


def _quarantine(rt: ServiceRuntime, raw: bytes, reason: str, source: str, mail_from: str | None) -> Outcome:
    item_id = quarantine.quarantine_mail(rt, raw, reason=reason, source=source, mail_from=mail_from)
    log.warning("email_quarantined", reason=reason, id=item_id, source=source)
    return Outcome(False, quarantine_id=item_id, reason=reason)
