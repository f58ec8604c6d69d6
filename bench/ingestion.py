"""Ingestion: customers write, and every message is stored, threaded, assigned and indexed.

The load is a mix: customers are split evenly over email (SMTP to the SMTP process, one
connection per sender thread), SMS (the Twilio webhook, signed as Twilio signs it) and
web chat (the widget's API through the gateway). Each customer writes a few messages on
its one channel, in order, from one sender thread.
"""

from __future__ import annotations

import random
import time
from collections import Counter
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select

from bench.channel_senders import mixed_customers
from bench.corpus import message_text
from bench.pipeline import ResourceSampler
from bench.stats import percentiles
from services.inbox.tables import activity, conversations, messages
from services.search.engines import SearchQuery, create_search_engine

MESSAGES_PER_CUSTOMER = 3
SENDER_PROCESSES = 4


def run(switchboard, env: dict, folder: Path, count: int, rate: float | None, senders: int = 16) -> dict:
    """Send `count` messages at `rate` per second (None: flat out), wait until all are through.

    Online agents with room for every conversation must exist (bench.pipeline.add_online_agents).
    The senders are threads spread over a few processes, so the load generator's own Python
    does not cap what is measured.
    """
    store = create_engine(env["SWITCHBOARD_DATABASE_URL"])
    baseline = _progress(store, folder)
    stored_before = _stored_by_channel(store)
    sampler = ResourceSampler(switchboard)
    rng = random.Random(11)
    texts = [message_text(rng) for _ in range(count)]
    offset = baseline["stored"]  # new customers for every run
    # Each customer's messages go out in order from one sender thread.
    plan = [[n for n in range(count) if n // MESSAGES_PER_CUSTOMER % senders == s] for s in range(senders)]
    target = (switchboard.url, dict(switchboard.env), switchboard.ports["smtp"])
    customers = mixed_customers(*target)
    prepared = [customers.prepare(offset + n // MESSAGES_PER_CUSTOMER, texts[n]) for n in range(count)]
    shares = [[[(n, prepared[n]) for n in numbers] for numbers in plan[p::SENDER_PROCESSES]]
              for p in range(SENDER_PROCESSES)]
    since = datetime.now(timezone.utc)
    started, started_at = time.perf_counter(), time.time()
    with ProcessPoolExecutor(SENDER_PROCESSES, mp_context=multiprocessing.get_context("fork")) as pool:
        for sending in [pool.submit(_send_share, target, share, rate, started_at) for share in shares]:
            sending.result()
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
              "channels": dict(_stored_by_channel(store) - stored_before), "processes": sampler.summary(done_s)}
    store.dispose()
    return result


def _send_share(target: tuple, plans: list[list[tuple[int, Any]]], rate: float | None, started_at: float) -> None:
    """One sender process: a thread per plan, each sending its customers' prepared messages in order."""
    customers = mixed_customers(*target)

    def send_all(numbered: list[tuple[int, Any]]) -> None:
        for n, message in numbered:
            if rate:
                delay = started_at + n / rate - time.time()
                if delay > 0:
                    time.sleep(delay)
            customers.send(message)

    try:
        with ThreadPoolExecutor(len(plans)) as pool:
            for future in [pool.submit(send_all, numbered) for numbered in plans]:
                future.result()
    finally:
        customers.close()


def _progress(store, folder: Path) -> dict:
    with store.connect() as db:
        stored = db.execute(select(func.count()).select_from(messages)
                            .where(messages.c.direction == "inbound")).scalar()
        assigned = db.execute(select(func.count()).select_from(conversations)
                              .where(conversations.c.assignee_id.is_not(None))).scalar()
    return {"stored": stored, "assigned": assigned, "indexed": _indexed(folder)}


def _indexed(folder: Path) -> int:
    path = folder / "search-index"
    if not path.exists():
        return 0
    engine = create_search_engine(None, embedded_path=str(path))
    try:
        return engine.search(SearchQuery(q="", limit=1)).total
    finally:
        engine.close()


def _stored_by_channel(store) -> Counter:
    """Inbound messages in the inbox's table, per channel."""
    with store.connect() as db:
        return Counter(dict(db.execute(select(messages.c.channel, func.count()).where(
            messages.c.direction == "inbound").group_by(messages.c.channel)).all()))


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
