"""check_rule refuses a bad rule and names exactly the part an admin must fix."""

import pytest

from services.routing.domain import check_rule

TEAMS, AGENTS = {"t-billing"}, {"a-ana"}


def problems(data) -> dict[str, str]:
    return {p.path: p.message for p in check_rule(data, team_ids=TEAMS, agent_ids=AGENTS)}


def with_condition(item) -> dict:
    return {"name": "r", "conditions": {"all": [{"field": "channel", "op": "eq", "value": "sms"}, item]}}


def test_a_good_rule_has_no_problems():
    good = {"name": "Billing in Spanish", "position": 2, "enabled": True, "stop": True,
            "conditions": {"all": [{"field": "text", "op": "contains_any", "value": ["factura", "pago"]},
                                   {"any": [{"field": "contact.plan", "op": "eq", "value": "pro"},
                                            {"field": "contact.seats", "op": "gt", "value": 10}]}]},
            "actions": [{"type": "assign_team", "team_id": "t-billing"}, {"type": "set_priority", "value": "high"},
                        {"type": "add_label", "value": "billing"}, {"type": "require_skill", "value": "es"},
                        {"type": "assign_agent", "agent_id": "a-ana"}]}
    assert problems(good) == {}


def test_empty_conditions_and_actions_are_fine():
    assert problems({"name": "catch-all"}) == {}


@pytest.mark.parametrize("item, path, words", [
    ({"field": "colour", "op": "eq", "value": "x"}, "conditions.all[1].field", "not a known field"),
    ({"field": "contact.", "op": "eq", "value": "x"}, "conditions.all[1].field", "not a known field"),
    ({"field": "text", "op": "like", "value": "x"}, "conditions.all[1].op", "not a known operator"),
    ({"op": "eq", "value": "x"}, "conditions.all[1].field", "is required"),
    ({"field": "text", "value": "x"}, "conditions.all[1].op", "is required"),
    ({"field": "text", "op": "eq"}, "conditions.all[1].value", "is required"),
    ({"field": "text", "op": "eq", "value": ["a"]}, "conditions.all[1].value", "must be text, a number"),
    ({"field": "text", "op": "eq", "value": {"a": 1}}, "conditions.all[1].value", "must be text, a number"),
    ({"field": "text", "op": "contains", "value": 3}, "conditions.all[1].value", "non-empty text"),
    ({"field": "text", "op": "contains", "value": ""}, "conditions.all[1].value", "non-empty text"),
    ({"field": "text", "op": "contains_any", "value": "x"}, "conditions.all[1].value", "non-empty list"),
    ({"field": "text", "op": "contains_any", "value": ["ok", 5]}, "conditions.all[1].value[1]", "non-empty text"),
    ({"field": "channel", "op": "in", "value": []}, "conditions.all[1].value", "non-empty list"),
    ({"field": "contact.seats", "op": "gt", "value": "many"}, "conditions.all[1].value", "number or an ISO 8601"),
    ({"field": "contact.seats", "op": "lt", "value": float("nan")}, "conditions.all[1].value", "number or an ISO"),
    ({"field": "contact.vip", "op": "exists", "value": "yes"}, "conditions.all[1].value", "true or false"),
    ({"field": "text", "op": "matches", "value": "([a-z"}, "conditions.all[1].value", "not a valid regular"),
    ({"field": "text", "op": "matches", "value": "(a+)+$"}, "conditions.all[1].value", "must not repeat a group"),
    ({"field": "text", "op": "matches", "value": "(a|a)*b"}, "conditions.all[1].value", "alternatives"),
    ({"field": "text", "op": "matches", "value": ".*x.*y"}, "conditions.all[1].value", "two unlimited repeats"),
    ({"field": "text", "op": "matches", "value": r"(a)\1"}, "conditions.all[1].value", "back-references"),
    ({"field": "text", "op": "matches", "value": 7}, "conditions.all[1].value", "regular expression written"),
    ({"field": "text", "op": "eq", "value": "x", "extra": 1}, "conditions.all[1].extra", "not allowed"),
    ("text", "conditions.all[1]", "must be a condition"),
])
def test_a_bad_condition_is_named_by_its_path(item, path, words):
    found = problems(with_condition(item))
    assert path in found, found
    assert words in found[path]


def test_a_problem_deep_in_nested_groups_is_named_by_its_full_path():
    data = {"name": "r", "conditions": {"any": [
        {"field": "channel", "op": "eq", "value": "sms"},
        {"all": [{"field": "text", "op": "contains", "value": "x"},
                 {"any": [{"field": "text", "op": "regex", "value": "x"}]}]}]}}
    assert list(problems(data)) == ["conditions.any[1].all[1].any[0].op"]


@pytest.mark.parametrize("conditions, path", [
    ([], "conditions"),
    ({"all": [], "any": []}, "conditions"),
    ({"every": []}, "conditions.every"),
    ({"all": "x"}, "conditions.all"),
])
def test_a_badly_shaped_group_is_refused(conditions, path):
    assert path in problems({"name": "r", "conditions": conditions})


def test_nesting_too_deep_is_refused():
    node: dict = {"field": "text", "op": "contains", "value": "x"}
    for _ in range(12):
        node = {"all": [node]}
    assert any("deeper than" in m for m in problems({"name": "r", "conditions": node}).values())


def test_too_many_conditions_are_refused():
    many = {"any": [{"field": "text", "op": "contains", "value": f"w{i}"} for i in range(101)]}
    assert "at most 100" in problems({"name": "r", "conditions": many})["conditions"]


@pytest.mark.parametrize("action, path, words", [
    ({"type": "assign_team", "team_id": "t-nope"}, "actions[0].team_id", "names no team"),
    ({"type": "assign_agent", "agent_id": "a-nope"}, "actions[0].agent_id", "names no agent"),
    ({"type": "assign_team"}, "actions[0].team_id", "is required"),
    ({"type": "set_priority", "value": "critical"}, "actions[0].value", "must be one of"),
    ({"type": "add_label", "value": ""}, "actions[0].value", "non-empty text"),
    ({"type": "require_skill", "value": ["es"]}, "actions[0].value", "non-empty text"),
    ({"type": "close"}, "actions[0].type", "not a known action"),
    ("assign_team", "actions[0].type", "not a known action"),
])
def test_a_bad_action_is_named_by_its_path(action, path, words):
    found = problems({"name": "r", "actions": [action]})
    assert words in found[path]


@pytest.mark.parametrize("data, path", [
    ({"name": ""}, "name"),
    ({"name": 5}, "name"),
    ({"name": "r", "position": -1}, "position"),
    ({"name": "r", "position": 10**30}, "position"),
    ({"name": "r", "position": True}, "position"),
    ({"name": "r", "enabled": "yes"}, "enabled"),
    ({"name": "r", "stop": 1}, "stop"),
    ({"name": "r", "actions": {"type": "add_label"}}, "actions"),
    ({"name": "r", "actions": [{"type": "add_label", "value": "x"}] * 51}, "actions"),
    ([], ""),
])
def test_a_bad_header_is_named(data, path):
    assert path in problems(data)


def test_every_problem_is_reported_at_once():
    data = {"name": "", "conditions": {"all": [{"field": "colour", "op": "like", "value": 1}]},
            "actions": [{"type": "assign_team", "team_id": "nope"}]}
    assert set(problems(data)) == {"name", "conditions.all[0].field", "conditions.all[0].op", "actions[0].team_id"}
