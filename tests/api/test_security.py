"""API keys, rate limits, security headers, provider secrets, health and readiness."""

from __future__ import annotations

import socket
import time
import uuid

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.api.conftest import ClientFactory, problem_of
from video_orchestrator.api.app import key_required
from video_orchestrator.config import Settings
from video_orchestrator.store.tables import ApiKey, ProviderSecret


def test_a_key_is_required_by_default_only_beyond_localhost(settings: Settings) -> None:
    assert key_required(settings.model_copy(update={"api_host": "127.0.0.1"})) is False
    assert key_required(settings.model_copy(update={"api_host": "0.0.0.0"})) is True
    assert key_required(settings.model_copy(update={"api_host": "192.168.1.20"})) is True
    forced = settings.model_copy(update={"api_host": "127.0.0.1", "require_api_key": True})
    assert key_required(forced) is True


def test_every_route_but_health_needs_a_valid_key(make_client: ClientFactory) -> None:
    client = make_client(require_api_key=True)
    services = client.app.state.services  # type: ignore[attr-defined]
    made = services.apikeys.create("ci")
    assert made.key.startswith("vo_")

    assert client.get("/health").status_code == 200
    missing = client.get("/projects")
    assert problem_of(missing)["status"] == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    assert (
        problem_of(client.get("/projects", headers={"Authorization": "Bearer nope"}))["status"]
        == 401
    )
    ok = client.get("/projects", headers={"Authorization": f"Bearer {made.key}"})
    assert ok.status_code == 200
    assert client.get("/projects", headers={"X-API-Key": made.key}).status_code == 200

    with services.ctx.db.session() as session:  # stored as a hash, never the key
        row = session.scalar(select(ApiKey))
        assert row is not None and made.key not in row.key_hash and len(row.key_hash) == 64

    services.apikeys.revoke(made.info.id)
    revoked = client.get("/projects", headers={"Authorization": f"Bearer {made.key}"})
    assert problem_of(revoked)["status"] == 401


def test_rate_limit_gives_429_with_retry_after(make_client: ClientFactory) -> None:
    client = make_client(rate_limit_per_minute=5)
    statuses = [client.get("/projects").status_code for _ in range(7)]
    assert statuses[:5] == [200] * 5
    assert statuses[5:] == [429, 429]
    limited = client.get("/projects")
    assert problem_of(limited)["status"] == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert client.get("/health").status_code == 200  # probes are never limited


def test_security_headers_and_problem_json_everywhere(client: TestClient) -> None:
    response = client.get("/projects")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    not_found = client.get("/no/such/route")
    assert problem_of(not_found)["status"] == 404
    wrong_method = client.put("/health")
    assert problem_of(wrong_method)["status"] == 405


def test_catalog_responses_are_cached(client: TestClient) -> None:
    first = client.get("/platforms")
    second = client.get("/platforms")
    assert first.headers["x-cache"] == "miss" and second.headers["x-cache"] == "hit"
    assert first.json() == second.json()
    names = {p["name"] for p in first.json()}
    assert {"tiktok", "youtube-shorts", "instagram-reels"} <= names


def test_provider_secrets_are_encrypted_and_never_returned(client: TestClient) -> None:
    secret = "sk-test-1234567890abcdef"
    put = client.put("/settings/providers/anthropic_api_key", json={"value": secret})
    assert put.status_code == 200, put.text
    assert put.json()["masked"] == "sk-…cdef"
    listed = client.get("/settings/providers")
    assert secret not in listed.text
    assert listed.json()["stored"][0]["name"] == "anthropic_api_key"
    services = client.app.state.services  # type: ignore[attr-defined]
    with services.ctx.db.session() as session:
        row = session.get(ProviderSecret, "anthropic_api_key")
        assert row is not None and secret not in row.ciphertext
    assert services.secrets.reveal("anthropic_api_key") == secret
    unknown = client.put("/settings/providers/root_password", json={"value": "x"})
    assert problem_of(unknown)["status"] == 404
    assert client.delete("/settings/providers/anthropic_api_key").status_code == 204
    assert problem_of(client.delete("/settings/providers/anthropic_api_key"))["status"] == 404


def test_readiness_reports_each_dependency(make_client: ClientFactory) -> None:
    idle = make_client(workers=0)
    not_ready = idle.get("/health/ready")
    assert not_ready.status_code == 503
    checks = not_ready.json()["checks"]
    assert checks["database"] == "ok" and checks["storage"] == "ok" and checks["ffmpeg"] == "ok"
    assert "no threads worker" in checks["executor"]
    working = make_client(workers=1)
    ready = working.get("/health/ready")
    assert ready.status_code == 200 and ready.json()["ready"] is True


def test_a_provider_key_saved_through_the_api_is_used_without_a_restart(
    client: TestClient,
) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]
    assert services.ctx.settings.pexels_api_keys == []
    client.put("/settings/providers/pexels_api_keys", json={"value": "key-one, key-two"})
    assert services.ctx.settings.pexels_api_keys == ["key-one", "key-two"]
    assert "key-one" not in repr(services.ctx.settings)
    client.delete("/settings/providers/pexels_api_keys")
    assert services.ctx.settings.pexels_api_keys == []


def test_the_environment_wins_over_a_stored_key(make_client: ClientFactory) -> None:
    client = make_client(anthropic_api_key="from-env")
    client.put("/settings/providers/anthropic_api_key", json={"value": "from-ui"})
    services = client.app.state.services  # type: ignore[attr-defined]
    assert services.ctx.settings.anthropic_api_key == "from-env"


def test_rate_limits_and_the_response_cache_live_in_redis_when_configured(
    make_client: ClientFactory,
) -> None:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    url = "redis://127.0.0.1:6379/12"
    redis.Redis.from_url(url).flushdb()
    if time.time() % 60 > 58:  # stay inside one fixed one-minute window
        time.sleep(61 - time.time() % 60)
    first = make_client(redis_url=url, rate_limit_per_minute=3)
    second = make_client(redis_url=url, rate_limit_per_minute=3)  # another API process
    assert first.get("/projects").status_code == 200
    assert second.get("/projects").status_code == 200
    assert first.get("/projects").status_code == 200
    assert problem_of(second.get("/projects"))["status"] == 429, "the count is shared"
    keys = redis.Redis.from_url(url).keys("vo:rate:*")
    assert keys, "the counter is in Redis"
    redis.Redis.from_url(url).flushdb()
    tag = uuid.uuid4().hex
    assert first.get("/platforms", params={"t": tag}).headers["x-cache"] == "miss"
    assert second.get("/platforms", params={"t": tag}).headers["x-cache"] == "hit"
    redis.Redis.from_url(url).flushdb()


def test_cors_allows_only_the_configured_origins(make_client: ClientFactory) -> None:
    closed = make_client()
    plain = closed.get("/projects", headers={"Origin": "https://studio.example"})
    assert "access-control-allow-origin" not in plain.headers
    client = make_client(cors_origins=["https://studio.example"])
    preflight = client.options(
        "/projects",
        headers={
            "Origin": "https://studio.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Authorization, Content-Type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://studio.example"
    allowed = client.get("/projects", headers={"Origin": "https://studio.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://studio.example"
    other = client.get("/projects", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
