"""Chooses Switchboard's search engine from SWITCHBOARD_SEARCH_URL."""

from __future__ import annotations

from urllib.parse import SplitResult, urlsplit

from services.search.engines.base import SearchEngine
from services.search.engines.elastic import ElasticsearchEngine
from services.search.engines.embedded import EmbeddedSearchEngine

EMBEDDED_WORDS = frozenset({"", "embedded"})
EMBEDDED_SCHEMES = frozenset({"embedded", "sqlite"})


def create_search_engine(url: str | None, *, embedded_path: str) -> SearchEngine:
    """Elasticsearch for an http(s) URL, else the embedded engine at the URL's path."""
    if url is None or url.strip() in EMBEDDED_WORDS:
        return EmbeddedSearchEngine(embedded_path)
    parts = urlsplit(url.strip())
    if parts.scheme in {"http", "https"}:
        return ElasticsearchEngine(url.strip())
    if parts.scheme in EMBEDDED_SCHEMES:
        return EmbeddedSearchEngine(_embedded_path(parts.scheme, parts, embedded_path))
    raise ValueError(f"unsupported search URL {url!r}: use http(s)://, embedded:// or sqlite://")


def _embedded_path(scheme: str, parts: SplitResult, default: str) -> str:
    """The database file an embedded search URL names; no path means the default."""
    if parts.netloc:
        raise ValueError(f"an embedded search URL names a file, not a host ({parts.netloc!r})")
    if parts.path in {"", "/"}:
        return default
    if parts.path == "/:memory:":
        return ":memory:"
    # embedded:///srv/search.db is absolute; sqlite:///var/search.db is relative and
    # sqlite:////srv/search.db absolute, as in SQLAlchemy and SWITCHBOARD_DATABASE_URL.
    return parts.path[1:] if scheme == "sqlite" else parts.path
