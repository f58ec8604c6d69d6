"""Translates Switchboard searches and writes into Elasticsearch requests, and hits back."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from services.search.engines.base import MessageDocument, SearchHit, SearchQuery
from services.search.engines.cursors import SortKey
from services.search.engines.elastic_layout import IndexNames
from services.search.engines.snippets import (
    MARK_CLOSE,
    MARK_OPEN,
    SNIPPET_CHARACTERS,
    plain_snippet,
    indexable_text,
)

SEARCHED_FIELDS = ["subject^2", "text"]
_EQUALITY_FILTERS = ("channel", "contact_id", "conversation_id", "assignee_id", "status")
_HIT_FIELDS = ["message_id", "conversation_id", "contact_id", "contact_name", "channel",
               "created_at", "text"]

# Scripts compare the version kept in _source, so that index and update_conversation
# follow one rule: the higher producer version wins, an equal one is a redelivery.
KEEP_NEWEST = (
    "if (ctx._source.version == null || params.doc.version >= ctx._source.version)"
    " { ctx._source.clear(); ctx._source.putAll(params.doc); } else { ctx.op = 'noop'; }"
)
APPLY_CONVERSATION_CHANGE = (
    "if (ctx._source.version < params.version)"
    " { ctx._source.putAll(params.changes); ctx._source.version = params.version; }"
    " else { ctx.op = 'noop'; }"
)


def source_of(doc: MessageDocument) -> dict[str, Any]:
    """The stored JSON of one message."""
    return {
        "message_id": doc.message_id,
        "conversation_id": doc.conversation_id,
        "contact_id": doc.contact_id,
        "contact_name": indexable_text(doc.contact_name),
        "channel": doc.channel,
        "direction": doc.direction,
        "subject": indexable_text(doc.subject),
        "text": indexable_text(doc.text),
        "created_at": doc.created_at.isoformat(),
        "assignee_id": doc.assignee_id,
        "team_id": doc.team_id,
        "status": doc.status,
        "version": doc.version,
    }


def upsert_action(names: IndexNames, doc: MessageDocument) -> dict[str, Any]:
    """A bulk action that stores doc unless a higher version is already stored."""
    return {
        "_op_type": "update",
        "_index": names.write_alias,
        "_id": doc.message_id,
        "retry_on_conflict": 5,
        "_source": {
            "scripted_upsert": True,
            "upsert": {},
            "script": {
                "source": KEEP_NEWEST,
                "lang": "painless",
                "params": {"doc": source_of(doc)},
            },
        },
    }


_STATE_FIELDS = ["status", "assignee_id", "team_id", "contact_id", "contact_name", "version"]


def newest_states_request(names: IndexNames, conversation_ids: list[str]) -> dict[str, Any]:
    """client.search arguments finding, per conversation, its message with the highest version."""
    return {
        "index": [names.read_alias, names.write_alias],
        "size": 0,
        "query": {"terms": {"conversation_id": conversation_ids}},
        "aggs": {"conversations": {
            "terms": {"field": "conversation_id", "size": len(conversation_ids)},
            "aggs": {"newest": {"top_hits": {
                "size": 1, "sort": [{"version": "desc"}], "_source": {"includes": _STATE_FIELDS}}}},
        }},
    }


def with_newest_states(docs: list[MessageDocument], response: Any) -> list[MessageDocument]:
    """Docs take the newer state their conversation's stored messages, or others in the batch, carry."""
    buckets = response.get("aggregations", {}).get("conversations", {}).get("buckets", [])
    newest = {bucket["key"]: bucket["newest"]["hits"]["hits"][0]["_source"] for bucket in buckets}
    docs = _latest_per_message(docs)
    for doc in docs:
        known = newest.get(doc.conversation_id)
        if known is None or doc.version > known["version"]:
            newest[doc.conversation_id] = {name: getattr(doc, name) for name in _STATE_FIELDS}
    caught_up = []
    for doc in docs:
        state = newest.get(doc.conversation_id)
        if state is not None and state["version"] > doc.version:
            doc = replace(doc, **{name: state.get(name) for name in _STATE_FIELDS})
        caught_up.append(doc)
    return caught_up


def _latest_per_message(docs: list[MessageDocument]) -> list[MessageDocument]:
    """One doc per message: the highest version, the later one on a tie (as the upsert script decides)."""
    latest: dict[str, MessageDocument] = {}
    for doc in docs:
        if doc.message_id not in latest or doc.version >= latest[doc.message_id].version:
            latest[doc.message_id] = doc
    return list(latest.values())


def conversation_change(
    conversation_id: str, version: int, changes: dict[str, Any]
) -> dict[str, Any]:
    """update_by_query arguments applying changes to the conversation's older messages."""
    return {
        "query": {"bool": {"filter": [
            {"term": {"conversation_id": conversation_id}},
            {"range": {"version": {"lt": version}}},
        ]}},
        "script": {
            "source": APPLY_CONVERSATION_CHANGE,
            "lang": "painless",
            "params": {"version": version, "changes": changes},
        },
    }


def search_request(
    names: IndexNames, query: SearchQuery, words: list[str], after: SortKey | None
) -> dict[str, Any]:
    """The keyword arguments of client.search for one page of query."""
    request: dict[str, Any] = {
        "index": names.read_alias,
        "query": {"bool": {"must": _text_match(words), "filter": _filters(query)}},
        "sort": _sort(ranked=bool(words)),
        "size": query.limit + 1,
        "track_total_hits": True,
        "source": {"includes": _HIT_FIELDS},
    }
    if words:
        request["highlight"] = _HIGHLIGHT
    if after is not None:
        request["search_after"] = after
    return request


_HIGHLIGHT = {
    "pre_tags": [MARK_OPEN],
    "post_tags": [MARK_CLOSE],
    "encoder": "html",
    "fields": {
        "text": {"fragment_size": SNIPPET_CHARACTERS, "number_of_fragments": 1},
        "subject": {"number_of_fragments": 0},
    },
}


def _text_match(words: list[str]) -> list[dict[str, Any]]:
    if not words:
        return [{"match_all": {}}]
    # Only whitespace is an operator: quotes, -, |, +, *, ( ) and ~ are plain text.
    return [{"simple_query_string": {
        "query": " ".join(words),
        "fields": SEARCHED_FIELDS,
        "default_operator": "and",
        "flags": "WHITESPACE",
    }}]


def _filters(query: SearchQuery) -> list[dict[str, Any]]:
    filters: list[dict[str, Any]] = [
        {"term": {name: getattr(query, name)}}
        for name in _EQUALITY_FILTERS
        if getattr(query, name) is not None
    ]
    window = {"gte": query.created_from, "lt": query.created_to}
    window = {bound: moment.isoformat() for bound, moment in window.items() if moment is not None}
    if window:
        filters.append({"range": {"created_at": window}})
    if query.visible_team_ids is not None:
        filters.append(_visibility(query.visible_team_ids, query.visible_assignee_id))
    return filters


def _visibility(team_ids: frozenset[str], assignee_id: str | None) -> dict[str, Any]:
    """An agent sees their teams' messages and the conversations assigned to them."""
    should: list[dict[str, Any]] = [{"terms": {"team_id": sorted(team_ids)}}]
    if assignee_id is not None:
        should.append({"term": {"assignee_id": assignee_id}})
    return {"bool": {"should": should, "minimum_should_match": 1}}


def _sort(ranked: bool) -> list[dict[str, str]]:
    newest_first = [{"created_at": "desc"}, {"message_id": "asc"}]
    return [{"_score": "desc"}, *newest_first] if ranked else newest_first


def hit_of(raw: dict[str, Any]) -> SearchHit:
    """A SearchHit from one Elasticsearch hit, preferring a highlighted fragment."""
    source, highlight = raw["_source"], raw.get("highlight", {})
    fragments = highlight.get("text") or highlight.get("subject")
    return SearchHit(
        message_id=source["message_id"],
        conversation_id=source["conversation_id"],
        contact_id=source["contact_id"],
        contact_name=source["contact_name"],
        channel=source["channel"],
        created_at=datetime.fromisoformat(source["created_at"]),
        snippet=fragments[0] if fragments else plain_snippet(source["text"]),
    )
