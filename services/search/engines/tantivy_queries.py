"""Builds the tantivy queries that answer a search: every word required, filters, visibility."""

from __future__ import annotations

import tantivy
from tantivy import FieldType, Occur, Query

from services.search.engines.base import SearchQuery
from services.search.engines.sqlite_search import to_microseconds
from services.search.engines.tantivy_scopes import SCOPE, wanted_scopes

# A word in the subject says more than one in the text, as on the other engines.
SUBJECT_BOOST = 2.0
# Channel, status and visibility are filtered together, through one scope term set.
_EQUALITY_FILTERS = ("contact_id", "conversation_id", "assignee_id")


def words_query(
    schema: tantivy.Schema, analyzer: tantivy.TextAnalyzer, words: list[str]
) -> Query | None:
    """Every word required, in subject or text; None when no word can match anything."""
    # A word without letters or digits (emoji, punctuation) has no tokens, so it is
    # dropped, as FTS5 drops it; a word cut into several tokens ("l'arrivée") is a phrase.
    required = [tokens for tokens in map(analyzer.analyze, words) if tokens]
    if not required:
        return None
    return Query.boolean_query([(Occur.Must, _anywhere(schema, tokens)) for tokens in required])


def _anywhere(schema: tantivy.Schema, tokens: list[str]) -> Query:
    subject = Query.boost_query(_in_field(schema, "subject", tokens), SUBJECT_BOOST)
    return Query.boolean_query(
        [(Occur.Should, subject), (Occur.Should, _in_field(schema, "text", tokens))]
    )


def _in_field(schema: tantivy.Schema, field: str, tokens: list[str]) -> Query:
    if len(tokens) == 1:
        return Query.term_query(schema, field, tokens[0])
    return Query.phrase_query(schema, field, tokens)


def filter_queries(schema: tantivy.Schema, query: SearchQuery) -> list[Query] | None:
    """One query per filter and for the agent's visibility; None when nothing is visible."""
    filters = [
        Query.term_query(schema, name, getattr(query, name))
        for name in _EQUALITY_FILTERS
        if getattr(query, name) is not None
    ]
    if query.created_from is not None or query.created_to is not None:
        filters.append(created_between(schema, query))
    scopes = wanted_scopes(query.channel, query.status, query.visible_team_ids, query.visible_assignee_id)
    if scopes == []:
        return None
    if scopes is not None:
        filters.append(Query.term_set_query(schema, SCOPE, scopes))
    # Filters decide what matches, never how well: they add nothing to the score.
    return [Query.const_score_query(found, 0.0) for found in filters]


def created_between(schema: tantivy.Schema, query: SearchQuery) -> Query:
    """created_from inclusive, created_to exclusive, so that windows never overlap."""
    start = None if query.created_from is None else to_microseconds(query.created_from)
    end = None if query.created_to is None else to_microseconds(query.created_to)
    # tantivy counts an open end as included, whatever the flag; only a real end is left out.
    return Query.range_query(schema, "created_at_us", FieldType.Integer, start, end,
                             include_lower=True, include_upper=end is None)


def all_of(queries: list[Query]) -> Query:
    """Documents matching every query; every document when there is none."""
    if not queries:
        return Query.all_query()
    if len(queries) == 1:
        return queries[0]
    return Query.boolean_query([(Occur.Must, found) for found in queries])


def up_to(schema: tantivy.Schema, created_at_us: int) -> Query:
    """Messages created at or before a moment: where a newest-first page may continue."""
    return Query.range_query(schema, "created_at_us", FieldType.Integer, None, created_at_us,
                             include_lower=True, include_upper=True)
