"""Routing follows people's choices: a conversation an agent sends to a team stays in that team,
a deactivated agent gets nothing new, and teams can be changed after they were created."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shared.web.errors import ApiError
from shared.web.auth import Principal
from services.routing import directory, rulebook
from services.routing.assignment import load_agents
from services.routing.tables import assignments, decisions, waiting
from tests.integration.routing.events import conversation_changed, conversation_resolved, message_received
from tests.integration.routing.test_queue_and_events import feed, published
from tests.support.http import wait_until

ADMIN = Principal(kind="admin", id="admin", name="Admin", role="admin")


def team(rt, name: str, **settings) -> str:
    return directory.create_team(rt, {"name": name, "assignment": {"strategy": "round_robin"}, **settings})["id"]


def agent(rt, name: str, team_id: str, presence: str = "online", capacity: float = 5) -> str:
    return directory.create_agent(rt, {"name": name, "email": f"{name.lower()}@example.com", "password": "x" * 12,
                                       "role": "agent", "teams": [team_id], "skills": [], "capacity": capacity,
                                       "presence": presence})["id"]


def everything_to(rt, team_id: str) -> None:
    """A rule that sends every conversation to `team_id`."""
    rulebook.create_rule(rt, ADMIN, {"name": "all", "position": 0, "enabled": True, "conditions": {}, "stop": False,
                                     "actions": [{"type": "assign_team", "team_id": team_id}]})


def held(rt, cid: str) -> tuple[str | None, str | None]:
    """(agent, team) holding `cid`, or (None, waiting team), or (None, None)."""
    with rt.db.reading() as db:
        row = db.execute(select(assignments.c.agent_id, assignments.c.team_id)
                         .where(assignments.c.conversation_id == cid)).first()
        if row:
            return row.agent_id, row.team_id
        return None, db.execute(select(waiting.c.team_id).where(waiting.c.conversation_id == cid)).scalar()


def last_explanation(rt, cid: str) -> dict:
    with rt.db.reading() as db:
        return db.execute(select(decisions.c.explanation).where(decisions.c.conversation_id == cid)
                          .order_by(decisions.c.created_at.desc()).limit(1)).scalar()


def test_a_conversation_sent_to_a_team_goes_to_that_teams_agent_at_once(routing):
    rt = routing.runtime
    sales, billing = team(rt, "Sales"), team(rt, "Billing")
    everything_to(rt, sales)
    ana, bo = agent(rt, "Ana", sales, capacity=1), agent(rt, "Bo", billing)
    feed(rt, message_received("c1"))
    assert held(rt, "c1") == (ana, sales)

    feed(rt, conversation_changed("c1", ["assignee_id", "team_id"], team_id=billing))

    assert held(rt, "c1") == (bo, billing)
    team_why = last_explanation(rt, "c1")["team"]
    assert team_why == {"id": billing, "reason": "transferred by an agent", "rule_team_ignored": sales}
    feed(rt, message_received("c2"))
    assert held(rt, "c2") == (ana, sales), "Ana's place was freed by the transfer"
    told: list[dict] = []
    assert wait_until(lambda: told.extend(published(rt, "conversation.assigned")) or len(told) == 3)
    assert (told[1]["conversation_id"], told[1]["agent_id"], told[1]["team_id"]) == ("c1", bo, billing)


def test_a_transferred_conversation_waits_in_its_new_team_and_later_messages_keep_it_there(routing):
    rt = routing.runtime
    sales, billing = team(rt, "Sales"), team(rt, "Billing")
    everything_to(rt, sales)
    ana, bo = agent(rt, "Ana", sales), agent(rt, "Bo", billing, presence="offline")
    feed(rt, message_received("c1"))
    feed(rt, conversation_changed("c1", ["assignee_id", "team_id"], team_id=billing))
    assert held(rt, "c1") == (None, billing)

    again = message_received("c1")
    again.payload["conversation"]["team_id"] = billing
    feed(rt, again)
    assert held(rt, "c1") == (None, billing), "the customer writing again does not send it back by the rules"

    directory.set_presence(rt, bo, "online")
    assert held(rt, "c1") == (bo, billing), "handed out within its team, though Ana in Sales has room"

    feed(rt, conversation_changed("c1", ["assignee_id"], team_id=billing))  # Bo lets go of it
    directory.set_presence(rt, bo, "away")
    feed(rt, message_received("c1"))
    assert held(rt, "c1") == (None, billing), "unassigned by hand, it still waits for Billing, not for Ana"

    feed(rt, conversation_resolved("c1"))
    feed(rt, message_received("c1"))  # (a conversation id used again only here, to show the transfer is forgotten)
    assert held(rt, "c1") == (ana, sales)


def test_a_waiting_conversation_moved_to_another_team_leaves_the_old_queue(routing):
    rt = routing.runtime
    sales, billing = team(rt, "Sales"), team(rt, "Billing")
    everything_to(rt, sales)
    bo = agent(rt, "Bo", billing)
    feed(rt, message_received("c1", channel="email"))
    assert held(rt, "c1") == (None, sales)
    feed(rt, conversation_changed("c1", ["team_id"], team_id=billing, channel="email"))
    assert held(rt, "c1") == (bo, billing)
    with rt.db.reading() as db:
        channel = db.execute(select(assignments.c.channel).where(assignments.c.conversation_id == "c1")).scalar()
    assert channel == "email", "routed again with the customer's message routing kept"


def test_an_owner_who_stays_through_a_team_change_counts_for_the_new_team(routing):
    rt = routing.runtime
    sales, billing = team(rt, "Sales"), team(rt, "Billing")
    everything_to(rt, sales)
    ana = agent(rt, "Ana", sales)
    directory.update_agent(rt, ana, {"teams": [sales, billing]})
    feed(rt, message_received("c1"))
    feed(rt, conversation_changed("c1", ["team_id"], team_id=billing, assignee_id=ana))
    assert held(rt, "c1") == (ana, billing)


@pytest.mark.parametrize("policy, expected", [("keep", "ana"), ("requeue", "bo")])
def test_a_deactivated_agent_gets_nothing_new_and_their_conversations_follow_the_offline_policy(routing, policy,
                                                                                              expected):
    rt = routing.runtime
    night = team(rt, "Night", offline_policy=policy)
    everything_to(rt, night)
    people = {"ana": agent(rt, "Ana", night)}
    feed(rt, message_received("c1"))
    people["bo"] = agent(rt, "Bo", night)

    changed = directory.update_agent(rt, people["ana"], {"active": False})

    assert (changed["active"], changed["presence"]) == (False, "offline")
    assert held(rt, "c1") == (people[expected], night)
    with rt.db.reading() as db:
        assert people["ana"] not in [a.id for a in load_agents(db)]
    with pytest.raises(ApiError) as refused:
        directory.check_login(rt, "ana@example.com", "x" * 12)
    assert refused.value.status == 401
    with pytest.raises(ApiError) as refused:
        directory.set_presence(rt, people["ana"], "online")
    assert refused.value.status == 409
    feed(rt, message_received("c2"))
    assert held(rt, "c2")[0] == people["bo"]
    told: list[dict] = []
    assert wait_until(lambda: told.extend(published(rt, "agent.updated")) or len(told) == 3)
    assert (told[-1]["id"], told[-1]["active"], told[-1]["presence"]) == (people["ana"], False, "offline")

    directory.update_agent(rt, people["ana"], {"active": True})
    assert directory.check_login(rt, "ana@example.com", "x" * 12)["active"] is True


def test_a_team_can_be_renamed_and_change_strategy_limit_and_offline_policy(routing):
    rt = routing.runtime
    sales = team(rt, "Sales")
    changed = directory.update_team(rt, sales, {"name": "Inside sales", "assignment": {"strategy": "least_busy"},
                                                "max_wait_seconds": 120, "offline_policy": "requeue"})
    assert (changed["name"], changed["assignment"], changed["max_wait_seconds"], changed["offline_policy"]) == \
        ("Inside sales", {"strategy": "least_busy"}, 120, "requeue")
    assert directory.update_team(rt, sales, {"max_wait_seconds": None})["max_wait_seconds"] is None
    team(rt, "Billing")
    with pytest.raises(ApiError) as taken:
        directory.update_team(rt, sales, {"name": "Billing"})
    assert taken.value.status == 409 and directory.get_team(rt, sales)["name"] == "Inside sales"
    with pytest.raises(ApiError) as missing:
        directory.update_team(rt, "no-such-team", {"name": "x"})
    assert missing.value.status == 404
