"""Channel, status and visibility filter through one term set of scopes, exactly as separate filters would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from services.search.engines.base import MessageDocument, SearchQuery
from services.search.engines.tantivy_engine import TantivySearchEngine
from services.search.engines.tantivy_scopes import scope_terms, wanted_scopes

START = datetime(2025, 3, 3, tzinfo=UTC)
channels = st.sampled_from(["email", "sms", "chat"])
statuses = st.sampled_from(["open", "pending", 'odd "status"|'])
owners = st.sampled_from(["t1", "t2", "a1"])


def passes_filters(message: dict, channel, status, team_ids, assignee_id) -> bool:
    visible = team_ids is None or message["team_id"] in team_ids or (
        assignee_id is not None and message["assignee_id"] == assignee_id)
    return (channel in (None, message["channel"]) and status in (None, message["status"])
            and visible)


@given(
    message=st.fixed_dictionaries({"channel": channels, "status": statuses,
                                   "team_id": st.none() | owners, "assignee_id": st.none() | owners}),
    channel=st.none() | channels, status=st.none() | statuses,
    team_ids=st.none() | st.frozensets(owners, max_size=2), assignee_id=st.none() | owners,
)
def test_a_message_has_a_wanted_scope_exactly_when_it_passes_the_filters(
    message, channel, status, team_ids, assignee_id,
):
    wanted = wanted_scopes(channel, status, team_ids, assignee_id)
    terms = scope_terms(message["channel"], message["status"], message["team_id"], message["assignee_id"])

    matches = True if wanted is None else bool(set(wanted) & set(terms))

    assert matches == passes_filters(message, channel, status, team_ids, assignee_id)


def test_a_search_that_filters_on_none_of_them_asks_for_no_scope():
    assert wanted_scopes(None, None, None, "a1") is None


def test_an_agent_without_teams_or_assignments_sees_nothing():
    assert wanted_scopes("email", None, frozenset(), None) == []


def a_message(message_id: str, **changes) -> MessageDocument:
    fields = {
        "message_id": message_id, "conversation_id": message_id, "contact_id": "k",
        "contact_name": "Ada", "channel": "chat", "direction": "inbound", "text": "refund please",
        "subject": "", "created_at": START + timedelta(seconds=len(message_id)),
        "assignee_id": None, "team_id": "t1", "status": "open", "version": 1,
    }
    return MessageDocument(**{**fields, **changes})


def test_the_engine_filters_on_channel_status_and_visibility_together(tmp_path):
    engine = TantivySearchEngine(str(tmp_path / "index"))
    engine.index([
        a_message("shown"), a_message("mine", team_id="t9", assignee_id="a1"),
        a_message("email", channel="email"), a_message("closed", status="resolved"),
        a_message("other-team", team_id="t2"),
    ])
    asked = SearchQuery(q="refund", channel="chat", status="open",
                        visible_team_ids=frozenset({"t1"}), visible_assignee_id="a1")

    found = {hit.message_id for hit in engine.search(asked).items}

    assert found == {"shown", "mine"}
    engine.close()


def test_a_conversation_update_moves_its_messages_to_their_new_scope(tmp_path):
    engine = TantivySearchEngine(str(tmp_path / "index"))
    engine.index([a_message("moved")])
    engine.update_conversation("moved", version=2, status="resolved", team_id="t2")

    def found(**filters) -> list[str]:
        return [hit.message_id for hit in engine.search(SearchQuery(q="refund", **filters)).items]

    assert found(status="open") == []
    assert found(visible_team_ids=frozenset({"t1"})) == []
    assert found(status="resolved", visible_team_ids=frozenset({"t2"})) == ["moved"]
    engine.close()
