"""The routing decision: rules in order, then the team, then the agent, with the reasons for each."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Mapping, Sequence

from services.routing.domain.conditions import evaluate
from services.routing.domain.vocabulary import DEFAULT_PRIORITY, PRIORITIES
from services.routing.domain.model import Agent, Decision, RoutedMessage, Rule, Team

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass
class _Outcome:
    """What the matching rules asked for, as they are applied in order."""

    team_id: str | None = None
    agent_id: str | None = None
    priority: str = DEFAULT_PRIORITY
    labels: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)


def decide(message: RoutedMessage, rules: Sequence[Rule], teams: Mapping[str, Team], agents: Sequence[Agent], *,
           default_team_id: str | None, channel_weights: Mapping[str, float],
           forced_team_id: str | None = None) -> Decision:
    """Who should own this conversation now, and why. Pure; never raises for any message.

    `forced_team_id` is a team an agent transferred the conversation to: rules still set priority,
    labels and skills, but their team (and any agent outside that team) is not followed.
    """
    outcome = _Outcome(priority=message.priority if message.priority in PRIORITIES else DEFAULT_PRIORITY,
                       labels=list(message.labels))
    forced = forced_team_id if forced_team_id in teams else None
    rule_traces = _apply_rules(message, rules, outcome)
    team_explanation = _team(outcome, teams, default_team_id, forced)
    if forced:
        outcome.team_id = forced
        named = next((a for a in agents if a.id == outcome.agent_id), None)
        if outcome.agent_id and (named is None or forced not in named.team_ids):
            team_explanation["rule_agent_ignored"] = outcome.agent_id
            outcome.agent_id = None
    team_id = team_explanation["id"]
    weight = float(channel_weights.get(message.channel, 1.0))
    agent_id, agent_reason, candidates = _choose_agent(message, outcome, teams.get(team_id or ""), agents, weight)
    explanation = {"rules": rule_traces, "team": team_explanation,
                   "agent": {"id": agent_id, "reason": agent_reason, "candidates": candidates},
                   "channel_weight": weight}
    return Decision(team_id=team_id, agent_id=agent_id, priority=outcome.priority, labels=tuple(outcome.labels),
                    required_skills=tuple(outcome.skills), waiting=agent_id is None, explanation=explanation)


def _team(outcome: _Outcome, teams: Mapping[str, Team], default_team_id: str | None, forced: str | None) -> dict:
    """The team and why: an agent's transfer, else the last rule that named one, else the default."""
    if forced:
        return {"id": forced, "reason": "transferred by an agent",
                "rule_team_ignored": outcome.team_id if outcome.team_id != forced else None}
    if outcome.team_id in teams:
        return {"id": outcome.team_id, "reason": "chosen by rule"}
    return {"id": default_team_id, "reason": "default team"}


def _apply_rules(message: RoutedMessage, rules: Sequence[Rule], outcome: _Outcome) -> list[dict]:
    traces = []
    for rule in sorted(rules, key=lambda r: (r.position, r.id)):
        entry = {"id": rule.id, "name": rule.name, "version": rule.version}
        if not rule.enabled:
            traces.append(entry | {"matched": False, "skipped": "disabled"})
            continue
        trace = evaluate(rule.conditions, message)
        traces.append(entry | {"matched": trace.matched, "conditions": trace.to_dict()})
        if trace.matched:
            for action in rule.actions:
                _apply_action(action, outcome)
            if rule.stop:
                break
    return traces


def _apply_action(action: object, outcome: _Outcome) -> None:
    if not isinstance(action, Mapping):
        return  # check_rule refuses such a rule; one stored before a check changed must not stop routing
    kind = action.get("type")
    if kind == "assign_team" and isinstance(action.get("team_id"), str):
        outcome.team_id = action["team_id"]
    elif kind == "assign_agent" and isinstance(action.get("agent_id"), str):
        outcome.agent_id = action["agent_id"]
    elif kind == "set_priority" and action.get("value") in PRIORITIES:
        outcome.priority = action["value"]
    elif kind == "add_label" and action.get("value") not in outcome.labels:
        outcome.labels.append(str(action.get("value")))
    elif kind == "require_skill" and action.get("value") not in outcome.skills:
        outcome.skills.append(str(action.get("value")))


def _has_room(agent: Agent, weight: float) -> bool:
    return agent.presence == "online" and agent.load + weight <= agent.capacity


def _choose_agent(message: RoutedMessage, outcome: _Outcome, team: Team | None, agents: Sequence[Agent],
                  weight: float) -> tuple[str | None, str, list[dict]]:
    """An agent named by a rule; else the agent who helped before; else the team's strategy."""
    by_id = {a.id: a for a in agents}
    named = by_id.get(outcome.agent_id or "")
    if named and _has_room(named, weight):
        return named.id, "assigned by rule", []
    sticky = by_id.get(message.last_agent_id or "")
    # The agent who helped before keeps the customer unless a rule sent them to a team that agent is not in.
    if sticky and _has_room(sticky, weight) and (outcome.team_id is None or team is None or team.id in sticky.team_ids):
        return sticky.id, "sticky: last helped this contact", []
    if team is None:
        return None, "nobody available: no team", []
    candidates = [_candidate(a, team, outcome.skills, weight) for a in agents if team.id in a.team_ids]
    eligible = [by_id[c["id"]] for c in candidates if c["eligible"]]
    if not eligible:
        return None, "nobody available", candidates
    chosen = min(eligible, key=_strategy_key(team.strategy))
    return chosen.id, team.strategy, candidates


def _candidate(agent: Agent, team: Team, skills: list[str], weight: float) -> dict:
    why_not = None
    if agent.presence != "online":
        why_not = f"is {agent.presence}"
    elif not set(skills) <= agent.skills:
        why_not = "lacks skills " + ", ".join(sorted(set(skills) - agent.skills))
    elif agent.load + weight > agent.capacity:
        why_not = f"at capacity ({agent.load:g} of {agent.capacity:g})"
    return {"id": agent.id, "eligible": why_not is None, "why_not": why_not, "load": agent.load}


def _strategy_key(strategy: str):
    """round_robin: least recently assigned first; least_busy: lowest share of capacity first."""
    def recency(a: Agent):
        return (a.last_assigned_at is not None, a.last_assigned_at or _EPOCH, a.id)

    if strategy == "least_busy":
        return lambda a: (a.load / a.capacity if a.capacity else float("inf"), *recency(a))
    return recency
