"""Routing's pure domain: rules, their checks and explanations, and the choice of team and agent."""

from services.routing.domain.conditions import ConditionTrace, evaluate
from services.routing.domain.decide import decide
from services.routing.domain.model import Agent, Decision, RoutedMessage, Rule, Team
from services.routing.domain.problems import RuleProblem
from services.routing.domain.validation import check_rule
from services.routing.domain.vocabulary import PRIORITIES
from services.routing.domain.waiting import escalated_priority, is_overdue, waiting_order_key

__all__ = ["PRIORITIES", "Agent", "ConditionTrace", "Decision", "RoutedMessage", "Rule", "RuleProblem", "Team",
           "check_rule", "decide", "escalated_priority", "evaluate", "is_overdue", "waiting_order_key"]
