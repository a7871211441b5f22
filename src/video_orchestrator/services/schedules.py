"""Schedules: a task done again and again (ADR 0025) — poll the trend sources every 15
minutes, pull metrics every 6 hours, send a report every Monday, tidy the store.

A schedule is a row: a name, a task workload, a period and the next slot. :meth:`tick`
(called every few seconds by each server's sync thread, or by a test with its own clock)
creates the job of every slot that has come, exactly once however many servers tick at the
same moment: the slot moves on by a conditional UPDATE that only one server wins, and the
slot's job carries the dedupe key ``schedule:<name>@<slot>``, so even a winner that crashed
after creating its job cannot create a second one. Slots missed while no server ran are
not caught up one by one: one job runs, and the next slot is the first one in the future.

A violating change looks like: a timer thread per feature, a ``sleep`` loop in a handler
waiting for its next run, or a job created by a tick without its slot's dedupe key.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from video_orchestrator.errors import InputError, NotFoundError
from video_orchestrator.jobs.workload import TaskWorkload, parse_workload
from video_orchestrator.services.projects import new_id
from video_orchestrator.store import Database
from video_orchestrator.store.tables import Job, Schedule, utcnow

NAME = re.compile(r"[a-z0-9][a-z0-9_.:-]{0,99}")
#: Shortest period: a schedule is for periodic work, not a busy loop.
MIN_SECONDS = 10


class ScheduleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    kind: str
    every_seconds: int
    next_run_at: datetime
    enabled: bool
    last_job_id: str | None


class ScheduleService:
    def __init__(
        self,
        db: Database,
        *,
        max_attempts: int = 3,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.max_attempts = max_attempts
        self.clock = clock

    def every(
        self,
        name: str,
        workload: TaskWorkload,
        *,
        seconds: int,
        first_at: datetime | None = None,
        enabled: bool = True,
    ) -> ScheduleOut:
        """Create or update the schedule ``name``: ``workload`` every ``seconds``, the first
        time at ``first_at`` (now when None). Updating keeps the next slot unless the period
        changed (then the next slot is ``first_at``, or now), so a server that registers its
        schedules at each start does not move them."""
        if not NAME.fullmatch(name):
            raise InputError(
                f"the schedule name {name!r} must be 1 to 100 lower-case letters, digits or . _ : -"
            )
        if seconds < MIN_SECONDS:
            raise InputError(f"a schedule runs at most every {MIN_SECONDS} seconds")
        now = self.clock()
        with self.db.session() as session:
            row = session.get(Schedule, name)
            if row is None:
                row = Schedule(name=name, next_run_at=first_at or now)
                session.add(row)
            elif row.every_seconds != seconds:
                row.next_run_at = first_at or now
            row.workload = workload.model_dump()
            row.every_seconds = seconds
            row.enabled = enabled
            row.updated_at = now
            session.flush()
            return _out(row)

    def remove(self, name: str) -> None:
        with self.db.session() as session:
            row = session.get(Schedule, name)
            if row is None:
                raise NotFoundError(f"there is no schedule named {name!r}")
            session.delete(row)

    def get(self, name: str) -> ScheduleOut:
        with self.db.session() as session:
            row = session.get(Schedule, name)
            if row is None:
                raise NotFoundError(f"there is no schedule named {name!r}")
            return _out(row)

    def all(self) -> list[ScheduleOut]:
        with self.db.session() as session:
            return [_out(r) for r in session.scalars(select(Schedule).order_by(Schedule.name))]

    def tick(self, now: datetime | None = None) -> list[str]:
        """Create the job of each enabled schedule whose slot has come (once per slot, across
        servers); the new jobs' ids, for the executor to be told."""
        now = now or self.clock()
        with self.db.session() as session:
            due = session.execute(
                select(Schedule.name, Schedule.next_run_at, Schedule.every_seconds).where(
                    Schedule.enabled.is_(True), Schedule.next_run_at <= now
                )
            ).all()
        created = []
        for name, slot, every in due:
            job_id = self._run_slot(name, slot, every, now)
            if job_id is not None:
                created.append(job_id)
        return created

    def _run_slot(self, name: str, slot: datetime, every: int, now: datetime) -> str | None:
        period = timedelta(seconds=every)
        missed = (now - slot) // period  # slots that passed while no server ticked
        following = slot + period * (missed + 1)
        job_id = new_id()
        try:
            with self.db.session() as session:
                moved = session.execute(
                    update(Schedule)
                    .where(Schedule.name == name, Schedule.next_run_at == slot)
                    .values(next_run_at=following, last_job_id=job_id, updated_at=now)
                    .execution_options(synchronize_session=False)
                )
                if not moved.rowcount:  # type: ignore[attr-defined]
                    return None  # another server took this slot
                raw = session.scalar(select(Schedule.workload).where(Schedule.name == name))
                workload = parse_workload(dict(raw or {}))
                session.add(
                    Job(
                        id=job_id,
                        kind=workload.kind,
                        workload=workload.model_dump(),
                        max_attempts=self.max_attempts,
                        step="queued",
                        dedupe_key=f"schedule:{name}@{slot.isoformat()}",
                    )
                )
        except IntegrityError:
            return None  # the slot's job exists already
        return job_id


def _out(row: Schedule) -> ScheduleOut:
    return ScheduleOut(
        name=row.name,
        kind=str(row.workload.get("kind", "")),
        every_seconds=row.every_seconds,
        next_run_at=row.next_run_at,
        enabled=row.enabled,
        last_job_id=row.last_job_id,
    )
