"""Facebook Page Reels' insights on the daily metric pulls (ADR 0038, 0045), on SQLite and
PostgreSQL, against the fake Facebook (``providers/sandbox/facebook.py``) to which the
product's publisher published the Reels: the schedule's sweep gives the Facebook Page its
``pull_metrics`` job, the job run by the job runner stores the Reels' figures linked to the
post's render and project, a second pull changes nothing; an expired Page token is renewed
through the accounts service (Facebook Login), and a login that can no longer be renewed
fails that job and marks the account for reconnection; ``vo analytics pull --account``
pulls one Facebook Page and names a rate-limited one on one line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select
from typer.testing import CliRunner

from tests.contract.test_metrics_facebook_insights import FIRST, published_reels
from tests.platforms.driver import at
from video_orchestrator.config import Settings
from video_orchestrator.jobs.workload import PullMetricsWorkload
from video_orchestrator.ports import METRICS_SOURCE_ENTRY_POINTS
from video_orchestrator.providers.sandbox.facebook import FacebookServer
from video_orchestrator.providers.sandbox.graph import APP_ID, APP_SECRET, PAGE_ID, PAGE_NAME
from video_orchestrator.providers.sandbox.platform import FakeClock
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.job_runner import JobRunner
from video_orchestrator.services.jobs import JobService
from video_orchestrator.services.metrics_pull import PULL_SECONDS, metric_pulls
from video_orchestrator.services.registry import provider_classes
from video_orchestrator.services.schedules import ScheduleService
from video_orchestrator.services.secrets_store import Cipher, secret_key
from video_orchestrator.store import Database
from video_orchestrator.store.job_queue import JobQueue
from video_orchestrator.store.tables import (
    Job,
    MetricValue,
    MetricVideo,
    Post,
    Project,
    PublishAccount,
)

ACCOUNT = "accfacebook"


def _register_source(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the ``facebook-insights`` entry point findable where this checkout's package
    metadata predates it (an editable install made before it was added to pyproject.toml):
    a distribution on ``sys.path`` declaring it, as any plugin does."""
    if "facebook-insights" in provider_classes(METRICS_SOURCE_ENTRY_POINTS):
        return
    dist = folder / "vo_facebook_insights-0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: vo-facebook-insights\nVersion: 0\n"
    )
    (dist / "entry_points.txt").write_text(
        f"[{METRICS_SOURCE_ENTRY_POINTS}]\nfacebook-insights = "
        "video_orchestrator.providers.facebook_insights.source:FacebookInsights\n"
    )
    monkeypatch.syspath_prepend(str(folder))
    assert "facebook-insights" in provider_classes(METRICS_SOURCE_ENTRY_POINTS)


@dataclass
class Page:
    db: Database
    settings: Settings
    facebook: FacebookServer
    reels: tuple[str, str]

    def ctx(self) -> AppContext:
        return AppContext(self.settings, db=self.db)

    def run(self, job_id: str) -> str:
        lease = JobQueue(self.db).claim(job_id, "w1")
        assert lease is not None
        return JobRunner(self.ctx()).run(lease)

    def account(self) -> PublishAccount:
        with self.db.session() as session:
            row = session.get_one(PublishAccount, ACCOUNT)
            session.expunge(row)
            return row


@pytest.fixture
def page(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Page]:
    _register_source(tmp_path / "plugins", monkeypatch)
    now = datetime.now(UTC)
    # the fake's clock: three days ago, so the Reels are older than Facebook's day of lag
    with FacebookServer(FakeClock((now - timedelta(days=3)).timestamp())) as facebook:
        reels = published_reels(facebook, tmp_path)
        settings = Settings(
            data_dir=tmp_path / "data", secret_key=Fernet.generate_key().decode(),
            meta_app_id=APP_ID, meta_app_secret=APP_SECRET, meta_graph_url=facebook.base_url,
            meta_upload_url=facebook.base_url, meta_dialog_url=facebook.base_url,
        )  # fmt: skip
        cipher = Cipher(secret_key(settings))
        user = facebook.user_token()
        with db.session() as session:
            session.add(
                PublishAccount(
                    id=ACCOUNT, platform="facebook", remote_id=PAGE_ID, name=PAGE_NAME,
                    access_token=cipher.encrypt(facebook.page_token()),
                    refresh_token=cipher.encrypt(user), expires_at=now + timedelta(days=50),
                    scopes=["pages_read_engagement", "read_insights"],
                )
            )  # fmt: skip
            session.add(Project(id="proj1", name="Octopus hearts"))
            session.flush()
            session.add(Job(id="job1", project_id="proj1", kind="make", workload={},
                            status="succeeded"))  # fmt: skip
            session.flush()
            for n, reel in enumerate(reels):
                session.add(
                    Post(
                        id=f"post{n}", account_id=ACCOUNT, platform="facebook",
                        marker=f"m-{reel}", job_id="job1" if n == 0 else None, video_key="k",
                        size=1, title="t", state="published", remote_id=reel,
                        published_at=at(facebook.clock),
                    )
                )  # fmt: skip
        yield Page(db, settings, facebook, reels)


def _figures(db: Database) -> dict[str, MetricValue]:
    with db.session() as session:
        rows = session.execute(
            select(MetricVideo.remote_id, MetricValue).join(
                MetricValue, MetricValue.video_id == MetricVideo.id
            )
        ).all()
        for _, value in rows:
            session.expunge(value)
        return {remote: value for remote, value in rows}


def test_the_schedule_makes_a_facebook_job_whose_pull_fills_the_tables(page: Page) -> None:
    now = datetime.now(UTC)
    schedules = ScheduleService(page.db, clock=lambda: now)
    schedules.every("metrics-pull", PullMetricsWorkload(), seconds=PULL_SECONDS, first_at=now)
    (sweep,) = schedules.tick(now)
    assert page.run(sweep) == "succeeded"
    with page.db.session() as session:
        pulls = session.scalars(
            select(Job).where(Job.kind == "pull_metrics", Job.id != sweep)
        ).all()
        assert [(j.workload["account_id"], j.dedupe_key) for j in pulls] == [
            (ACCOUNT, f"metrics-pull:{ACCOUNT}@{now.date().isoformat()}")
        ]
        job_id = pulls[0].id
    assert page.run(job_id) == "succeeded"
    figures = _figures(page.db)
    first, second = page.reels
    assert set(figures) == {first, second}
    row = figures[first]
    assert (row.views, row.likes, row.comments, row.shares, row.subscribers) == (
        5_400, 320, 12, 45, 7,
    )  # fmt: skip
    assert row.watch_hours == pytest.approx(12.375)
    assert row.average_view_duration == pytest.approx(8.25)
    assert row.period_end == now.date() - timedelta(days=1)  # a day of lag
    with page.db.session() as session:
        video = session.scalars(select(MetricVideo).where(MetricVideo.remote_id == first)).one()
        assert (video.platform, video.project_id, video.job_id) == ("facebook", "proj1", "job1")
    again = metric_pulls(page.ctx()).pull(ACCOUNT)  # the same figures: nothing changes
    assert again.result is not None and again.result.already_imported
    assert len(_figures(page.db)) == 2


def test_an_expired_page_token_is_renewed_through_the_accounts_service(page: Page) -> None:
    before = page.account().access_token
    page.facebook.plan("insights", "expire_token")
    out = metric_pulls(page.ctx()).pull(ACCOUNT)
    assert out.result is not None and out.result.inserted == 2
    after = page.account()
    assert after.status == "connected" and after.access_token != before
    assert ("insights", "expire_token", "400") in page.facebook.log


def test_a_login_that_cannot_be_renewed_fails_its_job_and_asks_to_reconnect(page: Page) -> None:
    cipher = Cipher(secret_key(page.settings))
    user = cipher.decrypt(page.account().refresh_token or "", "refresh token")
    page.facebook.tokens.expire(user, now=True)
    page.facebook.plan("insights", "expire_token")
    job = JobService(page.db, None).submit_task(PullMetricsWorkload(account_id=ACCOUNT))
    assert page.run(job.id) == "failed"
    with page.db.session() as session:
        failed = session.get_one(Job, job.id)
        assert "must be connected again (vo accounts connect facebook)" in (failed.error or "")
    assert page.account().status == "reconnect"
    assert _figures(page.db) == {}


def test_vo_analytics_pull_one_facebook_page(page: Page, tmp_path: Path) -> None:
    from video_orchestrator.cli.main import app

    env = {
        "VO_DATABASE_URL": page.db.url.render_as_string(False),
        "VO_DATA_DIR": str(tmp_path / "data"),
        "VO_SECRET_KEY": page.settings.secret_key or "",
        "VO_META_APP_ID": APP_ID, "VO_META_APP_SECRET": APP_SECRET,
        "VO_META_GRAPH_URL": page.facebook.base_url,
        "VO_PROVIDER_SETTINGS": json.dumps({}),
    }  # fmt: skip
    name = f"facebook:{PAGE_NAME}"
    result = CliRunner().invoke(app, ["analytics", "pull", "--account", name], env=env)
    assert result.exit_code == 0, result.output
    assert f"{name} (facebook-insights" in result.stdout and "2 new" in result.stdout
    assert _figures(page.db)[page.reels[0]].views == FIRST["blue_reels_play_count"]
    page.facebook.plan("insights", "status_429")
    limited = CliRunner().invoke(app, ["analytics", "pull", "--account", name], env=env)
    assert limited.exit_code not in (0, 1)  # the one account asked for: a usage failure
    assert "Facebook is rate limiting this app or account" in limited.stderr
    assert "Traceback" not in limited.output and len(limited.stderr.strip().splitlines()) == 1
