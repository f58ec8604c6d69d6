"""Turns what a user typed into plain words, and refuses queries no engine can answer."""

from __future__ import annotations

import re
from datetime import datetime

from services.search.engines.base import UNSET, InvalidQuery, SearchQuery, Unset

MAX_LIMIT = 100
# More words than this cannot narrow a search of customer messages any further, and
# both engines slow down (Elasticsearch refuses) past a few hundred required clauses.
MAX_QUERY_WORDS = 32
# Control characters and lone surrogates separate words: SQLite ends a string at NUL
# and cannot encode a lone surrogate, and neither is ever part of a word.
_NOT_TEXT = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def split_query_words(q: str) -> list[str]:
    """Split on whitespace, drop repeats, keep the first MAX_QUERY_WORDS words."""
    words: dict[str, str] = {}
    for word in _NOT_TEXT.sub(" ", q).split():
        words.setdefault(word.casefold(), word)
        if len(words) == MAX_QUERY_WORDS:
            break
    return list(words.values())


def check_search_query(query: SearchQuery) -> None:
    """Raise InvalidQuery for a limit out of range or a date without a timezone."""
    if isinstance(query.limit, bool) or not isinstance(query.limit, int):
        raise InvalidQuery("limit must be an integer")
    if not 1 <= query.limit <= MAX_LIMIT:
        raise InvalidQuery(f"limit must be between 1 and {MAX_LIMIT}")
    for name in ("created_from", "created_to"):
        _check_aware(name, getattr(query, name))


def _check_aware(name: str, moment: datetime | None) -> None:
    if moment is not None and moment.tzinfo is None:
        raise InvalidQuery(f"{name} must carry a timezone")


def conversation_changes(
    status: str | None,
    assignee_id: str | None | Unset,
    team_id: str | None | Unset,
    contact_id: str | None,
    contact_name: str | None,
) -> dict[str, str | None]:
    """The fields a conversation update sets: None for ownership means "nobody"."""
    changes = {"status": status, "contact_id": contact_id, "contact_name": contact_name}
    changes = {name: value for name, value in changes.items() if value is not None}
    ownership = {"assignee_id": assignee_id, "team_id": team_id}
    return changes | {name: value for name, value in ownership.items() if value is not UNSET}
