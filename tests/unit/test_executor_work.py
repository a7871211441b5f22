"""Executors run the work they are handed (ADR 0011): any Runner, no use case imported."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from video_orchestrator.config import Settings
from video_orchestrator.jobs.celery_executor import run_claimed
from video_orchestrator.jobs.executor import ThreadExecutor
from video_orchestrator.jobs.work import MakeRunner
from video_orchestrator.services.jobs import JobService
from video_orchestrator.services.projects import ProjectCreate, ProjectService
from video_orchestrator.store import Database
from video_orchestrator.store.job_queue import JobQueue, Lease


class RecordingRunner:
    """A Runner that finishes every job at once and remembers who ran what."""

    def __init__(self, db: Database, ran: list[tuple[str, str]]) -> None:
        self.queue = JobQueue(db)
        self.ran = ran

    def run(self, lease: Lease, abandon: threading.Event | None = None) -> str:
        self.ran.append((lease.job_id, lease.worker))
        self.queue.finish(lease, "succeeded", log_line="finished")
        return "succeeded"


def setup(tmp_path: Path) -> tuple[Settings, Database, str]:
    settings = Settings(data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path / 'vo.db'}")
    db = Database(settings.database())
    db.migrate()
    project = ProjectService(db).create(ProjectCreate(topic="bees"))
    (job,) = JobService(db, None).submit_project(project.id)
    return settings, db, job.id


def test_a_thread_executor_runs_a_queued_job_with_the_runner_it_was_handed(
    tmp_path: Path,
) -> None:
    settings, db, job_id = setup(tmp_path)
    ran: list[tuple[str, str]] = []
    made: list[Settings] = []

    def make_runner(given: Settings) -> RecordingRunner:
        made.append(given)
        return RecordingRunner(db, ran)

    handed: MakeRunner = make_runner
    executor = ThreadExecutor(settings, db, handed, workers=1)
    executor.start()
    try:
        executor.submit(job_id)
        deadline = time.monotonic() + 10
        while not ran and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        executor.end()
    assert [job for job, _ in ran] == [job_id]
    assert ran[0][1].endswith(":thread0")
    assert made == [settings]  # each worker builds its runner from the settings
    assert JobService(db, None).get(job_id).status == "succeeded"
    db.dispose()


def test_a_celery_task_runs_only_a_job_it_could_claim(tmp_path: Path) -> None:
    _, db, job_id = setup(tmp_path)
    ran: list[tuple[str, str]] = []
    runner = RecordingRunner(db, ran)
    assert run_claimed(runner, job_id, stale_after=5) == "succeeded"
    assert run_claimed(runner, job_id, stale_after=5) == "skipped"  # delivered twice: done
    assert [job for job, _ in ran] == [job_id] and ran[0][1].endswith(":celery")
    db.dispose()
