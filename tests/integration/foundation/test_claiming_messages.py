"""A consumer claims each envelope once, on both databases Switchboard runs on."""

from __future__ import annotations

import pytest
from sqlalchemy import MetaData

from shared.storage.database import Database
from shared.storage.idempotency import claim_message, claim_messages, processed_table


@pytest.fixture(params=["postgresql", "sqlite"])
def database(request, tmp_path):
    url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else f"sqlite:///{tmp_path}/c.db"
    db = Database(url)
    yield db
    db.dispose()


def test_the_first_claim_wins_and_a_rolled_back_claim_does_not_count(database):
    metadata = MetaData()
    table = processed_table(metadata, "claims")
    metadata.create_all(database.engine)
    with pytest.raises(RuntimeError), database.transaction() as db:
        assert claim_message(db, table, "inbox.inbound", "envelope-1")
        raise RuntimeError("the work failed")
    with database.transaction() as db:
        assert claim_message(db, table, "inbox.inbound", "envelope-1")
        assert not claim_message(db, table, "inbox.inbound", "envelope-1")
        assert claim_message(db, table, "routing.conversations", "envelope-1")  # another consumer's own claim
    with database.transaction() as db:
        assert not claim_message(db, table, "inbox.inbound", "envelope-1")


def test_many_envelopes_are_claimed_at_once_each_only_the_first_time(database):
    metadata = MetaData()
    table = processed_table(metadata, "claims")
    metadata.create_all(database.engine)
    with database.transaction() as db:
        assert claim_message(db, table, "inbox.inbound", "a")
        assert claim_messages(db, table, "inbox.inbound", ["a", "b", "c", "b"]) == {"b", "c"}
    with database.transaction() as db:
        assert claim_messages(db, table, "inbox.inbound", ["c", "d"]) == {"d"}
        assert claim_messages(db, table, "inbox.inbound", []) == set()
