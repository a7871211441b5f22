"""Scheduled metric pulls for connected accounts (ADR 0038) against local servers speaking
the platforms' documented protocols: the YouTube account's expired token refreshed through
the accounts service (Google's token endpoint of the sandbox, then YouTube Analytics
``reports.query``), the figures stored linked to the post's render and project, a second
pull changing nothing; a used-up quota recorded on that account's own job while the other
accounts' pulls go on; the schedule making one sweep job per slot and the sweep one pull
job per account per day; ``vo analytics pull`` with a platform error body."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.contract.ig_insights_server import InsightsAPI
from tests.contract.ig_insights_server import serve as serve_instagram
from tests.contract.tiktok_display_server import DisplayAPI, tiktok_error
from tests.contract.tiktok_display_server import serve as serve_tiktok
from tests.contract.youtube_analytics_server import AnalyticsAPI, google_error
from tests.contract.youtube_analytics_server import serve as serve_analytics
from tests.httpserver import HTTPTestServer, Reply
from video_orchestrator.config import Settings
from video_orchestrator.errors import ProviderRateLimited
from video_orchestrator.jobs.workload import PullMetricsWorkload
from video_orchestrator.providers.instagram_insights.source import InstagramInsights
from video_orchestrator.providers.sandbox.youtube import FakeYouTube
from video_orchestrator.providers.tiktok_display.source import TikTokDisplay
from video_orchestrator.providers.youtube_analytics.source import YouTubeAnalytics
from video_orchestrator.services.accounts import AccountService
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.jobs import JobService
from video_orchestrator.services.metrics import MetricsService
from video_orchestrator.services.metrics_pull import (
    PULL_SECONDS,
    MetricPulls,
    build_metric_sources,
    post_links,
    pull_metrics_task,
)
from video_orchestrator.services.progress import SilentReporter
from video_orchestrator.services.schedules import ScheduleService
from video_orchestrator.services.secrets_store import Cipher, secret_key
from video_orchestrator.store import Database
from video_orchestrator.store.tables import (
    Job,
    MetricValue,
    MetricVideo,
    Post,
    Project,
    PublishAccount,
)

TODAY = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)
DAY = date(2026, 11, 20)
YT_VIEWS = {"ytA": {DAY + timedelta(days=i): 100 * (i + 1) for i in range(4)}}
POSTED = int(datetime(2026, 11, 25, tzinfo=UTC).timestamp())
TT_VIDEOS = {
    "7300000000000000001": {
        "title": "tt",
        "create_time": POSTED,
        "view_count": 900,
        "like_count": 9,
        "comment_count": 1,
        "share_count": 2,
    }
}
IG_MEDIA = {
    "17900000000000001": {
        "timestamp": "2026-11-26T10:00:00+0000",
        "caption": "ig",
        "insights": {"views": 700, "likes": 70},
    }
}


class GoogleTokens:
    """The access tokens the sandbox's token endpoint issued and that have not expired."""

    def __init__(self, yt: FakeYouTube) -> None:
        self.yt = yt

    def __contains__(self, token: object) -> bool:
        found = self.yt.access.get(str(token))
        return found is not None and found[0] > self.yt.now


@dataclass
class World:
    db: Database
    settings: Settings
    accounts: AccountService
    yt: FakeYouTube
    analytics: AnalyticsAPI
    display: DisplayAPI
    servers: dict[str, HTTPTestServer]
    ids: dict[str, str]

    def pulls(self, when: datetime = TODAY) -> MetricPulls:
        sleep = lambda _: None  # noqa: E731  (Retry-After waits are not slept in tests)
        sources = {
            "youtube": YouTubeAnalytics(self.servers["youtube"].base_url, sleep=sleep, timeout=5),
            "tiktok": TikTokDisplay(self.servers["tiktok"].base_url, sleep=sleep, timeout=5),
            "instagram": InstagramInsights(
                f"{self.servers['instagram'].base_url}/v21.0", sleep=sleep, timeout=5
            ),
        }
        metrics = MetricsService(self.db, posts=post_links(self.db), clock=lambda: when)
        return MetricPulls(self.db, self.accounts, metrics, sources, clock=lambda: when)


def _account(world_db: Database, cipher: Cipher, platform: str, name: str, access: str,
             refresh: str | None) -> str:  # fmt: skip
    account_id = f"acc{platform}"
    with world_db.session() as session:
        session.add(
            PublishAccount(
                id=account_id, platform=platform, remote_id=f"{platform}-1", name=name,
                access_token=cipher.encrypt(access),
                refresh_token=cipher.encrypt(refresh) if refresh else None,
                expires_at=TODAY + timedelta(days=30), scopes=[],
            )
        )  # fmt: skip
    return account_id


def _published(db: Database, account_id: str, platform: str, remote_id: str,
               job_id: str | None) -> None:  # fmt: skip
    with db.session() as session:
        session.add(
            Post(
                id=f"post{remote_id[-6:]}{platform[:2]}", account_id=account_id,
                platform=platform, marker=f"m-{platform}-{remote_id}", job_id=job_id,
                video_key="k", size=1, title="t", state="published", remote_id=remote_id,
                published_at=TODAY - timedelta(days=10),
            )
        )  # fmt: skip


@pytest.fixture
def world(db: Database, tmp_path: Path) -> Iterator[World]:
    with FakeYouTube() as yt:
        analytics = AnalyticsAPI(YT_VIEWS, valid_tokens=GoogleTokens(yt))  # type: ignore[arg-type]
        display = DisplayAPI(TT_VIDEOS)
        with (
            serve_analytics(analytics) as a,
            serve_tiktok(display) as t,
            serve_instagram(InsightsAPI(IG_MEDIA)) as i,
        ):
            settings = Settings(
                data_dir=tmp_path / "data", tiktok_client_key="ck",
                tiktok_client_secret="cs", meta_app_id="app", meta_app_secret="sec",
                secret_key=Fernet.generate_key().decode(), **yt.settings(),
            )  # fmt: skip
            ctx = AppContext(settings, db=db)
            cipher = Cipher(secret_key(settings))
            accounts = AccountService(db, cipher, lambda: ctx.publishers)
            access, refresh = yt.issue_tokens()
            yt.expire_tokens()  # the stored access token is no longer good at Google
            ids = {
                "youtube": _account(db, cipher, "youtube", "Deep Ocean Facts", access, refresh),
                "tiktok": _account(db, cipher, "tiktok", "makerlab", "act.fresh", None),
                "instagram": _account(db, cipher, "instagram", "deepsea.facts", "IGfresh", None),
            }
            with db.session() as session:
                session.add(Project(id="proj1", name="Octopus hearts"))
                session.flush()
                session.add(Job(id="job1", project_id="proj1", kind="make", workload={},
                                status="succeeded"))  # fmt: skip
            _published(db, ids["youtube"], "youtube", "ytA", "job1")
            _published(db, ids["tiktok"], "tiktok", "7300000000000000001", None)
            _published(db, ids["instagram"], "instagram", "17900000000000001", None)
            yield World(db, settings, accounts, yt, analytics, display,
                        {"youtube": a, "tiktok": t, "instagram": i}, ids)  # fmt: skip


def _values(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(MetricValue)) or 0)


def test_a_pull_refreshes_the_token_links_the_post_and_is_idempotent(world: World) -> None:
    pulls = world.pulls()
    out = pulls.pull(world.ids["youtube"])
    assert out.result is not None and out.result.inserted == 4
    # the lag: the window ends three days before today
    assert out.period_end == date(2026, 12, 1) and out.videos == 1
    asked = world.servers["youtube"].requests
    assert [r.headers["authorization"] != asked[0].headers["authorization"] for r in asked] == [
        False,
        True,
    ]  # 401, then the refreshed token from Google's token endpoint
    with world.db.session() as session:
        video = session.scalars(select(MetricVideo).where(MetricVideo.remote_id == "ytA")).one()
        assert (video.project_id, video.job_id, video.link_rule) == ("proj1", "job1", "post")
        row = session.get_one(PublishAccount, world.ids["youtube"])
        assert row.status == "connected" and row.expires_at is not None
    before = _values(world.db)
    again = pulls.pull(world.ids["youtube"])
    assert again.result is not None and again.result.already_imported
    assert _values(world.db) == before == 4
    assert len(world.servers["youtube"].requests) == 3  # the new token, once


def test_a_used_up_quota_fails_that_account_only(world: World) -> None:
    pulls = world.pulls()
    world.analytics.faults.append(
        Reply(
            403,
            google_error(
                403,
                "The request cannot be completed because you have exceeded your quota.",
                "quotaExceeded",
            ),
        )
    )
    with pytest.raises(ProviderRateLimited, match="daily quota is used up"):
        pulls.pull(world.ids["youtube"])
    world.display.faults.append(
        Reply(429, tiktok_error("rate_limit_exceeded", "slow down"), {"Retry-After": "1"})
    )
    tiktok = pulls.pull(world.ids["tiktok"])  # waited out, then pulled
    assert tiktok.result is not None and tiktok.result.inserted == 1
    instagram = pulls.pull(world.ids["instagram"])
    assert instagram.result is not None and instagram.result.inserted == 1
    assert instagram.period_end == date(2026, 12, 2)  # 48 h of lag


def test_the_schedule_makes_one_job_per_slot_and_the_sweep_one_per_account(
    world: World,
) -> None:
    schedules = ScheduleService(world.db, clock=lambda: TODAY)
    schedules.every("metrics-pull", PullMetricsWorkload(), seconds=PULL_SECONDS, first_at=TODAY)
    first = schedules.tick(TODAY)
    assert len(first) == 1 and schedules.tick(TODAY + timedelta(hours=5)) == []
    assert len(schedules.tick(TODAY + timedelta(days=1))) == 1
    jobs = JobService(world.db, None)
    made = world.pulls().sweep(jobs)
    assert sorted(j.kind for j in made) == ["pull_metrics"] * 3
    assert [j.id for j in world.pulls().sweep(jobs)] == [j.id for j in made]  # same day
    assert len(world.pulls(TODAY + timedelta(days=1)).sweep(jobs)) == 3  # the next day's
    with world.db.session() as session:
        assert session.scalar(
            select(func.count()).select_from(Job).where(Job.kind == "pull_metrics")
        ) == 2 + 6  # fmt: skip


def test_the_task_handler_pulls_one_account(world: World) -> None:
    settings = world.settings.model_copy(
        update={"provider_settings": {"tiktok-display": {
            "tiktok_display_base_url": world.servers["tiktok"].base_url}}}
    )  # fmt: skip
    reporter = SilentReporter()
    ctx = AppContext(settings, db=world.db)
    pull_metrics_task(ctx, PullMetricsWorkload(account_id=world.ids["tiktok"]), reporter,
                      threading.Event())  # fmt: skip
    assert "tiktok:makerlab (tiktok-display" in reporter.notices[0]
    assert "1 new" in reporter.notices[0]
    pull_metrics_task(ctx, PullMetricsWorkload(), reporter, threading.Event())
    # instagram-insights is found only where this package's entry points are installed
    installed = build_metric_sources(settings)
    expected = sum(1 for platform in world.ids if platform in installed)
    assert expected >= 2 and reporter.notices[-1] == f"{expected} account(s) to pull"
    assert build_metric_sources(settings.model_copy(update={"platforms_sandbox": True})) == {}


def test_vo_analytics_pull_names_the_failing_account_and_goes_on(
    world: World, tmp_path: Path
) -> None:
    from video_orchestrator.cli.main import app

    world.display.faults.append(
        Reply(401, tiktok_error("scope_not_authorized", "video.list is not authorized"))
    )  # a missing scope: no refresh mends it
    sources = {
        "youtube-analytics": {"youtube_analytics_base_url": world.servers["youtube"].base_url},
        "tiktok-display": {"tiktok_display_base_url": world.servers["tiktok"].base_url},
    }
    env = {
        "VO_DATABASE_URL": world.db.url.render_as_string(False),
        "VO_DATA_DIR": str(tmp_path / "data"),
        "VO_SECRET_KEY": world.settings.secret_key or "",
        "VO_TIKTOK_CLIENT_KEY": "ck", "VO_TIKTOK_CLIENT_SECRET": "cs",
        "VO_PROVIDER_SETTINGS": json.dumps(sources),
        "VO_META_GRAPH_URL": world.servers["instagram"].base_url,  # never the real Graph API
        "VO_META_APP_ID": "app",
        "VO_META_APP_SECRET": "sec",
        **{f"VO_{k.upper()}": str(v) for k, v in world.yt.settings().items()},
    }  # fmt: skip
    result = CliRunner().invoke(app, ["analytics", "pull"], env=env)
    assert result.exit_code == 1, result.output
    assert "youtube:Deep Ocean Facts (youtube-analytics" in result.stdout
    assert "tiktok:makerlab: TikTok refused the account's access" in result.stderr
    if "instagram" in build_metric_sources(Settings(meta_graph_url="http://127.0.0.1:9")):
        assert "instagram:deepsea.facts (instagram-insights" in result.stdout
    assert "Traceback" not in result.output
    one = CliRunner().invoke(app, ["analytics", "pull", "--account", "youtube:Deep Ocean Facts"],
                             env=env)  # fmt: skip
    assert one.exit_code == 0 and "nothing changed since the last pull" in one.stdout
