"""A URL import cannot stall the API (issue 11: a server sending 1 byte every 5 s was still
downloading after 45 s; 45 such imports exhausted the thread pool and /health timed out)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import ClientFactory, problem_of
from video_orchestrator.api.limits import ClientSlots
from video_orchestrator.errors import ProviderUnavailable, RateLimitedError
from video_orchestrator.providers.web.fetch import download

STOP = threading.Event()


class _Drip(BaseHTTPRequestHandler):
    """Says it will send a megabyte, then sends one byte every 0.2 s (until told to stop)."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Content-Length", "1000000")
        self.end_headers()
        try:
            for _ in range(600):  # at most two minutes
                if STOP.is_set():
                    return
                self.wfile.write(b"\x00")
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:  # the client gave up: what we want
            return

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def drip_server() -> Iterator[str]:
    STOP.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Drip)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/slow.mp4"
    STOP.set()
    server.shutdown()


def test_a_trickling_download_is_cut_at_the_deadline(drip_server: str, tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(ProviderUnavailable, match="took longer than 2 s"):
        download(drip_server, tmp_path, max_bytes=10**7, allow_private=True, deadline_seconds=2)
    assert time.monotonic() - started < 30  # bounded: before, it ran for minutes
    assert list(tmp_path.iterdir()) == []  # nothing half-written is left


def test_a_trickling_download_is_cut_below_the_minimum_rate(
    drip_server: str, tmp_path: Path
) -> None:
    with pytest.raises(ProviderUnavailable, match="too slowly"):
        download(
            drip_server,
            tmp_path,
            max_bytes=10**7,
            allow_private=True,
            min_bytes_per_second=1000,
            grace_seconds=1,
        )
    assert list(tmp_path.iterdir()) == []


def test_an_import_past_its_deadline_is_a_clear_error_and_stores_nothing(
    make_client: ClientFactory, drip_server: str
) -> None:
    client = make_client(allow_private_urls=True, import_deadline_seconds=2)
    body = problem_of(client.post("/assets/import", json={"url": drip_server}))
    assert body["status"] == 503
    assert "took longer than 2 s" in str(body["detail"])
    assert client.get("/assets").json()["total"] == 0


def test_many_slow_imports_leave_the_api_responsive(
    make_live_server: Callable[..., str], drip_server: str
) -> None:
    server = make_live_server(
        allow_private_urls=True, import_deadline_seconds=6, imports_per_client=2
    )
    with httpx.Client(base_url=server, timeout=30) as http:

        def start_import(_: int) -> int:
            return http.post("/assets/import", json={"url": drip_server}).status_code

        with ThreadPoolExecutor(max_workers=45) as pool:
            imports = pool.map(start_import, range(45))
            time.sleep(1.0)  # the two admitted imports are downloading now
            for path in ("/health", "/projects", "/assets"):
                assert http.get(path, timeout=5).status_code == 200, path
            statuses = sorted(imports)
    assert statuses.count(429) == 43  # refused at once: never more than two threads held
    assert statuses.count(503) == 2  # the two admitted ones hit the deadline


def test_slots_are_bounded_per_client_and_in_all() -> None:
    slots = ClientSlots("URL imports", per_client=2, total=3)
    slots.take("a")
    slots.take("a")
    with pytest.raises(RateLimitedError, match="2 URL imports are already in progress"):
        slots.take("a")
    slots.take("b")
    with pytest.raises(RateLimitedError, match="busy with 3 URL imports"):
        slots.take("c")
    slots.give_back("a")
    with slots.held("c"):
        pass
    slots.take("c")
