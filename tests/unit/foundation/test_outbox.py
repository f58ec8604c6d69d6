"""The outbox on SQLite with the in-memory broker (embedded mode)."""

import pytest
from sqlalchemy import func, select

from shared.envelopes import dump_envelope
from shared.storage import Database, OutboxRelay
from tests.support.bus_contract import chat_message
from tests.support.outboxes import fresh_outbox


@pytest.fixture
def db(tmp_path):
    db = Database(f"sqlite:///{tmp_path}/outbox.db")
    yield db
    db.dispose()


@pytest.fixture
def outbox(db):
    return fresh_outbox(db)


def test_the_relay_publishes_added_envelopes_in_order_and_empties_the_outbox(db, outbox, bus):
    envelopes = [chat_message(f"message {n}", f"m{n}") for n in range(5)]
    with db.transaction(notify=False) as session:
        outbox.add(session, *envelopes)
    relay = OutboxRelay(db, outbox.table, bus, batch_size=3)
    assert [relay.relay_once(), relay.relay_once(), relay.relay_once()] == [3, 2, 0]
    with db.reading() as session:
        assert session.execute(select(func.count()).select_from(outbox.table)).scalar() == 0
    received = []
    bus.take_all("inbox.inbound", lambda headers, body: received.append(body) or True)
    assert received == [dump_envelope(envelope) for envelope in envelopes]


def test_adding_no_envelopes_writes_nothing(db, outbox):
    with db.transaction(notify=False) as session:
        outbox.add(session)
        assert session.execute(select(func.count()).select_from(outbox.table)).scalar() == 0
