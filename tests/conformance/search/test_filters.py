"""Every filter narrows a search, alone or together with words."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from services.search.engines.base import InvalidQuery, SearchQuery
from tests.conformance.search.messages import MORNING, found_ids, message, store


@pytest.fixture
def mixed_inbox(engine):
    """Messages that differ in one field each from the first one."""
    store(
        engine,
        message("plain", "order question", minute=1),
        message("by-sms", "order question", minute=2, channel="sms"),
        message("other-contact", "order question", minute=3, contact_id="contact-grace"),
        message("other-conversation", "order question", minute=4, conversation_id="conv-2"),
        message("assigned", "order question", minute=5, assignee_id="agent-lin"),
        message("resolved", "order question", minute=6, status="resolved"),
    )
    return engine


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("channel", "sms", ["by-sms"]),
        ("contact_id", "contact-grace", ["other-contact"]),
        ("conversation_id", "conv-2", ["other-conversation"]),
        ("assignee_id", "agent-lin", ["assigned"]),
        ("status", "resolved", ["resolved"]),
        ("channel", "chat", []),
    ],
)
def test_each_filter_keeps_only_matching_messages(mixed_inbox, field, value, expected):
    assert found_ids(mixed_inbox, **{field: value}) == expected
    assert found_ids(mixed_inbox, q="order", **{field: value}) == expected


def test_filters_combine_with_each_other(mixed_inbox):
    assert found_ids(mixed_inbox, channel="email", status="open", contact_id="contact-ada") == [
        "assigned",
        "other-conversation",
        "plain",
    ]


def test_a_filter_and_words_must_both_hold(engine):
    store(
        engine,
        message("sms-refund", "refund please", channel="sms", minute=1),
        message("email-refund", "refund please", channel="email", minute=2),
        message("sms-other", "hello there", channel="sms", minute=3),
    )

    assert found_ids(engine, q="refund", channel="sms") == ["sms-refund"]


def test_the_time_window_includes_its_start_and_excludes_its_end(engine):
    store(engine, *(message(f"m-{n}", "ping", minute=n) for n in range(5)))

    window = {
        "created_from": MORNING + timedelta(minutes=1),
        "created_to": MORNING + timedelta(minutes=3),
    }

    assert found_ids(engine, **window) == ["m-2", "m-1"]
    assert found_ids(engine, q="ping", **window) == ["m-2", "m-1"]
    assert found_ids(engine, created_from=MORNING + timedelta(minutes=4)) == ["m-4"]
    assert found_ids(engine, created_to=MORNING + timedelta(minutes=1)) == ["m-0"]


def test_the_time_window_compares_instants_across_time_zones(engine):
    store(engine, message("m-0", "ping", minute=0), message("m-1", "ping", minute=60))
    paris_ten = datetime.fromisoformat("2025-03-03T10:00:00+01:00")  # 09:00 UTC

    one_minute = {"created_from": paris_ten, "created_to": paris_ten + timedelta(minutes=1)}

    assert found_ids(engine, **one_minute) == ["m-0"]


def test_a_time_filter_without_a_time_zone_is_refused(engine):
    with pytest.raises(InvalidQuery):
        engine.search(SearchQuery(created_from=datetime(2025, 3, 3, 9, 0)))
    with pytest.raises(InvalidQuery):
        engine.search(SearchQuery(created_to=datetime(2025, 3, 3, 9, 0)))
