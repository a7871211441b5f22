"""The Redis behind the API's rate limits goes down and comes back (issue 11: every route was
a 500 while /health/ready said ready)."""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import ClientFactory
from tests.faults.private_redis import PrivateRedis


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    try:
        subprocess.run(["redis-server", "--version"], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("redis-server is not installed")
    server = PrivateRedis(tmp_path)
    server.start()  # stopped and started again by the tests
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
