"""The waiting queue's order and escalation."""

from datetime import timedelta

from services.routing.domain import escalated_priority, is_overdue, waiting_order_key
from tests.unit.routing_domain.builders import T0


def test_the_queue_orders_by_priority_then_key_accounts_then_waiting_time():
    queue = {
        "old normal": ("normal", False, T0),
        "new urgent": ("urgent", False, T0 + timedelta(minutes=9)),
        "new key account": ("normal", True, T0 + timedelta(minutes=5)),
        "older key account": ("normal", True, T0 + timedelta(minutes=1)),
        "low": ("low", True, T0 - timedelta(hours=1)),
        "odd priority": ("whatever", False, T0 + timedelta(minutes=2)),
    }
    order = sorted(queue, key=lambda name: waiting_order_key(*queue[name]))
    assert order == ["new urgent", "older key account", "new key account", "old normal", "odd priority", "low"]


def test_overdue_only_past_the_limit():
    assert not is_overdue(T0, T0 + timedelta(seconds=60), 60)
    assert is_overdue(T0, T0 + timedelta(seconds=61), 60)
    assert not is_overdue(T0, T0 + timedelta(days=9), None)


def test_escalation_raises_priority_one_step_and_urgent_stays_urgent():
    assert [escalated_priority(p) for p in ("low", "normal", "high", "urgent", "odd")] == \
        ["normal", "high", "urgent", "urgent", "high"]
