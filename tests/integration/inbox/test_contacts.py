"""Contacts on a real database: upsert by any identity, merge with both histories, merges under load."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from shared.web.auth import ALL_SCOPES, Principal
from shared.web.errors import ApiError
from services.inbox import contacts
from services.inbox.replies import change_conversation
from services.inbox.tables import contact_merges, conversations, messages
from tests.integration.inbox.conftest import ADMIN, assign, receive

AGENT = Principal(kind="agent", id="agent-1", name="Ana Agent", team_ids=frozenset({"team-1"}),
                  scopes=ALL_SCOPES - {"admin"})
ANA_EMAIL = {"type": "email", "value": "ana@example.com"}
ANA_PHONE = {"type": "phone", "value": "+14155550123"}


def contact_of(service, sender: dict) -> str:
    with service.runtime.db.reading() as db:
        return contacts.owner_of(db, sender["type"], sender["value"])


def test_an_upsert_finds_the_contact_by_any_of_its_identities(inbox):
    receive(inbox, ANA_EMAIL, channel="email", name="Ana")
    contact, created = contacts.upsert_contact(inbox.runtime, ADMIN, {
        "name": "Ana Lima", "identities": [{"type": "phone", "value": "+14155550123"}, ANA_EMAIL],
        "attributes": {"plan": "pro"}})
    assert not created
    assert contact["id"] == contact_of(inbox, ANA_EMAIL) == contact_of(inbox, ANA_PHONE)
    assert contact["name"] == "Ana Lima" and contact["attributes"] == {"plan": "pro"}
    assert len(contact["conversations"]) == 1

    receive(inbox, ANA_PHONE, "it's Ana, by SMS", channel="sms")
    assert len(contacts.get_contact(inbox.runtime, contact["id"])["conversations"]) == 1  # joined the open one


def test_identities_held_by_two_contacts_are_a_conflict_to_merge_first(inbox):
    receive(inbox, ANA_EMAIL, channel="email")
    receive(inbox, ANA_PHONE, channel="sms")
    with pytest.raises(ApiError) as refused:
        contacts.upsert_contact(inbox.runtime, ADMIN, {"identities": [ANA_EMAIL, ANA_PHONE]})
    assert refused.value.status == 409
    assert sorted(refused.value.details["contact_ids"]) == sorted({contact_of(inbox, ANA_EMAIL),
                                                                   contact_of(inbox, ANA_PHONE)})


def test_only_admins_and_external_systems_name_key_accounts(inbox):
    contact, created = contacts.upsert_contact(inbox.runtime, ADMIN, {"identities": [ANA_EMAIL],
                                                                      "attributes": {"key_account": True}})
    assert created and contact["lifecycle_stage"] == "key_account"
    with pytest.raises(ApiError) as refused:
        contacts.upsert_contact(inbox.runtime, AGENT, {"identities": [ANA_EMAIL], "attributes": {"key_account": False}})
    assert refused.value.status == 403


def test_the_lifecycle_stage_follows_resolved_conversations(inbox):
    stages = []
    for round_ in range(3):
        receive(inbox, ANA_EMAIL, f"question {round_}", channel="email")
        contact_id = contact_of(inbox, ANA_EMAIL)
        stages.append(contacts.get_contact(inbox.runtime, contact_id)["lifecycle_stage"])
        with inbox.runtime.db.reading() as db:
            open_id = db.execute(select(conversations.c.id).where(conversations.c.status == "open")).scalar_one()
        change_conversation(inbox.runtime, ADMIN, open_id, {"status": "resolved"})
    assert stages == ["prospect", "new", "returning"]


def test_a_merge_keeps_both_histories_and_identities_and_records_who_merged(inbox):
    receive(inbox, ANA_EMAIL, "by email", channel="email")
    receive(inbox, ANA_PHONE, "by sms", channel="sms")
    survivor, other = contact_of(inbox, ANA_EMAIL), contact_of(inbox, ANA_PHONE)
    with inbox.runtime.db.reading() as db:
        conversation_ids = db.execute(select(conversations.c.id)).scalars().all()
    with pytest.raises(ApiError) as unseen:  # the agent's team has neither conversation yet
        contacts.merge_contacts(inbox.runtime, AGENT, survivor, other)
    assert unseen.value.status == 404
    for conversation_id in conversation_ids:
        assign(inbox, conversation_id, agent_id=None, team_id="team-1", team_name="Team 1")

    merged = contacts.merge_contacts(inbox.runtime, AGENT, survivor, other)

    assert merged["id"] == survivor
    assert {(i["type"], i["value"]) for i in merged["identities"]} == {("email", "ana@example.com"),
                                                                      ("phone", "+14155550123")}
    assert len(merged["conversations"]) == 2
    assert merged["merges"][0]["merged_id"] == other
    assert merged["merges"][0]["merged_by"] == {"id": "agent:agent-1", "name": "Ana Agent"}
    assert contacts.get_contact(inbox.runtime, other)["id"] == survivor  # the old id still finds the customer
    receive(inbox, ANA_PHONE, "later, by sms", channel="sms")
    assert contact_of(inbox, ANA_PHONE) == survivor
    with pytest.raises(ApiError) as again:
        contacts.merge_contacts(inbox.runtime, AGENT, survivor, other)
    assert again.value.status == 409


def test_a_merge_with_an_unknown_contact_is_a_404(inbox):
    receive(inbox, ANA_EMAIL)
    with pytest.raises(ApiError) as unknown:
        contacts.merge_contacts(inbox.runtime, AGENT, contact_of(inbox, ANA_EMAIL), "no-such-contact")
    assert unknown.value.status == 404 and "other_id" in unknown.value.details


def test_messages_arriving_during_a_merge_all_land_on_the_survivor(pg_inbox):
    """Threads keep writing from both identities while the contacts are merged (real PostgreSQL locks)."""
    receive(pg_inbox, ANA_EMAIL, "first by email", channel="email")
    receive(pg_inbox, ANA_PHONE, "first by sms", channel="sms")
    survivor, other = contact_of(pg_inbox, ANA_EMAIL), contact_of(pg_inbox, ANA_PHONE)
    start, failures = threading.Barrier(5), []

    def customer(sender: dict, channel: str) -> None:
        start.wait()
        for n in range(15):
            try:
                receive(pg_inbox, sender, f"{channel} message {n}", channel=channel)
            except Exception as error:  # noqa: BLE001 - any failure is the test's finding
                failures.append(error)

    def merge() -> None:
        start.wait()
        contacts.merge_contacts(pg_inbox.runtime, ADMIN, survivor, other)

    threads = [threading.Thread(target=customer, args=args) for args in
               [(ANA_EMAIL, "email"), (ANA_PHONE, "sms"), (ANA_EMAIL, "email"), (ANA_PHONE, "sms")]]
    threads.append(threading.Thread(target=merge))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert failures == []
    with pg_inbox.runtime.db.reading() as db:
        owners = db.execute(select(conversations.c.contact_id).join(
            messages, messages.c.conversation_id == conversations.c.id)).scalars().all()
        merges = db.execute(select(contact_merges)).all()
    assert len(owners) == 2 + 4 * 15
    assert set(owners) == {survivor}
    assert [(m.survivor_id, m.merged_id) for m in merges] == [(survivor, other)]
