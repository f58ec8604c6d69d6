"""One SQLAlchemy engine per service process, and the transaction every change goes through.

SQLite (the embedded default) runs in WAL mode with a busy timeout. A transaction takes
its write lock at BEGIN, so two threads never deadlock upgrading a read to a write; reads
begin deferred and never wait for a writer. PostgreSQL is used through psycopg 3.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

# The execution option that marks a connection as used by Database.reading().
READING = "switchboard_reading"


class DatabaseUnavailable(Exception):
    """The database cannot be reached now; the request was not accepted and may be retried."""


def make_engine(url: str) -> Engine:
    """An engine tuned for the dialect: SQLite WAL + BEGIN IMMEDIATE, or a PostgreSQL pool."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
    event.listen(engine, "connect", _tune_sqlite)
    event.listen(engine, "begin", _begin_sqlite)
    return engine


def _begin_sqlite(conn) -> None:
    """Writes take the write lock at BEGIN; reads begin deferred, so in WAL mode they never wait for a writer."""
    conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READING) else "BEGIN IMMEDIATE")


def _tune_sqlite(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (see make_engine)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Database:
    """Sessions for one service, and hooks that run after each commit (e.g. wake the outbox relay)."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # PostgreSQL reads run without BEGIN and COMMIT: two round trips fewer per read. At READ
        # COMMITTED every statement sees its own snapshot either way. SQLite keeps a (deferred)
        # transaction, which gives a read of several statements one snapshot.
        reading = {READING: True} if self.is_sqlite else {READING: True, "isolation_level": "AUTOCOMMIT"}
        self._reading_sessions = sessionmaker(self.engine.execution_options(**reading), expire_on_commit=False)
        self._after_commit: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        self._current = threading.local()  # the transaction this thread is inside, if any

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def on_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` after every committed transaction of this database."""
        with self._lock:
            self._after_commit.append(callback)

    @contextmanager
    def transaction(self, *, notify: bool = True) -> Iterator[Session]:
        """A session that commits at the end of the block, or rolls back if it raises.

        Inside another transaction of the same thread it joins that one: the work commits or
        rolls back with it. That is how a consumer handles a batch of messages in one commit
        with handlers written for one message.
        """
        joining = getattr(self._current, "session", None) is not None
        with self._session(self._sessions, writing=True) as session:
            yield session
        if notify and not joining:
            for callback in list(self._after_commit):
                callback()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads only (inside a transaction, that transaction)."""
        with self._session(self._reading_sessions, writing=False) as session:
            yield session

    @contextmanager
    def _session(self, sessions: sessionmaker, *, writing: bool) -> Iterator[Session]:
        outer = getattr(self._current, "session", None)
        if outer is not None:
            if writing and not self._current.writing:
                raise RuntimeError("a transaction cannot start inside a read: its writes would not be atomic")
            yield outer
            return
        session = sessions()
        self._current.session, self._current.writing = session, writing
        try:
            with session.begin():
                yield session
        except OperationalError as error:
            if _is_connection_problem(error):
                raise DatabaseUnavailable(str(error.orig)) from error
            raise
        finally:
            self._current.session = None
            session.close()

    def check(self) -> None:
        """Raise DatabaseUnavailable unless the database answers now (readiness)."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except OperationalError as error:
            raise DatabaseUnavailable(str(error.orig)) from error

    def dispose(self) -> None:
        self.engine.dispose()


def _is_connection_problem(error: OperationalError) -> bool:
    return bool(getattr(error, "connection_invalidated", False)) or "connect" in str(error.orig).lower()
