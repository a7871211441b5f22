"""Celery with its broker down (issue 11, item 4): a render submitted while Redis is stopped is
kept (202, queued), reaches the broker once it is back and runs exactly once; a client retrying
with the same Idempotency-Key creates no duplicate; readiness names the broker.

The broker is a PRIVATE redis-server on a free port, stopped and started by the test (the
machine's shared Redis on 6379 is never touched)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.faults.private_redis import PrivateRedis
from video_orchestrator.api import create_app
from video_orchestrator.config import Settings
from video_orchestrator.jobs.celery_executor import QUEUE, CeleryExecutor
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.jobs import JobService
from video_orchestrator.services.projects import ProjectCreate, ProjectService

pytestmark = pytest.mark.render

FAKE_VOICE = "fake:fake-en"
SCRIPT = {
    "topic": "tides",
    "title": "Tides",
    "hook": "The sea breathes twice a day.",
    "scenes": [{"narration": "The moon pulls the water and the shore gives way."}],
}


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    workdir = tmp_path / "redis"
    workdir.mkdir()
    server = PrivateRedis(workdir)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def settings(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, broker: PrivateRedis
) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        cache_dir=tmp_path_factory.getbasetemp() / "broker-cache",
        database_url=f"sqlite:///{tmp_path / 'vo.db'}",
        default_voice=FAKE_VOICE,
        job_stale_seconds=5,
        executor="celery",
        broker_url=broker.url,
    )


def start_worker(settings: Settings, concurrency: int = 1) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "VO_DATA_DIR": str(settings.data_dir),
        "VO_CACHE_DIR": str(settings.cache_dir),
        "VO_DATABASE_URL": str(settings.database_url),
        "VO_DEFAULT_VOICE": FAKE_VOICE,
        "VO_JOB_STALE_SECONDS": "5",
        "VO_EXECUTOR": "celery",
        "VO_BROKER_URL": settings.broker_url,
    }
    env.pop("VO_LLM_BASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "video_orchestrator", "worker", f"--concurrency={concurrency}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop_worker(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def wait_until_finished(client: TestClient, job_id: str, timeout: float = 180) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, object] = client.get(f"/renders/{job_id}").json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} never finished: {client.get(f'/renders/{job_id}').json()}")


def test_a_render_submitted_while_the_broker_is_down_runs_exactly_once_when_it_is_back(
    settings: Settings, broker: PrivateRedis
) -> None:
    app = create_app(settings)
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as client:
        project = client.post(
            "/projects",
            json={"topic": "tides", "script": SCRIPT, "voice": {"voice": FAKE_VOICE}},
        ).json()
        body = {"project_id": project["id"]}
        key = {"Idempotency-Key": "render-tides-1"}

        broker.stop()
        first = client.post("/renders", json=body, headers=key)
        assert first.status_code == 202, first.text  # the job is safe in the database
        (job,) = first.json()
        assert job["status"] == "queued"

        # the client did not trust the answer and sends the same request again, twice
        for _ in range(2):
            again = client.post("/renders", json=body, headers=key)
            assert again.status_code == 202, again.text
            assert [j["id"] for j in again.json()] == [job["id"]]
        # the same key for another request is refused, and creates nothing
        other = client.post("/renders", json={**body, "platforms": ["youtube-shorts"]}, headers=key)
        assert other.status_code in (409, 422), other.text
        assert other.headers["content-type"].startswith("application/problem+json")
        assert client.get("/renders", params={"project_id": project["id"]}).json()["total"] == 1

        down = client.get("/health/ready")
        assert down.status_code == 503
        assert down.json()["checks"]["broker"] != "ok"

        broker.start()  # back, empty: whatever was "sent" while it was down is not in it
        worker = start_worker(settings)
        try:
            done = wait_until_finished(client, job["id"])
            deadline = time.monotonic() + 30
            while (ready := client.get("/health/ready")).status_code != 200:
                assert time.monotonic() < deadline, ready.text
                time.sleep(0.5)
        finally:
            stop_worker(worker)
        assert ready.json()["checks"]["broker"] == "ok"

    assert done["status"] == "succeeded", done["error"]
    assert done["attempts"] == 1  # run once
    kinds = [output["kind"] for output in done["outputs"]]  # type: ignore[union-attr]
    assert "video" in kinds and len(kinds) == len(set(kinds))  # one set of outputs
    jobs = JobService(AppContext(settings).db, None)
    assert jobs.find(project_id=project["id"]).total == 1


def test_a_job_delivered_twice_runs_once(settings: Settings, broker: PrivateRedis) -> None:
    """What makes re-sending safe: two deliveries of one job, taken by two worker processes
    at once, and the conditional claim lets exactly one of them run it."""
    ctx = AppContext(settings)
    project = ProjectService(ctx.db).create(
        ProjectCreate.model_validate(
            {"topic": "tides", "script": SCRIPT, "voice": {"voice": FAKE_VOICE}}
        )
    )
    (job,) = JobService(ctx.db, None).submit_project(project.id)
    executor = CeleryExecutor(settings, ctx.db)
    try:
        executor.submit(job.id)
        executor.submit(job.id)
        worker = start_worker(settings, concurrency=2)
        try:
            done = JobService(ctx.db, None).get(job.id)
            deadline = time.monotonic() + 180
            while done.status not in ("succeeded", "failed"):
                assert time.monotonic() < deadline, done
                time.sleep(0.2)
                done = JobService(ctx.db, None).get(job.id)
            import redis

            queued = redis.Redis.from_url(broker.url)
            deadline = time.monotonic() + 30
            while queued.llen(QUEUE) or queued.hlen("unacked"):
                assert time.monotonic() < deadline, "the second delivery was never taken"
                time.sleep(0.2)
        finally:
            stop_worker(worker)
    finally:
        executor.end()
    assert done.status == "succeeded", done.error
    assert done.attempts == 1
    kinds = [output.kind for output in done.outputs]
    assert len(kinds) == len(set(kinds))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'outbox.db'}"
        return
    import uuid

    import psycopg

    from tests.api.conftest import PG_ADMIN

    name = f"vo_outbox_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        pytest.skip(f"PostgreSQL is not reachable at {PG_ADMIN}: {exc}".splitlines()[0])
    yield f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}"
    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_outbox_sends_each_queuing_once(
    settings: Settings, broker: PrivateRedis, database_url: str
) -> None:
    """No worker: what reaches the broker is counted in its queue. A job submitted while the
    broker is down is sent by the sweep once it is back, and only once; a job queued again
    (its worker died) needs, and gets, a send of its own; a cancelled job is never sent."""
    import redis

    from video_orchestrator.store import Database
    from video_orchestrator.store.job_queue import JobQueue

    settings = settings.model_copy(update={"database_url": database_url})
    db = Database(database_url)
    db.migrate()
    executor = CeleryExecutor(settings, db)
    jobs = JobService(db, executor)
    queue = JobQueue(db)
    messages = redis.Redis.from_url(broker.url)
    try:
        project = ProjectService(db).create(ProjectCreate(topic="tides"))
        broker.stop()
        (job,) = jobs.submit_project(project.id)  # no error: the job waits in the database
        (cancelled,) = jobs.submit_project(project.id)
        jobs.cancel(cancelled.id)
        assert [job_id for job_id, _ in queue.unsent(older_than=0)] == [job.id]
        assert executor.send_unsent(older_than=0) == 0  # still down: nothing sent, no error
        assert "does not answer" in executor.broker_status()

        broker.start()  # empty
        assert executor.broker_status() == "ok"
        assert executor.send_unsent(older_than=0) == 1
        assert messages.llen(QUEUE) == 1
        assert executor.send_unsent(older_than=0) == 0  # sent and marked: never twice
        executor.sync()
        assert messages.llen(QUEUE) == 1 and queue.unsent(older_than=0) == []

        # a worker takes it and dies (a pid that is not running); the broker is down when the
        # sync queues the job again, so its new send fails: it is unsent again
        assert queue.claim(job.id, f"{socket.gethostname()}:999999999:celery")
        broker.stop()
        executor.sync()
        assert jobs.get(job.id).status == "queued"
        assert [job_id for job_id, _ in queue.unsent(older_than=0)] == [job.id]
        broker.start()
        assert executor.send_unsent(older_than=0) == 1
        assert messages.llen(QUEUE) == 1
        assert executor.send_unsent(older_than=0) == 0
    finally:
        messages.close()
        executor.end()
        db.dispose()
