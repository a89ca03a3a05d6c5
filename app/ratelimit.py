"""Requests per minute, per API key (or client address): one token bucket each.

A bucket holds up to a minute's worth of requests, refills at per_minute/60 tokens a second, and each request takes
a token; a request that finds none is told how long until one has refilled (its Retry-After). A full bucket is the
same as no bucket, so full ones are dropped once there are many: memory follows the clients of the last minute,
not every client ever seen.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

PRUNE_AT = 10_000  # buckets kept before the full ones are dropped


@dataclass
class Bucket:
    size: float  # requests per minute: the most it holds
    tokens: float
    at: float  # when tokens was counted

    def level(self, now: float) -> float:
        return min(self.size, self.tokens + (now - self.at) * self.size / 60.0)


class RateLimiter:
    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.buckets: dict[str, Bucket] = {}
        self.lock = threading.Lock()  # routes may run in worker threads

    def take(self, who: str, per_minute: int) -> float:
        """One request of who, allowed per_minute requests a minute (0: no limit): 0.0 if it may go now (a token
        is taken), otherwise the seconds until it may (nothing is taken)."""
        if per_minute <= 0:
            return 0.0
        now = self.clock()
        with self.lock:
            old = self.buckets.get(who)
            tokens = old.level(now) if old is not None and old.size == per_minute else float(per_minute)
            if tokens < 1.0:
                self.buckets[who] = Bucket(per_minute, tokens, now)
                return (1.0 - tokens) * 60.0 / per_minute
            self.buckets[who] = Bucket(per_minute, tokens - 1.0, now)
            if len(self.buckets) > PRUNE_AT:
                self.buckets = {k: b for k, b in self.buckets.items() if b.level(now) < b.size}
            return 0.0
