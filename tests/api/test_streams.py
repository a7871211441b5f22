"""Many clients watching progress at once must not starve the API (a real uvicorn server)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from tests.api.conftest import FAKE_VOICE
from video_orchestrator.api import create_app
from video_orchestrator.config import Settings
from video_orchestrator.jobs.executor import ThreadExecutor
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.workspace import Workspace

STREAMS = 60  # more than the 40 threads of the server's pool


@pytest.fixture
def server(settings: Settings) -> Iterator[str]:
    ctx = AppContext(settings)
    ws = Workspace(ctx, executor=ThreadExecutor(settings, ctx.db, workers=0))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(settings, workspace=ws), host="127.0.0.1", port=port, log_level="warning"
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=20)


def test_sixty_open_progress_streams_leave_the_api_responsive(server: str) -> None:
    with httpx.Client(base_url=server, timeout=10) as http:
        project = http.post(
            "/projects", json={"topic": "tides", "voice": {"voice": FAKE_VOICE}}
        ).json()
        (job,) = http.post("/renders", json={"project_id": project["id"]}).json()
        assert job["status"] == "queued"  # no worker: the streams stay open

        opened = threading.Barrier(STREAMS + 1, timeout=30)
        release = threading.Event()
        errors: list[BaseException] = []

        def watch() -> None:
            try:
                with (
                    httpx.Client(base_url=server, timeout=30) as own,
                    own.stream("GET", f"/renders/{job['id']}/events") as stream,
                ):
                    lines = stream.iter_lines()
                    while not next(lines).startswith("data: "):
                        pass
                    opened.wait()
                    release.wait(30)
            except BaseException as exc:  # reported below
                errors.append(exc)
                opened.abort()

        watchers = [threading.Thread(target=watch, daemon=True) for _ in range(STREAMS)]
        for watcher in watchers:
            watcher.start()
        opened.wait()
        try:
            assert http.get("/health").status_code == 200
            assert http.get(f"/projects/{project['id']}").status_code == 200
            cancelled = http.post(f"/renders/{job['id']}/cancel")
            assert cancelled.json()["status"] == "cancelled"
        finally:
            release.set()
            for watcher in watchers:
                watcher.join(timeout=30)
        assert errors == []
