"""The gateway's route table: which service answers which path (the same in both modes)."""

from __future__ import annotations

# Longest prefix first; the first match wins.
ROUTES: tuple[tuple[str, str], ...] = (
    ("/api/v1/conversations", "inbox"),
    ("/api/v1/contacts", "inbox"),
    ("/api/v1/events", "inbox"),
    ("/api/v1/auth/", "routing"),
    ("/api/v1/teams", "routing"),
    ("/api/v1/agents", "routing"),
    ("/api/v1/routing/", "routing"),
    ("/api/v1/search", "search"),
    ("/api/v1/internal/export/", "inbox"),
    ("/api/v1/email/", "email"),
    ("/chat/", "webchat"),
    ("/webhooks/email/", "email"),
    ("/webhooks/sms/", "sms"),
)


def service_for(path: str) -> str | None:
    """The service that owns `path`, or None for the gateway's own paths."""
    for prefix, service in ROUTES:
        if path == prefix.rstrip("/") or path.startswith(prefix if prefix.endswith("/") else prefix):
            return service
    return None
