"""The Redis behind the API's rate limits goes down and comes back (issue 11: every route was
a 500 while /health/ready said ready)."""

from __future__ import annotations

import logging
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.api.conftest import ClientFactory


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrivateRedis:
    """A redis-server of this test's own on a free port (the machine's shared one is never
    touched), which the test stops and starts."""

    def __init__(self, folder: Path) -> None:
        self.port = _free_port()
        self.folder = folder
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                redis.Redis.from_url(self.url, socket_timeout=1).ping()
                return
            except redis.RedisError:
                time.sleep(0.05)
        raise AssertionError("the private redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    try:
        subprocess.run(["redis-server", "--version"], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("redis-server is not installed")
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def test_rate_limits_survive_a_redis_outage(
    make_client: ClientFactory,
    private_redis: PrivateRedis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = make_client(redis_url=private_redis.url, rate_limit_per_minute=1000)
    assert client.get("/projects").status_code == 200
    assert client.get("/health/ready").json()["checks"]["redis"] == "ok"

    private_redis.stop()
    with caplog.at_level(logging.WARNING, logger="video_orchestrator.api.limits"):
        statuses = [client.get("/projects").status_code for _ in range(5)]
        made = client.post("/projects", json={"topic": "storms"})
    assert statuses == [200] * 5  # before: every route answered 500
    assert made.status_code == 201
    assert any("rate-limit store unreachable" in r.getMessage() for r in caplog.records)
    ready = client.get("/health/ready")
    assert ready.status_code == 503  # before: "ready" while every route failed
    assert "Redis is unreachable" in ready.json()["checks"]["redis"]

    private_redis.start()
    back = client.get("/health/ready").json()["checks"]["redis"]
    assert back == "ok"
    assert client.get("/projects").status_code == 200


def test_limits_still_hold_while_redis_is_down(
    make_client: ClientFactory, private_redis: PrivateRedis
) -> None:
    client = make_client(redis_url=private_redis.url, rate_limit_per_minute=5)
    private_redis.stop()
    statuses = [client.get("/projects").status_code for _ in range(7)]
    assert statuses == [200] * 5 + [429, 429]  # counted by this process meanwhile
