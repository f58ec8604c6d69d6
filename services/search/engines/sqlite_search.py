"""Builds the parameterised SQL that answers a search on the embedded engine."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from services.search.engines.base import SearchQuery
from services.search.engines.cursors import SortKey
from services.search.engines.snippets import CLOSE_SENTINEL, OPEN_SENTINEL

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
SNIPPET_TOKENS = 24
# bm25 weights per FTS column (subject, text): a word in the subject says more.
RANK = "bm25(messages_fts, 2.0, 1.0)"

_EQUALITY_FILTERS = ("channel", "contact_id", "conversation_id", "assignee_id", "status")


@dataclass
class Statement:
    """SQL text with its parameters, grown one clause at a time."""

    sql: str
    params: list[object] = field(default_factory=list)


def to_microseconds(moment: datetime) -> int:
    """A sortable integer time; equal instants give equal numbers whatever the zone."""
    return (moment - EPOCH) // timedelta(microseconds=1)


def from_microseconds(value: int) -> datetime:
    """The aware UTC datetime that to_microseconds turned into value."""
    return EPOCH + timedelta(microseconds=value)


def match_expression(words: list[str]) -> str | None:
    """Quote each word as an FTS5 string, ANDed; None when no word can match anything."""
    # Quoting turns NEAR, AND, *, -, ( and " into plain text; words without any letter
    # or digit would tokenise to an empty phrase, which matches nothing, so drop them.
    quoted = ['"' + word.replace('"', '""') + '"' for word in words if _has_token(word)]
    return " AND ".join(quoted) or None


def _has_token(word: str) -> bool:
    return any(ch.isalnum() or unicodedata.category(ch) == "Co" for ch in word)


def filter_clauses(query: SearchQuery) -> Statement:
    """The WHERE conditions for every filter and the agent's visibility."""
    clauses, params = ["1"], []
    for name in _EQUALITY_FILTERS:
        if getattr(query, name) is not None:
            clauses.append(f"m.{name} = ?")
            params.append(getattr(query, name))
    if query.created_from is not None:
        clauses.append("m.created_at_us >= ?")
        params.append(to_microseconds(query.created_from))
    if query.created_to is not None:
        clauses.append("m.created_at_us < ?")
        params.append(to_microseconds(query.created_to))
    if query.visible_team_ids is not None:
        clauses.append("(m.team_id IN (SELECT value FROM json_each(?)) OR m.assignee_id = ?)")
        params += [json.dumps(sorted(query.visible_team_ids)), query.visible_assignee_id]
    return Statement(" AND ".join(clauses), params)


def page_statement(
    match: str | None, filters: Statement, after: SortKey | None, size: int
) -> Statement:
    """One page of rows in result order, starting after the given sort key."""
    if match is None:
        inner = Statement(f"SELECT m.rowid AS row, m.* FROM messages m WHERE {filters.sql}")
    else:
        inner = Statement(
            f"SELECT m.rowid AS row, m.*, {RANK} AS score FROM messages_fts"
            f" JOIN messages m ON m.rowid = messages_fts.rowid"
            f" WHERE messages_fts MATCH ? AND {filters.sql}",
            [match],
        )
    inner.params += filters.params
    after_sql, after_params = _after(match is not None, after)
    order = "score, created_at_us DESC, message_id" if match else "created_at_us DESC, message_id"
    return Statement(
        f"SELECT * FROM ({inner.sql}) WHERE {after_sql} ORDER BY {order} LIMIT ?",
        inner.params + after_params + [size],
    )


def _after(ranked: bool, after: SortKey | None) -> tuple[str, list[object]]:
    """Rows strictly behind the sort key: higher bm25 (less relevant), older, larger id."""
    if after is None:
        return "1", []
    time_and_id = "(created_at_us < ? OR (created_at_us = ? AND message_id > ?))"
    if not ranked:
        created, message_id = after
        return time_and_id, [created, created, message_id]
    score, created, message_id = after
    return (
        f"(score > ? OR (score = ? AND {time_and_id}))",
        [score, score, created, created, message_id],
    )


def count_statement(match: str | None, filters: Statement) -> Statement:
    """How many rows the search finds over all pages."""
    if match is None:
        return Statement(f"SELECT count(*) FROM messages m WHERE {filters.sql}", filters.params)
    return Statement(
        "SELECT count(*) FROM messages_fts JOIN messages m ON m.rowid = messages_fts.rowid"
        f" WHERE messages_fts MATCH ? AND {filters.sql}",
        [match, *filters.params],
    )


def snippet_statement(match: str, rowids: list[int]) -> Statement:
    """Highlighted snippets for the rows of one page only, since snippet() is costly."""
    return Statement(
        f"SELECT rowid, snippet(messages_fts, -1, ?, ?, '…', {SNIPPET_TOKENS}) AS marked"
        " FROM messages_fts WHERE messages_fts MATCH ?"
        " AND rowid IN (SELECT value FROM json_each(?))",
        [OPEN_SENTINEL, CLOSE_SENTINEL, match, json.dumps(rowids)],
    )
