"""Pulling an account's figures from its platform (a ``MetricsSource``) into the same
tables as the imports (ADR 0029, 0038).

The window: the ``days`` before the platform's lag (``today - lag_days`` is the newest day
asked for), pulled again each time, because the figures of recent days still move; the same
figures pulled twice change nothing (``MetricsService.store_pulled``).

Which videos: the account's published posts (their remote ids, newest first); each pulled
video is linked to the post's render and project (:func:`post_links`), so analytics joins
pulled figures to what made them.

When: the server's ``metrics-pull`` schedule makes one ``pull_metrics`` job a day
(``PullMetricsWorkload()`` without an account); that job gives every connected account
whose platform has a metric source its own ``pull_metrics`` job (dedupe key
``metrics-pull:<account>@<day>``: once a day however often it runs). An account's pull
that fails (a used-up quota, a refused token, a platform error) fails its own job with the
platform's words — the record — and the next day's job tries again; it never holds up the
other accounts. The token is the account's (``AccountService``): refreshed before it
expires and once when the platform refuses it. ``vo analytics pull`` runs the same pulls
now, in the command's process.

A violating change looks like: a pull loop over all accounts in one job (one account's
failure stops the rest), a source reading tokens from settings, or a pull retried at once
after a quota error.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import select

from video_orchestrator.config import Settings
from video_orchestrator.errors import InputError
from video_orchestrator.jobs.workload import PullMetricsWorkload
from video_orchestrator.ports import METRICS_SOURCE_ENTRY_POINTS
from video_orchestrator.ports.metrics_source import MetricsSource, PullRequest, TokenSource
from video_orchestrator.services.accounts import AccountOut, AccountService
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.jobs import JobOut, JobService
from video_orchestrator.services.metrics import ImportOut, LinkTarget, MetricsService, PostLookup
from video_orchestrator.services.progress import Reporter
from video_orchestrator.services.registry import build_provider, provider_classes
from video_orchestrator.services.secrets_store import Cipher, secret_key
from video_orchestrator.store import Database
from video_orchestrator.store.tables import Job, Post, utcnow

DEFAULT_DAYS = 28
#: Videos asked for in one pull (YouTube: one request, one quota unit, per video).
MAX_VIDEOS = 200
#: The schedule's period: the platforms' figures move once a day.
PULL_SECONDS = 24 * 3600


def pull_window(today: date, lag_days: int, days: int = DEFAULT_DAYS) -> tuple[date, date]:
    if not 1 <= days <= 366:
        raise InputError("a pull covers 1 to 366 days")
    end = today - timedelta(days=max(0, lag_days))
    return end - timedelta(days=days - 1), end


def pull_metrics(
    metrics: MetricsService,
    source: MetricsSource,
    tokens: TokenSource,
    *,
    account: str,
    video_ids: Sequence[str],
    today: date,
    days: int = DEFAULT_DAYS,
) -> ImportOut | None:
    """Pull and store the account's figures; None when it has no videos to ask about."""
    wanted = tuple(dict.fromkeys(v for v in video_ids if v))[:MAX_VIDEOS]
    if not wanted:
        return None
    start, end = pull_window(today, source.lag_days, days)
    parsed = source.pull(tokens, PullRequest(account, start, end, wanted))
    return metrics.store_pulled(parsed, f"{source.name} {account} {start}..{end}")


def build_metric_sources(settings: Settings) -> dict[str, MetricsSource]:
    """Every registered metric source by platform (entry points
    ``video_orchestrator.metrics_sources``), built from ``settings``. None with
    ``VO_PLATFORMS_SANDBOX=1``: the sandbox's accounts exist only on this machine, and its
    platforms have no analytics to pull."""
    sources: dict[str, MetricsSource] = {}
    if settings.platforms_sandbox:
        return sources
    for name, cls in sorted(provider_classes(METRICS_SOURCE_ENTRY_POINTS).items()):
        built = build_provider(cls, name, settings)
        if isinstance(built, MetricsSource):
            sources.setdefault(built.platform, built)
    return sources


def post_links(db: Database) -> PostLookup:
    """The post that published a video → its render job and that job's project."""

    def find(platform: str, remote_id: str) -> LinkTarget | None:
        with db.session() as session:
            row = session.execute(
                select(Post.job_id, Job.project_id)
                .outerjoin(Job, Job.id == Post.job_id)
                .where(Post.platform == platform, Post.remote_id == remote_id)
                .order_by(Post.created_at.desc())
                .limit(1)
            ).first()
        if row is None or (row.job_id is None and row.project_id is None):
            return None
        return LinkTarget(row.project_id, row.job_id)

    return find


class PullOut(BaseModel):
    """One account's pull: what was asked and what it changed (``result`` is None when the
    account has no published video to ask about)."""

    account_id: str
    platform: str
    account: str
    source: str
    videos: int
    period_start: date
    period_end: date
    result: ImportOut | None


class MetricPulls:
    def __init__(
        self,
        db: Database,
        accounts: AccountService,
        metrics: MetricsService,
        sources: Mapping[str, MetricsSource] | Callable[[], Mapping[str, MetricsSource]],
        *,
        clock: Callable[[], datetime] = utcnow,
        days: int = DEFAULT_DAYS,
    ) -> None:
        """``sources`` by platform, or a function that builds them on first use."""
        self.db = db
        self.accounts = accounts
        self.metrics = metrics
        self._sources = sources
        self.clock = clock
        self.days = days

    @property
    def sources(self) -> Mapping[str, MetricsSource]:
        return self._sources() if callable(self._sources) else self._sources

    def pullable(self) -> list[AccountOut]:
        """The connected accounts whose platform has a metric source."""
        sources = self.sources
        return [a for a in self.accounts.list() if a.platform in sources]

    def video_ids(self, account_id: str) -> list[str]:
        """The remote ids of the account's published posts, newest first."""
        with self.db.session() as session:
            ids = session.scalars(
                select(Post.remote_id)
                .where(
                    Post.account_id == account_id,
                    Post.state == "published",
                    Post.remote_id.is_not(None),
                )
                .order_by(Post.published_at.desc(), Post.created_at.desc())
            ).all()
        return [i for i in dict.fromkeys(ids) if i][:MAX_VIDEOS]

    def pull(self, account_id: str) -> PullOut:
        """Pull one account's figures now (errors: the platform's, see ``ports``)."""
        account = self.accounts.get(account_id)
        source = self.sources.get(account.platform)
        if source is None:
            known = ", ".join(sorted(self.sources)) or "none"
            raise InputError(
                f"no metric source reads {account.platform} figures here (installed: {known}); "
                "import the platform's export instead (vo analytics import)"
            )
        ids = self.video_ids(account.id)
        today = self.clock().date()
        start, end = pull_window(today, source.lag_days, self.days)
        result = pull_metrics(
            self.metrics,
            source,
            self.accounts.tokens_for(account.id, account.platform),
            account=account.name,
            video_ids=ids,
            today=today,
            days=self.days,
        )
        return PullOut(
            account_id=account.id,
            platform=account.platform,
            account=account.name,
            source=source.name,
            videos=len(ids),
            period_start=start,
            period_end=end,
            result=result,
        )

    def sweep(self, jobs: JobService) -> list[JobOut]:
        """Give every pullable account its ``pull_metrics`` job of the day (once a day)."""
        day = self.clock().date().isoformat()
        return [
            jobs.submit_task(
                PullMetricsWorkload(account_id=account.id),
                dedupe_key=f"metrics-pull:{account.id}@{day}",
            )
            for account in self.pullable()
        ]


def metric_pulls(ctx: AppContext, *, days: int = DEFAULT_DAYS) -> MetricPulls:
    """The pulls of a context: its accounts (tokens decrypted with the installation's key),
    its metric sources, the metrics linked to the posts."""
    settings = ctx.settings
    return MetricPulls(
        ctx.db,
        AccountService(ctx.db, Cipher(secret_key(settings)), lambda: ctx.publishers),
        MetricsService(ctx.db, posts=post_links(ctx.db)),
        lambda: build_metric_sources(settings),
        days=days,
    )


def pull_metrics_task(
    ctx: AppContext, workload: PullMetricsWorkload, reporter: Reporter, cancel: threading.Event
) -> None:
    """The ``pull_metrics`` task: without an account, the day's sweep (one job per
    account); with one, that account's pull (an error fails this job only)."""
    pulls = metric_pulls(ctx)
    if workload.account_id is None:
        jobs = JobService(ctx.db, None, max_attempts=ctx.settings.job_max_attempts)
        made = pulls.sweep(jobs)
        reporter.notice(f"{len(made)} account(s) to pull")
        return
    reporter.step("pull", "Pulling the account's figures")
    reporter.notice(describe_pull(pulls.pull(workload.account_id)))


def describe_pull(out: PullOut) -> str:
    """One line for a pull's outcome (the job log, the CLI)."""
    where = f"{out.platform}:{out.account} ({out.source}, {out.period_start}..{out.period_end})"
    result = out.result
    if result is None:
        return f"{where}: no published video to ask about"
    if result.already_imported:
        return f"{where}: {out.videos} video(s), nothing changed since the last pull"
    return (
        f"{where}: {out.videos} video(s), {result.rows} row(s): {result.inserted} new, "
        f"{result.updated} updated, {result.unchanged} unchanged"
    )
