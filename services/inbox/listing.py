"""The unified inbox list: filters, most urgent and longest waiting first, cursor pagination.

Each combination of filters is one statement, built once with bind parameters, so a request
only fills in values: SQLAlchemy finds the compiled SQL at once and PostgreSQL can keep it
prepared. The order matches the index `ix_inbox_conversations_assignee_order`, so an agent's
own list reads one page of rows, not all of their conversations.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from typing import NamedTuple

from sqlalchemy import Integer, Text, bindparam, case, cast, func, literal_column, select, true

from shared.runtime import ServiceRuntime
from shared.storage.keyset import BadCursor, after, decode_cursor, encode_cursor
from shared.web.auth import Principal
from shared.web.errors import ApiError
from services.inbox.context import list_item, sees_everything, visible_to_agent
from services.inbox.tables import contacts, conversations as c

# Priority first, then conversations waiting for an answer (longest first), then the rest.
# Plain literals (not bind parameters) keep the expressions equal to the index's.
WAITING = case((c.c.waiting_since.is_(None), literal_column("0", Integer)), else_=literal_column("1", Integer))
SINCE = func.coalesce(c.c.waiting_since, c.c.last_message_at)
SORT_KEYS = ((c.c.priority_rank, True), (WAITING, True), (SINCE, False), (c.c.id, False))

# What list_item and the cursor read; never the routing decision or other large fields.
_COLUMNS = (c.c.id, c.c.status, c.c.priority, c.c.priority_rank, c.c.last_channel, c.c.channels, c.c.labels,
            c.c.contact_id, c.c.assignee_id, c.c.assignee_name, c.c.team_id, c.c.team_name, c.c.subject,
            c.c.last_message_preview, c.c.last_message_at, c.c.waiting_since, c.c.snoozed_until, c.c.created_at,
            c.c.updated_at)
_EQUAL_FILTERS = (("team_id", c.c.team_id), ("status", c.c.status), ("priority", c.c.priority))
# JSON lists are matched on their serialised form, which both SQLite and PostgreSQL keep as written.
_JSON_FILTERS = (("channel", c.c.channels), ("label", c.c.labels))


class Shape(NamedTuple):
    """Which clauses a request needs; one statement per shape."""

    sees_all: bool
    has_teams: bool
    assignee: str | None  # None, "unassigned" or "id"
    filters: tuple[str, ...]
    paged: bool


def list_conversations(rt: ServiceRuntime, principal: Principal, filters: dict) -> dict:
    """One page of the conversations this caller may see, and the cursor of the next page."""
    shape, params = _shape_and_params(principal, filters)
    limit = filters["limit"]
    with rt.db.reading() as db:
        rows = db.execute(statement(shape), params | {"row_limit": limit + 1}).all()
    items = [list_item(row, row.contact_name) for row in rows[:limit]]
    next_cursor = encode_cursor(_sort_values(rows[limit - 1])) if len(rows) > limit else None
    return {"items": items, "next_cursor": next_cursor}


def _shape_and_params(principal: Principal, f: dict) -> tuple[Shape, dict]:
    sees_all = sees_everything(principal)
    params: dict = {} if sees_all else {"viewer_id": principal.agent_id, "viewer_team_ids": sorted(principal.team_ids)}
    assignee = f.get("assignee")
    if assignee and assignee != "unassigned":
        params["assignee"] = principal.id if assignee == "me" else assignee
    present = tuple(name for name, _ in (*_EQUAL_FILTERS, *_JSON_FILTERS) if f.get(name))
    params |= {name: f[name] for name, _ in _EQUAL_FILTERS if name in present}
    params |= {name: json.dumps(f[name]) for name, _ in _JSON_FILTERS if name in present}
    if f.get("cursor"):
        params |= {f"after_{i}": value for i, value in enumerate(_typed(_decoded(f["cursor"])))}
    kind = None if not assignee else "unassigned" if assignee == "unassigned" else "id"
    shape = Shape(sees_all, bool(principal.team_ids), kind, present, bool(f.get("cursor")))
    return shape, params


@cache  # a few hundred shapes at most
def statement(shape: Shape):
    """The list query for one shape, with bind parameters named as _shape_and_params fills them."""
    if shape.sees_all:
        visible = true()
    else:
        visible = visible_to_agent(bindparam("viewer_id"),
                                   bindparam("viewer_team_ids", expanding=True) if shape.has_teams else None)
    clauses = [visible]
    if shape.assignee == "unassigned":
        clauses.append(c.c.assignee_id.is_(None))
    elif shape.assignee == "id":
        clauses.append(c.c.assignee_id == bindparam("assignee"))
    clauses += [column == bindparam(name) for name, column in _EQUAL_FILTERS if name in shape.filters]
    clauses += [cast(column, Text).contains(bindparam(name)) for name, column in _JSON_FILTERS
                if name in shape.filters]
    if shape.paged:
        clauses.append(after(SORT_KEYS, [bindparam(f"after_{i}") for i in range(len(SORT_KEYS))]))
    return (select(*_COLUMNS, contacts.c.name.label("contact_name"))
            .join(contacts, contacts.c.id == c.c.contact_id)
            .where(*clauses)
            .order_by(*[key.desc() if descending else key.asc() for key, descending in SORT_KEYS])
            .limit(bindparam("row_limit", type_=Integer)))


def _decoded(cursor: str) -> list:
    try:
        return decode_cursor(cursor, len(SORT_KEYS))
    except BadCursor as error:
        raise ApiError(400, str(error), details={"cursor": [str(error)]}) from None


def _sort_values(row) -> list:
    waiting = 0 if row.waiting_since is None else 1
    since = row.waiting_since or row.last_message_at
    return [row.priority_rank, waiting, since.isoformat(), row.id]


def _typed(values: list) -> list:
    try:
        return [int(values[0]), int(values[1]), datetime.fromisoformat(values[2]), str(values[3])]
    except (TypeError, ValueError):
        raise ApiError(400, "this cursor is not one Switchboard made", details={"cursor": ["invalid"]}) from None
