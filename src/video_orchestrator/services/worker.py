"""Running workers in the foreground (``vo worker``): local worker processes fed from the
database queue, or a Celery worker (``VO_EXECUTOR=celery``)."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from video_orchestrator.config import Settings
from video_orchestrator.jobs.executor import LocalExecutor, worker_loop
from video_orchestrator.services.context import AppContext
from video_orchestrator.store.job_queue import JobQueue

logger = logging.getLogger(__name__)


def run_worker(settings: Settings, concurrency: int = 1) -> None:
    """Work until SIGINT/SIGTERM. Jobs a dead local worker left are queued again first."""
    ctx = AppContext(settings)
    if settings.executor == "celery":
        from video_orchestrator.jobs.celery_executor import CeleryExecutor

        executor = CeleryExecutor(settings, ctx.db)
        executor.start()
        executor.worker_main(concurrency)
        return
    JobQueue(ctx.db).recover(stale_after=settings.job_stale_seconds, only_dead_local=True)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if concurrency <= 1:
        worker_loop(settings.model_dump_json(), None, stop, poll_seconds=0.2, tag="worker")
        return
    pool = LocalExecutor(settings, ctx.db, workers=concurrency)
    pool.start()
    try:
        while not stop.wait(2.0):
            pool.sync()
    finally:
        pool.end()
