"""Checks that a condition's value suits its operator, before the rule is saved."""

from collections.abc import Callable

from services.routing.domain.patterns import check_pattern
from services.routing.domain.problems import RuleProblem, item_path
from services.routing.domain.values import MISSING, as_moment, is_finite_number
from services.routing.domain.vocabulary import MAX_LIST_ITEMS, MAX_VALUE_LENGTH

ValueCheck = Callable[[object, str], list[RuleProblem]]


def check_value(op: str, value: object, path: str) -> list[RuleProblem]:
    """Problems with the value of a condition using `op`; MISSING stands for no value given."""
    if value is MISSING and op != "exists":
        return [RuleProblem(path, "is required")]
    return _VALUE_CHECKS[op](value, path)


def _problem_with_text(value: object) -> str | None:
    if not isinstance(value, str) or not value:
        return "must be non-empty text"
    if len(value) > MAX_VALUE_LENGTH:
        return f"must be at most {MAX_VALUE_LENGTH} characters long"
    return None


def _problem_with_scalar(value: object) -> str | None:
    if isinstance(value, bool) or is_finite_number(value):
        return None
    if isinstance(value, str):
        return _problem_with_text(value)
    return "must be text, a number or true/false"


def _problem_with_bound(value: object) -> str | None:
    if is_finite_number(value) or (isinstance(value, str) and as_moment(value) is not None):
        return None
    return "must be a number or an ISO 8601 date like 2024-05-01"


def _problem_with_pattern(value: object) -> str | None:
    if not isinstance(value, str):
        return "must be a regular expression written as text"
    return check_pattern(value)


def _problem_with_flag(value: object) -> str | None:
    return None if value is MISSING or isinstance(value, bool) else "must be true or false"


def _one(problem_with: Callable[[object], str | None]) -> ValueCheck:
    """A check of a single value."""

    def check(value: object, path: str) -> list[RuleProblem]:
        message = problem_with(value)
        return [] if message is None else [RuleProblem(path, message)]

    return check


def _each(problem_with: Callable[[object], str | None], items_are: str) -> ValueCheck:
    """A check of a list of values, naming each bad item by its index."""

    def check(value: object, path: str) -> list[RuleProblem]:
        if not isinstance(value, list) or not value:
            return [RuleProblem(path, f"must be a non-empty list of {items_are}")]
        if len(value) > MAX_LIST_ITEMS:
            return [RuleProblem(path, f"must have at most {MAX_LIST_ITEMS} items")]
        found = ((index, problem_with(item)) for index, item in enumerate(value))
        return [RuleProblem(item_path(path, index), message) for index, message in found if message]

    return check


_VALUE_CHECKS: dict[str, ValueCheck] = {
    "eq": _one(_problem_with_scalar),
    "neq": _one(_problem_with_scalar),
    "contains": _one(_problem_with_text),
    "not_contains": _one(_problem_with_text),
    "starts_with": _one(_problem_with_text),
    "contains_any": _each(_problem_with_text, "texts"),
    "in": _each(_problem_with_scalar, "texts, numbers or true/false"),
    "matches": _one(_problem_with_pattern),
    "gt": _one(_problem_with_bound),
    "lt": _one(_problem_with_bound),
    "exists": _one(_problem_with_flag),
}
