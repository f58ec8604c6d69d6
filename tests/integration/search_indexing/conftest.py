"""Fixtures of the search indexing tests."""

from tests.unit.search_engines.conftest import closed_port_url  # noqa: F401  (a fixture)
