"""Switchboard's embedded search engine: SQLite FTS5 in one file, nothing to install."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from services.search.engines.base import (
    UNSET,
    MessageDocument,
    SearchPage,
    SearchQuery,
    SearchUnavailable,
    Unset,
)
from services.search.engines.cursors import decode_cursor, encode_cursor, sort_shape
from services.search.engines.search_input import (
    check_search_query,
    conversation_changes,
    split_query_words,
)
from services.search.engines.sqlite_rows import CATCH_UP, UPSERT, hit_of, row_of, sort_key_of
from services.search.engines.sqlite_schema import BUSY_TIMEOUT_MS, open_search_database
from services.search.engines.sqlite_search import (
    Statement,
    count_statement,
    filter_clauses,
    match_expression,
    page_statement,
    snippet_statement,
)

class EmbeddedSearchEngine:
    """Searches messages with SQLite FTS5; safe across threads and, on a file, processes."""

    def __init__(self, path: str, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
        self._lock = threading.RLock()
        self._path = path
        try:
            self._db = open_search_database(path, busy_timeout_ms)
        except (sqlite3.Error, OSError) as error:
            raise SearchUnavailable(f"cannot open search database {path}: {error}") from error

    def index(self, docs: Sequence[MessageDocument]) -> None:
        """Upsert documents; a document never replaces one with a higher version."""
        rows = [row_of(doc) for doc in docs]
        batch = {"conversations": json.dumps(sorted({doc.conversation_id for doc in docs})),
                 "messages": json.dumps([doc.message_id for doc in docs])}
        with self._transaction("BEGIN IMMEDIATE") as db:
            db.executemany(UPSERT, rows)
            db.execute(CATCH_UP, batch)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Every write inside is one transaction, committed when the block ends."""
        with self._transaction("BEGIN IMMEDIATE"):
            yield

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
        changes = conversation_changes(status, assignee_id, team_id, contact_id, contact_name)
        assignments = "".join(f"{name} = :{name}, " for name in changes)
        with self._transaction("BEGIN IMMEDIATE") as db:
            db.execute(
                f"UPDATE messages SET {assignments}version = :version"
                " WHERE conversation_id = :conversation_id AND version < :version",
                {**changes, "version": version, "conversation_id": conversation_id},
            )

    def delete(self, message_ids: Sequence[str]) -> None:
        """Remove messages from search; unknown ids are ignored."""
        with self._transaction("BEGIN IMMEDIATE") as db:
            db.executemany("DELETE FROM messages WHERE message_id = ?", [(m,) for m in message_ids])

    def search(self, query: SearchQuery) -> SearchPage:
        """Answer one page of a search; raises InvalidQuery for a bad cursor or limit."""
        check_search_query(query)
        words = split_query_words(query.q)
        after = decode_cursor(query.cursor, sort_shape(bool(words))) if query.cursor else None
        match = match_expression(words)
        if words and match is None:
            return SearchPage(items=[], total=0, next_cursor=None)
        filters = filter_clauses(query)
        # One read transaction, so that the page and the total see the same snapshot.
        with self._transaction("BEGIN") as db:
            rows = _run(db, page_statement(match, filters, after, query.limit + 1)).fetchall()
            total = _run(db, count_statement(match, filters)).fetchone()[0]
            page = rows[: query.limit]
            snippets = self._snippets(db, match, page)
        items = [hit_of(row, snippets.get(row["row"])) for row in page]
        if len(rows) <= query.limit:
            return SearchPage(items, total, next_cursor=None)
        last = sort_key_of(page[-1], ranked=match is not None)
        return SearchPage(items, total, next_cursor=encode_cursor(last))

    def refresh(self) -> None:
        """Nothing to do: a write is visible to searches as soon as it commits."""

    def start_rebuild(self) -> str:
        """Rebuilding writes over the same file (versions keep it right); name it."""
        return self._path

    def finish_rebuild(self) -> None:
        """Nothing to swap: every rebuilt message was visible as soon as it was written."""

    def check_health(self) -> None:
        """Raise SearchUnavailable unless the database answers."""
        with self._transaction("BEGIN") as db:
            db.execute("SELECT count(*) FROM messages_fts WHERE rowid = 0").fetchone()

    def reset(self) -> None:
        """Drop every document, so that tests start from nothing."""
        with self._transaction("BEGIN IMMEDIATE") as db:
            db.execute("DELETE FROM messages")

    def close(self) -> None:
        """Close the database; later calls raise SearchUnavailable."""
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[sqlite3.Connection]:
        """One transaction; inside another of this thread (the lock is re-entrant), a part of it."""
        with self._lock:
            try:
                if self._db.in_transaction:
                    yield self._db
                    return
                self._db.execute(begin)
                try:
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.Error as error:
                raise SearchUnavailable(f"embedded search failed: {error}") from error

    @staticmethod
    def _snippets(
        db: sqlite3.Connection, match: str | None, page: list[sqlite3.Row]
    ) -> dict[int, str]:
        if match is None or not page:
            return {}
        statement = snippet_statement(match, [row["row"] for row in page])
        return {rowid: marked for rowid, marked in _run(db, statement)}


def _run(db: sqlite3.Connection, statement: Statement) -> sqlite3.Cursor:
    return db.execute(statement.sql, statement.params)
