"""The executor interface (shaped like Airflow's) and the local executor.

``start`` recovers jobs orphaned by a crash and starts the workers; ``submit`` hands a queued
job over; ``sync`` is the heartbeat (restarts dead workers, requeues their jobs); ``cancel``
asks a running job to stop; ``end`` stops the workers. The queue itself lives in the database,
so nothing is lost when the process dies: the next ``start`` finds the queued jobs again.

Executors do not import the work: the composition root hands each one a
:data:`~video_orchestrator.jobs.work.MakeRunner` (see ``jobs/work.py``).
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import multiprocessing.synchronize
import os
import threading
from typing import Protocol, runtime_checkable

from video_orchestrator.config import Settings
from video_orchestrator.jobs.work import MakeRunner
from video_orchestrator.store import Database
from video_orchestrator.store.job_queue import JobQueue, Recovered, worker_name

logger = logging.getLogger(__name__)


class Executor(Protocol):
    name: str

    def start(self) -> Recovered: ...

    def submit(self, job_id: str) -> None: ...

    def sync(self) -> None: ...

    def cancel(self, job_id: str) -> None: ...

    def end(self) -> None: ...

    def alive_workers(self) -> int: ...


#: How often a worker process checks that its parent is alive, and how long it lets the job
#: it was running stop (FFmpeg terminated, nothing written) before it exits anyway.
PARENT_CHECK_SECONDS = 0.5
ORPHAN_GRACE_SECONDS = 10.0


def _watch_parent(
    parent_pid: int,
    orphaned: threading.Event,
    done: threading.Event,
) -> None:
    """In a worker process: when the parent (``vo serve``, ``vo worker``) is gone, set
    ``orphaned`` (the running attempt stops its FFmpeg and writes nothing: recovery, seeing
    this process gone, queues the job again) and exit once the loop has ended, or after
    :data:`ORPHAN_GRACE_SECONDS` in any case."""
    while not done.wait(PARENT_CHECK_SECONDS):
        if os.getppid() == parent_pid:
            continue
        logger.warning("worker %d: its parent %d is gone; stopping", os.getpid(), parent_pid)
        orphaned.set()
        done.wait(ORPHAN_GRACE_SECONDS)
        os._exit(0 if done.is_set() else 1)


@runtime_checkable
class HasBroker(Protocol):
    """An executor that moves jobs through a broker (Celery): readiness reports the broker."""

    def broker_status(self) -> str:
        """``ok`` when the broker answers, else one sentence saying what is wrong."""
        ...


def worker_loop(
    settings_json: str,
    make_runner: MakeRunner,
    wake: multiprocessing.synchronize.Semaphore | threading.Semaphore | None,
    stop: multiprocessing.synchronize.Event | threading.Event,
    poll_seconds: float = 1.0,
    tag: str = "local",
    parent_pid: int | None = None,
) -> None:
    """A worker: claim the oldest queued job, run it, repeat until ``stop`` is set. With
    ``parent_pid`` (a worker process) it also ends when that process is gone: it claims
    nothing more and abandons the running attempt (ADR 0017)."""
    orphaned = threading.Event()
    done = threading.Event()
    if parent_pid is not None:
        if os.getppid() != parent_pid:
            return  # the parent died while this process was starting
        threading.Thread(
            target=_watch_parent,
            args=(parent_pid, orphaned, done),
            name="parent-watch",
            daemon=True,
        ).start()
    try:
        runner = make_runner(Settings.model_validate_json(settings_json))
        me = worker_name(tag)
        logger.info("worker %s ready", me)
        while not stop.is_set() and not orphaned.is_set():
            lease = runner.queue.claim_next(me)
            if lease is None:
                if wake is not None:
                    wake.acquire(timeout=poll_seconds)
                else:
                    stop.wait(poll_seconds)
                continue
            logger.info("worker %s runs attempt %d of job %s", me, lease.attempt, lease.job_id)
            runner.run(lease, orphaned if parent_pid is not None else None)
    finally:
        done.set()


class LocalExecutor:
    """Worker processes on this machine, fed from the database queue."""

    name = "local"

    def __init__(
        self,
        settings: Settings,
        db: Database,
        make_runner: MakeRunner,
        *,
        workers: int | None = None,
    ) -> None:
        """``make_runner`` must be a module-level function: it is sent to spawned processes."""
        self.settings = settings
        self.make_runner = make_runner
        self.queue = JobQueue(db)
        self.count = workers or settings.workers
        self._mp = multiprocessing.get_context("spawn")
        self._wake = self._mp.Semaphore(0)
        self._stop = self._mp.Event()
        self._processes: list[multiprocessing.process.BaseProcess] = []

    def _spawn(self) -> multiprocessing.process.BaseProcess:
        process = self._mp.Process(
            target=worker_loop,
            args=(
                self.settings.model_dump_json(),
                self.make_runner,
                self._wake,
                self._stop,
                1.0,
                "local",
                os.getpid(),  # the worker ends when this process is gone
            ),
            name="vo-worker",
            daemon=True,
        )
        process.start()
        return process

    def start(self) -> Recovered:
        recovered = self.queue.recover(stale_after=self.settings.job_stale_seconds)
        if recovered.requeued or recovered.failed:
            logger.info(
                "recovered jobs: requeued %s, failed %s", *map(len, recovered.__dict__.values())
            )
        self._processes = [self._spawn() for _ in range(self.count)]
        return recovered

    def submit(self, job_id: str) -> None:
        self._wake.release()

    def sync(self) -> None:
        for index, process in enumerate(self._processes):
            if not process.is_alive() and not self._stop.is_set():
                logger.warning(
                    "worker %s stopped (exit %s); starting another", process.pid, process.exitcode
                )
                self._processes[index] = self._spawn()
        recovered = self.queue.recover(stale_after=self.settings.job_stale_seconds)
        for _ in recovered.requeued:
            self._wake.release()

    def cancel(self, job_id: str) -> None:
        """The runner's heartbeat sees the database flag and stops FFmpeg."""

    def alive_workers(self) -> int:
        return sum(1 for p in self._processes if p.is_alive())

    def end(self) -> None:
        self._stop.set()
        for _ in self._processes:
            self._wake.release()
        for process in self._processes:
            process.join(timeout=10)
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)
            process.close()
        self._processes = []
        # Fresh primitives for a later start(); dropping the old ones lets multiprocessing
        # release their named semaphores now rather than warn about them at exit.
        self._wake = self._mp.Semaphore(0)
        self._stop = self._mp.Event()
        gc.collect()


class ThreadExecutor:
    """Workers as threads of this process: for a desktop app or an embedded use where extra
    processes are unwanted. Same queue, same runner, same recovery as the local executor."""

    name = "threads"

    def __init__(
        self, settings: Settings, db: Database, make_runner: MakeRunner, *, workers: int = 1
    ) -> None:
        self.settings = settings
        self.make_runner = make_runner
        self.queue = JobQueue(db)
        self.count = workers
        self._wake = threading.Semaphore(0)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> Recovered:
        recovered = self.queue.recover(stale_after=self.settings.job_stale_seconds)
        for index in range(self.count):
            thread = threading.Thread(
                target=worker_loop,
                args=(
                    self.settings.model_dump_json(),
                    self.make_runner,
                    self._wake,
                    self._stop,
                    1.0,
                    f"thread{index}",
                ),
                name=f"vo-worker-{index}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)
        return recovered

    def submit(self, job_id: str) -> None:
        self._wake.release()

    def sync(self) -> None:
        for _ in self.queue.recover(stale_after=self.settings.job_stale_seconds).requeued:
            self._wake.release()

    def cancel(self, job_id: str) -> None:
        """The runner's heartbeat sees the database flag and stops FFmpeg."""

    def alive_workers(self) -> int:
        return sum(1 for t in self._threads if t.is_alive())

    def end(self) -> None:
        self._stop.set()
        for _ in self._threads:
            self._wake.release()
        for thread in self._threads:
            thread.join(timeout=30)
        self._threads = []


def make_executor(settings: Settings, db: Database, make_runner: MakeRunner) -> Executor:
    """The executor the settings name, handed the work its workers run."""
    if settings.executor == "celery":
        from video_orchestrator.jobs.celery_executor import CeleryExecutor

        return CeleryExecutor(settings, db, make_runner)
    return LocalExecutor(settings, db, make_runner)
