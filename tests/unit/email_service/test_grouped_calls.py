"""Lookups and publishes from many SMTP sessions are gathered, and each session gets its own outcome."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from shared.messaging import BrokerUnavailable
from services.email.grouped_calls import GroupedCalls


class SlowBatches:
    """A batch function whose first batch waits until released, so later items gather meanwhile."""

    def __init__(self, fail: bool = False):
        self.batches: list[list] = []
        self.first_started, self.release = threading.Event(), threading.Event()
        self.fail = fail

    def __call__(self, items):
        self.batches.append(list(items))
        self.first_started.set()
        self.release.wait(5)
        if self.fail:
            raise BrokerUnavailable("the broker is down")
        return [f"result of {item}" for item in items]


def _wait_until(condition, seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def _gather_behind_a_slow_first_batch(batches: SlowBatches, grouped: GroupedCalls, later: int) -> list:
    with ThreadPoolExecutor(later + 1) as sessions:
        first = sessions.submit(grouped.call, "item-0")
        batches.first_started.wait(5)
        rest = [sessions.submit(grouped.call, f"item-{n}") for n in range(1, later + 1)]
        _wait_until(lambda: grouped._waiting.qsize() == later)
        batches.release.set()
        return [f.result(5) for f in [first, *rest]]


def test_items_handed_over_while_a_batch_runs_go_together_in_the_next_and_each_gets_its_own_result():
    batches = SlowBatches()
    grouped = GroupedCalls(batches, name="test-calls")
    results = _gather_behind_a_slow_first_batch(batches, grouped, later=5)
    grouped.stop()
    assert results == [f"result of item-{n}" for n in range(6)]
    assert batches.batches[0] == ["item-0"]
    assert sorted(batches.batches[1]) == [f"item-{n}" for n in range(1, 6)]


def test_a_batch_is_never_larger_than_its_limit():
    batches = SlowBatches()
    grouped = GroupedCalls(batches, name="test-calls", max_batch=2)
    _gather_behind_a_slow_first_batch(batches, grouped, later=4)
    grouped.stop()
    assert [len(batch) for batch in batches.batches] == [1, 2, 2]


def test_every_caller_of_a_failed_batch_is_told_so():
    batches = SlowBatches(fail=True)
    batches.release.set()
    grouped = GroupedCalls(batches, name="test-calls")
    with ThreadPoolExecutor(4) as sessions:
        outcomes = [sessions.submit(grouped.call, f"item-{n}") for n in range(4)]
        for outcome in outcomes:
            with pytest.raises(BrokerUnavailable):
                outcome.result(5)
    grouped.stop()


def test_a_batch_function_giving_the_wrong_number_of_results_fails_its_callers_instead_of_hanging():
    grouped = GroupedCalls(lambda items: [], name="test-calls")
    with pytest.raises(RuntimeError, match="0 results for 1 items"):
        grouped.call("item-0")
    grouped.stop()


def test_stopping_ends_the_thread_and_refuses_what_comes_after():
    batches = SlowBatches()
    batches.release.set()
    grouped = GroupedCalls(batches, name="test-calls")
    assert grouped.call("item-0") == "result of item-0"
    grouped.stop()
    assert not grouped._thread.is_alive()
    with pytest.raises(RuntimeError):
        grouped.call("item-1")
