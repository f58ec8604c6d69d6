"""The embedded engine is shared safely by threads of one process and by processes."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from services.search.engines.base import MessageDocument, SearchQuery, SearchUnavailable
from services.search.engines.embedded import EmbeddedSearchEngine

REPOSITORY = Path(__file__).resolve().parents[3]
START = datetime(2025, 3, 3, tzinfo=timezone.utc)

WRITER = """
import sys
from datetime import datetime, timedelta, timezone
from services.search.engines.base import MessageDocument
from services.search.engines.embedded import EmbeddedSearchEngine
engine = EmbeddedSearchEngine(sys.argv[1])
for batch in range(10):
    engine.index([MessageDocument(
        message_id=f"{sys.argv[2]}-{batch}-{n}", conversation_id="c", contact_id="k",
        contact_name="Ada", channel="chat", direction="inbound", text="shared refund",
        subject="", created_at=datetime(2025, 3, 3, tzinfo=timezone.utc) + timedelta(seconds=n),
        assignee_id=None, team_id=None, status="open", version=1) for n in range(5)])
engine.close()
"""


def a_message(message_id: str, second: int = 0) -> MessageDocument:
    return MessageDocument(
        message_id=message_id, conversation_id="c", contact_id="k", contact_name="Ada",
        channel="chat", direction="inbound", text="shared refund", subject="",
        created_at=START + timedelta(seconds=second), assignee_id=None, team_id=None,
        status="open", version=1,
    )


def test_several_processes_can_write_one_database_file_at_once(tmp_path):
    path = str(tmp_path / "shared.db")
    reader = EmbeddedSearchEngine(path)
    env = {**os.environ, "PYTHONPATH": str(REPOSITORY)}

    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, path, f"p{n}"], env=env, cwd=REPOSITORY)
        for n in range(3)
    ]

    assert [writer.wait(timeout=60) for writer in writers] == [0, 0, 0]
    assert reader.search(SearchQuery(q="refund")).total == 150
    reader.close()


@pytest.mark.parametrize("path", [":memory:", "file"])
def test_threads_can_index_and_search_through_one_engine(path, tmp_path):
    engine = EmbeddedSearchEngine(str(tmp_path / "t.db") if path == "file" else path)
    failures: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for n in range(25):
                engine.index([a_message(f"w{worker}-{n}", n)])
                engine.search(SearchQuery(q="refund", limit=5))
        except BaseException as error:  # collected so that the main thread can fail
            failures.append(error)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert engine.search(SearchQuery(q="shared")).total == 200
    engine.close()


def test_a_file_database_keeps_messages_after_the_engine_is_reopened(tmp_path):
    path = str(tmp_path / "nested" / "deeper" / "search.db")
    first = EmbeddedSearchEngine(path)
    first.index([a_message("m-1")])
    first.close()

    second = EmbeddedSearchEngine(path)

    assert [hit.message_id for hit in second.search(SearchQuery(q="refund")).items] == ["m-1"]
    second.close()


def test_a_closed_engine_reports_itself_unavailable():
    engine = EmbeddedSearchEngine(":memory:")
    engine.close()

    with pytest.raises(SearchUnavailable):
        engine.check_health()
    with pytest.raises(SearchUnavailable):
        engine.search(SearchQuery(q="refund"))


def test_a_database_that_cannot_be_opened_is_reported_unavailable(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")

    with pytest.raises(SearchUnavailable):
        EmbeddedSearchEngine(str(tmp_path / "a-file" / "search.db"))


def test_a_file_that_is_not_a_database_is_reported_unavailable(tmp_path):
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not sqlite" * 100)

    with pytest.raises(SearchUnavailable):
        EmbeddedSearchEngine(str(garbage))
