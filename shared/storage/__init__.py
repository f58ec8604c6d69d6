"""Storage helpers every service uses: the database, its transactions, the outbox, idempotency."""

from shared.storage.database import Database, DatabaseUnavailable
from shared.storage.idempotency import processed_table
from shared.storage.outbox import Outbox, OutboxRelay, outbox_table

__all__ = ["Database", "DatabaseUnavailable", "Outbox", "OutboxRelay", "outbox_table", "processed_table"]
