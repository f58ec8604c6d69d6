"""Per-API-key and per-client-address request budgets, answered with 429 and Retry-After when spent.

Counts live in each gateway process (the `limits` library's memory storage): with N gateway
processes a client may get up to N times the budget, which bounds abuse without a shared store.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from shared.config import ConfigError
from shared.web.errors import ApiError


def parse_limit(name: str, value: str) -> RateLimitItem:
    try:
        return parse(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r} must look like 600/minute") from None


class RateLimits:
    def __init__(self, per_key: str, per_ip: str):
        self.per_key = parse_limit("SWITCHBOARD_RATE_LIMIT_PER_KEY", per_key)
        self.per_ip = parse_limit("SWITCHBOARD_RATE_LIMIT_PER_IP", per_ip)
        self._limiter = FixedWindowRateLimiter(MemoryStorage())

    def charge_key(self, key_id: str) -> None:
        self._charge(self.per_key, "key", key_id, "this API key")

    def charge_address(self, address: str) -> None:
        self._charge(self.per_ip, "ip", address, "this client address")

    def _charge(self, limit: RateLimitItem, kind: str, identity: str, who: str) -> None:
        if self._limiter.hit(limit, kind, identity):
            return
        reset_at, _ = self._limiter.get_window_stats(limit, kind, identity)
        retry_after = max(1, math.ceil(reset_at - time.time()))
        raise ApiError(429, f"Too many requests from {who}; retry in {retry_after} s",
                       details={"limit": str(limit), "retry_after_seconds": retry_after},
                       headers={"Retry-After": str(retry_after)})
