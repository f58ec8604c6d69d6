"""Checks a rule's condition tree: its shape, fields, operators, values, depth and size."""

from collections.abc import Mapping

from services.routing.domain.fields import is_known_field
from services.routing.domain.problems import RuleProblem, item_path, key_path
from services.routing.domain.value_checks import check_value
from services.routing.domain.values import MISSING
from services.routing.domain.vocabulary import GROUP_KINDS, MAX_CONDITIONS, MAX_DEPTH, MESSAGE_FIELDS, OPERATORS

CONDITION_KEYS = ("field", "op", "value")
FIELD_HINT = ", ".join(sorted(MESSAGE_FIELDS)) + " or contact.<attribute>"
OPERATOR_HINT = ", ".join(sorted(OPERATORS))


def check_conditions(conditions: object, path: str = "conditions") -> list[RuleProblem]:
    """Problems in a condition tree; `{}` asks for nothing and is fine."""
    if not isinstance(conditions, Mapping):
        return [RuleProblem(path, 'must be an object like {"all": [...]} or {"any": [...]}')]
    if not conditions:
        return []
    walk = _ConditionWalk()
    walk.check_group(conditions, path, depth=1)
    if walk.count > MAX_CONDITIONS:
        walk.problems.append(RuleProblem(path, f"has {walk.count} conditions; at most {MAX_CONDITIONS} are allowed"))
    return walk.problems


def _is_group(node: object) -> bool:
    return isinstance(node, Mapping) and any(kind in node for kind in GROUP_KINDS)


class _ConditionWalk:
    """Collects problems and counts conditions over one walk of the tree."""

    def __init__(self) -> None:
        self.problems: list[RuleProblem] = []
        self.count = 0

    def report(self, path: str, message: str) -> None:
        self.problems.append(RuleProblem(path, message))

    def check_group(self, group: Mapping, path: str, depth: int) -> None:
        for key in group:
            if key not in GROUP_KINDS:
                self.report(key_path(path, key), "is not allowed in a group; use all or any")
        kinds = [kind for kind in GROUP_KINDS if kind in group]
        if len(kinds) != 1:
            self.report(path, "must have exactly one of all or any")
        for kind in kinds:
            self.check_items(group[kind], key_path(path, kind), depth)

    def check_items(self, items: object, path: str, depth: int) -> None:
        if not isinstance(items, list):
            self.report(path, "must be a list of conditions")
            return
        for index, item in enumerate(items):
            self.check_node(item, item_path(path, index), depth)

    def check_node(self, node: object, path: str, depth: int) -> None:
        if not isinstance(node, Mapping):
            self.report(path, "must be a condition {field, op, value} or a group {all|any: [...]}")
        elif not _is_group(node):
            self.check_condition(node, path)
        elif depth >= MAX_DEPTH:
            self.report(path, f"nests conditions deeper than {MAX_DEPTH} levels")
        else:
            self.check_group(node, path, depth + 1)

    def check_condition(self, condition: Mapping, path: str) -> None:
        self.count += 1
        for key in condition:
            if key not in CONDITION_KEYS:
                self.report(key_path(path, key), "is not allowed in a condition; use field, op and value")
        name, op = condition.get("field", MISSING), condition.get("op", MISSING)
        if name is MISSING:
            self.report(key_path(path, "field"), "is required")
        elif not is_known_field(name):
            self.report(key_path(path, "field"), f"is not a known field; use {FIELD_HINT}")
        if op is MISSING:
            self.report(key_path(path, "op"), "is required")
        elif not isinstance(op, str) or op not in OPERATORS:
            self.report(key_path(path, "op"), f"is not a known operator; use {OPERATOR_HINT}")
        else:
            self.problems.extend(check_value(op, condition.get("value", MISSING), key_path(path, "value")))
