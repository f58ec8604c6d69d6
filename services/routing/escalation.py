"""Nothing waits forever unnoticed: conversations waiting past their team's limit are escalated."""

from __future__ import annotations

import threading
from datetime import datetime

import structlog
from sqlalchemy import desc, select, update

from shared.envelopes import make_envelope
from shared.runtime import ServiceRuntime
from services.routing.assignment import SOURCE, now, publish_decision, serialize_routing
from services.routing.domain import escalated_priority, is_overdue
from services.routing.tables import decisions, teams, waiting

log = structlog.get_logger(__name__)
CHECK_EVERY_SECONDS = 5.0


def escalate_overdue(rt: ServiceRuntime, at: datetime) -> list[str]:
    """Raise the priority of every conversation waiting longer than its team allows, once; return their ids.

    Each escalation publishes `conversation.escalated`, and `conversation.assigned` (still waiting,
    with the raised priority) so the inbox shows it; the queue's order follows the new priority.
    """
    escalated = []
    with rt.db.transaction() as db:
        serialize_routing(db)
        rows = db.execute(select(waiting, teams.c.max_wait_seconds).join(teams, teams.c.id == waiting.c.team_id)
                          .where(waiting.c.escalated.is_(False), teams.c.max_wait_seconds.is_not(None))).all()
        for row in rows:
            if is_overdue(row.waiting_since, at, row.max_wait_seconds):
                _escalate(rt, db, row, at)
                escalated.append(row.conversation_id)
    return escalated


def _escalate(rt: ServiceRuntime, db, row, at: datetime) -> None:
    priority = escalated_priority(row.priority)
    waited = (at - row.waiting_since).total_seconds()
    request = row.request
    request["payload"]["conversation"]["priority"] = priority  # kept when it is handed out later
    db.execute(update(waiting).where(waiting.c.conversation_id == row.conversation_id).values(
        priority=priority, escalated=True, request=request))
    rt.outbox.add(db, make_envelope("conversation.escalated", {
        "conversation_id": row.conversation_id, "team_id": row.team_id, "priority": priority,
        "previous_priority": row.priority, "waited_seconds": waited, "limit_seconds": row.max_wait_seconds},
        source=SOURCE))
    last = db.execute(select(decisions.c.explanation).where(decisions.c.conversation_id == row.conversation_id)
                      .order_by(desc(decisions.c.created_at)).limit(1)).scalar() or {}
    explanation = {**last, "escalation": {"from": row.priority, "to": priority, "waited_seconds": round(waited),
                                          "limit_seconds": row.max_wait_seconds}}
    labels = list(request["payload"]["conversation"].get("labels", []))
    publish_decision(rt, db, request, row.team_id, None, priority, labels, explanation)


class EscalationClock:
    """Checks for overdue waiting conversations every few seconds, beside the routing consumer.

    Runs in every process that consumes routing's queue (and in the embedded mode); the routing
    lock and the `escalated` flag make two clocks escalate each conversation once.
    """

    def __init__(self, rt: ServiceRuntime, every_seconds: float = CHECK_EVERY_SECONDS):
        self.rt, self.every_seconds = rt, every_seconds

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(self.every_seconds):
            try:
                escalate_overdue(self.rt, now())
            except Exception as error:  # the database may be briefly away; try again next round
                log.warning("escalation_check_failed", error=repr(error))

    def start(self, stop: threading.Event) -> threading.Thread:
        thread = threading.Thread(target=self.run, args=(stop,), name="routing-escalation", daemon=True)
        thread.start()
        return thread
