"""Status callbacks for replies we sent: Twilio's word, turned into a `delivery.updated` event."""

from __future__ import annotations

from datetime import datetime, timezone

import structlog
from sqlalchemy import select, update

from shared.runtime import ServiceRuntime
from services.sms.domain import failures
from services.sms.domain.delivery import FAILED, DeliveryUpdate
from services.sms.sending import Outcome, delivery_event
from services.sms.tables import outbound_texts

log = structlog.get_logger(__name__)


def record_status(rt: ServiceRuntime, report: DeliveryUpdate) -> None:
    """Keep the provider's latest status and tell the inbox; a repeated callback changes nothing."""
    with rt.db.transaction() as db:
        row = db.execute(select(outbound_texts).where(outbound_texts.c.provider_sid == report.message_sid)).first()
        if row is None:  # not one of ours (another app on the account), or already forgotten
            log.info("sms.status.unknown_message", message_sid=report.message_sid, status=report.provider_status)
            return
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
