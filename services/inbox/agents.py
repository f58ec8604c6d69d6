"""The inbox's copy of routing's agents: names and teams, kept from `agent.updated` events.

Visibility ("an agent sees their teams' and their own conversations") follows this copy, so a
change of teams or a deactivation applies at once, without a new login and without reading
routing's tables. An agent the copy does not know yet is judged by their login token.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from shared.envelopes import Envelope
from shared.runtime import ServiceRuntime
from shared.web.auth import Principal
from shared.web.errors import ApiError
from services.inbox.tables import agents, conversations, teams


def apply_agent(rt: ServiceRuntime, envelope: Envelope) -> None:
    """Keep the newest state routing published of one agent (older events arriving late are ignored)."""
    agent = envelope.payload
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


def effective_principal(db: Session, principal: Principal) -> Principal:
    """The caller with the teams, role and name routing last published for them; 401 if deactivated."""
    if principal.kind != "agent":
        return principal
    row = db.execute(select(agents).where(agents.c.id == principal.id)).first()
    if row is None:
        return principal
    if not row.active:
        raise ApiError(401, "This agent account is deactivated")
    return replace(principal, name=row.name, role=row.role, team_ids=frozenset(row.team_ids))


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
