"""`switchboard search reindex`: rebuild the search index from the inbox's store, resumably.

The inbox owns the messages; search reads them through the inbox's admin export
(`GET /api/v1/internal/export/messages`), page by page, oldest first. After each page
the position is saved in a checkpoint file, so an interrupted rebuild continues where
it stopped. On Elasticsearch the pages go into a fresh index behind the write alias
while searches keep reading the old one; the read alias moves when the copy is done.
Versions make every write safe to repeat, and live indexing may run meanwhile.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from marshmallow import ValidationError

from shared.envelopes import MessageStoredSchema
from services.search.engines.base import SearchEngine
from services.search.indexing import document_from_event

EXPORT_PATH = "/api/v1/internal/export/messages"
PAGE_SIZE = 500
REQUEST_TIMEOUT_SECONDS = 60


class ReindexFailed(Exception):
    """The rebuild stopped; the checkpoint is kept, so running it again resumes."""


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None
    total: int


@dataclass
class Checkpoint:
    """Where an unfinished rebuild stopped: its target index, the export cursor, the count so far."""

    path: Path

    def read(self, target: str) -> tuple[str | None, int]:
        """The cursor and count to resume from, when the saved rebuild is this target's."""
        try:
            saved = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return None, 0
        if not isinstance(saved, dict) or saved.get("target") != target:
            return None, 0
        return saved.get("cursor"), int(saved.get("indexed", 0))

    def save(self, target: str, cursor: str, indexed: int) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".tmp")
        partial.write_text(json.dumps({"target": target, "cursor": cursor, "indexed": indexed}))
        partial.replace(self.path)  # atomic: a crash leaves the old checkpoint or the new one

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


class InboxExport:
    """Pages of the inbox's messages over HTTP, with an admin token."""

    def __init__(self, inbox_url: str, token: str, page_size: int = PAGE_SIZE):
        self.url, self.page_size = inbox_url.rstrip("/") + EXPORT_PATH, page_size
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def page(self, after: str | None) -> Page:
        params = {"limit": self.page_size} | ({"after": after} if after else {})
        try:
            answer = self.session.get(self.url, params=params, timeout=REQUEST_TIMEOUT_SECONDS)
        except requests.RequestException as error:
            raise ReindexFailed(f"the inbox at {self.url} did not answer: {error}") from error
        if answer.status_code != 200:
            raise ReindexFailed(f"the inbox refused the export ({answer.status_code}): {answer.text[:300]}")
        body = answer.json()
        return Page(body["items"], body["next_cursor"], body["total"])

    def close(self) -> None:
        self.session.close()


def pages_after(export: InboxExport, cursor: str | None) -> Iterator[Page]:
    """Every page of the export after the cursor."""
    while True:
        page = export.page(cursor)
        yield page
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def reindex(engine: SearchEngine, export: InboxExport, checkpoint: Checkpoint,
            progress: Callable[[int, int], None] = lambda done, total: None) -> int:
    """Index every message of the inbox; report progress as (indexed so far, total); return the count."""
    target = engine.start_rebuild()
    cursor, indexed = checkpoint.read(target)
    for page in pages_after(export, cursor):
        engine.index([document_from_event(_loaded(item)) for item in page.items])
        indexed += len(page.items)
        if page.next_cursor is not None:
            checkpoint.save(target, page.next_cursor, indexed)
        progress(indexed, max(page.total, indexed))
    engine.finish_rebuild()
    checkpoint.clear()
    return indexed


def _loaded(item: dict[str, Any]) -> dict[str, Any]:
    try:
        return MessageStoredSchema().load(item)
    except ValidationError as error:
        raise ReindexFailed(f"the inbox exported a message search cannot read: {error.messages}") from error
