"""GET /projects/{id}/prediction and /analytics/predictions/model on SQLite and PostgreSQL
(ADR 0043): the planted effect through the API, the error beside every figure, the refusal
as 409 problem+json with the counts, and bad input as 422."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import problem_of
from tests.prediction_history import draft_fields, planted, store_history
from video_orchestrator.services.workspace import Workspace


def _db(client: TestClient) -> object:
    ws = client.app.state.services  # type: ignore[attr-defined]
    assert isinstance(ws, Workspace)
    return ws.ctx.db


def _draft(client: TestClient, style: str) -> str:
    response = client.post("/projects", json=draft_fields(style))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_prediction_with_its_error_and_the_model(client: TestClient) -> None:
    store_history(_db(client), planted(40, seed=11))  # type: ignore[arg-type]
    pop, clean = _draft(client, "pop"), _draft(client, "clean")
    params = {"platform": "tiktok", "at": "2026-12-08T18:00:00Z"}
    first = client.get(f"/projects/{pop}/prediction", params=params)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["platform"] == "tiktok" and body["at"].startswith("2026-12-08T18:00")
    assert body["history"]["used"] == 40
    views = body["views"]
    assert views["low"] < views["value"] < views["high"]
    assert 0 < views["error"]["median_ape"] < 2 and views["error"]["videos"] == 40
    other = client.get(f"/projects/{clean}/prediction", params=params).json()
    assert body["views"]["value"] / other["views"]["value"] > 1.1  # planted ×2, shrunk by ridge

    model = client.get("/analytics/predictions/model").json()
    assert model["ready"] is True and model["history"]["used"] == 40
    assert model["views_error"]["median_ape"] == views["error"]["median_ape"]


def test_refusal_and_bad_input_are_problems(client: TestClient) -> None:
    store_history(_db(client), planted(19, seed=12))  # type: ignore[arg-type]
    draft = _draft(client, "pop")
    refused = client.get(f"/projects/{draft}/prediction")
    assert refused.status_code == 409
    problem = problem_of(refused)
    assert problem["type"].endswith("/not-enough-history")  # type: ignore[union-attr]
    assert (problem["videos"], problem["needed"]) == (19, 20)
    assert "there are 19, so 1 more" in str(problem["detail"])
    assert client.get("/analytics/predictions/model").json()["ready"] is False

    bad_time = client.get(f"/projects/{draft}/prediction", params={"at": "next tuesday"})
    assert bad_time.status_code == 422 and "2026-12-08T18:00" in problem_of(bad_time)["detail"]
    bad_platform = client.get(f"/projects/{draft}/prediction", params={"platform": "myspace"})
    assert bad_platform.status_code == 422
    assert "unknown platform" in str(problem_of(bad_platform)["detail"])
    missing = client.get("/projects/nope/prediction")
    assert missing.status_code == 404
