"""Delivering agents' replies by SMS (the `sms.replies` queue), at most once per reply.

A reply is recorded as `sending` and committed before the provider is called, and its
outcome is recorded afterwards. A redelivered reply (a crash, a lost connection, the
worker's own retry) therefore finds its row and is never sent again: a reply whose
outcome is unknown ends `failed` with that explanation, so the agent can decide. Within
one attempt the Twilio client retries 429/5xx answers and dropped connections with
backoff; only those retries could reach the customer twice, if Twilio accepted a
message whose answer was lost.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime, timezone
from typing import Callable

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from shared.envelopes import Envelope
from shared.runtime import ServiceRuntime
from services.sms.domain import failures
from services.sms.domain.delivery import STATUS_MAP
from services.sms.domain.errors import InvalidPhoneNumber
from services.sms.domain.outbound import PermanentSendError, SmsSender, TemporarySendError
from services.sms.domain.phones import normalise_phone
from services.sms.domain.segments import count_segments
from services.sms.reports import Outcome, delivery_event
from services.sms.statuses import apply_early_statuses, lock_provider_sid
from services.sms.tables import opt_outs, outbound_texts

STATUS_PATH = "/webhooks/sms/twilio/status"

SenderFactory = Callable[[], AbstractContextManager[SmsSender]]


def deliver_reply(rt: ServiceRuntime, make_sender: SenderFactory | None, envelope: Envelope) -> None:
    """Send one agent reply through the provider, unless it was handled before."""
    reply = envelope.payload
    with rt.db.transaction() as db:
        row = db.execute(select(outbound_texts).where(outbound_texts.c.message_id == reply["message_id"])).first()
        if row is not None:
            if row.state == "sending":  # an earlier attempt never recorded how it ended
                _record(rt, db, envelope, Outcome("failed", failures.INTERRUPTED))
            return
        to, from_, refusal = _addresses(db, rt, make_sender, reply)
        _insert_row(db, reply["message_id"], to or reply["to"]["value"])
        if refusal:
            _record(rt, db, envelope, Outcome("failed", refusal))
            return
    outcome = _send(make_sender, to, from_, reply["text"], rt.settings.public_url + STATUS_PATH)
    with rt.db.transaction() as db:
        _record(rt, db, envelope, outcome)


def _addresses(db: Session, rt: ServiceRuntime, make_sender: SenderFactory | None,
               reply: dict) -> tuple[str | None, str | None, str | None]:
    """The numbers to send to and from, or why this reply cannot be sent at all."""
    from_ = reply["thread"].get("sms_number") or rt.settings.sms_number
    if make_sender is None or not from_:
        return None, None, ("SMS is not configured: set SWITCHBOARD_TWILIO_ACCOUNT_SID, "
                            "SWITCHBOARD_TWILIO_AUTH_TOKEN and SWITCHBOARD_SMS_NUMBER")
    try:
        to = normalise_phone(reply["to"]["value"])
    except InvalidPhoneNumber as error:
        return None, from_, f"the customer's number cannot receive texts: {error}"
    if db.execute(select(opt_outs.c.number).where(opt_outs.c.number == to)).first():
        return to, from_, failures.OPTED_OUT
    return to, from_, None


def _send(make_sender: SenderFactory, to: str, from_: str, body: str, status_callback: str) -> Outcome:
    """Call the provider (its client retries what may succeed later) and say how it went."""
    try:
        with make_sender() as sender:
            result = sender.send(to, from_, body, status_callback)
    except PermanentSendError as error:
        return Outcome("failed", failures.refused_reason(error.code, error.message), error_code=error.code)
    except TemporarySendError as error:
        return Outcome("failed", failures.unavailable_reason(error.message), error_code=error.code)
    return Outcome(STATUS_MAP.get(result.status, "queued"), provider_sid=result.provider_sid,
                   provider_status=result.status, segments=result.num_segments or count_segments(body))


def _insert_row(db: Session, message_id: str, to: str) -> None:
    now = _now()
    db.execute(insert(outbound_texts).values(message_id=message_id, to_number=to, state="sending",
                                             created_at=now, updated_at=now))


def _record(rt: ServiceRuntime, db: Session, envelope: Envelope, outcome: Outcome) -> None:
    """Keep the outcome and tell the inbox, in one transaction, then apply any status that came first."""
    message_id = envelope.payload["message_id"]
    if outcome.provider_sid:
        lock_provider_sid(db, outcome.provider_sid)
    db.execute(update(outbound_texts).where(outbound_texts.c.message_id == message_id).values(
        state="failed" if outcome.status == "failed" else "accepted", provider_sid=outcome.provider_sid,
        provider_status=outcome.provider_status, segments=outcome.segments, error_code=outcome.error_code,
        reason=outcome.reason, updated_at=_now()))
    rt.outbox.add(db, delivery_event(message_id, outcome, caused_by=envelope))
    if outcome.provider_sid:
        apply_early_statuses(rt, db, outcome.provider_sid)


def _now() -> datetime:
    return datetime.now(timezone.utc)
