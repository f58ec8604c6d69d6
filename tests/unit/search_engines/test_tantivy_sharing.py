"""The tantivy index is shared safely by threads of one process and by processes."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from services.search.engines.base import MessageDocument, SearchQuery, SearchUnavailable
from services.search.engines.tantivy_engine import TantivySearchEngine

REPOSITORY = Path(__file__).resolve().parents[3]
START = datetime(2025, 3, 3, tzinfo=timezone.utc)

WRITER = """
import sys
from datetime import datetime, timedelta, timezone
from services.search.engines.base import MessageDocument
from services.search.engines.tantivy_engine import TantivySearchEngine
engine = TantivySearchEngine(sys.argv[1])
for batch in range(10):
    engine.index([MessageDocument(
        message_id=f"{sys.argv[2]}-{batch}-{n}", conversation_id="c", contact_id="k",
        contact_name="Ada", channel="chat", direction="inbound", text="shared refund",
        subject="", created_at=datetime(2025, 3, 3, tzinfo=timezone.utc) + timedelta(seconds=n),
        assignee_id=None, team_id=None, status="open", version=1) for n in range(5)])
engine.close()
"""


def a_message(message_id: str, second: int = 0, text: str = "shared refund") -> MessageDocument:
    return MessageDocument(
        message_id=message_id, conversation_id="c", contact_id="k", contact_name="Ada",
        channel="chat", direction="inbound", text=text, subject="",
        created_at=START + timedelta(seconds=second), assignee_id=None, team_id=None,
        status="open", version=1,
    )


def test_several_processes_can_write_one_index_folder_in_turn(tmp_path):
    path = str(tmp_path / "shared-index")
    reader = TantivySearchEngine(path)
    env = {**os.environ, "PYTHONPATH": str(REPOSITORY)}

    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, path, f"p{n}"], env=env, cwd=REPOSITORY)
        for n in range(3)
    ]

    assert [writer.wait(timeout=60) for writer in writers] == [0, 0, 0]
    assert reader.search(SearchQuery(q="refund")).total == 150
    reader.close()


def test_a_reader_sees_another_engines_commit_without_being_told(tmp_path):
    path = str(tmp_path / "index")
    reader, writer = TantivySearchEngine(path), TantivySearchEngine(path)
    assert reader.search(SearchQuery(q="refund")).total == 0

    writer.index([a_message("m-1")])

    assert [hit.message_id for hit in reader.search(SearchQuery(q="refund")).items] == ["m-1"]
    reader.close()
    writer.close()


def test_an_engine_holding_the_writer_hands_it_over_to_another_that_waits(tmp_path):
    path = str(tmp_path / "index")
    first, second = TantivySearchEngine(path), TantivySearchEngine(path, busy_timeout_s=5)
    first.index([a_message("m-1")])

    began = time.monotonic()
    second.index([a_message("m-2", 1)])
    first.index([a_message("m-3", 2)])

    assert time.monotonic() - began < 2
    assert second.search(SearchQuery(q="refund")).total == 3
    first.close()
    second.close()


def test_a_writer_kept_longer_than_the_busy_timeout_makes_writes_unavailable(tmp_path):
    path = str(tmp_path / "index")
    holder, waiter = TantivySearchEngine(path), TantivySearchEngine(path, busy_timeout_s=0.2)

    with holder._writer.writing():  # a long write batch in progress
        with pytest.raises(SearchUnavailable):
            waiter.index([a_message("m-1")])

    holder.close()
    waiter.close()


@pytest.mark.parametrize("path", [":memory:", "folder"])
def test_threads_can_index_and_search_through_one_engine(path, tmp_path):
    engine = TantivySearchEngine(str(tmp_path / "t") if path == "folder" else path)
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


def test_an_index_folder_keeps_messages_after_the_engine_is_reopened(tmp_path):
    path = str(tmp_path / "nested" / "deeper" / "search-index")
    first = TantivySearchEngine(path)
    first.index([a_message("m-1")])
    first.close()

    second = TantivySearchEngine(path)

    assert [hit.message_id for hit in second.search(SearchQuery(q="refund")).items] == ["m-1"]
    second.close()


def test_a_closed_engine_reports_itself_unavailable():
    engine = TantivySearchEngine(":memory:")
    engine.close()

    with pytest.raises(SearchUnavailable):
        engine.check_health()
    with pytest.raises(SearchUnavailable):
        engine.search(SearchQuery(q="refund"))
    with pytest.raises(SearchUnavailable):
        engine.index([a_message("m-1")])


def test_a_folder_that_cannot_be_opened_is_reported_unavailable(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")

    with pytest.raises(SearchUnavailable):
        TantivySearchEngine(str(tmp_path / "a-file" / "search-index"))


def test_a_folder_holding_a_different_index_is_reported_unavailable(tmp_path):
    (tmp_path / "index").mkdir()
    (tmp_path / "index" / "meta.json").write_text("this is not a tantivy index")

    with pytest.raises(SearchUnavailable):
        TantivySearchEngine(str(tmp_path / "index"))


def test_searching_never_takes_the_writer(tmp_path):
    path = str(tmp_path / "index")
    searcher = TantivySearchEngine(path)
    searcher.search(SearchQuery(q="refund"))
    searcher.check_health()
    searcher.refresh()

    writer = TantivySearchEngine(path, busy_timeout_s=0.05)
    writer.index([a_message("m-1")])

    assert searcher.search(SearchQuery(q="refund")).total == 1
    searcher.close()
    writer.close()
