"""What the fake platform servers share: a server clock the test moves, bearer tokens that
expire on it, sliding-window rate limits, and fault injection at the socket.

A fake is a real HTTP server on 127.0.0.1 (``ThreadingHTTPServer`` in a thread, like
``tests/httpserver.py``). Each request is routed by method and path to a *route name* before
its body is read, so a fault can strike where the real network does:

``drop_body``
    read part of the body, then close the connection (nothing is processed; an upload host
    that keeps partial bytes is told how many arrived: :meth:`PlatformServer.partial`);
``lose_answer``
    process the request completely, then close the connection without answering (the
    client cannot know the request took effect: a publish that "timed out");
``slow``
    process it, then answer after ``slow_seconds`` (a client timeout, for one test);
``status_500`` / ``status_503`` / ``status_429``
    answer that status with the platform's error body, processing nothing;
``expire_token``
    expire the bearer token of the request before it is processed.

Faults come from :attr:`PlatformServer.planned` (``(route, fault)`` pairs used once, in
order) or from :class:`Chaos` (seeded, random, at a rate) for the property tests.
"""

from __future__ import annotations

import contextlib
import json
import random
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from video_orchestrator.providers.sandbox.server import ServedInThread

FAULTS = ("drop_body", "lose_answer", "status_500", "status_503", "status_429", "expire_token")


class FakeClock:
    """Seconds since the epoch, moved by the test (``advance``) or by an adapter's ``sleep``."""

    def __init__(self, start: float = 1_767_225_600.0) -> None:  # 2026-01-01T00:00:00Z
        self.now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += max(0.0, seconds)


class WallClock(FakeClock):
    """The real time, for the sandbox (``VO_PLATFORMS_SANDBOX=1``): nothing moves it."""

    def __call__(self) -> float:
        return time.time()

    def advance(self, seconds: float) -> None:
        pass


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes = b""

    def json(self) -> dict[str, Any]:
        try:
            value = json.loads(self.body or b"{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def form(self) -> dict[str, str]:
        """URL-encoded form fields, and the query's (Graph API calls accept both)."""
        fields = dict(self.query)
        if self.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            fields.update(parse_qsl(self.body.decode(errors="replace")))
        return fields

    def bearer(self, scheme: str = "Bearer") -> str:
        value = self.headers.get("authorization", "")
        return value[len(scheme) + 1 :] if value.startswith(scheme + " ") else ""


@dataclass
class Answer:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Chaos:
    """Random faults: each request of a route in ``routes`` meets one of ``faults`` with
    probability ``rate``, drawn from a seeded generator."""

    rng: random.Random
    rate: float
    routes: dict[str, tuple[str, ...]]

    def pick(self, route: str) -> str | None:
        faults = self.routes.get(route)
        if not faults or self.rng.random() >= self.rate:
            return None
        return self.rng.choice(faults)


class RateLimits:
    """Sliding windows per (who, route) on the server clock."""

    def __init__(self, clock: FakeClock, per_minute: dict[str, int]) -> None:
        self.clock = clock
        self.per_minute = per_minute
        self.seen: dict[tuple[str, str], list[float]] = {}

    def allow(self, who: str, route: str) -> bool:
        limit = self.per_minute.get(route)
        if limit is None:
            return True
        now = self.clock()
        window = [t for t in self.seen.get((who, route), []) if t > now - 60]
        if len(window) >= limit:
            self.seen[(who, route)] = window
            return False
        self.seen[(who, route)] = [*window, now]
        return True


class Tokens:
    """Access tokens and refresh tokens with lifetimes on the server clock."""

    def __init__(self, clock: FakeClock, prefix: str) -> None:
        self.clock = clock
        self.prefix = prefix
        self.access: dict[str, tuple[str, float]] = {}
        self.refresh: dict[str, tuple[str, float]] = {}
        self.used: set[str] = set()
        self.count = 0

    def issue(self, who: str, ttl: float, refresh_ttl: float | None = None) -> tuple[str, str]:
        self.count += 1
        access = f"{self.prefix}-at-{self.count}-{random.randrange(10**9)}"
        self.access[access] = (who, self.clock() + ttl)
        refresh = ""
        if refresh_ttl is not None:
            refresh = f"{self.prefix}-rt-{self.count}-{random.randrange(10**9)}"
            self.refresh[refresh] = (who, self.clock() + refresh_ttl)
        return access, refresh

    def who(self, token: str) -> str | None:
        """The account of a live access token (None when unknown or expired)."""
        found = self.access.get(token)
        if found and found[1] > self.clock():
            self.used.add(token)
            return found[0]
        return None

    def expire(self, token: str, *, now: bool = False) -> None:
        """Expire a token that has served before (a token just issued does not expire at
        its first use: its lifetime is hours), or any token ``now``."""
        if token in self.access and (now or token in self.used):
            self.access[token] = (self.access[token][0], self.clock() - 1)

    def use_refresh(self, token: str, *, rotate: bool = True) -> str | None:
        found = self.refresh.get(token)
        if not found or found[1] <= self.clock():
            return None
        if rotate:
            del self.refresh[token]
        return found[0]


class PlatformServer(ServedInThread):
    """Base of the fakes: subclasses define :meth:`route` (a name for a method and path),
    :meth:`handle` (the answer), :meth:`error` (the platform's error body for a status) and
    may override :meth:`partial` (bytes that arrived before a dropped connection)."""

    slow_seconds = 2.0

    def __init__(self, clock: FakeClock | None = None) -> None:
        self.clock = clock or FakeClock()
        self.lock = threading.RLock()
        self.planned: list[tuple[str, str]] = []
        self.chaos: Chaos | None = None
        self.log: list[tuple[str, str, str]] = []  # (route, fault or "", status or "dropped")
        self.stop = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # no 40 ms stall between headers and body

            def _handle(self) -> None:
                with server.persisted():
                    self._answer_request()

            def _answer_request(self) -> None:
                split = urlsplit(self.path)
                request = Request(
                    method=self.command,
                    path=split.path,
                    query=dict(parse_qsl(split.query, keep_blank_values=True)),
                    headers={k.lower(): v for k, v in self.headers.items()},
                )
                length = int(self.headers.get("Content-Length", "0") or 0)
                route = server.route(request)
                fault = server.fault_for(route)
                if fault == "drop_body" and length > 1:
                    part = self.rfile.read(length // 2)
                    request.body = part
                    with server.lock:
                        server.partial(route, request)
                        server.log.append((route, fault, "dropped"))
                    self._drop()
                    return
                request.body = self.rfile.read(length) if length else b""
                if fault in ("status_500", "status_503", "status_429"):
                    status = int(fault.rsplit("_", 1)[1])
                    answer = server.error(route, status)
                else:
                    with server.lock:
                        if fault == "expire_token":
                            server.expire(request)
                        answer = server.handle(route, request)
                with server.lock:
                    server.log.append((route, fault or "", str(answer.status)))
                if fault == "lose_answer":
                    self._drop()
                    return
                if fault == "slow" and server.stop and server.stop.wait(server.slow_seconds):
                    return
                self._answer(answer)

            def _answer(self, answer: Answer) -> None:
                body = answer.body
                if isinstance(body, bytes):
                    payload, kind = body, "application/octet-stream"
                elif isinstance(body, str):
                    payload, kind = body.encode(), "text/plain"
                else:
                    payload, kind = json.dumps(body).encode(), "application/json; charset=UTF-8"
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(payload)))
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                    self.wfile.flush()
                except OSError:
                    self.close_connection = True

            def _drop(self) -> None:
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.serve(Handler)
        self.httpd.__class__ = _QuietServer

    # -- faults -------------------------------------------------------------------------------

    def fault_for(self, route: str) -> str | None:
        with self.lock:
            for index, (name, fault) in enumerate(self.planned):
                if name == route:
                    del self.planned[index]
                    return fault
            return self.chaos.pick(route) if self.chaos else None

    def plan(self, route: str, *faults: str) -> None:
        with self.lock:
            self.planned.extend((route, fault) for fault in faults)

    def faults_met(self, kinds: Iterable[str] = FAULTS) -> dict[str, int]:
        wanted = set(kinds)
        counts: dict[str, int] = {}
        for _, fault, _ in self.log:
            if fault in wanted:
                counts[fault] = counts.get(fault, 0) + 1
        return counts

    # -- to be defined by a platform ----------------------------------------------------------

    def route(self, request: Request) -> str:
        raise NotImplementedError

    def handle(self, route: str, request: Request) -> Answer:
        raise NotImplementedError

    def error(self, route: str, status: int) -> Answer:
        return Answer(status, {"error": {"message": f"HTTP {status}"}})

    def expire(self, request: Request) -> None:
        """Expire the token the request carries (``expire_token``)."""

    def partial(self, route: str, request: Request) -> None:
        """Bytes of an upload arrived before the connection dropped (default: discarded)."""


class _QuietServer(ThreadingHTTPServer):
    """Connections the client drops mid-request are not printed as errors."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass
