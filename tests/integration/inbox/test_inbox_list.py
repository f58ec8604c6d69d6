"""The agents' list on a real database: every filter, every kind of caller and every page agree with the rules."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from shared.web.auth import ALL_SCOPES, Principal
from services.inbox import listing
from services.inbox.replies import change_conversation
from services.inbox.tables import conversations
from tests.integration.inbox.conftest import ADMIN, ago, assign, receive

AGENT_SCOPES = ALL_SCOPES - {"admin"}
API_KEY = Principal(kind="api_key", id="k-1", name="CRM", role="api_key", scopes=frozenset({"conversations:read"}))
SENDERS = {"email": lambda n: {"type": "email", "value": f"c{n}@example.com"},
           "sms": lambda n: {"type": "phone", "value": f"+1415555{n:04d}"},
           "chat": lambda n: {"type": "chat", "value": f"visitor-{n}"}}
# (channel, assignee, team, status, priority, labels) of each conversation.
LAYOUT = [("email", "ana", "sales", "open", "high", ["vip"]), ("sms", "ana", None, "pending", "normal", []),
          ("chat", "bo", "sales", "open", "urgent", ["billing", "vip"]), ("email", None, "sales", "open", "low", []),
          ("sms", None, "billing", "resolved", "normal", ["billing"]), ("chat", "bo", "billing", "open", "normal", []),
          ("email", "cy", None, "open", "high", []), ("chat", None, None, "pending", "urgent", ["vip"])]


def agent(agent_id: str, *teams: str) -> Principal:
    return Principal(kind="agent", id=agent_id, name=agent_id, team_ids=frozenset(teams), scopes=AGENT_SCOPES)


@pytest.fixture
def layout(inbox):
    """The conversations of LAYOUT, each waiting since a different time; their rows by id."""
    for n, (channel, assignee, team, status, priority, labels) in enumerate(LAYOUT):
        receive(inbox, SENDERS[channel](n), f"question {n}", channel=channel, at=ago(minutes=100 - n))
        with inbox.runtime.db.reading() as db:
            cid = db.execute(select(conversations.c.id).order_by(conversations.c.created_at.desc())).scalars().first()
        assign(inbox, cid, agent_id=assignee, agent_name=assignee or "", team_id=team, team_name=team or "")
        changes = {"priority": priority, "labels": labels} | ({"status": status} if status != "open" else {})
        change_conversation(inbox.runtime, ADMIN, cid, changes)
    with inbox.runtime.db.reading() as db:
        return {row.id: row for row in db.execute(select(conversations)).all()}


def expected(rows: dict, principal: Principal, filters: dict) -> list[str]:
    """The list's answer worked out in Python: who may see what, the filters, the order."""
    def visible(row):
        return (principal.is_admin or principal.kind == "api_key" or row.assignee_id == principal.id
                or row.team_id in principal.team_ids)

    def matches(row):
        assignee = filters.get("assignee")
        wanted = {"me": principal.id, "unassigned": None}.get(assignee, assignee)
        return ((assignee is None or row.assignee_id == wanted)
                and all(filters.get(f) in (None, getattr(row, f)) for f in ("team_id", "status", "priority"))
                and filters.get("channel") in (None, *row.channels) and filters.get("label") in (None, *row.labels))

    def order(row):
        waiting = row.waiting_since is not None
        return (-row.priority_rank, -waiting, (row.waiting_since or row.last_message_at).timestamp(), row.id)
    return [row.id for row in sorted((r for r in rows.values() if visible(r) and matches(r)), key=order)]


def every_page(inbox, principal: Principal, filters: dict, limit: int) -> list[str]:
    seen, cursor = [], None
    while True:
        page = listing.list_conversations(inbox.runtime, principal, {**filters, "limit": limit, "cursor": cursor})
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


CALLERS = [ADMIN, API_KEY, agent("ana", "sales"), agent("ana"), agent("bo", "sales", "billing"),
           agent("dee", "billing")]
FILTERS = [{}, {"assignee": "me"}, {"assignee": "unassigned"}, {"assignee": "bo"}, {"team_id": "sales"},
           {"status": "open"}, {"priority": "urgent"}, {"channel": "chat"}, {"label": "vip"},
           {"assignee": "me", "status": "open", "label": "vip"}, {"team_id": "billing", "channel": "sms"}]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: "&".join(f"{k}={v}" for k, v in f.items()) or "all")
def test_every_caller_sees_what_the_rules_say_in_order_on_every_page(inbox, layout, filters):
    for principal in CALLERS:
        want = expected(layout, principal, filters)
        assert every_page(inbox, principal, filters, limit=100) == want, (principal.id, filters)
        assert every_page(inbox, principal, filters, limit=2) == want, (principal.id, filters)


def test_the_list_keeps_its_fields_and_leaves_the_routing_decision_out(inbox, layout):
    item = listing.list_conversations(inbox.runtime, agent("cy"), {"limit": 5})["items"][0]
    assert set(item) == {"id", "status", "priority", "channel", "channels", "contact", "assignee", "team", "labels",
                         "subject", "last_message", "waiting_since", "sla_due_at", "snoozed_until", "created_at",
                         "updated_at"}
    assert item["assignee"] == {"id": "cy", "name": "cy"} and item["channel"] == "email"
    assert item["contact"]["name"] == "c6@example.com" and item["last_message"]["preview"] == "question 6"


def test_an_agents_own_list_is_read_in_index_order_without_sorting(pg_inbox):
    statement = listing.statement(listing.Shape(sees_all=False, has_teams=False, assignee="id", filters=(),
                                                paged=False)).compile(dialect=pg_inbox.runtime.db.engine.dialect)
    with pg_inbox.runtime.db.reading() as db:
        db.execute(text("SET LOCAL enable_sort = off"))  # a sort only if no index holds the order
        plan = db.connection().exec_driver_sql("EXPLAIN " + statement.string,
                                               {"viewer_id": "ana", "assignee": "ana", "row_limit": 26}).scalars().all()
    assert "ix_inbox_conversations_assignee_order" in "\n".join(plan) and not any("Sort" in line for line in plan)
