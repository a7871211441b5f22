"""Trends through the job system (ADR 0025): the server's ``poll_trends`` schedule is on
while a source exists and makes one job per slot; the ``poll_trends`` handler polls and
sends alerts; a failed webhook becomes ONE ``deliver_alerts`` job at its retry time, whose
handler sends it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from tests.trend_servers import Search, TrendServer, World, adapters_for
from tests.trends.test_alerts import WebhookReceiver
from video_orchestrator.config import Settings
from video_orchestrator.jobs.executor import ThreadExecutor
from video_orchestrator.jobs.workload import DeliverAlertsWorkload, PollTrendsWorkload
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.progress import SilentReporter
from video_orchestrator.services.tasks import HANDLERS
from video_orchestrator.services.trend_jobs import POLL_TICK_SECONDS, alert_service, retry_later
from video_orchestrator.services.worker import worker_runner
from video_orchestrator.services.workspace import Workspace
from video_orchestrator.store.tables import AlertDelivery, Job


class Notes(SilentReporter):
    def __init__(self) -> None:
        self.notes: list[str] = []

    def notice(self, message: str) -> None:
        self.notes.append(message)


def test_the_schedule_the_handlers_and_a_retry_as_a_task(tmp_path: Path) -> None:
    world = World(google={"US": [Search("Lunar eclipse", "100K+")]})
    with TrendServer(world) as server, WebhookReceiver([503]) as receiver:
        settings = Settings(
            data_dir=tmp_path / "data",
            cache_dir=tmp_path / "cache",
            database_url=f"sqlite:///{tmp_path / 'vo.db'}",
            allow_private_urls=True,
        )
        ctx = AppContext(settings, trend_sources=adapters_for(server.base_url))
        ws = Workspace(ctx, executor=ThreadExecutor(settings, ctx.db, worker_runner, workers=0))
        ws.schedule_trends()
        assert ws.schedules.all() == []  # nothing to poll yet: no schedule
        ws.trends.add_source("google-trends", {"geo": "US"})
        ws.schedule_trends()
        schedule = ws.schedules.get("poll_trends")
        assert schedule.enabled and schedule.every_seconds == POLL_TICK_SECONDS
        later = datetime.now(UTC) + timedelta(seconds=1)
        assert len(ws.schedules.tick(later)) == 1
        assert ws.schedules.tick(later) == []  # one job per slot
        ws.trends.remove_source(ws.trends.list_sources()[0].id)
        ws.schedule_trends()
        assert not ws.schedules.get("poll_trends").enabled  # no source left: off
        ws.trends.add_source("google-trends", {"geo": "US"})
        ws.schedule_trends()

        alerts = alert_service(ctx)
        alerts.watch("eclipse", threshold=0)
        alerts.add_webhook(f"{receiver.base_url}/hook")
        notes = Notes()
        HANDLERS["poll_trends"](ctx, PollTrendsWorkload(), notes, threading.Event())
        assert "1 source(s) polled, 0 failed; 1 trends, 1 new alert(s)" in notes.notes
        assert len(receiver.received) == 1  # answered 503

        with ctx.db.session() as session:
            retries = session.scalars(select(Job).where(Job.kind == "deliver_alerts")).all()
            assert len(retries) == 1 and retries[0].not_before is not None
            when = retries[0].not_before
        # a second look (another poll) makes no second retry job for the same moment
        retry_later(ctx, alerts, datetime.now(UTC))
        with ctx.db.session() as session:
            assert len(session.scalars(select(Job).where(Job.kind == "deliver_alerts")).all()) == 1

        # the retry's time comes: its handler sends the alert
        with ctx.db.session() as session:
            for row in session.scalars(select(AlertDelivery)):
                row.next_attempt_at = datetime.now(UTC) - timedelta(seconds=1)
        done = Notes()
        HANDLERS["deliver_alerts"](ctx, DeliverAlertsWorkload(), done, threading.Event())
        assert done.notes == ["1 of 1 alert deliveries sent"]
        assert len(receiver.received) == 2
        assert when is not None and when > datetime.now(UTC) - timedelta(minutes=5)
        assert alerts.next_delivery_at() is None
