"""/experiments on SQLite and PostgreSQL: create from a project → render (the variants queued
as one batch) → link the imported videos → analyse names the planted winner; bad input is
problem+json."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.analytics.test_experiment_runs import HEADER, POSTS, _posts
from tests.analytics_exports import csv_text, encoded
from tests.api.conftest import problem_of

CSV = {"content-type": "text/csv"}


def test_create_render_link_analyse(client: TestClient) -> None:
    project = client.post(
        "/projects", json={"topic": "why the deep ocean glows", "captions": {"style": "karaoke"}}
    )
    assert project.status_code == 201, project.text
    created = client.post(
        "/experiments",
        json={
            "project_id": project.json()["id"],
            "factors": {"caption_style": ["karaoke", "pop"]},
            "age": "72h",
        },
    )
    assert created.status_code == 201, created.text
    experiment = created.json()
    assert [v["label"] for v in experiment["items"]] == ["A", "B"]
    assert experiment["status"] == "planned" and experiment["design"]["strategy"] == "full"

    rendered = client.post(f"/experiments/{experiment['id']}/render")
    assert rendered.status_code == 200, rendered.text
    body = rendered.json()
    batch = client.get("/renders", params={"batch_id": body["batch_id"]}).json()["items"]
    assert sorted(job["id"] for job in batch) == sorted(v["job_id"] for v in body["items"])
    assert {job["status"] for job in batch} == {"queued"}  # workers=0: nothing renders here
    again = client.post(f"/experiments/{experiment['id']}/render")
    assert again.status_code == 409 and "already sent" in problem_of(again)["detail"]

    rows = _posts(seed=3, lift=0.20)
    upload = client.post(
        "/analytics/imports?filename=posts.csv",
        content=encoded(csv_text([HEADER, *rows])),
        headers=CSV,
    )
    assert upload.status_code == 201, upload.text
    for remote_id in dict.fromkeys(str(row[1]) for row in rows):
        linked = client.post(
            f"/experiments/{experiment['id']}/links",
            json={"variant": remote_id[0], "platform": "tiktok", "remote_id": remote_id},
        )
        assert linked.status_code == 200, linked.text
    shown = client.get(f"/experiments/{experiment['id']}").json()
    assert [len(v["videos"]) for v in shown["items"]] == [POSTS, POSTS]
    videos = client.get("/analytics/videos", params={"platform": "tiktok", "limit": 100}).json()
    by_id = {v["remote_id"]: v for v in videos["items"]}
    b_video = by_id[str(rows[-1][1])]  # the metrics store links the video to B's render too
    assert b_video["variant_id"] == f"{experiment['id']}:B"
    assert b_video["job_id"] == body["items"][1]["job_id"]

    analysed = client.post(f"/experiments/{experiment['id']}/analyse")
    assert analysed.status_code == 200, analysed.text
    result = analysed.json()
    assert result["winner"] == "B" and result["decision"] == "winner"
    assert result["verdict"].startswith("B is better than A with")
    listed = client.get("/experiments").json()
    assert [(e["id"], e["winner"]) for e in listed] == [(experiment["id"], "B")]


def test_bad_input_is_problem_json(client: TestClient) -> None:
    project_id = client.post("/projects", json={"topic": "glow"}).json()["id"]
    unknown = client.post(
        "/experiments", json={"project_id": project_id, "factors": {"colour": ["a", "b"]}}
    )
    assert unknown.status_code == 422 and "unknown factor" in problem_of(unknown)["detail"]
    bad_level = client.post(
        "/experiments",
        json={"project_id": project_id, "factors": {"voice_speed": [1.0, 9.0]}},
    )
    assert bad_level.status_code == 422 and "variant B" in problem_of(bad_level)["detail"]
    missing = client.get("/experiments/nope")
    assert missing.status_code == 404 and "no experiment" in problem_of(missing)["detail"]
    created = client.post(
        "/experiments",
        json={"project_id": project_id, "factors": {"caption_style": ["karaoke", "pop"]}},
    ).json()
    both = client.post(
        f"/experiments/{created['id']}/links",
        json={"variant": "A", "post_id": "p1", "platform": "tiktok", "remote_id": "x"},
    )
    assert both.status_code == 422 and "either a post" in problem_of(both)["detail"]
