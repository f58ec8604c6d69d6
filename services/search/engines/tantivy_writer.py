"""The one writer a tantivy index allows, shared by every process that writes to it.

The search consumer writes continuously while `switchboard search reindex` (or another
engine in a test) may need to write too. The writer is taken on the first write, every
write is committed before it returns, and the writer is handed over as soon as another
process waits for it. Merges running at that moment are abandoned rather than waited
for, so that no write ever waits behind a merge; the next writer merges again.
"""

from __future__ import annotations

import fcntl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import tantivy

from services.search.engines.tantivy_index import IN_MEMORY, locked

# A waiting process holds a shared lock on this file; the holder notices within
# _WATCH_SECONDS and lets go.
_WANTED = ".switchboard-writer-wanted"
# Writing memory: enough for big segments (fewer merges) without weighing on the consumer.
WRITER_HEAP_BYTES = 64_000_000
# One indexing thread beside the Python thread that builds documents: both cores, no more.
WRITER_THREADS = 1
_WATCH_SECONDS = 0.05
_RETRY_SECONDS = 0.02


class WriterBusy(Exception):
    """Another process kept the index's writer for longer than the busy timeout."""


class SharedWriter:
    """Lends the index writer to one write at a time and gives it back when others need it."""

    def __init__(self, index: tantivy.Index, path: str, *, busy_timeout_s: float,
                 after_commit: Callable[[], None]) -> None:
        self._index = index
        self._after_commit = after_commit
        self._wanted = None if path == IN_MEMORY else Path(path) / _WANTED
        self._busy_timeout_s = busy_timeout_s
        self._lock = threading.RLock()
        self._writer: tantivy.IndexWriter | None = None
        self._open_write: tantivy.IndexWriter | None = None  # set while a write is under way
        self._closing = threading.Event()
        self._watcher: threading.Thread | None = None

    @contextmanager
    def writing(self) -> Iterator[tantivy.IndexWriter]:
        """The writer for one batch of changes, committed (durable) when the block ends.

        A write inside another (same thread: the lock is re-entrant) joins it, so that
        the outer block commits once for all of them.
        """
        with self._lock:
            if self._open_write is not None:
                yield self._open_write
                return
            writer = self._open_write = self._writer or self._take()
            try:
                yield writer
                writer.commit()
            except BaseException:
                self._roll_back(writer)
                raise
            finally:
                self._open_write = None
            self._after_commit()

    def release(self) -> None:
        """Give the writer back (everything written is committed), so that another process may write."""
        with self._lock:
            self._writer = None  # dropping it frees tantivy's lock

    def close(self) -> None:
        """Stop watching and give the writer back."""
        self._closing.set()
        if self._watcher is not None:
            self._watcher.join()
        self.release()

    def _take(self) -> tantivy.IndexWriter:
        deadline = time.monotonic() + self._busy_timeout_s
        waiting = locked(self._wanted, fcntl.LOCK_SH) if self._wanted else nullcontext()
        with waiting:
            while True:
                try:
                    self._writer = self._index.writer(WRITER_HEAP_BYTES, WRITER_THREADS)
                    break
                except ValueError as error:
                    if "LockBusy" not in str(error) or time.monotonic() > deadline:
                        raise WriterBusy(str(error)) from error
                time.sleep(_RETRY_SECONDS)
        self._watch()
        return self._writer

    def _roll_back(self, writer: tantivy.IndexWriter) -> None:
        """Drop uncommitted changes: a failed batch leaves the index as it was."""
        try:
            writer.rollback()
        except ValueError:
            self._writer = None  # a broken writer is dropped; the next write takes a new one

    def _watch(self) -> None:
        if self._watcher is None:
            self._watcher = threading.Thread(target=self._hand_over_when_wanted, daemon=True,
                                             name="search-writer-watch")
            self._watcher.start()

    def _hand_over_when_wanted(self) -> None:
        while not self._closing.wait(_WATCH_SECONDS):
            if self._writer is not None and self._someone_waits():
                self.release()

    def _someone_waits(self) -> bool:
        if self._wanted is None:
            return False
        with open(self._wanted, "a+b") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            return False
