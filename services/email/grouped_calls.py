"""Calls from many SMTP sessions gathered into one, so mail arriving together shares one round trip.

Each session's thread hands its item over and waits; a single thread runs the batch function
over whatever has gathered (one query, or one `bus.publish` with every confirm in flight) and
wakes every waiter with its own result, or with the batch's error. A mail is still answered
250 only once its own envelope was confirmed, and 451 if its batch failed.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from typing import Callable, Generic, Sequence, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")
MAX_BATCH = 200  # items per batch; more wait for the next round
_STOP = object()


class GroupedCalls(Generic[Item, Result]):
    """`call(item)` returns its result from `run_batch(items)` (one result per item, in order)."""

    def __init__(self, run_batch: Callable[[list[Item]], Sequence[Result]], *, name: str,
                 max_batch: int = MAX_BATCH):
        self._run_batch, self._name, self._max_batch = run_batch, name, max_batch
        self._waiting: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopped = False

    def call(self, item: Item) -> Result:
        done: Future = Future()
        with self._lock:
            if self._stopped:
                raise RuntimeError(f"{self._name} is stopped")
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._waiting.put((item, done))
        return done.result()

    def stop(self) -> None:
        """Finish what was handed over already, then end the thread."""
        with self._lock:
            self._stopped = True
            thread = self._thread
            self._waiting.put(_STOP)
        if thread is not None:
            thread.join(timeout=30)

    def _run(self) -> None:
        while (batch := self._next_batch()) is not None:
            self._complete(batch)

    def _next_batch(self) -> list[tuple[Item, Future]] | None:
        """Wait for one item, then take every other one already waiting (up to the batch size)."""
        first = self._waiting.get()
        if first is _STOP:
            return None
        batch = [first]
        while len(batch) < self._max_batch:
            try:
                item = self._waiting.get_nowait()
            except queue.Empty:
                break
            if item is _STOP:
                self._waiting.put(_STOP)  # seen again once this batch is done
                break
            batch.append(item)
        return batch

    def _complete(self, batch: list[tuple[Item, Future]]) -> None:
        try:
            results = list(self._run_batch([item for item, _ in batch]))
            if len(results) != len(batch):
                raise RuntimeError(f"{self._name} gave {len(results)} results for {len(batch)} items")
        except Exception as error:  # every waiter learns its batch failed
            for _, done in batch:
                done.set_exception(error)
        else:
            for (_, done), result in zip(batch, results):
                done.set_result(result)
