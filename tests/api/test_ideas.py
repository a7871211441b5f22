"""Hooks, optimisation and stock search through the API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import ClientFactory, problem_of
from tests.stock_api import StockServer, default_entries, make_stock_files

SCRIPT = {
    "topic": "octopuses",
    "title": "Octopus facts that sound fake but are completely true every single time",
    "hook": "Octopuses are interesting animals.",
    "scenes": [
        {"narration": "An octopus has three hearts and blue blood.", "keywords": ["octopus"]},
        {"narration": "Each arm can taste what it touches.", "keywords": ["ocean"]},
    ],
    "hashtags": [f"tag{i}" for i in range(12)],
}


def make_project(client: TestClient, **fields: object) -> dict[str, object]:
    response = client.post("/projects", json={"topic": "octopuses", **fields})
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_hooks_for_a_project_are_scored_with_reasons(client: TestClient) -> None:
    project = make_project(client, script=SCRIPT)
    response = client.post(f"/projects/{project['id']}/hooks", json={"count": 6})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["source"] == "template"
    hooks = body["hooks"]
    assert len(hooks) == 6
    scores = [h["score"] for h in hooks]
    assert scores == sorted(scores, reverse=True)
    assert all(c["reason"] for h in hooks for c in h["components"])
    assert body["current"]["text"] == SCRIPT["hook"]
    assert problem_of(client.post("/projects/nope/hooks", json={}))["status"] == 404
    bad = client.post(f"/projects/{project['id']}/hooks", json={"count": 50})
    assert problem_of(bad)["status"] == 422


def test_optimise_suggests_and_applies_with_version_check(client: TestClient) -> None:
    captions = {"style": "clean", "size": 120, "colour": "#00FF00", "anchor": "top"}
    project = make_project(client, script=SCRIPT, captions=captions)
    report = client.post(f"/projects/{project['id']}/optimise", json={}).json()["report"]
    rules = {s["rule"] for s in report["suggestions"]}
    assert any("hashtag" in rule for rule in rules), rules
    assert (
        problem_of(client.post(f"/projects/{project['id']}/optimise", json={"apply": True}))[
            "status"
        ]
        == 422
    )
    applied = client.post(
        f"/projects/{project['id']}/optimise", json={"apply": True, "version": 1}
    ).json()
    saved = applied["project"]
    assert saved["version"] == 2
    assert len(saved["script"]["hashtags"]) < len(SCRIPT["hashtags"])
    # the caption style may change; the rest of the caption settings stay
    assert {key: saved["captions"][key] for key in ("size", "colour", "anchor")} == {
        "size": 120,
        "colour": "#00FF00",
        "anchor": "top",
    }
    stale = client.post(f"/projects/{project['id']}/optimise", json={"apply": True, "version": 1})
    assert problem_of(stale)["status"] == 409
    empty = make_project(client)
    assert problem_of(client.post(f"/projects/{empty['id']}/optimise", json={}))["status"] == 422


@pytest.fixture
def pexels(tmp_path: Path) -> Iterator[StockServer]:
    with StockServer(make_stock_files(tmp_path / "stock")) as server:
        server.entries = default_entries()
        yield server


def test_stock_search_is_empty_without_providers_and_lists_pexels_when_configured(
    make_client: ClientFactory, pexels: StockServer
) -> None:
    plain = make_client()
    assert plain.get("/stock/search", params={"q": "ocean"}).json() == {"items": [], "notices": []}
    client = make_client(
        stock_providers=["pexels"],
        pexels_api_keys=["pexels-secret-aaaa"],
        pexels_base_url=pexels.base_url,
    )
    found = client.get("/stock/search", params={"q": "ocean waves"}).json()
    assert found["items"], found
    assert {item["provider"] for item in found["items"]} == {"pexels"}
    assert all(item["attribution"] for item in found["items"])
    assert "pexels-secret-aaaa" not in str(found)
    both = client.get("/backgrounds/search", params={"q": "ocean"}).json()
    assert both["stock"] and both["local"] == []


def test_a_stock_result_imports_into_the_library_with_its_attribution(
    make_client: ClientFactory, pexels: StockServer
) -> None:
    settings = {
        "stock_providers": ["pexels"],
        "pexels_api_keys": ["pexels-secret-aaaa"],
        "pexels_base_url": pexels.base_url,
    }
    client = make_client(**settings)
    found = client.get("/stock/search", params={"q": "ocean waves"}).json()["items"]
    first = found[0]
    body = {"provider": "pexels", "id": first["id"], "query": "ocean waves"}
    imported = client.post("/assets/from-stock", json=body)
    assert imported.status_code == 201, imported.text
    asset = imported.json()
    assert asset["kind"] == "video" and asset["source"] == "stock"
    assert first["author"] in asset["attribution"]
    again = client.post("/assets/from-stock", json=body)
    assert again.status_code == 200 and again.json()["id"] == asset["id"]

    fresh = make_client(**settings)  # another process: found again through the query
    assert fresh.post("/assets/from-stock", json=body).json()["id"] == asset["id"]
    missing = fresh.post("/assets/from-stock", json={**body, "id": "999999"})
    assert problem_of(missing)["status"] == 404
    forged = fresh.post("/assets/from-stock", json={**body, "download_url": "http://127.0.0.1/"})
    assert problem_of(forged)["status"] == 422
