"""API tests run against SQLite and against the PostgreSQL this machine runs.

PostgreSQL: ``VO_TEST_POSTGRES`` (default ``postgresql://postgres@127.0.0.1:5432/test``); the
suite makes a database of its own there and drops it afterwards. When PostgreSQL is not
reachable, the PostgreSQL half is skipped with the reason.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.media import make_tone, make_video
from video_orchestrator.api import create_app
from video_orchestrator.config import Settings
from video_orchestrator.jobs.executor import ThreadExecutor
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.worker import worker_runner
from video_orchestrator.services.workspace import Workspace
from video_orchestrator.store.tables import Base

PG_ADMIN = os.environ.get("VO_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
#: Every table of the schema, emptied between PostgreSQL tests.
TABLES = ", ".join(table.name for table in Base.metadata.sorted_tables)
FAKE_VOICE = "fake:fake-en"
#: A raw upload's headers: its media type (the server refuses an upload without one).
RAW = {"content-type": "application/octet-stream"}
#: The name TestClient puts in Host; a keyless server answers only loopback names otherwise.
TEST_HOSTS = ["testserver"]

ClientFactory = Callable[..., TestClient]


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("vo-api-cache")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    name = f"vo_test_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        pytest.skip(f"PostgreSQL is not reachable at {PG_ADMIN}: {exc}".splitlines()[0])
    base = PG_ADMIN.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'vo.db'}"
        return
    url: str = request.getfixturevalue("postgres_url")
    yield url
    from video_orchestrator.store import Database

    db = Database(url)
    with db.engine.begin() as conn:
        if db.engine.dialect.has_table(conn, "jobs"):
            conn.execute(text(f"TRUNCATE {TABLES} CASCADE"))
    db.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str, shared_cache: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        cache_dir=shared_cache,
        database_url=database_url,
        default_voice=FAKE_VOICE,
        job_stale_seconds=5,
        rate_limit_per_minute=10_000,
        allowed_hosts=TEST_HOSTS,
    )


@pytest.fixture
def make_client(settings: Settings) -> Iterator[ClientFactory]:
    """``make_client(workers=0, **setting_overrides)``: a started API on a real database.
    ``workers=0``: jobs stay queued (nothing renders); ``workers=1``: a worker thread renders."""
    made: list[TestClient] = []

    def factory(workers: int = 0, **overrides: object) -> TestClient:
        config = settings.model_copy(update=overrides)
        ctx = AppContext(config)
        ws = Workspace(ctx, executor=ThreadExecutor(config, ctx.db, worker_runner, workers=workers))
        client = TestClient(create_app(config, workspace=ws), raise_server_exceptions=False)
        client.__enter__()
        made.append(client)
        return client

    yield factory
    for client in made:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: ClientFactory) -> TestClient:
    return make_client()


@pytest.fixture(scope="session")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_video(tmp_path_factory.mktemp("media") / "ocean-waves.mp4", seconds=2.0)


@pytest.fixture(scope="session")
def tone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tone(tmp_path_factory.mktemp("media") / "bed.wav", seconds=2.0)


def problem_of(response: object) -> dict[str, object]:
    """The problem+json body of an error response, checked for shape."""
    from httpx import Response

    assert isinstance(response, Response)
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    body = response.json()
    assert body["status"] == response.status_code
    assert isinstance(body["detail"], str) and body["detail"]
    assert body["title"]
    return dict(body)


@pytest.fixture
def make_live_server(settings: Settings) -> Iterator[Callable[..., str]]:
    """``make_live_server(**setting_overrides)``: a real uvicorn server on 127.0.0.1 (no
    render workers); its base URL."""
    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(**overrides: object) -> str:
        config = settings.model_copy(update=overrides)
        ctx = AppContext(config)
        ws = Workspace(ctx, executor=ThreadExecutor(config, ctx.db, worker_runner, workers=0))
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(config, workspace=ws),
                host="127.0.0.1",
                port=port,
                log_level="warning",
            )
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        servers.append((server, thread))
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        return f"http://127.0.0.1:{port}"

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(timeout=20)


@pytest.fixture
def live_server(make_live_server: Callable[..., str]) -> str:
    return make_live_server()
