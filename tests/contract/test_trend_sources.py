"""Every trend adapter against a local server speaking its documented format, with the
faults each service really shows (429 with Retry-After, 5xx, malformed bodies, slow
answers, 304 to a conditional request)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tests.httpserver import Reply
from tests.trend_servers import (
    Entry,
    News,
    Post,
    Search,
    Story,
    TrendServer,
    Video,
    World,
    adapters_for,
)
from video_orchestrator.errors import (
    BlockedUrlError,
    InputError,
    ProviderAuthError,
    ProviderError,
    ProviderRateLimited,
    ProviderUnavailable,
)
from video_orchestrator.ports.trends import SourceQuery, TrendSource
from video_orchestrator.providers.trends.feeds import Feeds
from video_orchestrator.providers.trends.google import approx_traffic

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def world() -> World:
    return World(
        google={
            "RO": [
                Search(
                    "Eclipsa de luna",
                    "50K+",
                    [
                        News(
                            "Eclipsa totala de luna, vizibila din Romania",
                            "https://n.ro/1",
                            "Digi24",
                            "Eclipsa dureaza 82 de minute.",
                        ),
                        News("Cum vezi eclipsa", "https://n.ro/2", "Hotnews"),
                    ],
                ),
                Search("Simona Halep", "2,000+"),
            ]
        },
        youtube={"US": [Video("vid1", "Lunar eclipse live", 120_000, "Watch the eclipse")]},
        reddit={
            ("space", "hot"): [
                Post("a1", "Pinned: rules", 1, stickied=True),
                Post("b2", "Tonight's lunar eclipse", 4200),
            ]
        },
        feeds={
            "rss": (
                "rss",
                [
                    Entry(
                        "g1",
                        "Eclipse tonight",
                        "https://news.example/e",
                        "<p>The moon turns <b>red</b>.</p>",
                    )
                ],
            ),
            "atom": (
                "atom",
                [Entry("urn:1", "Atom entry title", "https://blog.example/1", "Summary")],
            ),
        },
        hackernews=[Story(101, "Show HN: An eclipse timer", "https://ex.example/timer", 250)],
        wikipedia={
            "en.wikipedia": [
                ("Main_Page", 9_000_000),
                ("Lunar_eclipse", 800_000),
                ("Special:Search", 10),
            ]
        },
    )


@pytest.fixture
def server() -> Iterator[TrendServer]:
    with TrendServer(world()) as running:
        yield running


CONFIGS = {
    "google-trends": {"geo": "RO"},
    "youtube": {"region": "US"},
    "reddit": {"subreddit": "space", "listing": "hot"},
    "hackernews": {"list": "top", "count": "5"},
    "wikipedia": {"project": "en.wikipedia", "count": "10"},
}


def query(adapter: TrendSource, config: dict[str, str], **validators: str | None) -> SourceQuery:
    return SourceQuery(config=adapter.check(config), now=NOW, **validators)  # type: ignore[arg-type]


def test_google_trends_reads_ht_fields_and_every_news_item(server: TrendServer) -> None:
    adapter = adapters_for(server.base_url)["google-trends"]
    fetched = adapter.fetch(query(adapter, {"geo": "ro"}))
    assert fetched.items is not None
    first, second = fetched.items
    assert first.title == "Eclipsa de luna" and first.metric == 50_000
    assert [link.url for link in first.links] == ["https://n.ro/1", "https://n.ro/2"]
    assert first.links[0].publisher == "Digi24"
    assert first.links[0].summary == "Eclipsa dureaza 82 de minute."
    assert first.url == "https://n.ro/1"
    assert second.metric == 2000 and second.links == ()
    assert "geo=RO" in server.requests[-1].path


def test_approx_traffic_figures() -> None:
    assert approx_traffic("200+") == 200
    assert approx_traffic("2,000+") == 2000
    assert approx_traffic("50K+") == 50_000
    assert approx_traffic("1M+") == 1_000_000
    assert approx_traffic("lots") is None


@pytest.mark.parametrize("kind", sorted(CONFIGS))
def test_a_conditional_request_is_answered_not_modified(server: TrendServer, kind: str) -> None:
    adapter = adapters_for(server.base_url)[kind]
    first = adapter.fetch(query(adapter, CONFIGS[kind]))
    assert first.items, kind
    if kind == "hackernews":  # Firebase sends no validators: every poll is a full one
        assert first.etag is None
        return
    assert first.etag and first.last_modified
    again = adapter.fetch(query(adapter, CONFIGS[kind], etag=first.etag))
    assert again.items is None  # 304: nothing changed
    assert server.requests[-1].headers["if-none-match"] == first.etag


def test_youtube_sends_the_documented_request_and_reads_video_resources(
    server: TrendServer,
) -> None:
    adapter = adapters_for(server.base_url)["youtube"]
    fetched = adapter.fetch(query(adapter, {"region": "us", "category": "24"}))
    assert fetched.items is not None
    (video,) = fetched.items
    assert video.url == "https://www.youtube.com/watch?v=vid1" and video.metric == 120_000
    sent = server.requests[-1].path
    assert "chart=mostPopular" in sent and "regionCode=US" in sent and "videoCategoryId=24" in sent


def test_youtube_quota_is_a_limit_and_a_bad_key_an_auth_error(server: TrendServer) -> None:
    adapter = adapters_for(server.base_url)["youtube"]
    quota = {
        "error": {
            "code": 403,
            "message": "The request cannot be completed because you have exceeded your quota.",
            "errors": [{"reason": "quotaExceeded", "domain": "youtube.quota"}],
        }
    }
    server.fail("/youtube", Reply(403, quota))
    with pytest.raises(ProviderRateLimited) as limited:
        adapter.fetch(query(adapter, {"region": "US"}))
    assert limited.value.retry_after == 3600
    adapter.settings = adapter.settings.model_copy(update={"trends_youtube_api_key": "wrong"})
    with pytest.raises(ProviderAuthError) as refused:
        adapter.fetch(query(adapter, {"region": "US"}))
    assert "wrong" not in str(refused.value) and "VO_TRENDS_YOUTUBE_API_KEY" in str(refused.value)


def test_reddit_skips_stickied_posts_and_names_itself(server: TrendServer) -> None:
    adapter = adapters_for(server.base_url)["reddit"]
    fetched = adapter.fetch(query(adapter, {"subreddit": "r/space"}))
    assert fetched.items is not None
    assert [i.title for i in fetched.items] == ["Tonight's lunar eclipse"]
    assert fetched.items[0].url.endswith("/r/space/comments/b2/slug/")
    assert server.requests[-1].headers["user-agent"].startswith("python:vo-tests")


def test_reddit_rate_limit_carries_the_reset_wait(server: TrendServer) -> None:
    adapter = adapters_for(server.base_url)["reddit"]
    server.reddit_per_minute = 1
    adapter.fetch(query(adapter, {"subreddit": "space"}))
    with pytest.raises(ProviderRateLimited) as limited:
        adapter.fetch(query(adapter, {"subreddit": "space"}))
    assert limited.value.retry_after == 42  # X-Ratelimit-Reset, no Retry-After


def test_feeds_rss_and_atom(server: TrendServer) -> None:
    adapter = adapters_for(server.base_url)["feed"]
    rss = adapter.fetch(query(adapter, {"url": f"{server.base_url}/feeds/rss.xml"}))
    assert rss.items is not None
    assert rss.items[0].summary == "The moon turns red ."
    assert rss.items[0].url == "https://news.example/e" and rss.items[0].published_at
    atom = adapter.fetch(query(adapter, {"url": f"{server.base_url}/feeds/atom.xml"}))
    assert atom.items is not None and atom.items[0].title == "Atom entry title"


def test_a_feed_on_a_private_address_is_refused_unless_allowed(server: TrendServer) -> None:
    with pytest.raises(BlockedUrlError):
        Feeds().check({"url": f"{server.base_url}/feeds/rss.xml"})
    with pytest.raises(InputError):
        Feeds().check({"url": "file:///etc/passwd"})


def test_hacker_news_reads_items_and_skips_deleted_ones(server: TrendServer) -> None:
    adapter = adapters_for(server.base_url)["hackernews"]
    fetched = adapter.fetch(query(adapter, {"count": "5"}))
    assert fetched.items is not None
    assert [i.title for i in fetched.items] == ["Show HN: An eclipse timer"]
    assert fetched.requests == 3  # the list, the story, the deleted item


def test_wikipedia_asks_the_day_before_when_yesterday_is_not_out(server: TrendServer) -> None:
    adapter = adapters_for(server.base_url)["wikipedia"]
    fetched = adapter.fetch(query(adapter, {"project": "en.wikipedia"}))
    assert fetched.items is not None
    assert [i.title for i in fetched.items] == ["Lunar eclipse"]  # no main or special pages
    assert fetched.items[0].url == "https://en.wikipedia.org/wiki/Lunar_eclipse"
    assert [r.path.rsplit("all-access/", 1)[1] for r in server.requests] == [
        "2026/12/03",
        "2026/12/02",
    ]


FAULTS = {
    "google-trends": "/trending",
    "youtube": "/youtube",
    "reddit": "/r/",
    "hackernews": "/v0/",
    "wikipedia": "/api/",
}


@pytest.mark.parametrize("kind", sorted(FAULTS))
def test_faults_become_errors_of_the_tree(server: TrendServer, kind: str) -> None:
    adapter = adapters_for(server.base_url, timeout=0.5)[kind]
    prefix, config = FAULTS[kind], CONFIGS[kind]
    server.fail(prefix, Reply(429, {"error": "slow down"}, {"Retry-After": "120"}))
    with pytest.raises(ProviderRateLimited) as limited:
        adapter.fetch(query(adapter, config))
    assert limited.value.retry_after == pytest.approx(120, abs=1)
    server.fail(prefix, Reply(503, "<html>Service Unavailable</html>"))
    with pytest.raises(ProviderUnavailable):
        adapter.fetch(query(adapter, config))
    malformed = b"<rss><channel><item><title>cut" if kind == "google-trends" else b'{"items": ['
    server.fail(prefix, Reply(200, malformed))
    with pytest.raises(ProviderError) as bad:
        adapter.fetch(query(adapter, config))
    assert "malformed" in str(bad.value)
    server.fail(prefix, Reply(200, {"items": []}, delay=2.0))
    with pytest.raises(ProviderUnavailable) as slow:
        adapter.fetch(query(adapter, config))
    assert "did not answer" in str(slow.value)


def test_a_malformed_feed_is_an_error_naming_the_feed(server: TrendServer) -> None:
    adapter = adapters_for(server.base_url)["feed"]
    server.fail("/feeds/", Reply(200, b"<html><body>not a feed</body></html>"))
    with pytest.raises(ProviderError) as bad:
        adapter.fetch(query(adapter, {"url": f"{server.base_url}/feeds/rss.xml"}))
    assert "127.0.0.1" in str(bad.value) and "feed" in str(bad.value)
