"""Keyset (cursor) pagination: stable under inserts, unlike offsets."""

from __future__ import annotations

import base64
import json
from typing import Any, Sequence

from sqlalchemy import and_, or_


class BadCursor(ValueError):
    """The cursor was not made by us (or by this version of the query)."""


def encode_cursor(values: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values), default=str).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, length: int) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError):
        raise BadCursor("this cursor is not one Switchboard made") from None
    if not isinstance(values, list) or len(values) != length:
        raise BadCursor("this cursor belongs to another listing")
    return values


def after(keys: Sequence[tuple[Any, bool]], values: Sequence[Any]):
    """Rows strictly after `values` in the order of `keys` = [(column, descending), ...]."""
    clauses = []
    for i, (column, descending) in enumerate(keys):
        equal_before = [keys[j][0] == values[j] for j in range(i)]
        beyond = column < values[i] if descending else column > values[i]
        clauses.append(and_(*equal_before, beyond))
    return or_(*clauses)
