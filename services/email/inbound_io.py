"""How taking in a mail reaches the database and the broker: per mail, or gathered across SMTP sessions."""

from __future__ import annotations

from typing import Protocol, Sequence

from shared.envelopes import Envelope
from shared.runtime import ServiceRuntime
from services.email import thread_keys
from services.email.grouped_calls import GroupedCalls

# Mails whose thread lookups share one query; each may name up to ~200 ids (References).
LOOKUP_BATCH = 32


class InboundIO(Protocol):
    def find_conversation(self, ids: Sequence[str]) -> str | None:
        """The conversation of the first id known, in the order given."""

    def publish(self, envelope: Envelope) -> None:
        """Return once the broker confirmed the envelope; raise BrokerUnavailable if it did not."""


class DirectIO:
    """One query and one confirmed publish per mail (the webhook, one mail at a time)."""

    def __init__(self, rt: ServiceRuntime):
        self.rt = rt

    def find_conversation(self, ids: Sequence[str]) -> str | None:
        if not thread_keys.usable_ids(ids):
            return None
        with self.rt.db.reading() as db:
            return thread_keys.find_conversation(db, ids)

    def publish(self, envelope: Envelope) -> None:
        self.rt.bus.publish([envelope])


class GroupedIO:
    """The SMTP sessions' lookups and publishes gathered: one query and one confirmed batch for many mails."""

    def __init__(self, rt: ServiceRuntime):
        self.rt = rt
        self._lookups = GroupedCalls(self._find_many, name="email-thread-lookups", max_batch=LOOKUP_BATCH)
        self._publishes = GroupedCalls(self._publish_many, name="email-publisher")

    def find_conversation(self, ids: Sequence[str]) -> str | None:
        return self._lookups.call(list(ids)) if thread_keys.usable_ids(ids) else None

    def publish(self, envelope: Envelope) -> None:
        self._publishes.call(envelope)

    def stop(self) -> None:
        """Finish the lookups and publishes in flight, then end their threads."""
        self._lookups.stop()
        self._publishes.stop()

    def _find_many(self, id_lists: list[list[str]]) -> list[str | None]:
        with self.rt.db.reading() as db:
            return thread_keys.find_conversations(db, id_lists)

    def _publish_many(self, envelopes: list[Envelope]) -> list[None]:
        self.rt.bus.publish(envelopes)
        return [None] * len(envelopes)
