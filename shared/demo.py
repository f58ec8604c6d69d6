"""The demo agent `make run` creates, so a newcomer can answer their first chat at once."""

from __future__ import annotations

from sqlalchemy import select

from services.routing import directory
from services.routing.tables import agents

DEMO_AGENT = {"name": "Dana (demo agent)", "email": "agent@switchboard.local", "password": "switchboard-demo"}


def ensure_demo_agent(routing_service) -> None:
    """An online agent in the default team (created once; later runs just put them online)."""
    rt = routing_service.runtime
    team_id = directory.ensure_default_team(rt)
    with rt.db.reading() as db:
        agent_id = db.execute(select(agents.c.id).where(agents.c.email == DEMO_AGENT["email"])).scalar()
    if agent_id is None:
        agent = directory.create_agent(rt, {**DEMO_AGENT, "role": "agent", "teams": [team_id], "skills": [],
                                            "capacity": 10, "presence": "online"})
        agent_id = agent["id"]
    directory.set_presence(rt, agent_id, "online")
