"""The embedded engines commit a batch of writes once: all of it, or (when it fails) none of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.search.engines.embedded import EmbeddedSearchEngine
from services.search.engines.tantivy_engine import TantivySearchEngine
from tests.conformance.search.messages import found_ids, message, store


@pytest.fixture(params=["tantivy", "sqlite"])
def engine(request: pytest.FixtureRequest, tmp_path: Path):
    opened = (TantivySearchEngine(str(tmp_path / "index")) if request.param == "tantivy"
              else EmbeddedSearchEngine(str(tmp_path / "messages.db")))
    yield opened
    opened.close()


def test_a_batch_that_fails_part_way_leaves_the_index_as_it_was(engine):
    store(engine, message("m-1", "hello"))

    with pytest.raises(RuntimeError), engine.batch():
        engine.index([message("m-2", "second", minute=1)])
        engine.update_conversation("conv-1", version=2, status="resolved")
        raise RuntimeError("the consumer died half way")
    engine.refresh()

    assert found_ids(engine) == ["m-1"]
    assert found_ids(engine, status="open") == ["m-1"]


def test_a_write_after_a_failed_batch_is_committed_on_its_own(engine):
    with pytest.raises(RuntimeError), engine.batch():
        engine.index([message("m-1", "lost")])
        raise RuntimeError("failed")

    engine.index([message("m-2", "kept", minute=1)])
    engine.refresh()

    assert found_ids(engine) == ["m-2"]
