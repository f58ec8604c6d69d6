"""The unified inbox list: filters, most urgent and longest waiting first, cursor pagination."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Text, case, cast, func, select

from shared.runtime import ServiceRuntime
from shared.storage.keyset import BadCursor, after, decode_cursor, encode_cursor
from shared.web.auth import Principal
from shared.web.errors import ApiError
from services.inbox.context import list_item, visible_to
from services.inbox.tables import contacts, conversations as c


def _sort_keys():
    """Priority first, then conversations waiting for an answer (longest first), then the rest."""
    waiting = case((c.c.waiting_since.is_(None), 0), else_=1)
    since = func.coalesce(c.c.waiting_since, c.c.last_message_at)
    return [(c.c.priority_rank, True), (waiting, True), (since, False), (c.c.id, False)]


def list_conversations(rt: ServiceRuntime, principal: Principal, filters: dict) -> dict:
    """One page of the conversations this caller may see, and the cursor of the next page."""
    query = (select(c, contacts.c.name.label("contact_name"), *[key for key, _ in _sort_keys()])
             .join(contacts, contacts.c.id == c.c.contact_id)
             .where(visible_to(principal), *_filters(principal, filters)))
    if filters.get("cursor"):
        try:
            values = decode_cursor(filters["cursor"], 4)
        except BadCursor as error:
            raise ApiError(400, str(error), details={"cursor": [str(error)]}) from None
        query = query.where(after(_sort_keys(), _typed(values)))
    ordering = [key.desc() if descending else key.asc() for key, descending in _sort_keys()]
    limit = filters["limit"]
    with rt.db.reading() as db:
        rows = db.execute(query.order_by(*ordering).limit(limit + 1)).all()
    items = [list_item(row, row.contact_name) for row in rows[:limit]]
    next_cursor = encode_cursor(_sort_values(rows[limit - 1])) if len(rows) > limit else None
    return {"items": items, "next_cursor": next_cursor}


def _sort_values(row) -> list:
    waiting = 0 if row.waiting_since is None else 1
    since = row.waiting_since or row.last_message_at
    return [row.priority_rank, waiting, since.isoformat(), row.id]


def _typed(values: list) -> list:
    try:
        return [int(values[0]), int(values[1]), datetime.fromisoformat(values[2]), str(values[3])]
    except (TypeError, ValueError):
        raise ApiError(400, "this cursor is not one Switchboard made", details={"cursor": ["invalid"]}) from None


def _filters(principal: Principal, f: dict) -> list:
    clauses = []
    assignee = f.get("assignee")
    if assignee == "me":
        clauses.append(c.c.assignee_id == principal.id)
    elif assignee == "unassigned":
        clauses.append(c.c.assignee_id.is_(None))
    elif assignee:
        clauses.append(c.c.assignee_id == assignee)
    for name, column in (("team_id", c.c.team_id), ("status", c.c.status), ("priority", c.c.priority)):
        if f.get(name):
            clauses.append(column == f[name])
    # JSON lists are matched on their serialised form, which both SQLite and PostgreSQL keep as written.
    if f.get("channel"):
        clauses.append(cast(c.c.channels, Text).contains(json.dumps(f["channel"])))
    if f.get("label"):
        clauses.append(cast(c.c.labels, Text).contains(json.dumps(f["label"])))
    return clauses
