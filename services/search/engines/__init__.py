"""Switchboard's search engines behind one interface: embedded tantivy (default), SQLite FTS5 or Elasticsearch."""

from services.search.engines.base import (
    UNSET,
    DocumentRejected,
    InvalidQuery,
    MessageDocument,
    SearchEngine,
    SearchHit,
    SearchPage,
    SearchQuery,
    SearchUnavailable,
    Unset,
)
from services.search.engines.factory import create_search_engine

__all__ = [
    "UNSET",
    "DocumentRejected",
    "InvalidQuery",
    "MessageDocument",
    "SearchEngine",
    "SearchHit",
    "SearchPage",
    "SearchQuery",
    "SearchUnavailable",
    "Unset",
    "create_search_engine",
]
