"""Opens the embedded search database and keeps its tables and full-text index in place."""

from __future__ import annotations

import sqlite3
from pathlib import Path

BUSY_TIMEOUT_MS = 10_000
IN_MEMORY = ":memory:"

# porter over unicode61: "refunds" finds "refund"; remove_diacritics 2: "cafe" finds "café".
TOKENIZER = "porter unicode61 remove_diacritics 2"

# messages holds the stored documents and their versions; messages_fts indexes their
# words and reads the text back from messages (external content) for snippets.
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS messages (
    message_id TEXT NOT NULL UNIQUE,
    conversation_id TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    contact_name TEXT NOT NULL,
    channel TEXT NOT NULL,
    direction TEXT NOT NULL,
    subject TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at_us INTEGER NOT NULL,
    assignee_id TEXT,
    team_id TEXT,
    status TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_by_time ON messages (created_at_us DESC, message_id);
CREATE INDEX IF NOT EXISTS messages_by_conversation ON messages (conversation_id);
CREATE INDEX IF NOT EXISTS messages_by_contact ON messages (contact_id);
CREATE VIRTUAL TABLE IF NOT EXISTS messages_fts USING fts5 (
    subject, text, content='messages', content_rowid='rowid', tokenize='{TOKENIZER}'
);
CREATE TRIGGER IF NOT EXISTS messages_fts_after_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, subject, text) VALUES (new.rowid, new.subject, new.text);
END;
CREATE TRIGGER IF NOT EXISTS messages_fts_after_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, subject, text)
    VALUES ('delete', old.rowid, old.subject, old.text);
END;
CREATE TRIGGER IF NOT EXISTS messages_fts_after_update
AFTER UPDATE OF subject, text ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, subject, text)
    VALUES ('delete', old.rowid, old.subject, old.text);
    INSERT INTO messages_fts (rowid, subject, text) VALUES (new.rowid, new.subject, new.text);
END;
"""


def open_search_database(path: str, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> sqlite3.Connection:
    """Open (creating if needed) the database at path, shared safely across threads."""
    if path != IN_MEMORY:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # Autocommit mode: writers open BEGIN IMMEDIATE themselves, so a second process
    # waits on busy_timeout instead of failing when a read lock cannot be upgraded.
    connection = sqlite3.connect(
        path, timeout=busy_timeout_ms / 1000, isolation_level=None, check_same_thread=False
    )
    connection.row_factory = sqlite3.Row
    if path != IN_MEMORY:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
    try:
        connection.executescript(f"BEGIN IMMEDIATE; {SCHEMA} COMMIT;")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        connection.close()
        raise
    return connection
