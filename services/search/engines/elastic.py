"""Switchboard's production search engine, on an Elasticsearch 8.x or 9.x cluster."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from elasticsearch import BadRequestError, Elasticsearch
from elasticsearch.helpers import bulk

from services.search.engines.base import (
    UNSET,
    InvalidQuery,
    MessageDocument,
    SearchPage,
    SearchQuery,
    SearchUnavailable,
    Unset,
)
from services.search.engines.cursors import decode_cursor, encode_cursor, sort_shape
from services.search.engines.elastic_connection import (
    check_bulk_failures,
    connect_elasticsearch,
    unavailable_on_failure,
)
from services.search.engines.elastic_indices import (
    drop_indices,
    ensure_indices,
    finish_rebuild,
    rebuild_index,
    start_rebuild,
)
from services.search.engines.elastic_layout import IndexNames
from services.search.engines.elastic_requests import (
    conversation_change,
    hit_of,
    newest_states_request,
    search_request,
    upsert_action,
    with_newest_states,
)
from services.search.engines.search_input import (
    check_search_query,
    conversation_changes,
    split_query_words,
)

# update_by_query skips a message that changed under it; each retry picks those up.
CONVERSATION_UPDATE_ATTEMPTS = 5


class ElasticsearchEngine:
    """Searches messages in Elasticsearch through a read alias and a write alias."""

    def __init__(self, url: str, *, prefix: str = "switchboard") -> None:
        self._url = url
        self._names = IndexNames(prefix)
        self._lock = threading.Lock()
        self._client: Elasticsearch | None = None
        self._indices_ready = False

    def index(self, docs: Sequence[MessageDocument], refresh: bool = False) -> None:
        """Upsert documents; a document never replaces one with a higher version."""
        actions = [upsert_action(self._names, doc) for doc in self._caught_up(list(docs))]
        self._bulk(actions, refresh=refresh)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Elasticsearch has no transactions: every write inside goes out as it is made."""
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
        request = conversation_change(conversation_id, version, changes)
        client, targets = self._ready(), [self._names.read_alias, self._names.write_alias]
        with unavailable_on_failure():
            for _ in range(CONVERSATION_UPDATE_ATTEMPTS):
                # update_by_query sees only refreshed documents; messages indexed a
                # moment ago belong to the conversation too.
                client.indices.refresh(index=targets)
                result = client.update_by_query(index=targets, conflicts="proceed", **request)
                if not result["version_conflicts"]:
                    return
        raise SearchUnavailable(f"conversation {conversation_id} kept changing during the update")

    def delete(self, message_ids: Sequence[str]) -> None:
        """Remove messages from search; unknown ids are ignored."""
        actions = [
            {"_op_type": "delete", "_index": self._names.write_alias, "_id": message_id}
            for message_id in message_ids
        ]
        self._bulk(actions, refresh=False, ignore_status=(404,))

    def search(self, query: SearchQuery) -> SearchPage:
        """Answer one page of a search; raises InvalidQuery for a bad cursor or limit."""
        check_search_query(query)
        words = split_query_words(query.q)
        after = decode_cursor(query.cursor, sort_shape(bool(words))) if query.cursor else None
        request = search_request(self._names, query, words, after)
        client = self._ready()
        try:
            with unavailable_on_failure():
                response = client.search(**request)
        except BadRequestError as error:
            raise InvalidQuery(f"Elasticsearch refused the search: {error.message}") from error
        hits = response["hits"]["hits"]
        page = hits[: query.limit]
        more = len(hits) > query.limit
        return SearchPage(
            items=[hit_of(raw) for raw in page],
            total=response["hits"]["total"]["value"],
            next_cursor=encode_cursor(page[-1]["sort"]) if more else None,
        )

    def refresh(self) -> None:
        """Make every write so far visible to searches (tests; ES refreshes every second)."""
        client = self._ready()
        with unavailable_on_failure():
            client.indices.refresh(index=[self._names.read_alias, self._names.write_alias])

    def reindex_into_new_index(self) -> str:
        """Rebuild into <prefix>-messages-<timestamp> (after a mapping change); return it."""
        client = self._ready()
        with unavailable_on_failure():
            return rebuild_index(client, self._names)

    def start_rebuild(self) -> str:
        """Send writes to a fresh index (searches still read the old one); resumes an unfinished rebuild."""
        client = self._ready()
        with unavailable_on_failure():
            return start_rebuild(client, self._names)

    def finish_rebuild(self) -> None:
        """Let searches read the rebuilt index, atomically, and drop the old one."""
        client = self._ready()
        with unavailable_on_failure():
            finish_rebuild(client, self._names)

    def check_health(self) -> None:
        """Raise SearchUnavailable unless the cluster can serve the messages index."""
        client = self._ready()
        with unavailable_on_failure():
            health = client.cluster.health(index=self._names.read_alias)
        if health["status"] == "red":
            raise SearchUnavailable("Elasticsearch reports the messages index as red")

    def reset(self) -> None:
        """Drop this installation's indices and template; the next call recreates them."""
        client = self._connected()
        with self._lock, unavailable_on_failure():
            drop_indices(client, self._names)
            self._indices_ready = False

    def close(self) -> None:
        """Close the connection pool."""
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def _caught_up(self, docs: list[MessageDocument]) -> list[MessageDocument]:
        """Docs with their conversation's newest stored state (one search per batch)."""
        if not docs:
            return docs
        conversation_ids = sorted({doc.conversation_id for doc in docs})
        client = self._ready()
        with unavailable_on_failure():
            response = client.search(**newest_states_request(self._names, conversation_ids))
        return with_newest_states(docs, response)

    def _bulk(self, actions: list[dict[str, Any]], refresh: bool, **options: Any) -> None:
        if not actions:
            return
        client = self._ready()
        with unavailable_on_failure():
            _, errors = bulk(
                client,
                actions,
                raise_on_error=False,
                max_retries=3,
                initial_backoff=0.5,
                refresh="wait_for" if refresh else None,
                **options,
            )
        check_bulk_failures(errors)

    def _connected(self) -> Elasticsearch:
        with self._lock:
            if self._client is None:
                self._client = connect_elasticsearch(self._url)
            return self._client

    def _ready(self) -> Elasticsearch:
        """The client, once the template, the first index and both aliases exist."""
        client = self._connected()
        with self._lock:
            if not self._indices_ready:
                with unavailable_on_failure():
                    ensure_indices(client, self._names)
                self._indices_ready = True
        return client

