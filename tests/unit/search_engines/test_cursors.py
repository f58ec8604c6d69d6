"""Cursors carry a sort key to the next page and refuse anything else."""

from __future__ import annotations

import pytest

from services.search.engines.base import InvalidQuery
from services.search.engines.cursors import decode_cursor, encode_cursor


@pytest.mark.parametrize(
    ("sort_key", "shape"),
    [
        ([-1.2345678901234567e-06, 1741000000000000, "m-1"], ("score", "time", "id")),
        ([3, 1741000000000, "m/ü/😀"], ("score", "time", "id")),
        ([1741000000000000, "msg-2"], ("time", "id")),
    ],
)
def test_a_cursor_gives_back_exactly_the_sort_key_it_was_made_from(sort_key, shape):
    cursor = encode_cursor(sort_key)

    assert decode_cursor(cursor, shape) == sort_key
    assert all(ch.isalnum() or ch in "-_" for ch in cursor)


@pytest.mark.parametrize(
    "sort_key",
    [[1, 2], ["1", "m-1"], [True, "m-1"], [1.5, "m-1"], [1], [1, "m", "extra"]],
)
def test_a_sort_key_of_the_wrong_shape_is_refused(sort_key):
    with pytest.raises(InvalidQuery):
        decode_cursor(encode_cursor(sort_key), ("time", "id"))


@pytest.mark.parametrize("cursor", ["", "a", "!!!!", "e30", "bnVsbA", "W10"])
def test_text_that_is_not_a_cursor_is_refused(cursor):
    with pytest.raises(InvalidQuery):
        decode_cursor(cursor, ("time", "id"))
