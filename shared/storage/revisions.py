"""Writing a new migration for one service (`switchboard db revision <service> -m "..."`)."""

from __future__ import annotations

import importlib
import tempfile
from pathlib import Path

from alembic import command

from shared.storage.database import Database
from shared.storage.migrations import alembic_config, upgrade


def make_revision(service: str, message: str) -> None:
    """Autogenerate a revision by diffing the service's tables against a scratch SQLite database."""
    tables = importlib.import_module(f"services.{service}.tables")
    migrations = Path(importlib.import_module(f"services.{service}").__file__).parent / "migrations"
    (migrations / "versions").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        db = Database(f"sqlite:///{scratch}/scratch.db")
        upgrade(db, service, migrations, tables.metadata)
        config = alembic_config(db, service, migrations, tables.metadata)
        command.revision(config, message=message, autogenerate=True, rev_id=None)
        db.dispose()
