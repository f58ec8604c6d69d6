"""When to try a provider call again: exponential backoff, or the wait it asks for."""

import datetime
import email.utils

import tenacity


def get_retry_after_seconds(
    header: str | None, now: datetime.datetime | None = None
) -> float | None:
    """Read Retry-After as seconds (it may be a number or an HTTP date); None if unreadable."""
    value = (header or "").strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return max(0.0, (when - now).total_seconds())


def wait_for_retry(backoff_seconds: float, max_wait_seconds: float) -> tenacity.wait.wait_base:
    """Wait as the error's retry_after asks (capped), else back off exponentially (capped)."""
    exponential = tenacity.wait_exponential(multiplier=backoff_seconds, max=max_wait_seconds)
    return _WaitForRetry(exponential, max_wait_seconds)


class _WaitForRetry(tenacity.wait.wait_base):
    """A tenacity wait that prefers the provider's Retry-After over our own backoff."""

    def __init__(self, fallback: tenacity.wait.wait_base, cap: float) -> None:
        self._fallback = fallback
        self._cap = cap

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        error = retry_state.outcome.exception() if retry_state.outcome else None
        asked = getattr(error, "retry_after", None)
        if asked is not None:
            return min(asked, self._cap)
        return self._fallback(retry_state)
