"""A job is never run by two workers (issue 11 item 5, ADR 0017).

Before: a worker paused past ``VO_JOB_STALE_SECONDS`` was superseded (recovery queued the job
again, another worker claimed it) but still ran when it woke and called ``finish()``; both
attempts wrote into one ``work/<job>`` and the job failed. After ``kill -9`` of ``vo serve``
its local worker process was orphaned and kept claiming jobs with stale settings.
"""

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

import psycopg
import pytest
from sqlalchemy import select

from tests.api.conftest import PG_ADMIN
from tests.integration.test_job_recovery import (
    FAKE_VOICE,
    env_for,
    start_worker,
    stop,
    submit,
    wait_for,
    work_left,
)
from video_orchestrator.config import Settings
from video_orchestrator.errors import JobSuperseded
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.jobs import JobOut, JobService
from video_orchestrator.services.projects import ProjectCreate, ProjectService
from video_orchestrator.store import Database
from video_orchestrator.store.job_queue import JobQueue, Recovered
from video_orchestrator.store.tables import Job, Output

STALE = 2.0


@pytest.fixture
def settings(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        cache_dir=tmp_path_factory.getbasetemp() / "ownership-cache",
        database_url=f"sqlite:///{tmp_path / 'vo.db'}",
        default_voice=FAKE_VOICE,
        job_stale_seconds=STALE,
    )


def gone(pid: int) -> bool:
    """True when ``pid`` has exited (a zombie nobody reaped counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[0] in ("Z", "X")


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            continue
    return found


def row(ctx: AppContext, job_id: str) -> Job:
    with ctx.db.session() as session:
        job = session.get(Job, job_id)
        assert job is not None
        session.expunge(job)
        return job


def output_keys(ctx: AppContext, job_id: str) -> list[str]:
    with ctx.db.session() as session:
        return list(
            session.scalars(select(Output.storage_key).where(Output.job_id == job_id)).all()
        )


def wait_until_rendering(
    jobs: JobService, job_id: str, *processes: subprocess.Popen[bytes]
) -> None:
    deadline = time.monotonic() + 120
    while True:
        job = jobs.get(job_id)
        if job.status == "running" and job.step == "render" and job.progress > 0.32:
            return
        for process in processes:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
        assert job.status in ("queued", "running"), job
        assert time.monotonic() < deadline, job
        time.sleep(0.05)


# -- the queue itself, on both databases --------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'queue.db'}")
        db.migrate()
        yield db
        db.dispose()
        return
    name = f"vo_fence_{os.getpid()}_{int(time.time() * 1000) % 10**8}"
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        pytest.skip(f"PostgreSQL is not reachable at {PG_ADMIN}: {exc}".splitlines()[0])
    db = Database(f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}")
    db.migrate()
    yield db
    db.dispose()
    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_superseded_attempt_can_write_nothing(database: Database) -> None:
    project = ProjectService(database).create(ProjectCreate(topic="bees"))
    (job,) = JobService(database, None).submit_project(project.id)
    queue = JobQueue(database)
    first = queue.claim_next("host:1:a")
    assert first is not None and first.attempt == 1
    time.sleep(0.05)
    assert queue.recover(stale_after=0.01).requeued == [job.id]  # its heartbeat went stale
    second = queue.claim_next("host:2:b")
    assert second is not None and second.attempt == 2
    queue.progress(second, step="render", progress=0.5, eta_seconds=3, log_line="rendering")

    def output(name: str) -> Output:
        return Output(
            id=name,
            kind="video",
            filename=f"{name}.mp4",
            storage_key=f"outputs/{job.id}/{name}.mp4",
            size=1,
            sha256="0" * 64,
            media_type="video/mp4",
        )

    for write in (
        lambda: queue.heartbeat(first),
        lambda: queue.progress(first, step="export", progress=0.9, eta_seconds=1, log_line="x"),
        lambda: queue.finish(first, "succeeded", outputs=[output("old")], log_line="old done"),
        lambda: queue.finish(first, "failed", error="old failed", log_line="old failed"),
    ):
        with pytest.raises(JobSuperseded):
            write()
    seen = JobService(database, None).get(job.id)
    assert (seen.status, seen.step, seen.progress, seen.attempts) == ("running", "render", 0.5, 2)
    assert "old" not in seen.log_tail and seen.outputs == []

    assert queue.heartbeat(second) is False
    queue.finish(second, "succeeded", outputs=[output("new")], log_line="finished")
    done = JobService(database, None).get(job.id)
    assert done.status == "succeeded" and [o.id for o in done.outputs] == ["new"]
    # recovery, even with every heartbeat stale, leaves a finished job alone
    assert queue.recover(stale_after=0.0) == Recovered(requeued=[], failed=[])
    with pytest.raises(JobSuperseded):
        queue.heartbeat(second)  # finished: the attempt owns nothing any more


# -- a worker paused past the stale timeout, then resumed ---------------------------------------


@pytest.mark.render
def test_a_worker_paused_past_the_stale_timeout_wakes_superseded_and_writes_nothing(
    settings: Settings,
) -> None:
    ctx = AppContext(settings)
    jobs = JobService(ctx.db, None)
    job_id = submit(ctx, jobs, scenes=6)
    extra = {"VO_JOB_STALE_SECONDS": str(STALE)}
    first = start_worker(settings, **extra)
    second: subprocess.Popen[bytes] | None = None
    try:
        wait_until_rendering(jobs, job_id, first)
        os.killpg(first.pid, signal.SIGSTOP)  # the worker and its FFmpeg freeze mid-render
        deadline = time.monotonic() + 30
        while job_id not in JobQueue(ctx.db).recover(stale_after=STALE).requeued:
            assert time.monotonic() < deadline, jobs.get(job_id)  # the server's sync loop
            time.sleep(0.2)
        assert jobs.get(job_id).status == "queued"

        second = start_worker(settings, **extra)
        deadline = time.monotonic() + 60
        while not (jobs.get(job_id).status == "running" and jobs.get(job_id).attempts == 2):
            assert time.monotonic() < deadline, jobs.get(job_id)
            time.sleep(0.05)
        assert row(ctx, job_id).worker == f"{socket.gethostname()}:{second.pid}:worker"

        os.killpg(first.pid, signal.SIGCONT)  # the first worker wakes mid-render
        done: JobOut = wait_for(jobs, job_id, {"succeeded", "failed", "cancelled"}, timeout=300)
        # the woken worker stopped its FFmpeg and lives on, claiming the next job
        deadline = time.monotonic() + 20
        while children(first.pid):
            assert time.monotonic() < deadline, "the superseded attempt's FFmpeg still runs"
            time.sleep(0.1)
        assert first.poll() is None, first.stderr.read() if first.stderr else ""
        left = work_left(settings, job_id)  # while the workers run (see work_left)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGCONT)
        stop(first)
        if second is not None:
            stop(second)

    assert done.status == "succeeded", (done.error, done.log_tail)
    assert done.attempts == 2
    assert row(ctx, job_id).worker == f"{socket.gethostname()}:{second.pid}:worker"
    # the old attempt wrote nothing: one end, no cancel or failure of its own
    assert done.log_tail.count("finished") == 1, done.log_tail
    assert "stopped during attempt 1; queued again" in done.log_tail
    assert "cancelled" not in done.log_tail and "failed" not in done.log_tail, done.log_tail
    # one set of outputs, every file the second attempt's and present
    kinds = [o.kind for o in done.outputs]
    assert sorted(kinds) == sorted(set(kinds)) and "video" in kinds
    files = settings.data_dir / "files"
    stored = sorted(p.relative_to(files).as_posix() for p in files.rglob("*") if p.is_file())
    stored = [key for key in stored if key.startswith(f"outputs/{job_id}")]
    assert stored == sorted(output_keys(ctx, job_id))
    assert not left


# -- kill -9 of the server while its worker renders ---------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(settings: Settings) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "video_orchestrator", "serve", "--port", str(free_port())],
        env=env_for(settings, VO_WORKERS="1", XDG_CONFIG_HOME=str(settings.data_dir / "cfg")),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # a group of its own: the test can clean up what is left
    )


def kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


@pytest.mark.render
def test_the_worker_of_a_killed_server_exits_and_a_new_server_completes_the_job(
    settings: Settings,
) -> None:
    ctx = AppContext(settings)
    jobs = JobService(ctx.db, None)
    job_id = submit(ctx, jobs, scenes=4)
    server = start_server(settings)
    try:
        wait_until_rendering(jobs, job_id, server)
        worker = row(ctx, job_id).worker or ""
        worker_pid = int(worker.split(":")[1])
        assert worker_pid != server.pid and not gone(worker_pid)
        renders = children(worker_pid)  # its FFmpeg
        assert renders, "the worker runs no FFmpeg"

        os.kill(server.pid, signal.SIGKILL)  # only the server: its worker is orphaned
        server.wait(timeout=10)
        deadline = time.monotonic() + 30
        while not gone(worker_pid) or not all(gone(pid) for pid in renders):
            assert time.monotonic() < deadline, (
                f"the orphaned worker {worker_pid} (FFmpeg {renders}) still runs"
            )
            time.sleep(0.1)
        crashed = jobs.get(job_id)
        assert crashed.status == "running" and crashed.outputs == []  # it wrote nothing
        assert "cancelled" not in crashed.log_tail
    finally:
        kill_group(server)

    again = start_server(settings)
    try:
        done = wait_for(jobs, job_id, {"succeeded", "failed", "cancelled"}, timeout=300)
        # the work folder goes just after the status is written: wait for it while the
        # server still runs (stopping it at once could cut that step short under load)
        left = work_left(settings, job_id)
    finally:
        os.killpg(again.pid, signal.SIGTERM)
        try:
            again.wait(timeout=30)
        finally:
            kill_group(again)
    assert done.status == "succeeded", (done.error, done.log_tail)
    assert done.attempts == 2
    assert f"the worker {worker} stopped during attempt 1; queued again" in done.log_tail
    assert not left
