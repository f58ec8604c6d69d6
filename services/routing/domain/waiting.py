"""The order of the waiting queue, and when waiting has gone on too long."""

from __future__ import annotations

from datetime import datetime

from services.routing.domain.vocabulary import PRIORITIES


def waiting_order_key(priority: str, is_key_account: bool, waiting_since: datetime) -> tuple:
    """Most urgent first, then key accounts, then who has waited longest."""
    rank = PRIORITIES.index(priority) if priority in PRIORITIES else 1
    return (-rank, not is_key_account, waiting_since)


def is_overdue(waiting_since: datetime, now: datetime, limit_seconds: float | None) -> bool:
    return limit_seconds is not None and (now - waiting_since).total_seconds() > limit_seconds


def escalated_priority(priority: str) -> str:
    """One step more urgent; urgent stays urgent."""
    rank = PRIORITIES.index(priority) if priority in PRIORITIES else 1
    return PRIORITIES[min(rank + 1, len(PRIORITIES) - 1)]
