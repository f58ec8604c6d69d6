"""Ingestion: customers write, and every message is stored, threaded, assigned and indexed.

Customers are chat visitors here, each writing a few messages; email and SMS senders join
the same load when their services run (see CHANNEL_SENDERS).
"""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import requests
from sqlalchemy import create_engine, func, select

from bench.corpus import message_text
from bench.pipeline import ResourceSampler
from bench.stats import percentiles
from services.inbox.tables import activity, conversations, messages
from services.search.engines import SearchQuery, create_search_engine

MESSAGES_PER_CUSTOMER = 3


class ChatCustomers:
    """Chat visitors: one session each, then their messages, through the gateway."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.local = threading.local()
        self.sessions: dict[int, tuple[str, str]] = {}

    def send(self, customer: int, text: str) -> None:
        http = self._http()
        if customer not in self.sessions:
            started = http.post(f"{self.base_url}/chat/v1/sessions", json={"name": f"Visitor {customer}"}, timeout=30)
            started.raise_for_status()
            self.sessions[customer] = (started.json()["session_id"], started.json()["token"])
        session_id, token = self.sessions[customer]
        http.post(f"{self.base_url}/chat/v1/sessions/{session_id}/messages", json={"text": text}, timeout=30,
                  headers={"Authorization": f"Bearer {token}"}).raise_for_status()

    def _http(self) -> requests.Session:
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
        return self.local.session


def run(switchboard, env: dict, folder: Path, count: int, rate: float | None, senders: int = 16) -> dict:
    """Send `count` messages at `rate` per second (None: flat out), wait until all are through.

    Online agents with room for every conversation must exist (bench.pipeline.add_online_agents).
    """
    customers = ChatCustomers(switchboard.url)
    store = create_engine(env["SWITCHBOARD_DATABASE_URL"])
    baseline = _progress(store, folder)
    sampler = ResourceSampler(switchboard)
    rng = random.Random(11)
    texts = [message_text(rng) for _ in range(count)]
    offset = baseline["stored"]  # new customers for every run
    # Each customer's messages go out in order from one sender thread.
    plan = [[n for n in range(count) if n // MESSAGES_PER_CUSTOMER % senders == s] for s in range(senders)]
    since = datetime.now(timezone.utc)
    started = time.perf_counter()

    def send_all(numbers: list[int]) -> None:
        for n in numbers:
            if rate:
                delay = started + n / rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
            customers.send(offset + n // MESSAGES_PER_CUSTOMER, texts[n])

    with ThreadPoolExecutor(senders) as pool:
        for future in [pool.submit(send_all, numbers) for numbers in plan]:
            future.result()
    accepted_s = time.perf_counter() - started
    expected = {"stored": baseline["stored"] + count,
                "conversations": baseline["assigned"] + -(-count // MESSAGES_PER_CUSTOMER)}
    deadline = time.monotonic() + max(120, count / 20)
    while True:
        sampler.sample()
        now = _progress(store, folder)
        if (now["stored"] >= expected["stored"] and now["assigned"] >= expected["conversations"]
                and now["indexed"] >= expected["stored"]):
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"not all messages went through in time: {now} of {expected}")
        time.sleep(0.05)
    done_s = time.perf_counter() - started
    result = {"messages": count, "rate": rate or "flat out", "accepted_per_s": round(count / accepted_s),
              "sustained_per_s": round(count / done_s), "accepted_to_assigned_ms": _assignment_latency(store, since),
              "processes": sampler.summary(done_s)}
    store.dispose()
    return result


def _progress(store, folder: Path) -> dict:
    with store.connect() as db:
        stored = db.execute(select(func.count()).select_from(messages)
                            .where(messages.c.direction == "inbound")).scalar()
        assigned = db.execute(select(func.count()).select_from(conversations)
                              .where(conversations.c.assignee_id.is_not(None))).scalar()
    return {"stored": stored, "assigned": assigned, "indexed": _indexed(folder)}


def _indexed(folder: Path) -> int:
    path = folder / "search.db"
    if not path.exists():
        return 0
    engine = create_search_engine(None, embedded_path=str(path))
    try:
        return engine.search(SearchQuery(q="", limit=1)).total
    finally:
        engine.close()


def _assignment_latency(store, since: datetime) -> dict:
    """From the first message accepted to the conversation's assignment, per conversation."""
    first_message = (select(messages.c.conversation_id, func.min(messages.c.created_at).label("at"))
                     .group_by(messages.c.conversation_id).subquery())
    assigned = (select(activity.c.conversation_id, func.min(activity.c.created_at).label("at"))
                .where(activity.c.action == "assigned").group_by(activity.c.conversation_id).subquery())
    with store.connect() as db:
        pairs = db.execute(select(first_message.c.at, assigned.c.at).join(
            assigned, assigned.c.conversation_id == first_message.c.conversation_id)
            .where(first_message.c.at >= since)).all()
    return percentiles([(_aware(done) - _aware(began)).total_seconds() * 1000 for began, done in pairs])


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
