"""`switchboard search reindex` rebuilds a lost index from the inbox's store, resumably (embedded mode)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from shared.web.auth import issue_agent_token
from services.search.reindex import Checkpoint, InboxExport, reindex
from tests.support.http import Client, wait_until

TEXTS = ["Where is my parcel", "My parcel came broken", "Parcel tracking link is dead", "Refund for the parcel"]


@pytest.fixture
def switchboard(start_embedded):
    return start_embedded(demo=False)


@pytest.fixture
def admin(switchboard) -> Client:
    return Client(switchboard.url, "test-admin-token")


def write_as_customers(base_url: str) -> None:
    for n, text in enumerate(TEXTS):
        session = Client(base_url).post("/chat/v1/sessions", json={"name": f"Customer {n}"}).json()
        customer = Client(base_url, session["token"])
        sent = customer.post(f"/chat/v1/sessions/{session['session_id']}/messages", json={"text": text})
        assert sent.status_code == 201, sent.text


def parcel_total(admin: Client) -> int:
    return admin.get("/api/v1/search", params={"q": "parcel"}).json()["total"]


@pytest.fixture
def lost_index(switchboard, admin):
    """Four messages in the inbox, and a search index that lost them all."""
    write_as_customers(switchboard.url)
    assert wait_until(lambda: parcel_total(admin) == 4)
    switchboard.services["search"].engine.reset()
    assert parcel_total(admin) == 0


def test_the_command_rebuilds_the_index_with_progress_and_a_final_count(switchboard, admin, lost_index,
                                                                        embedded_settings):
    env = os.environ | {"SWITCHBOARD_DATA_DIR": embedded_settings.data_dir,
                        "SWITCHBOARD_ADMIN_TOKEN": "test-admin-token"}
    env.pop("SWITCHBOARD_SEARCH_URL", None)
    done = subprocess.run([sys.executable, "-m", "shared.cli", "search", "reindex", "--inbox-url", switchboard.url],
                          env=env, capture_output=True, text=True, timeout=90)

    assert done.returncode == 0, done.stderr
    assert "Reindexed 4 messages." in done.stdout
    assert "Reindexing messages" in done.stderr and "4/4" in done.stderr
    assert parcel_total(admin) == 4
    assert not (Path(embedded_settings.data_dir) / "search-reindex.json").exists()


def test_an_interrupted_rebuild_resumes_where_it_stopped(switchboard, admin, lost_index, tmp_path):
    engine = switchboard.services["search"].engine
    checkpoint = Checkpoint(tmp_path / "checkpoint.json")
    export = InboxExport(switchboard.url, "test-admin-token", page_size=2)

    def stop_after_first_page(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        reindex(engine, export, checkpoint, progress=stop_after_first_page)
    assert checkpoint.path.exists() and parcel_total(admin) == 2

    seen = []
    assert reindex(engine, export, checkpoint, progress=lambda done, total: seen.append((done, total))) == 4
    export.close()
    assert seen[0] == (4, 4), "the second run started over instead of resuming"
    assert not checkpoint.path.exists() and parcel_total(admin) == 4


def test_the_export_is_for_admins_only_and_refuses_forged_cursors(switchboard, admin, lost_index):
    page = admin.get("/api/v1/internal/export/messages", params={"limit": 3}).json()
    assert page["total"] == 4 and len(page["items"]) == 3 and page["next_cursor"]
    item = page["items"][0]
    assert set(item) == {"message", "conversation", "contact"} and item["message"]["text"] == TEXTS[0]
    rest = admin.get("/api/v1/internal/export/messages", params={"after": page["next_cursor"]}).json()
    assert [i["message"]["text"] for i in rest["items"]] == TEXTS[3:] and rest["next_cursor"] is None

    forged = admin.get("/api/v1/internal/export/messages", params={"after": "²"})
    assert forged.status_code == 400 and forged.json()["error"]["code"] == "malformed"
    agent = Client(switchboard.url, issue_agent_token(switchboard.settings, agent_id="lin", name="Lin",
                                                      role="agent", team_ids=[]))
    assert agent.get("/api/v1/internal/export/messages").status_code == 403
    assert Client(switchboard.url).get("/api/v1/internal/export/messages").status_code == 401
