"""The web chat's memory of sessions stays bounded and keeps the ones in use."""

from services.webchat.session_cache import SessionCache


def test_the_least_recently_used_session_is_dropped_beyond_the_size():
    cache = SessionCache(size=2)
    cache.put("a", "row a")
    cache.put("b", "row b")
    assert cache.get("a") == "row a"  # a is now the most recently used

    cache.put("c", "row c")

    assert (cache.get("a"), cache.get("b"), cache.get("c")) == ("row a", None, "row c")


def test_an_unknown_session_is_not_found():
    assert SessionCache().get("never-opened") is None
