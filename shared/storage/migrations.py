"""Alembic for each service: its own migrations folder and its own version table.

Services share one database in the embedded mode, yet each owns its tables and its
migration history (`alembic_version_<service>`). Every process upgrades its service at
start-up under a lock, so starting several processes at once is safe.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, text

from shared.storage.database import Database


def alembic_config(db: Database, service: str, migrations_dir: Path, metadata: MetaData) -> Config:
    """An Alembic configuration for one service, without an alembic.ini."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("version_table", f"alembic_version_{service}")
    config.attributes["engine"] = db.engine
    config.attributes["metadata"] = metadata
    return config


def upgrade(db: Database, service: str, migrations_dir: Path, metadata: MetaData) -> None:
    """Bring the service's tables to the newest revision."""
    config = alembic_config(db, service, migrations_dir, metadata)
    if db.is_sqlite:
        command.upgrade(config, "head")
        return
    with db.engine.connect() as conn:  # one upgrader at a time across processes
        conn.execute(text("SELECT pg_advisory_lock(hashtext(:name))"), {"name": f"switchboard-{service}"})
        try:
            command.upgrade(config, "head")
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(hashtext(:name))"), {"name": f"switchboard-{service}"})
            conn.commit()


def run_migrations_env() -> None:
    """The body of every service's `migrations/env.py`."""
    config = context.config
    engine = config.attributes["engine"]
    metadata = config.attributes["metadata"]

    def owned(name, type_, _parent_names) -> bool:  # other services' tables are not ours to diff
        return type_ != "table" or name in metadata.tables

    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            include_name=owned,
            version_table=config.get_main_option("version_table"),
            render_as_batch=engine.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
