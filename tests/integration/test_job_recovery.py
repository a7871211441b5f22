"""The job system survives crashes: a worker killed mid-render, a server restarted with jobs
queued, and Celery workers over a real Redis broker."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from video_orchestrator.config import Settings
from video_orchestrator.jobs.celery_executor import CeleryExecutor
from video_orchestrator.render.probe import probe
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.jobs import JobOut, JobService
from video_orchestrator.services.projects import ProjectCreate, ProjectService

pytestmark = pytest.mark.render

FAKE_VOICE = "fake:fake-en"
REDIS = ("127.0.0.1", 6379)


def long_script(scenes: int = 2) -> dict[str, object]:
    sentence = "Waves roll over the sand and pull the shells back to the sea."
    return {
        "topic": "waves",
        "title": "Waves",
        "hook": "Every wave has travelled far.",
        "scenes": [{"narration": " ".join([sentence] * 2)} for _ in range(scenes)],
    }


@pytest.fixture
def settings(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        cache_dir=tmp_path_factory.getbasetemp() / "recovery-cache",
        database_url=f"sqlite:///{tmp_path / 'vo.db'}",
        default_voice=FAKE_VOICE,
        job_stale_seconds=5,
    )


def env_for(settings: Settings, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "VO_DATA_DIR": str(settings.data_dir),
        "VO_CACHE_DIR": str(settings.cache_dir),
        "VO_DATABASE_URL": str(settings.database_url),
        "VO_DEFAULT_VOICE": FAKE_VOICE,
        "VO_JOB_STALE_SECONDS": "5",
        **extra,
    }
    env.pop("VO_LLM_BASE_URL", None)
    return env


def start_worker(settings: Settings, **extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "video_orchestrator", "worker"],
        env=env_for(settings, **extra),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: kill -9 takes FFmpeg down too
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def work_left(settings: Settings, job_id: str, timeout: float = 60) -> bool:
    """Whether the job's work folder is still there once the job has ended: it is removed just
    after the job's status is written (job_runner's ``finally``), so wait a bounded time —
    while the worker still runs: stopping it as soon as the status shows can cut that short."""
    left = settings.data_dir / "work" / job_id
    deadline = time.monotonic() + timeout
    while left.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    return left.exists()


def wait_for(jobs: JobService, job_id: str, done: set[str], timeout: float = 240) -> JobOut:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = jobs.get(job_id)
        if job.status in done:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} stuck: {jobs.get(job_id)}")


def submit(ctx: AppContext, jobs: JobService, scenes: int = 4) -> str:
    project = ProjectService(ctx.db).create(
        ProjectCreate.model_validate(
            {"topic": "waves", "script": long_script(scenes), "voice": {"voice": FAKE_VOICE}}
        )
    )
    (job,) = jobs.submit_project(project.id)
    return job.id


def test_a_worker_killed_mid_render_leaves_no_output_and_the_job_completes_after_restart(
    settings: Settings,
) -> None:
    ctx = AppContext(settings)
    jobs = JobService(ctx.db, None)
    job_id = submit(ctx, jobs)

    first = start_worker(settings)
    try:
        deadline = time.monotonic() + 120
        while not (jobs.get(job_id).step == "render" and jobs.get(job_id).progress > 0.35):
            assert first.poll() is None, first.stderr.read() if first.stderr else ""
            assert time.monotonic() < deadline, jobs.get(job_id)
            time.sleep(0.05)
        os.killpg(first.pid, signal.SIGKILL)  # the machine "loses power" mid-render
        first.wait(timeout=10)
    finally:
        stop(first)

    crashed = jobs.get(job_id)
    assert crashed.status == "running" and crashed.outputs == []
    assert not (settings.data_dir / "files" / "outputs" / job_id).exists()

    second = start_worker(settings)
    try:
        done = wait_for(jobs, job_id, {"succeeded", "failed"})
        left = work_left(settings, job_id)  # while the worker runs (see work_left)
    finally:
        stop(second)
    assert done.status == "succeeded", done.error
    assert done.attempts == 2
    assert "stopped during attempt 1" in done.log_tail
    (video,) = [o for o in done.outputs if o.kind == "video"]
    info = probe(settings.data_dir / "files" / "outputs" / job_id / "2" / "video.mp4")
    assert info.video is not None and info.duration is not None and info.duration > 5
    assert (
        video.size
        == (settings.data_dir / "files" / "outputs" / job_id / "2" / "video.mp4").stat().st_size
    )
    assert not left


def test_queued_jobs_survive_a_server_restart(settings: Settings) -> None:
    from fastapi.testclient import TestClient

    from video_orchestrator.api import create_app
    from video_orchestrator.jobs.executor import ThreadExecutor
    from video_orchestrator.services.worker import worker_runner
    from video_orchestrator.services.workspace import Workspace

    first_ctx = AppContext(settings)
    idle = Workspace(
        first_ctx, executor=ThreadExecutor(settings, first_ctx.db, worker_runner, workers=0)
    )
    with TestClient(create_app(settings, workspace=idle), base_url="http://127.0.0.1") as client:
        project = client.post(
            "/projects",
            json={"topic": "waves", "script": long_script(1), "voice": {"voice": FAKE_VOICE}},
        ).json()
        ids = [j["id"] for j in client.post("/renders", json={"project_id": project["id"]}).json()]
        ids += [j["id"] for j in client.post("/renders", json={"project_id": project["id"]}).json()]
        assert {client.get(f"/renders/{i}").json()["status"] for i in ids} == {"queued"}
    first_ctx.db.dispose()

    # a new server process on the same database, with the default local executor
    with TestClient(
        create_app(settings.model_copy(update={"workers": 1})), base_url="http://127.0.0.1"
    ) as client:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            states = {client.get(f"/renders/{i}").json()["status"] for i in ids}
            if states <= {"succeeded", "failed"}:
                break
            time.sleep(0.2)
        assert states == {"succeeded"}


def _redis_up() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def celery_settings(settings: Settings) -> Iterator[Settings]:
    if not _redis_up():
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    import redis

    db_index = 13
    client = redis.Redis(host=REDIS[0], port=REDIS[1], db=db_index)
    client.flushdb()
    yield settings.model_copy(
        update={"executor": "celery", "broker_url": f"redis://127.0.0.1:6379/{db_index}"}
    )
    client.flushdb()


def test_celery_workers_over_redis_run_the_same_jobs(celery_settings: Settings) -> None:
    ctx = AppContext(celery_settings)
    executor = CeleryExecutor(celery_settings, ctx.db)
    jobs = JobService(ctx.db, executor)
    worker = start_worker(
        celery_settings, VO_EXECUTOR="celery", VO_BROKER_URL=celery_settings.broker_url
    )
    try:
        job_id = submit(ctx, jobs, scenes=1)
        done = wait_for(jobs, job_id, {"succeeded", "failed"})
        assert done.status == "succeeded", done.error
        assert {o.kind for o in done.outputs} >= {"video", "thumbnail", "srt"}
        deadline = time.monotonic() + 30
        while executor.alive_workers() == 0 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert executor.alive_workers() >= 1
    finally:
        stop(worker)
        executor.end()


def test_a_celery_worker_killed_mid_render_the_job_is_sent_again_and_completes(
    celery_settings: Settings,
) -> None:
    ctx = AppContext(celery_settings)
    executor = CeleryExecutor(celery_settings, ctx.db)
    jobs = JobService(ctx.db, executor)
    first = start_worker(
        celery_settings, VO_EXECUTOR="celery", VO_BROKER_URL=celery_settings.broker_url
    )
    try:
        job_id = submit(ctx, jobs)
        deadline = time.monotonic() + 120
        while not (jobs.get(job_id).step == "render" and jobs.get(job_id).progress > 0.35):
            assert first.poll() is None
            assert time.monotonic() < deadline, jobs.get(job_id)
            time.sleep(0.05)
        os.killpg(first.pid, signal.SIGKILL)  # the whole worker machine goes away
        first.wait(timeout=10)
    finally:
        stop(first)
    assert jobs.get(job_id).status == "running"

    second = start_worker(
        celery_settings, VO_EXECUTOR="celery", VO_BROKER_URL=celery_settings.broker_url
    )
    try:
        deadline = time.monotonic() + 180
        while jobs.get(job_id).status not in ("succeeded", "failed"):
            executor.sync()  # the API's heartbeat: the dead worker's job is queued, sent again
            assert time.monotonic() < deadline, jobs.get(job_id)
            time.sleep(0.5)
        done = jobs.get(job_id)
    finally:
        stop(second)
        executor.end()
    assert done.status == "succeeded", done.error
    assert done.attempts == 2
    assert {o.kind for o in done.outputs} >= {"video", "thumbnail"}
