"""The trend services built from a context, and the two task handlers (ADR 0025, 0030):
``poll_trends`` (run on the server's ``poll_trends`` schedule: poll the due sources, merge,
raise alerts, send them) and ``deliver_alerts`` (a retry of deliveries that failed). A
delivery that must be tried again later is a ``deliver_alerts`` job with ``not_before`` at
its next attempt and a dedupe key of that moment, never a sleep."""

from __future__ import annotations

import threading
from datetime import datetime

from cryptography.fernet import Fernet

from video_orchestrator.jobs.workload import DeliverAlertsWorkload, PollTrendsWorkload
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.jobs import JobService
from video_orchestrator.services.mail import MailSettings
from video_orchestrator.services.progress import Reporter
from video_orchestrator.services.secrets_store import secret_key
from video_orchestrator.services.trend_alerts import AlertService, DeliveryOutcome
from video_orchestrator.services.trends import PollReport, TrendService
from video_orchestrator.store.tables import utcnow

#: How often the server's schedule looks for due sources (each source has its own period).
POLL_TICK_SECONDS = 300


def alert_service(ctx: AppContext) -> AlertService:
    settings = ctx.settings
    return AlertService(
        ctx.db,
        cipher=Fernet(secret_key(settings)),
        per_hour=settings.trends_alerts_per_hour,
        mail=MailSettings.from_settings(settings),
        webhook_timeout=settings.trends_timeout,
        user_agent=settings.trends_user_agent,
        allow_private_urls=settings.allow_private_urls,
    )


def trend_service(ctx: AppContext, alerts: AlertService | None = None) -> TrendService:
    raiser = alerts or alert_service(ctx)
    return TrendService(
        ctx.db,
        lambda: ctx.trend_sources,
        poll_seconds=ctx.settings.trends_poll_minutes * 60,
        on_merged=raiser.raise_alerts,
    )


def poll_all(ctx: AppContext, now: datetime, *, force: bool = False) -> PollReport:
    """Poll every due source (every source with ``force``), merge, raise alerts, then send
    the alerts that are due."""
    alerts = alert_service(ctx)
    report = trend_service(ctx, alerts).poll_all(now, force=force)
    alerts.deliver_due(now)
    return report


def poll_now(
    ctx: AppContext, trends: TrendService, alerts: AlertService, now: datetime, *, force: bool
) -> PollReport:
    """A person's "poll now" (``POST /trends/poll``, the studio's button): the due sources
    (every source with ``force``), merge, raise alerts, send the due ones; a failed delivery
    becomes a ``deliver_alerts`` job."""
    report = trends.poll_all(now, force=force)
    alerts.deliver_due(now)
    retry_later(ctx, alerts, now)
    return report


def deliver_alerts(ctx: AppContext, now: datetime) -> list[DeliveryOutcome]:
    return alert_service(ctx).deliver_due(now)


def retry_later(ctx: AppContext, alerts: AlertService, now: datetime) -> str | None:
    """A ``deliver_alerts`` job at the next pending delivery's time (once per moment); its
    id, or None when nothing waits."""
    due = alerts.next_delivery_at()
    if due is None:
        return None
    when = max(due, now)
    job = JobService(ctx.db, None, max_attempts=ctx.settings.job_max_attempts).submit_task(
        DeliverAlertsWorkload(), not_before=when, dedupe_key=f"deliver_alerts@{when:%Y%m%dT%H%M%S}"
    )
    return job.id


def poll_trends_task(
    ctx: AppContext, workload: PollTrendsWorkload, reporter: Reporter, cancel: threading.Event
) -> None:
    now = utcnow()
    alerts = alert_service(ctx)
    report = trend_service(ctx, alerts).poll_all(now)
    failed = [o for o in report.outcomes if o.status == "failed"]
    for outcome in failed:
        reporter.notice(f"{outcome.label}: {outcome.error}")
    alerts.deliver_due(now)
    retry_later(ctx, alerts, now)
    reporter.notice(
        f"{len(report.outcomes)} source(s) polled, {len(failed)} failed; "
        f"{report.trends} trends, {len(report.alerts)} new alert(s)"
    )


def deliver_alerts_task(
    ctx: AppContext, workload: DeliverAlertsWorkload, reporter: Reporter, cancel: threading.Event
) -> None:
    now = utcnow()
    alerts = alert_service(ctx)
    outcomes = alerts.deliver_due(now)
    retry_later(ctx, alerts, now)
    sent = sum(1 for o in outcomes if o.status == "sent")
    reporter.notice(f"{sent} of {len(outcomes)} alert deliveries sent")
