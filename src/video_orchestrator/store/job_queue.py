"""The render queue, kept in the database: claim, heartbeat, progress, finish, recover.

Every state change is one short transaction, so the API process, local worker processes and
Celery workers on other machines can share it. A claim is a single conditional ``UPDATE``:
of two workers racing for a job, exactly one gets it, and gets a :class:`Lease` (the job, the
worker, the attempt number). Every later change the worker makes (heartbeat, progress,
finish with its outputs) is one conditional ``UPDATE … WHERE id AND worker AND attempts AND
status='running'`` on that lease (ADR 0017): when recovery has given the job to another
attempt, it matches no row, writes nothing and raises :class:`JobSuperseded`.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import ColumnElement, or_, select, update

from video_orchestrator.errors import JobSuperseded
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
class Lease:
    """One attempt's ownership of a job: what every state change of that attempt is fenced
    on. ``attempt`` is the job's ``attempts`` counter as the claim left it; it only grows."""

    job_id: str
    worker: str
    attempt: int


def _due(now: datetime) -> ColumnElement[bool]:
    """A job whose time has come: it has no ``not_before``, or that moment has passed."""
    return or_(Job.not_before.is_(None), Job.not_before <= now)


def _owned(lease: Lease) -> ColumnElement[bool]:
    return (
        (Job.id == lease.job_id)
        & (Job.worker == lease.worker)
        & (Job.attempts == lease.attempt)
        & (Job.status == "running")
    )


def _superseded(lease: Lease) -> JobSuperseded:
    return JobSuperseded(
        f"attempt {lease.attempt} of the job {lease.job_id} was taken over by another worker "
        "and stopped without writing anything"
    )


@dataclass(frozen=True)
class Recovered:
    requeued: list[str]
    failed: list[str]


class JobQueue:
    def __init__(self, db: Database) -> None:
        self.db = db

    def claim_next(self, worker: str) -> Lease | None:
        """Take the oldest queued job; its lease, or None when the queue is empty."""
        for _ in range(5):
            with self.db.session() as session:
                candidate = session.scalar(
                    select(Job.id)
                    .where(Job.status == "queued", _due(utcnow()))
                    .order_by(Job.created_at, Job.id)
                    .limit(1)
                )
                if candidate is None:
                    return None
            lease = self.claim(candidate, worker)
            if lease is not None:
                return lease
        return None

    def claim(self, job_id: str, worker: str, *, stale_after: float | None = None) -> Lease | None:
        """Mark ``job_id`` running for ``worker`` if it is queued (or, with ``stale_after``,
        running on a worker silent for that many seconds): the new attempt's lease, or None
        when this worker did not get it."""
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
            if not result.rowcount:  # type: ignore[attr-defined]
                return None
            # the row is ours until this transaction ends: the counter read is this claim's
            attempt = session.scalar(select(Job.attempts).where(Job.id == job_id))
            return Lease(job_id, worker, int(attempt or 0))

    def _fenced(self, lease: Lease, values: dict[str, object], log_line: str | None) -> None:
        """One conditional UPDATE on the lease (then the log line, on the row it now holds
        locked); raises :class:`JobSuperseded` when the lease no longer owns the job."""
        with self.db.session() as session:
            result = session.execute(
                update(Job)
                .where(_owned(lease))
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                raise _superseded(lease)
            if log_line:
                tail = session.scalar(select(Job.log_tail).where(Job.id == lease.job_id)) or ""
                session.execute(
                    update(Job)
                    .where(Job.id == lease.job_id)
                    .values(log_tail=(tail + log_line.rstrip() + "\n")[-LOG_TAIL_CHARS:])
                    .execution_options(synchronize_session=False)
                )

    def heartbeat(self, lease: Lease) -> bool:
        """Refresh the heartbeat; True when a cancel was requested. Raises
        :class:`JobSuperseded` when the attempt no longer owns the job."""
        with self.db.session() as session:
            result = session.execute(
                update(Job)
                .where(_owned(lease))
                .values(heartbeat_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                raise _superseded(lease)
            return bool(session.scalar(select(Job.cancel_requested).where(Job.id == lease.job_id)))

    def progress(
        self,
        lease: Lease,
        *,
        step: str,
        progress: float,
        eta_seconds: float | None,
        log_line: str | None = None,
    ) -> None:
        """Record the attempt's progress (and refresh its heartbeat); raises
        :class:`JobSuperseded` when the attempt no longer owns the job."""
        now = utcnow()
        values: dict[str, object] = {
            "step": step,
            "progress": max(0.0, min(1.0, progress)),
            "eta_seconds": eta_seconds,
            "heartbeat_at": now,
            "updated_at": now,
        }
        self._fenced(lease, values, log_line)

    def finish(
        self,
        lease: Lease,
        status: str,
        *,
        error: str | None = None,
        outputs: list[Output] | None = None,
        log_line: str | None = None,
    ) -> None:
        """End the attempt with ``status``; the output rows are committed with it, or, when
        the attempt no longer owns the job, nothing is written and :class:`JobSuperseded`
        is raised."""
        now = utcnow()
        values: dict[str, object] = {
            "status": status,
            "error": error,
            "finished_at": now,
            "updated_at": now,
            "eta_seconds": None,
        }
        if status == "succeeded":
            values |= {"progress": 1.0, "step": "done"}
        with self.db.session() as session:
            result = session.execute(
                update(Job)
                .where(_owned(lease))
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                raise _superseded(lease)
            job = session.get(Job, lease.job_id, populate_existing=True)
            if job is None:  # pragma: no cover - the UPDATE above matched it
                raise _superseded(lease)
            if log_line:
                job.log_tail = (job.log_tail + log_line.rstrip() + "\n")[-LOG_TAIL_CHARS:]
            for output in outputs or []:
                job.outputs.append(output)

    def recover(self, *, stale_after: float, only_dead_local: bool = False) -> Recovered:
        """Jobs left 'running' by a worker that died: queued again while attempts remain,
        failed after that. A worker counts as dead when it ran on this host and its process
        is gone, or (unless ``only_dead_local``) when its heartbeat is older than
        ``stale_after`` seconds. Each job is changed by one conditional UPDATE on the attempt
        that was seen, so a job its worker finished (or heartbeated) meanwhile is left alone."""
        requeued: list[str] = []
        failed: list[str] = []
        cutoff: datetime = utcnow() - timedelta(seconds=stale_after)
        with self.db.session() as session:
            rows = session.execute(
                select(
                    Job.id,
                    Job.worker,
                    Job.attempts,
                    Job.max_attempts,
                    Job.heartbeat_at,
                    Job.cancel_requested,
                ).where(Job.status == "running")
            ).all()
        for job_id, worker, attempts, max_attempts, heartbeat_at, cancel in rows:
            dead = worker_is_dead(worker)
            stale = heartbeat_at is None or heartbeat_at < cutoff
            if not (dead or (stale and not only_dead_local)):
                continue
            now = utcnow()
            note = f"the worker {worker} stopped during attempt {attempts}"
            values: dict[str, object] = {"updated_at": now, "worker": None}
            if cancel:
                values |= {"status": "cancelled", "finished_at": now}
                note, ended = note + "; cancelled", failed
            elif attempts < max_attempts:
                values |= {"status": "queued", "step": "queued", "progress": 0.0}
                note, ended = note + "; queued again", requeued
            else:
                values |= {
                    "status": "failed",
                    "finished_at": now,
                    "error": f"the worker stopped {attempts} times while rendering this job; "
                    "see the log, then retry",
                }
                note, ended = note + "; giving up", failed
            seen = (
                (Job.id == job_id)
                & (Job.status == "running")
                & (Job.worker.is_(None) if worker is None else Job.worker == worker)
                & (Job.attempts == attempts)
            )
            if not dead:  # only while still silent: a heartbeat since then keeps it running
                seen = seen & (Job.heartbeat_at.is_(None) | (Job.heartbeat_at < cutoff))
            with self.db.session() as session:
                result = session.execute(
                    update(Job)
                    .where(seen)
                    .values(**values)
                    .execution_options(synchronize_session=False)
                )
                if not result.rowcount:  # type: ignore[attr-defined]
                    continue
                tail = session.scalar(select(Job.log_tail).where(Job.id == job_id)) or ""
                session.execute(
                    update(Job)
                    .where(Job.id == job_id)
                    .values(log_tail=(tail + note + "\n")[-LOG_TAIL_CHARS:])
                    .execution_options(synchronize_session=False)
                )
            ended.append(job_id)
        return Recovered(requeued=requeued, failed=failed)

    # -- the outbox (ADR 0018): queued jobs the broker has not been handed ------------------

    def waiting_since(self, job_id: str) -> datetime | None:
        """When ``job_id`` was (last) queued, while it waits to be sent; None when it is not
        queued (running, finished, cancelled), not due yet (the outbox sweep sends it when its
        ``not_before`` comes) or gone: nothing to send now."""
        with self.db.session() as session:
            return session.scalar(
                select(Job.updated_at).where(
                    Job.id == job_id,
                    Job.status == "queued",
                    Job.cancel_requested.is_(False),
                    _due(utcnow()),
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
                    _due(utcnow()),
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
