"""Everything a long-running interface (API server, web UI) needs, built once from an
:class:`AppContext`: the services, the executor and its heartbeat thread."""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from video_orchestrator.errors import InputError, StorageError, VoError, os_reason
from video_orchestrator.jobs.executor import Executor, HasBroker, make_executor
from video_orchestrator.jobs.workload import (
    MaintenanceWorkload,
    PollTrendsWorkload,
    PublishSweepWorkload,
    PullMetricsWorkload,
)
from video_orchestrator.providers.web.fetch import download
from video_orchestrator.services.apikeys import ApiKeyService
from video_orchestrator.services.assets import AssetOut, AssetService
from video_orchestrator.services.check import RuleResult, check_file
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.experiment_runs import ExperimentRuns
from video_orchestrator.services.hook_feedback import HookFeedback
from video_orchestrator.services.ideas import Ideas
from video_orchestrator.services.jobs import JobService, OutputOut
from video_orchestrator.services.language_versions import LanguageVersions
from video_orchestrator.services.metrics_facade import Analytics
from video_orchestrator.services.metrics_pull import PULL_SECONDS
from video_orchestrator.services.preview import DraftPreviews
from video_orchestrator.services.projects import ProjectService
from video_orchestrator.services.publishers import sandbox_dir
from video_orchestrator.services.publishing import Publishing
from video_orchestrator.services.schedules import ScheduleService
from video_orchestrator.services.secrets_store import SecretOut, SecretStore, secret_key
from video_orchestrator.services.studio import Studio
from video_orchestrator.services.trend_jobs import POLL_TICK_SECONDS, alert_service, trend_service
from video_orchestrator.services.trend_projects import TrendProjects
from video_orchestrator.services.ui_sessions import UiSessionService
from video_orchestrator.services.usage import UsageService
from video_orchestrator.services.worker import worker_runner
from video_orchestrator.store.tables import utcnow

logger = logging.getLogger(__name__)

#: How often the store is tidied (expired sessions, forgotten idempotency keys, old task jobs).
MAINTENANCE_SECONDS = 6 * 3600
#: How often due posts are checked for a publish job (ADR 0026).
PUBLISH_SWEEP_SECONDS = 300


@dataclass(frozen=True)
class Readiness:
    ready: bool
    checks: dict[str, str]


class Workspace:
    def __init__(self, ctx: AppContext, executor: Executor | None = None) -> None:
        self.base_ctx = ctx
        self.ctx = ctx
        settings = ctx.settings
        self.executor = (
            executor if executor is not None else make_executor(settings, ctx.db, worker_runner)
        )
        self.projects = ProjectService(ctx.db)
        self.assets = AssetService(ctx.db, ctx.files)
        self.jobs = JobService(ctx.db, self.executor, max_attempts=settings.job_max_attempts)
        self.apikeys = ApiKeyService(ctx.db)
        self.ui_sessions = UiSessionService(
            ctx.db,
            self.apikeys,
            idle=timedelta(minutes=settings.ui_session_idle_minutes),
            lifetime=timedelta(hours=settings.ui_session_max_hours),
        )
        self.usage = UsageService(ctx.db)
        self.schedules = ScheduleService(ctx.db, max_attempts=settings.job_max_attempts)
        self.analytics = Analytics(ctx.db, settings)
        self.experiments = ExperimentRuns(ctx.db, self.jobs, self.analytics.metrics)
        self.hook_weights = HookFeedback(ctx.db)
        self.secrets = SecretStore(ctx.db, secret_key(settings))
        self._use_secrets()
        self._stop = threading.Event()
        self._sync_thread: threading.Thread | None = None

    def save_secret(self, name: str, value: str) -> SecretOut:
        saved = self.secrets.put(name, value)
        self._use_secrets()
        return saved

    def delete_secret(self, name: str) -> None:
        self.secrets.delete(name)
        self._use_secrets()

    def _use_secrets(self) -> None:
        """Providers built in this process pick up keys saved through the API at once."""
        self.ctx = self.base_ctx.with_stored_secrets()
        self.studio = Studio(self.ctx)
        self.ideas = Ideas(self.ctx, hook_library=self.hook_weights.library)
        self.alerts = alert_service(self.ctx)
        self.trends = trend_service(self.ctx, self.alerts)
        self.trend_projects = TrendProjects(self.ctx, self.trends)
        self.publishing = Publishing(self.ctx, self.jobs)
        self.previews = DraftPreviews(self.ctx)
        self.languages = LanguageVersions(self.ctx, self.jobs)

    # -- life cycle -------------------------------------------------------------------------

    def start(self, *, sync_seconds: float = 2.0) -> None:
        self.schedules.every(
            "maintenance",
            MaintenanceWorkload(),
            seconds=MAINTENANCE_SECONDS,
            first_at=utcnow() + timedelta(seconds=MAINTENANCE_SECONDS),
        )
        self.schedule_trends()
        self.schedules.every(  # the safety net of publish jobs lost between commit and submit
            "publish-sweep",
            PublishSweepWorkload(),
            seconds=PUBLISH_SWEEP_SECONDS,
            first_at=utcnow() + timedelta(seconds=PUBLISH_SWEEP_SECONDS),
        )
        self.schedules.every(  # each connected account's figures, once a day (ADR 0038)
            "metrics-pull",
            PullMetricsWorkload(),
            seconds=PULL_SECONDS,
            first_at=utcnow() + timedelta(hours=1),
        )
        if self.ctx.settings.platforms_sandbox:  # started before the workers, who share it
            from video_orchestrator.providers.sandbox import sandbox_settings

            sandbox_settings(sandbox_dir(self.ctx.settings))
        recovered = self.executor.start()
        if recovered.requeued:
            logger.info("requeued %d jobs left by a stopped worker", len(recovered.requeued))
        self._sync_thread = threading.Thread(
            target=self._sync_loop, args=(sync_seconds,), name="executor-sync", daemon=True
        )
        self._sync_thread.start()

    def schedule_trends(self) -> None:
        """The ``poll_trends`` schedule, on while there is a trend source to poll (each
        source keeps its own period; the schedule only looks for the due ones). With no
        source and no schedule yet, nothing is registered."""
        wanted = bool(self.trends.list_sources())
        if not wanted and not any(s.name == "poll_trends" for s in self.schedules.all()):
            return
        self.schedules.every(
            "poll_trends", PollTrendsWorkload(), seconds=POLL_TICK_SECONDS, enabled=wanted
        )

    def _sync_loop(self, interval: float) -> None:
        while not self._stop.wait(interval):
            self.sync()

    def sync(self) -> None:
        """One beat of the sync thread: scheduled tasks whose slot has come become jobs
        (ADR 0025), and the executor replaces dead workers, requeues stale jobs and sends
        the jobs the broker was not handed."""
        try:
            for job_id in self.schedules.tick():
                self.executor.submit(job_id)
        except VoError:
            logger.warning("the schedules could not be run", exc_info=True)
        try:
            self.executor.sync()
        except VoError:
            logger.warning("executor sync failed", exc_info=True)

    def stop(self) -> None:
        self._stop.set()
        if self._sync_thread is not None:
            self._sync_thread.join(timeout=5)
        self.executor.end()

    def readiness(self) -> Readiness:
        checks: dict[str, str] = {}
        for name, probe in (
            ("database", self.ctx.db.ping),
            ("storage", self.ctx.files.ping),
        ):
            try:
                probe()
                checks[name] = "ok"
            except VoError as exc:
                checks[name] = str(exc)
        try:
            self.ctx.ffmpeg  # noqa: B018 - resolving the binary is the check
            checks["ffmpeg"] = "ok"
        except VoError as exc:
            checks["ffmpeg"] = str(exc)
        if isinstance(self.executor, HasBroker):
            checks["broker"] = self.executor.broker_status()
        workers = self.executor.alive_workers()
        checks["executor"] = (
            f"ok ({self.executor.name}, {workers} workers)"
            if workers
            else f"no {self.executor.name} worker is running"
        )
        return Readiness(all(v.startswith("ok") for v in checks.values()), checks)

    # -- files ------------------------------------------------------------------------------

    def output_path(self, job_id: str, output: str) -> tuple[OutputOut, Path]:
        info, key = self.jobs.output(job_id, output)
        return info, self.ctx.files.local_path(key)

    def file_stream(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """Bytes ``start``..``end`` of a stored file (a key from ``jobs.output`` or an asset)."""
        return self.ctx.files.iter_bytes(key, start, end)

    def delete_project(self, project_id: str) -> None:
        """A project, its renders and their files (refused while one of them is active)."""
        for key in self.projects.delete(project_id):
            self.ctx.files.delete(key)

    def delete_job(self, job_id: str) -> None:
        """A finished job and its files."""
        for key in self.jobs.delete(job_id):
            self.ctx.files.delete(key)

    def check_output(self, job_id: str, platform: str | None = None) -> list[RuleResult]:
        job = self.jobs.get(job_id)
        if job.status != "succeeded":
            raise InputError(
                f"the job {job_id} is {job.status}: only a finished render can be checked"
            )
        _, path = self.output_path(job_id, "video")
        return check_file(
            path, self.ctx.preset(platform or job.platform or "tiktok"), ffmpeg=self.ctx.ffmpeg
        )

    def import_url(self, url: str) -> tuple[AssetOut, bool]:
        settings = self.ctx.settings
        incoming = settings.data_dir / "incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        path, name = download(
            url,
            incoming,
            max_bytes=settings.upload_max_bytes,
            allow_private=settings.allow_private_urls,
            deadline_seconds=settings.import_deadline_seconds,
            min_bytes_per_second=settings.import_min_bytes_per_second,
        )
        try:
            return self.assets.add_file(path, name, source="url", source_url=url)
        finally:
            path.unlink(missing_ok=True)

    def incoming_file(self) -> Path:
        """A fresh temporary file for an upload being received."""
        incoming = self.ctx.settings.data_dir / "incoming"
        try:
            incoming.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=incoming, prefix=".upload-")
        except OSError as exc:
            raise StorageError(f"the server cannot receive files: {os_reason(exc)}") from exc
        os.close(fd)
        return Path(name)
