"""The Celery executor: the same job code, run by Celery workers over Redis.

Tasks carry only a job id. ``acks_late`` with ``reject_on_worker_lost`` means a job whose worker
dies is delivered again; the new worker may take it over once the old heartbeat is stale.
``vo worker`` (with ``VO_EXECUTOR=celery``) starts a worker.

The job row is the outbox (ADR 0018): it is committed ``queued`` before anything is sent, a
successful send marks it (``sent_at``), and every ``sync`` sends the queued jobs that carry no
mark — those submitted while the broker was down, or queued again since. A job may so be
delivered twice; the worker's conditional claim runs it once.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime
from functools import cache

from celery import Celery
from kombu.exceptions import OperationalError

from video_orchestrator.config import Settings
from video_orchestrator.errors import VoError
from video_orchestrator.jobs.work import MakeRunner, Runner
from video_orchestrator.store import Database
from video_orchestrator.store.job_queue import JobQueue, Recovered, worker_name

logger = logging.getLogger(__name__)

TASK_NAME = "video_orchestrator.run_job"
QUEUE = "vo-render"
#: A queued job younger than this is left to the request that queued it; the sweep sends it
#: after (a request's send is bounded by ``SEND_RETRY`` and the connect timeout below).
SEND_GRACE_SECONDS = 5.0
#: After a failed send, requests skip sending (the sweep does it) for this long: a client
#: is answered at once while the broker is down, not after a connection attempt each.
BROKER_DOWN_SECONDS = 2.0
#: One send: a few quick attempts, then the job waits for the sweep.
SEND_RETRY = {"max_retries": 2, "interval_start": 0.0, "interval_step": 0.2, "interval_max": 0.5}
CONNECT_TIMEOUT_SECONDS = 2.0


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
        broker_transport_options={
            "visibility_timeout": max(60, settings.job_stale_seconds * 4),
            "socket_connect_timeout": CONNECT_TIMEOUT_SECONDS,
        },
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
        self._lock = threading.Lock()
        self._sending: set[str] = set()  # being sent by this process now: the sweep skips them
        self._down_at: float | None = None  # when a send last failed; None once one succeeds

    def start(self) -> Recovered:
        recovered = self.queue.recover(stale_after=self.settings.job_stale_seconds)
        for job_id in recovered.requeued:
            self._send(job_id)
        self.send_unsent()
        return recovered

    def submit(self, job_id: str) -> None:
        """Hand a committed queued job to the broker. While the broker is down the job stays
        in the database unsent, and a later ``sync`` sends it: no error reaches the caller."""
        if self._down_at is not None and time.monotonic() - self._down_at < BROKER_DOWN_SECONDS:
            return
        self._send(job_id)

    def sync(self) -> None:
        for job_id in self.queue.recover(stale_after=self.settings.job_stale_seconds).requeued:
            self._send(job_id)
        self.send_unsent()

    def send_unsent(self, older_than: float = SEND_GRACE_SECONDS) -> int:
        """Send the queued jobs the broker was not handed (the outbox sweep), queued at least
        ``older_than`` seconds ago; how many were sent. Stops at the first failure: the
        broker is down, the next sync tries again."""
        sent = 0
        for job_id, since in self.queue.unsent(older_than=older_than):
            with self._lock:
                if job_id in self._sending:
                    continue
            if not self._send(job_id, since):
                break
            sent += 1
        if sent:
            logger.info("sent %d queued jobs the broker had not received", sent)
        return sent

    def _send(self, job_id: str, since: datetime | None = None) -> bool:
        """Send one job and mark it sent; False when the broker cannot be reached."""
        since = since or self.queue.waiting_since(job_id)
        if since is None:
            return True  # not queued any more (taken, cancelled, finished): nothing to send
        with self._lock:
            self._sending.add(job_id)
        try:
            self.app.send_task(
                TASK_NAME, args=[job_id], queue=QUEUE, retry=True, retry_policy=SEND_RETRY
            )
        except (OperationalError, OSError) as exc:
            if self._down_at is None:
                logger.warning(
                    "the broker %s cannot be reached (%s): queued jobs wait in the database "
                    "and are sent once it is back",
                    self.broker_name,
                    exc,
                )
            self._down_at = time.monotonic()
            return False
        finally:
            with self._lock:
                self._sending.discard(job_id)
        if self._down_at is not None:
            logger.warning("the broker %s is reachable again", self.broker_name)
            self._down_at = None
        self.queue.mark_sent(job_id, since)
        return True

    @property
    def broker_name(self) -> str:
        """The broker's URL without its password."""
        with self.app.connection_for_write() as connection:
            return str(connection.as_uri())

    def broker_status(self) -> str:
        """``ok`` when the broker answers, else one sentence for a readiness report."""
        try:
            with self.app.connection_for_write() as connection:
                connection.ensure_connection(
                    max_retries=1,
                    interval_start=0,
                    interval_step=0,
                    timeout=CONNECT_TIMEOUT_SECONDS,
                )
        except (OperationalError, OSError) as exc:
            try:
                waiting = f"{len(self.queue.unsent(older_than=0))} queued jobs wait"
            except VoError:  # the database check says why
                waiting = "queued jobs wait"
            return (
                f"the broker {self.broker_name} does not answer ({exc}); "
                f"{waiting} in the database to be sent"
            )
        return "ok"

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
