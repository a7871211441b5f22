"""The Celery executor: the same job code, run by Celery workers over Redis.

Tasks carry only a job id. ``acks_late`` with ``reject_on_worker_lost`` means a job whose worker
dies is delivered again; the new worker may take it over once the old heartbeat is stale.
``vo worker`` (with ``VO_EXECUTOR=celery``) starts a worker.
"""

from __future__ import annotations

import logging
from functools import cache

from celery import Celery

from video_orchestrator.config import Settings
from video_orchestrator.jobs.work import MakeRunner, Runner
from video_orchestrator.store import Database
from video_orchestrator.store.job_queue import JobQueue, Recovered, worker_name

logger = logging.getLogger(__name__)

TASK_NAME = "video_orchestrator.run_job"
QUEUE = "vo-render"


def make_celery(settings: Settings, make_runner: MakeRunner | None = None) -> Celery:
    """The Celery app; with ``make_runner`` (a worker) it also has the task that runs a job,
    without it (a server that only sends jobs) it has none."""
    app = Celery("video_orchestrator", broker=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        task_default_queue=QUEUE,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": max(60, settings.job_stale_seconds * 4)},
        worker_hijack_root_logger=False,
    )
    if make_runner is None:
        return app
    build: MakeRunner = make_runner

    @cache
    def runner() -> Runner:  # one per worker process, made on its first task
        return build(settings)

    @app.task(name=TASK_NAME, bind=True, acks_late=True)  # type: ignore[untyped-decorator]
    def run_job(task: object, job_id: str) -> str:
        return run_claimed(runner(), job_id, stale_after=settings.job_stale_seconds)

    return app


def run_claimed(runner: Runner, job_id: str, *, stale_after: float) -> str:
    """Take the job over (unless it is done, cancelled or another live worker has it), run it."""
    me = worker_name("celery")
    lease = runner.queue.claim(job_id, me, stale_after=stale_after)
    if lease is None:
        logger.info("job %s is not waiting (done, cancelled or taken): skipped", job_id)
        return "skipped"
    return runner.run(lease)


class CeleryExecutor:
    name = "celery"

    def __init__(
        self, settings: Settings, db: Database, make_runner: MakeRunner | None = None
    ) -> None:
        """Without ``make_runner`` the executor only sends jobs (a server whose Celery
        workers run elsewhere); ``vo worker`` gives it the runner its tasks call."""
        self.settings = settings
        self.queue = JobQueue(db)
        self.app = make_celery(settings, make_runner)

    def start(self) -> Recovered:
        recovered = self.queue.recover(stale_after=self.settings.job_stale_seconds)
        for job_id in recovered.requeued:
            self.submit(job_id)
        return recovered

    def submit(self, job_id: str) -> None:
        self.app.send_task(TASK_NAME, args=[job_id], queue=QUEUE)

    def sync(self) -> None:
        for job_id in self.queue.recover(stale_after=self.settings.job_stale_seconds).requeued:
            self.submit(job_id)

    def cancel(self, job_id: str) -> None:
        """Running jobs stop through the database flag; queued tasks find the job cancelled."""

    def alive_workers(self) -> int:
        try:
            replies = self.app.control.ping(timeout=1.0) or []
        except Exception:  # broker down: no workers we can see
            return 0
        return len(replies)

    def end(self) -> None:
        self.app.close()

    def worker_main(self, concurrency: int) -> None:
        self.app.worker_main(
            [
                "worker",
                "--loglevel=INFO",
                f"--concurrency={concurrency}",
                "-Q",
                QUEUE,
                "--pool=prefork",
            ]
        )
