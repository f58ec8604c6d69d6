"""Reads rule and message values of any type without raising, so odd contact data never stops routing."""

import math
from datetime import date, datetime, timezone
from functools import lru_cache
from itertools import islice

from services.routing.domain.vocabulary import MAX_LIST_ITEMS, TEXT_INPUT_LIMIT

MISSING = type("Missing", (), {"__repr__": lambda self: "MISSING"})()
LIST_TYPES = (list, tuple, set, frozenset)
# Parsing a longer string as a number or date is never what the data meant.
MAX_PARSED_LENGTH = 64


def as_text(value: object) -> str | None:
    """Text form of a scalar, or None when the value has no sensible text form."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        try:
            return str(value)
        except ValueError:  # Python refuses to print integers with thousands of digits
            return None
    return None


@lru_cache(maxsize=256)
def fold(text: str) -> str:
    """Case-insensitive form of a field, cached because every rule reads the same fields."""
    return text[:TEXT_INPUT_LIMIT].casefold()


def as_number(value: object) -> int | float | None:
    """A number from a number or numeric text; booleans are not numbers here."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if not isinstance(value, str) or len(value) > MAX_PARSED_LENGTH:
        return None
    for parse in (int, float):
        try:
            return parse(value)
        except ValueError:
            continue
    return None


def as_moment(value: object) -> datetime | None:
    """A timezone-aware moment from a datetime, a date or ISO 8601 text; naive means UTC."""
    if isinstance(value, datetime):
        return as_utc(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    if not isinstance(value, str) or len(value) > MAX_PARSED_LENGTH:
        return None
    try:
        return as_utc(datetime.fromisoformat(value))
    except ValueError:
        return None


def as_utc(moment: datetime) -> datetime:
    """Treat a naive datetime as UTC so that it compares with aware ones."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def is_list(value: object) -> bool:
    """Whether a field holds several values (labels, a list attribute) rather than one."""
    return isinstance(value, LIST_TYPES)


def elements(value: object) -> tuple:
    """The values a field holds: its items for a list, itself otherwise, none when missing."""
    if value is MISSING:
        return ()
    if is_list(value):
        return tuple(islice(value, MAX_LIST_ITEMS))
    return (value,)


def is_finite_number(value: object) -> bool:
    """Whether a rule value is a real number a comparison can use."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))
