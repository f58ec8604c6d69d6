"""Status callbacks for replies we sent: Twilio's word, turned into a `delivery.updated` event.

Twilio may call back before the sending worker has written down the reply's MessageSid
(its answer to the send and its first callback can cross). Such a callback is kept in
`early_statuses` and applied the moment the SID is recorded. Both sides take the SID's
lock first, so whichever comes second sees what the first wrote.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import structlog
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from shared.runtime import ServiceRuntime
from shared.storage.idempotency import insert_unless_present
from shared.storage.locks import lock_until_commit
from services.sms.domain import failures
from services.sms.domain.delivery import FAILED, DeliveryUpdate
from services.sms.reports import Outcome, delivery_event
from services.sms.tables import early_statuses, outbound_texts

log = structlog.get_logger(__name__)
# A callback for a SID still unknown after this long is not for one of our replies (another app
# on the same Twilio account); it is dropped.
EARLY_STATUS_KEPT_FOR = timedelta(hours=1)


def record_status(rt: ServiceRuntime, report: DeliveryUpdate) -> None:
    """Keep the provider's latest status and tell the inbox; a repeated callback changes nothing."""
    with rt.db.transaction() as db:
        lock_provider_sid(db, report.message_sid)
        row = _reply_sent_as(db, report.message_sid)
        if row is None:
            _keep_until_recorded(db, report)
            return
        _apply(rt, db, row, report)


def lock_provider_sid(db: Session, sid: str) -> None:
    """Recording a reply's SID and taking a callback for it happen one after the other."""
    lock_until_commit(db, f"sms-provider-sid:{sid}")


def apply_early_statuses(rt: ServiceRuntime, db: Session, sid: str) -> None:
    """Apply, in the order they came, the callbacks kept for this SID before it was recorded."""
    kept = db.execute(select(early_statuses).where(early_statuses.c.provider_sid == sid)
                      .order_by(early_statuses.c.received_at)).all()
    if not kept:
        return
    db.execute(delete(early_statuses).where(early_statuses.c.provider_sid == sid))
    for report in kept:
        _apply(rt, db, _reply_sent_as(db, sid), DeliveryUpdate.of(sid, report.provider_status, report.error_code))


def _reply_sent_as(db: Session, sid: str):
    return db.execute(select(outbound_texts).where(outbound_texts.c.provider_sid == sid)).first()


def _keep_until_recorded(db: Session, report: DeliveryUpdate) -> None:
    now = datetime.now(timezone.utc)
    db.execute(delete(early_statuses).where(early_statuses.c.received_at < now - EARLY_STATUS_KEPT_FOR))
    db.execute(insert_unless_present(db.get_bind().dialect.name, early_statuses,
                                     [early_statuses.c.provider_sid, early_statuses.c.provider_status]),
               [{"provider_sid": report.message_sid, "provider_status": report.provider_status,
                 "error_code": report.error_code, "received_at": now}])
    log.info("sms.status.before_send_recorded", message_sid=report.message_sid, status=report.provider_status)


def _apply(rt: ServiceRuntime, db: Session, row, report: DeliveryUpdate) -> None:
    if (row.provider_status, row.error_code) == (report.provider_status, report.error_code):
        return
    reason = failures.undelivered_reason(report.provider_status, report.error_code) \
        if report.status == FAILED else None
    db.execute(update(outbound_texts).where(outbound_texts.c.message_id == row.message_id).values(
        provider_status=report.provider_status, error_code=report.error_code,
        reason=reason or row.reason, updated_at=datetime.now(timezone.utc)))
    outcome = Outcome(report.status, reason, report.message_sid, report.provider_status, row.segments,
                      report.error_code)
    rt.outbox.add(db, delivery_event(row.message_id, outcome))
