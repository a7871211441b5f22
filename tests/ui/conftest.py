"""Browser tests: a real ``vo serve`` per test module, driven by Playwright through Debian's
headless Chromium (never a downloaded browser). Without a Chromium the tests that need one
skip, and the report header says so."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Error, Page, expect, sync_playwright

from tests.ui.chromium import chromium, skip_reason
from video_orchestrator.config import Settings
from video_orchestrator.jobs.executor import ThreadExecutor
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.worker import worker_runner
from video_orchestrator.services.workspace import Workspace

SERVE = (sys.executable, "-m", "video_orchestrator", "serve")
WAIT_MS = 20_000  # every Playwright wait is bounded (pytest-timeout is 300 s per test)
START_SECONDS = 60


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Without Chromium, skip (with a plain reason) every test that needs the browser."""
    if chromium() is not None:
        return
    skip = pytest.mark.skip(reason=skip_reason())
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    found = chromium()
    if found is None:
        pytest.skip(skip_reason())
    return found


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    """A workspace for NiceGUI's simulated user: its own data folder, the fake voice, no
    worker (jobs stay queued). A test module may define its own ``ws`` instead."""
    config = Settings(
        data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", default_voice="fake:fake-en"
    )
    ctx = AppContext(config)
    workspace = Workspace(ctx, executor=ThreadExecutor(config, ctx.db, worker_runner, workers=0))
    yield workspace
    ctx.db.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def ui_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for every server of the session."""
    return tmp_path_factory.mktemp("vo-ui-cache")


@pytest.fixture(scope="module")
def ui_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The data directory (database, projects, outputs) of this module's server."""
    return tmp_path_factory.mktemp("vo-ui") / "data"


def launch(
    data_dir: Path, cache: Path, port: int, **settings: str
) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``vo serve`` (API, web UI, one local worker) on ``port`` over ``data_dir`` and wait
    until it answers; its process and base URL. ``settings``: more environment, e.g.
    ``VO_UPLOAD_MAX_BYTES="1000000"``. Stop it with :func:`stop`."""
    home = data_dir.parent
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("VO_LLM_BASE_URL", "VO_DEBUG")},
        "VO_DATA_DIR": str(data_dir),
        "VO_CACHE_DIR": str(cache),
        "XDG_CONFIG_HOME": str(home / "config"),
        **settings,
    }
    log = home / f"server-{port}-stderr.log"
    with log.open("ab") as stderr:
        server = subprocess.Popen(
            [*SERVE, "--port", str(port), "--workers", "1"],
            env=env,
            cwd=home,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(server, url, log)
    except BaseException:
        stop(server)
        raise
    return server, url


@pytest.fixture(scope="module")
def ui_server(ui_data_dir: Path, ui_cache: Path) -> Iterator[str]:
    """A real ``vo serve`` (API, web UI, one local worker) on a free port; yields its base URL,
    e.g. ``http://127.0.0.1:41234``. Stopped with SIGTERM (then SIGKILL) after the module."""
    server, url = launch(ui_data_dir, ui_cache, free_port())
    try:
        yield url
    finally:
        stop(server)


def _wait_until_ready(server: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    with httpx.Client(base_url=url, timeout=5) as http:
        while True:
            try:
                if http.get("/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if server.poll() is not None:
                pytest.fail(
                    f"vo serve exited with {server.returncode} before answering:\n"
                    + log.read_text(errors="replace"),
                    pytrace=False,
                )
            if time.monotonic() > deadline:
                pytest.fail(
                    f"vo serve did not answer {url}/health within {START_SECONDS} s:\n"
                    + log.read_text(errors="replace"),
                    pytrace=False,
                )
            time.sleep(0.2)


@contextlib.contextmanager
def trends_studio(sources_url: str, data: Path, ui_cache: Path) -> Iterator[str]:
    """A studio server whose Google Trends and Reddit sources are the local trend server at
    ``sources_url``; yields its URL and stops it afterwards."""
    server, url = launch(
        data,
        ui_cache,
        free_port(),
        VO_TRENDS_GOOGLE_URL=f"{sources_url}/trending/rss",
        VO_TRENDS_REDDIT_BASE_URL=sources_url,
        VO_TRENDS_TIMEOUT="5",
        VO_ALLOW_PRIVATE_URLS="true",
    )
    try:
        yield url
    finally:
        stop(server)


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="module")
def browser(chromium_path: Path) -> Iterator[Browser]:
    """Chromium for one test module. Not for the whole session: while Playwright's sync API
    is started, its event loop counts as running in this thread, so asyncio tests (NiceGUI's
    simulated user) in later modules would fail. Keep browser and asyncio tests in separate
    modules."""
    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(chromium_path),
            args=["--no-sandbox", "--disable-dev-shm-usage"],
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page (own cookies and storage) 1280×900. ``page.errors`` (a list of strings)
    collects console errors and uncaught page errors, to assert on."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(WAIT_MS)
    opened = context.new_page()
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"console: {message.text} ({message.location.get('url', '')})")

    def on_page_error(error: Error) -> None:
        errors.append(f"page error: {error.message}")

    opened.on("console", on_console)
    opened.on("pageerror", on_page_error)
    opened.errors = errors  # type: ignore[attr-defined]
    try:
        yield opened
    finally:
        context.close()
