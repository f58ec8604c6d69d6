"""Which scope an API key needs for each path of the external API (the contract's scopes)."""

from __future__ import annotations

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Longest prefix first; (scope for reads, scope for writes). Anything else under /api/v1 is admin work.
SCOPED_PREFIXES: tuple[tuple[str, str, str], ...] = (
    ("/api/v1/conversations", "conversations:read", "conversations:write"),
    ("/api/v1/events", "conversations:read", "conversations:read"),
    ("/api/v1/contacts", "contacts:read", "contacts:write"),
    ("/api/v1/search", "search", "search"),
)


def required_scope(method: str, path: str) -> str | None:
    """The scope an API key must hold for this request; None outside the authenticated API."""
    if not path.startswith("/api/v1/"):
        return None
    for prefix, read, write in SCOPED_PREFIXES:
        if path == prefix or path.startswith(prefix + "/"):
            return read if method in READ_METHODS else write
    return "admin"
