"""An agent finds the messages of their teams and of their own conversations only."""

from __future__ import annotations

import pytest

from services.search.engines.base import SearchQuery
from tests.conformance.search.messages import found_ids, message, store


@pytest.fixture
def shared_inbox(engine):
    store(
        engine,
        message("billing", "refund", minute=1, team_id="team-billing"),
        message("shipping", "refund", minute=2, team_id="team-shipping"),
        message("mine-elsewhere", "refund", minute=3, team_id="team-vip", assignee_id="agent-lin"),
        message("someone-elses", "refund", minute=4, team_id="team-vip", assignee_id="agent-sam"),
        message("no-team", "refund", minute=5, team_id=None),
    )
    return engine


def test_an_agent_sees_their_teams_and_their_own_assignments(shared_inbox):
    visible = {"visible_team_ids": frozenset({"team-billing"}), "visible_assignee_id": "agent-lin"}

    assert found_ids(shared_inbox, **visible) == ["mine-elsewhere", "billing"]
    assert found_ids(shared_inbox, q="refund", **visible) == ["mine-elsewhere", "billing"]


def test_an_agent_in_several_teams_sees_all_of_them(shared_inbox):
    visible = {"visible_team_ids": frozenset({"team-billing", "team-shipping"})}

    assert found_ids(shared_inbox, **visible) == ["shipping", "billing"]


def test_an_agent_without_teams_or_assignments_sees_nothing(shared_inbox):
    assert found_ids(shared_inbox, visible_team_ids=frozenset(), visible_assignee_id=None) == []
    assert found_ids(shared_inbox, q="refund", visible_team_ids=frozenset()) == []


def test_the_total_counts_only_what_the_agent_may_see(shared_inbox):
    page = shared_inbox.search(SearchQuery(visible_team_ids=frozenset({"team-shipping"})))

    assert page.total == 1


def test_an_admin_sees_every_message(shared_inbox):
    assert len(found_ids(shared_inbox, visible_team_ids=None)) == 5


def test_a_filter_cannot_widen_what_an_agent_sees(shared_inbox):
    assert found_ids(
        shared_inbox, assignee_id="agent-sam", visible_team_ids=frozenset({"team-billing"})
    ) == []
