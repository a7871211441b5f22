"""Per-key rate limiting, failed-key throttling and a small response cache, on Redis when
configured and in the process otherwise. Fixed one-minute windows: simple, and exact enough
for abuse control. When Redis cannot be reached the counters fall back to the process (with
a logged warning) rather than failing every request."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

import redis

from video_orchestrator.errors import RateLimitedError

logger = logging.getLogger(__name__)


class CounterStore(Protocol):
    def hit(self, key: str, window: int) -> int:
        """Add one to ``key`` for the current window; the count so far."""

    def peek(self, key: str, window: int) -> int:
        """The count of ``key`` in the current window, without adding to it."""

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

    def peek(self, key: str, window: int) -> int:
        with self._lock:
            expires, count = self._counts.get(key, (0.0, 0))
            return count if time.monotonic() < expires else 0

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

    def peek(self, key: str, window: int) -> int:
        value = self.client.get(f"vo:rate:{key}:{int(time.time() // window)}")
        return int(value) if isinstance(value, bytes | str) else 0

    def get(self, key: str) -> bytes | None:
        value = self.client.get(f"vo:cache:{key}")
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes, ttl: int) -> None:
        self.client.set(f"vo:cache:{key}", value, ex=ttl)

    def ping(self) -> None:
        self.client.ping()


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


class FallbackStore:
    """Redis while it answers; the process's own counters while it does not, so an outage
    loosens the limits to one process's view instead of failing every request."""

    WARN_EVERY = 60.0  # seconds between two warnings of the same outage

    def __init__(self, primary: CounterStore, fallback: CounterStore | None = None) -> None:
        self.primary = primary
        self.fallback = fallback or MemoryStore()
        self._warned = 0.0
        self.degraded = False

    def health(self) -> str:
        """ "ok", or why Redis cannot be used (for readiness)."""
        if not isinstance(self.primary, RedisStore):
            return "ok"
        try:
            self.primary.ping()
        except redis.RedisError as exc:
            return f"Redis is unreachable ({exc}); rate limits are counted in each process"
        return "ok"

    def _failed(self, exc: Exception) -> None:
        self.degraded = True
        now = time.monotonic()
        if now - self._warned >= self.WARN_EVERY:
            self._warned = now
            logger.warning("rate-limit store unreachable (%s); counting in this process", exc)

    def hit(self, key: str, window: int) -> int:
        try:
            count = self.primary.hit(key, window)
        except redis.RedisError as exc:
            self._failed(exc)
            return self.fallback.hit(key, window)
        self.degraded = False
        return count

    def peek(self, key: str, window: int) -> int:
        try:
            return self.primary.peek(key, window)
        except redis.RedisError as exc:
            self._failed(exc)
            return self.fallback.peek(key, window)

    def get(self, key: str) -> bytes | None:
        try:
            return self.primary.get(key)
        except redis.RedisError as exc:
            self._failed(exc)
            return self.fallback.get(key)

    def set(self, key: str, value: bytes, ttl: int) -> None:
        try:
            self.primary.set(key, value, ttl)
        except redis.RedisError as exc:
            self._failed(exc)
            self.fallback.set(key, value, ttl)


class FailureThrottle:
    """Failed API-key checks per client address: past ``per_minute`` in a minute, the address
    is refused (429) until the minute ends, before its key is even looked at."""

    def __init__(self, store: CounterStore, per_minute: int) -> None:
        self.store = store
        self.per_minute = per_minute

    def refuse_if_over(self, address: str) -> None:
        if self.store.peek(f"authfail:{address}", 60) >= self.per_minute:
            raise RateLimitedError(
                f"more than {self.per_minute} wrong keys a minute from this address: wait a "
                "minute, then use a valid key",
                retry_after=60 - (time.time() % 60),
            )

    def count(self, address: str) -> None:
        self.store.hit(f"authfail:{address}", 60)


class ClientSlots:
    """Work of one kind in progress at once, per client (key or address) and in all, in this
    process: progress streams (each polls its job) and URL imports (each holds a thread while
    it downloads), so one client cannot take what every other client needs."""

    def __init__(self, what: str, *, per_client: int, total: int | None = None) -> None:
        self.what = what
        self.per_client = per_client
        self.total = total
        self._lock = threading.Lock()
        self._open: dict[str, int] = {}

    def take(self, client: str) -> None:
        with self._lock:
            if self._open.get(client, 0) >= self.per_client:
                raise RateLimitedError(
                    f"{self.per_client} {self.what} are already in progress for this client: "
                    "wait for one to end",
                    retry_after=5,
                )
            if self.total is not None and sum(self._open.values()) >= self.total:
                raise RateLimitedError(
                    f"the server is busy with {self.total} {self.what}: try again shortly",
                    retry_after=5,
                )
            self._open[client] = self._open.get(client, 0) + 1

    def give_back(self, client: str) -> None:
        with self._lock:
            left = self._open.get(client, 0) - 1
            if left > 0:
                self._open[client] = left
            else:
                self._open.pop(client, None)

    @contextmanager
    def held(self, client: str) -> Iterator[None]:
        self.take(client)
        try:
            yield
        finally:
            self.give_back(client)
