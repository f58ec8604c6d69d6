"""Whatever customers send and whatever is stored, evaluating, deciding and checking never raise."""

import json
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.routing.domain import check_rule, decide, evaluate
from services.routing.domain.vocabulary import ACTION_ARGUMENTS, MESSAGE_FIELDS, OPERATORS
from tests.unit.routing_domain.builders import WEIGHTS, agent, message, rule, team

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=40),
                    st.datetimes().map(lambda d: d.isoformat()), st.integers(min_value=10**300, max_value=10**320))
json_values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                            st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                           max_leaves=12)
field_names = st.one_of(st.sampled_from(sorted(MESSAGE_FIELDS) + ["contact.plan", "contact.lifecycle_stage"]),
                        st.text(max_size=20), json_values)
ops = st.one_of(st.sampled_from(sorted(OPERATORS)), json_values)
patterns = st.sampled_from(["(a+)+$", "([a-z", r"\d{3}", "^$", "(?i)x|y", ".*a.*", r"(a)\1", "[^\\W]+"])
conditions = st.recursive(
    st.fixed_dictionaries({"field": field_names, "op": ops, "value": st.one_of(json_values, patterns)}),
    lambda inner: st.one_of(st.dictionaries(st.sampled_from(["all", "any", "x"]), st.lists(inner, max_size=4),
                                            max_size=2), json_values),
    max_leaves=10)
actions = st.one_of(st.fixed_dictionaries({"type": st.sampled_from(sorted(ACTION_ARGUMENTS)),
                                           "value": json_values, "team_id": json_values, "agent_id": json_values}),
                    json_values)
contacts = st.dictionaries(st.text(max_size=12), json_values, max_size=6)
messages = st.builds(lambda text, channel, contact, labels, priority, last: message(
    text, channel=channel, contact=contact, labels=tuple(labels), priority=priority, last_agent_id=last),
    st.text(max_size=300), st.sampled_from(["email", "sms", "chat", "fax"]), contacts,
    st.lists(st.text(max_size=10), max_size=4), st.one_of(st.sampled_from(["low", "urgent"]), st.text(max_size=5)),
    st.one_of(st.none(), st.sampled_from(["ana", "bo", "ghost"])))
relaxed = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@relaxed
@given(conditions, messages)
def test_evaluation_never_raises_and_its_trace_is_json_ready(tree, msg):
    trace = evaluate(tree, msg)
    assert isinstance(trace.matched, bool)
    assert isinstance(trace.to_dict(), dict)


@relaxed
@given(st.lists(st.tuples(conditions, st.lists(actions, max_size=4), st.booleans(), st.booleans()), max_size=4),
       messages, st.lists(st.tuples(st.sampled_from(["ana", "bo", "cy"]), st.floats(0, 5), st.floats(0, 5),
                                    st.sampled_from(["online", "away", "offline"])), max_size=4),
       st.sampled_from([None, "support", "vip", "gone"]))
def test_deciding_never_raises_and_never_overfills_an_agent(rule_data, msg, agent_data, transferred_to):
    rules = [rule(tree, acts, rule_id=f"r{i}", position=i, stop=stop, enabled=on)
             for i, (tree, acts, stop, on) in enumerate(rule_data)]
    agents = {name: agent(name, capacity=cap, load=load, presence=presence)
              for name, cap, load, presence in agent_data}
    teams = {"support": team("support"), "vip": team("vip", "least_busy")}
    decision = decide(msg, rules, teams, list(agents.values()), default_team_id="support", channel_weights=WEIGHTS,
                      forced_team_id=transferred_to)
    json.dumps(decision.explanation, allow_nan=False)
    assert decision.waiting == (decision.agent_id is None)
    if transferred_to in teams:
        assert decision.team_id == transferred_to, "a conversation an agent sent to a team stays in it"
    if decision.agent_id:
        chosen = agents[decision.agent_id]
        assert chosen.presence == "online"
        assert chosen.load + WEIGHTS.get(msg.channel, 1.0) <= chosen.capacity
        assert transferred_to not in teams or transferred_to in chosen.team_ids


@relaxed
@given(st.one_of(json_values, st.fixed_dictionaries(
    {"name": json_values, "position": json_values, "conditions": conditions, "actions": st.lists(actions),
     "stop": json_values, "enabled": json_values})))
def test_checking_never_raises(data):
    found = check_rule(data, team_ids={"support"}, agent_ids={"ana"})
    assert all(isinstance(p.path, str) and p.message for p in found)


texts = st.text(min_size=1, max_size=20)
valid_values = {
    "eq": st.one_of(texts, st.integers(-10**6, 10**6), st.booleans()), "neq": texts, "contains": texts,
    "not_contains": texts, "starts_with": texts, "contains_any": st.lists(texts, min_size=1, max_size=3),
    "in": st.lists(st.one_of(texts, st.integers()), min_size=1, max_size=3),
    "matches": st.sampled_from([r"\d{3}", "^re:", "(?:refund|return)s?", "[a-z]+@example"]),
    "gt": st.one_of(st.integers(), st.sampled_from(["2026-01-01", "2025-06-30T12:00:00+02:00"])),
    "lt": st.floats(allow_nan=False, allow_infinity=False), "exists": st.booleans(),
}
valid_conditions = st.recursive(
    st.sampled_from(sorted(valid_values)).flatmap(lambda op: st.fixed_dictionaries({
        "field": st.sampled_from(sorted(MESSAGE_FIELDS) + ["contact.plan", "contact.seats"]),
        "op": st.just(op), "value": valid_values[op]})),
    lambda inner: st.dictionaries(st.sampled_from(["all", "any"]), st.lists(inner, max_size=3), min_size=1,
                                  max_size=1),
    max_leaves=8).map(lambda node: node if "all" in node or "any" in node else {"all": [node]})


@relaxed
@given(valid_conditions, messages)
def test_a_rule_check_rule_accepts_evaluates_to_a_json_ready_explanation(tree, msg):
    assert check_rule({"name": "r", "conditions": tree}, team_ids=set(), agent_ids=set()) == []
    decision = decide(msg, [rule(tree, [{"type": "add_label", "value": "matched-by-rule"}])], {"support": team()},
                      [agent("ana")], default_team_id="support", channel_weights=WEIGHTS)
    json.dumps(decision.explanation, allow_nan=False)
    assert decision.explanation["rules"][0]["matched"] == ("matched-by-rule" in decision.labels)


@relaxed
@given(messages)
def test_the_sticky_agent_with_room_always_comes_first(msg):
    agents = [agent("ana"), agent("bo"), agent("cy")]
    msg = replace(msg, last_agent_id="bo", channel="email")
    assert decide(msg, [], {"support": team()}, agents, default_team_id="support",
                  channel_weights=WEIGHTS).agent_id == "bo"
