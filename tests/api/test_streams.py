"""Many clients watching progress at once must not starve the API (a real uvicorn server)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx

from tests.api.conftest import FAKE_VOICE

STREAMS = 60  # more than the 40 threads of the server's pool


def test_sixty_open_progress_streams_leave_the_api_responsive(
    make_live_server: Callable[..., str],
) -> None:
    server = make_live_server(streams_per_client=STREAMS)  # one address holds them all here
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


def test_one_client_holds_a_bounded_number_of_streams(
    make_live_server: Callable[..., str],
) -> None:
    server = make_live_server(streams_per_client=2)
    with httpx.Client(base_url=server, timeout=10) as http:
        project = http.post("/projects", json={"topic": "tides", "voice": {"voice": FAKE_VOICE}})
        (job,) = http.post("/renders", json={"project_id": project.json()["id"]}).json()
        url = f"/renders/{job['id']}/events"
        with (
            httpx.Client(base_url=server, timeout=10) as a,
            httpx.Client(base_url=server, timeout=10) as b,
        ):
            with a.stream("GET", url) as first, b.stream("GET", url) as second:
                assert first.status_code == second.status_code == 200
                third = http.get(url)
                assert third.status_code == 429
                assert "progress streams" in third.json()["detail"]
            # both closed: their slots are free again (the server notices within a poll)
            deadline = threading.Event()
            for _ in range(50):
                with a.stream("GET", url) as again:
                    if again.status_code == 200:
                        break
                deadline.wait(0.2)
            assert again.status_code == 200
        assert http.get("/health").status_code == 200
