"""Opens the tantivy index folder and keeps each process's searcher up to date with the others' commits."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import tantivy

from services.search.engines.tantivy_schema import WORDS, message_schema, words_analyzer

IN_MEMORY = ":memory:"
# Held while the index is opened, so that two processes starting together cannot both
# create it (the second would overwrite the first one's commits).
_OPEN_LOCK = ".switchboard-open.lock"
# Every commit atomically replaces this file; a new one means there is something new to see.
_META = "meta.json"


def open_index(path: str) -> tantivy.Index:
    """Open (creating if needed) the index at path, or one in memory for ":memory:"."""
    if path == IN_MEMORY:
        index = tantivy.Index(message_schema())
    else:
        Path(path).mkdir(parents=True, exist_ok=True)
        with locked(Path(path) / _OPEN_LOCK, fcntl.LOCK_EX):
            index = tantivy.Index(message_schema(), path, reuse=True)
    index.register_tokenizer(WORDS, words_analyzer())
    index.config_reader(reload_policy="Manual")
    return index


@contextmanager
def locked(lock_file: Path, mode: int) -> Iterator[None]:
    """Hold an advisory lock on lock_file (shared or exclusive) for the duration of the block."""
    with open(lock_file, "a+b") as handle:
        fcntl.flock(handle, mode)
        yield


class FreshSearchers:
    """Hands out searchers that see every commit, this process's and other processes' alike."""

    def __init__(self, index: tantivy.Index, path: str) -> None:
        self._index = index
        self._meta = None if path == IN_MEMORY else Path(path) / _META
        self._lock = threading.Lock()
        self._seen: tuple[int, int, int] | None = None

    def current(self) -> tantivy.Searcher:
        """A searcher of the last commit: one stat() per call tells whether to reload."""
        marker = self._marker()
        if marker != self._seen:
            self._reload(marker)
        return self._index.searcher()

    def reload(self) -> None:
        """See this process's own commit at once."""
        self._reload(self._marker())

    def _reload(self, marker: tuple[int, int, int] | None) -> None:
        with self._lock:
            try:
                self._index.reload()
            except ValueError:
                # A writer elsewhere removed files of the commit we tried to open; the
                # current searcher still reads its own files, so retry on the next call.
                return
            self._seen = marker

    def _marker(self) -> tuple[int, int, int] | None:
        if self._meta is None:
            return None
        try:
            found = os.stat(self._meta)
        except FileNotFoundError:
            return None
        return found.st_ino, found.st_mtime_ns, found.st_size
