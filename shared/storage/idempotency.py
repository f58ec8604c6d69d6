"""Consumers remember what they processed, in the same transaction as their work."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, MetaData, String, Table, func, insert, select
from sqlalchemy.orm import Session


def processed_table(metadata: MetaData, prefix: str) -> Table:
    """The `<prefix>_processed_messages` table: one row per (consumer, envelope id) handled."""
    return Table(
        f"{prefix}_processed_messages",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("message_id", String(64), primary_key=True),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


def claim_message(session: Session, table: Table, consumer: str, message_id: str) -> bool:
    """True the first time (consumer, message_id) is seen in committed work, False on a redelivery.

    The row is written in the caller's transaction, so it only sticks if the work commits.
    """
    seen = session.execute(
        select(table.c.message_id).where(table.c.consumer == consumer, table.c.message_id == message_id)
    ).first()
    if seen:
        return False
    session.execute(insert(table).values(consumer=consumer, message_id=message_id))
    return True
