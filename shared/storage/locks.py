"""Making two transactions about the same thing run one after the other."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session


def lock_until_commit(db: Session, key: str) -> None:
    """Hold a lock named `key` until this transaction ends; another transaction asking for it waits.

    For facts that two transactions must each see from the other although neither has a row
    to lock yet. PostgreSQL takes a transaction-scoped advisory lock. On SQLite a writing
    transaction holds the whole database's write lock from its BEGIN, which this makes sure
    has happened.
    """
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})
    else:
        db.connection()
