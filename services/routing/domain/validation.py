"""Checking a rule as an admin sends it, naming the exact bad part (`conditions.all[1].op`)."""

from collections.abc import Mapping, Set

from services.routing.domain.condition_checks import check_conditions
from services.routing.domain.problems import RuleProblem, item_path, key_path
from services.routing.domain.values import MISSING
from services.routing.domain.vocabulary import (
    ACTION_ARGUMENTS,
    MAX_ACTIONS,
    MAX_LABEL_LENGTH,
    MAX_NAME_LENGTH,
    MAX_POSITION,
    PRIORITIES,
)

ACTION_HINT = ", ".join(sorted(ACTION_ARGUMENTS))


def check_rule(data: object, *, team_ids: Set[str], agent_ids: Set[str]) -> list[RuleProblem]:
    """Every problem with a rule; an empty list means it may be saved. Never raises."""
    if not isinstance(data, Mapping):
        return [RuleProblem("", "a rule must be a JSON object")]
    return [
        *_check_header(data),
        *check_conditions(data.get("conditions", {})),
        *_check_actions(data.get("actions", []), team_ids, agent_ids),
    ]


def _check_header(data: Mapping) -> list[RuleProblem]:
    problems = []
    name = data.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME_LENGTH:
        problems.append(RuleProblem("name", f"must be non-empty text of at most {MAX_NAME_LENGTH} characters"))
    position = data.get("position", 0)
    if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position <= MAX_POSITION:
        problems.append(RuleProblem("position", f"must be a whole number from 0 to {MAX_POSITION}"))
    for flag in ("enabled", "stop"):
        if flag in data and not isinstance(data[flag], bool):
            problems.append(RuleProblem(flag, "must be true or false"))
    return problems


def _check_actions(actions: object, team_ids: Set[str], agent_ids: Set[str]) -> list[RuleProblem]:
    if not isinstance(actions, list):
        return [RuleProblem("actions", "must be a list")]
    if len(actions) > MAX_ACTIONS:
        return [RuleProblem("actions", f"must have at most {MAX_ACTIONS} actions")]
    problems = []
    for index, action in enumerate(actions):
        path = item_path("actions", index)
        kind = action.get("type") if isinstance(action, Mapping) else None
        if not isinstance(kind, str) or kind not in ACTION_ARGUMENTS:
            problems.append(RuleProblem(key_path(path, "type"), f"is not a known action; use {ACTION_HINT}"))
            continue
        key = ACTION_ARGUMENTS[kind]
        message = _argument_problem(kind, action.get(key, MISSING), team_ids, agent_ids)
        if message:
            problems.append(RuleProblem(key_path(path, key), message))
    return problems


def _argument_problem(kind: str, value: object, team_ids: Set[str], agent_ids: Set[str]) -> str | None:
    if value is MISSING:
        return "is required"
    if kind == "assign_team":
        return None if isinstance(value, str) and value in team_ids else "names no team"
    if kind == "assign_agent":
        return None if isinstance(value, str) and value in agent_ids else "names no agent"
    if kind == "set_priority":
        return None if value in PRIORITIES else f"must be one of {', '.join(PRIORITIES)}"
    if isinstance(value, str) and value.strip() and len(value) <= MAX_LABEL_LENGTH:
        return None
    return f"must be non-empty text of at most {MAX_LABEL_LENGTH} characters"
