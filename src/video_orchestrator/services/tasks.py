"""Tasks: jobs that do work other than rendering (ADR 0025) — publish a post, poll the trend
sources, pull metrics, send a report, tidy the store. Each kind of task workload
(``jobs/workload.py``: ``TaskWorkload``) has ONE handler here; the job runner calls it for a
claimed job of that kind, in the worker, with the attempt's reporter and cancel event.

A handler does its work through the services and returns nothing: a task has no outputs.
An error of ``errors.py`` fails the job with its message; the job system's attempts and
retry apply as for renders. A handler that must come back later (a post still processing)
submits a new task with ``not_before`` and a ``dedupe_key`` instead of sleeping.

A violating change looks like: a handler that sleeps or loops waiting for a platform, a
second table of handlers somewhere else, or a task workload carrying a token or a path.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, or_

from video_orchestrator.jobs.workload import RENDER_KINDS, MaintenanceWorkload, SendReportWorkload
from video_orchestrator.services.apikeys import ApiKeyService
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.jobs import IDEMPOTENCY_KEEP
from video_orchestrator.services.metrics_facade import Analytics
from video_orchestrator.services.metrics_pull import pull_metrics_task
from video_orchestrator.services.progress import Reporter
from video_orchestrator.services.publishing import publish_post, publish_sweep
from video_orchestrator.services.trend_jobs import deliver_alerts_task, poll_trends_task
from video_orchestrator.services.ui_sessions import UiSessionService
from video_orchestrator.store.tables import IdempotentRequest, Job, utcnow

#: How long a task job that ended is kept (a publish sweep every 5 minutes makes 288 a day).
TASKS_KEEP = timedelta(days=7)
FAILED_TASKS_KEEP = timedelta(days=30)

#: ``handler(ctx, workload, reporter, cancel)``; the workload is the kind's own model.
TaskHandler = Callable[[AppContext, Any, Reporter, threading.Event], None]


def maintenance(
    ctx: AppContext, workload: MaintenanceWorkload, reporter: Reporter, cancel: threading.Event
) -> None:
    """Delete expired web-UI sessions, Idempotency-Keys older than they are remembered, and
    task jobs that ended long ago (succeeded or cancelled after a week, failed after a
    month; renders are the user's and stay)."""
    settings = ctx.settings
    sessions = UiSessionService(
        ctx.db,
        ApiKeyService(ctx.db),
        idle=timedelta(minutes=settings.ui_session_idle_minutes),
        lifetime=timedelta(hours=settings.ui_session_max_hours),
    ).sweep()
    with ctx.db.session() as session:
        result = session.execute(
            delete(IdempotentRequest).where(
                IdempotentRequest.created_at < utcnow() - IDEMPOTENCY_KEEP
            )
        )
        keys = int(getattr(result, "rowcount", 0) or 0)
        now = utcnow()
        ended = session.execute(
            delete(Job).where(
                Job.kind.not_in(RENDER_KINDS),
                or_(
                    Job.status.in_(("succeeded", "cancelled"))
                    & (Job.finished_at < now - TASKS_KEEP),
                    (Job.status == "failed") & (Job.finished_at < now - FAILED_TASKS_KEEP),
                ),
            )
        )
        tasks = int(getattr(ended, "rowcount", 0) or 0)
    reporter.notice(
        f"removed {sessions} expired sessions, {keys} old idempotency keys and {tasks} "
        "old task jobs"
    )


def send_report(
    ctx: AppContext, workload: SendReportWorkload, reporter: Reporter, cancel: threading.Event
) -> None:
    """E-mail a saved analytics report (PDF and CSV) to its recipients (ADR 0029)."""
    reporter.step("report", "Rendering and sending the report")
    message_id = Analytics(ctx.db, ctx.settings).send_report(workload.report_id)
    reporter.notice(f"sent report {workload.report_id} ({message_id})")


#: One handler per task kind.
HANDLERS: dict[str, TaskHandler] = {
    "maintenance": maintenance,
    "send_report": send_report,
    "poll_trends": poll_trends_task,
    "deliver_alerts": deliver_alerts_task,
    "publish": publish_post,
    "publish_sweep": publish_sweep,
    "pull_metrics": pull_metrics_task,
}
