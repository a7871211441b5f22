"""A saved report sent on a schedule: each slot's tick makes one send_report task, the job
runner runs it, and the e-mail arrives with its PDF and CSV; a failing send fails the job
with its reason; deleting the report ends its schedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.analytics.test_metric_queries import _load
from tests.analytics.test_reports import NOVEMBER
from tests.smtp_server import free_port, smtp_server
from video_orchestrator.config import Settings
from video_orchestrator.errors import InputError, NotFoundError
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.job_runner import JobRunner
from video_orchestrator.services.jobs import JobService
from video_orchestrator.services.metrics_facade import Analytics
from video_orchestrator.services.reports import ReportIn
from video_orchestrator.store import Database
from video_orchestrator.store.job_queue import JobQueue

T0 = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)


def _run(db: Database, settings: Settings, job_id: str) -> str:
    lease = JobQueue(db).claim(job_id, "w1")
    assert lease is not None
    return JobRunner(AppContext(settings, db=db)).run(lease)


def test_a_scheduled_report_is_mailed_once_per_slot(db: Database, tmp_path: Path) -> None:
    _load(db)
    with smtp_server() as box:
        settings = Settings(
            data_dir=tmp_path / "data", smtp_host="127.0.0.1", smtp_port=box.port,
            smtp_from="vo@example.com", smtp_security="none",
        )  # fmt: skip
        analytics = Analytics(db, settings)
        saved, _ = analytics.reports.save(
            ReportIn(name="November", spec=NOVEMBER, recipients=["lead@example.com"])
        )
        plan = analytics.schedule_report("November", every_days=7, first_at=T0)
        assert (plan.name, plan.kind, plan.every_seconds) == (
            f"report:{saved.id}", "send_report", 7 * 86_400
        )  # fmt: skip
        assert analytics.schedules.tick(T0 - timedelta(seconds=1)) == []
        (job_id,) = analytics.schedules.tick(T0 + timedelta(seconds=1))
        assert analytics.schedules.tick(T0 + timedelta(seconds=2)) == []  # one job per slot
        assert _run(db, settings, job_id) == "succeeded"
        (message,) = box.messages
        assert {p.get_filename() for p in message.iter_attachments()} == {
            "november-20261101-20261130.pdf", "november-20261101-20261130.csv"
        }  # fmt: skip
        assert "sent report" in JobService(db, None).get(job_id).log_tail
        assert len(analytics.schedules.tick(T0 + timedelta(days=7, seconds=1))) == 1

        analytics.delete_report("November")
        assert analytics.schedules.all() == []
        with pytest.raises(NotFoundError):
            analytics.report_schedule("November")


def test_a_send_that_fails_fails_its_job_with_the_reason(db: Database, tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "data", smtp_host="127.0.0.1", smtp_port=free_port(),
        smtp_from="vo@example.com", smtp_security="none", smtp_timeout=5,
    )  # fmt: skip
    analytics = Analytics(db, settings)
    analytics.reports.save(ReportIn(name="R", spec=NOVEMBER, recipients=["a@example.com"]))
    with pytest.raises(InputError, match="no recipients"):
        analytics.reports.save(ReportIn(name="Nobody", spec=NOVEMBER))
        analytics.schedule_report("Nobody", every_days=1)
    analytics.schedule_report("R", every_days=1, first_at=T0)
    (job_id,) = analytics.schedules.tick(T0 + timedelta(seconds=1))
    assert _run(db, settings, job_id) == "failed"
    job = JobService(db, None).get(job_id)
    assert job.error is not None and "did not take the message" in job.error
