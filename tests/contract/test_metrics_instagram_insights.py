"""The Instagram insights source against a local server speaking the Graph API's media and
insights reads: lifetime totals become one period row per Reel from its post day, the
milliseconds become seconds and hours, an expired token (Graph's code 190) is refreshed
once, rate limits and Graph error bodies become the right errors in Meta's words, a
deleted media is left out; pulled twice, nothing changes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.contract.ig_insights_server import InsightsAPI, graph_error, serve
from tests.contract.test_metrics_youtube_analytics import Tokens
from tests.httpserver import Reply
from video_orchestrator.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderRateLimited,
    ProviderUnavailable,
)
from video_orchestrator.ports.metrics_source import MetricsSource, PullRequest
from video_orchestrator.providers.instagram_insights.source import (
    InstagramInsights,
    InstagramInsightsSettings,
)
from video_orchestrator.services.metrics import MetricsService
from video_orchestrator.store import Database

MEDIA = {
    "17900000000000001": {
        "timestamp": "2026-11-20T18:30:00+0000",
        "caption": "Why octopuses have three hearts\n\n#ocean",
        "insights": {
            "views": 5_400, "reach": 4_100, "likes": 320, "comments": 12, "shares": 45,
            "saved": 60, "ig_reels_avg_watch_time": 8_250,
            "ig_reels_video_view_total_time": 44_550_000,
        },
    },
    "17900000000000002": {
        "timestamp": "2026-11-28T09:00:00+0000",
        "caption": "Mantis shrimp punch",
        "insights": {"views": 900, "likes": 40, "comments": 1, "shares": 3, "saved": 7,
                     "ig_reels_avg_watch_time": 6_000,
                     "ig_reels_video_view_total_time": 5_400_000},
    },
}  # fmt: skip
REQUEST = PullRequest(
    "deepsea.facts", date(2026, 11, 1), date(2026, 12, 2), (*MEDIA, "17900000000000099")
)


def _source(base_url: str) -> InstagramInsights:
    return InstagramInsights(f"{base_url}/v21.0", timeout=5, sleep=lambda _: None)


def test_lifetime_insights_per_reel() -> None:
    with serve(InsightsAPI(MEDIA)) as server:
        source = _source(server.base_url)
        assert isinstance(source, MetricsSource) and source.lag_days == 2
        parsed = source.pull(Tokens(token="IGfresh"), REQUEST)
        insights = next(r for r in server.requests if r.path.split("?")[0].endswith("/insights"))
        assert insights.headers["authorization"] == "OAuth IGfresh"
        assert "metric=views%2Creach%2Clikes" in insights.path  # no deprecated plays
    assert parsed.source == "api"
    assert [v.remote_id for v in parsed.videos] == list(MEDIA)  # the deleted one left out
    first = next(r for r in parsed.metrics if r.remote_id == "17900000000000001")
    assert (first.start, first.end) == (date(2026, 11, 20), date(2026, 12, 2))
    assert first.values["views"] == 5_400 and first.values["saves"] == 60
    assert first.values["average_view_duration"] == pytest.approx(8.25)
    assert first.values["watch_hours"] == pytest.approx(12.375)  # 44 550 000 ms
    video = parsed.videos[0]
    assert video.title == "Why octopuses have three hearts"
    assert video.published_at == datetime(2026, 11, 20, 18, 30, tzinfo=UTC)
    assert video.url == "https://www.instagram.com/reel/17900000000000001/"


def test_an_expired_token_is_refreshed_once() -> None:
    with serve(InsightsAPI(MEDIA)) as server:
        tokens = Tokens(token="IGexpired", refreshed="IGfresh")
        assert len(_source(server.base_url).pull(tokens, REQUEST).metrics) == 2
        assert tokens.refreshes == 1
        revoked = Tokens(token="IGexpired", refreshed="IGstill-bad")
        with pytest.raises(ProviderAuthError, match=r"Session has expired \(code 190"):
            _source(server.base_url).pull(revoked, REQUEST)
        assert revoked.refreshes == 1


def test_rate_limits_and_platform_errors_in_metas_words() -> None:
    api = InsightsAPI(MEDIA)
    with serve(api) as server:
        source = _source(server.base_url)
        api.faults.append(Reply(429, graph_error(4, "Application request limit reached"),
                                {"Retry-After": "1"}))  # fmt: skip
        assert len(source.pull(Tokens(token="IGfresh"), REQUEST).metrics) == 2  # waited out
        api.faults.append(Reply(400, graph_error(4, "(#4) Application request limit reached")))
        with pytest.raises(ProviderRateLimited, match=r"limit reached \(code 4, fbtrace_id"):
            source.pull(Tokens(token="IGfresh"), REQUEST)
        api.faults.append(Reply(500, graph_error(2, "An unexpected error has occurred.")))
        api.faults.extend([Reply(500, graph_error(2, "again"))] * 2)
        with pytest.raises(ProviderUnavailable):
            source.pull(Tokens(token="IGfresh"), REQUEST)
        api.faults.append(Reply(400, graph_error(10, "(#10) Application does not have permission")))
        with pytest.raises(ProviderAuthError, match="instagram_manage_insights"):
            source.pull(Tokens(token="IGfresh"), REQUEST)
        api.faults.append(Reply(200, {"id": "17900000000000001", "timestamp": "last week"}))
        with pytest.raises(ProviderError, match="timestamp that is not a date"):
            source.pull(Tokens(token="IGfresh"), REQUEST)


def test_settings_share_the_meta_graph_host_and_pulls_are_stored_once(tmp_path: Path) -> None:
    settings = InstagramInsightsSettings(
        meta_graph_url="http://127.0.0.1:9/", meta_api_version="v22.0"
    )
    assert InstagramInsights.from_settings(settings).base_url == "http://127.0.0.1:9/v22.0"
    db = Database(f"sqlite:///{tmp_path / 'vo.db'}")
    db.migrate()
    service = MetricsService(db)
    with serve(InsightsAPI(MEDIA)) as server:
        parsed = _source(server.base_url).pull(Tokens(token="IGfresh"), REQUEST)
        again = _source(server.base_url).pull(Tokens(token="IGfresh"), REQUEST)
    first = service.store_pulled(parsed, "instagram-insights deepsea 2026-11-01..2026-12-02")
    assert (first.inserted, first.rows) == (2, 2)
    second = service.store_pulled(again, "instagram-insights deepsea 2026-11-01..2026-12-02")
    assert second.already_imported
    db.dispose()
