"""Deleting a project deletes its renders: job records, output records and stored files, so
nothing of a deleted project stays downloadable (issue 11); never half-way through a render."""

from __future__ import annotations

import pytest

from tests.api.conftest import ClientFactory, problem_of
from tests.api.test_renders import project, wait

pytestmark = pytest.mark.render


def test_a_deleted_project_leaves_no_render_to_download(make_client: ClientFactory) -> None:
    client = make_client(workers=1)
    made = project(client)
    (job,) = client.post("/renders", json={"project_id": made["id"]}).json()
    wait(client, job["id"], {"succeeded"})
    assert client.get(f"/renders/{job['id']}/outputs/video").status_code == 200
    files = client.app.state.services.ctx.settings.data_dir / "files"  # type: ignore[attr-defined]
    stored = [p for p in (files / "outputs" / job["id"]).rglob("*") if p.is_file()]
    assert stored

    assert client.delete(f"/projects/{made['id']}").status_code == 204
    assert problem_of(client.get(f"/renders/{job['id']}"))["status"] == 404
    assert problem_of(client.get(f"/renders/{job['id']}/outputs/video"))["status"] == 404
    assert all(not p.exists() for p in stored)
    assert job["id"] not in {j["id"] for j in client.get("/renders").json()["items"]}


def test_a_project_with_an_active_render_is_not_deleted(make_client: ClientFactory) -> None:
    client = make_client(workers=0)  # the render stays queued
    made = project(client)
    (job,) = client.post("/renders", json={"project_id": made["id"]}).json()
    refused = problem_of(client.delete(f"/projects/{made['id']}"))
    assert refused["status"] == 409
    assert "cancel" in str(refused["detail"])
    assert client.get(f"/projects/{made['id']}").status_code == 200
    assert client.post(f"/renders/{job['id']}/cancel").status_code == 200
    assert client.delete(f"/projects/{made['id']}").status_code == 204
    assert problem_of(client.get(f"/renders/{job['id']}"))["status"] == 404
