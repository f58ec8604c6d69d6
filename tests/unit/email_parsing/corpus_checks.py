"""Compare a ParsedEmail with the expectations stored beside each corpus message."""

import hashlib
from datetime import datetime

from services.email.parsing import ParsedEmail, find_conversation_token

CORPUS_INBOX = "support@northwind.example"


def find_mismatches(parsed: ParsedEmail, expected: dict) -> list[str]:
    """Return one line per expectation the parse does not meet."""
    problems: list[str] = []
    for key, want in expected.items():
        problems.extend(_check(parsed, key, want))
    return problems


def _check(parsed: ParsedEmail, key: str, want) -> list[str]:
    """Check one expectation; keys ending in __contains / __excludes test substrings."""
    field, _, mode = key.partition("__")
    if field == "conversation_token":
        got = find_conversation_token(parsed.to + parsed.cc, CORPUS_INBOX)
        return [] if got == want else [f"conversation_token: {got!r} != {want!r}"]
    got = getattr(parsed, field)
    if mode == "contains":
        return _substrings(field, got, want, present=True)
    if mode == "excludes":
        return _substrings(field, got, want, present=False)
    if field == "attachments":
        return _attachments(got, want)
    got = _comparable(got)
    return [] if got == want else [f"{field}: {got!r} != {want!r}"]


def _substrings(field: str, got, wanted: list[str], *, present: bool) -> list[str]:
    """Each wanted string must be in (or absent from) the text, or in any warning."""
    haystack = "\n".join(got) if isinstance(got, tuple) else (got or "")
    return [
        f"{field} {'lacks' if present else 'contains'} {text!r}"
        for text in wanted if (text in haystack) != present
    ]


def _attachments(got, want: list[dict]) -> list[str]:
    """Compare attachments in order, on the keys the expectation names."""
    if len(got) != len(want):
        return [f"attachments: {len(got)} found, {len(want)} expected: {got!r}"]
    problems = []
    for index, (attachment, expected) in enumerate(zip(got, want)):
        for key, value in expected.items():
            actual = _attachment_value(attachment, key)
            if (value not in actual) if key == "content__contains" else (actual != value):
                problems.append(f"attachments[{index}].{key}: {actual!r} != {value!r}")
    return problems


def _attachment_value(attachment, key: str):
    """Derived values the expectations can name besides the dataclass fields."""
    if key == "content_sha256":
        return hashlib.sha256(attachment.content or b"").hexdigest()
    if key == "content__contains":
        return (attachment.content or b"").decode("utf-8", "replace")
    return getattr(attachment, key)


def _comparable(value):
    """Turn tuples and datetimes into what JSON holds."""
    if isinstance(value, tuple):
        return [_comparable(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value
