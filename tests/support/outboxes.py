"""An outbox table of its own for tests of the outbox and its relay."""

from sqlalchemy import MetaData

from shared.storage import Database, Outbox, outbox_table


def fresh_outbox(db: Database) -> Outbox:
    """A `tests_outbox` table created in db, and the Outbox writing to it."""
    metadata = MetaData()
    table = outbox_table(metadata, "tests")
    metadata.create_all(db.engine)
    return Outbox(table)
