"""SWITCHBOARD_SEARCH_URL picks the engine: http(s) for Elasticsearch, sqlite:// for FTS5, else tantivy."""

from __future__ import annotations

import pytest

from services.search.engines.elastic import ElasticsearchEngine
from services.search.engines.embedded import EmbeddedSearchEngine
from services.search.engines.factory import create_search_engine
from services.search.engines.tantivy_engine import TantivySearchEngine


@pytest.mark.parametrize("url", [None, "", "  ", "embedded", "embedded://"])
def test_no_url_or_the_word_embedded_opens_the_tantivy_index_at_the_default_folder(url, tmp_path):
    default = tmp_path / "default" / "search-index"

    engine = create_search_engine(url, embedded_path=str(default), sqlite_path=str(tmp_path / "s.db"))
    engine.close()

    assert isinstance(engine, TantivySearchEngine) and (default / "meta.json").exists()
    assert not (tmp_path / "s.db").exists()


def test_a_sqlite_url_without_a_path_opens_fts5_at_the_default_file(tmp_path):
    default = tmp_path / "default" / "search.db"

    engine = create_search_engine("sqlite://", embedded_path=str(tmp_path / "idx"), sqlite_path=str(default))
    engine.close()

    assert isinstance(engine, EmbeddedSearchEngine) and default.exists()
    assert not (tmp_path / "idx").exists()


def test_a_sqlite_url_without_a_path_or_a_default_file_is_refused(tmp_path):
    with pytest.raises(ValueError):
        create_search_engine("sqlite://", embedded_path=str(tmp_path / "idx"))


def test_an_embedded_url_names_an_absolute_index_folder(tmp_path):
    target = tmp_path / "abs" / "search-index"

    engine = create_search_engine(f"embedded://{target}", embedded_path=str(tmp_path / "unused"))
    engine.close()

    assert isinstance(engine, TantivySearchEngine)
    assert (target / "meta.json").exists() and not (tmp_path / "unused").exists()


def test_a_sqlite_url_follows_sqlalchemy_relative_and_absolute_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    create_search_engine("sqlite:///var/search.db", embedded_path="unused").close()
    create_search_engine(f"sqlite:///{tmp_path}/abs.db", embedded_path="unused").close()

    assert (tmp_path / "var" / "search.db").exists() and (tmp_path / "abs.db").exists()
    assert not (tmp_path / "unused").exists()


@pytest.mark.parametrize(
    ("url", "kind"),
    [("sqlite:///:memory:", EmbeddedSearchEngine), ("embedded:///:memory:", TantivySearchEngine)],
)
def test_an_in_memory_url_keeps_nothing_on_disk(url, kind, tmp_path):
    engine = create_search_engine(url, embedded_path=str(tmp_path / "x"), sqlite_path=str(tmp_path / "x.db"))
    engine.close()

    assert isinstance(engine, kind) and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("url", ["http://elasticsearch:9200", "https://user:pw@es.example:443/"])
def test_an_http_url_chooses_elasticsearch_without_connecting_yet(url, tmp_path):
    engine = create_search_engine(url, embedded_path=str(tmp_path / "x"))

    assert isinstance(engine, ElasticsearchEngine)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "url", ["ftp://x/y", "redis://localhost", "embedded://host/x", "sqlite://host/x.db", "nonsense"]
)
def test_an_unsupported_url_is_refused_at_start_up(url, tmp_path):
    with pytest.raises(ValueError):
        create_search_engine(url, embedded_path=str(tmp_path / "x"))
