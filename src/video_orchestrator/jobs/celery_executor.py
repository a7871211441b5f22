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
from video_orchestrator.store import Database
from video_orchestrator.store.job_queue import JobQueue, Recovered, worker_name

logger = logging.getLogger(__name__)

TASK_NAME = "video_orchestrator.run_job"
QUEUE = "vo-render"


def make_celery(settings: Settings) -> Celery:
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

    @app.task(name=TASK_NAME, bind=True, acks_late=True)  # type: ignore[untyped-decorator]
    def run_job(task: object, job_id: str) -> str:
        return _run_in_worker(settings.model_dump_json(), job_id)

    return app


@cache
def _runner(settings_json: str) -> object:
    from video_orchestrator.services.context import AppContext
    from video_orchestrator.services.job_runner import JobRunner

    return JobRunner(AppContext(Settings.model_validate_json(settings_json)).with_stored_secrets())


def _run_in_worker(settings_json: str, job_id: str) -> str:
    from video_orchestrator.services.job_runner import JobRunner

    runner = _runner(settings_json)
    assert isinstance(runner, JobRunner)
    me = worker_name("celery")
    stale = runner.ctx.settings.job_stale_seconds
    if not runner.queue.claim(job_id, me, stale_after=stale):
        logger.info("job %s is not waiting (done, cancelled or taken): skipped", job_id)
        return "skipped"
    return runner.run(job_id, me)


class CeleryExecutor:
    name = "celery"

    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.queue = JobQueue(db)
        self.app = make_celery(settings)

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
