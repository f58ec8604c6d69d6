"""Short, JSON-safe renderings of values for routing explanations shown to admins."""

import math
from collections.abc import Mapping
from datetime import date

from services.routing.domain.values import MISSING, as_text, is_list

TEXT_PREVIEW_LENGTH = 200
LIST_PREVIEW_ITEMS = 10
# Past this size an integer is shown as text so that no JSON reader loses precision.
LARGEST_EXACT_INTEGER = 2**53


def preview(value: object, *, length: int = TEXT_PREVIEW_LENGTH, depth: int = 0) -> object:
    """Render a value so an admin sees what a rule compared, never more than a short excerpt."""
    if value is MISSING or value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if abs(value) <= LARGEST_EXACT_INTEGER else "<very large number>"
    if isinstance(value, float):
        return value if math.isfinite(value) else as_text(value)
    if isinstance(value, str):
        return shorten(value, length)
    if isinstance(value, date):
        return value.isoformat()
    if is_list(value):
        return _preview_list(value, length, depth)
    if isinstance(value, Mapping):
        return "<object>"
    return f"<{type(value).__name__}>"


def shorten(text: str, length: int = TEXT_PREVIEW_LENGTH) -> str:
    """Cut text to `length` characters, marking the cut."""
    return text if len(text) <= length else text[:length] + "…"


def _preview_list(values, length: int, depth: int) -> object:
    """A list's first few items; deeper lists are only named, to keep explanations small."""
    if depth >= 2:
        return "<list>"
    items = list(values)[:LIST_PREVIEW_ITEMS]
    return [preview(item, length=length, depth=depth + 1) for item in items]
