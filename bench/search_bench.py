"""Search at scale: the embedded engine (tantivy) with a million generated messages.

Pass `url` (a SWITCHBOARD_SEARCH_URL, e.g. `sqlite:///<folder>/search-bench.db`) to measure
another engine the same way.
"""

from __future__ import annotations

import random
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bench.corpus import message_text, query
from bench.stats import percentiles
from services.search.engines import MessageDocument, SearchQuery, create_search_engine

BATCH = 5_000
CHANNELS = ("email", "sms", "chat")
STATUSES = ("open", "pending", "resolved")


def run(folder: Path, count: int, queries: int = 500, url: str | None = None) -> dict:
    """Index `count` messages, then time filtered 1–3 word queries and a new message becoming searchable."""
    engine = create_search_engine(url, embedded_path=str(folder / "search-bench-index"))
    rng = random.Random(7)
    teams = [str(uuid.uuid4()) for _ in range(8)]
    started = time.perf_counter()
    for first in range(0, count, BATCH):
        engine.index([_document(rng, teams, n) for n in range(first, min(first + BATCH, count))])
    engine.refresh()
    indexed_s = time.perf_counter() - started

    latencies = []
    for _ in range(queries):
        asked = SearchQuery(q=query(rng), channel=rng.choice((None, *CHANNELS)),
                            status=rng.choice((None, *STATUSES)), visible_team_ids=frozenset(rng.sample(teams, 3)))
        began = time.perf_counter()
        engine.search(asked)
        latencies.append((time.perf_counter() - began) * 1000)

    fresh = []
    for _ in range(20):
        word = f"zq{uuid.uuid4().hex[:10]}"
        began = time.perf_counter()
        engine.index([_document(rng, teams, count, text=f"New message about {word}")])
        engine.refresh()
        assert engine.search(SearchQuery(q=word)).total == 1
        fresh.append((time.perf_counter() - began) * 1000)
    engine.close()
    return {"messages": count, "index_per_s": round(count / indexed_s), "query_ms": percentiles(latencies),
            "new_message_searchable_ms": percentiles(fresh)}


def _document(rng: random.Random, teams: list[str], n: int, text: str | None = None) -> MessageDocument:
    conversation = n // 3  # about three messages a conversation
    return MessageDocument(
        message_id=str(uuid.uuid4()), conversation_id=f"c{conversation}", contact_id=f"k{conversation // 2}",
        contact_name=f"Customer {conversation // 2}", channel=rng.choice(CHANNELS),
        direction="inbound" if n % 3 != 1 else "outbound", text=text or message_text(rng),
        subject="", created_at=datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(minutes=n),
        assignee_id=None, team_id=rng.choice(teams), status=rng.choice(STATUSES), version=1)
