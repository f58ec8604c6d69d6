"""Evaluates a rule's nested all/any conditions against a message, keeping why each part held."""

from collections.abc import Mapping
from dataclasses import dataclass, field

from services.routing.domain.fields import get_field_value, is_known_field
from services.routing.domain.model import RoutedMessage
from services.routing.domain.ops import OPS
from services.routing.domain.previews import preview
from services.routing.domain.values import MISSING
from services.routing.domain.vocabulary import GROUP_KINDS, MAX_DEPTH, MAX_VALUE_LENGTH


@dataclass(frozen=True)
class ConditionTrace:
    """Whether a condition tree held for a message, with the result of every part of it."""

    matched: bool
    kind: str  # "all", "any", or "condition" for a single test
    facts: Mapping = field(default_factory=dict)
    children: tuple["ConditionTrace", ...] = ()

    def to_dict(self) -> dict:
        """The trace as JSON-ready data for a routing explanation."""
        if self.kind == "condition":
            return {**self.facts, "result": self.matched}
        return {self.kind: [child.to_dict() for child in self.children], "result": self.matched}


def evaluate(conditions: object, message: RoutedMessage) -> ConditionTrace:
    """Whether the conditions hold for the message; `{}` and empty groups hold for every message."""
    if not isinstance(conditions, Mapping) or not conditions:
        return ConditionTrace(True, "all")
    return _evaluate_node(conditions, message, depth=1)


def _evaluate_node(node: object, message: RoutedMessage, depth: int) -> ConditionTrace:
    kind = _group_kind(node)
    if kind is None:
        return _evaluate_condition(node, message)
    if depth > MAX_DEPTH:
        return ConditionTrace(False, kind)
    items = node[kind]
    children = tuple(_evaluate_node(item, message, depth + 1) for item in items) if isinstance(items, list) else ()
    results = [child.matched for child in children]
    # An empty group asks for nothing, so it holds whichever kind it is.
    matched = not results or (all(results) if kind == "all" else any(results))
    return ConditionTrace(matched, kind, children=children)


def _group_kind(node: object) -> str | None:
    """"all" or "any" for a group of conditions, None for a single test."""
    if not isinstance(node, Mapping):
        return None
    return next((kind for kind in GROUP_KINDS if kind in node), None)


def _evaluate_condition(node: object, message: RoutedMessage) -> ConditionTrace:
    if not isinstance(node, Mapping):
        return ConditionTrace(False, "condition", {"note": "not a condition"})
    name, op, expected = node.get("field"), node.get("op"), node.get("value")
    actual = get_field_value(message, name) if is_known_field(name) else MISSING
    facts = {
        "field": preview(name),
        "op": preview(op),
        "expected": preview(expected, length=MAX_VALUE_LENGTH),
        "actual": preview(actual),
    }
    if actual is MISSING:
        facts["missing"] = True
    test = OPS.get(op) if isinstance(op, str) else None
    if test is None:
        return ConditionTrace(False, "condition", {**facts, "note": "unknown operator"})
    return ConditionTrace(test(actual, expected), "condition", facts)
