"""Builds the HTML-safe snippets shown under each search hit."""

from __future__ import annotations

import html
import re

MARK_OPEN = "<mark>"
MARK_CLOSE = "</mark>"
SNIPPET_CHARACTERS = 160

# Private-use characters stand in for <mark> while the text is escaped; they are
# stripped from indexed text so that a message cannot forge a highlight.
OPEN_SENTINEL = "\ue000"
CLOSE_SENTINEL = "\ue001"
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def indexable_text(text: str) -> str:
    """Text safe to store: no highlight stand-ins, no lone surrogates (unencodable)."""
    text = text.replace(OPEN_SENTINEL, "").replace(CLOSE_SENTINEL, "")
    return _LONE_SURROGATE.sub("\ufffd", text)


def plain_snippet(text: str) -> str:
    """The start of a message, escaped, for hits that matched no words."""
    if len(text) > SNIPPET_CHARACTERS:
        text = text[:SNIPPET_CHARACTERS].rstrip() + "…"
    return html.escape(text, quote=False)


def marked_snippet(text_with_sentinels: str) -> str:
    """Escape a snippet whose matches are wrapped in sentinels, then mark them."""
    escaped = html.escape(text_with_sentinels, quote=False)
    return escaped.replace(OPEN_SENTINEL, MARK_OPEN).replace(CLOSE_SENTINEL, MARK_CLOSE)
