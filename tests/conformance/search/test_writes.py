"""Redelivered, reordered, changed and deleted messages leave search in the right state."""

from __future__ import annotations

from services.search.engines.base import SearchQuery
from tests.conformance.search.messages import found_ids, message, store


def test_the_same_message_delivered_twice_is_found_once(engine):
    doc = message("m-1", "refund please")
    store(engine, doc)
    store(engine, doc, doc)

    page = engine.search(SearchQuery(q="refund"))

    assert [hit.message_id for hit in page.items] == ["m-1"] and page.total == 1


def test_a_newer_version_replaces_the_message(engine):
    store(engine, message("m-1", "old wording", version=1))
    store(engine, message("m-1", "new wording", version=2, status="pending"))

    assert found_ids(engine, q="new") == ["m-1"]
    assert found_ids(engine, q="old") == []
    assert found_ids(engine, status="pending") == ["m-1"]


def test_an_older_version_arriving_late_never_overwrites_a_newer_one(engine):
    store(engine, message("m-1", "new wording", version=5, assignee_id="agent-lin"))
    store(engine, message("m-1", "old wording", version=4, assignee_id=None))

    assert found_ids(engine, q="new") == ["m-1"]
    assert found_ids(engine, q="old") == []
    assert found_ids(engine, assignee_id="agent-lin") == ["m-1"]


def test_versions_are_compared_within_one_batch_too(engine):
    store(engine, message("m-1", "newest", version=3), message("m-1", "older", version=2))

    assert found_ids(engine, q="newest") == ["m-1"]
    assert found_ids(engine, q="older") == []


def test_an_empty_batch_changes_nothing(engine):
    store(engine, message("m-1", "hello"))
    store(engine)

    assert found_ids(engine) == ["m-1"]


def test_a_conversation_change_reaches_all_its_messages_and_no_others(engine):
    store(
        engine,
        message("a-1", "hello", minute=1),
        message("a-2", "hello again", minute=2),
        message("b-1", "other", minute=3, conversation_id="conv-2"),
    )

    engine.update_conversation("conv-1", version=2, status="resolved", assignee_id="agent-lin")
    engine.refresh()

    assert found_ids(engine, status="resolved") == ["a-2", "a-1"]
    assert found_ids(engine, assignee_id="agent-lin") == ["a-2", "a-1"]
    assert found_ids(engine, status="open") == ["b-1"]


def test_a_transfer_to_another_team_changes_who_may_see_the_messages(engine):
    store(engine, message("m-1", "hello", team_id="team-billing"))

    engine.update_conversation("conv-1", version=2, team_id="team-shipping")
    engine.refresh()

    assert found_ids(engine, visible_team_ids=frozenset({"team-billing"})) == []
    assert found_ids(engine, visible_team_ids=frozenset({"team-shipping"})) == ["m-1"]


def test_none_means_unassigned_and_a_missing_argument_means_unchanged(engine):
    store(engine, message("m-1", "hello", assignee_id="agent-lin", team_id="team-billing"))

    engine.update_conversation("conv-1", version=2, assignee_id=None)
    engine.refresh()

    assert found_ids(engine, assignee_id="agent-lin") == []
    assert found_ids(engine, visible_team_ids=frozenset({"team-billing"})) == ["m-1"]
    assert found_ids(engine, status="open") == ["m-1"]


def test_a_conversation_change_older_than_a_message_leaves_it_alone(engine):
    store(engine, message("old", "hello", version=1, minute=1))
    store(engine, message("new", "hi", version=7, minute=2))

    engine.update_conversation("conv-1", version=5, status="pending")
    engine.refresh()

    assert found_ids(engine, status="pending") == ["old"]
    assert found_ids(engine, status="open") == ["new"]


def test_a_message_indexed_late_takes_its_conversations_newer_state(engine):
    store(engine, message("m-1", "hello", version=1))
    engine.update_conversation("conv-1", version=3, status="pending", assignee_id="agent-lin",
                               contact_id="contact-merged", contact_name="Ada King")
    engine.refresh()

    store(engine, message("m-2", "are you there", version=2, minute=1))

    assert found_ids(engine, assignee_id="agent-lin", status="pending") == ["m-2", "m-1"]
    assert found_ids(engine, contact_id="contact-merged") == ["m-2", "m-1"]


def test_messages_of_one_batch_share_their_conversations_newest_state(engine):
    store(engine, message("m-1", "hello", version=4, status="resolved"),
          message("m-2", "hello?", version=2, minute=1, status="open"))

    assert found_ids(engine, status="resolved") == ["m-2", "m-1"]


def test_a_message_redelivered_after_a_conversation_change_does_not_undo_it(engine):
    doc = message("m-1", "hello", version=1, status="open")
    store(engine, doc)
    engine.update_conversation("conv-1", version=2, status="resolved")
    engine.refresh()

    store(engine, doc)

    assert found_ids(engine, status="resolved") == ["m-1"]


def test_a_contact_merge_moves_messages_to_the_surviving_contact(engine):
    store(engine, message("m-1", "hello", contact_id="contact-dup", contact_name="A. Lovelace"))

    engine.update_conversation(
        "conv-1", version=2, contact_id="contact-ada", contact_name="Ada Lovelace"
    )
    engine.refresh()

    hits = engine.search(SearchQuery(contact_id="contact-ada")).items
    assert [(h.message_id, h.contact_id, h.contact_name) for h in hits] == [
        ("m-1", "contact-ada", "Ada Lovelace")
    ]
    assert found_ids(engine, contact_id="contact-dup") == []


def test_deleted_messages_are_no_longer_found(engine):
    store(engine, message("m-1", "refund", minute=1), message("m-2", "refund", minute=2))

    engine.delete(["m-1", "never-indexed"])
    engine.refresh()

    page = engine.search(SearchQuery(q="refund"))
    assert [hit.message_id for hit in page.items] == ["m-2"] and page.total == 1


def test_deleting_nothing_is_harmless(engine):
    store(engine, message("m-1", "refund"))

    engine.delete([])

    assert found_ids(engine) == ["m-1"]


def test_a_reset_drops_every_message_and_the_engine_keeps_working(engine):
    store(engine, message("m-1", "refund"))

    engine.reset()
    assert engine.search(SearchQuery()).total == 0

    store(engine, message("m-2", "refund"))
    assert found_ids(engine, q="refund") == ["m-2"]


def test_a_working_engine_reports_itself_healthy(engine):
    engine.check_health()

    store(engine, message("m-1", "still answering"))
    assert found_ids(engine, q="answering") == ["m-1"]


def test_messages_and_conversation_changes_written_as_one_batch_are_all_found(engine):
    store(engine, message("a-1", "hello", minute=1), message("b-1", "other", conversation_id="conv-2"))

    with engine.batch():
        engine.index([message("a-2", "hello again", minute=2, version=2, status="resolved")])
        engine.update_conversation("conv-1", version=2, status="resolved")
        engine.update_conversation("conv-2", version=2, assignee_id="agent-lin")
    engine.refresh()

    assert found_ids(engine, status="resolved") == ["a-2", "a-1"]
    assert found_ids(engine, assignee_id="agent-lin") == ["b-1"]
