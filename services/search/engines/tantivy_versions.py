"""Versions on the tantivy index: which documents of a batch win, and the state late ones take."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

import tantivy
from tantivy import Order, Query

from services.search.engines.base import MessageDocument
from services.search.engines.tantivy_schema import message_of

# What a message carries of its conversation; the newest version of it wins.
CONVERSATION_STATE = ("status", "assignee_id", "team_id", "contact_id", "contact_name", "version")


def newest_first(docs: Sequence[MessageDocument]) -> dict[str, MessageDocument]:
    """One document per message: the highest version, the later one of equal versions."""
    latest: dict[str, MessageDocument] = {}
    for doc in docs:
        known = latest.get(doc.message_id)
        if known is None or doc.version >= known.version:
            latest[doc.message_id] = doc
    return latest


def stored_messages(
    searcher: tantivy.Searcher, schema: tantivy.Schema, message_ids: list[str]
) -> dict[str, MessageDocument]:
    """The stored documents of these messages, by id; unknown ids are left out."""
    found = searcher.search(Query.term_set_query(schema, "message_id", message_ids),
                            len(message_ids), count=False)
    stored = (message_of(searcher.doc(address)) for _, address in found.hits)
    return {doc.message_id: doc for doc in stored}


def with_newest_state(
    searcher: tantivy.Searcher, schema: tantivy.Schema,
    latest: dict[str, MessageDocument], stored: dict[str, MessageDocument],
) -> Iterator[MessageDocument]:
    """The documents to write: those not older than what is stored, and stored ones that
    fall behind their conversation; each takes its conversation's newest state."""
    kept = {
        message_id: stored[message_id]
        if message_id in stored and stored[message_id].version > doc.version else doc
        for message_id, doc in latest.items()
    }
    newest = _newest_states(searcher, schema, list(kept.values()))
    for message_id, doc in kept.items():
        state = newest[doc.conversation_id]
        caught_up = state.version > doc.version
        if caught_up:
            doc = replace(doc, **{name: getattr(state, name) for name in CONVERSATION_STATE})
        if caught_up or doc is latest[message_id]:
            yield doc


def _newest_states(
    searcher: tantivy.Searcher, schema: tantivy.Schema, docs: list[MessageDocument]
) -> dict[str, MessageDocument]:
    """Per conversation, its highest-version message among the batch and the stored ones."""
    newest: dict[str, MessageDocument] = {}
    for doc in docs:
        known = newest.get(doc.conversation_id)
        if known is None or doc.version > known.version:
            newest[doc.conversation_id] = doc
    for conversation_id, doc in newest.items():
        top = searcher.search(Query.term_query(schema, "conversation_id", conversation_id), 1,
                              count=False, order_by_field="version", order=Order.Desc).hits
        if top and top[0][0] > doc.version:
            newest[conversation_id] = message_of(searcher.doc(top[0][1]))
    return newest
