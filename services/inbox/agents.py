"""The inbox's copy of routing's agents: names and teams, kept from `agent.updated` events.

Visibility ("an agent sees their teams' and their own conversations") follows this copy, so a
change of teams or a deactivation applies at once, without a new login and without reading
routing's tables. An agent the copy does not know yet is judged by their login token.

Every request of an agent needs their entry, so each HTTP process keeps the entries it read
for AGENT_CACHE_SECONDS: an `agent.updated` applied in this process drops the entry as it
commits, and one applied by another process (the inbox's consumer) is seen within that time.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from shared.envelopes import Envelope
from shared.runtime import ServiceRuntime
from shared.web.auth import Principal
from shared.web.errors import ApiError
from services.inbox.tables import agents, conversations, teams

# How long an HTTP process trusts its copy of one agent's entry (name, role, teams, active).
AGENT_CACHE_SECONDS = 1.0


def apply_agent(rt: ServiceRuntime, envelope: Envelope) -> None:
    """Keep the newest state routing published of one agent (older events arriving late are ignored)."""
    agent = envelope.payload
    agent_cache(rt).forget_on_commit(agent["id"])
    values = {"name": agent["name"], "email": agent["email"], "role": agent["role"],
              "team_ids": sorted(set(agent["team_ids"])), "active": agent["active"], "as_of": envelope.occurred_at}
    with rt.db.transaction() as db:
        known = db.execute(select(agents.c.as_of).where(agents.c.id == agent["id"]).with_for_update()).first()
        if known is None:
            db.execute(insert(agents).values(id=agent["id"], **values))
        elif known.as_of < envelope.occurred_at:
            db.execute(update(agents).where(agents.c.id == agent["id"]).values(**values))
        else:
            return
        db.execute(update(conversations).where(conversations.c.assignee_id == agent["id"],
                                               conversations.c.assignee_name != agent["name"])
                   .values(assignee_name=agent["name"]))


def remember_team(db: Session, team_id: str | None, name: str) -> None:
    """Note a team's name as routing gave it (assignments carry it)."""
    if not team_id or not name:
        return
    known = db.execute(select(teams.c.name).where(teams.c.id == team_id)).first()
    if known is None:
        db.execute(insert(teams).values(id=team_id, name=name))
    elif known.name != name:
        db.execute(update(teams).where(teams.c.id == team_id).values(name=name))


@dataclass(frozen=True)
class AgentEntry:
    """What the copy says of one agent, as far as their requests are concerned."""

    name: str
    role: str
    team_ids: frozenset[str]
    active: bool


def effective_principal(db: Session, principal: Principal) -> Principal:
    """The caller with the teams, role and name routing last published for them; 401 if deactivated."""
    if principal.kind != "agent":
        return principal
    return _apply(principal, read_agent_entry(db, principal.id))


def cached_principal(rt: ServiceRuntime, principal: Principal) -> Principal:
    """effective_principal, from this process's short-lived copy of the entry when it has one."""
    if principal.kind != "agent":
        return principal
    cache = agent_cache(rt)
    found, entry = cache.get(principal.id)
    if not found:
        with rt.db.reading() as db:
            entry = cache.put(principal.id, read_agent_entry(db, principal.id))
    return _apply(principal, entry)


def read_agent_entry(db: Session, agent_id: str) -> AgentEntry | None:
    row = db.execute(select(agents.c.name, agents.c.role, agents.c.team_ids, agents.c.active)
                     .where(agents.c.id == agent_id)).first()
    return None if row is None else AgentEntry(row.name, row.role, frozenset(row.team_ids), row.active)


def _apply(principal: Principal, entry: AgentEntry | None) -> Principal:
    if entry is None:
        return principal
    if not entry.active:
        raise ApiError(401, "This agent account is deactivated")
    return replace(principal, name=entry.name, role=entry.role, team_ids=entry.team_ids)


class AgentCache:
    """Agents' entries for AGENT_CACHE_SECONDS; an entry changed in this process is dropped when that commits."""

    def __init__(self, seconds: float = AGENT_CACHE_SECONDS, clock=time.monotonic):
        self.seconds, self.clock = seconds, clock
        self._entries: dict[str, tuple[float, AgentEntry | None]] = {}
        self._changing: set[str] = set()
        self._lock = threading.Lock()

    def get(self, agent_id: str) -> tuple[bool, AgentEntry | None]:
        """(True, entry) while a fresh entry is kept (None: the copy does not know the agent); else (False, None)."""
        kept = self._entries.get(agent_id)
        if kept is None or kept[0] <= self.clock():
            return False, None
        return True, kept[1]

    def put(self, agent_id: str, entry: AgentEntry | None) -> AgentEntry | None:
        with self._lock:
            if agent_id not in self._changing:
                self._entries[agent_id] = (self.clock() + self.seconds, entry)
        return entry

    def forget_on_commit(self, agent_id: str) -> None:
        """Drop the entry now, keep it out while the change is in flight, and drop it again once committed."""
        with self._lock:
            self._changing.add(agent_id)
            self._entries.pop(agent_id, None)

    def committed(self) -> None:
        """Called after every commit of the inbox's database in this process."""
        if not self._changing:
            return
        with self._lock:
            for agent_id in self._changing:
                self._entries.pop(agent_id, None)
            self._changing.clear()


_cache_lock = threading.Lock()


def agent_cache(rt: ServiceRuntime) -> AgentCache:
    """This runtime's cache of agents' entries, made on first use and emptied of changes as they commit."""
    cache = rt.extras.get("agent_cache")
    if cache is None:
        with _cache_lock:
            cache = rt.extras.get("agent_cache")
            if cache is None:
                cache = rt.extras["agent_cache"] = AgentCache()
                rt.db.on_commit(cache.committed)
    return cache


def get_agent(db: Session, agent_id: str):
    """An active agent of the copy, or 422 naming the field (a transfer to nobody is refused)."""
    row = db.execute(select(agents).where(agents.c.id == agent_id, agents.c.active.is_(True))).first()
    if row is None:
        raise ApiError(422, "No such agent", details={"assignee_id": [f"no active agent {agent_id}"]})
    return row


def get_team_name(db: Session, team_id: str) -> str:
    """The name of a team the inbox knows (from assignments or agents' memberships); 422 otherwise."""
    name = db.execute(select(teams.c.name).where(teams.c.id == team_id)).scalar()
    if name is not None:
        return name
    memberships = db.execute(select(agents.c.team_ids)).scalars()
    if any(team_id in ids for ids in memberships):
        return ""
    raise ApiError(422, "No such team", details={"team_id": [f"no team {team_id} with agents"]})


def is_member(db: Session, agent_id: str, team_id: str | None) -> bool:
    team_ids = db.execute(select(agents.c.team_ids).where(agents.c.id == agent_id)).scalar()
    return team_id is not None and team_id in (team_ids or [])
