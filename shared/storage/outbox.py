"""The outbox: events are written in the same transaction as the change that causes them.

A relay publishes committed rows to the broker in batches, with all of a batch's confirms
in flight together, and deletes them only once every one was confirmed,
so a crash between commit and publish loses nothing (a row may be published twice;
consumers are idempotent). Each process relays its own service's outbox: it is woken
right after a commit in that process and also polls, so rows written by another process
of the same service are never stranded. When the broker has no queue for an event (one was
deleted), the relay declares Switchboard's queues again before it retries, so one missing
queue does not hold up every later event for good.
"""

from __future__ import annotations

import os
import threading
import time

import structlog
from sqlalchemy import JSON, BigInteger, Column, DateTime, Integer, MetaData, Table, delete, func, insert, select
from sqlalchemy.orm import Session

from shared.envelopes import Envelope, dump_envelope
from shared.messaging import BrokerUnavailable, MessageBus, Unroutable
from shared.storage.database import Database

log = structlog.get_logger(__name__)


def outbox_table(metadata: MetaData, prefix: str) -> Table:
    """The `<prefix>_outbox` table of one service."""
    return Table(
        f"{prefix}_outbox",
        metadata,
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
        Column("envelope", JSON, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


class Outbox:
    """Adds envelopes to a service's outbox inside the caller's transaction."""

    def __init__(self, table: Table):
        self.table = table

    def add(self, session: Session, *envelopes: Envelope) -> None:
        """Write the envelopes in one statement (SQLAlchemy batches the rows into multi-row INSERTs)."""
        if envelopes:
            session.execute(insert(self.table), [{"envelope": dump_envelope(envelope)} for envelope in envelopes])


class OutboxRelay:
    """Publishes committed outbox rows in batches; one daemon thread per process."""

    def __init__(self, db: Database, table: Table, bus: MessageBus, *, batch_size: int = 500, poll_seconds: float = 0.5):
        self.db, self.table, self.bus = db, table, bus
        self.batch_size, self.poll_seconds = batch_size, poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._pid: int | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._watched: dict[int, threading.Event] = {}  # rows someone waits for, set once published here
        self._take = self._take_statement()
        db.on_commit(self.wake)

    def wake(self) -> None:
        """Ask the relay to publish now (starting it in this process if needed)."""
        self._ensure_started()
        self._wake.set()

    def _ensure_started(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid != os.getpid():  # a fork (gunicorn) needs its own thread
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, name=f"outbox-{self.table.name}", daemon=True)
                self._thread.start()

    def watch(self, row_id: int) -> None:
        """Ask to be told when a row is published; called in the transaction that adds it, before commit."""
        with self._lock:
            self._watched.setdefault(row_id, threading.Event())

    def wait_published(self, row_id: int, timeout: float, *, recheck_seconds: float = 0.1) -> bool:
        """Wait until a committed row has been published; False if it still waits after `timeout`.

        This process's relay says so the moment its confirms are in; a row another process
        of the service relays is seen gone from the table at the next recheck. A row watched
        before its commit cannot have been published unseen, so the table is not read first.
        """
        with self._lock:
            watched_before_commit = row_id in self._watched
            published = self._watched.setdefault(row_id, threading.Event())
        self.wake()
        deadline = time.monotonic() + timeout
        try:
            if watched_before_commit and published.wait(min(timeout, recheck_seconds)):
                return True
            while self._still_pending(row_id):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                if published.wait(min(remaining, recheck_seconds)):
                    break
            return True
        finally:
            with self._lock:
                self._watched.pop(row_id, None)

    def _still_pending(self, row_id: int) -> bool:
        with self.db.reading() as session:
            return session.execute(select(self.table.c.id).where(self.table.c.id == row_id)).first() is not None

    def stop(self) -> None:
        """Stop relaying and wait for a batch in flight, so the database can be closed after."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.poll_seconds)
            if self._stop.is_set():
                break
            self._wake.clear()
            try:
                while self.relay_once() == self.batch_size:
                    pass
            except Unroutable as error:  # e.g. a queue was deleted: declaring the topology again brings it back
                log.warning("outbox_event_unroutable", table=self.table.name, error=str(error))
                self._declare_topology()
                self._stop.wait(1.0)
            except BrokerUnavailable as error:
                log.warning("outbox_publish_failed", table=self.table.name, error=str(error))
                self._stop.wait(1.0)
            except Exception as error:  # the database may be briefly away; try again next round
                log.warning("outbox_relay_error", table=self.table.name, error=repr(error))
                self._stop.wait(1.0)

    def _declare_topology(self) -> None:
        try:
            self.bus.declare()
        except Exception as error:  # the broker may be going away too; the next round tries again
            log.warning("outbox_declare_failed", table=self.table.name, error=repr(error))

    def _take_statement(self):
        """DELETE the oldest batch_size rows RETURNING them; built once, as SQLAlchemy then keeps its cache key."""
        batch = select(self.table.c.id).order_by(self.table.c.id).limit(self.batch_size)
        if not self.db.is_sqlite:
            batch = batch.with_for_update(skip_locked=True)
        return delete(self.table).where(self.table.c.id.in_(batch)).returning(self.table.c.id, self.table.c.envelope)

    def relay_once(self) -> int:
        """Publish one batch of committed rows and delete them; return how many.

        One statement takes the batch out of the table; its transaction commits only once the
        broker confirmed every event, so a failed publish leaves all of them in place.
        """
        with self.db.transaction(notify=False) as session:
            taken = session.execute(self._take).all()
            if not taken:
                return 0
            rows = sorted(taken, key=lambda row: row.id)  # RETURNING has no order; events go out in theirs
            self.bus.publish_dumped([row.envelope for row in rows])  # stored as dump_envelope made them
        with self._lock:
            waiting = [self._watched[row.id] for row in rows if row.id in self._watched]
        for published in waiting:
            published.set()
        return len(rows)
