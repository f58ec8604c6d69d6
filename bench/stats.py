"""Small statistics shared by every benchmark section."""

from __future__ import annotations

import statistics


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    """p50/p95/p99 (and the count) of latencies in milliseconds; empty samples give zeros."""
    if not samples_ms:
        return {"count": 0, "p50": 0.0, "p95": 0.0, "p99": 0.0}
    if len(samples_ms) == 1:
        value = round(samples_ms[0], 2)
        return {"count": 1, "p50": value, "p95": value, "p99": value}
    cuts = statistics.quantiles(samples_ms, n=100, method="inclusive")
    return {"count": len(samples_ms), "p50": round(cuts[49], 2), "p95": round(cuts[94], 2),
            "p99": round(cuts[98], 2)}
