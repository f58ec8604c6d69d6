"""Teams and agents: who works here, in which teams, with which skills, capacity and presence."""

from __future__ import annotations

import uuid

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.envelopes import make_envelope
from shared.runtime import ServiceRuntime
from shared.web.errors import ApiError
from services.routing.assignment import (SOURCE, hand_out_waiting, now, requeue_for_offline_agent,
                                         serialize_routing)
from services.routing.tables import agents, memberships, teams

DEFAULT_TEAM = "Support"
_hasher = PasswordHasher()
# Compared against when the email is unknown, so a login takes as long either way.
_DUMMY_HASH = _hasher.hash("switchboard-no-such-agent")


def ensure_default_team(rt: ServiceRuntime) -> str:
    """The team conversations go to when no rule picks one (created on first start)."""
    with rt.db.transaction(notify=False) as db:
        found = db.execute(select(teams.c.id).where(teams.c.is_default.is_(True))).scalar()
        if found:
            return found
        team_id = str(uuid.uuid4())
        db.execute(insert(teams).values(id=team_id, name=DEFAULT_TEAM, strategy="round_robin", is_default=True,
                                        offline_policy="keep", created_at=now()))
        return team_id


def team_dict(row) -> dict:
    return {"id": row.id, "name": row.name, "assignment": {"strategy": row.strategy},
            "is_default": row.is_default, "max_wait_seconds": row.max_wait_seconds,
            "offline_policy": row.offline_policy, "created_at": row.created_at}


def create_team(rt: ServiceRuntime, data: dict) -> dict:
    team_id = str(uuid.uuid4())
    try:
        with rt.db.transaction() as db:
            db.execute(insert(teams).values(id=team_id, name=data["name"], strategy=data["assignment"]["strategy"],
                                            is_default=False, max_wait_seconds=data.get("max_wait_seconds"),
                                            offline_policy=data.get("offline_policy", "keep"), created_at=now()))
    except IntegrityError:
        raise ApiError(409, f"A team named {data['name']!r} exists already") from None
    return get_team(rt, team_id)


def update_team(rt: ServiceRuntime, team_id: str, changes: dict) -> dict:
    """Rename a team or change its strategy, waiting limit or offline policy; the next decisions follow.

    A new name is published (`team.updated`) so the inbox shows it on the team's conversations."""
    values = {k: v for k, v in changes.items() if k in ("name", "max_wait_seconds", "offline_policy")}
    if "assignment" in changes:
        values["strategy"] = changes["assignment"]["strategy"]
    try:
        with rt.db.transaction() as db:
            serialize_routing(db)
            if db.execute(select(teams.c.id).where(teams.c.id == team_id)).first() is None:
                raise ApiError(404, "No such team")
            if values:
                db.execute(update(teams).where(teams.c.id == team_id).values(**values))
            if "name" in values:
                rt.outbox.add(db, make_envelope("team.updated", {"id": team_id, "name": values["name"]},
                                                source=SOURCE))
    except IntegrityError:
        raise ApiError(409, f"A team named {changes.get('name')!r} exists already") from None
    return get_team(rt, team_id)


def get_team(rt: ServiceRuntime, team_id: str) -> dict:
    with rt.db.reading() as db:
        row = db.execute(select(teams).where(teams.c.id == team_id)).first()
    if row is None:
        raise ApiError(404, "No such team")
    return team_dict(row)


def list_teams(rt: ServiceRuntime) -> list[dict]:
    with rt.db.reading() as db:
        return [team_dict(r) for r in db.execute(select(teams).order_by(teams.c.name)).all()]


def agent_dict(db: Session, row) -> dict:
    team_ids = db.execute(select(memberships.c.team_id).where(memberships.c.agent_id == row.id)).scalars().all()
    return {"id": row.id, "name": row.name, "email": row.email, "role": row.role, "teams": sorted(team_ids),
            "skills": list(row.skills), "capacity": row.capacity, "presence": row.presence,
            "active": row.active, "created_at": row.created_at}


def create_agent(rt: ServiceRuntime, data: dict) -> dict:
    agent_id = str(uuid.uuid4())
    try:
        with rt.db.transaction() as db:
            serialize_routing(db)
            _check_teams_exist(db, data["teams"])
            db.execute(insert(agents).values(
                id=agent_id, name=data["name"], email=data["email"].lower(), password_hash=_hasher.hash(data["password"]),
                role=data["role"], skills=sorted(set(data["skills"])), capacity=data["capacity"],
                presence=data.get("presence", "offline"), created_at=now()))
            for team_id in set(data["teams"]):
                db.execute(insert(memberships).values(agent_id=agent_id, team_id=team_id))
            _publish_agent(rt, db, agent_id)
            hand_out_waiting(rt, db)  # a new agent online takes from the queue at once
    except IntegrityError:
        raise ApiError(409, f"An agent with email {data['email']!r} exists already") from None
    return get_agent(rt, agent_id)


def update_agent(rt: ServiceRuntime, agent_id: str, changes: dict) -> dict:
    """Change an agent's name, role, teams, skills, capacity, password or whether they are active.

    A deactivated agent goes offline for good (until reactivated): their open conversations follow
    their teams' offline policy. More room is handed out at once.
    """
    values = {k: v for k, v in changes.items() if k in ("name", "role", "capacity", "active")}
    if changes.get("active") is False:
        values["presence"] = "offline"
    if "email" in changes:
        values["email"] = changes["email"].lower()
    if "skills" in changes:
        values["skills"] = sorted(set(changes["skills"]))
    if "password" in changes:
        values["password_hash"] = _hasher.hash(changes["password"])
    try:
        with rt.db.transaction() as db:
            serialize_routing(db)
            _agent_row(db, agent_id)
            if values:
                db.execute(update(agents).where(agents.c.id == agent_id).values(**values))
            if "teams" in changes:
                replace_memberships(db, agent_id, changes["teams"])
            _publish_agent(rt, db, agent_id)
            if changes.get("active") is False:
                requeue_for_offline_agent(rt, db, agent_id)
            hand_out_waiting(rt, db)
    except IntegrityError:
        raise ApiError(409, f"An agent with email {changes.get('email')!r} exists already") from None
    return get_agent(rt, agent_id)


def _agent_row(db: Session, agent_id: str):
    row = db.execute(select(agents).where(agents.c.id == agent_id)).first()
    if row is None:
        raise ApiError(404, "No such agent")
    return row


def _publish_agent(rt: ServiceRuntime, db: Session, agent_id: str) -> None:
    """`agent.updated`, so other services know the agent's name, teams and presence."""
    agent = agent_dict(db, _agent_row(db, agent_id))
    rt.outbox.add(db, make_envelope("agent.updated", {
        "id": agent["id"], "name": agent["name"], "email": agent["email"], "role": agent["role"],
        "team_ids": agent["teams"], "presence": agent["presence"], "active": agent["active"]}, source=SOURCE))


def _check_teams_exist(db: Session, team_ids: list[str]) -> None:
    known = set(db.execute(select(teams.c.id).where(teams.c.id.in_(team_ids))).scalars())
    unknown = [t for t in team_ids if t not in known]
    if unknown:
        raise ApiError(422, "Unknown team", details={"teams": [f"no team {t}" for t in unknown]})


def get_agent(rt: ServiceRuntime, agent_id: str) -> dict:
    with rt.db.reading() as db:
        return agent_dict(db, _agent_row(db, agent_id))


def list_agents(rt: ServiceRuntime) -> list[dict]:
    with rt.db.reading() as db:
        return [agent_dict(db, r) for r in db.execute(select(agents).order_by(agents.c.name)).all()]


def check_login(rt: ServiceRuntime, email: str, password: str) -> dict:
    """The active agent with this email and password; 401 otherwise (the same answer for either mistake)."""
    with rt.db.reading() as db:
        row = db.execute(select(agents).where(agents.c.email == email.lower())).first()
        try:
            _hasher.verify(row.password_hash if row else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            row = None
        if row is None:
            raise ApiError(401, "Wrong email or password")
        if not row.active:
            raise ApiError(401, "This agent account is deactivated")
        return agent_dict(db, row)


def check_active(rt: ServiceRuntime, agent_id: str) -> None:
    """401 for an agent deactivated since their token was issued (tokens outlive a deactivation)."""
    with rt.db.reading() as db:
        active = db.execute(select(agents.c.active).where(agents.c.id == agent_id)).scalar()
    if active is False:
        raise ApiError(401, "This agent account is deactivated")


def set_presence(rt: ServiceRuntime, agent_id: str, presence: str) -> dict:
    """Online, away or offline. Going offline re-queues open conversations where the team says so;
    any freed or new room is handed to waiting conversations at once."""
    with rt.db.transaction() as db:
        serialize_routing(db)
        row = _agent_row(db, agent_id)
        if not row.active:
            raise ApiError(409, "This agent account is deactivated")
        if row.presence != presence:
            db.execute(update(agents).where(agents.c.id == agent_id).values(presence=presence))
            _publish_agent(rt, db, agent_id)
            if presence == "offline":
                requeue_for_offline_agent(rt, db, agent_id)
            hand_out_waiting(rt, db)
    return get_agent(rt, agent_id)


def replace_memberships(db: Session, agent_id: str, team_ids: list[str]) -> None:
    _check_teams_exist(db, team_ids)
    db.execute(delete(memberships).where(memberships.c.agent_id == agent_id))
    for team_id in set(team_ids):
        db.execute(insert(memberships).values(agent_id=agent_id, team_id=team_id))
