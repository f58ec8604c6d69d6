"""Transactions and reads on both databases Switchboard runs on.

On PostgreSQL reads run without a transaction of their own (no BEGIN/COMMIT round trips);
the connections they used must come back to the pool as they were, so later writes are
still atomic. On SQLite reads begin deferred, so they do not queue behind a writer.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, func, insert, select

from shared.storage.database import Database
from shared.storage.locks import lock_until_commit

metadata = MetaData()
rows = Table("session_rows", metadata, Column("id", Integer, primary_key=True))
POOLED = 40  # more checkouts than the pool holds connections, so every pooled connection is reused


@pytest.fixture(params=["postgresql", "sqlite"])
def database(request, tmp_path):
    url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else f"sqlite:///{tmp_path}/s.db"
    db = Database(url)
    metadata.create_all(db.engine)
    yield db
    db.dispose()


def _count(database: Database) -> int:
    with database.reading() as db:
        return db.execute(select(func.count()).select_from(rows)).scalar()


def test_a_failed_transaction_writes_nothing_even_on_connections_reads_used_before(database):
    for n in range(POOLED):
        assert _count(database) == 0
        with pytest.raises(RuntimeError), database.transaction() as db:
            db.execute(insert(rows).values(id=n))
            db.execute(insert(rows).values(id=n + 1000))
            raise RuntimeError("the work failed half-way")
    assert _count(database) == 0


def test_reads_see_what_committed_and_nothing_else(database):
    with database.transaction() as db:
        db.execute(insert(rows).values(id=1))
        with database.reading() as inner:  # a read inside a transaction is part of it
            assert inner is db
            assert inner.execute(select(func.count()).select_from(rows)).scalar() == 1
    assert _count(database) == 1


def test_commit_callbacks_run_once_after_the_outermost_commit(database):
    committed = []
    database.on_commit(lambda: committed.append(_count(database)))
    with database.transaction() as db:
        db.execute(insert(rows).values(id=1))
        with database.transaction():  # joins: nothing is committed yet
            pass
        assert committed == []
    assert committed == [1]
    with database.reading():
        pass
    assert committed == [1]


def test_a_transaction_cannot_start_inside_a_read(database):
    with pytest.raises(RuntimeError, match="inside a read"), database.reading():
        with database.transaction() as db:
            db.execute(insert(rows).values(id=1))
    assert _count(database) == 0


def test_a_read_does_not_wait_for_a_transaction_in_progress(database):
    writing, read_done = threading.Event(), threading.Event()
    seen = []

    def read_meanwhile():
        writing.wait()
        seen.append(_count(database))
        read_done.set()

    reader = threading.Thread(target=read_meanwhile)
    reader.start()
    with database.transaction() as db:
        db.execute(insert(rows).values(id=1))
        writing.set()
        assert read_done.wait(5), "the read waited for the writer's transaction"
    reader.join()
    assert seen == [0]  # it saw what was committed, not the work in progress
    assert _count(database) == 1


def test_a_transaction_asking_for_a_held_lock_waits_until_the_holder_commits(database):
    order, second_done = [], threading.Event()

    def second() -> None:
        with database.transaction() as db:
            lock_until_commit(db, "sms-provider-sid:SM1")
            order.append("second")
        second_done.set()

    with database.transaction() as db:
        lock_until_commit(db, "sms-provider-sid:SM1")
        waiting = threading.Thread(target=second)
        waiting.start()
        assert not second_done.wait(0.3)
        order.append("first")
    waiting.join(10)
    assert order == ["first", "second"]
