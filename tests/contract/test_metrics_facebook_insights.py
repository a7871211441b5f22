"""The Facebook Reels insights source against the fake Facebook (``providers/sandbox/
facebook.py``) after Reels were published to it by the product's publisher: lifetime
insights become one period row per Reel from its post day (plays, reactions summed,
comments and shares, followers gained, milliseconds as seconds and hours), with the Page's
token; an expired token (code 190) is refreshed once through Facebook Login; a rate limit
(code 4), a missing permission (code 10), a metric the API version refuses (code 100) and
the platform's own failures become the right errors in Meta's words; a deleted video is
left out; pulled twice, nothing changes."""

from __future__ import annotations

import importlib
import tomllib
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.contract.test_publish_facebook import content, finish, publisher, tokens
from tests.platforms.driver import at
from video_orchestrator.config import Settings
from video_orchestrator.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderRateLimited,
    ProviderUnavailable,
)
from video_orchestrator.ports import METRICS_SOURCE_ENTRY_POINTS
from video_orchestrator.ports.metrics_source import MetricsSource, PullRequest
from video_orchestrator.providers.facebook.connector import SCOPES
from video_orchestrator.providers.facebook_insights.source import (
    METRICS,
    FacebookInsights,
    FacebookInsightsSettings,
)
from video_orchestrator.providers.sandbox.facebook import FacebookServer
from video_orchestrator.providers.sandbox.platform import FakeClock
from video_orchestrator.services.metrics import MetricsService
from video_orchestrator.store import Database

KIB = 1024
PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
FIRST = {
    "blue_reels_play_count": 5_400,
    "post_impressions_unique": 4_100,
    "post_video_avg_time_watched": 8_250,  # ms
    "post_video_view_time": 44_550_000,  # ms: 12.375 hours
    "post_video_likes_by_reaction_type": {"REACTION_LIKE": 300, "REACTION_LOVE": 20},
    "post_video_social_actions": {"COMMENT": 12, "SHARE": 45},
    "post_video_followers": 7,
}


@pytest.fixture
def facebook() -> Iterator[FacebookServer]:
    with FacebookServer(FakeClock()) as server:
        yield server


def published_reels(facebook: FacebookServer, tmp_path: Path) -> tuple[str, str]:
    """Two Reels published by the product's publisher; the first has planted insights."""
    ids = []
    for n in range(2):
        post = content(tmp_path / f"{n}.mp4", 8 * KIB)
        outcome = finish(facebook, publisher(facebook), tokens(facebook), post)
        assert outcome.state == "published"
        ids.append(str(outcome.remote_id))
    facebook.insights[ids[0]] = FIRST
    return ids[0], ids[1]


def _source(facebook: FacebookServer) -> FacebookInsights:
    return FacebookInsights(
        f"{facebook.base_url}/v21.0", timeout=5, sleep=facebook.clock.advance, max_retries=2
    )


def _request(facebook: FacebookServer, *ids: str) -> PullRequest:
    today = at(facebook.clock).date()
    return PullRequest("Ocean Facts", today - timedelta(days=27), today, ids)


def test_lifetime_reels_insights_per_reel(facebook: FacebookServer, tmp_path: Path) -> None:
    first, second = published_reels(facebook, tmp_path)
    source = _source(facebook)
    assert isinstance(source, MetricsSource) and source.lag_days == 1
    page = tokens(facebook)
    parsed = source.pull(page, _request(facebook, first, second, "1299999999999999"))
    assert parsed.source == "api"
    assert [v.remote_id for v in parsed.videos] == [first, second]  # the deleted one left out
    row = next(r for r in parsed.metrics if r.remote_id == first)
    assert (row.start, row.end) == (at(facebook.clock).date(), at(facebook.clock).date())
    assert row.values["views"] == 5_400
    assert row.values["likes"] == 320  # every reaction
    assert (row.values["comments"], row.values["shares"]) == (12, 45)
    assert row.values["subscribers"] == 7
    assert row.values["average_view_duration"] == pytest.approx(8.25)
    assert row.values["watch_hours"] == pytest.approx(12.375)
    fresh = next(r for r in parsed.metrics if r.remote_id == second)
    assert fresh.values["views"] == 0 and fresh.values["likes"] == 0  # no reactions yet
    video = parsed.videos[0]
    assert video.title == "Octopuses have three hearts"
    assert video.url == f"https://www.facebook.com/reel/{first}/"
    assert video.published_at is not None and video.published_at.date() == row.start
    asked = [r for r in facebook.log if r[0] == "insights"]
    assert asked == [("insights", "", "200")] * 2


def test_registered_and_asked_for_with_the_connectors_permission() -> None:
    group = tomllib.loads(PYPROJECT.read_text())["project"]["entry-points"][
        METRICS_SOURCE_ENTRY_POINTS
    ]
    module, _, attribute = group["facebook-insights"].partition(":")
    cls = getattr(importlib.import_module(module), attribute)
    built = cls.from_settings(Settings().section(cls.settings_model, "facebook-insights"))
    assert isinstance(built, FacebookInsights) and built.platform == "facebook"
    assert built.base_url == "https://graph.facebook.com/v21.0"
    assert {"read_insights", "pages_read_engagement"} <= set(SCOPES)
    assert "blue_reels_play_count" in METRICS and "post_video_view_time" in METRICS


def test_an_expired_page_token_is_refreshed_once(facebook: FacebookServer, tmp_path: Path) -> None:
    first, _ = published_reels(facebook, tmp_path)
    page = tokens(facebook)
    facebook.plan("insights", "expire_token")
    parsed = _source(facebook).pull(page, _request(facebook, first))
    assert page.refreshes == 1 and parsed.metrics[0].values["views"] == 5_400
    assert ("insights", "expire_token", "400") in facebook.log
    # a refresh that cannot mend it: the user token behind the Page's expired too
    stale = tokens(facebook)
    facebook.tokens.expire(stale.tokens.refresh_token or "", now=True)
    facebook.plan("insights", "expire_token")
    with pytest.raises(ProviderAuthError, match="connect the account again"):
        _source(facebook).pull(stale, _request(facebook, first))
    assert stale.refreshes == 0  # the refusal came from Facebook Login itself


def test_graph_errors_in_metas_words(facebook: FacebookServer, tmp_path: Path) -> None:
    first, _ = published_reels(facebook, tmp_path)
    source, page, request = _source(facebook), tokens(facebook), _request(facebook, first)
    facebook.plan("insights", "status_429")
    with pytest.raises(ProviderRateLimited, match=r"request limit reached \(code 4"):
        source.pull(page, request)
    facebook.plan("insights", "status_503", "status_503", "status_503")
    with pytest.raises(ProviderUnavailable, match=r"code 2"):
        source.pull(page, request)
    facebook.plan("insights", "status_503")
    assert source.pull(page, request).metrics[0].values["views"] == 5_400  # retried once
    facebook.retired.add("post_video_followers")
    with pytest.raises(ProviderError, match=r"valid insights metric \(code 100") as refused:
        source.pull(page, request)
    assert not isinstance(refused.value, ProviderAuthError | ProviderRateLimited)
    facebook.retired.clear()
    facebook.insights_granted = False  # an account connected before read_insights was asked
    with pytest.raises(ProviderAuthError, match="granting read_insights and pages_read"):
        source.pull(page, request)


def test_settings_share_the_meta_graph_host_and_pulls_are_stored_once(
    facebook: FacebookServer, tmp_path: Path
) -> None:
    settings = FacebookInsightsSettings(
        meta_graph_url="http://127.0.0.1:9/", meta_api_version="v22.0"
    )
    assert FacebookInsights.from_settings(settings).base_url == "http://127.0.0.1:9/v22.0"
    first, second = published_reels(facebook, tmp_path)
    db = Database(f"sqlite:///{tmp_path / 'vo.db'}")
    db.migrate()
    service = MetricsService(db)
    request = _request(facebook, first, second)
    parsed = _source(facebook).pull(tokens(facebook), request)
    again = _source(facebook).pull(tokens(facebook), request)
    label = f"facebook-insights Ocean Facts {request.start}..{request.end}"
    stored = service.store_pulled(parsed, label)
    assert (stored.inserted, stored.rows) == (2, 2)
    assert service.store_pulled(again, label).already_imported
    assert request.end == at(facebook.clock).date() and request.start < date(2026, 1, 1)
    db.dispose()
