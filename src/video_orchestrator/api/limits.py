"""Per-key rate limiting and a small response cache, on Redis when configured and in the
process otherwise. Fixed one-minute windows: simple, and exact enough for abuse control."""

from __future__ import annotations

import threading
import time
from typing import Protocol

import redis

from video_orchestrator.errors import RateLimitedError


class CounterStore(Protocol):
    def hit(self, key: str, window: int) -> int:
        """Add one to ``key`` for the current window; the count so far."""

    def get(self, key: str) -> bytes | None: ...

    def set(self, key: str, value: bytes, ttl: int) -> None: ...


class MemoryStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[float, int]] = {}
        self._values: dict[str, tuple[float, bytes]] = {}

    def hit(self, key: str, window: int) -> int:
        now = time.monotonic()
        with self._lock:
            expires, count = self._counts.get(key, (0.0, 0))
            if now >= expires:
                expires, count = now + window, 0
            count += 1
            self._counts[key] = (expires, count)
            if len(self._counts) > 10_000:
                self._counts = {k: v for k, v in self._counts.items() if v[0] > now}
            return count

    def get(self, key: str) -> bytes | None:
        with self._lock:
            entry = self._values.get(key)
            if entry is None or entry[0] < time.monotonic():
                return None
            return entry[1]

    def set(self, key: str, value: bytes, ttl: int) -> None:
        with self._lock:
            if len(self._values) > 1000:
                self._values.clear()
            self._values[key] = (time.monotonic() + ttl, value)


class RedisStore:
    def __init__(self, url: str) -> None:
        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def hit(self, key: str, window: int) -> int:
        bucket = f"vo:rate:{key}:{int(time.time() // window)}"
        pipe = self.client.pipeline()
        pipe.incr(bucket)
        pipe.expire(bucket, window + 1)
        count, _ = pipe.execute()
        return int(count)

    def get(self, key: str) -> bytes | None:
        value = self.client.get(f"vo:cache:{key}")
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes, ttl: int) -> None:
        self.client.set(f"vo:cache:{key}", value, ex=ttl)


class RateLimiter:
    def __init__(self, store: CounterStore, per_minute: int) -> None:
        self.store = store
        self.per_minute = per_minute

    def check(self, client: str) -> None:
        count = self.store.hit(client, 60)
        if count > self.per_minute:
            retry = 60 - (time.time() % 60)
            raise RateLimitedError(
                f"more than {self.per_minute} requests a minute from this client: slow down",
                retry_after=retry,
            )
