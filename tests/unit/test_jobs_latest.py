"""What the project list shows: each project's newest job, and its newest finished one."""

from __future__ import annotations

from pathlib import Path

from video_orchestrator.services.jobs import JobService
from video_orchestrator.services.projects import ProjectCreate, ProjectService
from video_orchestrator.store import Database
from video_orchestrator.store.tables import Job


def test_latest_by_project_picks_each_projects_newest_job_of_a_status(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'vo.db'}")
    db.migrate()
    projects = ProjectService(db)
    jobs = JobService(db, None)
    one = projects.create(ProjectCreate(topic="bees"))
    two = projects.create(ProjectCreate(topic="ants"))
    (first,) = jobs.submit_project(one.id)
    (second,) = jobs.submit_project(one.id)
    (other,) = jobs.submit_project(two.id)
    with db.session() as session:  # the first render of "bees" finished; the second is queued
        row = session.get(Job, first.id)
        assert row is not None
        row.status = "succeeded"

    latest = jobs.latest_by_project([one.id, two.id])
    assert latest[one.id].id == second.id and latest[one.id].status == "queued"
    assert latest[two.id].id == other.id
    done = jobs.latest_by_project([one.id, two.id], "succeeded")
    assert set(done) == {one.id} and done[one.id].id == first.id
    assert jobs.latest_by_project([]) == {}
    db.dispose()
