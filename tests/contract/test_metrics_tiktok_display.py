"""The TikTok video-query source against a local server speaking the Display API: lifetime
counts become one period row per video from its post day, batches of 20 ids, a token
refreshed once, rate limits waited out; pulled again later, the newer totals replace the
older ones in the totals."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.contract.test_metrics_youtube_analytics import Tokens
from tests.contract.tiktok_display_server import DisplayAPI, serve, tiktok_error
from tests.httpserver import Reply
from video_orchestrator.errors import ProviderAuthError, ProviderError
from video_orchestrator.ports.metrics_source import MetricsSource, PullRequest
from video_orchestrator.providers.tiktok_display.source import TikTokDisplay
from video_orchestrator.services.metric_queries import DatabaseRunner, totals
from video_orchestrator.services.metrics import MetricsService
from video_orchestrator.store import Database

POSTED = int(datetime(2026, 11, 20, 18, 30, tzinfo=UTC).timestamp())
VIDEOS = {
    f"73{i:017d}": {
        "title": f"clip {i}",
        "create_time": POSTED,
        "duration": 21,
        "view_count": 1_000 * (i + 1),
        "like_count": 10 * i,
        "comment_count": i,
        "share_count": 2,
    }
    for i in range(25)
}


def _request(end: date) -> PullRequest:
    return PullRequest("makerlab", date(2026, 11, 1), end, tuple(VIDEOS))


def _source(base_url: str) -> TikTokDisplay:
    return TikTokDisplay(base_url, timeout=5, sleep=lambda _: None)


def test_lifetime_counts_in_batches_of_twenty() -> None:
    with serve(DisplayAPI(VIDEOS)) as server:
        source = _source(server.base_url)
        assert isinstance(source, MetricsSource)
        parsed = source.pull(Tokens(token="act.fresh"), _request(date(2026, 12, 1)))
        assert [len(r.body["filters"]["video_ids"]) for r in server.requests] == [20, 5]
        assert "fields=id%2Ctitle%2Ccreate_time" in server.requests[0].path
    assert len(parsed.videos) == 25 and len(parsed.metrics) == 25
    row = next(r for r in parsed.metrics if r.remote_id == "7300000000000000003")
    assert (row.start, row.end) == (date(2026, 11, 20), date(2026, 12, 1))
    assert row.values == {"views": 4_000, "likes": 30, "comments": 3, "shares": 2}
    video = next(v for v in parsed.videos if v.remote_id == "7300000000000000003")
    assert video.published_at == datetime(2026, 11, 20, 18, 30, tzinfo=UTC)
    assert video.url == "https://www.tiktok.com/@makerlab/video/7300000000000000003"


def test_token_refresh_rate_limit_and_refusals() -> None:
    api = DisplayAPI(VIDEOS)
    with serve(api) as server:
        tokens = Tokens(token="act.expired", refreshed="act.fresh")
        assert len(_source(server.base_url).pull(tokens, _request(date(2026, 12, 1))).metrics) == 25
        assert tokens.refreshes == 1
        api.faults.append(Reply(429, tiktok_error("rate_limit_exceeded", "slow down"),
                                {"Retry-After": "1"}))  # fmt: skip
        assert (
            len(
                _source(server.base_url)
                .pull(Tokens("act.fresh"), _request(date(2026, 12, 1)))
                .metrics
            )
            == 25
        )
        api.faults.append(
            Reply(401, tiktok_error("scope_not_authorized", "video.list not granted"))
        )
        tokens = Tokens("act.fresh")
        with pytest.raises(ProviderAuthError, match=r"video\.list not granted"):
            _source(server.base_url).pull(tokens, _request(date(2026, 12, 1)))
        assert tokens.refreshes == 0  # a missing scope: no refresh mends it
        api.faults.append(Reply(200, tiktok_error("internal_error", "try later")))
        with pytest.raises(ProviderError, match="internal_error"):
            _source(server.base_url).pull(Tokens("act.fresh"), _request(date(2026, 12, 1)))


def test_a_later_pull_replaces_the_lifetime_totals(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'vo.db'}")
    db.migrate()
    service = MetricsService(db)
    api = DisplayAPI(VIDEOS)
    with serve(api) as server:
        first = _source(server.base_url).pull(Tokens("act.fresh"), _request(date(2026, 11, 25)))
        service.store_pulled(first, "tiktok-display makerlab 2026-11-25")
        for item in api.videos.values():
            item["view_count"] = int(item["view_count"]) * 2
        later = _source(server.base_url).pull(Tokens("act.fresh"), _request(date(2026, 12, 1)))
        stored = service.store_pulled(later, "tiktok-display makerlab 2026-12-01")
    assert (stored.inserted, stored.updated) == (0, 25)
    (total,) = totals(DatabaseRunner(db), date(2026, 11, 1), date(2026, 12, 31))
    assert total.values["views"] == 2 * sum(1_000 * (i + 1) for i in range(25))
    db.dispose()
