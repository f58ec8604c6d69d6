"""Regular expressions in rules: checked before a rule is saved, compiled once when it runs."""

import re
from functools import lru_cache
from re import _parser as sre_parser  # re's own parser: the only way to see a pattern's structure

from services.routing.domain.regex_safety import find_runaway_risk
from services.routing.domain.vocabulary import MAX_PATTERN_LENGTH

# Rules compare text without regard to case, and so do their patterns.
PATTERN_FLAGS = re.IGNORECASE


def check_pattern(pattern: str) -> str | None:
    """Why this pattern may not be used in a rule, or None when it is safe on any message."""
    if not pattern:
        return "must not be empty"
    if len(pattern) > MAX_PATTERN_LENGTH:
        return f"must be at most {MAX_PATTERN_LENGTH} characters long"
    try:
        re.compile(pattern, PATTERN_FLAGS)
        tree = sre_parser.parse(pattern, PATTERN_FLAGS)
    except (re.error, OverflowError, ValueError) as error:
        return f"is not a valid regular expression: {error}"
    except RecursionError:
        return "is nested too deeply"
    try:
        return find_runaway_risk(tree)
    except RecursionError:
        return "is nested too deeply"


@lru_cache(maxsize=512)
def compile_pattern(pattern: str) -> re.Pattern | None:
    """The compiled pattern, or None for one check_pattern refuses, so a bad rule matches nothing."""
    if check_pattern(pattern) is not None:
        return None
    return re.compile(pattern, PATTERN_FLAGS)
