"""Snoozed conversations wake up when their time comes: a sweep that runs every few seconds.

The sweep runs beside the inbox's consumers (its consumer process, or the embedded mode).
Several processes may sweep at once: rows are claimed with `FOR UPDATE SKIP LOCKED` and the
change is conditional on the row still being snoozed, so each conversation wakes once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

import structlog
from sqlalchemy import select, update

from shared.runtime import ServiceRuntime
from services.inbox.events import conversation_row, conversation_updated, notify_agents, now, record_activity
from services.inbox.tables import conversations

log = structlog.get_logger(__name__)
BATCH = 200


def wake_due(rt: ServiceRuntime, at: datetime | None = None) -> int:
    """Reopen every snoozed conversation whose wake-up time is `at` or earlier; how many woke."""
    at = at or now()
    with rt.db.transaction() as db:
        due = db.execute(select(conversations.c.id, conversations.c.snoozed_until, conversations.c.version)
                         .where(conversations.c.status == "snoozed", conversations.c.snoozed_until <= at)
                         .order_by(conversations.c.snoozed_until).limit(BATCH)
                         .with_for_update(skip_locked=True)).all()
        for row in due:
            db.execute(update(conversations).where(conversations.c.id == row.id).values(
                status="open", snoozed_until=None, version=row.version + 1, updated_at=now()))
            record_activity(db, row.id, "system", "woke_up", snoozed_until=row.snoozed_until.isoformat())
            notify_agents(db, "conversation.updated", conversation_row(db, row.id), changes=["status"])
            conversation_updated(rt, db, row.id, ["status"])
    return len(due)


@dataclass
class PeriodicTask:
    """Runs `task()` every `every` seconds in a daemon thread until stopped (started like a Worker)."""

    name: str
    task: Callable[[], object]
    every: float

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(self.every):
            try:
                self.task()
            except Exception as error:  # the next round tries again; a sweep must never die
                log.warning("periodic_task_failed", task=self.name, error=repr(error))

    def start(self, stop: threading.Event) -> threading.Thread:
        thread = threading.Thread(target=self.run, args=(stop,), name=self.name, daemon=True)
        thread.start()
        return thread
