"""/analytics/hook-weights on SQLite and PostgreSQL (ADR 0044): the proposal from posted hooks
with stored metrics, apply (then the project's hooks are scored with the learned weights),
history, reset; refusals are problem+json. Unlinking an experiment's video."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import problem_of
from tests.hook_posts import plant_posts

SHIPPED = {"timing": 25, "curiosity": 20, "specificity": 20, "numbers": 15, "you": 10, "length": 10}


def _plant(client: TestClient, posts: int) -> None:
    plant_posts(client.app.state.services.ctx.db, posts=posts)  # type: ignore[attr-defined]


def test_propose_apply_history_reset(client: TestClient) -> None:
    shown = client.get("/analytics/hook-weights")
    assert shown.status_code == 200, shown.text
    assert shown.json()["source"] == "shipped" and shown.json()["weights"] == SHIPPED
    _plant(client, 32)

    proposal = client.get("/analytics/hook-weights/proposal").json()
    assert proposal["possible"] is True and proposal["evidence"]["used"] == 32
    assert [c["component"] for c in proposal["changes"] if c["credible"]] == ["numbers"]
    assert proposal["proposed"]["numbers"] > SHIPPED["numbers"]
    assert client.get("/analytics/hook-weights").json()["source"] == "shipped"  # unchanged

    stale = dict(proposal["proposed"], numbers=proposal["proposed"]["numbers"] + 2)
    refused = client.post("/analytics/hook-weights/apply", json={"expected": stale})
    assert refused.status_code == 409
    assert "evidence changed" in problem_of(refused)["detail"]

    applied = client.post("/analytics/hook-weights/apply", json={"expected": proposal["proposed"]})
    assert applied.status_code == 200, applied.text
    change = applied.json()
    assert change["action"] == "apply" and change["to_weights"] == proposal["proposed"]
    assert change["applied_by"].startswith("api (")
    assert change["evidence"]["posts"] == 32

    project = client.post("/projects", json={"topic": "how octopuses dream"}).json()
    hooks = client.post(f"/projects/{project['id']}/hooks", json={"count": 3}).json()
    parts = {p["name"]: p["max_points"] for p in hooks["hooks"][0]["components"]}
    assert parts == proposal["proposed"]  # the hooks are scored with the learned weights

    history = client.get("/analytics/hook-weights/history").json()
    assert [c["id"] for c in history] == [change["id"]]

    reset = client.post("/analytics/hook-weights/reset")
    assert reset.status_code == 200 and reset.json()["to_weights"] == SHIPPED
    again = client.post("/analytics/hook-weights/reset")
    assert again.status_code == 409 and "already the shipped" in problem_of(again)["detail"]
    assert [c["action"] for c in client.get("/analytics/hook-weights/history").json()] == [
        "reset",
        "apply",
    ]


def test_too_few_posts_is_a_reason_not_a_proposal(client: TestClient) -> None:
    _plant(client, 10)
    proposal = client.get("/analytics/hook-weights/proposal").json()
    assert proposal["possible"] is False
    assert "at least 20 posted hooks" in proposal["reason"]
    refused = client.post("/analytics/hook-weights/apply")
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "nothing to apply" in problem_of(refused)["detail"]


def test_unlinking_a_video_that_is_not_linked_is_a_404(client: TestClient) -> None:
    project = client.post("/projects", json={"topic": "why the deep ocean glows"}).json()
    experiment = client.post(
        "/experiments",
        json={"project_id": project["id"], "factors": {"caption_style": ["karaoke", "pop"]}},
    ).json()
    gone = client.delete(f"/experiments/{experiment['id']}/links/tiktok/nothing-here")
    assert gone.status_code == 404
    assert "not linked" in problem_of(gone)["detail"]
