"""The one interface every Switchboard search engine implements, and the values it speaks."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol

CHANNELS = frozenset({"email", "sms", "chat"})
DIRECTIONS = frozenset({"inbound", "outbound"})


class Unset(enum.Enum):
    """Marks an argument that was not given, so that None can mean "unassigned"."""

    UNSET = "UNSET"


UNSET = Unset.UNSET


class SearchUnavailable(Exception):
    """The search backend cannot answer now; retrying later is safe."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class InvalidQuery(Exception):
    """The caller asked for something no engine can answer (bad cursor, limit, date)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class DocumentRejected(Exception):
    """The backend refused a document for good; retrying the same one will not help."""


@dataclass(frozen=True)
class MessageDocument:
    """One message as search sees it, with its conversation and contact context."""

    message_id: str
    conversation_id: str
    contact_id: str
    contact_name: str
    channel: str
    direction: str
    text: str
    subject: str
    created_at: datetime
    assignee_id: str | None
    team_id: str | None
    status: str
    # One counter per conversation, shared with update_conversation: higher wins.
    version: int

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.channel!r}")
        if self.direction not in DIRECTIONS:
            raise ValueError(f"unknown direction {self.direction!r}")
        if self.created_at.tzinfo is None:
            raise ValueError("created_at must be timezone-aware")
        object.__setattr__(self, "created_at", self.created_at.astimezone(timezone.utc))


@dataclass(frozen=True)
class SearchQuery:
    """What an agent or admin asks for; visible_team_ids is None for admins."""

    q: str = ""
    channel: str | None = None
    contact_id: str | None = None
    conversation_id: str | None = None
    assignee_id: str | None = None
    status: str | None = None
    # created_from is inclusive and created_to exclusive, so windows never overlap.
    created_from: datetime | None = None
    created_to: datetime | None = None
    visible_team_ids: frozenset[str] | None = None
    visible_assignee_id: str | None = None
    cursor: str | None = None
    limit: int = 20


@dataclass(frozen=True)
class SearchHit:
    """One found message; snippet is HTML-escaped with matches inside <mark>."""

    message_id: str
    conversation_id: str
    contact_id: str
    contact_name: str
    channel: str
    created_at: datetime
    snippet: str


@dataclass(frozen=True)
class SearchPage:
    """One page of hits, the total over all pages, and the cursor of the next page."""

    items: list[SearchHit]
    total: int
    next_cursor: str | None


class SearchEngine(Protocol):
    """Indexes Switchboard messages and answers searches over them.

    Results are ordered by relevance when q is not empty, then newest first, then
    message_id ascending. Words of q are all required; no query syntax is honoured.
    """

    def index(self, docs: Sequence[MessageDocument]) -> None:
        """Upsert documents; a document never replaces one with a higher version.

        A document older than its conversation's stored messages takes their newer
        conversation state (status, owner, team, contact) and version.
        """

    def update_conversation(
        self,
        conversation_id: str,
        *,
        version: int,
        status: str | None = None,
        assignee_id: str | None | Unset = UNSET,
        team_id: str | None | Unset = UNSET,
        contact_id: str | None = None,
        contact_name: str | None = None,
    ) -> None:
        """Apply a conversation change or contact merge to its messages older than version."""

    def batch(self) -> AbstractContextManager[None]:
        """Group the writes inside into one commit, where the engine has commits (tantivy, SQLite).

        A batch that raises leaves those engines as they were.
        """

    def delete(self, message_ids: Sequence[str]) -> None:
        """Remove messages from search; unknown ids are ignored."""

    def search(self, query: SearchQuery) -> SearchPage:
        """Answer one page of a search; raises InvalidQuery for a bad cursor or limit."""

    def refresh(self) -> None:
        """Make every write so far visible to searches."""

    def start_rebuild(self) -> str:
        """Prepare a rebuild from the inbox's store (resuming an unfinished one); name its target."""

    def finish_rebuild(self) -> None:
        """Make the rebuilt index the one searches read, with no moment without results."""

    def check_health(self) -> None:
        """Raise SearchUnavailable unless the engine can index and search now."""

    def reset(self) -> None:
        """Drop every document, so that tests start from nothing."""

    def close(self) -> None:
        """Release connections; the engine is unusable afterwards."""
