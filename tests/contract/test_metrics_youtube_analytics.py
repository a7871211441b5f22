"""The YouTube Analytics source against a local server speaking ``reports.query``: figures
per video and day, an expired token refreshed once, a rate limit waited out, a used-up
quota and a missing scope as the right errors; and the pulled figures stored (twice:
nothing changes) and summed like imported ones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.contract.youtube_analytics_server import AnalyticsAPI, google_error, serve
from tests.httpserver import Reply
from video_orchestrator.errors import ProviderAuthError, ProviderRateLimited
from video_orchestrator.ports.metrics_source import MetricsSource, PullRequest
from video_orchestrator.providers.youtube_analytics.source import YouTubeAnalytics
from video_orchestrator.services.metric_queries import DatabaseRunner, totals
from video_orchestrator.services.metrics import MetricsService
from video_orchestrator.store import Database

START = date(2026, 11, 1)
PLANTED = {
    "vidA": {START + timedelta(days=i): 100 * (i + 1) for i in range(5)},
    "vidB": {START + timedelta(days=2): 40},
}
REQUEST = PullRequest("deepsea", START, START + timedelta(days=6), ("vidA", "vidB", "vidC"))


class Tokens:
    def __init__(self, token: str = "fresh-token", refreshed: str = "fresh-token") -> None:
        self.token, self.refreshed, self.refreshes = token, refreshed, 0

    def current(self) -> str:
        return self.token

    def refresh(self) -> str:
        self.refreshes += 1
        self.token = self.refreshed
        return self.token


def _source(base_url: str) -> YouTubeAnalytics:
    return YouTubeAnalytics(base_url, timeout=5, sleep=lambda _: None)


def test_figures_per_video_and_day() -> None:
    api = AnalyticsAPI(PLANTED)
    with serve(api) as server:
        source = _source(server.base_url)
        assert isinstance(source, MetricsSource)
        parsed = source.pull(Tokens(), REQUEST)
        first = server.requests[0]
    assert "filters=video%3D%3DvidA" in first.path and "dimensions=day" in first.path
    assert parsed.source == "api"
    assert {v.remote_id for v in parsed.videos} == {"vidA", "vidB", "vidC"}
    a_rows = [r for r in parsed.metrics if r.remote_id == "vidA"]
    assert [r.values["views"] for r in a_rows] == [100, 200, 300, 400, 500]
    assert all(r.is_day for r in parsed.metrics)
    third = a_rows[2].values
    assert third["watch_hours"] == pytest.approx(150 / 60)
    assert third["subscribers"] == 2  # gained 3, lost 1
    assert third["average_percentage_viewed"] == 61.5
    assert not [r for r in parsed.metrics if r.remote_id == "vidC"]  # no rows: no data


def test_an_expired_token_is_refreshed_once() -> None:
    with serve(AnalyticsAPI(PLANTED)) as server:
        tokens = Tokens(token="expired-token")
        parsed = _source(server.base_url).pull(tokens, REQUEST)
        assert tokens.refreshes == 1
        assert len(parsed.metrics) == 6
        revoked = Tokens(token="expired-token", refreshed="still-bad")
        with pytest.raises(ProviderAuthError, match="HTTP 401"):
            _source(server.base_url).pull(revoked, REQUEST)
        assert revoked.refreshes == 1


def test_rate_limits_quota_and_scope() -> None:
    api = AnalyticsAPI(PLANTED)
    with serve(api) as server:
        api.faults.append(Reply(429, google_error(429, "Too many", "rateLimitExceeded"),
                                {"Retry-After": "1"}))  # fmt: skip
        assert len(_source(server.base_url).pull(Tokens(), REQUEST).metrics) == 6
        api.faults.append(Reply(403, google_error(403, "Quota exceeded", "quotaExceeded")))
        with pytest.raises(ProviderRateLimited, match="daily quota is used up"):
            _source(server.base_url).pull(Tokens(), REQUEST)
        api.faults.append(
            Reply(403, google_error(403, "Insufficient Permission", "insufficientPermissions"))
        )
        with pytest.raises(ProviderAuthError, match="Insufficient Permission"):
            _source(server.base_url).pull(Tokens(), REQUEST)


def test_pulled_figures_are_stored_once_and_counted(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'vo.db'}")
    db.migrate()
    service = MetricsService(db, clock=lambda: datetime(2026, 11, 20, tzinfo=UTC))
    with serve(AnalyticsAPI(PLANTED)) as server:
        parsed = _source(server.base_url).pull(Tokens(), REQUEST)
        again = _source(server.base_url).pull(Tokens(), REQUEST)
    first = service.store_pulled(parsed, "YouTube Analytics deepsea 2026-11-01..07")
    assert (first.inserted, first.source) == (6, "api")
    second = service.store_pulled(again, "YouTube Analytics deepsea 2026-11-01..07")
    assert second.already_imported
    (total,) = totals(DatabaseRunner(db), START, START + timedelta(days=6))
    assert total.values["views"] == 1_500 + 40
    assert total.values["likes"] == 150 + 4
    db.dispose()


def test_a_pull_asks_for_the_days_before_the_platforms_lag(tmp_path: Path) -> None:
    from video_orchestrator.services.metrics_pull import pull_metrics

    db = Database(f"sqlite:///{tmp_path / 'vo.db'}")
    db.migrate()
    service = MetricsService(db, clock=lambda: datetime(2026, 11, 20, tzinfo=UTC))
    with serve(AnalyticsAPI(PLANTED)) as server:
        source = _source(server.base_url)
        out = pull_metrics(service, source, Tokens(), account="deepsea",
                           video_ids=["vidA", "vidA", "vidB"], today=date(2026, 11, 10),
                           days=7)  # fmt: skip
        assert len(server.requests) == 2  # each video once
        assert "startDate=2026-11-01" in server.requests[0].path
        assert "endDate=2026-11-07" in server.requests[0].path  # 3 days of lag
    assert out is not None and out.inserted == 6
    assert pull_metrics(service, source, Tokens(), account="deepsea", video_ids=[],
                        today=date(2026, 11, 10)) is None  # fmt: skip
    db.dispose()
