"""What each condition operator means, for any value a field may hold.

A field holding a list (labels, a list attribute) passes a test when any of its items does,
and `contains` on it means membership. A missing field passes no test, so its negations
(`neq`, `not_contains`) pass. Text comparisons ignore case.
"""

from collections.abc import Callable

from services.routing.domain.patterns import compile_pattern
from services.routing.domain.values import (
    MISSING,
    as_moment,
    as_number,
    as_text,
    elements,
    fold,
    is_finite_number,
    is_list,
)
from services.routing.domain.vocabulary import MATCH_INPUT_LIMIT


def equals(actual: object, expected: object) -> bool:
    """One value equals a rule value: numerically for numbers, ignoring case for text."""
    if isinstance(expected, bool):
        return actual is expected or _folded(actual) == ("true" if expected else "false")
    if is_finite_number(expected):
        return as_number(actual) == expected
    wanted = _folded(expected)
    return wanted is not None and _folded(actual) == wanted


def _folded(value: object) -> str | None:
    text = as_text(value)
    return None if text is None else fold(text)


def _any_item(test: Callable[[object, object], bool]) -> Callable[[object, object], bool]:
    """Lift a test on one value to a field that may hold several."""
    return lambda actual, expected: any(test(item, expected) for item in elements(actual))


def contains(actual: object, expected: object) -> bool:
    """Membership for a list field, case-insensitive substring for text."""
    if is_list(actual):
        return any(equals(item, expected) for item in elements(actual))
    text, wanted = _folded(actual), _folded(expected)
    return text is not None and wanted is not None and wanted in text


def contains_any(actual: object, expected: object) -> bool:
    return any(contains(actual, option) for option in elements(expected))


def starts_with(actual: object, expected: object) -> bool:
    text, wanted = _folded(actual), _folded(expected)
    return text is not None and wanted is not None and text.startswith(wanted)


def matches(actual: object, expected: object) -> bool:
    """Regex search over the start of the text; an unsafe or broken pattern matches nothing."""
    pattern = compile_pattern(expected) if isinstance(expected, str) else None
    text = as_text(actual)
    return pattern is not None and text is not None and pattern.search(text[:MATCH_INPUT_LIMIT]) is not None


def is_one_of(actual: object, expected: object) -> bool:
    return is_list(expected) and any(equals(actual, option) for option in elements(expected))


def compare(actual: object, expected: object) -> int | None:
    """-1, 0 or 1 comparing a value with a rule's number or ISO date; None when they cannot compare."""
    if is_finite_number(expected):
        left, right = as_number(actual), expected
    else:
        left, right = as_moment(actual), as_moment(expected)
    if left is None or right is None:
        return None
    try:
        return (left > right) - (left < right)
    except (TypeError, OverflowError):  # nan, or moments too far apart to subtract
        return None


def is_present(actual: object) -> bool:
    """Whether a field holds something: missing, null, blank text and empty lists do not count."""
    if actual is MISSING or actual is None:
        return False
    if isinstance(actual, str):
        return bool(actual.strip())
    return not is_list(actual) or bool(actual)


OPS: dict[str, Callable[[object, object], bool]] = {
    "eq": _any_item(equals),
    "neq": lambda actual, expected: not _any_item(equals)(actual, expected),
    "contains": contains,
    "not_contains": lambda actual, expected: not contains(actual, expected),
    "contains_any": contains_any,
    "starts_with": _any_item(starts_with),
    "matches": _any_item(matches),
    "in": _any_item(is_one_of),
    "gt": _any_item(lambda actual, expected: compare(actual, expected) == 1),
    "lt": _any_item(lambda actual, expected: compare(actual, expected) == -1),
    "exists": lambda actual, expected: is_present(actual) == (expected is not False),
}
