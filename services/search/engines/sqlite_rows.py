"""Converts between message documents, rows of the embedded database and search hits."""

from __future__ import annotations

import sqlite3

from services.search.engines.base import MessageDocument, SearchHit
from services.search.engines.cursors import SortKey
from services.search.engines.snippets import indexable_text, marked_snippet, plain_snippet
from services.search.engines.sqlite_search import from_microseconds, to_microseconds

COLUMNS = (
    "message_id", "conversation_id", "contact_id", "contact_name", "channel", "direction",
    "subject", "text", "created_at_us", "assignee_id", "team_id", "status", "version",
)
# A redelivered or newer document replaces the stored one; an older one changes nothing.
UPSERT = (
    f"INSERT INTO messages ({', '.join(COLUMNS)}) VALUES ({', '.join(':' + c for c in COLUMNS)})"
    f" ON CONFLICT (message_id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in COLUMNS)}"
    " WHERE excluded.version >= messages.version"
)

# A message indexed late (out of order) takes the newer state its conversation's other
# messages already carry, so that it never shows an outdated owner, status or contact.
CATCH_UP = """
UPDATE messages AS m SET status = n.status, assignee_id = n.assignee_id, team_id = n.team_id,
    contact_id = n.contact_id, contact_name = n.contact_name, version = n.version
FROM (
    SELECT conversation_id, status, assignee_id, team_id, contact_id, contact_name, max(version) AS version
    FROM messages WHERE conversation_id IN (SELECT value FROM json_each(:conversations))
    GROUP BY conversation_id
) AS n
WHERE m.conversation_id = n.conversation_id AND m.version < n.version
    AND m.message_id IN (SELECT value FROM json_each(:messages))
"""


def row_of(doc: MessageDocument) -> dict[str, object]:
    """The messages-table row of a document, with text made safe to store."""
    row = {name: getattr(doc, name) for name in COLUMNS if name != "created_at_us"}
    row["created_at_us"] = to_microseconds(doc.created_at)
    for name in ("contact_name", "subject", "text"):
        row[name] = indexable_text(row[name])
    return row


def hit_of(row: sqlite3.Row, marked: str | None) -> SearchHit:
    """A SearchHit from a page row and its highlighted snippet, if the search had words."""
    return SearchHit(
        message_id=row["message_id"],
        conversation_id=row["conversation_id"],
        contact_id=row["contact_id"],
        contact_name=row["contact_name"],
        channel=row["channel"],
        created_at=from_microseconds(row["created_at_us"]),
        snippet=marked_snippet(marked) if marked else plain_snippet(row["text"]),
    )


def sort_key_of(row: sqlite3.Row, *, ranked: bool) -> SortKey:
    """The position of a row in the result order, for the next page's cursor."""
    key: SortKey = [row["created_at_us"], row["message_id"]]
    return [row["score"], *key] if ranked else key
