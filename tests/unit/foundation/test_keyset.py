"""Cursors are opaque, round-trip, and a forged one is refused."""

import pytest

from shared.storage.keyset import BadCursor, decode_cursor, encode_cursor


def test_a_cursor_round_trips():
    assert decode_cursor(encode_cursor([4, 1, "2026-11-23T10:00:00+00:00", "abc"]), 4) == [
        4, 1, "2026-11-23T10:00:00+00:00", "abc"]


@pytest.mark.parametrize("forged", ["not base64 at all!!", "e30", encode_cursor([1, 2])])
def test_a_cursor_we_did_not_make_is_refused(forged):
    with pytest.raises(BadCursor):
        decode_cursor(forged, 4)
