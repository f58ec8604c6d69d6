"""Search with every service in its own process, on RabbitMQ and PostgreSQL, through the gateway only.

Messages written while the search consumer is down wait in RabbitMQ and are found once it
is back; a lost index is rebuilt with `switchboard search reindex` through the gateway.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from services.search.engines.tantivy_engine import TantivySearchEngine
from tests.support.http import Client, wait_until
from tests.support.processes import BIN, DISTRIBUTED_ADMIN

ADMIN = DISTRIBUTED_ADMIN
TEXTS = ["Parcel stuck in customs", "Second parcel missing", "Parcel label is wrong"]


@pytest.fixture
def switchboard(start_distributed):
    return start_distributed()


def chat(base_url: str, text: str) -> None:
    session = Client(base_url).post("/chat/v1/sessions", json={"name": "Noor"}).json()
    sent = Client(base_url, session["token"]).post(f"/chat/v1/sessions/{session['session_id']}/messages",
                                                   json={"text": text})
    assert sent.status_code == 201, sent.text


def test_messages_wait_for_the_search_consumer_and_a_lost_index_is_rebuilt(switchboard, tmp_path):
    admin = Client(switchboard.url, ADMIN)
    parcels = lambda: admin.get("/api/v1/search", params={"q": "parcel"}).json()["total"]  # noqa: E731
    switchboard.consumers["search"].kill()
    for text in TEXTS:
        chat(switchboard.url, text)
    assert wait_until(lambda: len(admin.get("/api/v1/conversations").json()["items"]) == 3, timeout=30)
    assert parcels() == 0

    switchboard.consumers["search"].start()
    assert wait_until(lambda: parcels() == 3, timeout=30), switchboard.logs()

    lost = TantivySearchEngine(str(Path(tmp_path) / "search-index"))
    lost.reset()
    lost.close()
    assert parcels() == 0
    done = subprocess.run([str(BIN / "switchboard"), "search", "reindex"], capture_output=True, text=True, timeout=90,
                          env={**switchboard.env, "SWITCHBOARD_PUBLIC_URL": switchboard.url})
    assert done.returncode == 0, done.stderr
    assert "Reindexed 3 messages." in done.stdout
    assert parcels() == 3
