"""Switchboard's embedded search engine: a tantivy index in one folder, nothing to install.

The search service's HTTP processes only read; its consumer and `switchboard search
reindex` write, one at a time (see tantivy_writer). Every write is committed before it
returns (the writes of a `batch()` together, once, at its end), and readers see a
commit on their next search.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace

import tantivy
from tantivy import Occur, Query

from services.search.engines.base import (
    UNSET,
    MessageDocument,
    SearchHit,
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
from services.search.engines.sqlite_search import from_microseconds
from services.search.engines.tantivy_index import FreshSearchers, open_index
from services.search.engines.tantivy_paging import Hit, hits_after
from services.search.engines.tantivy_queries import (
    all_of,
    filter_queries,
    up_to,
    words_query,
)
from services.search.engines.tantivy_schema import (
    message_of,
    message_schema,
    stored_document,
    words_analyzer,
)
from services.search.engines.tantivy_snippets import Snippets
from services.search.engines.tantivy_versions import newest_first, stored_messages, with_newest_state
from services.search.engines.tantivy_writer import SharedWriter, WriterBusy

BUSY_TIMEOUT_S = 10.0
_FAILURES = (ValueError, OSError, WriterBusy)


class TantivySearchEngine:
    """Searches messages with tantivy; safe across threads, and across processes on a folder."""

    def __init__(self, path: str, *, busy_timeout_s: float = BUSY_TIMEOUT_S) -> None:
        self._path = path
        self._schema = message_schema()
        self._analyzer = words_analyzer()
        try:
            index = open_index(path)
        except (ValueError, OSError) as error:
            raise SearchUnavailable(f"cannot open search index {path}: {error}") from error
        self._searchers = FreshSearchers(index, path)
        self._writer = SharedWriter(index, path, busy_timeout_s=busy_timeout_s,
                                    after_commit=self._searchers.reload)
        self._closed = threading.Event()

    def index(self, docs: Sequence[MessageDocument]) -> None:
        """Upsert documents; a document never replaces one with a higher version."""
        latest = newest_first(docs)
        if not latest:
            return
        with self._writing() as writer:
            searcher = self._searchers.current()
            stored = stored_messages(searcher, self._schema, list(latest))
            for doc in with_newest_state(searcher, self._schema, latest, stored):
                if doc.message_id in stored:
                    writer.delete_documents_by_term("message_id", doc.message_id)
                writer.add_document(stored_document(doc))

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
        older = Query.boolean_query([
            (Occur.Must, Query.term_query(self._schema, "conversation_id", conversation_id)),
            (Occur.Must, Query.range_query(self._schema, "version", tantivy.FieldType.Integer,
                                           None, version, include_upper=False)),
        ])
        with self._writing() as writer:
            searcher = self._searchers.current()
            for address in _every_match(searcher, older):
                doc = message_of(searcher.doc(address))
                writer.delete_documents_by_term("message_id", doc.message_id)
                writer.add_document(stored_document(replace(doc, **changes, version=version)))

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Every write inside is committed once, together, when the block ends."""
        with self._writing():
            yield

    def delete(self, message_ids: Sequence[str]) -> None:
        """Remove messages from search; unknown ids are ignored."""
        if not message_ids:
            return
        with self._writing() as writer:
            for message_id in message_ids:
                writer.delete_documents_by_term("message_id", message_id)

    def search(self, query: SearchQuery) -> SearchPage:
        """Answer one page of a search; raises InvalidQuery for a bad cursor or limit."""
        check_search_query(query)
        words = split_query_words(query.q)
        after = decode_cursor(query.cursor, sort_shape(bool(words))) if query.cursor else None
        matching = words_query(self._schema, self._analyzer, words)
        filters = filter_queries(self._schema, query)
        if (words and matching is None) or filters is None:
            return SearchPage(items=[], total=0, next_cursor=None)
        ranked = matching is not None
        found = all_of([matching, *filters] if ranked else filters)
        # Newest first continues at the cursor's time: no need to walk past pages again.
        walked = found if ranked or after is None else all_of(
            [found, up_to(self._schema, int(after[0]))])
        with self._reading() as searcher:
            hits, total = hits_after(searcher, walked, ranked=ranked, after=after, size=query.limit + 1)
            if walked is not found:
                total = searcher.search(found, 1, count=True).count
            snippets = Snippets(searcher, self._schema, matching)
            items = [_search_hit(hit, snippets) for hit in hits[: query.limit]]
        if len(hits) <= query.limit:
            return SearchPage(items, total, next_cursor=None)
        return SearchPage(items, total, next_cursor=encode_cursor(hits[query.limit - 1].sort_key))

    def refresh(self) -> None:
        """Every write is committed before it returns; make sure searches read the last commit."""
        with self._reading():
            self._searchers.reload()

    def start_rebuild(self) -> str:
        """Rebuilding writes over the same index (versions keep it right); name it."""
        return self._path

    def finish_rebuild(self) -> None:
        """Nothing to swap: every rebuilt message was visible as soon as it was written."""

    def check_health(self) -> None:
        """Raise SearchUnavailable unless the index can be read (readers never take the writer)."""
        with self._reading() as searcher:
            searcher.search(Query.all_query(), 1, count=False)

    def reset(self) -> None:
        """Drop every document, so that tests start from nothing."""
        with self._writing() as writer:
            writer.delete_all_documents()

    def close(self) -> None:
        """Give the writer back; later calls raise SearchUnavailable."""
        self._closed.set()
        self._writer.close()

    @contextmanager
    def _reading(self) -> Iterator[tantivy.Searcher]:
        self._check_open()
        try:
            yield self._searchers.current()
        except _FAILURES as error:
            raise SearchUnavailable(f"embedded search failed: {error}") from error

    @contextmanager
    def _writing(self) -> Iterator[tantivy.IndexWriter]:
        self._check_open()
        try:
            with self._writer.writing() as writer:
                yield writer
        except _FAILURES as error:
            raise SearchUnavailable(f"embedded search failed: {error}") from error

    def _check_open(self) -> None:
        if self._closed.is_set():
            raise SearchUnavailable("the search engine is closed")


def _every_match(searcher: tantivy.Searcher, query: tantivy.Query) -> list[tantivy.DocAddress]:
    count = searcher.search(query, 1, count=True).count
    return [] if count == 0 else [address for _, address in searcher.search(query, count).hits]


def _search_hit(hit: Hit, snippets: Snippets) -> SearchHit:
    doc = hit.stored
    return SearchHit(
        message_id=doc.get_first("message_id"),
        conversation_id=doc.get_first("conversation_id"),
        contact_id=doc.get_first("contact_id"),
        contact_name=doc.get_first("contact_name"),
        channel=doc.get_first("channel"),
        created_at=from_microseconds(doc.get_first("created_at_us")),
        snippet=snippets.of(doc),
    )
