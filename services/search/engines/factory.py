"""Chooses Switchboard's search engine from SWITCHBOARD_SEARCH_URL."""

from __future__ import annotations

from urllib.parse import SplitResult, urlsplit

from services.search.engines.base import SearchEngine
from services.search.engines.elastic import ElasticsearchEngine
from services.search.engines.embedded import EmbeddedSearchEngine
from services.search.engines.tantivy_engine import TantivySearchEngine

EMBEDDED_WORDS = frozenset({"", "embedded"})


def create_search_engine(
    url: str | None, *, embedded_path: str, sqlite_path: str | None = None
) -> SearchEngine:
    """Elasticsearch for an http(s) URL, SQLite FTS5 for a sqlite:// URL, else the tantivy
    index folder the URL names (embedded_path when it names none).

    sqlite_path is the FTS5 file of a sqlite:// URL without a path.
    """
    if url is None or url.strip() in EMBEDDED_WORDS:
        return TantivySearchEngine(embedded_path)
    parts = urlsplit(url.strip())
    if parts.scheme in {"http", "https"}:
        return ElasticsearchEngine(url.strip())
    if parts.scheme == "embedded":
        return TantivySearchEngine(_embedded_path(parts.scheme, parts, embedded_path))
    if parts.scheme == "sqlite":
        if sqlite_path is None and parts.path in {"", "/"}:
            raise ValueError("a sqlite:// search URL needs a file path here")
        return EmbeddedSearchEngine(_embedded_path(parts.scheme, parts, sqlite_path or ""))
    raise ValueError(f"unsupported search URL {url!r}: use http(s)://, embedded:// or sqlite://")


def _embedded_path(scheme: str, parts: SplitResult, default: str) -> str:
    """The index folder or database file an embedded search URL names; no path means the default."""
    if parts.netloc:
        raise ValueError(f"an embedded search URL names a path, not a host ({parts.netloc!r})")
    if parts.path in {"", "/"}:
        return default
    if parts.path == "/:memory:":
        return ":memory:"
    # embedded:///srv/search-index is absolute; sqlite:///var/search.db is relative and
    # sqlite:////srv/search.db absolute, as in SQLAlchemy and SWITCHBOARD_DATABASE_URL.
    return parts.path[1:] if scheme == "sqlite" else parts.path
