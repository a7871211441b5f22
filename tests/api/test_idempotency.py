"""Idempotent submits (ADR 0018): a client retrying POST /renders or /renders/batch with the
same Idempotency-Key gets the jobs of its first request, never new ones; on SQLite and
PostgreSQL. No worker runs: the jobs stay queued."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import update

from tests.api.conftest import FAKE_VOICE, ClientFactory, problem_of
from video_orchestrator.services.workspace import Workspace
from video_orchestrator.store.tables import IdempotentRequest, utcnow


def project(client: TestClient, **fields: Any) -> str:
    body = {"topic": "tide pools", "voice": {"voice": FAKE_VOICE}, **fields}
    response = client.post("/projects", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def job_count(client: TestClient) -> int:
    return int(client.get("/renders").json()["total"])


def ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 202, response.text
    return [job["id"] for job in response.json()]


def test_the_same_key_and_body_returns_the_same_jobs(client: TestClient) -> None:
    pid = project(client, platforms=["tiktok", "youtube-shorts"])
    key = {"Idempotency-Key": "a1b2c3"}
    first = ids(client.post("/renders", json={"project_id": pid}, headers=key))
    assert len(first) == 2
    for _ in range(3):
        assert ids(client.post("/renders", json={"project_id": pid}, headers=key)) == first
    assert job_count(client) == 2

    # without a key every submit is a new render (the control)
    ids(client.post("/renders", json={"project_id": pid}))
    assert job_count(client) == 4


def test_the_same_key_with_another_body_is_a_conflict_and_creates_nothing(
    client: TestClient,
) -> None:
    pid = project(client)
    other = project(client)
    key = {"Idempotency-Key": "render-once"}
    ids(client.post("/renders", json={"project_id": pid}, headers=key))
    for body in (
        {"project_id": other},
        {"project_id": pid, "platforms": ["youtube-shorts"]},
    ):
        refused = client.post("/renders", json=body, headers=key)
        problem = problem_of(refused)
        assert problem["status"] == 409
        assert "Idempotency-Key" in str(problem["detail"])
    batch = client.post("/renders/batch", json=[{"topic": "bees"}], headers=key)
    assert problem_of(batch)["status"] == 409
    assert job_count(client) == 1


def test_keys_belong_to_the_client_that_sent_them(make_client: ClientFactory) -> None:
    client = make_client(require_api_key=True)
    services = client.app.state.services  # type: ignore[attr-defined]
    assert isinstance(services, Workspace)
    alice = {"Authorization": f"Bearer {services.apikeys.create('alice').key}"}
    bob = {"Authorization": f"Bearer {services.apikeys.create('bob').key}"}
    pid = project_as(client, alice)
    key = {"Idempotency-Key": "same-key"}
    from_alice = ids(client.post("/renders", json={"project_id": pid}, headers={**alice, **key}))
    from_bob = ids(client.post("/renders", json={"project_id": pid}, headers={**bob, **key}))
    assert from_alice != from_bob  # bob's key is his own, not a replay of alice's request
    again = ids(client.post("/renders", json={"project_id": pid}, headers={**alice, **key}))
    assert again == from_alice
    assert client.get("/renders", headers=alice).json()["total"] == 2


def project_as(client: TestClient, headers: dict[str, str]) -> str:
    response = client.post(
        "/projects", json={"topic": "bees", "voice": {"voice": FAKE_VOICE}}, headers=headers
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_a_batch_sent_again_with_its_key_creates_no_projects_and_no_jobs(
    client: TestClient,
) -> None:
    key = {"Idempotency-Key": "batch-2026-12-04"}
    items = [{"topic": "bees"}, {"topic": "owls", "platform": "youtube-shorts"}]
    first = client.post("/renders/batch", json=items, headers=key)
    assert first.status_code == 202, first.text
    csv = "topic,platform\nbees,tiktok\nowls,youtube-shorts\n"
    again = client.post(
        "/renders/batch", content=csv, headers={**key, "content-type": "text/csv"}
    )  # the same items, written as CSV: the same request
    assert again.status_code == 202, again.text
    assert again.json()["batch_id"] == first.json()["batch_id"]
    assert [j["id"] for j in again.json()["jobs"]] == [j["id"] for j in first.json()["jobs"]]
    assert client.get("/projects").json()["total"] == 2
    assert job_count(client) == 2

    changed = client.post("/renders/batch", json=items[:1], headers=key)
    assert problem_of(changed)["status"] == 409
    assert client.get("/projects").json()["total"] == 2


def test_a_key_is_forgotten_after_a_day(client: TestClient) -> None:
    pid = project(client)
    key = {"Idempotency-Key": "yesterday"}
    first = ids(client.post("/renders", json={"project_id": pid}, headers=key))
    services = client.app.state.services  # type: ignore[attr-defined]
    assert isinstance(services, Workspace)
    with services.ctx.db.session() as session:
        session.execute(update(IdempotentRequest).values(created_at=utcnow() - timedelta(hours=23)))
    assert ids(client.post("/renders", json={"project_id": pid}, headers=key)) == first
    with services.ctx.db.session() as session:
        session.execute(update(IdempotentRequest).values(created_at=utcnow() - timedelta(hours=25)))
    later = ids(client.post("/renders", json={"project_id": pid}, headers=key))
    assert later != first and job_count(client) == 2
    assert ids(client.post("/renders", json={"project_id": pid}, headers=key)) == later


def test_an_unusable_key_is_refused_before_anything_is_made(client: TestClient) -> None:
    pid = project(client)
    for bad in ("has space", "x" * 256, ""):
        refused = client.post(
            "/renders", json={"project_id": pid}, headers={"Idempotency-Key": bad}
        )
        assert problem_of(refused)["status"] == 422, bad
    assert job_count(client) == 0


def test_concurrent_retries_with_one_key_make_one_set_of_jobs(
    make_live_server: Callable[..., str],
) -> None:
    """Eight copies of one request at once, over real HTTP: one transaction wins the key,
    the others answer with its jobs."""
    base = make_live_server()
    with httpx.Client(base_url=base, timeout=30) as http:
        response = http.post("/projects", json={"topic": "bees", "voice": {"voice": FAKE_VOICE}})
        pid = response.json()["id"]
    barrier = threading.Barrier(8)
    answers: list[httpx.Response] = []

    def send() -> None:
        with httpx.Client(base_url=base, timeout=60) as http:
            barrier.wait(timeout=30)
            answers.append(
                http.post("/renders", json={"project_id": pid}, headers={"Idempotency-Key": "race"})
            )

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(answers) == 8
    assert {tuple(ids(answer)) for answer in answers} == {tuple(ids(answers[0]))}
    with httpx.Client(base_url=base, timeout=30) as http:
        assert http.get("/renders").json()["total"] == 1
