"""Taking in a customer's text: store it once, note STOP/START, and publish it before answering.

The text, its keyword's effect and its `inbound.sms` event are committed together (the
event in the outbox). The webhook then waits until the relay has published that event
with the broker's confirm, so a 2xx means the message is on RabbitMQ; if the broker does
not confirm in time the sender gets 503 and retries, and the event is still published
once the broker is back (the inbox drops the second copy by MessageSid).
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.envelopes import Envelope, dump_envelope, make_envelope
from shared.runtime import ServiceRuntime
from services.sms.domain.inbound import InboundSms
from services.sms.domain.keywords import Keyword
from services.sms.tables import inbound_texts, opt_outs

SOURCE = "sms"


class NotPublished(Exception):
    """The text is stored but the broker has not confirmed its event yet."""


def receive_text(rt: ServiceRuntime, text: InboundSms, *, wait_seconds: float) -> None:
    """Store a text once and return only after its event was published; else NotPublished."""
    outbox_id = _store_once(rt, text)
    if not rt.relay.wait_published(outbox_id, wait_seconds):
        raise NotPublished(text.message_sid)


def _store_once(rt: ServiceRuntime, text: InboundSms) -> int:
    """The outbox row of this MessageSid's event, storing the text first if it is new."""
    try:
        with rt.db.transaction() as db:
            outbox_id = db.execute(insert(rt.outbox.table),
                                   {"envelope": dump_envelope(inbound_event(text))}).inserted_primary_key[0]
            db.execute(insert(inbound_texts), {  # a MessageSid already stored raises here
                "message_sid": text.message_sid, "from_number": text.from_number, "outbox_id": outbox_id,
                "received_at": _now()})
            _apply_keyword(db, text)
            rt.relay.watch(outbox_id)
            return outbox_id
    except IntegrityError:  # Twilio retried, or the same MessageSid raced in twice: the first one stored it
        with rt.db.reading() as db:
            return _outbox_id_of(db, text.message_sid)


def _outbox_id_of(db: Session, message_sid: str) -> int | None:
    return db.execute(select(inbound_texts.c.outbox_id)
                      .where(inbound_texts.c.message_sid == message_sid)).scalar()


def inbound_event(text: InboundSms) -> Envelope:
    """The canonical `inbound.sms` envelope for a text."""
    return make_envelope("inbound.sms", {
        "channel": "sms", "channel_message_id": text.message_sid,
        "sender": {"type": "phone", "value": text.from_number}, "text": text.body,
        "attachments": [{"content_type": m.content_type, "url": m.url} for m in text.media],
        # The number the customer texted is the one the reply should come from.
        "thread": {"sms_number": text.to_number},
        "metadata": {"segments": text.num_segments, "to": text.to_number,
                     **({"keyword": str(text.keyword)} if text.keyword else {})},
        "received_at": _now(),
    }, source=SOURCE)


def _apply_keyword(db: Session, text: InboundSms) -> None:
    """STOP opts the number out of replies; START opts it back in; HELP changes nothing."""
    number = text.from_number
    if text.keyword == Keyword.OPT_OUT:
        values = {"keyword": text.body.strip().upper(), "opted_out_at": _now()}
        if db.execute(update(opt_outs).where(opt_outs.c.number == number).values(**values)).rowcount == 0:
            db.execute(insert(opt_outs).values(number=number, **values))
    elif text.keyword == Keyword.OPT_IN:
        db.execute(delete(opt_outs).where(opt_outs.c.number == number))


def _now() -> datetime:
    return datetime.now(timezone.utc)
