"""Job workers: the runner each worker builds for itself — what the composition root hands
the executors (``jobs/work.py``) — and ``vo worker``, running workers in the foreground: local
worker processes fed from the database queue, or a Celery worker (``VO_EXECUTOR=celery``)."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from video_orchestrator.config import Settings
from video_orchestrator.jobs.executor import LocalExecutor, worker_loop
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.job_runner import JobRunner
from video_orchestrator.services.secrets_store import SecretStore, secret_key
from video_orchestrator.store.job_queue import JobQueue, Lease

logger = logging.getLogger(__name__)


class WorkerRunner:
    """One worker's :class:`~video_orchestrator.jobs.work.Runner`: a :class:`JobRunner`,
    made again with the new keys when provider keys are saved through the UI or the API."""

    def __init__(self, settings: Settings) -> None:
        base = AppContext(settings)
        self.settings = settings
        self.db = base.db
        self.queue = JobQueue(base.db)
        self._secrets = SecretStore(base.db, secret_key(settings))
        self._seen = self._secrets.fingerprint()
        self._runner = JobRunner(base.with_stored_secrets())

    def run(self, lease: Lease, abandon: threading.Event | None = None) -> str:
        if self._secrets.fingerprint() != self._seen:
            self._seen = self._secrets.fingerprint()
            self._runner = JobRunner(AppContext(self.settings, db=self.db).with_stored_secrets())
        return self._runner.run(lease, abandon)


def worker_runner(settings: Settings) -> WorkerRunner:
    """The :data:`~video_orchestrator.jobs.work.MakeRunner` every executor is handed. A
    module-level function, so spawned worker processes can import it."""
    return WorkerRunner(settings)


def run_worker(settings: Settings, concurrency: int = 1) -> None:
    """Work until SIGINT/SIGTERM. Jobs a dead local worker left are queued again first."""
    ctx = AppContext(settings)
    if settings.executor == "celery":
        from video_orchestrator.jobs.celery_executor import CeleryExecutor  # Celery on demand

        executor = CeleryExecutor(settings, ctx.db, worker_runner)
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
        worker_loop(
            settings.model_dump_json(), worker_runner, None, stop, poll_seconds=0.2, tag="worker"
        )
        return
    pool = LocalExecutor(settings, ctx.db, worker_runner, workers=concurrency)
    pool.start()
    try:
        while not stop.wait(2.0):
            pool.sync()
    finally:
        pool.end()
