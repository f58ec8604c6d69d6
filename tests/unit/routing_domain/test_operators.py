"""Every condition operator on the kinds of values messages and contacts really hold."""

import pytest

from services.routing.domain import evaluate
from tests.unit.routing_domain.builders import condition, message

ANA = message("My ORDER #1234 has not arrived", channel="chat", subject="Where is it?",
              sender="ana@example.com", labels=("vip", "billing"), priority="high",
              contact={"plan": "Enterprise", "seats": 40, "renewal": "2026-03-01", "tags": ["beta", "eu"],
                       "churn_risk": True, "notes": "", "lifecycle_stage": "key_account", "score": 7.5})


def holds(field, op, value=None, on=ANA) -> bool:
    return evaluate(condition(field, op, value), on).matched


@pytest.mark.parametrize("field, op, value, expected", [
    # eq / neq: text ignores case, numbers compare as numbers, booleans as booleans
    ("channel", "eq", "chat", True),
    ("channel", "eq", "CHAT", True),
    ("channel", "eq", "email", False),
    ("contact.seats", "eq", 40, True),
    ("contact.seats", "eq", "40", True),
    ("contact.score", "eq", 7.5, True),
    ("contact.churn_risk", "eq", True, True),
    ("contact.churn_risk", "eq", False, False),
    ("contact.lifecycle_stage", "eq", "key_account", True),
    ("conversation.labels", "eq", "VIP", True),
    ("channel", "neq", "email", True),
    ("channel", "neq", "chat", False),
    ("contact.missing", "neq", "x", True),
    # contains / not_contains: substring of text, membership of a list
    ("text", "contains", "order #1234", True),
    ("text", "contains", "refund", False),
    ("conversation.labels", "contains", "billing", True),
    ("conversation.labels", "contains", "bill", False),
    ("contact.tags", "contains", "EU", True),
    ("text", "not_contains", "refund", True),
    ("text", "not_contains", "arrived", False),
    ("contact.missing", "not_contains", "x", True),
    # contains_any
    ("text", "contains_any", ["refund", "arrived"], True),
    ("text", "contains_any", ["refund", "invoice"], False),
    ("conversation.labels", "contains_any", ["spam", "vip"], True),
    # starts_with
    ("from", "starts_with", "ANA@", True),
    ("subject", "starts_with", "is it", False),
    # matches: a search, ignoring case
    ("text", "matches", r"#\d{4}\b", True),
    ("text", "matches", r"^order", False),
    ("from", "matches", r"@example\.com$", True),
    ("conversation.labels", "matches", "^vi", True),
    # in
    ("channel", "in", ["sms", "chat"], True),
    ("channel", "in", ["sms", "email"], False),
    ("contact.seats", "in", [10, 40], True),
    ("conversation.priority", "in", ["high", "urgent"], True),
    ("conversation.labels", "in", ["billing"], True),
    # gt / lt: numbers, numeric text, ISO dates
    ("contact.seats", "gt", 39, True),
    ("contact.seats", "gt", 40, False),
    ("contact.seats", "lt", 41, True),
    ("contact.score", "lt", 7, False),
    ("contact.renewal", "gt", "2026-01-01", True),
    ("contact.renewal", "lt", "2026-01-01", False),
    ("contact.plan", "gt", 3, False),
    ("contact.missing", "lt", 3, False),
    # exists: something there; blank text and empty lists are nothing
    ("contact.plan", "exists", None, True),
    ("contact.plan", "exists", True, True),
    ("contact.notes", "exists", True, False),
    ("contact.missing", "exists", True, False),
    ("contact.missing", "exists", False, True),
    ("conversation.labels", "exists", True, True),
])
def test_each_operator(field, op, value, expected):
    assert holds(field, op, value) is expected


def test_a_missing_field_passes_no_positive_test():
    for op, value in [("eq", "x"), ("contains", "x"), ("contains_any", ["x"]), ("starts_with", "x"),
                      ("matches", "x"), ("in", ["x"]), ("gt", 0), ("lt", 0)]:
        assert not holds("contact.nothing_here", op, value), op


def test_empty_labels_hold_no_label():
    bare = message(labels=())
    assert not holds("conversation.labels", "contains", "vip", on=bare)
    assert not holds("conversation.labels", "exists", True, on=bare)


def test_a_regex_looks_only_at_the_start_of_a_huge_text():
    huge = message("x" * 50_000 + " refund")
    assert not holds("text", "matches", "refund", on=huge)
    assert holds("text", "contains", "refund", on=huge)


def test_a_runaway_pattern_stored_anyway_matches_nothing_and_returns_at_once():
    assert not holds("text", "matches", "(a+)+$", on=message("a" * 5000 + "!"))


def test_the_trace_says_what_was_compared():
    trace = evaluate(condition("contact.seats", "gt", 100), ANA).to_dict()
    assert trace == {"all": [{"field": "contact.seats", "op": "gt", "expected": 100, "actual": 40, "result": False}],
                     "result": False}


def test_the_trace_marks_a_missing_field():
    trace = evaluate(condition("contact.nope", "eq", "x"), ANA).to_dict()
    assert trace["all"][0]["missing"] is True and trace["all"][0]["actual"] is None
