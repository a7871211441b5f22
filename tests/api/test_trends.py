"""The trends API on SQLite and PostgreSQL: sources (no duplicates), poll, the ranked list
with filters, a trend's evidence, a project from a trend, watchlists, alerts and channels;
errors as problem+json."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.api.conftest import problem_of
from tests.trend_servers import News, Post, Search, TrendServer, World, adapters_for
from video_orchestrator.api import create_app
from video_orchestrator.config import Settings
from video_orchestrator.jobs.executor import ThreadExecutor
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.worker import worker_runner
from video_orchestrator.services.workspace import Workspace

TREND_TABLES = (
    "alert_deliveries, alert_channels, trend_alerts, trend_watches, trend_projects, "
    "trend_evidence, trend_items, trend_polls, trends, trend_sources"
)


@pytest.fixture
def server() -> Iterator[TrendServer]:
    world = World(
        google={
            "RO": [
                Search(
                    "Eclipsa de luna",
                    "50K+",
                    [
                        News(
                            "Eclipsa totala de luna dureaza 82 de minute in noaptea de duminica",
                            "https://n.ro/eclipsa",
                            "Digi24",
                            "Luna devine rosie pentru 82 de minute, spun astronomii romani.",
                        )
                    ],
                )
            ]
        },
        reddit={("space", "hot"): [Post("p1", "Best telescope deals this week", 900)]},
    )
    with TrendServer(world) as running:
        yield running


@pytest.fixture
def api(settings: Settings, server: TrendServer) -> Iterator[TestClient]:
    config = settings.model_copy(update={"allow_private_urls": True})
    ctx = AppContext(config, trend_sources=adapters_for(server.base_url))
    ws = Workspace(ctx, executor=ThreadExecutor(config, ctx.db, worker_runner, workers=0))
    with TestClient(create_app(config, workspace=ws), raise_server_exceptions=False) as client:
        yield client
    if ctx.db.engine.dialect.name == "postgresql":
        with ctx.db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {TREND_TABLES} CASCADE"))


def test_sources_poll_list_detail_and_a_project_from_a_trend(
    api: TestClient, server: TrendServer
) -> None:
    first = api.post("/trends/sources", json={"kind": "google-trends", "config": {"geo": "ro"}})
    assert first.status_code == 201, first.text
    assert first.json()["region"] == "RO" and first.json()["label"] == "Google Trends RO"
    again = api.post("/trends/sources", json={"kind": "google-trends", "config": {"geo": "RO"}})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    api.post("/trends/sources", json={"kind": "reddit", "config": {"subreddit": "space"}})
    assert len(api.get("/trends/sources").json()) == 2

    watched = api.post("/watchlists", json={"keyword": "eclipsa", "threshold": 0})
    assert watched.status_code == 201
    assert api.post("/watchlists", json={"keyword": "Eclipsa"}).status_code == 200

    polled = api.post("/trends/poll", params={"all": "true"})
    assert polled.status_code == 200, polled.text
    assert sorted(o["status"] for o in polled.json()["outcomes"]) == ["ok", "ok"]
    assert len(polled.json()["alerts"]) == 1

    listed = api.get("/trends", params={"region": "RO"}).json()
    assert listed[0]["title"] == "Eclipsa de luna"  # the watched niche fits
    assert [t["title"] for t in api.get("/trends", params={"source": "reddit"}).json()] == [
        "Best telescope deals this week"
    ]
    assert api.get("/trends", params={"region": "US"}).json() == [listed[1]]  # everywhere
    assert [t["title"] for t in api.get("/trends", params={"niche": "eclipsa"}).json()] == [
        "Eclipsa de luna"
    ]
    trend = api.get(f"/trends/{listed[0]['id']}").json()
    assert trend["evidence"][0]["url"] == "https://n.ro/eclipsa"
    assert trend["evidence"][0]["publisher"] == "Digi24"

    made = api.post(f"/trends/{trend['id']}/projects", json={"platform": "tiktok"})
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["script_source"] == "source" and body["links"][0]["url"] == "https://n.ro/eclipsa"
    script = body["project"]["script"]
    spoken = " ".join([script["hook"], *(scene["narration"] for scene in script["scenes"])])
    assert "82 de minute" in spoken
    assert "https://n.ro/eclipsa" in body["project"]["script"]["description"]
    refreshed = api.post(
        f"/projects/{body['project']['id']}/trend-refresh",
        json={"version": body["project"]["version"]},
    )
    assert refreshed.status_code == 200 and refreshed.json()["project"]["version"] == 2

    alerts = api.get("/alerts").json()
    assert alerts["unread"] == 1 and alerts["items"][0]["title"] == "Eclipsa de luna"
    assert api.post("/alerts/read", json={"ids": None}).json() == {"marked": 1}
    assert api.get("/alerts", params={"unread": "true"}).json() == {"items": [], "unread": 0}


def test_trend_errors_are_problems(api: TestClient) -> None:
    unknown = api.post("/trends/sources", json={"kind": "tiktok", "config": {}})
    assert unknown.status_code == 422 and "unknown trend source" in problem_of(unknown)["detail"]
    bad = api.post("/trends/sources", json={"kind": "reddit", "config": {"subreddit": "../x"}})
    assert bad.status_code == 422 and "subreddit" in problem_of(bad)["detail"]
    missing = api.get("/trends/" + "0" * 32)
    assert missing.status_code == 404 and problem_of(missing)["type"].endswith("not-found")
    no_project = api.post(f"/trends/{'0' * 32}/projects", json={})
    assert no_project.status_code == 404
    not_from_trend = api.post(f"/projects/{'0' * 32}/trend-refresh", json={})
    assert not_from_trend.status_code == 404
    email = api.post("/alerts/channels/emails", json={"address": "not-an-address"})
    assert email.status_code == 422 and problem_of(email)
    blank = api.post("/watchlists", json={"keyword": "the"})  # a stop word only
    assert blank.status_code == 422 and "no word to watch" in problem_of(blank)["detail"]
    webhook = api.post("/alerts/channels/webhooks", json={"url": "http://127.0.0.1:9/hook"})
    assert webhook.status_code == 201 and webhook.json()["secret"].startswith("whsec_")
    assert "secret" not in api.get("/alerts/channels").json()[0]
    duplicate = api.post("/alerts/channels/webhooks", json={"url": "http://127.0.0.1:9/hook"})
    assert duplicate.status_code == 422 and problem_of(duplicate)
