"""Delivering agents' replies by email, threaded under the customer's last message."""

from __future__ import annotations

from datetime import datetime, timezone
from email.message import EmailMessage
from typing import Callable

import structlog
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from shared.envelopes import Envelope, make_envelope
from shared.runtime import ServiceRuntime
from services.email import thread_keys
from services.email.parsing import DeliveryFailure, compose_reply, reply_to_address
from services.email.relay import RelayError, SmtpRelay
from services.email.tables import sends

log = structlog.get_logger(__name__)
SOURCE = "email"
SEND_ATTEMPTS = 6  # temporary relay failures in a row before the reply is given up as `failed`
NO_RELAY = "no outbound relay is configured (set SWITCHBOARD_SMTP_RELAY_URL); the reply was not sent"


class TemporaryRelayFailure(Exception):
    """The relay may take the reply later; the worker retries with backoff."""


def email_message_id(reply_id: str, inbox_address: str) -> str:
    """Our Message-ID for a reply: fresh per reply, and the same on every retry of that reply."""
    return f"{reply_id}@{inbox_address.rpartition('@')[2]}"


def build_reply(inbox_address: str, reply: dict) -> EmailMessage:
    """The reply as the customer's mail client should thread it; ValueError for an unusable address."""
    thread = reply.get("thread") or {}
    in_reply_to = thread.get("message_id")
    references = [*(thread.get("references") or []), *([in_reply_to] if in_reply_to else [])]
    try:
        message = _compose(inbox_address, reply, in_reply_to, references)
    except ValueError:
        if not references:
            raise
        # A customer's Message-ID we cannot repeat in a header must not cost them the answer;
        # the Reply-To token still threads their next mail.
        message = _compose(inbox_address, reply, None, [])
    message.replace_header("Message-ID", f"<{email_message_id(reply['message_id'], inbox_address)}>")
    return message


def _compose(inbox_address: str, reply: dict, in_reply_to: str | None, references: list[str]) -> EmailMessage:
    return compose_reply(
        inbox_address=inbox_address, inbox_name=reply.get("author_name") or "", to_address=reply["to"]["value"],
        to_name=reply.get("to_name") or "", subject=reply.get("subject") or "", text=reply["text"],
        in_reply_to=in_reply_to, references=references,
        reply_to=reply_to_address(inbox_address, reply["conversation_id"]), domain=inbox_address.rpartition("@")[2])


def deliver_reply(rt: ServiceRuntime, relay_for: Callable[[], SmtpRelay | None], envelope: Envelope) -> None:
    """Send one reply through the relay and report `sent` or `failed`; raise to be retried later."""
    reply = envelope.payload
    if _already_settled(rt, reply["message_id"]):
        return
    inbox = rt.settings.email_address
    relay = relay_for()
    if relay is None:
        return _settle(rt, envelope, "failed", NO_RELAY)
    try:
        message = build_reply(inbox, reply)
        _before_relaying(rt, reply)
        relay.send(message, sender=inbox, recipient=reply["to"]["value"])
    except ValueError as error:
        return _settle(rt, envelope, "failed", f"the reply cannot be sent: {error}")
    except RelayError as error:
        if error.permanent or _count_attempt(rt, reply, error.reason) >= SEND_ATTEMPTS:
            return _settle(rt, envelope, "failed", error.reason)
        raise TemporaryRelayFailure(error.reason) from error
    _settle(rt, envelope, "sent", None)


def _already_settled(rt: ServiceRuntime, reply_id: str) -> bool:
    with rt.db.reading() as db:
        status = db.execute(select(sends.c.status).where(sends.c.reply_id == reply_id)).scalar()
    return status in ("sent", "failed")


def _count_attempt(rt: ServiceRuntime, reply: dict, reason: str) -> int:
    """Note one more temporary failure (kept across redeliveries); return how many there were."""
    with rt.db.transaction(notify=False) as db:
        row = _send_row(db, reply, rt.settings.email_address)
        db.execute(update(sends).where(sends.c.reply_id == row.reply_id).values(
            attempts=row.attempts + 1, reason=reason, updated_at=_now()))
    log.warning("email_relay_temporary_failure", reply_id=reply["message_id"], attempt=row.attempts + 1,
                reason=reason)
    return row.attempts + 1


def _before_relaying(rt: ServiceRuntime, reply: dict) -> None:
    """Write down the reply and its thread keys before the relay has the mail.

    What the mail causes may come back within moments, before the outcome is recorded: the
    customer's answer (or their auto-responder's) must already find its conversation, and a
    bounce its reply. Should the relay refuse the mail, the keys still point where any answer
    to it would belong.
    """
    thread = reply.get("thread") or {}
    with rt.db.transaction(notify=False) as db:
        _send_row(db, reply, rt.settings.email_address)
        thread_keys.remember(db, reply["conversation_id"],
                             [email_message_id(reply["message_id"], rt.settings.email_address)], "outbound")
        thread_keys.remember(db, reply["conversation_id"],
                             [thread.get("message_id"), *(thread.get("references") or [])], "inbound")


def _settle(rt: ServiceRuntime, envelope: Envelope, status: str, reason: str | None) -> None:
    """Record the outcome and tell the inbox, in one transaction."""
    reply = envelope.payload
    ours = email_message_id(reply["message_id"], rt.settings.email_address)
    with rt.db.transaction() as db:
        row = _send_row(db, reply, rt.settings.email_address)
        if row.status == "failed":  # its bounce came back before the relay's answer was recorded
            return
        db.execute(update(sends).where(sends.c.reply_id == row.reply_id).values(
            status=status, reason=reason, updated_at=_now()))
        rt.outbox.add(db, _delivery_updated(reply["message_id"], status, reason, ours if status == "sent" else None,
                                            caused_by=envelope))
    if status == "failed":
        log.warning("email_reply_failed", reply_id=reply["message_id"], reason=reason)


def record_bounce(rt: ServiceRuntime, failure: DeliveryFailure) -> bool:
    """A bounce of a reply we sent marks it `failed` with the reason; False when the mail is not ours."""
    with rt.db.transaction() as db:
        row = db.execute(select(sends).where(sends.c.email_message_id == failure.original_message_id)
                         .with_for_update()).first()
        if row is None:
            return False
        if row.status != "failed":  # the same bounce again changes nothing
            db.execute(update(sends).where(sends.c.reply_id == row.reply_id).values(
                status="failed", reason=failure.reason, updated_at=_now()))
            rt.outbox.add(db, _delivery_updated(row.reply_id, "failed", failure.reason, row.email_message_id))
    log.warning("email_reply_bounced", reply_id=row.reply_id, reason=failure.reason)
    return True


def _delivery_updated(reply_id: str, status: str, reason: str | None, provider_message_id: str | None,
                      caused_by: Envelope | None = None) -> Envelope:
    return make_envelope("delivery.updated", {
        "message_id": reply_id, "channel": "email", "status": status, "reason": reason,
        "provider_message_id": provider_message_id, "occurred_at": _now()}, source=SOURCE, caused_by=caused_by)


def _send_row(db: Session, reply: dict, inbox_address: str):
    """This reply's row, created on first sight, and locked until commit, as a bounce locks it too."""
    query = select(sends).where(sends.c.reply_id == reply["message_id"]).with_for_update()
    row = db.execute(query).first()
    if row is None:
        db.execute(insert(sends).values(
            reply_id=reply["message_id"], conversation_id=reply["conversation_id"], status="queued", attempts=0,
            email_message_id=email_message_id(reply["message_id"], inbox_address), updated_at=_now()))
        row = db.execute(query).one()
    return row


def _now() -> datetime:
    return datetime.now(timezone.utc)
