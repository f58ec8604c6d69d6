"""What each service's composition root builds: its database, bus, outbox and relay."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import MetaData, Table

from shared.config import Settings
from shared.messaging import MessageBus
from shared.storage import Database, Outbox, OutboxRelay
from shared.storage.migrations import upgrade


@dataclass
class ServiceRuntime:
    """The infrastructure one service uses; built at start-up, never at import."""

    name: str
    settings: Settings
    db: Database
    bus: MessageBus
    outbox: Outbox
    relay: OutboxRelay
    processed: Table
    extras: dict = field(default_factory=dict)

    def close(self) -> None:
        self.relay.stop()
        self.bus.close()
        self.db.dispose()


def build_runtime(name: str, settings: Settings, metadata: MetaData, migrations_dir: Path,
                  *, outbox: Table, processed: Table, migrate: bool = True) -> ServiceRuntime:
    """Connect a service to its database (migrated to the newest revision) and the broker."""
    db = Database(settings.database_url)
    if migrate:
        upgrade(db, name, migrations_dir, metadata)
    bus = MessageBus(settings.broker_url)
    relay = OutboxRelay(db, outbox, bus)
    return ServiceRuntime(name, settings, db, bus, Outbox(outbox), relay, processed)
