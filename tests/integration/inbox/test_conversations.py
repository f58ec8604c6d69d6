"""Conversations on a real database: snoozes wake, transfers keep history, the agents' copy decides visibility."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from shared.web.auth import ALL_SCOPES, Principal
from shared.web.errors import ApiError
from shared.envelopes import make_envelope
from services.inbox import agents, detail, listing, snooze, updates
from services.inbox.replies import add_note, change_conversation, get_visible_conversation
from services.inbox.tables import activity, conversations
from tests.integration.inbox.conftest import ADMIN, ago, assign, publish_agent, receive, wire

AGENT_SCOPES = ALL_SCOPES - {"admin"}
CUSTOMER = {"type": "email", "value": "bo@example.com"}


def agent(agent_id: str, *teams: str) -> Principal:
    """An agent as their login token describes them."""
    return Principal(kind="agent", id=agent_id, name=agent_id, team_ids=frozenset(teams), scopes=AGENT_SCOPES)


def only_conversation(service) -> str:
    with service.runtime.db.reading() as db:
        return db.execute(select(conversations.c.id)).scalar_one()


def status_of(service, conversation_id: str) -> str:
    return detail.get_conversation(service.runtime, ADMIN, conversation_id)["status"]


def test_a_snoozed_conversation_wakes_up_when_its_time_comes(inbox):
    receive(inbox, CUSTOMER, channel="email")
    cid = only_conversation(inbox)
    wake_at = ago(seconds=-3600)
    change_conversation(inbox.runtime, ADMIN, cid, {"status": "snoozed", "snoozed_until": wake_at})

    assert snooze.wake_due(inbox.runtime, at=wake_at - timedelta(seconds=1)) == 0
    assert status_of(inbox, cid) == "snoozed"
    assert snooze.wake_due(inbox.runtime, at=wake_at) == 1
    conversation = detail.get_conversation(inbox.runtime, ADMIN, cid)
    assert conversation["status"] == "open" and conversation["snoozed_until"] is None
    assert conversation["activity"][-1]["action"] == "woke_up" and conversation["activity"][-1]["actor"] == "system"
    assert snooze.wake_due(inbox.runtime, at=wake_at + timedelta(hours=1)) == 0  # once only


def test_a_customer_writing_wakes_a_snoozed_conversation_at_once(inbox):
    receive(inbox, CUSTOMER, channel="email")
    cid = only_conversation(inbox)
    change_conversation(inbox.runtime, ADMIN, cid, {"status": "snoozed", "snoozed_until": ago(days=-1)})
    receive(inbox, CUSTOMER, "any news?", channel="email")
    assert status_of(inbox, cid) == "open"


def test_every_change_is_in_the_activity_with_who_and_what(inbox):
    receive(inbox, CUSTOMER, channel="email")
    cid = only_conversation(inbox)
    change_conversation(inbox.runtime, ADMIN, cid, {"priority": "urgent", "labels": ["billing", "billing", "vip"]})
    change_conversation(inbox.runtime, ADMIN, cid, {"status": "pending"})
    steps = detail.get_conversation(inbox.runtime, ADMIN, cid)["activity"]
    assert [s["action"] for s in steps] == ["conversation_opened", "changed", "changed"]
    assert steps[1]["actor"] == "admin:admin"
    assert steps[1]["details"]["changes"] == {"priority": {"from": "normal", "to": "urgent"},
                                              "labels": {"from": [], "to": ["billing", "vip"]}}
    assert steps[2]["details"]["changes"] == {"status": {"from": "open", "to": "pending"}}
    assert all(s["at"] for s in steps)


def test_after_resolution_the_next_message_opens_a_new_conversation_that_lists_the_old_one(inbox):
    receive(inbox, CUSTOMER, "Where is my parcel?", channel="email")
    first = only_conversation(inbox)
    change_conversation(inbox.runtime, ADMIN, first, {"status": "resolved"})
    receive(inbox, CUSTOMER, "Another question", channel="email")
    with inbox.runtime.db.reading() as db:
        second = db.execute(select(conversations.c.id).where(conversations.c.id != first)).scalar_one()
    context = detail.get_conversation(inbox.runtime, ADMIN, second)["context"]
    assert [(p["id"], p["status"], p["first_line"]) for p in context["previous_conversations"]] == [
        (first, "resolved", "Where is my parcel?")]
    assert context["contact"]["lifecycle_stage"] == "new"


def test_visibility_follows_the_teams_routing_last_published(inbox):
    receive(inbox, CUSTOMER, channel="email")
    cid = only_conversation(inbox)
    assign(inbox, cid, agent_id=None, team_id="billing", team_name="Billing")
    token_says_sales = agent("a-1", "sales")
    with inbox.runtime.db.reading() as db:
        assert agents.effective_principal(db, token_says_sales).team_ids == {"sales"}  # unknown yet: the token
    publish_agent(inbox, "a-1", "Ana", ["billing"])
    with inbox.runtime.db.reading() as db:
        now_in_billing = agents.effective_principal(db, token_says_sales)
        assert get_visible_conversation(db, now_in_billing, cid).id == cid
    publish_agent(inbox, "a-1", "Ana", ["sales"])
    with inbox.runtime.db.reading() as db:
        with pytest.raises(ApiError) as hidden:
            get_visible_conversation(db, agents.effective_principal(db, token_says_sales), cid)
    assert hidden.value.status == 404


def test_an_older_agent_event_arriving_late_changes_nothing(inbox):
    older = make_envelope("agent.updated", {"id": "a-1", "name": "Old Ana", "team_ids": ["sales"]}, source="routing")
    publish_agent(inbox, "a-1", "Ana", ["billing"])
    updates.handle_update(inbox.runtime, wire(older))
    with inbox.runtime.db.reading() as db:
        assert agents.effective_principal(db, agent("a-1")).name == "Ana"


def test_a_deactivated_agent_is_refused(inbox):
    publish_agent(inbox, "a-1", "Ana", ["billing"], active=False)
    with inbox.runtime.db.reading() as db, pytest.raises(ApiError) as refused:
        agents.effective_principal(db, agent("a-1", "billing"))
    assert refused.value.status == 401


def test_a_transfer_with_a_handoff_note_gives_the_new_owner_everything(inbox):
    publish_agent(inbox, "ana", "Ana", ["sales"])
    publish_agent(inbox, "bo", "Bo", ["billing"])
    receive(inbox, CUSTOMER, "I was charged twice", channel="email")
    cid = only_conversation(inbox)
    assign(inbox, cid, agent_id="ana", agent_name="Ana", team_id="sales", team_name="Sales")
    assign(inbox, cid, agent_id="bo", agent_name="Bo", team_id="billing", team_name="Billing")  # routing saw billing
    change_conversation(inbox.runtime, ADMIN, cid, {"assignee_id": "ana", "team_id": "sales"})
    ana = agent("ana", "sales")
    add_note(inbox.runtime, ana, cid, "Customer is upset; refund pending")

    change_conversation(inbox.runtime, ana, cid, {"assignee_id": "bo", "note": "Over to billing: refund #88"})

    bo = agent("bo", "billing")
    seen = detail.get_conversation(inbox.runtime, bo, cid)
    assert seen["assignee"] == {"id": "bo", "name": "Bo"} and seen["team"] == {"id": "billing", "name": "Billing"}
    assert [m["text"] for m in seen["messages"]] == ["I was charged twice"]
    assert [n["text"] for n in seen["context"]["notes"]] == ["Customer is upset; refund pending",
                                                             "Over to billing: refund #88"]
    assert seen["activity"][-1]["action"] == "transferred"
    assert seen["activity"][-1]["actor"] == "agent:ana"
    assert seen["activity"][-1]["details"]["changes"]["assignee_id"] == {"from": "ana", "to": "bo"}
    with pytest.raises(ApiError):
        detail.get_conversation(inbox.runtime, ana, cid)  # Ana is in neither the team nor the assignment now
    events = detail.events_after(inbox.runtime, bo, 0)
    assert events[-1][1] == "conversation.assigned" and events[-1][2]["note"] == "Over to billing: refund #88"


@pytest.mark.parametrize("changes, field", [({"assignee_id": "nobody"}, "assignee_id"),
                                            ({"team_id": "no-team"}, "team_id")])
def test_a_transfer_to_an_unknown_agent_or_team_is_refused_and_changes_nothing(inbox, changes, field):
    receive(inbox, CUSTOMER, channel="email")
    cid = only_conversation(inbox)
    with pytest.raises(ApiError) as refused:
        change_conversation(inbox.runtime, ADMIN, cid, {**changes, "note": "lost?"})
    assert refused.value.status == 422 and field in refused.value.details
    conversation = detail.get_conversation(inbox.runtime, ADMIN, cid)
    assert conversation["context"]["notes"] == [] and conversation["assignee"] is None


def test_pagination_is_stable_under_inserts(inbox):
    """Paging through the inbox while new conversations arrive shows every earlier one exactly once."""
    priorities = ["low", "normal", "high", "urgent"]
    for n in range(24):
        receive(inbox, {"type": "email", "value": f"c{n}@example.com"}, f"question {n}", channel="email",
                at=ago(minutes=100 - n))
    with inbox.runtime.db.reading() as db:
        ids = db.execute(select(conversations.c.id)).scalars().all()
    for n, cid in enumerate(ids):
        change_conversation(inbox.runtime, ADMIN, cid, {"priority": priorities[n % 4]})

    seen, cursor, page = [], None, 0
    while True:
        result = listing.list_conversations(inbox.runtime, ADMIN, {"limit": 5, "cursor": cursor})
        seen += [item["id"] for item in result["items"]]
        for extra in range(2):  # newcomers, some sorting before the cursor and some after it
            sender = {"type": "email", "value": f"new{page}-{extra}@example.com"}
            receive(inbox, sender, "new", channel="email", at=ago(minutes=200 if extra else 1))
        page += 1
        cursor = result["next_cursor"]
        if cursor is None:
            break
    assert sorted(set(ids) & set(seen)) == sorted(ids)
    assert len(seen) == len(set(seen))


def test_the_list_is_sorted_by_priority_then_longest_waiting(inbox):
    receive(inbox, {"type": "email", "value": "old@example.com"}, channel="email", at=ago(hours=5))
    receive(inbox, {"type": "email", "value": "new@example.com"}, channel="email", at=ago(hours=1))
    receive(inbox, {"type": "email", "value": "vip@example.com"}, channel="email", at=ago(minutes=1))
    items = listing.list_conversations(inbox.runtime, ADMIN, {"limit": 10})["items"]
    vip = next(i["id"] for i in items if i["contact"]["name"] == "vip@example.com")
    change_conversation(inbox.runtime, ADMIN, vip, {"priority": "high"})
    names = [i["contact"]["name"] for i in listing.list_conversations(inbox.runtime, ADMIN, {"limit": 10})["items"]]
    assert names == ["vip@example.com", "old@example.com", "new@example.com"]


def test_a_transfer_to_another_team_leaves_it_to_that_teams_members(inbox):
    publish_agent(inbox, "ana", "Ana", ["sales"])
    publish_agent(inbox, "bo", "Bo", ["billing"])
    receive(inbox, CUSTOMER, "Refund please", channel="email")
    cid = only_conversation(inbox)
    assign(inbox, cid, agent_id="ana", agent_name="Ana", team_id="sales", team_name="Sales")
    assign(inbox, cid, agent_id="bo", agent_name="Bo", team_id="billing", team_name="Billing")
    change_conversation(inbox.runtime, ADMIN, cid, {"assignee_id": "ana", "team_id": "sales"})

    change_conversation(inbox.runtime, agent("ana", "sales"), cid, {"team_id": "billing", "note": "For billing"})

    seen = detail.get_conversation(inbox.runtime, agent("bo", "billing"), cid)
    assert seen["assignee"] is None and seen["team"] == {"id": "billing", "name": "Billing"}
    assert seen["context"]["notes"][-1]["text"] == "For billing"


def test_an_escalation_is_in_the_activity_and_on_the_teams_event_stream_once(inbox):
    publish_agent(inbox, "bo", "Bo", ["billing"])
    receive(inbox, CUSTOMER, "Nobody answers", channel="email")
    cid = only_conversation(inbox)
    assign(inbox, cid, agent_id=None, team_id="billing", team_name="Billing")
    escalated = make_envelope("conversation.escalated", {
        "conversation_id": cid, "team_id": "billing", "priority": "high", "previous_priority": "normal",
        "waited_seconds": 301.5, "limit_seconds": 300}, source="routing")

    updates.handle_update(inbox.runtime, wire(escalated))
    updates.handle_update(inbox.runtime, wire(escalated))  # delivered twice: recorded once

    entries = [a for a in detail.get_conversation(inbox.runtime, ADMIN, cid)["activity"] if a["action"] == "escalated"]
    assert len(entries) == 1 and entries[0]["actor"] == "routing"
    assert entries[0]["details"] == {"team_id": "billing", "priority": "high", "previous_priority": "normal",
                                     "waited_seconds": 301.5, "limit_seconds": 300}
    stream = [e for e in detail.events_after(inbox.runtime, agent("bo", "billing"), 0)
              if e[1] == "conversation.escalated"]
    assert len(stream) == 1 and stream[0][2]["conversation_id"] == cid and stream[0][2]["priority"] == "high"
    assert not [e for e in detail.events_after(inbox.runtime, agent("cy", "sales"), 0)
                if e[1] == "conversation.escalated"]


def test_an_escalation_of_an_unknown_conversation_is_ignored(inbox):
    updates.handle_update(inbox.runtime, wire(make_envelope("conversation.escalated", {
        "conversation_id": "gone", "priority": "high", "previous_priority": "normal", "waited_seconds": 1.0,
        "limit_seconds": 1}, source="routing")))
    with inbox.runtime.db.reading() as db:
        assert db.execute(select(activity).where(activity.c.conversation_id == "gone")).first() is None
    assert not [e for e in detail.events_after(inbox.runtime, ADMIN, 0) if e[1] == "conversation.escalated"]


def test_a_renamed_team_shows_its_new_name_on_its_conversations(inbox):
    receive(inbox, CUSTOMER, channel="email")
    cid = only_conversation(inbox)
    assign(inbox, cid, agent_id=None, team_id="billing", team_name="Billing")
    renamed = make_envelope("team.updated", {"id": "billing", "name": "Payments"}, source="routing")
    updates.handle_update(inbox.runtime, wire(renamed))
    assert detail.get_conversation(inbox.runtime, ADMIN, cid)["team"] == {"id": "billing", "name": "Payments"}
