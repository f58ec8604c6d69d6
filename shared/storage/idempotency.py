"""Consumers remember what they processed, in the same transaction as their work."""

from __future__ import annotations

import functools

from sqlalchemy import Column, DateTime, MetaData, String, Table, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

# Both dialects Switchboard runs on can insert a row unless its key is taken, in one statement.
_INSERT_UNLESS_PRESENT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


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

    The row is written in the caller's transaction, so it only sticks if the work commits. A
    concurrent claim of the same message waits for the other transaction and then sees its row.
    """
    return bool(claim_messages(session, table, consumer, [message_id]))


def claim_messages(session: Session, table: Table, consumer: str, message_ids: list[str]) -> set[str]:
    """Claim many envelopes in one statement; the ids seen for the first time (see claim_message)."""
    if not message_ids:
        return set()
    rows = [{"consumer": consumer, "message_id": message_id} for message_id in set(message_ids)]
    claimed = session.execute(_claim_statement(session.bind.dialect.name, table), rows)
    return set(claimed.scalars())


@functools.cache
def _claim_statement(dialect: str, table: Table):
    """INSERT … ON CONFLICT DO NOTHING RETURNING message_id, with the rows passed as parameters.

    The statement carries no values of its own, so SQLAlchemy sends a batch of rows as one
    multi-row INSERT; building the rows into the statement cost several times more. It is built
    once per table, as SQLAlchemy then keeps its cache key.
    """
    return insert_unless_present(dialect, table, [table.c.consumer, table.c.message_id]).returning(table.c.message_id)


def insert_unless_present(dialect: str, table: Table, key: list):
    """INSERT … ON CONFLICT (key) DO NOTHING, on either dialect: rows whose key is taken are left as they are."""
    return _INSERT_UNLESS_PRESENT[dialect](table).on_conflict_do_nothing(index_elements=key)
