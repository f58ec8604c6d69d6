"""Each HTTP process keeps agents' entries briefly; deactivations and changes of teams still apply as the rules say."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from shared.web.auth import ALL_SCOPES, Principal
from shared.web.errors import ApiError
from services.inbox import agents
from services.inbox.agents import AGENT_CACHE_SECONDS, AgentCache, AgentEntry, cached_principal
from services.inbox.tables import agents as agents_table
from tests.integration.inbox.conftest import publish_agent

TOKEN_SAYS = Principal(kind="agent", id="a-1", name="a-1", team_ids=frozenset({"sales"}),
                       scopes=ALL_SCOPES - {"admin"})


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def refused(inbox) -> int:
    with pytest.raises(ApiError) as error:
        cached_principal(inbox.runtime, TOKEN_SAYS)
    return error.value.status


def test_a_deactivation_applied_in_this_process_refuses_the_very_next_request(inbox):
    publish_agent(inbox, "a-1", "Ana", ["billing"])
    assert cached_principal(inbox.runtime, TOKEN_SAYS).team_ids == {"billing"}  # now kept
    publish_agent(inbox, "a-1", "Ana", ["billing"], active=False)
    assert refused(inbox) == 401
    publish_agent(inbox, "a-1", "Ana", ["billing"])
    assert cached_principal(inbox.runtime, TOKEN_SAYS).name == "Ana"


def test_a_change_of_teams_applied_in_this_process_changes_what_the_agent_sees_at_once(inbox):
    publish_agent(inbox, "a-1", "Ana", ["billing"])
    assert cached_principal(inbox.runtime, TOKEN_SAYS).team_ids == {"billing"}
    publish_agent(inbox, "a-1", "Ana B.", ["sales", "vip"])
    assert cached_principal(inbox.runtime, TOKEN_SAYS).team_ids == {"sales", "vip"}


def test_a_deactivation_written_by_another_process_is_obeyed_once_the_entry_is_older_than_its_time(inbox):
    clock = Clock()
    cache = inbox.runtime.extras["agent_cache"] = AgentCache(clock=clock)
    inbox.runtime.db.on_commit(cache.committed)
    publish_agent(inbox, "a-1", "Ana", ["billing"])
    assert cached_principal(inbox.runtime, TOKEN_SAYS).name == "Ana"
    with inbox.runtime.db.transaction(notify=False) as db:  # the consumer process, which this one cannot hear
        db.execute(update(agents_table).where(agents_table.c.id == "a-1").values(active=False))

    clock.now += AGENT_CACHE_SECONDS / 2
    assert cached_principal(inbox.runtime, TOKEN_SAYS).name == "Ana"
    clock.now += AGENT_CACHE_SECONDS / 2
    assert refused(inbox) == 401


def test_an_agent_the_copy_does_not_know_is_judged_by_their_token_and_learnt_when_published(inbox):
    assert cached_principal(inbox.runtime, TOKEN_SAYS) == TOKEN_SAYS
    publish_agent(inbox, "a-1", "Ana", ["billing"], active=False)
    assert refused(inbox) == 401


def test_callers_other_than_agents_never_touch_the_copy(inbox):
    admin = Principal(kind="admin", id="admin", name="Admin", role="admin")
    assert cached_principal(inbox.runtime, admin) is admin
    assert "agent_cache" not in inbox.runtime.extras


def test_an_entry_read_while_a_change_is_being_applied_is_not_kept():
    cache = AgentCache(clock=Clock())
    old = AgentEntry(name="Ana", role="agent", team_ids=frozenset({"sales"}), active=True)
    cache.forget_on_commit("a-1")
    assert cache.put("a-1", old) is old  # the caller still gets what it read ...
    assert cache.get("a-1") == (False, None)  # ... but nobody after it
    cache.committed()
    cache.put("a-1", old)
    assert cache.get("a-1") == (True, old)


def test_entries_expire(inbox):
    clock = Clock()
    cache = AgentCache(seconds=1.0, clock=clock)
    cache.put("a-1", None)
    assert cache.get("a-1") == (True, None)
    clock.now += 1.0
    assert cache.get("a-1") == (False, None)
    assert agents.agent_cache(inbox.runtime) is agents.agent_cache(inbox.runtime)
