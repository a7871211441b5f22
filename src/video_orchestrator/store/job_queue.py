"""The render queue, kept in the database: claim, heartbeat, progress, finish, recover.

Every state change is one short transaction, so the API process, local worker processes and
Celery workers on other machines can share it. A claim is a single conditional ``UPDATE``:
of two workers racing for a job, exactly one gets it.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import or_, select, update

from video_orchestrator.store.db import Database
from video_orchestrator.store.tables import Job, Output, utcnow

ACTIVE = ("queued", "running")
FINISHED = ("succeeded", "failed", "cancelled")
LOG_TAIL_CHARS = 4000


def worker_name(tag: str = "local") -> str:
    """``host:pid:tag`` — tells the recovery code whether the worker can still be alive."""
    return f"{socket.gethostname()}:{os.getpid()}:{tag}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed process nobody has reaped yet (a zombie) is not alive either
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[0] != "Z"


def worker_is_dead(worker: str | None) -> bool:
    """True when ``worker`` ran on this host and its process is gone."""
    if not worker:
        return True
    host, _, rest = worker.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    return not _pid_alive(int(pid_text))


@dataclass(frozen=True)
class Recovered:
    requeued: list[str]
    failed: list[str]


class JobQueue:
    def __init__(self, db: Database) -> None:
        self.db = db

    def claim_next(self, worker: str) -> str | None:
        """Take the oldest queued job; its id, or None when the queue is empty."""
        for _ in range(5):
            with self.db.session() as session:
                candidate = session.scalar(
                    select(Job.id)
                    .where(Job.status == "queued")
                    .order_by(Job.created_at, Job.id)
                    .limit(1)
                )
                if candidate is None:
                    return None
            if self.claim(candidate, worker):
                return candidate
        return None

    def claim(self, job_id: str, worker: str, *, stale_after: float | None = None) -> bool:
        """Mark ``job_id`` running for ``worker`` if it is queued (or, with ``stale_after``,
        running on a worker silent for that many seconds). True when this worker got it."""
        now = utcnow()
        condition = Job.status == "queued"
        if stale_after is not None:
            condition = or_(
                condition,
                (Job.status == "running")
                & (Job.heartbeat_at < now - timedelta(seconds=stale_after)),
            )
        with self.db.session() as session:
            result = session.execute(
                update(Job)
                .where(Job.id == job_id, condition, Job.cancel_requested.is_(False))
                .values(
                    status="running",
                    worker=worker,
                    attempts=Job.attempts + 1,
                    started_at=now,
                    heartbeat_at=now,
                    updated_at=now,
                    step="starting",
                    error=None,
                )
                .execution_options(synchronize_session=False)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def heartbeat(self, job_id: str, worker: str) -> bool:
        """Refresh the heartbeat; returns True when a cancel was requested."""
        with self.db.session() as session:
            now = utcnow()
            session.execute(
                update(Job)
                .where(Job.id == job_id, Job.worker == worker, Job.status == "running")
                .values(heartbeat_at=now)
                .execution_options(synchronize_session=False)
            )
            return bool(session.scalar(select(Job.cancel_requested).where(Job.id == job_id)))

    def progress(
        self,
        job_id: str,
        *,
        step: str,
        progress: float,
        eta_seconds: float | None,
        log_line: str | None = None,
    ) -> None:
        with self.db.session() as session:
            job = session.get(Job, job_id)
            if job is None or job.status != "running":
                return
            job.step = step
            job.progress = max(0.0, min(1.0, progress))
            job.eta_seconds = eta_seconds
            now = utcnow()
            job.heartbeat_at = now
            job.updated_at = now
            if log_line:
                job.log_tail = (job.log_tail + log_line.rstrip() + "\n")[-LOG_TAIL_CHARS:]

    def finish(
        self,
        job_id: str,
        status: str,
        *,
        error: str | None = None,
        outputs: list[Output] | None = None,
        log_line: str | None = None,
    ) -> None:
        with self.db.session() as session:
            job = session.get(Job, job_id)
            if job is None:
                return
            now = utcnow()
            job.status = status
            job.error = error
            job.finished_at = now
            job.updated_at = now
            job.eta_seconds = None
            if status == "succeeded":
                job.progress = 1.0
                job.step = "done"
            if log_line:
                job.log_tail = (job.log_tail + log_line.rstrip() + "\n")[-LOG_TAIL_CHARS:]
            for output in outputs or []:
                job.outputs.append(output)

    def recover(self, *, stale_after: float, only_dead_local: bool = False) -> Recovered:
        """Jobs left 'running' by a worker that died: queued again while attempts remain,
        failed after that. A worker counts as dead when it ran on this host and its process
        is gone, or (unless ``only_dead_local``) when its heartbeat is older than
        ``stale_after`` seconds."""
        requeued: list[str] = []
        failed: list[str] = []
        cutoff: datetime = utcnow() - timedelta(seconds=stale_after)
        with self.db.session() as session:
            rows = session.scalars(select(Job).where(Job.status == "running")).all()
            for job in rows:
                dead = worker_is_dead(job.worker)
                stale = job.heartbeat_at is None or job.heartbeat_at < cutoff
                if not (dead or (stale and not only_dead_local)):
                    continue
                now = utcnow()
                note = f"the worker {job.worker} stopped during attempt {job.attempts}"
                job.updated_at = now
                job.worker = None
                if job.cancel_requested:
                    job.status, job.finished_at = "cancelled", now
                    job.log_tail = (job.log_tail + note + "; cancelled\n")[-LOG_TAIL_CHARS:]
                    failed.append(job.id)
                elif job.attempts < job.max_attempts:
                    job.status, job.step, job.progress = "queued", "queued", 0.0
                    job.log_tail = (job.log_tail + note + "; queued again\n")[-LOG_TAIL_CHARS:]
                    requeued.append(job.id)
                else:
                    job.status, job.finished_at = "failed", now
                    job.error = (
                        f"the worker stopped {job.attempts} times while rendering this job; "
                        "see the log, then retry"
                    )
                    job.log_tail = (job.log_tail + note + "; giving up\n")[-LOG_TAIL_CHARS:]
                    failed.append(job.id)
        return Recovered(requeued=requeued, failed=failed)

    # -- the outbox (ADR 0018): queued jobs the broker has not been handed ------------------

    def waiting_since(self, job_id: str) -> datetime | None:
        """When ``job_id`` was (last) queued, while it waits to be sent; None when it is not
        queued (running, finished, cancelled) or gone: nothing to send."""
        with self.db.session() as session:
            return session.scalar(
                select(Job.updated_at).where(
                    Job.id == job_id, Job.status == "queued", Job.cancel_requested.is_(False)
                )
            )

    def unsent(self, *, older_than: float, limit: int = 100) -> list[tuple[str, datetime]]:
        """Queued jobs not handed to the broker since they were (last) queued, at least
        ``older_than`` seconds ago (younger ones are still being sent by their request): each
        with the ``updated_at`` to give :meth:`mark_sent`. Oldest first."""
        cutoff = utcnow() - timedelta(seconds=older_than)
        with self.db.session() as session:
            rows = session.execute(
                select(Job.id, Job.updated_at)
                .where(
                    Job.status == "queued",
                    Job.cancel_requested.is_(False),
                    or_(Job.sent_at.is_(None), Job.sent_at != Job.updated_at),
                    Job.updated_at < cutoff,
                )
                .order_by(Job.created_at, Job.id)
                .limit(limit)
            ).all()
            return [(job_id, since) for job_id, since in rows]

    def mark_sent(self, job_id: str, since: datetime) -> None:
        """Record that the job queued at ``since`` was handed to the broker. Does nothing when
        it has been queued again since (that queuing needs a send of its own)."""
        with self.db.session() as session:
            session.execute(
                update(Job)
                .where(Job.id == job_id, Job.updated_at == since)
                .values(sent_at=since)
                .execution_options(synchronize_session=False)
            )
