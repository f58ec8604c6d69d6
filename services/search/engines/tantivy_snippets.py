"""Highlighted snippets from tantivy: the best passage of the text (else the subject), escaped."""

from __future__ import annotations

import tantivy

from services.search.engines.snippets import (
    CLOSE_SENTINEL,
    OPEN_SENTINEL,
    SNIPPET_CHARACTERS,
    marked_snippet,
    plain_snippet,
)

ELLIPSIS = "…"
_FIELDS = ("text", "subject")


class Snippets:
    """Makes the snippets of one search's hits; built once per page, since it reads term statistics."""

    def __init__(self, searcher: tantivy.Searcher, schema: tantivy.Schema,
                 words: tantivy.Query | None) -> None:
        self._generators = [] if words is None else [
            _generator(searcher, schema, words, field) for field in _FIELDS
        ]

    def of(self, stored: tantivy.Document) -> str:
        """The snippet under a hit: matches marked when the search had words."""
        for field, generator in zip(_FIELDS, self._generators):
            snippet = generator.snippet_from_doc(stored)
            if snippet.highlighted():
                return marked_snippet(_with_sentinels(snippet, stored.get_first(field) or ""))
        return plain_snippet(stored.get_first("text") or "")


def _generator(searcher: tantivy.Searcher, schema: tantivy.Schema, words: tantivy.Query,
               field: str) -> tantivy.SnippetGenerator:
    generator = tantivy.SnippetGenerator.create(searcher, words, schema, field)
    generator.set_max_num_chars(SNIPPET_CHARACTERS)
    return generator


def _with_sentinels(snippet: tantivy.Snippet, whole_text: str) -> str:
    """The fragment with each match between sentinels; tantivy's ranges count UTF-8 bytes."""
    fragment = snippet.fragment().encode()
    pieces, at = [], 0
    for match in sorted(snippet.highlighted(), key=lambda found: found.start):
        pieces += [fragment[at:match.start], OPEN_SENTINEL.encode(),
                   fragment[match.start:match.end], CLOSE_SENTINEL.encode()]
        at = match.end
    pieces.append(fragment[at:])
    marked = b"".join(pieces).decode()
    where = snippet.fragment_range()
    before = ELLIPSIS if where.start > 0 else ""
    after = ELLIPSIS if where.end < len(whole_text.encode()) else ""
    return f"{before}{marked.strip()}{after}"
