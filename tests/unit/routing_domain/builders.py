"""Small builders for routing's domain values, so each test states only what matters to it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from services.routing.domain import Agent, RoutedMessage, Rule, Team

WEIGHTS = {"chat": 1.0, "sms": 0.5, "email": 0.5}
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


def message(text: str = "Hello", *, channel: str = "email", subject: str = "", sender: str = "ana@example.com",
            contact: dict | None = None, labels: tuple = (), priority: str = "normal",
            last_agent_id: str | None = None) -> RoutedMessage:
    return RoutedMessage(channel=channel, text=text, subject=subject, sender=sender, contact=contact or {},
                         labels=tuple(labels), priority=priority, last_agent_id=last_agent_id)


def rule(conditions: dict | None = None, actions: list | None = None, *, rule_id: str = "r1", position: int = 0,
         stop: bool = False, enabled: bool = True, version: int = 1) -> Rule:
    return Rule(id=rule_id, name=f"rule {rule_id}", position=position, enabled=enabled,
                conditions=conditions or {}, actions=tuple(actions or ()), stop=stop, version=version)


def team(team_id: str = "support", strategy: str = "round_robin") -> Team:
    return Team(id=team_id, name=team_id.title(), strategy=strategy)


def agent(agent_id: str, *, teams: tuple = ("support",), skills: tuple = (), capacity: float = 5,
          presence: str = "online", load: float = 0, last_assigned_minutes: int | None = None) -> Agent:
    last = None if last_assigned_minutes is None else T0 + timedelta(minutes=last_assigned_minutes)
    return Agent(id=agent_id, name=agent_id.title(), team_ids=frozenset(teams), skills=frozenset(skills),
                 capacity=capacity, presence=presence, load=load, open_count=0, last_assigned_at=last)


def condition(field: str, op: str, value=None) -> dict:
    """A rule holding one condition."""
    return {"all": [{"field": field, "op": op, "value": value}]}
