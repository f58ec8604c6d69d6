"""The tantivy index's fields and words, and the way a message document is stored in it."""

from __future__ import annotations

from typing import Any

import tantivy

from services.search.engines.base import MessageDocument
from services.search.engines.snippets import indexable_text
from services.search.engines.sqlite_search import from_microseconds, to_microseconds
from services.search.engines.tantivy_scopes import SCOPE, scope_terms

# Words as FTS5 cuts them (letters and digits), lowercased, accents folded, then English
# stems: "Refunds" finds "refund", "cafe" finds "café". No stop words are dropped.
WORDS = "switchboard_words"
WORD_FIELDS = ("subject", "text")
# Fields compared whole (ids, channel, status); stored so that a message can be rewritten.
EXACT_FIELDS = (
    "message_id", "conversation_id", "contact_id", "contact_name", "channel", "direction",
    "assignee_id", "team_id", "status",
)
# Microseconds since the epoch and the conversation's version: ranges, sorting, newest state.
NUMBER_FIELDS = ("created_at_us", "version")
# Written by customers: stripped of highlight stand-ins and lone surrogates before storing.
_FREE_TEXT_FIELDS = ("contact_name", "subject", "text")
_PLAIN_FIELDS = ("message_id", "conversation_id", "contact_id", "channel", "direction", "status", "version")


def words_analyzer() -> tantivy.TextAnalyzer:
    """The analyzer of subject and text, used for documents and for query words alike."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


def message_schema() -> tantivy.Schema:
    """Every field of a MessageDocument, stored, indexed the way searches filter it."""
    builder = tantivy.SchemaBuilder()
    for name in EXACT_FIELDS:
        builder.add_text_field(name, stored=True, tokenizer_name="raw", index_option="basic")
    for name in WORD_FIELDS:
        builder.add_text_field(name, stored=True, tokenizer_name=WORDS, index_option="position")
    for name in NUMBER_FIELDS:
        builder.add_integer_field(name, stored=True, indexed=True, fast=True)
    # Derived from channel, status and owners, so only indexed (see tantivy_scopes).
    builder.add_text_field(SCOPE, stored=False, tokenizer_name="raw", index_option="basic")
    return builder.build()


def stored_document(doc: MessageDocument) -> tantivy.Document:
    """The tantivy document of a message, with text made safe to store."""
    fields: dict[str, Any] = {name: getattr(doc, name) for name in _PLAIN_FIELDS}
    fields.update({name: indexable_text(getattr(doc, name)) for name in _FREE_TEXT_FIELDS})
    if doc.assignee_id is not None:
        fields["assignee_id"] = doc.assignee_id
    if doc.team_id is not None:
        fields["team_id"] = doc.team_id
    fields["created_at_us"] = to_microseconds(doc.created_at)
    fields[SCOPE] = scope_terms(doc.channel, doc.status, doc.team_id, doc.assignee_id)
    return tantivy.Document(**fields)


def message_of(stored: tantivy.Document) -> MessageDocument:
    """The MessageDocument a stored tantivy document was made from."""
    values = {name: stored.get_first(name) for name in (*EXACT_FIELDS, *WORD_FIELDS, "version")}
    created_at = from_microseconds(stored.get_first("created_at_us"))
    return MessageDocument(created_at=created_at, **values)
