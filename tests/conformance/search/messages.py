"""Builds the customer messages the search behaviour suite indexes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from services.search.engines.base import MessageDocument, SearchEngine, SearchPage, SearchQuery

MAX_PAGES = 100
MORNING = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)

# Unrelated messages keep word statistics realistic: in a tiny index every word is
# common, and bm25 then cannot tell a strong match from a weak one.
BACKGROUND_TEXTS = [
    "My parcel arrived damaged and the box was wet",
    "Can I change the delivery address for order 5521",
    "The app logs me out every time I open settings",
    "Do you ship to Norway and how long does it take",
    "Thanks, the new password works fine now",
    "Is there a student discount on the yearly plan",
    "The invoice shows the wrong company name",
    "Please call me back tomorrow afternoon",
]


def message(message_id: str, text: str = "", *, minute: int = 0, **fields: Any) -> MessageDocument:
    """A message from Ada on email, open, in the billing team, unless fields say otherwise."""
    values: dict[str, Any] = {
        "conversation_id": "conv-1",
        "contact_id": "contact-ada",
        "contact_name": "Ada Lovelace",
        "channel": "email",
        "direction": "inbound",
        "subject": "",
        "created_at": MORNING + timedelta(minutes=minute),
        "assignee_id": None,
        "team_id": "team-billing",
        "status": "open",
        "version": 1,
    }
    values.update(fields)
    return MessageDocument(message_id=message_id, text=text, **values)


def background_messages() -> list[MessageDocument]:
    """Messages about other things, each in its own conversation, early in the day."""
    return [
        message(f"background-{n}", text, minute=-100 + n, conversation_id=f"conv-bg-{n}")
        for n, text in enumerate(BACKGROUND_TEXTS)
    ]


def store(engine: SearchEngine, *docs: MessageDocument) -> None:
    """Index messages and make them searchable at once."""
    engine.index(list(docs))
    engine.refresh()


def found_ids(engine: SearchEngine, **query: Any) -> list[str]:
    """The message ids of the first page of a search, in result order."""
    return [hit.message_id for hit in engine.search(SearchQuery(**query)).items]


def all_pages(engine: SearchEngine, **query: Any) -> list[SearchPage]:
    """Every page of a search, following cursors until the last page."""
    pages = [engine.search(SearchQuery(**query))]
    for _ in range(MAX_PAGES):
        if pages[-1].next_cursor is None:
            return pages
        pages.append(engine.search(SearchQuery(cursor=pages[-1].next_cursor, **query)))
    raise AssertionError(f"pagination did not end within {MAX_PAGES} pages")
