"""Reconnect backoff and the start-rate limiter: what keeps a restart from being a stampede."""

from __future__ import annotations

import asyncio
import random
import time
from collections import deque


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Capped exponential backoff with "equal jitter": between half and all of the step.

    Half the step is kept so a flapping number still backs off; the random half spreads
    the reconnects of many numbers dropped by the same network event.
    """
    step = min(cap, base * (2.0 ** max(0, attempt)))
    return step / 2 + (rng or random).uniform(0, step / 2)


class RateLimiter:
    """At most ``rate`` acquisitions per second, evenly spaced (no bursts).

    Evenly spaced rather than a bucket with burst capacity: at boot every session wants to
    start at once, and a burst of 20 simultaneous connects is exactly what hurts the engine.
    """

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._next = 0.0
        self._lock = asyncio.Lock()
        self.history: deque[float] = deque(maxlen=10_000)  # monotonic start times (for benches)

    async def acquire(self) -> None:
        async with self._lock:
            now = time.monotonic()
            wait = self._next - now
            if wait > 0:
                await asyncio.sleep(wait)
                now = time.monotonic()
            self._next = max(now, self._next) + self.interval
            self.history.append(now)


def max_rate_observed(times: list[float], window: float = 1.0) -> int:
    """The most events in any ``window`` seconds (sliding), for checking the limiter."""
    best, start = 0, 0
    ordered = sorted(times)
    for end, moment in enumerate(ordered):
        while moment - ordered[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best
