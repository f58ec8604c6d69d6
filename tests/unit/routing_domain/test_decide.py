"""The decision: rules in order (nested groups, stop, actions), then the team, then the agent and why."""

from collections import Counter
from dataclasses import replace
from datetime import timedelta

from services.routing.domain import decide, evaluate
from tests.unit.routing_domain.builders import T0, WEIGHTS, agent, condition, message, rule, team

TEAMS = {"support": team("support"), "billing": team("billing"), "vip": team("vip", "least_busy")}


def decide_for(msg, rules=(), agents=(), teams=TEAMS, default="support"):
    return decide(msg, list(rules), teams, list(agents), default_team_id=default, channel_weights=WEIGHTS)


def test_nested_all_and_any():
    tree = {"all": [{"field": "channel", "op": "eq", "value": "email"},
                    {"any": [{"field": "text", "op": "contains", "value": "invoice"},
                             {"all": [{"field": "contact.plan", "op": "eq", "value": "pro"},
                                      {"field": "contact.seats", "op": "gt", "value": 10}]}]}]}
    assert evaluate(tree, message("my invoice")).matched
    assert evaluate(tree, message("hi", contact={"plan": "pro", "seats": 12})).matched
    assert not evaluate(tree, message("hi", contact={"plan": "pro", "seats": 3})).matched
    assert not evaluate(tree, message("my invoice", channel="sms")).matched


def test_empty_conditions_hold_for_every_message():
    assert evaluate({}, message()).matched and evaluate({"any": []}, message()).matched


def test_rules_apply_in_order_and_later_rules_win():
    rules = [rule(condition("text", "contains", "invoice"), [{"type": "assign_team", "team_id": "billing"}],
                  rule_id="a", position=1),
             rule({}, [{"type": "assign_team", "team_id": "vip"}], rule_id="b", position=2)]
    decision = decide_for(message("invoice"), rules)
    assert decision.team_id == "vip"
    assert [r["matched"] for r in decision.explanation["rules"]] == [True, True]


def test_stop_ends_evaluation():
    rules = [rule(condition("text", "contains", "invoice"), [{"type": "assign_team", "team_id": "billing"}],
                  rule_id="a", position=1, stop=True),
             rule({}, [{"type": "assign_team", "team_id": "vip"}], rule_id="b", position=2)]
    decision = decide_for(message("invoice"), rules)
    assert decision.team_id == "billing"
    assert [r["id"] for r in decision.explanation["rules"]] == ["a"]


def test_stop_on_a_rule_that_did_not_match_does_not_stop():
    rules = [rule(condition("text", "contains", "refund"), [], rule_id="a", position=1, stop=True),
             rule({}, [{"type": "assign_team", "team_id": "vip"}], rule_id="b", position=2)]
    assert decide_for(message("invoice"), rules).team_id == "vip"


def test_a_disabled_rule_is_skipped_and_says_so():
    rules = [rule({}, [{"type": "assign_team", "team_id": "billing"}], enabled=False)]
    decision = decide_for(message(), rules)
    assert decision.team_id == "support" and decision.explanation["team"]["reason"] == "default team"
    assert decision.explanation["rules"][0]["skipped"] == "disabled"


def test_priority_labels_and_skills_actions():
    rules = [rule({}, [{"type": "set_priority", "value": "urgent"}, {"type": "add_label", "value": "vip"},
                       {"type": "add_label", "value": "vip"}, {"type": "require_skill", "value": "es"}])]
    decision = decide_for(message(labels=("billing",)), rules, [agent("ana", skills=("es",))])
    assert decision.priority == "urgent"
    assert decision.labels == ("billing", "vip")
    assert decision.required_skills == ("es",)
    assert decision.agent_id == "ana"


def test_the_explanation_names_each_rule_version_and_failed_condition():
    rules = [rule(condition("channel", "eq", "sms"), [], rule_id="a", version=3)]
    trace = decide_for(message(channel="email"), rules).explanation["rules"][0]
    assert trace["version"] == 3 and trace["matched"] is False
    assert trace["conditions"]["all"][0] == {"field": "channel", "op": "eq", "expected": "sms", "actual": "email",
                                             "result": False}


def test_a_rule_naming_an_agent_with_room_gets_them():
    rules = [rule({}, [{"type": "assign_agent", "agent_id": "bo"}])]
    decision = decide_for(message(), rules, [agent("ana"), agent("bo")])
    assert decision.agent_id == "bo" and decision.explanation["agent"]["reason"] == "assigned by rule"


def test_the_agent_who_last_helped_comes_first():
    decision = decide_for(message(last_agent_id="bo"), agents=[agent("ana"), agent("bo", last_assigned_minutes=1)])
    assert decision.agent_id == "bo"
    assert decision.explanation["agent"]["reason"].startswith("sticky")


def test_the_last_agent_offline_or_full_is_passed_over():
    for busy in (agent("bo", presence="away"), agent("bo", capacity=1, load=1)):
        decision = decide_for(message(last_agent_id="bo"), agents=[agent("ana"), busy])
        assert decision.agent_id == "ana"


def test_the_last_agent_outside_the_team_a_rule_chose_is_passed_over():
    rules = [rule({}, [{"type": "assign_team", "team_id": "billing"}])]
    decision = decide_for(message(last_agent_id="bo"), rules,
                          [agent("ana", teams=("billing",)), agent("bo", teams=("support",))])
    assert decision.agent_id == "ana"


def test_skills_narrow_the_candidates_and_the_explanation_says_why():
    rules = [rule({}, [{"type": "require_skill", "value": "es"}])]
    decision = decide_for(message(), rules, [agent("ana"), agent("bo", skills=("es", "fr"))])
    assert decision.agent_id == "bo"
    why = {c["id"]: c["why_not"] for c in decision.explanation["agent"]["candidates"]}
    assert why == {"ana": "lacks skills es", "bo": None}


def test_nobody_free_means_waiting_with_reasons():
    agents = [agent("ana", presence="offline"), agent("bo", capacity=1, load=1), agent("cy", teams=("billing",))]
    decision = decide_for(message(channel="chat"), agents=agents)
    assert decision.waiting and decision.agent_id is None and decision.team_id == "support"
    why = {c["id"]: c["why_not"] for c in decision.explanation["agent"]["candidates"]}
    assert why == {"ana": "is offline", "bo": "at capacity (1 of 1)"}


def test_channel_weights_decide_what_still_fits():
    half_full = agent("ana", capacity=2, load=1.5)
    assert decide_for(message(channel="email"), agents=[half_full]).agent_id == "ana"
    assert decide_for(message(channel="chat"), agents=[half_full]).agent_id is None


def _assign_many(msgs, agents):
    """Route messages one after another, updating loads as the service does; return who got what."""
    by_id = {a.id: a for a in agents}
    given = []
    for n, msg in enumerate(msgs):
        decision = decide_for(msg, agents=list(by_id.values()))
        if decision.agent_id:
            chosen = by_id[decision.agent_id]
            by_id[chosen.id] = replace(chosen, load=chosen.load + WEIGHTS[msg.channel],
                                       last_assigned_at=T0 + timedelta(seconds=n))
        given.append(decision.agent_id)
    return given, by_id


def test_round_robin_shares_within_one_among_equals():
    agents = [agent(name, capacity=100) for name in ("ana", "bo", "cy", "di", "ed", "flo", "gus")]
    given, _ = _assign_many([message(channel="email") for _ in range(250)], agents)
    counts = Counter(given)
    assert max(counts.values()) - min(counts.values()) <= 1
    assert given[:7] == sorted(given[:7])  # never-assigned agents first, in a stable order


def test_round_robin_never_exceeds_capacity_and_then_queues():
    agents = [agent("ana", capacity=3), agent("bo", capacity=2), agent("cy", capacity=0.5)]
    msgs = [message(channel=("chat", "email", "sms")[n % 3]) for n in range(40)]
    given, final = _assign_many(msgs, agents)
    assert all(a.load <= a.capacity for a in final.values())
    assert None in given
    assert sum(a.load for a in final.values()) <= 5.5


def test_least_busy_picks_the_lowest_share_of_capacity():
    teams = {"vip": team("vip", "least_busy")}
    agents = [agent("ana", teams=("vip",), capacity=10, load=5), agent("bo", teams=("vip",), capacity=4, load=1),
              agent("cy", teams=("vip",), capacity=2, load=1)]
    decision = decide(message(), [], teams, agents, default_team_id="vip", channel_weights=WEIGHTS)
    assert decision.agent_id == "bo" and decision.explanation["agent"]["reason"] == "least_busy"


def test_least_busy_evens_out_loads_over_many_conversations():
    teams = {"vip": team("vip", "least_busy")}
    by_id = {a.id: a for a in [agent(n, teams=("vip",), capacity=c) for n, c in (("ana", 10), ("bo", 20))]}
    for n in range(24):
        decision = decide(message(channel="chat"), [], teams, list(by_id.values()), default_team_id="vip",
                          channel_weights=WEIGHTS)
        chosen = by_id[decision.agent_id]
        by_id[chosen.id] = replace(chosen, load=chosen.load + 1, last_assigned_at=T0 + timedelta(seconds=n))
    assert (by_id["ana"].load, by_id["bo"].load) == (8, 16)


def test_an_unknown_team_from_a_rule_falls_back_to_the_default_team():
    rules = [rule({}, [{"type": "assign_team", "team_id": "gone"}])]
    assert decide_for(message(), rules, [agent("ana")]).team_id == "support"


def test_no_team_at_all_means_waiting():
    decision = decide(message(), [], {}, [agent("ana")], default_team_id=None, channel_weights=WEIGHTS)
    assert decision.waiting and decision.explanation["agent"]["reason"] == "nobody available: no team"


def transferred(msg, rules=(), agents=(), to="billing"):
    """The decision for a conversation an agent transferred to team `to`."""
    return decide(msg, list(rules), TEAMS, list(agents), default_team_id="support", channel_weights=WEIGHTS,
                  forced_team_id=to)


def test_a_transfer_to_a_team_wins_over_the_rules_team_but_keeps_their_other_actions():
    to_vip = rule({}, [{"type": "assign_team", "team_id": "vip"}, {"type": "set_priority", "value": "high"},
                       {"type": "add_label", "value": "vip"}, {"type": "require_skill", "value": "es"}])
    agents = [agent("ana", teams=("vip",), skills=("es",)), agent("bo", teams=("billing",)),
              agent("cy", teams=("billing",), skills=("es",))]
    decision = transferred(message(), [to_vip], agents)
    assert (decision.team_id, decision.agent_id) == ("billing", "cy")
    assert (decision.priority, decision.labels, decision.required_skills) == ("high", ("vip",), ("es",))
    assert decision.explanation["team"] == {"id": "billing", "reason": "transferred by an agent",
                                            "rule_team_ignored": "vip"}


def test_after_a_transfer_only_agents_of_that_team_are_chosen():
    named = rule({}, [{"type": "assign_agent", "agent_id": "ana"}])
    agents = [agent("ana", teams=("support",)), agent("bo", teams=("billing",), presence="away")]
    decision = transferred(message(last_agent_id="ana"), [named], agents)
    assert decision.team_id == "billing" and decision.waiting and decision.agent_id is None
    assert decision.explanation["team"]["rule_agent_ignored"] == "ana"
    assert decision.explanation["agent"]["candidates"][0]["why_not"] == "is away"


def test_a_rule_or_the_last_agent_may_still_pick_someone_in_the_transferred_team():
    agents = [agent("ana", teams=("billing",)), agent("bo", teams=("billing",), last_assigned_minutes=-60)]
    assert transferred(message(), [rule({}, [{"type": "assign_agent", "agent_id": "ana"}])], agents).agent_id == "ana"
    sticky = transferred(message(last_agent_id="ana"), [], agents)
    assert sticky.agent_id == "ana" and sticky.explanation["agent"]["reason"].startswith("sticky")


def test_a_transfer_to_an_unknown_team_is_ignored():
    decision = transferred(message(), [], [agent("ana")], to="gone")
    assert decision.team_id == "support" and decision.explanation["team"]["reason"] == "default team"
