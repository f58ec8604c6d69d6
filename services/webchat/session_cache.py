"""Chat sessions a process has already read: a visitor's every message names its session.

A session's row never changes once it is opened (name, email, verification and token hash
are fixed), so a copy kept in memory cannot go stale. The oldest copies are dropped
beyond `size`, which bounds the memory to a few MB.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, TypeVar

Row = TypeVar("Row")


class SessionCache(Generic[Row]):
    """The most recently used sessions' rows, by session id; safe across the request threads."""

    def __init__(self, size: int = 10_000):
        self._rows: OrderedDict[str, Row] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, session_id: str) -> Row | None:
        with self._lock:
            row = self._rows.get(session_id)
            if row is not None:
                self._rows.move_to_end(session_id)
            return row

    def put(self, session_id: str, row: Row) -> None:
        with self._lock:
            self._rows[session_id] = row
            self._rows.move_to_end(session_id)
            if len(self._rows) > self._size:
                self._rows.popitem(last=False)
