"""A message document is checked when it is built, and its time is kept in UTC."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from services.search.engines.base import UNSET, MessageDocument, SearchUnavailable, Unset


def build(**fields) -> MessageDocument:
    values = dict(
        message_id="m-1", conversation_id="conv-1", contact_id="contact-ada",
        contact_name="Ada", channel="sms", direction="outbound", text="hi", subject="",
        created_at=datetime(2025, 3, 3, 10, 0, tzinfo=timezone(timedelta(hours=1))),
        assignee_id=None, team_id=None, status="open", version=1,
    )
    return MessageDocument(**{**values, **fields})


def test_the_creation_time_is_converted_to_utc():
    doc = build()

    assert doc.created_at == datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)
    assert doc.created_at.utcoffset() == timedelta(0)


def test_a_creation_time_without_a_time_zone_is_refused():
    with pytest.raises(ValueError, match="timezone"):
        build(created_at=datetime(2025, 3, 3, 9, 0))


@pytest.mark.parametrize(("field", "value"), [("channel", "fax"), ("direction", "sideways")])
def test_an_unknown_channel_or_direction_is_refused(field, value):
    with pytest.raises(ValueError, match=value):
        build(**{field: value})


def test_unset_is_a_single_value_distinct_from_none():
    assert UNSET is Unset.UNSET and UNSET is not None


def test_an_outage_carries_its_reason():
    assert SearchUnavailable("cluster red").reason == "cluster red"
