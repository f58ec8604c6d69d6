"""Failed bulk items say whether retrying later can help."""

from __future__ import annotations

import pytest

from services.search.engines.base import DocumentRejected, SearchUnavailable
from services.search.engines.elastic_connection import check_bulk_failures


def failed(status: int) -> dict:
    return {"update": {"_id": "m-1", "status": status, "error": {"type": "some_exception"}}}


def test_no_failed_items_is_success():
    assert check_bulk_failures([]) is None


@pytest.mark.parametrize("status", [429, 500, 503])
def test_an_overloaded_or_failing_cluster_is_worth_retrying(status):
    with pytest.raises(SearchUnavailable):
        check_bulk_failures([failed(400), failed(status)])


@pytest.mark.parametrize("status", [400, 409])
def test_a_refused_document_is_not_worth_retrying(status):
    with pytest.raises(DocumentRejected, match="some_exception"):
        check_bulk_failures([failed(status)])
