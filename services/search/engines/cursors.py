"""Opaque, url-safe page cursors that carry the sort key of the last hit of a page."""

from __future__ import annotations

import base64
import binascii
import json

from services.search.engines.base import InvalidQuery

SortKey = list[float | int | str]

# What each position of a sort key may hold: a relevance score, a time, an id.
_ACCEPTED_TYPES: dict[str, tuple[type, ...]] = {
    "score": (float, int),
    "time": (int,),
    "id": (str,),
}


def sort_shape(ranked: bool) -> tuple[str, ...]:
    """What a sort key holds: relevance, time and id with words; time and id without."""
    return ("score", "time", "id") if ranked else ("time", "id")


def encode_cursor(sort_key: SortKey) -> str:
    """Pack a sort key so that callers can hand it back but need not read it."""
    raw = json.dumps(sort_key, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str, shape: tuple[str, ...]) -> SortKey:
    """Unpack a cursor made by encode_cursor; raise InvalidQuery for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        sort_key = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeError):
        raise InvalidQuery("cursor is not one this search produced") from None
    if not _fits(sort_key, shape):
        raise InvalidQuery("cursor does not belong to this kind of search")
    return sort_key


def _fits(sort_key: object, shape: tuple[str, ...]) -> bool:
    if not isinstance(sort_key, list) or len(sort_key) != len(shape):
        return False
    return all(
        isinstance(value, _ACCEPTED_TYPES[kind]) and not isinstance(value, bool)
        for value, kind in zip(sort_key, shape)
    )
