"""Tasks and schedules (ADR 0025): a job that waits for its time, "this job, once" by a key,
schedules that create one job per slot whatever the number of servers ticking, and a task
run by the real job runner."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.api.conftest import database_url, postgres_url  # noqa: F401 - fixtures
from video_orchestrator.config import Settings
from video_orchestrator.errors import InputError
from video_orchestrator.jobs.workload import MaintenanceWorkload
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.job_runner import JobRunner
from video_orchestrator.services.jobs import JobService
from video_orchestrator.services.projects import ProjectCreate, ProjectService
from video_orchestrator.services.schedules import ScheduleService
from video_orchestrator.store import Database
from video_orchestrator.store.job_queue import JobQueue
from video_orchestrator.store.tables import (
    ApiKey,
    IdempotentRequest,
    Job,
    Schedule,
    UiSession,
    utcnow,
)

T0 = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:  # noqa: F811 - the fixture above
    database = Database(database_url)
    database.migrate()
    yield database
    database.dispose()


def job_count(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Job)) or 0)


def test_a_task_waits_for_its_time_before_any_worker_claims_it(db: Database) -> None:
    jobs, queue = JobService(db, None), JobQueue(db)
    later = jobs.submit_task(MaintenanceWorkload(), not_before=utcnow() + timedelta(hours=1))
    assert later.status == "queued" and later.not_before is not None
    assert queue.claim_next("w1") is None  # not yet
    assert queue.unsent(older_than=0) == []  # and the broker is not handed it either
    assert queue.waiting_since(later.id) is None

    due = jobs.submit_task(MaintenanceWorkload(), not_before=utcnow() - timedelta(seconds=1))
    lease = queue.claim_next("w1")
    assert lease is not None and lease.job_id == due.id
    with db.session() as session:  # the hour passes
        row = session.get(Job, later.id)
        assert row is not None
        row.not_before = utcnow() - timedelta(seconds=1)
    lease = queue.claim_next("w1")
    assert lease is not None and lease.job_id == later.id


def test_a_dedupe_key_makes_one_job_however_often_it_is_submitted(db: Database) -> None:
    jobs = JobService(db, None)
    first = jobs.submit_task(MaintenanceWorkload(), dedupe_key="post:abc:step-3")
    again = jobs.submit_task(MaintenanceWorkload(), dedupe_key="post:abc:step-3")
    other = jobs.submit_task(MaintenanceWorkload(), dedupe_key="post:abc:step-4")
    assert again.id == first.id and other.id != first.id
    assert job_count(db) == 2


def test_twin_submits_racing_with_one_key_create_one_job(db: Database) -> None:
    jobs = JobService(db, None)
    ids: list[str] = []
    barrier = threading.Barrier(4)

    def submit() -> None:
        barrier.wait()
        ids.append(jobs.submit_task(MaintenanceWorkload(), dedupe_key="race").id)

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(ids)) == 1 and job_count(db) == 1


def test_tasks_are_not_listed_among_renders(db: Database) -> None:
    jobs = JobService(db, None)
    project = ProjectService(db).create(ProjectCreate(topic="bees"))
    (render,) = jobs.submit_project(project.id)
    task = jobs.submit_task(MaintenanceWorkload())
    assert [j.id for j in jobs.find().items] == [render.id]
    both = jobs.find(kinds=("make", "maintenance")).items
    assert {j.id for j in both} == {render.id, task.id}


def test_a_schedule_makes_one_job_per_slot_and_skips_the_slots_nobody_ticked(
    db: Database,
) -> None:
    schedules = ScheduleService(db)
    schedules.every("tidy", MaintenanceWorkload(), seconds=60, first_at=T0)
    assert schedules.tick(T0 - timedelta(seconds=1)) == []
    (first,) = schedules.tick(T0)
    assert schedules.tick(T0) == []  # the same slot again: nothing
    assert schedules.tick(T0 + timedelta(seconds=59)) == []
    (second,) = schedules.tick(T0 + timedelta(seconds=61))
    # ten minutes with no server: one job now, not ten; the next slot is in the future
    (third,) = schedules.tick(T0 + timedelta(minutes=11, seconds=30))
    assert len({first, second, third}) == 3
    assert schedules.get("tidy").next_run_at == T0 + timedelta(minutes=12)
    assert schedules.get("tidy").last_job_id == third
    with db.session() as session:
        keys = set(session.scalars(select(Job.dedupe_key)))
    assert keys == {
        f"schedule:tidy@{T0.isoformat()}",
        f"schedule:tidy@{(T0 + timedelta(minutes=1)).isoformat()}",
        f"schedule:tidy@{(T0 + timedelta(minutes=2)).isoformat()}",
    }


def test_servers_ticking_at_the_same_moment_create_each_slot_once(db: Database) -> None:
    ScheduleService(db).every("tidy", MaintenanceWorkload(), seconds=60, first_at=T0)
    created: list[str] = []
    lock = threading.Lock()
    for slot in range(3):
        now = T0 + timedelta(seconds=60 * slot + 1)
        barrier = threading.Barrier(4)

        def tick(at: datetime = now, start: threading.Barrier = barrier) -> None:
            server = ScheduleService(db)  # each server its own service
            start.wait()
            made = server.tick(at)
            with lock:
                created.extend(made)

        threads = [threading.Thread(target=tick) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(created) == 3 and job_count(db) == 3


def test_a_disabled_schedule_makes_nothing_and_bad_schedules_are_refused(db: Database) -> None:
    schedules = ScheduleService(db)
    schedules.every("tidy", MaintenanceWorkload(), seconds=60, first_at=T0, enabled=False)
    assert schedules.tick(T0 + timedelta(hours=1)) == []
    with pytest.raises(InputError, match="at most every"):
        schedules.every("busy", MaintenanceWorkload(), seconds=1)
    with pytest.raises(InputError, match="schedule name"):
        schedules.every("Not A Name!", MaintenanceWorkload(), seconds=60)
    assert [s.name for s in schedules.all()] == ["tidy"]
    # registering again (a server's start) keeps the next slot; a new period moves it
    schedules.every("tidy", MaintenanceWorkload(), seconds=60, first_at=T0 + timedelta(days=1))
    assert schedules.get("tidy").next_run_at == T0
    schedules.every("tidy", MaintenanceWorkload(), seconds=120, first_at=T0 + timedelta(days=1))
    assert schedules.get("tidy").next_run_at == T0 + timedelta(days=1)


def test_the_job_runner_runs_a_task_through_its_handler(tmp_path: Path, db: Database) -> None:
    settings = Settings(data_dir=tmp_path / "data", database_url=db.url.render_as_string(False))
    ctx = AppContext(settings, db=db)
    old = utcnow() - timedelta(days=30)
    with db.session() as session:
        session.add(ApiKey(id="k1", name="k", prefix="vo_k1", key_hash="0" * 64))
        session.flush()
        session.add(UiSession(token_hash="a" * 64, key_id="k1", created_at=old, last_used_at=old))
        session.add(
            IdempotentRequest(client="c", key="k", fingerprint="f", result={}, created_at=old)
        )
    job = JobService(db, None).submit_task(MaintenanceWorkload())
    lease = JobQueue(db).claim(job.id, "w1")
    assert lease is not None
    assert JobRunner(ctx).run(lease) == "succeeded"
    done = JobService(db, None).get(job.id)
    assert done.outputs == [] and "removed 1 expired sessions, 1 old idempotency" in (done.log_tail)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(UiSession)) == 0
        assert session.scalar(select(func.count()).select_from(IdempotentRequest)) == 0


def test_a_server_runs_its_maintenance_schedule_through_its_workers(
    tmp_path: Path, db: Database
) -> None:
    from video_orchestrator.jobs.executor import ThreadExecutor
    from video_orchestrator.services.worker import worker_runner
    from video_orchestrator.services.workspace import Workspace

    settings = Settings(data_dir=tmp_path / "data", database_url=db.url.render_as_string(False))
    ctx = AppContext(settings, db=db)
    workspace = Workspace(ctx, ThreadExecutor(settings, db, worker_runner))
    workspace.start(sync_seconds=3600)  # this test beats the sync itself
    try:
        assert {s.name for s in workspace.schedules.all()} == {
            "maintenance",
            "publish-sweep",
            "metrics-pull",
        }
        schedule = workspace.schedules.get("maintenance")
        assert schedule.name == "maintenance" and schedule.kind == "maintenance"
        assert schedule.next_run_at > utcnow()  # not at every start: six hours from now
        assert workspace.schedules.tick() == []
        with db.session() as session:  # the six hours pass
            row = session.get(Schedule, "maintenance")
            assert row is not None
            row.next_run_at = utcnow() - timedelta(seconds=1)
        workspace.sync()  # the slot has come: one job, run by a worker thread
        job_id = workspace.schedules.get("maintenance").last_job_id
        assert job_id is not None
        for _ in range(600):
            if workspace.jobs.get(job_id).status in ("succeeded", "failed"):
                break
            threading.Event().wait(0.05)
        assert workspace.jobs.get(job_id).status == "succeeded"
        workspace.sync()  # the next slot is hours away: nothing new
        assert workspace.schedules.get("maintenance").last_job_id == job_id
    finally:
        workspace.stop()


def test_maintenance_removes_task_jobs_that_ended_long_ago_and_keeps_renders(
    tmp_path: Path, db: Database
) -> None:
    settings = Settings(data_dir=tmp_path / "data", database_url=db.url.render_as_string(False))
    ctx = AppContext(settings, db=db)
    jobs = JobService(db, None)
    project = ProjectService(db).create(ProjectCreate(topic="bees"))
    (render,) = jobs.submit_project(project.id)
    old_done, old_failed, month_failed, recent, waiting = (
        jobs.submit_task(MaintenanceWorkload()) for _ in range(5)
    )
    ended = {
        render.id: ("succeeded", 60),
        old_done.id: ("succeeded", 8),
        old_failed.id: ("failed", 8),
        month_failed.id: ("failed", 31),
        recent.id: ("succeeded", 1),
    }
    with db.session() as session:
        for job_id, (status, days) in ended.items():
            row = session.get(Job, job_id)
            assert row is not None
            row.status, row.finished_at = status, utcnow() - timedelta(days=days)
    job = jobs.submit_task(MaintenanceWorkload())
    lease = JobQueue(db).claim(job.id, "w1")
    assert lease is not None and JobRunner(ctx).run(lease) == "succeeded"
    with db.session() as session:
        left = set(session.scalars(select(Job.id)))
    # a week-old finished task and a month-old failed one go; renders, recent, failed within
    # the month, waiting and the running maintenance itself stay
    assert left == {render.id, old_failed.id, recent.id, waiting.id, job.id}
