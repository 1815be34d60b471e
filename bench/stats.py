"""Latency summaries."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), linear between closest ranks (numpy's default)."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(samples_ms: Sequence[float]) -> dict:
    """n, min, p50, p95, p99, max and mean of latencies in ms (rounded to 0.01 ms)."""
    if not samples_ms:
        return {"n": 0}
    return {
        "n": len(samples_ms),
        "min": round(min(samples_ms), 2),
        "p50": round(percentile(samples_ms, 50), 2),
        "p95": round(percentile(samples_ms, 95), 2),
        "p99": round(percentile(samples_ms, 99), 2),
        "max": round(max(samples_ms), 2),
        "mean": round(sum(samples_ms) / len(samples_ms), 2),
    }
