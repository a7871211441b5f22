"""``/accounts``, ``/schedule`` and ``/posts`` on SQLite and PostgreSQL, against the fake
YouTube: connect through the web redirect, schedule a finished render with an idempotency
key, publish it, read the attempt log; the callback needs no API key, everything else does."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from importlib.metadata import entry_points
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import problem_of
from tests.media import make_video
from tests.platforms.publishing import youtube_adapter
from tests.platforms.youtube_server import FakeYouTube
from video_orchestrator.api import create_app
from video_orchestrator.config import Settings
from video_orchestrator.jobs.executor import ThreadExecutor
from video_orchestrator.providers.youtube.publisher import marker_tag
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.worker import worker_runner
from video_orchestrator.services.workspace import Workspace
from video_orchestrator.store.tables import Job, Output, Post

Factory = Callable[..., tuple[TestClient, Workspace]]


@pytest.fixture
def yt() -> Iterator[FakeYouTube]:
    with FakeYouTube() as server:
        server.now = datetime.now(UTC)
        yield server


@pytest.fixture
def make_api(settings: Settings, yt: FakeYouTube) -> Iterator[Factory]:
    made: list[TestClient] = []

    def factory(**overrides: object) -> tuple[TestClient, Workspace]:
        workers = int(overrides.pop("workers", 0))  # type: ignore[call-overload]
        config = settings.model_copy(update=overrides)
        adapter = youtube_adapter(yt)
        adapter._clock = lambda: datetime.now(UTC)  # the server's real clock
        ctx = AppContext(config, publishers={"youtube": adapter})
        ws = Workspace(ctx, executor=ThreadExecutor(config, ctx.db, worker_runner, workers=workers))
        client = TestClient(create_app(config, workspace=ws), raise_server_exceptions=False)
        client.__enter__()
        made.append(client)
        return client, ws

    yield factory
    for client in made:
        client.__exit__(None, None, None)


def connect(client: TestClient) -> dict[str, object]:
    start = client.post(
        "/accounts/connect", json={"platform": "youtube", "timezone": "Europe/Paris"}
    )
    assert start.status_code == 200, start.text
    consent = httpx.get(start.json()["authorization_url"])
    assert consent.status_code == 302
    back = httpx.URL(consent.headers["location"])
    assert back.path == "/accounts/callback"
    landed = client.get(f"{back.path}?{back.query.decode()}")
    assert landed.status_code == 200 and "Connected" in landed.text
    [account] = client.get("/accounts").json()
    return dict(account)


def finished_render(ws: Workspace, tmp_path: Path) -> str:
    """A succeeded render job with its video, thumbnail and metadata, as a worker leaves it."""
    files = ws.ctx.files
    clip = make_video(tmp_path / "clip.mp4", width=360, height=640, seconds=2.0)
    meta = tmp_path / "meta.json"
    meta.write_text(
        json.dumps(
            {
                "title": "The deep ocean",
                "description": "Dark and cold.",
                "hashtags": ["#ocean", "#facts"],
            }
        )
    )
    thumb = tmp_path / "thumb.jpg"
    thumb.write_bytes(b"\xff\xd8\xff" + bytes(300))
    job = Job(
        id="job0000000000000000000000000001",
        kind="make",
        status="succeeded",
        workload={"kind": "make", "project_id": "p", "platform": "youtube-shorts"},
    )
    with ws.ctx.db.session() as session:
        session.add(job)
        for kind, path, media in (
            ("video", clip, "video/mp4"),
            ("thumbnail", thumb, "image/jpeg"),
            ("metadata", meta, "application/json"),
        ):
            key = f"renders/{job.id}/{path.name}"
            files.put_file(path, key)
            session.add(
                Output(
                    id=f"out-{kind}",
                    job_id=job.id,
                    kind=kind,
                    filename=path.name,
                    storage_key=key,
                    size=path.stat().st_size,
                    sha256="0" * 64,
                    media_type=media,
                )
            )
    return job.id


@pytest.mark.skipif(
    "youtube" not in {e.name for e in entry_points(group="video_orchestrator.publishers")},
    reason="the worker finds the publisher by its entry point (pip install -e . registers it)",
)
def test_a_scheduled_post_is_published_by_the_job_system(
    make_api: Factory, yt: FakeYouTube, tmp_path: Path
) -> None:
    """The publish task: claimed by a worker at the post's time, advanced until YouTube is
    processing, then again (a new job) when the status poll is due."""
    yt.processing_polls = 2  # YouTube says "processing" once: the post waits for a new job
    client, ws = make_api(workers=1, **yt.settings())  # the worker builds its own adapter
    account = connect(client)
    job_id = finished_render(ws, tmp_path)
    soon = datetime.now(UTC) + timedelta(seconds=2)
    [post] = client.post(
        "/schedule", json={"job_id": job_id, "accounts": [account["id"]], "at": soon.isoformat()}
    ).json()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        state = client.get(f"/posts/{post['id']}").json()
        if state["state"] in ("published", "failed", "needs_attention"):
            break
        time.sleep(0.5)
    assert state["state"] == "published", state["message"]
    assert state["published_at"] >= soon.isoformat()[:19]
    [video] = yt.videos_with_tag(marker_tag(state["marker"]))
    assert video.resource["status"]["privacyStatus"] == "private"
    with ws.ctx.db.session() as session:
        kinds = [j.kind for j in session.query(Job).order_by(Job.created_at)]
    assert kinds.count("publish") >= 2  # the first job, then the one after the poll's wait


def test_connect_schedule_publish_through_the_api(
    make_api: Factory, yt: FakeYouTube, tmp_path: Path
) -> None:
    client, ws = make_api()
    account = connect(client)
    assert account["name"] == "Deep Ocean Facts" and account["timezone"] == "Europe/Paris"
    listed = client.get("/accounts").text
    assert not any(token in listed for token in yt.access), "a token is shown"
    assert client.get(f"/accounts/{account['id']}/health").json()["token_valid"] is True

    job_id = finished_render(ws, tmp_path)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    body = {
        "job_id": job_id,
        "accounts": [account["id"]],
        "at": tomorrow.isoformat(),
        "privacy": "public",
        "per_platform": {"youtube": {"title": "Ocean facts #1"}},
    }
    first = client.post("/schedule", json=body, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 201, first.text
    again = client.post("/schedule", json=body, headers={"Idempotency-Key": "k-1"})
    assert [p["id"] for p in again.json()] == [p["id"] for p in first.json()]
    [post] = first.json()
    assert post["state"] == "scheduled" and post["title"] == "Ocean facts #1"
    assert post["description"] == "Dark and cold." and post["hashtags"] == ["#ocean", "#facts"]
    window = client.get(
        "/posts",
        params={
            "start": (tomorrow - timedelta(hours=1)).isoformat(),
            "end": (tomorrow + timedelta(hours=1)).isoformat(),
        },
    )
    assert [p["id"] for p in window.json()] == [post["id"]]

    assert ws.publishing.run_due() == []  # not due until tomorrow
    assert client.post(f"/posts/{post['id']}/publish-now").json()["state"] == "scheduled"
    [moved] = ws.publishing.run_due()
    assert moved.state in ("processing", "published")
    while client.get(f"/posts/{post['id']}").json()["state"] != "published":
        ws.publishing.posts.step_once(post["id"])  # the processing poll waits 10 s: skip it
        with ws.ctx.db.session() as session:
            row = session.get(Post, post["id"])
            assert row is not None
            row.not_before = None
    done = client.get(f"/posts/{post['id']}").json()
    [video] = yt.videos_with_tag(marker_tag(done["marker"]))
    assert done["remote_id"] == video.id and video.thumbnail is not None
    events = client.get(f"/posts/{post['id']}/events").json()
    assert [e["step"] for e in events][:2] == ["create", "published now"]
    refused = client.post(f"/posts/{post['id']}/cancel")
    assert refused.status_code == 409 and "published" in problem_of(refused)["detail"]

    removed = client.delete(f"/accounts/{account['id']}")
    assert removed.json()["revoked"] is True
    assert client.get("/accounts").json() == []


def test_the_callback_needs_no_key_but_a_known_state(make_api: Factory) -> None:
    client, _ = make_api(require_api_key=True)
    assert client.get("/accounts").status_code == 401
    forged = client.get("/accounts/callback", params={"state": "forged", "code": "4/x"})
    assert forged.status_code == 422
    assert "no connection in progress" in problem_of(forged)["detail"]


def test_unknown_platforms_and_times_in_the_past_are_refused(
    make_api: Factory, tmp_path: Path
) -> None:
    client, ws = make_api()
    wrong = client.post("/accounts/connect", json={"platform": "myspace"})
    assert wrong.status_code == 422 and "unknown platform" in problem_of(wrong)["detail"]
    account = connect(client)
    job_id = finished_render(ws, tmp_path)
    past = client.post(
        "/schedule",
        json={"job_id": job_id, "accounts": [account["id"]], "at": "2020-01-01T10:00:00+00:00"},
    )
    assert past.status_code == 422 and "in the past" in problem_of(past)["detail"]
    assert client.get("/posts").json() == []


def test_one_render_cross_posted_to_two_channels(
    make_api: Factory, yt: FakeYouTube, tmp_path: Path
) -> None:
    client, ws = make_api()
    first = connect(client)
    yt.add_channel("Second Channel")  # the user picks another Google account this time
    start = client.post("/accounts/connect", json={"platform": "youtube"}).json()
    back = httpx.URL(httpx.get(start["authorization_url"]).headers["location"])
    assert client.get(f"{back.path}?{back.query.decode()}").status_code == 200
    accounts = {a["name"]: a for a in client.get("/accounts").json()}
    assert set(accounts) == {"Deep Ocean Facts", "Second Channel"}
    second = accounts["Second Channel"]
    job_id = finished_render(ws, tmp_path)
    body = {"job_id": job_id, "accounts": [first["id"], second["id"]], "privacy": "public"}
    posts = client.post("/schedule", json=body, headers={"Idempotency-Key": "cross-1"}).json()
    assert len(posts) == 2 and len({p["marker"] for p in posts}) == 2
    again = client.post("/schedule", json=body, headers={"Idempotency-Key": "cross-1"}).json()
    assert [p["id"] for p in again] == [p["id"] for p in posts]
    for post in posts:
        while ws.publishing.posts.get(post["id"]).state not in ("published", "failed"):
            ws.publishing.posts.step_once(post["id"])
            with ws.ctx.db.session() as session:
                row = session.get(Post, post["id"])
                assert row is not None
                row.not_before = None  # the processing poll's wait, skipped
    channels = sorted(v.channel_id for v in yt.videos.values())
    assert channels == sorted([first["remote_id"], second["remote_id"]])
    assert len({v.sha256 for v in yt.videos.values()}) == 1  # the same render, twice
