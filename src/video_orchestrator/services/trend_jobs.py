"""The trend services built from a context, and the two runs the scheduler repeats: poll the
due sources (then merge, then raise alerts) and deliver the alerts that are due."""

from __future__ import annotations

from datetime import datetime

from cryptography.fernet import Fernet

from video_orchestrator.services.context import AppContext
from video_orchestrator.services.mail import MailSettings
from video_orchestrator.services.secrets_store import secret_key
from video_orchestrator.services.trend_alerts import AlertService, DeliveryOutcome
from video_orchestrator.services.trends import PollReport, TrendService


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
        ctx.trend_sources,
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


def deliver_alerts(ctx: AppContext, now: datetime) -> list[DeliveryOutcome]:
    return alert_service(ctx).deliver_due(now)
