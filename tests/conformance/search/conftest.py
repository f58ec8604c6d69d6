"""Runs the search behaviour suite on every engine this machine can reach."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.search.engines.base import SearchEngine
from services.search.engines.elastic import ElasticsearchEngine
from services.search.engines.embedded import EmbeddedSearchEngine
from services.search.engines.tantivy_engine import TantivySearchEngine

ELASTICSEARCH_URL = os.environ.get("SWITCHBOARD_TEST_ELASTICSEARCH_URL", "")
# Elasticsearch joins the suite only where a test cluster is configured.
ENGINE_NAMES = ["tantivy", "sqlite"] + (["elasticsearch"] if ELASTICSEARCH_URL else [])


def _open_engine(name: str, tmp_path: Path) -> SearchEngine:
    if name == "elasticsearch":
        return ElasticsearchEngine(ELASTICSEARCH_URL, prefix=f"sbtest-{uuid.uuid4().hex[:16]}")
    # A folder that does not exist yet: the engine creates it.
    if name == "tantivy":
        return TantivySearchEngine(str(tmp_path / "search" / "index"))
    return EmbeddedSearchEngine(str(tmp_path / "search" / "messages.db"))


@pytest.fixture(params=ENGINE_NAMES)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchEngine]:
    """A fresh, empty engine of each kind, dropped after the test."""
    search_engine = _open_engine(request.param, tmp_path)
    search_engine.reset()
    yield search_engine
    search_engine.reset()
    search_engine.close()
